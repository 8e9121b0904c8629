// A small EKS cluster as the API server returns it: three Karpenter nodes
// (two spot, one on-demand) and one node of the on-demand system node group,
// with pods covering what the effective request counts (init and sidecar
// containers, overhead, a limit without a request), terminated pods, a pod the
// scheduler found no node for, and kaji's headroom pods running and pending.
// The numbers the tests expect are worked out by hand beside each pod.
import type { JsonObject } from '../../src/kube/index.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function node(name: string, labels: Record<string, string>, allocatable: { cpu: string; memory: string }): JsonObject {
  const zone = labels['topology.kubernetes.io/zone'];
  return {
    metadata: {
      name,
      labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, ...labels },
    },
    spec: { providerID: `aws:///${zone}/i-0${name.split('.')[0]!.replace(/\D/g, '')}` },
    status: {
      capacity: { cpu: labels['node.kubernetes.io/instance-type'] === 'm6i.xlarge' ? '4' : '2', pods: '58' },
      allocatable: { ...allocatable, pods: '58', 'ephemeral-storage': '76224326324' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  };
}

const karpenter = (pool: string, capacityType: string, instanceType: string, zone: string) => ({
  'karpenter.sh/nodepool': pool,
  'karpenter.sh/capacity-type': capacityType,
  'karpenter.sh/initialized': 'true',
  'node.kubernetes.io/instance-type': instanceType,
  'topology.kubernetes.io/zone': zone,
  'kaji.dev/cluster': 'blue',
});

// m6i.xlarge allocatable on EKS AL2023: 3920m and 14481404Ki (14,828,957,696 bytes); a .large: 1930m and 7220184Ki (7,393,468,416 bytes).
export const NODES: JsonObject[] = [
  node('ip-10-0-1-10.eu-west-1.compute.internal', karpenter('default', 'spot', 'm6i.xlarge', 'eu-west-1a'), { cpu: '3920m', memory: '14481404Ki' }),
  node('ip-10-0-2-20.eu-west-1.compute.internal', karpenter('default', 'spot', 'm6a.large', 'eu-west-1b'), { cpu: '1930m', memory: '7220184Ki' }),
  node('ip-10-0-3-30.eu-west-1.compute.internal', karpenter('default', 'on-demand', 'm6i.large', 'eu-west-1c'), { cpu: '1930m', memory: '7220184Ki' }),
  node(
    'ip-10-0-1-40.eu-west-1.compute.internal',
    {
      'eks.amazonaws.com/nodegroup': 'SystemNodes-4f8c2a',
      'eks.amazonaws.com/capacityType': 'ON_DEMAND',
      'kaji.dev/node-role': 'system',
      'node.kubernetes.io/instance-type': 'm6i.large',
      'topology.kubernetes.io/zone': 'eu-west-1a',
    },
    { cpu: '1930m', memory: '7220184Ki' },
  ),
];
export const [SPOT_XLARGE, SPOT_LARGE, ON_DEMAND_LARGE, SYSTEM] = NODES.map((n) => (n.metadata as { name: string }).name) as [string, string, string, string];

interface ContainerSpec {
  name: string;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  restartPolicy?: 'Always';
}

function container({ name, requests, limits, restartPolicy }: ContainerSpec): JsonObject {
  const resources: JsonObject = {};
  if (requests) resources.requests = requests;
  if (limits) resources.limits = limits;
  return { name, image: `registry.example.com/${name}:1.0`, resources, ...(restartPolicy ? { restartPolicy } : {}) };
}

