// Polaris's container checks (run once per container, init containers
// included unless excluded), plus procMount and priorityClassNotSet, which
// Polaris lists with them but which look at the whole pod spec.
//
// Polaris reads a pod's securityContext as a PodSecurityContext, which has no
// privileged, readOnlyRootFilesystem, allowPrivilegeEscalation or capabilities
// fields: such keys at pod level are dropped, and only runAsUser/runAsNonRoot
// (and seccomp/SELinux for linuxHardening) fall back to the pod.
import type { JsonObject, JsonValue } from '../../kube/index.js';
import type { CheckDefinition, CheckInput } from '../types.js';
import {
  anyOf,
  arrayAt,
  containerSecurityContext,
  goTruthy,
  isNonRootUser,
  objectAt,
  objectsAt,
  podSecurityContext,
  someMatch,
  stringAt,
  stringsAt,
  valueAt,
} from './fields.js';

const containerOf = (input: CheckInput): JsonObject => input.container ?? {};
const specOf = (input: CheckInput): JsonObject => input.podSpec ?? {};

/** Every non-init container's procMount, when set, is the default one. */
const procMount: CheckDefinition = {
  id: 'procMount',
  category: 'Security',
  target: 'PodSpec',
  successMessage: 'The default /proc masks are set up to reduce attack surface, and should be required',
  failureMessage: 'Proc mount must not be changed from the default',
  test: (input) =>
    objectsAt(specOf(input), 'containers').every((container) => {
      const mount = valueAt(container, 'securityContext', 'procMount');
      return typeof mount !== 'string' || mount === 'Default';
    }),
};

/** A resource quantity counts as set when it is a non-empty string (or a bare number). */
function hasQuantity(container: JsonObject, kind: 'limits' | 'requests', resource: 'cpu' | 'memory'): boolean {
  const quantity = valueAt(container, 'resources', kind, resource);
  return (typeof quantity === 'string' && quantity !== '') || typeof quantity === 'number';
}

function resourceCheck(
  id: string,
  kind: 'limits' | 'requests',
  resource: 'cpu' | 'memory',
  label: string,
  value: string,
  comment: string,
): CheckDefinition {
  const noun = `${label} ${kind}`;
  return {
    id,
    category: 'Efficiency',
    target: 'Container',
    containers: { exclude: ['initContainer'] },
    successMessage: `${noun} are set`,
    failureMessage: `${noun} should be set`,
    test: (input) => hasQuantity(containerOf(input), kind, resource),
    mutations: [{ op: 'add', path: `/resources/${kind}/${resource}`, value, comment }],
  };
}

const memoryLimitsMissing = resourceCheck(
  'memoryLimitsMissing', 'limits', 'memory', 'Memory', '512Mi',
  'TODO: Set this to the maximum amount of memory you want your workload to use',
);
const memoryRequestsMissing = resourceCheck(
  'memoryRequestsMissing', 'requests', 'memory', 'Memory', '512Mi',
  'TODO: Set this to the amount of Memory you want to reserve for your workload',
);
const cpuLimitsMissing = resourceCheck(
  'cpuLimitsMissing', 'limits', 'cpu', 'CPU', '100m',
  'TODO: Set this to the maximum amount of CPU you want your workload to use',
);
const cpuRequestsMissing = resourceCheck(
  'cpuRequestsMissing', 'requests', 'cpu', 'CPU', '100m',
  'TODO: Set this to the amount of CPU you want to reserve for your workload',
);

/** The placeholder probe Polaris's mutation adds. */
const PLACEHOLDER_PROBE: JsonValue = { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 };

/** Probes matter for long-running containers only: not for init containers, Jobs or CronJobs. */
function probeCheck(id: string, field: string, label: string, comment: string): CheckDefinition {
  return {
    id,
    category: 'Reliability',
    target: 'Container',
    controllers: { exclude: ['Job', 'CronJob'] },
    containers: { exclude: ['initContainer'] },
    successMessage: `${label} probe is configured`,
    failureMessage: `${label} probe should be configured`,
    test: (input) => objectAt(containerOf(input), field) !== undefined,
    mutations: [{ op: 'add', path: `/${field}`, value: PLACEHOLDER_PROBE, comment }],
  };
}

