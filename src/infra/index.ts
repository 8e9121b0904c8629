// kaji's AWS CDK constructs (`kaji/infra`): the platform's AWS side, read from
// the same platform.yaml as the manifest generator. Exported for users' own
// CDK apps.
export { buildPlatformApp, stackName, type PlatformApp, type PlatformAppOptions } from './app.js';
export {
  ClusterStack,
  defaultRepositoryCredentialsSecretName,
  teamNamespaces,
  type ClusterStackProps,
  type TeamAccessPolicy,
} from './cluster-stack.js';
export {
  versionPins,
  VERSION_TABLE,
  PINNED_KUBERNETES_VERSIONS,
  CHARTS,
  ALB_CONTROLLER_POLICY_VERSION,
  type VersionPins,
  type AddonPins,
  type ChartPins,
  type ChartPin,
  type KubectlLayerClass,
} from './versions.js';
export { ArgoCdBootstrap, argoCdValues, EXTERNAL_SECRETS, REPOSITORY_CREDENTIALS, type ArgoCdBootstrapProps } from './addons/argocd.js';
export { ExternalDns, txtOwnerId, EXTERNAL_DNS, type ExternalDnsProps } from './addons/external-dns.js';
export {
  LoadBalancerController,
  loadBalancerControllerPolicy,
  LOAD_BALANCER_CONTROLLER,
  type LoadBalancerControllerProps,
  type LoadBalancerControllerScope,
} from './addons/load-balancer-controller.js';
export { ResourceMetrics, type ResourceMetricsProps } from './addons/metrics.js';
export { PodIdentityRole, type PodIdentityRoleProps } from './addons/pod-identity.js';
export { SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT } from '../platform/index.js';
export { SharedStack, type SharedStackProps, type SharedNetworkProps, type SharedGitHubProps, type SharedImageProps } from './shared-stack.js';
export { applyKajiNag, suppress, kajiNagFindings, type NagSuppression } from './nag.js';
export { InfraError, exitOnKajiError } from './errors.js';
export { KARPENTER_DISCOVERY_TAG, INTERNAL_ELB_TAG, PUBLIC_ELB_TAG, PLATFORM_TAG, CLUSTER_TAG } from './private/tags.js';
export { Karpenter, KARPENTER_PINS, KARPENTER_CHART, KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT, INTERRUPTION_EVENTS, type KarpenterProps, type KarpenterPin, type DisruptionBudget, type NodePoolLimits } from './karpenter.js';
