// `kaji upgrade plan`: is the platform ready to move from one cluster to the
// next? Every service is rendered for the new cluster as synth renders it
// (synth's renderer and its removed-API judgement, not a second copy), and
// whatever would keep the new cluster's Argo CD from syncing is a blocker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { kubernetesMinor } from '../apis/index.js';
import { didYouMean, displayPath } from '../kube/index.js';
import { argoCdUrl, eksVersion, loadPlatform, type ClusterDefinition, type PlatformDefinition } from '../platform/index.js';
import { manifestRoot, overlayPath, planOverlays, renderedImages } from '../synth/index.js';
import { renderAll, type RenderedService, type RenderJob } from '../synth/render.js';
import { removedApiViolations } from '../synth/removed-apis.js';
import { cdkAppFolder } from './cdk.js';
import { UpgradeError } from './errors.js';

export interface ClusterSummary {
  readonly name: string;
  readonly kubernetesVersion: string;
  readonly weight: number;
}

export type BlockerKind = 'removedApi' | 'render' | 'overlay' | 'notGenerated' | 'weight' | 'version' | 'cdkApp';

export interface Blocker {
  readonly kind: BlockerKind;
  readonly service?: string;
  /** kind/namespace/name of the object, for removed APIs. */
  readonly object?: string;
  readonly message: string;
}

export interface ServiceReadiness {
  readonly service: string;
  /** Objects rendered for the new cluster. */
  readonly objects: number;
  /** Objects in an apiVersion the new cluster no longer serves. */
  readonly removedApis: number;
  /** The service could not be rendered (or has no overlay to deploy from). */
  readonly problems: number;
}

export interface UpgradePlan {
  readonly platform: string;
  readonly from: ClusterSummary;
  readonly to: ClusterSummary;
  /** Kubernetes minor versions between the two, which the blue/green move skips. */
  readonly skippedVersions: readonly string[];
  readonly services: readonly ServiceReadiness[];
  readonly blockers: readonly Blocker[];
  /** What to know that does not block. */
  readonly notes: readonly string[];
  readonly ready: boolean;
}

