// `kaji bump SERVICE TAG`: pins a new image version of a service in the
// manifest repository. Edits happen in a temporary clone (never in the user's
// checkout), are checked with the platform's policy on the rendered overlays
// (a change that adds a danger is refused), then either pushed straight to the
// base branch (re-applied and checked again on the new tip when another push got
// there first) or proposed as a pull request from `kaji/bump/<service>`.
import { readdir } from 'node:fs/promises';
import { basename, join, posix, resolve } from 'node:path';
import {
  addStream,
  containersOf,
  didYouMean,
  fileLine,
  findPodSpec,
  KUSTOMIZATION_FILES,
  kustomizationFile,
  renderKustomization,
  type InputProblem,
  type KubeObject,
} from '../kube/index.js';
import { auditObjects, countResults, loadPolicyConfig, placedMessagesOf, type PolicyConfig } from '../policy/index.js';
import { loadPlatform, type PlatformDefinition, type ServiceDefinition } from '../platform/index.js';
import { GitHubForge, githubApiUrlProblem, githubWebUrl, pullRequestBranch, pullRequestRepository, type PullRequestResult } from './github.js';
import {
  BranchMovedError,
  checkedOutBranchRefusal,
  isUrl,
  redact,
  SourceNotFoundError,
  urlCredentials,
  withGitFix,
  Workspace,
} from './git.js';
import {
  formatVersion,
  ImageEditError,
  kustomizeImageEntries,
  parseImageReference,
  setImageFields,
  setKustomizeImage,
  validateTag,
  type FileEdit,
} from './image-edit.js';
import type { ImagePin, ImageVersion, PinChange, PinKind } from './types.js';

export type BumpMode = 'pr' | 'push';

export interface BumpOptions {
  readonly service: string;
  /** `1.5.0` or `1.5.0@sha256:…`. */
  readonly tag: string;
  readonly digest?: string;
  /** @default every cluster with an overlay for the service */
  readonly clusters?: readonly string[];
  /** The folder holding platform.yaml. @default "." */
  readonly platformDirectory?: string;
  /** The manifest repository: a local path (cloned, never edited in place) or a git URL. @default the platform's manifests.url */
  readonly manifests?: string;
  /** @default the platform's manifests.branch */
  readonly base?: string;
  /** @default "pr" */
  readonly mode?: BumpMode;
  /** owner/name of the app repository, for the compare link. @default the service's sourceRepository */
  readonly sourceRepo?: string;
  /** The app commit the image was built from (a `Source-Commit:` trailer). */
  readonly sourceCommit?: string;
  readonly dryRun?: boolean;
  /** owner/name of the manifest repository on GitHub (PR mode). @default from the URL pushed to (`manifests`, else manifests.url); required for a local path */
  readonly githubRepository?: string;
  /** @default https://api.github.com */
  readonly githubApiUrl?: string;
  /** @default process.env.GITHUB_TOKEN */
  readonly token?: string;
  /** Push attempts in push mode. @default 20 */
  readonly attempts?: number;
  readonly kubectl?: string;
  readonly author?: { readonly name: string; readonly email: string };
  readonly onProgress?: (message: string) => void;
}

/** A danger the change would add, in one cluster. */
export interface AddedDanger {
  readonly cluster: string;
  /** kind/namespace/name (and container). */
  readonly object: string;
  readonly check: string;
  readonly message: string;
}

/**
 * Something in a changed cluster's rendered overlay that kaji cannot read as written (an object the
 * API server would refuse, a document that is not YAML), so the gate could not check it.
 */
