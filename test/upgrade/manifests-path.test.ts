// The runbook with the manifests in a folder of the repository
// (manifests.path: deploy): the weight steps' check of the branch's weights
// reads deploy/clusters/, and finish may change deploy/clusters/<blue>/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSynth } from '../../src/synth/index.js';
import { hasKubectl } from '../support/files.js';
import { createFixture, healthyApps, setUpgradeEnv, startArgoCd, startRoute53, type Fixture, type Record53 } from './fixture.js';
import { colleagueCommit, runUpgrade, upgradeState } from './run.js';

const GREEN_APPS = ['cart', 'kaji-platform', 'kaji-root', 'kaji-tenants', 'shop'];
const HOSTS = { shop: 'www.shop.example.com', cart: 'cart.shop.example.com' } as const;

/** The fixture's manifest repository moved into deploy/, platform.yaml saying so, regenerated and pushed. */
async function moveToDeploy(fixture: Fixture): Promise<void> {
  const checkout = join(fixture.platformDir, 'manifests');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=seed', '-c', 'user.email=seed@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: checkout, stdio: 'pipe' });
  mkdirSync(join(checkout, 'deploy'));
  git('mv', 'apps', 'clusters', 'deploy');
  const file = join(fixture.platformDir, 'platform.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('  localPath: manifests\n', '  localPath: manifests\n  path: deploy\n'));
  await runSynth({ directory: fixture.platformDir, outDirectory: join(fixture.root, 'out'), infrastructure: false });
  rmSync(join(fixture.root, 'out'), { recursive: true, force: true });
  git('add', '--all');
  git('commit', '--quiet', '-m', 'the manifests move to deploy/');
  git('push', '--quiet', 'origin', 'HEAD:main');
}

/** external-dns as Route 53 shows it: an A and a TXT record per host and cluster, at the weight of the cluster's Application on main. */
function recordsOf(fixture: Fixture): Record53[] {
  return ['blue', 'green'].flatMap((cluster) =>
    Object.entries(HOSTS).flatMap(([service, host]) => {
      const weight = /aws-weight: '(\d+)'/.exec(fixture.show(`deploy/clusters/${cluster}/argocd/apps/${service}.yaml`) ?? '')?.[1];
      return weight === undefined ? [] : ['A', 'TXT'].map((type) => ({ name: host, type, setIdentifier: cluster, weight: Number(weight) }));
    }),
  );
}

test('manifests.path: a weight step refuses weights set by hand in deploy/clusters/; finish prunes and removes deploy/clusters/blue/', { skip: !hasKubectl && 'needs kubectl' }, async () => {
  const restoreEnv = setUpgradeEnv();
  const fixture = await createFixture();
  const tip = () => fixture.tip();
  const argocd = await startArgoCd(() => healthyApps(GREEN_APPS, tip()));
  const route53 = await startRoute53(() => recordsOf(fixture));
  const run = (...args: string[]) => runUpgrade(fixture, args, { argocd, route53 });
  try {
    await moveToDeploy(fixture);
    assert.match(fixture.show('deploy/clusters/blue/argocd/apps/shop.yaml') ?? '', /aws-weight: '255'/);
    assert.equal((await runUpgrade(fixture, ['start', '--soak', '0s', '--steps', '100'])).code, 0);
    assert.equal((await run('next')).code, 0); // deploy
    assert.equal((await run('next')).code, 0); // sync

    // A colleague turns blue's shop down by hand: the step would undo it.
    const shop = 'deploy/clusters/blue/argocd/apps/shop.yaml';
    const original = fixture.show(shop)!;
    colleagueCommit(fixture, 'less on blue', (clone) => writeFileSync(join(clone, shop), `${original.replace("aws-weight: '255'", "aws-weight: '200'")}\n`));
    const main = tip();
    const refused = await run('next');
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /kaji: main of the manifest repository routes traffic at blue 200 and 255, green 0: neither the weights this upgrade last verified \(blue 255, green 0\) nor this step's \(blue 0, green 255\)\. .*nothing was pushed/);
    assert.equal(tip(), main);

    colleagueCommit(fixture, 'blue back', (clone) => writeFileSync(join(clone, shop), `${original}\n`));
    const step = await run('next');
    assert.equal(step.code, 0, step.stderr);
    assert.match(fixture.show(shop) ?? '', /aws-weight: '0'/);

    const finish = await run('finish');
    assert.equal(finish.code, 0, finish.stderr);
    assert.deepEqual(fixture.git('show', '--name-status', '--format=', 'main~1').split('\n'), [
      'D\tdeploy/clusters/blue/argocd/apps/cart.yaml',
      'D\tdeploy/clusters/blue/argocd/apps/shop.yaml',
      'D\tdeploy/clusters/blue/platform/headroom/deployment.yaml',
    ]);
    assert.equal(fixture.git('log', '-1', '--format=%s', 'main'), 'upgrade blue → green: remove blue');
    assert.equal(fixture.git('ls-tree', '-r', '--name-only', 'main', 'deploy/clusters/blue'), '');
    assert.ok(fixture.show('deploy/clusters/green/argocd/root.yaml'));
    assert.doesNotMatch(fixture.readPlatform(), /name: blue/);
    assert.ok(upgradeState(fixture).done.finish);
  } finally {
    await argocd.close();
    await route53.close();
    fixture.cleanup();
    restoreEnv();
  }
});
