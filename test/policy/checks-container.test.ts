import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dump, load } from 'js-yaml';
import { containersOf, findPodSpec, toKubeObject, type JsonObject } from '../../src/kube/index.js';
import { containerChecks } from '../../src/policy/checks/container.js';
import { indexRelated } from '../../src/policy/related.js';
import type { CheckDefinition } from '../../src/policy/types.js';
import { inputsFor, passes, verdictOf, type TestInput } from '../support/inputs.js';
import { mutate } from '../support/mutate.js';


function check(id: string): CheckDefinition {
  const found = containerChecks.find((candidate) => candidate.id === id);
  assert.ok(found, `no check ${id}`);
  return found;
}

const base = { name: 'app', image: 'registry.example/app:1.0' };

/** A Deployment whose pod spec holds these fields and containers (each merged over a plain container). */
function deploymentYaml(containers: JsonObject[], spec: JsonObject = {}, annotations?: JsonObject): string {
  const metadata: JsonObject = annotations ? { annotations } : {};
  const template = { metadata, spec: { ...spec, containers: containers.map((fields) => ({ ...base, ...fields })) } };
  return dump({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 2, template } });
}

/** A single-container Deployment. */
const oneContainer = (fields: JsonObject, spec: JsonObject = {}) => deploymentYaml([fields], spec);


/** Asserts that a container fails, that mutating it makes it pass, and returns the mutated container. */
function assertMutationFixes(definition: CheckDefinition, fields: JsonObject): JsonObject {
  const container = { ...base, ...fields };
  assert.equal(passes(definition, oneContainer(container)), false, 'fails before the mutation');
  const fixed = mutate(definition, container);
  assert.equal(passes(definition, oneContainer(fixed)), true, 'passes after the mutation');
  return fixed;
}

describe('procMount', () => {
  const definition = check('procMount');

  test('is a pod spec check, as in Polaris', () => {
    assert.equal(definition.target, 'PodSpec');
  });

  test('passes with the default proc mount or none', () => {
    assert.equal(passes(definition, oneContainer({ securityContext: { procMount: 'Default' } })), true);
    assert.equal(passes(definition, oneContainer({})), true);
  });

  test('fails when any container unmasks /proc', () => {
    const containers: JsonObject[] = [{ name: 'a' }, { name: 'b', securityContext: { procMount: 'Unmasked' } }];
    assert.equal(passes(definition, deploymentYaml(containers)), false);
  });
});

describe('resource requests and limits', () => {
  for (const [id, kind, resource, value] of [
    ['memoryLimitsMissing', 'limits', 'memory', '512Mi'],
    ['memoryRequestsMissing', 'requests', 'memory', '512Mi'],
    ['cpuLimitsMissing', 'limits', 'cpu', '100m'],
    ['cpuRequestsMissing', 'requests', 'cpu', '100m'],
  ] as const) {
    const definition = check(id);

    test(`${id} passes when ${kind}.${resource} is set`, () => {
      assert.equal(passes(definition, oneContainer({ resources: { [kind]: { [resource]: '250m' } } })), true);
    });

    // An empty or malformed value is an input problem, never seen by a check (test/kube/quantities.test.ts).
    test(`${id} fails when ${kind}.${resource} is missing`, () => {
      const other = resource === 'cpu' ? 'memory' : 'cpu';
      assert.equal(passes(definition, oneContainer({ resources: { [kind]: { [other]: '1' } } })), false);
      assert.equal(passes(definition, oneContainer({ resources: { [kind]: { [resource]: null } } })), false);
      assert.equal(passes(definition, oneContainer({})), false);
    });

    test(`${id} skips init containers and its mutation adds ${value}`, () => {
      assert.deepEqual(definition.containers, { exclude: ['initContainer'] });
      const fixed = assertMutationFixes(definition, { resources: { [kind]: {} } });
      assert.deepEqual(fixed.resources, { [kind]: { [resource]: value } });
    });
  }
});

