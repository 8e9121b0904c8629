// `kaji synth`: from platform.yaml to a verified manifest repository. Loads the
// definition, creates missing overlays for new clusters, regenerates
// clusters/*/, renders every service for every cluster, and checks all of it
// with the platform's policy and the tenant boundaries.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { containersOf, displayPath, findPodSpec, type InputProblem, type KubeObject } from '../kube/index.js';
import { KUBERNETES_YAML_DUMP_SCHEMA } from '../kube/yaml-schema.js';
import { auditObjects, countResults, outcomeOf, parsePolicyConfig, readPolicyText, scoreOf, type AuditData, type PolicyConfig, type Result } from '../policy/index.js';
import { resultEntries } from '../report/index.js';
import {
  clusterFolder,
  deriveClusterFiles,
  isGeneratedFile,
  loadPlatform,
  PlatformError,
  PlatformErrors,
  recommendedWorkloads,
  vpaFilePath,
  type ClusterDefinition,
  type GeneratedFile,
  type PlatformDefinition,
  type WorkloadRef,
} from '../platform/index.js';
import { synthesizeInfrastructure, type InfrastructureResult } from './infrastructure.js';
import { stageOutput, type StagedOutput } from './output.js';
import { serviceBoundaryViolations, sharedGroupViolations, sharedHostViolations, unreachableViolations, type BoundaryViolation } from './boundaries.js';
import { removedApiViolations } from './removed-apis.js';
import { mutatedFieldViolations } from './mutated-fields.js';
import { applyFileChanges, planGeneratedFiles, type FileChange, type UnmarkedFile } from './files.js';
import { createOverlays, overlayPath, planOverlays, type OverlayPlan, type OverlayProblem } from './overlays.js';
import { renderAll, type RenderedService, type RenderJob } from './render.js';
import { manifestState, type ManifestState } from './manifest-state.js';

export { serviceBoundaryViolations, sharedGroupViolations, sharedHostViolations, unreachableViolations, type BoundaryViolation } from './boundaries.js';
export { CLUSTER_SCOPED_KINDS, imageAllowed, serviceBoundary, type BoundaryRule } from '../platform/boundaries/index.js';
export { planGeneratedFiles, applyFileChanges, type FileChange, type GeneratedFilesPlan, type UnmarkedFile } from './files.js';
export { planOverlays, createOverlays, overlayPath, type OverlayPlan, type OverlayProblem } from './overlays.js';
export { formatSynthTable } from './table.js';
export { OutputInTheWayError } from './output.js';
export { inputsFingerprint, type ManifestState } from './manifest-state.js';

export interface SynthOptions {
  /** The folder holding platform.yaml. */
  readonly directory: string;
  /** Write nothing; report generated files and overlays that are out of date. */
  readonly checkOnly?: boolean;
  /**
   * Where rendered manifests, summary.json and cdk.out/ go, each run's in place
   * of the previous run's, once complete. @default "out" (relative to the working directory)
   */
  readonly outDirectory?: string;
  readonly kubectl?: string;
  /**
   * Whether to synthesise the CDK app too. kaji upgrade's releases commit only the generated
   * files, and loading aws-cdk-lib and synthesising would add seconds to every step. @default true
   */
  readonly infrastructure?: boolean;
  readonly onProgress?: (progress: SynthProgress) => void;
}

export type SynthProgress =
  | { readonly phase: 'load' | 'generate' | 'check' | 'cdk' | 'write' }
  | { readonly phase: 'render'; readonly done: number; readonly total: number };

export interface ServiceReport {
  readonly service: string;
  readonly namespace: string;
  readonly objects: number;
  readonly dangers: number;
  readonly warnings: number;
  /**
   * True when it rendered whole; 'partial' when it rendered with problems (some of the output could
   * not be read: the figures count what could); false when nothing of it rendered (its overlay or
   * kustomization is broken: `problems` say why), and then there is nothing to score.
   */
  readonly rendered: RenderedState;
  /** The policy score of what rendered; null when nothing did, rather than a perfect 100. */
  readonly score: number | null;
  readonly boundaryViolations: readonly BoundaryViolation[];
  /** Every policy check that failed, each object's in its audit's order (as `kaji check` lists them). */
  readonly failedChecks: readonly FailedCheck[];
  readonly problems: readonly InputProblem[];
  /** The image of each container (init containers too) in the rendered objects: what Argo CD deploys. */
  readonly images: readonly RenderedImage[];
}

export type RenderedState = true | 'partial' | false;

