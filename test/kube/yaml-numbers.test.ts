// Numbers in YAML as Kubernetes reads them: sigs.k8s.io/yaml resolves plain
// scalars with go-yaml v2, which drops underscores and reads numbers as Go's
// strconv does (`010` is octal 8, `1_000` is 1000, `08` the float 8), and so
// must kaji; and what kaji writes quotes every string Kubernetes would take
// for a number or a boolean.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInputs, type JsonObject, type JsonValue } from '../../src/kube/index.js';
import { applyPatchToYaml } from '../../src/kube/yaml-edit.js';
import { generatedFile, toYaml } from '../../src/platform/derive/yaml.js';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

/** Plain scalars and the value Kubernetes puts in JSON for each (a string where it reads none). */
const SCALARS: ReadonlyArray<readonly [string, JsonValue]> = [
  ['1', 1],
  ['-1', -1],
  ['0', 0],
  ['-0', 0],
  ['+12', 12],
  ['1.5', 1.5],
  ['1e3', 1000],
  ['1.', 1],
  ['.5', 0.5],
  ['-.5', -0.5],
  ['010', 8],
  ['0755', 493],
  ['-010', -8],
  ['00', 0],
  ['08', 8],
  ['09', 9],
  ['09.5', 9.5],
  ['0o10', 8],
  ['0O10', 8],
  ['0x1F', 31],
  ['0X1F', 31],
  ['+0x10', 16],
  ['-0x10', -16],
  ['0b101', 5],
  ['0B101', 5],
  // go-yaml v2's last try: after 0b, a signed binary number.
  ['0b-1', -1],
  ['0b+10', 2],
  ['0b_-1', -1],
  ['0B-1', '0B-1'],
  ['-0b101', -5],
  ['1_000', 1000],
  ['1_000.5', 1000.5],
  ['1__0', 10],
  ['1_', 1],
  ['0x_1', 1],
  ['0_7', 7],
  ['.5_0', 0.5],
  // uint64's largest and int64's smallest, as the nearest JS numbers
  ['18446744073709551615', 2 ** 64],
  ['0xFFFFFFFFFFFFFFFF', 2 ** 64],
  ['-0x8000000000000000', -(2 ** 63)],
  ['1e-400', 0],
  // strings to Kubernetes
  ['1:30', '1:30'],
  ['1.2.3', '1.2.3'],
  ['500Mi', '500Mi'],
  ['0x', '0x'],
  ['0b', '0b'],
  ['0x1p3', '0x1p3'],
  ['_1', '_1'],
  ['._5', '._5'],
  ['+.nan', '+.nan'],
  ['1e400', '1e400'], // past float64: Go's ParseFloat fails
  ['.5e400', '.5e400'],
  ['0x10000000000000000', '0x10000000000000000'], // past uint64
  ['-0x8000000000000001', '-0x8000000000000001'], // past int64
  ['+0x8000000000000000', '+0x8000000000000000'], // past int64, and ParseUint takes no sign
  ['2001-12-14', '2001-12-14'], // a timestamp, which sigs.k8s.io/yaml gives as a string
];

const widget = (name: string, value: string) => `apiVersion: example.com/v1
kind: Widget
metadata: {name: ${name}, namespace: shop}
spec:
  value: ${value}
`;

async function read(text: string): Promise<JsonObject[]> {
  const { objects, problems } = await loadInputs(['-'], { readStdin: async () => text });
  assert.deepEqual(problems, []);
  return objects.map((object) => object.raw);
}

