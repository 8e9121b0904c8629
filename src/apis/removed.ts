// Kubernetes API versions a cluster no longer serves. A blue/green upgrade may
// skip several minor versions at once; Argo CD then syncs every manifest to the
// new cluster, and an object whose apiVersion went away in between fails to
// sync there. This table says, for each removed (apiVersion, kind), the minor
// version that stopped serving it and what to write instead.
//
// Source: the Kubernetes "Deprecated API Migration Guide"
// (https://kubernetes.io/docs/reference/using-api/deprecation-guide/,
// kubernetes/website content/en/docs/reference/using-api/deprecation-guide.md),
// every removal from 1.16 on. Checked on 2026-11-29: its newest removal is
// 1.32 (flowcontrol v1beta3); nothing is removed in 1.33, 1.34 or 1.35. Add a
// row when the guide lists a new release. The notes are our own summary of
// the guide's "notable changes".
import { apiGroupOf, type KubeObject } from '../kube/index.js';

/** One removal as the guide groups them: these kinds in these apiVersions. */
interface Removal {
  /** The Kubernetes minor version (1.N) that stopped serving them. */
  readonly removedIn: number;
  readonly apiVersions: readonly string[];
  readonly kinds: readonly string[];
  /** The apiVersion to write instead; absent when the kind itself is gone. */
  readonly replacement?: string;
  /** Field changes the replacement brings, or (without a replacement) what to do. */
  readonly note?: string;
}

const APPS_SELECTOR = 'spec.selector is required and cannot change later (copy the pod template labels)';
const HPA_TARGETS = 'each metric\'s targetAverageUtilization becomes target: {type: Utilization, averageUtilization: N}';
const FLOWCONTROL_V1 = 'PriorityLevelConfiguration spec.limited.assuredConcurrencyShares is named nominalConcurrencyShares, and an explicit 0 stays 0';

