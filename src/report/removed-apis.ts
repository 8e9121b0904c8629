// `kaji check --kubernetes-version`: the removed-API verdicts (src/apis) as one
// more check on each object they judge, a danger when it fails, so that every
// report format shows, counts and scores them like any other check.
import type { RemovedApiVerdict } from '../apis/index.js';
import { countResults, scoreOf } from '../policy/score.js';
import type { AuditData, ResultMessage, ResultSet } from '../policy/types.js';

/** The check ID removed-API results carry. */
export const REMOVED_API_CHECK = 'removedApiVersion';

/**
 * The audit with each object's verdict added to its own results: passed for an
 * apiVersion `version` serves, failed as a danger (the finding's message says
 * what to write instead) for one it no longer serves, nothing for an object
 * not judged. `verdicts` are in the audit's order, one per result. The input
 * is not changed; the score is recomputed.
 */
export function withRemovedApiResults(audit: AuditData, verdicts: readonly RemovedApiVerdict[], version: string): AuditData {
  if (verdicts.length !== audit.Results.length) throw new Error(`${verdicts.length} removed-API verdicts for ${audit.Results.length} results`);
  // What kaji knows is the guide's removals: an apiVersion it has no row for (an alpha, a typo) is not known to be served.
  const passed = message(true, `apiVersion is not among those removed by Kubernetes ${version}`);
  // The engine shares frozen result sets among objects with the same outcomes; a passed verdict keeps them shared.
  const passedSets = new Map<ResultSet, ResultSet>();
  const results = audit.Results.map((result, index) => {
    const verdict = verdicts[index];
    if (verdict === undefined) return result;
    if (verdict !== 'served') return { ...result, Results: withMessage(result.Results, message(false, verdict.message)) };
    let set = passedSets.get(result.Results);
    if (set === undefined) {
      set = withMessage(result.Results, passed);
      if (Object.isFrozen(result.Results)) passedSets.set(result.Results, Object.freeze(set));
    }
    return { ...result, Results: set };
  });
  return { ...audit, Results: results, Score: scoreOf(countResults(results)) };
}

function message(success: boolean, text: string): ResultMessage {
  return Object.freeze({ ID: REMOVED_API_CHECK, Message: text, Details: null, Success: success, Severity: 'danger', Category: 'Reliability' });
}

function withMessage(set: ResultSet, added: ResultMessage): ResultSet {
  return { ...set, [REMOVED_API_CHECK]: added };
}
