// Polaris's pod-level checks: they look at the pod spec as a whole.
import type { JsonObject } from '../../kube/index.js';
import type { CheckDefinition, CheckInput, Verdict } from '../types.js';
import { containerSecurityContext, objectAt, objectsAt, podSecurityContext, stringAt, valueAt } from './fields.js';

const specOf = (input: CheckInput): JsonObject => input.podSpec ?? {};

/** A host namespace flag passes unless it is exactly `true`. */
function hostFlagCheck(id: string, field: string, what: string): CheckDefinition {
  return {
    id,
    category: 'Security',
    target: 'PodSpec',
    successMessage: `${what} is not configured`,
    failureMessage: `${what} should not be configured`,
    test: (input) => specOf(input)[field] !== true,
    mutations: [{ op: 'remove', path: `/${field}` }],
  };
}

const hostIPCSet = hostFlagCheck('hostIPCSet', 'hostIPC', 'Host IPC');
const hostPIDSet = hostFlagCheck('hostPIDSet', 'hostPID', 'Host PID');
const hostNetworkSet = hostFlagCheck('hostNetworkSet', 'hostNetwork', 'Host network');

const hostPathSet: CheckDefinition = {
  id: 'hostPathSet',
  category: 'Security',
  target: 'PodSpec',
  successMessage: 'HostPath volumes are not configured',
  failureMessage: 'HostPath volumes must be forbidden',
  test: (input) => !objectsAt(specOf(input), 'volumes').some((volume) => objectAt(volume, 'hostPath') !== undefined),
};

/** Windows HostProcess grants host access; Polaris looks at the pod and its (non-init) containers. */
function runsAsHostProcess(securityContext: JsonObject | undefined): boolean {
  return valueAt(securityContext, 'windowsOptions', 'hostProcess') === true;
}

const hostProcess: CheckDefinition = {
  id: 'hostProcess',
  category: 'Security',
  target: 'PodSpec',
  successMessage: 'Privileged access to the host check is valid',
  failureMessage: 'Privileged access to the host is disallowed',
  test: (input) => {
    const spec = specOf(input);
    if (runsAsHostProcess(podSecurityContext(spec))) return false;
    return !objectsAt(spec, 'containers').some((container) => runsAsHostProcess(containerSecurityContext(container)));
  },
};

/**
 * The token is not mounted when the pod says `false`, or when the pod leaves it
 * unset and a ServiceAccount of the pod's namespace, named by
 * `serviceAccountName`, says `false`. Polaris does not resolve a missing name
 * to "default", so neither do we.
 */
function serviceAccountDisablesToken(namespace: string, accountName: string | undefined): Verdict {
  if (accountName === undefined) return false;
  return (related) =>
    related
      .inNamespace('ServiceAccount', namespace)
      .some((account) => stringAt(account.raw, 'metadata', 'name') === accountName && account.raw.automountServiceAccountToken === false);
}

const automountServiceAccountToken: CheckDefinition = {
  id: 'automountServiceAccountToken',
  category: 'Security',
  target: 'PodSpec',
  successMessage: 'The ServiceAccount will not be automounted',
  failureMessage: 'The ServiceAccount will be automounted',
  relatedKinds: ['ServiceAccount'],
  test: (input) => {
    const spec = specOf(input);
    const podSetting = spec.automountServiceAccountToken;
    if (podSetting === true) return false;
    if (podSetting === false) return true;
    return serviceAccountDisablesToken(input.object.namespace, stringAt(spec, 'serviceAccountName'));
  },
};

const topologySpreadConstraint: CheckDefinition = {
  id: 'topologySpreadConstraint',
  category: 'Reliability',
  target: 'PodSpec',
  controllers: { exclude: ['Job', 'CronJob'] },
  successMessage: 'Pod has a valid topology spread constraint',
  failureMessage: 'Pod should be configured with a valid topology spread constraint',
  test: (input) => {
    const constraints = specOf(input).topologySpreadConstraints;
    return Array.isArray(constraints) && constraints.length > 0;
  },
};

export const podChecks: readonly CheckDefinition[] = [
  hostIPCSet,
  hostPathSet,
  hostProcess,
  hostPIDSet,
  hostNetworkSet,
  automountServiceAccountToken,
  topologySpreadConstraint,
];
