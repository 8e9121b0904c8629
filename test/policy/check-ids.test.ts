// Check IDs are names users choose: one that is also a property of
// Object.prototype ("__proto__", "constructor", "toString") must be a check
// like any other, from the configuration file to the report and the webhook.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { ConfigError, filterBySeverity, loadPolicyConfig, type AuditData, type PolicyConfig } from '../../src/policy/index.js';
import { decide } from '../../src/webhook/index.js';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

/** A custom check per ID that fails on objects without a `team` label. */
function policyWith(ids: readonly string[], severities: readonly (readonly [string, string])[]): string {
  const checks = severities.map(([id, severity]) => `  ${JSON.stringify(id)}: ${severity}\n`).join('');
  const custom = ids
    .map(
      (id) => `  ${JSON.stringify(id)}:
    successMessage: ${id} passed
    failureMessage: ${id} wants a team label
    category: Reliability
    target: Controller
    schema:
      type: object
      required: [metadata]
      properties:
        metadata:
          type: object
          required: [labels]
          properties:
            labels: {type: object, required: [team]}
`,
    )
    .join('');
  return `checks:\n${checks}customChecks:\n${custom}`;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
`;

/** An assert.rejects validator: a ConfigError whose one-line description matches. */
function refusedAs(pattern: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof ConfigError && pattern.test(error.describe());
}

const IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

async function withPolicy<T>(text: string, use: (file: string, manifest: string) => Promise<T>): Promise<T> {
  const tree = tempTree({ 'polaris.yaml': text, 'web.yaml': DEPLOYMENT });
  try {
    return await use(tree.path('polaris.yaml'), tree.path('web.yaml'));
  } finally {
    tree.cleanup();
  }
}

describe('check IDs named like Object.prototype properties', () => {
  const severityMap = [
    ['__proto__', 'danger'],
    ['constructor', 'warning'],
    ['toString', 'danger'],
    ['hasOwnProperty', 'ignore'],
  ] as const;

  for (const merge of [false, true]) {
    test(`are loaded as checks with their severity${merge ? ' (--merge-config)' : ''}`, async () => {
      const config = await withPolicy(policyWith(IDS, severityMap), (file) => loadPolicyConfig({ file, merge }));
      for (const id of IDS) {
        assert.ok(Object.hasOwn(config.checks, id), `checks has ${id}`);
        assert.ok(Object.hasOwn(config.customChecks, id), `customChecks has ${id}`);
        assert.equal(config.customChecks[id]!.id, id);
      }
      assert.equal(config.checks.__proto__, 'danger');
      assert.equal(config.checks.constructor, 'warning');
      if (merge) assert.equal(config.checks.hostIPCSet, 'danger', 'the defaults are still there');
      // Nothing inherited: an ID that is not configured is not there.
      assert.equal(config.checks.valueOf, undefined);
      assert.equal(config.customChecks.valueOf, undefined);
    });
  }

  test('kaji check runs them and reports each under its ID', async () => {
    const { code, stdout, stderr } = await withPolicy(policyWith(IDS, severityMap), (file, manifest) =>
      kaji(['check', manifest, '--config', file, '--format', 'json', '--set-exit-code-on-danger']),
    );
    assert.equal(stderr, '');
    assert.equal(code, 3, 'the __proto__ and toString dangers fail');
    const audit = JSON.parse(stdout) as AuditData;
    const results = new Map(Object.entries(audit.Results[0]!.Results));
    assert.deepEqual([...results.keys()].sort(), ['__proto__', 'constructor', 'toString']);
    assert.equal(results.get('__proto__')?.Severity, 'danger');
    assert.equal(results.get('__proto__')?.Message, '__proto__ wants a team label');
    assert.equal(results.get('constructor')?.Severity, 'warning');
  });

  test('--format yaml reports each under its ID too', async () => {
    const { stdout } = await withPolicy(policyWith(IDS, severityMap), (file, manifest) => kaji(['check', manifest, '--config', file, '--format', 'yaml']));
    const audit = yaml.load(stdout) as AuditData;
    assert.deepEqual(Object.keys(audit.Results[0]!.Results).sort(), ['__proto__', 'constructor', 'toString']);
    assert.equal(audit.Results[0]!.Results.__proto__?.Severity, 'danger');
  });

  test('--checks __proto__ runs only that check', async () => {
    const { code, stdout } = await withPolicy(policyWith(IDS, severityMap), (file, manifest) =>
      kaji(['check', manifest, '--config', file, '--format', 'json', '--checks', '__proto__']),
    );
    assert.equal(code, 0);
    assert.deepEqual(Object.keys((JSON.parse(stdout) as AuditData).Results[0]!.Results), ['__proto__']);
  });

  test('--severity keeps a __proto__ danger', async () => {
    const { stdout } = await withPolicy(policyWith(IDS, severityMap), (file, manifest) => kaji(['check', manifest, '--config', file, '--format', 'json']));
    const filtered = filterBySeverity(JSON.parse(stdout) as AuditData, 'danger');
    assert.deepEqual(Object.keys(filtered.Results[0]!.Results).sort(), ['__proto__', 'toString']);
  });

  test('the webhook denies with the __proto__ check', async () => {
    const config: PolicyConfig = await withPolicy(policyWith(['__proto__'], [['__proto__', 'danger']]), (file) => loadPolicyConfig({ file }));
    const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'r/web:1' }] } } } };
    const denied = decide('validate', { uid: 'u1', operation: 'CREATE', object, namespace: 'shop', dryRun: false, username: 'tester' }, config);
    assert.equal(denied.verdict, 'denied');
    assert.deepEqual(denied.dangers, ['__proto__']);
    assert.match(denied.response.status!.message, /__proto__: __proto__ wants a team label/);
    const labelled = { ...object, metadata: { ...object.metadata, labels: { team: 'a' } } };
    assert.equal(decide('validate', { uid: 'u2', operation: 'CREATE', object: labelled, namespace: 'shop', dryRun: false, username: 'tester' }, config).verdict, 'allowed');
  });

  test('a check ID that is only an inherited name, and not defined, is still unknown', async () => {
    await withPolicy('checks:\n  constructor: warning\n', async (file) => {
      await assert.rejects(loadPolicyConfig({ file }), refusedAs(/^.*polaris\.yaml:2: checks\.constructor: unknown check "constructor"/));
    });
    await withPolicy('checks:\n  __proto__: warning\n', async (file) => {
      await assert.rejects(loadPolicyConfig({ file }), refusedAs(/^.*polaris\.yaml:2: checks\.__proto__: unknown check "__proto__"/));
    });
  });

  test('a custom check __proto__ without a severity is refused as such', async () => {
    await withPolicy(policyWith(['__proto__'], []).replace('checks:\n', 'checks: {}\n'), async (file) => {
      await assert.rejects(loadPolicyConfig({ file }), refusedAs(/^.*polaris\.yaml:3: customChecks\.__proto__: custom check "__proto__" has no severity/));
    });
  });
});
