import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { removedApiVerdict } from '../../src/apis/index.js';
import { toKubeObject, type KubeObject } from '../../src/kube/index.js';
import { auditObjects, defaultPolicyConfig } from '../../src/policy/index.js';
import { countResults, withRemovedApiResults } from '../../src/report/index.js';

const configMap = (name: string, apiVersion = 'v1'): KubeObject =>
  toKubeObject({ apiVersion, kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data: { a: 'b' } }, { file: 'm.yaml', line: 1 });
const cronJob = toKubeObject({ apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop' } }, { file: 'm.yaml', line: 5 });
const custom = toKubeObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } }, { file: 'm.yaml', line: 9 });

describe('withRemovedApiResults', () => {
  test('adds a passed or failed removedApiVersion to each judged object, recounts the score and changes nothing in place', () => {
    const objects = [configMap('a'), cronJob, custom];
    const audit = auditObjects(objects, defaultPolicyConfig());
    const before = JSON.stringify(audit);
    const judged = withRemovedApiResults(audit, objects.map((object) => removedApiVerdict('1.35', object)), '1.35');
    assert.equal(JSON.stringify(audit), before, 'the input audit is not changed');
    const [passed, failed, notJudged] = judged.Results;
    assert.equal(passed!.Results.removedApiVersion!.Success, true);
    assert.equal(failed!.Results.removedApiVersion!.Success, false);
    assert.equal(failed!.Results.removedApiVersion!.Severity, 'danger');
    assert.match(failed!.Results.removedApiVersion!.Message, /^batch\/v1beta1 CronJob was removed in Kubernetes 1\.25/);
    assert.equal(notJudged, audit.Results[2], 'an object not judged keeps its result');
    assert.equal(countResults(judged).dangers, countResults(audit).dangers + 1);
    assert.ok(judged.Score < audit.Score);
  });

  test('objects that shared a result set still share one after a passed verdict', () => {
    const objects = [configMap('a'), configMap('b')];
    const audit = auditObjects(objects, defaultPolicyConfig());
    assert.equal(audit.Results[0]!.Results, audit.Results[1]!.Results, 'the engine shares the set');
    const judged = withRemovedApiResults(audit, objects.map((object) => removedApiVerdict('1.35', object)), '1.35');
    assert.equal(judged.Results[0]!.Results, judged.Results[1]!.Results);
    assert.ok(Object.isFrozen(judged.Results[0]!.Results));
  });

  test('a verdict per result, or it refuses', () => {
    const audit = auditObjects([configMap('a')], defaultPolicyConfig());
    assert.throws(() => withRemovedApiResults(audit, [], '1.35'), /0 removed-API verdicts for 1 results/);
  });
});
