// The runbook's state: a small JSON file beside platform.yaml, written whole
// or not at all (a temporary file and a rename), so a run killed at any point
// leaves the last verified step recorded and `kaji upgrade next` goes on from
// there. A step is recorded done only once verified; every step is idempotent,
// so the one under way when a run stopped is simply made again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { didYouMean, displayPath, fileErrorReason, writeFileAtomically } from '../kube/index.js';
import { upgradeCommand, type UpgradeAddress } from './command.js';
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
  /**
   * The manifest branch's commit each step done was verified at: the tip the
   * sync step named, each weight step's release. Absent in state files of
   * earlier kajis, and for a step done by one: unknown (lastVerified).
   */
  readonly commits?: Readonly<Partial<Record<StepId, string>>>;
  /** The weights platform.yaml and Route 53 were last verified at. */
  readonly weights: Readonly<Record<string, number>>;
  /** The next weight step (or finish) does not start before this. */
  readonly soakUntil?: string;
  /** A step that was started and not verified (an interrupted or failed run): it is made again. */
  readonly inProgress?: { readonly step: StepId | 'rollback'; readonly since: string };
  /** When `finish --destroy` destroyed the old cluster's stack. */
  readonly destroyedAt?: string;
  /** Rollbacks so far, newest last, each with the commit of its release (unknown in state files of earlier kajis). */
  readonly rollbacks: readonly { readonly at: string; readonly weights: Readonly<Record<string, number>>; readonly commit?: string }[];
}

/**
 * What this upgrade last verified on the manifest branch: the commit and
 * time of its last step done after preflight and deploy (sync or a weight
 * step), else of its last rollback, else its start. The commit is undefined
 * when unknown (a state file of an earlier kaji): the time then stands in.
 */
export function lastVerified(state: UpgradeState): { readonly commit?: string; readonly time: string } {
  const step = stepsOf(state)
    .filter((id) => id !== 'preflight' && id !== 'deploy' && id !== 'finish' && state.done[id] !== undefined)
    .at(-1);
  if (step !== undefined) return { commit: state.commits?.[step], time: state.done[step]! };
  const rollback = state.rollbacks.at(-1);
  return rollback ? { commit: rollback.commit, time: rollback.at } : { time: state.startedAt };
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

/** The command that completes the step a run started and did not verify, with the flags the user gave. */
export function resumeCommand(step: StepId | 'rollback', address?: UpgradeAddress): string {
  return upgradeCommand(step === 'rollback' ? 'rollback' : step === 'finish' ? 'finish' : 'next', address);
}

export async function readState(directory: string): Promise<UpgradeState | undefined> {
  const file = statePath(directory);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Named here: a read of a folder (EISDIR) fails without the path.
    throw new UpgradeError(`cannot read ${displayPath(file)}: ${fileErrorReason(error as NodeJS.ErrnoException)}`);
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new UpgradeError(`${displayPath(file)} is not JSON (${(error as Error).message}): restore it, or delete it to start over`);
  }
  const candidate = state as Partial<UpgradeState> | null;
  if (candidate?.kind !== 'kaji-upgrade' || candidate.version !== 1) {
    throw new UpgradeError(`${displayPath(file)} is not a kaji upgrade state (kind: kaji-upgrade, version: 1): restore it, or delete it to start over`);
  }
  const problem = stateProblem(candidate as Record<string, unknown>);
  if (problem) throw new UpgradeError(`${displayPath(file)}: ${problem}: restore it, or delete it to start over`);
  return candidate as UpgradeState;
}

