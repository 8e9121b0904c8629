import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceOfKind } from '../../src/kube/index.js';

describe('resourceOfKind: the resource a webhook rule names for a kind', () => {
  test('the kinds /mutate is sent: lower case with an "s"', () => {
    const kinds = ['Pod', 'ReplicationController', 'Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet', 'Job', 'CronJob', 'Rollout'];
    assert.deepEqual(kinds.map(resourceOfKind), ['pods', 'replicationcontrollers', 'deployments', 'daemonsets', 'replicasets', 'statefulsets', 'jobs', 'cronjobs', 'rollouts']);
  });

  test('English plurals, as the API server forms them: -es after s, -ies after a consonant and y', () => {
    assert.equal(resourceOfKind('Ingress'), 'ingresses');
    assert.equal(resourceOfKind('IngressClass'), 'ingressclasses');
    assert.equal(resourceOfKind('NetworkPolicy'), 'networkpolicies');
    assert.equal(resourceOfKind('PodSecurityPolicy'), 'podsecuritypolicies');
    assert.equal(resourceOfKind('Gateway'), 'gateways');
    assert.equal(resourceOfKind('Endpoints'), 'endpoints');
    assert.equal(resourceOfKind('EndpointSlice'), 'endpointslices');
    assert.equal(resourceOfKind('StorageClass'), 'storageclasses');
  });
});
