// Helpers every report format shares: a stable walk over all check results of
// an audit, counts as Polaris makes them, and `--only-show-failed-tests`.
import { countResults as countPolicyResults, outcomeOf, type Outcome } from '../policy/score.js';
import { keepMessages } from '../policy/filter.js';
import { compareCodePoints } from '../kube/records.js';
import type { AuditData, Result, ResultMessage, ResultSet } from '../policy/types.js';

export { outcomeOf, type Outcome };

/** Where in an object's result a message sits: on the object, on its pod spec, or on one container. */
export type ResultLevel = 'object' | 'pod' | 'container';

/** One check result with the object (and container) it belongs to. */
export interface ResultEntry {
  readonly result: Result;
  readonly level: ResultLevel;
  /** The container's name, for container results. */
  readonly container?: string;
  readonly message: ResultMessage;
}

/** Counts over an audit, as Polaris's `CountSummary`. */
export interface ResultCounts {
  readonly successes: number;
  readonly warnings: number;
  readonly dangers: number;
  /** successes + warnings + dangers. */
  readonly total: number;
}

export { compareCodePoints };

/** The messages of a result set, ordered by check ID (the order Polaris's JSON lists them in). */
export function sortedMessages(set: ResultSet | null | undefined): ResultMessage[] {
  if (!set) return [];
  return Object.keys(set)
    .sort(compareCodePoints)
    .map((key) => set[key] as ResultMessage);
}

/**
 * Every check result of one object in a stable order: the object's own results,
 * then its pod spec's, then each container's in the order the pod lists them;
 * within each set, by check ID.
 */
export function* resultEntries(result: Result): Generator<ResultEntry> {
  for (const message of sortedMessages(result.Results)) yield { result, level: 'object', message };
  const pod = result.PodResult;
  if (!pod) return;
  for (const message of sortedMessages(pod.Results)) yield { result, level: 'pod', message };
  for (const container of pod.ContainerResults ?? []) {
    for (const message of sortedMessages(container.Results)) {
      yield { result, level: 'container', container: container.Name, message };
    }
  }
}

/** Every check result of an audit: objects in audit order, each as {@link resultEntries}. */
export function* auditEntries(audit: AuditData): Generator<ResultEntry> {
  for (const result of audit.Results ?? []) yield* resultEntries(result);
}

/** Only the failed entries of an audit, in the same stable order. */
export function failedEntries(audit: AuditData): ResultEntry[] {
  return [...auditEntries(audit)].filter((entry) => !entry.message.Success);
}

/** Counts successes, warnings and dangers over an audit (or one object's result), as the policy counts them. */
export function countResults(data: AuditData | Result): ResultCounts {
  const counts = countPolicyResults('PolarisOutputVersion' in data ? (data.Results ?? []) : [data]);
  return { ...counts, total: counts.successes + counts.warnings + counts.dangers };
}

/** "Deployment/shop/web", or "ClusterRole/admin" for a cluster-scoped object. */
export function objectLabel(result: Result): string {
  return result.Namespace ? `${result.Kind}/${result.Namespace}/${result.Name}` : `${result.Kind}/${result.Name}`;
}

/** "deploy/web.yaml:12", or undefined when the object's source is not known. */
export function sourceLabel(result: Result): string | undefined {
  return result.Source ? `${result.Source.File}:${result.Source.Line}` : undefined;
}

/** Order for showing results: dangers, then warnings, then successes; ties by check ID. */
export function compareByOutcome(a: ResultMessage, b: ResultMessage): number {
  const rank: Record<Outcome, number> = { danger: 0, warning: 1, success: 2 };
  return rank[outcomeOf(a)] - rank[outcomeOf(b)] || compareCodePoints(a.ID, b.ID);
}

/**
 * The audit without its passed checks, as Polaris's `--only-show-failed-tests`
 * (`AuditData.RemoveSuccessfulResults`): every object and container stays, with
 * only its failed messages; `Score` and the other fields are unchanged.
 * Unlike Polaris, which also blanks `PodResult.Name` here, the pod's name is kept.
 * The input is not changed.
 */
export function onlyFailedResults(audit: AuditData): AuditData {
  return { ...audit, Results: keepMessages(audit.Results ?? [], (message) => !message.Success) };
}