export interface UncheckedInput {
  readonly cluster: string;
  /** The overlay's kustomization, as a path in the manifest repository (the rendered stream has no lines of its own). */
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

/**
 * A changed cluster whose overlay, rendered after the edit, does not run the new version in every
 * container of the service's image (or runs none): pushing would report a release that never deploys.
 */
export interface NotDeployed {
  readonly cluster: string;
  /** The overlay folder, as a path in the manifest repository. */
  readonly overlay: string;
  /** What runs instead ("Deployment/antenna/antenna container app runs 1.0.0"); empty when no container runs the image. */
  readonly containers: readonly string[];
  /** Files kaji edited whose edit changes nothing kustomize renders: the kustomization does not load them. */
  readonly unrenderedEdits: readonly string[];
}

export interface ClusterPolicy {
  readonly cluster: string;
  readonly dangersBefore: number;
  readonly dangersAfter: number;
  readonly warningsAfter: number;
}

export interface BumpResult {
  readonly service: string;
  readonly version: ImageVersion;
  /**
   * - `unchanged`: the version was already pinned everywhere: nothing of ours was committed or pushed;
   *   `commit` is the base commit that pins it (in push mode, possibly another run's commit that landed
   *   first with the same change: `attempts` then counts the rejected push);
   * - `dry-run`: the diff was computed and checked, and in PR mode the branch read as a run reads it
   *   (what would stop the run throws here too); nothing was pushed or opened;
   * - `refused`: the change adds a danger (see `addedDangers`), a changed overlay renders objects
   *   kaji cannot read, so cannot check (see `uncheckedInputs`), or a changed overlay would still not
   *   run the new version (see `notDeployed`), on the first tip or, in push mode, on a newer tip it
   *   was re-made on (see `refusedOnTip`);
   * - `pushed`: committed to the base branch;
   * - `pull-request`: the branch was pushed (or already held this change: see `alreadyPushed`) and
   *   the pull request created or updated.
   */
  readonly status: 'unchanged' | 'dry-run' | 'refused' | 'pushed' | 'pull-request';
  readonly clusters: readonly string[];
  readonly pins: readonly ImagePin[];
  readonly changes: readonly PinChange[];
  readonly diff: string;
  readonly policy: readonly ClusterPolicy[];
  readonly addedDangers: readonly AddedDanger[];
  /** The input problems of the changed overlays after the change: any refuses it, as a danger does. */
  readonly uncheckedInputs: readonly UncheckedInput[];
  /** The changed clusters whose rendered overlay would not run the new version everywhere: any refuses the change. */
  readonly notDeployed: readonly NotDeployed[];
  readonly commit?: string;
  readonly branch?: string;
  /**
   * PR mode: the branch already held this very change on the same base (a re-run of the bump):
   * nothing was committed or pushed, and `commit` is the branch's tip.
   */
  readonly alreadyPushed?: boolean;
  readonly attempts?: number;
  /** Push mode: the base tip the change was refused on, when another push had moved the base since the first check. */
  readonly refusedOnTip?: string;
  readonly pullRequest?: PullRequestResult;
  readonly title?: string;
}

/** A bump that cannot be run as asked (unknown service or cluster, bad tag, image not found, missing token). */
export class BumpError extends Error {}

/**
 * Another release of the service is in the way, and going on would throw it away: in push mode one
 * landed on the base while kaji worked; in PR mode the pull request branch pins another tag in a
 * cluster this run leaves out. Nothing was pushed.
 */
export class BumpConflictError extends BumpError {}

export const BUMP_LABEL = 'kaji/bump';

export function bumpBranch(service: string): string {
  return `kaji/bump/${service}`;
}

export async function bump(options: BumpOptions): Promise<BumpResult> {
  const report = options.onProgress ?? (() => undefined);
  let version: ImageVersion;
  try {
    version = validateTag(options.tag, options.digest);
  } catch (error) {
    if (error instanceof ImageEditError) throw new BumpError(error.message);
    throw error;
  }
  const directory = resolve(options.platformDirectory ?? '.');
  const platform = await loadPlatform(join(directory, 'platform.yaml'));
  const service = findService(platform, options.service);
  const requested = options.clusters?.length ? [...new Set(options.clusters)] : undefined;
  for (const name of requested ?? []) {
    if (!platform.clusters.some((cluster) => cluster.name === name)) {
      throw new BumpError(
        `unknown cluster "${name}"${didYouMean(name, platform.clusters.map((c) => c.name))}; clusters: ${platform.clusters.map((c) => c.name).join(', ')}`,
      );
    }
  }
  const mode = options.mode ?? 'pr';
  // The repository Argo CD pulls from, never the local checkout by default: a release pushed
  // into a checkout would not reach Argo CD, and would start from what the checkout last pulled.
  const source = options.manifests ?? platform.manifests.url;
  // Credentials written in the URL (https://user:token@host/…) go to git as a header, not in the
  // URL (git.ts), and are redacted from every message.
  const secrets = isUrl(source) ? urlCredentials(source).secrets : [];
  const progress = (message: string) => report(redact(message, secrets));
  const base = options.base ?? platform.manifests.branch;
  const forge = mode === 'pr' && !options.dryRun ? forgeFor(options, source, secrets) : undefined;
  const policy = await loadPolicyConfig({ file: resolve(directory, platform.policy) });
  const sourceRepo = options.sourceRepo ?? service.sourceRepository;

  // Said before the clone, the render and the check, not by the push at the end.
  if (mode === 'push' && !options.dryRun && !isUrl(source)) {
    const refusal = await checkedOutBranchRefusal(source, base).catch(() => undefined); // Workspace.open words other problems
    if (refusal !== undefined) throw new BumpError(refusal);
  }
  progress(`opening ${isUrl(source) ? source : 'the manifest repository'} (${base})`);
  const workspace = await Workspace.open({ source, base, shallow: isUrl(source), ...(options.author ? { author: options.author } : {}) }).catch((error: unknown) => {
    if (!(error instanceof SourceNotFoundError)) throw withGitFix(error, options, source);
    throw new BumpError(`${resolve(source)} is not a directory: give --manifests a checkout of the manifest repository, or its clone URL`);
  });
  try {
    const manifestDir = join(workspace.root, platform.manifests.path);
    const clusters = requested ?? platform.clusters.map((c) => c.name).filter((c) => hasOverlay(manifestDir, service.name, c));
    if (clusters.length === 0) {
      throw new BumpError(`${service.name} has no overlay in the manifest repository: looked for ${repoPath(platform, `apps/${service.name}/overlays/<cluster>/kustomization.yaml`)}`);
    }
    for (const cluster of clusters) {
      if (!hasOverlay(manifestDir, service.name, cluster)) {
        throw new BumpError(`${service.name} has no overlay for cluster ${cluster}: ${repoPath(platform, `${overlayDir(service.name, cluster)}/kustomization.yaml`)} does not exist`);
      }
    }

    let plan: BumpPlan = { platform, service, clusters, version, policy, kubectl: options.kubectl };
    const branch = pullRequestBranch(bumpBranch(service.name), base, platform.manifests.branch);
    // PR mode: the branch is rebuilt from the base; the pins it holds for clusters left out here go along
    // (a dry run reads them too: it stops, or shows the clusters, as the run would).
    const pending = mode === 'pr' ? await pendingPins(workspace, plan, branch) : undefined;
    if (pending !== undefined && pending.kept.length > 0) {
      progress(`${branch} also pins ${formatVersion(version)} on ${pending.kept.join(', ')} (an earlier run's): kept in the pull request`);
      const chosen = new Set([...clusters, ...pending.kept]);
      plan = { ...plan, clusters: platform.clusters.map((c) => c.name).filter((c) => chosen.has(c)) };
    }
    const first = await editAndCheck(workspace, plan, '', progress);
    const changes = first.changes;
    const empty: Omit<BumpResult, 'status'> = { service: service.name, version, clusters: plan.clusters, pins: first.pins, changes, diff: '', policy: [], addedDangers: [], uncheckedInputs: [], notDeployed: [] };
    if (changes.length === 0) return { ...empty, status: 'unchanged', commit: workspace.baseCommit };

    const checked = await checkedResult(workspace, empty, first);
    if (isRefused(checked)) return { ...checked, status: 'refused' };
    if (options.dryRun && mode === 'push') return { ...checked, status: 'dry-run' };

    const title = titleOf(service.name, changes, version);
    const message = commitMessage(title, changes);
    const trailers: Record<string, string> = { 'Kaji-Service': service.name };
    if (options.sourceCommit) trailers['Source-Commit'] = options.sourceCommit;

    if (mode === 'push') {
      await workspace.commit(message, trailers);
      progress(`pushing to ${base}`);
      return await pushGated(workspace, { plan, checked, title, trailers, attempts: options.attempts ?? 20, progress });
    }

    // Committed in the temporary clone only, by a dry run too: it then meets the refusals a push would.
    const made = await workspace.commit(message, trailers);
    // A re-run of the same bump (CI retried for the same tag) finds its commit there already, but
    // for the dates: pushing this one would swap in an equal commit and restart the PR's checks.
    const kept = await workspace.remoteTipLikeHead(branch);
    if (kept === undefined) {
      // remoteTipLikeHead read the branch again, and the push is leased to that read: a tip whose pins were not looked at is not overwritten.
      const now = await workspace.branchTip(branch);
      if (now !== pending?.tip) {
        throw new BranchMovedError(`${branch} of ${workspace.source} moved while kaji was working (it ${pending?.tip === undefined ? 'did not exist' : `was at ${pending.tip.slice(0, 12)}`} when kaji read it, and has changed since): nothing was pushed; re-run`);
      }
      if (options.dryRun) {
        await workspace.refuseForeignCommits(branch);
      } else {
        progress(`pushing ${branch}`);
        await workspace.pushBranch(branch);
      }
    } else {
      progress(`${branch} already has this change on ${base} (${kept.slice(0, 12)}): nothing to push`);
    }
    if (options.dryRun) return { ...checked, status: 'dry-run' };
    await workspace.refuseMovedSince(branch, kept ?? made);
    progress(`opening the pull request`);
    const pullRequest = await forge!.upsertPullRequest({
      head: branch,
      base,
      title,
      body: pullRequestBody({
        service: service.name,
        version,
        changes,
        policy: checked.policy,
        sourceRepo,
        sourceCommit: options.sourceCommit,
        webUrl: githubWebUrl(options.githubApiUrl, source),
      }),
      labels: [BUMP_LABEL],
    });
    return { ...checked, status: 'pull-request', commit: kept ?? made, branch, pullRequest, title, ...(kept === undefined ? {} : { alreadyPushed: true }) };
  } catch (error) {
    throw withGitFix(error, options, source);
  } finally {
    await workspace.dispose();
  }
}

// --- the pull request branch's other pins ----------------------------------------

interface PendingPins {
  /** The branch's tip read (undefined: no such branch). */
  readonly tip?: string;
  /** Clusters left out of this run whose pin on the branch is this run's version: bumped again. */
  readonly kept: readonly string[];
}

/**
 * PR mode: the pins of the service that `branch` holds, and the base lacks, for clusters this run
 * leaves out (an earlier `--cluster` run's). The branch is rebuilt from the base with this run's
 * clusters, which would drop them: a pin of this very version is kept (its cluster is bumped again);
 * any other stops the run (BumpConflictError), as one pull request cannot release two tags.
 */
async function pendingPins(workspace: Workspace, plan: BumpPlan, branch: string): Promise<PendingPins> {
  const held = await workspace.branchChanges(branch);
  if (held === undefined) return { kept: [] };
  const { platform, service } = plan;
  const overlayOf = (cluster: string) => `${repoPath(platform, overlayDir(service.name, cluster))}/`;
  const left = platform.clusters.map((c) => c.name).filter((c) => !plan.clusters.includes(c) && held.files.some((file) => file.startsWith(overlayOf(c))));
  const ours = formatVersion(plan.version);
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const cluster of left) {
    const onBranch = await pinnedVersions(workspace, plan, cluster, held.tip);
    const onBase = await pinnedVersions(workspace, plan, cluster, workspace.baseCommit);
    if (onBranch.join('\n') === onBase.join('\n')) continue; // the base holds it already: nothing is lost
    if (onBranch.length > 0 && onBranch.every((pinned) => pinned === ours)) kept.push(cluster);
    else dropped.push(`${cluster} to ${onBranch.length > 0 ? [...new Set(onBranch)].join(', ') : 'something kaji cannot read as a pin'}`);
  }
  if (dropped.length > 0) {
    throw new BumpConflictError(
      `${branch} (the branch of ${service.name}'s pull request) pins ${dropped.join('; ')}, which this run (${ours} on ${plan.clusters.join(', ')}) would drop: nothing was pushed. ` +
        `Bump those clusters too (--cluster ${[...plan.clusters, ...left].join(',')}), or first merge that pull request, or close it and delete the branch`,
    );
  }
  return { tip: held.tip, kept };
}

