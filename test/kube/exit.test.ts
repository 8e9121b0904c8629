// atExit: what kaji undoes when it exits early, run by a real process that
// calls process.exit, as the interrupt handler does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { KAJI_ROOT, tempTree } from '../support/files.js';

test('at exit: processes are stopped before folders are removed, whatever the order they were registered in; a failing action does not stop the others; a forgotten one does not run', () => {
  const tree = tempTree({ log: '' });
  try {
    const exitModule = pathToFileURL(`${KAJI_ROOT}src/kube/exit.ts`).href;
    const script = `import { appendFileSync } from 'node:fs';
import { atExit } from ${JSON.stringify(exitModule)};
const listeners = process.listenerCount('exit'); // tsx's own
const log = (line) => () => appendFileSync(${JSON.stringify(tree.path('log'))}, line + '\\n');
atExit('remove folders', log('remove the workspace'));
atExit('remove folders', () => { throw new Error('EBUSY'); });
atExit('stop processes', log('stop kubectl'));
atExit('remove folders', log('remove the staging folder'));
const forget = atExit('stop processes', log('stop a kubectl that has ended'));
for (let i = 0; i < 20; i++) atExit('remove folders', () => undefined)();
forget();
console.log(process.listenerCount('exit') - listeners);
process.exit(3);
`;
    const ran = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: KAJI_ROOT, encoding: 'utf8' });
    assert.equal(ran.status, 3, ran.stderr);
    assert.equal(ran.stdout, '1\n', 'one exit listener, however many actions');
    assert.equal(readFileSync(tree.path('log'), 'utf8'), 'stop kubectl\nremove the workspace\nremove the staging folder\n');
  } finally {
    tree.cleanup();
  }
});