type Check = (value: unknown) => boolean;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText: Check = (value) => typeof value === 'string' && value !== '';
const isTime: Check = (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isWeight: Check = (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 255;
/** A record with no keys but `keys` (a misspelled optional one would otherwise be ignored). */
const hasOnly = (value: Record<string, unknown>, keys: readonly string[]): boolean => Object.keys(value).every((key) => keys.includes(key));
const isCluster: Check = (value) => isRecord(value) && hasOnly(value, ['name', 'kubernetesVersion', 'weight']) && isText(value.name) && isText(value.kubernetesVersion) && isWeight(value.weight);
const isWeights: Check = (value) => isRecord(value) && Object.values(value).every(isWeight);
const isCommit: Check = (value) => typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);
const isPercentages: Check = (value) =>
  Array.isArray(value) && value.length > 0 && value.every((step, index) => Number.isInteger(step) && step > 0 && step <= 100 && (index === 0 || step > value[index - 1])) && value.at(-1) === 100;

/** The first field of a state file that is not what kaji wrote, named with what it should be. */
function stateProblem(state: Record<string, unknown>): string | undefined {
  const required: [string, Check, string][] = [
    ['platform', isText, 'a platform name'],
    ['from', isCluster, 'a cluster: {name, kubernetesVersion, weight 0-255}'],
    ['to', isCluster, 'a cluster: {name, kubernetesVersion, weight 0-255}'],
    ['totalWeight', isWeight, 'a weight, 0-255'],
    ['weightSteps', isPercentages, 'rising whole percentages ending at 100'],
    ['soakMs', (value) => Number.isInteger(value) && (value as number) >= 0, 'milliseconds, 0 or more'],
    ['startedAt', isTime, 'a time'],
    ['updatedAt', isTime, 'a time'],
    ['done', (value) => isRecord(value) && Object.values(value).every(isTime), 'step: time, for each step done'],
    ['weights', isWeights, 'cluster: weight 0-255'],
    [
      'rollbacks',
      (value) => Array.isArray(value) && value.every((item) => isRecord(item) && hasOnly(item, ['at', 'weights', 'commit']) && isTime(item.at) && isWeights(item.weights) && (item.commit === undefined || isCommit(item.commit))),
      'a list of {at, weights, commit}',
    ],
  ];
  const optional: [string, Check, string][] = [
    ['soakUntil', isTime, 'a time'],
    ['destroyedAt', isTime, 'a time'],
    ['commits', (value) => isRecord(value) && Object.values(value).every(isCommit), 'step: commit sha, for each step verified'],
    ['inProgress', (value) => isRecord(value) && hasOnly(value, ['step', 'since']) && isText(value.step) && isTime(value.since), '{step, since}'],
  ];
  const known = ['kind', 'version', ...[...required, ...optional].map(([field]) => field)];
  const unknown = Object.keys(state).find((field) => !known.includes(field));
  if (unknown !== undefined) return `${unknown} is not a field kaji writes${didYouMean(unknown, known)}`;
  for (const [field, check, want] of required) if (!check(state[field])) return `${field} is ${JSON.stringify(state[field]) ?? 'missing'}, not ${want}`;
  for (const [field, check, want] of optional) if (state[field] !== undefined && !check(state[field])) return `${field} is ${JSON.stringify(state[field])}, not ${want}`;
  return inconsistency(state as unknown as UpgradeState);
}

/**
 * What a state whose fields are each well-formed says that kaji never wrote:
 * the same cluster twice, steps or weights of another upgrade. Read as it is,
 * it would send the user to a command that refuses it, over and over.
 */
function inconsistency(state: UpgradeState): string | undefined {
  const { from, to } = state;
  if (from.name === to.name) return `from and to are both ${from.name}, not the two clusters of the upgrade`;
  if (state.totalWeight !== from.weight + to.weight) return `totalWeight is ${state.totalWeight}, not the sum of from's and to's weights (${from.weight + to.weight})`;
  const clusters = [from.name, to.name];
  // Every step moves weight between the two clusters and keeps their total.
  const otherWeights = (weights: Readonly<Record<string, number>>) =>
    Object.keys(weights).length !== 2 || !clusters.every((name) => name in weights) || weights[from.name]! + weights[to.name]! !== state.totalWeight;
  const wanted = `not a weight for each of ${from.name} and ${to.name} adding up to totalWeight ${state.totalWeight}`;
  if (otherWeights(state.weights)) return `weights is ${JSON.stringify(state.weights)}, ${wanted}`;
  const rollback = state.rollbacks.find((item) => otherWeights(item.weights));
  if (rollback) return `rollbacks has ${JSON.stringify(rollback.weights)} at ${rollback.at}, ${wanted}`;
  const steps = stepsOf(state);
  for (const field of ['done', 'commits'] as const) {
    const other = Object.keys(state[field] ?? {}).find((step) => !steps.includes(step as StepId));
    if (other !== undefined) return `${field} has ${other}, not a step of this upgrade (${steps.join(', ')})`;
  }
  const startable: string[] = [...steps.filter((step) => step !== 'preflight'), 'rollback'];
  const started = state.inProgress?.step;
  if (started !== undefined && !startable.includes(started)) return `inProgress is step ${started}, not a step of this upgrade (${startable.join(', ')})`;
  return undefined;
}

/** Loads the state of the upgrade under way, or says how to start one (with the flags the user gave: `address`). */
export async function requireState(directory: string, address?: UpgradeAddress): Promise<UpgradeState> {
  const state = await readState(directory);
  if (!state) throw new UpgradeError(`no upgrade under way in ${displayPath(directory)} (no ${STATE_FILE}): start one with ${upgradeCommand('start', address)}`);
  return state;
}

/**
 * Writes `state` as the next version of the one read (compare-and-set): the
 * file must still hold the version `state` was made from (its updatedAt), or,
 * with `create`, no upgrade at all; otherwise another run changed it
 * meanwhile, and writing would undo what that run did. `address`: the flags the user gave, for the command the message suggests.
 */
export async function writeState(directory: string, state: UpgradeState, options: { create?: boolean; address?: UpgradeAddress } = {}): Promise<UpgradeState> {
  const current = await readState(directory);
  if (options.create ? current !== undefined : current?.updatedAt !== state.updatedAt) {
    throw new UpgradeError(
      `${displayPath(statePath(directory))} was changed by another run while this one worked (${current ? `now: ${current.updatedAt}` : 'it is gone'}): nothing more was recorded; see ${upgradeCommand('status', options.address)}`,
    );
  }
  let updatedAt = new Date().toISOString();
  // Two writes within one millisecond would look like no change to the compare-and-set.
  if (updatedAt <= state.updatedAt) updatedAt = new Date(Date.parse(state.updatedAt) + 1).toISOString();
  const written = { ...state, updatedAt };
  await writeFileAtomically(statePath(directory), `${JSON.stringify(written, null, 2)}\n`);
  return written;
}
