import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEntries, countResults, failedEntries, objectLabel, onlyFailedResults, sourceLabel } from '../../src/report/index.js';
import { sampleAudit } from './fixture.js';

describe('summary helpers', () => {
  test('counts successes, warnings and dangers as Polaris does', () => {
    assert.deepEqual(countResults(sampleAudit()), { successes: 4, warnings: 3, dangers: 2, total: 9 });
  });

  test('counts one object', () => {
    const service = sampleAudit().Results[1];
    assert.ok(service);
    assert.deepEqual(countResults(service), { successes: 1, warnings: 1, dangers: 0, total: 2 });
  });

  test('a failed check of another severity than warning counts as a danger', () => {
    const audit = sampleAudit();
    const service = audit.Results[1];
    assert.ok(service?.Results.customNote);
    service.Results.customNote.Severity = 'ignore';
    assert.equal(countResults(audit).dangers, 3);
  });

  test('walks object, pod, then containers in order, each set by check ID', () => {
    const walk = [...auditEntries(sampleAudit())].map((e) => `${e.result.Kind}:${e.level}:${e.container ?? '-'}:${e.message.ID}`);
    assert.deepEqual(walk, [
      'Deployment:object:-:deploymentMissingReplicas',
      'Deployment:pod:-:hostIPCSet',
      'Deployment:pod:-:hostNetworkSet',
      'Deployment:container:app:cpuLimitsMissing',
      'Deployment:container:app:runAsRootAllowed',
      'Deployment:container:sidecar:livenessProbeMissing',
      'Deployment:container:sidecar:tagNotSpecified',
      'Service:object:-:customNote',
      'Service:object:-:serviceType',
    ]);
    assert.equal(failedEntries(sampleAudit()).length, 5);
  });

  test('labels objects and sources', () => {
    const [deployment] = sampleAudit().Results;
    assert.ok(deployment);
    assert.equal(objectLabel(deployment), 'Deployment/shop/web');
    assert.equal(sourceLabel(deployment), 'deploy/web.yaml:3');
    assert.equal(objectLabel({ ...deployment, Kind: 'ClusterRole', Namespace: '', Name: 'admin' }), 'ClusterRole/admin');
    assert.equal(sourceLabel({ ...deployment, Source: undefined }), undefined);
  });
});

describe('onlyFailedResults', () => {
  test('drops passed messages everywhere and keeps every object, container and the score', () => {
    const audit = sampleAudit();
    const before = JSON.stringify(audit);
    const failed = onlyFailedResults(audit);
    assert.equal(JSON.stringify(audit), before, 'input unchanged');
    assert.equal(failed.Results.length, 2);
    assert.equal(failed.Score, 53);
    const [deployment, service] = failed.Results;
    assert.deepEqual(Object.keys(deployment?.Results ?? {}), ['deploymentMissingReplicas']);
    assert.deepEqual(deployment?.PodResult?.Results, {});
    assert.equal(deployment?.PodResult?.Name, 'web');
    assert.deepEqual(
      deployment?.PodResult?.ContainerResults.map((c) => [c.Name, Object.keys(c.Results).sort()]),
      [
        ['app', ['runAsRootAllowed']],
        ['sidecar', ['livenessProbeMissing', 'tagNotSpecified']],
      ],
    );
    assert.deepEqual(Object.keys(service?.Results ?? {}), ['customNote']);
    assert.equal(service?.PodResult, undefined);
    assert.deepEqual(countResults(failed), { successes: 0, warnings: 3, dangers: 2, total: 5 });
  });
});
