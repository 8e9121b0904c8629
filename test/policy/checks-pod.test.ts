import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dump, load } from 'js-yaml';
import { containersOf, findPodSpec, toKubeObject, type JsonObject, type JsonValue } from '../../src/kube/index.js';
import { controllerChecks } from '../../src/policy/checks/controller.js';
import { podChecks } from '../../src/policy/checks/pod.js';
import { indexRelated } from '../../src/policy/related.js';
import type { CheckDefinition } from '../../src/policy/types.js';
import { passes, verdictOf, type TestInput } from '../support/inputs.js';
import { mutate } from '../support/mutate.js';


function check(id: string): CheckDefinition {
  const found = [...controllerChecks, ...podChecks].find((candidate) => candidate.id === id);
  assert.ok(found, `no check ${id}`);
  return found;
}

const container = { name: 'app', image: 'registry.example/app:1.0' };

/** A Pod in namespace "shop" with the given spec fields (one container unless given), then related documents. */
function podYaml(spec: JsonObject, ...related: JsonObject[]): string {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [container], ...spec } };
  return [pod, ...related].map((doc) => dump(doc)).join('---\n');
}

function serviceAccount(name: string, automount?: boolean, namespace = 'shop'): JsonObject {
  const account: JsonObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
  if (automount !== undefined) account.automountServiceAccountToken = automount;
  return account;
}


describe('deploymentMissingReplicas', () => {
  const definition = check('deploymentMissingReplicas');
  const deployment = (replicas?: number): JsonObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers: [container] } } },
  });

  test('targets Deployments only, as a controller', () => {
    assert.equal(definition.target, 'Controller');
    assert.deepEqual(definition.controllers, { include: ['Deployment'] });
  });

  test('passes with two or more replicas', () => {
    assert.equal(passes(definition, dump(deployment(2))), true);
  });

  test('fails with one replica or none given', () => {
    assert.equal(passes(definition, dump(deployment(1))), false);
    assert.equal(passes(definition, dump(deployment())), false);
  });

  test('its mutation sets three replicas', () => {
    const fixed = mutate(definition, deployment(1));
    assert.equal((fixed.spec as JsonObject).replicas, 3);
    assert.equal(passes(definition, dump(fixed)), true);
  });
});

describe('host namespace flags', () => {
  for (const [id, field] of [
    ['hostIPCSet', 'hostIPC'],
    ['hostPIDSet', 'hostPID'],
    ['hostNetworkSet', 'hostNetwork'],
  ] as const) {
    const definition = check(id);

    test(`${id} fails when ${field} is true`, () => {
      assert.equal(passes(definition, podYaml({ [field]: true })), false);
    });

    test(`${id} passes when ${field} is false or unset`, () => {
      assert.equal(passes(definition, podYaml({ [field]: false })), true);
      assert.equal(passes(definition, podYaml({})), true);
    });

    test(`${id} mutation removes ${field}`, () => {
      const spec: JsonObject = { containers: [container], [field]: true };
      const fixed = mutate(definition, spec);
      assert.equal(field in fixed, false);
      assert.equal(passes(definition, podYaml(fixed)), true);
    });
  }
});

describe('hostPathSet', () => {
  const definition = check('hostPathSet');

  test('fails when a volume mounts a host path', () => {
    const volumes: JsonValue = [{ name: 'cache', emptyDir: {} }, { name: 'logs', hostPath: { path: '/var/log' } }];
    assert.equal(passes(definition, podYaml({ volumes })), false);
  });

  test('passes with other volumes or none', () => {
    assert.equal(passes(definition, podYaml({ volumes: [{ name: 'cache', emptyDir: {} }] })), true);
    assert.equal(passes(definition, podYaml({})), true);
  });

  test('has no mutation', () => {
    assert.equal(definition.mutations, undefined);
  });
});

describe('hostProcess', () => {
  const definition = check('hostProcess');
  const hostProcessContext = { windowsOptions: { hostProcess: true } };

  test('fails when the pod runs as a Windows host process', () => {
    assert.equal(passes(definition, podYaml({ securityContext: hostProcessContext })), false);
  });

  test('fails when a container runs as a host process', () => {
    assert.equal(passes(definition, podYaml({ containers: [{ ...container, securityContext: hostProcessContext }] })), false);
  });

  test('passes when hostProcess is false or unset', () => {
    const off = { windowsOptions: { hostProcess: false } };
    assert.equal(passes(definition, podYaml({ securityContext: off, containers: [{ ...container, securityContext: off }] })), true);
    assert.equal(passes(definition, podYaml({})), true);
  });

  test('looks at regular containers only, as Polaris does', () => {
    const initContainers = [{ name: 'setup', image: 'busybox:1', securityContext: hostProcessContext }];
    assert.equal(passes(definition, podYaml({ initContainers })), true);
  });
});

