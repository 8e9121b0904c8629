// A .nan or .inf in a policy file is named as written: JSON.stringify showed it as null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parsePolicyConfig } from '../../src/policy/index.js';

test('configuration errors show .nan, .inf and -.inf as YAML writes them, not null', () => {
  const cases = [
    ['checks: {cpuLimitsMissing: .nan}\n', 'checks.cpuLimitsMissing', 'unknown severity .nan: use ignore, warning or danger'],
    ['checks: {}\ndisallowExemptions: -.inf\n', 'disallowExemptions', 'must be true or false, found -.inf'],
    ['checks: {c: warning}\ncustomChecks:\n  c: {target: .inf, schema: {}}\n', 'customChecks.c.target', 'target must be a string, found number .inf'],
    ['checks: {c: warning}\ncustomChecks:\n  c: {target: Pod, schemaString: .nan}\n', 'customChecks.c.schemaString', 'must be a string holding YAML or JSON, found number .nan'],
  ] as const;
  for (const [text, path, message] of cases) {
    assert.throws(
      () => parsePolicyConfig(text, 'p.yaml'),
      (error: unknown) => error instanceof ConfigError && error.path === path && error.message === message,
      text,
    );
  }
});

test('a schema that renders to .nan is refused naming it', () => {
  assert.throws(
    () => parsePolicyConfig("checks: {c: warning}\ncustomChecks:\n  c: {target: Pod, schemaString: '.nan'}\n", 'p.yaml'),
    (error: unknown) => error instanceof ConfigError && error.message === 'a schema must be a mapping (or true/false), found number .nan',
  );
});
