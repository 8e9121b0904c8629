// What is left of a finished upgrade: rollback has nothing to move the
// traffic back to, and the next upgrade's start keeps the finished state file
// as kaji-upgrade.<finish time>.json beside the new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSynth } from '../../src/synth/index.js';
import type { UpgradeState } from '../../src/upgrade/index.js';
import { hasKubectl } from '../support/files.js';
import { createFixture, healthyApps, recordsFromRemote, setUpgradeEnv, startArgoCd, startRoute53 } from './fixture.js';
import { runUpgrade, upgradeState } from './run.js';

const GREEN_APPS = ['cart', 'kaji-platform', 'kaji-root', 'kaji-tenants', 'shop'];

test('after finish: rollback is exit 2 with nothing to roll back to; the next start keeps the finished state as kaji-upgrade.<finish time>.json and records the new upgrade', { skip: !hasKubectl && 'needs kubectl' }, async () => {
  const restoreEnv = setUpgradeEnv();
  const fixture = await createFixture();
  const argocd = await startArgoCd(() => healthyApps(GREEN_APPS, fixture.tip()));
  const route53 = await startRoute53(() => recordsFromRemote(fixture));
  const run = (...args: string[]) => runUpgrade(fixture, args, { argocd, route53 });
  const stateFile = join(fixture.platformDir, 'kaji-upgrade.json');
  try {
    assert.equal((await runUpgrade(fixture, ['start', '--soak', '0s', '--steps', '100'])).code, 0);
    for (const step of ['deploy', 'sync', 'weight 100%', 'finish']) {
      const made = await run(step === 'finish' ? 'finish' : 'next');
      assert.equal(made.code, 0, `${step}: ${made.stderr}`);
    }
    const finished = readFileSync(stateFile, 'utf8');
    const finishedAt = upgradeState(fixture).done.finish!;
    assert.ok(finishedAt);

    // Blue is gone: there is nothing to move the traffic back to, and nothing is read, pushed or recorded.
    const tip = fixture.tip();
    const requests = argocd.requests.length + route53.requests.length;
    for (const flags of [[], ['--force']]) {
      const back = await run('rollback', ...flags);
      assert.equal(back.code, 2, back.stderr);
      assert.equal(back.stderr, 'kaji: the upgrade is finished: blue was removed; there is nothing to roll back to\n');
    }
    assert.equal(readFileSync(stateFile, 'utf8'), finished);
    assert.equal(fixture.tip(), tip, 'nothing pushed');
    assert.equal(argocd.requests.length + route53.requests.length, requests, 'nothing read');

    // The next upgrade, as the README has it: the checkout pulled, a cluster added at weight 0, kaji synth.
    execFileSync('git', ['pull', '--quiet', '--ff-only', 'origin', 'main'], { cwd: join(fixture.platformDir, 'manifests'), stdio: 'pipe' });
    writeFileSync(join(fixture.platformDir, 'platform.yaml'), fixture.readPlatform().replace('    weight: 255\n', '    weight: 255\n  - name: blue\n    kubernetesVersion: "1.35"\n    weight: 0\n'));
    await runSynth({ directory: fixture.platformDir, outDirectory: join(fixture.root, 'out'), infrastructure: false });
    rmSync(join(fixture.root, 'out'), { recursive: true, force: true });

    const start = await runUpgrade(fixture, ['start']);
    assert.equal(start.code, 0, start.stderr);
    const archive = `kaji-upgrade.${finishedAt.replace(/[:.]/g, '-')}.json`;
    assert.match(archive, /^kaji-upgrade\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/);
    assert.deepEqual(readdirSync(fixture.platformDir).filter((name) => name.startsWith('kaji-upgrade')).sort(), [archive, 'kaji-upgrade.json'].sort());
    assert.equal(readFileSync(join(fixture.platformDir, archive), 'utf8'), finished, 'the finished state, kept as it was');
    const next = JSON.parse(readFileSync(stateFile, 'utf8')) as UpgradeState;
    assert.deepEqual([next.from.name, next.to.name], ['green', 'blue']);
    assert.deepEqual(Object.keys(next.done), ['preflight']);
    assert.ok(next.startedAt > finishedAt, `${next.startedAt} after ${finishedAt}`);
  } finally {
    await argocd.close();
    await route53.close();
    fixture.cleanup();
    restoreEnv();
  }
});
