// scripts/run-parallel.mjs, which npm test runs its checks with: a failing check must fail npm
// test, with its output, whatever the others do.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { KAJI_ROOT, tempTree } from '../support/files.js';

const RUN_PARALLEL = join(KAJI_ROOT, 'scripts', 'run-parallel.mjs');

/** run-parallel.mjs over `names`, in a package whose scripts are `scripts`. */
function runParallel(scripts: Record<string, string>, names: string[]): { status: number | null; stdout: string } {
  const tree = tempTree({ 'package.json': JSON.stringify({ name: 'checks', version: '1.0.0', scripts }) });
  try {
    const { status, stdout } = spawnSync(process.execPath, [RUN_PARALLEL, ...names], { cwd: tree.root, encoding: 'utf8' });
    return { status, stdout };
  } finally {
    tree.cleanup();
  }
}

const node = (code: string) => `node -e ${JSON.stringify(code)}`;

describe('scripts/run-parallel.mjs', () => {
  test('every script passing: exit 0, each one\'s output (standard error too) under its own heading', () => {
    const { status, stdout } = runParallel({ first: node("console.log('one'); console.error('one, on stderr')"), second: node("console.log('two')") }, ['first', 'second']);
    assert.equal(status, 0);
    assert.match(stdout, /^> npm run first: passed in [\d.]+ s\none\none, on stderr\n/m);
    assert.match(stdout, /^> npm run second: passed in [\d.]+ s\ntwo\n/m);
  });

  test("a script failing: its exit status, named with its output, though the others pass and end later", () => {
    const { status, stdout } = runParallel(
      { broken: node("console.log('what broke'); process.exit(3)"), slow: node("setTimeout(() => console.log('slow done'), 300)") },
      ['slow', 'broken'],
    );
    assert.equal(status, 3);
    assert.match(stdout, /^> npm run broken: failed \(exit 3\) in [\d.]+ s\nwhat broke\n/m);
    assert.match(stdout, /^> npm run slow: passed in [\d.]+ s\nslow done\n/m);
  });

  test('a script the package does not have fails the run', () => {
    const { status, stdout } = runParallel({ fine: node('0') }, ['fine', 'missing']);
    assert.notEqual(status, 0);
    assert.match(stdout, /^> npm run missing: failed \(exit \d+\)/m);
  });
});