describe('probes', () => {
  for (const [id, field] of [
    ['readinessProbeMissing', 'readinessProbe'],
    ['livenessProbeMissing', 'livenessProbe'],
  ] as const) {
    const definition = check(id);

    test(`${id} passes with a ${field}`, () => {
      assert.equal(passes(definition, oneContainer({ [field]: { httpGet: { path: '/healthz', port: 8080 } } })), true);
    });

    test(`${id} fails without one`, () => {
      assert.equal(passes(definition, oneContainer({})), false);
      assert.equal(passes(definition, oneContainer({ [field]: null })), false);
    });

    test(`${id} is skipped for init containers, Jobs and CronJobs`, () => {
      assert.deepEqual(definition.containers, { exclude: ['initContainer'] });
      assert.deepEqual(definition.controllers, { exclude: ['Job', 'CronJob'] });
    });

    test(`${id} mutation adds a placeholder probe`, () => {
      const fixed = assertMutationFixes(definition, {});
      assert.ok(typeof fixed[field] === 'object' && fixed[field] !== null);
    });
  }
});

describe('pullPolicyNotAlways', () => {
  const definition = check('pullPolicyNotAlways');

  test('passes with Always and fails otherwise', () => {
    assert.equal(passes(definition, oneContainer({ imagePullPolicy: 'Always' })), true);
    assert.equal(passes(definition, oneContainer({ imagePullPolicy: 'IfNotPresent' })), false);
    assert.equal(passes(definition, oneContainer({})), false);
  });

  test('covers init containers and CronJobs', () => {
    const cronJob = dump({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 1 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                initContainers: [{ name: 'setup', image: 'busybox:1.36' }],
                containers: [{ ...base, imagePullPolicy: 'Always' }],
              },
            },
          },
        },
      },
    });
    const verdicts = inputsFor(definition, cronJob).map((input) => [input.isInitContainer, verdictOf(definition, input)]);
    assert.deepEqual(verdicts, [
      [true, false],
      [false, true],
    ]);
  });

  test('its mutation sets Always', () => {
    assert.equal(assertMutationFixes(definition, { imagePullPolicy: 'Never' }).imagePullPolicy, 'Always');
  });
});

describe('tagNotSpecified', () => {
  const definition = check('tagNotSpecified');

  test('passes with a tag other than latest', () => {
    assert.equal(passes(definition, oneContainer({ image: 'nginx:1.27' })), true);
    assert.equal(passes(definition, oneContainer({ image: 'registry.example:5000/team/app:2.1' })), true);
  });

  test('fails with no tag, the latest tag, or no image', () => {
    assert.equal(passes(definition, oneContainer({ image: 'nginx' })), false);
    assert.equal(passes(definition, oneContainer({ image: 'nginx:latest' })), false);
    assert.equal(passes(definition, oneContainer({ image: null })), false);
  });
});

describe('hostPortSet', () => {
  const definition = check('hostPortSet');

  test('passes without host ports', () => {
    assert.equal(passes(definition, oneContainer({ ports: [{ containerPort: 80 }] })), true);
    assert.equal(passes(definition, oneContainer({ ports: [{ containerPort: 80, hostPort: 0 }] })), true);
  });

  test('fails when any port binds a host port', () => {
    assert.equal(passes(definition, oneContainer({ ports: [{ containerPort: 80 }, { containerPort: 443, hostPort: 8443 }] })), false);
  });

  test('its wildcard mutation removes every host port', () => {
    const fixed = assertMutationFixes(definition, { ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] });
    assert.deepEqual(fixed.ports, [{ containerPort: 80 }, { containerPort: 81 }]);
  });
});

