import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesMinor, removedApiFindings, removedApiVerdict } from '../../src/apis/index.js';
import { toKubeObject, type KubeObject } from '../../src/kube/index.js';

function object(apiVersion: string, kind: string, name = 'x'): KubeObject {
  return toKubeObject({ apiVersion, kind, metadata: { name, namespace: 'shop' } }, { file: 'm.yaml', line: 1 });
}

const cronJob = object('batch/v1beta1', 'CronJob', 'nightly');

describe('removed APIs', () => {
  test('a removed kind is found from its removal version on, not before', () => {
    assert.deepEqual(removedApiFindings('1.24', [cronJob]), []);
    assert.equal(removedApiVerdict('1.24', cronJob), 'served');
    for (const version of ['1.25', '1.35']) {
      const [finding, ...more] = removedApiFindings(version, [cronJob]);
      assert.deepEqual(more, []);
      assert.equal(finding!.object, cronJob);
      assert.deepEqual([finding!.apiVersion, finding!.kind, finding!.removedIn, finding!.replacement], ['batch/v1beta1', 'CronJob', '1.25', 'batch/v1']);
      assert.equal(finding!.message, `batch/v1beta1 CronJob was removed in Kubernetes 1.25 and is not served by ${version}: change apiVersion to batch/v1`);
    }
  });

  test('the brief examples and the newest removal, each at its version', () => {
    const cases: Array<[string, string, string, string]> = [
      ['extensions/v1beta1', 'Ingress', '1.22', 'networking.k8s.io/v1'],
      ['policy/v1beta1', 'PodDisruptionBudget', '1.25', 'policy/v1'],
      ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.26', 'autoscaling/v2'],
      ['storage.k8s.io/v1beta1', 'CSIStorageCapacity', '1.27', 'storage.k8s.io/v1'],
      ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', '1.32', 'flowcontrol.apiserver.k8s.io/v1'],
      ['apps/v1beta2', 'Deployment', '1.16', 'apps/v1'],
    ];
    for (const [apiVersion, kind, removedIn, replacement] of cases) {
      const before = `1.${Number(removedIn.slice(2)) - 1}`;
      assert.deepEqual(removedApiFindings(before, [object(apiVersion, kind)]), [], `${apiVersion} ${kind} at ${before}`);
      const [finding] = removedApiFindings(removedIn, [object(apiVersion, kind)]);
      assert.deepEqual([finding?.removedIn, finding?.replacement], [removedIn, replacement], `${apiVersion} ${kind}`);
    }
  });

  test('the fix names the field changes the replacement brings', () => {
    const [ingress] = removedApiFindings('1.35', [object('networking.k8s.io/v1beta1', 'Ingress')]);
    assert.match(ingress!.message, /change apiVersion to networking\.k8s\.io\/v1; also spec\.backend is named spec\.defaultBackend; .*pathType/);
  });

  test('a replacement removed in turn is followed to one the version serves', () => {
    const flow = object('flowcontrol.apiserver.k8s.io/v1beta1', 'PriorityLevelConfiguration');
    assert.equal(removedApiFindings('1.26', [flow])[0]!.replacement, 'flowcontrol.apiserver.k8s.io/v1beta2');
    const [at35] = removedApiFindings('1.35', [flow]);
    assert.equal(at35!.removedIn, '1.26');
    assert.equal(at35!.replacement, 'flowcontrol.apiserver.k8s.io/v1');
    assert.match(at35!.message, /assuredConcurrencyShares is named nominalConcurrencyShares/);
  });

  test('a kind gone for good has no replacement, and the message says what to do instead', () => {
    const psp = object('extensions/v1beta1', 'PodSecurityPolicy');
    assert.equal(removedApiFindings('1.20', [psp])[0]!.replacement, 'policy/v1beta1');
    const [gone] = removedApiFindings('1.25', [psp]);
    assert.equal(gone!.replacement, undefined);
    assert.match(gone!.message, /^extensions\/v1beta1 PodSecurityPolicy was removed in Kubernetes 1\.16 and is not served by 1\.25: delete it .*Pod Security Admission/);
  });

  test('kinds never removed are served; kinds of groups kaji does not know are not judged', () => {
    for (const [apiVersion, kind] of [['apps/v1', 'Deployment'], ['v1', 'ConfigMap'], ['batch/v1', 'CronJob'], ['policy/v1beta1', 'Eviction']]) {
      assert.equal(removedApiVerdict('1.35', object(apiVersion!, kind!)), 'served', `${apiVersion} ${kind}`);
    }
    // A custom resource that happens to share a removed kind's name and version.
    const custom = object('example.com/v1beta1', 'CronJob');
    assert.equal(removedApiVerdict('1.35', custom), undefined);
    assert.equal(removedApiVerdict('1.35', object('argoproj.io/v1alpha1', 'Rollout')), undefined);
    assert.deepEqual(removedApiFindings('1.35', [custom, object('apps/v1', 'Deployment')]), []);
  });

  test("an alpha version of a Kubernetes group is not served at any version (EKS runs alpha APIs off); a custom resource's alpha is not judged", () => {
    for (const [apiVersion, kind] of [['batch/v2alpha1', 'CronJob'], ['rbac.authorization.k8s.io/v1alpha1', 'Role'], ['v1alpha1', 'Pod']]) {
      for (const version of ['1.20', '1.35']) {
        const verdict = removedApiVerdict(version, object(apiVersion!, kind!));
        assert.ok(verdict !== undefined && verdict !== 'served', `${apiVersion} ${kind} at ${version}`);
        assert.equal(verdict.removedIn, undefined);
        assert.equal(
          verdict.message,
          `${apiVersion} ${kind} is an alpha API, which EKS does not serve (its clusters run with alpha APIs off), so ${version} does not either: write the kind's stable apiVersion`,
        );
      }
    }
    assert.equal(removedApiVerdict('1.35', object('argoproj.io/v1alpha1', 'Application')), undefined);
  });

  test('findings keep input order; the version must be a minor version 1.N', () => {
    const ingress = object('extensions/v1beta1', 'Ingress', 'web');
    assert.deepEqual(removedApiFindings('1.35', [ingress, object('v1', 'Service'), cronJob]).map((f) => f.object.name), ['web', 'nightly']);
    assert.deepEqual(['1.35', '1.0', '1.9'].map(kubernetesMinor), [35, 0, 9]);
    for (const bad of ['1.x', '2', '2.0', 'v1.35', '1.35.1', '1.', '1.035', '']) assert.equal(kubernetesMinor(bad), undefined, bad);
    assert.throws(() => removedApiFindings('1.x', []), /"1\.x" is not a Kubernetes minor version such as 1\.35/);
  });
});
