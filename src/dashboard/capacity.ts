// A cluster's capacity for the dashboard, from either file the platform team
// already has: `kaji capacity -o json` output (the summary itself), or a
// kubectl snapshot (`kubectl get nodes,pods -A -o json`) that src/capacity
// summarises as `kaji capacity --from` does.
import { readFile, stat } from 'node:fs/promises';
import { CapacityError, CapacityInputError, readSnapshot, SNAPSHOT_COMMAND, summarizeCapacity, type CapacitySummary } from '../capacity/index.js';
import { fileErrorReason, fileLine } from '../kube/index.js';
import { DashboardInputError } from './errors.js';


/** The figures the dashboard shows of one cluster's capacity. */
export interface CapacityFigures {
  /** The file they were read from, as given. */
  readonly source: string;
  readonly nodes: number;
  readonly spotNodes: number;
  readonly onDemandNodes: number;
  /** Fractions (4 decimal places) of nodes and of allocatable cpu on spot; null without nodes. */
  readonly spotShare: CapacitySummary['spotShare'];
  readonly cpuMillicores: CapacitySummary['total']['cpuMillicores'];
  readonly memoryBytes: CapacitySummary['total']['memoryBytes'];
  /** kaji's headroom placeholders: running (capacity held for the next real pod) and pending (waiting for a node). */
  readonly headroom: CapacitySummary['headroom'];
  /** Pods the scheduler found no node for. */
  readonly unschedulablePods: number;
}

/** Larger capacity summaries are not `kaji capacity -o json` output; a snapshot is read by readSnapshot, which has its own limit. */
const MAX_SUMMARY_BYTES = 16 * 1024 * 1024;

export async function readCapacityFile(file: string, shown: string): Promise<CapacityFigures> {
  const info = await stat(file).catch((error: Error) => {
    throw new DashboardInputError(`cannot read the capacity file ${shown}: ${fileErrorReason(error)}`);
  });
  if (info.isDirectory()) throw new DashboardInputError(`${shown}: is a folder; give the file \`kaji capacity -o json\` or \`${SNAPSHOT_COMMAND}\` wrote`);
  const summary = info.size <= MAX_SUMMARY_BYTES ? asCapacitySummary(await readFile(file, 'utf8')) : undefined;
  return figuresOf(summary ?? (await summarizeSnapshot(file, shown)), shown);
}

/** `kaji capacity -o json` output: one JSON object with the summary's fields (a snapshot is a List with `kind`). */
function asCapacitySummary(text: string): CapacitySummary | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // YAML, or not a summary: read as a snapshot, whose reader names the problem
  }
  if (typeof value !== 'object' || value === null || 'kind' in value) return undefined;
  const candidate = value as Partial<Record<keyof CapacitySummary, unknown>>;
  const isRecord = (field: unknown) => typeof field === 'object' && field !== null && !Array.isArray(field);
  const total = candidate.total as Partial<CapacitySummary['total']> | undefined;
  const complete =
    isRecord(candidate.total) &&
    typeof total?.nodes === 'number' &&
    typeof total.spotNodes === 'number' &&
    isRecord(total.cpuMillicores) &&
    isRecord(total.memoryBytes) &&
    isRecord(candidate.spotShare) &&
    Array.isArray(candidate.capacityTypes) &&
    isRecord(candidate.unschedulable) &&
    isRecord(candidate.headroom);
  return complete ? (value as CapacitySummary) : undefined;
}

async function summarizeSnapshot(file: string, shown: string): Promise<CapacitySummary> {
  try {
    return summarizeCapacity(await readSnapshot(file));
  } catch (error) {
    if (error instanceof CapacityInputError) {
      const first = error.problems[0]!;
      const more = error.problems.length > 1 ? ` (and ${error.problems.length - 1} more)` : '';
      throw new DashboardInputError(
        `${fileLine(shown, first.line)}: ${first.message}${more}; give the output of \`kaji capacity -o json\` or of \`${SNAPSHOT_COMMAND}\``,
      );
    }
    if (error instanceof CapacityError) throw new DashboardInputError(`${shown}: ${error.message}`);
    throw error;
  }
}

function figuresOf(summary: CapacitySummary, source: string): CapacityFigures {
  const nodesOf = (type: string) => summary.capacityTypes.find((group) => group.name === type)?.nodes ?? 0;
  return {
    source,
    nodes: summary.total.nodes,
    spotNodes: nodesOf('spot'),
    onDemandNodes: nodesOf('on-demand'),
    spotShare: summary.spotShare,
    cpuMillicores: summary.total.cpuMillicores,
    memoryBytes: summary.total.memoryBytes,
    headroom: summary.headroom,
    unschedulablePods: summary.unschedulable.pods,
  };
}
