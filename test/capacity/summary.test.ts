import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CapacityError, formatCapacityTable, podRequest, summarizeCapacity, type CapacityGroup } from '../../src/capacity/index.js';
import type { JsonObject } from '../../src/kube/index.js';
import { BIG_MESSAGE, EXPECTED, namingControllers, NODES, ON_DEMAND_LARGE, PODS, SPOT_LARGE, SPOT_XLARGE, SYSTEM } from './cluster.js';

const { GiB, MiB } = EXPECTED;
const XL = EXPECTED.allocatable.xlarge;
const L = EXPECTED.allocatable.large;

/**
 * A group as the summary writes it, from hand-added totals. Every node of the fixture is Ready, uncordoned and
 * holds less than its allocatable, so what is free for a new pod is allocatable - requested.
 */
function group(name: string, nodes: number, spotNodes: number, pods: number, cpu: [number, number, number | null], memory: [number, number, number | null]): CapacityGroup {
  return {
    name,
    nodes,
    spotNodes,
    pods,
    cpuMillicores: { allocatable: cpu[0], requested: cpu[1], utilisation: cpu[2], free: cpu[0] - cpu[1] },
    memoryBytes: { allocatable: memory[0], requested: memory[1], utilisation: memory[2], free: memory[0] - memory[1] },
    notSchedulable: { nodes: 0, cpuMillicores: 0, memoryBytes: 0 },
  };
}

describe('summarizeCapacity on a cluster of Karpenter spot and on-demand nodes and a managed node group', () => {
  const summary = summarizeCapacity({ nodes: NODES, pods: PODS });

  test('per capacity type and in total: nodes, bound pods, allocatable, effective requests and utilisation', () => {
    // spot: the xlarge (antenna 1100m/640Mi) and a large (sandbox 500m/416Mi + headroom 1000m/2Gi)
    const spot = group('spot', 2, 2, 3, [XL.cpu + L.cpu, 2600, 0.4444], [XL.memory + L.memory, 3104 * MiB, 0.1465]);
    // on-demand: the Karpenter large (aws-node 25m + legacy 1000m/1Gi) and the system node (coredns 100m/70Mi)
    const onDemand = group('on-demand', 2, 0, 3, [2 * L.cpu, 1125, 0.2915], [2 * L.memory, 1094 * MiB, 0.0776]);
    assert.deepEqual(summary.capacityTypes, [spot, onDemand]);
    assert.deepEqual(summary.total, group('total', 4, 2, 6, [9710, 3725, 0.3836], [XL.memory + 3 * L.memory, 4198 * MiB, 0.1189]));
    // 2 of 4 nodes; 5850 of 9710 millicores
    assert.deepEqual(summary.spotShare, { nodes: 0.5, cpu: 0.6025 });
  });

  test('by NodePool (or node group), instance type and zone, sorted by name', () => {
    assert.deepEqual(summary.nodePools, [
      { ...group('default', 3, 2, 5, [XL.cpu + 2 * L.cpu, 3625, 0.4659], [XL.memory + 2 * L.memory, 4128 * MiB, 0.1462]), kind: 'nodepool' },
      { ...group('SystemNodes-4f8c2a', 1, 0, 1, [L.cpu, 100, 0.0518], [L.memory, 70 * MiB, 0.0099]), kind: 'nodegroup' },
    ]);
    assert.deepEqual(summary.instanceTypes, [
      group('m6a.large', 1, 1, 2, [L.cpu, 1500, 0.7772], [L.memory, 2464 * MiB, 0.3495]),
      group('m6i.large', 2, 0, 3, [2 * L.cpu, 1125, 0.2915], [2 * L.memory, 1094 * MiB, 0.0776]),
      group('m6i.xlarge', 1, 1, 1, [XL.cpu, 1100, 0.2806], [XL.memory, 640 * MiB, 0.0453]),
    ]);
    assert.deepEqual(summary.zones, [
      group('eu-west-1a', 2, 1, 2, [XL.cpu + L.cpu, 1200, 0.2051], [XL.memory + L.memory, 710 * MiB, 0.0335]),
      group('eu-west-1b', 1, 1, 2, [L.cpu, 1500, 0.7772], [L.memory, 2464 * MiB, 0.3495]),
      group('eu-west-1c', 1, 0, 2, [L.cpu, 1025, 0.5311], [L.memory, 1024 * MiB, 0.1452]),
    ]);
  });

  test('the pod no node fits is listed with its request and the reason; the new pod and the pending headroom pod are not', () => {
    assert.deepEqual(summary.unschedulable, {
      pods: 1,
      cpuMillicores: 8000,
      memoryBytes: 32 * GiB,
      list: [{ namespace: 'shop', name: 'big-0', cpuMillicores: 8000, memoryBytes: 32 * GiB, priorityClassName: null, message: BIG_MESSAGE }],
    });
  });

  test('headroom: the running pod holds 1 cpu and 2Gi on its node; the preempted one waits for a node', () => {
    assert.deepEqual(summary.headroom, {
      priorityClass: 'kaji-headroom',
      running: { pods: 1, cpuMillicores: 1000, memoryBytes: 2 * GiB },
      pending: { pods: 1, cpuMillicores: 1000, memoryBytes: 2 * GiB },
      stranded: { pods: 0, cpuMillicores: 0, memoryBytes: 0 },
    });
    assert.deepEqual(summary.notSchedulableNodes, []);
  });

  test('per node, the requests add up to the hand-worked numbers (Succeeded and Failed pods hold nothing)', () => {
    for (const name of [SPOT_XLARGE, SPOT_LARGE, ON_DEMAND_LARGE, SYSTEM]) {
      const one = summarizeCapacity({ nodes: NODES.filter((node) => (node.metadata as { name: string }).name === name), pods: PODS });
      const expected = EXPECTED.requested[name]!;
      assert.deepEqual(
        { pods: one.total.pods, cpu: one.total.cpuMillicores.requested, memory: one.total.memoryBytes.requested },
        { pods: expected.pods, cpu: expected.cpu, memory: expected.memory },
        name,
      );
    }
  });
});