const readinessProbeMissing = probeCheck(
  'readinessProbeMissing', 'readinessProbe', 'Readiness',
  "TODO: Change readinessProbe setting to reflect your application's readiness to serve traffic",
);
const livenessProbeMissing = probeCheck(
  'livenessProbeMissing', 'livenessProbe', 'Liveness',
  'TODO: Change livenessProbe setting to reflect your health endpoints',
);

const pullPolicyNotAlways: CheckDefinition = {
  id: 'pullPolicyNotAlways',
  category: 'Reliability',
  target: 'Container',
  successMessage: 'Image pull policy is "Always"',
  failureMessage: 'Image pull policy should be "Always"',
  test: (input) => containerOf(input).imagePullPolicy === 'Always',
  mutations: [{ op: 'add', path: '/imagePullPolicy', value: 'Always' }],
};

/** Polaris only asks for "something:something" that is not ":latest" (so a registry port counts as a tag). */
function hasPinnedTag(image: string | undefined): boolean {
  return image !== undefined && /^.+:.+$/.test(image) && !/^.+:latest$/.test(image);
}

const tagNotSpecified: CheckDefinition = {
  id: 'tagNotSpecified',
  category: 'Reliability',
  target: 'Container',
  successMessage: 'Image tag is specified',
  failureMessage: 'Image tag should be specified',
  test: (input) => hasPinnedTag(stringAt(containerOf(input), 'image')),
};

const hostPortSet: CheckDefinition = {
  id: 'hostPortSet',
  category: 'Security',
  target: 'Container',
  successMessage: 'Host port is not configured',
  failureMessage: 'Host port should not be configured',
  test: (input) =>
    objectsAt(containerOf(input), 'ports').every((port) => typeof port.hostPort !== 'number' || port.hostPort === 0),
  // Polaris's wildcard path: remove hostPort from every port.
  mutations: [{ op: 'remove', path: '/ports/*/hostPort' }],
};

/** A securityContext that itself asks for a non-root user. */
function asksForNonRoot(context: JsonObject | undefined): boolean {
  return context !== undefined && (isNonRootUser(context.runAsUser) || context.runAsNonRoot === true);
}

/** A container securityContext that does not undo a pod-level non-root setting. */
function keepsNonRoot(context: JsonObject | undefined): boolean {
  if (context === undefined) return true;
  const { runAsUser, runAsNonRoot } = context;
  return (typeof runAsUser !== 'number' || runAsUser >= 1) && runAsNonRoot !== false;
}

const runAsRootAllowed: CheckDefinition = {
  id: 'runAsRootAllowed',
  category: 'Security',
  target: 'Container',
  schemaTarget: 'PodSpec',
  successMessage: 'Is not allowed to run as root',
  failureMessage: 'Should not be allowed to run as root',
  test: (input) => {
    const container = containerSecurityContext(containerOf(input));
    if (asksForNonRoot(container)) return true;
    return asksForNonRoot(podSecurityContext(specOf(input))) && keepsNonRoot(container);
  },
  mutations: [{ op: 'add', path: '/securityContext/runAsNonRoot', value: true }],
};

const runAsPrivileged: CheckDefinition = {
  id: 'runAsPrivileged',
  category: 'Security',
  target: 'Container',
  schemaTarget: 'PodSpec',
  successMessage: 'Not running as privileged',
  failureMessage: 'Should not be running as privileged',
  test: (input) => valueAt(containerOf(input), 'securityContext', 'privileged') !== true,
};

const notReadOnlyRootFilesystem: CheckDefinition = {
  id: 'notReadOnlyRootFilesystem',
  category: 'Security',
  target: 'Container',
  schemaTarget: 'PodSpec',
  successMessage: 'Filesystem is read only',
  failureMessage: 'Filesystem should be read only',
  test: (input) => valueAt(containerOf(input), 'securityContext', 'readOnlyRootFilesystem') === true,
  mutations: [{ op: 'add', path: '/securityContext/readOnlyRootFilesystem', value: true }],
};

