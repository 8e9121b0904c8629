// The branch of a kaji rightsize run: one per set of services, whatever the order they are given
// in, distinct from another set's and from the run over every service; and one git can hold next to
// the others (no branch under kaji/rightsize/, which is itself a branch).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rightsizeBranch } from '../../src/capacity/rightsize.js';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { setEnv } from '../support/env.js';
import type { BumpFixture } from '../gitops/bump-fixture.js';
import { BLUE_VPAS, createRightsizeFixture, GREEN_VPAS, list, rightsizeArgs } from './rightsize-fixture.js';

describe('rightsizeBranch', () => {
  test('every service: kaji/rightsize; a set: its sorted names, the same in any order, another set another branch', () => {
    assert.equal(rightsizeBranch(undefined), 'kaji/rightsize');
    assert.equal(rightsizeBranch([]), 'kaji/rightsize');
    assert.equal(rightsizeBranch(['shop']), 'kaji/rightsize-shop');
    assert.equal(rightsizeBranch(['shop', 'cart']), 'kaji/rightsize-cart+shop');
    assert.equal(rightsizeBranch(['cart', 'shop', 'cart']), 'kaji/rightsize-cart+shop');
    assert.notEqual(rightsizeBranch(['cart', 'shop']), rightsizeBranch(['cart', 'shop', 'blog']));
  });

  test('a set too long to spell out: its size and a hash of the names, stable and distinct', () => {
    const many = Array.from({ length: 12 }, (_, i) => `service-number-${i}`);
    const branch = rightsizeBranch(many);
    assert.match(branch, /^kaji\/rightsize-12-services\.[0-9a-f]{12}$/);
    assert.equal(rightsizeBranch([...many].reverse()), branch);
    assert.notEqual(rightsizeBranch([...many.slice(1), 'service-number-x']), branch);
  });
});

describe('kaji rightsize --service: a branch per set', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let fixture: BumpFixture;
  let github: GitHubServer;
  let snapshots: ReturnType<typeof tempTree>;
  let restoreEnv: () => void;
  const run = (...more: string[]) => kaji([...rightsizeArgs(snapshots, fixture, github.url), ...more]);

  before(async () => {
    fixture = createRightsizeFixture();
    github = await startGitHubServer({ repositories: ['acme/manifests'] });
    snapshots = tempTree({ 'blue.json': list(BLUE_VPAS), 'green.json': list(GREEN_VPAS) });
    restoreEnv = setEnv({ GITHUB_TOKEN: github.token });
  });
  after(async () => {
    restoreEnv();
    await github.close();
    snapshots.cleanup();
    fixture.cleanup();
  });

  test("each set its own pull request, beside the run over every service; the same set in another order keeps its own", async () => {
    const every = await run();
    assert.equal(every.code, 0, every.stderr);
    const one = await run('--service', 'shop');
    assert.equal(one.code, 0, one.stderr);
    const two = await run('--service', 'shop,cart');
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(
      github.pulls.get('acme/manifests')!.map((pull) => pull.head),
      ['kaji/rightsize', 'kaji/rightsize-shop', 'kaji/rightsize-cart+shop'],
    );
    assert.deepEqual(fixture.git('branch', '--list', 'kaji/*', '--format=%(refname:short)').split('\n'), ['kaji/rightsize', 'kaji/rightsize-cart+shop', 'kaji/rightsize-shop']);

    const tip = fixture.git('rev-parse', 'kaji/rightsize-cart+shop');
    const again = await run('--service', 'cart', '--service', 'shop');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /pull request #3 kept \(kaji\/rightsize-cart\+shop already had this change at [0-9a-f]{12}: nothing pushed\)/);
    assert.equal(fixture.git('rev-parse', 'kaji/rightsize-cart+shop'), tip);
    assert.equal(github.pulls.get('acme/manifests')!.length, 3);

    // Into another branch (--base release): a branch of its own; the pull request into main is left as it is.
    fixture.git('branch', 'release', 'main');
    const intoMain = fixture.git('rev-parse', 'kaji/rightsize');
    const release = await run('--base', 'release');
    assert.equal(release.code, 0, release.stderr);
    assert.equal(fixture.git('rev-parse', 'kaji/rightsize'), intoMain);
    assert.equal(fixture.git('rev-parse', 'kaji/into-release/rightsize~1'), fixture.git('rev-parse', 'release'));
    assert.deepEqual(github.pulls.get('acme/manifests')!.map((pull) => [pull.head, pull.base]).at(-1), ['kaji/into-release/rightsize', 'release']);
  });
});
