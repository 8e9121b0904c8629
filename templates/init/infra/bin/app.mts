// The __PLATFORM_NAME__ platform's AWS side as a CDK app: it reads ../platform.yaml (the same
// file kaji synth reads) and builds the shared stack (VPC, DNS zone, ECR
// repositories, CI roles) and one stack per cluster (EKS, Karpenter, Argo CD
// bootstrap, load balancer controller, external-dns, metrics-server, VPA).
// `npx cdk synth` here needs no AWS account: nothing is looked up.
//
// The platform admins (cluster admin, for kubectl) are platform.adminRoles in
// platform.yaml. The clusters' API endpoint is private (reachable from the VPC
// and networks connected to it); to reach it from an office or VPN egress,
// name those IPv4 networks:
//   buildPlatformApp(platform, { clusters: { publicEndpointCidrs: ['203.0.113.0/24'] } });
import { fileURLToPath } from 'node:url';
import { buildPlatformApp } from 'kaji/infra';
import { loadPlatform } from 'kaji/platform';

const platform = await loadPlatform(fileURLToPath(new URL('../../platform.yaml', import.meta.url)));
buildPlatformApp(platform);
