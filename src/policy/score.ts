import type { Result, ResultMessage, ResultSet } from './types.js';

export interface Counts {
  successes: number;
  warnings: number;
  dangers: number;
}

/** How a check result counts: passed, or failed as a warning or a danger. */
export type Outcome = 'success' | 'warning' | 'danger';

/**
 * A failed check counts as a warning when its severity is `warning` and as a
 * danger otherwise, as in Polaris's `CountSummary.AddResult`.
 */
export function outcomeOf(message: ResultMessage): Outcome {
  if (message.Success) return 'success';
  return message.Severity === 'warning' ? 'warning' : 'danger';
}

/** One result message and where in its object's result it sits. */
export interface MessagePlace {
  readonly level: 'object' | 'pod' | 'container';
  /** The container's name, for container results. */
  readonly container?: string;
  readonly message: ResultMessage;
}

/** The result sets of a result: the object's, then its pod spec's and each container's (when it has a pod). */
export function resultSetsOf(result: Result): ResultSet[] {
  const pod = result.PodResult;
  if (!pod) return [result.Results];
  return [result.Results, pod.Results, ...(pod.ContainerResults ?? []).map((container) => container.Results)];
}

/** Every result message of a result, in the result's own order: object level, pod level, then each container. */
export function* placedMessagesOf(result: Result): Generator<MessagePlace> {
  for (const message of Object.values(result.Results)) yield { level: 'object', message };
  if (!result.PodResult) return;
  for (const message of Object.values(result.PodResult.Results)) yield { level: 'pod', message };
  for (const container of result.PodResult.ContainerResults ?? []) {
    for (const message of Object.values(container.Results)) yield { level: 'container', container: container.Name, message };
  }
}

/** Every result message of a result (object level, pod level, then containers). */
export function* messagesOf(result: Result): Generator<ResultMessage> {
  for (const { message } of placedMessagesOf(result)) yield message;
}

/** Counts of frozen sets (the engine's interned ones, shared by many objects), worked out once. */
const frozenSetCounts = new WeakMap<ResultSet, Counts>();

function countsOfSet(set: ResultSet): Counts {
  const cached = frozenSetCounts.get(set);
  if (cached) return cached;
  const counts: Counts = { successes: 0, warnings: 0, dangers: 0 };
  for (const message of Object.values(set)) {
    const outcome = outcomeOf(message);
    if (outcome === 'success') counts.successes++;
    else if (outcome === 'warning') counts.warnings++;
    else counts.dangers++;
  }
  if (Object.isFrozen(set)) frozenSetCounts.set(set, counts);
  return counts;
}

export function countResults(results: readonly Result[]): Counts {
  const counts: Counts = { successes: 0, warnings: 0, dangers: 0 };
  const add = (set: ResultSet) => {
    const more = countsOfSet(set);
    counts.successes += more.successes;
    counts.warnings += more.warnings;
    counts.dangers += more.dangers;
  };
  // resultSetsOf's sets, without a list per result: this runs once per audit, over every result.
  for (const result of results) {
    add(result.Results);
    const pod = result.PodResult;
    if (!pod) continue;
    add(pod.Results);
    for (const container of pod.ContainerResults ?? []) add(container.Results);
  }
  return counts;
}

/**
 * Polaris's score: passes weigh 2, warnings 1, dangers 2, and the score is the
 * share of the weight that passed, truncated to a whole percent. With nothing
 * checked the score is 100 (nothing failed).
 */
export function scoreOf(counts: Counts): number {
  const total = counts.successes * 2 + counts.warnings + counts.dangers * 2;
  if (total === 0) return 100;
  return Math.trunc(((counts.successes * 2) / total) * 100);
}
