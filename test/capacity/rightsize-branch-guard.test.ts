// kaji rightsize's pull request branch is kaji's own, as kaji bump's is (Workspace.pushBranch): a
// commit someone else pushed to it stops the next run, which pushes nothing and says what to do.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { startGitHubServer, withToken } from '../support/github-server.js';
import { BLUE_VPAS, createRightsizeFixture, GREEN_VPAS, list, rightsizeArgs } from './rightsize-fixture.js';

describe('kaji rightsize over a branch someone else pushed to', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test("a reviewer's commit on kaji/rightsize: the next run exits 1 naming the branch and the commit; the commit stays, the pull request is not touched", async () => {
    const fixture = createRightsizeFixture();
    const github = await startGitHubServer({ repositories: ['acme/manifests'] });
    const snapshots = tempTree({ 'blue.json': list(BLUE_VPAS), 'green.json': list(GREEN_VPAS) });
    const reviewer = mkdtempSync(join(tmpdir(), 'kaji-rightsize-reviewer-'));
    const branch = 'kaji/rightsize';
    const args = rightsizeArgs(snapshots, fixture, github.url);
    try {
      const first = await withToken(github.token, () => kaji(args));
      assert.equal(first.code, 0, first.stderr);

      const env = { ...process.env, GIT_AUTHOR_NAME: 'Rita Reviewer', GIT_AUTHOR_EMAIL: 'rita@example.com', GIT_COMMITTER_NAME: 'Rita Reviewer', GIT_COMMITTER_EMAIL: 'rita@example.com' };
      const git = (...a: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', ...a], { cwd: reviewer, env, encoding: 'utf8' }).trim();
      git('clone', '--quiet', '--branch', branch, fixture.remote, '.');
      writeFileSync(join(reviewer, 'apps/shop/overlays/blue/requests.yaml'), 'kept by hand\n');
      // A subject with a terminal escape sequence: shown escaped, never sent to the terminal.
      git('commit', '--quiet', '-am', 'keep blue\x1b]0;owned\x07 as it is');
      git('push', '--quiet', 'origin', `HEAD:${branch}`);
      const fixup = git('rev-parse', 'HEAD');

      github.requests.length = 0;
      const second = await withToken(github.token, () => kaji(args));
      assert.equal(second.code, 1, second.stdout);
      assert.match(
        second.stderr,
        new RegExp(`^kaji: ${branch} of ${fixture.remote} holds a commit kaji did not make \\(no Kaji-\\* trailer, or changed by someone else\\): ${fixup.slice(0, 7)}\\w* by Rita Reviewer "keep blue\\\\x1b\\]0;owned\\\\x07 as it is"; .*close it and delete the branch ${branch}, to let kaji rebuild it$`, 'm'),
      );
      assert.ok(!second.stderr.includes('\x1b') && !second.stderr.includes('\x07'), 'no escape sequence reaches the terminal');
      assert.equal(fixture.git('rev-parse', `refs/heads/${branch}`), fixup, 'the commit is still there');
      assert.deepEqual(github.requests, [], 'the pull request is left alone');
    } finally {
      rmSync(reviewer, { recursive: true, force: true });
      snapshots.cleanup();
      await github.close();
      fixture.cleanup();
    }
  });
});
