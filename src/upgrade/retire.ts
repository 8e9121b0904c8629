// Retiring the old cluster without leaving its AWS resources behind. Deleting
// its stack (cdk destroy, or CloudFormation) deletes what the stack made, not
// what controllers inside the cluster made: the load balancers, target groups
// and security groups of the AWS Load Balancer Controller, and external-dns's
// records (weight 0 by then) and their TXT ownership records. So the cluster's
// own controllers delete those first: one commit marks the cluster `retiring:
// true` in platform.yaml and, generated from it, deletes its service
// Applications (clusters/<old>/argocd/apps/: kaji synth writes none for a
// retiring cluster); the old cluster's kaji-root prunes them, their resources
// finalizer deletes their Ingresses, the Load Balancer Controller lets an
// Ingress go only once it has deleted its load balancer, and external-dns
// (policy sync) deletes the records of Ingresses gone. The same commit deletes
// the headroom's placeholders (clusters/<old>/platform/headroom/deployment.yaml),
// so Karpenter can let the old cluster's nodes go as its pods do. finish waits until
// Route 53 holds no record of the old cluster, and only then destroys or
// removes it.
//
// A state in platform.yaml rather than files deleted by hand: the manifest
// repository stays what kaji synth generates. With platform.yaml in the
// manifest repository (one repository), the commit carries it, so CI (`kaji
// synth --check-only`) passes at every point of the retirement and nobody's
// `kaji synth` brings the Applications (and with them the Ingresses, load
// balancers and records) back while finish waits for them to go. With two
// repositories, platform.yaml is edited in place: that holds only once it is
// committed, so finish says so as soon as the retirement is pushed.
//
// Only the Applications (and the placeholders) go, not the folder: with clusters/<old>/ gone
// kaji-root's path no longer exists, and Argo CD prunes nothing then
// (argoproj/argo-cd#5205); kaji-root and every AppProject stay, as an
// Application whose project is pruned with it is stuck deleting
// (argoproj/argo-cd#4369). The platform Applications (kaji-tenants,
// kaji-platform) stay too: they have no finalizer and make no AWS resources.
// What else of the cluster stays, and why: serviceApplications in
// src/platform/derive/cluster.ts.
import type { PlatformDefinition } from '../platform/index.js';
import { displayPath } from '../kube/index.js';
import { repositoryPath } from '../platform/derive/names.js';
import { headroomComponent, PLACEHOLDERS_FILE } from '../platform/derive/components/headroom.js';
import { stackName } from '../platform/stack-name.js';
import { branchWeights } from './branch-weights.js';
import { StepFailedError, UpgradeError } from './errors.js';
import { setClusterRetiring } from './platform-edit.js';
import { releasePlatformChange, type ReleaseOptions, type ReleaseResult } from './release.js';
import { route53Client, zoneRecordsPoller, type Route53Options } from './route53.js';
import { formatDuration, waitUntil } from './wait.js';

export type RetireOptions = Pick<ReleaseOptions, 'title' | 'trailers' | 'manifests' | 'base' | 'attempts' | 'kubectl' | 'author' | 'onProgress' | 'beforeLive'>;

/** Where a cluster's service Applications are, in the manifest repository. */
function serviceApplicationsFolder(platform: PlatformDefinition, cluster: string): string {
  return repositoryPath(platform, 'clusters', cluster, 'argocd', 'apps');
}

/** Where a cluster's headroom placeholders are, in the manifest repository (none with the headroom off). */
function placeholdersFile(platform: PlatformDefinition, cluster: string): string {
  return repositoryPath(platform, 'clusters', cluster, 'platform', headroomComponent.name, PLACEHOLDERS_FILE);
}

/**
 * Releases `cluster`'s retirement: platform.yaml marks it retiring, and the
 * one commit pushed to the branch Argo CD follows deletes its service
 * Applications and its headroom placeholders, and changes nothing else kaji
 * synth writes. The state already
 * set (a run stopped after its push) is nothing to push. Refused, nothing
 * pushed, while the branch gives the cluster any weight: its services would
 * stop while serving.
 */
