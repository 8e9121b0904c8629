// `kaji rightsize`: the VPA recommender's numbers become the requests written in
// the manifest repository, as one pull request a person merges (Argo CD then
// rolls the pods). The work happens in a temporary clone, as `kaji bump`'s does:
//
// 1. per service with recommendations, per cluster with an overlay: render the
//    overlay, find each recommended container of each workload, and where its
//    requests are written (request-sites.ts);
// 2. per written value (a base shared by the clusters is one value): propose
//    the new request from the recommendations of the clusters that run it
//    (each VPA names its cluster: kaji.dev/cluster), and only when every one of
//    them was read (propose.ts: the largest, rounded, floored, capped at each
//    cluster's limit, past the threshold); a resource an HPA scales the
//    workload on is left alone;
// 3. edit the values byte for byte, render again and check that every
//    cluster runs exactly the proposed requests, and every other request and
//    limit as before (a service whose render does not is left as it was, and
//    reported: text shared through a YAML anchor, say), and that its pods still
//    fit the namespace's ResourceQuota there (quota-fit.ts: replicas or the
//    HPA's maxReplicas, plus the rolling update's surge); where they do not,
//    the raises of that resource are left out, and reported;
// 4. commit, force-push `kaji/rightsize` (or `kaji/rightsize-<a>+<b>` for the
//    services chosen: rightsizeBranch) and open or update its pull request;
//    or, with dryRun, only the diff. The push rebuilds the branch from the
//    base: it is refused (nothing pushed, the pull request left as it is)
//    while the branch changes a value this run did not judge on every
//    cluster's numbers, whose edit the rebuild would drop (unjudgedEdits);
// 5. or, when nothing is left to change, delete that branch, whose open pull
//    request holds stale values (merging it would apply them), and close the
//    pull request with a comment saying why: only when the run judged, on every
//    cluster's numbers, every value the branch changes, only while the branch
//    holds kaji's commits alone (pushBranch's rule) and is where GitHub has the
//    pull request's head (settleStalePullRequest).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import {
  addStream,
  didYouMean,
  findPodSpec,
  isInside,
  isObject,
  kustomizationFile,
  kustomizationFolders,
  renderKustomization,
  type InputProblem,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from '../kube/index.js';
import { loadPlatform, type PlatformDefinition, type ServiceDefinition } from '../platform/index.js';
import { BranchMovedError, foreignCommitsText, isUrl, redact, SourceNotFoundError, SourceNotRepositoryError, urlCredentials, withGitFix, Workspace, type BranchChanges } from '../gitops/git.js';
import { GitHubError, GitHubForge, githubApiUrlProblem, pullRequestBranch, pullRequestRepository, type FoundPullRequest, type PullRequestResult } from '../gitops/github.js';
import { clusterFolder } from '../platform/derive/names.js';
import { limitRangeObject, resourceQuotaObject, systemPriorityQuotaObject } from '../platform/derive/tenant.js';
import { hpaScaledResources, recommendedWorkloads, VPA_CLUSTER_LABEL } from '../platform/derive/vpa.js';
import { amountOf, amountOrUndefined, DEFAULT_THRESHOLD, formatAmount, propose, signedPercent, type Proposal, type RecommendationInput } from './propose.js';
import { RESOURCE_NAMES, type ResourceName, type WorkloadRecommendation } from './recommendations.js';
import { limitRangeDefaults, namespaceRequests, quotaHard, quotaPods, type NamespaceRequests } from './quota-fit.js';
import { changedRequests, editRequest, findRequestSite, siteWorkload, writtenRequests, type RequestSite, type SiteSearch, type WrittenRequest } from './request-sites.js';
import { CapacityError } from './requests.js';

export const RIGHTSIZE_LABEL = 'kaji/rightsize';

/** A run that cannot be done as asked: an unknown service, no token for a pull request, a manifest folder that is not there. */
export class RightsizeError extends Error {}

export interface RightsizeOptions {
  /** What the clusters' VPAs recommend (every cluster's, read beforehand). */
  readonly recommendations: readonly WorkloadRecommendation[];
  /** The folder holding platform.yaml. @default "." */
  readonly platformDirectory?: string;
  /** platform.yaml as loadRightsizePlatform read it. @default read from platformDirectory */
  readonly platform?: PlatformDefinition;
  /** Only these services. @default every service with recommendations */
  readonly services?: readonly string[];
  /** A share: 0.1 leaves out changes under 10 %. @default DEFAULT_THRESHOLD */
  readonly threshold?: number;
  /** The manifest repository: a local path (cloned, never edited in place) or a git URL. @default the platform's manifests.url */
  readonly manifests?: string;
  /** @default the platform's manifests.branch */
  readonly base?: string;
  readonly dryRun?: boolean;
  /** owner/name on GitHub. @default from the manifests URL */
  readonly githubRepository?: string;
  readonly githubApiUrl?: string;
  /** @default process.env.GITHUB_TOKEN */
  readonly token?: string;
  readonly kubectl?: string;
  readonly author?: { readonly name: string; readonly email: string };
  readonly onProgress?: (message: string) => void;
}

/** One value of one container: what is written, what the VPAs say, what it becomes. */
export interface RequestChange extends Proposal {
  readonly service: string;
  readonly namespace: string;
  readonly workload: { readonly kind: string; readonly name: string };
  readonly container: string;
  /** The clusters whose overlay renders this value. */
  readonly clusters: readonly string[];
  /** Where it is written (a path in the repository), when found. */
  readonly file?: string;
  /** Why it is left as it is, when it cannot be edited. */
  readonly skipped?: string;
  /** Clusters that run this value whose recommendations for it were not read (it is then skipped). */
  readonly unread?: readonly string[];
  readonly vpa: readonly RecommendationInput[];
}

/** What the recommendations did not lead to: a VPA without numbers yet, one of no service, a workload no overlay renders; a workload the quota check does not count. */
export interface RightsizeNote {
  readonly service?: string;
  /** The VerticalPodAutoscaler (namespace/name) and where it was read; neither for a note of the quota check. */
  readonly vpa?: string;
  readonly source?: string;
  readonly message: string;
}

export interface RightsizePlan {
  readonly threshold: number;
  readonly changes: readonly RequestChange[];
  readonly notes: readonly RightsizeNote[];
}

export interface RightsizeResult extends RightsizePlan {
  /**
   * - `unchanged`: no request moves by the threshold: nothing committed;
   * - `dry-run`: the diff only;
   * - `pull-request`: the branch was pushed (or already held this change) and the pull request opened or updated;
   * - `not-pushed`: the branch holds edits of values this run did not judge (`reason` names them), which
   *   the rebuild would drop: nothing pushed, its pull request left as it is.
   */
  readonly status: 'unchanged' | 'dry-run' | 'pull-request' | 'not-pushed';
  /** `not-pushed`: why. */
  readonly reason?: string;
  readonly diff: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly alreadyPushed?: boolean;
  readonly pullRequest?: PullRequestResult;
  readonly title?: string;
  /** `unchanged`: the open pull request of the run's branch, whose values are stale, and what became of it. */
  readonly stalePullRequest?: StalePullRequest;
}

export interface StalePullRequest {
  readonly number: number;
  readonly url: string;
  readonly branch: string;
  /**
   * - `closed`: its branch deleted (`branchDeleted`), then a comment saying why, then closed;
   * - `would-close`: a dry run (nothing touched);
   * - `left-open`: `reason` says why (someone else's commits on the branch, a run that lacked numbers,
   *   a branch that is not where GitHub has the pull request's head, or that moved as kaji deleted it).
   */
  readonly action: 'closed' | 'would-close' | 'left-open';
  readonly branchDeleted?: boolean;
  readonly reason?: string;
}

/** One request of one container of a workload. */
interface ValueName {
  readonly workload: { readonly kind: string; readonly name: string };
  readonly container: string;
  readonly resource: ResourceName;
}

/** A value whose numbers this run did not read on every cluster that runs it, and that is therefore not judged. */
interface UnreadValue {
  readonly service: string;
  /** The clusters not read; undefined: no usable recommendation of the service was read at all (no value is named). */
  readonly clusters?: readonly string[];
  /** Where it is written (a path in the repository), when found. */
  readonly file?: string;
  /** The value, and where it is written when found. */
  readonly value?: ValueName & { readonly site?: RequestSite };
  /** Whether the plan lists it (a change left as it is, and why); else only a note of the push says it is left alone. */
  readonly planned?: boolean;
}

