import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { load, loadAll } from 'js-yaml';
import { KUBERNETES_YAML_SCHEMA } from '../../src/kube/index.js';
import { applyPatchToYaml, documentIndexAtLine, sharedValueReason, YamlEditError, type YamlPatchOperation } from '../../src/kube/yaml-edit.js';
import { applyMutations, expandWildcards } from '../../src/policy/mutate.js';
import type { JsonValue } from '../../src/kube/index.js';

const deployment = `# the web tier
apiVersion: apps/v1   # pinned
kind: Deployment
metadata:
  name: "web"
  labels: {app: web, tier: 'front'}
spec:
  replicas: 1

  template:
    spec:
      containers:
      - name: web # main
        image: 'nginx:1.25'
        args: [a, b]
      - name: side
        image: busybox
        securityContext:
          runAsUser: 1000
`;

const indented = `kind: Pod
spec:
    containers:
        -   name: app
            image: app:1
            ports:
                - containerPort: 80
                  hostPort: 80
`;

const literal = `kind: ConfigMap
data:
  script: |
    echo one
    echo two
  plain: yes
`;

/** Applies fast-json-patch the way kaji does: missing parents created first. */
function expected(before: JsonValue, operations: YamlPatchOperation[]): JsonValue {
  let document = structuredClone(before);
  for (const operation of operations) {
    const parentsAdded = applyMutations(document, [operation]);
    const strict = operation.op === 'add' ? parentsAdded : jsonpatch.applyPatch(document, [operation as jsonpatch.Operation], true, false).newDocument;
    document = strict as JsonValue;
  }
  return document;
}

/** The parse of a YAML document as kaji reads manifests (js-yaml, YAML 1.1). */
function parse(text: string): JsonValue {
  return load(text, { schema: KUBERNETES_YAML_SCHEMA }) as JsonValue;
}

interface Case {
  name: string;
  input: string;
  operations: YamlPatchOperation[];
  output: string;
}

