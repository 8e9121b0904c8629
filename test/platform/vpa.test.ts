// The recommendation-only VerticalPodAutoscalers derive writes per workload, and
// what lets them through Argo CD (the platform's project) and keeps tenants off them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { load, loadAll } from 'js-yaml';
import type { JsonObject } from '../../src/kube/index.js';
import {
  deriveClusterFiles,
  recommendedWorkloads,
  verticalPodAutoscalerObject,
  vpaName,
  type WorkloadRef,
} from '../../src/platform/derive/index.js';
import type { ClusterDefinition, ServiceDefinition } from '../../src/platform/types.js';
import { definePlatform } from '../support/platform.js';

const shop: ServiceDefinition = {
  name: 'shop',
  team: 'web',
  namespace: 'shop-ns',
  image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop',
  quota: { cpu: '2500m', memory: '6Gi', pods: 20, storage: '0', persistentVolumeClaims: 0 },
  defaults: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  hosts: [],
  podSecurity: 'restricted',
  allowFrom: [],
  egress: [],
};
const cart: ServiceDefinition = { ...shop, name: 'cart', namespace: 'cart' };
const blue: ClusterDefinition = { name: 'blue', kubernetesVersion: '1.32', weight: 255, retiring: false };
const platform = definePlatform({ clusters: [blue], services: [shop, cart] });

const object = (apiVersion: string, kind: string, name: string): JsonObject => ({ apiVersion, kind, metadata: { name, namespace: 'shop-ns' } });

describe('recommendedWorkloads', () => {
  test("apps/v1 Deployments, StatefulSets and DaemonSets, each once, by kind then name; nothing else", () => {
    const rendered = [
      object('apps/v1', 'StatefulSet', 'db'),
      object('apps/v1', 'Deployment', 'web'),
      object('apps/v1', 'Deployment', 'api'),
      object('apps/v1', 'Deployment', 'api'), // twice in the stream: one VPA
      object('apps/v1', 'DaemonSet', 'agent'),
      object('batch/v1', 'CronJob', 'nightly'), // the recommender has nothing steady to watch
      object('batch/v1', 'Job', 'migrate'),
      object('v1', 'Pod', 'debug'),
      object('extensions/v1beta1', 'Deployment', 'old'), // not the kind the targetRef names
      object('example.com/v1', 'Deployment', 'custom'),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} }, // no name
    ];
    assert.deepEqual(recommendedWorkloads(rendered), [
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' },
    ]);
  });

  test('what an HPA scales a workload on is left out (v1: cpu; v2: its Resource and ContainerResource metrics, cpu without any); both: no VPA', () => {
    const hpa = (apiVersion: string, name: string, spec: JsonObject): JsonObject => ({ apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, maxReplicas: 5, ...spec } });
    const resource = (name: string) => ({ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: 70 } } });
    const rendered = [
      ...['v1', 'v2cpu', 'v2none', 'v2mem', 'v2both', 'v2pods', 'other'].map((name) => object('apps/v1', 'Deployment', name)),
      hpa('autoscaling/v1', 'v1', { targetCPUUtilizationPercentage: 60 }),
      hpa('autoscaling/v2', 'v2cpu', { metrics: [resource('cpu')] }),
      hpa('autoscaling/v2', 'v2none', {}),
      hpa('autoscaling/v2', 'v2mem', { metrics: [{ type: 'ContainerResource', containerResource: { name: 'memory', container: 'app', target: { type: 'Utilization', averageUtilization: 70 } } }] }),
      hpa('autoscaling/v2', 'v2both', { metrics: [resource('cpu'), resource('memory')] }),
      hpa('autoscaling/v2', 'v2pods', { metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } }] }),
    ];
    const found = recommendedWorkloads(rendered);
    assert.deepEqual(
      found.map((w) => `${w.name}: ${w.scaledOn?.join(',') ?? '-'}`),
      ['other: -', 'v1: cpu', 'v2cpu: cpu', 'v2mem: memory', 'v2none: cpu', 'v2pods: -'],
    );
    const controlled = (workload: WorkloadRef) =>
      ((verticalPodAutoscalerObject(shop, blue, workload).spec as { resourcePolicy: { containerPolicies: { controlledResources: string[] }[] } }).resourcePolicy.containerPolicies[0]!).controlledResources;
    assert.deepEqual(controlled(found.find((w) => w.name === 'v2cpu')!), ['memory']);
    assert.deepEqual(controlled(found.find((w) => w.name === 'v2mem')!), ['cpu']);
    assert.deepEqual(controlled(found.find((w) => w.name === 'other')!), ['cpu', 'memory']);
  });
});

