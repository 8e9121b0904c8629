// A pod spec of the wrong shape is reported at the line of the field at
// fault, not at the first line of its document.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addStream, loadInputs, type InputProblem, type KubeObject } from '../../src/kube/index.js';
import { runBounded } from '../support/bounded.js';
import { tempTree } from '../support/files.js';

async function problemsOf(files: Record<string, string>, input = Object.keys(files)[0]!): Promise<string[]> {
  const tree = tempTree(files);
  try {
    const { problems } = await loadInputs([tree.path(input)]);
    return problems.map((problem) => `${problem.file.replace(tree.root + '/', '')}:${problem.line} ${problem.message}`);
  } finally {
    tree.cleanup();
  }
}

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n';

describe('lines of pod-spec problems', () => {
  test('a block-style Deployment with containers: 5 is reported at the containers line', async () => {
    const deployment = [
      '# the web tier', //                     6
      'apiVersion: apps/v1', //                7
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  replicas: 2',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec:',
      '      containers: 5', //                16
    ].join('\n');
    assert.deepEqual(await problemsOf({ 'web.yaml': `${SERVICE}---\n${deployment}\n` }), [
      'web.yaml:16 Deployment spec.template.spec.containers must be a list of containers, found a number',
    ]);
  });

  test('each shape problem points at its own field: a list item, a mapping for a list, a number for a mapping', async () => {
    const text = [
      'apiVersion: batch/v1', //                1
      'kind: CronJob',
      'metadata: {name: nightly}',
      'spec:',
      '  jobTemplate:',
      '    spec:',
      '      template:',
      '        spec:',
      '          containers:',
      '            - name: job',
      '              image: registry.example.com/job:1',
      '            - 7', //                     12
      '---',
      'apiVersion: apps/v1', //                 14
      'kind: StatefulSet',
      'metadata: {name: db}',
      'spec:',
      '  template:',
      '    spec:',
      '      initContainers:', //              20
      '        name: init',
      '---',
      'apiVersion: apps/v1', //                 23
      'kind: Deployment',
      'metadata: {name: api}',
      'spec:',
      '  replicas: 1',
      '  template: 5', //                      28
      '',
    ].join('\n');
    assert.deepEqual(await problemsOf({ 'workloads.yaml': text }), [
      'workloads.yaml:12 CronJob spec.jobTemplate.spec.template.spec.containers[1] must be a container (a mapping with name and image), found a number',
      'workloads.yaml:20 StatefulSet spec.template.spec.initContainers must be a list of containers, found a mapping',
      'workloads.yaml:28 Deployment spec.template must be a mapping, found a number',
    ]);
  });

  test('ephemeral containers of the wrong shape are problems like the other containers', async () => {
    const pod = (name: string, ephemeral: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers: [{name: app, image: registry.example.com/app:1}]\n${ephemeral}`;
    const text = [
      pod('scalar', '  ephemeralContainers: 5\n'), //                                       6
      pod('item', '  ephemeralContainers:\n    - {name: debug, image: registry.example.com/debug:1}\n    - not a container\n'), // 15
      pod('fine', '  ephemeralContainers: [{name: debug, image: registry.example.com/debug:1}]\n'),
      pod('absent', '  ephemeralContainers: ~\n'),
    ].join('---\n');
    assert.deepEqual(await problemsOf({ 'pods.yaml': text }), [
      'pods.yaml:6 Pod spec.ephemeralContainers must be a list of containers, found a number',
      'pods.yaml:15 Pod spec.ephemeralContainers[1] must be a container (a mapping with name and image), found a string',
    ]);
  });

  test('an item of a kind: List is reported at its field', async () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: Pod',
      '    metadata: {name: fine}',
      '    spec: {containers: [{name: a, image: b}]}',
      '  - apiVersion: v1',
      '    kind: Pod',
      '    metadata: {name: broken}',
      '    spec:',
      '      containers: yes', //              12
      '',
    ].join('\n');
    assert.deepEqual(await problemsOf({ 'list.yaml': text }), ['list.yaml:12 Pod spec.containers must be a list of containers, found a boolean']);
  });

  test('JSON files and standard input get the line of the field too', async () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [null] } }, null, 2);
    // line 1 {, 2 apiVersion, 3 kind, 4 metadata {, 5 name, 6 }, 7 spec {, 8 containers [, 9 null
    assert.deepEqual(await problemsOf({ 'pod.json': json }), ['pod.json:9 Pod spec.containers[0] must be a container (a mapping with name and image), found null']);
    const { problems } = await loadInputs(['-'], { readStdin: async () => `${SERVICE}---\n${json}` });
    assert.deepEqual(
      problems.map((problem: InputProblem) => `${problem.file}:${problem.line}`),
      ['<stdin>:14'],
    );
  });

  test('a syntax error in another document does not move the line', async () => {
    const text = `kind: [unclosed\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: 5\n`;
    const problems = await problemsOf({ 'mixed.yaml': text });
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^mixed\.yaml:1 invalid YAML/);
    assert.equal(problems[1], 'mixed.yaml:7 Pod spec.containers must be a list of containers, found a number');
  });

  test('Windows line endings: a syntax error in one document keeps the others, and the lines', async () => {
    const text = `kind: [unclosed\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n  containers: 5\r\n`;
    const problems = await problemsOf({ 'mixed.yaml': text });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0]!, /^mixed\.yaml:1 invalid YAML/);
    assert.equal(problems[1], 'mixed.yaml:7 Pod spec.containers must be a list of containers, found a number');
  });

  test('when the path goes through a merge key, the line of the deepest field written there', async () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: p}',
      'spec:', //                               4
      '  <<: {containers: 5}',
      '  hostNetwork: false',
      '',
    ].join('\n');
    const [problem] = await problemsOf({ 'merge.yaml': text });
    assert.equal(problem, 'merge.yaml:4 Pod spec.containers must be a list of containers, found a number');
  });

  test('a document that is not an object, or lacks kind, is still reported at its first line', async () => {
    assert.deepEqual(await problemsOf({ 'odd.yaml': `${SERVICE}---\n\n# nothing here\n- a list\n---\napiVersion: v1\nmetadata: {name: x}\n` }), [
      'odd.yaml:8 expected a Kubernetes object (a mapping), found a list',
      'odd.yaml:10 missing "kind": every object needs a kind such as Deployment',
    ]);
  });

  test('rendered output (a kustomization) keeps its fixed line', () => {
    const sink = { objects: [] as KubeObject[], problems: [] as InputProblem[] };
    addStream(sink, `${SERVICE}---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: 5\n`, 'k/kustomization.yaml', { fixedLine: 1 });
    assert.deepEqual(sink.problems, [{ file: 'k/kustomization.yaml', line: 1, message: 'Pod spec.containers must be a list of containers, found a number' }]);
  });

  test('a file of 20,000 broken objects is read in linear time', () => {
    const out = runBounded(
      `import { addStream } from './src/kube/index.ts';
       const doc = (i) => 'apiVersion: v1\\nkind: Pod\\nmetadata: {name: p' + i + '}\\nspec:\\n  containers: 5\\n';
       const text = Array.from({ length: 20000 }, (_, i) => doc(i)).join('---\\n');
       const sink = { objects: [], problems: [] };
       addStream(sink, text, 'big.yaml');
       console.log(sink.problems.length, sink.problems[0].line, sink.problems[19999].line);`,
      30,
    );
    assert.equal(out, `20000 5 ${19999 * 6 + 5}`);
  });
});
