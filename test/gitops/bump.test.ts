// `kaji bump` end to end with real git: a bare repository on disk is the
// manifest repository's remote; GitHub is a local fake reached by the real
// Octokit. Commands run in-process through run(), and as real processes for
// the concurrency and crash tests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtBin } from '../support/bin.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { startGitHubServer, withToken, type GitHubServer } from '../support/github-server.js';
import { createBumpFixture, ECR, kustomization, type BumpFixture } from './bump-fixture.js';
import { closedPort, gitRecorder, startGitHttpServer } from './git-http-server.js';
import { pathFirst, withEnv } from '../support/env.js';

const MAIN = builtBin();
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function bumpArgs(fixture: BumpFixture, ...args: string[]): string[] {
  return ['bump', ...args, '--manifests', fixture.remote, '--platform', fixture.platformDir];
}

/** Runs `kaji bump` as a real process, in a process group of its own (git and kubectl run in groups of theirs: see processesGone). */
function spawnBump(fixture: BumpFixture, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [MAIN, ...bumpArgs(fixture, ...args)], {
    cwd: REPO_ROOT,
    detached: true,
    env: { ...process.env, GITHUB_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/**
 * Waits until no process works in `folder` (its working directory or an argument under it): git
 * runs in a process group of its own, so a SIGKILL to kaji's group leaves a running clone, fetch or
 * push to finish on its own.
 */
async function processesGone(folder: string): Promise<void> {
  const inFolder = (pid: string) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(folder) || readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder);
    } catch {
      return false; // gone, or not ours to read
    }
  };
  for (let waited = 0; readdirSync('/proc').some((pid) => /^\d+$/.test(pid) && pid !== String(process.pid) && inFolder(pid)); waited += 50) {
    if (waited > 60_000) assert.fail(`processes still working in ${folder} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const patched = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
patches:
  - path: deployment-patch.yaml
`;

describe('kaji bump', { skip: !hasKubectl }, () => {
  let fixture: BumpFixture;
  let github: GitHubServer;
  before(async () => {
    fixture = createBumpFixture([
      { name: 'antenna' },
      { name: 'bookmark' },
      { name: 'fresh', overlay: () => 'resources:\n  - ../../base # no images: yet\n' },
      { name: 'legacy', baseImage: 'nginx:1.25', overlay: () => 'resources:\n  - ../../base\n' },
      {
        name: 'patched',
        overlay: () => patched,
        overlayFiles: () => ({
          'deployment-patch.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: patched\n  namespace: patched\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: '${ECR}/patched:1.0.0' # set by CI\n`,
        }),
      },
    ]);
    github = await startGitHubServer({ repositories: ['acme/manifests'] });
  });
  after(async () => {
    await github.close();
    fixture.cleanup();
  });

  test('push mode: one commit on main with the change, its message and trailers; the same tag again changes nothing', async () => {
    const start = fixture.head();
    const result = await kaji(bumpArgs(fixture, 'antenna', '1.1.0', '--mode', 'push', '--source-commit', 'abc123def'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /antenna: 1\.0\.0 → 1\.1\.0: pushed [0-9a-f]{12}/);
    assert.equal(fixture.git('rev-parse', 'main~1'), start);
    assert.equal(fixture.git('log', '-1', '--format=%s', 'main'), 'antenna: 1.0.0 → 1.1.0');
    const trailers = fixture.git('log', '-1', '--format=%(trailers:only)', 'main');
    assert.match(trailers, /^Kaji-Service: antenna$/m);
    assert.match(trailers, /^Source-Commit: abc123def$/m);
    assert.match(fixture.git('log', '-1', '--format=%b', 'main'), /- blue: 1\.0\.0 → 1\.1\.0 \(apps\/antenna\/overlays\/blue\/kustomization\.yaml\)/);
    for (const cluster of ['blue', 'green']) {
      assert.equal(fixture.show(`apps/antenna/overlays/${cluster}/kustomization.yaml`), kustomization('antenna', '1.1.0'), 'only the tag bytes changed');
    }
    assert.deepEqual(fixture.git('diff', '--stat', `${start}`, 'main').split('\n').slice(-1), [' 2 files changed, 2 insertions(+), 2 deletions(-)']);

    const pushed = fixture.head();
    const again = await kaji(bumpArgs(fixture, 'antenna', '1.1.0', '--mode', 'push'));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `antenna already runs 1.1.0 on blue, green (manifests at ${pushed.slice(0, 12)}): nothing to change.\n`);
    assert.equal(fixture.head(), pushed, 'no commit');
  });

  test('--cluster and --dry-run: prints the diff and changes nothing', async () => {
    const start = fixture.head();
    const result = await kaji(bumpArgs(fixture, 'bookmark', '2.0.0', '--cluster', 'green', '--dry-run'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^- {4}newTag: "1\.0\.0" # pinned by kaji bump$/m);
    assert.match(result.stdout, /^\+ {4}newTag: "2\.0\.0" # pinned by kaji bump$/m);
    assert.match(result.stdout, /overlays\/green\/kustomization\.yaml/);
    assert.doesNotMatch(result.stdout, /overlays\/blue/);
    assert.equal(fixture.head(), start);
    assert.equal(fixture.git('for-each-ref', '--format=%(refname)', 'refs/heads/kaji'), '');
  });

  test('an overlay with no images: entry gets one; an image: field in an overlay patch is edited in place', async () => {
    const result = await kaji(bumpArgs(fixture, 'fresh', '1.1.0', '--mode', 'push'));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(fixture.show('apps/fresh/overlays/blue/kustomization.yaml'), `resources:\n  - ../../base # no images: yet\nimages:\n  - name: ${ECR}/fresh\n    newTag: 1.1.0\n`);

    const patch = await kaji(bumpArgs(fixture, 'patched', '1.2.0', '--mode', 'push'));
    assert.equal(patch.code, 0, patch.stderr);
    assert.match(fixture.show('apps/patched/overlays/green/deployment-patch.yaml'), new RegExp(`image: '${ECR}/patched:1\\.2\\.0' # set by CI\\n$`));
    assert.equal(fixture.show('apps/patched/overlays/green/kustomization.yaml'), patched, 'the kustomization is left alone');
  });

  test('pr mode: branch force-pushed from base, pull request created, then updated by the next bump', async () => {
    const start = fixture.head();
    const args = ['antenna', '1.2.0', '--github-api-url', github.url, '--github-repository', 'acme/manifests', '--source-repo', 'acme/antenna'];
    const first = await withToken(github.token, () => kaji(bumpArgs(fixture, ...args)));
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /antenna: 1\.1\.0 → 1\.2\.0: pull request #\d+ opened: https:\/\/github\.com\/acme\/manifests\/pull\/\d+/);
    assert.equal(fixture.head(), start, 'main is untouched');
    assert.equal(fixture.git('rev-parse', 'kaji/bump/antenna~1'), start, 'the branch is one commit on the base');
    assert.match(fixture.git('show', 'kaji/bump/antenna:apps/antenna/overlays/blue/kustomization.yaml'), /newTag: "1\.2\.0"/);

    const calls = github.requests.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(calls, ['GET /repos/acme/manifests/pulls', 'POST /repos/acme/manifests/pulls', 'POST /repos/acme/manifests/issues/1/labels']);
    assert.equal(github.requests[0]!.query.head, 'acme:kaji/bump/antenna');
    assert.equal(github.requests[0]!.query.base, 'main');
    assert.equal(github.requests[0]!.headers.authorization, `token ${github.token}`);
    const created = github.requests[1]!.body as { title: string; body: string; head: string; base: string };
    assert.equal(created.title, 'antenna: 1.1.0 → 1.2.0');
    assert.equal(created.head, 'kaji/bump/antenna');
    assert.match(created.body, /\| blue \| `1\.1\.0` \| `1\.2\.0` \|/);
    assert.match(created.body, /https:\/\/github\.com\/acme\/antenna\/compare\/1\.1\.0\.\.\.1\.2\.0/);
    assert.match(created.body, /\*\*Policy\*\*.*no new dangers/);
    assert.deepEqual(github.requests[2]!.body, { labels: ['kaji/bump'] });

    github.requests.length = 0;
    // In GitHub Actions on GitHub Enterprise, the links go to the server Actions names beside the API in use.
    const enterprise = { GITHUB_SERVER_URL: 'https://ghe.example.com', GITHUB_API_URL: github.url };
    const second = await withEnv(enterprise, () => withToken(github.token, () => kaji(bumpArgs(fixture, ...args.with(1, '1.3.0')))));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /pull request #1 updated/);
    assert.deepEqual(
      github.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /repos/acme/manifests/pulls', 'PATCH /repos/acme/manifests/pulls/1', 'POST /repos/acme/manifests/issues/1/labels'],
    );
    assert.match((github.requests[1]!.body as { body: string }).body, /\nChanges: https:\/\/ghe\.example\.com\/acme\/antenna\/compare\/1\.1\.0\.\.\.1\.3\.0\n/);
    const pulls = github.pulls.get('acme/manifests')!;
    assert.equal(pulls.length, 1);
    assert.equal(pulls[0]!.title, 'antenna: 1.1.0 → 1.3.0', 'the branch is rebuilt from the base, so the old version is the base one');
    assert.equal(fixture.git('rev-parse', 'kaji/bump/antenna~1'), start);
    assert.deepEqual(pulls[0]!.labels, ['kaji/bump']);
  });

  test("pr mode into another branch (--base release): its own branch and pull request; the one into the platform's branch is left as it is", async () => {
    const args = ['antenna', '1.2.0', '--github-api-url', github.url, '--github-repository', 'acme/manifests', '--source-repo', 'acme/antenna'];
    assert.equal((await withToken(github.token, () => kaji(bumpArgs(fixture, ...args)))).code, 0);
    const intoMain = fixture.git('rev-parse', 'kaji/bump/antenna');
    // A release branch with a fix of its own, which the pull request into main must not carry.
    const clone = mkdtempSync(join(fixture.root, 'release-'));
    const git = (...more: string[]) => execFileSync('git', ['-c', 'user.name=u', '-c', 'user.email=u@example.com', ...more], { cwd: clone, encoding: 'utf8' }).trim();
    git('clone', '--quiet', fixture.remote, '.');
    writeFileSync(join(clone, 'release-fix.txt'), 'a fix for the release only\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'release fix');
    git('push', '--quiet', 'origin', 'HEAD:refs/heads/release');
    const fix = git('rev-parse', 'HEAD');

    const release = await withToken(github.token, () => kaji(bumpArgs(fixture, ...args.with(1, '1.1.1'), '--base', 'release')));
    assert.equal(release.code, 0, release.stderr);
    assert.equal(fixture.git('rev-parse', 'kaji/bump/antenna'), intoMain, "main's pull request branch untouched");
    assert.equal(fixture.git('rev-parse', 'kaji/into-release/bump/antenna~1'), fix, 'one commit on the release branch');
    const pulls = github.pulls.get('acme/manifests')!;
    assert.deepEqual(pulls.map((pull) => [pull.head, pull.base, pull.title.replace(/: \S+ →/, ': … →')]), [
      ['kaji/bump/antenna', 'main', 'antenna: … → 1.2.0'],
      ['kaji/into-release/bump/antenna', 'release', 'antenna: … → 1.1.1'],
    ]);
  });

  test('pr mode: the branch moved by another push right after this one (a slower run of the same service): its pull request is left for that push to describe, exit 1', async () => {
    // A hook the remote runs once after kaji's push: another run's push lands just then (here: the branch set to main).
    const hook = join(fixture.remote, 'hooks', 'post-receive');
    writeFileSync(hook, `#!/bin/sh\nrm -f "$0"\ngit update-ref refs/heads/kaji/bump/bookmark refs/heads/main\n`);
    chmodSync(hook, 0o755);
    const before = github.requests.length;
    const raced = await withToken(github.token, () => kaji(bumpArgs(fixture, 'bookmark', '2.5.0', '--github-api-url', github.url, '--github-repository', 'acme/manifests')));
    assert.equal(raced.code, 1, raced.stderr);
    assert.match(raced.stderr, /kaji: kaji\/bump\/bookmark of \S+ moved after kaji pushed [0-9a-f]{12} \(it is at [0-9a-f]{12}: another run's push, or someone's\), so its pull request was left for that push to describe/);
    assert.deepEqual(github.requests.slice(before).filter((request) => request.method !== 'GET'), [], 'no pull request written');
    assert.equal(fixture.git('rev-parse', 'kaji/bump/bookmark'), fixture.head());
  });

  test('authentication failure: a clear message, exit 1, the token never printed', async () => {
    const token = 'ghp_wrong0123456789secret';
    const result = await withToken(token, () =>
      kaji(bumpArgs(fixture, 'bookmark', '1.4.0', '--github-api-url', github.url, '--github-repository', 'acme/manifests')),
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^kaji: GitHub refused the token \(HTTP 401\)/m);
    assert.ok(!`${result.stdout}${result.stderr}`.includes(token), 'the token is not printed');
    assert.ok(!`${result.stdout}${result.stderr}`.includes(Buffer.from(`x-access-token:${token}`).toString('base64')));
  });

  test('pr mode without a token says so before doing anything', async () => {
    const result = await withToken(undefined, () => kaji(bumpArgs(fixture, 'bookmark', '1.4.0', '--github-repository', 'acme/manifests')));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /needs a GitHub token: set GITHUB_TOKEN/);
  });

  test('pr mode opens the pull request where the branch is pushed: a local path or a URL with no OWNER/NAME needs --github-repository (exit 2, before any work)', async () => {
    const asked = github.requests.length;
    const branchBefore = fixture.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/kaji/bump/bookmark');
    const local = await withToken(github.token, () => kaji(bumpArgs(fixture, 'bookmark', '1.4.0', '--github-api-url', github.url)));
    assert.equal(local.code, 2, local.stderr);
    assert.equal(
      local.stderr,
      `kaji: --mode pr opens the pull request on the repository the branch is pushed to, and ${fixture.remote} is a local path: pass --github-repository OWNER/NAME (that repository on GitHub), or use --mode push\n`,
      "not platform.yaml's manifests.url (github.com/acme/manifests), which the branch never reaches",
    );
    const url = pathToFileURL(fixture.remote).href;
    const noOwner = await withToken(github.token, () =>
      kaji(['bump', 'bookmark', '1.4.0', '--manifests', url, '--platform', fixture.platformDir, '--github-api-url', github.url]),
    );
    assert.equal(noOwner.code, 2, noOwner.stderr);
    assert.match(noOwner.stderr, new RegExp(`and ${url.replaceAll('.', '\\.')} is a URL with no GitHub OWNER/NAME: pass --github-repository OWNER/NAME`));
    assert.equal(fixture.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/kaji/bump/bookmark'), branchBefore, 'nothing pushed');
    assert.equal(github.requests.length, asked, 'nothing asked of GitHub');
  });

  test('pr mode refuses an http:// GitHub API URL off this machine (the token would cross the network unencrypted): exit 2, before any work', async () => {
    const asked = github.requests.length;
    const branchBefore = fixture.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/kaji/bump/bookmark');
    const result = await withToken(github.token, () =>
      kaji(bumpArgs(fixture, 'bookmark', '1.4.0', '--github-repository', 'acme/manifests', '--github-api-url', 'http://ghe.example.com/api/v3')),
    );
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      'kaji: the GitHub API URL "http://ghe.example.com/api/v3" (--github-api-url, GITHUB_API_URL): the token would cross the network unencrypted; use https:// (http:// only to this machine)\n',
    );
    assert.ok(!result.stderr.includes(github.token));
    assert.equal(fixture.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/kaji/bump/bookmark'), branchBefore, 'nothing pushed');
    assert.equal(github.requests.length, asked, 'nothing asked of GitHub');
  });

  test('a change that adds a danger is refused and reported; nothing is pushed', async () => {
    const start = fixture.head();
    const result = await kaji(bumpArgs(fixture, 'bookmark', '1.4.0-debug', '--mode', 'push'));
    assert.equal(result.code, 3);
    assert.match(result.stdout, /refused: pinning 1\.4\.0-debug for bookmark adds 2 danger\(s\)/);
    assert.match(result.stdout, /blue: Deployment\/bookmark\/bookmark container app: noDebugImages: debug images are not for production/);
    assert.equal(fixture.head(), start);
  });

  test('an overlay that would have kustomize fetch from elsewhere is not rendered: the bump is refused naming it, nothing fetched or pushed', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.writeHead(200).end('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched, namespace: antenna}\n');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/extra.yaml`;
    const fetching = createBumpFixture([{ name: 'antenna', overlay: () => kustomization('antenna').replace('  - ../../base\n', `  - ../../base\n  - ${url}\n`) }]);
    try {
      const start = fetching.head();
      const result = await kaji(bumpArgs(fetching, 'antenna', '1.1.0', '--mode', 'push'));
      assert.equal(result.code, 2, result.stderr);
      const message = result.stderr.trim().split('\n').at(-1)!;
      assert.match(message, /^kaji: cannot render apps\/antenna\/overlays\/blue to check the policy: not rendered, as kustomize would fetch from outside the repository /);
      // Named by its path in the repository, not in bump's temporary clone (removed by now).
      assert.ok(message.endsWith(`repository holds): apps/antenna/overlays/blue/kustomization.yaml:6: resources entry "${url}" (vendor its files into the repository and name them by a local path)`), message);
      assert.doesNotMatch(result.stderr, /kaji-ws-/);
      assert.deepEqual(requests, [], 'nothing fetched');
      assert.equal(fetching.head(), start, 'nothing pushed');
    } finally {
      fetching.cleanup();
      server.close();
    }
  });

  test('an overlay pinning the image twice (an entry named after it, one renaming another image to it) at two versions: both edited, both named in the title and the commit', async () => {
    const twice = `${kustomization('antenna')}  - name: ${ECR}/antenna-legacy\n    newName: ${ECR}/antenna\n    newTag: "0.9.0"\n`;
    const pinnedTwice = createBumpFixture([{ name: 'antenna', overlay: () => twice }]);
    try {
      const result = await kaji(bumpArgs(pinnedTwice, 'antenna', '2.0.0', '--mode', 'push'));
      assert.equal(result.code, 0, result.stderr);
      assert.equal(pinnedTwice.git('log', '-1', '--format=%s', 'main'), 'antenna: 1.0.0, 0.9.0 → 2.0.0');
      assert.match(pinnedTwice.git('log', '-1', '--format=%b', 'main'), /- blue: 1\.0\.0 → 2\.0\.0 \(apps\/antenna\/overlays\/blue\/kustomization\.yaml\)\n- blue: 0\.9\.0 → 2\.0\.0 \(apps\/antenna\/overlays\/blue\/kustomization\.yaml\)/);
      assert.equal(pinnedTwice.show('apps/antenna/overlays/blue/kustomization.yaml').match(/newTag: "2\.0\.0"/g)?.length, 2);
    } finally {
      pinnedTwice.cleanup();
    }
  });

  test("an overlay renaming the image (newName: a mirror): its pin is bumped, and the containers running the mirror at the new version count as deployed", async () => {
    const renamed = kustomization('antenna').replace('    newTag: "1.0.0"', `    newName: ${ECR}/antenna-mirror\n    newTag: "1.0.0"`);
    const mirrored = createBumpFixture([{ name: 'antenna', overlay: () => renamed }]);
    try {
      const result = await kaji(bumpArgs(mirrored, 'antenna', '2.0.0', '--mode', 'push'));
      assert.equal(result.code, 0, result.stderr);
      assert.equal(mirrored.show('apps/antenna/overlays/green/kustomization.yaml'), renamed.replace('"1.0.0"', '"2.0.0"'));
    } finally {
      mirrored.cleanup();
    }
  });

  test('an overlay kubectl cannot render: its error names the files by their paths in the repository, not in the temporary clone', async () => {
    const broken = createBumpFixture([{ name: 'antenna', overlay: () => kustomization('antenna').replace('  - ../../base\n', '  - ../../base\n  - missing.yaml\n') }]);
    try {
      const start = broken.head();
      const result = await kaji(bumpArgs(broken, 'antenna', '1.1.0', '--mode', 'push'));
      assert.equal(result.code, 2, result.stderr);
      const message = result.stderr.trim().split('\n').at(-1)!;
      assert.match(message, /^kaji: cannot render apps\/antenna\/overlays\/blue to check the policy: kubectl kustomize failed: /);
      assert.match(message, / apps\/antenna\/overlays\/blue\/missing\.yaml: no such file or directory/);
      assert.doesNotMatch(result.stderr, /kaji-ws-/);
      assert.equal(broken.head(), start, 'nothing pushed');
    } finally {
      broken.cleanup();
    }
  });

  test('an overlay rendering an object kaji cannot read is refused as a danger is (exit 3, each problem named, nothing pushed): the gate cannot check that object', async () => {
    // spec.replicas "3": kubectl renders it, kaji check refuses it (cd23837), and the audit leaves the Deployment out.
    const replicas = { 'replicas.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: antenna\n  namespace: antenna\nspec:\n  replicas: "3"\n' };
    const pinned = kustomization('antenna') + 'patches:\n  - path: replicas.yaml\n';
    const unreadable = createBumpFixture([
      { name: 'antenna', overlay: () => pinned, overlayFiles: () => replicas },
      { name: 'bookmark', overlay: () => 'resources:\n  - ../../base\npatches:\n  - path: replicas.yaml\n', overlayFiles: () => ({ 'replicas.yaml': replicas['replicas.yaml'].replaceAll('antenna', 'bookmark') }) },
    ]);
    const problem = (cluster: string) => `apps/antenna/overlays/${cluster}/kustomization.yaml:1: Deployment spec.replicas must be a whole number from 0 to 2147483647 (or left out), found "3"`;
    try {
      const start = unreadable.head();
      // A debug tag, a danger the gate would refuse if it saw the Deployment.
      const result = await kaji(bumpArgs(unreadable, 'antenna', '1.1.0-debug', '--mode', 'push'));
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stdout, `refused: pinning 1.1.0-debug for antenna renders 2 input problem(s) kaji cannot check:\n  blue: ${problem('blue')}\n  green: ${problem('green')}\n`);
      assert.doesNotMatch(result.stderr, /kaji-ws-/);
      const dryRun = await kaji(bumpArgs(unreadable, 'antenna', '1.1.0', '--dry-run', '--cluster', 'green'));
      assert.equal(dryRun.code, 3, dryRun.stderr);
      assert.equal(dryRun.stdout, `refused: pinning 1.1.0 for antenna renders 1 input problem(s) kaji cannot check:\n  green: ${problem('green')}\n`);
      // With no pin in the overlay, the image is looked for in the rendered objects: the unread one is named.
      const notFound = await kaji(bumpArgs(unreadable, 'bookmark', '1.1.0', '--mode', 'push', '--cluster', 'blue'));
      assert.equal(notFound.code, 2, notFound.stderr);
      assert.match(notFound.stderr, /the rendered overlay runs no container with that image \(kaji could not read part of it: apps\/bookmark\/overlays\/blue\/kustomization\.yaml:1: Deployment spec\.replicas must be a whole number/);
      assert.equal(unreadable.head(), start, 'nothing pushed');
    } finally {
      unreadable.cleanup();
    }
  });

  test('an edit kustomize does not render (a patch the kustomization does not list) is refused (exit 3, the file named, nothing pushed): the overlay would keep the old version; a leftover values.yaml is not edited', async () => {
    const unlisted = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: unlisted, namespace: unlisted}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${ECR}/unlisted:1.0.0\n`;
    const stale = createBumpFixture([
      { name: 'leftover', overlay: () => 'resources:\n  - ../../base\n', overlayFiles: () => ({ 'values.yaml': '# from the Helm days\nimage:\n  tag: "1.0.0"\n' }) },
      { name: 'unlisted', baseImage: `${ECR}/unlisted:1.0.0`, overlay: () => 'resources:\n  - ../../base\n', overlayFiles: () => ({ 'old-image-patch.yaml': unlisted }) },
    ]);
    const why = (file: string) =>
      `kaji edited ${file}, which the kustomization does not load (the edit changes nothing rendered): delete what is left over (kaji then pins the image with an images: entry of the kustomization), or load it from the kustomization`;
    try {
      const start = stale.head();
      const patch = await kaji(bumpArgs(stale, 'unlisted', '1.1.0', '--dry-run'));
      assert.equal(patch.code, 3, patch.stderr);
      assert.equal(
        patch.stdout,
        'refused: pinning 1.1.0 for unlisted would not deploy it on 2 cluster(s):\n' +
          ['blue', 'green'].map((c) => `  ${c}: apps/unlisted/overlays/${c} rendered after the edit: Deployment/unlisted/unlisted container app runs 1.0.0; ${why(`apps/unlisted/overlays/${c}/old-image-patch.yaml`)}\n`).join(''),
      );
      assert.equal(stale.head(), start, 'nothing pushed');

      // Helm values are never edited (kustomize reads them only through helmCharts, rendered without --enable-helm):
      // the leftover stays as it is, and the image gets an images: entry, which kustomize applies.
      const leftover = await kaji(bumpArgs(stale, 'leftover', '1.1.0', '--mode', 'push', '--cluster', 'blue'));
      assert.equal(leftover.code, 0, leftover.stderr);
      assert.equal(stale.show('apps/leftover/overlays/blue/values.yaml'), '# from the Helm days\nimage:\n  tag: "1.0.0"\n');
      assert.equal(stale.show('apps/leftover/overlays/blue/kustomization.yaml'), `resources:\n  - ../../base\nimages:\n  - name: ${ECR}/leftover\n    newTag: 1.1.0\n`);
    } finally {
      stale.cleanup();
    }
  });

  test('bad input: unknown service (closest names), invalid tag, latest, unknown cluster, image not found', async () => {
    const unknown = await kaji(bumpArgs(fixture, 'antena', '1.0.1'));
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr.trim(), 'kaji: unknown service "antena" (did you mean "antenna"?); it is not in platform.yaml');
    const far = await kaji(bumpArgs(fixture, 'zzz', '1.0.1'));
    assert.match(far.stderr, /unknown service "zzz" \(closest: [a-z]+, [a-z]+, [a-z]+\)/);

    const latest = await kaji(bumpArgs(fixture, 'antenna', 'latest'));
    assert.equal(latest.code, 2);
    assert.match(latest.stderr, /refusing to pin "latest": it moves/);
    const bad = await kaji(bumpArgs(fixture, 'antenna', 'v1 beta'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"v1 beta" is not a valid image tag/);
    const digest = await kaji(bumpArgs(fixture, 'antenna', '1.0.1', '--digest', 'sha256:1234'));
    assert.equal(digest.code, 2);
    assert.match(digest.stderr, /not an image digest/);

    const cluster = await kaji(bumpArgs(fixture, 'antenna', '1.0.1', '--cluster', 'gren'));
    assert.equal(cluster.code, 2);
    assert.match(cluster.stderr, /unknown cluster "gren" \(did you mean "green"\?\)/);

    const missing = await kaji(bumpArgs(fixture, 'legacy', '1.0.1', '--mode', 'push'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /image 111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/legacy not found for legacy in cluster blue: looked in apps\/legacy\/overlays\/blue\/kustomization\.yaml/);
    const nowhere = join(fixture.platformDir, 'no-such-checkout');
    const noCheckout = await kaji(['bump', 'antenna', '1.0.1', '--mode', 'push', '--manifests', nowhere, '--platform', fixture.platformDir]);
    assert.equal(noCheckout.code, 2);
    assert.equal(noCheckout.stderr.trim().split('\n').at(-1), `kaji: ${nowhere} is not a directory: give --manifests a checkout of the manifest repository, or its clone URL`);
    const underAFile = await kaji(['bump', 'antenna', '1.0.1', '--mode', 'push', '--manifests', join(fixture.platformDir, 'platform.yaml', 'sub'), '--platform', fixture.platformDir]);
    assert.equal(underAFile.code, 2);
    assert.match(underAFile.stderr, /platform\.yaml\/sub is not a directory: give --manifests/);
    for (const output of [unknown, latest, bad, cluster, missing, noCheckout, underAFile]) assert.equal(output.stderr.trim().split('\n').filter((l) => !l.startsWith('kaji bump:')).length, 1, 'one line');
  });

  test('--manifests https://user:token@host/…: pushed with that credential, which no output line, git argument or .git/config holds', async () => {
    const secret = 'ghp_ManifestsUrlSecret0123456789';
    const encoded = [secret, Buffer.from(`x-access-token:${secret}`).toString('base64')];
    const server = await startGitHttpServer({ root: fixture.root, username: 'x-access-token', password: secret });
    const recorder = gitRecorder();
    const host = server.origin.slice('https://'.length);
    const leaks = (text: string) => encoded.some((form) => text.includes(form));
    try {
      const start = fixture.head();
      const args = (token: string, ...rest: string[]) => ['bump', 'bookmark', ...rest, '--mode', 'push', '--manifests', `https://x-access-token:${token}@${host}/manifests.git`, '--platform', fixture.platformDir];
      const result = await withEnv({ ...server.clientEnv, ...pathFirst(recorder.bin) }, () => withToken(undefined, () => kaji(args(secret, '1.7.0'))));
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, new RegExp(`^kaji bump: opening https://\\*\\*\\*@${host.replace(/\./g, '\\.')}/manifests\\.git \\(main\\)$`, 'm'));
      assert.match(result.stdout, /bookmark: 1\.0\.0 → 1\.7\.0: pushed/);
      assert.notEqual(fixture.head(), start, 'the push authenticated and landed');
      assert.equal(fixture.show('apps/bookmark/overlays/blue/kustomization.yaml'), kustomization('bookmark', '1.7.0'));
      assert.ok(!leaks(`${result.stdout}${result.stderr}`), `${result.stdout}${result.stderr}`);

      // A refused credential: exit 1, one line, neither that token nor its header.
      const wrong = 'ghp_WrongManifestsSecret01234567';
      const refused = await withEnv({ ...server.clientEnv, ...pathFirst(recorder.bin) }, () => withToken(undefined, () => kaji(args(wrong, '1.8.0'))));
      assert.equal(refused.code, 1);
      const hostPattern = host.replace(/\./g, '\\.');
      assert.match(refused.stderr, new RegExp(`^kaji: cloning https://\\*\\*\\*@${hostPattern}/manifests\\.git \\(branch main\\): git clone failed: .*fatal: Authentication failed for 'https://${hostPattern}/manifests\\.git/'; check the credentials: GITHUB_TOKEN, or user:token in the manifests URL \\(a push needs write access\\)$`, 'm'));
      assert.doesNotMatch(refused.stderr, /kaji-ws-/);
      const refusedOutput = `${refused.stdout}${refused.stderr}`;
      assert.ok(!refusedOutput.includes(wrong) && !refusedOutput.includes(Buffer.from(`x-access-token:${wrong}`).toString('base64')), refusedOutput);

      assert.ok(server.authorizations.includes(`basic ${encoded[1]}`));
      assert.match(recorder.commands(), /clone .*manifests\.git/);
      assert.match(recorder.commands(), /push --force-with-lease=refs\/heads\/main:[0-9a-f]{40} origin HEAD:refs\/heads\/main/);
      assert.ok(!leaks(recorder.commands()) && !recorder.commands().includes(wrong), recorder.commands());
      assert.match(recorder.configs(), new RegExp(`url = ${server.origin.replace(/\./g, '\\.')}/manifests\\.git`));
      assert.ok(!leaks(recorder.configs()) && !recorder.configs().includes(wrong), recorder.configs());
    } finally {
      recorder.cleanup();
      await server.close();
    }
  });
});

// Before any kubectl: these fail at the clone.
describe('kaji bump: git failures', () => {
  test('a branch the repository lacks, an unreachable URL: what kaji was doing, git\'s reason and what to check, in one line without the temporary clone', async () => {
    const fixture = createBumpFixture([{ name: 'antenna' }]);
    const platformFile = join(fixture.platformDir, 'platform.yaml');
    const platform = readFileSync(platformFile, 'utf8');
    const failure = (result: { code: number; stderr: string }) => {
      assert.equal(result.code, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /kaji-ws-/);
      const lines = result.stderr.trim().split('\n').filter((line) => !line.startsWith('kaji bump:'));
      assert.equal(lines.length, 1, result.stderr);
      return lines[0]!;
    };
    const starts = (line: string, start: string, end: string) => assert.ok(line.startsWith(start) && line.endsWith(end), line);
    try {
      const gitSays = (branch: string) => `fatal: Remote branch ${branch} not found in upstream origin`;
      const base = failure(await kaji(bumpArgs(fixture, 'antenna', '1.1.0', '--mode', 'push', '--base', 'nope')));
      starts(base, `kaji: cloning ${fixture.remote} (branch nope): git clone failed: `, `${gitSays('nope')}; check the base branch (--base)`);

      writeFileSync(platformFile, platform.replace('localPath: manifests}', 'localPath: manifests, branch: release}'));
      const configured = failure(await kaji(bumpArgs(fixture, 'antenna', '1.1.0', '--mode', 'push')));
      starts(configured, `kaji: cloning ${fixture.remote} (branch release): git clone failed: `, `${gitSays('release')}; check the base branch (manifests.branch in platform.yaml)`);

      writeFileSync(platformFile, platform);
      const url = `https://127.0.0.1:${await closedPort()}/acme/manifests.git`;
      const reach = "; check the repository URL (--manifests) and that its host can be reached from here";
      const unreachable = failure(await kaji(['bump', 'antenna', '1.1.0', '--mode', 'push', '--manifests', url, '--platform', fixture.platformDir]));
      starts(unreachable, `kaji: cloning ${url} (branch main): git clone failed: fatal: unable to access '${url}/': `, reach);
      writeFileSync(platformFile, platform.replace('https://github.com/acme/manifests.git', url));
      const fromPlatform = failure(await kaji(['bump', 'antenna', '1.1.0', '--mode', 'push', '--platform', fixture.platformDir]));
      starts(fromPlatform, `kaji: cloning ${url} (branch main): git clone failed: fatal: unable to access '${url}/': `, reach.replace('--manifests', 'manifests.url in platform.yaml'));

      // An ssh key the host refuses: GIT_SSH_COMMAND stands in for ssh, printing what OpenSSH prints then.
      const ssh = 'git@127.0.0.1:acme/manifests.git';
      const refusing = { GIT_SSH_COMMAND: "echo 'git@127.0.0.1: Permission denied (publickey).' >&2; exit 255; :" };
      const refused = failure(await withEnv(refusing, () => kaji(['bump', 'antenna', '1.1.0', '--mode', 'push', '--manifests', ssh, '--platform', fixture.platformDir])));
      assert.equal(
        refused,
        `kaji: cloning ${ssh} (branch main): git clone failed: git@127.0.0.1: Permission denied (publickey).; fatal: Could not read from remote repository.; ` +
          'check the ssh key (in ssh-agent, or without a passphrase) and the host in known_hosts',
      );
    } finally {
      fixture.cleanup();
    }
  });
});

describe('kaji bump under concurrency and crashes', { skip: !hasKubectl }, () => {
  // 8 racers already make most pushes lose a race at least once; `npm run bench:bump` runs the platform's 30.
  test('8 push-mode bumps of 8 services at once: all land, history linear, nothing lost', { timeout: 300_000 }, async () => {
    const names = Array.from({ length: 8 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
    const fixture = createBumpFixture(names.map((name) => ({ name })));
    try {
      const seed = fixture.head();
      // The test is about losing nothing under contention; how many retries racing pushes need
      // depends on the machine (up to 13 seen on 2 shared cores), so give them room.
      const runs = names.map(
        (name, i) => spawnBump(fixture, [name, `2.0.${i}`, '--mode', 'push', '--source-commit', `c0ffee${i}`, '--attempts', '60']).done,
      );
      const results = await Promise.all(runs);
      results.forEach((result, i) => assert.equal(result.code, 0, `${names[i]}: ${result.stderr}`));
      const attempts = results.map((result) => Number(/; (\d+) attempt\(s\)\)\.$/m.exec(result.stdout)?.[1]));
      assert.ok(attempts.some((count) => count > 1), `the pushes raced: ${attempts.join(', ')} attempts`);
      assert.equal(fixture.git('rev-list', '--count', `${seed}..main`), String(names.length));
      assert.equal(fixture.git('rev-list', '--merges', 'main'), '', 'no merge commits');
      assert.equal(fixture.git('rev-list', '--count', '--min-parents=2', 'main'), '0');
      names.forEach((name, i) => {
        for (const cluster of ['blue', 'green']) {
          assert.equal(fixture.show(`apps/${name}/overlays/${cluster}/kustomization.yaml`), kustomization(name, `2.0.${i}`));
        }
      });
      const services = fixture.git('log', '--format=%(trailers:key=Kaji-Service,valueonly)', `${seed}..main`).split('\n').filter(Boolean).sort();
      assert.deepEqual(services, names);
    } finally {
      fixture.cleanup();
    }
  });

  test('a bump killed at any point leaves main untouched or with the complete commit', { timeout: 300_000 }, async () => {
    const fixture = createBumpFixture([{ name: 'antenna' }]);
    // A SIGKILL runs no code, so a bump killed while it works leaves its kaji-ws-* clone: in a temp folder of this test's own.
    const temp = mkdtempSync(join(tmpdir(), 'kaji-tmpdir-'));
    try {
      const delays = [150, 700, 1300, 1900, 2400, 2800, 3200, 3600];
      let tag = 0;
      let landed = 0;
      for (const delay of delays) {
        const before = fixture.head();
        const previous = fixture.show('apps/antenna/overlays/blue/kustomization.yaml');
        const version = `3.0.${++tag}`;
        const { child, done } = spawnBump(fixture, ['antenna', version, '--mode', 'push'], { TMPDIR: temp });
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, delay);
        const result = await done;
        clearTimeout(timer);
        await processesGone(temp); // a push git had started may still land
        const now = fixture.head();
        if (now === before) {
          assert.equal(fixture.show('apps/antenna/overlays/blue/kustomization.yaml'), previous);
        } else {
          landed++;
          assert.equal(fixture.git('rev-parse', 'main~1'), before, `killed after ${delay} ms (${result.signal ?? result.code}): one commit on top`);
          for (const cluster of ['blue', 'green']) {
            assert.equal(fixture.show(`apps/antenna/overlays/${cluster}/kustomization.yaml`), kustomization('antenna', version));
          }
          assert.match(fixture.git('log', '-1', '--format=%(trailers:only)', 'main'), /Kaji-Service: antenna/);
        }
        fixture.git('fsck', '--no-progress', '--no-dangling');
      }
      // The repository still takes a bump afterwards.
      const after = spawnBump(fixture, ['antenna', '9.9.9', '--mode', 'push']);
      const final = await after.done;
      assert.equal(final.code, 0, final.stderr);
      assert.equal(fixture.show('apps/antenna/overlays/green/kustomization.yaml'), kustomization('antenna', '9.9.9'));
      assert.ok(landed < delays.length, 'at least one bump was killed before it pushed');
    } finally {
      fixture.cleanup();
      rmSync(temp, { recursive: true, force: true });
    }
  });
});

describe('kaji bump --mode pr over a branch someone else pushed to', { skip: !hasKubectl }, () => {
  test('a reviewer\'s fix-up on the branch: exit 1 naming the branch, the commit and what to do; nothing pushed, the pull request not touched', async () => {
    const fixture = createBumpFixture([{ name: 'antenna' }]);
    const github = await startGitHubServer({ repositories: ['acme/manifests'] });
    const reviewer = mkdtempSync(join(tmpdir(), 'kaji-bump-reviewer-'));
    const args = (tag: string) => bumpArgs(fixture, 'antenna', tag, '--github-api-url', github.url, '--github-repository', 'acme/manifests');
    const branch = 'kaji/bump/antenna';
    try {
      const first = await withToken(github.token, () => kaji(args('1.2.0')));
      assert.equal(first.code, 0, first.stderr);
      assert.match(github.pulls.get('acme/manifests')![0]!.body, /unless someone else pushed a commit to it: kaji then pushes nothing until the pull request is merged or the branch deleted/);

      // The reviewer fixes something on the pull request's branch.
      const env = { ...process.env, GIT_AUTHOR_NAME: 'Rita Reviewer', GIT_AUTHOR_EMAIL: 'rita@example.com', GIT_COMMITTER_NAME: 'Rita Reviewer', GIT_COMMITTER_EMAIL: 'rita@example.com' };
      const git = (...a: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', ...a], { cwd: reviewer, env, encoding: 'utf8' }).trim();
      git('clone', '--quiet', '--branch', branch, fixture.remote, '.');
      writeFileSync(join(reviewer, 'apps/antenna/overlays/blue/NOTES.md'), 'checked by hand\n');
      git('add', '-A');
      // A subject with a terminal escape sequence: shown escaped, never sent to the terminal.
      git('commit', '--quiet', '-m', 'note the manual\x1b[2J check');
      git('push', '--quiet', 'origin', `HEAD:${branch}`);
      const fixup = git('rev-parse', 'HEAD');

      github.requests.length = 0;
      // A dry run meets the same refusal (and needs no token: it opens nothing).
      const dryRun = await withToken(undefined, () => kaji([...args('1.3.0'), '--dry-run']));
      const second = await withToken(github.token, () => kaji(args('1.3.0')));
      assert.equal(dryRun.code, 1, dryRun.stdout);
      assert.equal(dryRun.stdout, '');
      assert.equal(dryRun.stderr.trim().split('\n').at(-1), second.stderr.trim().split('\n').at(-1));
      assert.equal(second.code, 1, second.stdout);
      assert.equal(second.stdout, '');
      assert.match(
        second.stderr,
        new RegExp(
          `^kaji: ${branch} of ${fixture.remote} holds a commit kaji did not make \\(no Kaji-\\* trailer, or changed by someone else\\): ${fixup.slice(0, 7)}\\w* by Rita Reviewer "note the manual\\\\x1b\\[2J check"; .*nothing was pushed\\. Merge the pull request, or close it and delete the branch ${branch}, to let kaji rebuild it$`,
          'm',
        ),
      );
      assert.ok(!second.stderr.includes('\x1b'), 'no escape sequence reaches the terminal');
      assert.equal(fixture.git('rev-parse', `refs/heads/${branch}`), fixup, 'the fix-up is still there');
      assert.deepEqual(github.requests, [], 'the pull request is left alone');

      // Deleting the branch lets kaji rebuild it.
      fixture.git('branch', '-D', branch);
      const third = await withToken(github.token, () => kaji(args('1.3.0')));
      assert.equal(third.code, 0, third.stderr);
      assert.equal(fixture.git('rev-parse', `${branch}~1`), fixture.head());
    } finally {
      rmSync(reviewer, { recursive: true, force: true });
      await github.close();
      fixture.cleanup();
    }
  });
});

describe('kaji bump --mode pr run again for the same tag', { skip: !hasKubectl }, () => {
  test('a branch already holding the same change on the same base is kept: no commit, no push, the open pull request reported; once the base moves, rebuilt', async () => {
    const fixture = createBumpFixture([{ name: 'antenna' }, { name: 'bookmark' }]);
    const github = await startGitHubServer({ repositories: ['acme/manifests'] });
    const recorder = gitRecorder();
    const branchTip = () => fixture.git('rev-parse', 'refs/heads/kaji/bump/antenna');
    // A CI re-run comes later: its commit would differ from the first run's by its dates only.
    const hourLater = `@${Math.floor(Date.now() / 1000) + 3600} +0000`;
    const later = { GIT_AUTHOR_DATE: hourLater, GIT_COMMITTER_DATE: hourLater };
    const args = bumpArgs(fixture, 'antenna', '1.2.0', '--github-api-url', github.url, '--github-repository', 'acme/manifests', '--source-commit', 'abc123def');
    try {
      const first = await withToken(github.token, () => kaji(args));
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /: pull request #1 opened: /);
      const pushed = branchTip();

      github.requests.length = 0;
      const again = await withEnv({ ...later, ...pathFirst(recorder.bin) }, () => withToken(github.token, () => kaji(args)));
      assert.equal(again.code, 0, again.stderr);
      assert.equal(branchTip(), pushed, 'the branch is where the first run left it');
      assert.doesNotMatch(recorder.commands(), / push /, 'no push at all');
      assert.equal(
        again.stdout,
        `antenna: 1.0.0 → 1.2.0: pull request #1 kept (kaji/bump/antenna already had this change at ${pushed.slice(0, 12)}: nothing pushed): https://github.com/acme/manifests/pull/1\n`,
      );
      assert.deepEqual(
        github.requests.map((r) => `${r.method} ${r.path}`),
        ['GET /repos/acme/manifests/pulls', 'POST /repos/acme/manifests/issues/1/labels'],
        'the open pull request found, its title and body already right',
      );
      assert.equal(github.pulls.get('acme/manifests')!.length, 1);

      // Someone edited the pull request's title: the re-run puts it back, and says so.
      github.pulls.get('acme/manifests')![0]!.title = 'edited by hand';
      const edited = await withEnv(later, () => withToken(github.token, () => kaji(args)));
      assert.equal(edited.code, 0, edited.stderr);
      assert.equal(
        edited.stdout,
        `antenna: 1.0.0 → 1.2.0: pull request #1 kept (kaji/bump/antenna already had this change at ${pushed.slice(0, 12)}: nothing pushed; its title and body rewritten): https://github.com/acme/manifests/pull/1\n`,
      );
      assert.equal(github.pulls.get('acme/manifests')![0]!.title, 'antenna: 1.0.0 → 1.2.0');

      // Another commit lands on main: the same tag again is rebuilt on it and pushed.
      const other = await kaji(bumpArgs(fixture, 'bookmark', '1.5.0', '--mode', 'push'));
      assert.equal(other.code, 0, other.stderr);
      const rebuilt = await withEnv(later, () => withToken(github.token, () => kaji(args)));
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      assert.match(rebuilt.stdout, /: pull request #1 updated: /);
      assert.notEqual(branchTip(), pushed);
      assert.equal(fixture.git('rev-parse', 'kaji/bump/antenna~1'), fixture.head(), 'one commit on the new base');
      assert.equal(github.pulls.get('acme/manifests')!.length, 1);
    } finally {
      recorder.cleanup();
      await github.close();
      fixture.cleanup();
    }
  });
});