const REMOVALS: readonly Removal[] = [
  // 1.16
  { removedIn: 16, apiVersions: ['extensions/v1beta1'], kinds: ['NetworkPolicy'], replacement: 'networking.k8s.io/v1' },
  { removedIn: 16, apiVersions: ['extensions/v1beta1'], kinds: ['PodSecurityPolicy'], replacement: 'policy/v1beta1' },
  {
    removedIn: 16,
    apiVersions: ['extensions/v1beta1', 'apps/v1beta2'],
    kinds: ['DaemonSet'],
    replacement: 'apps/v1',
    note: `${APPS_SELECTOR}; spec.templateGeneration is gone; spec.updateStrategy.type defaults to RollingUpdate`,
  },
  {
    removedIn: 16,
    apiVersions: ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'],
    kinds: ['Deployment'],
    replacement: 'apps/v1',
    note: `${APPS_SELECTOR}; spec.rollbackTo is gone; progressDeadlineSeconds, revisionHistoryLimit, maxSurge and maxUnavailable get new defaults (600, 10, 25%, 25%)`,
  },
  {
    removedIn: 16,
    apiVersions: ['apps/v1beta1', 'apps/v1beta2'],
    kinds: ['StatefulSet'],
    replacement: 'apps/v1',
    note: `${APPS_SELECTOR}; spec.updateStrategy.type defaults to RollingUpdate`,
  },
  { removedIn: 16, apiVersions: ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'], kinds: ['ReplicaSet'], replacement: 'apps/v1', note: APPS_SELECTOR },
  // 1.22
  {
    removedIn: 22,
    apiVersions: ['admissionregistration.k8s.io/v1beta1'],
    kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    replacement: 'admissionregistration.k8s.io/v1',
    note: 'each webhook needs sideEffects (None or NoneOnDryRun) and admissionReviewVersions and a unique name; failurePolicy now defaults to Fail, matchPolicy to Equivalent, timeoutSeconds to 10',
  },
  {
    removedIn: 22,
    apiVersions: ['apiextensions.k8s.io/v1beta1'],
    kinds: ['CustomResourceDefinition'],
    replacement: 'apiextensions.k8s.io/v1',
    note: 'spec.scope must be given; spec.version, validation, subresources and additionalPrinterColumns move into each spec.versions[] entry, whose schema.openAPIV3Schema (structural) is required; preserveUnknownFields: true becomes x-kubernetes-preserve-unknown-fields in the schema; conversion.webhookClientConfig moves to conversion.webhook.clientConfig',
  },
  { removedIn: 22, apiVersions: ['apiregistration.k8s.io/v1beta1'], kinds: ['APIService'], replacement: 'apiregistration.k8s.io/v1' },
  { removedIn: 22, apiVersions: ['authentication.k8s.io/v1beta1'], kinds: ['TokenReview'], replacement: 'authentication.k8s.io/v1' },
  {
    removedIn: 22,
    apiVersions: ['authorization.k8s.io/v1beta1'],
    kinds: ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SubjectAccessReview', 'SelfSubjectRulesReview'],
    replacement: 'authorization.k8s.io/v1',
    note: 'spec.group is named spec.groups',
  },
  {
    removedIn: 22,
    apiVersions: ['certificates.k8s.io/v1beta1'],
    kinds: ['CertificateSigningRequest'],
    replacement: 'certificates.k8s.io/v1',
    note: 'spec.signerName and spec.usages are required',
  },
  { removedIn: 22, apiVersions: ['coordination.k8s.io/v1beta1'], kinds: ['Lease'], replacement: 'coordination.k8s.io/v1' },
  {
    removedIn: 22,
    apiVersions: ['extensions/v1beta1', 'networking.k8s.io/v1beta1'],
    kinds: ['Ingress'],
    replacement: 'networking.k8s.io/v1',
    note: 'spec.backend is named spec.defaultBackend; a backend\'s serviceName and servicePort become service.name and service.port.number (or service.port.name); every path needs a pathType (ImplementationSpecific matches as before)',
  },
  { removedIn: 22, apiVersions: ['networking.k8s.io/v1beta1'], kinds: ['IngressClass'], replacement: 'networking.k8s.io/v1' },
  {
    removedIn: 22,
    apiVersions: ['rbac.authorization.k8s.io/v1beta1'],
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    replacement: 'rbac.authorization.k8s.io/v1',
  },
  { removedIn: 22, apiVersions: ['scheduling.k8s.io/v1beta1'], kinds: ['PriorityClass'], replacement: 'scheduling.k8s.io/v1' },
  {
    removedIn: 22,
    apiVersions: ['storage.k8s.io/v1beta1'],
    kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    replacement: 'storage.k8s.io/v1',
  },
  // 1.25
  { removedIn: 25, apiVersions: ['batch/v1beta1'], kinds: ['CronJob'], replacement: 'batch/v1' },
  {
    removedIn: 25,
    apiVersions: ['discovery.k8s.io/v1beta1'],
    kinds: ['EndpointSlice'],
    replacement: 'discovery.k8s.io/v1',
    note: 'each endpoint gives nodeName and zone instead of the topology labels, and topology is the read-only deprecatedTopology',
  },
  {
    removedIn: 25,
    apiVersions: ['events.k8s.io/v1beta1'],
    kinds: ['Event'],
    replacement: 'events.k8s.io/v1',
    note: 'involvedObject is named regarding; type is Normal or Warning; action, reason, reportingController and reportingInstance are required; eventTime, series.lastObservedTime and series.count replace firstTimestamp, lastTimestamp and count',
  },
  { removedIn: 25, apiVersions: ['autoscaling/v2beta1'], kinds: ['HorizontalPodAutoscaler'], replacement: 'autoscaling/v2', note: HPA_TARGETS },
  {
    removedIn: 25,
    apiVersions: ['policy/v1beta1'],
    kinds: ['PodDisruptionBudget'],
    replacement: 'policy/v1',
    note: 'an empty spec.selector ({}) now selects every pod of the namespace, where it selected none',
  },
  {
    removedIn: 25,
    apiVersions: ['policy/v1beta1'],
    kinds: ['PodSecurityPolicy'],
    note: 'delete it (Kubernetes has no PodSecurityPolicy any more) and enforce pod security with Pod Security Admission (pod-security.kubernetes.io labels on the namespace) or an admission webhook',
  },
  { removedIn: 25, apiVersions: ['node.k8s.io/v1beta1'], kinds: ['RuntimeClass'], replacement: 'node.k8s.io/v1' },
  // 1.26
  {
    removedIn: 26,
    apiVersions: ['flowcontrol.apiserver.k8s.io/v1beta1'],
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    replacement: 'flowcontrol.apiserver.k8s.io/v1beta2',
  },
  // v2beta2 already writes target: {type, averageUtilization}; only the apiVersion changes.
  { removedIn: 26, apiVersions: ['autoscaling/v2beta2'], kinds: ['HorizontalPodAutoscaler'], replacement: 'autoscaling/v2' },
  // 1.27
  { removedIn: 27, apiVersions: ['storage.k8s.io/v1beta1'], kinds: ['CSIStorageCapacity'], replacement: 'storage.k8s.io/v1' },
  // 1.29
  {
    removedIn: 29,
    apiVersions: ['flowcontrol.apiserver.k8s.io/v1beta2'],
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
    note: FLOWCONTROL_V1,
  },
  // 1.32
  {
    removedIn: 32,
    apiVersions: ['flowcontrol.apiserver.k8s.io/v1beta3'],
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
    note: 'an explicit PriorityLevelConfiguration spec.limited.nominalConcurrencyShares of 0 stays 0',
  },
];

/** The removals by "apiVersion kind". */
const REMOVED = new Map<string, Removal>(
  REMOVALS.flatMap((removal) => removal.apiVersions.flatMap((apiVersion) => removal.kinds.map((kind) => [`${apiVersion} ${kind}`, removal] as const))),
);

/**
 * The API groups kaji knows the removals of: the core group and every group
 * in the table. An object of any other group (a custom resource) is never judged.
 */
const KNOWN_GROUPS = new Set(['', ...REMOVALS.flatMap((removal) => removal.apiVersions.map(apiGroupOf))]);

/** The newest Kubernetes minor version the table is known to be complete for. */
export const REMOVED_APIS_CHECKED_THROUGH = '1.35';

/** An object whose apiVersion the Kubernetes version checked against no longer serves. */
export interface RemovedApiFinding {
  readonly object: KubeObject;
  readonly apiVersion: string;
  readonly kind: string;
  /** The Kubernetes version that stopped serving it, e.g. "1.25"; undefined for an alpha API, which EKS never serves. */
  readonly removedIn: string | undefined;
  /** The apiVersion to write instead, served by the version checked against; undefined when the kind itself is gone. */
  readonly replacement: string | undefined;
  /** What was found and what to write instead. */
  readonly message: string;
}

/** How kaji judges one object: its API is still served, no longer served, or (an unknown group) not judged. */
export type RemovedApiVerdict = 'served' | RemovedApiFinding | undefined;

/** The minor number of a Kubernetes version written "1.N" (as EKS and platform.yaml name them), or undefined for anything else. */
export function kubernetesMinor(version: string): number | undefined {
  const match = /^1\.(0|[1-9][0-9]{0,3})$/.exec(version);
  return match ? Number(match[1]) : undefined;
}

function minorOf(version: string): number {
  const minor = kubernetesMinor(version);
  if (minor === undefined) throw new RangeError(`"${version}" is not a Kubernetes minor version such as 1.35`);
  return minor;
}

/** Whether and how `version` ("1.35") serves an object's apiVersion. */
export function removedApiVerdict(version: string, object: KubeObject): RemovedApiVerdict {
  const minor = minorOf(version);
  if (!KNOWN_GROUPS.has(apiGroupOf(object.apiVersion))) return undefined;
  const removal = REMOVED.get(`${object.apiVersion} ${object.kind}`);
  if (removal === undefined && isAlpha(object.apiVersion)) return alphaFinding(version, object);
  if (removal === undefined || removal.removedIn > minor) return 'served';
  const { replacement, notes } = successor(removal, object.kind, minor);
  const removedIn = `1.${removal.removedIn}`;
  const fix = replacement ? `change apiVersion to ${replacement}${notes.length ? `; also ${notes.join('; ')}` : ''}` : notes.join('; ');
  return {
    object,
    apiVersion: object.apiVersion,
    kind: object.kind,
    removedIn,
    replacement,
    message: `${object.apiVersion} ${object.kind} was removed in Kubernetes ${removedIn} and is not served by ${version}: ${fix}`,
  };
}

/** An alpha version (v1alpha1, v2alpha1...): Kubernetes serves none unless a feature gate turns it on, which EKS does not allow. */
function isAlpha(apiVersion: string): boolean {
  return /^v\d+alpha\d+$/.test(apiVersion.slice(apiVersion.lastIndexOf('/') + 1));
}

function alphaFinding(version: string, object: KubeObject): RemovedApiFinding {
  return {
    object,
    apiVersion: object.apiVersion,
    kind: object.kind,
    removedIn: undefined,
    replacement: undefined,
    message: `${object.apiVersion} ${object.kind} is an alpha API, which EKS does not serve (its clusters run with alpha APIs off), so ${version} does not either: write the kind's stable apiVersion`,
  };
}

/**
 * The replacement to write for a removal, followed on while it was removed in
 * turn by `minor` too (flowcontrol v1beta1 → v1beta2 → v1), with the notes
 * of every step.
 */
function successor(removal: Removal, kind: string, minor: number): { replacement: string | undefined; notes: string[] } {
  const notes: string[] = [];
  let step: Removal | undefined = removal;
  let replacement: string | undefined;
  while (step) {
    if (step.note) notes.push(step.note);
    replacement = step.replacement;
    if (replacement === undefined) break;
    const next = REMOVED.get(`${replacement} ${kind}`);
    step = next && next.removedIn <= minor ? next : undefined;
  }
  return { replacement, notes };
}

/** The objects whose apiVersion Kubernetes `version` ("1.35") no longer serves, in input order. */
export function removedApiFindings(version: string, objects: Iterable<KubeObject>): RemovedApiFinding[] {
  minorOf(version);
  const findings: RemovedApiFinding[] = [];
  for (const object of objects) {
    const verdict = removedApiVerdict(version, object);
    if (verdict !== undefined && verdict !== 'served') findings.push(verdict);
  }
  return findings;
}