const pod = (spec: JsonObject): JsonObject => ({ metadata: { name: 'p', namespace: 'ns' }, spec });
const requests = (cpu: string, memory: string, restartPolicy?: string): JsonObject => ({
  name: `c-${cpu}-${memory}`,
  resources: { requests: { cpu, memory } },
  ...(restartPolicy ? { restartPolicy } : {}),
});

describe('podRequest: the effective request as Kubernetes counts it', () => {
  test('a regular init container needs the sidecars started before it, not those after it', () => {
    const before = podRequest(pod({ initContainers: [requests('200m', '100Mi', 'Always'), requests('1', '1Gi')], containers: [requests('100m', '100Mi')] }), 'Pod ns/p');
    assert.deepEqual(before, { cpu: 1200n, memory: BigInt(1024 + 100) * BigInt(MiB) });
    const after = podRequest(pod({ initContainers: [requests('1', '1Gi'), requests('200m', '100Mi', 'Always')], containers: [requests('100m', '100Mi')] }), 'Pod ns/p');
    assert.deepEqual(after, { cpu: 1000n, memory: BigInt(GiB) });
  });

  test('sidecars add to the app containers once the pod runs', () => {
    const request = podRequest(pod({ initContainers: [requests('300m', '300Mi', 'Always'), requests('100m', '100Mi')], containers: [requests('500m', '500Mi')] }), 'Pod ns/p');
    assert.deepEqual(request, { cpu: 800n, memory: 800n * BigInt(MiB) });
  });

  test('each resource takes its own maximum: cpu from the init container, memory from the app', () => {
    const request = podRequest(pod({ initContainers: [requests('2', '64Mi')], containers: [requests('250m', '1Gi'), requests('250m', '1Gi')] }), 'Pod ns/p');
    assert.deepEqual(request, { cpu: 2000n, memory: 2n * BigInt(GiB) });
  });

  test('pod-level requests replace the containers\' sum where set; overhead is added on top', () => {
    const request = podRequest(
      pod({ resources: { requests: { cpu: '3' } }, overhead: { cpu: '100m', memory: '20Mi' }, containers: [requests('1', '1Gi')] }),
      'Pod ns/p',
    );
    assert.deepEqual(request, { cpu: 3100n, memory: BigInt(GiB + 20 * MiB) });
  });

  test('a limit stands for a request left out; numbers and fractions round up as Kubernetes does', () => {
    const request = podRequest(
      pod({ containers: [{ name: 'a', resources: { requests: { memory: 0.5 }, limits: { cpu: '1.0005', memory: '4Gi' } } }, { name: 'b', resources: { requests: { cpu: 1.5 } } }] }),
      'Pod ns/p',
    );
    // 1.0005 cores = 1000.5m → 1001m; 0.5 bytes → 1 byte; the explicit memory request wins over the limit
    assert.deepEqual(request, { cpu: 1001n + 1500n, memory: 1n });
  });

  test('a value that is not a quantity, or is negative, names the pod and the field', () => {
    assert.throws(
      () => podRequest(pod({ containers: [{ name: 'a', resources: { requests: { cpu: 'lots' } } }] }), 'Pod ns/p'),
      new CapacityError('Pod ns/p: spec.containers[0].resources.requests.cpu must be a Kubernetes quantity such as 500m, found "lots"'),
    );
    assert.throws(
      () => podRequest(pod({ containers: [], overhead: { memory: '-1Mi' } }), 'Pod ns/p'),
      new CapacityError('Pod ns/p: spec.overhead.memory must not be negative, found "-1Mi"'),
    );
  });
});

