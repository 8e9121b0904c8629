// The labs platform's AWS side as a CDK app: it reads ../platform.yaml (the same
// file kaji synth reads) and builds the shared stack (VPC, DNS zone, ECR
// repositories, CI roles) and one stack per cluster (EKS, Karpenter, Argo CD
// bootstrap, load balancer controller, external-dns, metrics-server, VPA).
// `npx cdk synth` here needs no AWS account: nothing is looked up.
//
// Everything the stacks need is in platform.yaml: the platform admins
// (platform.adminRoles), the networks that may reach the clusters' API
// (platform.apiEndpointCidrs; private endpoint by default), an existing GitHub
// OIDC provider and hosted zone (platform.githubOidcProviderArn,
// platform.hostedZoneId), the VPC (network.vpcCidr, network.availabilityZones).
// `kaji synth` builds this same app from platform.yaml into out/cdk.out. What
// you add here beyond buildPlatformApp(platform) (options, constructs of your
// own) is not in out/cdk.out: deploy such an app from this folder, with
// `npx cdk deploy`.
import { fileURLToPath } from 'node:url';
import { buildPlatformApp, exitOnKajiError } from 'kaji/infra';
import { loadPlatform } from 'kaji/platform';

try {
  buildPlatformApp(await loadPlatform(fileURLToPath(new URL('../../platform.yaml', import.meta.url))));
} catch (error) {
  exitOnKajiError(error); // platform.yaml's problems at file:line, not a stack trace
}