/** Whether a render that gave `objects` objects and `problems` problems is whole, partial or none. */
export function renderedState(objects: number, problems: number): RenderedState {
  if (problems === 0) return true;
  return objects > 0 ? 'partial' : false;
}

export interface RenderedImage {
  /** `Kind/namespace/name` (`-` for no namespace), as boundary violations name objects. */
  readonly object: string;
  readonly container: string;
  /** As rendered: `repository:tag`, `repository@sha256:…`, or both. */
  readonly image: string;
}

/** A policy check that failed on a rendered object. */
export interface FailedCheck {
  /** `Kind/namespace/name` (`-` for no namespace), as boundary violations name objects. */
  readonly object: string;
  /** The container's name for a container's check; null for the object's or its pod's. */
  readonly container: string | null;
  /** The check's ID, as in the policy file. */
  readonly check: string;
  readonly severity: 'danger' | 'warning';
  readonly message: string;
}

export interface ClusterReport {
  readonly cluster: string;
  readonly kubernetesVersion: string;
  readonly weight: number;
  readonly services: readonly ServiceReport[];
  /** The policy audit of everything rendered for this cluster. */
  readonly audit: AuditData;
}

export interface SynthResult {
  readonly platform: PlatformDefinition;
  /** The manifest folder synth works in. */
  readonly root: string;
  /** Generated-file changes: applied, or (with checkOnly) pending. */
  readonly fileChanges: readonly FileChange[];
  /** Overlays created for new clusters: created, or (with checkOnly) pending. */
  readonly overlays: readonly OverlayPlan[];
  readonly overlayProblems: readonly OverlayProblem[];
  /** Files under clusters/ that synth did not write, in folders Argo CD applies with the platform's rights: each a problem. */
  readonly unmarkedFiles: readonly UnmarkedFile[];
  readonly clusters: readonly ClusterReport[];
  /** Failed danger checks plus boundary violations, over all clusters. */
  readonly dangers: number;
  readonly warnings: number;
  /** Render failures, overlay problems, unmarked files and a CDK app that does not synthesise. */
  readonly problems: number;
  /** The CDK app synthesised from the same definition. */
  readonly infrastructure: InfrastructureResult;
  /** The --out folder: written, or (with checkOnly) where a run without it would write. */
  readonly outDirectory: string;
  /** What the run noticed that fails nothing but wants a look, one line each. */
  readonly notes: readonly string[];
}

/** The manifest folder of a platform: the local checkout plus the path inside the repository. */
export function manifestRoot(platform: PlatformDefinition): string {
  const base = resolve(dirname(platform.file), platform.manifests.localPath);
  return join(base, platform.manifests.path);
}

/** The CDK result of a run told not to synthesise the CDK app. */
const NOT_SYNTHESISED: InfrastructureResult = { stacks: [] };

export async function runSynth(options: SynthOptions): Promise<SynthResult> {
  const progress = options.onProgress ?? (() => undefined);
  progress({ phase: 'load' });
  const out = resolve(options.outDirectory ?? 'out');
  if (options.checkOnly) return synthesise(options, out, undefined);
  // Staged before any work: an --out where no folder can be made (a file in the way, a
  // read-only or special file system) fails now, not after every service is rendered.
  const staged = stageOutput(out);
  try {
    return await synthesise(options, out, staged);
  } finally {
    staged.discard();
  }
}

