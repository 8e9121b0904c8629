// kaji rightsize with nothing left to change: the open pull request of its branch holds stale values
// (merging it would apply them), so its branch is deleted and it is closed with a comment saying
// why; left open, with a warning, when the branch holds someone else's commit, the run lacked a
// cluster's numbers, or the branch moves as kaji deletes it. A real bare remote and the fake GitHub
// (real Octokit, real HTTP).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closingComment, rightsize, type RequestChange } from '../../src/capacity/rightsize.js';
import { readSnapshotRecommendations } from '../../src/capacity/index.js';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { startGitHubServer, withToken } from '../support/github-server.js';
import { BLUE_VPAS, BRANCH, calls, createRightsizeFixture, GREEN_VPAS, list, rightsizeArgs, setByHand, withOpenPullRequest } from './rightsize-fixture.js';

const URL_1 = 'https://github.com/acme/manifests/pull/1';

describe('kaji rightsize with nothing left to change: its stale pull request', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test('--dry-run says it would close it; the run deletes the branch, then comments (saying why) and closes it; the next finds nothing', async () => {
    await withOpenPullRequest(async ({ fixture, github, run, hasBranch }) => {
      setByHand(fixture);
      const tip = fixture.git('rev-parse', BRANCH);

      const dry = await run('--dry-run');
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /nothing to change: no request moves by 10% or more\.\ndry run: pull request #1 \(kaji\/rightsize\), whose values are stale, would be closed and its branch deleted: https:\/\/github\.com\/acme\/manifests\/pull\/1\n$/);
      assert.deepEqual(calls(github), ['GET /repos/acme/manifests/pulls'], 'looked up, nothing changed');
      assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'open');
      assert.equal(fixture.git('rev-parse', BRANCH), tip);

      github.requests.length = 0;
      const closing = await run('-o', 'json');
      assert.equal(closing.code, 0, closing.stderr);
      const result = JSON.parse(closing.stdout);
      assert.equal(result.status, 'unchanged');
      assert.deepEqual(result.stalePullRequest, { number: 1, url: URL_1, branch: BRANCH, action: 'closed', branchDeleted: true });
      assert.deepEqual(calls(github), ['GET /repos/acme/manifests/pulls', 'POST /repos/acme/manifests/issues/1/comments', 'PATCH /repos/acme/manifests/pulls/1']);
      assert.deepEqual(github.requests[2]!.body, { state: 'closed' });
      const pull = github.pulls.get('acme/manifests')![0]!;
      assert.equal(pull.state, 'closed');
      assert.equal(pull.comments.length, 1);
      assert.match(
        pull.comments[0]!,
        /^`kaji rightsize` of \d{4}-\d\d-\d\d \d\d:\d\d UTC closes this pull request: no request moves by 10% or more any more \(the usage fell back, or the values were set by hand\), so its values are stale and merging it would apply them\. Its branch kaji\/rightsize was deleted; a run that finds requests to change opens a new pull request\.\n$/,
      );
      assert.equal(hasBranch(), false, 'the branch is deleted');
      assert.match(closing.stderr, /kaji rightsize: closing pull request #1 \(kaji\/rightsize\): its values are stale\n/);

      github.requests.length = 0;
      const after = await run();
      assert.equal(after.code, 0, after.stderr);
      assert.equal(after.stdout.trimEnd().split('\n').at(-1), 'nothing to change: no request moves by 10% or more.');
      assert.deepEqual(calls(github), ['GET /repos/acme/manifests/pulls'], 'nothing left to close');
    });
  });

  test("the human report of a close names the pull request; --service's branch is that set's own, the run over every service's is left", async () => {
    await withOpenPullRequest(async ({ fixture, github, run, hasBranch }) => {
      const shop = await run('--service', 'shop');
      assert.equal(shop.code, 0, shop.stderr);
      assert.match(shop.stdout, /pull request #2 opened/);
      setByHand(fixture);
      const closing = await run('--service', 'shop');
      assert.equal(closing.code, 0, closing.stderr);
      assert.match(closing.stdout, /\nclosed pull request #2 \(kaji\/rightsize-shop\), whose values are stale, and deleted its branch: https:\/\/github\.com\/acme\/manifests\/pull\/2\n$/);
      assert.deepEqual(github.pulls.get('acme/manifests')!.map((p) => `${p.number} ${p.head} ${p.state}`), ['1 kaji/rightsize open', '2 kaji/rightsize-shop closed']);
      assert.equal(fixture.git('branch', '--list', 'kaji/rightsize-shop'), '');
      assert.equal(hasBranch(), true);
    });
  });

  test("a reviewer's commit on the branch: left open, branch and commit kept, a warning naming the commit; exit 0", async () => {
    const reviewer = mkdtempSync(join(tmpdir(), 'kaji-rightsize-reviewer-'));
    try {
      await withOpenPullRequest(async ({ fixture, github, run }) => {
        const env = { ...process.env, GIT_AUTHOR_NAME: 'Rita Reviewer', GIT_AUTHOR_EMAIL: 'rita@example.com', GIT_COMMITTER_NAME: 'Rita Reviewer', GIT_COMMITTER_EMAIL: 'rita@example.com' };
        const git = (...a: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', ...a], { cwd: reviewer, env, encoding: 'utf8' }).trim();
        git('clone', '--quiet', '--branch', BRANCH, fixture.remote, '.');
        writeFileSync(join(reviewer, 'NOTES.md'), 'why blue needs more\n');
        git('add', 'NOTES.md');
        git('commit', '--quiet', '-m', 'explain blue');
        git('push', '--quiet', 'origin', `HEAD:${BRANCH}`);
        const fixup = git('rev-parse', 'HEAD');
        setByHand(fixture);

        for (const dryRun of [true, false]) {
          github.requests.length = 0;
          const result = await run(...(dryRun ? ['--dry-run'] : []));
          assert.equal(result.code, 0, result.stderr);
          assert.match(result.stdout, /\npull request #1 \(kaji\/rightsize\) is left open \(see the warning\): https:\/\/github\.com\/acme\/manifests\/pull\/1\n$/);
          assert.match(
            result.stderr,
            new RegExp(`^kaji: warning: pull request #1 \\(kaji/rightsize\\) is left open: its values are stale, but kaji/rightsize holds a commit kaji did not make \\(no Kaji-\\* trailer, or changed by someone else\\): ${fixup.slice(0, 7)}\\w* by Rita Reviewer "explain blue"; close the pull request yourself, or merge it if they are still wanted\\n$`, 'm'),
          );
          assert.deepEqual(calls(github), ['GET /repos/acme/manifests/pulls']);
        }
        assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'open');
        assert.deepEqual(github.pulls.get('acme/manifests')![0]!.comments, []);
        assert.equal(fixture.git('rev-parse', BRANCH), fixup);
      });
    } finally {
      rmSync(reviewer, { recursive: true, force: true });
    }
  });

  test("a run that read one cluster of two: it cannot tell the values are stale, so the pull request is left open, saying which cluster to read", async () => {
    await withOpenPullRequest(async ({ fixture, github, snapshots, run }) => {
      setByHand(fixture);
      const blueOnly = ['rightsize', '--from', snapshots.path('blue.json'), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--github-repository', 'acme/manifests', '--github-api-url', github.url];
      const json = await withToken(github.token, () => kaji([...blueOnly, '-o', 'json']));
      assert.equal(json.code, 0, json.stderr);
      const { stalePullRequest } = JSON.parse(json.stdout);
      assert.equal(stalePullRequest.action, 'left-open');
      assert.equal(
        stalePullRequest.reason,
        "this run did not judge every value it changes on every cluster's numbers (apps/shop/base/deployment.yaml: Deployment/shop app cpu and memory (green not read)), so it cannot tell whether they are stale: " +
          'read every cluster (--context per cluster) and every service the pull request changes, or wait for their recommender',
      );
      assert.match(json.stderr, /^kaji: warning: pull request #1 \(kaji\/rightsize\) is left open: this run did not judge every value it changes on every cluster's numbers \(apps\/shop\/base\/deployment\.yaml: Deployment\/shop app cpu and memory \(green not read\)\)/m);
      assert.deepEqual(calls(github), ['GET /repos/acme/manifests/pulls'], 'no comment');
      assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'open');
      assert.ok(fixture.git('branch', '--list', BRANCH) !== '');
      await run(); // both clusters: closed
      assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'closed');
    });
  });

  test('a push to the branch as kaji deletes it: the lease refuses the delete, so the push and the pull request are left, with no comment', async () => {
    await withOpenPullRequest(async ({ fixture, github, snapshots }) => {
      setByHand(fixture);
      let moved: string | undefined;
      const recommendations = [];
      for (const file of ['blue.json', 'green.json']) recommendations.push(...(await readSnapshotRecommendations(snapshots.path(file))).map((r) => ({ ...r, source: file })));
      const result = await rightsize({
        recommendations,
        platformDirectory: fixture.platformDir,
        manifests: fixture.remote,
        githubRepository: 'acme/manifests',
        githubApiUrl: github.url,
        token: github.token,
        // Someone pushes to the branch (here: moves it to main) once kaji has read it and found it stale.
        onProgress: (message) => {
          if (!message.startsWith('closing pull request')) return;
          fixture.git('update-ref', `refs/heads/${BRANCH}`, 'refs/heads/main');
          moved = fixture.head();
        },
      });
      assert.ok(moved !== undefined);
      assert.equal(result.stalePullRequest?.action, 'left-open');
      assert.match(result.stalePullRequest!.reason!, /^kaji\/rightsize of .* moved while kaji was working \(it was at [0-9a-f]{12} when kaji read it, and has changed since\): nothing was deleted$/);
      assert.deepEqual(calls(github), ['GET /repos/acme/manifests/pulls'], 'no comment, no close');
      assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'open');
      assert.equal(fixture.git('rev-parse', BRANCH), moved, 'the push stands');
    });
  });

  test('GitHub refuses the close after the branch is deleted: exit 1 saying the branch was deleted', async () => {
    await withOpenPullRequest(
      async ({ fixture, github, run, hasBranch }) => {
        setByHand(fixture);
        const result = await run();
        assert.equal(result.code, 1, result.stdout);
        assert.match(result.stderr, /^kaji: kaji\/rightsize was deleted \(pull request #1 may still be open: close it\), but GitHub could not close pull request #1 on acme\/manifests \(HTTP 422\): Validation Failed/m);
        assert.equal(hasBranch(), false, 'deleted first');
        assert.deepEqual(calls(github).slice(1), ['POST /repos/acme/manifests/issues/1/comments', 'PATCH /repos/acme/manifests/pulls/1', 'GET /repos/acme/manifests/pulls/1']);
      },
      {
        // A pull request GitHub will not close (as for a repository rule): the PATCH is answered 422.
        beforeRequest: (request) => {
          if (request.method === 'PATCH' && (request.body as { state?: string } | undefined)?.state === 'closed') (request.body as { state?: string }).state = 'merged';
        },
      },
    );
  });
});

describe('closingComment', () => {
  const change = (decision: RequestChange['decision'], skipped?: string) => ({ decision, ...(skipped === undefined ? {} : { skipped }) }) as RequestChange;
  const now = new Date('2026-11-29T20:31:45Z');

  test('why, with the threshold and the date: nothing moves by it, or what moves is held back', () => {
    assert.equal(
      closingComment({ threshold: 0.2, changes: [change('below threshold'), change('unchanged')], notes: [] }, BRANCH, now),
      '`kaji rightsize` of 2026-11-29 20:31 UTC closes this pull request: no request moves by 20% or more any more (the usage fell back, or the values were set by hand), ' +
        'so its values are stale and merging it would apply them. Its branch kaji/rightsize was deleted; a run that finds requests to change opens a new pull request.\n',
    );
    assert.match(
      closingComment({ threshold: 0.1, changes: [change('change', 'raising it does not fit the quota'), change('change', 'a HorizontalPodAutoscaler scales it'), change('below threshold')], notes: [] }, BRANCH, now),
      /: no request can be changed any more: 2 would move by 10% or more, but kaji leaves them as they are, for reasons the run's output gives \(such as a quota, a HorizontalPodAutoscaler, or a request no manifest, or no one file, sets\), so its values are stale/,
    );
    assert.match(
      closingComment({ threshold: 0.1, changes: [change('change', 'no manifest sets this request (the LimitRange default applies)')], notes: [] }, BRANCH, now),
      /: 1 would move by 10% or more, but kaji leaves it as it is, for a reason the run's output gives/,
    );
  });
});

describe('kaji rightsize over branches of an earlier naming (kaji/rightsize/<service>)', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test('the push of kaji/rightsize fails with a message naming them and what to do; they are not deleted', async () => {
    const fixture = createRightsizeFixture();
    const github = await startGitHubServer({ repositories: ['acme/manifests'] });
    const snapshots = tempTree({ 'blue.json': list(BLUE_VPAS), 'green.json': list(GREEN_VPAS) });
    try {
      fixture.git('branch', 'kaji/rightsize/shop', 'main');
      const result = await withToken(github.token, () => kaji(rightsizeArgs(snapshots, fixture, github.url)));
      assert.equal(result.code, 1, result.stdout);
      assert.equal(
        result.stderr.split('\n').filter((line) => line.startsWith('kaji: ')).join('\n'),
        `kaji: kaji/rightsize cannot be pushed to ${fixture.remote}: the branch kaji/rightsize/shop is there, and git cannot hold a branch and branches under its name. ` +
          'Delete it (git push origin --delete kaji/rightsize/shop) and close its pull request, if any (deleting a branch need not close one), then re-run; nothing was pushed',
      );
      assert.equal(fixture.git('branch', '--list', 'kaji/*', '--format=%(refname:short)'), 'kaji/rightsize/shop');
      assert.deepEqual(github.requests, []);
    } finally {
      snapshots.cleanup();
      await github.close();
      fixture.cleanup();
    }
  });
});