/** A value this run read on every cluster that runs it (judged: to change, or to leave as it is, for a reason), where it is written. */
interface JudgedValue {
  /** A path in the repository. */
  readonly file: string;
  readonly site: RequestSite;
  readonly container: string;
  readonly resource: ResourceName;
}

/** A value this run walked (read or not), and where one cluster that runs it has it written: a value of the same name written elsewhere runs nowhere. */
interface WalkedValue {
  readonly service: string;
  /** valueName's: "Deployment/worker app cpu". */
  readonly name: string;
  /** A path in the repository; undefined when kaji could not tell which file sets it. */
  readonly file?: string;
}

/**
 * What the walk of the services' values found, value by value: every value walked, and whether its
 * numbers were read on every cluster that runs it (judged) or not.
 */
interface ValueWalk {
  readonly unread: UnreadValue[];
  readonly judged: JudgedValue[];
  readonly walked: WalkedValue[];
}

/** A set of services whose names joined make a longer branch name is named by a hash of the set. */
const MAX_BRANCH_LENGTH = 100;

/**
 * The branch of a run: `kaji/rightsize` for every service, `kaji/rightsize-<a>+<b>` for the services
 * chosen (sorted: the same set is the same branch, in any order; another set, another branch, so one
 * run never rebuilds another's pull request). Past MAX_BRANCH_LENGTH, `kaji/rightsize-<n>-services.<hash>`
 * (a service name has no dot). Never `kaji/rightsize/<...>`: git cannot hold a branch and branches under
 * its name (refs/heads/kaji/rightsize is a file), so that push would be refused.
 */
export function rightsizeBranch(services: readonly string[] | undefined): string {
  if (!services?.length) return 'kaji/rightsize';
  const set = [...new Set(services)].sort();
  const joined = `kaji/rightsize-${set.join('+')}`;
  if (joined.length <= MAX_BRANCH_LENGTH) return joined;
  return `kaji/rightsize-${set.length}-services.${createHash('sha256').update(set.join(',')).digest('hex').slice(0, 12)}`;
}

/**
 * platform.yaml of `directory`, and the services named checked against it (RightsizeError): read
 * before the clusters are, so a typo is told at once, not after a slow read or behind a kubectl error.
 */
export async function loadRightsizePlatform(directory = '.', services?: readonly string[]): Promise<PlatformDefinition> {
  const platform = await loadPlatform(join(resolve(directory), 'platform.yaml'));
  chooseServices(platform, services);
  return platform;
}

export async function rightsize(options: RightsizeOptions): Promise<RightsizeResult> {
  const progress = options.onProgress ?? (() => undefined);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const platform = options.platform ?? (await loadPlatform(join(resolve(options.platformDirectory ?? '.'), 'platform.yaml')));
  const chosen = chooseServices(platform, options.services);
  const { byService, leftOut, notes: allNotes } = recommendationsByService(platform, options.recommendations);
  // Notes of services left out by --service would only be noise.
  const notes = allNotes.filter((note) => note.service === undefined || chosen.some((service) => service.name === note.service));

  // The repository Argo CD pulls from, never the local checkout by default (as for kaji bump).
  const source = options.manifests ?? platform.manifests.url;
  const secrets = isUrl(source) ? urlCredentials(source).secrets : [];
  const base = options.base ?? platform.manifests.branch;
  const forge = options.dryRun ? undefined : forgeFor(options, platform, secrets);
  progress(redact(`opening ${isUrl(source) ? source : 'the manifest repository'} (${base})`, secrets));
  const workspace = await Workspace.open({ source, base, shallow: isUrl(source), ...(options.author ? { author: options.author } : {}) }).catch((error: unknown) => {
    if (error instanceof SourceNotFoundError) {
      throw new RightsizeError(`${resolve(source)} is not a directory: give --manifests a checkout of the manifest repository, or its clone URL`);
    }
    if (error instanceof SourceNotRepositoryError) throw new RightsizeError(error.message);
    throw withGitFix(error, options, source);
  });
  try {
    const manifestDir = join(workspace.root, platform.manifests.path);
    const changes: RequestChange[] = [];
    const walk: ValueWalk = { unread: [], judged: [], walked: [] };
    const readers = await overlayReaders(manifestDir, platform);
    for (const service of chosen) {
      const recommendations = byService.get(service.name) ?? [];
      if (recommendations.length === 0) {
        walk.unread.push({ service: service.name });
        continue;
      }
      progress(`rendering ${service.name}`);
      const planned = await planService(workspace, manifestDir, platform, service, { recommendations, leftOut: leftOut.get(service.name) ?? [] }, threshold, notes, walk, options.kubectl, readers);
      changes.push(...(await applyService(workspace, manifestDir, platform, service, planned, notes, options.kubectl)));
    }
    const plan: RightsizePlan = { threshold, changes, notes };
    const serviceOf = (file: string) => chosen.find((service) => file.startsWith(`${repositoryPath(workspace, serviceDir(manifestDir, service.name))}/`))?.name;
    const judged: Judged = { changes, unread: walk.unread, values: walk.judged, walked: walk.walked, serviceOf, base };
    const edited = changes.filter((change) => change.decision === 'change' && change.skipped === undefined);
    const branch = pullRequestBranch(rightsizeBranch(options.services), base, platform.manifests.branch);
    if (edited.length === 0) {
      const stale = await settleStalePullRequest(workspace, forge ?? dryRunForge(options, platform, secrets, progress), plan, judged, notes, branch, base, options.dryRun === true, progress);
      return { ...plan, status: 'unchanged', diff: '', ...(stale === undefined ? {} : { stalePullRequest: stale }) };
    }
    const diff = await workspace.diff();
    if (options.dryRun) return { ...plan, status: 'dry-run', diff };

    const title = titleOf(edited);
    const made = await workspace.commit(commitMessage(title, edited), { 'Kaji-Rightsize': [...new Set(edited.map((c) => c.service))].join(', ') });
    const kept = await workspace.remoteTipLikeHead(branch);
    if (kept === undefined) {
      // The rebuild from the base keeps only this run's edits: the branch's others (at the tip read, the
      // push's lease) must be judged by it. Commits kaji did not make are pushBranch's to refuse.
      const { held, leftAlone } = (await workspace.foreignCommits(branch)).length === 0 ? await unjudgedEdits(workspace, branch, await workspace.branchChanges(branch), judged) : NOTHING_UNJUDGED;
      notes.push(...leftAlone);
      if (held.length > 0) {
        const reason = `${branch} changes values this run did not judge on every cluster's numbers (${held.join('; ')}), and rebuilding it from ${base} would drop their edits: nothing was pushed, and its pull request is left as it is; read every cluster (--context per cluster) and every service the branch changes${orphanAdvice(held)}`;
        return { ...plan, status: 'not-pushed', diff, branch, reason };
      }
      progress(`pushing ${branch}`);
      await workspace.pushBranch(branch);
    } else {
      progress(`${branch} already has this change on ${base} (${kept.slice(0, 12)}): nothing to push`);
    }
    await workspace.refuseMovedSince(branch, kept ?? made);
    progress('opening the pull request');
    const pullRequest = await forge!.upsertPullRequest({ head: branch, base, title, body: pullRequestBody(plan), labels: [RIGHTSIZE_LABEL] });
    return { ...plan, status: 'pull-request', diff, branch, commit: kept ?? made, pullRequest, title, ...(kept === undefined ? {} : { alreadyPushed: true }) };
  } finally {
    await workspace.dispose();
  }
}

// --- which service a VPA belongs to ------------------------------------------------

function chooseServices(platform: PlatformDefinition, names: readonly string[] | undefined): ServiceDefinition[] {
  const services = [...platform.services].sort((a, b) => a.name.localeCompare(b.name));
  if (!names?.length) return services;
  for (const name of names) {
    if (!services.some((service) => service.name === name)) {
      throw new RightsizeError(`unknown service "${name}"${didYouMean(name, services.map((s) => s.name))}; it is not in ${posix.basename(platform.file)}`);
    }
  }
  return services.filter((service) => names.includes(service.name));
}