describe('summarizeCapacity: capacity types, pools and labels', () => {
  const node = (name: string, labels: Record<string, string>, allocatable: JsonObject = { cpu: '2', memory: '4Gi' }): JsonObject => ({
    metadata: { name, labels },
    status: { allocatable },
  });

  test('Karpenter reserved and node group SPOT and CAPACITY_BLOCK are named; other values and no label are unknown', () => {
    const summary = summarizeCapacity({
      nodes: [
        node('a', { 'karpenter.sh/capacity-type': 'reserved', 'karpenter.sh/nodepool': 'gpu' }),
        node('b', { 'eks.amazonaws.com/capacityType': 'SPOT', 'eks.amazonaws.com/nodegroup': 'batch' }),
        node('c', { 'eks.amazonaws.com/capacityType': 'CAPACITY_BLOCK', 'eks.amazonaws.com/nodegroup': 'ml' }),
        node('d', { 'karpenter.sh/capacity-type': 'preemptible' }),
        node('e', {}),
      ],
      pods: [],
    });
    assert.deepEqual(
      summary.capacityTypes.map((g) => [g.name, g.nodes]),
      [['spot', 1], ['on-demand', 0], ['reserved', 2], ['unknown', 2]],
    );
    assert.deepEqual(
      summary.nodePools.map((g) => [g.name, g.kind, g.nodes]),
      [['batch', 'nodegroup', 1], ['gpu', 'nodepool', 1], ['ml', 'nodegroup', 1], ['unknown', 'none', 2]],
    );
    assert.deepEqual(summary.zones.map((g) => g.name), ['unknown']);
    assert.deepEqual(summary.spotShare, { nodes: 0.2, cpu: 0.2 });
  });

  test("Karpenter's nodes all on-demand: the table says how the missing Spot service-linked role shows, and how to create it", () => {
    const onDemand = (name: string, pool: Record<string, string>) => node(name, { 'karpenter.sh/capacity-type': 'on-demand', ...pool });
    const hint = /^ {2}No spot node, though Karpenter launched 2: if its NodePool allows spot \(kaji's does unless capacity\.capacityTypes leaves spot out\), check that the account has EC2 Spot's service-linked role \(Karpenter logs AuthFailure\.ServiceLinkedRoleCreationNotPermitted without it\); create it once: aws iam create-service-linked-role --aws-service-name spot\.amazonaws\.com$/m;
    const table = (nodes: JsonObject[]) => formatCapacityTable(summarizeCapacity({ nodes, pods: [] }));
    assert.match(table([onDemand('a', { 'karpenter.sh/nodepool': 'default' }), onDemand('b', { 'karpenter.sh/nodepool': 'default' })]), hint);
    // A node group's on-demand nodes are not Karpenter's; one spot node is spot working.
    assert.doesNotMatch(table([node('s', { 'eks.amazonaws.com/capacityType': 'ON_DEMAND', 'eks.amazonaws.com/nodegroup': 'system' })]), /No spot node/);
    assert.doesNotMatch(table([onDemand('a', { 'karpenter.sh/nodepool': 'default' }), node('b', { 'karpenter.sh/capacity-type': 'spot', 'karpenter.sh/nodepool': 'default' })]), /No spot node/);
  });

  test("platform.yaml's capacity.capacityTypes: without spot, Karpenter's on-demand nodes are what it asks for and the hint is left out", () => {
    const summary = summarizeCapacity({ nodes: [node('a', { 'karpenter.sh/capacity-type': 'on-demand', 'karpenter.sh/nodepool': 'default' })], pods: [] });
    assert.doesNotMatch(formatCapacityTable(summary, { capacityTypes: ['on-demand'] }), /No spot node/);
    assert.match(formatCapacityTable(summary, { capacityTypes: ['spot', 'on-demand'] }), /\n {2}No spot node, though Karpenter launched 1: /);
    assert.match(formatCapacityTable(summary, { capacityTypes: ['on-demand', 'spot'] }), /\n {2}No spot node, though Karpenter launched 1: /);
  });

  test('an EKS Fargate node (compute-type fargate) is its own capacity type, fargate, not unknown', () => {
    const summary = summarizeCapacity({
      nodes: [
        node('fargate-ip-10-0-1-1.eu-west-1.compute.internal', { 'eks.amazonaws.com/compute-type': 'fargate', 'eks.amazonaws.com/fargate-profile': 'batch' }),
        node('s', { 'karpenter.sh/capacity-type': 'spot', 'karpenter.sh/nodepool': 'default' }),
      ],
      pods: [],
    });
    assert.deepEqual(
      summary.capacityTypes.map((g) => [g.name, g.nodes]),
      [['spot', 1], ['on-demand', 0], ['fargate', 1]],
    );
    assert.deepEqual(summary.spotShare, { nodes: 0.5, cpu: 0.5 });
  });

  test('the table rounds each percentage once, from the numbers: 44.495 % is 44 %, though the JSON says 0.445', () => {
    const summary = summarizeCapacity({
      nodes: [node('n', { 'karpenter.sh/capacity-type': 'spot' }, { cpu: '20', memory: '4Gi' })],
      pods: [{ metadata: { name: 'p', namespace: 'shop' }, spec: { nodeName: 'n', containers: [requests('8899m', '1Gi')] }, status: { phase: 'Running' } }],
    });
    assert.equal(summary.total.cpuMillicores.utilisation, 0.445);
    const row = formatCapacityTable(summary).split('\n').find((line) => line.startsWith('total'));
    assert.match(row ?? '', /\b44%/, row);
    assert.doesNotMatch(row ?? '', /\b45%/, row);
  });

  test('no nodes: spot and on-demand still listed, shares null; no headroom pods', () => {
    const summary = summarizeCapacity({ nodes: [], pods: [] });
    assert.deepEqual(summary.capacityTypes.map((g) => [g.name, g.nodes, g.cpuMillicores.utilisation]), [['spot', 0, null], ['on-demand', 0, null]]);
    assert.deepEqual(summary.spotShare, { nodes: null, cpu: null });
    assert.deepEqual(summary.headroom.running, { pods: 0, cpuMillicores: 0, memoryBytes: 0 });
  });

  test("a node's allocatable that is not a quantity names the node and the field", () => {
    assert.throws(
      () => summarizeCapacity({ nodes: [node('ip-1', {}, { cpu: '2', memory: '4 Gi' })], pods: [] }),
      new CapacityError('Node ip-1: status.allocatable.memory must be a Kubernetes quantity such as 512Mi, found "4 Gi"'),
    );
  });

  test('headroom is kaji-system\'s labelled placeholders only: a tenant pod naming the class is the tenant\'s, and a stuck one is listed as unschedulable', () => {
    const unschedulable = { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] };
    const tenantPod: JsonObject = {
      metadata: { name: 'batch-1', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'kaji-headroom' } },
      spec: { priorityClassName: 'kaji-headroom', containers: [requests('8', '32Gi')] },
      status: { phase: 'Pending', ...unschedulable },
    };
    const placeholder = (name: string, nodeName?: string): JsonObject => ({
      metadata: { name, namespace: 'kaji-system', labels: { 'app.kubernetes.io/name': 'kaji-headroom' } },
      spec: { priorityClassName: 'kaji-headroom', containers: [requests('1', '2Gi')], ...(nodeName ? { nodeName } : {}) },
      status: nodeName ? { phase: 'Running' } : { phase: 'Pending', ...unschedulable },
    });
    const summary = summarizeCapacity({ nodes: [node('a', {})], pods: [tenantPod, placeholder('p-1', 'a'), placeholder('p-2'), placeholder('p-3', 'gone')] });
    assert.deepEqual(summary.unschedulable.list.map((waiting) => `${waiting.namespace}/${waiting.name}`), ['shop/batch-1']);
    // p-3 is bound to a node that is not listed: not counted, like any pod there.
    assert.deepEqual(summary.headroom.running, { pods: 1, cpuMillicores: 1000, memoryBytes: 2 * GiB });
    assert.deepEqual(summary.headroom.pending, { pods: 1, cpuMillicores: 1000, memoryBytes: 2 * GiB });
  });

  test('a pod bound to a node not in the list counts nowhere', () => {
    const summary = summarizeCapacity({ nodes: [node('a', {})], pods: [pod({ nodeName: 'gone', containers: [requests('1', '1Gi')] })] });
    assert.equal(summary.total.pods, 0);
    assert.equal(summary.total.cpuMillicores.requested, 0);
  });
});

