// The platform team's view of a running cluster's capacity: spot against
// on-demand, by NodePool, instance type and zone; the pods that wait for a
// node; and the headroom kept ready. Plain data in (Node and Pod objects as
// the API server returns them), plain data out; numbers are exact (cpu in
// millicores, memory in bytes) until the output rounds them.
import { isObject, stringAt, type JsonObject } from '../kube/index.js';
import { HEADROOM_NAME, KAJI_NAMESPACE } from '../platform/index.js';
import { eksClustersOf, type EksClusterEvidence } from './eks-cluster.js';
import { addResources, CapacityError, NO_RESOURCES, podRequest, resourceList, type Resources } from './requests.js';

/** The PriorityClass of kaji's headroom pods (pause pods that any real pod preempts). */
export const HEADROOM_PRIORITY_CLASS = HEADROOM_NAME;

/**
 * How a node is bought. Karpenter's `karpenter.sh/capacity-type` label says
 * spot, on-demand or reserved (a capacity reservation); an EKS managed node
 * group's `eks.amazonaws.com/capacityType` says SPOT, ON_DEMAND or
 * CAPACITY_BLOCK (a reservation too); an EKS Fargate node
 * (`eks.amazonaws.com/compute-type: fargate`, one per pod) is "fargate",
 * billed on demand (EKS has no Fargate Spot). Any other node is "unknown".
 */
export type CapacityType = 'spot' | 'on-demand' | 'reserved' | 'fargate' | 'unknown';

/** spot and on-demand are always listed (a script finds them even at 0 nodes); the others only when present. */
const CAPACITY_TYPES: readonly CapacityType[] = ['spot', 'on-demand', 'reserved', 'fargate', 'unknown'];
const ALWAYS_LISTED: ReadonlySet<CapacityType> = new Set(['spot', 'on-demand']);

const KARPENTER_CAPACITY_TYPES: ReadonlyMap<string, CapacityType> = new Map([
  ['spot', 'spot'],
  ['on-demand', 'on-demand'],
  ['reserved', 'reserved'],
]);
const NODE_GROUP_CAPACITY_TYPES: ReadonlyMap<string, CapacityType> = new Map([
  ['SPOT', 'spot'],
  ['ON_DEMAND', 'on-demand'],
  ['CAPACITY_BLOCK', 'reserved'],
]);

/** Labels read from a node. */
export const NODE_LABELS = {
  karpenterCapacityType: 'karpenter.sh/capacity-type',
  nodeGroupCapacityType: 'eks.amazonaws.com/capacityType',
  computeType: 'eks.amazonaws.com/compute-type',
  nodePool: 'karpenter.sh/nodepool',
  nodeGroup: 'eks.amazonaws.com/nodegroup',
  instanceType: 'node.kubernetes.io/instance-type',
  zone: 'topology.kubernetes.io/zone',
} as const;

/** A label a node does not carry. */
export const UNKNOWN = 'unknown';

export interface ResourceUse {
  /** What the nodes offer pods (status.allocatable). */
  readonly allocatable: number;
  /** What the pods bound to them request (effective requests of pods not Succeeded or Failed). */
  readonly requested: number;
  /** requested / allocatable, to 4 decimal places; null without allocatable. */
  readonly utilisation: number | null;
  /**
   * The room a new pod may be given: what the pods leave of each schedulable
   * node's allocatable (0 at least: a pod bound by name may overcommit one);
   * a node no new pod can land on (NotSchedulableNode) adds nothing.
   */
  readonly free: number;
}

