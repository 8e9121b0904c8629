// The platform definition (`platform.yaml`): its types, and loading with validation.
export type * from './types.js';
export { RESERVED_NAMESPACES, KAJI_NAMESPACE, HEADROOM_NAME, INTERNET_EXCEPT, INTERNET_PORTS } from './types.js';
export { parseCidr, cidrContains, cidrCovers, formatCidr } from './cidr.js';
export type { Cidr, CidrParse } from './cidr.js';
export { loadPlatform, parsePlatform } from './definition/load.js';
export { PlatformError, PlatformErrors } from './definition/errors.js';
export { PLATFORM_SCHEMA, PLATFORM_DEFAULTS, INTERNET, platformSchemaJson, defaultWebhookImage, kajiVersion } from './definition/schema.js';
export { isGitBranchName } from './definition/patterns.js';
export {
  apiEndpointCidrProblem,
  arnPartitionProblem,
  availabilityZonesProblem,
  defaultAvailabilityZones,
  ecrRegistry,
  ZONE_COUNT,
  type ZoneProblem,
} from './definition/aws-network.js';
export {
  defaultSubnetBlock,
  parseVpcCidr,
  planSubnets,
  SMALLEST_SUBNET_PREFIX,
  SUBNET_GROUPS,
  type SubnetGroup,
  type SubnetPlan,
  type SubnetPlanInput,
  type SubnetPlanResult,
  type SubnetProblem,
} from './definition/subnet-plan.js';
export { EKS_VERSIONS, EKS_VERSIONS_CHECKED_ON, SUPPORTED_KUBERNETES_VERSIONS, eksVersion } from './definition/eks-versions.js';
export type { EksVersion } from './definition/eks-versions.js';
export * from './derive/index.js';
