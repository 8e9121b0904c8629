import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { JsonObject } from '../../src/kube/index.js';
import { auditObjects, defaultPolicyConfig, loadPolicyConfig, messagesOf } from '../../src/policy/index.js';
import { objectBoundaryFindings, serviceBoundary } from '../../src/platform/boundaries/index.js';
import { headroomComponent, headroomSize } from '../../src/platform/derive/components/headroom.js';
import { PLATFORM_DEFAULTS } from '../../src/platform/definition/schema.js';
import { deriveClusterFiles, PlatformErrors, webhookComponent, type GeneratedFile, type Headroom, type PlatformDefinition, type ServiceDefinition } from '../../src/platform/index.js';
import { definePlatform } from '../support/platform.js';
import { objectsFrom } from '../support/inputs.js';

const LABS_POLICY = fileURLToPath(new URL('../../examples/labs/polaris.yaml', import.meta.url));
const blue = { name: 'blue', kubernetesVersion: '1.32', weight: 255, retiring: false };

function service(name: string, cpu: string, memory: string): ServiceDefinition {
  return {
    name,
    team: 'web',
    namespace: name,
    image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${name}`,
    quota: { cpu, memory, pods: 20, storage: '0', persistentVolumeClaims: 0 },
    defaults: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    hosts: [],
    podSecurity: 'restricted',
    allowFrom: [],
    egress: [],
  };
}

/** 12 cpu and 22Gi of quota in all. */
const SERVICES = [service('shop', '6', '12Gi'), service('cart', '4', '8Gi'), service('billing', '2', '2Gi')];

function platformWith(headroom: Headroom, options: { webhook?: boolean; services?: ServiceDefinition[] } = {}): PlatformDefinition {
  const base = definePlatform();
  return definePlatform({
    capacity: { ...base.capacity, headroom },
    webhook: { ...base.webhook, enabled: options.webhook ?? true },
    teams: [{ name: 'web', identity: 'arn:aws:iam::111122223333:role/web' }],
    services: options.services ?? SERVICES,
  });
}

const PAUSE_IMAGE = PLATFORM_DEFAULTS.headroomImage;
const units = (cpu: string, memory: string, image: string = PAUSE_IMAGE): Headroom => ({ kind: 'units', cpu, memory, image });
const percent = (value: number): Headroom => ({ kind: 'percent', percent: value, image: PAUSE_IMAGE });

/** Every file of the cluster, with the default components (webhook and headroom). */
function clusterFiles(platform: PlatformDefinition): GeneratedFile[] {
  return deriveClusterFiles(platform, blue, { policyText: 'checks: {}\n' });
}

function headroomFiles(platform: PlatformDefinition): GeneratedFile[] {
  return clusterFiles(platform).filter((f) => f.path.startsWith('clusters/blue/platform/headroom/'));
}

function objectsOf(files: readonly GeneratedFile[]): JsonObject[] {
  return files.flatMap((f) => loadAll(f.content) as JsonObject[]);
}

function find(objects: readonly JsonObject[], kind: string): JsonObject {
  const found = objects.find((o) => o.kind === kind);
  assert.ok(found, `no ${kind}`);
  return found;
}

function podSpec(objects: readonly JsonObject[]): JsonObject {
  return ((find(objects, 'Deployment').spec as JsonObject).template as JsonObject).spec as JsonObject;
}

/** Replicas, and each pod's cpu and memory as the Deployment writes them. */
function placeholders(platform: PlatformDefinition): [number, string, string] {
  const objects = objectsOf(headroomFiles(platform));
  const container = (podSpec(objects).containers as JsonObject[])[0]!;
  const resources = container.resources as { requests: JsonObject; limits: JsonObject };
  assert.deepEqual(resources.limits, resources.requests, 'requests equal limits');
  return [(find(objects, 'Deployment').spec as JsonObject).replicas as number, resources.requests.cpu as string, resources.requests.memory as string];
}

describe('headroom sizing', () => {
  test('fixed units: slices of 1 cpu with memory in proportion', () => {
    // 4 cpu → 4 slices of 1 cpu; 8Gi / 4 = 2Gi each.
    assert.deepEqual(placeholders(platformWith(units('4', '8Gi'))), [4, '1', '2Gi']);
  });

  test('fixed units: each slice at most 1 cpu and 4Gi, at least two, shares rounded up', () => {
    // 2500m → 3 slices (2 would be 1250m each); 834m × 3 = 2502m ≥ 2500m; 3Gi / 3 = 1Gi.
    assert.deepEqual(placeholders(platformWith(units('2500m', '3Gi'))), [3, '834m', '1Gi']);
    // 10Gi → 3 slices of at most 4Gi; 1000m / 3 = 333.3m → 334m; 10240Mi / 3 = 3413.3Mi → 3414Mi.
    assert.deepEqual(placeholders(platformWith(units('1', '10Gi'))), [3, '334m', '3414Mi']);
    // Small headroom still makes two pods (one per zone).
    assert.deepEqual(placeholders(platformWith(units('100m', '128Mi'))), [2, '50m', '64Mi']);
    // Under 32Mi a container may not even start: each pod holds 32Mi at least.
    assert.deepEqual(placeholders(platformWith(units('1', '10Mi'))), [2, '500m', '32Mi']);
  });

  test('percent: of the sum of the services\' quota cpu and memory', () => {
    // 10 % of 12 cpu = 1200m; 10 % of 22Gi = 2252.8Mi, rounded up to 2253Mi; two slices:
    // 600m each, and 1126.5Mi → 1127Mi each.
    assert.deepEqual(placeholders(platformWith(percent(10))), [2, '600m', '1127Mi']);
    const size = headroomSize(platformWith(percent(10)))!;
    assert.equal(size.cpuMilli, 1200n);
    assert.equal(size.memory, 2253n * 1024n * 1024n);
    // 12.5 % is exact: 1500m and 2.75Gi = 2816Mi.
    assert.deepEqual(placeholders(platformWith(percent(12.5))), [2, '750m', '1408Mi']);
    // 50 % of 12 cpu and 22Gi: 6 slices of 1 cpu; 11Gi / 6 = 1877.3Mi → 1878Mi.
    assert.deepEqual(placeholders(platformWith(percent(50))), [6, '1', '1878Mi']);
  });

  test('percent: quotas in any unit are summed exactly (millicores, decimal bytes)', () => {
    const services = [service('shop', '2500m', '1G'), service('cart', '1.5', '500M')];
    // 4000m and 1.5e9 bytes; half is 2000m and 750000000 bytes = 715.3Mi → 716Mi: two pods
    // of 1 cpu and 358Mi.
    assert.deepEqual(placeholders(platformWith(percent(50), { services })), [2, '1', '358Mi']);
    assert.equal(headroomSize(platformWith(percent(50), { services }))!.memory, 716n * 1024n * 1024n);
    assert.match(headroomSize(platformWith(percent(50), { services }))!.source, /\(4 cpu, 1500M memory\) = 2 cpu, 716Mi memory$/);
  });

  test('the generated file says how it was sized', () => {
    const deployment = headroomFiles(platformWith(percent(10))).find((f) => f.path.endsWith('/deployment.yaml'))!;
    assert.ok(
      deployment.content.includes("\n# 2 placeholder pods of 600m cpu and 1127Mi memory (capacity.headroom: 10 % of the services' quotas (12 cpu, 22Gi memory) = 1200m cpu, 2253Mi memory).\n"),
      deployment.content,
    );
    const fixed = headroomFiles(platformWith(units('4', '8Gi'))).find((f) => f.path.endsWith('/deployment.yaml'))!;
    assert.match(fixed.content, /^# 4 placeholder pods of 1 cpu and 2Gi memory \(capacity\.headroom: 4 cpu, 8Gi memory\)\.$/m);
    assert.doesNotMatch(fixed.content, /Together they hold/, 'rounding alone is not stated');
  });

  test('lopsided headroom: the memory the placeholders really hold is stated where their 32Mi minimum lifts it', () => {
    // 250 cpu → 250 pods; 1Gi / 250 = 4.1Mi → 5Mi, lifted to 32Mi: 250 × 32Mi = 8000Mi, not 1Gi.
    const size = headroomSize(platformWith(units('250', '1Gi')))!;
    assert.deepEqual([size.replicas, size.podMemory, size.heldMemory], [250, '32Mi', 8000n * 1024n * 1024n]);
    const deployment = headroomFiles(platformWith(units('250', '1Gi'))).find((f) => f.path.endsWith('/deployment.yaml'))!;
    assert.ok(
      deployment.content.includes('\n# 250 placeholder pods of 1 cpu and 32Mi memory (capacity.headroom: 250 cpu, 1Gi memory).\n# Together they hold 8000Mi memory, more than asked: no placeholder holds less than 32Mi.\n'),
      deployment.content,
    );
  });

  test('no headroom (percent 0, cpu 0, memory 0, no quota at all): no files; the project still allows PriorityClass, so Argo CD prunes one left from before', () => {
    for (const [what, platform] of [
      ['percent 0', platformWith(percent(0))],
      ['cpu 0', platformWith(units('0', '8Gi'))],
      ['memory 0', platformWith(units('4', '0'))],
      ['no services', platformWith(percent(10), { services: [] })],
    ] as const) {
      const files = clusterFiles(platform);
      assert.deepEqual(files.filter((f) => f.path.includes('/platform/headroom/')), [], what);
      assert.equal(headroomSize(platform), undefined, what);
      const project = objectsOf(files.filter((f) => f.path.endsWith('projects/kaji-platform.yaml')))[0]!;
      assert.ok(JSON.stringify((project.spec as JsonObject).clusterResourceWhitelist).includes('"PriorityClass"'), what);
    }
  });

  test('more than 1000 placeholders is refused, naming capacity.headroom in platform.yaml', () => {
    const platform = { ...platformWith(units('1001', '8Gi')), file: 'platform.yaml' };
    assert.throws(
      () => clusterFiles(platform),
      (error: unknown) =>
        error instanceof PlatformErrors &&
        /^platform\.yaml: capacity\.headroom: 1001 cpu and 8Gi memory of headroom would take 1001 placeholder pods .* more than 1000: .*lower it/.test(error.describe()),
    );
    assert.equal(placeholders(platformWith(units('1000', '8Gi')))[0], 1000);
  });
});

describe('headroom objects', () => {
  const objects = objectsOf(headroomFiles(platformWith(units('4', '8Gi'))));

  test('files under platform/headroom/: the PriorityClass, the network policy, the Deployment and its budget', () => {
    assert.deepEqual(
      headroomFiles(platformWith(units('4', '8Gi'))).map((f) => f.path),
      ['deployment.yaml', 'networkpolicy.yaml', 'priorityclass.yaml'].map((name) => `clusters/blue/platform/headroom/${name}`),
    );
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'PriorityClass']);
  });

  test('PriorityClass kaji-headroom: below the default 0, not the default, preempts nobody', () => {
    const priority = find(objects, 'PriorityClass');
    assert.equal(priority.apiVersion, 'scheduling.k8s.io/v1');
    assert.equal((priority.metadata as JsonObject).name, 'kaji-headroom');
    assert.equal(priority.value, -10);
    assert.equal(priority.globalDefault, false);
    assert.equal(priority.preemptionPolicy, 'Never');
    assert.match(priority.description as string, /preempt/);
  });

  test('the pods: pause at kaji-headroom in kaji-system, hardened like the webhook, no tolerations, no token', () => {
    const deployment = find(objects, 'Deployment');
    assert.equal((deployment.metadata as JsonObject).namespace, 'kaji-system');
    const spec = podSpec(objects);
    assert.equal(spec.priorityClassName, 'kaji-headroom');
    assert.equal(spec.tolerations, undefined, 'they stay off the tainted system nodes');
    assert.equal(spec.nodeSelector, undefined);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.deepEqual(spec.securityContext, { runAsNonRoot: true, runAsUser: 65535, runAsGroup: 65535, seccompProfile: { type: 'RuntimeDefault' } });
    const container = (spec.containers as JsonObject[])[0]!;
    assert.equal(container.image, PAUSE_IMAGE);
    assert.match(PAUSE_IMAGE, /^registry\.k8s\.io\/pause:\d+\.\d+(\.\d+)?$/, 'a pinned tag');
    // capacity.headroom.image: a mirror the nodes can reach and the policy allows.
    const mirror = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/mirror/pause:3.10.2';
    const mirrored = podSpec(objectsOf(headroomFiles(platformWith(units('4', '8Gi', mirror)))));
    assert.equal((mirrored.containers as JsonObject[])[0]!.image, mirror);
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // Nothing to probe but the container itself: `pause -v` prints its version and exits 0.
    assert.deepEqual((container.livenessProbe as JsonObject).exec, { command: ['/pause', '-v'] });
    assert.deepEqual(find(objects, 'PodDisruptionBudget').spec, { maxUnavailable: '100%', selector: { matchLabels: { 'app.kubernetes.io/name': 'kaji-headroom' } } });
  });

  test('sync waves: class and policy with the namespace, before any pod; the pods after the webhook registers', () => {
    const wave = (kind: string) => Number(((find(objects, kind).metadata as JsonObject).annotations as JsonObject)['argocd.argoproj.io/sync-wave']);
    const webhook = objectsOf(clusterFiles(platformWith(units('4', '8Gi'))).filter((f) => f.path.includes('/platform/webhook/')));
    const webhookWave = (kind: string) => Number(((find(webhook, kind).metadata as JsonObject).annotations as JsonObject)['argocd.argoproj.io/sync-wave']);
    assert.equal(wave('PriorityClass'), webhookWave('Namespace'));
    assert.equal(wave('NetworkPolicy'), webhookWave('Namespace'));
    assert.ok(wave('Deployment') > webhookWave('ValidatingWebhookConfiguration'));
  });

  test('the network policy selects the pods and lets nothing else in or out', () => {
    const policy = find(objects, 'NetworkPolicy');
    const themselves = [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kaji-headroom' } } }];
    assert.deepEqual(policy.spec, {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kaji-headroom' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: themselves }],
      egress: [{ to: themselves }],
    });
    const labels = (((find(objects, 'Deployment').spec as JsonObject).template as JsonObject).metadata as JsonObject).labels as JsonObject;
    assert.equal(labels['app.kubernetes.io/name'], 'kaji-headroom');
  });

  test("everything passes kaji's default policy with no danger and no warning", () => {
    const text = headroomFiles(platformWith(units('4', '8Gi'))).map((f) => f.content).join('---\n');
    const audit = auditObjects(objectsFrom(text), defaultPolicyConfig(), { sourceName: 'headroom' });
    const failed = audit.Results.flatMap((result) => [...messagesOf(result)].filter((m) => !m.Success).map((m) => `${result.Kind}/${result.Name}: ${m.ID}`));
    assert.deepEqual(failed, []);
    assert.ok(audit.Results.some((result) => result.Kind === 'Deployment'), 'the Deployment was audited');
  });

  test("the example's policy objects only to the registry (registry.k8s.io, not its ECR): the webhook never judges kaji-system", async () => {
    const policy = await loadPolicyConfig({ file: LABS_POLICY });
    const text = headroomFiles(platformWith(units('4', '8Gi'))).map((f) => f.content).join('---\n');
    const audit = auditObjects(objectsFrom(text), policy, { sourceName: 'headroom' });
    const failed = audit.Results.flatMap((result) => [...messagesOf(result)].filter((m) => !m.Success).map((m) => `${result.Kind}/${result.Name}: ${m.ID}`));
    assert.deepEqual(failed, ['Deployment/kaji-headroom: imageFromDockerHub']);
    const webhook = objectsOf(clusterFiles(platformWith(units('4', '8Gi'))).filter((f) => f.path.endsWith('/platform/webhook/webhooks.yaml')));
    for (const hook of find(webhook, 'ValidatingWebhookConfiguration').webhooks as JsonObject[]) {
      const [byName] = (hook.namespaceSelector as JsonObject).matchExpressions as JsonObject[];
      assert.equal(byName!.operator, 'NotIn');
      assert.ok((byName!.values as string[]).includes('kaji-system'), JSON.stringify(byName));
    }
  });
});

describe('headroom in the cluster', () => {
  const namespaces = (files: readonly GeneratedFile[]) =>
    files.filter((f) => f.path.includes('/platform/')).flatMap((f) => (loadAll(f.content) as JsonObject[]).filter((o) => o.kind === 'Namespace').map(() => f.path));

  // Also with no headroom and no webhook: kaji-platform keeps a file, so its Application (no finalizer) stays and prunes what a component turned off leaves.
  test('kaji-system\'s Namespace is written exactly once: the webhook\'s, else headroom\'s, with or without headroom', () => {
    assert.deepEqual(namespaces(clusterFiles(platformWith(units('4', '8Gi')))), ['clusters/blue/platform/webhook/namespace.yaml']);
    assert.deepEqual(namespaces(clusterFiles(platformWith(percent(0)))), ['clusters/blue/platform/webhook/namespace.yaml']);
    assert.deepEqual(namespaces(clusterFiles(platformWith(units('4', '8Gi'), { webhook: false }))), ['clusters/blue/platform/headroom/namespace.yaml']);
    assert.deepEqual(namespaces(clusterFiles(platformWith(percent(0), { webhook: false }))), ['clusters/blue/platform/headroom/namespace.yaml']);
    // The same object either way.
    const [fromWebhook] = objectsOf(clusterFiles(platformWith(units('4', '8Gi'))).filter((f) => f.path.endsWith('webhook/namespace.yaml')));
    const [fromHeadroom] = objectsOf(clusterFiles(platformWith(units('4', '8Gi'), { webhook: false })).filter((f) => f.path.endsWith('headroom/namespace.yaml')));
    assert.deepEqual(fromHeadroom, fromWebhook);
  });

  test('the kaji-platform project: PriorityClass the one cluster-scoped kind headroom adds, whether the webhook is on or off', () => {
    const whitelist = (platform: PlatformDefinition) =>
      (objectsOf(clusterFiles(platform).filter((f) => f.path.endsWith('projects/kaji-platform.yaml')))[0]!.spec as JsonObject).clusterResourceWhitelist;
    assert.deepEqual(whitelist(platformWith(units('4', '8Gi'), { webhook: false })), whitelist(platformWith(units('4', '8Gi'))));
    assert.deepEqual(whitelist(platformWith(units('4', '8Gi'))), [
      { group: '', kind: 'Namespace' },
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
      { group: 'scheduling.k8s.io', kind: 'PriorityClass' },
    ]);
    assert.deepEqual(headroomComponent.clusterScopedKinds, [{ group: 'scheduling.k8s.io', kind: 'PriorityClass' }]);
    // Only the headroom: the platform application exists for it alone.
    const files = deriveClusterFiles(platformWith(units('4', '8Gi'), { webhook: false }), blue, { components: [headroomComponent] });
    assert.ok(files.some((f) => f.path === 'clusters/blue/argocd/kaji-platform.yaml'));
    assert.deepEqual(deriveClusterFiles(platformWith(percent(0)), blue, { components: [webhookComponent, headroomComponent], policyText: '' }).filter((f) => f.path.includes('/headroom/')), []);
  });

  test('a retiring cluster keeps no placeholders (no Deployment, no pods to hold nodes), but kaji-platform, the Namespace, the class and the policy stay', () => {
    const retiring = { ...blue, retiring: true };
    for (const webhook of [true, false]) {
      const platform = platformWith(units('4', '8Gi'), { webhook });
      const files = deriveClusterFiles(platform, retiring, { policyText: 'checks: {}\n' });
      const headroom = files.filter((f) => f.path.startsWith('clusters/blue/platform/headroom/'));
      assert.deepEqual(
        objectsOf(headroom).map((o) => o.kind),
        [...(webhook ? [] : ['Namespace']), 'NetworkPolicy', 'PriorityClass'],
        `webhook ${webhook ? 'on' : 'off'}`,
      );
      // With the webhook off, the headroom's Namespace is what keeps kaji-platform's path: its Application has no finalizer, so pruning it would orphan the placeholders.
      assert.ok(files.some((f) => f.path === 'clusters/blue/argocd/kaji-platform.yaml'), `webhook ${webhook ? 'on' : 'off'}`);
      assert.equal(objectsOf(files).filter((o) => o.kind === 'Deployment' && (o.metadata as JsonObject).name === 'kaji-headroom').length, 0);
    }
  });

  test('a tenant pod at kaji-headroom is harmless, so not refused: it preempts nobody, everything preempts it, and it counts in its quota', () => {
    const platform = platformWith(units('4', '8Gi'));
    const shop = platform.services[0]!;
    const [deployment] = objectsFrom(`apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: shop}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      priorityClassName: kaji-headroom
      containers: [{name: app, image: ${shop.image}:1.0.0}]
`);
    assert.deepEqual(objectBoundaryFindings(deployment!, serviceBoundary(platform, shop)), []);
    // What makes it harmless is the class itself, the same for every pod that names it.
    const priority = find(objectsOf(headroomFiles(platform)), 'PriorityClass');
    assert.ok((priority.value as number) < 0);
    assert.equal(priority.preemptionPolicy, 'Never');
    // The tenant's quota covers every pod of the namespace, whatever its priority class.
    const quotas = objectsOf(clusterFiles(platform).filter((f) => f.path === 'clusters/blue/tenants/shop/resourcequota.yaml'));
    const unscoped = quotas.filter((q) => (q.spec as JsonObject).scopeSelector === undefined);
    assert.equal(unscoped.length, 1);
    assert.ok(((unscoped[0]!.spec as JsonObject).hard as JsonObject)['requests.cpu']);
    // The cluster's own classes stay refused (the same rule, for contrast).
    const system = objectsFrom(`apiVersion: v1
kind: Pod
metadata: {name: shop, namespace: shop}
spec:
  priorityClassName: system-node-critical
  containers: [{name: app, image: ${shop.image}:1.0.0}]
`);
    assert.equal(objectBoundaryFindings(system[0]!, serviceBoundary(platform, shop)).length, 1);
  });
});
