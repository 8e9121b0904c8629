// kaji rightsize with nothing left to change: the open pull request of its branch holds stale values
// (merging it would apply them), so it is closed with a comment saying why and its branch deleted;
// left open, with a warning, when the branch holds someone else's commit or the run lacked a
// cluster's numbers. A real bare remote and the fake GitHub (real Octokit, real HTTP).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closingComment, type RequestChange } from '../../src/capacity/rightsize.js';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { startGitHubServer, type GitHubServer, type GitHubServerOptions, withToken } from '../support/github-server.js';
import type { BumpFixture } from '../gitops/bump-fixture.js';
import { BLUE_VPAS, commitToRemote, createRightsizeFixture, EXPECTED_BASE, EXPECTED_PATCH, GREEN_VPAS, list, rightsizeArgs } from './rightsize-fixture.js';

const BRANCH = 'kaji/rightsize';
const URL_1 = 'https://github.com/acme/manifests/pull/1';

interface Stage {
  fixture: BumpFixture;
  github: GitHubServer;
  snapshots: ReturnType<typeof tempTree>;
  run(...more: string[]): ReturnType<typeof kaji>;
  hasBranch(): boolean;
}

/** A remote and a fake GitHub where kaji's first run opened pull request #1 from kaji/rightsize. */
async function withOpenPullRequest(body: (stage: Stage) => Promise<void>, options: GitHubServerOptions = {}): Promise<void> {
  const fixture = createRightsizeFixture();
  const github = await startGitHubServer({ repositories: ['acme/manifests'], ...options });
  const snapshots = tempTree({ 'blue.json': list(BLUE_VPAS), 'green.json': list(GREEN_VPAS) });
  const stage: Stage = {
    fixture,
    github,
    snapshots,
    run: (...more) => withToken(github.token, () => kaji([...rightsizeArgs(snapshots, fixture, github.url), ...more])),
    hasBranch: () => fixture.git('branch', '--list', BRANCH) !== '',
  };
  try {
    const first = await stage.run();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /pull request #1 opened/);
    github.requests.length = 0;
    await body(stage);
  } finally {
    snapshots.cleanup();
    await github.close();
    fixture.cleanup();
  }
}

/** Someone sets on main, by hand, the values kaji's pull request proposes: nothing is left to change. */
const setByHand = (fixture: BumpFixture) =>
  commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': EXPECTED_BASE, 'apps/shop/overlays/blue/requests.yaml': EXPECTED_PATCH }, 'shop: requests set by hand');

const calls = (github: GitHubServer) => github.requests.map((r) => `${r.method} ${r.path}`);

describe('kaji rightsize with nothing left to change: its stale pull request', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test('--dry-run says it would close it; the run closes it (a comment first, saying why), deletes the branch; the next finds nothing', async () => {
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
        /^`kaji rightsize` of \d{4}-\d\d-\d\d \d\d:\d\d UTC closes this pull request: no request moves by 10% or more any more \(the usage fell back, or the values were set by hand\), so its values are stale and merging it would apply them\. The branch kaji\/rightsize is deleted with it/,
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
      assert.match(stalePullRequest.reason, /^this run did not read green, which runs some of the values, so it cannot tell whether they are stale: read every cluster \(--context per cluster\)$/);
      assert.match(json.stderr, /^kaji: warning: pull request #1 \(kaji\/rightsize\) is left open: this run did not read green/m);
      assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'open');
      assert.ok(fixture.git('branch', '--list', BRANCH) !== '');
      await run(); // both clusters: closed
      assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'closed');
    });
  });

  test('a push to the branch while kaji closes the pull request: closed, the branch and the push kept, a warning', async () => {
    let moved: string | undefined;
    let fixtureOf: BumpFixture | undefined;
    await withOpenPullRequest(
      async ({ fixture, github, run }) => {
        fixtureOf = fixture;
        setByHand(fixture);
        const result = await run();
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /\nclosed pull request #1 \(kaji\/rightsize\), whose values are stale \(its branch is left: see the warning\): https:\/\/github\.com\/acme\/manifests\/pull\/1\n$/);
        assert.match(result.stderr, /^kaji: warning: pull request #1 was closed, but its branch kaji\/rightsize is left: kaji\/rightsize of .* moved while kaji was working \(it was at [0-9a-f]{12} when kaji read it, and has changed since\): nothing was deleted; re-run$/m);
        assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'closed');
        assert.equal(fixture.git('rev-parse', BRANCH), moved, 'the push stands');
      },
      {
        // Someone pushes to the branch (here: moves it to main) while GitHub closes the pull request.
        beforeRequest: (request) => {
          if (request.method !== 'PATCH' || fixtureOf === undefined) return;
          fixtureOf.git('update-ref', `refs/heads/${BRANCH}`, 'refs/heads/main');
          moved = fixtureOf.head();
        },
      },
    );
  });

  test('GitHub refuses the close: exit 1 naming it, and the branch is not deleted', async () => {
    await withOpenPullRequest(
      async ({ fixture, github, run, hasBranch }) => {
        setByHand(fixture);
        const result = await run();
        assert.equal(result.code, 1, result.stdout);
        assert.match(result.stderr, /^kaji: GitHub could not close pull request #1 on acme\/manifests \(HTTP 422\): Validation Failed/m);
        assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'open');
        assert.equal(hasBranch(), true, 'not deleted when closing failed');
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
        'so its values are stale and merging it would apply them. The branch kaji/rightsize is deleted with it (unless someone pushed to it meanwhile); a run that finds requests to change opens a new pull request.\n',
    );
    assert.match(
      closingComment({ threshold: 0.1, changes: [change('change', 'raising it does not fit the quota'), change('change', 'a HorizontalPodAutoscaler scales it'), change('below threshold')], notes: [] }, BRANCH, now),
      /: no request can be changed any more: 2 would move by 10% or more, but are held back \(a quota, a HorizontalPodAutoscaler, a render that does not show them; see the run's output\), so its values are stale/,
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
          'Delete it (git push origin --delete kaji/rightsize/shop; that closes its pull request, if any), then re-run; nothing was pushed',
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