export function releaseRetiring(platform: PlatformDefinition, cluster: string, options: RetireOptions): Promise<ReleaseResult> {
  const folder = serviceApplicationsFolder(platform, cluster);
  const placeholders = placeholdersFile(platform, cluster);
  const checkBranch = async (clone: { root: string; base: string }): Promise<void> => {
    const weights = (await branchWeights(clone.root, platform.manifests.path, [cluster]))[cluster]!;
    if (weights.every((weight) => weight === 0)) return;
    throw new UpgradeError(
      `${clone.base} of the manifest repository gives ${cluster} weight ${weights.join(' and ')}, so it was not marked retiring and its Applications stay: it may be serving. ` +
        `Someone moved traffic back since the last weight step (a hand edit, a rollback run elsewhere); find out why before retiring ${cluster}`,
    );
  };
  return releasePlatformChange(platform, {
    ...options,
    platformFile: platform.file,
    edit: (text) => setClusterRetiring(text, cluster, displayPath(platform.file)),
    // Deleted files only: their diffs are all removed lines.
    expected: {
      what: `the deletion of ${folder}/ and ${placeholders}`,
      allows: (file, changed) => (file.startsWith(`${folder}/`) || file === placeholders) && changed.every((line) => line.startsWith('-')),
    },
    checkBranch,
  });
}

export interface RecordsGoneOptions {
  readonly route53?: Route53Options;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly onProgress: (message: string) => void;
}

/**
 * Waits until Route 53 holds no weighted record of `cluster` (set identifier
 * = cluster name), address or TXT ownership record: its external-dns has
 * deleted them, so its Ingresses, and their load balancers, are gone. Returns
 * what it saw, for the terminal.
 */
export async function waitUntilRecordsGone(platform: PlatformDefinition, cluster: string, options: RecordsGoneOptions): Promise<string> {
  if (!platform.services.some((service) => service.hosts.length > 0)) {
    return `no service has hosts: no record of ${cluster} to wait for in Route 53`;
  }
  const what = `${cluster}'s Argo CD to prune its Applications and its external-dns to delete their records`;
  const client = route53Client(options.route53 ?? {});
  try {
    const poll = zoneRecordsPoller(client, platform.platform.domain, { ...options.route53, ownership: true });
    let zone = '';
    await waitUntil(
      async () => {
        const seen = await poll();
        if (!('records' in seen)) return seen;
        zone = seen.zone;
        const left = seen.records.filter((record) => record.setIdentifier === cluster).map((record) => `${record.name} ${record.type} ${cluster} (weight ${record.weight})`);
        return { done: left.length === 0, summary: `Route 53 zone ${zone}: ${left.length} record(s) of ${cluster} left`, waiting: left };
      },
      {
        what,
        timeoutMs: options.timeoutMs,
        intervalMs: options.intervalMs,
        onProgress: options.onProgress,
        onTimeout: (last) =>
          new StepFailedError(
            `timed out after ${formatDuration(options.timeoutMs)} waiting for ${what}: ${last.summary}. ` +
              `Look at ${cluster}'s Argo CD (kaji-root Synced to the commit above? an Application stuck deleting, and why?) and at its external-dns's logs, then run the same command again` +
              last.waiting.slice(0, 20).map((line) => `\n  ${line}`).join(''),
          ),
      },
    );
    return `Route 53 zone ${zone} has no record of ${cluster} left: its Ingresses and their load balancers are gone`;
  } finally {
    client.destroy();
  }
}

/** What neither cdk destroy nor the retirement removes for sure: the checks to make once the old cluster's stack is deleted. */
export function leftoverChecks(platform: PlatformDefinition, cluster: string): string {
  // The EKS cluster is named as its stack (ClusterStack).
  const eksCluster = stackName(platform, cluster);
  const region = `--region ${platform.platform.region}`;
  return (
    `once ${eksCluster} is deleted, check that nothing of it is left: ` +
    `Karpenter's nodes (aws ec2 describe-instances ${region} --filters Name=tag:kaji.dev/platform,Values=${platform.platform.name} Name=tag:kaji.dev/cluster,Values=${cluster} Name=instance-state-name,Values=pending,running), ` +
    `the Load Balancer Controller's load balancers, target groups and security groups (aws resourcegroupstaggingapi get-resources ${region} --tag-filters Key=elbv2.k8s.aws/cluster,Values=${eksCluster}), ` +
    `and, with argocd.ingress, the Route 53 records of argocd.${cluster}.${platform.platform.domain}`
  );
}
