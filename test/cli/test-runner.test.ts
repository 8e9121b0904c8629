// scripts/test.mjs, which npm test runs the tests with: a folder's files share one process,
// every file's tests run (from inside a test too), and any failure fails the run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { KAJI_ROOT, tempTree } from '../support/files.js';

/** The folders of entry modules (a module importing a folder's files) test.mjs runs have made and not removed. */
const entryFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('kaji-test-entries-'));

/** A test file recording, under its name, the process it ran in; failing with `failure` when given. */
const recording = (name: string, failure?: string) =>
  `import { test } from 'node:test';\nimport { appendFileSync } from 'node:fs';\n` +
  `test(${JSON.stringify(`${name} ran`)}, () => {\n  appendFileSync(process.env.RAN!, ${JSON.stringify(name)} + ' ' + process.pid + '\\n');\n` +
  (failure ? `  throw new Error(${JSON.stringify(failure)});\n` : '') +
  '});\n';

describe('scripts/test.mjs', () => {
  test("one process per folder runs each of its files' tests; a failing test fails the run, named with its error; nothing left behind", async () => {
    const tree = tempTree({
      'alpha/one.test.ts': recording('one'),
      'alpha/two.test.ts': recording('two'),
      'beta/three.test.ts': recording('three', 'three broke'),
    });
    const entriesBefore = entryFolders();
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/test.mjs', ...['alpha/one.test.ts', 'alpha/two.test.ts', 'beta/three.test.ts'].map(tree.path)], {
        cwd: KAJI_ROOT,
        // With this test's NODE_TEST_CONTEXT, as when npm test is started from a test: the
        // variable would make run() run nothing and pass, so the script drops it.
        env: { ...process.env, NODE_TEST_CONTEXT: process.env.NODE_TEST_CONTEXT ?? 'child-v8', RAN: tree.path('ran.log') },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const [status] = (await once(child, 'close')) as [number | null];
      assert.equal(status, 1, stdout);
      assert.match(stdout, /✔ one ran/);
      assert.match(stdout, /✔ two ran/);
      assert.match(stdout, /✖ three ran[\s\S]*three broke/);
      const pids = Object.fromEntries(readFileSync(tree.path('ran.log'), 'utf8').trim().split('\n').map((line) => line.split(' ')));
      assert.deepEqual(Object.keys(pids).sort(), ['one', 'three', 'two']);
      assert.equal(pids.one, pids.two, 'one folder, one process');
      assert.notEqual(pids.one, pids.three);
      assert.deepEqual(entryFolders().filter((folder) => !entriesBefore.includes(folder)), [], 'its folder of entry modules removed');
    } finally {
      tree.cleanup();
    }
  });
});

