// The webhook denies a workload whose pod spec holds a quantity the API server
// would refuse (not a quantity, or negative) outside the containers too: an
// Argo Rollout's CRD schema may let it through, and a 400 would leave it to
// failurePolicy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admit, podSpec, review, startWebhook, workload, type Running } from './helpers.js';

describe('kaji webhook: quantities outside the containers', () => {
  let running: Running;
  before(async () => {
    running = await startWebhook();
  });
  after(() => running.close());

  const rollout = (pod: Record<string, unknown>) => workload('Rollout', podSpec({ resources: { limits: { cpu: '1', memory: '1Gi' } } }, pod));

  it('denies a Rollout with a negative emptyDir sizeLimit or an overhead that is not a quantity, naming the field; allows the good one', async () => {
    const cases = [
      {
        pod: { volumes: [{ name: 'cache', emptyDir: { sizeLimit: '-1Gi' } }] },
        problem: 'Rollout spec.template.spec.volumes[0].emptyDir.sizeLimit must not be negative, found "-1Gi"',
        field: 'spec.template.spec.volumes[0].emptyDir.sizeLimit',
      },
      {
        pod: { overhead: { memory: 'lots' } },
        problem: 'Rollout spec.template.spec.overhead.memory must be a Kubernetes quantity such as 500m or 2, found "lots"',
        field: 'spec.template.spec.overhead.memory',
      },
    ];
    for (const { pod, problem, field } of cases) {
      running.logs.length = 0;
      const { response } = await admit(running, '/validate', review(rollout(pod), { uid: 'quantity' }));
      assert.deepEqual(response, { uid: 'quantity', allowed: false, status: { code: 403, message: `kaji denied Rollout apps/rollout-x: the policy cannot judge it: ${problem}` } });
      assert.equal((running.logs[0] as Record<string, unknown>).reason, `the policy cannot judge ${field}`);
    }
    const good = { volumes: [{ name: 'cache', emptyDir: { sizeLimit: '1Gi' } }], overhead: { memory: '120Mi' } };
    const { response } = await admit(running, '/validate', review(rollout(good)));
    assert.equal(response.allowed, true, response.status?.message);
  });
});