/** The versions of the service pinned in a cluster's overlay at `commit` (read only; [] when none can be read). */
async function pinnedVersions(workspace: Workspace, plan: BumpPlan, cluster: string, commit: string): Promise<string[]> {
  try {
    const { pins } = await applyEdits(workspace, { ...plan, clusters: [cluster], before: new Map(), at: commit });
    return pins.map(formatVersion);
  } catch (error) {
    if (error instanceof BumpError) return [];
    throw error;
  }
}

// --- the push --------------------------------------------------------------------

interface PushJob {
  readonly plan: BumpPlan;
  /** The result of the first pass, committed in the workspace. */
  readonly checked: Omit<BumpResult, 'status'>;
  readonly title: string;
  readonly trailers: Record<string, string>;
  readonly attempts: number;
  readonly progress: (message: string) => void;
}

/**
 * Pushes the committed change to the base branch. When another push got there first, the edit is
 * re-made on the new tip (other services' bumps touch other files) and gated again there: the new
 * commits may make this tag a danger, and a danger nobody checked must not be pushed.
 */
async function pushGated(workspace: Workspace, job: PushJob): Promise<BumpResult> {
  const { plan, progress } = job;
  let latest = job.checked;
  let title = job.title;
  let refusedOnTip: string | undefined;
  let alreadyPinned: readonly ImagePin[] | undefined;
  const pushed = await workspace.pushToBase({
    attempts: job.attempts,
    reapply: async (w) => {
      const tip = await w.head();
      const again = await editAndCheck(w, plan, ` on the new tip ${tip.slice(0, 12)}`, progress);
      const landed = otherReleases(plan, job.checked.pins, again.pins);
      if (landed.length > 0) {
        const ours = formatVersion(plan.version);
        const read = [...new Set(job.checked.pins.map(formatVersion))].join(', ');
        throw new BumpConflictError(
          `another release of ${plan.service.name} landed on ${w.base} while kaji worked: ${tip.slice(0, 12)} pins ${landed.join('; ')}, where kaji read ${read}; ` +
            `nothing was pushed, so as not to replace it with ${ours}. If ${ours} is the newer release, run the bump again`,
        );
      }
      if (again.changes.length === 0) {
        // Someone else made this bump (another run pushed the same tag): pushToBase stops without pushing.
        progress(`the new tip ${tip.slice(0, 12)} of ${w.base} already pins ${formatVersion(plan.version)}: nothing to push`);
        alreadyPinned = again.pins;
        return false;
      }
      latest = await checkedResult(w, job.checked, again);
      if (isRefused(again)) {
        progress(`the change ${refusalText(again)} on the new tip ${tip.slice(0, 12)} of ${w.base}: refused, nothing pushed`);
        refusedOnTip = tip;
        return false; // pushToBase stops without pushing; the refusal is returned below
      }
      title = titleOf(plan.service.name, again.changes, plan.version);
      await w.commit(commitMessage(title, again.changes), job.trailers);
      return true;
    },
  });
  if (refusedOnTip !== undefined) return { ...latest, status: 'refused', refusedOnTip, attempts: pushed.attempts };
  if (!pushed.pushed) {
    // Nothing of ours landed: the tip (another run's commit) already pins the version everywhere.
    return { ...latest, status: 'unchanged', pins: alreadyPinned ?? latest.pins, changes: [], diff: '', policy: [], addedDangers: [], uncheckedInputs: [], notDeployed: [], commit: pushed.commit, attempts: pushed.attempts };
  }
  return { ...latest, status: 'pushed', commit: pushed.commit, attempts: pushed.attempts, title };
}