describe('verticalPodAutoscalerObject', () => {
  const web: WorkloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

  test('recommendation only, for the workload, every container, capped at the service quota; labelled with its cluster', () => {
    assert.deepEqual(verticalPodAutoscalerObject(shop, blue, web), {
      apiVersion: 'autoscaling.k8s.io/v1',
      kind: 'VerticalPodAutoscaler',
      metadata: {
        name: 'kaji-deployment-web',
        namespace: 'shop-ns',
        labels: { 'app.kubernetes.io/managed-by': 'kaji', 'kaji.dev/cluster': 'blue', 'kaji.dev/service': 'shop', 'kaji.dev/team': 'web' },
      },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        updatePolicy: { updateMode: 'Off' },
        resourcePolicy: {
          containerPolicies: [{ containerName: '*', controlledResources: ['cpu', 'memory'], maxAllowed: { cpu: '2500m', memory: '6Gi' } }],
        },
      },
    });
  });

  test('names keep kinds apart and stay within 253 characters, the same every time', () => {
    assert.equal(vpaName({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' }), 'kaji-statefulset-web');
    const long = { apiVersion: 'apps/v1', kind: 'Deployment', name: `${'a'.repeat(200)}.${'b'.repeat(52)}` } as const;
    const other = { ...long, name: `${'a'.repeat(200)}.${'b'.repeat(51)}c` };
    const name = vpaName(long);
    assert.equal(name.length, 253);
    assert.match(name, /^kaji-deployment-a+\.b+-[0-9a-f]{10}$/);
    assert.equal(vpaName(long), name);
    assert.notEqual(vpaName(other), name, 'names cut to the same prefix differ by their hash');
  });
});

describe('deriveClusterFiles with workloads', () => {
  const workloads = new Map<string, WorkloadRef[]>([
    ['shop', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }]],
    ['cart', []],
  ]);
  const files = deriveClusterFiles(platform, blue, { workloads, policyText: 'checks: {}\n' });
  const file = (path: string) => files.find((f) => f.path === path);

  test("tenants/<service>/verticalpodautoscalers.yaml holds one per workload, in the service's namespace", () => {
    const vpas = file('clusters/blue/tenants/shop/verticalpodautoscalers.yaml');
    assert.ok(vpas);
    const documents = loadAll(vpas.content) as JsonObject[];
    assert.deepEqual(
      documents.map((d) => [(d.metadata as JsonObject).name, (d.metadata as JsonObject).namespace, (d.spec as JsonObject).targetRef]),
      [
        ['kaji-deployment-web', 'shop-ns', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
        ['kaji-statefulset-db', 'shop-ns', { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }],
      ],
    );
    assert.match(vpas.content, /^# Generated by kaji synth/);
    assert.match(vpas.content, /apps\/shop\/overlays\/blue\/ renders/);
    // YAML 1.1 (kubectl, Argo CD) reads a plain Off as false: the mode must be quoted.
    assert.match(vpas.content, /updateMode: 'Off'/);
    assert.equal(((load(vpas.content.split('---\n')[0]!) as JsonObject).spec as JsonObject & { updatePolicy: JsonObject }).updatePolicy.updateMode, 'Off');
  });

  test('no file for a service without workloads, nor for one synth could not render (not in the map)', () => {
    assert.equal(file('clusters/blue/tenants/cart/verticalpodautoscalers.yaml'), undefined);
    const none = deriveClusterFiles(platform, blue, { policyText: 'checks: {}\n' });
    assert.equal(none.filter((f) => f.path.endsWith('verticalpodautoscalers.yaml')).length, 0);
    assert.deepEqual(
      none.map((f) => f.path),
      files.map((f) => f.path).filter((path) => !path.endsWith('verticalpodautoscalers.yaml')),
      'the other files do not depend on the workloads',
    );
  });

  test("the platform's project syncs them (namespaced kinds are not narrowed); the tenant's project refuses the kind", () => {
    const tenants = load(file('clusters/blue/argocd/kaji-tenants.yaml')!.content) as { spec: { project: string } };
    const project = load(file(`clusters/blue/argocd/projects/${tenants.spec.project}.yaml`)!.content) as { spec: Record<string, unknown> };
    assert.equal(project.spec.namespaceResourceWhitelist, undefined);
    assert.equal(project.spec.namespaceResourceBlacklist, undefined);
    assert.ok((project.spec.destinations as { namespace: string }[]).some((d) => d.namespace === 'shop-ns'));
    const tenant = load(file('clusters/blue/argocd/projects/shop.yaml')!.content) as { spec: { namespaceResourceBlacklist: unknown[] } };
    assert.ok(tenant.spec.namespaceResourceBlacklist.some((k) => JSON.stringify(k) === JSON.stringify({ group: 'autoscaling.k8s.io', kind: 'VerticalPodAutoscaler' })));
  });

  test("the team's Role reads the recommendations, and only reads", () => {
    const [role] = loadAll(file('clusters/blue/tenants/shop/rbac.yaml')!.content) as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }[];
    const rules = role!.rules.filter((rule) => rule.apiGroups.includes('autoscaling.k8s.io'));
    assert.deepEqual(rules, [{ apiGroups: ['autoscaling.k8s.io'], resources: ['verticalpodautoscalers'], verbs: ['get', 'list', 'watch'] }]);
  });
});
