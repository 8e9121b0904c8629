// $ARGOCD_SERVER exported (as for the argocd CLI) without $ARGOCD_AUTH_TOKEN:
// only a step that reads green's Argo CD is refused, naming the variables the
// user set and did not set; an emergency rollback --force, which never reads
// it, goes ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setEnv } from '../support/env.js';
import { hasKubectl } from '../support/files.js';
import { createFixture, healthyApps, recordsFromRemote, setUpgradeEnv, startArgoCd, startRoute53 } from './fixture.js';
import { runUpgrade, upgradeState } from './run.js';

const GREEN_APPS = ['cart', 'kaji-platform', 'kaji-root', 'kaji-tenants', 'shop'];

test('$ARGOCD_SERVER without $ARGOCD_AUTH_TOKEN: a weight step is refused naming both (exit 2, nothing pushed); rollback --force moves the traffic back', { skip: !hasKubectl && 'needs kubectl' }, async () => {
  const fixture = await createFixture();
  const argocd = await startArgoCd(() => healthyApps(GREEN_APPS, fixture.tip()));
  const route53 = await startRoute53(() => recordsFromRemote(fixture));
  const restoreEnv = setUpgradeEnv({ ARGOCD_SERVER: argocd.url });
  // Green's Argo CD from $ARGOCD_SERVER alone: no --argocd-server on these command lines.
  const run = (...args: string[]) => runUpgrade(fixture, args, { route53 });
  try {
    assert.equal((await runUpgrade(fixture, ['start', '--soak', '0s'])).code, 0);
    for (const step of ['deploy', 'sync', 'weight 1']) {
      const made = await run('next');
      assert.equal(made.code, 0, `${step}: ${made.stderr}`);
    }
    assert.deepEqual(upgradeState(fixture).weights, { blue: 229, green: 26 });

    const restoreToken = setEnv({ ARGOCD_AUTH_TOKEN: undefined });
    try {
      const tip = fixture.tip();
      const asked = argocd.requests.length;
      const refused = await run('next');
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(
        refused.stderr,
        /^kaji: each weight step checks green's Argo CD: \$ARGOCD_SERVER is set but \$ARGOCD_AUTH_TOKEN is not: set \$ARGOCD_AUTH_TOKEN to an API token of its kaji-reader account/,
      );
      assert.doesNotMatch(refused.stderr, /--argocd-server/, 'a flag the user never typed is not named');
      assert.deepEqual([fixture.tip(), argocd.requests.length, upgradeState(fixture).inProgress], [tip, asked, undefined], 'nothing pushed, asked or started');
      // Given as a flag, the flag is named.
      const flagged = await runUpgrade(fixture, ['next'], { argocd, route53 });
      assert.equal(flagged.code, 2, flagged.stderr);
      assert.match(flagged.stderr, /green's Argo CD: --argocd-server is given but \$ARGOCD_AUTH_TOKEN is not: set \$ARGOCD_AUTH_TOKEN to/);

      const back = await run('rollback', '--force');
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /rollback \(blue 255, green 0\): pushed [0-9a-f]{12}.*; Route 53 has blue at full weight again/);
      assert.deepEqual(upgradeState(fixture).weights, { blue: 255, green: 0 });
      assert.equal(argocd.requests.length, asked, "green's Argo CD was not asked");
    } finally {
      restoreToken();
    }
  } finally {
    restoreEnv();
    await argocd.close();
    await route53.close();
    fixture.cleanup();
  }
});
