// A resource quantity that is not a Kubernetes quantity (.nan, "abc", 1.5.5)
// or is negative, or resources, requests or limits that are not mappings: the
// API server refuses the object, so kaji reports the field at its line instead
// of counting such a limit as set. Containers' resources first, then every
// other quantity the API server validates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadInputs } from '../../src/kube/index.js';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

const workload = (name: string, resources: string, kind = 'Deployment', apiVersion = 'apps/v1') => `apiVersion: ${apiVersion}
kind: ${kind}
metadata: {name: ${name}, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example.com/app:1.0
        resources: ${resources}
`;
const CONTAINER = 'Deployment spec.template.spec.containers[0].resources';
const NOT_A_QUANTITY = 'must be a Kubernetes quantity such as 500m or 2, found';

test('a container resource value that is not a quantity is an input problem at its line, naming the field and the value', async () => {
  const bad = [
    ['{limits: {cpu: .nan}}', `${CONTAINER}.limits.cpu ${NOT_A_QUANTITY} .nan`],
    ['{limits: {cpu: .inf}}', `${CONTAINER}.limits.cpu ${NOT_A_QUANTITY} .inf`],
    ['{requests: {cpu: -.Inf}}', `${CONTAINER}.requests.cpu ${NOT_A_QUANTITY} -.inf`],
    ['{limits: {cpu: abc}}', `${CONTAINER}.limits.cpu ${NOT_A_QUANTITY} "abc"`],
    ['{requests: {memory: 1.5.5}}', `${CONTAINER}.requests.memory ${NOT_A_QUANTITY} "1.5.5"`],
    ['{limits: {memory: "1 Gi"}}', `${CONTAINER}.limits.memory ${NOT_A_QUANTITY} "1 Gi"`],
    ['{limits: {cpu: ""}}', `${CONTAINER}.limits.cpu ${NOT_A_QUANTITY} ""`],
    ['{limits: {cpu: 500m, memory: 1Gb}}', `${CONTAINER}.limits.memory ${NOT_A_QUANTITY} "1Gb"`],
    ['{limits: {nvidia.com/gpu: one}}', `${CONTAINER}.limits.nvidia.com/gpu ${NOT_A_QUANTITY} "one"`],
    ['{requests: {ephemeral-storage: true}}', `${CONTAINER}.requests.ephemeral-storage ${NOT_A_QUANTITY} true`],
    ['{limits: {cpu: [1]}}', `${CONTAINER}.limits.cpu ${NOT_A_QUANTITY} a list`],
    ['{requests: {cpu: -1}}', `${CONTAINER}.requests.cpu must not be negative, found -1`],
    ['{limits: {cpu: 1, memory: "-512Mi"}}', `${CONTAINER}.limits.memory must not be negative, found "-512Mi"`],
    ['5', `${CONTAINER} must be a mapping with requests and limits, found a number`],
    ['{limits: [cpu]}', `${CONTAINER}.limits must be a mapping of resource names to quantities, found a list`],
    ['{requests: 1Gi}', `${CONTAINER}.requests must be a mapping of resource names to quantities, found a string`],
  ];
  const good = [
    '{limits: {cpu: 500m, memory: 1Gi}, requests: {cpu: 0.25, memory: 1e3}}',
    '{limits: {cpu: 2, memory: " 256Mi "}}', // the API server trims the spaces
    '{limits: {cpu: "+1", memory: 1.5Gi, nvidia.com/gpu: 1, hugepages-2Mi: 100Mi}}',
    '{limits: {cpu: null}, requests: ~}',
    '{requests: {cpu: 0, memory: "-0"}, limits: {cpu: -0.0}}', // zero is not below 0, however it is signed
    '{limits: {$patch: delete}}', // a patch file's directives (a kustomization's patches name only what they change)
    '{limits: {$patch: replace, cpu: 1}, requests: {$retainKeys: [cpu], cpu: 1}}',
    '{}',
    'null',
  ];
  const text = [
    ...bad.map(([resources], index) => workload(`bad${index}`, resources!)),
    ...good.map((resources, index) => workload(`good${index}`, resources)),
    workload('other-group', '{limits: {cpu: .nan}}', 'Deployment', 'example.com/v1'), // not Kubernetes' Deployment: not judged by its rules
  ].join('---\n');
  const { objects, problems } = await loadInputs(['-'], { readStdin: async () => text });
  const lineOf = (index: number) => index * 11 + 10; // each document is 10 lines and a separator; resources is its 10th
  assert.deepEqual(problems, bad.map(([, message], index) => ({ file: '<stdin>', line: lineOf(index), message })));
  assert.deepEqual(objects.map((object) => object.name), [...good.map((_, index) => `good${index}`), 'other-group']);
});