/** The run itself; with `staged` (not --check-only), written there and published into `out` once complete. */
async function synthesise(options: SynthOptions, out: string, staged: StagedOutput | undefined): Promise<SynthResult> {
  const progress = options.onProgress ?? (() => undefined);
  const platform = await loadPlatform(join(options.directory, 'platform.yaml'));
  const policyFile = resolve(options.directory, platform.policy);
  // Read once: the policy checked here is byte for byte the one shipped to the webhook.
  const policyText = await readPolicyText(policyFile);
  const policy = parsePolicyConfig(policyText, policyFile);
  const root = manifestRoot(platform);
  await requireManifestFolder(platform, root);
  staged?.claim(platform.clusters.map((cluster) => cluster.name));

  progress({ phase: 'generate' });
  const { plans: overlays, problems: overlayProblems } = await planOverlays(root, platform);
  // Rendered first: the VerticalPodAutoscalers of clusters/*/tenants/ follow the workloads the overlays
  // render (a missing overlay renders from the one it will be copied from, so nothing needs writing first).
  const rendered = await renderAll(root, platform, renderJobs(platform, overlays, overlayProblems), {
    kubectl: options.kubectl,
    onRendered: (done, total) => progress({ phase: 'render', done, total }),
  });
  const generated: GeneratedFile[] = [];
  for (const cluster of platform.clusters) {
    const { workloads, unknown } = workloadsByService(platform, cluster, rendered);
    generated.push(...deriveClusterFiles(platform, cluster, { policyText, workloads }), ...(await keptFiles(root, cluster, unknown)));
  }
  const { changes: fileChanges, unmarked } = await planGeneratedFiles(root, generated);
  if (staged !== undefined) {
    await createOverlays(root, overlays);
    await applyFileChanges(root, fileChanges);
  }
  progress({ phase: 'check' });
  const clusters = platform.clusters.map((cluster) =>
    checkCluster(platform, cluster, policy, rendered.filter((entry) => entry.job.cluster.name === cluster.name)),
  );
  const notes = policyNotes(policy, policyFile);
  const synthesize = options.infrastructure === false ? async () => NOT_SYNTHESISED : synthesizeInfrastructure;
  progress({ phase: 'cdk' });
  if (staged === undefined) {
    const infrastructure = await synthesize(platform, undefined);
    return { ...summarise(platform, root, out, fileChanges, overlays, overlayProblems, unmarked, clusters, infrastructure), notes };
  }
  // Written aside and put in place of the previous run's output only once complete (see output.ts).
  const assembly = await synthesize(platform, join(staged.folder, 'cdk.out'));
  const infrastructure = assembly.outdir === undefined ? assembly : { ...assembly, outdir: join(out, 'cdk.out') };
  const result = { ...summarise(platform, root, out, fileChanges, overlays, overlayProblems, unmarked, clusters, infrastructure), notes };
  progress({ phase: 'write' });
  // After the generated files and overlays are written: the state kaji dashboard will find.
  const manifests = await manifestState(platform, root, policyFile, [out]);
  await writeOutput(staged.folder, result, rendered, manifests);
  staged.publish();
  return result;
}

/**
 * A policy that lets annotations exempt objects lets every tenant opt its own objects out of
 * every check (the platform's custom checks included): said on each run, since policy files
 * written before kaji init set disallowAnnotationExemptions do not. A policy that sets it to
 * false has chosen annotation exemptions and is not told again.
 */
function policyNotes(policy: PolicyConfig, policyFile: string): string[] {
  if (policy.disallowExemptions || policy.disallowAnnotationExemptions !== undefined) return [];
  return [
    `${displayPath(policyFile)} allows annotation exemptions: a tenant can annotate its own objects (polaris.fairwinds.com/exempt: "true") out of every check, ` +
      'in CI and at the webhook; add disallowAnnotationExemptions: true and list exemptions under exemptions:',
  ];
}

/**
 * The manifest folder must be there before synth writes into it: a mistyped
 * localPath would otherwise get a new clusters/ tree of its own (and every
 * service "no overlay"), and a file there ended in ENOTDIR.
 */
async function requireManifestFolder(platform: PlatformDefinition, root: string): Promise<void> {
  const isFolder = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() === true;
  const fields = platform.manifests.path === '.' ? 'manifests.localPath' : 'manifests.localPath and manifests.path';
  const refuse = (problem: string) => {
    throw new PlatformErrors([new PlatformError(`${displayPath(root)} ${problem}: check out the manifest repository there, or set ${fields} to where its checkout is`, 'manifests.localPath', platform.file)]);
  };
  if (!(await isFolder(root))) refuse((await stat(root).catch(() => undefined)) ? 'is not a folder' : 'does not exist');
  // Services but neither their overlays (apps/) nor generated files (clusters/): some other folder, which
  // kaji synth would fill with clusters/ for nothing (every service lacks its overlay).
  if (platform.services.length > 0 && !(await isFolder(join(root, 'apps'))) && !(await isFolder(join(root, 'clusters')))) {
    refuse('holds neither apps/ (the services\' overlays) nor clusters/, so it is no manifest repository kaji synth would write clusters/ into');
  }
}

/** One render per service and cluster; a missing overlay renders from the overlay it would be copied from. */
function renderJobs(platform: PlatformDefinition, overlays: readonly OverlayPlan[], problems: readonly OverlayProblem[]): RenderJob[] {
  const unrenderable = new Set(problems.map((problem) => problem.service));
  return platform.clusters.flatMap((cluster) =>
    platform.services
      .filter((service) => !unrenderable.has(service.name))
      .map((service) => {
        const pending = overlays.find((plan) => plan.service === service.name && plan.cluster === cluster.name);
        return { service, cluster, overlay: pending?.from ?? overlayPath(service.name, cluster.name) };
      }),
  );
}

