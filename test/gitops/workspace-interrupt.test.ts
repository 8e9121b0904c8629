// The bump's workspace when things go wrong: a write that fails half-way and
// an interrupted kaji bump. Real git repositories, real processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KAJI_ROOT } from '../support/files.js';
import { createBumpFixture } from './bump-fixture.js';

const KUSTOMIZATION = 'apps/antenna/overlays/blue/kustomization.yaml';

test('a write into the workspace that fails half-way (file size limit) leaves the old file whole: nothing for a commit to take', async () => {
  const fixture = createBumpFixture([{ name: 'antenna' }]);
  try {
    const script = join(fixture.root, 'write.mts');
    writeFileSync(
      script,
      `import { Workspace } from ${JSON.stringify(pathToFileURL(`${KAJI_ROOT}src/gitops/git.ts`).href)};
const workspace = await Workspace.open({ source: ${JSON.stringify(fixture.remote)} });
let code;
try {
  await workspace.writeFile(${JSON.stringify(KUSTOMIZATION)}, '# '.repeat(200 * 1024));
} catch (error) {
  code = error.code;
}
console.log(JSON.stringify({ code, changed: await workspace.hasChanges(), text: await workspace.readFile(${JSON.stringify(KUSTOMIZATION)}) }));
await workspace.dispose();
`,
    );
    // ulimit -f: writes past 128 KiB fail with EFBIG after the first 128 KiB are on disk (Node ignores SIGXFSZ).
    const output = execFileSync('bash', ['-c', 'ulimit -f 128 && exec "$0" --import tsx "$1"', process.execPath, script], { cwd: KAJI_ROOT, encoding: 'utf8' });
    const { code, changed, text } = JSON.parse(output) as { code: string; changed: boolean; text: string };
    assert.equal(code, 'EFBIG');
    assert.ok(text === fixture.show(KUSTOMIZATION), `the file is as committed, not ${text.length} characters of the new text`);
    assert.equal(changed, false, 'no half-written file, no temporary file in the tree');
  } finally {
    fixture.cleanup();
  }
});

test('kaji bump stopped by SIGTERM while it works in its workspace: exit 143, no kaji-ws-* folder left in the temp folder', async () => {
  const fixture = createBumpFixture([{ name: 'antenna' }]);
  const temp = mkdtempSync(join(tmpdir(), 'kaji-tmpdir-'));
  // A kubectl that says when kaji runs it (the workspace is cloned then) and does not return.
  const marker = join(fixture.root, 'kubectl.pid');
  const kubectl = join(fixture.root, 'kubectl');
  writeFileSync(kubectl, `#!/bin/sh\necho $$ > ${JSON.stringify(marker)}\nexec sleep 60\n`);
  chmodSync(kubectl, 0o755);
  let kubectlPid: number | undefined;
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', `${KAJI_ROOT}src/cli/main.ts`, 'bump', 'antenna', '1.0.1', '--mode', 'push', '--manifests', fixture.remote, '--platform', fixture.platformDir],
      { cwd: KAJI_ROOT, env: { ...process.env, TMPDIR: temp, KAJI_KUBECTL: kubectl }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const closed = once(child, 'close');
    while (!existsSync(marker) || readFileSync(marker, 'utf8').trim() === '') {
      if (child.exitCode !== null) assert.fail(`kaji bump ended before running kubectl: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    kubectlPid = Number(readFileSync(marker, 'utf8'));
    assert.equal(readdirSync(temp).filter((name) => name.startsWith('kaji-ws-')).length, 1, 'the workspace is there while kaji works');
    child.kill('SIGTERM');
    const [code] = (await closed) as [number | null];
    assert.equal(code, 143, stderr);
    assert.deepEqual(readdirSync(temp).filter((name) => name.startsWith('kaji-ws-')), []);
    assert.equal(fixture.git('log', '--format=%s', 'main'), 'seed', 'nothing pushed');
  } finally {
    if (kubectlPid) {
      try {
        process.kill(kubectlPid);
      } catch {
        // already gone
      }
    }
    fixture.cleanup();
    rmSync(temp, { recursive: true, force: true });
  }
});
