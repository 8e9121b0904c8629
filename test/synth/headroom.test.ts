import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import type { JsonObject } from '../../src/kube/index.js';
import { runSynth } from '../../src/synth/index.js';
import { hasKubectl } from '../support/files.js';
import { platformTree, platformYaml, type TestService } from '../support/platform.js';

const services: TestService[] = [{ name: 'shop' }, { name: 'cart' }];

describe('kaji synth: headroom', { skip: !hasKubectl }, () => {
  test('writes the headroom files in every cluster, sized from the quotas, and removes them when the headroom is 0', async () => {
    const tree = platformTree(services);
    try {
      // platform.yaml says nothing of capacity: the default, 10 % of the quotas (2 services × 2 cpu, 2Gi).
      const first = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      const paths = ['deployment.yaml', 'networkpolicy.yaml', 'priorityclass.yaml'];
      for (const cluster of ['blue', 'green']) {
        for (const name of paths) {
          assert.ok(first.fileChanges.some((c) => c.path === `clusters/${cluster}/platform/headroom/${name}` && c.action === 'create'), `${cluster} ${name}`);
        }
      }
      const [deployment] = loadAll(readFileSync(tree.path('manifests/clusters/green/platform/headroom/deployment.yaml'), 'utf8')) as JsonObject[];
      const spec = deployment!.spec as JsonObject;
      // 10 % of 4 cpu and 4Gi: 400m and 409.6Mi → 410Mi, in two pods of 200m and 205Mi.
      assert.equal(spec.replicas, 2);
      const container = (((spec.template as JsonObject).spec as JsonObject).containers as JsonObject[])[0]!;
      assert.deepEqual(container.resources, { requests: { cpu: '200m', memory: '205Mi' }, limits: { cpu: '200m', memory: '205Mi' } });
      assert.match(readFileSync(tree.path('manifests/clusters/blue/argocd/projects/kaji-platform.yaml'), 'utf8'), /kind: PriorityClass/);

      writeFileSync(tree.path('platform.yaml'), `${platformYaml(services)}capacity:\n  headroom: {percent: 0}\n`);
      const off = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      const deleted = off.fileChanges.filter((c) => c.action === 'delete').map((c) => c.path).sort();
      assert.deepEqual(deleted, ['blue', 'green'].flatMap((cluster) => paths.map((name) => `clusters/${cluster}/platform/headroom/${name}`)));
      assert.ok(!existsSync(tree.path('manifests/clusters/blue/platform/headroom')), 'the emptied folder is removed');
      // Still allowed, so that Argo CD prunes the PriorityClass it synced before.
      assert.match(readFileSync(tree.path('manifests/clusters/blue/argocd/projects/kaji-platform.yaml'), 'utf8'), /kind: PriorityClass/);
      assert.ok(existsSync(tree.path('manifests/clusters/blue/platform/webhook/namespace.yaml')), 'kaji-system stays, with the webhook');
      assert.equal(off.dangers + off.problems, 0);
    } finally {
      tree.cleanup();
    }
  });
});
