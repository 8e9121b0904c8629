// Names derived from the platform definition: image repositories, CI
// roles, the GitHub OIDC subject (the ECR registry is src/platform's ecrRegistry).

/** The ECR repository name of a service: the prefix (may be empty) and the service name. */
export function repositoryName(prefix: string, service: string): string {
  return `${prefix}${service}`;
}

/** IAM role names are at most 64 characters. */
const ROLE_NAME_MAX = 64;

/** `<platform>-<service>-ci`, or undefined when that is too long for IAM (CloudFormation then names the role). */
export function ciRoleName(platform: string, service: string): string | undefined {
  const name = `${platform}-${service}-ci`;
  return name.length <= ROLE_NAME_MAX ? name : undefined;
}

/** GitHub Actions' OIDC issuer, and the audience its tokens carry for AWS. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * The `sub` claim of a GitHub Actions token for a workflow run on a branch
 * (a job without `environment:`; a job with one gets `repo:<o>/<r>:environment:<name>`).
 */
export function githubBranchSubject(repository: string, branch: string): string {
  return `repo:${repository}:ref:refs/heads/${branch}`;
}

/** "feed-crawler" → "FeedCrawler", for construct ids and output names. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