/**
 * Each service's workloads in a cluster, from its rendered overlay; `unknown` names the services
 * that did not render whole (their workloads cannot be told).
 */
function workloadsByService(
  platform: PlatformDefinition,
  cluster: ClusterDefinition,
  rendered: readonly RenderedService[],
): { workloads: Map<string, WorkloadRef[]>; unknown: string[] } {
  const workloads = new Map<string, WorkloadRef[]>();
  for (const entry of rendered) {
    if (entry.job.cluster.name !== cluster.name || entry.problems.length > 0) continue;
    workloads.set(entry.job.service.name, recommendedWorkloads(entry.objects.map((object) => object.raw)));
  }
  return { workloads, unknown: platform.services.map((service) => service.name).filter((name) => !workloads.has(name)) };
}

/**
 * The generated VerticalPodAutoscaler files of services whose overlay did not render, kept as they
 * are: a broken overlay (a problem synth reports) must not prune the recommendations in the cluster.
 */
async function keptFiles(root: string, cluster: ClusterDefinition, services: readonly string[]): Promise<GeneratedFile[]> {
  const kept: GeneratedFile[] = [];
  for (const service of services) {
    const path = vpaFilePath(clusterFolder(cluster), service);
    const content = await readFile(join(root, path), 'utf8').catch(() => undefined);
    if (content !== undefined && isGeneratedFile(content)) kept.push({ path, content });
  }
  return kept;
}

function checkCluster(platform: PlatformDefinition, cluster: ClusterDefinition, policy: PolicyConfig, rendered: readonly RenderedService[]): ClusterReport {
  const objects = rendered.flatMap((entry) => entry.objects);
  const audit = auditObjects(objects, policy, { sourceName: `cluster ${cluster.name}` });
  const objectsByService = new Map(rendered.map((entry) => [entry.job.service.name, entry.objects]));
  const shared = [...sharedHostViolations(platform, objectsByService), ...sharedGroupViolations(objectsByService), ...unreachableViolations(objectsByService)];
  // The audit keeps input order, so each service's results are the next run of as many results as it has objects.
  let offset = 0;
  const services = rendered.map((entry): ServiceReport => {
    const results = audit.Results.slice(offset, (offset += entry.objects.length));
    const counts = countResults(results);
    const rendered = renderedState(entry.objects.length, entry.problems.length);
    const boundaryViolations = [
      ...serviceBoundaryViolations(platform, entry.job.service, entry.objects),
      ...removedApiViolations(cluster, entry.job.service, entry.objects),
      ...mutatedFieldViolations(platform, entry.job.service, entry.objects, results),
      ...shared.filter((violation) => violation.service === entry.job.service.name),
    ];
    return {
      service: entry.job.service.name,
      namespace: entry.job.service.namespace,
      objects: entry.objects.length,
      dangers: counts.dangers + boundaryViolations.length,
      warnings: counts.warnings,
      rendered,
      score: rendered === false ? null : scoreOf(counts),
      boundaryViolations,
      failedChecks: failedChecks(results),
      problems: entry.problems,
      images: renderedImages(entry.objects),
    };
  });
  return { cluster: cluster.name, kubernetesVersion: cluster.kubernetesVersion, weight: cluster.weight, services, audit };
}

function failedChecks(results: readonly Result[]): FailedCheck[] {
  return results.flatMap((result) => {
    const object = `${result.Kind}/${result.Namespace || '-'}/${result.Name}`;
    return [...resultEntries(result)].flatMap(({ container, message }): FailedCheck[] => {
      const outcome = outcomeOf(message);
      if (outcome === 'success') return [];
      return [{ object, container: container ?? null, check: message.ID, severity: outcome, message: message.Message }];
    });
  });
}

/** The image of each container (init containers too) in `objects`, in the order first met. */
export function renderedImages(objects: readonly KubeObject[]): RenderedImage[] {
  return objects.flatMap((object) => {
    const found = findPodSpec(object.raw);
    if (!found) return [];
    const name = `${object.kind}/${object.namespace || '-'}/${object.name}`;
    return containersOf(found.spec).flatMap(({ container }) =>
      typeof container.image === 'string' ? [{ object: name, container: typeof container.name === 'string' ? container.name : '', image: container.image }] : [],
    );
  });
}

