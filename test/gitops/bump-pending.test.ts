// `kaji bump --mode pr --cluster …` over a pull request branch that already pins the service in
// other clusters (an SRE rolling a release out to green first, then blue): the branch is rebuilt
// from the base, so those pins would be dropped. Pins of the same tag are bumped again on the new
// commit; pins of another tag stop the run (exit 1), naming the clusters. Real git (a bare
// repository on disk) and the fake GitHub API, as in bump.test.ts.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bump } from '../../src/gitops/bump.js';
import { BranchMovedError } from '../../src/gitops/git.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { startGitHubServer, withToken, type GitHubServer } from '../support/github-server.js';
import { createBumpFixture, kustomization, type BumpFixture } from './bump-fixture.js';

const BRANCH = 'kaji/bump/antenna';
const overlay = (cluster: string) => `apps/antenna/overlays/${cluster}/kustomization.yaml`;

describe('kaji bump --mode pr --cluster over a branch pinning other clusters', { skip: !hasKubectl }, () => {
  let fixture: BumpFixture;
  let github: GitHubServer;
  beforeEach(async () => {
    fixture = createBumpFixture([{ name: 'antenna' }]);
    github = await startGitHubServer({ repositories: ['acme/manifests'] });
  });
  afterEach(async () => {
    await github.close();
    fixture.cleanup();
  });

  const pr = (tag: string, ...flags: string[]) =>
    withToken(github.token, () =>
      kaji(['bump', 'antenna', tag, ...flags, '--manifests', fixture.remote, '--platform', fixture.platformDir, '--github-api-url', github.url, '--github-repository', 'acme/manifests']),
    );
  /** bump antenna 3.0.0 on blue, in process, with `race` run once when it checks the policy: after it read the branch, before its push. */
  const bumpBlueRacing = (race: () => void) => {
    let raced = false;
    const run = withToken(github.token, () =>
      bump({
        service: 'antenna',
        tag: '3.0.0',
        clusters: ['blue'],
        manifests: fixture.remote,
        platformDirectory: fixture.platformDir,
        githubApiUrl: github.url,
        githubRepository: 'acme/manifests',
        onProgress: (message) => {
          if (!raced && message.startsWith('checking the policy')) {
            raced = true;
            race();
          }
        },
      }),
    );
    return { run, raced: () => raced };
  };
  /** The pinned tag of each overlay on the branch, and the files the branch changes against main. */
  const branch = () => ({
    blue: /newTag: "([^"]+)"/.exec(fixture.git('show', `${BRANCH}:${overlay('blue')}`))?.[1],
    green: /newTag: "([^"]+)"/.exec(fixture.git('show', `${BRANCH}:${overlay('green')}`))?.[1],
    files: fixture.git('diff', '--name-only', `main...${BRANCH}`).split('\n').filter(Boolean),
  });

  test('green first, then blue with the same tag: one pull request pinning both; another tag for blue alone is refused, naming green', async () => {
    const start = fixture.head();
    const green = await pr('3.0.0', '--cluster', 'green');
    assert.equal(green.code, 0, green.stderr);
    assert.match(green.stdout, /^antenna: 1\.0\.0 → 3\.0\.0: pull request #1 opened: /);
    assert.deepEqual(branch(), { blue: '1.0.0', green: '3.0.0', files: [overlay('green')] });

    const blue = await pr('3.0.0', '--cluster', 'blue');
    assert.equal(blue.code, 0, blue.stderr);
    assert.match(blue.stdout, /^antenna: 1\.0\.0 → 3\.0\.0: pull request #1 updated: /);
    assert.match(blue.stderr, /kaji bump: kaji\/bump\/antenna also pins 3\.0\.0 on green \(an earlier run's\): kept in the pull request/);
    assert.deepEqual(branch(), { blue: '3.0.0', green: '3.0.0', files: [overlay('blue'), overlay('green')] }, 'green\'s pin is still on the branch');
    assert.equal(fixture.git('rev-parse', `${BRANCH}~1`), start, 'one commit on the base');
    const body = github.pulls.get('acme/manifests')![0]!.body;
    assert.match(body, /\| blue \| `1\.0\.0` \| `3\.0\.0` \|/);
    assert.match(body, /\| green \| `1\.0\.0` \| `3\.0\.0` \|/);
    assert.match(fixture.git('log', '-1', '--format=%b', BRANCH), /- blue: 1\.0\.0 → 3\.0\.0 .*\n- green: 1\.0\.0 → 3\.0\.0 /);

    // Another tag for blue alone would drop green's 3.0.0 from the pull request: refused, nothing pushed or asked of GitHub.
    const tip = fixture.git('rev-parse', BRANCH);
    github.requests.length = 0;
    const other = await pr('3.1.0', '--cluster', 'blue');
    assert.equal(other.code, 1, other.stderr);
    assert.equal(other.stdout, '');
    assert.equal(
      other.stderr.trim().split('\n').at(-1),
      "kaji: kaji/bump/antenna (the branch of antenna's pull request) pins green to 3.0.0, which this run (3.1.0 on blue) would drop: nothing was pushed. " +
        'Bump those clusters too (--cluster blue,green), or first merge that pull request, or close it and delete the branch',
    );
    assert.equal(fixture.git('rev-parse', BRANCH), tip, 'the branch is left alone');
    assert.deepEqual(github.requests, [], 'the pull request is left alone');

    // Every cluster at once: an ordinary update of the pull request.
    const all = await pr('3.1.0');
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /pull request #1 updated/);
    assert.deepEqual(branch(), { blue: '3.1.0', green: '3.1.0', files: [overlay('blue'), overlay('green')] });
  });

  test('--dry-run reads the branch as the run does: it keeps the same clusters, and stops where the run stops; nothing pushed, nothing asked of GitHub', async () => {
    const green = await pr('3.0.0', '--cluster', 'green');
    assert.equal(green.code, 0, green.stderr);
    const tip = fixture.git('rev-parse', BRANCH);
    github.requests.length = 0;
    // No token: a dry run opens no pull request, so it needs none.
    const dryRun = (tag: string, ...flags: string[]) =>
      withToken(undefined, () => kaji(['bump', 'antenna', tag, ...flags, '--dry-run', '--manifests', fixture.remote, '--platform', fixture.platformDir]));

    const kept = await dryRun('3.0.0', '--cluster', 'blue');
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stderr, /kaji bump: kaji\/bump\/antenna also pins 3\.0\.0 on green \(an earlier run's\): kept in the pull request/);
    assert.match(kept.stdout, /^dry run: blue 1\.0\.0 → 3\.0\.0, green 1\.0\.0 → 3\.0\.0; policy: no new dangers\. Nothing was pushed\.$/m);
    assert.match(kept.stdout, /^\+\+\+ b\/apps\/antenna\/overlays\/green\/kustomization\.yaml$/m, 'the diff holds green, as the pull request would');

    const refused = await dryRun('3.1.0', '--cluster', 'blue');
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /pins green to 3\.0\.0, which this run \(3\.1\.0 on blue\) would drop: nothing was pushed/);
    assert.equal(fixture.git('rev-parse', BRANCH), tip, 'the branch is left alone');
    assert.deepEqual(github.requests, [], 'GitHub is not asked anything');
    const real = await pr('3.1.0', '--cluster', 'blue');
    assert.equal(real.code, 1, real.stderr);
    assert.equal(refused.stderr.trim().split('\n').at(-1), real.stderr.trim().split('\n').at(-1), 'the refusal of the run itself');
  });

  test('a pin of the branch that the base already holds is not pending: it is not in the way of another tag', async () => {
    const both = await pr('3.0.0');
    assert.equal(both.code, 0, both.stderr);
    // 3.0.0 reaches main for green by another way (a push-mode bump).
    const pushed = await kaji(['bump', 'antenna', '3.0.0', '--cluster', 'green', '--mode', 'push', '--manifests', fixture.remote, '--platform', fixture.platformDir]);
    assert.equal(pushed.code, 0, pushed.stderr);

    const blue = await pr('3.1.0', '--cluster', 'blue');
    assert.equal(blue.code, 0, blue.stderr);
    assert.doesNotMatch(blue.stderr, /also pins/);
    assert.deepEqual(branch(), { blue: '3.1.0', green: '3.0.0', files: [overlay('blue')] });
  });

  test('the branch moves after kaji read its pins (another run\'s commit): nothing pushed over it, exit 1 as for any lease', async () => {
    const green = await pr('3.0.0', '--cluster', 'green');
    assert.equal(green.code, 0, green.stderr);
    // A commit kaji's rule takes for its own (a Kaji-* trailer, its committer its author), pinning green to 2.9.0.
    const other = mkdtempSync(join(fixture.root, 'other-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=kaji', '-c', 'user.email=kaji@example.com', ...args], { cwd: other, encoding: 'utf8' }).trim();
    git('clone', '--quiet', '--branch', 'main', fixture.remote, '.');
    writeFileSync(join(other, overlay('green')), kustomization('antenna', '2.9.0'));
    git('commit', '--quiet', '-am', 'antenna: 1.0.0 → 2.9.0', '--trailer', 'Kaji-Service: antenna');
    const moved = git('rev-parse', 'HEAD');

    // After the pending pins were read (they are read before the edit), before the push.
    const { run, raced } = bumpBlueRacing(() => git('push', '--quiet', '--force', 'origin', `HEAD:${BRANCH}`));
    await assert.rejects(run, (error: unknown) => error instanceof BranchMovedError && /^kaji\/bump\/antenna of .* moved while kaji was working .*nothing was pushed; re-run$/.test(error.message));
    assert.ok(raced());
    assert.equal(fixture.git('rev-parse', BRANCH), moved, 'the other run\'s commit is still there');
    // Re-run: the branch now pins green to another tag, so the run stops, naming it.
    const again = await pr('3.0.0', '--cluster', 'blue');
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /pins green to 2\.9\.0, which this run \(3\.0\.0 on blue\) would drop/);
  });

  test('the branch appears after kaji read it, with a history of its own: it moved, and nothing is pushed over it', async () => {
    const other = mkdtempSync(join(fixture.root, 'other-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=someone', '-c', 'user.email=someone@example.com', ...args], { cwd: other, encoding: 'utf8' }).trim();
    git('init', '--quiet');
    writeFileSync(join(other, 'README.md'), 'nothing to do with main\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'a history of its own');
    const unrelated = git('rev-parse', 'HEAD');

    // The branch was read (missing) before the edit; it appears before the push.
    const { run, raced } = bumpBlueRacing(() => git('push', '--quiet', fixture.remote, `HEAD:refs/heads/${BRANCH}`));
    await assert.rejects(run, (error: unknown) => error instanceof BranchMovedError && /moved while kaji was working \(it did not exist when kaji read it, and has changed since\): nothing was pushed; re-run$/.test(error.message));
    assert.ok(raced());
    assert.equal(fixture.git('rev-parse', BRANCH), unrelated, 'the branch is where the other push left it');
    assert.deepEqual(github.requests, [], 'GitHub is not asked anything');
  });
});
