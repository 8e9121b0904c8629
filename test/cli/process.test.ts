// The kaji process as a shell or CI runs it: the built bin, real pipes, real files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { scaffold } from '../../src/cli/init.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { nobodyCannotReach, tempTreeForOthers } from '../support/shared-temp.js';
import { KAJI_BIN } from '../support/bin.js';

const bin = KAJI_BIN;

/** Where a link leads; undefined once it is gone (a descriptor closed meanwhile). */
function readlinkOrNone(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** kaji's temporary files (`.NAME.kaji-PID.tmp`) anywhere below a folder. */
function temporariesIn(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((path) => /\.kaji-\d+\.tmp$/.test(path));
}

/**
 * Runs the bin to its end. asNobody: as nobody when the tests run as root, for whom every
 * folder is readable. readerGone: closes that output pipe after its first chunk, as `| head -1` does.
 */
function runBin(
  args: string[],
  options: { asNobody?: boolean; readerGone?: 'stdout' | 'stderr' } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const user = options.asNobody && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...user });
    const output = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr'] as const) child[name].on('data', (chunk: Buffer) => void (output[name] += chunk.toString()));
    const gone = options.readerGone;
    if (gone) child[gone].once('data', () => child[gone].destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...output }));
  });
}

const pullPolicy = (i: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: d${i}, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/d:1.0
          imagePullPolicy: IfNotPresent
`;

describe('the kaji process', { skip: !existsSync(bin) && 'dist/ is built by npm test' }, () => {
  test('Ctrl-C (SIGINT) while kaji fix writes many files: exit 130, no temporary file left, each file fixed or untouched, whole', async () => {
    const count = 2000; // far more than are written between the first note and the signal
    const files: Record<string, string> = { 'p.yaml': 'checks:\n  pullPolicyNotAlways: warning\nmutations:\n  - pullPolicyNotAlways\n' };
    for (let i = 0; i < count; i++) files[`m/d${String(i).padStart(4, '0')}.yaml`] = pullPolicy(i);
    const tree = tempTree(files);
    try {
      const child = spawn(process.execPath, [bin, 'fix', tree.path('m'), '--config', tree.path('p.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
      // The first "fixed FILE" note: a file has been written and the others are being written.
      child.stdout.once('data', () => child.kill('SIGINT'));
      const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
      assert.deepEqual(temporariesIn(tree.root), []);
      assert.deepEqual({ code, signal }, { code: 130, signal: null }, stderr);
      const texts = Object.keys(files).filter((file) => file.startsWith('m/')).map((file) => readFileSync(tree.path(file), 'utf8'));
      const fixedCount = texts.filter((text, i) => text === pullPolicy(i).replace('IfNotPresent', 'Always')).length;
      const untouched = texts.filter((text, i) => text === pullPolicy(i)).length;
      assert.equal(fixedCount + untouched, count, 'every file is either fixed or as it was');
      assert.ok(fixedCount >= 1 && untouched >= 1, `interrupted halfway (${fixedCount} fixed); if kaji finished first, raise the count`);
    } finally {
      tree.cleanup();
    }
  });

  test('a named pipe given as an input is read once its writer comes; SIGTERM while kaji waits for one ends it, exit 143', { timeout: 20_000, skip: !existsSync('/proc/self/fd') && 'needs /proc' }, async () => {
    const tree = tempTree({});
    let waiting: ChildProcess | undefined;
    try {
      const pipe = tree.path('pipe.yaml');
      execFileSync('mkfifo', [pipe]);
      const read = runBin(['check', pipe, '--format', 'json']);
      await new Promise((resolve) => setTimeout(resolve, 300)); // kaji is started and waits (not required: the write waits for it)
      writeFileSync(pipe, pullPolicy(1));
      const { code, stdout, stderr } = await read;
      assert.equal(code, 0, stderr);
      assert.deepEqual((JSON.parse(stdout) as { Results: { Name: string }[] }).Results.map((result) => result.Name), ['d1']);

      const child = spawn(process.execPath, [bin, 'check', pipe], { stdio: ['ignore', 'pipe', 'pipe'] });
      waiting = child;
      const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
      // Once it has the pipe open, it waits for a writer that never comes.
      const opened = () => readdirSync(`/proc/${child.pid}/fd`).some((fd) => readlinkOrNone(`/proc/${child.pid}/fd/${fd}`) === pipe);
      while (child.exitCode === null && !opened()) await new Promise((resolve) => setTimeout(resolve, 10));
      child.kill('SIGTERM');
      const [waitedCode, signal] = await exited;
      assert.deepEqual({ code: waitedCode, signal }, { code: 143, signal: null });
    } finally {
      waiting?.kill('SIGKILL'); // one still blocked (the test failed) would never end by itself
      tree.cleanup();
    }
  });

  test('SIGTERM while kaji check -o writes a large report: exit 143, the temporary file removed, no report', async () => {
    // One object per document; a report of several MB, written in chunks through a temporary file.
    const tree = tempTree({ 'm/all.yaml': Array.from({ length: 6000 }, (_, i) => pullPolicy(i)).join('---\n') });
    try {
      const child = spawn(process.execPath, [bin, 'check', tree.path('m'), '--format', 'json', '-o', tree.path('out/report.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
      const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
      // Polls for the report's temporary file: once it is there, the report is being written.
      while (temporariesIn(tree.root).length === 0 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      assert.deepEqual(temporariesIn(tree.root), []);
      assert.deepEqual({ code, signal }, { code: 143, signal: null }, stderr);
      assert.equal(existsSync(tree.path('out/report.json')), false);
    } finally {
      tree.cleanup();
    }
  });

  test('a file it may not read is an input problem naming it and why; the rest is still checked, exit 1', { skip: nobodyCannotReach }, async () => {
    const tree = tempTreeForOthers({ 'p.yaml': 'checks:\n  pullPolicyNotAlways: danger\n', 'm/a.yaml': pullPolicy(1), 'm/locked.yaml': pullPolicy(2) });
    try {
      for (const folder of [tree.root, tree.path('m')]) chmodSync(folder, 0o755); // the user it runs as reads the rest
      chmodSync(tree.path('m/locked.yaml'), 0o000);
      const check = await runBin(['check', tree.path('m'), '--config', tree.path('p.yaml'), '--format', 'json'], { asNobody: true });
      assert.equal(check.code, 1, check.stderr);
      assert.match(check.stderr, /^kaji: \S*m\/locked\.yaml: cannot read the file: permission denied; check its permissions, or choose another path$/m);
      assert.deepEqual(JSON.parse(check.stdout).Results.map((result: { Name: string }) => result.Name), ['d1']);
    } finally {
      tree.cleanup();
    }
  });

  test('a sub-folder it may not list is an input problem naming it; the rest is still checked and fixed, exit 1', { skip: nobodyCannotReach }, async () => {
    const policyFile = 'checks:\n  pullPolicyNotAlways: danger\nmutations:\n  - pullPolicyNotAlways\n';
    const tree = tempTreeForOthers({ 'p.yaml': policyFile, 'm/a.yaml': pullPolicy(1), 'm/locked/b.yaml': pullPolicy(2), 'm/z.yaml': pullPolicy(3) });
    try {
      for (const folder of [tree.root, tree.path('m')]) chmodSync(folder, 0o755); // the user it runs as reads the rest
      chmodSync(tree.path('m/locked'), 0o000);
      const problem = /^kaji: \S*m\/locked: cannot list the folder: permission denied; check its permissions, or choose another path$/m;
      const check = await runBin(['check', tree.path('m'), '--config', tree.path('p.yaml'), '--format', 'json'], { asNobody: true });
      assert.equal(check.code, 1, check.stderr);
      assert.match(check.stderr, problem);
      assert.deepEqual(JSON.parse(check.stdout).Results.map((result: { Name: string }) => result.Name), ['d1', 'd3']);
      chmodSync(tree.path('m/a.yaml'), 0o666);
      chmodSync(tree.path('m/z.yaml'), 0o666);
      for (const folder of [tree.root, tree.path('m')]) chmodSync(folder, 0o777); // kaji fix writes beside the files
      const fix = await runBin(['fix', tree.path('m'), '--config', tree.path('p.yaml')], { asNobody: true });
      assert.equal(fix.code, 1, fix.stderr);
      assert.match(fix.stderr, problem);
      for (const file of ['m/a.yaml', 'm/z.yaml']) assert.match(readFileSync(tree.path(file), 'utf8'), /imagePullPolicy: Always/);
    } finally {
      chmodSync(tree.path('m/locked'), 0o700);
      tree.cleanup();
    }
  });

  test('a closed standard output (| head -1) does not stop kaji fix halfway: every file is fixed, exit 0', async () => {
    const files: Record<string, string> = { 'p.yaml': 'checks:\n  pullPolicyNotAlways: warning\nmutations:\n  - pullPolicyNotAlways\n' };
    for (let i = 0; i < 300; i++) files[`m/d${i}.yaml`] = pullPolicy(i);
    const tree = tempTree(files);
    try {
      const fix = await runBin(['fix', tree.path('m'), '--config', tree.path('p.yaml')], { readerGone: 'stdout' });
      assert.equal(fix.code, 0, fix.stderr);
      assert.equal(fix.stderr, '');
      const unfixed = Object.keys(files).filter((file) => file.startsWith('m/') && !readFileSync(tree.path(file), 'utf8').includes('imagePullPolicy: Always'));
      assert.deepEqual(unfixed, [], 'every file is fixed although nobody reads the output any more');
    } finally {
      tree.cleanup();
    }
  });

  test('a closed standard error (2>&1 | head -1) does not stop kaji synth --check-only at its first progress line: exit 3, out of date', { skip: !hasKubectl }, async () => {
    const tree = tempTree({});
    try {
      const platform = join(tree.root, 'acme');
      await scaffold(platform, 'acme'); // never synthesised: clusters/ is missing
      const synth = await runBin(['synth', platform, '--check-only', '--out', tree.path('out')], { readerGone: 'stderr' });
      assert.equal(synth.code, 3);
      assert.match(synth.stdout, /generated files OUT OF DATE/);
    } finally {
      tree.cleanup();
    }
  });
});