const privilegeEscalationAllowed: CheckDefinition = {
  id: 'privilegeEscalationAllowed',
  category: 'Security',
  target: 'Container',
  schemaTarget: 'PodSpec',
  successMessage: 'Privilege escalation not allowed',
  failureMessage: 'Privilege escalation should not be allowed',
  test: (input) => valueAt(containerOf(input), 'securityContext', 'allowPrivilegeEscalation') === false,
  mutations: [{ op: 'add', path: '/securityContext/allowPrivilegeEscalation', value: false }],
};

const addedCapabilities = (container: JsonObject): string[] => stringsAt(container, 'securityContext', 'capabilities', 'add');
const droppedCapabilities = (container: JsonObject): string[] => stringsAt(container, 'securityContext', 'capabilities', 'drop');

const dangerousCapabilities: CheckDefinition = {
  id: 'dangerousCapabilities',
  category: 'Security',
  target: 'Container',
  successMessage: 'Container does not have any dangerous capabilities',
  failureMessage: 'Container should not have dangerous capabilities',
  test: (input) => !someMatch(addedCapabilities(containerOf(input)), /^(ALL|SYS_ADMIN|NET_ADMIN)$/i),
  mutations: [{ op: 'remove', path: '/securityContext/capabilities/add' }],
};

/** The capabilities a container must drop, one by one, when it does not drop ALL. */
const INSECURE_CAPABILITIES = [
  'NET_ADMIN', 'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID',
  'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/**
 * Passes when `drop` holds ALL or else every insecure capability. Polaris's
 * schema says "exactly one of" the two, so a list holding both fails too.
 */
function dropsInsecureCapabilities(container: JsonObject): boolean {
  const dropped = new Set(droppedCapabilities(container).map((name) => name.toUpperCase()));
  const dropsAll = dropped.has('ALL');
  const dropsEach = INSECURE_CAPABILITIES.every((name) => dropped.has(name));
  return dropsAll !== dropsEach;
}

const insecureCapabilities: CheckDefinition = {
  id: 'insecureCapabilities',
  category: 'Security',
  target: 'Container',
  successMessage: 'Container does not have any insecure capabilities',
  failureMessage: 'Container should not have insecure capabilities',
  test: (input) => dropsInsecureCapabilities(containerOf(input)),
  mutations: [{ op: 'replace', path: '/securityContext/capabilities', value: { drop: ['ALL'] } }],
};

const priorityClassNotSet: CheckDefinition = {
  id: 'priorityClassNotSet',
  category: 'Reliability',
  target: 'PodSpec',
  successMessage: 'Priority class has been set',
  failureMessage: 'Priority class should be set',
  test: (input) => (stringAt(specOf(input), 'priorityClassName') ?? '') !== '',
  mutations: [{ op: 'add', path: '/priorityClassName', value: 'high-priority' }],
};

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** An AppArmor profile is named for this container in the pod template's annotations. */
function hasAppArmorAnnotation(input: CheckInput): boolean {
  const name = stringAt(containerOf(input), 'name');
  if (name === undefined) return false;
  return goTruthy(valueAt(input.podTemplate, 'metadata', 'annotations', APPARMOR_ANNOTATION_PREFIX + name));
}

/**
 * A seccomp profile other than Unconfined applies: the container's own, or
 * else the pod's (which the container may not switch back to Unconfined).
 */
function hasSeccompProfile(podSpec: JsonObject, container: JsonObject): boolean {
  const podType = valueAt(podSpec, 'securityContext', 'seccompProfile', 'type');
  const podConfined = typeof podType === 'string' && podType !== '' && podType !== 'Unconfined';
  const type = valueAt(container, 'securityContext', 'seccompProfile', 'type');
  if (podConfined) return type !== 'Unconfined';
  return typeof type === 'string' && type !== '' && type !== 'Unconfined';
}

/** SELinux options are set at pod level, or name at least one field on the container. */
function hasSELinuxOptions(podSpec: JsonObject, container: JsonObject): boolean {
  if (goTruthy(valueAt(podSpec, 'securityContext', 'seLinuxOptions'))) return true;
  const options = objectAt(container, 'securityContext', 'seLinuxOptions');
  return ['user', 'role', 'type', 'level'].some((key) => {
    const value = options?.[key];
    return typeof value === 'string' && value !== '';
  });
}

/** The container drops some capability and does not add ALL back. */
function dropsCapabilities(container: JsonObject): boolean {
  const drop = arrayAt(container, 'securityContext', 'capabilities', 'drop');
  if (drop === undefined || drop.length === 0) return false;
  const add = arrayAt(container, 'securityContext', 'capabilities', 'add') ?? [];
  return add.every((name) => typeof name === 'string' && !/^ALL$/i.test(name));
}

const linuxHardening: CheckDefinition = {
  id: 'linuxHardening',
  category: 'Security',
  target: 'Container',
  successMessage:
    'One of AppArmor, Seccomp, SELinux, or dropping Linux Capabilities are used to restrict containers using unwanted privileges',
  failureMessage:
    'Use one of AppArmor, Seccomp, SELinux, or dropping Linux Capabilities to restrict containers using unwanted privileges',
  test: (input) => {
    const spec = specOf(input);
    const container = containerOf(input);
    return (
      hasAppArmorAnnotation(input) ||
      hasSeccompProfile(spec, container) ||
      hasSELinuxOptions(spec, container) ||
      dropsCapabilities(container)
    );
  },
};

/** Variable names that suggest a credential, when given a literal value. */
const SENSITIVE_ENV_NAME = anyOf([
  /^AWS_SECRET_ACCESS_KEY$/i,
  /^GOOGLE_APPLICATION_CREDENTIALS$/i,
  /^AZURE_.+KEY$/i,
  /^OCI_CLI_KEY_CONTENT$/i,
  /password/i,
  /token/i,
  /bearer/i,
  /secret/i,
]);
/** A PEM private key ("-----BEGIN RSA PRIVATE KEY-----" and its variants). */
const PRIVATE_KEY_VALUE = /\s*-BEGIN\s+.*PRIVATE KEY-\s*/i;

/**
 * An env var leaks a secret when it has a literal, non-empty value (an empty
 * value is omitted by Kubernetes) under a sensitive name or holding a private
 * key. A `valueFrom` object clears it, as in Polaris's schema.
 */
function leaksSecret(envVar: JsonObject): boolean {
  const { value } = envVar;
  if (typeof value !== 'string' || value === '') return false;
  if (objectAt(envVar, 'valueFrom') !== undefined) return false;
  const name = stringAt(envVar, 'name') ?? '';
  return SENSITIVE_ENV_NAME.test(name) || PRIVATE_KEY_VALUE.test(value);
}

const sensitiveContainerEnvVar: CheckDefinition = {
  id: 'sensitiveContainerEnvVar',
  category: 'Security',
  target: 'Container',
  successMessage: 'The container does not set potentially sensitive environment variables',
  failureMessage: 'The container sets potentially sensitive environment variables',
  test: (input) => !objectsAt(containerOf(input), 'env').some(leaksSecret),
};

export const containerChecks: readonly CheckDefinition[] = [
  procMount,
  memoryLimitsMissing,
  memoryRequestsMissing,
  cpuLimitsMissing,
  cpuRequestsMissing,
  readinessProbeMissing,
  livenessProbeMissing,
  pullPolicyNotAlways,
  tagNotSpecified,
  hostPortSet,
  runAsRootAllowed,
  runAsPrivileged,
  notReadOnlyRootFilesystem,
  privilegeEscalationAllowed,
  dangerousCapabilities,
  insecureCapabilities,
  priorityClassNotSet,
  linuxHardening,
  sensitiveContainerEnvVar,
];
