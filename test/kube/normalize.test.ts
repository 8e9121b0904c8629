import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { normalizeObject } from '../../src/kube/normalize.js';
import type { JsonObject } from '../../src/kube/types.js';

/** The value at a path of keys and indexes, for assertions. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);
}

function yaml(text: string): JsonObject {
  return load(text) as JsonObject;
}

/** Deep-freezes a fixture so that any mutation of the input throws. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) frozen(child);
    Object.freeze(value);
  }
  return value;
}

const deployment = (resources: string) =>
  yaml(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1
          resources:
${resources}
`);

describe('normalizeObject: container resources', () => {
  const cases: [string, unknown, unknown][] = [
    ['YAML number cpu 1.5', 1.5, '1500m'],
    ['YAML number memory 1000', 1000, '1k'],
    ['YAML integer cpu 2', 2, '2'],
    ['string 0.1', '0.1', '100m'],
    ['string 1024Mi', '1024Mi', '1Gi'],
    ['string 1.5Gi', '1.5Gi', '1536Mi'],
    ['string 2000m', '2000m', '2'],
    ['exponent 1e3', '1e3', '1k'],
    ['already canonical 100m', '100m', '100m'],
    ['kept as written +100m', '+100m', '+100m'],
    ['surrounding spaces', ' 250m ', '250m'],
    ['not a quantity', '1 core', '1 core'],
    ['wrong-case suffix', '1gi', '1gi'],
    ['empty string', '', ''],
    ['boolean', true, true],
    ['null', null, null],
  ];
  for (const [name, input, expected] of cases) {
    test(`${name}: ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      const raw = frozen(deployment(`            requests: { cpu: ${JSON.stringify(input)} }\n            limits: { memory: ${JSON.stringify(input)} }`));
      const resources = at(normalizeObject(raw), 'spec', 'template', 'spec', 'containers', 0, 'resources');
      assert.deepEqual(resources, { requests: { cpu: expected }, limits: { memory: expected } });
    });
  }

  test('init and ephemeral containers, pod resources and overhead', () => {
    const raw = frozen(
      yaml(`
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  resources: { requests: { cpu: 1.5 }, limits: { memory: 0.5Gi } }
  overhead: { cpu: 250m, memory: 1000 }
  initContainers:
    - { name: init, resources: { requests: { cpu: 0.1 } } }
  containers:
    - { name: main, resources: { limits: { cpu: 1, memory: 1024Mi, ephemeral-storage: 2000M } } }
    - { name: bare }
  ephemeralContainers:
    - { name: debug, resources: { requests: { memory: 1536Mi } } }
`),
    );
    const spec = at(normalizeObject(raw), 'spec');
    assert.deepEqual(at(spec, 'resources'), { requests: { cpu: '1500m' }, limits: { memory: '512Mi' } });
    assert.deepEqual(at(spec, 'overhead'), { cpu: '250m', memory: '1k' });
    assert.deepEqual(at(spec, 'initContainers', 0, 'resources'), { requests: { cpu: '100m' } });
    assert.deepEqual(at(spec, 'containers', 0, 'resources'), { limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '2G' } });
    assert.equal(at(spec, 'containers', 1), at(raw, 'spec', 'containers', 1));
    assert.deepEqual(at(spec, 'ephemeralContainers', 0, 'resources'), { requests: { memory: '1536Mi' } });
  });

  test('a CronJob pod spec, and its volumes', () => {
    const raw = frozen(
      yaml(`
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: job, resources: { requests: { cpu: 0.5 } } }]
          volumes:
            - { name: scratch, emptyDir: { sizeLimit: 1024Mi } }
            - name: data
              ephemeral:
                volumeClaimTemplate:
                  spec: { resources: { requests: { storage: 1000Gi } } }
            - { name: config, configMap: { name: c } }
`),
    );
    const spec = at(normalizeObject(raw), 'spec', 'jobTemplate', 'spec', 'template', 'spec');
    assert.deepEqual(at(spec, 'containers', 0, 'resources'), { requests: { cpu: '500m' } });
    assert.equal(at(spec, 'volumes', 0, 'emptyDir', 'sizeLimit'), '1Gi');
    assert.equal(at(spec, 'volumes', 1, 'ephemeral', 'volumeClaimTemplate', 'spec', 'resources', 'requests', 'storage'), '1000Gi');
    assert.equal(at(spec, 'volumes', 2), at(raw, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'volumes', 2));
  });
});

describe('normalizeObject: quota, limit range, claims', () => {
  test('ResourceQuota spec.hard', () => {
    const raw = frozen(
      yaml(`
apiVersion: v1
kind: ResourceQuota
metadata: { name: q }
spec:
  hard: { requests.cpu: 10, requests.memory: 20Gi, limits.memory: 20480Mi, pods: "10", count/deployments.apps: 5 }
`),
    );
    assert.deepEqual(at(normalizeObject(raw), 'spec', 'hard'), {
      'requests.cpu': '10',
      'requests.memory': '20Gi',
      'limits.memory': '20Gi',
      pods: '10',
      'count/deployments.apps': '5',
    });
  });

  test('LimitRange spec.limits[]', () => {
    const raw = frozen(
      yaml(`
apiVersion: v1
kind: LimitRange
metadata: { name: l }
spec:
  limits:
    - type: Container
      max: { cpu: 2, memory: 2048Mi }
      min: { cpu: 0.05 }
      default: { cpu: 0.5 }
      defaultRequest: { memory: 0.25Gi }
      maxLimitRequestRatio: { cpu: 4 }
    - type: PersistentVolumeClaim
      max: { storage: 10Gi }
`),
    );
    const limits = at(normalizeObject(raw), 'spec', 'limits');
    assert.deepEqual(at(limits, 0), {
      type: 'Container',
      max: { cpu: '2', memory: '2Gi' },
      min: { cpu: '50m' },
      default: { cpu: '500m' },
      defaultRequest: { memory: '256Mi' },
      maxLimitRequestRatio: { cpu: '4' },
    });
    assert.equal(at(limits, 1), at(raw, 'spec', 'limits', 1));
  });

  test('PersistentVolumeClaim spec.resources', () => {
    const raw = frozen(
      yaml(`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1024Gi }, limits: { storage: 2048Gi } }
`),
    );
    assert.deepEqual(at(normalizeObject(raw), 'spec', 'resources'), {
      requests: { storage: '1Ti' },
      limits: { storage: '2Ti' },
    });
  });

  test('StatefulSet volumeClaimTemplates', () => {
    const raw = frozen(
      yaml(`
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  template:
    spec:
      containers: [{ name: db, resources: { requests: { cpu: 1.5 } } }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { resources: { requests: { storage: 0.5Ti } } }
`),
    );
    const spec = at(normalizeObject(raw), 'spec');
    assert.equal(at(spec, 'template', 'spec', 'containers', 0, 'resources', 'requests', 'cpu'), '1500m');
    assert.equal(at(spec, 'volumeClaimTemplates', 0, 'spec', 'resources', 'requests', 'storage'), '512Gi');
  });

  test('a kind whose spec merely looks alike is left alone', () => {
    const raw = frozen(yaml(`{ apiVersion: example.com/v1, kind: Widget, metadata: { name: w }, spec: { hard: { cpu: 1.5 }, resources: { requests: { cpu: 1.5 } } } }`));
    assert.equal(normalizeObject(raw), raw);
  });
});

describe('normalizeObject: copy on write', () => {
  test('returns the same object when nothing changes', () => {
    const raw = frozen(deployment(`            requests: { cpu: 100m, memory: 128Mi }\n            limits: { memory: 1Gi }`));
    assert.equal(normalizeObject(raw), raw);
  });

  test('returns objects without pod specs or quantities as they are', () => {
    for (const text of [
      '{ apiVersion: v1, kind: ConfigMap, metadata: { name: c }, data: { cpu: "1.5" } }',
      '{ apiVersion: v1, kind: Service, metadata: { name: s }, spec: { ports: [{ port: 80 }] } }',
      '{ apiVersion: v1, kind: Pod, metadata: { name: p }, spec: { containers: "oops" } }',
      '{ apiVersion: v1, kind: LimitRange, metadata: { name: l }, spec: { limits: "oops" } }',
    ]) {
      const raw = frozen(yaml(text));
      assert.equal(normalizeObject(raw), raw, text);
    }
  });

  test('changes only the path to a changed value and shares the rest', () => {
    const raw = frozen(
      yaml(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
spec:
  replicas: "3"
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: a, resources: { requests: { cpu: 1.5, memory: 64Mi } } }
        - { name: b, resources: { requests: { cpu: 100m } } }
`),
    );
    const result = normalizeObject(raw);
    assert.notEqual(result, raw);
    assert.equal(at(result, 'metadata'), at(raw, 'metadata'));
    assert.equal(at(result, 'spec', 'selector'), at(raw, 'spec', 'selector'));
    assert.equal(at(result, 'spec', 'replicas'), '3', 'integer fields given as strings stay as they are');
    assert.equal(at(result, 'spec', 'template', 'metadata'), at(raw, 'spec', 'template', 'metadata'));
    assert.equal(at(result, 'spec', 'template', 'spec', 'containers', 1), at(raw, 'spec', 'template', 'spec', 'containers', 1));
    assert.deepEqual(at(result, 'spec', 'template', 'spec', 'containers', 0, 'resources', 'requests'), { cpu: '1500m', memory: '64Mi' });
    assert.deepEqual(Object.keys(at(result, 'spec') as object), Object.keys(at(raw, 'spec') as object), 'key order is kept');
    assert.equal(at(raw, 'spec', 'template', 'spec', 'containers', 0, 'resources', 'requests', 'cpu'), 1.5, 'input untouched');
  });

  test('a resource named __proto__ stays a plain key', () => {
    const requests = JSON.parse('{"__proto__": 1.5, "cpu": 2}');
    const raw = frozen({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', resources: { requests } }] },
    }) as JsonObject;
    const out = at(normalizeObject(raw), 'spec', 'containers', 0, 'resources', 'requests');
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.entries(out as object), [['__proto__', '1500m'], ['cpu', '2']]);
  });

  test('non-finite numbers are left as they are', () => {
    const raw = frozen(deployment(`            requests: { cpu: .inf, memory: .nan }`));
    assert.equal(normalizeObject(raw), raw);
  });
});