function pod(
  namespace: string,
  name: string,
  options: {
    nodeName?: string;
    phase?: string;
    containers: ContainerSpec[];
    initContainers?: ContainerSpec[];
    overhead?: Record<string, string>;
    priorityClassName?: string;
    unschedulable?: string;
  },
): JsonObject {
  const spec: JsonObject = {
    containers: options.containers.map(container),
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    priority: options.priorityClassName === 'kaji-headroom' ? -10 : 0,
  };
  if (options.initContainers) spec.initContainers = options.initContainers.map(container);
  if (options.nodeName) spec.nodeName = options.nodeName;
  if (options.overhead) spec.overhead = options.overhead;
  if (options.priorityClassName) spec.priorityClassName = options.priorityClassName;
  const conditions: JsonObject[] = options.unschedulable
    ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: options.unschedulable, lastTransitionTime: '2025-06-01T10:00:00Z' }]
    : options.nodeName
      ? [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-06-01T09:00:00Z' }]
      : [];
  // kaji's placeholders carry their Deployment's app label, as synth writes it.
  const metadata: JsonObject = { name, namespace, uid: `uid-${name}` };
  if (namespace === 'kaji-system' && options.priorityClassName === 'kaji-headroom') metadata.labels = { 'app.kubernetes.io/name': 'kaji-headroom' };
  return { metadata, spec, status: { phase: options.phase ?? (options.nodeName ? 'Running' : 'Pending'), conditions } };
}

export const BIG_MESSAGE =
  '0/4 nodes are available: 1 node(s) had untolerated taint {CriticalAddonsOnly: true}, 3 Insufficient cpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.';

export const PODS: JsonObject[] = [
  // Sidecar (restartable init) before a regular init container: the init container needs its own
  // 1000m/256Mi plus the sidecar's 100m/128Mi = 1100m/384Mi; running, app + sidecar = 600m/640Mi.
  // Effective: max → 1100m cpu, 640Mi memory (a rule that ignored the sidecar during init would say 1000m).
  pod('shop', 'antenna-7d9f8-x2x9q', {
    nodeName: SPOT_XLARGE,
    initContainers: [
      { name: 'proxy', restartPolicy: 'Always', requests: { cpu: '100m', memory: '128Mi' } },
      { name: 'migrate', requests: { cpu: '1', memory: '256Mi' } },
    ],
    containers: [{ name: 'antenna', requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '512Mi' } }],
  }),
  // Completed: holds nothing.
  pod('shop', 'report-29110200-abcde', { nodeName: SPOT_XLARGE, phase: 'Succeeded', containers: [{ name: 'report', requests: { cpu: '2', memory: '4Gi' } }] }),
  // RuntimeClass overhead: 250m/256Mi + 250m/160Mi = 500m/416Mi.
  pod('shop', 'sandbox-6c5b7-qwert', {
    nodeName: SPOT_LARGE,
    containers: [{ name: 'sandbox', requests: { cpu: '250m', memory: '256Mi' } }],
    overhead: { cpu: '250m', memory: '160Mi' },
  }),
  // Evicted: holds nothing.
  pod('shop', 'sandbox-6c5b7-evict', { nodeName: SPOT_LARGE, phase: 'Failed', containers: [{ name: 'sandbox', requests: { cpu: '1', memory: '1Gi' } }] }),
  // Headroom, running: 1000m/2Gi.
  pod('kaji-system', 'kaji-headroom-5f6d7-aaaaa', {
    nodeName: SPOT_LARGE,
    priorityClassName: 'kaji-headroom',
    containers: [{ name: 'pause', requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } }],
  }),
  // Headroom, preempted and waiting for Karpenter's new node: 1000m/2Gi, not an unschedulable pod of a service.
  pod('kaji-system', 'kaji-headroom-5f6d7-bbbbb', {
    priorityClassName: 'kaji-headroom',
    containers: [{ name: 'pause', requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } }],
    unschedulable: '0/4 nodes are available: 3 Insufficient cpu, 1 node(s) had untolerated taint {CriticalAddonsOnly: true}.',
  }),
  // A regular init container below the app: 25m (init 25m), no memory request.
  pod('kube-system', 'aws-node-k2j4x', {
    nodeName: ON_DEMAND_LARGE,
    initContainers: [{ name: 'aws-vpc-cni-init', requests: { cpu: '25m' } }],
    containers: [{ name: 'aws-node', requests: { cpu: '25m' } }, { name: 'aws-eks-nodeagent', requests: {} }],
  }),
  // Limits only: the request is the limit, 1000m/1Gi.
  pod('shop', 'legacy-0', { nodeName: ON_DEMAND_LARGE, containers: [{ name: 'legacy', limits: { cpu: '1', memory: '1Gi' } }] }),
  // 100m/70Mi, as EKS's coredns asks.
  pod('kube-system', 'coredns-787cb67946-8xk2p', {
    nodeName: SYSTEM,
    containers: [{ name: 'coredns', requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } }],
  }),
  // No node fits: 8000m/32Gi, waiting.
  pod('shop', 'big-0', { containers: [{ name: 'big', requests: { cpu: '8', memory: '32Gi' } }], unschedulable: BIG_MESSAGE }),
  // Just created, not yet looked at by the scheduler: neither unschedulable nor counted anywhere.
  pod('shop', 'antenna-7d9f8-new01', { containers: [{ name: 'antenna', requests: { cpu: '500m', memory: '512Mi' } }] }),
];

