// What a namespace's pods request at most, against its ResourceQuota: the pod counts of each
// kind, the rolling update's surge, an HPA's maxReplicas and the LimitRange's defaults, worked
// out by hand beside each case.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { limitRangeDefaults, namespaceRequests, quotaHard, quotaPods } from '../../src/capacity/quota-fit.js';
import { CapacityError } from '../../src/capacity/index.js';
import type { JsonObject } from '../../src/kube/index.js';

const MiB = 2n ** 20n;

/** A workload whose pods run one container with these requests (none when undefined). */
function workload(kind: string, name: string, spec: JsonObject, requests?: JsonObject): JsonObject {
  const podSpec = { containers: [{ name: 'app', image: 'app:1', ...(requests ? { resources: { requests } } : {}) }] };
  const withPods =
    kind === 'Pod' ? { ...spec, ...podSpec } : kind === 'CronJob' ? { ...spec, jobTemplate: { spec: { ...spec.job as JsonObject, template: { spec: podSpec } } } } : { ...spec, template: { spec: podSpec } };
  if (kind === 'CronJob') delete (withPods as JsonObject).job;
  return { apiVersion: 'apps/v1', kind, metadata: { name }, spec: withPods };
}

const total = (objects: JsonObject[], defaults = {}) => namespaceRequests(objects, defaults, 'apps/shop/overlays/blue');

describe('namespaceRequests', () => {
  test('a Deployment: replicas plus the default surge of 25 %, rounded up; a Recreate one without surge', () => {
    // 2 replicas + ceil(0.5) = 3 pods of 100m / 64Mi.
    assert.deepEqual(total([workload('Deployment', 'web', { replicas: 2 }, { cpu: '100m', memory: '64Mi' })]).total, { cpu: 300n, memory: 192n * MiB });
    // No replicas: 1, plus ceil(0.25) = 1.
    assert.deepEqual(total([workload('Deployment', 'web', {}, { cpu: '100m', memory: '64Mi' })]).total, { cpu: 200n, memory: 128n * MiB });
    assert.equal(total([workload('Deployment', 'web', { replicas: 4, strategy: { type: 'Recreate' } }, { cpu: '100m' })]).total.cpu, 400n);
  });

  test("a Deployment's own maxSurge: a number of pods, or a percent of the replicas rounded up", () => {
    const surge = (maxSurge: number | string) => total([workload('Deployment', 'web', { replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge } } }, { cpu: '10m' })]).total.cpu;
    assert.equal(surge(0), 100n);
    assert.equal(surge(3), 130n);
    assert.equal(surge('15%'), 120n); // ceil(1.5) = 2
    assert.equal(surge('100%'), 200n);
  });

  test("an HPA's maxReplicas replaces the replicas of the workload it scales, and only of that one", () => {
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 8 } };
    // web: 8 + 2 surge = 10 pods of 100m; api: 2 + 1 = 3 pods of 100m.
    const objects = [workload('Deployment', 'web', { replicas: 2 }, { cpu: '100m' }), workload('Deployment', 'api', { replicas: 2 }, { cpu: '100m' }), hpa];
    assert.equal(total(objects).total.cpu, 1300n);
  });

  test('StatefulSet and ReplicaSet replicas without surge; Job and CronJob parallelism; a Pod once', () => {
    const objects = [
      workload('StatefulSet', 'db', { replicas: 3 }, { cpu: '1' }), // 3000m
      workload('ReplicaSet', 'old', { replicas: 2 }, { cpu: '10m' }), // 20m
      workload('Job', 'migrate', { parallelism: 4 }, { cpu: '100m' }), // 400m
      workload('Job', 'once', {}, { cpu: '7m' }), // 7m
      workload('CronJob', 'report', { schedule: '@daily', job: { parallelism: 2 } }, { cpu: '50m' }), // 100m
      workload('Pod', 'debug', {}, { cpu: '5m' }), // 5m
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config' }, data: {} },
    ];
    assert.deepEqual(total(objects), { total: { cpu: 3532n, memory: 0n }, uncounted: [] });
  });

  test('a DaemonSet is not counted, and named', () => {
    const result = total([workload('DaemonSet', 'agent', {}, { cpu: '1' }), workload('Deployment', 'web', { replicas: 3 }, { cpu: '100m' })]);
    assert.deepEqual(result, { total: { cpu: 400n, memory: 0n }, uncounted: ['DaemonSet/agent'] }); // web: 3 + ceil(0.75) = 4 pods
  });

  test("the LimitRange's default request for a container that sets neither request nor limit; a limit stands for the request", () => {
    const pod = (resources: JsonObject): JsonObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        initContainers: [{ name: 'init', image: 'i:1' }],
        containers: [{ name: 'app', image: 'a:1', resources }, { name: 'side', image: 's:1', resources: { requests: { memory: '32Mi' } } }],
      },
    });
    const defaults = { cpu: 100n, memory: 128n * MiB };
    // app: defaults (100m, 128Mi); side: 100m (default) and its 32Mi; init: 100m, 128Mi, below the sum.
    assert.deepEqual(total([pod({})], defaults).total, { cpu: 200n, memory: 160n * MiB });
    // app's limits stand for its requests (the API server copies them): 300m, 256Mi.
    assert.deepEqual(total([pod({ limits: { cpu: '300m', memory: '256Mi' } })], defaults).total, { cpu: 400n, memory: 288n * MiB });
    assert.deepEqual(total([pod({})]).total, { cpu: 0n, memory: 32n * MiB });
  });

  test("the quota's pods caps the count: at most that many run at once, the largest first, per resource", () => {
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 40 } };
    const objects = [
      workload('Deployment', 'web', { replicas: 2 }, { cpu: '100m', memory: '64Mi' }), // 40 + 10 surge = 50 pods
      workload('StatefulSet', 'db', { replicas: 3 }, { cpu: '50m', memory: '1Gi' }), // 3 pods
      hpa,
    ];
    // Uncapped: 50 × 100m + 3 × 50m; 50 × 64Mi + 3 × 1Gi.
    assert.deepEqual(total(objects).total, { cpu: 5150n, memory: (50n * 64n + 3n * 1024n) * MiB });
    // 20 pods: cpu the 20 largest (web's 100m), memory db's 3 × 1Gi then 17 of web's 64Mi.
    assert.deepEqual(namespaceRequests(objects, {}, 'apps/shop/overlays/blue', 20).total, { cpu: 2000n, memory: (3n * 1024n + 17n * 64n) * MiB });
    assert.deepEqual(namespaceRequests(objects, {}, 'apps/shop/overlays/blue', 0).total, { cpu: 0n, memory: 0n });
  });

  test('a request that is no quantity is a CapacityError naming the render, the workload and the field', () => {
    assert.throws(
      () => total([workload('Deployment', 'web', {}, { cpu: 'lots' })]),
      (error: unknown) => error instanceof CapacityError && /^apps\/shop\/overlays\/blue: Deployment web: spec\.containers\[0\]\.resources\.requests\.cpu must be a Kubernetes quantity/.test(error.message),
    );
  });
});

