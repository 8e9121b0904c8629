// kaji rightsize against the namespace's ResourceQuota: a raise is left out where the service's
// pods (replicas or an HPA's maxReplicas, plus the rolling update's surge) would then request more
// than the quota kaji synth wrote (or, without that file, the one platform.yaml gives); lowering
// stays. The fixture's shop runs 2 replicas of app (200m, 128Mi; blue's patch 192Mi) and a log
// shipper (20m, 32Mi); the VPAs raise the base to 300m and 256Mi and lower blue's patch to 150Mi.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { startGitHubServer } from '../support/github-server.js';
import { setEnv } from '../support/env.js';
import type { BumpFixture } from '../gitops/bump-fixture.js';
import { BLUE_VPAS, commitToRemote, createRightsizeFixture, GREEN_VPAS, list, rightsizeArgs } from './rightsize-fixture.js';

interface PlannedChange {
  container: string;
  resource: string;
  file: string;
  decision: string;
  skipped: string | null;
}

describe('kaji rightsize and the quota', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let fixture: BumpFixture;
  let snapshots: ReturnType<typeof tempTree>;
  const args = (...more: string[]) => [...rightsizeArgs(snapshots, fixture), ...more];
  const appChanges = (plan: { changes: PlannedChange[] }) =>
    plan.changes.filter((c) => c.container === 'app').map((c) => `${c.resource} ${c.file} ${c.decision}: ${c.skipped}`);

  beforeEach(() => {
    fixture = createRightsizeFixture();
    snapshots = tempTree({ 'blue.json': list(BLUE_VPAS), 'green.json': list(GREEN_VPAS) });
  });
  afterEach(() => {
    snapshots.cleanup();
    fixture.cleanup();
  });

  test("the quota kaji synth wrote: a raise past it in a cluster that runs the value is left out, named in the plan and the pull request's body", async () => {
    // Green's quota: 900m. Before: 3 pods (2 replicas + 1 surge) of 220m = 660m; after: 3 of 320m = 960m.
    commitToRemote(
      fixture,
      { 'clusters/green/tenants/shop/resourcequota.yaml': 'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: kaji-quota, namespace: shop}\nspec:\n  hard: {requests.cpu: 900m, requests.memory: 2Gi, pods: "20"}\n' },
      'green: shop quota',
    );
    const { code, stdout, stderr } = await kaji(args('--dry-run', '-o', 'json'));
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout);
    const held =
      "raising it does not fit the quota: in green, namespace shop's pods would request 960m of cpu at most, its ResourceQuota allows 900m (replicas or an HPA's maxReplicas, plus a rolling update's surge); raise shop's quota.cpu in platform.yaml (and run kaji synth), then run kaji rightsize again";
    assert.deepEqual(appChanges(plan), [
      `cpu apps/shop/base/deployment.yaml change: ${held}`,
      'memory apps/shop/base/deployment.yaml change: null',
      'memory apps/shop/overlays/blue/requests.yaml change: null',
    ]);
    // The memory raise (3 × 288Mi) fits; the cpu stays as it was, in blue too (the base is one value).
    assert.match(plan.diff, /^\+ {12}requests: \{cpu: 200m, memory: 256Mi\} {2}# see the capacity review$/m);
    assert.match(plan.diff, /^\+ {14}memory: 150Mi$/m);

    const github = await startGitHubServer({ repositories: ['acme/manifests'] });
    const restoreEnv = setEnv({ GITHUB_TOKEN: github.token });
    try {
      const opened = await kaji(args('--github-repository', 'acme/manifests', '--github-api-url', github.url));
      assert.equal(opened.code, 0, opened.stderr);
      assert.match(opened.stdout, /^not changed: shop Deployment\/shop app cpu in blue, green: raising it does not fit the quota: in green, /m);
      assert.match(opened.stdout, /shop: right-size requests: 2 request\(s\); pull request #1 opened/);
      const [pull] = github.pulls.get('acme/manifests')!;
      assert.ok(pull!.body.includes(`**Not changed** (and why):\n\n- shop: Deployment/shop app cpu 200m → 300m (+50%) in blue, green: ${held}\n`), pull!.body);
      assert.match(fixture.git('show', 'kaji/rightsize:apps/shop/base/deployment.yaml'), /requests: \{cpu: 200m, memory: 256Mi\}/);
    } finally {
      restoreEnv();
      await github.close();
    }
  });

  test("without the file, platform.yaml's quota; an HPA's maxReplicas counts; a DaemonSet is a note; lowering is kept", async () => {
    // Green: an HPA (cpu, up to 8) and an agent DaemonSet. Memory after: (8 + 2 surge) × 288Mi = 2880Mi > 2Gi (platform.yaml);
    // before: 10 × 160Mi = 1600Mi.
    commitToRemote(
      fixture,
      {
        'apps/shop/overlays/green/hpa.yaml':
          'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}\n  maxReplicas: 8\n',
        'apps/shop/overlays/green/agent.yaml':
          'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: agent, image: agent:1, resources: {requests: {cpu: 50m, memory: 64Mi}}}]\n',
        'apps/shop/overlays/green/kustomization.yaml': 'resources:\n  - ../../base\n  - hpa.yaml\n  - agent.yaml\n',
      },
      'shop: an HPA and an agent in green',
    );
    const { code, stdout, stderr } = await kaji(args('--dry-run', '-o', 'json'));
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout);
    assert.deepEqual(appChanges(plan), [
      'cpu apps/shop/base/deployment.yaml change: a HorizontalPodAutoscaler scales Deployment/shop on cpu in green: the request is what its utilisation is measured against, so it is left to the team',
      "memory apps/shop/base/deployment.yaml change: raising it does not fit the quota: in green, namespace shop's pods would request 2880Mi of memory at most, its ResourceQuota allows 2Gi (replicas or an HPA's maxReplicas, plus a rolling update's surge); raise shop's quota.memory in platform.yaml (and run kaji synth), then run kaji rightsize again",
      'memory apps/shop/overlays/blue/requests.yaml change: null',
    ]);
    assert.deepEqual(
      plan.notes.filter((note: { vpa?: string }) => note.vpa === undefined),
      [{ service: 'shop', message: "DaemonSet/agent is not counted against the namespace's quota in green: it runs a pod per node (or a number kaji cannot tell), which the manifests do not say" }],
    );
    assert.doesNotMatch(plan.diff, /deployment\.yaml/);
    assert.match(plan.diff, /^\+ {14}memory: 150Mi$/m);

    const table = await kaji(args('--dry-run'));
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^note: shop: DaemonSet\/agent is not counted against the namespace's quota in green: /m);
    assert.match(table.stdout, /dry run: 1 request\(s\) would change\. Nothing was pushed\.\n$/);
  });
});
