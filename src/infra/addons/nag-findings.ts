// Acknowledging the findings of one cdk-nag rule on a construct that kaji does
// not write the policy of (aws-cdk-lib's kubectl provider, the AWS Load
// Balancer Controller's upstream IAM policy): the findings are listed by
// running the rule pack on that construct, so each one is acknowledged by its
// own id, with the reason, and a finding of any other rule still fails.
import type { IConstruct } from 'constructs';
import { kajiNagFindings, nagDisabled, suppress } from '../nag.js';

/**
 * Acknowledges every finding of `rule` (e.g. "AwsSolutions-IAM5") under `scope`, with one reason.
 * Listing the findings runs the rule pack, so it is skipped in an app that says it runs no cdk-nag.
 */
export function acknowledgeRuleFindings(scope: IConstruct, rule: string, reason: string): void {
  if (nagDisabled(scope)) return;
  const ids = kajiNagFindings(scope)
    .map((finding) => finding.ruleName)
    .filter((id) => id === rule || id.startsWith(`${rule}[`));
  if (ids.length > 0) suppress(scope, ids.map((id) => ({ id, reason })));
}
