import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { toKubeObject } from '../../src/kube/index.js';
import { runSynth } from '../../src/synth/index.js';
import { removedApiViolations } from '../../src/synth/removed-apis.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { parsePlatform } from '../../src/platform/index.js';
import { platformTree, platformYaml, type TestService } from '../support/platform.js';

const cronJob = (apiVersion: string) => `apiVersion: ${apiVersion}
kind: CronJob
metadata: {name: nightly, namespace: jobs}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: app, image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/jobs:1.0.0}]
`;

describe('removed APIs in kaji synth', () => {
  test("a service's objects are judged against the Kubernetes version of the cluster they are rendered for", () => {
    // platform.yaml offers only the versions EKS still runs (1.32 on); the clusters around 1.25 are made in code.
    const service = parsePlatform(platformYaml([{ name: 'jobs' }]), 'platform.yaml').services[0]!;
    const clusters = [
      { name: 'old', kubernetesVersion: '1.24', weight: 0, retiring: false },
      { name: 'new', kubernetesVersion: '1.25', weight: 255, retiring: false },
    ] as const;
    const objects = [toKubeObject({ apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'jobs' } }, { file: '/m/apps/jobs/overlays/new/kustomization.yaml', line: 1 })];
    assert.deepEqual(removedApiViolations(clusters[0], service, objects), []);
    const [violation, ...more] = removedApiViolations(clusters[1], service, objects);
    assert.deepEqual(more, []);
    assert.deepEqual([violation!.service, violation!.rule, violation!.object], ['jobs', 'removedApi', 'CronJob/jobs/nightly']);
    assert.equal(
      violation!.message,
      'rendered by /m/apps/jobs/overlays/new/kustomization.yaml: batch/v1beta1 CronJob was removed in Kubernetes 1.25 and is not served by 1.25: change apiVersion to batch/v1',
    );
  });

  test('a CronJob in batch/v1beta1 is a danger of its service in each cluster, with the file and the fix', { skip: !hasKubectl }, async () => {
    const jobs: TestService = { name: 'jobs', extra: cronJob('batch/v1beta1') };
    const tree = platformTree([jobs, { name: 'cart' }]);
    try {
      const { code, stdout } = await kaji(['synth', tree.root, '--out', tree.path('out')]);
      assert.equal(code, 1, stdout);
      // green's overlay is created in this run from blue's, so both render through blue's kustomization.
      const overlay = tree.path('manifests/apps/jobs/overlays/blue/kustomization.yaml');
      for (const [cluster, version] of [['blue', '1.32'], ['green', '1.34']]) {
        assert.ok(
          stdout.includes(
            `✗ ${cluster}/jobs: CronJob/jobs/nightly: rendered by ${overlay}: batch/v1beta1 CronJob was removed in Kubernetes 1.25 and is not served by ${version}: change apiVersion to batch/v1\n`,
          ),
          stdout,
        );
      }
      const summary = JSON.parse(readFileSync(tree.path('out/summary.json'), 'utf8'));
      const service = (cluster: number, name: string) => summary.clusters[cluster].services.find((s: { service: string }) => s.service === name);
      assert.deepEqual(service(1, 'jobs').boundaryViolations.map((v: { rule: string; object: string }) => `${v.rule} ${v.object}`), ['removedApi CronJob/jobs/nightly']);
      assert.equal(service(1, 'cart').boundaryViolations.length, 0);

      // Written as batch/v1, the same CronJob is fine everywhere.
      writeFileSync(tree.path('manifests/apps/jobs/base/resources.yaml'), readFileSync(tree.path('manifests/apps/jobs/base/resources.yaml'), 'utf8').replace('batch/v1beta1', 'batch/v1'));
      const fixed = await runSynth({ directory: tree.root, checkOnly: true });
      assert.deepEqual(fixed.clusters.flatMap((c) => c.services.flatMap((s) => s.boundaryViolations)), []);
      assert.equal(fixed.dangers, 0);
    } finally {
      tree.cleanup();
    }
  });
});