describe('automountServiceAccountToken', () => {
  const definition = check('automountServiceAccountToken');

  test('passes when the pod turns automounting off, with or without a ServiceAccount', () => {
    assert.equal(passes(definition, podYaml({ automountServiceAccountToken: false })), true);
    const spec = { automountServiceAccountToken: false, serviceAccountName: 'web' };
    assert.equal(passes(definition, podYaml(spec, serviceAccount('web', true))), true);
  });

  test('fails when the pod turns automounting on, even if its ServiceAccount turns it off', () => {
    const spec = { automountServiceAccountToken: true, serviceAccountName: 'web' };
    assert.equal(passes(definition, podYaml(spec, serviceAccount('web', false))), false);
  });

  test('passes when the pod leaves it unset and its ServiceAccount turns it off', () => {
    assert.equal(passes(definition, podYaml({ serviceAccountName: 'web' }, serviceAccount('web', false))), true);
  });

  test('fails when neither the pod nor its ServiceAccount turns it off', () => {
    assert.equal(passes(definition, podYaml({ serviceAccountName: 'web' }, serviceAccount('web'))), false);
    assert.equal(passes(definition, podYaml({ serviceAccountName: 'web' })), false);
  });

  test('only counts the named ServiceAccount in the pod namespace', () => {
    assert.equal(passes(definition, podYaml({ serviceAccountName: 'web' }, serviceAccount('other', false))), false);
    assert.equal(passes(definition, podYaml({ serviceAccountName: 'web' }, serviceAccount('web', false, 'elsewhere'))), false);
    assert.equal(passes(definition, podYaml({}, serviceAccount('default', false))), false);
  });
});

describe('topologySpreadConstraint', () => {
  const definition = check('topologySpreadConstraint');
  const constraint = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' };

  test('passes with at least one constraint', () => {
    assert.equal(passes(definition, podYaml({ topologySpreadConstraints: [constraint] })), true);
  });

  test('fails with none or an empty list', () => {
    assert.equal(passes(definition, podYaml({})), false);
    assert.equal(passes(definition, podYaml({ topologySpreadConstraints: [] })), false);
  });

  test('is skipped for Jobs and CronJobs', () => {
    assert.deepEqual(definition.controllers, { exclude: ['Job', 'CronJob'] });
  });

  test('reads the pod spec of a CronJob', () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: { containers: [container], topologySpreadConstraints: [constraint] } } } } },
    };
    assert.equal(passes(definition, dump(cronJob)), true);
  });
});

/**
 * The inputs of a pod and its containers as parsed, without the loader's
 * judgement of shapes: whatever reaches a check, it must not throw.
 */
function unjudgedInputs(yamlText: string): TestInput[] {
  const raw = load(yamlText) as JsonObject;
  const object = toKubeObject(raw, { file: 'test.yaml', line: 1 });
  const found = findPodSpec(raw)!;
  const base = { object, related: indexRelated([object]), podSpec: found.spec, podTemplate: found.template, container: undefined, isInitContainer: false };
  return [base, ...containersOf(found.spec).map(({ container, isInit }) => ({ ...base, container, isInitContainer: isInit }))];
}

describe('odd shapes', () => {
  const wronglyShaped = [
    podYaml({ hostIPC: 'yes', volumes: 'none', securityContext: 'restricted', serviceAccountName: 7, topologySpreadConstraints: {} }),
    podYaml({ volumes: [null, 'x', { hostPath: 'not-an-object' }], containers: [{ name: 'a', securityContext: [] }] }),
  ];

  test('fields of the wrong shape or type are input problems, not passes (test/kube/shapes.test.ts)', () => {
    assert.throws(() => passes(check('hostIPCSet'), wronglyShaped[0]!), /test YAML: \d+: Pod spec\.hostIPC must be true or false, found "yes"/);
    assert.throws(() => passes(check('hostPathSet'), wronglyShaped[1]!), /test YAML: \d+: Pod spec\.volumes\[0\] must be/);
  });

  test('never throw, whatever reaches them', () => {
    for (const yamlText of wronglyShaped) {
      for (const definition of [...controllerChecks, ...podChecks]) {
        for (const input of unjudgedInputs(yamlText)) assert.doesNotThrow(() => verdictOf(definition, input), definition.id);
      }
    }
  });

  test('a scalar of the wrong type is an input problem, not read as absent', () => {
    const textFlag = podYaml({ automountServiceAccountToken: 'false', serviceAccountName: 'web' }, serviceAccount('web', false));
    assert.throws(() => passes(check('automountServiceAccountToken'), textFlag), /Pod spec\.automountServiceAccountToken must be true or false, found "false"/);
  });
});

test('pod checks come in Polaris order with their categories', () => {
  assert.deepEqual(
    podChecks.map((definition) => definition.id),
    ['hostIPCSet', 'hostPathSet', 'hostProcess', 'hostPIDSet', 'hostNetworkSet', 'automountServiceAccountToken', 'topologySpreadConstraint'],
  );
  for (const definition of podChecks) assert.equal(definition.target, 'PodSpec');
  assert.equal(check('topologySpreadConstraint').category, 'Reliability');
  assert.equal(check('hostPathSet').category, 'Security');
});
