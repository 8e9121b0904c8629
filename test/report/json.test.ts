import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import fc from 'fast-check';
import { formatAudit, formatJson, formatScore, formatYaml, onlyFailedResults, polarisJsonValue } from '../../src/report/index.js';
import { filterBySeverity } from '../../src/policy/index.js';
import type { AuditData, ResultMessage, ResultSet } from '../../src/policy/types.js';
import { message, sampleAudit } from './fixture.js';

const MESSAGE_KEYS = ['ID', 'Message', 'Details', 'Success', 'Severity', 'Category', 'Mutations', 'Comments'];

function setsOf(result: AuditData['Results'][number]): ResultSet[] {
  const pod = result.PodResult;
  return [result.Results, ...(pod ? [pod.Results, ...pod.ContainerResults.map((container) => container.Results)] : [])];
}

describe('formatJson', () => {
  test('prints Polaris audit JSON with its keys in Polaris order', () => {
    const parsed = JSON.parse(formatJson(sampleAudit()));
    assert.deepEqual(Object.keys(parsed), [
      'PolarisOutputVersion',
      'AuditTime',
      'SourceType',
      'SourceName',
      'DisplayName',
      'ClusterInfo',
      'Results',
      'Score',
    ]);
    assert.deepEqual(Object.keys(parsed.ClusterInfo), ['Version', 'Nodes', 'Pods', 'Namespaces', 'Controllers']);
    const [deployment, service] = parsed.Results;
    assert.deepEqual(Object.keys(deployment), ['Name', 'Namespace', 'Kind', 'Results', 'PodResult', 'CreatedTime', 'Source']);
    assert.deepEqual(Object.keys(deployment.PodResult), ['Name', 'Results', 'ContainerResults']);
    assert.deepEqual(Object.keys(deployment.PodResult.ContainerResults[0]), ['Name', 'Results']);
    assert.deepEqual(Object.keys(deployment.PodResult.ContainerResults[0].Results.runAsRootAllowed), MESSAGE_KEYS);
    assert.equal(service.PodResult, null, 'a result without pod is null, as Go prints a nil *PodResult');
    assert.deepEqual(deployment.Source, { File: 'deploy/web.yaml', Line: 3 });
    assert.equal(parsed.Score, 53);
  });

  test('round-trips: parsing gives back the audit (absent slices as null)', () => {
    const audit = sampleAudit();
    const parsed = JSON.parse(formatJson(audit));
    const withNulls = JSON.parse(JSON.stringify(audit), (key, value) =>
      value && typeof value === 'object' && 'ID' in value && 'Success' in value
        ? { ...value, Mutations: value.Mutations ?? null, Comments: null }
        : value,
    );
    withNulls.Results[1].PodResult = null;
    assert.deepEqual(parsed, withNulls);
  });

  test('two-space indentation, check maps sorted by ID like Go maps, a final newline', () => {
    const text = formatJson(sampleAudit());
    assert.ok(text.startsWith('{\n  "PolarisOutputVersion": "1.0",\n  "AuditTime"'));
    assert.ok(text.endsWith('\n}\n'));
    assert.ok(text.indexOf('"hostIPCSet"') < text.indexOf('"hostNetworkSet"'));
    assert.ok(text.indexOf('"cpuLimitsMissing"') < text.indexOf('"runAsRootAllowed"'));
    assert.match(text, /\n {6}"Results": \{\n {8}"deploymentMissingReplicas": \{\n {10}"ID": "deploymentMissingReplicas",/);
  });

  test('escapes <, > and & as Go does', () => {
    const text = formatJson(sampleAudit());
    assert.ok(text.includes('"Message": "Bad \\u003c\\u0026\\"\'\\u003e characters"'));
    assert.equal(JSON.parse(text).Results[1].Results.customNote.Message, 'Bad <&"\'> characters');
  });

  test('prints details and mutations as Polaris does (JSON Patch operations without kaji comments)', () => {
    const audit = sampleAudit();
    const service = audit.Results[1];
    assert.ok(service);
    service.Results.customNote = {
      ...message('customNote', false, 'warning', 'Custom', 'x'),
      Details: ['one', 'two'],
      Mutations: [{ op: 'add', path: '/spec/x', value: 1, comment: 'why' }, { op: 'remove', path: '/spec/y' }],
    };
    const note = JSON.parse(formatJson(audit)).Results[1].Results.customNote;
    assert.deepEqual(note.Details, ['one', 'two']);
    assert.deepEqual(note.Mutations, [{ op: 'add', path: '/spec/x', value: 1 }, { op: 'remove', path: '/spec/y' }]);
  });

  test('prints byte for byte what JSON.stringify of the Polaris value prints, for any audit', () => {
    // Characters Go escapes, JSON escapes, newlines (the printer indents structure, never string contents), non-ASCII.
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '<', '>', '&', '"', '\\', '\n', '\u2028', '\u2029', 'é', '\u0001', '💥') });
    const messageArb = fc.record({
      ID: text,
      Message: text,
      Details: fc.option(fc.array(text, { maxLength: 2 })),
      Success: fc.boolean(),
      Severity: fc.constantFrom('warning', 'danger', 'ignore' as const),
      Category: text,
      Mutations: fc.option(fc.array(fc.record({ op: fc.constant('add' as const), path: text, value: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 2 }), { nil: undefined }),
    }) as fc.Arbitrary<ResultMessage>;
    const auditArb = fc.array(messageArb, { minLength: 1, maxLength: 4 }).chain((messages) => {
      // Sets reuse a few message objects, as the engine's shared verdicts do (the printer caches by object).
      const setArb = fc.dictionary(text, fc.constantFrom(...messages), { maxKeys: 4 }) as fc.Arbitrary<ResultSet>;
      const resultArb = fc.record(
        {
          Name: text,
          Namespace: text,
          Kind: text,
          Results: setArb,
          PodResult: fc.option(
            fc.record({ Name: text, Results: setArb, ContainerResults: fc.array(fc.record({ Name: text, Results: setArb }), { maxLength: 3 }) }),
            { nil: undefined },
          ),
          CreatedTime: text,
          Source: fc.option(fc.record({ File: text, Line: fc.nat() }), { nil: undefined }),
        },
        { requiredKeys: ['Name', 'Namespace', 'Kind', 'Results', 'CreatedTime'] },
      );
      return fc.record({ results: fc.array(resultArb, { maxLength: 4 }), score: fc.nat({ max: 100 }), name: text, frozen: fc.boolean() });
    });
    fc.assert(
      fc.property(auditArb, ({ results, score, name, frozen }) => {
        // Frozen sets (the engine's interned ones) are printed once and reused: both paths must print the same.
        if (frozen) for (const result of results) for (const set of setsOf(result)) Object.freeze(set);
        const audit: AuditData = { ...sampleAudit(), SourceName: name, Results: results, Score: score };
        const expected = (shown: AuditData) =>
          `${JSON.stringify(polarisJsonValue(shown), null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
        assert.equal(formatJson(audit), expected(audit));
        // --only-show-failed-tests: the failed part of a frozen set is shared (and frozen) too.
        const failed = onlyFailedResults(audit);
        assert.equal(formatAudit(audit, 'json', { onlyFailed: true }), expected(failed));
        assert.equal(formatJson(failed), expected(failed));
      }),
      { numRuns: 300 },
    );
  });

  test('one frozen set shared at every depth prints with the indentation of each place', () => {
    const set: ResultSet = Object.freeze({ hostIPCSet: message('hostIPCSet', true, 'danger', 'Security', 'Host IPC is not configured') });
    const result = { Name: 'web', Namespace: 'shop', Kind: 'Deployment', Results: set, CreatedTime: '0001-01-01T00:00:00Z' };
    const audit: AuditData = {
      ...sampleAudit(),
      Results: [
        { ...result, PodResult: { Name: '', Results: set, ContainerResults: [{ Name: 'app', Results: set }] } },
        { ...result, Name: 'api', Results: {}, PodResult: { Name: '', Results: {}, ContainerResults: [] } },
      ],
    };
    assert.equal(formatJson(audit), `${JSON.stringify(polarisJsonValue(audit), null, 2)}\n`);
  });

  test('filters keep frozen sets shared: --only-show-failed-tests and --severity make one frozen part per shared set', () => {
    const set: ResultSet = Object.freeze({
      hostIPCSet: message('hostIPCSet', false, 'danger', 'Security', 'Host IPC is configured'),
      cpuLimitsMissing: message('cpuLimitsMissing', false, 'warning', 'Efficiency', 'CPU limits should be set'),
      tagNotSpecified: message('tagNotSpecified', true, 'danger', 'Images', 'Image tag is specified'),
    });
    const result = { Name: 'web', Namespace: 'shop', Kind: 'Deployment', Results: set, CreatedTime: '0001-01-01T00:00:00Z' };
    const audit: AuditData = { ...sampleAudit(), Results: [result, { ...result, Name: 'api' }] };
    for (const filtered of [onlyFailedResults(audit), filterBySeverity(audit, 'danger')]) {
      const [first, second] = filtered.Results;
      assert.equal(first!.Results, second!.Results, 'one filtered part for the shared set');
      assert.ok(Object.isFrozen(first!.Results));
    }
    assert.deepEqual(Object.keys(onlyFailedResults(audit).Results[0]!.Results), ['hostIPCSet', 'cpuLimitsMissing']);
    assert.deepEqual(Object.keys(filterBySeverity(audit, 'danger').Results[0]!.Results), ['hostIPCSet', 'tagNotSpecified']);
  });

  test('onlyFailed keeps objects and containers with failed messages only', () => {
    const parsed = JSON.parse(formatAudit(sampleAudit(), 'json', { onlyFailed: true }));
    assert.equal(parsed.Results.length, 2);
    assert.deepEqual(parsed.Results[0].PodResult.Results, {});
    assert.deepEqual(Object.keys(parsed.Results[0].PodResult.ContainerResults[1].Results), ['livenessProbeMissing', 'tagNotSpecified']);
    assert.equal(parsed.Score, 53);
  });
});

describe('formatYaml', () => {
  test('is the same data as the JSON format', () => {
    const audit = sampleAudit();
    assert.deepEqual(load(formatYaml(audit)), JSON.parse(formatJson(audit)));
  });

  test('sorts keys and does not indent sequences, as sigs.k8s.io/yaml prints', () => {
    const text = formatYaml(sampleAudit());
    const top = text.split('\n').filter((line) => /^[A-Za-z]/.test(line)).map((line) => line.split(':')[0]);
    assert.deepEqual(top, ['AuditTime', 'ClusterInfo', 'DisplayName', 'PolarisOutputVersion', 'Results', 'Score', 'SourceName', 'SourceType']);
    assert.match(text, /\nResults:\n- CreatedTime: /);
    assert.match(text, /\nPolarisOutputVersion: "1\.0"\n/);
  });

  test('onlyFailed applies', () => {
    const parsed = load(formatAudit(sampleAudit(), 'yaml', { onlyFailed: true })) as { Results: Array<{ Results: object }> };
    assert.deepEqual(Object.keys(parsed.Results[1]?.Results ?? {}), ['customNote']);
  });
});

describe('formatScore', () => {
  test('prints the score and a newline', () => {
    assert.equal(formatScore(sampleAudit()), '53\n');
    assert.equal(formatAudit(sampleAudit(), 'score', { onlyFailed: true }), '53\n');
  });
});