/**
 * kaji's own label names the service; a VPA without it belongs to the one service of its namespace, if
 * there is one. `leftOut`: per service, the VPAs of a known cluster whose numbers are not used (none
 * yet, or doubted): the values of their workloads are not judged.
 */
function recommendationsByService(
  platform: PlatformDefinition,
  recommendations: readonly WorkloadRecommendation[],
): { byService: Map<string, WorkloadRecommendation[]>; leftOut: Map<string, WorkloadRecommendation[]>; notes: RightsizeNote[] } {
  const byService = new Map<string, WorkloadRecommendation[]>();
  const leftOut = new Map<string, WorkloadRecommendation[]>();
  const notes: RightsizeNote[] = [];
  const leave = (service: string, recommendation: WorkloadRecommendation) => leftOut.set(service, [...(leftOut.get(service) ?? []), recommendation]);
  for (const recommendation of recommendations) {
    const vpa = `${recommendation.namespace}/${recommendation.name}`;
    const inNamespace = platform.services.filter((service) => service.namespace === recommendation.namespace);
    const service =
      inNamespace.find((candidate) => candidate.name === recommendation.serviceLabel) ?? (inNamespace.length === 1 ? inNamespace[0] : undefined);
    if (service === undefined) {
      notes.push({ vpa, source: recommendation.source, message: `namespace ${recommendation.namespace} is no service's of platform.yaml: left out` });
      continue;
    }
    if (recommendation.cluster === undefined) {
      notes.push({ service: service.name, vpa, source: recommendation.source, message: `no ${VPA_CLUSTER_LABEL} label, so the cluster its numbers are from is unknown: left out (kaji synth writes the label; sync the new clusters/ folder)` });
      continue;
    }
    if (recommendation.containers.length === 0) {
      notes.push({ service: service.name, vpa, source: recommendation.source, message: 'no recommendation yet (the recommender needs its pods running for a while)' });
      leave(service.name, recommendation);
      continue;
    }
    // The recommender's own doubts: numbers from a few hours of a new cluster, or of pods long gone.
    const doubt = recommendation.conditions.includes('NoPodsMatched')
      ? 'its recommendation is stale (condition NoPodsMatched: no pod of the workload runs)'
      : recommendation.conditions.includes('LowConfidence')
        ? 'its recommendation has low confidence (condition LowConfidence: the recommender has little history of the pods yet)'
        : undefined;
    if (doubt !== undefined) {
      notes.push({ service: service.name, vpa, source: recommendation.source, message: `${doubt}: left out` });
      leave(service.name, recommendation);
      continue;
    }
    byService.set(service.name, [...(byService.get(service.name) ?? []), recommendation]);
  }
  return { byService, leftOut, notes };
}

// --- the plan of one service ---------------------------------------------------------

interface PlannedValue {
  readonly site: RequestSite | undefined;
  readonly skipped?: string;
  /** As the first cluster that runs it names it. */
  readonly workload: { kind: string; name: string };
  readonly container: string;
  readonly resource: ResourceName;
  readonly clusters: string[];
  /** Per cluster, the workload as its render names it (an overlay's namePrefix renames it there). */
  readonly workloads: { kind: string; name: string }[];
  /** Per cluster, the rendered value and limit (millicores or bytes). */
  readonly rendered: { current?: bigint; limit?: bigint }[];
}

interface ServicePlan {
  readonly changes: RequestChange[];
  readonly sites: Map<RequestChange, RequestSite>;
  /** Per change, the workload each cluster that runs it renders it in. */
  readonly workloads: Map<RequestChange, ClusterWorkload[]>;
  readonly clusters: string[];
  /** Per cluster, the render before any edit. */
  readonly renders: Map<string, Rendered>;
}

interface ClusterWorkload {
  readonly cluster: string;
  readonly workload: { readonly kind: string; readonly name: string };
}

async function planService(
  workspace: Workspace,
  manifestDir: string,
  platform: PlatformDefinition,
  service: ServiceDefinition,
  { recommendations, leftOut }: { readonly recommendations: readonly WorkloadRecommendation[]; readonly leftOut: readonly WorkloadRecommendation[] },
  threshold: number,
  notes: RightsizeNote[],
  walk: ValueWalk,
  kubectl: string | undefined,
  readers: OverlayReaders,
): Promise<ServicePlan> {
  const values = new Map<string, PlannedValue>();
  const clusters = platform.clusters.map((c) => c.name).filter((cluster) => kustomizationFile(overlayDir(manifestDir, service.name, cluster)) !== undefined);
  // "blue#Deployment/web": what each cluster renders; a recommendation of a workload its own cluster does not run is noted.
  const renderedWorkloads = new Set<string>();
  const renders = new Map<string, Rendered>();
  // Every cluster that runs a value is walked, read or not: a value is sized only when all of them were read.
  for (const cluster of clusters) {
    const overlay = overlayDir(manifestDir, service.name, cluster);
    const rendered = await render(workspace, overlay, kubectl);
    renders.set(cluster, rendered);
    const scaled = hpaScaledResources(rendered.objects.map((object) => object.raw));
    // The workloads of the VPAs left out too, and of those not read at all: their values are walked to be known as not judged (unread).
    for (const [key, { targetRef, containers }] of walkedWorkloads(rendered.objects, [...recommendations, ...leftOut])) {
      const workload = rendered.objects.find((object) => object.kind === targetRef.kind && object.name === targetRef.name);
      const spec = workload ? findPodSpec(workload.raw) : undefined;
      if (!workload || !spec) continue;
      renderedWorkloads.add(`${cluster}#${key}`);
      for (const name of containers) {
        const container = (Array.isArray(spec.spec.containers) ? spec.spec.containers : []).find((entry) => isObject(entry) && entry.name === name);
        if (!isObject(container)) continue;
        for (const resource of RESOURCE_NAMES) {
          const search = await notShared(
            await findRequestSite(overlay, { ...targetRef, ...metadataOf(workload.raw) }, name, resource, workspace.root, serviceDir(manifestDir, service.name)),
            readers,
            service.name,
            workspace.root,
          );
          const valueKey = valueKeyOf(search, cluster, `${key}#${name}#${resource}`);
          const hpa = scaled.get(key)?.has(resource) ? `a HorizontalPodAutoscaler scales ${key} on ${resource} in ${cluster}: the request is what its utilisation is measured against, so it is left to the team` : undefined;
          const entry: PlannedValue = values.get(valueKey) ?? {
            site: search.kind === 'found' ? search.site : undefined,
            ...(search.kind === 'unsupported' ? { skipped: search.reason } : {}),
            workload: targetRef,
            container: name,
            resource,
            clusters: [],
            workloads: [],
            rendered: [],
          };
          const withHpa: PlannedValue = hpa !== undefined && entry.skipped === undefined ? { ...entry, skipped: hpa } : entry;
          withHpa.clusters.push(cluster);
          withHpa.workloads.push(targetRef);
          withHpa.rendered.push(renderedAmounts(container, resource));
          values.set(valueKey, withHpa);
        }
      }
    }
  }
  for (const recommendation of recommendations) {
    const own = recommendation.cluster!;
    if (!renderedWorkloads.has(`${own}#${recommendation.targetRef.kind}/${recommendation.targetRef.name}`)) {
      notes.push({
        service: service.name,
        vpa: `${recommendation.namespace}/${recommendation.name}`,
        source: recommendation.source,
        message: clusters.includes(own)
          ? `${recommendation.targetRef.kind} ${recommendation.targetRef.name} is not in ${service.name}'s overlay for ${own}: left out`
          : `${service.name} has no overlay for cluster ${own} (${clusters.join(', ') || 'none'}): left out`,
      });
      continue;
    }
    for (const message of containersLeftOut(recommendation, renders.get(own)!)) {
      notes.push({ service: service.name, vpa: `${recommendation.namespace}/${recommendation.name}`, source: recommendation.source, message });
    }
  }

  const changes: RequestChange[] = [];
  const sites = new Map<RequestChange, RequestSite>();
  const workloads = new Map<RequestChange, ClusterWorkload[]>();
  for (const value of values.values()) {
    // A cluster where no VPA of the workload was read has not been read; one whose VPA was read but gives
    // this value no target has judged it unsized (a resource the VPA does not control, as the one an HPA scales on).
    // Each cluster's VPA names the workload as that cluster renders it.
    const notRead: string[] = [];
    const unsized: string[] = [];
    const runs = value.clusters.map((cluster, index): ClusterWorkload => ({ cluster, workload: value.workloads[index]! }));
    const vpa = runs.flatMap(({ cluster, workload }) => {
      const inputs = recommendationInputs(recommendations, cluster, workload, value);
      if (inputs.length === 0) (workloadRead(recommendations, cluster, workload) ? unsized : notRead).push(cluster);
      return inputs;
    });
    const file = value.site === undefined ? undefined : repositoryPath(workspace, value.site.file);
    walk.walked.push({ service: service.name, name: valueName(value), ...(file === undefined ? {} : { file }) });
    if (notRead.length > 0) {
      const named = { workload: value.workload, container: value.container, resource: value.resource, ...(value.site === undefined ? {} : { site: value.site }) };
      walk.unread.push({ service: service.name, clusters: notRead, ...(file === undefined ? {} : { file }), value: named, planned: vpa.length > 0 });
    } else if (value.site !== undefined && file !== undefined) {
      walk.judged.push({ file, site: value.site, container: value.container, resource: value.resource });
    }
    // Nothing to size it from. Not read: a pull request editing it is not stale. Read, with no target: judged, nothing to change.
    if (vpa.length === 0) continue;
    // What runs now (the first cluster's render: a value written once renders alike everywhere).
    const current = value.rendered[0]!.current;
    const ownLimits = value.rendered.map((r) => r.limit).filter((limit): limit is bigint => limit !== undefined);
    const proposal = propose({
      resource: value.resource,
      ...(current === undefined ? {} : { current }),
      // Every cluster that runs this value must admit it: the smallest of their limits, a cluster without one its LimitRange's default.
      ...(ownLimits.length > 0 ? { limit: ownLimits.reduce((a, b) => (a < b ? a : b)) } : {}),
      ...(ownLimits.length < value.rendered.length ? { defaultLimit: amountOf(value.resource, service.defaults.limits[value.resource]) } : {}),
      quota: amountOf(value.resource, service.quota[value.resource]),
      recommendations: vpa,
      threshold,
    });
    const skipped =
      value.skipped ??
      (notRead.length > 0
        ? `${notRead.join(', ')} run${notRead.length === 1 ? 's' : ''} this value too, but no recommendation of ${notRead.length === 1 ? 'its' : 'theirs'} for it was read: read every cluster that runs it (--context per cluster), or wait for its recommender`
        : undefined) ??
      (unsized.length > 0
        ? `${unsized.join(', ')} run${unsized.length === 1 ? 's' : ''} this value too, but ${unsized.length === 1 ? 'its VerticalPodAutoscaler gives' : 'their VerticalPodAutoscalers give'} no ${value.resource} target for it (${value.resource} is not a resource it controls): a value is sized on the numbers of every cluster that runs it`
        : undefined) ??
      (value.site !== undefined
        ? undefined
        : current === undefined
          ? noRequestWritten(value)
          : 'kaji cannot tell which file sets it (a patch selected by label or annotation, a component, a generator): edit it by hand');
    const change: RequestChange = {
      ...proposal,
      service: service.name,
      namespace: service.namespace,
      workload: value.workload,
      container: value.container,
      clusters: value.clusters,
      ...(file === undefined ? {} : { file }),
      ...(skipped ? { skipped } : {}),
      ...(notRead.length > 0 ? { unread: notRead } : {}),
      vpa,
    };
    changes.push(change);
    workloads.set(change, runs);
    if (value.site) sites.set(change, value.site);
  }
  changes.sort((a, b) => compareChanges(a, b));
  return { changes, sites, workloads, clusters, renders };
}