describe('summarizeCapacity: nodes no new pod can land on (cordoned, NotReady, being disrupted)', () => {
  /** The fixture's nodes, each changed by `change` where it names the node. */
  const nodesWith = (change: Record<string, (node: JsonObject) => JsonObject>) =>
    NODES.map((node) => change[(node.metadata as { name: string }).name]?.(structuredClone(node)) ?? node);
  const cordoned = (node: JsonObject): JsonObject => ({
    ...node,
    spec: { ...(node.spec as JsonObject), unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
  });
  const disrupted = (node: JsonObject): JsonObject => ({ ...node, spec: { ...(node.spec as JsonObject), taints: [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }] } });
  const notReady = (status: string) => (node: JsonObject): JsonObject => ({ ...node, status: { ...(node.status as JsonObject), conditions: [{ type: 'Ready', status }] } });
  const L = EXPECTED.allocatable.large;
  const XL = EXPECTED.allocatable.xlarge;
  const requested = EXPECTED.requested;

  test('they stay in the node counts and the allocatable, but their room is not free for a new pod; each is named with why', () => {
    // The spot large node (sandbox + the running headroom pod) is being consolidated; the on-demand large is cordoned.
    const summary = summarizeCapacity({ nodes: nodesWith({ [SPOT_LARGE]: disrupted, [ON_DEMAND_LARGE]: cordoned }), pods: PODS });
    assert.equal(summary.total.nodes, 4);
    assert.equal(summary.total.cpuMillicores.allocatable, 9710);
    assert.deepEqual(summary.total.notSchedulable, { nodes: 2, cpuMillicores: 2 * L.cpu, memoryBytes: 2 * L.memory });
    // Free: the xlarge and the system node only.
    assert.equal(summary.total.cpuMillicores.free, XL.cpu - requested[SPOT_XLARGE]!.cpu + L.cpu - requested[SYSTEM]!.cpu);
    assert.equal(summary.total.memoryBytes.free, XL.memory - requested[SPOT_XLARGE]!.memory + L.memory - requested[SYSTEM]!.memory);
    const spot = summary.capacityTypes.find((type) => type.name === 'spot')!;
    assert.deepEqual([spot.notSchedulable.nodes, spot.cpuMillicores.free], [1, XL.cpu - requested[SPOT_XLARGE]!.cpu]);
    assert.deepEqual(summary.notSchedulableNodes, [
      { name: SPOT_LARGE, reasons: ['taint karpenter.sh/disrupted:NoSchedule'] },
      { name: ON_DEMAND_LARGE, reasons: ['cordoned', 'taint node.kubernetes.io/unschedulable:NoSchedule'] },
    ].sort((a, b) => a.name.localeCompare(b.name)));
    // The headroom pod on the disrupted node holds no room a pod could take.
    assert.deepEqual(summary.headroom.stranded, { pods: 1, cpuMillicores: 1000, memoryBytes: 2 * GiB });
    assert.deepEqual(summary.headroom.running, { pods: 1, cpuMillicores: 1000, memoryBytes: 2 * GiB });
  });

  test('Ready False or Unknown, and the lifecycle taints, with NoSchedule or NoExecute; another NoSchedule taint (CriticalAddonsOnly) leaves the node schedulable', () => {
    const tainted = (key: string, effect: string) => (node: JsonObject): JsonObject => ({ ...node, spec: { ...(node.spec as JsonObject), taints: [{ key, value: 'true', effect }] } });
    const reasonsOf = (change: (node: JsonObject) => JsonObject) => summarizeCapacity({ nodes: nodesWith({ [SYSTEM]: change }), pods: [] }).notSchedulableNodes.map((node) => node.reasons);
    assert.deepEqual(reasonsOf(notReady('False')), [['Ready False']]);
    assert.deepEqual(reasonsOf(notReady('Unknown')), [['Ready Unknown']]);
    assert.deepEqual(reasonsOf(tainted('node.kubernetes.io/unreachable', 'NoExecute')), [['taint node.kubernetes.io/unreachable:NoExecute']]);
    assert.deepEqual(reasonsOf(tainted('ToBeDeletedByClusterAutoscaler', 'NoSchedule')), [['taint ToBeDeletedByClusterAutoscaler:NoSchedule']]);
    assert.deepEqual(reasonsOf(tainted('karpenter.sh/disrupted', 'PreferNoSchedule')), []);
    assert.deepEqual(reasonsOf(tainted('CriticalAddonsOnly', 'NoSchedule')), []);
    assert.deepEqual(reasonsOf(notReady('True')), []);
  });

  test('a node whose pods request more than its allocatable (bound by name) has nothing free, and takes none from the others', () => {
    const big = { metadata: { name: 'pinned', namespace: 'ops' }, spec: { nodeName: SYSTEM, containers: [requests('4', '16Gi')] }, status: { phase: 'Running' } };
    const summary = summarizeCapacity({ nodes: nodesWith({}), pods: [...PODS, big] });
    const system = summary.nodePools.find((pool) => pool.name === 'SystemNodes-4f8c2a')!;
    assert.deepEqual([system.cpuMillicores.free, system.memoryBytes.free], [0, 0]);
    assert.equal(summary.total.cpuMillicores.free, 9710 - 3725 - (L.cpu - requested[SYSTEM]!.cpu));
  });

  test("room no new pod can have although the node takes pods: a Fargate node's (it runs the pod it was made for), and a node at its pod limit's", () => {
    const withPodLimit = (pods: string) => (node: JsonObject): JsonObject => ({ ...node, status: { ...(node.status as JsonObject), allocatable: { ...((node.status as JsonObject).allocatable as JsonObject), pods } } });
    const before = summarizeCapacity({ nodes: nodesWith({}), pods: PODS }).total;
    const podsOnSystem = PODS.filter((pod) => (pod.spec as JsonObject).nodeName === SYSTEM && (pod.status as JsonObject).phase !== 'Succeeded' && (pod.status as JsonObject).phase !== 'Failed').length;
    const full = summarizeCapacity({ nodes: nodesWith({ [SYSTEM]: withPodLimit(String(podsOnSystem)) }), pods: PODS }).total;
    assert.equal(full.cpuMillicores.free, before.cpuMillicores.free - (L.cpu - requested[SYSTEM]!.cpu), 'the system node at its pod limit: none of its room');
    assert.deepEqual(full.notSchedulable, before.notSchedulable, 'not listed as not schedulable: nothing is wrong with it');
    const roomy = summarizeCapacity({ nodes: nodesWith({ [SYSTEM]: withPodLimit(String(podsOnSystem + 1)) }), pods: PODS }).total;
    assert.equal(roomy.cpuMillicores.free, before.cpuMillicores.free);

    const fargate = { metadata: { name: 'fargate-ip-10-0-1-1', labels: { 'eks.amazonaws.com/compute-type': 'fargate' } }, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '1' } } };
    const withFargate = summarizeCapacity({ nodes: [...nodesWith({}), fargate], pods: PODS });
    assert.equal(withFargate.total.cpuMillicores.free, before.cpuMillicores.free, "the Fargate node's room is no new pod's");
    assert.equal(withFargate.total.cpuMillicores.allocatable, before.cpuMillicores.allocatable + 2000, 'its capacity counted all the same');
    assert.deepEqual(withFargate.notSchedulableNodes, []);
  });

  test('the table says how many nodes and how much room no new pod can have, names them, and what is free on the rest', () => {
    const table = formatCapacityTable(summarizeCapacity({ nodes: nodesWith({ [SPOT_LARGE]: disrupted, [ON_DEMAND_LARGE]: cordoned }), pods: PODS }));
    const [first, second] = [SPOT_LARGE, ON_DEMAND_LARGE].sort();
    const why = { [SPOT_LARGE]: 'taint karpenter.sh/disrupted:NoSchedule', [ON_DEMAND_LARGE]: 'cordoned, taint node.kubernetes.io/unschedulable:NoSchedule' };
    const width = Math.max(first!.length, second!.length);
    assert.ok(
      table.includes(
        [
          'Not schedulable: 2 of 4 nodes, 3.86 cores and 13.8Gi allocatable (counted above, but no new pod lands there)',
          `  ${'NODE'.padEnd(width)}  WHY`,
          `  ${first!.padEnd(width)}  ${why[first!]}`,
          `  ${second!.padEnd(width)}  ${why[second!]}`,
          // 3920m - 1100m + 1930m - 100m; 14481404Ki - 640Mi + 7220184Ki - 70Mi (20.003Gi)
          'Free for new pods on the 2 schedulable nodes: 4.65 cores, 20Gi',
        ].join('\n'),
      ),
      table,
    );
    assert.match(table, /\nHeadroom \(PriorityClass kaji-headroom\): 1 running \(cpu 1, memory 2Gi; 1 of them on a node no new pod lands on, holding no room\), 1 pending /);
  });

  test('every node schedulable: the table has no such lines', () => {
    const table = formatCapacityTable(summarizeCapacity({ nodes: NODES, pods: PODS }));
    assert.doesNotMatch(table, /Not schedulable|Free for new pods|holding no room/);
  });

  test('more than ten such nodes: ten are named, and the rest counted', () => {
    const many = Array.from({ length: 12 }, (_, index) => cordoned({ metadata: { name: `n-${String(index).padStart(2, '0')}` }, spec: {}, status: { allocatable: { cpu: '1', memory: '1Gi' } } }));
    const table = formatCapacityTable(summarizeCapacity({ nodes: many, pods: [] }));
    assert.match(table, /\n {2}n-09 {2}cordoned, taint node\.kubernetes\.io\/unschedulable:NoSchedule\n {2}… and 2 more \(-o json lists them all\)\nFree for new pods on the 0 schedulable nodes: 0 cores, 0\n/);
    assert.doesNotMatch(table, /n-10/);
  });
});

