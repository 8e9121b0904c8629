import { setOwn } from '../kube/index.js';
import { scoreOf, countResults } from './score.js';
import type { AuditData, Result, ResultMessage, ResultSet, Severity } from './types.js';

const RANK: Record<Severity, number> = { ignore: 0, warning: 1, danger: 2 };

/**
 * The results with every result set (object, pod, each container) kept to the
 * messages that satisfy `keep`; the input is not changed. A frozen set (the
 * engine shares one among objects with the same outcomes) is filtered once per
 * call and its part frozen in turn, so reports keep printing and counting it once.
 */
export function keepMessages(results: readonly Result[], keep: (message: ResultMessage) => boolean): Result[] {
  const keptOfFrozen = new Map<ResultSet, ResultSet>();
  const filterSet = (set: ResultSet | null | undefined): ResultSet => {
    if (!set) return {};
    const known = keptOfFrozen.get(set);
    if (known) return known;
    const kept: ResultSet = {};
    for (const [key, message] of Object.entries(set)) if (keep(message)) setOwn(kept, key, message);
    if (!Object.isFrozen(set)) return kept;
    keptOfFrozen.set(set, Object.freeze(kept));
    return kept;
  };
  return results.map((result) => ({
    ...result,
    Results: filterSet(result.Results),
    ...(result.PodResult
      ? {
          PodResult: {
            ...result.PodResult,
            Results: filterSet(result.PodResult.Results),
            ContainerResults: (result.PodResult.ContainerResults ?? []).map((container) => ({
              ...container,
              Results: filterSet(container.Results),
            })),
          },
        }
      : {}),
  }));
}

/** Keeps only the messages that satisfy `keep`, everywhere in the audit; the score is recomputed. */
export function filterMessages(audit: AuditData, keep: (message: ResultMessage) => boolean): AuditData {
  const results = keepMessages(audit.Results, keep);
  return { ...audit, Results: results, Score: scoreOf(countResults(results)) };
}

/** Polaris's `--severity`: keep results of checks at or above this severity (like log levels). */
export function filterBySeverity(audit: AuditData, minimum: Severity): AuditData {
  return filterMessages(audit, (message) => RANK[message.Severity] >= RANK[minimum]);
}