describe('runAsRootAllowed', () => {
  const definition = check('runAsRootAllowed');

  test('passes when the container asks for a non-root user', () => {
    assert.equal(passes(definition, oneContainer({ securityContext: { runAsNonRoot: true } })), true);
    assert.equal(passes(definition, oneContainer({ securityContext: { runAsUser: 1000 } })), true);
  });

  test('passes when the pod asks for it and the container does not undo it', () => {
    assert.equal(passes(definition, oneContainer({}, { securityContext: { runAsNonRoot: true } })), true);
    assert.equal(passes(definition, oneContainer({ securityContext: { readOnlyRootFilesystem: true } }, { securityContext: { runAsUser: 1000 } })), true);
  });

  test('fails when the container undoes the pod-level setting', () => {
    assert.equal(passes(definition, oneContainer({ securityContext: { runAsNonRoot: false } }, { securityContext: { runAsNonRoot: true } })), false);
    assert.equal(passes(definition, oneContainer({ securityContext: { runAsUser: 0 } }, { securityContext: { runAsNonRoot: true } })), false);
  });

  test('fails when nothing asks for a non-root user', () => {
    assert.equal(passes(definition, oneContainer({})), false);
    assert.equal(passes(definition, oneContainer({ securityContext: { runAsUser: 0 } })), false);
  });

  test('judges init containers with the pod-level setting too', () => {
    const yamlText = dump({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        securityContext: { runAsNonRoot: true },
        initContainers: [{ name: 'setup', image: 'busybox:1.36', securityContext: { runAsNonRoot: false } }],
        containers: [base],
      },
    });
    const verdicts = inputsFor(definition, yamlText).map((input) => verdictOf(definition, input));
    assert.deepEqual(verdicts, [false, true]);
  });

  test('its mutation sets runAsNonRoot on the container', () => {
    const fixed = assertMutationFixes(definition, { securityContext: { runAsNonRoot: false } });
    assert.deepEqual(fixed.securityContext, { runAsNonRoot: true });
  });
});

describe('container-only security settings', () => {
  // PodSecurityContext has no such fields, so a pod-level value neither helps nor hurts.
  test('runAsPrivileged fails only for a privileged container', () => {
    const definition = check('runAsPrivileged');
    assert.equal(passes(definition, oneContainer({ securityContext: { privileged: true } })), false);
    assert.equal(passes(definition, oneContainer({ securityContext: { privileged: false } }, { securityContext: { privileged: true } })), true);
    assert.equal(passes(definition, oneContainer({})), true);
  });

  test('notReadOnlyRootFilesystem needs the container to say true', () => {
    const definition = check('notReadOnlyRootFilesystem');
    assert.equal(passes(definition, oneContainer({ securityContext: { readOnlyRootFilesystem: true } })), true);
    assert.equal(passes(definition, oneContainer({}, { securityContext: { readOnlyRootFilesystem: true } })), false);
    assertMutationFixes(definition, { securityContext: { readOnlyRootFilesystem: false } });
    assertMutationFixes(definition, {});
  });

  test('privilegeEscalationAllowed needs the container to say false', () => {
    const definition = check('privilegeEscalationAllowed');
    assert.equal(passes(definition, oneContainer({ securityContext: { allowPrivilegeEscalation: false } })), true);
    assert.equal(passes(definition, oneContainer({ securityContext: { allowPrivilegeEscalation: true } })), false);
    assert.equal(passes(definition, oneContainer({}, { securityContext: { allowPrivilegeEscalation: false } })), false);
    assertMutationFixes(definition, { securityContext: { allowPrivilegeEscalation: true } });
  });
});

describe('capabilities', () => {
  const capabilities = (add?: string[], drop?: string[]): JsonObject => ({
    securityContext: { capabilities: { ...(add ? { add } : {}), ...(drop ? { drop } : {}) } },
  });

  test('dangerousCapabilities fails when ALL, SYS_ADMIN or NET_ADMIN is added, in any case', () => {
    const definition = check('dangerousCapabilities');
    assert.equal(passes(definition, oneContainer(capabilities(['sys_admin']))), false);
    assert.equal(passes(definition, oneContainer(capabilities(['All']))), false);
    assert.equal(passes(definition, oneContainer(capabilities(['NET_BIND_SERVICE']))), true);
    assert.equal(passes(definition, oneContainer({})), true);
    const fixed = assertMutationFixes(definition, capabilities(['NET_ADMIN'], ['ALL']));
    assert.deepEqual(fixed.securityContext, { capabilities: { drop: ['ALL'] } });
  });

  const insecure = [
    'NET_ADMIN', 'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID',
    'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
  ];

  test('insecureCapabilities passes when ALL or every insecure capability is dropped', () => {
    const definition = check('insecureCapabilities');
    assert.equal(passes(definition, oneContainer(capabilities(undefined, ['all']))), true);
    assert.equal(passes(definition, oneContainer(capabilities(undefined, insecure.map((name) => name.toLowerCase())))), true);
  });

  test('insecureCapabilities fails when some are kept, nothing is dropped, or (as in Polaris) both forms are given', () => {
    const definition = check('insecureCapabilities');
    assert.equal(passes(definition, oneContainer(capabilities(undefined, insecure.slice(1)))), false);
    assert.equal(passes(definition, oneContainer(capabilities(['ALL']))), false);
    assert.equal(passes(definition, oneContainer({}, { securityContext: { capabilities: { drop: ['ALL'] } } })), false);
    assert.equal(passes(definition, oneContainer(capabilities(undefined, ['ALL', ...insecure]))), false);
  });

  test('insecureCapabilities mutation replaces capabilities with drop ALL', () => {
    const fixed = assertMutationFixes(check('insecureCapabilities'), capabilities(['SYS_TIME'], ['NET_RAW']));
    assert.deepEqual(fixed.securityContext, { capabilities: { drop: ['ALL'] } });
  });
});

