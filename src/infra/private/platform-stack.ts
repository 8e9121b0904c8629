// The base of kaji's stacks: aws-cdk-lib's Stack, naming each element once.
import * as cdk from 'aws-cdk-lib/core';

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
}
