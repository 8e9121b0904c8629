// Patterns shared beyond platform.yaml, in a module with no imports, so that
// git and CDK code can use them without loading the platform loader.

/**
 * A branch name git accepts (`git check-ref-format --branch`): no control
 * characters, spaces or ~^:?*[\, no "..", "//", "@{" or component starting
 * with "."; not starting with "-" (never read as an option), not ending with
 * "/", "." or ".lock", and not HEAD.
 */
export const GIT_BRANCH = '^(?![-/.])(?!(?:HEAD|@)$)(?!.*(?:\\.\\.|//|@\\{|/\\.|\\.lock/))(?!.*(?:/|\\.|\\.lock)$)[^\\x00-\\x20\\x7f~^:?*\\[\\\\]+$';

const BRANCH_NAME = new RegExp(GIT_BRANCH, 'u');

/** Whether git accepts `name` as a branch name (GIT_BRANCH): one rule for platform.yaml, kaji bump and the CI roles. */
export function isGitBranchName(name: string): boolean {
  return BRANCH_NAME.test(name);
}