const cases: Case[] = [
  {
    name: 'replace keeps double quotes and the comment',
    input: deployment,
    operations: [{ op: 'replace', path: '/metadata/name', value: 'api' }],
    output: deployment.replace('name: "web"', 'name: "api"'),
  },
  {
    name: 'replace keeps single quotes',
    input: deployment,
    operations: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: "nginx:1.26 'x'" }],
    output: deployment.replace("image: 'nginx:1.25'", "image: 'nginx:1.26 ''x'''"),
  },
  {
    name: 'replace of a plain scalar quotes a value YAML 1.1 would read as a boolean',
    input: literal,
    operations: [{ op: 'replace', path: '/data/plain', value: 'on' }],
    output: literal.replace('plain: yes', 'plain: "on"'),
  },
  {
    name: 'replace of a number by a number',
    input: deployment,
    operations: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    output: deployment.replace('replicas: 1', 'replicas: 3'),
  },
  {
    name: 'replace of a literal block keeps it a literal block',
    input: literal,
    operations: [{ op: 'replace', path: '/data/script', value: 'echo three\n' }],
    output: literal.replace('    echo one\n    echo two\n', '    echo three\n'),
  },
  {
    name: 'add of an existing key replaces its value',
    input: deployment,
    operations: [{ op: 'add', path: '/spec/replicas', value: 2 }],
    output: deployment.replace('replicas: 1', 'replicas: 2'),
  },
  {
    name: 'add of a key goes after the last entry of a compact list item',
    input: deployment,
    operations: [{ op: 'add', path: '/spec/template/spec/containers/0/imagePullPolicy', value: 'Always' }],
    output: deployment.replace('args: [a, b]\n', 'args: [a, b]\n        imagePullPolicy: Always\n'),
  },
  {
    name: 'add creates a missing parent mapping, with the comment',
    input: deployment,
    operations: [
      { op: 'add', path: '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem', value: true, comment: 'kaji' },
    ],
    output: deployment.replace(
      'args: [a, b]\n',
      'args: [a, b]\n        securityContext: # kaji\n          readOnlyRootFilesystem: true\n',
    ),
  },
  {
    name: 'add to an existing nested mapping at the end of the document',
    input: deployment,
    operations: [{ op: 'add', path: '/spec/template/spec/containers/1/securityContext/runAsNonRoot', value: true }],
    output: `${deployment}          runAsNonRoot: true\n`,
  },
  {
    name: 'add in a 4-space document with indented lists uses its indentation',
    input: indented,
    operations: [{ op: 'add', path: '/spec/containers/0/resources', value: { limits: { cpu: '1' }, args: ['x'] } }],
    output: indented.replace(
      /\n$/,
      "\n            resources:\n                limits:\n                    cpu: \"1\"\n                args:\n                    - x\n",
    ),
  },
  {
    name: 'append to a block list renders a mapping item',
    input: deployment,
    operations: [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'x', image: 'x:1' } }],
    output: `${deployment}      - name: x\n        image: x:1\n`,
  },
  {
    name: 'insert into a block list at an index',
    input: deployment,
    operations: [{ op: 'add', path: '/spec/template/spec/containers/1', value: { name: 'x' } }],
    output: deployment.replace('      - name: side', '      - name: x\n      - name: side'),
  },
  {
    name: 'remove of a mapping entry takes its line',
    input: deployment,
    operations: [{ op: 'remove', path: '/spec/replicas' }],
    output: deployment.replace('  replicas: 1\n', ''),
  },
  {
    name: 'remove of the first key of a list item moves the next key up',
    input: deployment,
    operations: [{ op: 'remove', path: '/spec/template/spec/containers/0/name' }],
    output: deployment.replace("- name: web # main\n        image: 'nginx:1.25'", "- image: 'nginx:1.25'"),
  },
  {
    name: 'remove of a list item takes its lines with the trailing comment',
    input: deployment,
    operations: [{ op: 'remove', path: '/spec/template/spec/containers/0' }],
    output: deployment.replace("      - name: web # main\n        image: 'nginx:1.25'\n        args: [a, b]\n", ''),
  },
  {
    name: 'remove of the only entry leaves an empty flow mapping',
    input: deployment,
    operations: [{ op: 'remove', path: '/spec/template/spec/containers/1/securityContext/runAsUser' }],
    output: deployment.replace('securityContext:\n          runAsUser: 1000\n', 'securityContext: {}\n'),
  },
  {
    name: 'remove in a 4-space indented list (hostPortSet, its wildcard expanded)',
    input: indented,
    operations: [{ op: 'remove', path: '/spec/containers/0/ports/0/hostPort' }],
    output: indented.replace('                  hostPort: 80\n', ''),
  },
  {
    name: 'add to a flow mapping edits it in place',
    input: deployment,
    operations: [{ op: 'add', path: '/metadata/labels/env', value: 'prod' }],
    output: deployment.replace("{app: web, tier: 'front'}", "{app: web, tier: 'front', env: prod}"),
  },
  {
    name: 'remove from a flow mapping',
    input: deployment,
    operations: [{ op: 'remove', path: '/metadata/labels/app' }],
    output: deployment.replace("{app: web, tier: 'front'}", "{tier: 'front'}"),
  },
  {
    name: 'remove the last item of a flow list',
    input: deployment,
    operations: [{ op: 'remove', path: '/spec/template/spec/containers/0/args/1' }],
    output: deployment.replace('[a, b]', '[a]'),
  },
  {
    name: 'insert into a flow list quotes what flow style needs quoted',
    input: deployment,
    operations: [{ op: 'add', path: '/spec/template/spec/containers/0/args/1', value: 'c,d' }],
    output: deployment.replace('[a, b]', '[a, "c,d", b]'),
  },
  {
    name: 'add to an empty flow mapping writes block style',
    input: 'kind: Pod\nspec:\n  securityContext: {}\n',
    operations: [{ op: 'add', path: '/spec/securityContext/runAsNonRoot', value: true }],
    output: 'kind: Pod\nspec:\n  securityContext:\n    runAsNonRoot: true\n',
  },
  {
    name: 'add under a null value replaces the null',
    input: 'kind: Pod\nspec:\n  securityContext:\n  x: 1\n',
    operations: [{ op: 'add', path: '/spec/securityContext/runAsNonRoot', value: true }],
    output: 'kind: Pod\nspec:\n  securityContext:\n    runAsNonRoot: true\n  x: 1\n',
  },
  {
    name: 'a file without a final newline gets one before added lines',
    input: 'kind: Pod\nspec:\n  a: 1',
    operations: [{ op: 'add', path: '/spec/b', value: 2 }],
    output: 'kind: Pod\nspec:\n  a: 1\n  b: 2\n',
  },
  {
    name: 'a byte-order mark is not indentation',
    input: '\uFEFFkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n',
    operations: [
      { op: 'add', path: '/spec/containers/0/securityContext', value: { runAsNonRoot: true } },
      { op: 'add', path: '/status', value: { phase: 'x' } },
    ],
    output: '\uFEFFkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    securityContext:\n      runAsNonRoot: true\nstatus:\n  phase: x\n',
  },
  {
    name: 'CRLF line endings are kept',
    input: 'kind: Pod\r\nspec:\r\n  a: "1"\r\n',
    operations: [
      { op: 'replace', path: '/spec/a', value: '2' },
      { op: 'add', path: '/spec/b', value: { c: [1] } },
    ],
    output: 'kind: Pod\r\nspec:\r\n  a: "2"\r\n  b:\r\n    c:\r\n      - 1\r\n',
  },
  {
    name: 'move and copy',
    input: 'a:\n  b: 1 # one\n  c: x\n',
    operations: [
      { op: 'copy', from: '/a/b', path: '/a/d' },
      { op: 'move', from: '/a/c', path: '/e' },
    ],
    output: 'a:\n  b: 1 # one\n  d: 1\ne: x\n',
  },
];

