// UPDATEs at a real webhook: an object admitted before the policy tightened must still lose its
// finalizers, and /mutate must not patch what the API server cannot change on an UPDATE.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admit, podSpec, review, startWebhook, workload, type Running } from './helpers.js';

const GARBAGE_COLLECTOR = 'system:serviceaccount:kube-system:generic-garbage-collector';
const ARGOCD_CONTROLLER = 'system:serviceaccount:argocd:argocd-application-controller';
const DELETED = '2025-01-01T00:00:00Z';

/** A Deployment the test policy denies (hostNetworkSet: danger), as it was stored before the policy said so. */
function hostNetworkDeployment(metadata: Record<string, unknown> = {}) {
  return workload('Deployment', podSpec({}, { hostNetwork: true }), metadata);
}

/** The patch of a /mutate answer, decoded; undefined when there is none. */
function patchOf(response: { patch?: string }): unknown {
  return response.patch === undefined ? undefined : JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
}

describe('kaji webhook: UPDATEs of objects admitted under an older policy', () => {
  let running: Running;
  before(async () => {
    running = await startWebhook();
  });
  after(() => running.close());

  it("lets the garbage collector remove the foregroundDeletion finalizer from an object the policy now denies (Argo CD's foreground prune)", async () => {
    const old = hostNetworkDeployment({ deletionTimestamp: DELETED, finalizers: ['foregroundDeletion'] });
    const released = hostNetworkDeployment({ deletionTimestamp: DELETED, finalizers: [] });
    const { response } = await admit(running, '/validate', review(released, { operation: 'UPDATE', oldObject: old, username: GARBAGE_COLLECTOR }));
    assert.equal(response.allowed, true, response.status?.message);
    // Not being deleted, the same UPDATE is judged as ever: the policy holds for every change.
    const live = await admit(running, '/validate', review(hostNetworkDeployment(), { operation: 'UPDATE', oldObject: hostNetworkDeployment(), username: ARGOCD_CONTROLLER }));
    assert.equal(live.response.allowed, false);
    assert.match(live.response.status!.message, /hostNetworkSet/);
  });

  it('denies what an UPDATE of an object being deleted adds: a failure its old version did not have', async () => {
    const deleting = { deletionTimestamp: DELETED, finalizers: ['example.com/hold'] };
    const old = hostNetworkDeployment(deleting);
    const privileged = workload('Deployment', podSpec({ securityContext: { privileged: true, runAsNonRoot: true } }, { hostNetwork: true }), deleting);
    const { response } = await admit(running, '/validate', review(privileged, { operation: 'UPDATE', oldObject: old, username: 'tenant' }));
    assert.equal(response.allowed, false);
    assert.match(response.status!.message, /runAsPrivileged \(container app\)/);
    assert.doesNotMatch(response.status!.message, /hostNetworkSet/, 'what the old version failed already is not held against it');
    // Without the old object to compare with, every failure counts.
    const blind = await admit(running, '/validate', review(hostNetworkDeployment(deleting), { operation: 'UPDATE', username: 'tenant' }));
    assert.equal(blind.response.allowed, false);
  });

  it("does not patch a Pod's or a Job's UPDATE (the API server refuses a changed pod spec there), only their CREATE", async () => {
    // pullPolicyNotAlways is a mutation of the test policy; imagePullPolicy: IfNotPresent fails it.
    const spec = podSpec({ imagePullPolicy: 'IfNotPresent' });
    for (const kind of ['Pod', 'Job']) {
      const object = workload(kind, spec, { labels: { adopted: 'yes' } });
      const created = (await admit(running, '/mutate', review(object, { username: 'tenant' }))).response;
      assert.ok(created.patch, `${kind} CREATE is patched`);
      const updated = (await admit(running, '/mutate', review(object, { operation: 'UPDATE', oldObject: object, username: 'tenant' }))).response;
      assert.deepEqual(updated, { uid: updated.uid, allowed: true }, `${kind} UPDATE`);
    }
    // A Deployment's template may change: its UPDATE is patched (a new rollout with the fix).
    const deployment = workload('Deployment', spec);
    const updated = (await admit(running, '/mutate', review(deployment, { operation: 'UPDATE', oldObject: deployment }))).response;
    assert.deepEqual(patchOf(updated), [{ op: 'add', path: '/spec/template/spec/containers/0/imagePullPolicy', value: 'Always' }]);
  });

  it('does not patch an UPDATE of an object being deleted (the finalizer goes, nothing else changes)', async () => {
    const deleting = workload('Deployment', podSpec({ imagePullPolicy: 'IfNotPresent' }), { deletionTimestamp: DELETED, finalizers: [] });
    const old = { ...deleting, metadata: { ...(deleting.metadata as object), finalizers: ['foregroundDeletion'] } };
    const { response } = await admit(running, '/mutate', review(deleting, { operation: 'UPDATE', oldObject: old, username: GARBAGE_COLLECTOR }));
    assert.deepEqual(response, { uid: response.uid, allowed: true });
    const line = running.logs.at(-1) as Record<string, unknown>;
    assert.equal(line.reason, 'not patched: the object is being deleted');
  });
});