/**
 * The versions on the new tip that are neither this run's nor what the first pass read in that
 * file ("1.8.0 (blue, green)"): another release of the service landed there, which this run's
 * change would replace.
 */
function otherReleases(plan: BumpPlan, first: readonly ImagePin[], now: readonly ImagePin[]): string[] {
  const clusters = new Map<string, string[]>();
  for (const pin of now) {
    const pinned = formatVersion(pin);
    if (pinned === formatVersion(plan.version) || first.some((old) => old.file === pin.file && formatVersion(old) === pinned)) continue;
    const cluster = plan.clusters.find((c) => pin.file.startsWith(`${repoPath(plan.platform, overlayDir(plan.service.name, c))}/`)) ?? pin.file;
    const named = clusters.get(pinned) ?? [];
    if (!named.includes(cluster)) named.push(cluster);
    clusters.set(pinned, named);
  }
  return [...clusters].map(([pinned, names]) => `${pinned} (${names.join(', ')})`);
}

// --- the edit ------------------------------------------------------------------

interface Rendered {
  /** What kubectl kustomize printed. */
  readonly text: string;
  readonly objects: KubeObject[];
  readonly problems: InputProblem[];
}

interface EditOptions {
  readonly platform: PlatformDefinition;
  readonly service: ServiceDefinition;
  readonly clusters: readonly string[];
  readonly version: ImageVersion;
  /** The overlays rendered before the change: where an `images:` entry may be added. */
  readonly before: ReadonlyMap<string, Rendered>;
  /** Read the files at this commit instead of the working tree, and write nothing: the pins are read, not changed. */
  readonly at?: string;
}