describe('applyPatchToYaml', () => {
  for (const { name, input, operations, output } of cases) {
    test(name, () => {
      const result = applyPatchToYaml(input, 0, operations);
      assert.equal(result, output);
      const concrete = operations.flatMap((operation) => expandWildcards(parse(input), operation as never));
      assert.deepEqual(parse(result), expected(parse(input), concrete));
    });
  }

  test('applying to document 2 of a stream leaves the others byte-identical', () => {
    const stream = `# head\n---\n${deployment}---\n# nothing here\n---\nkind: Service # svc\nspec:\n  ports: [80]\n`;
    const line = stream.split('\n').indexOf('kind: Service # svc') + 1;
    const result = applyPatchToYaml(stream, { line }, [{ op: 'add', path: '/spec/ports/-', value: 443 }]);
    assert.equal(result, stream.replace('[80]', '[80, 443]'));
    assert.equal(documentIndexAtLine(stream, line), 2);
    const [first, , third] = loadAll(result, undefined, { schema: KUBERNETES_YAML_SCHEMA }) as JsonValue[];
    assert.deepEqual(first, parse(deployment));
    assert.deepEqual(third, { kind: 'Service', spec: { ports: [80, 443] } });
  });

  test('identifies a document by any line in it, for KubeObject.source.line', () => {
    const stream = 'kind: A\n---\n\n# c\nkind: B\nx: 1\n';
    assert.equal(documentIndexAtLine(stream, 1), 0);
    assert.equal(documentIndexAtLine(stream, 5), 1);
    assert.equal(applyPatchToYaml(stream, { line: 5 }, [{ op: 'remove', path: '/x' }]), 'kind: A\n---\n\n# c\nkind: B\n');
  });

  test('a path that does not exist is an error naming it', () => {
    assert.throws(
      () => applyPatchToYaml(deployment, 0, [{ op: 'replace', path: '/spec/template/spec/nope/x', value: 1 }]),
      (error: Error) => error instanceof YamlEditError && /replace \/spec\/template\/spec\/nope\/x: no such path: \/spec\/template\/spec\/nope does not exist/.test(error.message),
    );
    assert.throws(() => applyPatchToYaml(deployment, 0, [{ op: 'remove', path: '/spec/template/spec/containers/5' }]), YamlEditError);
    assert.throws(() => applyPatchToYaml(deployment, 0, [{ op: 'add', path: '/spec/template/spec/containers/9', value: {} }]), /out of range/);
    assert.throws(() => applyPatchToYaml(deployment, 3, [{ op: 'remove', path: '/kind' }]), /no document 3/);
  });

  test('test operations pass or fail without changing the text', () => {
    assert.equal(applyPatchToYaml(deployment, 0, [{ op: 'test', path: '/spec/replicas', value: 1 }]), deployment);
    assert.throws(() => applyPatchToYaml(deployment, 0, [{ op: 'test', path: '/spec/replicas', value: 2 }]), /value is 1/);
  });

  test('a path through an alias is refused rather than editing the anchor', () => {
    const text = 'base: &b\n  x: 1\nuse: *b\n';
    assert.throws(() => applyPatchToYaml(text, 0, [{ op: 'add', path: '/use/y', value: 2 }]), /alias/);
  });
});

