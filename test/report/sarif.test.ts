import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAudit, formatSarif, polarisHelpUri, sarifLog } from '../../src/report/index.js';
import { artifactUri } from '../../src/report/sarif.js';
import { sampleAudit } from './fixture.js';

const LEVELS = ['none', 'note', 'warning', 'error'];

/** The parts of SARIF 2.1.0 (and GitHub code scanning's subset) every log must satisfy. */
function assertValidSarif(log: unknown): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking parsed, untyped JSON
  const doc = log as Record<string, any>;
  assert.equal(doc.version, '2.1.0');
  assert.equal(typeof doc.$schema, 'string');
  assert.ok(Array.isArray(doc.runs) && doc.runs.length === 1, 'one run');
  const run = doc.runs[0];
  const driver = run.tool?.driver;
  assert.equal(typeof driver?.name, 'string');
  assert.ok(Array.isArray(driver.rules));
  const ids = new Set<string>();
  for (const rule of driver.rules) {
    assert.equal(typeof rule.id, 'string');
    assert.ok(!ids.has(rule.id), `rule ${rule.id} listed once`);
    ids.add(rule.id);
    assert.equal(typeof rule.shortDescription?.text, 'string');
    assert.equal(typeof rule.fullDescription?.text, 'string');
    assert.ok(LEVELS.includes(rule.defaultConfiguration?.level));
    if (rule.helpUri !== undefined) assert.doesNotThrow(() => new URL(rule.helpUri));
  }
  assert.ok(Array.isArray(run.results));
  for (const result of run.results) {
    assert.equal(typeof result.message?.text, 'string');
    assert.ok(LEVELS.includes(result.level));
    assert.ok(Number.isInteger(result.ruleIndex) && result.ruleIndex >= 0 && result.ruleIndex < driver.rules.length);
    assert.equal(driver.rules[result.ruleIndex].id, result.ruleId, 'ruleIndex points at the rule of ruleId');
    assert.ok(Array.isArray(result.locations) && result.locations.length >= 1);
    const physical = result.locations[0].physicalLocation;
    assert.equal(typeof physical.artifactLocation.uri, 'string');
    assert.ok(!physical.artifactLocation.uri.startsWith('/') && !physical.artifactLocation.uri.includes('\\'), 'relative URI');
    assert.ok(Number.isInteger(physical.region.startLine) && physical.region.startLine >= 1);
    for (const value of Object.values(result.partialFingerprints)) assert.equal(typeof value, 'string');
  }
  for (const invocation of run.invocations ?? []) {
    assert.equal(typeof invocation.executionSuccessful, 'boolean', 'executionSuccessful is required (§3.20.14)');
    for (const notification of invocation.toolExecutionNotifications ?? []) {
      assert.equal(typeof notification.message?.text, 'string');
      assert.ok(LEVELS.includes(notification.level));
      for (const location of notification.locations ?? []) {
        const uri: string = location.physicalLocation.artifactLocation.uri;
        assert.ok(!uri.startsWith('/') && !uri.includes('\\'), 'relative URI');
        const line = location.physicalLocation.region?.startLine;
        if (line !== undefined) assert.ok(Number.isInteger(line) && line >= 1);
      }
    }
  }
}

const OPTIONS = { toolVersion: '1.2.3', cwd: '/repo' };

