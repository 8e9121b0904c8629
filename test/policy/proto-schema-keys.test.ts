// A custom check's schema naming the property "__proto__" (a valid ConfigMap
// data key): the JSON Schema validator (Ajv) skips that key under properties,
// patternProperties and dependencies, so its rule never ran and every object
// passed. It is refused with the file, line and place; the suggested form works.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditData } from '../../src/policy/index.js';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: shop}
data:
  __proto__: "${value}"
`;

/** A policy whose one custom check wants data.__proto__ to be "yes", with this schema for data. */
const policy = (dataSchema: string) => `checks:
  protoData: danger
customChecks:
  protoData:
    successMessage: ok
    failureMessage: data.__proto__ must be "yes"
    category: Security
    target: ConfigMap
    schema:
      type: object
      properties:
        data:
${dataSchema}`;

describe('custom checks: a schema naming the property "__proto__"', () => {
  test('under properties, patternProperties or dependencies: kaji check refuses the configuration, naming file, line, check and place (exit 2)', async () => {
    const cases = [
      ['properties', '          properties:\n            __proto__: {const: "yes"}\n', 'use patternProperties: {"^__proto__$": ...} instead'],
      ['patternProperties', '          patternProperties:\n            __proto__: {const: "yes"}\n', 'use the pattern "(?:__proto__)" instead'],
      ['dependencies', '          dependencies:\n            __proto__: [other]\n', 'use dependentRequired or dependentSchemas instead'],
    ] as const;
    for (const [keyword, schema, instead] of cases) {
      const tree = tempTree({ 'p.yaml': policy(schema), 'm.yaml': configMap('plain', 'no') });
      try {
        const { code, stdout, stderr } = await kaji(['check', tree.path('m.yaml'), '--config', tree.path('p.yaml')]);
        assert.equal(code, 2, `${keyword}: ${stdout}`);
        assert.equal(
          stderr,
          `kaji: invalid configuration: ${tree.path('p.yaml')}:9: customChecks.protoData.schema: properties.data.${keyword} names "__proto__", ` +
            `a key the JSON Schema validator skips (its rule would never be applied); ${instead}\n`,
        );
      } finally {
        tree.cleanup();
      }
    }
  });

  test('in a schemaString too; a property named "properties" holding a __proto__ keyword is not mistaken for one', async () => {
    const tree = tempTree({
      'p.yaml': `checks: {protoData: danger}
customChecks:
  protoData:
    target: ConfigMap
    schemaString: '{"properties": {"data": {"properties": {"__proto__": {"const": "yes"}}}}}'
`,
      'q.yaml': policy('          properties:\n            properties: {__proto__: {}, const: "yes"}\n'),
      'm.yaml': configMap('plain', 'no'), // (a name `no` is the boolean false: an input problem)
    });
    try {
      const refused = await kaji(['check', tree.path('m.yaml'), '--config', tree.path('p.yaml')]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /p\.yaml:5: customChecks\.protoData\.schemaString: properties\.data\.properties names "__proto__"/);
      const kept = await kaji(['check', tree.path('m.yaml'), '--config', tree.path('q.yaml'), '--format', 'json']);
      assert.equal(kept.code, 0, kept.stderr);
    } finally {
      tree.cleanup();
    }
  });

  test('the suggested patternProperties form judges data.__proto__ like any other key', async () => {
    const tree = tempTree({
      'p.yaml': policy('          required: [__proto__]\n          patternProperties:\n            "^__proto__$": {const: "yes"}\n'),
      'm.yaml': `${configMap('good', 'yes')}---\n${configMap('bad', 'no')}---\n${configMap('none', 'x').replace('__proto__', 'other')}`,
    });
    try {
      const { code, stdout, stderr } = await kaji(['check', tree.path('m.yaml'), '--config', tree.path('p.yaml'), '--format', 'json']);
      assert.equal(code, 0, stderr);
      const verdicts = (JSON.parse(stdout) as AuditData).Results.map((result) => [result.Name, result.Results.protoData?.Success]);
      assert.deepEqual(verdicts, [['good', true], ['bad', false], ['none', false]]);
    } finally {
      tree.cleanup();
    }
  });
});