export interface PlanOptions {
  /** The folder holding platform.yaml. */
  readonly directory: string;
  /** @default the cluster with the highest weight */
  readonly from?: string;
  /** @default the cluster at weight 0 with the newest Kubernetes version */
  readonly to?: string;
  readonly kubectl?: string;
  /** The CDK app folder. @default infra/ beside platform.yaml */
  readonly cdkApp?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The clusters an upgrade moves between: the ones named, or the defaults. */
export function chooseClusters(platform: PlatformDefinition, from: string | undefined, to: string | undefined): { from: ClusterDefinition; to: ClusterDefinition } {
  const names = platform.clusters.map((cluster) => cluster.name);
  const named = (name: string, flag: string) => {
    const cluster = platform.clusters.find((candidate) => candidate.name === name);
    if (!cluster) throw new UpgradeError(`${flag} ${name}: no such cluster in ${displayPath(platform.file)}${didYouMean(name, names)}; clusters: ${names.join(', ')}`);
    if (cluster.retiring) throw new UpgradeError(`${flag} ${name}: ${displayPath(platform.file)} marks ${name} retiring (its services are being pruned); finish its retirement (kaji upgrade finish), or remove retiring: true`);
    return cluster;
  };
  const source = from !== undefined ? named(from, '--from') : [...platform.clusters].sort((a, b) => b.weight - a.weight)[0]!;
  let target: ClusterDefinition | undefined;
  if (to !== undefined) target = named(to, '--to');
  else {
    const candidates = platform.clusters.filter((cluster) => cluster.weight === 0 && !cluster.retiring && cluster !== source);
    // The newest version; of equal ones, the one written last.
    target = candidates.reduce<ClusterDefinition | undefined>((best, cluster) => (!best || minor(cluster) >= minor(best) ? cluster : best), undefined);
    if (!target) {
      throw new UpgradeError(
        `${displayPath(platform.file)} has no cluster at weight 0 to upgrade to: add one to clusters (name, the new kubernetesVersion, weight: 0), run kaji synth and merge, or name it with --to`,
      );
    }
  }
  if (target === source) throw new UpgradeError(`--from and --to are both ${source.name}: an upgrade moves traffic to another cluster`);
  return { from: source, to: target };
}

/**
 * With SSO, nobody signs in to the new cluster's Argo CD until the provider
 * knows its redirect URL. kaji cannot see the provider's settings, so it is a
 * note, not a blocker: the upgrade itself needs only an API token.
 */
function ssoRedirectNote(platform: PlatformDefinition, from: ClusterDefinition, to: ClusterDefinition): string | undefined {
  const sso = platform.argocd?.sso;
  if (!sso) return undefined;
  return (
    `Argo CD sign-in on ${to.name}: register ${argoCdUrl(platform, to)}/auth/callback as a redirect URL of client ${sso.clientID} ` +
    `at ${sso.issuer} before anyone signs in there (and drop ${from.name}'s once it is retired)`
  );
}

function minor(cluster: ClusterDefinition): number {
  return kubernetesMinor(cluster.kubernetesVersion) ?? 0;
}

const summary = (cluster: ClusterDefinition): ClusterSummary => ({ name: cluster.name, kubernetesVersion: cluster.kubernetesVersion, weight: cluster.weight });

export async function planUpgrade(options: PlanOptions): Promise<UpgradePlan> {
  const platform = await loadPlatform(join(options.directory, 'platform.yaml'));
  const { from, to } = chooseClusters(platform, options.from, options.to);
  const blockers: Blocker[] = [];
  const notes: string[] = [];

  if (to.weight !== 0) blockers.push({ kind: 'weight', message: `${to.name} has weight ${to.weight}: an upgrade starts with the new cluster at weight 0 (set it in platform.yaml, or finish the upgrade under way)` });
  if (from.weight === 0) blockers.push({ kind: 'weight', message: `${from.name} has weight 0: it serves no traffic to move` });
  const [fromMinor, toMinor] = [minor(from), minor(to)];
  if (toMinor < fromMinor) blockers.push({ kind: 'version', message: `${to.name} runs Kubernetes ${to.kubernetesVersion}, older than ${from.name}'s ${from.kubernetesVersion}: that is a downgrade` });
  if (toMinor === fromMinor) notes.push(`${from.name} and ${to.name} both run Kubernetes ${to.kubernetesVersion}: a rebuild, not a version upgrade`);
  const skippedVersions = Array.from({ length: Math.max(0, toMinor - fromMinor - 1) }, (_, index) => `1.${fromMinor + 1 + index}`);
  if (skippedVersions.length) {
    notes.push(`skips ${skippedVersions.join(', ')}: read the Kubernetes changelog of each for behaviour changes beyond removed APIs (which are checked here)`);
  }
  const support = eksVersion(to.kubernetesVersion);
  if (support) notes.push(`EKS standard support for ${to.kubernetesVersion} ends ${support.endOfStandardSupport}`);

  const signInNote = ssoRedirectNote(platform, from, to);
  if (signInNote) notes.push(signInNote);

  const cdkApp = cdkAppFolder(platform.file, options.cdkApp);
  if (!existsSync(join(cdkApp, 'cdk.json'))) {
    blockers.push({ kind: 'cdkApp', message: `${displayPath(cdkApp)} has no cdk.json: the deploy step runs cdk there (kaji init scaffolds it as infra/); pass --cdk-app DIR` });
  }

  const root = manifestRoot(platform);
  if (!existsSync(join(root, 'clusters', to.name, 'argocd'))) {
    blockers.push({ kind: 'notGenerated', message: `${displayPath(join(root, 'clusters', to.name))} is not generated: run kaji synth and merge it, so ${to.name}'s Argo CD has something to sync` });
  }
  const { plans, problems } = await planOverlays(root, platform);
  for (const problem of problems) blockers.push({ kind: 'overlay', service: problem.service, message: problem.message });
  const pending = plans.filter((plan) => plan.cluster === to.name);
  for (const plan of pending) {
    blockers.push({ kind: 'overlay', service: plan.service, message: `${displayPath(join(root, plan.path))} does not exist: run kaji synth (it copies ${displayPath(join(root, plan.from))}) and merge` });
  }

  // Rendered as synth renders it; a missing overlay from the one synth would copy.
  const unrenderable = new Set(problems.map((problem) => problem.service));
  const jobs: RenderJob[] = platform.services
    .filter((service) => !unrenderable.has(service.name))
    .map((service) => ({ service, cluster: to, overlay: pending.find((plan) => plan.service === service.name)?.from ?? overlayPath(service.name, to.name) }));
  // The old cluster's overlay too, where the new one has its own: their images are compared (staleOverlayBlocker).
  const ownOverlays = jobs.filter((job) => job.overlay === overlayPath(job.service.name, to.name) && !plans.some((plan) => plan.service === job.service.name && plan.cluster === from.name));
  const oldJobs: RenderJob[] = ownOverlays.map((job) => ({ ...job, cluster: from, overlay: overlayPath(job.service.name, from.name) }));
  const rendered = await renderAll(root, platform, [...jobs, ...oldJobs], { kubectl: options.kubectl, onRendered: (done, total) => options.onProgress?.(done, total) });
  const services: ServiceReadiness[] = platform.services.map((service) => {
    const entry = rendered.find((candidate) => candidate.job.service.name === service.name && candidate.job.cluster === to);
    if (!entry) return { service: service.name, objects: 0, removedApis: 0, problems: 1 };
    for (const problem of entry.problems) blockers.push({ kind: 'render', service: service.name, message: `${displayPath(problem.file)}: ${problem.message}` });
    const old = rendered.find((candidate) => candidate.job.service.name === service.name && candidate.job.cluster === from);
    const stale = old && staleOverlayBlocker(root, entry, old);
    if (stale) blockers.push(stale);
    const removed = removedApiViolations(to, service, entry.objects);
    for (const violation of removed) blockers.push({ kind: 'removedApi', service: service.name, object: violation.object, message: violation.message });
    return { service: service.name, objects: entry.objects.length, removedApis: removed.length, problems: entry.problems.length };
  });

  return { platform: platform.platform.name, from: summary(from), to: summary(to), skippedVersions, services, blockers, notes, ready: blockers.length === 0 };
}

/**
 * The new cluster's own overlay rendering other images than the old
 * cluster's, which it replaces: most often one left behind by a cluster of
 * the same name retired earlier (blue/green naming), which `kaji bump` stopped
 * updating once that cluster left platform.yaml, so the new cluster would run
 * months-old images. Judged on what renders, not on the kustomization's text,
 * and only when both render whole.
 */
function staleOverlayBlocker(root: string, incoming: RenderedService, old: RenderedService): Blocker | undefined {
  if (incoming.problems.length > 0 || old.problems.length > 0) return undefined;
  const imagesOf = (rendered: RenderedService) => [...new Set(renderedImages(rendered.objects).map((entry) => entry.image))].sort();
  const [theirs, ours] = [imagesOf(old), imagesOf(incoming)];
  if (theirs.join(' ') === ours.join(' ')) return undefined;
  const [to, from] = [incoming.job.cluster.name, old.job.cluster.name];
  const folder = (rendered: RenderedService) => displayPath(join(root, rendered.job.overlay));
  return {
    kind: 'overlay',
    service: incoming.job.service.name,
    message:
      `${folder(incoming)}/ renders ${ours.join(', ') || 'no image'}, but ${from}'s ${folder(old)}/, which ${to} replaces, renders ${theirs.join(', ') || 'no image'} ` +
      `(an overlay left by an earlier cluster named ${to}, which kaji bump no longer updated?): delete ${folder(incoming)}/ and run kaji synth (it copies ${from}'s) and merge, ` +
      `or set its images to ${from}'s`,
  };
}