/** The nodes of a group no new pod can land on, and their allocatable (counted in the group's allocatable all the same). */
export interface NotSchedulable {
  readonly nodes: number;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

/** Nodes that share a capacity type, pool, instance type or zone (or all of them). */
export interface CapacityGroup {
  readonly name: string;
  readonly nodes: number;
  readonly spotNodes: number;
  /** Pods (not Succeeded or Failed) bound to these nodes. */
  readonly pods: number;
  readonly cpuMillicores: ResourceUse;
  readonly memoryBytes: ResourceUse;
  readonly notSchedulable: NotSchedulable;
}

/** Where a node's pool name comes from: a Karpenter NodePool, an EKS managed node group, or neither. */
export type PoolKind = 'nodepool' | 'nodegroup' | 'none';

export interface PoolGroup extends CapacityGroup {
  readonly kind: PoolKind;
}

/** Pods and the sum of their effective requests. */
export interface PodRequests {
  readonly pods: number;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

export interface WaitingPod {
  readonly namespace: string;
  readonly name: string;
  /** The effective request. */
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  readonly priorityClassName: string | null;
  /** The scheduler's PodScheduled message: why no node fits. */
  readonly message: string;
}

/**
 * A node no new pod can land on, and why: cordoned (spec.unschedulable, as a
 * drain or Karpenter's disruption leaves it), not Ready, or a taint that keeps
 * every new pod off while the node goes away or is unreachable (NOT_SCHEDULABLE_TAINTS).
 */
export interface NotSchedulableNode {
  readonly name: string;
  /** "cordoned", "Ready False", "Ready Unknown", "taint karpenter.sh/disrupted:NoSchedule". */
  readonly reasons: readonly string[];
}

export interface CapacitySummary {
  readonly total: CapacityGroup;
  /** Fractions (4 decimal places) of the nodes and of the allocatable cpu that are spot; null without nodes (or cpu). */
  readonly spotShare: { readonly nodes: number | null; readonly cpu: number | null };
  readonly capacityTypes: readonly CapacityGroup[];
  readonly nodePools: readonly PoolGroup[];
  readonly instanceTypes: readonly CapacityGroup[];
  readonly zones: readonly CapacityGroup[];
  /** Pods the scheduler found no node for (PodScheduled False, reason Unschedulable), headroom pods aside. */
  readonly unschedulable: PodRequests & { readonly list: readonly WaitingPod[] };
  /** The nodes no new pod can land on, by name. */
  readonly notSchedulableNodes: readonly NotSchedulableNode[];
  /**
   * The headroom pods: running on a node (holding capacity for the next real pod) or pending (waiting for a node);
   * `stranded`: those of the running ones on a node no new pod can land on, which hold no room a pod could take.
   */
  readonly headroom: { readonly priorityClass: string; readonly running: PodRequests; readonly pending: PodRequests; readonly stranded: PodRequests };
  /** The EKS cluster the pods say they run in (kaji's Karpenter and AWS Load Balancer Controller are told it): empty when none does. */
  readonly eksClusters: readonly EksClusterEvidence[];
}

/**
 * Taints that keep every new pod off a node (but DaemonSets', which tolerate
 * them) while it goes away or cannot be reached: the node lifecycle
 * controller's, Karpenter's disruption taint (v1, and the one before it) and
 * the Cluster Autoscaler's. Other NoSchedule taints (CriticalAddonsOnly, a
 * dedicated pool's) let the pods that tolerate them in: that room is real.
 */
const NOT_SCHEDULABLE_TAINTS: ReadonlySet<string> = new Set([
  'node.kubernetes.io/unschedulable',
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/out-of-service',
  'node.kubernetes.io/network-unavailable',
  'karpenter.sh/disrupted',
  'karpenter.sh/disruption',
  'ToBeDeletedByClusterAutoscaler',
]);

interface NodeFacts {
  readonly name: string;
  readonly capacityType: CapacityType;
  readonly pool: { readonly name: string; readonly kind: PoolKind };
  readonly instanceType: string;
  readonly zone: string;
  readonly allocatable: Resources;
  /** Why no new pod can land on it; empty when one can. */
  readonly notSchedulable: readonly string[];
  /**
   * Whether its room is never a new pod's: a Fargate node runs the one pod it was made for. Not a
   * reason to list it as not schedulable: nothing is wrong with it.
   */
  readonly fargate: boolean;
  /** The most pods it takes (status.allocatable.pods); undefined when the snapshot does not say. */
  readonly maxPods?: number;
}

interface Tally {
  nodes: number;
  spotNodes: number;
  pods: number;
  allocatable: Resources;
  requested: Resources;
  free: Resources;
  notSchedulableNodes: number;
  notSchedulable: Resources;
}

/** Summarises a cluster's Node and Pod objects (other kinds are not passed in). */
export function summarizeCapacity(input: { readonly nodes: readonly JsonObject[]; readonly pods: readonly JsonObject[] }): CapacitySummary {
  const nodes = new Map<string, NodeFacts>();
  for (const node of input.nodes) {
    const facts = nodeFacts(node);
    // One `kubectl get` lists a node once: twice is a snapshot put together by hand, whose counts would be a guess.
    if (nodes.has(facts.name)) throw new CapacityError(`Node ${facts.name} is listed twice; write the snapshot with one kubectl get nodes,pods -A -o json`);
    nodes.set(facts.name, facts);
  }
  const requested = new Map<string, RequestTally>();
  const unschedulable: WaitingPod[] = [];
  const headroom = { running: emptyRequests(), pending: emptyRequests(), stranded: emptyRequests() };
  for (const pod of input.pods) {
    const phase = stringAt(pod, 'status', 'phase');
    if (phase === 'Succeeded' || phase === 'Failed') continue; // its containers have stopped: it holds nothing
    const namespace = stringAt(pod, 'metadata', 'namespace') ?? '';
    const name = stringAt(pod, 'metadata', 'name') ?? '';
    const request = podRequest(pod, `Pod ${namespace}/${name}`);
    const nodeName = stringAt(pod, 'spec', 'nodeName');
    // A pod bound to a node missing from the list (deleted meanwhile) holds nothing that is counted here.
    const onListedNode = nodeName !== undefined && nodes.has(nodeName);
    if (onListedNode) {
      const onNode = requested.get(nodeName) ?? emptyRequests();
      addRequest(onNode, request);
      requested.set(nodeName, onNode);
    }
    const priorityClassName = stringAt(pod, 'spec', 'priorityClassName');
    if (isHeadroomPod(pod, namespace, priorityClassName)) {
      if (nodeName === undefined) addRequest(headroom.pending, request);
      else if (onListedNode) {
        addRequest(headroom.running, request);
        if (nodes.get(nodeName)!.notSchedulable.length > 0) addRequest(headroom.stranded, request);
      }
    } else if (nodeName === undefined) {
      const message = unschedulableMessage(pod);
      if (message !== undefined) unschedulable.push({ namespace, name, ...numbers(request), priorityClassName: priorityClassName ?? null, message });
    }
  }
  const facts = [...nodes.values()];
  const tallyOf = (node: NodeFacts): Tally => {
    const onNode = requested.get(node.name)?.requested ?? NO_RESOURCES;
    const pods = requested.get(node.name)?.pods ?? 0;
    const schedulable = node.notSchedulable.length === 0;
    // Room a new pod can have: on a node it may land on, which is not Fargate's and not at its pod limit.
    const takesPods = schedulable && !node.fargate && (node.maxPods === undefined || pods < node.maxPods);
    return {
      nodes: 1,
      spotNodes: node.capacityType === 'spot' ? 1 : 0,
      pods,
      allocatable: node.allocatable,
      requested: onNode,
      free: takesPods ? leftOf(node.allocatable, onNode) : NO_RESOURCES,
      notSchedulableNodes: schedulable ? 0 : 1,
      notSchedulable: schedulable ? NO_RESOURCES : node.allocatable,
    };
  };
  const byKey = <K>(key: (node: NodeFacts) => K) => tallyBy(facts, key, tallyOf);
  const total = facts.map(tallyOf).reduce(addTally, emptyTally());
  const byType = byKey((node) => node.capacityType);
  const spot = byType.get('spot') ?? emptyTally();
  unschedulable.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return {
    total: group('total', total),
    spotShare: { nodes: fraction(BigInt(spot.nodes), BigInt(total.nodes)), cpu: fraction(spot.allocatable.cpu, total.allocatable.cpu) },
    capacityTypes: CAPACITY_TYPES.filter((type) => ALWAYS_LISTED.has(type) || byType.has(type)).map((type) => group(type, byType.get(type) ?? emptyTally())),
    nodePools: [...byKey((node) => JSON.stringify([node.pool.kind, node.pool.name]))]
      .map(([key, tally]): PoolGroup => {
        const [kind, name] = JSON.parse(key) as [PoolKind, string];
        return { ...group(name, tally), kind };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind)),
    instanceTypes: sortedGroups(byKey((node) => node.instanceType)),
    zones: sortedGroups(byKey((node) => node.zone)),
    unschedulable: { ...totalOf(unschedulable), list: unschedulable },
    notSchedulableNodes: facts
      .filter((node) => node.notSchedulable.length > 0)
      .map((node) => ({ name: node.name, reasons: node.notSchedulable }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    headroom: {
      priorityClass: HEADROOM_PRIORITY_CLASS,
      running: finished(headroom.running),
      pending: finished(headroom.pending),
      stranded: finished(headroom.stranded),
    },
    eksClusters: eksClustersOf(input.pods),
  };
}

/** A node's capacity type, from its labels (see CapacityType). */
function capacityTypeOf(label: (key: string) => string | undefined): CapacityType {
  if (label(NODE_LABELS.computeType) === 'fargate') return 'fargate';
  const karpenterType = label(NODE_LABELS.karpenterCapacityType);
  if (karpenterType !== undefined) return KARPENTER_CAPACITY_TYPES.get(karpenterType) ?? 'unknown';
  const nodeGroupType = label(NODE_LABELS.nodeGroupCapacityType);
  return nodeGroupType === undefined ? 'unknown' : (NODE_GROUP_CAPACITY_TYPES.get(nodeGroupType) ?? 'unknown');
}

function nodeFacts(node: JsonObject): NodeFacts {
  const name = stringAt(node, 'metadata', 'name') ?? '';
  const labels = isObject(node.metadata) && isObject(node.metadata.labels) ? node.metadata.labels : {};
  const label = (key: string): string | undefined => (typeof labels[key] === 'string' && labels[key] !== '' ? (labels[key] as string) : undefined);
  const capacityType = capacityTypeOf(label);
  const nodePool = label(NODE_LABELS.nodePool);
  const nodeGroup = label(NODE_LABELS.nodeGroup);
  const pool = nodePool !== undefined ? { name: nodePool, kind: 'nodepool' as const } : nodeGroup !== undefined ? { name: nodeGroup, kind: 'nodegroup' as const } : { name: UNKNOWN, kind: 'none' as const };
  return {
    name,
    capacityType,
    pool,
    instanceType: label(NODE_LABELS.instanceType) ?? UNKNOWN,
    zone: label(NODE_LABELS.zone) ?? UNKNOWN,
    allocatable: resourceList(isObject(node.status) ? node.status.allocatable : undefined, `Node ${name}`, ['status', 'allocatable']),
    notSchedulable: notSchedulableReasons(node),
    fargate: label(FARGATE_LABEL.key) === FARGATE_LABEL.value,
    ...maxPodsOf(node),
  };
}

/** The label EKS gives a Fargate node. */
const FARGATE_LABEL = { key: 'eks.amazonaws.com/compute-type', value: 'fargate' } as const;

/** status.allocatable.pods, when it is a whole number (kubelet writes it so). */
function maxPodsOf(node: JsonObject): { maxPods?: number } {
  const allocatable = isObject(node.status) && isObject(node.status.allocatable) ? node.status.allocatable : {};
  const pods = allocatable.pods;
  const count = typeof pods === 'string' && /^\d+$/.test(pods) ? Number(pods) : typeof pods === 'number' && Number.isInteger(pods) ? pods : undefined;
  return count === undefined ? {} : { maxPods: count };
}

/**
 * Why the scheduler places no new pod on the node (see NotSchedulableNode); empty when it may.
 * A node without a Ready condition (a hand-written snapshot) is taken as ready: nothing says otherwise.
 */
function notSchedulableReasons(node: JsonObject): string[] {
  const reasons: string[] = [];
  if (isObject(node.spec) && node.spec.unschedulable === true) reasons.push('cordoned');
  const conditions = isObject(node.status) && Array.isArray(node.status.conditions) ? node.status.conditions : [];
  const ready = conditions.find((condition) => isObject(condition) && condition.type === 'Ready');
  if (isObject(ready) && ready.status !== 'True') reasons.push(`Ready ${typeof ready.status === 'string' ? ready.status : 'Unknown'}`);
  const taints = isObject(node.spec) && Array.isArray(node.spec.taints) ? node.spec.taints : [];
  for (const taint of taints) {
    if (!isObject(taint) || typeof taint.key !== 'string' || !NOT_SCHEDULABLE_TAINTS.has(taint.key)) continue;
    if (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') reasons.push(`taint ${taint.key}:${taint.effect}`);
  }
  return reasons;
}

/** What `requested` leaves of `allocatable`, 0 at least for each resource. */
function leftOf(allocatable: Resources, requested: Resources): Resources {
  const left = (resource: keyof Resources) => (allocatable[resource] > requested[resource] ? allocatable[resource] - requested[resource] : 0n);
  return { cpu: left('cpu'), memory: left('memory') };
}

/**
 * One of kaji's placeholders: in kaji-system, at the headroom's PriorityClass,
 * with its app label. A tenant may name the class for its own pods (it only
 * makes them the first to go); those are its workload, not headroom, and a
 * stuck one must show among the unschedulable pods.
 */
function isHeadroomPod(pod: JsonObject, namespace: string, priorityClassName: string | undefined): boolean {
  return (
    namespace === KAJI_NAMESPACE &&
    priorityClassName === HEADROOM_PRIORITY_CLASS &&
    stringAt(pod, 'metadata', 'labels', 'app.kubernetes.io/name') === HEADROOM_NAME
  );
}

/** The scheduler's message when it found no node for the pod; undefined for any other pod. */
function unschedulableMessage(pod: JsonObject): string | undefined {
  const conditions = isObject(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
  const scheduled = conditions.find((condition) => isObject(condition) && condition.type === 'PodScheduled');
  if (!isObject(scheduled) || scheduled.status !== 'False' || scheduled.reason !== 'Unschedulable') return undefined;
  return typeof scheduled.message === 'string' ? scheduled.message : '';
}

function emptyTally(): Tally {
  return { nodes: 0, spotNodes: 0, pods: 0, allocatable: NO_RESOURCES, requested: NO_RESOURCES, free: NO_RESOURCES, notSchedulableNodes: 0, notSchedulable: NO_RESOURCES };
}

function addTally(a: Tally, b: Tally): Tally {
  return {
    nodes: a.nodes + b.nodes,
    spotNodes: a.spotNodes + b.spotNodes,
    pods: a.pods + b.pods,
    allocatable: addResources(a.allocatable, b.allocatable),
    requested: addResources(a.requested, b.requested),
    free: addResources(a.free, b.free),
    notSchedulableNodes: a.notSchedulableNodes + b.notSchedulableNodes,
    notSchedulable: addResources(a.notSchedulable, b.notSchedulable),
  };
}

function tallyBy<K>(nodes: readonly NodeFacts[], key: (node: NodeFacts) => K, tallyOf: (node: NodeFacts) => Tally): Map<K, Tally> {
  const tallies = new Map<K, Tally>();
  for (const node of nodes) {
    const k = key(node);
    tallies.set(k, addTally(tallies.get(k) ?? emptyTally(), tallyOf(node)));
  }
  return tallies;
}

function sortedGroups(tallies: Map<string, Tally>): CapacityGroup[] {
  return [...tallies].map(([name, tally]) => group(name, tally)).sort((a, b) => a.name.localeCompare(b.name));
}

function group(name: string, tally: Tally): CapacityGroup {
  const use = (resource: keyof Resources): ResourceUse => ({
    allocatable: Number(tally.allocatable[resource]),
    requested: Number(tally.requested[resource]),
    utilisation: fraction(tally.requested[resource], tally.allocatable[resource]),
    free: Number(tally.free[resource]),
  });
  return {
    name,
    nodes: tally.nodes,
    spotNodes: tally.spotNodes,
    pods: tally.pods,
    cpuMillicores: use('cpu'),
    memoryBytes: use('memory'),
    notSchedulable: { nodes: tally.notSchedulableNodes, ...numbers(tally.notSchedulable) },
  };
}

/** part / whole to 4 decimal places, computed exactly; null when whole is 0. */
function fraction(part: bigint, whole: bigint): number | null {
  if (whole === 0n) return null;
  // Rounded half up in ten-thousandths: (2 × part × 10^4 + whole) / (2 × whole).
  return Number((2n * part * 10_000n + whole) / (2n * whole)) / 10_000;
}

interface RequestTally {
  pods: number;
  requested: Resources;
}

function emptyRequests(): RequestTally {
  return { pods: 0, requested: NO_RESOURCES };
}

function addRequest(tally: RequestTally, request: Resources): void {
  tally.pods += 1;
  tally.requested = addResources(tally.requested, request);
}

function finished(tally: RequestTally): PodRequests {
  return { pods: tally.pods, ...numbers(tally.requested) };
}

function totalOf(pods: readonly WaitingPod[]): PodRequests {
  return { pods: pods.length, cpuMillicores: pods.reduce((sum, pod) => sum + pod.cpuMillicores, 0), memoryBytes: pods.reduce((sum, pod) => sum + pod.memoryBytes, 0) };
}

function numbers(resources: Resources): { cpuMillicores: number; memoryBytes: number } {
  return { cpuMillicores: Number(resources.cpu), memoryBytes: Number(resources.memory) };
}
