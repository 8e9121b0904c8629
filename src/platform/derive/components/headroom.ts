// Headroom: spare node capacity kept ready in every cluster (capacity.headroom
// in platform.yaml), so a new or scaled-up pod starts at once instead of
// waiting a minute or two for Karpenter to launch a node.
//
// The usual overprovisioning pattern: placeholder pods (pause containers) hold
// the room at a priority below every other pod. A pod that does not fit
// preempts as many of them as it needs and takes their place right away; the
// preempted placeholders go Pending, Karpenter launches a node for them, and
// the room is back for the next pod. Karpenter provisions for pending pods
// whatever their priority, and consolidation reschedules placeholders like any
// other pod, so it moves the room to cheaper nodes but does not remove it.
//
// Files under clusters/<cluster>/platform/headroom/ (only namespace.yaml when the headroom is 0):
//   namespace.yaml       kaji-system, only while the webhook is off (kaji-namespace.ts), whatever
//                        the headroom: kaji-platform always has a file (see deriveHeadroom)
//   priorityclass.yaml   PriorityClass kaji-headroom: value -10, preemptionPolicy Never
//   networkpolicy.yaml   the placeholders' traffic: none beyond themselves
//   deployment.yaml      the placeholders (Deployment) and their PodDisruptionBudget;
//                        none while the cluster is retiring (deriveHeadroom)
//
// Sizing comes from platform.yaml only: fixed units, or a percent of the sum of
// the services' quota cpu and memory. Not from the rendered apps' requests:
// every release of a tenant would then make the generated files stale.
import { canonicalQuantity, ceilToScale, parseQuantity, type JsonObject, type Quantity } from '../../../kube/index.js';
import { PlatformError, PlatformErrors } from '../../definition/errors.js';
import { headroomShare, headroomSplit, MIN_PLACEHOLDER_MEMORY } from '../../definition/headroom-share.js';
import { HEADROOM_NAME, KAJI_NAMESPACE, type ClusterDefinition, type PlatformDefinition } from '../../types.js';
import type { GroupKind } from '../argocd.js';
import type { PlatformComponent } from '../components.js';
import { DeriveError } from '../errors.js';
import { platformLabels } from '../names.js';
import { generatedFile, sortedMap, type GeneratedFile } from '../yaml.js';
import { KAJI_NAMESPACE_WAVE, kajiNamespaceObject, kajiNamespaceWriter, RESTRICTED_CONTAINER_SECURITY } from './kaji-namespace.js';

export { HEADROOM_NAME };
/**
 * Below the default 0 that every pod without a priority class gets, so any
 * such pod preempts the placeholders. -10 rather than -1 leaves room for a
 * platform's own low-priority classes (batch work) above the headroom.
 */
export const HEADROOM_PRIORITY = -10;

const MIB = 1024n * 1024n;
/** More placeholders than this is a typo (cpu 4000 for 4), not headroom; Karpenter's NodePool limits would stop it anyway. */
const MAX_REPLICAS = 1000;

/** What capacity.headroom comes to in one cluster. */
export interface HeadroomSize {
  /** The spare capacity asked for: cpu in millicores, memory in bytes (rounded up). */
  readonly cpuMilli: bigint;
  readonly memory: bigint;
  /** How it is split: this many placeholders, each requesting (and limited to) podCpu and podMemory. */
  readonly replicas: number;
  readonly podCpu: string;
  readonly podMemory: string;
  /** What the placeholders hold together: more than asked where rounding each share up, or a placeholder's 32Mi minimum, adds (kaji dashboard's target). */
  readonly heldCpuMilli: bigint;
  readonly heldMemory: bigint;
  /** How platform.yaml asked for it, for the generated file's comment. */
  readonly source: string;
}

/** A quantity of the definition, which the loader has checked. */
function quantity(text: string): Quantity {
  const parsed = parseQuantity(text);
  if (!parsed) throw new DeriveError(`platform component "headroom": "${text}" is not a Kubernetes quantity`);
  return parsed;
}

function cpuText(milli: bigint): string {
  return canonicalQuantity({ mantissa: milli, exponent: -3, format: 'DecimalSI' });
}

/** Bytes with a binary suffix when they are whole Ki ("2Gi"), else a decimal one ("1500M"). */
function memoryText(bytes: bigint): string {
  return canonicalQuantity({ mantissa: bytes, exponent: 0, format: bytes % 1024n === 0n ? 'BinarySI' : 'DecimalSI' });
}