describe('priorityClassNotSet', () => {
  const definition = check('priorityClassNotSet');

  test('is a pod spec check, as in Polaris', () => {
    assert.equal(definition.target, 'PodSpec');
  });

  test('passes with a priority class and fails without one', () => {
    assert.equal(passes(definition, oneContainer({}, { priorityClassName: 'critical' })), true);
    assert.equal(passes(definition, oneContainer({})), false);
    assert.equal(passes(definition, oneContainer({}, { priorityClassName: '' })), false);
  });

  test('its mutation names a priority class on the pod spec', () => {
    const spec = mutate(definition, { containers: [base] });
    assert.equal(spec.priorityClassName, 'high-priority');
    assert.equal(passes(definition, oneContainer({}, spec)), true);
  });
});

describe('linuxHardening', () => {
  const definition = check('linuxHardening');
  const seccomp = (type: string | null) => ({ securityContext: { seccompProfile: { type } } });

  test('fails when nothing restricts the container', () => {
    assert.equal(passes(definition, oneContainer({})), false);
  });

  test('passes with an AppArmor annotation naming the container', () => {
    const annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' };
    assert.equal(passes(definition, deploymentYaml([{}], {}, annotations)), true);
    const wrongName = { 'container.apparmor.security.beta.kubernetes.io/other': 'runtime/default' };
    assert.equal(passes(definition, deploymentYaml([{}], {}, wrongName)), false);
  });

  test('passes with a confined seccomp profile on the container or the pod', () => {
    assert.equal(passes(definition, oneContainer(seccomp('RuntimeDefault'))), true);
    assert.equal(passes(definition, oneContainer({}, seccomp('Localhost'))), true);
    assert.equal(passes(definition, oneContainer(seccomp('RuntimeDefault'), seccomp('Unconfined'))), true);
  });

  test('fails when the profile is Unconfined, or the container overrides the pod to Unconfined', () => {
    assert.equal(passes(definition, oneContainer({}, seccomp('Unconfined'))), false);
    assert.equal(passes(definition, oneContainer(seccomp('Unconfined'), seccomp('RuntimeDefault'))), false);
    assert.equal(passes(definition, oneContainer({}, seccomp(null))), false);
  });

  test('passes with SELinux options on the pod or the container, but not empty ones', () => {
    const selinux = { seLinuxOptions: { level: 's0:c1,c2' } };
    assert.equal(passes(definition, oneContainer({ securityContext: selinux })), true);
    assert.equal(passes(definition, oneContainer({}, { securityContext: selinux })), true);
    assert.equal(passes(definition, oneContainer({ securityContext: { seLinuxOptions: {} } })), false);
    assert.equal(passes(definition, oneContainer({}, { securityContext: { seLinuxOptions: null } })), false);
  });

  test('passes when capabilities are dropped, unless ALL is added back', () => {
    assert.equal(passes(definition, oneContainer({ securityContext: { capabilities: { drop: ['NET_RAW'] } } })), true);
    assert.equal(passes(definition, oneContainer({ securityContext: { capabilities: { drop: ['ALL'], add: ['all'] } } })), false);
  });

  test('judges each container, init containers included', () => {
    const yamlText = deploymentYaml([seccomp('RuntimeDefault')], { initContainers: [{ name: 'setup', image: 'busybox:1.36' }] });
    assert.deepEqual(inputsFor(definition, yamlText).map((input) => verdictOf(definition, input)), [false, true]);
  });
});

