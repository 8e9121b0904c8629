// spec.replicas that is not a count of pods (.nan, 2.5, "3", -1): the API
// server refuses the object, so kaji reports the field instead of judging the
// workload as if it had one replica; .nan and .inf are shown as YAML writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInputs } from '../../src/kube/index.js';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

const workload = (kind: string, name: string, replicas: string, apiVersion = 'apps/v1') => `apiVersion: ${apiVersion}
kind: ${kind}
metadata: {name: ${name}, namespace: shop}
spec:
  replicas: ${replicas}
  template:
    spec:
      containers: [{name: app, image: registry.example.com/app:1.0}]
`;

test('a replicas that is not a whole number from 0 to 2^31-1 is an input problem at its line, naming kind and value', async () => {
  const bad = [
    ['.nan', '.nan'],
    ['.inf', '.inf'],
    ['-.Inf', '-.inf'],
    ['2.5', '2.5'],
    ['"3"', '"3"'],
    ['-1', '-1'],
    ['2147483648', '2147483648'],
    ['{count: 3}', 'a mapping'],
  ];
  const good = ['0', '3', '2.0', '2147483647', 'null', '~'];
  const text = [
    ...bad.map(([replicas], index) => workload('Deployment', `bad${index}`, replicas!)),
    workload('StatefulSet', 'set', '.nan'),
    workload('ReplicationController', 'rc', '1.5', 'v1'),
    ...good.map((replicas, index) => workload('Deployment', `good${index}`, replicas)),
    workload('Deployment', 'other-group', '.nan', 'example.com/v1'), // not Kubernetes' Deployment: not judged by its rules
  ].join('---\n');
  const { objects, problems } = await loadInputs(['-'], { readStdin: async () => text });
  const lineOf = (index: number) => index * 9 + 5; // each document is 8 lines and a separator; replicas is its 5th
  assert.deepEqual(problems, [
    ...bad.map(([, shown], index) => ({
      file: '<stdin>',
      line: lineOf(index),
      message: `Deployment spec.replicas must be a whole number from 0 to 2147483647 (or left out), found ${shown}`,
    })),
    { file: '<stdin>', line: lineOf(bad.length), message: 'StatefulSet spec.replicas must be a whole number from 0 to 2147483647 (or left out), found .nan' },
    { file: '<stdin>', line: lineOf(bad.length + 1), message: 'ReplicationController spec.replicas must be a whole number from 0 to 2147483647 (or left out), found 1.5' },
  ]);
  assert.deepEqual(objects.map((object) => object.name), [...good.map((_, index) => `good${index}`), 'other-group']);
});

test('kaji check: a Deployment with replicas: .nan is reported (exit 1), not judged as one replica', async () => {
  const tree = tempTree({ 'm.yaml': `${workload('Deployment', 'nan', '.nan')}---\n${workload('Deployment', 'three', '3')}` });
  try {
    const { code, stdout, stderr } = await kaji(['check', tree.path('m.yaml'), '--format', 'json', '--checks', 'deploymentMissingReplicas']);
    assert.equal(code, 1);
    assert.equal(stderr, `kaji: ${tree.path('m.yaml')}:5: Deployment spec.replicas must be a whole number from 0 to 2147483647 (or left out), found .nan\n`);
    const results = (JSON.parse(stdout) as { Results: { Name: string; Results: Record<string, { Success: boolean }> }[] }).Results;
    assert.deepEqual(results.map((result) => [result.Name, result.Results.deploymentMissingReplicas?.Success]), [['three', true]]);
  } finally {
    tree.cleanup();
  }
});
