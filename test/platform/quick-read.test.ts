// The quick read of platform.yaml (js-yaml with YAML_12_CORE_SCHEMA) must
// give the data the positioned read (the `yaml` package) gives, decline what
// the two could read differently, and share one bound on aliases.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { parse as parseYaml } from 'yaml';
import { YAML_12_CORE_SCHEMA } from '../../src/kube/index.js';
import { parsePlatform, PlatformErrors } from '../../src/platform/index.js';
import { quickRead } from '../../src/platform/definition/load.js';

const EXAMPLE = readFileSync(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)), 'utf8');
/** A directive makes the quick read decline without changing what the text means: the positioned read then runs. */
const POSITIONED = '%YAML 1.2\n---\n';

const readByYaml = (text: string): unknown => parseYaml(text, { uniqueKeys: true });
const readByJsYaml = (text: string, schema: jsyaml.Schema): unknown => jsyaml.load(text, { schema });

/** Plain scalars at the edges of YAML 1.2's core schema, and YAML 1.1 words that are strings in 1.2. */
const EDGE_SCALARS = [
  '', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n',
  '0o17', '0o8', '017', '0x1F', '0X1F', '-0x1', '+12', '-0', '1_000', '0b101', '1e3', '1E-3', '.5', '+.5', '-.5e2', '1.', '1.0',
  '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'nan', 'inf', '12:30', '2024-01-01', '1,000', '0.1.2', '1e', 'e3', '0', '00', '09',
  '1234567890123456789012', '<<', '=',
];

describe('YAML_12_CORE_SCHEMA resolves plain scalars as the yaml package does', () => {
  test('GIVEN scalars at the edges of the core schema WHEN read by both THEN the values are the same', () => {
    for (const scalar of EDGE_SCALARS) {
      const text = `value: ${scalar}\n`;
      assert.deepEqual(readByJsYaml(text, YAML_12_CORE_SCHEMA), readByYaml(text), `value: ${scalar}`);
    }
  });

  test("GIVEN the same scalars WHEN js-yaml's own core schema reads them THEN some differ (why the schema exists)", () => {
    const differing = EDGE_SCALARS.filter((scalar) => {
      const text = `value: ${scalar}\n`;
      return !Object.is((readByJsYaml(text, jsyaml.CORE_SCHEMA) as { value: unknown }).value, (readByYaml(text) as { value: unknown }).value);
    });
    assert.deepEqual(differing, ['-0x1', '-0', '0b101', '+.5', '-.5e2']);
  });

  test('GIVEN any short plain scalar of number-like characters WHEN read by both THEN the values are the same', () => {
    const characters = [...'0123456789.+-eExoabfinNIFtrulsTR_~:'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...characters), { maxLength: 7 }), (chars) => {
        const text = `value: '${chars.join('')}'\nplain: ${chars.join('')}\n`;
        let expected: unknown;
        try {
          expected = readByYaml(text);
        } catch {
          return; // text the yaml package refuses (e.g. a plain scalar ending in ':') is not compared here
        }
        assert.deepEqual(readByJsYaml(text, YAML_12_CORE_SCHEMA), expected);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('quickRead', () => {
  test('GIVEN the example platform (anchors, flow and block collections, comments) WHEN read THEN it is the data the yaml package reads', () => {
    assert.deepEqual(quickRead(EXAMPLE), readByYaml(EXAMPLE));
  });

  test('GIVEN quoted, block and multi-line scalars WHEN read THEN they are the data the yaml package reads', () => {
    const text = [
      'a: "tab\\tand \\u00e9 and \\x41"',
      "b: 'it''s'",
      'c: |',
      '  kept',
      '    indented',
      'd: >-',
      '  folded',
      '  lines',
      '',
      '  para',
      'e: plain',
      '  continued',
      'f: [1, "2", {g: h}]',
      'i: {}',
      'j: &k {l: 1}',
      'm: *k',
      '',
    ].join('\n');
    assert.deepEqual(quickRead(text), readByYaml(text));
  });

  test('GIVEN directives, tags, two documents, a repeated key or broken YAML WHEN read THEN it declines', () => {
    for (const text of ['%YAML 1.1\n---\na: yes\n', 'a: !!str 1\n', 'a: !custom x\n', 'a: [!!int "1"]\n', 'a: 1\n---\nb: 2\n', 'a: 1\na: 2\n', 'a: [1\n']) {
      assert.equal(quickRead(text), undefined, JSON.stringify(text));
    }
    // AND an exclamation mark inside a value is no tag
    assert.deepEqual(quickRead('a: wow!\n'), { a: 'wow!' });
  });

  test('GIVEN the example platform WHEN parsed quickly and with positions THEN the definitions are equal', () => {
    const quick = parsePlatform(EXAMPLE, '/labs/platform.yaml');
    const positioned = parsePlatform(POSITIONED + EXAMPLE, '/labs/platform.yaml');
    assert.deepEqual(quick, positioned);
    assert.equal(quick.services.length, 30);
  });
});

describe('aliases are bounded the same way on both reads', () => {
  // Nine levels of ten aliases each: a billion values from a few lines.
  const laughs = ['a: &a [x]', ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefghi'[index]}`).join(', ')}]`), ''].join('\n');

  for (const [read, prefix, firstAliasLine] of [
    ['quick (declined)', '', 2],
    ['positioned', POSITIONED, 4],
  ] as const) {
    test(`GIVEN aliases expanding to a billion values WHEN parsed (${read}) THEN one error names the first alias`, () => {
      assert.throws(
        () => parsePlatform(prefix + laughs, 'platform.yaml'),
        (error: unknown) => {
          assert.ok(error instanceof PlatformErrors);
          assert.equal(error.errors.length, 1);
          assert.equal(error.errors[0]!.line, firstAliasLine);
          assert.match(error.message, /aliases expand the definition past 1,000,000 values/);
          return true;
        },
      );
    });
  }

  test('GIVEN a value that contains itself WHEN parsed THEN the error names the alias', () => {
    assert.throws(
      () => parsePlatform('teams: &t [*t]\n', 'platform.yaml'),
      (error: unknown) => error instanceof PlatformErrors && error.errors[0]!.line === 1 && error.errors[0]!.column === 12 && /or a value contains itself/.test(error.message),
    );
  });

  test('GIVEN a few aliases of a large list WHEN parsed THEN they are read as written (the bound counts values, not aliases)', () => {
    // 150 uses of one anchor: over the yaml package's own limit of 100, far under the bound
    const services = EXAMPLE.replace(/^(\s+egress: )\[internet, \*aws-apis\]/m, `$1[internet, ${Array(150).fill('*aws-apis').join(', ')}]`);
    assert.notEqual(services, EXAMPLE);
    assert.throws(() => parsePlatform(services, 'platform.yaml'), /repeats/);
    assert.throws(() => parsePlatform(POSITIONED + services, 'platform.yaml'), /repeats/);
  });
});