describe('sensitiveContainerEnvVar', () => {
  const definition = check('sensitiveContainerEnvVar');
  const env = (...vars: JsonObject[]) => oneContainer({ env: vars });

  test('passes with harmless variables or none', () => {
    assert.equal(passes(definition, env({ name: 'LOG_LEVEL', value: 'info' })), true);
    assert.equal(passes(definition, oneContainer({})), true);
  });

  test('fails for a sensitive name with a literal value', () => {
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'azure_storage_key', 'DB_PASSWORD', 'githubToken', 'CLIENT_SECRET']) {
      assert.equal(passes(definition, env({ name, value: 'x' })), false, name);
    }
  });

  test('fails for a private key value', () => {
    assert.equal(passes(definition, env({ name: 'TLS', value: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n' })), false);
  });

  test('passes for a sensitive name read from a Secret, or left empty', () => {
    assert.equal(passes(definition, env({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } })), true);
    assert.equal(passes(definition, env({ name: 'DB_PASSWORD', value: '' })), true);
  });
});

/**
 * The inputs of each container as parsed, without the loader's judgement of
 * shapes: whatever reaches a check, it must not throw.
 */
function unjudgedInputs(yamlText: string): TestInput[] {
  const raw = load(yamlText) as JsonObject;
  const object = toKubeObject(raw, { file: 'test.yaml', line: 1 });
  const found = findPodSpec(raw)!;
  const base = { object, related: indexRelated([object]), podSpec: found.spec, podTemplate: found.template };
  return containersOf(found.spec).map(({ container, isInit }) => ({ ...base, container, isInitContainer: isInit }));
}

describe('odd shapes', () => {
  // (lists and mappings of the wrong shape are input problems: test/kube/shapes.test.ts; resources: test/kube/quantities.test.ts)
  const wronglyShaped = [
    oneContainer({ securityContext: 'restricted', ports: 'http', env: { A: 'b' }, image: 7 }),
    oneContainer({ securityContext: { capabilities: { add: 'ALL', drop: 'ALL' }, seccompProfile: 'x', seLinuxOptions: [] } }, { securityContext: [] }),
    oneContainer({ ports: [null, 8080, { hostPort: '80' }], env: [null, 'x', { name: 5, value: 'BEGIN' }] }),
  ];

  test('fields of the wrong shape or type are input problems, not passes', () => {
    assert.throws(() => passes(check('hostPortSet'), wronglyShaped[2]!), /containers\[0\]\.ports\[0\] must be a port \(a mapping with containerPort\), found null/);
    assert.throws(() => passes(check('dangerousCapabilities'), wronglyShaped[1]!), /spec\.template\.spec\.securityContext must be a mapping \(a security context\), found a list/);
    assert.throws(() => passes(check('sensitiveContainerEnvVar'), wronglyShaped[0]!), /containers\[0\]\.image must be a text \(in quotes\), found 7/);
  });

  test('never throw, whatever reaches them', () => {
    for (const yamlText of wronglyShaped) {
      for (const definition of containerChecks) {
        for (const input of unjudgedInputs(yamlText)) assert.doesNotThrow(() => verdictOf(definition, input), definition.id);
      }
    }
  });

  test('a scalar of the wrong type is an input problem, not read as absent', () => {
    assert.throws(() => passes(check('tagNotSpecified'), oneContainer({ image: 7 })), /containers\[0\]\.image must be a text \(in quotes\), found 7/);
  });
});

test('container checks come in Polaris order', () => {
  assert.deepEqual(
    containerChecks.map((definition) => definition.id),
    [
      'procMount', 'memoryLimitsMissing', 'memoryRequestsMissing', 'cpuLimitsMissing', 'cpuRequestsMissing',
      'readinessProbeMissing', 'livenessProbeMissing', 'pullPolicyNotAlways', 'tagNotSpecified', 'hostPortSet',
      'runAsRootAllowed', 'runAsPrivileged', 'notReadOnlyRootFilesystem', 'privilegeEscalationAllowed',
      'dangerousCapabilities', 'insecureCapabilities', 'priorityClassNotSet', 'linuxHardening', 'sensitiveContainerEnvVar',
    ],
  );
});