/**
 * What makes one value of the plan: the place it is written, so the clusters whose renders share
 * it (a base) are one row, edited or not; one kaji cannot place (no manifest sets it) is each cluster's own.
 */
function valueKeyOf(search: SiteSearch, cluster: string, value: string): string {
  const place = (site: RequestSite) => `${site.file}#${site.document}#${site.pointer}`;
  if (search.kind === 'found') return place(search.site);
  if (search.kind === 'none') return `${cluster}#${value}`;
  // Written where kaji does not edit: at its place, or with no one place to name (a patch inside kustomization.yaml) where the reason says.
  return search.site === undefined ? `${value}#${search.reason}` : place(search.site);
}

/**
 * Why containers a VPA recommends are not sized, one message each: an init container (a native
 * sidecar, which the VPA recommends for too) is not among those kaji edits, and a container the
 * render of the VPA's own cluster does not run has nothing to edit.
 */
function containersLeftOut(recommendation: WorkloadRecommendation, rendered: Rendered): string[] {
  const { kind, name } = recommendation.targetRef;
  const workload = rendered.objects.find((object) => object.kind === kind && object.name === name);
  const pod = workload ? findPodSpec(workload.raw) : undefined;
  const named = (list: JsonValue | undefined) => new Set((Array.isArray(list) ? list : []).flatMap((entry) => (isObject(entry) && typeof entry.name === 'string' ? [entry.name] : [])));
  const [apps, inits] = [named(pod?.spec.containers), named(pod?.spec.initContainers)];
  const sidecars = named((Array.isArray(pod?.spec.initContainers) ? pod.spec.initContainers : []).filter((entry) => isObject(entry) && entry.restartPolicy === 'Always'));
  return recommendation.containers.flatMap(({ container }) =>
    apps.has(container)
      ? []
      : inits.has(container)
        ? [
            `container ${container} of ${kind}/${name} is ${sidecars.has(container) ? 'a sidecar (an init container that keeps running)' : 'an init container'}, not an app container: left out; kaji rightsize edits the requests of spec.containers only, so size it by hand`,
          ]
        : [`container ${container} is not in ${kind}/${name} as ${recommendation.cluster}'s overlay renders it: left out`],
  );
}

/**
 * Why a value no manifest sets is left alone, and what it is instead: the API server sets a request
 * the container leaves out to its limit where it has one, else the LimitRange's default applies.
 */
function noRequestWritten(value: PlannedValue): string {
  const limit = value.rendered[0]!.limit;
  const instead =
    limit === undefined ? 'the LimitRange default applies' : `the API server sets it to the container's limit, ${formatAmount(value.resource, limit)}`;
  return `no manifest sets this request (${instead}): add resources.requests to the container for kaji to right-size it`;
}

