// The bump's workspace when things go wrong: a write that fails half-way and
// an interrupted kaji bump. Real git repositories, real processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtBin } from '../support/bin.js';
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
      [builtBin(), 'bump', 'antenna', '1.0.1', '--mode', 'push', '--manifests', fixture.remote, '--platform', fixture.platformDir],
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

/** Whether a process is running (a zombie, gone but not yet reaped, is not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('kaji bump stopped by SIGTERM while git clones: the git process is stopped too, and no kaji-ws-* folder is left or made again', async () => {
  const fixture = createBumpFixture([{ name: 'antenna' }]);
  const temp = mkdtempSync(join(tmpdir(), 'kaji-tmpdir-'));
  // A git that runs the real one but for clone, which keeps writing into its destination (as a
  // clone of a big repository does) for up to 30 s.
  const bin = join(fixture.root, 'bin');
  const marker = join(fixture.root, 'git.pid');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh
case " $* " in *" clone "*) ;; *) exec ${JSON.stringify(realGit)} "$@" ;; esac
for destination; do :; done
echo $$ > ${JSON.stringify(marker)}
i=0
while [ $i -lt 300 ]; do mkdir -p "$destination/.git/objects"; sleep 0.1; i=$((i + 1)); done
`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  let gitPid: number | undefined;
  try {
    const child = spawn(
      process.execPath,
      [builtBin(), 'bump', 'antenna', '1.0.1', '--mode', 'push', '--manifests', fixture.remote, '--platform', fixture.platformDir],
      { cwd: KAJI_ROOT, env: { ...process.env, TMPDIR: temp, PATH: `${bin}:${process.env.PATH ?? ''}` }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const closed = once(child, 'close');
    while (!existsSync(marker) || readFileSync(marker, 'utf8').trim() === '') {
      if (child.exitCode !== null) assert.fail(`kaji bump ended before cloning: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    gitPid = Number(readFileSync(marker, 'utf8'));
    child.kill('SIGTERM'); // kaji alone, not its process group
    const [code] = (await closed) as [number | null];
    assert.equal(code, 143, stderr);
    for (let waited = 0; running(gitPid) && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(running(gitPid), false, 'git clone is still running after kaji exited');
    await new Promise((resolve) => setTimeout(resolve, 300)); // longer than the fake clone's writes are apart
    assert.deepEqual(readdirSync(temp).filter((name) => name.startsWith('kaji-ws-')), []);
    assert.equal(fixture.git('log', '--format=%s', 'main'), 'seed', 'nothing pushed');
  } finally {
    if (gitPid && running(gitPid)) process.kill(gitPid);
    fixture.cleanup();
    rmSync(temp, { recursive: true, force: true });
  }
});