test('init and ephemeral containers of every workload kind are judged too, and the line is the value\'s own', async () => {
  const pod = `apiVersion: v1
kind: Pod
metadata: {name: pod, namespace: shop}
spec:
  containers: [{name: app, image: registry.example.com/app:1.0}]
  ephemeralContainers:
  - name: debug
    image: registry.example.com/debug:1.0
    resources:
      requests:
        cpu: 100m
        memory: 64 Mi
`;
  const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
          - {name: setup, image: registry.example.com/setup:1.0}
          - name: migrate
            image: registry.example.com/migrate:1.0
            resources:
              limits:
                cpu: .nan
          containers: [{name: app, image: registry.example.com/app:1.0}]
`;
  const { objects, problems } = await loadInputs(['-'], { readStdin: async () => `${pod}---\n${cronJob}` });
  assert.deepEqual(problems, [
    { file: '<stdin>', line: 12, message: `Pod spec.ephemeralContainers[0].resources.requests.memory ${NOT_A_QUANTITY} "64 Mi"` },
    { file: '<stdin>', line: 29, message: `CronJob spec.jobTemplate.spec.template.spec.initContainers[1].resources.limits.cpu ${NOT_A_QUANTITY} .nan` },
  ]);
  assert.deepEqual(objects, []);
});

test('kaji check: a limits.cpu of .nan is reported (exit 1), not counted as set, and the rest is still checked', async () => {
  const tree = tempTree({ 'm.yaml': `${workload('nan', '{limits: {cpu: .nan}}')}---\n${workload('set', '{limits: {cpu: 500m}}')}` });
  try {
    const { code, stdout, stderr } = await kaji(['check', tree.path('m.yaml'), '--format', 'json', '--checks', 'cpuLimitsMissing']);
    assert.equal(code, 1);
    assert.equal(stderr, `kaji: ${tree.path('m.yaml')}:10: ${CONTAINER}.limits.cpu ${NOT_A_QUANTITY} .nan\n`);
    const results = (JSON.parse(stdout) as { Results: { Name: string; PodResult: { ContainerResults: { Results: Record<string, { Success: boolean }> }[] } }[] }).Results;
    assert.deepEqual(results.map((result) => [result.Name, result.PodResult.ContainerResults[0]?.Results.cpuLimitsMissing?.Success]), [['set', true]]);
  } finally {
    tree.cleanup();
  }
});

test('kaji fix: a memory request of "abc" is reported (exit 1) and the file is left as it is', async () => {
  const text = workload('abc', '{requests: {memory: abc}}');
  const tree = tempTree({ 'm.yaml': text });
  try {
    const { code, stderr } = await kaji(['fix', tree.path('m.yaml'), '--checks', 'pullPolicyNotAlways']);
    assert.equal(code, 1);
    assert.equal(stderr, `kaji: ${tree.path('m.yaml')}:10: ${CONTAINER}.requests.memory ${NOT_A_QUANTITY} "abc"\n`);
    assert.equal(readFileSync(tree.path('m.yaml'), 'utf8'), text);
  } finally {
    tree.cleanup();
  }
});

/** Marks the line a document's problem is expected at. */
const HERE = '# <- here';

/** One document per place the API server reads quantities, each wrong at the line marked HERE. */
const BAD_ELSEWHERE: readonly (readonly [string, string])[] = [
  [
    `apiVersion: v1
kind: Pod
metadata: {name: overhead}
spec:
  containers: [{name: app, image: registry.example.com/app:1.0}]
  overhead:
    memory: 120Mi
    cpu: abc ${HERE}
`,
    `Pod spec.overhead.cpu ${NOT_A_QUANTITY} "abc"`,
  ],
  [
    `apiVersion: v1
kind: Pod
metadata: {name: overhead-list}
spec:
  containers: [{name: app, image: registry.example.com/app:1.0}]
  overhead: [cpu] ${HERE}
`,
    'Pod spec.overhead must be a mapping of resource names to quantities, found a list',
  ],
  [
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: pod-limits}
spec:
  template:
    spec:
      resources:
        requests: {cpu: 1}
        limits:
          memory: -1Gi ${HERE}
      containers: [{name: app, image: registry.example.com/app:1.0}]
`,
    'Deployment spec.template.spec.resources.limits.memory must not be negative, found "-1Gi"',
  ],
  [
    `apiVersion: batch/v1
kind: Job
metadata: {name: pod-resources}
spec:
  template:
    spec:
      resources: 5 ${HERE}
      containers: [{name: app, image: registry.example.com/app:1.0}]
`,
    'Job spec.template.spec.resources must be a mapping with requests and limits, found a number',
  ],
  [
    `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: size-limit}
spec:
  template:
    spec:
      containers: [{name: app, image: registry.example.com/app:1.0}]
      volumes:
      - name: config
        configMap: {name: app}
      - name: cache
        emptyDir:
          medium: Memory
          sizeLimit: 1.5.5 ${HERE}
`,
    `DaemonSet spec.template.spec.volumes[1].emptyDir.sizeLimit ${NOT_A_QUANTITY} "1.5.5"`,
  ],
  [
    `apiVersion: batch/v1
kind: CronJob
metadata: {name: negative-size-limit}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: app, image: registry.example.com/app:1.0}]
          volumes:
          - name: scratch
            emptyDir:
              sizeLimit: -1 ${HERE}
`,
    'CronJob spec.jobTemplate.spec.template.spec.volumes[0].emptyDir.sizeLimit must not be negative, found -1',
  ],
  [
    `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ephemeral-volume}
spec:
  template:
    spec:
      containers: [{name: app, image: registry.example.com/app:1.0}]
      volumes:
      - name: scratch
        ephemeral:
          volumeClaimTemplate:
            spec:
              accessModes: [ReadWriteOnce]
              resources:
                requests:
                  storage: .nan ${HERE}
`,
    `StatefulSet spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources.requests.storage ${NOT_A_QUANTITY} .nan`,
  ],
  [
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 10 Gi ${HERE}
`,
    `PersistentVolumeClaim spec.resources.requests.storage ${NOT_A_QUANTITY} "10 Gi"`,
  ],
  [
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim-limits}
spec:
  resources:
    requests: {storage: 1Gi}
    limits: [1Gi] ${HERE}
`,
    'PersistentVolumeClaim spec.resources.limits must be a mapping of resource names to quantities, found a list',
  ],
  [
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: empty-claim}
spec:
  resources:
    requests:
      storage: 0Gi ${HERE}
`,
    'PersistentVolumeClaim spec.resources.requests.storage must be above 0 (the size of the volume), found "0Gi"',
  ],
  [
    `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: claim-template}