/** What to edit and how to gate it; the same for the first pass and every re-application. */
interface BumpPlan extends Omit<EditOptions, 'before'> {
  readonly policy: PolicyConfig;
  readonly kubectl?: string;
}

interface CheckedEdit extends EditOutcome {
  readonly policy: ClusterPolicy[];
  readonly addedDangers: AddedDanger[];
  readonly uncheckedInputs: UncheckedInput[];
  readonly notDeployed: NotDeployed[];
}

type Refusals = Pick<BumpResult, 'addedDangers' | 'uncheckedInputs' | 'notDeployed'>;

/** Whether the gate refuses a checked edit: it adds a danger, renders what kaji cannot check, or does not deploy the version. */
function isRefused(edit: Refusals): boolean {
  return edit.addedDangers.length > 0 || edit.uncheckedInputs.length > 0 || edit.notDeployed.length > 0;
}

/** "adds 2 danger(s)", "renders 1 input problem(s) kaji cannot check", "would not deploy it on 1 cluster(s)", or several. */
export function refusalText(edit: Refusals): string {
  const why: string[] = [];
  if (edit.addedDangers.length > 0) why.push(`adds ${edit.addedDangers.length} danger(s)`);
  if (edit.uncheckedInputs.length > 0) why.push(`renders ${edit.uncheckedInputs.length} input problem(s) kaji cannot check`);
  if (edit.notDeployed.length > 0) why.push(`would not deploy it on ${edit.notDeployed.length} cluster(s)`);
  return why.join(' and ');
}

/**
 * Renders the overlays as the workspace's tree is now, edits the pins, and runs the policy gate on
 * the clusters that changed. `where` names the tip in progress messages ("" for the first one).
 */
async function editAndCheck(workspace: Workspace, plan: BumpPlan, where: string, progress: (message: string) => void): Promise<CheckedEdit> {
  progress(`rendering ${plan.service.name} before the change${where}`);
  const before = new Map<string, Rendered>();
  for (const cluster of plan.clusters) before.set(cluster, await render(workspace, plan, cluster));
  const edit = await applyEdits(workspace, { ...plan, before });
  if (edit.changes.length === 0) return { ...edit, policy: [], addedDangers: [], uncheckedInputs: [], notDeployed: [] };
  progress(`checking the policy on the rendered overlays${where}`);
  return { ...edit, ...(await policyGate(workspace, plan, edit.changes, before)) };
}

/** A checked edit as a result (its status still to decide). */
async function checkedResult(workspace: Workspace, base: Omit<BumpResult, 'status'>, edit: CheckedEdit): Promise<Omit<BumpResult, 'status'>> {
  return { ...base, pins: edit.pins, changes: edit.changes, diff: await workspace.diff(), policy: edit.policy, addedDangers: edit.addedDangers, uncheckedInputs: edit.uncheckedInputs, notDeployed: edit.notDeployed };
}

interface EditOutcome {
  readonly pins: ImagePin[];
  readonly changes: PinChange[];
}