/** The hand-worked expectations (cpu in millicores, memory in bytes). */
export const EXPECTED = {
  allocatable: { xlarge: { cpu: 3920, memory: 14481404 * 1024 }, large: { cpu: 1930, memory: 7220184 * 1024 } },
  requested: {
    // antenna 1100m / 640Mi
    [SPOT_XLARGE]: { pods: 1, cpu: 1100, memory: 640 * MiB },
    // sandbox 500m/416Mi + headroom 1000m/2Gi
    [SPOT_LARGE]: { pods: 2, cpu: 1500, memory: 416 * MiB + 2 * GiB },
    // aws-node 25m/0 + legacy 1000m/1Gi
    [ON_DEMAND_LARGE]: { pods: 2, cpu: 1025, memory: GiB },
    // coredns 100m/70Mi
    [SYSTEM]: { pods: 1, cpu: 100, memory: 70 * MiB },
  },
  GiB,
  MiB,
};

/** The objects as kubectl writes them: `kubectl get nodes,pods -A -o json` (kind and apiVersion on every item). */
export function snapshotList(): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'List',
    metadata: { resourceVersion: '' },
    items: [...NODES.map((n) => ({ apiVersion: 'v1', kind: 'Node', ...n })), ...PODS.map((p) => ({ apiVersion: 'v1', kind: 'Pod', ...p }))],
  };
}

/**
 * The pods of the two controllers kaji installs in kube-system that are told the EKS cluster's name: Karpenter
 * (its chart's settings.clusterName as CLUSTER_NAME) and the AWS Load Balancer Controller (clusterName as
 * --cluster-name), as their charts write them; on the system node.
 */
export function namingControllers(eksName: { karpenter?: string; loadBalancer?: string }): JsonObject[] {
  const controller = (name: string, app: string, container: JsonObject): JsonObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system', labels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': app } },
    spec: { nodeName: SYSTEM, containers: [container] },
    status: { phase: 'Running' },
  });
  const pods: JsonObject[] = [];
  if (eksName.karpenter !== undefined) {
    pods.push(
      controller('karpenter-6b9f7c8d4-x2k4p', 'karpenter', {
        name: 'controller',
        env: [{ name: 'KUBERNETES_MIN_VERSION', value: '1.19.0-0' }, { name: 'CLUSTER_NAME', value: eksName.karpenter }, { name: 'AWS_REGION', value: 'eu-west-1' }],
        resources: { requests: { cpu: '500m', memory: '512Mi' } },
      }),
    );
  }
  if (eksName.loadBalancer !== undefined) {
    pods.push(
      controller('aws-load-balancer-controller-7d5c9b6f4-q8w2e', 'aws-load-balancer-controller', {
        name: 'aws-load-balancer-controller',
        args: [`--cluster-name=${eksName.loadBalancer}`, '--ingress-class=alb', '--aws-region=eu-west-1'],
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
      }),
    );
  }
  return pods;
}
