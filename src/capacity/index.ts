// Capacity views of a running cluster: spot against on-demand, by pool,
// instance type and zone, pods waiting for a node, and kaji's headroom.
export { summarizeCapacity, HEADROOM_PRIORITY_CLASS, NODE_LABELS } from './summary.js';
export type { CapacitySummary, CapacityGroup, PoolGroup, PoolKind, CapacityType, ResourceUse, PodRequests, WaitingPod, NotSchedulable, NotSchedulableNode } from './summary.js';
export { podRequest, CapacityError, type Resources } from './requests.js';
export { eksClustersOf, type EksClusterEvidence } from './eks-cluster.js';
export { readSnapshot, readCluster, CapacityInputError, SNAPSHOT_COMMAND, type ClusterObjects, type KubectlOptions } from './read.js';
export { formatCapacityTable, formatCapacityJson, type CapacityContext } from './format.js';
// Right-sizing: the VPA recommender's numbers as requests in the manifest repository.
export { recommendationsOf, RESOURCE_NAMES, type WorkloadRecommendation, type ContainerRecommendation, type ResourceName, type Amounts } from './recommendations.js';
export { readClusterRecommendations, readSnapshotRecommendations, VPA_SNAPSHOT_COMMAND } from './read-vpa.js';
export { propose, roundUp, formatAmount, amountOf, amountOrUndefined, signedPercent, FLOOR, DEFAULT_THRESHOLD, type Proposal, type ProposalInput, type RecommendationInput, type CapName, type Decision } from './propose.js';
export { findRequestSite, editRequest, type RequestSite, type SiteSearch } from './request-sites.js';
