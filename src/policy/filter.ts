import { scoreOf, countResults } from './score.js';
import type { AuditData, Result, ResultMessage, ResultSet, Severity } from './types.js';

const RANK: Record<Severity, number> = { ignore: 0, warning: 1, danger: 2 };

/** Keeps only the messages that satisfy `keep`, everywhere in the audit; the score is recomputed. */
export function filterMessages(audit: AuditData, keep: (message: ResultMessage) => boolean): AuditData {
  const filterSet = (set: ResultSet): ResultSet =>
    Object.fromEntries(Object.entries(set).filter(([, message]) => keep(message)));
  const results: Result[] = audit.Results.map((result) => ({
    ...result,
    Results: filterSet(result.Results),
    ...(result.PodResult
      ? {
          PodResult: {
            ...result.PodResult,
            Results: filterSet(result.PodResult.Results),
            ContainerResults: result.PodResult.ContainerResults.map((container) => ({
              ...container,
              Results: filterSet(container.Results),
            })),
          },
        }
      : {}),
  }));
  return { ...audit, Results: results, Score: scoreOf(countResults(results)) };
}

/** Polaris's `--severity`: keep results of checks at or above this severity (like log levels). */
export function filterBySeverity(audit: AuditData, minimum: Severity): AuditData {
  return filterMessages(audit, (message) => RANK[message.Severity] >= RANK[minimum]);
}
