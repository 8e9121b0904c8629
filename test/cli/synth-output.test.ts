// kaji synth's --out folder as a shell or CI meets it: the built bin, real signals, real permissions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSynth } from '../../src/synth/index.js';
import { hasKubectl, KAJI_ROOT } from '../support/files.js';
import { platformTree } from '../support/platform.js';
import { greenOnly, snapshot, stagingIn } from '../support/synth-output.js';

const bin = `${KAJI_ROOT}dist/cli/main.js`;

/** Runs the bin to its end, as nobody when the tests run as root (for whom every folder is writable). */
async function runAsNobody(args: string[]) {
  const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], ...user });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr };
}

/** Starts the bin, sends `signal` once `ready()` holds (polled), and resolves to how it ended. */
async function interruptWhen(args: string[], env: NodeJS.ProcessEnv, ready: () => boolean, signal: NodeJS.Signals) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  while (!ready() && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
  child.kill(signal);
  const [code, ended] = await exited;
  return { code, signal: ended, stderr };
}

describe('kaji synth --out', { skip: (!existsSync(bin) && 'dist/ is built by npm test') || (!hasKubectl && 'needs kubectl') }, () => {
  test('SIGTERM while the CDK app is synthesised into the staging folder: exit 143, the previous output byte for byte, no staging folder', async () => {
    const tree = platformTree([{ name: 'shop' }]);
    try {
      const out = tree.path('out');
      await runSynth({ directory: tree.root, outDirectory: out });
      const before = snapshot(out);
      writeFileSync(tree.path('platform.yaml'), greenOnly([{ name: 'shop' }]));

      // The staged assembly folder exists from the first layer zip staged to the end of the run.
      const assemblyStaged = () => stagingIn(out).some((staging) => existsSync(join(out, staging, 'run', 'cdk.out')));
      const ended = await interruptWhen(['synth', tree.root, '--out', out], {}, assemblyStaged, 'SIGTERM');
      assert.deepEqual({ code: ended.code, signal: ended.signal }, { code: 143, signal: null }, ended.stderr);
      assert.deepEqual(stagingIn(out), []);
      assert.deepEqual(snapshot(out), before);
    } finally {
      tree.cleanup();
    }
  });

  test('an --out it may not write in: one line naming the folder, exit 2, the previous output as it was', async () => {
    const tree = platformTree([{ name: 'shop' }]);
    try {
      const out = tree.path('out');
      await runSynth({ directory: tree.root, outDirectory: out }); // the next run has no generated file or overlay to write
      const before = snapshot(out);
      chmodSync(tree.root, 0o755);
      chmodSync(out, 0o555);
      const { code, stderr } = await runAsNobody(['synth', tree.root, '--out', out]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /\nkaji: cannot create the folder \S*out\/\.kaji-synth-[0-9a-f]+: permission denied; check its permissions, or choose another path\n$/);
      assert.deepEqual(snapshot(out), before);
    } finally {
      tree.cleanup();
    }
  });
});