/** The spare cpu (millicores) and memory (bytes) platform.yaml asks for, and how it says so. */
function requested(platform: PlatformDefinition): { cpuMilli: bigint; memory: bigint; source: string } {
  const headroom = platform.capacity.headroom;
  if (headroom.kind === 'units') {
    return {
      cpuMilli: ceilToScale(quantity(headroom.cpu), -3),
      memory: ceilToScale(quantity(headroom.memory), 0),
      source: `capacity.headroom: ${headroom.cpu} cpu, ${headroom.memory} memory`,
    };
  }
  let quotaCpu = 0n;
  let quotaMemory = 0n;
  for (const service of platform.services) {
    quotaCpu += ceilToScale(quantity(service.quota.cpu), -3);
    quotaMemory += ceilToScale(quantity(service.quota.memory), 0);
  }
  const cpuMilli = headroomShare('cpu', quotaCpu, headroom.percent);
  const memory = headroomShare('memory', quotaMemory, headroom.percent);
  return {
    cpuMilli,
    memory,
    source:
      `capacity.headroom: ${headroom.percent} % of the services' quotas ` +
      `(${cpuText(quotaCpu)} cpu, ${memoryText(quotaMemory)} memory) = ${cpuText(cpuMilli)} cpu, ${memoryText(memory)} memory`,
  };
}

/**
 * The headroom of one cluster, split into placeholders of at most 1 cpu and
 * 4Gi each (two at least), each holding an equal share rounded up (cpu to the
 * millicore, memory to the Mi, 32Mi at least: headroomSplit), so together they
 * hold at least what was asked.
 * Undefined when cpu or memory is 0: a placeholder that holds only one of them
 * frees nothing a pod could start with (every tenant container requests both:
 * the LimitRange gives it defaults). Throws PlatformErrors for more than 1000
 * placeholders.
 */
export function headroomSize(platform: PlatformDefinition): HeadroomSize | undefined {
  const { cpuMilli, memory, source } = requested(platform);
  if (cpuMilli === 0n || memory === 0n) return undefined;
  const { replicas, podCpuMilli, podMemory, heldCpuMilli, heldMemory } = headroomSplit(cpuMilli, memory);
  if (replicas > BigInt(MAX_REPLICAS)) {
    const message =
      `${cpuText(cpuMilli)} cpu and ${memoryText(memory)} memory of headroom would take ${replicas} placeholder pods of at most 1 cpu and 4Gi each, ` +
      `more than ${MAX_REPLICAS}: headroom is the room the next pods start in at once, not a share of the whole platform; lower it (or use percent: 0 for none)`;
    throw new PlatformErrors([new PlatformError(message, 'capacity.headroom', platform.file)]);
  }
  return { cpuMilli, memory, replicas: Number(replicas), podCpu: cpuText(podCpuMilli), podMemory: memoryText(podMemory), heldCpuMilli, heldMemory, source };
}

/** The placeholders' file in the component's folder: what a retiring cluster no longer has (deriveHeadroom). */
export const PLACEHOLDERS_FILE = 'deployment.yaml';

/** Sync waves inside kaji-platform: the class and policy with the namespace, before any pod; the placeholders last (see deploymentObjects). */
const WAVE = { early: KAJI_NAMESPACE_WAVE, placeholders: '2' } as const;

const SELECTOR = { 'app.kubernetes.io/name': HEADROOM_NAME };

function labels(): Record<string, string> {
  return sortedMap({ ...platformLabels(), 'app.kubernetes.io/name': HEADROOM_NAME, 'app.kubernetes.io/instance': HEADROOM_NAME, 'app.kubernetes.io/component': 'headroom' });
}

function metadata(wave: string, namespaced = true): JsonObject {
  const meta: JsonObject = { name: HEADROOM_NAME };
  if (namespaced) meta.namespace = KAJI_NAMESPACE;
  meta.labels = labels();
  meta.annotations = { 'argocd.argoproj.io/sync-wave': wave };
  return meta;
}

/**
 * Not the cluster's default (globalDefault false): only the placeholders ask
 * for it. preemptionPolicy Never: they never preempt anyone, not even pods of
 * a lower priority, so pending placeholders only ever wait for a new node.
 */
function priorityClassObject(): JsonObject {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: metadata(WAVE.early, false),
    value: HEADROOM_PRIORITY,
    globalDefault: false,
    preemptionPolicy: 'Never',
    description: 'kaji headroom: placeholder pods that keep spare node capacity ready; every other pod preempts them, and they preempt nobody.',
  };
}

/**
 * The placeholders need no traffic: pause opens no socket. Polaris's
 * missingNetworkPolicy counts only a policy with both ingress and egress rules
 * that selects the pods by one of their labels, so the rules name the one peer
 * that does no harm, the placeholders themselves; everything else, to and
 * from them, is denied, whether or not the webhook's default deny is there.
 */
function networkPolicyObject(): JsonObject {
  const themselves = [{ podSelector: { matchLabels: SELECTOR } }];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(WAVE.early),
    spec: { podSelector: { matchLabels: SELECTOR }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: themselves }], egress: [{ to: themselves }] },
  };
}

/** The container's own view of it: the exec of `pause -v` prints its version and exits 0 while the container can run anything at all. */
function probe(): JsonObject {
  return { exec: { command: ['/pause', '-v'] }, periodSeconds: 60, timeoutSeconds: 5, failureThreshold: 3 };
}

