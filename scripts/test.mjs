// Runs every test file (test/*/*.test.ts, or the files given) with Node's test runner: the
// files of one folder together in one process, as many processes at a time as the machine
// has cores. A process of its own per file cost 1-2 s of CPU before its first test (node,
// tsx, kaji's modules), for 160 files, on a 2-core CI machine; a folder's files share that.
// They share the process too: a test puts back what it changes in it (environment variables,
// the working folder), and a module's state (kustomize's kept renders) outlives a file.
// Node 20's default is one fewer process than cores: one at a time on a 2-core machine, while
// much of a test's time is spent waiting on the git and kubectl processes it starts. Larger
// folders start first: the last to start are short, so both cores stay busy to the end.
// Run through tsx (`node --import tsx scripts/test.mjs`): each process inherits it.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { hasKubectl } from '../test/support/files.ts';

function allTestFiles() {
  return readdirSync('test', { recursive: true, encoding: 'utf8' })
    .filter((path) => /^[^/]+\/[^/]+\.test\.ts$/.test(path))
    .map((path) => join('test', path));
}

/** The files by folder, each folder's total size with them. */
function byFolder(files) {
  const folders = new Map();
  for (const file of files) {
    const folder = folders.get(dirname(file)) ?? { folder: dirname(file), files: [], size: 0 };
    folder.files.push(file);
    folder.size += statSync(file).size;
    folders.set(folder.folder, folder);
  }
  return [...folders.values()].sort((a, b) => b.size - a.size || a.folder.localeCompare(b.folder));
}

/** What a process runs: the file itself when alone, else a module importing the folder's files (written under `entries`). */
function entryOf({ folder, files }, entries) {
  if (files.length === 1) return files[0];
  const entry = join(entries, `${folder.replaceAll('/', '-')}.test.mjs`);
  writeFileSync(entry, files.map((file) => `import ${JSON.stringify(pathToFileURL(resolve(file)).href)};\n`).join(''));
  return entry;
}

const given = process.argv.slice(2);
const entries = mkdtempSync(join(tmpdir(), 'kaji-test-entries-'));
process.on('exit', () => rmSync(entries, { recursive: true, force: true }));
const files = byFolder(given.length > 0 ? given : allTestFiles()).map((folder) => entryOf(folder, entries));
// Asked here once rather than by each of the ~100 files that skip without kubectl (test/support/files.ts).
process.env.KAJI_TEST_HAS_KUBECTL ??= hasKubectl ? 'yes' : 'no';
// Started from inside a test (`node --test`, npm test from a test), the variable that marks a
// test's process would make run() run nothing and pass; this script is always a top-level run.
delete process.env.NODE_TEST_CONTEXT;
const tests = run({ files, concurrency: Math.max(2, availableParallelism()) });
tests.on('test:fail', () => {
  process.exitCode = 1;
});
tests.compose(new spec()).pipe(process.stdout);
