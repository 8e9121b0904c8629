// The output of `kaji capacity`: a terminal table, or JSON for scripts (the
// summary as it is; its shape is documented in the README). Text from the
// cluster (names, the scheduler's messages) goes through printable(), so a
// name cannot move the cursor or print a line of its own into the table.
import { canonicalQuantity } from '../kube/index.js';
import { alignedColumns, printable } from '../report/index.js';
import type { CapacityGroup, CapacitySummary, PodRequests, PoolGroup } from './summary.js';

export function formatCapacityJson(summary: CapacitySummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** What kaji knows of the cluster beyond its nodes and pods. */
export interface CapacityContext {
  /** platform.yaml's capacity.capacityTypes, when the command read it: the types kaji's NodePool allows. */
  readonly capacityTypes?: readonly string[];
}

export function formatCapacityTable(summary: CapacitySummary, context: CapacityContext = {}): string {
  const { total } = summary;
  const spot = summary.capacityTypes.find((group) => group.name === 'spot')!; // always listed
  const lines: string[] = [
    ...groupTable('CAPACITY TYPE', [...summary.capacityTypes, total], false),
    '',
    total.nodes === 0
      ? 'Spot: no nodes'
      : `Spot: ${percentOf(spot.nodes, total.nodes)} of nodes (${spot.nodes} of ${total.nodes}), ` +
        `${percentOf(spot.cpuMillicores.allocatable, total.cpuMillicores.allocatable)} of allocatable cpu (${cores(spot.cpuMillicores.allocatable)} of ${cores(total.cpuMillicores.allocatable)} cores)`,
    ...noSpotHint(summary, context),
    ...notSchedulableLines(summary),
    '',
    ...groupTable('NODE POOL', summary.nodePools.map(poolRow), true),
    '',
    ...groupTable('INSTANCE TYPE', summary.instanceTypes, true),
    '',
    ...groupTable('ZONE', summary.zones, true),
    '',
    ...unschedulableLines(summary.unschedulable),
    '',
    ...headroomLines(summary.headroom),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Karpenter launched nodes, none of them spot: a NodePool that prefers spot (kaji's) falls back to
 * on-demand when the account lacks EC2 Spot's service-linked role, and says so only in its log.
 * Silent when platform.yaml leaves spot out: no spot node is then what the team asked for.
 */
function noSpotHint(summary: CapacitySummary, context: CapacityContext): string[] {
  if (context.capacityTypes !== undefined && !context.capacityTypes.includes('spot')) return [];
  const launched = summary.nodePools.filter((pool) => pool.kind === 'nodepool').reduce((sum, pool) => sum + pool.nodes, 0);
  if (launched === 0 || summary.capacityTypes.some((group) => group.name === 'spot' && group.nodes > 0)) return [];
  return [
    `  No spot node, though Karpenter launched ${launched}: if its NodePool allows spot (kaji's does unless capacity.capacityTypes leaves spot out), check that the account has EC2 Spot's service-linked role ` +
      '(Karpenter logs AuthFailure.ServiceLinkedRoleCreationNotPermitted without it); create it once: aws iam create-service-linked-role --aws-service-name spot.amazonaws.com',
  ];
}

/** A pool's name with where it comes from: "default", "system (node group)". */
function poolRow(pool: PoolGroup): CapacityGroup {
  const name = pool.kind === 'nodegroup' ? `${pool.name} (node group)` : pool.kind === 'none' ? '(no NodePool or node group label)' : pool.name;
  return { ...pool, name };
}

function groupTable(title: string, groups: readonly CapacityGroup[], withSpot: boolean): string[] {
  const columns = [title, 'NODES', ...(withSpot ? ['SPOT'] : []), 'PODS', 'CPU ALLOC', 'CPU REQ', 'CPU %', 'MEM ALLOC', 'MEM REQ', 'MEM %'];
  const rows = groups.map((group) => [
    printable(group.name),
    String(group.nodes),
    ...(withSpot ? [String(group.spotNodes)] : []),
    String(group.pods),
    cores(group.cpuMillicores.allocatable),
    cores(group.cpuMillicores.requested),
    percentOf(group.cpuMillicores.requested, group.cpuMillicores.allocatable),
    memory(group.memoryBytes.allocatable),
    memory(group.memoryBytes.requested),
    percentOf(group.memoryBytes.requested, group.memoryBytes.allocatable),
  ]);
  return alignedColumns(columns, rows, `l${'r'.repeat(columns.length - 1)}`);
}

/** The most nodes named one per line; -o json lists them all. */
const NODES_LISTED = 10;

/**
 * Nodes no new pod can land on (cordoned, NotReady, being disrupted): counted in the tables, which
 * show what the nodes hold, but their room is no room for a new pod. Said only when there are any.
 */
function notSchedulableLines(summary: CapacitySummary): string[] {
  const { total, notSchedulableNodes } = summary;
  if (notSchedulableNodes.length === 0) return [];
  const { notSchedulable } = total;
  const schedulable = total.nodes - notSchedulable.nodes;
  const rows = notSchedulableNodes.slice(0, NODES_LISTED).map((node) => [printable(node.name), printable(node.reasons.join(', '))]);
  const more = notSchedulableNodes.length - rows.length;
  return [
    `Not schedulable: ${notSchedulable.nodes} of ${total.nodes} nodes, ${cores(notSchedulable.cpuMillicores)} cores and ${memory(notSchedulable.memoryBytes)} allocatable ` +
      '(counted above, but no new pod lands there)',
    ...alignedColumns(['NODE', 'WHY'], rows, 'll').map((line) => `  ${line}`),
    ...(more > 0 ? [`  … and ${more} more (-o json lists them all)`] : []),
    `Free for new pods on the ${schedulable} schedulable ${schedulable === 1 ? 'node' : 'nodes'}: ${cores(total.cpuMillicores.free)} cores, ${memory(total.memoryBytes.free)}`,
  ];
}

function unschedulableLines(unschedulable: CapacitySummary['unschedulable']): string[] {
  if (unschedulable.pods === 0) return ['Unschedulable pods: none'];
  const rows = unschedulable.list.map((pod) => [
    printable(pod.namespace),
    printable(pod.name),
    milli(pod.cpuMillicores),
    bytes(pod.memoryBytes),
    printable(pod.message.trim()) || '-',
  ]);
  return [`Unschedulable pods: ${unschedulable.pods}, requesting ${requestsText(unschedulable)}`, ...alignedColumns(['NAMESPACE', 'POD', 'CPU', 'MEMORY', 'WHY'], rows, 'llrrl').map((line) => `  ${line}`)];
}

function headroomLines(headroom: CapacitySummary['headroom']): string[] {
  const { running, pending, stranded, priorityClass } = headroom;
  if (running.pods + pending.pods === 0) {
    return [
      `Headroom: none. No pod of PriorityClass ${printable(priorityClass)} is running or pending: no spare capacity is kept ready, so a new pod may wait for a node to be launched.`,
    ];
  }
  const part = (what: string, tally: PodRequests, note = '') => `${tally.pods} ${what}${tally.pods > 0 ? ` (${requestsText(tally)}${note})` : ''}`;
  // A placeholder on a node no new pod lands on holds nothing a pod could take by preempting it.
  const strandedNote = stranded.pods === 0 ? '' : `; ${stranded.pods} of them on a node no new pod lands on, holding no room`;
  return [`Headroom (PriorityClass ${printable(priorityClass)}): ${part('running', running, strandedNote)}, ${part('pending', pending)}`];
}

function requestsText(tally: PodRequests): string {
  return `cpu ${milli(tally.cpuMillicores)}, memory ${bytes(tally.memoryBytes)}`;
}

/** Millicores as cores, to 2 decimal places: 5790 → "5.79", 2000 → "2". */
function cores(millicores: number): string {
  return String(Math.round(millicores / 10) / 100);
}

/** Bytes as GiB to 1 decimal place from 1 GiB, MiB below: "21.4Gi", "512Mi". */
function memory(value: number): string {
  if (value === 0) return '0';
  if (value >= 2 ** 30) return `${Number((value / 2 ** 30).toFixed(1))}Gi`;
  return `${Math.round(value / 2 ** 20)}Mi`;
}

/** A pod's request as Kubernetes writes it: "1500m", "2Gi". */
function milli(millicores: number): string {
  return canonicalQuantity({ mantissa: BigInt(millicores), exponent: -3, format: 'DecimalSI' });
}

function bytes(value: number): string {
  return canonicalQuantity({ mantissa: BigInt(value), exponent: 0, format: 'BinarySI' });
}

/**
 * `part` of `whole` as a whole percent, from the numbers themselves: the JSON's fractions are
 * already rounded to four places, and rounding those again can be a point off (44.495 % is 44 %,
 * its 0.445 would be 45 %).
 */
function percentOf(part: number, whole: number): string {
  return whole === 0 ? '-' : `${Math.round((part * 100) / whole)}%`;
}
