// The deep equality the compiled platform schema uses for uniqueItems (kube/json-equal.ts),
// directly and through parsePlatform: a duplicate written with its keys in another order
// is still a duplicate, and a key named like an Object method (or __proto__) is data like any other.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonEqual } from '../../src/kube/index.js';
import { parsePlatform, PlatformErrors } from '../../src/platform/index.js';
import { platformYaml } from '../support/platform.js';

/** platform.yaml with one service whose egress is `egress` (YAML flow text). */
function withEgress(egress: string): string {
  const text = platformYaml([{ name: 'shop' }]).trimEnd();
  assert.ok(text.endsWith('}}'));
  return `${text.slice(0, -1)}, egress: ${egress}}\n`;
}

/** The messages parsePlatform reports for a text ([] when it loads). */
function problems(text: string): string[] {
  try {
    parsePlatform(text, 'platform.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof PlatformErrors)) throw error;
    return error.errors.map((problem) => `${problem.path}: ${problem.message}`);
  }
}

describe('jsonEqual', () => {
  test('the same data is equal whatever its key order; a different value, key, length or shape is not', () => {
    assert.equal(jsonEqual({ cidr: '10.0.0.0/8', ports: [443, 80] }, { ports: [443, 80], cidr: '10.0.0.0/8' }), true);
    assert.equal(jsonEqual({ cidr: '10.0.0.0/8', ports: [443] }, { cidr: '10.0.0.0/8', ports: [444] }), false);
    assert.equal(jsonEqual({ cidr: '10.0.0.0/8' }, { cidr: '10.0.0.0/8', ports: [443] }), false);
    assert.equal(jsonEqual({ a: 1 }, { b: 1 }), false);
    assert.equal(jsonEqual([443, 80], [80, 443]), false);
    assert.equal(jsonEqual(['a'], { 0: 'a' }), false);
    assert.equal(jsonEqual(null, {}), false);
    assert.equal(jsonEqual(1, '1'), false);
    assert.equal(jsonEqual(Number.NaN, Number.NaN), true);
  });

  test('keys named like Object methods are compared as data, without calling anything', () => {
    for (const key of ['toString', 'valueOf', 'constructor']) {
      assert.equal(jsonEqual({ [key]: 1 }, { [key]: 1 }), true, key);
      assert.equal(jsonEqual({ [key]: 1 }, { [key]: 2 }), false, key);
      assert.equal(jsonEqual({ [key]: 1 }, {}), false, key);
    }
    // Own keys only: another object's inherited __proto__ is not the same data as an own one.
    assert.equal(jsonEqual(JSON.parse('{"__proto__": {}}'), { other: 1 }), false);
  });
});

describe('uniqueItems in platform.yaml, through the generated validator', () => {
  test('the same egress entry twice, keys in another order, is reported; two different ones are not', () => {
    const duplicate = problems(withEgress('[{cidr: 10.0.16.0/20, ports: [443]}, {ports: [443], cidr: 10.0.16.0/20}]'));
    assert.equal(duplicate.length, 1, duplicate.join('\n'));
    assert.equal(duplicate[0], 'services[0].egress[1]: repeats a mapping (already item 0); list each once');
    assert.deepEqual(problems(withEgress('[{cidr: 10.0.16.0/20, ports: [443]}, {cidr: 10.0.16.0/20, ports: [444]}]')), []);
  });
});