spec:
  template:
    spec:
      containers: [{name: db, image: registry.example.com/db:1.0}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      resources: {requests: {storage: 10Gi}}
  - metadata: {name: logs}
    spec:
      resources:
        requests:
          storage: "-5Gi" ${HERE}
`,
    'StatefulSet spec.volumeClaimTemplates[1].spec.resources.requests.storage must not be negative, found "-5Gi"',
  ],
  [
    `apiVersion: v1
kind: ResourceQuota
metadata: {name: quota}
spec:
  hard:
    pods: 10
    requests.cpu: lots ${HERE}
`,
    `ResourceQuota spec.hard.requests.cpu ${NOT_A_QUANTITY} "lots"`,
  ],
  [
    `apiVersion: v1
kind: ResourceQuota
metadata: {name: negative-quota}
spec:
  hard:
    count/deployments.apps: -1 ${HERE}
`,
    'ResourceQuota spec.hard.count/deployments.apps must not be negative, found -1',
  ],
  [
    `apiVersion: v1
kind: ResourceQuota
metadata: {name: quota-shape}
spec:
  hard: 5 ${HERE}
`,
    'ResourceQuota spec.hard must be a mapping of resource names to quantities, found a number',
  ],
  ...(['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const).map((key): [string, string] => [
    `apiVersion: v1
kind: LimitRange
metadata: {name: limits-${key.toLowerCase()}}
spec:
  limits:
  - type: Pod
    max: {cpu: 4}
  - type: Container
    ${key}:
      memory: 1e3
      cpu: .inf ${HERE}
`,
    `LimitRange spec.limits[1].${key}.cpu ${NOT_A_QUANTITY} .inf`,
  ]),
  [
    `apiVersion: v1
kind: LimitRange
metadata: {name: negative-ratio}
spec:
  limits:
  - type: Container
    maxLimitRequestRatio:
      memory: "-2" ${HERE}
`,
    'LimitRange spec.limits[0].maxLimitRequestRatio.memory must not be negative, found "-2"',
  ],
];

/** The same places with values the API server takes, or left out (null is absent; a patch file names only what it changes). */
const GOOD_ELSEWHERE: readonly string[] = [
  `apiVersion: v1
kind: Pod
metadata: {name: good-pod}
spec:
  overhead: {cpu: 250m, memory: 120Mi}
  resources: {requests: {cpu: 0.5}, limits: {cpu: 1, memory: " 1Gi "}}
  containers: [{name: app, image: registry.example.com/app:1.0}]
  volumes:
  - {name: a, emptyDir: {}}
  - {name: b, emptyDir: {sizeLimit: 500Mi}}
  - {name: c, emptyDir: {sizeLimit: null}}
  - {name: d, ephemeral: {volumeClaimTemplate: {spec: {resources: {requests: {storage: 1Gi}}}}}}
  - {name: e, configMap: {name: app}}
`,
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: good-patch}
spec:
  template:
    spec:
      overhead: {$patch: delete}
      resources: {limits: {$patch: replace, cpu: 2}, requests: ~}
      volumes: [{name: cache, $patch: delete}]
`,
  `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: good-claims}
spec:
  template:
    spec:
      containers: [{name: db, image: registry.example.com/db:1.0}]
  volumeClaimTemplates:
  - {metadata: {name: data}, spec: {resources: {requests: {storage: 10Gi}, limits: {storage: 20Gi}}}}
  - {metadata: {name: bare}, spec: {accessModes: [ReadWriteOnce]}}
`,
  `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: good-claim}
spec:
  resources: {requests: {storage: 1Gi, cpu: "-1"}, limits: {storage: -1Gi}}
`,
  `apiVersion: v1
kind: ResourceQuota
metadata: {name: good-quota}
spec:
  hard: {pods: 10, requests.cpu: "4", limits.memory: 16Gi, count/deployments.apps: 5}
`,
  `apiVersion: v1
kind: LimitRange
metadata: {name: good-limits}
spec:
  limits:
  - type: Container
    max: {cpu: 2}
    min: {cpu: 10m, memory: "-1"}
    default: {memory: 512Mi}
    defaultRequest: {memory: 256Mi}
    maxLimitRequestRatio: {cpu: 10}
  - {type: PersistentVolumeClaim, min: ~}
`,
  // Other API groups' kinds of the same names are not judged by Kubernetes' rules
  'apiVersion: example.com/v1\nkind: ResourceQuota\nmetadata: {name: other-quota}\nspec: {hard: {cpu: abc}}\n',
  'apiVersion: example.com/v1\nkind: PersistentVolumeClaim\nmetadata: {name: other-claim}\nspec: {resources: {requests: {storage: abc}}}\n',
  'apiVersion: example.com/v1\nkind: StatefulSet\nmetadata: {name: other-statefulset}\nspec: {volumeClaimTemplates: [{spec: {resources: {requests: {storage: abc}}}}]}\n',
];

