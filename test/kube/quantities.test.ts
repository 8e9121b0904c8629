// A container resource value that is not a Kubernetes quantity (.nan, "abc",
// 1.5.5), or resources, requests or limits that are not mappings: the API
// server refuses the object, so kaji reports the field at its line instead of
// counting such a limit as set.
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
    const { code, stderr } = await kaji(['fix', tree.path('m.yaml'), '--checks', 'memoryRequestsMissing']);
    assert.equal(code, 1);
    assert.equal(stderr, `kaji: ${tree.path('m.yaml')}:10: ${CONTAINER}.requests.memory ${NOT_A_QUANTITY} "abc"\n`);
    assert.equal(readFileSync(tree.path('m.yaml'), 'utf8'), text);
  } finally {
    tree.cleanup();
  }
});