/**
 * The placeholders, hardened like the webhook's pods (Pod Security
 * restricted, no token, read-only root) and written to pass kaji's default
 * policy: probes, pull policy Always, a zone spread, a disruption budget.
 *
 * - Requests equal limits (Guaranteed QoS): what they hold is exactly what a
 *   preempting pod gets.
 * - No tolerations: they stay off the tainted system nodes, on the nodes
 *   Karpenter launches for tenants (spot first, as its NodePool prefers).
 * - Sync wave 2, after the webhook's registration: placeholders waiting for a
 *   node never hold back the rest of kaji-platform's sync.
 * - Rollouts replace pods in place (maxSurge 0): a surge pod would make
 *   Karpenter launch a node for the rollout alone.
 * - A short grace period: pause exits at SIGTERM, and a preempting pod waits
 *   for its victims to end.
 */
function deploymentObjects(size: HeadroomSize, image: string): JsonObject[] {
  const amounts = { cpu: size.podCpu, memory: size.podMemory };
  const deployment: JsonObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(WAVE.placeholders),
    spec: {
      replicas: size.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: SELECTOR },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '50%' } },
      template: {
        metadata: { labels: labels() },
        spec: {
          priorityClassName: HEADROOM_NAME,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65535, runAsGroup: 65535, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: SELECTOR } },
          ],
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'pause',
              image,
              // Always, as kaji's policy asks: the node keeps the layers, so a start costs one manifest check.
              imagePullPolicy: 'Always',
              resources: { requests: { ...amounts }, limits: { ...amounts } },
              readinessProbe: probe(),
              livenessProbe: probe(),
              securityContext: RESTRICTED_CONTAINER_SECURITY,
            },
          ],
        },
      },
    },
  };
  // Any number may go at once (a drain, consolidation, a spot interruption): the budget says so, it never blocks.
  const budget: JsonObject = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(WAVE.placeholders),
    spec: { maxUnavailable: '100%', selector: { matchLabels: SELECTOR } },
  };
  return [deployment, budget];
}

/**
 * No placeholders in a retiring cluster: it serves no traffic and its
 * services are being pruned, so room for their next pods would only keep
 * Karpenter's nodes alive (and paid for) until the cluster is deleted. Only
 * PLACEHOLDERS_FILE goes: the rest holds no node, and with the webhook off the
 * Namespace here keeps kaji-platform's path (its Application has no
 * finalizer, so pruning it would leave the placeholders running).
 */
function deriveHeadroom(platform: PlatformDefinition, cluster: ClusterDefinition): GeneratedFile[] {
  const size = headroomSize(platform);
  const files: GeneratedFile[] = [];
  if (kajiNamespaceWriter(platform) === 'headroom') files.push(generatedFile('namespace.yaml', [kajiNamespaceObject()], ['Written here while the webhook is off (webhook.enabled: false).']));
  // With no headroom the Namespace alone stays (webhook off): it keeps kaji-platform's path, so Argo CD
  // prunes placeholders left from before instead of deleting their Application (no finalizer) over them.
  if (!size) return files;
  files.push(
    generatedFile('priorityclass.yaml', [priorityClassObject()], [`Below every pod without a priority class (0): any of them preempts the headroom pods.`]),
    generatedFile('networkpolicy.yaml', [networkPolicyObject()], ['Nothing reaches the headroom pods and they reach nothing but one another (and pause opens no socket).']),
  );
  if (cluster.retiring) return files;
  files.push(
    generatedFile(PLACEHOLDERS_FILE, deploymentObjects(size, platform.capacity.headroom.image), [
      `${size.replicas} placeholder pods of ${size.podCpu} cpu and ${size.podMemory} memory (${size.source}).`,
      ...(liftedByMinimum(size) ? [`Together they hold ${memoryText(size.heldMemory)} memory, more than asked: no placeholder holds less than ${memoryText(MIN_PLACEHOLDER_MEMORY)}.`] : []),
      'A pod that needs the room preempts them; they go Pending and Karpenter launches a node for them.',
    ]),
  );
  return files;
}

/** Whether the placeholders hold more memory than rounding each share up to the Mi explains (under 1Mi a pod): the 32Mi minimum lifted it. */
function liftedByMinimum(size: HeadroomSize): boolean {
  return size.heldMemory - size.memory >= BigInt(size.replicas) * MIB;
}

/** PriorityClass is cluster-scoped: the kaji-platform project allows it while the headroom has files. */
export const HEADROOM_KINDS: readonly GroupKind[] = [{ group: 'scheduling.k8s.io', kind: 'PriorityClass' }];

export const headroomComponent: PlatformComponent = {
  name: 'headroom',
  clusterScopedKinds: HEADROOM_KINDS,
  namespaces: [KAJI_NAMESPACE],
  derive: deriveHeadroom,
};
