// Blue/green cluster upgrades: the readiness plan, and the runbook that deploys
// the new cluster, waits for its Argo CD, moves DNS weight in verified steps
// (with rollback) and retires the old cluster, keeping its state in a file.
export { UpgradeError, StepFailedError } from './errors.js';
export { planUpgrade, chooseClusters, type UpgradePlan, type Blocker, type BlockerKind, type ClusterSummary, type ServiceReadiness, type PlanOptions } from './plan.js';
export { startUpgrade, nextStep, rollback, finish, expectedApplications, DEFAULT_SOAK_MS, DEFAULT_WEIGHT_STEPS, DEFAULT_DEGRADED_GRACE_MS } from './runbook.js';
export type { RunbookOptions, StartOptions, RollbackOptions, FinishOptions, StepResult } from './runbook.js';
export { readState, requireState, currentStep, stepsOf, weightsOf, statePath, STATE_FILE, type UpgradeState, type StepId } from './state.js';
export { setClusterWeights, setClusterRetiring, removeCluster } from './platform-edit.js';
export { listApplications, syncVerdict, ArgoCdRefusedError, ATTENTION_HEALTHS, type ArgoCdConnection, type ApplicationStatus, type SyncVerdict, type RevisionRequirement, type AttentionHealth } from './argocd.js';
export { dnsVerdict, weightedRecords, hostedZoneOf, route53Client, type WeightedRecord, type DnsVerdict, type Route53Options } from './route53.js';
export { formatDuration, parseDuration } from './wait.js';
export { formatPlan, formatStatus } from './format.js';
export { upgradeCommand, type UpgradeAddress } from './command.js';
