// The runbook's state: a small JSON file beside platform.yaml, written whole
// or not at all (a temporary file and a rename), so a run killed at any point
// leaves the last verified step recorded and `kaji upgrade next` goes on from
// there. A step is recorded done only once verified; every step is idempotent,
// so the one under way when a run stopped is simply made again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { displayPath, writeFileAtomically } from '../kube/index.js';
import { UpgradeError } from './errors.js';
import type { ClusterSummary } from './plan.js';

export const STATE_FILE = 'kaji-upgrade.json';

export type StepId = 'preflight' | 'deploy' | 'sync' | `weight-${number}` | 'finish';

export interface UpgradeState {
  readonly kind: 'kaji-upgrade';
  readonly version: 1;
  readonly platform: string;
  /** The clusters as they were at the start. */
  readonly from: ClusterSummary;
  readonly to: ClusterSummary;
  /** The weight moved from `from` to `to` (their sum at the start). */
  readonly totalWeight: number;
  /** The share of totalWeight `to` gets at each weight step, in percent, rising to 100. */
  readonly weightSteps: readonly number[];
  /** How long each weight step soaks before the next step. */
  readonly soakMs: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** When each step was verified and done. */
  readonly done: Readonly<Partial<Record<StepId, string>>>;
  /** The weights platform.yaml and Route 53 were last verified at. */
  readonly weights: Readonly<Record<string, number>>;
  /** The next weight step (or finish) does not start before this. */
  readonly soakUntil?: string;
  /** A step that was started and not verified (an interrupted or failed run): it is made again. */
  readonly inProgress?: { readonly step: StepId | 'rollback'; readonly since: string };
  /** Rollbacks so far, newest last. */
  readonly rollbacks: readonly { readonly at: string; readonly weights: Readonly<Record<string, number>> }[];
}

export function statePath(directory: string): string {
  return join(directory, STATE_FILE);
}

/** The steps of an upgrade, in order. */
export function stepsOf(state: Pick<UpgradeState, 'weightSteps'>): StepId[] {
  return ['preflight', 'deploy', 'sync', ...state.weightSteps.map((_, index): StepId => `weight-${index + 1}`), 'finish'];
}

/** The first step not done; undefined when the upgrade is finished. */
export function currentStep(state: UpgradeState): StepId | undefined {
  return stepsOf(state).find((step) => state.done[step] === undefined);
}

/** The weights of weight step `index` (1-based): `to` gets its share of the total, rounded; `from` the rest. */
export function weightsOf(state: Pick<UpgradeState, 'from' | 'to' | 'totalWeight' | 'weightSteps'>, index: number): Record<string, number> {
  const to = Math.round((state.totalWeight * state.weightSteps[index - 1]!) / 100);
  return { [state.from.name]: state.totalWeight - to, [state.to.name]: to };
}

export async function readState(directory: string): Promise<UpgradeState | undefined> {
  const file = statePath(directory);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new UpgradeError(`${displayPath(file)} is not JSON (${(error as Error).message}): restore it, or delete it to start over`);
  }
  const candidate = state as Partial<UpgradeState> | null;
  if (candidate?.kind !== 'kaji-upgrade' || candidate.version !== 1 || !candidate.from || !candidate.to || !Array.isArray(candidate.weightSteps) || typeof candidate.done !== 'object') {
    throw new UpgradeError(`${displayPath(file)} is not a kaji upgrade state (kind: kaji-upgrade, version: 1): restore it, or delete it to start over`);
  }
  return candidate as UpgradeState;
}

/** Loads the state of the upgrade under way, or says how to start one. */
export async function requireState(directory: string): Promise<UpgradeState> {
  const state = await readState(directory);
  if (!state) throw new UpgradeError(`no upgrade under way in ${displayPath(directory)} (no ${STATE_FILE}): start one with kaji upgrade start`);
  return state;
}

export async function writeState(directory: string, state: UpgradeState): Promise<UpgradeState> {
  const written = { ...state, updatedAt: new Date().toISOString() };
  await writeFileAtomically(statePath(directory), `${JSON.stringify(written, null, 2)}\n`);
  return written;
}
