// Checks on single non-workload objects: Ingress TLS, PodDisruptionBudgets that
// forbid every eviction, ConfigMaps holding secrets, and HPA replica bounds.
import { isObject, type JsonValue } from '../../kube/index.js';
import type { CheckDefinition } from '../types.js';
import { anyOf, goTruthy, hasKey, valueAt } from './fields.js';

const tlsSettingsMissing: CheckDefinition = {
  id: 'tlsSettingsMissing',
  category: 'Security',
  target: 'networking.k8s.io/Ingress',
  successMessage: 'Ingress has TLS configured',
  failureMessage: 'Ingress does not have TLS configured',
  // Any `tls` list counts, even an empty one.
  test: ({ object }) => Array.isArray(valueAt(object.raw, 'spec', 'tls')),
};

const pdbDisruptionsIsZero: CheckDefinition = {
  id: 'pdbDisruptionsIsZero',
  category: 'Reliability',
  target: 'policy/PodDisruptionBudget',
  successMessage: 'Voluntary evictions are possible',
  failureMessage: 'Voluntary evictions are not possible',
  test: ({ object }) => {
    const spec = valueAt(object.raw, 'spec');
    if (!isObject(spec)) return false;
    return spec.minAvailable !== '100%' && spec.maxUnavailable !== 0 && spec.maxUnavailable !== '0%';
  },
};

// Polaris's patterns are Go regular expressions with (?i): Unicode case folding
// (the `u` flag), `.` matching anything but "\n", `\s` being [\t\n\f\r ].
// A key is sensitive when any of them matches.
const SENSITIVE_KEY = anyOf([
  /^AWS_SECRET_ACCESS_KEY$/iu,
  /^GOOGLE_APPLICATION_CREDENTIALS$/iu,
  /^AZURE_[^\n]+KEY$/iu,
  /^OCI_CLI_KEY_CONTENT$/iu,
  /password/iu,
  /token/iu,
  /bearer/iu,
  /secret/iu,
]);
const PRIVATE_KEY_VALUE = /-BEGIN[\t\n\f\r ]+[^\n]*PRIVATE KEY-/iu;

function isSensitiveEntry(key: string, value: JsonValue | undefined): boolean {
  return SENSITIVE_KEY.test(key) || (typeof value === 'string' && PRIVATE_KEY_VALUE.test(value));
}

const sensitiveConfigmapContent: CheckDefinition = {
  id: 'sensitiveConfigmapContent',
  category: 'Security',
  target: '/ConfigMap',
  successMessage: 'The ConfigMap does not contain potentially sensitive content in its keys and values',
  failureMessage: 'Potentially sensitive content is detected in the ConfigMap keys or values',
  test: ({ object }) => {
    if (typeof valueAt(object.raw, 'metadata', 'name') !== 'string') return false;
    if (!hasKey(object.raw, 'data')) return true;
    const data = object.raw.data;
    return isObject(data) && !Object.keys(data).some((key) => isSensitiveEntry(key, data[key]));
  },
};

/** Absent, or an integer of at least `minimum` (JSON Schema `type: integer` + `minimum`). */
function absentOrIntegerAtLeast(value: JsonValue | undefined, minimum: number): boolean {
  return value === undefined || (Number.isInteger(value) && (value as number) >= minimum);
}

const hpaMaxAvailability: CheckDefinition = {
  id: 'hpaMaxAvailability',
  category: 'Reliability',
  target: 'autoscaling/HorizontalPodAutoscaler',
  successMessage: 'HPA has a valid max and min replica configuration',
  failureMessage: 'HPA maxReplicas and minReplicas should be different',
  test: ({ object }) => {
    if (!hasKey(object.raw, 'spec')) return true;
    const spec = object.raw.spec;
    if (!isObject(spec) || !hasKey(spec, 'maxReplicas')) return false;
    const { minReplicas, maxReplicas } = spec;
    if (!absentOrIntegerAtLeast(minReplicas, 1) || !absentOrIntegerAtLeast(maxReplicas, 1)) return false;
    // Polaris templates `exclusiveMinimum: minReplicas` in only when minReplicas is set (and not 0).
    if (!goTruthy(minReplicas) || minReplicas === undefined) return true;
    return (maxReplicas as number) > (minReplicas as number);
  },
};

const hpaMinAvailability: CheckDefinition = {
  id: 'hpaMinAvailability',
  category: 'Reliability',
  target: 'autoscaling/HorizontalPodAutoscaler',
  successMessage: 'HPA has a valid min replica configuration',
  failureMessage: 'HPA minReplicas should be 2 or more',
  test: ({ object }) => {
    if (!hasKey(object.raw, 'spec')) return true;
    const spec = object.raw.spec;
    return isObject(spec) && absentOrIntegerAtLeast(spec.minReplicas, 2);
  },
};

export const otherChecks: readonly CheckDefinition[] = [
  tlsSettingsMissing,
  pdbDisruptionsIsZero,
  sensitiveConfigmapContent,
  hpaMaxAvailability,
  hpaMinAvailability,
];
