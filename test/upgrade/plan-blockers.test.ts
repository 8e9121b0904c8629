// kaji upgrade plan's blockers the README lists beside a removed API and a
// stale overlay (tested in runbook.test.ts): a downgrade, no CDK app, the new
// cluster's clusters/<green>/ not generated, its overlay not there yet (synth
// would copy the old cluster's), and a service that does not render. Each is
// made in one fixture, so one plan names them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl } from '../support/files.js';
import { createFixture } from './fixture.js';
import { runUpgrade } from './run.js';

test('plan: a downgrade, no cdk.json, clusters/green/ not generated, a missing overlay and a service that does not render are each a blocker; exit 1, and start records nothing', { skip: !hasKubectl && 'needs kubectl' }, async () => {
  const fixture = await createFixture();
  try {
    const manifests = join(fixture.platformDir, 'manifests');
    const infra = join(fixture.platformDir, 'infra');
    // Blue on 1.34, green on 1.33 (both versions EKS offers).
    writeFileSync(join(fixture.platformDir, 'platform.yaml'), fixture.readPlatform().replace('"1.32"', '"1.34"').replace('"1.35"', '"1.33"'));
    rmSync(join(infra, 'cdk.json'));
    rmSync(join(manifests, 'clusters', 'green'), { recursive: true });
    rmSync(join(manifests, 'apps/shop/overlays/green'), { recursive: true });
    const cartGreen = join(manifests, 'apps/cart/overlays/green');
    writeFileSync(join(cartGreen, 'kustomization.yaml'), 'resources: [../../base, missing.yaml]\n');

    const json = await runUpgrade(fixture, ['plan', '-o', 'json']);
    assert.equal(json.code, 1, json.stderr);
    const plan = JSON.parse(json.stdout) as { ready: boolean; blockers: { kind: string; service?: string; message: string }[]; services: { service: string; objects: number; problems: number }[] };
    assert.equal(plan.ready, false);
    assert.deepEqual(plan.blockers.slice(0, -1), [
      { kind: 'version', message: "green runs Kubernetes 1.33, older than blue's 1.34: that is a downgrade" },
      { kind: 'cdkApp', message: `${infra} has no cdk.json: the deploy step runs cdk there (kaji init scaffolds it as infra/); pass --cdk-app DIR` },
      { kind: 'notGenerated', message: `${manifests}/clusters/green is not generated: run kaji synth and merge it, so green's Argo CD has something to sync` },
      { kind: 'overlay', service: 'shop', message: `${manifests}/apps/shop/overlays/green does not exist: run kaji synth (it copies ${manifests}/apps/shop/overlays/blue) and merge` },
    ]);
    // The render failure in kustomize's words (which vary with kubectl's version), after the file it is in.
    const render = plan.blockers.at(-1)!;
    assert.equal(render.kind, 'render');
    assert.equal(render.service, 'cart');
    assert.ok(render.message.startsWith(`${cartGreen}/kustomization.yaml: kubectl kustomize failed: `), render.message);
    assert.match(render.message, /missing\.yaml/);
    // Shop is rendered from blue's overlay, which synth would copy; cart not at all.
    assert.deepEqual(
      plan.services.map(({ service, objects, problems }) => ({ service, objects, problems })),
      [
        { service: 'shop', objects: 1, problems: 0 },
        { service: 'cart', objects: 0, problems: 1 },
      ],
    );

    const text = await runUpgrade(fixture, ['plan']);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^cart\s+0\s+0\s+cannot render$/m);
    assert.ok(text.stdout.includes(`\n✗ ${infra} has no cdk.json: `), text.stdout);
    assert.match(text.stdout, /\nnot ready: 5 blocker\(s\)\n/);

    const start = await runUpgrade(fixture, ['start']);
    assert.equal(start.code, 1, start.stderr);
    assert.equal(existsSync(join(fixture.platformDir, 'kaji-upgrade.json')), false, 'nothing recorded');
  } finally {
    fixture.cleanup();
  }
});