describe('summarizeCapacity: the EKS cluster the pods say they run in', () => {
  test("Karpenter's CLUSTER_NAME and the AWS Load Balancer Controller's --cluster-name, each name once; none without those controllers", () => {
    assert.deepEqual(summarizeCapacity({ nodes: NODES, pods: PODS }).eksClusters, []);
    assert.deepEqual(summarizeCapacity({ nodes: NODES, pods: [...PODS, ...namingControllers({ karpenter: 'labs-blue', loadBalancer: 'labs-blue' })] }).eksClusters, [
      { name: 'labs-blue', pod: 'kube-system/aws-load-balancer-controller-7d5c9b6f4-q8w2e', field: 'arg --cluster-name' },
    ]);
    assert.deepEqual(
      summarizeCapacity({ nodes: NODES, pods: [...namingControllers({ karpenter: 'labs-green', loadBalancer: 'labs-blue' })] }).eksClusters.map((found) => [found.name, found.field]),
      [['labs-blue', 'arg --cluster-name'], ['labs-green', 'env CLUSTER_NAME']],
    );
  });

  test("the same variable in a tenant's pod, or a controller's pod outside kube-system, names nothing", () => {
    const [karpenter] = namingControllers({ karpenter: 'labs-green' });
    const elsewhere = { ...karpenter, metadata: { ...(karpenter!.metadata as JsonObject), namespace: 'shop' } };
    const tenant = { ...karpenter, metadata: { name: 'web-1', namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'web' } } };
    assert.deepEqual(summarizeCapacity({ nodes: NODES, pods: [elsewhere, tenant] }).eksClusters, []);
  });
});
