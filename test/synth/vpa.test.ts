// kaji synth writes a service's VerticalPodAutoscalers from the workloads its overlay renders,
// follows them as the overlay changes, and keeps them while the overlay does not render.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { runSynth } from '../../src/synth/index.js';
import { hasKubectl } from '../support/files.js';
import { platformTree, type TestService } from '../support/platform.js';

const worker = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: queue, namespace: shop}
spec:
  serviceName: queue
  selector: {matchLabels: {app: queue}}
  template:
    metadata: {labels: {app: queue}}
    spec:
      containers: [{name: queue, image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop}]
`;
const shop: TestService = { name: 'shop', extra: worker };

const targets = (text: string) => (loadAll(text) as { spec: { targetRef: { kind: string; name: string } } }[]).map((d) => `${d.spec.targetRef.kind}/${d.spec.targetRef.name}`);

describe('kaji synth: VerticalPodAutoscalers', { skip: !hasKubectl }, () => {
  test("one per rendered workload and cluster; follows the overlay; kept while it does not render", async () => {
    const tree = platformTree([shop]);
    const file = (cluster: string) => tree.path(`manifests/clusters/${cluster}/tenants/shop/verticalpodautoscalers.yaml`);
    try {
      const first = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      assert.equal(first.problems, 0);
      // green's overlay is created in the same run, copied from blue's: it gets its own, too.
      assert.deepEqual(targets(readFileSync(file('blue'), 'utf8')), ['Deployment/shop', 'StatefulSet/queue']);
      assert.deepEqual(targets(readFileSync(file('green'), 'utf8')), ['Deployment/shop', 'StatefulSet/queue']);
      assert.deepEqual((await runSynth({ directory: tree.root, checkOnly: true })).fileChanges, [], 'up to date after the run');

      // An overlay that no longer renders: a problem, and the cluster's recommendations stay as they were.
      const greenOverlay = tree.path('manifests/apps/shop/overlays/green/kustomization.yaml');
      const kept = readFileSync(file('green'), 'utf8');
      writeFileSync(greenOverlay, 'resources: [../../missing]\n');
      const broken = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      assert.ok(broken.problems > 0);
      assert.equal(readFileSync(file('green'), 'utf8'), kept);
      assert.ok(!broken.fileChanges.some((change) => change.path.endsWith('verticalpodautoscalers.yaml')));

      // The StatefulSet gone from the base: its VPA goes; no workload left in green: the file goes.
      writeFileSync(tree.path('manifests/apps/shop/base/resources.yaml'), readFileSync(tree.path('manifests/apps/shop/base/resources.yaml'), 'utf8').split('---\n')[0]!);
      writeFileSync(greenOverlay, 'resources: [configmap.yaml]\n');
      writeFileSync(tree.path('manifests/apps/shop/overlays/green/configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shop, namespace: shop}\n');
      const after = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      assert.equal(after.problems, 0);
      assert.deepEqual(targets(readFileSync(file('blue'), 'utf8')), ['Deployment/shop']);
      assert.equal(existsSync(file('green')), false);
    } finally {
      tree.cleanup();
    }
  });
});
