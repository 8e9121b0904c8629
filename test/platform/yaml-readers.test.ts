// The fast reader of platform.yaml (js-yaml) and the position-keeping one
// (`yaml`): every definition parsePlatform accepts the fast way must be
// accepted, as the same definition, when read with positions, or a definition
// would read differently depending on whether it has a problem elsewhere.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { positionedData, readPlainYaml, readPositionedYaml } from '../../src/platform/definition/yaml-readers.js';
import { parseWithPositions } from '../../src/platform/definition/load.js';
import { parsePlatform, PlatformErrors, type PlatformDefinition } from '../../src/platform/index.js';

const EXAMPLE = readFileSync(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)), 'utf8');

/** The position-keeping reader's data, or undefined when it reports any error or warning. */
function positioned(text: string): unknown {
  const { document } = readPositionedYaml(text);
  return document.errors.length + document.warnings.length > 0 ? undefined : positionedData(document);
}

/** Fails unless the fast reader gave up on `text` or read what the position-keeping reader reads. */
function assertAgree(text: string): void {
  const plain = readPlainYaml(text);
  if (plain === undefined) return;
  const expected = positioned(text);
  assert.ok(expected !== undefined, `the fast reader accepted a text the position-keeping reader refuses:\n${text}`);
  assert.ok(isDeepStrictEqual(plain, expected), `the readers disagree on:\n${text}\nfast: ${String(JSON.stringify(plain))}\npositioned: ${String(JSON.stringify(expected))}`);
}

/**
 * Fails when parsePlatform, which reads a problem-free text fast, accepts a
 * text that reading with positions refuses or reads as another definition.
 * (The readers themselves may differ on texts with a problem, such as
 * `{&cpu: 1}`, which js-yaml reads as an anchor named "cpu:": those go to the
 * position-keeping reader.)
 */
function assertSameDefinition(text: string): void {
  if (readPlainYaml(text) === undefined) return; // read with positions only
  let fast: PlatformDefinition;
  try {
    fast = parsePlatform(text, 'platform.yaml');
  } catch (error) {
    assert.ok(error instanceof PlatformErrors, String(error));
    return; // every refusal is made by reading with positions
  }
  let positioned: PlatformDefinition;
  try {
    positioned = parseWithPositions(text, 'platform.yaml');
  } catch (error) {
    assert.fail(`accepted a text that reading with positions refuses (${String(error)}):\n${text}`);
  }
  assert.deepEqual(fast, positioned, text);
}

/** Fails unless parsePlatform and reading with positions both give this definition, or both refuse it with the same message. */
function assertSameOutcome(text: string): void {
  const outcome = (parse: typeof parsePlatform): unknown => {
    try {
      return parse(text, 'platform.yaml');
    } catch (error) {
      assert.ok(error instanceof PlatformErrors, String(error));
      return error.message;
    }
  };
  assert.deepEqual(outcome(parsePlatform), outcome(parseWithPositions), text);
}

function replaceOnce(text: string, old: string, replacement: string): string {
  assert.equal(text.split(old).length, 2, `${JSON.stringify(old)} once in the example`);
  return text.replace(old, replacement);
}

/** The 1-based line of the example's line that contains `fragment`. */
function lineOf(fragment: string): number {
  return EXAMPLE.split('\n').findIndex((line) => line.includes(fragment)) + 1;
}

// Plain scalars where YAML 1.2 core, YAML 1.1 and js-yaml's own schemas part ways.
const SCALARS = [
  '0o17', '017', '-0', '+5', '0x1F', '-0x1F', '0b101', '1_000', '-.5', '+.5', '.5e3', '1.', '1.50', '1e400', '-1e400',
  '9'.repeat(400), '.inf', '-.Inf', '+.INF', '.NaN', '.nan', 'nan', '~', 'null', 'Null', 'NULL', 'nULL', '', 'true', 'True',
  'TRUE', 'tRUE', 'yes', 'on', 'off', 'y', '2026-11-28', '12:30:00', '0x', '0o', '1e3', '1E+3', '443',
];

