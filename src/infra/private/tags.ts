// Tag keys the shared VPC's subnets carry, read by controllers in the
// clusters: Karpenter finds the subnets to launch nodes in, and the AWS Load
// Balancer Controller finds the subnets for internal and internet-facing load
// balancers.

/** Karpenter's EC2NodeClass `subnetSelectorTerms` select on this tag; its value is the platform name. */
export const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';
/** Subnets for internal load balancers (value "1"). */
export const INTERNAL_ELB_TAG = 'kubernetes.io/role/internal-elb';
/** Subnets for internet-facing load balancers (value "1"). */
export const PUBLIC_ELB_TAG = 'kubernetes.io/role/elb';
/** Every resource kaji creates carries the platform name under this key. */
export const PLATFORM_TAG = 'kaji.dev/platform';
/** Every resource of a cluster stack, and every node Karpenter launches, carries the cluster name under this key. */
export const CLUSTER_TAG = 'kaji.dev/cluster';