/** A rendered object's labels and annotations (string values only). */
function metadataOf(object: JsonObject): { labels: Record<string, string>; annotations: Record<string, string> } {
  const strings = (value: JsonValue | undefined) =>
    Object.fromEntries(Object.entries(isObject(value) ? value : {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return { labels: strings(metadata.labels), annotations: strings(metadata.annotations) };
}

/** Whether a VPA of `workload` in `cluster` was read (with a usable recommendation). */
function workloadRead(recommendations: readonly WorkloadRecommendation[], cluster: string, workload: { kind: string; name: string }): boolean {
  return recommendations.some((r) => r.cluster === cluster && r.targetRef.kind === workload.kind && r.targetRef.name === workload.name);
}

/** The targets (with bounds) the VPAs of one cluster give a value's container and resource, in the workload as that cluster names it. */
function recommendationInputs(recommendations: readonly WorkloadRecommendation[], cluster: string, workload: { kind: string; name: string }, value: PlannedValue): RecommendationInput[] {
  return recommendations
    .filter((r) => r.cluster === cluster && r.targetRef.kind === workload.kind && r.targetRef.name === workload.name)
    .flatMap((r) => r.containers.filter((c) => c.container === value.container).map((c) => ({ source: r.source, container: c })))
    .flatMap(({ source, container }): RecommendationInput[] => {
      const target = container.target[value.resource];
      if (target === undefined) return [];
      const lowerBound = container.lowerBound[value.resource];
      const upperBound = container.upperBound[value.resource];
      return [{ source, target, ...(lowerBound === undefined ? {} : { lowerBound }), ...(upperBound === undefined ? {} : { upperBound }) }];
    });
}

/** Each recommended workload ("Deployment/web") once, with the names of its recommended containers over every source. */
function recommendedContainers(recommendations: readonly WorkloadRecommendation[]): Map<string, { targetRef: { kind: string; name: string }; containers: Set<string> }> {
  const found = new Map<string, { targetRef: { kind: string; name: string }; containers: Set<string> }>();
  for (const recommendation of recommendations) {
    const key = `${recommendation.targetRef.kind}/${recommendation.targetRef.name}`;
    const entry = found.get(key) ?? { targetRef: recommendation.targetRef, containers: new Set<string>() };
    for (const container of recommendation.containers) entry.containers.add(container.container);
    found.set(key, entry);
  }
  return found;
}

/**
 * The workloads of a render whose values are walked: each recommended one ("Deployment/web") with its
 * recommended containers; and with every container it runs, one that gets a VerticalPodAutoscaler
 * (recommendedWorkloads) of which no container's numbers were read (none yet, or its VPAs not in the
 * input): its values are then known as not read, so a file holding them is not judged on the numbers
 * of another workload written there.
 */
function walkedWorkloads(objects: readonly KubeObject[], recommendations: readonly WorkloadRecommendation[]): ReturnType<typeof recommendedContainers> {
  const walked = recommendedContainers(recommendations);
  for (const { kind, name } of recommendedWorkloads(objects.map((object) => object.raw))) {
    const key = `${kind}/${name}`;
    if ((walked.get(key)?.containers.size ?? 0) > 0) continue;
    const workload = objects.find((object) => object.kind === kind && object.name === name);
    const spec = workload ? findPodSpec(workload.raw) : undefined;
    const containers = spec && Array.isArray(spec.spec.containers) ? spec.spec.containers : [];
    walked.set(key, { targetRef: { kind, name }, containers: new Set(containers.flatMap((entry) => (isObject(entry) && typeof entry.name === 'string' ? [entry.name] : []))) });
  }
  return walked;
}

/**
 * Edits the service's changes, renders again and keeps them only if every cluster then runs the
 * proposed requests, and every other request and limit as it did; then leaves out the raises of a
 * resource whose pods would no longer fit the namespace's ResourceQuota in a cluster that runs them
 * (lowering is always kept).
 */
async function applyService(
  workspace: Workspace,
  manifestDir: string,
  platform: PlatformDefinition,
  service: ServiceDefinition,
  planned: ServicePlan,
  notes: RightsizeNote[],
  kubectl: string | undefined,
): Promise<RequestChange[]> {
  const edits = planned.changes.filter((change) => change.decision === 'change' && change.skipped === undefined);
  if (edits.length === 0) return planned.changes;
  const originals = new Map<string, string>();
  /** Writes exactly these edits over the files as they were. */
  const writeEdits = async (changes: readonly RequestChange[]) => {
    for (const [path, text] of originals) await workspace.writeFile(path, text);
    for (const change of changes) {
      const site = planned.sites.get(change)!;
      const path = relative(workspace.root, site.file);
      const text = await workspace.readFile(path);
      if (!originals.has(path)) originals.set(path, text);
      await workspace.writeFile(path, editRequest(text, site, formatAmount(change.resource, change.proposed)));
    }
  };
  await writeEdits(edits);
  // The render must now show each proposed value in every cluster that runs it, and every other value as before.
  const wrong: string[] = [];
  const alsoChanged: string[] = [];
  const overQuota: QuotaExcess[] = [];
  for (const cluster of planned.clusters) {
    const overlay = overlayDir(manifestDir, service.name, cluster);
    const rendered = await render(workspace, overlay, kubectl);
    const edited = new Set<string>();
    for (const change of edits) {
      for (const { workload: named } of planned.workloads.get(change)!.filter((run) => run.cluster === cluster)) {
        const workload = rendered.objects.find((object) => object.kind === named.kind && object.name === named.name);
        const spec = workload ? findPodSpec(workload.raw) : undefined;
        const container = (Array.isArray(spec?.spec.containers) ? spec.spec.containers : []).find((entry) => isObject(entry) && entry.name === change.container);
        const now = isObject(container) ? renderedAmounts(container, change.resource) : {};
        edited.add(resourceKey(named, change.container, `requests.${change.resource}`));
        // The proposed request, and a limit (where there is one) that admits it.
        if (now.current !== change.proposed || (now.limit !== undefined && now.limit < change.proposed)) {
          wrong.push(`${cluster}: ${named.kind}/${named.name} ${change.container} ${change.resource}`);
        }
      }
    }
    alsoChanged.push(...changedResources(planned.renders.get(cluster)!, rendered, edited).map((key) => `${cluster}: ${key}`));
    overQuota.push(...(await quotaExcess(workspace, manifestDir, platform, service, cluster, rendered, notes)));
  }
  if (wrong.length > 0 || alsoChanged.length > 0) {
    await writeEdits([]);
    const reason =
      wrong.length > 0
        ? `after the edit the rendered overlay does not run the proposed value (${wrong.join('; ')}): another patch may set it; nothing of ${service.name} was changed`
        : `the edit would also change what kaji did not propose (${alsoChanged.join('; ')}): the edited text is shared (a YAML anchor or a patch of several workloads); nothing of ${service.name} was changed`;
    return planned.changes.map((change) => (edits.includes(change) ? { ...change, skipped: reason } : change));
  }
  // A raise runs in the clusters of its value: it is left out where one of them has no room for it.
  const heldBack = (change: RequestChange) =>
    change.current !== undefined && change.proposed > change.current ? overQuota.filter((excess) => excess.resource === change.resource && change.clusters.includes(excess.cluster)) : [];
  if (!edits.some((change) => heldBack(change).length > 0)) return planned.changes;
  await writeEdits(edits.filter((change) => heldBack(change).length === 0));
  return planned.changes.map((change) => {
    const excesses = heldBack(change);
    if (!edits.includes(change) || excesses.length === 0) return change;
    const where = excesses.map((e) => `in ${e.cluster}, namespace ${service.namespace}'s pods would request ${formatAmount(e.resource, e.needed)} of ${e.resource} at most, its ResourceQuota allows ${formatAmount(e.resource, e.hard)}`);
    return {
      ...change,
      skipped: `raising it does not fit the quota: ${where.join('; ')} (replicas or an HPA's maxReplicas, plus a rolling update's surge); raise ${service.name}'s quota.${change.resource} in platform.yaml (and run kaji synth), then run kaji rightsize again`,
    };
  });
}

// --- the namespace's quota -------------------------------------------------------------

interface QuotaExcess {
  readonly cluster: string;
  readonly resource: ResourceName;
  /** What the namespace's pods would request at most, after the edits. */
  readonly needed: bigint;
  readonly hard: bigint;
}

/**
 * Per resource, where the pods of the service's render in a cluster would request more than its
 * namespace's ResourceQuota allows. The quota and the LimitRange are the ones kaji synth wrote to
 * clusters/<cluster>/tenants/<service>/ (what Argo CD applies), or, where that file is missing,
 * what it derives from platform.yaml. A DaemonSet is not counted and is noted.
 */
async function quotaExcess(
  workspace: Workspace,
  manifestDir: string,
  platform: PlatformDefinition,
  service: ServiceDefinition,
  clusterName: string,
  rendered: Rendered,
  notes: RightsizeNote[],
): Promise<QuotaExcess[]> {
  const cluster = platform.clusters.find((c) => c.name === clusterName)!;
  const folder = join(manifestDir, clusterFolder(cluster), 'tenants', service.name);
  const quotaFile = await guardrailObjects(workspace, join(folder, 'resourcequota.yaml'), () => [resourceQuotaObject(service), systemPriorityQuotaObject(service)]);
  const limitRangeFile = await guardrailObjects(workspace, join(folder, 'limitrange.yaml'), () => [limitRangeObject(service)]);
  const overlay = relative(workspace.root, overlayDir(manifestDir, service.name, clusterName));
  let used: NamespaceRequests;
  let hard: Partial<Record<ResourceName, bigint>>;
  try {
    const maxPods = quotaPods(quotaFile.objects, quotaFile.name);
    used = namespaceRequests(rendered.objects.map((object) => object.raw), limitRangeDefaults(limitRangeFile.objects, limitRangeFile.name), overlay, maxPods);
    hard = quotaHard(quotaFile.objects, quotaFile.name);
  } catch (error) {
    if (error instanceof CapacityError) throw new RightsizeError(`cannot count ${service.name}'s requests against its quota: ${error.message}`);
    throw error;
  }
  for (const workload of used.uncounted) {
    const message = `${workload} is not counted against the namespace's quota in ${clusterName}: it runs a pod per node (or a number kaji cannot tell), which the manifests do not say`;
    if (!notes.some((note) => note.message === message)) notes.push({ service: service.name, message });
  }
  return RESOURCE_NAMES.flatMap((resource) => {
    const limit = hard[resource];
    return limit !== undefined && used.total[resource] > limit ? [{ cluster: clusterName, resource, needed: used.total[resource], hard: limit }] : [];
  });
}

/** The objects of a file of kaji synth's in the workspace (its path in the repository as its name), or `derived()` when the file is not there. */
async function guardrailObjects(workspace: Workspace, file: string, derived: () => JsonObject[]): Promise<{ name: string; objects: JsonObject[] }> {
  const name = repositoryPath(workspace, file);
  if (!existsSync(file)) return { name: 'platform.yaml', objects: derived() };
  const loaded: Rendered = { objects: [], problems: [] };
  addStream(loaded, await workspace.readFile(name), name);
  const problem = loaded.problems[0];
  if (problem !== undefined) throw new RightsizeError(`${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message} (kaji synth writes this file: run it again)`);
  return { name, objects: loaded.objects.map((object) => object.raw) };
}

// --- rendering -----------------------------------------------------------------------

interface Rendered {
  readonly objects: KubeObject[];
  readonly problems: InputProblem[];
}

async function render(workspace: Workspace, overlay: string, kubectl?: string): Promise<Rendered> {
  const loaded: Rendered = { objects: [], problems: [] };
  const name = relative(workspace.root, overlay);
  let text: string;
  try {
    text = await renderKustomization(overlay, kubectl);
  } catch (error) {
    throw new RightsizeError(`cannot render ${name}: ${workspace.repositoryPaths((error as Error).message)}`);
  }
  addStream(loaded, text, posix.join(name, 'kustomization.yaml'), { fixedLine: 1 });
  return loaded;
}

/** "Deployment/web api requests.cpu": one value of a container's resources. */
function resourceKey(workload: { kind: string; name: string }, container: string, field: string): string {
  return `${workload.kind}/${workload.name} ${container} ${field}`;
}

/** The requests and limits (resourceKey) of every container of a render, as written. */
function renderedResources(rendered: Rendered): Map<string, string> {
  const found = new Map<string, string>();
  for (const object of rendered.objects) {
    const pod = findPodSpec(object.raw);
    const containers = pod ? [pod.spec.initContainers, pod.spec.containers].flatMap((list) => (Array.isArray(list) ? list : [])) : [];
    for (const container of containers) {
      if (!isObject(container) || typeof container.name !== 'string' || !isObject(container.resources)) continue;
      for (const [field, list] of Object.entries(container.resources)) {
        for (const [resource, value] of Object.entries(isObject(list) ? list : {})) found.set(resourceKey(object, container.name, `${field}.${resource}`), JSON.stringify(value));
      }
    }
  }
  return found;
}

/** What renders differently after the edits, besides the values edited (resourceKey). */
function changedResources(before: Rendered, after: Rendered, edited: ReadonlySet<string>): string[] {
  const [old, now] = [renderedResources(before), renderedResources(after)];
  const keys = new Set([...old.keys(), ...now.keys()]);
  return [...keys].filter((key) => !edited.has(key) && old.get(key) !== now.get(key)).sort();
}

function renderedAmounts(container: JsonObject, resource: ResourceName): { current?: bigint; limit?: bigint } {
  const resources = isObject(container.resources) ? container.resources : {};
  const current = amountOrUndefined(resource, isObject(resources.requests) ? resources.requests[resource] : undefined);
  const limit = amountOrUndefined(resource, isObject(resources.limits) ? resources.limits[resource] : undefined);
  return { ...(current === undefined ? {} : { current }), ...(limit === undefined ? {} : { limit }) };
}

/** A file of the workspace as a path in the repository (`apps/shop/base/deployment.yaml`). */
function repositoryPath(workspace: Workspace, file: string): string {
  return relative(workspace.root, file).split(sep).join('/');
}

/** apps/<service>: the only files kaji edits for the service. */
/** The services whose overlays (any cluster's) build from a file: kustomize reads it through one of their folders. */
type OverlayReaders = (file: string) => Promise<string[]>;

/** Reads every service's overlays once, for notShared: which folders each builds from. */
async function overlayReaders(manifestDir: string, platform: PlatformDefinition): Promise<OverlayReaders> {
  const folders = new Map<string, Set<string>>();
  for (const service of platform.services) {
    for (const cluster of platform.clusters) {
      const overlay = overlayDir(manifestDir, service.name, cluster.name);
      if (kustomizationFile(overlay) === undefined) continue;
      for (const folder of await kustomizationFolders(overlay)) folders.set(folder, (folders.get(folder) ?? new Set()).add(service.name));
    }
  }
  return async (file) => {
    const real = await realpath(file).catch(() => file);
    return [...new Set([...folders].filter(([folder]) => isInside(folder, real)).flatMap(([, services]) => [...services]))].sort();
  };
}

/**
 * A site in a folder another service's overlays build from too (its base included by theirs):
 * an edit would change that service's pods, whose numbers, limits and quota this run does not judge.
 */
async function notShared(search: SiteSearch, readers: OverlayReaders, service: string, root: string): Promise<SiteSearch> {
  if (search.kind !== 'found') return search;
  const others = (await readers(search.site.file)).filter((name) => name !== service);
  if (others.length === 0) return search;
  return {
    kind: 'unsupported',
    site: search.site,
    reason: `it is written in ${relative(root, search.site.file)}, which the overlays of ${others.join(', ')} build from too: an edit would change their pods as well, which this run does not judge; change it by hand`,
  };
}

function serviceDir(manifestDir: string, service: string): string {
  return join(manifestDir, 'apps', service);
}

function overlayDir(manifestDir: string, service: string, cluster: string): string {
  return join(serviceDir(manifestDir, service), 'overlays', cluster);
}

// --- a pull request no longer needed -------------------------------------------------------

/** What this run judged: its changes, the values it did not, and the service of a file (by apps/<service>/). */
interface Judged {
  readonly changes: readonly RequestChange[];
  readonly unread: readonly UnreadValue[];
  /** The values it judged, where written. */
  readonly values: readonly JudgedValue[];
  /** Every value it walked, per site. */
  readonly walked: readonly WalkedValue[];
  serviceOf(file: string): string | undefined;
  /** The base branch. */
  readonly base: string;
}

/** What a branch changes that this run did not judge (one phrase each), and notes of the unread values it leaves as the base has them. */
interface Unjudged {
  readonly held: readonly string[];
  readonly leftAlone: readonly RightsizeNote[];
}

const NOTHING_UNJUDGED: Unjudged = { held: [], leftAlone: [] };

/**
 * What `branch` changes that this run did not judge on every cluster's numbers, one phrase per file:
 * the request values it changes (from where it left the base to its tip) that this run did not judge,
 * some cluster's numbers not read or never walked at all (no VerticalPodAutoscaler of the workload
 * made or read, a container its VPA does not report); a file no value this run judged is written in
 * (a service whose recommendations were not read, one no longer in platform.yaml), and a service its
 * commits name (the Kaji-Rightsize trailer) that this run did not judge. An unread value the branch
 * leaves as the base had it holds nothing: it is noted. Nor does a value the branch changed that no
 * recommendation can apply to, noted as not kept (the rebuild drops its edit): one the base no
 * longer writes in that file (renamed, moved or removed since), or one no cluster runs (each cluster
 * that runs its workload has it written in another file: an overlay's patch over a base's value, or
 * a patch its kustomization no longer lists). Nothing when there is no such branch.
 */
async function unjudgedEdits(workspace: Workspace, branch: string, read: BranchChanges | undefined, judged: Judged): Promise<Unjudged> {
  if (read === undefined) return NOTHING_UNJUDGED;
  const unreadServices = new Set(judged.unread.filter((value) => value.clusters === undefined).map((value) => value.service));
  const judgedServices = new Set(judged.changes.map((change) => change.service));
  const named = new Set<string>();
  const held: string[] = [];
  const leftAlone: RightsizeNote[] = [];
  /** Edits of values no recommendation applies to: noted, when nothing holds the branch. */
  const dropped: RightsizeNote[] = [];
  const forkPoint = read.files.length === 0 ? undefined : await workspace.forkPoint(branch);
  for (const file of read.files) {
    const unread = judged.unread.flatMap(({ service, file: at, value, clusters, planned }) =>
      at === file && value?.site !== undefined && clusters !== undefined ? [{ ...value, service, site: value.site, clusters, planned }] : [],
    );
    const judgedHere = judged.values.filter((value) => value.file === file);
    // The version the sites were found in (the base), and the file where the branch left the base and at its tip.
    const [atBase, atFork, atTip] = await Promise.all([workspace.baseCommit, forkPoint, read.tip].map((commit) => (commit === undefined ? undefined : workspace.fileAt(commit, file))));
    const changed = changedRequests(atFork, atTip);
    const changedNames = new Set(changed.map(valueName));
    const onBase = new Set(writtenRequests(atBase ?? '').map(valueName));
    const service = judged.serviceOf(file);
    // Why no recommendation applies to a value the branch changed, if none does.
    const notApplicable = (request: WrittenRequest): string | undefined => {
      const name = valueName(request);
      if (!onBase.has(name)) return `${judged.base} no longer has it (renamed, moved or removed since the branch changed it)`;
      const sites = judged.walked.filter((value) => value.service === service && value.name === name);
      if (sites.length === 0 || sites.some((value) => value.file === undefined || value.file === file)) return undefined;
      return `no cluster runs this value (each sets it in another file: ${[...new Set(sites.map((value) => value.file))].sort().join(', ')})`;
    };
    const kept = changed.filter((request) => {
      const why = notApplicable(request);
      if (why !== undefined) dropped.push({ ...(service === undefined ? {} : { service }), message: `${valueName(request)} (${file}): ${why}, so the branch's edit of it is not kept` });
      return why === undefined;
    });
    // A value at a site is named as its document is where the site was found; one that cannot be named counts as changed.
    const sitedName = ({ site, container, resource }: { site: RequestSite; container: string; resource: ResourceName }) => {
      const workload = atBase === undefined ? undefined : siteWorkload(atBase, site);
      return workload === undefined ? undefined : valueName({ workload, container, resource });
    };
    const unreadChanged = unread.filter((value) => {
      const name = sitedName(value);
      return name === undefined || changedNames.has(name);
    });
    for (const value of unread.filter((value) => !unreadChanged.includes(value) && !value.planned)) {
      leftAlone.push({ service: value.service, message: `${valueName(value)} (${file}): left as it is: no recommendation read (${value.clusters.join(', ')})` });
    }
    const walked = new Set([...unread, ...judgedHere].map(sitedName));
    const notWalked = kept.filter((request) => !walked.has(valueName(request)));
    if (unreadChanged.length > 0 || (judgedHere.length > 0 && notWalked.length > 0)) {
      const why = [...unreadChanged.map((value) => ({ ...value, why: `${value.clusters.join(', ')} not read` })), ...notWalked.map((request) => ({ ...request, why: NO_RECOMMENDATION }))];
      held.push(`${file}: ${valuesText(why)}`);
    } else if (judgedHere.length === 0 && (kept.length > 0 || changed.length === 0)) {
      if (service !== undefined && unreadServices.has(service)) named.add(service);
      held.push(`${file}: ${service !== undefined && unreadServices.has(service) ? `no usable recommendation of ${service} read` : NO_JUDGED_VALUE}`);
    }
  }
  for (const line of read.trailers) {
    const services = /^Kaji-Rightsize:(.*)$/.exec(line)?.[1]!.split(',').map((name) => name.trim()) ?? [];
    for (const service of services.filter((name) => name !== '' && !judgedServices.has(name) && !named.has(name))) {
      named.add(service);
      held.push(`${service}: no usable recommendation read`);
    }
  }
  return { held, leftAlone: held.length === 0 ? [...leftAlone, ...dropped] : leftAlone };
}

/** "Deployment/worker app cpu" */
function valueName({ workload, container, resource }: ValueName): string {
  return `${workload.kind}/${workload.name} ${container} ${resource}`;
}

/** "Deployment/worker app cpu and memory (blue, green not read)": the resources of one container with the same reason together. */
function valuesText(values: readonly (ValueName & { readonly why: string })[]): string {
  const groups = new Map<string, { readonly container: string; readonly why: string; readonly resources: ResourceName[] }>();
  for (const { workload, container, resource, why } of values) {
    const group = { container: `${workload.kind}/${workload.name} ${container}`, why };
    const key = `${group.container}\u0000${why}`;
    groups.set(key, { ...group, resources: [...(groups.get(key)?.resources ?? []), resource] });
  }
  return [...groups.values()].map(({ container, why, resources }) => `${container} ${resources.join(' and ')} (${why})`).join(', ');
}

const NO_JUDGED_VALUE = 'no value this run judged is written there';
/** Why a value the run never walked is not judged. */
const NO_RECOMMENDATION = 'no recommendation read';

/**
 * A file no run can judge (a service gone from platform.yaml, a value no longer set there), or a value
 * no run reads a recommendation for (a workload kaji makes no VerticalPodAutoscaler for), holds the
 * branch until someone lets it go.
 */
function orphanAdvice(unjudged: readonly string[]): string {
  const orphans = [
    ...(unjudged.some((phrase) => phrase.endsWith(`: ${NO_JUDGED_VALUE}`)) ? [`a file where ${NO_JUDGED_VALUE}`] : []),
    ...(unjudged.some((phrase) => phrase.includes(`(${NO_RECOMMENDATION})`)) ? ['a value no recommendation is read for'] : []),
  ];
  return orphans.length === 0 ? '' : `; close the pull request (or delete the branch) if the edits of ${orphans.join(', or of ')} are no longer wanted`;
}

/**
 * A run with nothing to change: the open pull request of its branch holds stale values (merging it
 * would apply them). Its branch is deleted, leased to the tip read (the step that guards: a push
 * since leaves everything as it is), then a comment says why and the pull request is closed (GitHub
 * need not close one whose branch is gone). It is left open when the branch changes what the run
 * did not judge on every cluster's numbers (unjudgedEdits), when the
 * branch holds commits kaji did not make (pushBranch's rule: someone means them to stay), or when
 * the branch kaji read is not where GitHub has the pull request's head (another repository than the
 * pull request's, or a push since). A dry run only says what it would do.
 */
async function settleStalePullRequest(
  workspace: Workspace,
  forge: GitHubForge | undefined,
  plan: RightsizePlan,
  judged: Judged,
  /** The plan's notes, to which the unread values the branch leaves alone are added. */
  notes: RightsizeNote[],
  branch: string,
  base: string,
  dryRun: boolean,
  progress: (message: string) => void,
): Promise<StalePullRequest | undefined> {
  if (forge === undefined) return undefined;
  let pull: FoundPullRequest | undefined;
  try {
    pull = await forge.openPullRequest(branch, base);
  } catch (error) {
    // A dry run never fails for the look-up it was not asked for.
    if (!dryRun || !(error instanceof GitHubError)) throw error;
    progress(`cannot look for an open pull request of ${branch}: ${error.message}`);
    return undefined;
  }
  if (pull === undefined) return undefined;
  const found = { number: pull.number, url: pull.url, branch };
  const leftOpen = (reason: string): StalePullRequest => ({ ...found, action: 'left-open', reason });
  const read = await workspace.branchChanges(branch);
  if (read === undefined) {
    return leftOpen(`${workspace.source} has no branch ${branch}, so kaji cannot read what the pull request holds: run with the repository the pull request is on (its clone URL as --manifests, or no --manifests for manifests.url)`);
  }
  if (read.tip !== pull.headSha) {
    return leftOpen(
      `GitHub has its head at ${pull.headSha.slice(0, 12)}, but ${branch} of ${workspace.source} is at ${read.tip.slice(0, 12)}: a push landed meanwhile, or --manifests is not the repository of the pull request; run again (with the repository the pull request is on)`,
    );
  }
  const foreign = await workspace.foreignCommits(branch);
  if (foreign.length > 0) {
    return leftOpen(`its values are stale, but ${branch} ${foreignCommitsText(foreign)}; close the pull request yourself, or merge it if they are still wanted`);
  }
  const { held: unjudged, leftAlone } = await unjudgedEdits(workspace, branch, read, judged);
  notes.push(...leftAlone);
  if (unjudged.length > 0) {
    return leftOpen(
      `this run did not judge every value it changes on every cluster's numbers (${unjudged.join('; ')}), so it cannot tell whether they are stale: read every cluster (--context per cluster) and every service the pull request changes, or wait for their recommender${orphanAdvice(unjudged)}`,
    );
  }
  if (dryRun) return { ...found, action: 'would-close' };
  progress(`closing pull request #${pull.number} (${branch}): its values are stale`);
  let deleted: string | undefined;
  try {
    deleted = await workspace.deleteBranch(branch);
  } catch (error) {
    if (!(error instanceof BranchMovedError)) throw error;
    return leftOpen(error.message);
  }
  try {
    await forge.closePullRequest(pull.number, closingComment(plan, branch));
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    // GitHub need not close a pull request whose head branch is gone: say so.
    throw new GitHubError(`${branch} was deleted (pull request #${pull.number} may still be open: close it), but ${error.message}`, error.status);
  }
  return { ...found, action: 'closed', branchDeleted: deleted !== undefined };
}

/** A dry run's forge, to look for a pull request it would close: none without a token or a GitHub repository (said in progress). */
function dryRunForge(options: RightsizeOptions, platform: PlatformDefinition, secrets: readonly string[], progress: (message: string) => void): GitHubForge | undefined {
  try {
    return forgeFor(options, platform, secrets);
  } catch (error) {
    if (!(error instanceof RightsizeError)) throw error;
    progress('not looking for an open pull request to close: no GitHub token or repository');
    return undefined;
  }
}

/** Why kaji closes its pull request, with the run's date. */
export function closingComment(plan: RightsizePlan, branch: string, now = new Date()): string {
  const threshold = `${Math.round(plan.threshold * 100)}%`;
  const held = plan.changes.filter((change) => change.decision === 'change').length;
  const why =
    held > 0
      ? `no request can be changed any more: ${held} would move by ${threshold} or more, but kaji leaves ${held === 1 ? 'it' : 'them'} as ${held === 1 ? 'it is' : 'they are'}, for ${held === 1 ? 'a reason' : 'reasons'} the run's output gives (such as a quota, a HorizontalPodAutoscaler, or a request no manifest, or no one file, sets)`
      : `no request moves by ${threshold} or more any more (the usage fell back, or the values were set by hand)`;
  return (
    `\`kaji rightsize\` of ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC closes this pull request: ${why}, so its values are stale and merging it would apply them. ` +
    `Its branch ${branch} was deleted; a run that finds requests to change opens a new pull request.\n`
  );
}

// --- messages ------------------------------------------------------------------------

function compareChanges(a: RequestChange, b: RequestChange): number {
  const key = (c: RequestChange) => [c.service, c.workload.kind, c.workload.name, c.container, c.resource, c.file ?? '', c.clusters.join(',')].join('\u0000');
  return key(a).localeCompare(key(b));
}

/** The pull request goes to the repository the branch is pushed to (--manifests, else manifests.url), never to another. */
function forgeFor(options: RightsizeOptions, platform: PlatformDefinition, secrets: readonly string[]): GitHubForge {
  const source = options.manifests ?? platform.manifests.url;
  const found = pullRequestRepository(source, redact(source, secrets), options.githubRepository);
  if ('unnamed' in found) {
    throw new RightsizeError(`the pull request is opened on the repository the branch is pushed to, and ${found.unnamed}: pass --github-repository OWNER/NAME (that repository on GitHub), or use --dry-run`);
  }
  const { repository } = found;
  const token = options.token ?? process.env.GITHUB_TOKEN;
  if (!token) throw new RightsizeError('a pull request needs a GitHub token: set GITHUB_TOKEN (contents and pull requests: write), or use --dry-run');
  const apiUrlProblem = options.githubApiUrl ? githubApiUrlProblem(options.githubApiUrl) : undefined;
  if (apiUrlProblem !== undefined) throw new RightsizeError(apiUrlProblem);
  return new GitHubForge({ token, repository, ...(options.githubApiUrl ? { baseUrl: options.githubApiUrl } : {}) });
}

/** `antenna: right-size requests` for one service, `right-size requests of 3 services` for more. */
export function titleOf(changes: readonly RequestChange[]): string {
  const services = [...new Set(changes.map((change) => change.service))];
  return services.length === 1 ? `${services[0]}: right-size requests` : `right-size requests of ${services.length} services`;
}

/** "cpu 250m → 180m (-28%)" */
export function changeText(change: RequestChange): string {
  const from = change.current === undefined ? '-' : formatAmount(change.resource, change.current);
  const percent = signedPercent(change.change);
  return `${change.resource} ${from} → ${formatAmount(change.resource, change.proposed)}${percent === undefined ? '' : ` (${percent})`}`;
}

function commitMessage(title: string, changes: readonly RequestChange[]): string {
  const lines = changes.map((c) => `- ${c.service}: ${c.workload.kind}/${c.workload.name} ${c.container}: ${changeText(c)}${c.cap ? ` (capped at the ${c.cap.by})` : ''} (${c.file})`);
  return `${title}\n\nFrom the VPA recommendations of the clusters.\n\n${lines.join('\n')}\n`;
}

/** "250m (lower 120m, upper 900m) in context blue" per recommendation. */
export function vpaText(change: Pick<RequestChange, 'resource' | 'vpa'>): string {
  return change.vpa
    .map((r) => {
      const bounds = [r.lowerBound === undefined ? undefined : `lower ${formatAmount(change.resource, r.lowerBound)}`, r.upperBound === undefined ? undefined : `upper ${formatAmount(change.resource, r.upperBound)}`].filter(Boolean);
      return `${formatAmount(change.resource, r.target)}${bounds.length ? ` (${bounds.join(', ')})` : ''} in ${r.source}`;
    })
    .join('; ');
}

export function pullRequestBody(plan: RightsizePlan): string {
  const edited = plan.changes.filter((change) => change.decision === 'change' && change.skipped === undefined);
  const lines = [
    'Requests right-sized from the clusters\' VerticalPodAutoscaler recommendations (the largest target over the clusters, rounded up; never above the container\'s limit nor the service\'s quota).',
    '',
    '| Service | Workload | Container | Resource | Old | New | Change | VPA target | Cap | File |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of edited) {
    lines.push(
      `| ${c.service} | ${c.workload.kind}/${c.workload.name} | ${c.container} | ${c.resource} | \`${c.current === undefined ? '-' : formatAmount(c.resource, c.current)}\` | \`${formatAmount(c.resource, c.proposed)}\` | ${signedPercent(c.change) ?? ''} | ${vpaText(c)} | ${c.cap ? `${c.cap.by} ${formatAmount(c.resource, c.cap.value)}` : ''} | \`${c.file}\` |`,
    );
  }
  const skipped = plan.changes.filter((change) => change.decision === 'change' && change.skipped !== undefined);
  if (skipped.length > 0) {
    lines.push('', '**Not changed** (and why):', '');
    for (const c of skipped) lines.push(`- ${c.service}: ${c.workload.kind}/${c.workload.name} ${c.container} ${changeText(c)} in ${c.clusters.join(', ')}: ${c.skipped}`);
  }
  lines.push('', `Changes under ${Math.round(plan.threshold * 100)}% of the current request are left out.`, '', '<sub>Opened by `kaji rightsize`. The branch is rebuilt from the base on every run.</sub>');
  return `${lines.join('\n')}\n`;
}
