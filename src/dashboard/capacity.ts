// A cluster's capacity for the dashboard, from either file the platform team
// already has: `kaji capacity -o json` output (the summary itself), or a
// kubectl snapshot (`kubectl get nodes,pods -A -o json`) that src/capacity
// summarises as `kaji capacity --from` does.
import { readFile, stat } from 'node:fs/promises';
import {
  CapacityError,
  CapacityInputError,
  readSnapshot,
  SNAPSHOT_COMMAND,
  summarizeCapacity,
  type CapacitySummary,
  type EksClusterEvidence,
  type NotSchedulable,
  type PodRequests,
} from '../capacity/index.js';
import { fileErrorReason, fileLine } from '../kube/index.js';
import { DashboardInputError } from './errors.js';


/** A resource's total: as `kaji capacity -o json` has it; `free` null in the output of a kaji capacity before it counted it. */
export interface FiguresUse {
  readonly allocatable: number;
  readonly requested: number;
  readonly utilisation: number | null;
  /** The room a new pod may be given: schedulable nodes only (see ResourceUse.free). */
  readonly free: number | null;
}

/** The figures the dashboard shows of one cluster's capacity. */
export interface CapacityFigures {
  /** The file they were read from, as given. */
  readonly source: string;
  readonly nodes: number;
  readonly spotNodes: number;
  readonly onDemandNodes: number;
  /** Nodes by capacity type, as `kaji capacity` lists them (spot and on-demand always, then reserved, fargate, unknown): they add up to `nodes`. */
  readonly capacityTypes: readonly { readonly name: string; readonly nodes: number }[];
  /** Fractions (4 decimal places) of nodes and of allocatable cpu on spot; null without nodes. */
  readonly spotShare: CapacitySummary['spotShare'];
  readonly cpuMillicores: FiguresUse;
  readonly memoryBytes: FiguresUse;
  /** Nodes no new pod can land on (cordoned, NotReady, being disrupted) and their allocatable; null as for `free`. */
  readonly notSchedulable: NotSchedulable | null;
  /**
   * kaji's headroom placeholders: running (capacity held for the next real pod) and pending (waiting for a node);
   * `stranded`, those running on a node no new pod can land on (null as for `free`).
   */
  readonly headroom: { readonly priorityClass: string; readonly running: PodRequests; readonly pending: PodRequests; readonly stranded: PodRequests | null };
  /** Pods the scheduler found no node for. */
  readonly unschedulablePods: number;
}

/** Larger capacity summaries are not `kaji capacity -o json` output; a snapshot is read by readSnapshot, which has its own limit. */
const MAX_SUMMARY_BYTES = 16 * 1024 * 1024;

/** The cluster a capacity file is given for (`--capacity CLUSTER=FILE`), and the name EKS knows it by. */
export interface CapacityCluster {
  readonly name: string;
  readonly eksName: string;
}

/**
 * The figures of a capacity file; given its cluster, a file whose pods say they run in another EKS cluster
 * (another cluster's snapshot, given by mistake) is refused. A file that names none is taken at its word.
 */
export async function readCapacityFile(file: string, shown: string, cluster?: CapacityCluster): Promise<CapacityFigures> {
  const info = await stat(file).catch((error: Error) => {
    throw new DashboardInputError(`cannot read the capacity file ${shown}: ${fileErrorReason(error)}`);
  });
  if (info.isDirectory()) throw new DashboardInputError(`${shown}: is a folder; give the file \`kaji capacity -o json\` or \`${SNAPSHOT_COMMAND}\` wrote`);
  const summary = info.size <= MAX_SUMMARY_BYTES ? summaryFigures(await readFile(file, 'utf8'), shown) : undefined;
  const read = summary ?? (await snapshotFigures(file, shown));
  const other = cluster === undefined ? undefined : read.eksClusters.find((found) => found.name !== cluster.eksName);
  if (cluster !== undefined && other !== undefined) {
    throw new DashboardInputError(
      `--capacity ${cluster.name}=${shown}: the file is of EKS cluster ${other.name} (pod ${other.pod}, ${other.field}), not of ${cluster.name} (${cluster.eksName}): ` +
        `give ${cluster.name}'s, the output of \`kaji capacity -o json\` or of \`${SNAPSHOT_COMMAND}\` with its context (--context)`,
    );
  }
  return read.figures;
}

/** A file's figures and the EKS cluster names it holds (see eksClustersOf). */
interface FileFigures {
  readonly figures: CapacityFigures;
  readonly eksClusters: readonly EksClusterEvidence[];
}

/**
 * The figures of `kaji capacity -o json` output: one JSON object without the
 * `kind` and `items` of a snapshot (undefined for anything else: read as a
 * snapshot, whose reader names its problems). Every field shown is checked,
 * and one missing or of another type is named: the page shows them.
 */