/** Edits every pin of the service in the chosen overlays of a workspace; writes changed files. */
async function applyEdits(workspace: Workspace, options: EditOptions): Promise<EditOutcome> {
  const { platform, service, version } = options;
  const pins: ImagePin[] = [];
  const changes: PinChange[] = [];
  const manifestDir = join(workspace.root, platform.manifests.path);
  for (const cluster of options.clusters) {
    const overlay = overlayDir(service.name, cluster);
    const files = await overlayFiles(join(manifestDir, overlay));
    const kustomization = files.find((file) => (KUSTOMIZATION_FILES as readonly string[]).includes(file)) ?? 'kustomization.yaml';
    const looked: string[] = [];
    const originals = new Map<string, string>();
    const texts = new Map<string, string>();
    const found = new Map<string, { kind: PinKind; before: Partial<ImageVersion>[] }>();
    const read = async (file: string) => {
      if (!texts.has(file)) {
        const path = repoPath(platform, `${overlay}/${file}`);
        const text = options.at === undefined ? await workspace.readFile(path) : ((await workspace.fileAt(options.at, path)) ?? '');
        originals.set(file, text);
        texts.set(file, text);
      }
      return texts.get(file)!;
    };
    // Edits of one file (kustomize images: plus inline Helm values) apply one after the other.
    const attempt = async (file: string, kind: PinKind, how: (text: string) => FileEdit) => {
      let result: FileEdit;
      try {
        result = how(await read(file));
      } catch (error) {
        if (error instanceof ImageEditError) throw new BumpError(`${repoPath(platform, `${overlay}/${file}`)}: ${error.message}`);
        throw error;
      }
      if (result.before.length === 0 && !result.added) return;
      texts.set(file, result.text);
      const entry = found.get(file) ?? { kind, before: [] };
      entry.before.push(...result.before);
      found.set(file, entry);
    };

    // 1. The kustomize images: entry. No Helm values: kustomize reads them only through helmCharts,
    // which kaji (and the platform's Argo CD) renders without (no --enable-helm), so an edit there never deploys.
    looked.push(`${overlay}/${kustomization} (images: name or newName ${service.image})`);
    await attempt(kustomization, 'kustomize', (text) => setKustomizeImage(text, service.image, version));
    // 2. Plain image: fields in the overlay's other files.
    const others = files.filter((file) => /\.ya?ml$/.test(file) && file !== kustomization);
    if (others.length > 0) looked.push(`image: fields of ${others.map((file) => `${overlay}/${file}`).join(', ')}`);
    for (const file of others) await attempt(file, 'yaml', (text) => setImageFields(text, service.image, version));

    // 3. Nothing pinned in the overlay but the base runs the image: pin it with a new images: entry.
    if (found.size === 0 && options.at === undefined) {
      const rendered = options.before.get(cluster);
      if (!rendered || !usesImage(rendered.objects, service.image)) {
        // The objects kaji cannot read are not searched: name them, the image may be in one.
        const unread = (rendered?.problems ?? []).map((problem) => `${fileLine(problem.file, problem.line)}: ${problem.message}`);
        throw new BumpError(
          `image ${service.image} not found for ${service.name} in cluster ${cluster}: looked in ${looked.map((where) => repoPath(platform, where)).join('; ')}, and the rendered overlay runs no container with that image` +
            (unread.length > 0 ? ` (kaji could not read part of it: ${unread.join('; ')})` : ''),
        );
      }
      await attempt(kustomization, 'kustomize', (text) => setKustomizeImage(text, service.image, version, { add: true }));
    }

    for (const [file, { kind, before }] of found) {
      const path = repoPath(platform, `${overlay}/${file}`);
      for (const old of before.length > 0 ? before : [{}]) {
        pins.push({ file: path, kind, image: service.image, ...(old.tag ? { tag: old.tag } : {}), ...(old.digest ? { digest: old.digest } : {}) });
      }
      const text = texts.get(file)!;
      if (text !== originals.get(file)) {
        if (options.at === undefined) await workspace.writeFile(path, text);
        // One change per version the file pinned (two entries may pin two): each is named where it is shown.
        const pinned = [...new Map(before.map((old) => [formatVersion(old), old])).values()];
        for (const from of pinned.length > 0 ? pinned : [{}]) changes.push({ cluster, file: path, from, to: version });
      }
    }
  }
  return { pins, changes };
}

function usesImage(objects: readonly KubeObject[], repository: string): boolean {
  return imageContainers(objects, repository).length > 0;
}

/** The containers (init containers too) of the rendered objects that run an image of `repository`. */
function imageContainers(objects: readonly KubeObject[], repository: string): { object: string; container: string; image: string }[] {
  return objects.flatMap((object) => {
    const found = findPodSpec(object.raw);
    if (!found) return [];
    return containersOf(found.spec).flatMap(({ container }) =>
      typeof container.image === 'string' && parseImageReference(container.image).repository === repository
        ? [{ object: `${object.kind}/${object.namespace || '-'}/${object.name}`, container: String(container.name), image: container.image }]
        : [],
    );
  });
}

async function overlayFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
}

function hasOverlay(manifestDir: string, service: string, cluster: string): boolean {
  return kustomizationFile(join(manifestDir, overlayDir(service, cluster))) !== undefined;
}

function overlayDir(service: string, cluster: string): string {
  return `apps/${service}/overlays/${cluster}`;
}

/** A path inside the manifest repository (the platform's manifests.path prefixed). */
function repoPath(platform: PlatformDefinition, path: string): string {
  return posix.normalize(posix.join(platform.manifests.path, path));
}

// --- the policy ------------------------------------------------------------------

/**
 * Renders an overlay of the workspace's tree. Files are named by their path in the repository, in
 * problems and errors alike: the workspace is gone by the time the user reads them.
 */
async function render(workspace: Workspace, plan: BumpPlan, cluster: string): Promise<Rendered> {
  const overlay = repoPath(plan.platform, overlayDir(plan.service.name, cluster));
  const directory = join(workspace.root, overlay);
  let text: string;
  try {
    text = await renderKustomization(directory, plan.kubectl);
  } catch (error) {
    throw new BumpError(`cannot render ${overlay} to check the policy: ${workspace.repositoryPaths((error as Error).message)}`);
  }
  const loaded = { text, objects: [] as KubeObject[], problems: [] as InputProblem[] };
  addStream(loaded, text, posix.join(overlay, basename(kustomizationFile(directory) ?? 'kustomization.yaml')), { fixedLine: 1 });
  return loaded;
}

