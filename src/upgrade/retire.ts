// Retiring the old cluster without leaving its AWS resources behind. Deleting
// its stack (cdk destroy, or CloudFormation) deletes what the stack made, not
// what controllers inside the cluster made: the load balancers, target groups
// and security groups of the AWS Load Balancer Controller, and external-dns's
// records (weight 0 by then) and their TXT ownership records. So the cluster's
// own controllers delete those first: one commit removes the service
// Applications (clusters/<old>/argocd/apps/), the old cluster's kaji-root
// prunes them, their resources finalizer deletes their Ingresses, the Load
// Balancer Controller lets an Ingress go only once it has deleted its load
// balancer, and external-dns (policy sync) deletes the records of Ingresses
// gone. finish waits until Route 53 holds no record of the old cluster, and
// only then destroys or removes it.
//
// Only the Applications go, not the folder: with clusters/<old>/ gone
// kaji-root's path no longer exists, and Argo CD prunes nothing then
// (argoproj/argo-cd#5205); kaji-root and every AppProject stay, as an
// Application whose project is pruned with it is stuck deleting
// (argoproj/argo-cd#4369). The platform Applications (kaji-tenants,
// kaji-platform) stay too: they have no finalizer and make no AWS resources.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isUrl, redact, Workspace } from '../gitops/index.js';
import { urlCredentials } from '../gitops/git.js';
import type { PlatformDefinition } from '../platform/index.js';
import { repositoryPath } from '../platform/derive/names.js';
import { stackName } from '../platform/stack-name.js';
import { branchWeights } from './branch-weights.js';
import { StepFailedError, UpgradeError } from './errors.js';
import { releaseSource, type ReleaseOptions } from './release.js';
import { hostedZoneOf, Route53BusyError, route53Client, weightedRecords, type Route53Options } from './route53.js';
import { formatDuration, waitUntil } from './wait.js';

export interface DrainOptions extends Pick<ReleaseOptions, 'manifests' | 'base' | 'attempts' | 'author' | 'onProgress' | 'trailers'> {
  /** The commit's first line. */
  readonly title: string;
}

export interface DrainResult {
  /** The commit pushed, or the base tip that had no Applications of the cluster left. */
  readonly commit: string;
  readonly pushed: boolean;
  /** The Application files the commit removed, as paths in the repository. */
  readonly files: readonly string[];
}

/** Where a cluster's service Applications are, in the manifest repository. */
export function serviceApplicationsFolder(platform: PlatformDefinition, cluster: string): string {
  return repositoryPath(platform, 'clusters', cluster, 'argocd', 'apps');
}

/**
 * Pushes one commit removing `cluster`'s service Applications from the branch
 * Argo CD follows (a push, redone on the new tip when it loses a race, as a
 * weight step's release). Refused, nothing pushed, while the branch gives the
 * cluster any weight: its services would stop while serving.
 */
export async function releaseDrain(platform: PlatformDefinition, cluster: string, options: DrainOptions): Promise<DrainResult> {
  const source = releaseSource(platform, options.manifests);
  const secrets = isUrl(source) ? urlCredentials(source).secrets : [];
  const progress = (message: string) => options.onProgress?.(redact(message, secrets));
  const folder = serviceApplicationsFolder(platform, cluster);
  progress(`cloning ${isUrl(source) ? source : 'the manifest repository'} (${options.base ?? platform.manifests.branch})`);
  const workspace = await Workspace.open({ source, base: options.base ?? platform.manifests.branch, shallow: isUrl(source), ...(options.author ? { author: options.author } : {}) });
  try {
    const apply = async (w: Workspace): Promise<boolean> => {
      const weights = (await branchWeights(w.root, platform.manifests.path, [cluster]))[cluster]!;
      if (weights.some((weight) => weight !== 0)) {
        throw new UpgradeError(
          `${w.base} of the manifest repository gives ${cluster} weight ${weights.join(' and ')}, so its Applications were not removed: it may be serving. ` +
            `Someone moved traffic back since the last weight step (a hand edit, a rollback run elsewhere); find out why before retiring ${cluster}`,
        );
      }
      await rm(join(w.root, folder), { recursive: true, force: true });
      return w.hasChanges();
    };
    progress(`removing ${folder}/ (${cluster}'s service Applications)`);
    if (!(await apply(workspace))) {
      progress(`${workspace.base} has no Applications in ${folder}/ already (${workspace.baseCommit.slice(0, 12)}): nothing to push`);
      return { commit: workspace.baseCommit, pushed: false, files: [] };
    }
    const files = (await workspace.diff()).split('\n').filter((line) => line.startsWith('diff --git ')).map((line) => line.replace(/^diff --git a\/(.*) b\/.*$/, '$1'));
    await workspace.commit(`${options.title}\n\n${files.map((file) => `- ${file}`).join('\n')}\n`, options.trailers);
    progress(`pushing to ${workspace.base}`);
    const result = await workspace.pushToBase({ attempts: options.attempts ?? 20, reapply: apply });
    return { commit: result.commit, pushed: result.pushed, files };
  } finally {
    await workspace.dispose();
  }
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
    const zone = await hostedZoneOf(client, platform.platform.domain, options.route53 ?? {});
    await waitUntil(
      async () => {
        let records;
        try {
          records = await weightedRecords(client, zone, { ownership: true });
        } catch (error) {
          if (error instanceof Route53BusyError) return { done: false, summary: `Route 53 is throttling (${error.message}): asking again`, waiting: [] };
          throw error;
        }
        const left = records.filter((record) => record.setIdentifier === cluster).map((record) => `${record.name} ${record.type} ${cluster} (weight ${record.weight})`);
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

/** What neither cdk destroy nor the drain removes for sure: the checks to make once the old cluster's stack is deleted. */
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
