// Capacity views of a running cluster: spot against on-demand, by pool,
// instance type and zone, pods waiting for a node, and kaji's headroom.
export { summarizeCapacity, HEADROOM_PRIORITY_CLASS, NODE_LABELS } from './summary.js';
export type { CapacitySummary, CapacityGroup, PoolGroup, PoolKind, CapacityType, ResourceUse, PodRequests, WaitingPod } from './summary.js';
export { podRequest, CapacityError, type Resources } from './requests.js';
export { readSnapshot, readCluster, CapacityInputError, SNAPSHOT_COMMAND, type ClusterObjects, type KubectlOptions } from './read.js';
export { formatCapacityTable, formatCapacityJson } from './format.js';
