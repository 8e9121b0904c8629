import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, defaultPolicyConfig, loadPolicyConfig, parsePolicyConfig, BUILTIN_CHECKS } from '../../src/policy/index.js';
import { tempTree } from '../support/files.js';
import { runBounded } from '../support/bounded.js';

function refusal(text: string): ConfigError {
  try {
    parsePolicyConfig(text, 'polaris.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('the configuration was accepted');
}

const customCheck = `customChecks:
  noLatest:
    successMessage: ok
    failureMessage: bad
    category: Images
    target: Container
    schema:
      type: object
      properties:
        image: {type: string, not: {pattern: ":latest$"}}
`;

describe('policy configuration', () => {
  test('the built-in defaults enable all 44 Polaris checks with a severity', () => {
    const config = defaultPolicyConfig();
    assert.equal(BUILTIN_CHECKS.size, 44);
    assert.deepEqual(Object.keys(config.checks).sort(), [...BUILTIN_CHECKS.keys()].sort());
    assert.ok(config.exemptions.length > 0, 'Polaris ships exemptions for system controllers');
  });

  test('--config replaces the defaults', async () => {
    const tree = tempTree({ 'p.yaml': 'checks:\n  hostIPCSet: danger\n' });
    try {
      const config = await loadPolicyConfig({ file: tree.path('p.yaml') });
      assert.deepEqual({ ...config.checks }, { hostIPCSet: 'danger' });
      assert.deepEqual(config.exemptions, []);
    } finally {
      tree.cleanup();
    }
  });

  test('--merge-config merges mappings key by key and replaces lists', async () => {
    const tree = tempTree({ 'p.yaml': 'checks:\n  hostIPCSet: ignore\nexemptions:\n  - rules: [hostPIDSet]\n' });
    try {
      const config = await loadPolicyConfig({ file: tree.path('p.yaml'), merge: true });
      assert.equal(config.checks.hostIPCSet, 'ignore');
      assert.equal(config.checks.hostPIDSet, defaultPolicyConfig().checks.hostPIDSet);
      assert.deepEqual(config.exemptions, [{ namespace: undefined, controllerNames: undefined, containerNames: undefined, rules: ['hostPIDSet'] }]);
    } finally {
      tree.cleanup();
    }
  });

  test('a custom check needs a severity', () => {
    const error = refusal(customCheck);
    assert.equal(error.path, 'customChecks.noLatest');
    assert.equal(error.line, 2);
    assert.match(error.describe(), /^polaris\.yaml:2: customChecks\.noLatest: custom check "noLatest" has no severity/);
    assert.doesNotThrow(() => parsePolicyConfig(`checks:\n  noLatest: danger\n${customCheck}`, 'p.yaml'));
  });

  test('an unknown severity names the key, its line and the allowed values', () => {
    const error = refusal('checks:\n  hostIPCSet: danger\n  hostPIDSet: dangerous\n');
    assert.equal(error.describe(), 'polaris.yaml:3: checks.hostPIDSet: unknown severity "dangerous": use ignore, warning or danger');
  });

  test('an unknown check ID suggests the closest one', () => {
    const error = refusal('checks:\n  tagNotSpecifed: danger\n');
    assert.match(error.message, /unknown check "tagNotSpecifed" \(did you mean "tagNotSpecified"\?\)/);
  });

  test('unknown keys are refused with a suggestion', () => {
    assert.match(refusal('check:\n  hostIPCSet: danger\n').message, /unknown key "check" \(did you mean "checks"\?\)/);
    const error = refusal('exemptions:\n  - controllerName: [x]\n');
    assert.equal(error.path, 'exemptions[0].controllerName');
    assert.match(error.message, /did you mean "controllerNames"/);
  });

  test("Polaris's kubeContext and namespace (for auditing a live cluster) are accepted and ignored", () => {
    const text = 'kubeContext: prod\nnamespace: apps\nchecks:\n  hostIPCSet: danger\n';
    const config = parsePolicyConfig(text, 'polaris.yaml');
    assert.deepEqual(config, { ...parsePolicyConfig('checks:\n  hostIPCSet: danger\n', 'polaris.yaml'), customChecks: config.customChecks });
    const error = refusal('checks: {}\nnamespace: [apps]\n');
    assert.equal(error.describe(), 'polaris.yaml:2: namespace: must be a text (Polaris\'s namespace; kaji ignores it), found ["apps"]');
  });

  test('wrong types are refused with the key', () => {
    assert.equal(refusal('exemptions:\n  - rules: hostIPCSet\n').path, 'exemptions[0].rules');
    assert.equal(refusal('disallowExemptions: "no"\n').path, 'disallowExemptions');
    assert.equal(refusal('mutations: [notACheck]\n').path, 'mutations[0]');
    assert.equal(refusal('- a\n- b\n').path, '');
  });

  test('invalid YAML gives the line', () => {
    const error = refusal('checks:\n  hostIPCSet: [danger\n');
    assert.match(error.describe(), /^polaris\.yaml:\d+: invalid YAML/);
  });

  test('aliases expanding to a billion values, or a value containing itself, are refused, not walked', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefghi'[index]}`).join(', ')}]`)];
    const laughs = `customChecks:\n  laughs:\n    target: Container\n    schema:\n${levels.map((line) => `      ${line}`).join('\n')}\n`;
    // f, a million and ten values, is the first anchor over the bound (line 10)
    // In a child process that is killed after 20 s: without the bound, the walk would not end (a test timeout cannot stop it)
    const described = runBounded(
      `import { parsePolicyConfig } from './src/policy/index.ts';
       try { parsePolicyConfig(${JSON.stringify(laughs)}, 'polaris.yaml'); console.log('accepted'); } catch (error) { console.log(error.describe()); }`,
      20,
    );
    assert.equal(described, 'polaris.yaml:10: customChecks.laughs.schema.f: aliases expand this past 1,000,000 values, or it contains itself; write the repeated part out, or refer to it fewer times');
    assert.match(refusal('exemptions: &self [*self]\n').describe(), /^polaris\.yaml:1: exemptions\[0\]: .* or it contains itself/);
  });

  test('invalid custom checks are refused with the path of the bad key', () => {
    const base = (body: string) => `checks:\n  c: danger\ncustomChecks:\n  c:\n    successMessage: ok\n    failureMessage: bad\n${body}`;
    assert.match(refusal(base('    target: Nonsense Target\n    schema: {type: object}\n')).path, /^customChecks\.c/);
    assert.match(refusal(base('    target: Container\n    schema: {type: object, properties: {image: {pattern: "(unclosed"}}}\n')).path, /^customChecks\.c/);
    assert.match(refusal(base('    target: Container\n    schema: {type: 12}\n')).path, /^customChecks\.c/);
  });

  test('an empty configuration (0 bytes, blanks or comments only) is refused, not read as no checks; checks: {} stays allowed', async () => {
    const empty = 'polaris.yaml: the configuration is empty (nothing but blanks or comments), which would run no check; list the checks under checks: (write checks: {} to run none on purpose)';
    for (const text of ['', '\n  \n', '# every check moved to another file\n---\n']) {
      assert.equal(refusal(text).describe(), empty, JSON.stringify(text));
    }
    const tree = tempTree({ 'polaris.yaml': '' });
    try {
      await assert.rejects(loadPolicyConfig({ file: tree.path('polaris.yaml'), merge: true }), /the configuration is empty/);
    } finally {
      tree.cleanup();
    }
    assert.deepEqual(Object.keys(parsePolicyConfig('checks: {}\n', 'polaris.yaml').checks), []);
  });

  test('a missing file is named', async () => {
    await assert.rejects(loadPolicyConfig({ file: '/nonexistent/polaris.yaml' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.describe(), '/nonexistent/polaris.yaml: cannot read the configuration: no such file or directory; check the path');
      return true;
    });
  });

  test('a folder given as the file: the reason in words and what to do', async () => {
    const tree = tempTree({ 'policy/polaris.yaml': 'checks: {}\n' });
    try {
      await assert.rejects(loadPolicyConfig({ file: tree.path('policy') }), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.describe(), `${tree.path('policy')}: cannot read the configuration: illegal operation on a directory; it is a folder: give the path of a file`);
        return true;
      });
    } finally {
      tree.cleanup();
    }
  });
});
