// Aliases in platform.yaml: read as written, and bounded by what they expand
// to, so that a few lines cannot stand for a billion values every later step
// would walk (the error names the alias that expands).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePlatform, PlatformErrors } from '../../src/platform/index.js';
import { runBounded } from '../support/bounded.js';

const EXAMPLE = readFileSync(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)), 'utf8');

/** Nine anchors a..i, each a list of ten aliases of the one before: i expands to a billion values. */
const LAUGHS = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefghi'[index]}`).join(', ')}]`)];

function refusal(text: string): PlatformErrors {
  try {
    parsePlatform(text, 'platform.yaml');
  } catch (error) {
    assert.ok(error instanceof PlatformErrors, `expected PlatformErrors, got ${String(error)}`);
    return error;
  }
  assert.fail('the definition was accepted');
}

describe('aliases in platform.yaml', () => {
  test('GIVEN the example (egress entries written once, then aliased) WHEN parsed THEN each alias reads as its anchor', () => {
    const definition = parsePlatform(EXAMPLE, 'platform.yaml');
    const egress = definition.services.flatMap((service) => service.egress);
    assert.ok(egress.filter((entry) => JSON.stringify(entry).includes('10.0.16.0/20')).length > 3);
  });

  test('GIVEN 150 uses of one anchor (over the yaml package\'s own limit of 100 uses) WHEN parsed THEN they are read, and judged as values', () => {
    const text = EXAMPLE.replace(/^(\s+egress: )\[internet, \*aws-apis\]/m, `$1[internet, ${Array(150).fill('*aws-apis').join(', ')}]`);
    assert.notEqual(text, EXAMPLE);
    const error = refusal(text);
    assert.match(error.message, /services\[1\]\.egress\[\d+\]: repeats a mapping \(already item \d+\)/);
  });

  test('GIVEN aliases expanding to a billion values after a valid definition WHEN parsed THEN one error names where they pass the bound', () => {
    const lines = EXAMPLE.split('\n').length;
    // In a child process that is killed after 20 s: without the bound, validation would walk a billion values
    const errors = runBounded(
      `import { parsePlatform } from './src/platform/index.ts';
       try { parsePlatform(${JSON.stringify(`${EXAMPLE}${LAUGHS.join('\n')}\n`)}, 'platform.yaml'); console.log('[]'); }
       catch (error) { console.log(JSON.stringify(error.errors.map(({ path, line, message }) => ({ path, line, message })))); }`,
      20,
    );
    const [first, ...others] = JSON.parse(errors) as { path: string; line: number; message: string }[];
    assert.deepEqual(others, []);
    // f, a million and ten values, is the first anchor over the bound; the example's own aliases come earlier
    assert.equal(first!.path, 'f');
    assert.equal(first!.line, lines + 5);
    assert.match(first!.message, /aliases expand this past 1,000,000 values/);
  });

  test('GIVEN a value that contains itself WHEN parsed THEN the error names the alias', () => {
    const error = refusal('teams: &t [*t]\n');
    assert.equal(error.errors[0]!.path, 'teams[0]');
    assert.deepEqual([error.errors[0]!.line, error.errors[0]!.column], [1, 12]);
    assert.match(error.message, /or it contains itself/);
  });

  test('GIVEN aliases naming no anchor, or one set only after them WHEN parsed THEN one error each names the alias and its line', () => {
    const text = EXAMPLE.replace('egress: [*aurora, *aws-apis]', 'egress: [*auora, *aws-apis]').replace(/\n$/, '\nlater: [*late, &late x]\n');
    const error = refusal(text);
    const typoLine = text.split('\n').findIndex((line) => line.includes('*auora')) + 1;
    assert.deepEqual(
      error.errors.map((problem) => [problem.line, problem.message]),
      [
        [typoLine, 'invalid YAML: alias *auora names no anchor set before it; write &auora on an earlier value, or correct the name'],
        [text.split('\n').length - 1, 'invalid YAML: alias *late names no anchor set before it; write &late on an earlier value, or correct the name'],
      ],
    );
  });
});