describe('formatSarif', () => {
  test('is a structurally valid SARIF 2.1.0 log', () => {
    const log = JSON.parse(formatSarif(sampleAudit(), OPTIONS));
    assertValidSarif(log);
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.deepEqual(log.runs[0].tool.driver.name, 'kaji');
    assert.deepEqual(log.runs[0].tool.driver.version, '1.2.3');
  });

  test('one rule per failed check, sorted by ID, with level and category', () => {
    const { rules } = sarifLog(sampleAudit(), OPTIONS).runs[0]!.tool.driver;
    assert.deepEqual(
      rules.map((r) => [r.id, r.defaultConfiguration.level, r.properties.category]),
      [
        ['customNote', 'warning', 'Custom'],
        ['deploymentMissingReplicas', 'warning', 'Reliability'],
        ['livenessProbeMissing', 'warning', 'Reliability'],
        ['runAsRootAllowed', 'error', 'Security'],
        ['tagNotSpecified', 'error', 'Reliability'],
      ],
    );
    assert.equal(rules[3]?.shortDescription.text, 'Should not be allowed to run as root');
  });

  test('results for failed checks only, with rule index, level, message and file:line', () => {
    const { results } = sarifLog(sampleAudit(), OPTIONS).runs[0]!;
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.ruleIndex, r.level, r.locations[0]?.physicalLocation?.region.startLine]),
      [
        ['deploymentMissingReplicas', 1, 'warning', 3],
        ['runAsRootAllowed', 3, 'error', 3],
        ['livenessProbeMissing', 2, 'warning', 3],
        ['tagNotSpecified', 4, 'error', 3],
        ['customNote', 0, 'warning', 40],
      ],
    );
    const root = results[1]!;
    assert.equal(root.message.text, 'Deployment/shop/web container app: Should not be allowed to run as root');
    assert.deepEqual(root.locations[0]?.physicalLocation?.artifactLocation, { uri: 'deploy/web.yaml', uriBaseId: '%SRCROOT%' });
    assert.equal(results[0]!.message.text, 'Deployment/shop/web: Only one replica is scheduled');
  });

  test('fingerprints are stable across runs and lines, distinct per finding', () => {
    const first = sarifLog(sampleAudit(), OPTIONS).runs[0]!.results.map((r) => r.partialFingerprints);
    const moved = sampleAudit();
    moved.Results.reverse();
    for (const result of moved.Results) if (result.Source) result.Source.Line += 10;
    const second = sarifLog(moved, OPTIONS).runs[0]!.results.map((r) => r.partialFingerprints);
    const key = (f: Record<string, string>) => JSON.stringify(f);
    assert.deepEqual(new Set(second.map(key)), new Set(first.map(key)));
    assert.equal(new Set(first.map(key)).size, first.length);
  });

  test('artifact URIs are relative to the working directory, with forward slashes and encoded', () => {
    assert.equal(artifactUri('/repo/clusters/blue/app.yaml', '/repo'), 'clusters/blue/app.yaml');
    assert.equal(artifactUri('clusters/my app#1.yaml', '/repo'), 'clusters/my%20app%231.yaml');
    assert.equal(artifactUri('./a/../b.yaml', '/repo'), 'b.yaml');
  });

  test('objects read from standard input get a logical location only', () => {
    const audit = sampleAudit();
    for (const result of audit.Results) result.Source = { File: '<stdin>', Line: 1 };
    const [first] = sarifLog(audit, OPTIONS).runs[0]!.results;
    assert.deepEqual(first?.locations, [{ logicalLocations: [{ fullyQualifiedName: 'Deployment/shop/web', kind: 'resource' }] }]);
  });

  test('helpUri and informationUri when given', () => {
    const log = sarifLog(sampleAudit(), {
      ...OPTIONS,
      informationUri: 'https://example.com/kaji',
      helpUri: (id, category) => (id === 'runAsRootAllowed' ? polarisHelpUri(category) : undefined),
    });
    const driver = log.runs[0]!.tool.driver;
    assert.equal(driver.informationUri, 'https://example.com/kaji');
    assert.equal(driver.rules.find((r) => r.id === 'runAsRootAllowed')?.helpUri, 'https://polaris.docs.fairwinds.com/checks/security/');
    assert.equal(driver.rules.find((r) => r.id === 'customNote')?.helpUri, undefined);
    assert.equal(polarisHelpUri('Custom'), undefined);
  });

  test('inputs that could not be read make the invocation unsuccessful, one error notification each', () => {
    const problems = [
      { file: '/repo/deploy/bad file.yaml', line: 7, message: 'invalid YAML: bad indentation' },
      { file: '/repo/deploy/gone', message: 'no such file or directory' },
      { file: '<stdin>', line: 2, message: 'invalid YAML: unexpected end' },
    ];
    const log = JSON.parse(formatAudit(sampleAudit(), 'sarif', { cwd: '/repo', problems }));
    assertValidSarif(log);
    assert.equal(log.runs[0].results.length, 5, 'the findings are still reported');
    assert.equal(log.runs[0].invocations.length, 1);
    const [invocation] = log.runs[0].invocations;
    assert.equal(invocation.executionSuccessful, false);
    assert.deepEqual(invocation.toolExecutionNotifications, [
      {
        level: 'error',
        message: { text: 'deploy/bad file.yaml:7: invalid YAML: bad indentation' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'deploy/bad%20file.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 7 } } }],
      },
      {
        level: 'error',
        message: { text: 'deploy/gone: no such file or directory' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'deploy/gone', uriBaseId: '%SRCROOT%' } } }],
      },
      { level: 'error', message: { text: '<stdin>:2: invalid YAML: unexpected end' } },
    ]);
  });

  test('without input problems there is no invocations entry (the log is as it was)', () => {
    assert.equal(sarifLog(sampleAudit(), OPTIONS).runs[0]!.invocations, undefined);
    assert.equal(formatSarif(sampleAudit(), { ...OPTIONS, problems: [] }), formatSarif(sampleAudit(), OPTIONS));
  });

  test('an audit without failures gives empty rules and results, not null', () => {
    const log = JSON.parse(formatAudit(sampleAudit(), 'sarif', { onlyFailed: true, cwd: '/repo' }));
    assertValidSarif(log);
    const clean = { ...sampleAudit(), Results: [] };
    const empty = JSON.parse(formatSarif(clean, OPTIONS));
    assertValidSarif(empty);
    assert.deepEqual(empty.runs[0].results, []);
    assert.deepEqual(empty.runs[0].tool.driver.rules, []);
  });
});