describe('the two readers of platform.yaml', () => {
  test('GIVEN the example platform WHEN read both ways THEN the fast reader reads it, as the same data', () => {
    assert.notEqual(readPlainYaml(EXAMPLE), undefined, 'the example must take the fast way');
    assert.deepEqual(readPlainYaml(EXAMPLE), positioned(EXAMPLE));
  });

  test('GIVEN scalars that YAML schemas read differently WHEN read in block and flow style THEN the readers agree on each', () => {
    for (const scalar of SCALARS) {
      for (const text of [`value: ${scalar}\n`, `value: [${scalar}]\n`, `{value: ${scalar}}\n`]) {
        assert.notEqual(readPlainYaml(text), undefined, `the fast reader gave up on ${JSON.stringify(text)}`);
        assertAgree(text);
      }
      assertAgree(`${scalar === '' ? '""' : scalar}: key\n`); // null keys are given up: js-yaml reads them as "null", yaml as ""
    }
  });

  test('GIVEN tags, directives or a flow collection over several lines WHEN read fast THEN the fast reader gives them up', () => {
    const givenUp = [
      'value: !!str 1\n',
      'value: !custom x\n',
      '%YAML 1.1\n---\nvalue: yes\n',
      'quota: {cpu: "4", memory:\nGi, pods: 20}\n', // indented less than its key: YAML refuses, js-yaml would not
      'ports: [443,\n  8443]\n', // valid, but only the position-keeping reader is trusted with it
      'name: "blue"# no space before the comment\n', // YAML refuses, js-yaml would not
      'ports: [443]# no space before the comment\n',
    ];
    for (const text of givenUp) assert.equal(readPlainYaml(text), undefined, JSON.stringify(text));
  });

  test('GIVEN a quoted scalar continued on a line indented no more than its key WHEN parsed THEN it is refused at its line, as reading with positions refuses it', () => {
    for (const [text, line] of [
      [replaceOnce(EXAMPLE, 'policy: polaris.yaml', 'policy: "polaris\n.yaml"'), lineOf('policy: polaris.yaml')],
      [replaceOnce(EXAMPLE, '  - name: blue\n', "  - name: 'bl\n    ue'\n"), lineOf('  - name: blue')],
    ] as const) {
      assert.throws(() => parsePlatform(text, 'platform.yaml'), (error: unknown) => error instanceof PlatformErrors && error.errors[0]!.line === line && /Missing closing/.test(error.message));
      assertSameOutcome(text);
    }
    for (const text of ['a:\n  b: "x\n  c"\n', '- "x\ny"\n', 'a: "x\n\ty"\n']) {
      assert.equal(readPlainYaml(text), undefined, JSON.stringify(text));
    }
  });

  test('GIVEN a collection as a key WHEN parsed THEN parsePlatform reads it as YAML does, not as the key its items spell', () => {
    for (const text of [
      replaceOnce(EXAMPLE, 'policy: polaris.yaml', '[policy]: polaris.yaml'),
      replaceOnce(EXAMPLE, 'policy: polaris.yaml', '? [policy]\n: polaris.yaml'),
    ]) {
      assert.throws(() => parsePlatform(text, 'platform.yaml'), PlatformErrors);
      assertSameOutcome(text);
    }
    for (const text of ['? - a\n  - b\n: 1\n', '{[a]: 1}\n', 'a: &x [1]\n*x : 2\n', 'a: &x {b: 1}\n*x : 2\n']) {
      assert.equal(readPlainYaml(text), undefined, JSON.stringify(text));
    }
    assertAgree('a: &x 1\n*x : 2\n'); // an alias of a scalar is the same key in both
  });

  test('GIVEN a \\U escape beyond Unicode, content on a --- line or a key over 1024 characters WHEN read THEN the fast reader gives them up, as YAML refuses them', () => {
    const text = replaceOnce(EXAMPLE, 'policy: polaris.yaml', 'policy: "polaris.yaml\\U00110000"');
    assert.throws(() => parsePlatform(text, 'platform.yaml'), (error: unknown) => error instanceof PlatformErrors && error.errors[0]!.line === lineOf('policy: polaris.yaml') && /Invalid escape/.test(error.message));
    for (const refused of ['a: "\\U00110000"\n', '--- a: 1\n', '---  a: 1\n', `${'k'.repeat(1025)}: 1\n`]) {
      assert.equal(readPlainYaml(refused), undefined, refused.slice(0, 40));
      assert.equal(positioned(refused), undefined, refused.slice(0, 40));
    }
  });

  test('GIVEN random edits of the example WHEN parsePlatform accepts the result THEN reading it with positions gives the same definition', () => {
    const significant = [':', '-', '?', '[', ']', '{', '}', '#', '&', '*', '|', '>', "'", '"', '@', '`', ' ', '\t', '\n', ',', '\\', 'a', '0', '.', '<<', '~', '%'];
    const edit = fc.record({ at: fc.nat(), remove: fc.integer({ min: 0, max: 2 }), insert: fc.constantFrom(...significant, '') });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let text = EXAMPLE;
        for (const { at, remove, insert } of edits) {
          const position = at % text.length;
          text = text.slice(0, position) + insert + text.slice(position + remove);
        }
        assertSameDefinition(text);
      }),
      // A fresh seed each run: the runs of every CI build add up, and each reads the whole example twice.
      { numRuns: 250 },
    );
  });

  test('GIVEN a definition the fast reader accepts but with a problem WHEN parsed THEN the error still names its line', () => {
    const text = EXAMPLE.replace('kubernetesVersion: "1.32"', 'kubernetesVersion: "1.12"');
    assert.notEqual(text, EXAMPLE);
    assert.notEqual(readPlainYaml(text), undefined);
    assert.throws(
      () => parsePlatform(text, 'platform.yaml'),
      (error: unknown) => error instanceof PlatformErrors && error.errors.some((problem) => problem.line === EXAMPLE.split('\n').findIndex((line) => line.includes('kubernetesVersion: "1.32"')) + 1),
    );
  });
});