/**
 * The policy gate: the dangers the edit (now in the tree) adds to each changed cluster, against
 * `before`, the input problems of the overlay after the edit, and whether the overlay now runs the
 * new version. An object kaji cannot read is left out of the audit, so the gate cannot tell what
 * the change does to it (the new tag may be a danger there): such a problem refuses the change
 * whether it is new or not, as kaji check fails on it.
 */
async function policyGate(
  workspace: Workspace,
  plan: BumpPlan,
  changes: readonly PinChange[],
  before: ReadonlyMap<string, Rendered>,
): Promise<Pick<CheckedEdit, 'policy' | 'addedDangers' | 'uncheckedInputs' | 'notDeployed'>> {
  const policy: ClusterPolicy[] = [];
  const addedDangers: AddedDanger[] = [];
  const uncheckedInputs: UncheckedInput[] = [];
  const notDeployed: NotDeployed[] = [];
  for (const cluster of new Set(changes.map((change) => change.cluster))) {
    const after = await render(workspace, plan, cluster);
    uncheckedInputs.push(...after.problems.map((problem) => ({ cluster, ...problem })));
    const missed = await deploymentGap(workspace, plan, cluster, after, changes);
    if (missed !== undefined) notDeployed.push(missed);
    const old = dangersOf(before.get(cluster)!, plan.policy, cluster);
    const now = dangersOf(after, plan.policy, cluster);
    const oldKeys = new Set(old.dangers.map(dangerKey));
    addedDangers.push(...now.dangers.filter((danger) => !oldKeys.has(dangerKey(danger))));
    policy.push({ cluster, dangersBefore: old.dangers.length, dangersAfter: now.dangers.length, warningsAfter: now.warnings });
  }
  return { policy, addedDangers, uncheckedInputs, notDeployed };
}

/**
 * Whether the overlay, rendered after the edit, runs the new version in every container of the
 * service's image: an edit of a file the kustomization does not load (a patch no longer listed,
 * a leftover file) changes nothing kustomize renders, and Argo CD would keep the old version.
 * Returns what runs instead, and which edits kustomize itself says change nothing (undefined: deployed).
 */
async function deploymentGap(workspace: Workspace, plan: BumpPlan, cluster: string, after: Rendered, changes: readonly PinChange[]): Promise<NotDeployed | undefined> {
  const edited = [...new Set(changes.filter((change) => change.cluster === cluster).map((change) => change.file))];
  const repositories = [plan.service.image, ...(await renamedTo(workspace, plan, edited))];
  const running = repositories.flatMap((repository) => imageContainers(after.objects, repository));
  const others = running.filter(({ image }) => !runsVersion(parseImageReference(image), plan.version));
  // Objects kaji cannot read are not searched: the change is refused for them already (uncheckedInputs).
  if (others.length === 0 && (running.length > 0 || after.problems.length > 0)) return undefined;
  return {
    cluster,
    overlay: repoPath(plan.platform, overlayDir(plan.service.name, cluster)),
    containers: others.map(({ object, container, image }) => `${object} container ${container} runs ${formatVersion(parseImageReference(image))}`),
    unrenderedEdits: await editsRenderingNothing(workspace, plan, cluster, after.text, edited),
  };
}

/**
 * The repositories the cluster's edited files (its kustomizations among them) rename the service's image to (an `images:`
 * entry named after it with a `newName`): its containers run those, at the version bumped.
 */
async function renamedTo(workspace: Workspace, plan: BumpPlan, edited: readonly string[]): Promise<string[]> {
  const kustomizations = edited.filter((file) => (KUSTOMIZATION_FILES as readonly string[]).includes(basename(file)));
  const entries = await Promise.all(kustomizations.map(async (file) => kustomizeImageEntries(await workspace.readFile(file), plan.service.image)));
  return [...new Set(entries.flat().flatMap((entry) => (entry.name === plan.service.image && entry.newName ? [entry.newName] : [])))];
}

/** kustomize sets a digest (with or without the tag) or a tag alone: either must be this version's. */
function runsVersion(running: Partial<ImageVersion>, version: ImageVersion): boolean {
  if (version.digest !== undefined) return running.digest === version.digest && (running.tag === undefined || running.tag === version.tag);
  return running.tag === version.tag && running.digest === undefined;
}

/**
 * The edited files whose edit changes nothing in the rendered overlay: each is put back as it was,
 * the overlay rendered again and compared (kustomize, not kaji, says what it loads), then the edit restored.
 */
async function editsRenderingNothing(workspace: Workspace, plan: BumpPlan, cluster: string, renderedText: string, files: readonly string[]): Promise<string[]> {
  const head = await workspace.head();
  const unrendered: string[] = [];
  for (const file of files) {
    const original = await workspace.fileAt(head, file);
    if (original === undefined) continue;
    const edited = await workspace.readFile(file);
    await workspace.writeFile(file, original);
    try {
      if ((await render(workspace, plan, cluster)).text === renderedText) unrendered.push(file);
    } finally {
      await workspace.writeFile(file, edited);
    }
  }
  return unrendered;
}

function dangersOf(rendered: Rendered, policy: PolicyConfig, cluster: string): { dangers: AddedDanger[]; warnings: number } {
  const audit = auditObjects(rendered.objects, policy, { sourceName: `cluster ${cluster}` });
  const dangers: AddedDanger[] = [];
  for (const result of audit.Results) {
    const object = `${result.Kind}/${result.Namespace || '-'}/${result.Name}`;
    for (const { container, message } of placedMessagesOf(result)) {
      if (!message.Success && message.Severity === 'danger') {
        dangers.push({ cluster, object: container ? `${object} container ${container}` : object, check: message.ID, message: message.Message });
      }
    }
  }
  return { dangers, warnings: countResults(audit.Results).warnings };
}