function summarise(
  platform: PlatformDefinition,
  root: string,
  outDirectory: string,
  fileChanges: readonly FileChange[],
  overlays: readonly OverlayPlan[],
  overlayProblems: readonly OverlayProblem[],
  unmarked: readonly UnmarkedFile[],
  clusters: readonly ClusterReport[],
  infrastructure: InfrastructureResult,
): Omit<SynthResult, 'notes'> {
  const services = clusters.flatMap((cluster) => cluster.services);
  return {
    platform,
    root,
    fileChanges,
    overlays,
    overlayProblems,
    unmarkedFiles: unmarked,
    clusters,
    dangers: services.reduce((sum, service) => sum + service.dangers, 0),
    warnings: services.reduce((sum, service) => sum + service.warnings, 0),
    problems:
      overlayProblems.length +
      unmarked.length +
      services.reduce((sum, service) => sum + service.problems.length, 0) +
      (infrastructure.problem ? 1 : 0),
    infrastructure,
    outDirectory,
  };
}

/**
 * The policy score of what rendered for a cluster; null when the platform has services and none of
 * them rendered there (an audit of nothing scores 100, which would read as all is well).
 */
export function clusterScore(platform: PlatformDefinition, cluster: ClusterReport): number | null {
  const nothingRendered = platform.services.length > 0 && !cluster.services.some((service) => service.rendered !== false);
  return nothingRendered ? null : cluster.audit.Score;
}

/**
 * How many of the platform's services did not render whole for a cluster: not at all (a broken
 * kustomization, or no overlay to render), or in part. The cluster's score does not cover them.
 */
export function servicesNotRenderedWhole(platform: PlatformDefinition, cluster: ClusterReport): number {
  return platform.services.filter((definition) => cluster.services.find((service) => service.service === definition.name)?.rendered !== true).length;
}

/**
 * The machine-readable summary written to out/summary.json (README, "kaji
 * synth"). Fields are only ever added: `manifests` and each service's
 * `images` came with kaji dashboard, which needs them; `rendered` came with
 * a null `score` for a service (and a cluster) where nothing rendered, and
 * its 'partial' and each cluster's `notRenderedWhole` after it; each
 * service's `failedChecks` after those; `unmarkedFiles` after that.
 */
export function synthSummary(result: SynthResult, manifests?: ManifestState): object {
  return {
    platform: result.platform.platform.name,
    ...(manifests && { manifests }),
    dangers: result.dangers,
    warnings: result.warnings,
    problems: result.problems,
    generatedFiles: result.fileChanges.map((change) => ({ action: change.action, path: change.path })),
    overlaysCreated: result.overlays.map((plan) => ({ path: plan.path, from: plan.from })),
    unmarkedFiles: result.unmarkedFiles.map(({ path, message }) => ({ path, message })),
    cdk: { stacks: result.infrastructure.stacks, problem: result.infrastructure.problem ?? null },
    clusters: result.clusters.map((cluster) => ({
      cluster: cluster.cluster,
      kubernetesVersion: cluster.kubernetesVersion,
      weight: cluster.weight,
      notRenderedWhole: servicesNotRenderedWhole(result.platform, cluster),
      score: clusterScore(result.platform, cluster),
      services: cluster.services.map(({ service, namespace, objects, dangers, warnings, rendered, score, boundaryViolations, failedChecks, problems, images }) => ({
        service,
        namespace,
        objects,
        dangers,
        warnings,
        rendered,
        score,
        boundaryViolations: boundaryViolations.map(({ rule, object, message }) => ({ rule, object, message })),
        failedChecks: failedChecks.map(({ object, container, check, severity, message }) => ({ object, container, check, severity, message })),
        problems: problems.map(({ file, message }) => ({ file, message })),
        images: images.map(({ object, container, image }) => ({ object, container, image })),
      })),
    })),
  };
}

/** Writes the rendered manifests and summary.json into `folder`, the staging folder: plain writes, as nothing reads it before it is published. */
async function writeOutput(folder: string, result: SynthResult, rendered: readonly RenderedService[], manifests: ManifestState): Promise<void> {
  // Not recursive: an interrupt's exit may remove the staging folder while an
  // mkdir is still running on libuv's threads, which must fail then rather than
  // create the folder again.
  for (const cluster of new Set(rendered.map((entry) => entry.job.cluster.name))) await mkdir(join(folder, cluster));
  for (const entry of rendered) {
    const text = entry.objects.map((object) => yaml.dump(object.raw, { lineWidth: -1, noRefs: true, schema: KUBERNETES_YAML_DUMP_SCHEMA })).join('---\n');
    await writeFile(join(folder, entry.job.cluster.name, `${entry.job.service.name}.yaml`), text);
  }
  await writeFile(join(folder, 'summary.json'), `${JSON.stringify(synthSummary(result, manifests), null, 2)}\n`);
}
