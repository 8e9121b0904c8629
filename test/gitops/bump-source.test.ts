// Where `kaji bump` takes the manifest repository from when --manifests is not
// given, and what it says when a local path cannot take the push: real git, a
// bare repository on disk as the remote Argo CD pulls from.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { createBumpFixture, kustomization, type BumpFixture } from './bump-fixture.js';

const gitIn = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=me', '-c', 'user.email=me@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

describe('kaji bump: the manifest repository by default', { skip: !hasKubectl }, () => {
  let fixture: BumpFixture;
  let checkout: string;
  before(() => {
    fixture = createBumpFixture([{ name: 'antenna' }]);
    const platformFile = join(fixture.platformDir, 'platform.yaml');
    // manifests.url is the bare repository; manifests.localPath (manifests) a checkout of it beside platform.yaml.
    writeFileSync(platformFile, readFileSync(platformFile, 'utf8').replace('https://github.com/acme/manifests.git', pathToFileURL(fixture.remote).href));
    checkout = join(fixture.platformDir, 'manifests');
    gitIn(fixture.platformDir, 'clone', '--quiet', fixture.remote, checkout);
  });
  after(() => fixture.cleanup());

  test('without --manifests the release lands in manifests.url, from its tip; the local checkout is neither the base nor pushed to', async () => {
    // The remote moves on after the checkout was cloned: the checkout is stale.
    const other = join(fixture.root, 'other');
    gitIn(fixture.root, 'clone', '--quiet', fixture.remote, other);
    writeFileSync(join(other, 'apps/antenna/overlays/blue/kustomization.yaml'), kustomization('antenna', '1.0.5'));
    gitIn(other, 'commit', '--quiet', '-am', 'antenna 1.0.5 on blue');
    gitIn(other, 'push', '--quiet', 'origin', 'HEAD:main');
    const remoteTip = fixture.head();
    const checkoutRefs = gitIn(checkout, 'for-each-ref', '--format=%(refname) %(objectname)');

    const result = await kaji(['bump', 'antenna', '1.1.0', '--mode', 'push', '--cluster', 'blue', '--platform', fixture.platformDir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /antenna: 1\.0\.5 → 1\.1\.0: pushed [0-9a-f]{12}/, 'the edit starts from the remote, not the stale checkout (1.0.0)');
    assert.equal(fixture.git('rev-parse', 'main~1'), remoteTip);
    assert.equal(fixture.show('apps/antenna/overlays/blue/kustomization.yaml'), kustomization('antenna', '1.1.0'));
    assert.equal(gitIn(checkout, 'for-each-ref', '--format=%(refname) %(objectname)'), checkoutRefs, 'nothing was pushed into the checkout');
  });

  test('--manifests naming a working checkout with the base branch checked out: refused before any work (2), not by git at the push', async () => {
    const before = gitIn(checkout, 'rev-parse', 'HEAD');
    const result = await kaji(['bump', 'antenna', '1.2.0', '--mode', 'push', '--manifests', checkout, '--platform', fixture.platformDir]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      `kaji: ${checkout} is a working checkout with main checked out, and git refuses pushes to a checked-out branch (receive.denyCurrentBranch): give --manifests the repository's clone URL or a bare repository\n`,
      'refused before opening (no progress lines: nothing cloned, rendered or checked)',
    );
    assert.equal(gitIn(checkout, 'rev-parse', 'HEAD'), before);
    // A --dry-run pushes nothing, so it is not refused.
    const dryRun = await kaji(['bump', 'antenna', '1.2.0', '--mode', 'push', '--dry-run', '--manifests', checkout, '--platform', fixture.platformDir]);
    assert.equal(dryRun.code, 0, dryRun.stderr);
  });

  test('a working checkout that takes pushes to its branch (receive.denyCurrentBranch updateInstead) is pushed to', async () => {
    gitIn(checkout, 'config', 'receive.denyCurrentBranch', 'updateInstead');
    try {
      const result = await kaji(['bump', 'antenna', '1.3.0', '--mode', 'push', '--cluster', 'blue', '--manifests', checkout, '--platform', fixture.platformDir]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(readFileSync(join(checkout, 'apps/antenna/overlays/blue/kustomization.yaml'), 'utf8'), kustomization('antenna', '1.3.0'), 'git updated the checked-out tree');
    } finally {
      gitIn(checkout, 'config', '--unset', 'receive.denyCurrentBranch');
    }
  });

  test('--manifests naming a folder inside a repository, a folder in none, or nothing: refused as a usage error (2), naming what is wrong', async () => {
    const folder = join(checkout, 'apps');
    const inside = await kaji(['bump', 'antenna', '1.2.0', '--mode', 'push', '--manifests', folder, '--platform', fixture.platformDir]);
    assert.equal(inside.code, 2, inside.stderr);
    assert.equal(
      inside.stderr.trim().split('\n').at(-1),
      `kaji: ${folder} is a folder inside the git repository ${checkout}, not a repository of its own: give the manifest repository's own checkout or its clone URL`,
    );
    const outside = join(fixture.root, 'not-a-repository');
    mkdirSync(outside);
    const none = await kaji(['bump', 'antenna', '1.2.0', '--mode', 'push', '--manifests', outside, '--platform', fixture.platformDir]);
    assert.equal(none.code, 2, none.stderr);
    assert.equal(none.stderr.trim().split('\n').at(-1), `kaji: ${outside} is not inside a git repository`);
    const missing = await kaji(['bump', 'antenna', '1.2.0', '--mode', 'push', '--manifests', join(fixture.root, 'missing'), '--platform', fixture.platformDir]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /is not a directory: give --manifests a checkout of the manifest repository, or its clone URL\n$/);
  });
});
