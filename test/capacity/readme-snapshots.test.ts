// README's `kaji capacity --from` and `kaji rightsize --from` examples, run on the snapshots the
// example platform ships (examples/labs/snapshots/): the commands and the output README shows
// must stay what they do.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kaji } from '../support/cli.js';
import { hasKubectl, KAJI_ROOT } from '../support/files.js';
import { setEnv } from '../support/env.js';

const README = readFileSync(join(KAJI_ROOT, 'README.md'), 'utf8');

/** The lines of README's code block whose first line starts with `start`. */
function exampleBlock(start: string): string[] {
  const block = README.split('\n```\n').find((part) => part.startsWith(start));
  assert.ok(block, `README has a code block starting with ${start}`);
  return block.split('\n');
}

/** README's shown output (split at its `…` lines) appears in `actual`, each part as a whole and in order. */
function assertShown(shown: readonly string[], actual: string): void {
  const lines = actual.replace(/\n$/, '').split('\n');
  let at = 0;
  const parts: string[][] = [[]];
  for (const line of shown) if (line === '…') parts.push([]); else parts.at(-1)!.push(line);
  for (const [index, part] of parts.entries()) {
    const found = lines.findIndex((_, start) => start >= at && part.every((line, offset) => lines[start + offset] === line));
    assert.ok(found >= 0 && (index > 0 || found === 0), `README's lines are what kaji prints:\n${part.join('\n')}\n--- printed:\n${actual}`);
    at = found + part.length;
  }
  assert.equal(at, lines.length, 'the last line README shows is the last printed');
}

/** A README command line (`$ kaji …`) as arguments: the examples quote nothing. */
const argumentsOf = (line: string) => line.replace(/^\$ kaji /, '').split(' ');

describe("README's examples on the shipped snapshots", () => {
  test('kaji capacity --from examples/labs/snapshots/blue-nodes-pods.json', async () => {
    const [command, ...shown] = exampleBlock('$ kaji capacity --from examples/labs/snapshots/');
    const { code, stdout, stderr } = await kaji(argumentsOf(command!), { cwd: KAJI_ROOT });
    assert.equal(code, 0, stderr);
    assertShown(shown, stdout);
  });

  test('kaji rightsize --from blue and green --dry-run, on a repository made of the example manifests as README says', { skip: !hasKubectl }, async () => {
    const lines = exampleBlock('$ cp -r examples/labs/manifests /tmp/labs-manifests');
    const setup = lines.filter((line) => line.startsWith('$ ') && !line.startsWith('$ kaji '));
    const command = lines.find((line) => line.startsWith('$ kaji rightsize '))!;
    const shown = lines.slice(lines.indexOf(command) + 1);
    const temp = mkdtempSync(join(tmpdir(), 'kaji-test-'));
    const manifests = join(temp, 'labs-manifests');
    const restoreEnv = setEnv({ GITHUB_TOKEN: undefined }); // a dry run needs none, and must not reach GitHub with one
    try {
      const identity = { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' };
      for (const line of setup) {
        execFileSync('sh', ['-c', line.slice(2).replaceAll('/tmp/labs-manifests', manifests)], { cwd: KAJI_ROOT, env: { ...process.env, ...identity }, stdio: 'pipe' });
      }
      const { code, stdout, stderr } = await kaji(argumentsOf(command).map((word) => word.replace('/tmp/labs-manifests', manifests)), { cwd: KAJI_ROOT });
      assert.equal(code, 0, stderr);
      assertShown(shown, stdout);
      assert.match(stdout, /^\+ {12}requests: \{cpu: 500m, memory: 1536Mi\}$/m, 'the diff is in the output');
    } finally {
      restoreEnv();
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
