// Runs every test file (test/*/*.test.ts, or the files given) as `node --test` does, one
// process per file, with as many files at a time as the machine has cores. Node 20's default
// is one fewer: one file at a time on a 2-core CI machine, while most of a test's time is spent
// waiting on the git and kubectl processes it starts. Larger files start first: they hold the
// longest tests, so the last files to start are short ones and both cores stay busy to the end.
// Run through tsx (`node --import tsx scripts/test.mjs`): each file's process inherits it.
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { hasKubectl } from '../test/support/files.ts';

function allTestFiles() {
  return readdirSync('test', { recursive: true, encoding: 'utf8' })
    .filter((path) => /^[^/]+\/[^/]+\.test\.ts$/.test(path))
    .map((path) => join('test', path));
}

const given = process.argv.slice(2);
const files = (given.length > 0 ? given : allTestFiles()).sort((a, b) => statSync(b).size - statSync(a).size || a.localeCompare(b));
// Asked here once rather than by each of the ~100 files that skip without kubectl (test/support/files.ts).
process.env.KAJI_TEST_HAS_KUBECTL ??= hasKubectl ? 'yes' : 'no';
const tests = run({ files, concurrency: Math.max(2, availableParallelism()) });
tests.on('test:fail', () => {
  process.exitCode = 1;
});
tests.compose(new spec()).pipe(process.stdout);
