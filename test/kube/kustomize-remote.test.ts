// What a kustomization has kustomize fetch from elsewhere: each field kaji judges
// remote is shown to be fetched by the real kubectl kustomize (from an HTTP server
// on 127.0.0.1), and found by remoteLoads with its file, line and field; local
// uses of the same fields are not.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { remoteLoads } from '../../src/kube/kustomize.js';
import { hasKubectl, tempTree } from '../support/files.js';

const SERVED: Record<string, string> = {
  '/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n',
  '/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {b: "2"}\n',
  '/env': 'K=V\n',
  '/openapi.json': '{}\n',
};
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: "1"}\n';

let server: Server;
let requests: string[];
let base: string;

before(async () => {
  requests = [];
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = SERVED[request.url ?? ''];
    response.writeHead(body === undefined ? 404 : 200).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function kubectlKustomize(directory: string): Promise<void> {
  return new Promise((resolve) => execFile('kubectl', ['kustomize', directory], () => resolve()));
}

/** A kustomization (its text after `resources: [cm.yaml]`, U for the server), the field and line remoteLoads names, the path fetched. */
const CASES: readonly { text: string; field: string; line: number; fetched: string; files?: Record<string, string> }[] = [
  { text: 'resources:\n  - cm.yaml\n  - U/cm.yaml\n', field: 'resources entry', line: 3, fetched: '/cm.yaml' },
  { text: 'resources: [cm.yaml]\npatches:\n  - path: U/patch.yaml\n', field: 'patches[0].path', line: 3, fetched: '/patch.yaml' },
  { text: 'resources: [cm.yaml]\npatchesStrategicMerge:\n  - U/patch.yaml\n', field: 'patchesStrategicMerge entry', line: 3, fetched: '/patch.yaml' },
  {
    text: 'resources: [cm.yaml]\npatchesJson6902:\n  - target: {kind: ConfigMap, name: x}\n    path: U/patch.yaml\n',
    field: 'patchesJson6902[0].path',
    line: 4,
    fetched: '/patch.yaml',
  },
  { text: 'resources: [cm.yaml]\nreplacements:\n  - path: U/patch.yaml\n', field: 'replacements[0].path', line: 3, fetched: '/patch.yaml' },
  { text: 'resources: [cm.yaml]\nconfigurations: [U/patch.yaml]\n', field: 'configurations entry', line: 2, fetched: '/patch.yaml' },
  { text: 'resources: [cm.yaml]\ncrds: [U/patch.yaml]\n', field: 'crds entry', line: 2, fetched: '/patch.yaml' },
  { text: 'resources: [cm.yaml]\nopenapi:\n  path: U/openapi.json\n', field: 'openapi.path', line: 3, fetched: '/openapi.json' },
  {
    text: 'resources: [cm.yaml]\nconfigMapGenerator:\n  - name: g\n    files: [local.env, key=U/env]\n',
    field: 'configMapGenerator[0].files[1]',
    line: 4,
    fetched: '/env',
    files: { 'app/local.env': 'A=B\n' },
  },
  { text: 'resources: [cm.yaml]\nconfigMapGenerator:\n  - name: g\n    envs:\n      - U/env\n', field: 'configMapGenerator[0].envs[0]', line: 5, fetched: '/env' },
  { text: 'resources: [cm.yaml]\nsecretGenerator:\n  - name: s\n    env: U/env\n', field: 'secretGenerator[0].env', line: 4, fetched: '/env' },
  { text: 'resources: [cm.yaml]\ngenerators: [U/cm.yaml]\n', field: 'generators entry', line: 2, fetched: '/cm.yaml' },
  { text: 'resources: [cm.yaml]\ntransformers: [U/cm.yaml]\n', field: 'transformers entry', line: 2, fetched: '/cm.yaml' },
  { text: 'resources: [cm.yaml]\nvalidators: [U/cm.yaml]\n', field: 'validators entry', line: 2, fetched: '/cm.yaml' },
  {
    // A built-in transformer configured in place: its own path is loaded the same way.
    text: 'resources: [cm.yaml]\ntransformers:\n  - |\n    apiVersion: builtin\n    kind: PatchTransformer\n    metadata: {name: p}\n    path: U/patch.yaml\n',
    field: 'PatchTransformer path',
    line: 3,
    fetched: '/patch.yaml',
  },
];

describe('remote values in a kustomization', () => {
  for (const { text, field, line, fetched, files } of CASES) {
    test(`${field}: kubectl kustomize fetches it; remoteLoads names it at line ${line}`, async () => {
      const tree = tempTree({ 'app/kustomization.yaml': text.replaceAll('U/', `${base}/`), 'app/cm.yaml': CM, ...files });
      try {
        const [remote, ...more] = await remoteLoads(tree.path('app'));
        assert.deepEqual(more, []);
        assert.deepEqual({ file: remote?.file, line: remote?.line, field: remote?.field, value: remote?.value.replace(base, 'U') }, {
          file: tree.path('app/kustomization.yaml'),
          line,
          field,
          value: `${field.startsWith('configMapGenerator[0].files') ? 'key=' : ''}U${fetched}`,
        });
        if (hasKubectl) {
          requests.length = 0;
          await kubectlKustomize(tree.path('app'));
          assert.deepEqual(requests, [fetched], 'the real kustomize fetches it');
        }
      } finally {
        tree.cleanup();
      }
    });
  }

  test('configurations in their own file (one document among others), and in a folder a transformers entry builds on', async () => {
    const tree = tempTree({
      'app/kustomization.yaml': 'resources: [cm.yaml]\ntransformers:\n  - transformers.yaml\n  - more\n',
      'app/cm.yaml': CM,
      'app/transformers.yaml': `apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: l}\nlabels: {a: b}\n---\napiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: p}\n\npath: ${base}/patch.yaml\n`,
      'app/more/kustomization.yaml': 'resources: [helm.yaml]\n',
      'app/more/helm.yaml': 'apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata: {name: h}\nname: chart\nrepo: oci://registry.example.com/charts\n',
    });
    try {
      const found = (await remoteLoads(tree.path('app'))).map(({ file, line, field, value }) => ({ file, line, field, value }));
      assert.deepEqual(found, [
        { file: tree.path('app/transformers.yaml'), line: 10, field: 'PatchTransformer path', value: `${base}/patch.yaml` },
        { file: tree.path('app/more/helm.yaml'), line: 5, field: 'HelmChartInflationGenerator repo', value: 'oci://registry.example.com/charts' },
      ]);
      if (hasKubectl) {
        requests.length = 0;
        await kubectlKustomize(tree.path('app'));
        assert.deepEqual(requests, ['/patch.yaml'], 'the real kustomize fetches the patch a configuration file names');
      }
    } finally {
      tree.cleanup();
    }
  });

  test('a Helm chart with a repository is remote (kustomize pulls it when not in the chart home), one without is not', async () => {
    const tree = tempTree({
      'app/kustomization.yaml':
        'helmCharts:\n  - name: local\n    valuesFile: values.yaml\n  - name: pulled\n    repo: https://charts.example.com\n    version: 1.2.3\nhelmChartInflationGenerator:\n  - chartName: old\n    chartRepoUrl: https://charts.example.com\n',
    });
    try {
      const found = (await remoteLoads(tree.path('app'))).map(({ line, field, loads }) => ({ line, field, loads }));
      assert.deepEqual(found, [
        { line: 5, field: 'helmCharts[1].repo', loads: 'chart repository' },
        { line: 9, field: 'helmChartInflationGenerator[0].chartRepoUrl', loads: 'chart repository' },
      ]);
    } finally {
      tree.cleanup();
    }
  });

  test('a kustomization repeating one anchor more than 100 times (patches sharing a target) is still read: its remote entry is found', async () => {
    const patches = Array.from({ length: 120 }, (_, i) => (i === 0 ? '  - patch: "[]"\n    target: &t {kind: ConfigMap, name: x}' : '  - patch: "[]"\n    target: *t'));
    const tree = tempTree({ 'app/kustomization.yaml': ['resources:', '  - https://example.com/remote.yaml', 'patches:', ...patches, ''].join('\n') });
    try {
      assert.deepEqual((await remoteLoads(tree.path('app'))).map((load) => `${load.line} ${load.field} ${load.value}`), ['2 resources entry https://example.com/remote.yaml']);
    } finally {
      tree.cleanup();
    }
  });

  test('local uses of the same fields are not remote, and kubectl renders them without a request', async () => {
    const tree = tempTree({
      'app/kustomization.yaml': [
        'resources: [cm.yaml, ../base]',
        'patches:',
        '  - path: patch.yaml',
        '  - patch: |\n      - {op: add, path: /data/c, value: "3"}\n    target: {kind: ConfigMap, name: x}',
        'patchesStrategicMerge:',
        '  - |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: x}\n    data: {d: "4", url: "https://example.com/"}',
        'configMapGenerator:',
        '  - name: g\n    files: [key=settings.env, settings.env]\n    envs: [settings.env]',
        'transformers:',
        '  - labels.yaml',
        '  - |\n    apiVersion: builtin\n    kind: PatchTransformer\n    metadata: {name: p}\n    path: patch.yaml',
        '',
      ].join('\n'),
      'app/cm.yaml': CM,
      'app/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {b: "2"}\n',
      'app/settings.env': 'K=V\n',
      'app/labels.yaml': 'apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: l}\nlabels: {team: shop}\nfieldSpecs: [{path: metadata/labels, create: true}]\n',
      'base/kustomization.yaml': 'resources: [service.yaml]\n',
      'base/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n',
    });
    try {
      assert.deepEqual(await remoteLoads(tree.path('app')), []);
      if (hasKubectl) {
        requests.length = 0;
        const rendered = await new Promise<string>((resolve, reject) =>
          execFile('kubectl', ['kustomize', tree.path('app')], (error, stdout) => (error ? reject(error) : resolve(stdout))),
        );
        assert.match(rendered, /team: shop/);
        assert.deepEqual(requests, []);
      }
    } finally {
      tree.cleanup();
    }
  });
});