describe('reading numbers as Kubernetes does', () => {
  test('each plain scalar gives the value Kubernetes gets', async () => {
    const objects = await read(SCALARS.map(([scalar], index) => widget(`w${index}`, scalar)).join('---\n'));
    const found = objects.map((object) => [(object.metadata as JsonObject).name, (object.spec as JsonObject).value]);
    assert.deepEqual(
      found,
      SCALARS.map(([, value], index) => [`w${index}`, value]),
    );
  });

  test('the special floats, and quoted numbers staying strings', async () => {
    const [object] = await read(widget('w', '{a: .inf, b: -.Inf, c: +.INF, d: .NaN, e: "010", f: \'1_000\', g: !!str 0x1F}'));
    assert.deepEqual((object!.spec as JsonObject).value, { a: Infinity, b: -Infinity, c: Infinity, d: NaN, e: '010', f: '1_000', g: '0x1F' });
  });

  test('a key is the number written as Kubernetes writes it in JSON', async () => {
    const [object] = await read(widget('w', '{010: octal, 1_000: thousand, 0x10: hex}'));
    assert.deepEqual((object!.spec as JsonObject).value, { 8: 'octal', 1000: 'thousand', 16: 'hex' });
  });

  test('replicas: 010 is 8 replicas, 1_0 ten', async () => {
    const deployment = (name: string, replicas: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  replicas: ${replicas}
  template:
    spec:
      containers: [{name: app, image: registry.example.com/app:1.0}]
`;
    const objects = await read([deployment('octal', '010'), deployment('underscore', '1_0')].join('---\n'));
    assert.deepEqual(
      objects.map((object) => (object.spec as JsonObject).replicas),
      [8, 10],
    );
  });

  test('kaji check judges cpu: 1_000 as the quantity 1000, not as the text "1_000"', async () => {
    const deployment = (name: string, cpu: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0
          resources: {limits: {cpu: ${cpu}, memory: 1Gi}, requests: {cpu: 500m, memory: 1Gi}}
`;
    const policy = `checks:
  cpuAtMost1000: warning
customChecks:
  cpuAtMost1000:
    successMessage: cpu limit at most 1000
    failureMessage: cpu limit above 1000
    category: Efficiency
    target: Container
    schema:
      properties:
        resources:
          properties:
            limits:
              properties:
                cpu: {resourceMaximum: "1000"}
`;
    const tree = tempTree({ 'm.yaml': `${deployment('thousand', '1_000')}---\n${deployment('more', '1_001')}`, 'p.yaml': policy });
    try {
      const { code, stdout, stderr } = await kaji(['check', tree.path('m.yaml'), '--config', tree.path('p.yaml'), '--format', 'json']);
      assert.equal(stderr, '', 'neither value is refused as "not a quantity"');
      assert.equal(code, 0);
      const results = (JSON.parse(stdout) as { Results: { Name: string; PodResult: { ContainerResults: { Results: Record<string, { Success: boolean }> }[] } }[] }).Results;
      assert.deepEqual(
        results.map((result) => [result.Name, result.PodResult.ContainerResults[0]?.Results.cpuAtMost1000?.Success]),
        [
          ['thousand', true],
          ['more', false],
        ],
      );
    } finally {
      tree.cleanup();
    }
  });
});

/** Strings that Kubernetes reads as a number or a boolean when written plain. */
const TRICKY_STRINGS = ['0b-1', '1_000', '1_000.5', '010', '0755', '08', '0x1F', '0X1F', '+0x10', '0o10', '0B101', '-0b101', '1__0', '0x_1', '1_', '.5_0', 'yes', 'off', 'y', '1e3', '.inf'];

describe('writing strings Kubernetes would read as numbers', () => {
  test('generated files quote them, and reading them back gives the strings', async () => {
    const data = Object.fromEntries(TRICKY_STRINGS.map((text, index) => [`k${index}`, text]));
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tricky', namespace: 'shop' }, data };
    const text = toYaml(configMap);
    for (const [index, value] of TRICKY_STRINGS.entries()) assert.ok(text.includes(`k${index}: '${value}'\n`), `${value} is quoted in:\n${text}`);
    const [object] = await read(generatedFile('tricky.yaml', [configMap]).content);
    assert.deepEqual(object!.data, data);
  });

  test('ordinary strings stay plain and numbers stay numbers, as before', () => {
    const text = toYaml({ image: 'nginx:1.25', cpu: '500m', version: '1.2.3', date: '2001-12-14', replicas: 3, ratio: 0.5 });
    assert.equal(text, "image: nginx:1.25\ncpu: 500m\nversion: 1.2.3\ndate: '2001-12-14'\nreplicas: 3\nratio: 0.5\n");
  });

  test('a patched manifest (kaji fix, kaji bump) quotes them too', async () => {
    // src/kube/yaml-edit.ts writes with the `yaml` package's YAML 1.1 schema.
    for (const value of TRICKY_STRINGS) {
      const patched = applyPatchToYaml(widget('w', 'plain'), 0, [{ op: 'replace', path: '/spec/value', value }]);
      const [object] = await read(patched);
      assert.equal((object!.spec as JsonObject).value, value, `written as: ${patched}`);
    }
  });
});
