// Runs code that could hang (a backtracking regular expression) in a child
// process that is killed after a bound. A test timeout cannot stop
// synchronous code in the test's own thread: it would report the hang as a
// pass once the loop ended, or never end.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `code` (an ES module; TypeScript from src/ may be imported by path
 * from the repository root) and returns what it printed. Fails when it has
 * not finished within `seconds`: far above what linear work takes, far below
 * what exponential work would.
 */
export function runBounded(code: string, seconds: number): string {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', code], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: seconds * 1000,
    killSignal: 'SIGKILL',
  });
  assert.equal(child.signal, null, `did not finish within ${seconds} s`);
  assert.equal(child.status, 0, child.stderr);
  return child.stdout.trim();
}