function summaryFigures(text: string, shown: string): FileFigures | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // YAML, or not a summary
  }
  if (!isRecord(value) || 'kind' in value || 'items' in value) return undefined;
  const fail = (path: string, expected: string): never => {
    throw new DashboardInputError(`${shown}: ${path} is not ${expected}; give the output of \`kaji capacity -o json\` or of \`${SNAPSHOT_COMMAND}\``);
  };
  const record = (from: Record<string, unknown>, key: string, path: string): Record<string, unknown> => {
    const field = from[key];
    return isRecord(field) ? field : fail(`${path}${key}`, 'an object');
  };
  const count = (from: Record<string, unknown>, key: string, path: string): number => {
    const field = from[key];
    return typeof field === 'number' && Number.isFinite(field) && field >= 0 ? field : fail(`${path}${key}`, 'a number (0 or more)');
  };
  const fraction = (from: Record<string, unknown>, key: string, path: string): number | null => (from[key] === null ? null : count(from, key, path));
  // Fields a kaji capacity before them did not write: null when absent, checked when present.
  const added = <T>(from: Record<string, unknown>, key: string, read: () => T): T | null => (from[key] === undefined ? null : read());
  const use = (from: Record<string, unknown>, key: string): FiguresUse => {
    const field = record(from, key, 'total.');
    const path = `total.${key}.`;
    return {
      allocatable: count(field, 'allocatable', path),
      requested: count(field, 'requested', path),
      utilisation: fraction(field, 'utilisation', path),
      free: added(field, 'free', () => count(field, 'free', path)),
    };
  };
  const pods = (from: Record<string, unknown>, key: string) => {
    const field = record(from, key, 'headroom.');
    const path = `headroom.${key}.`;
    return { pods: count(field, 'pods', path), cpuMillicores: count(field, 'cpuMillicores', path), memoryBytes: count(field, 'memoryBytes', path) };
  };
  const total = record(value, 'total', '');
  const spotShare = record(value, 'spotShare', '');
  const types = Array.isArray(value.capacityTypes) ? value.capacityTypes : fail('capacityTypes', 'a list');
  const capacityTypes = types.map((group, index) => {
    const path = `capacityTypes[${index}].`;
    const entry = isRecord(group) ? group : fail(`capacityTypes[${index}]`, 'an object');
    return { name: typeof entry.name === 'string' ? entry.name : fail(`${path}name`, 'a string'), nodes: count(entry, 'nodes', path) };
  });
  const headroom = record(value, 'headroom', '');
  const priorityClass = typeof headroom.priorityClass === 'string' ? headroom.priorityClass : fail('headroom.priorityClass', 'a string');
  const notSchedulable = added(total, 'notSchedulable', () => {
    const field = record(total, 'notSchedulable', 'total.');
    const path = 'total.notSchedulable.';
    return { nodes: count(field, 'nodes', path), cpuMillicores: count(field, 'cpuMillicores', path), memoryBytes: count(field, 'memoryBytes', path) };
  });
  // A kaji capacity before it named the cluster: none to check.
  const listed = added(value, 'eksClusters', () => (Array.isArray(value.eksClusters) ? value.eksClusters : fail('eksClusters', 'a list'))) ?? [];
  const eksClusters = listed.map((entry, index) => {
    const found = isRecord(entry) ? entry : fail(`eksClusters[${index}]`, 'an object');
    const text = (key: string) => (typeof found[key] === 'string' ? found[key] : fail(`eksClusters[${index}].${key}`, 'a string'));
    return { name: text('name'), pod: text('pod'), field: text('field') };
  });
  const figures: CapacityFigures = {
    source: shown,
    nodes: count(total, 'nodes', 'total.'),
    ...nodesByType(capacityTypes),
    spotShare: { nodes: fraction(spotShare, 'nodes', 'spotShare.'), cpu: fraction(spotShare, 'cpu', 'spotShare.') },
    cpuMillicores: use(total, 'cpuMillicores'),
    memoryBytes: use(total, 'memoryBytes'),
    notSchedulable,
    headroom: { priorityClass, running: pods(headroom, 'running'), pending: pods(headroom, 'pending'), stranded: added(headroom, 'stranded', () => pods(headroom, 'stranded')) },
    unschedulablePods: count(record(value, 'unschedulable', ''), 'pods', 'unschedulable.'),
  };
  return { figures, eksClusters };
}

/** The node counts by capacity type, spot and on-demand on their own too (0 when not listed). */
function nodesByType(capacityTypes: readonly { readonly name: string; readonly nodes: number }[]): Pick<CapacityFigures, 'capacityTypes' | 'spotNodes' | 'onDemandNodes'> {
  const nodesOf = (type: string) => capacityTypes.find((group) => group.name === type)?.nodes ?? 0;
  return { capacityTypes, spotNodes: nodesOf('spot'), onDemandNodes: nodesOf('on-demand') };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function snapshotFigures(file: string, shown: string): Promise<FileFigures> {
  try {
    const summary = summarizeCapacity(await readSnapshot(file));
    return { figures: figuresOf(summary, shown), eksClusters: summary.eksClusters };
  } catch (error) {
    if (error instanceof CapacityInputError) {
      const first = error.problems[0]!;
      const more = error.problems.length > 1 ? ` (and ${error.problems.length - 1} more)` : '';
      // A problem that names the snapshot's command already says what to give.
      const give = first.message.includes(SNAPSHOT_COMMAND) ? '' : `; give the output of \`kaji capacity -o json\` or of \`${SNAPSHOT_COMMAND}\``;
      throw new DashboardInputError(`${fileLine(shown, first.line)}: ${first.message}${more}${give}`);
    }
    if (error instanceof CapacityError) throw new DashboardInputError(`${shown}: ${error.message}`);
    throw error;
  }
}

function figuresOf(summary: CapacitySummary, source: string): CapacityFigures {
  return {
    source,
    nodes: summary.total.nodes,
    ...nodesByType(summary.capacityTypes.map(({ name, nodes }) => ({ name, nodes }))),
    spotShare: summary.spotShare,
    cpuMillicores: summary.total.cpuMillicores,
    memoryBytes: summary.total.memoryBytes,
    notSchedulable: summary.total.notSchedulable,
    headroom: summary.headroom,
    unschedulablePods: summary.unschedulable.pods,
  };
}