describe('sharedValueReason', () => {
  const containers = `kind: Deployment
spec:
  containers:
    - name: api
      resources: &r
        requests: {cpu: &c 250m, memory: 256Mi}
        limits: {cpu: *c}
    - name: sidecar
      resources: *r
    - name: merged
      resources:
        <<: *r
    - name: own
      resources: &unused
        requests: {cpu: 10m}
---
plain: {a: 1}
`;
  const at = (container: number, resource: string) => sharedValueReason(containers, 0, `/spec/containers/${container}/resources/requests/${resource}`);

  test('a value under an anchor an alias repeats, through an alias or a merge key, or itself anchored and repeated', () => {
    assert.equal(at(0, 'memory'), 'it is written under the anchor &r, which *r repeats elsewhere in the document');
    assert.equal(at(1, 'memory'), 'it is written through the alias *r');
    assert.equal(at(2, 'memory'), 'it is written through a merge key (<<)');
    // The value itself anchored (a limit written as *c would change with it).
    assert.equal(sharedValueReason('a: {cpu: &c 250m}\nb: *c\n', 0, '/a/cpu'), 'it is written under the anchor &c, which *c repeats elsewhere in the document');
  });

  test('an anchor nothing repeats, a value of its own, or a document found by line: undefined', () => {
    assert.equal(at(3, 'cpu'), undefined);
    assert.equal(sharedValueReason(containers, { line: 17 }, '/plain/a'), undefined);
    assert.equal(sharedValueReason(containers, 1, '/plain/missing'), undefined);
    assert.equal(applyPatchToYaml(containers, 0, [{ op: 'replace', path: '/spec/containers/3/resources/requests/cpu', value: '20m' }]), containers.replace('cpu: 10m', 'cpu: 20m'));
  });
});

describe('applyMutations', () => {
  test('creates missing parents, a list where the next segment is - or 0', () => {
    assert.deepEqual(applyMutations({ a: {} }, [{ op: 'add', path: '/a/b/c', value: 1 }]), { a: { b: { c: 1 } } });
    assert.deepEqual(applyMutations({}, [{ op: 'add', path: '/a/-/b', value: 1 }]), { a: [{ b: 1 }] });
    assert.deepEqual(applyMutations({ a: null }, [{ op: 'add', path: '/a/b', value: 1 }]), { a: { b: 1 } });
  });

  test('expands wildcards to the items that have the path', () => {
    const pod: JsonValue = { ports: [{ hostPort: 80, containerPort: 80 }, { containerPort: 81 }, { hostPort: 82 }] };
    assert.deepEqual(applyMutations(pod, [{ op: 'remove', path: '/ports/*/hostPort' }]), {
      ports: [{ containerPort: 80 }, { containerPort: 81 }, {}],
    });
  });

  test('fails like JSON Patch on a missing path for replace and remove', () => {
    assert.throws(() => applyMutations({}, [{ op: 'remove', path: '/a' }]), /a does not exist/);
    assert.throws(() => applyMutations({ a: [] }, [{ op: 'replace', path: '/a/0', value: 1 }]), /out of range/);
  });
});
