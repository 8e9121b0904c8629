// The base of kaji's stacks: aws-cdk-lib's Stack, naming each element once.
import * as cdk from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The logical ID allocated to each element, before renames. */
const allocated = new WeakMap<cdk.CfnElement, string>();

/**
 * A Stack whose elements' logical IDs are allocated once. aws-cdk-lib derives
 * an element's logical ID (an MD5 of its construct path) anew every time a
 * template, a reference or a dependency names it: about 3,000 times for the
 * example platform's 260-odd elements, a tenth of its synthesis. A construct's
 * path never changes, so the first answer is kept. `renameLogicalId` and
 * `overrideLogicalId` act after allocation and still apply.
 */
export class PlatformStack extends cdk.Stack {
  protected override allocateLogicalId(element: cdk.CfnElement): string {
    let logicalId = allocated.get(element);
    if (logicalId === undefined) {
      logicalId = super.allocateLogicalId(element);
      allocated.set(element, logicalId);
    }
    return logicalId;
  }

  /**
   * Narrows the trust of a service role aws-cdk-lib made (one statement, for
   * one AWS service) to requests on behalf of this account and of resources
   * matching `sourceArn` (aws:SourceAccount, aws:SourceArn), against the
   * cross-service confused deputy problem. The role stays aws-cdk-lib's,
   * changed by an override of that statement, so no logical ID changes and
   * nothing is replaced. False when the role is not such a role (an
   * aws-cdk-lib upgrade changed it), for the caller to report.
   */
  protected restrictServiceRoleTrust(role: iam.IRole | undefined, sourceArn: string): boolean {
    if (!(role instanceof iam.Role) || role.assumeRolePolicy?.statementCount !== 1) return false;
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: { 'aws:SourceArn': sourceArn },
    });
    return true;
  }
}
