import type { Result, ResultMessage, ResultSet } from './types.js';

export interface Counts {
  successes: number;
  warnings: number;
  dangers: number;
}

/** Every result message of a result (object level, pod level, then containers). */
export function* messagesOf(result: Result): Generator<ResultMessage> {
  yield* Object.values(result.Results);
  if (!result.PodResult) return;
  yield* Object.values(result.PodResult.Results);
  for (const container of result.PodResult.ContainerResults) yield* Object.values(container.Results);
}

export function countResults(results: readonly Result[]): Counts {
  const counts: Counts = { successes: 0, warnings: 0, dangers: 0 };
  for (const result of results) {
    for (const message of messagesOf(result)) addToCounts(counts, message);
  }
  return counts;
}

export function countResultSet(set: ResultSet): Counts {
  const counts: Counts = { successes: 0, warnings: 0, dangers: 0 };
  for (const message of Object.values(set)) addToCounts(counts, message);
  return counts;
}

function addToCounts(counts: Counts, message: ResultMessage): void {
  if (message.Success) counts.successes++;
  else if (message.Severity === 'warning') counts.warnings++;
  else counts.dangers++;
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