describe('quotaHard and limitRangeDefaults', () => {
  test('the smallest requests.<resource> (or <resource>) of the quotas without scopes', () => {
    const quota = (hard: JsonObject, extra: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard, ...extra } });
    const objects = [
      quota({ 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.memory': '1Gi', pods: '20' }),
      quota({ cpu: '3500m' }),
      quota({ 'requests.memory': '1Gi' }, { scopes: ['BestEffort'] }),
      quota({ pods: '0', 'requests.cpu': '1m' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-node-critical'] }] } }),
    ];
    assert.deepEqual(quotaHard(objects, 'resourcequota.yaml'), { cpu: 3500n, memory: 8n * 1024n * MiB });
    assert.deepEqual(quotaHard([quota({ pods: '3' })], 'resourcequota.yaml'), {});
  });

  test("quotaPods: the smallest pods (or count/pods) of the quotas without scopes; none when no quota says", () => {
    const quota = (hard: JsonObject, extra: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard, ...extra } });
    assert.equal(quotaPods([quota({ pods: '20' }), quota({ 'count/pods': 15 }), quota({ pods: '0' }, { scopes: ['BestEffort'] })], 'resourcequota.yaml'), 15);
    assert.equal(quotaPods([quota({ 'requests.cpu': '4' })], 'resourcequota.yaml'), undefined);
    assert.throws(() => quotaPods([quota({ pods: 'many' })], 'resourcequota.yaml'), /^CapacityError: resourcequota\.yaml: ResourceQuota: spec\.hard\.pods must be a Kubernetes quantity/);
  });

  test("a LimitRange's Container defaultRequest", () => {
    const limitRange: JsonObject = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{ type: 'Pod', max: { cpu: '4' } }, { type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] } };
    assert.deepEqual(limitRangeDefaults([limitRange], 'limitrange.yaml'), { cpu: 100n, memory: 128n * MiB });
    assert.deepEqual(limitRangeDefaults([], 'limitrange.yaml'), {});
  });
});
