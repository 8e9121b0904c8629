// The platform's CloudFormation stack names, shared by the CDK app
// (kaji/infra's buildPlatformApp) and kaji upgrade, which deploys and destroys
// a cluster's stack by name, and its EKS cluster names, which kaji dashboard
// matches against a capacity snapshot. No aws-cdk-lib here: kaji upgrade loads this.

/** The part of the shared stack's name, which no cluster may take as its name (the stacks would collide). */
export const SHARED_STACK_PART = 'shared';

/** Stack names: `<platform>-shared` and `<platform>-<cluster>`. */
export function stackName(platform: { readonly platform: { readonly name: string } }, part: string): string {
  return `${platform.platform.name}-${part}`;
}

/** The EKS cluster's name of a platform's cluster: `<platform>-<cluster>`, as its stack's (ClusterStack gives it to EKS). */
export function eksClusterName(platform: { readonly platform: { readonly name: string } }, cluster: string): string {
  return stackName(platform, cluster);
}