test('kaji check: every other quantity the API server validates is judged too, each reported at its own line; good ones are checked', async () => {
  const text = [...BAD_ELSEWHERE.map(([document]) => document), ...GOOD_ELSEWHERE].join('---\n');
  const lines = text.split('\n').flatMap((line, index) => (line.endsWith(HERE) ? [index + 1] : []));
  assert.equal(lines.length, BAD_ELSEWHERE.length);
  const tree = tempTree({ 'm.yaml': text });
  try {
    const { code, stdout, stderr } = await kaji(['check', tree.path('m.yaml'), '--format', 'json', '--checks', 'cpuLimitsMissing']);
    assert.equal(code, 1);
    assert.deepEqual(
      stderr.split('\n').filter(Boolean),
      BAD_ELSEWHERE.map(([, message], index) => `kaji: ${tree.path('m.yaml')}:${lines[index]}: ${message}`),
    );
    const checked = (JSON.parse(stdout) as { Results: { Name: string }[] }).Results.map((result) => result.Name);
    for (const name of ['good-pod', 'good-patch', 'good-claims', 'good-claim', 'good-quota', 'good-limits', 'other-quota']) assert.ok(checked.includes(name), name);
    for (const [document] of BAD_ELSEWHERE) assert.ok(!checked.includes(/name: ([\w-]+)/.exec(document)![1]!));
  } finally {
    tree.cleanup();
  }
});

test('kaji fix: an emptyDir sizeLimit that is not a quantity is reported (exit 1) and the file is left as it is', async () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: registry.example.com/app:1.0}]
      volumes:
      - name: cache
        emptyDir: {sizeLimit: 1Gb}
`;
  const tree = tempTree({ 'm.yaml': text });
  try {
    const { code, stderr } = await kaji(['fix', tree.path('m.yaml'), '--checks', 'pullPolicyNotAlways']);
    assert.equal(code, 1);
    assert.equal(stderr, `kaji: ${tree.path('m.yaml')}:10: Deployment spec.template.spec.volumes[0].emptyDir.sizeLimit ${NOT_A_QUANTITY} "1Gb"\n`);
    assert.equal(readFileSync(tree.path('m.yaml'), 'utf8'), text);
  } finally {
    tree.cleanup();
  }
});
