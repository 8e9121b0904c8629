// A rollback after a weight step Route 53 never confirmed because green's
// external-dns wrote nothing (a permission problem): green has no record of
// any name, and a cluster meant to get weight 0 needs none, so the rollback is
// verified and the upgrade goes on from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl } from '../support/files.js';
import { createFixture, healthyApps, recordsFromRemote, setUpgradeEnv, startArgoCd, startRoute53 } from './fixture.js';
import { runUpgrade, upgradeState } from './run.js';

const GREEN_APPS = ['cart', 'kaji-platform', 'kaji-root', 'kaji-tenants', 'shop'];

test('rollback after green never got a record in Route 53: verified with blue at full weight; next takes the upgrade up again', { skip: !hasKubectl && 'needs kubectl' }, async () => {
  const restoreEnv = setUpgradeEnv();
  const fixture = await createFixture();
  const tip = () => fixture.tip();
  const argocd = await startArgoCd(() => healthyApps(GREEN_APPS, tip()));
  // Only blue's external-dns writes.
  const route53 = await startRoute53(() => recordsFromRemote(fixture).filter((record) => record.setIdentifier === 'blue'));
  const run = (...args: string[]) => runUpgrade(fixture, args, { argocd, route53 });
  try {
    assert.equal((await runUpgrade(fixture, ['start', '--soak', '0s'])).code, 0);
    assert.equal((await run('next')).code, 0); // deploy
    assert.equal((await run('next')).code, 0); // sync
    const step = await run('next');
    assert.equal(step.code, 1, step.stderr);
    assert.match(step.stderr, /\n {2}www\.shop\.example\.com A green: no record \(want weight 26\)\n/);

    const back = await run('rollback', '--force');
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /rollback \(blue 255, green 0\): pushed [0-9a-f]{12}.*; Route 53 has blue at full weight again/);
    const state = upgradeState(fixture);
    assert.equal(state.inProgress, undefined);
    assert.deepEqual(state.weights, { blue: 255, green: 0 });
    assert.deepEqual(Object.keys(state.done).sort(), ['deploy', 'preflight']);
    const sync = await run('next');
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(sync.stdout, /all 5 Applications Synced/);
  } finally {
    await argocd.close();
    await route53.close();
    fixture.cleanup();
    restoreEnv();
  }
});
