import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { KUBERNETES_YAML_SCHEMA, loadInputs, readInputs, type InputProblem, type KubeObject } from '../../src/kube/index.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { setEnv } from '../support/env.js';

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/${name}:1.0
${extra}`;

describe('loadInputs', () => {
  test('a file that is not UTF-8 is an input problem naming it, the others still read; a UTF-8 BOM is accepted', async () => {
    const tree = tempTree({ 'x/a.yaml': deployment('a'), 'x/bom.yaml': `\uFEFF${deployment('bom')}` });
    try {
      // "café" in Latin-1: read as UTF-8 it would be "caf\uFFFD".
      writeFileSync(tree.path('x/latin1.yaml'), Buffer.from(deployment('latin1').replace('namespace: shop', 'namespace: shop\n  labels: {owner: café}'), 'latin1'));
      const result = await loadInputs([tree.path('x')]);
      assert.deepEqual(result.objects.map((object) => object.name), ['a', 'bom']);
      assert.deepEqual(result.problems, [{ file: tree.path('x/latin1.yaml'), message: 'not UTF-8 text (another encoding, or not a text file); save it as UTF-8' }]);
    } finally {
      tree.cleanup();
    }
  });

  test('readInputs hands each object to the sink as read, and each file text once (kaji fix edits that text)', async () => {
    const tree = tempTree({ 'x/a.yaml': deployment('a'), 'x/b.yaml': `${deployment('b')}---\n${deployment('c')}`, 'x/bad.yaml': 'kind: [' });
    try {
      const seen: string[] = [];
      const texts: [string, string][] = [];
      const problems: InputProblem[] = [];
      await readInputs([tree.path('x')], {
        objects: { push: (object: KubeObject) => seen.push(object.name) },
        problems,
        fileText: (file, text) => texts.push([file, text]),
      });
      assert.deepEqual(seen, ['a', 'b', 'c']);
      assert.deepEqual(
        texts.map(([file, text]) => [file.slice(tree.path('x').length + 1), text.length]),
        [
          ['a.yaml', deployment('a').length],
          ['b.yaml', deployment('b').length + 4 + deployment('c').length],
          ['bad.yaml', 'kind: ['.length],
        ],
      );
      assert.deepEqual(problems.map((problem) => problem.file), [tree.path('x/bad.yaml')]);
    } finally {
      tree.cleanup();
    }
  });

  test('reads every document of a multi-document file with the line where it starts', async () => {
    const tree = tempTree({
      'all.yaml': `# leading comment\n${deployment('a')}---\n\n# second\n${deployment('b')}---\n---\n`,
    });
    try {
      const { objects, problems } = await loadInputs([tree.path('all.yaml')]);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        objects.map((o) => [o.name, o.source.line]),
        [
          ['a', 2],
          ['b', 16],
        ],
      );
    } finally {
      tree.cleanup();
    }
  });

  test('walks directories recursively, only .yaml/.yml/.json, skipping hidden folders', async () => {
    const tree = tempTree({
      'x/one.yml': deployment('one'),
      'x/y/two.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } }),
      'x/notes.txt': 'not a manifest',
      'x/.git/three.yaml': deployment('three'),
    });
    try {
      const { objects } = await loadInputs([tree.path('x')]);
      assert.deepEqual(objects.map((o) => o.name).sort(), ['one', 'two']);
    } finally {
      tree.cleanup();
    }
  });

  test('expands kind: List and skips empty documents', async () => {
    const tree = tempTree({
      'list.yaml': `apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n---\n# only a comment\n`,
    });
    try {
      const { objects, problems } = await loadInputs([tree.path('list.yaml')]);
      assert.deepEqual(problems, []);
      assert.deepEqual(objects.map((o) => o.name), ['a', 'b']);
    } finally {
      tree.cleanup();
    }
  });

  test('reads standard input for "-"', async () => {
    const { objects } = await loadInputs(['-'], { readStdin: async () => deployment('from-stdin') });
    assert.equal(objects[0]?.name, 'from-stdin');
    assert.equal(objects[0]?.source.file, '<stdin>');
  });

  test('reports malformed documents with file:line and still reads the rest', async () => {
    const tree = tempTree({
      'bad.yaml': `${deployment('good')}---\nkind: [unclosed\n---\n- just\n- a list\n---\napiVersion: v1\nmetadata: {name: x}\n---\napiVersion: v1\nkind: ConfigMap\n`,
      'fine.yaml': deployment('also-good'),
    });
    try {
      const { objects, problems } = await loadInputs([tree.path('bad.yaml'), tree.path('missing.yaml'), tree.path('fine.yaml')]);
      assert.deepEqual(objects.map((o) => o.name), ['good', 'also-good']);
      const summary = problems.map((p) => `${p.file.replace(tree.root, '')}:${p.line ?? ''} ${p.message}`);
      assert.equal(summary.length, 5);
      assert.match(summary[0]!, /^\/bad\.yaml:1[34] invalid YAML/);
      assert.match(summary[1]!, /^\/bad\.yaml:15 expected a Kubernetes object \(a mapping\), found a list/);
      assert.match(summary[2]!, /^\/bad\.yaml:18 missing "kind"/);
      assert.match(summary[3]!, /^\/bad\.yaml:21 ConfigMap has no "metadata"/);
      assert.match(summary[4]!, /^\/missing\.yaml: no such file or directory/);
    } finally {
      tree.cleanup();
    }
  });

  test('a file holding two JSON values (two kubectl runs into one file): where the second starts, and what to do', async () => {
    const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 4);
    // Braces inside strings, an escaped quote among them, do not end the first value early.
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'braces' }, data: { text: 'a}]"{' } };
    const tree = tempTree({
      'two.json': `${list([configMap])}\n${list([])}\n`,
      // After a YAML document: lines counted in the file; on one line, the column says where.
      'mixed.yaml': `${deployment('good')}---\n  {"kind": "List", "items": []} [1]\n`,
      // Neither is two values: YAML's own message stands.
      'broken-first.json': '{"kind": "List", "items": [}\n{"kind": "List"}\n',
      'text-after.json': '{"kind": "List", "items": []}\nkind: List\n',
    });
    try {
      const manifests = await loadInputs(['two.json', 'mixed.yaml', 'broken-first.json', 'text-after.json'].map((file) => tree.path(file)));
      const seen = manifests.problems.map((p) => `${p.file.replace(tree.root, '')}:${p.line} ${p.message}`);
      const found = list([configMap]).split('\n').length;
      assert.deepEqual(seen.slice(0, 2), [
        `/two.json:${found + 1} a second JSON value starts at line ${found + 1}, column 1, after the one that ends at line ${found}: ` +
          'a file holds one JSON value; put the objects in one List, or separate the values with --- lines (YAML documents)',
        '/mixed.yaml:13 a second JSON value starts at line 13, column 33, after the one that ends at line 13: ' +
          'a file holds one JSON value; put the objects in one List, or separate the values with --- lines (YAML documents)',
      ]);
      assert.match(seen[2]!, /^\/broken-first\.json:1 invalid YAML: /);
      assert.match(seen[3]!, /^\/text-after\.json:\d invalid YAML: /);
      assert.deepEqual(manifests.objects.map((object) => object.name), ['good']);
      // A cluster's dump: one run of the command that writes it is the remedy.
      const dump = await loadInputs(['-'], { readStdin: async () => `${list([])}${list([])}`, dump: 'kubectl get nodes,pods -A -o json' });
      assert.deepEqual(dump.problems, [
        {
          file: '<stdin>',
          line: 5,
          message: 'a second JSON value starts at line 5, column 2, after the one that ends at line 5: give the output of one command, `kubectl get nodes,pods -A -o json`, rather than of several one after the other',
        },
      ]);
    } finally {
      tree.cleanup();
    }
  });

  test('a built-in workload whose pod spec has the wrong shape is a problem; a partial one (a patch) is not', async () => {
    const workloads = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: 5}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec: {template: 5}',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [nginx]}}}}}',
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: d}\nspec: {template: {spec: {initContainers: {name: x}}}}',
      'apiVersion: v1\nkind: 5\nmetadata: {name: e}',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: f}\nspec: {template: {spec: {containers: 5}}}',
      'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: g}\ntemplate: {spec: {containers: [{name: a}, null]}}',
      // a strategic-merge patch names only what it changes; another group's Deployment is not the built-in one
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: patch}\nspec: {replicas: 3}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: nulls}\nspec: {initContainers: null, containers: [{name: a, image: b}]}',
      'apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: custom}\nspec: {template: 5}',
    ];
    const tree = tempTree({ 'workloads.yaml': workloads.join('\n---\n') });
    try {
      const { objects, problems } = await loadInputs([tree.path('workloads.yaml')]);
      assert.deepEqual(problems.map((problem) => problem.message), [
        'Pod spec.containers must be a list of containers, found a number',
        'Deployment spec.template must be a mapping, found a number',
        'CronJob spec.jobTemplate.spec.template.spec.containers[0] must be a container (a mapping with name and image), found a string',
        'StatefulSet spec.template.spec.initContainers must be a list of containers, found a mapping',
        '"kind" must be a text such as Deployment, found a number',
        'Rollout spec.template.spec.containers must be a list of containers, found a number',
        'PodTemplate template.spec.containers[1] must be a container (a mapping with name and image), found null',
      ]);
      assert.deepEqual(objects.map((object) => object.name), ['patch', 'nulls', 'custom']);
    } finally {
      tree.cleanup();
    }
  });

  test("a cluster's dump (dump: the command that writes it, as kaji capacity reads one): problems name the object after its kind, and quantities stay as written", async () => {
    const workloads = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\nspec: {containers: 5}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec: {template: 5}',
      // no name to give, or no kind to put it after: the message as a manifest's
      'apiVersion: v1\nkind: Pod\nmetadata: {generateName: c-}\nspec: {containers: 5}',
      'apiVersion: v1\nkind: 5\nmetadata: {name: e}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: fine, namespace: shop}\nspec: {containers: [{name: a, resources: {requests: {cpu: "1.5", memory: 1e9}}}]}',
    ];
    const tree = tempTree({ 'dump.yaml': workloads.join('\n---\n') });
    try {
      const dump = await loadInputs([tree.path('dump.yaml')], { dump: 'kubectl get nodes,pods -A -o json' });
      assert.deepEqual(dump.problems.map((problem) => problem.message), [
        'Pod shop/a: spec.containers must be a list of containers, found a number',
        'Deployment b: spec.template must be a mapping, found a number',
        'Pod spec.containers must be a list of containers, found a number',
        '"kind" must be a text such as Deployment, found a number',
      ]);
      const requestsOf = (objects: readonly KubeObject[]) => (objects[0]!.raw as { spec: { containers: { resources: { requests: unknown } }[] } }).spec.containers[0]!.resources.requests;
      assert.deepEqual(requestsOf(dump.objects), { cpu: '1.5', memory: 1e9 });
      // Read as manifests: the same file's first problem without the name, and the quantities as Kubernetes prints them.
      const manifests = await loadInputs([tree.path('dump.yaml')]);
      assert.equal(manifests.problems[0]!.message, 'Pod spec.containers must be a list of containers, found a number');
      assert.deepEqual(requestsOf(manifests.objects), { cpu: '1500m', memory: '1G' });
    } finally {
      tree.cleanup();
    }
  });

  test('refuses a file over the size limit without reading it', async () => {
    const tree = tempTree({ 'huge.yaml': deployment('huge') + '#'.repeat(4096) });
    try {
      const { objects, problems } = await loadInputs([tree.path('huge.yaml')], { maxFileBytes: 1024 });
      assert.equal(objects.length, 0);
      assert.match(problems[0]!.message, /over the 0\.0 MiB limit|over the .* limit; split it/);
    } finally {
      tree.cleanup();
    }
  });

  test('normalises quantities and YAML 1.1 booleans as Kubernetes reads them', async () => {
    const tree = tempTree({
      'd.yaml': deployment('q', '          resources:\n            requests: {cpu: 1.5, memory: 1e3}\n      hostNetwork: yes\n'),
    });
    try {
      const { objects } = await loadInputs([tree.path('d.yaml')]);
      const spec = (objects[0]!.raw.spec as { template: { spec: Record<string, unknown> } }).template.spec;
      const containers = spec.containers as { resources: { requests: Record<string, string> } }[];
      assert.deepEqual(containers[0]!.resources.requests, { cpu: '1500m', memory: '1k' });
      assert.equal(spec.hostNetwork, true);
    } finally {
      tree.cleanup();
    }
  });

  test('reads every YAML 1.1 boolean word as a boolean, and other words, however short or long, as strings', () => {
    const read = (word: string): unknown => (yaml.load(`v: ${word}`, { schema: KUBERNETES_YAML_SCHEMA }) as { v: unknown }).v;
    for (const word of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) assert.equal(read(word), true, word);
    for (const word of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) assert.equal(read(word), false, word);
    for (const word of ['x', 'yES', 'tRUE', 'falsy', 'falsey', 'enabled', 'offline']) assert.equal(read(word), word);
  });

  test('renders kustomizations with kubectl, overlays only, reported against the kustomization', { skip: !hasKubectl }, async () => {
    const tree = tempTree({
      'apps/shop/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'apps/shop/base/deployment.yaml': deployment('shop'),
      'apps/shop/overlays/blue/kustomization.yaml': 'resources: [../../base]\nimages:\n  - name: registry.example.com/shop\n    newTag: "2.0"\n',
      'other.yaml': deployment('plain'),
    });
    try {
      const { objects, problems } = await loadInputs([tree.root]);
      assert.deepEqual(problems, []);
      assert.deepEqual(objects.map((o) => o.name).sort(), ['plain', 'shop']);
      const shop = objects.find((o) => o.name === 'shop')!;
      assert.equal(shop.source.file, tree.path('apps/shop/overlays/blue/kustomization.yaml'));
      assert.match(JSON.stringify(shop.raw), /registry\.example\.com\/shop:2\.0/);
    } finally {
      tree.cleanup();
    }
  });

  test('a kustomization that fails to render is a problem naming it', { skip: !hasKubectl }, async () => {
    const tree = tempTree({ 'k/kustomization.yaml': 'resources: [missing.yaml]\n' });
    try {
      const { objects, problems } = await loadInputs([tree.root]);
      assert.equal(objects.length, 0);
      assert.equal(problems[0]!.file, tree.path('k/kustomization.yaml'));
      assert.match(problems[0]!.message, /kubectl kustomize failed/);
    } finally {
      tree.cleanup();
    }
  });

  test('says in one line how to proceed when kubectl is missing: where its name came from is what to change', async () => {
    const tree = tempTree({ 'k/kustomization.yaml': 'resources: []\n' });
    // Set as they are, to be put back after the steps below change them.
    const restoreEnv = setEnv({ KAJI_KUBECTL: process.env.KAJI_KUBECTL, PATH: process.env.PATH });
    try {
      const given = await loadInputs([tree.root], { kubectl: '/nonexistent/kubectl' });
      assert.equal(given.problems[0]!.message, 'kubectl not found: there is no program "/nonexistent/kubectl" (--kubectl); give the path of an installed kubectl');
      process.env.KAJI_KUBECTL = '/nonexistent/kubectl';
      const environment = await loadInputs([tree.root]);
      assert.equal(
        environment.problems[0]!.message,
        'kubectl not found: there is no program "/nonexistent/kubectl" (KAJI_KUBECTL); set KAJI_KUBECTL to kubectl\'s path, or unset it to use kubectl from PATH',
      );
      delete process.env.KAJI_KUBECTL;
      process.env.PATH = tree.root; // no kubectl on it
      const missing = await loadInputs([tree.root]);
      assert.equal(missing.problems[0]!.message, 'kubectl not found: install it (it includes kustomize), or give its path in KAJI_KUBECTL (or --kubectl, where the command has it)');
      assert.ok(missing.problems.every((problem) => !problem.message.includes('kaji check -')), 'no advice that itself needs kubectl');
    } finally {
      restoreEnv();
      tree.cleanup();
    }
  });
});
