// Where `kaji rightsize` takes the manifest repository from when --manifests is not given (the
// repository Argo CD pulls from, manifests.url: a shallow clone of a URL), and what it says of a
// --manifests that is no repository of its own. Real git, a bare repository on disk as the remote.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BumpFixture } from '../gitops/bump-fixture.js';
import { closedPort, gitRecorder } from '../gitops/git-http-server.js';
import { pathFirst, withEnv } from '../support/env.js';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { startGitHubServer, withToken, type GitHubServer } from '../support/github-server.js';
import { BLUE_VPAS, BRANCH, createRightsizeFixture, EXPECTED_BASE, GREEN_VPAS, list, remoteHead, setByHand } from './rightsize-fixture.js';

const gitIn = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=me', '-c', 'user.email=me@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

describe('kaji rightsize: the manifest repository by default', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let fixture: BumpFixture;
  let github: GitHubServer;
  let snapshots: ReturnType<typeof tempTree>;
  let checkout: string;
  const run = (...more: string[]) =>
    withToken(github.token, () =>
      kaji(['rightsize', '--from', snapshots.path('blue.json'), '--from', snapshots.path('green.json'), '--platform', fixture.platformDir, '--github-repository', 'acme/manifests', '--github-api-url', github.url, ...more]),
    );

  before(async () => {
    fixture = createRightsizeFixture();
    github = await startGitHubServer({ repositories: ['acme/manifests'], headSha: remoteHead(fixture) });
    snapshots = tempTree({ 'blue.json': list(BLUE_VPAS), 'green.json': list(GREEN_VPAS) });
    const platformFile = join(fixture.platformDir, 'platform.yaml');
    // manifests.url is the bare repository; manifests.localPath (manifests) a checkout of it beside platform.yaml.
    writeFileSync(platformFile, readFileSync(platformFile, 'utf8').replace('https://github.com/acme/manifests.git', pathToFileURL(fixture.remote).href));
    checkout = join(fixture.platformDir, 'manifests');
    gitIn(fixture.platformDir, 'clone', '--quiet', fixture.remote, checkout);
  });
  after(async () => {
    snapshots.cleanup();
    await github.close();
    fixture.cleanup();
  });

  test('without --manifests the pull request goes to manifests.url; when its values are set by hand there, it is closed and the branch deleted; the checkout is not touched', async () => {
    const checkoutRefs = gitIn(checkout, 'for-each-ref', '--format=%(refname) %(objectname)');
    const opened = await run();
    assert.equal(opened.code, 0, opened.stderr);
    assert.match(opened.stdout, /pull request #1 opened/);
    assert.equal(fixture.git('rev-parse', `${BRANCH}~1`), fixture.head(), 'the branch stands on the remote main');
    assert.notEqual(fixture.show('apps/shop/base/deployment.yaml'), EXPECTED_BASE, 'main is not edited');
    assert.equal(execFileSync('git', ['--git-dir', fixture.remote, 'show', `${BRANCH}:apps/shop/base/deployment.yaml`], { encoding: 'utf8' }), EXPECTED_BASE);

    // The shallow clone of the URL is judged as a full one: what the branch changes is read from the
    // remote's history, fetched back to where the branch left main, not whole.
    setByHand(fixture);
    const recorder = gitRecorder();
    let commands: string;
    const closed = await withEnv(pathFirst(recorder.bin), () => run('-o', 'json')).finally(() => {
      commands = recorder.commands();
      recorder.cleanup();
    });
    assert.equal(closed.code, 0, closed.stderr);
    assert.doesNotMatch(commands!, /--unshallow/);
    assert.match(commands!, /fetch .*--deepen=1 /);
    assert.deepEqual(JSON.parse(closed.stdout).stalePullRequest, { number: 1, url: 'https://github.com/acme/manifests/pull/1', branch: BRANCH, action: 'closed', branchDeleted: true });
    assert.equal(fixture.git('branch', '--list', BRANCH), '');
    assert.equal(github.pulls.get('acme/manifests')![0]!.state, 'closed');
    assert.equal(gitIn(checkout, 'for-each-ref', '--format=%(refname) %(objectname)'), checkoutRefs, 'nothing was pushed into the checkout');
  });

  test('--manifests naming a folder inside a repository: a usage error (2) naming the repository', async () => {
    const folder = join(checkout, 'apps');
    const result = await run('--manifests', folder);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr.trim().split('\n').at(-1),
      `kaji: ${folder} is a folder inside the git repository ${checkout}, not a repository of its own: give the manifest repository's own checkout or its clone URL`,
    );
  });

  test('--manifests a local path and no --github-repository: a usage error (2), nothing pushed, rather than a pull request on manifests.url', async () => {
    const requests = github.requests.length;
    const refs = fixture.git('for-each-ref', '--format=%(refname) %(objectname)');
    const result = await withToken(github.token, () =>
      kaji(['rightsize', '--from', snapshots.path('blue.json'), '--from', snapshots.path('green.json'), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--github-api-url', github.url]),
    );
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr.trim().split('\n').at(-1),
      `kaji: the pull request is opened on the repository the branch is pushed to, and ${fixture.remote} is a local path: pass --github-repository OWNER/NAME (that repository on GitHub), or use --dry-run`,
    );
    assert.equal(github.requests.length, requests, 'GitHub is never asked');
    assert.equal(fixture.git('for-each-ref', '--format=%(refname) %(objectname)'), refs, 'nothing pushed');
  });

  test('an http:// GitHub API URL off this machine: a usage error (2) before any work, as kaji bump says it', async () => {
    const requests = github.requests.length;
    const refs = fixture.git('for-each-ref', '--format=%(refname) %(objectname)');
    const result = await withToken(github.token, () =>
      kaji(['rightsize', '--from', snapshots.path('blue.json'), '--from', snapshots.path('green.json'), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--github-repository', 'acme/manifests', '--github-api-url', 'http://10.0.0.7/api/v3']),
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr.trim().split('\n').at(-1)!, /^kaji: the GitHub API URL "http:\/\/10\.0\.0\.7\/api\/v3" \(--github-api-url, GITHUB_API_URL\): the token would cross the network unencrypted/);
    assert.equal(github.requests.length, requests, 'GitHub is never asked');
    assert.equal(fixture.git('for-each-ref', '--format=%(refname) %(objectname)'), refs, 'nothing pushed');
  });

  test('a repository git cannot reach: exit 1, git\'s reason and what to check, as kaji bump says it', async () => {
    const url = `https://127.0.0.1:${await closedPort()}/acme/manifests.git`;
    const result = await run('--manifests', url, '--dry-run');
    assert.equal(result.code, 1, result.stderr);
    const last = result.stderr.trim().split('\n').at(-1)!;
    assert.ok(last.startsWith(`kaji: cloning ${url} (branch main): git clone failed: fatal: unable to access '${url}/': `), last);
    assert.ok(last.endsWith('; check the repository URL (--manifests) and that its host can be reached from here'), last);
  });
});
