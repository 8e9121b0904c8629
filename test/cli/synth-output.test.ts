// kaji synth's --out folder as a shell or CI meets it: the built bin, real signals, real permissions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSynth } from '../../src/synth/index.js';
import { hasKubectl, KAJI_ROOT } from '../support/files.js';
import { platformTree, platformYaml, POLICY, serviceFiles } from '../support/platform.js';
import { nobodyCannotReach, tempTreeForOthers } from '../support/shared-temp.js';
import { greenOnly, snapshot, stagingIn } from '../support/synth-output.js';
import { KAJI_BIN } from '../support/bin.js';

const bin = KAJI_BIN;
const hasMachineId = existsSync('/etc/machine-id') && /^[0-9a-f]{32}$/.test(readFileSync('/etc/machine-id', 'utf8').trim());

/** Runs the bin to its end, as nobody when the tests run as root (for whom every folder is writable). */
async function runAsNobody(args: string[]) {
  const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], ...user });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr };
}

/**
 * Publishes a first output of the tree's platform (shop on blue and green) into
 * its out/, switches the platform to green only, and runs the bin again, sending
 * `signal` while its CDK app is synthesised into its staging folder. Resolves to
 * the first output's snapshot and how the second run ended.
 */
async function interruptedWhileStaging(tree: ReturnType<typeof platformTree>, signal: NodeJS.Signals) {
  const out = tree.path('out');
  await runSynth({ directory: tree.root, outDirectory: out });
  const before = snapshot(out);
  writeFileSync(tree.path('platform.yaml'), greenOnly([{ name: 'shop' }]));

  const child = spawn(process.execPath, [bin, 'synth', tree.root, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  // The staged assembly folder exists from the first layer zip staged to the end of the run.
  const assemblyStaged = () => stagingIn(out).some((staging) => existsSync(join(out, staging, 'run', 'cdk.out')));
  while (!assemblyStaged() && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
  child.kill(signal);
  const [code, ended] = await exited;
  return { before, code, signal: ended, stderr };
}

/**
 * A process that has staged an output in `out`, as a kaji synth does while it
 * runs, and keeps running until `stop` (which waits for it to exit).
 */
async function runningSynthStaging(out: string) {
  const script = `
    const { stageOutput } = await import(${JSON.stringify(pathToFileURL(`${KAJI_ROOT}src/synth/output.ts`).href)});
    stageOutput(process.argv[1]);
    process.stdout.write('staged\\n');
    process.stdin.on('end', () => process.exit(0)).resume();
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, out], { cwd: KAJI_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'close');
  await Promise.race([once(child.stdout, 'data'), exited.then(() => Promise.reject(new Error('the staging process ended before it staged')))]);
  return {
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

describe('kaji synth --out', { skip: (!existsSync(bin) && 'dist/ is built by npm test') || (!hasKubectl && 'needs kubectl') }, () => {
  test('SIGTERM while the CDK app is synthesised into the staging folder: exit 143, the previous output byte for byte, no staging folder', async () => {
    const tree = platformTree([{ name: 'shop' }]);
    try {
      const out = tree.path('out');
      const ended = await interruptedWhileStaging(tree, 'SIGTERM');
      assert.deepEqual({ code: ended.code, signal: ended.signal }, { code: 143, signal: null }, ended.stderr);
      assert.deepEqual(stagingIn(out), []);
      assert.deepEqual(snapshot(out), ended.before);
    } finally {
      tree.cleanup();
    }
  });

  // Without a machine id kaji cannot tell this machine's staging folders from another's, and keeps them all.
  test('a staging folder a SIGKILLed run left is removed by the next completed run; those of a synth still running or of no known owner stay, and other files', { skip: !hasMachineId && 'needs /etc/machine-id' }, async () => {
    const tree = platformTree([{ name: 'shop' }]);
    try {
      const out = tree.path('out');
      const ended = await interruptedWhileStaging(tree, 'SIGKILL');
      assert.equal(ended.signal, 'SIGKILL', ended.stderr);
      const [killed, ...others] = stagingIn(out);
      assert.ok(killed && others.length === 0, 'the killed run left its staging folder');
      const published = Object.entries(snapshot(out)).filter(([path]) => !path.startsWith(killed));
      assert.deepEqual(Object.fromEntries(published), ended.before);

      mkdirSync(join(out, '.kaji-synth-0123456789ab')); // no owner: an older kaji's, or one being created
      writeFileSync(join(out, 'notes.txt'), 'not written by kaji\n');
      const running = await runningSynthStaging(out);
      try {
        const kept = stagingIn(out).filter((name) => name !== killed);
        assert.equal(kept.length, 2);
        const result = await runSynth({ directory: tree.root, outDirectory: out });
        assert.equal(result.problems, 0);
        assert.deepEqual(stagingIn(out).sort(), kept.sort());
        assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'not written by kaji\n');
        assert.ok(existsSync(join(out, 'green/shop.yaml')) && !existsSync(join(out, 'blue')));
      } finally {
        await running.stop();
      }
      assert.deepEqual(stagingIn(out), ['.kaji-synth-0123456789ab'], 'the running one removed its own as it exited');
    } finally {
      tree.cleanup();
    }
  });

  test('an --out it may not write in: one line naming the folder, exit 2, the previous output as it was', { skip: nobodyCannotReach }, async () => {
    const shop = { name: 'shop' };
    const tree = tempTreeForOthers({ 'platform.yaml': platformYaml([shop]), 'polaris.yaml': POLICY, ...serviceFiles(shop) }); // platformTree's files
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
