// Output paths under a folder that takes no new folders (/proc). Node 20's
// recursive mkdir never returns there, and a synchronous one cannot even be
// stopped by SIGTERM, so each run is a child process killed after a while:
// a hang fails its test instead of blocking the suite.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { builtBin } from '../support/bin.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { platformTree } from '../support/platform.js';

const MAIN = builtBin();
/** Far longer than any of these runs takes; reached only when kaji hangs. */
const HANG_GUARD_MS = 180_000;

async function kajiChild(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: HANG_GUARD_MS, killSignal: 'SIGKILL' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr };
}

const noNewFolders = (folder: string) =>
  new RegExp(`^kaji: cannot create the folder ${folder}: /proc takes no new folders \\(is it a special file system, such as /proc\\?\\); choose another path\\n$`, 'm');

describe('a folder kaji cannot make under /proc', { skip: !existsSync('/proc/self') && 'needs /proc' }, () => {
  test('kaji synth --out: one line naming the folder, exit 2, rather than a hang', { skip: !hasKubectl && 'needs kubectl' }, async () => {
    const tree = platformTree([{ name: 'shop' }]);
    try {
      const { code, stderr } = await kajiChild(['synth', tree.root, '--out', '/proc/kaji-synth-test/out']);
      assert.equal(code, 2, stderr);
      assert.match(stderr, noNewFolders('/proc/kaji-synth-test'));
    } finally {
      tree.cleanup();
    }
  });

  test('kaji check --output-file (written atomically): one line naming the folder, exit 2, rather than a hang', async () => {
    const tree = tempTree({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: a}\n' });
    try {
      const { code, stderr } = await kajiChild(['check', tree.path('a.yaml'), '--output-file', '/proc/kaji-check-test/report.txt']);
      assert.equal(code, 2, stderr);
      assert.match(stderr, noNewFolders('/proc/kaji-check-test'));
    } finally {
      tree.cleanup();
    }
  });
});