function dangerKey(danger: AddedDanger): string {
  return `${danger.object}\u0000${danger.check}`;
}

// --- messages ----------------------------------------------------------------------

function findService(platform: PlatformDefinition, name: string): ServiceDefinition {
  const service = platform.services.find((s) => s.name === name);
  if (service) return service;
  const names = platform.services.map((s) => s.name);
  const suggestion = didYouMean(name, names);
  const close = closestNames(name, names, 3);
  throw new BumpError(
    `unknown service "${name}"${suggestion || (close.length > 0 ? ` (closest: ${close.join(', ')})` : '')}; it is not in ${posix.basename(platform.file)}`,
  );
}

function closestNames(word: string, names: readonly string[], count: number): string[] {
  const score = (candidate: string) => {
    let best = 0;
    for (let i = 0; i < word.length; i++) if (candidate.includes(word.slice(i, i + 3))) best++;
    return best;
  };
  return [...names].sort((a, b) => score(b) - score(a) || a.localeCompare(b)).slice(0, count);
}

/**
 * PR mode: the pull request must be opened on the repository the branch is pushed to, so the GitHub
 * repository is read from that source only (never from manifests.url when --manifests names another):
 * a local path, or a URL with no OWNER/NAME, needs --github-repository.
 */
function forgeFor(options: BumpOptions, source: string, secrets: readonly string[]): GitHubForge {
  const found = pullRequestRepository(source, redact(source, secrets), options.githubRepository);
  if ('unnamed' in found) {
    throw new BumpError(`--mode pr opens the pull request on the repository the branch is pushed to, and ${found.unnamed}: pass --github-repository OWNER/NAME (that repository on GitHub), or use --mode push`);
  }
  const { repository } = found;
  const token = options.token ?? process.env.GITHUB_TOKEN;
  if (!token) throw new BumpError('--mode pr needs a GitHub token: set GITHUB_TOKEN (or use --mode push, or --dry-run)');
  const apiUrlProblem = options.githubApiUrl ? githubApiUrlProblem(options.githubApiUrl) : undefined;
  if (apiUrlProblem !== undefined) throw new BumpError(apiUrlProblem);
  return new GitHubForge({ token, repository, ...(options.githubApiUrl ? { baseUrl: options.githubApiUrl } : {}) });
}

function olds(changes: readonly PinChange[]): string {
  const versions = [...new Set(changes.map((change) => formatVersion(change.from)))];
  return versions.join(', ');
}

/** `antenna: 1.4.2 → 1.5.0` */
export function titleOf(service: string, changes: readonly PinChange[], version: ImageVersion): string {
  return `${service}: ${olds(changes)} → ${formatVersion(version)}`;
}

function commitMessage(title: string, changes: readonly PinChange[]): string {
  const lines = changes.map((change) => `- ${change.cluster}: ${formatVersion(change.from)} → ${formatVersion(change.to)} (${change.file})`);
  return `${title}\n\n${lines.join('\n')}\n`;
}

export function pullRequestBody(input: {
  service: string;
  version: ImageVersion;
  changes: readonly PinChange[];
  policy: readonly ClusterPolicy[];
  sourceRepo?: string;
  sourceCommit?: string;
  /** Where the compare and source links go. @default https://github.com */
  webUrl?: string;
}): string {
  const web = input.webUrl ?? 'https://github.com';
  const lines = [`Pins **${input.service}** to \`${formatVersion(input.version)}\`.`, '', '| Cluster | From | To | File |', '|---|---|---|---|'];
  for (const change of input.changes) {
    lines.push(`| ${change.cluster} | \`${formatVersion(change.from)}\` | \`${formatVersion(change.to)}\` | \`${change.file}\` |`);
  }
  if (input.sourceRepo) {
    const from = [...new Set(input.changes.map((change) => change.from.tag).filter(Boolean))];
    lines.push('');
    if (from.length === 1) lines.push(`Changes: ${web}/${input.sourceRepo}/compare/${from[0]}...${input.version.tag}`);
    else lines.push(`Source: ${web}/${input.sourceRepo}/tree/${input.sourceCommit ?? input.version.tag}`);
  }
  if (input.sourceCommit) lines.push('', `Source commit: ${input.sourceRepo ? `${input.sourceRepo}@` : ''}${input.sourceCommit}`);
  lines.push('', '**Policy** (rendered overlays, checked before this pull request was opened): no new dangers.', '');
  for (const cluster of input.policy) {
    lines.push(`- ${cluster.cluster}: ${cluster.dangersAfter} danger(s) (${cluster.dangersBefore} before), ${cluster.warningsAfter} warning(s)`);
  }
  lines.push(
    '',
    `<sub>Opened by \`kaji bump\`. The branch is rebuilt from the base on every bump of ${input.service}, unless someone else pushed a commit to it: kaji then pushes nothing until the pull request is merged or the branch deleted.</sub>`,
  );
  return `${lines.join('\n')}\n`;
}
