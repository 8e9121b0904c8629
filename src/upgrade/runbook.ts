// The blue/green runbook: start (the readiness plan, then the state file),
// next (one step: deploy the new cluster, wait for its Argo CD, move DNS
// weight one step), rollback (all weight back to the old cluster), finish
// (remove the old cluster). Each step is made idempotently, verified, and only
// then recorded in the state file.
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isUrl, Workspace } from '../gitops/index.js';
import { displayPath } from '../kube/index.js';
import { loadPlatform, type PlatformDefinition } from '../platform/index.js';
import { repositoryPath } from '../platform/derive/names.js';
import { stackName } from '../platform/stack-name.js';
import { overlayPath } from '../synth/index.js';
import {
  argoCdTokenVariable,
  ATTENTION_HEALTHS,
  ArgoCdRefusedError,
  checkTokenText,
  getApplication,
  listApplications,
  onlyBatchUnhealthy,
  readerTokenAdvice,
  syncVerdict,
  UNTRUSTED_CERTIFICATE,
  type ApplicationStatus,
  type ArgoCdConnection,
  type AttentionHealth,
  type SyncVerdict,
} from './argocd.js';
import { branchWeights, describeFound, weightsAgree } from './branch-weights.js';
import { cdkAppFolder, runCdk } from './cdk.js';
import { upgradeCommand, type UpgradeAddress } from './command.js';
import { StepFailedError, UpgradeError } from './errors.js';
import { NetworkError } from './http.js';
import { withUpgradeLock } from './lock.js';
import { removeCluster, setClusterWeights } from './platform-edit.js';
import { planUpgrade, type UpgradePlan } from './plan.js';
import { platformPathInRepository, releasePlatformChange, releaseSource, type ReleaseOptions, type ReleaseResult } from './release.js';
import { ManifestHistory } from './revision.js';
import { leftoverChecks, releaseRetiring, waitUntilRecordsGone } from './retire.js';
import { dnsVerdict, route53Client, zoneRecordsPoller, type Route53Options } from './route53.js';
import { currentStep, lastVerified, readState, requireState, resumeCommand, statePath, STATE_FILE, weightsOf, writeState, type StepId, type UpgradeState } from './state.js';
import { formatDuration, soakUntil, waitUntil, type Probe } from './wait.js';

export const DEFAULT_WEIGHT_STEPS = [10, 50, 100] as const;
export const DEFAULT_SOAK_MS = 10 * 60_000;
export const DEFAULT_DEGRADED_GRACE_MS = 5 * 60_000;
/** How long the gate before a weight step or finish waits for Applications to settle (an auto-sync after a merge takes a few minutes). */
export const GATE_PATIENCE_MS = 3 * 60_000;
/** How long the gate gives one Degraded, Suspended, Missing or Unknown before it holds the step back (or --degraded-grace, when shorter). */
export const GATE_GRACE_MS = 60_000;

export interface RunbookOptions {
  /** The folder holding platform.yaml (and the state file). */
  readonly directory: string;
  readonly kubectl?: string;
  /** The CDK CLI. @default the CDK app's node_modules/.bin/cdk, else "cdk" from PATH */
  readonly cdk?: string;
  /** The platform's CDK app. @default infra/ beside platform.yaml */
  readonly cdkApp?: string;
  /** Green's Argo CD: the sync step waits for it; each weight step and finish check it first. */
  readonly argocd?: ArgoCdConnection;
  /** Without `argocd`: what is missing, as the command was given (a server without its token), said by a step that needs it. */
  readonly argocdMissing?: string;
  readonly route53?: Route53Options;
  /** The manifest repository to release to. @default platform.yaml's manifests.url */
  readonly manifests?: string;
  readonly base?: string;
  readonly attempts?: number;
  /** How long a wait (Argo CD, Route 53) may take. @default 30 minutes */
  readonly timeoutMs?: number;
  /** Between two polls. @default 15 s */
  readonly intervalMs?: number;
  /** The sync step fails once an Application has been Degraded this long, rather than at the timeout. @default 5 minutes */
  readonly degradedGraceMs?: number;
  readonly author?: { readonly name: string; readonly email: string };
  /** Progress lines (standard error). */
  readonly onProgress: (message: string) => void;
  /** The CDK CLI's output, as it comes. */
  readonly onOutput: (text: string) => void;
  /** The flags the user gave, as given: every command a message suggests carries those it takes (upgradeCommand). */
  readonly address?: UpgradeAddress;
}

export interface StartOptions extends RunbookOptions {
  readonly from?: string;
  readonly to?: string;
  /** Percent of the weight the new cluster gets at each weight step. @default [10, 50, 100] */
  readonly weightSteps?: readonly number[];
  /** @default 10 minutes */
  readonly soakMs?: number;
}

export interface StepResult {
  readonly state: UpgradeState;
  /** The step made by this call (undefined when there was nothing left to do). */
  readonly step?: StepId | 'rollback';
  /** What was done, for the terminal. */
  readonly lines: readonly string[];
}

const now = () => new Date().toISOString();

/** Checks the readiness plan and, when ready, records the upgrade with its preflight done. */
export async function startUpgrade(options: StartOptions): Promise<{ plan: UpgradePlan; state?: UpgradeState }> {
  const existing = await readState(options.directory);
  if (existing && !existing.done.finish) {
    throw new UpgradeError(
      `an upgrade ${existing.from.name} → ${existing.to.name} is recorded in ${displayPath(join(options.directory, STATE_FILE))}: see ${upgradeCommand('status', options.address)} (delete the file to start over)`,
    );
  }
  const weightSteps = options.weightSteps ?? DEFAULT_WEIGHT_STEPS;
  checkWeightSteps(weightSteps);
  const plan = await planUpgrade({ directory: options.directory, from: options.from, to: options.to, kubectl: options.kubectl, cdkApp: options.cdkApp });
  if (!plan.ready) return { plan };
  checkStepsMoveWeight(plan, weightSteps, options.address);
  const at = now();
  const state: UpgradeState = {
    kind: 'kaji-upgrade',
    version: 1,
    platform: plan.platform,
    from: plan.from,
    to: plan.to,
    totalWeight: plan.from.weight + plan.to.weight,
    weightSteps: [...weightSteps],
    soakMs: options.soakMs ?? DEFAULT_SOAK_MS,
    startedAt: at,
    updatedAt: at,
    done: { preflight: at },
    weights: { [plan.from.name]: plan.from.weight, [plan.to.name]: plan.to.weight },
    rollbacks: [],
  };
  return {
    plan,
    state: await withUpgradeLock(options.directory, async () => {
      // A finished upgrade is kept as the record of it, named after when it finished.
      const finished = (await readState(options.directory))?.done.finish;
      if (finished) await rename(statePath(options.directory), join(options.directory, `kaji-upgrade.${finished.replace(/[:.]/g, '-')}.json`));
      return writeState(options.directory, state, { create: true, address: options.address });
    }),
  };
}

function checkWeightSteps(steps: readonly number[]): void {
  const rising = steps.every((step, index) => Number.isInteger(step) && step > 0 && step <= 100 && (index === 0 || step > steps[index - 1]!));
  if (steps.length === 0 || !rising || steps[steps.length - 1] !== 100) {
    throw new UpgradeError(`--steps ${steps.join(',')}: give rising whole percentages ending at 100, e.g. 10,50,100`);
  }
}

/**
 * Route 53 weights are whole numbers: with a small total weight (the schema
 * allows blue at 1), shares round together, and 10,50,100 of 1 would be a step
 * moving nothing, then all the traffic at once. Refused at the start, before
 * anything is recorded, naming the step and the weight to raise.
 */
function checkStepsMoveWeight(plan: UpgradePlan, steps: readonly number[], address: UpgradeAddress | undefined): void {
  const total = plan.from.weight + plan.to.weight;
  const shares = steps.map((_, index) => weightsOf({ from: plan.from, to: plan.to, totalWeight: total, weightSteps: steps }, index + 1)[plan.to.name]!);
  const still = shares.findIndex((share, index) => share === (index === 0 ? plan.to.weight : shares[index - 1]));
  if (still === -1) return;
  throw new UpgradeError(
    `--steps ${steps.join(',')}: weight step ${still + 1} (${steps[still]}%) would give ${plan.to.name} ${shares[still]} of the total weight ${total}, as ${still === 0 ? 'it has now' : `step ${still} did`}, moving no traffic ` +
      `(Route 53 weights are whole numbers). Give ${plan.from.name} a higher weight in platform.yaml (255, the most Route 53 takes, lets each step come close to its share), run kaji synth and merge, then ${upgradeCommand('start', address)}; or give fewer --steps`,
  );
}

/** Makes the current step (deploy, sync or a weight step); finish has its own command. */
export async function nextStep(options: RunbookOptions): Promise<StepResult> {
  const seen = await requireState(options.directory, options.address);
  const step = currentStep(seen);
  if (step === undefined) return { state: seen, lines: [`the upgrade ${seen.from.name} → ${seen.to.name} is finished: nothing left to do`] };
  refuseOtherUnverifiedStep(seen, step, options.address);
  if (step === 'finish') return { state: seen, lines: [`every weight step is done: ${seen.to.name} has all the traffic; run ${upgradeCommand('finish', options.address)} to remove ${seen.from.name}`] };
  if (step === 'preflight') throw new UpgradeError(`${STATE_FILE} has no preflight recorded: delete it and run ${upgradeCommand('start', options.address)}`);
  const weight = step !== 'deploy' && step !== 'sync';
  // Asked before the soak, not after it: a weight step checks green's Argo CD first.
  if (weight) greenArgoCd(seen, options, 'each weight step checks');
  // The soak and the gate's wait happen without the lock, so a rollback can be made meanwhile; this run then stops.
  if (weight) {
    await waitSoak(seen, options);
    const what = `weight step ${step.slice('weight-'.length)} (${seen.weightSteps[Number(step.slice('weight-'.length)) - 1]}%)`;
    await checkGreenStillReady(await platformOf(options.directory, seen), seen, step, options, what);
  }
  if (weight) return weightStep(seen, step, options);
  // Asked before the step is recorded as started: without it, nothing starts.
  if (step === 'sync') greenArgoCd(seen, options, 'the sync step reads');
  return withUpgradeLock(options.directory, async () => {
    const unchanged = await unchangedState(options, seen);
    const platform = await platformOf(options.directory, unchanged);
    // Only deploy changes something (the new cluster's stack); sync reads Argo CD, so nothing is recorded as started for it.
    const { started, made } =
      step === 'deploy' ? await recordedAsStarted(options, unchanged, step, (started) => deployStep(platform, started, options)) : { started: unchanged, made: await syncStep(platform, unchanged, options) };
    const commits = 'commit' in made ? { commits: { ...started.commits, [step]: made.commit } } : {};
    const state = await record(options, { ...started, done: { ...started.done, [step]: now() }, ...commits, inProgress: undefined });
    return { state, step, lines: made.lines };
  });
}

/**
 * A step started and not verified (a run stopped or failed) is completed by
 * its own command before anything else: after a half-made rollback, Route 53
 * and the manifest repository may hold the old cluster's weights, and moving
 * on from the state's last weight step would push traffic forward again.
 */
function refuseOtherUnverifiedStep(state: UpgradeState, step: StepId | 'rollback', address: UpgradeAddress | undefined): void {
  const started = state.inProgress;
  if (started === undefined || started.step === step) return;
  throw new UpgradeError(
    `${started.step === 'rollback' ? 'a rollback' : `step ${started.step}`} was started at ${started.since} and not verified: run ${resumeCommand(started.step, address)} to complete it first`,
  );
}

/**
 * Records `step` as started (inProgress), then makes it. A refusal before it
 * changed anything (an UpgradeError: no CDK CLI, weights on the branch this
 * upgrade did not set) puts inProgress back as it was: a step recorded as
 * started tells status and the gate that its push may have landed and traffic
 * may be moving, and sends the user back to it, which nothing here did.
 */
async function recordedAsStarted<T>(options: RunbookOptions, state: UpgradeState, step: StepId, make: (started: UpgradeState) => Promise<T>): Promise<{ started: UpgradeState; made: T }> {
  const started = await record(options, { ...state, inProgress: { step, since: now() } });
  try {
    return { started, made: await make(started) };
  } catch (error) {
    if (error instanceof UpgradeError) await record(options, { ...started, inProgress: state.inProgress });
    throw error;
  }
}

/** The state again, under the lock: refused when another run recorded something since `seen` was read. */
async function unchangedState(options: RunbookOptions, seen: UpgradeState): Promise<UpgradeState> {
  const state = await requireState(options.directory, options.address);
  if (state.updatedAt !== seen.updatedAt) {
    const rolledBack = state.inProgress?.step === 'rollback' || state.rollbacks.length > seen.rollbacks.length ? 'a rollback, ' : '';
    throw new UpgradeError(
      `the upgrade was changed by another run while this one waited (${rolledBack}${STATE_FILE} updated at ${state.updatedAt}): this run stopped, recording nothing; see ${upgradeCommand('status', options.address)}, then run again`,
    );
  }
  return state;
}

/** Writes the next version of the state (writeState); a conflict's message names the command with the user's flags. */
function record(options: RunbookOptions, state: UpgradeState): Promise<UpgradeState> {
  return writeState(options.directory, state, { address: options.address });
}

async function platformOf(directory: string, state: UpgradeState): Promise<PlatformDefinition> {
  const platform = await loadPlatform(join(directory, 'platform.yaml'));
  if (platform.platform.name !== state.platform) {
    throw new UpgradeError(`${STATE_FILE} is an upgrade of platform ${state.platform}, but platform.yaml names ${platform.platform.name}`);
  }
  return platform;
}

async function deployStep(platform: PlatformDefinition, state: UpgradeState, options: RunbookOptions): Promise<{ lines: string[] }> {
  const stack = stackName(platform, state.to.name);
  const folder = cdkAppFolder(platform.file, options.cdkApp);
  options.onProgress(`running cdk deploy ${stack} in ${displayPath(folder)}`);
  await runCdk({ cdk: options.cdk, folder, args: ['deploy', stack], onOutput: options.onOutput });
  return { lines: [`deployed ${stack} (cdk deploy succeeded)`] };
}

/**
 * The Applications kaji generated for a cluster, what its Argo CD must show
 * Synced and Healthy, as the manifest branch's tip has them in `clone` (a
 * clone of it): not the local checkout, which may lack a service a colleague
 * onboarded since, one the cluster would then never be checked for.
 */
export async function expectedApplications(platform: PlatformDefinition, clone: { readonly root: string; readonly base: string }, cluster: string): Promise<string[]> {
  const folder = repositoryPath(platform, 'clusters', cluster, 'argocd');
  const files = await readdir(join(clone.root, folder), { recursive: true }).catch(() => undefined);
  if (!files) throw new StepFailedError(`${folder}/ is not on ${clone.base} of the manifest repository: run kaji synth and merge, so ${cluster}'s Argo CD has something to sync`);
  const names: string[] = [];
  for (const file of files.filter((name) => /\.ya?ml$/.test(name)).sort()) {
    for (const document of parseAllDocuments(await readFile(join(clone.root, folder, file), 'utf8'))) {
      const object = document.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
      if (object?.kind === 'Application' && typeof object.metadata?.name === 'string') names.push(object.metadata.name);
    }
  }
  return names;
}

/** expectedApplications at the tip of the branch Argo CD follows, in a shallow clone made for it (the health checks before traffic moves). */
async function applicationsOnBranch(platform: PlatformDefinition, cluster: string, options: RunbookOptions): Promise<string[]> {
  const source = releaseSource(platform, options.manifests);
  const base = options.base ?? platform.manifests.branch;
  options.onProgress(`reading ${cluster}'s Applications at the tip of ${base} of the manifest repository`);
  const workspace = await Workspace.open({ source, base, shallow: isUrl(source) });
  try {
    return await expectedApplications(platform, workspace, cluster);
  } finally {
    await workspace.dispose();
  }
}

/** Green's Argo CD connection, or a usage error saying who needs it. */
function greenArgoCd(state: UpgradeState, options: RunbookOptions, who: string): ArgoCdConnection {
  if (!options.argocd) throw new UpgradeError(`${who} ${state.to.name}'s Argo CD: ${options.argocdMissing ?? 'pass --argocd-server URL and set ARGOCD_AUTH_TOKEN'}`);
  return options.argocd;
}

/**
 * The sync step: waits until green's Argo CD shows every Application kaji
 * generated for green Synced and Healthy, each Synced to the manifest branch's
 * tip as it was when the step started, or a later commit (ManifestHistory).
 * Degraded, Suspended and Missing ones are named in the progress line at once;
 * one Degraded for degradedGraceMs fails the step then (a Deployment is
 * Degraded only once its progress deadline passed, so it is rarely a matter of
 * waiting longer), rather than at the timeout.
 */
/** The sync step's lines, and the branch's tip it named (recorded: lastVerified). */
async function syncStep(platform: PlatformDefinition, state: UpgradeState, options: RunbookOptions): Promise<{ lines: string[]; commit: string }> {
  const argocd = greenArgoCd(state, options, 'the sync step reads');
  const graceMs = options.degradedGraceMs ?? DEFAULT_DEGRADED_GRACE_MS;
  const history = await ManifestHistory.open(releaseSource(platform, options.manifests), options.base ?? platform.manifests.branch);
  try {
    // Read before the first poll: accept() may move the clone to a later tip.
    const expected = await expectedApplications(platform, { root: history.root, base: history.branch }, state.to.name);
    const tip = `${history.branch} at ${history.tip.slice(0, 12)}`;
    options.onProgress(`the manifest repository's ${tip}: every Application must be Synced to it or a later commit`);
    const degradedSince = new Map<string, number>();
    let warnings: readonly string[] = [];
    await waitUntil(
      async () => {
        const applications = await greenApplications(argocd, expected);
        if (!Array.isArray(applications)) return applications;
        const synced = applications.filter((application) => expected.includes(application.name) && application.sync === 'Synced').flatMap((application) => application.revisions);
        const { accepted, fetchProblem } = await history.accept(synced);
        const verdict = syncVerdict(expected, applications, { branch: history.branch, tip: history.tip, accepted });
        failWhenDegradedTooLong(verdict, degradedSince, graceMs, state, options.address);
        // Argo CD lists only the Applications the token's account may get: none at all is more often RBAC than an empty cluster.
        const hint = applications.length === 0 ? " (Argo CD lists none: is this the new cluster's Argo CD, and may the token's account get its applications?)" : '';
        const fetched = fetchProblem ? `; could not fetch ${history.branch} to tell whether newer revisions are later commits (${fetchProblem})` : '';
        warnings = verdict.warnings;
        return { done: verdict.waiting.length === 0, summary: `${verdict.ready}/${verdict.total} Applications Synced and Healthy${hint}${attentionLine(verdict, graceMs)}${warningLine(warnings)}${fetched}`, waiting: verdict.waiting };
      },
      { what: `${state.to.name}'s Argo CD to sync every service`, timeoutMs: options.timeoutMs ?? 30 * 60_000, intervalMs: options.intervalMs ?? 15_000, onProgress: options.onProgress },
    );
    const line = `${state.to.name}'s Argo CD: all ${expected.length} Applications Synced (to ${tip} or later) and Healthy${warnings.length ? ` but for their Jobs or CronJobs${warningLine(warnings)}` : ''}`;
    return { lines: [line], commit: history.tip };
  } finally {
    await history.dispose();
  }
}

const ATTENTION_NOTES: Record<AttentionHealth, (graceMs: number) => string> = {
  Degraded: (graceMs) => `the step fails if one stays Degraded ${formatDuration(graceMs)}`,
  Suspended: () => 'paused (a suspended Job or CronJob, a paused rollout): it turns Healthy only once resumed',
  Missing: () => 'its resources are not in the cluster (yet)',
};

/** "; Degraded: cart (…); Suspended: shop (…)": what needs a look, in the progress line. */
function attentionLine(verdict: SyncVerdict, graceMs: number): string {
  return ATTENTION_HEALTHS.map((health) => {
    const names = verdict.attention.filter((application) => application.health === health).map((application) => application.name);
    return names.length ? `; ${health}: ${names.join(', ')} (${ATTENTION_NOTES[health](graceMs)})` : '';
  }).join('');
}

/** "; only Jobs or CronJobs unhealthy, not holding the upgrade back: shop: CronJob shop/report Degraded (…)". */
function warningLine(warnings: readonly string[]): string {
  return warnings.length ? `; only Jobs or CronJobs unhealthy, not holding the upgrade back: ${warnings.join('; ')}` : '';
}

/**
 * Green's Applications (withResourceHealth), or a probe saying why Argo CD
 * could not be read. The one rule of every wait on green's Argo CD: a refusal
 * that waiting will not change (the token, a server that is not Argo CD:
 * ArgoCdRefusedError) stops the wait at once; a failure to get an answer
 * (connection refused or reset, no answer in time, a TLS handshake: a
 * NetworkError) or an answer that is an HTTP error (5xx: a restart, a network
 * blip) is asked again at the next poll, like an Application still syncing,
 * and a wait that runs out names the last one. Anything else (a bad
 * --argocd-server, a bug) is no reason to wait: thrown as it is.
 */
async function greenApplications(argocd: ArgoCdConnection, expected: readonly string[]): Promise<ApplicationStatus[] | Probe> {
  try {
    return await withResourceHealth(argocd, expected, await listApplications(argocd));
  } catch (error) {
    const askAgain = error instanceof NetworkError || (error instanceof StepFailedError && !(error instanceof ArgoCdRefusedError));
    if (!askAgain) throw error;
    return { done: false, summary: `could not read Argo CD: ${error.message}${error instanceof NetworkError ? certificateHint(error) : ''}`, waiting: [] };
  }
}

/**
 * What a TLS failure asks of the user. It is asked again like any network
 * failure, not taken for a refusal: the sync step waits on a cluster just
 * deployed, whose ingress serves a placeholder certificate (self-signed, for
 * no host of ours) until its own is issued, minutes after cdk deploy, and an
 * operator mid-upgrade would rather the step went on by itself than had to be
 * run again. A CA or host that is simply wrong is named in the first progress
 * line, so it is seen at once (Ctrl-C is safe) rather than only at the timeout.
 */
function certificateHint(error: NetworkError): string {
  const meanwhile = "or is the new cluster's own certificate not issued yet?";
  if (UNTRUSTED_CERTIFICATE.has(error.code ?? '')) return `: is its certificate's CA in --ca-file PEM, ${meanwhile}`;
  if (error.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `: is --argocd-server the host name its certificate is for, ${meanwhile}`;
  return '';
}

/**
 * The Applications as listed, each expected one that is Degraded or Suspended
 * fetched on its own when the list did not give its resources' health (Argo CD
 * may keep that out of the Application; its single GET fills it in), so that a
 * failed or suspended Job or CronJob can be told from a failing service.
 */
async function withResourceHealth(argocd: ArgoCdConnection, expected: readonly string[], applications: ApplicationStatus[]): Promise<ApplicationStatus[]> {
  const lacking = (application: ApplicationStatus) => expected.includes(application.name) && (application.health === 'Degraded' || application.health === 'Suspended') && !application.resourceHealthKnown;
  return Promise.all(applications.map((application) => (lacking(application) ? getApplication(argocd, application.name) : application)));
}

/** Tracks since when each Application is Degraded (without a break); fails the step for those Degraded graceMs or longer. */
function failWhenDegradedTooLong(verdict: SyncVerdict, degradedSince: Map<string, number>, graceMs: number, state: UpgradeState, address: UpgradeAddress | undefined): void {
  const at = Date.now();
  const degraded = new Set(verdict.attention.filter((application) => application.health === 'Degraded').map((application) => application.name));
  for (const name of degradedSince.keys()) if (!degraded.has(name)) degradedSince.delete(name);
  for (const name of degraded) if (!degradedSince.has(name)) degradedSince.set(name, at);
  const stuck = [...degraded].filter((name) => at - degradedSince.get(name)! >= graceMs);
  if (stuck.length === 0) return;
  const lines = verdict.waiting.filter((line) => stuck.some((name) => line.startsWith(`${name}: `)));
  throw new StepFailedError(
    `${state.to.name}'s Argo CD: ${stuck.join(', ')} Degraded for ${formatDuration(graceMs)} or more (--degraded-grace): fix it, then run ${upgradeCommand('next', address)} to wait again${lines.map((line) => `\n  ${line}`).join('')}`,
  );
}

/**
 * The health gate before traffic moves further to green (each weight step)
 * and before blue is retired (finish): every generated Application still
 * Synced and Healthy on green's Argo CD, else the step stops before it changes
 * anything. A merge makes Applications OutOfSync and Progressing for a few
 * minutes (auto-sync), and a CronJob is Progressing while it runs: those are
 * waited for, up to GATE_PATIENCE_MS (--timeout, when shorter). One Degraded,
 * Suspended, Missing or Unknown (or gone) holds the step back once it has been
 * so for GATE_GRACE_MS (--degraded-grace, when shorter); one that is so only
 * by its Jobs or CronJobs is a warning. Argo CD failing to answer is asked
 * again within the same patience (greenApplications). The revision is not
 * asked again: the sync step saw each Synced to the tip or later, and Argo CD
 * follows the branch forward only. A rollback is never gated by green: it
 * looks at blue instead (checkOldClusterServes).
 */
async function checkGreenStillReady(platform: PlatformDefinition, state: UpgradeState, step: StepId, options: RunbookOptions, what: string): Promise<void> {
  const argocd = greenArgoCd(state, options, `${what} checks`);
  const unmoved = heldBack(state, step, options.base ?? platform.manifests.branch);
  const expected = await applicationsOnBranch(platform, state.to.name, options);
  const patienceMs = Math.min(GATE_PATIENCE_MS, options.timeoutMs ?? GATE_PATIENCE_MS);
  const graceMs = Math.min(GATE_GRACE_MS, options.degradedGraceMs ?? GATE_GRACE_MS, patienceMs);
  const orRollback = step === 'finish' && state.inProgress?.step === 'finish' ? '' : `, or ${upgradeCommand('rollback', options.address)} to move all traffic back to ${state.from.name}`;
  const holdBack = (verdict: SyncVerdict) =>
    new StepFailedError(
      `${state.to.name}'s Argo CD has ${verdict.ready}/${verdict.total} Applications Synced and Healthy, so ${what} was not made: ${unmoved} ` +
        `(fix them and run the same command again${orRollback})${verdict.waiting.map((line) => `\n  ${line}`).join('')}`,
    );
  const stuckSince = new Map<string, number>();
  let last: SyncVerdict | undefined;
  await waitUntil(
    async () => {
      const applications = await greenApplications(argocd, expected);
      if (!Array.isArray(applications)) {
        last = undefined;
        return applications;
      }
      const verdict = (last = syncVerdict(expected, applications));
      const summary = `${verdict.ready}/${verdict.total} Applications Synced and Healthy (one Degraded, Suspended, Missing or Unknown holds the step back after ${formatDuration(graceMs)})`;
      if (verdict.waiting.length === 0) return { done: true, summary, waiting: [] };
      const at = Date.now();
      const listed = new Map(applications.map((application) => [application.name, application]));
      const stuck = new Set(expected.filter((name) => isStuck(listed.get(name))));
      for (const name of stuckSince.keys()) if (!stuck.has(name)) stuckSince.delete(name);
      for (const name of stuck) if (!stuckSince.has(name)) stuckSince.set(name, at);
      if ([...stuck].some((name) => at - stuckSince.get(name)! >= graceMs)) throw holdBack(verdict);
      return { done: false, summary, waiting: verdict.waiting };
    },
    {
      what: `${state.to.name}'s Argo CD to settle before ${what}`,
      timeoutMs: patienceMs,
      intervalMs: options.intervalMs ?? 15_000,
      onProgress: options.onProgress,
      // Past its patience, the gate holds the step back as it does for one stuck past its grace, or names Argo CD's last failure.
      onTimeout: (probe) =>
        last
          ? holdBack(last)
          : new StepFailedError(
              `${state.to.name}'s Argo CD could not be read when the gate's ${formatDuration(patienceMs)} ran out, so ${what} was not made: ${unmoved} ` +
                `(run the same command again once it answers${orRollback})\n  ${probe.summary}`,
            ),
    },
  );
  options.onProgress(`${state.to.name}'s Argo CD: all ${last!.total} Applications still Synced and Healthy${warningLine(last!.warnings)}`);
}

/**
 * Gone, or Degraded, Suspended, Missing or Unknown (not only by its Jobs or
 * CronJobs): an Application that will not turn Healthy by waiting a few
 * minutes, unlike one OutOfSync or Progressing after a merge.
 */
function isStuck(application: ApplicationStatus | undefined): boolean {
  return application === undefined || (['Degraded', 'Suspended', 'Missing', 'Unknown'].includes(application.health) && !onlyBatchUnhealthy(application));
}

/**
 * What a step the gate holds back has moved: nothing, unless a run started it
 * and did not verify it (Route 53 had not confirmed, a crash): its push may
 * have landed, and external-dns may be moving traffic.
 */
function heldBack(state: UpgradeState, step: StepId, branch: string): string {
  const started = state.inProgress?.step === step ? state.inProgress.since : undefined;
  if (started === undefined) return 'no traffic moved';
  const pushed = step === 'finish' ? `${state.from.name}'s removal may be released already` : `its weights may be on ${branch} already, so traffic may be moving`;
  return `a run started it at ${started} and did not verify it: ${pushed}`;
}

/**
 * A weight step: the push under the lock; the wait for Route 53 without it,
 * as the soak's, since traffic may be moving already and a rollback must not
 * wait up to --timeout for this run. Each poll, and the lock taken again to
 * record the step, check the state is still the one this run wrote: after a
 * rollback (or any other run's change) it stops, recording nothing.
 */
async function weightStep(seen: UpgradeState, step: StepId, options: RunbookOptions): Promise<StepResult> {
  const index = Number(step.slice('weight-'.length));
  const weights = weightsOf(seen, index);
  const title = `upgrade ${seen.from.name} → ${seen.to.name}: weight ${seen.weightSteps[index - 1]}% (${describeWeights(weights)})`;
  const { platform, started, release } = await withUpgradeLock(options.directory, async () => {
    const state = await unchangedState(options, seen);
    const platform = await platformOf(options.directory, state);
    const { started, made } = await recordedAsStarted(options, state, step, (started) => releaseWeights(platform, started, weights, title, options));
    return { platform, started, release: made };
  });
  await verifyDns(platform, weights, options, async () => void (await unchangedState(options, started)));
  const done = await withUpgradeLock(options.directory, async () => {
    const state = await unchangedState(options, started);
    const commits = { ...state.commits, [step]: release.commit };
    return record(options, { ...state, done: { ...state.done, [step]: now() }, commits, weights, soakUntil: new Date(Date.now() + state.soakMs).toISOString(), inProgress: undefined });
  });
  return { state: done, step, lines: [`${title}: ${releaseLine(release)}; Route 53 has the new weights`, soakLine(done, options.address)] };
}

function describeWeights(weights: Readonly<Record<string, number>>): string {
  return Object.entries(weights).map(([cluster, weight]) => `${cluster} ${weight}`).join(', ');
}

function releaseLine(release: ReleaseResult): string {
  const commit = release.pushed ? `pushed ${release.commit.slice(0, 12)}` : `already in the manifest repository at ${release.commit.slice(0, 12)}`;
  const edited = release.platformEdited === 'in-place' ? ' (platform.yaml edited in place: commit it in its repository)' : '';
  return `${commit}${edited}`;
}

function soakLine(state: UpgradeState, address: UpgradeAddress | undefined): string {
  const next = currentStep(state);
  return `soak ${formatDuration(state.soakMs)} before ${next === 'finish' ? upgradeCommand('finish', address) : `the next step (${upgradeCommand('next', address)})`}, until ${state.soakUntil}`;
}

async function waitSoak(state: UpgradeState, options: RunbookOptions): Promise<void> {
  if (state.soakUntil === undefined) return;
  const until = Date.parse(state.soakUntil);
  if (until <= Date.now()) return;
  // A rollback made meanwhile stops this run at once, before the gate looks at green again.
  const stillCurrent = async () => void (await unchangedState(options, state));
  await soakUntil(until, describeWeights(state.weights), { onProgress: options.onProgress, intervalMs: options.intervalMs ?? 15_000, stillCurrent });
}

/** Where and how the runbook's releases go, as the command was given them. */
function releaseSettings(options: RunbookOptions): Pick<ReleaseOptions, 'manifests' | 'base' | 'attempts' | 'kubectl' | 'author' | 'onProgress'> {
  const { manifests, base, attempts, kubectl, author, onProgress } = options;
  return { manifests, base, attempts, kubectl, author, onProgress };
}

/**
 * Releases `weights`. A weight step first reads the weights on the branch: the
 * ones this upgrade last verified, or the step's own (a run stopped after its
 * push); any others were set by someone else (a rollback run elsewhere, a hand
 * edit draining green), and pushing would undo that. A rollback (`rollback`:
 * what it does once its commit goes live) takes the branch as it is: traffic
 * may always go back.
 */
async function releaseWeights(
  platform: PlatformDefinition,
  state: UpgradeState,
  weights: Record<string, number>,
  title: string,
  options: RunbookOptions,
  rollback?: Pick<ReleaseOptions, 'beforeLive'>,
): Promise<ReleaseResult> {
  const checkBranch = async (clone: Workspace): Promise<void> => {
    await refuseUnrecordedRollback(clone, state, options);
    const found = await branchWeights(clone.root, platform.manifests.path, [state.from.name, state.to.name]);
    if (weightsAgree(found, state.weights) || weightsAgree(found, weights)) return;
    throw new UpgradeError(
      `${clone.base} of the manifest repository routes traffic at ${describeFound(found)}: neither the weights this upgrade last verified (${describeWeights(state.weights)}) nor this step's (${describeWeights(weights)}). ` +
        `Someone moved traffic since (kaji upgrade rollback run elsewhere, a hand edit), and this step would undo it: nothing was pushed. ` +
        `Find out why; to go on from there, ${upgradeCommand('rollback', options.address)} records a rollback here too (then next starts the weight steps over)`,
    );
  };
  return releasePlatformChange(platform, {
    platformFile: platform.file,
    edit: (text) => setClusterWeights(text, weights, displayPath(platform.file)),
    expected: { what: 'the external-dns aws-weight annotations', allows: (_file, changed) => changed.every((line) => /^[-+]\s*external-dns\.alpha\.kubernetes\.io\/aws-weight: /.test(line)) },
    ...(rollback ?? { checkBranch }),
    title,
    trailers: { 'Kaji-Upgrade': `${state.from.name} -> ${state.to.name}` },
    ...releaseSettings(options),
  });
}

/**
 * A rollback of this upgrade on the branch after what it last verified
 * (lastVerified) was made from another checkout, whose state file this one
 * does not share: the branch may hold the weights this state last verified
 * again (all traffic to the old cluster, as before the first weight step),
 * which the weights check accepts, and the step would undo the rollback.
 */
async function refuseUnrecordedRollback(clone: Workspace, state: UpgradeState, options: RunbookOptions): Promise<void> {
  const upgrade = `${state.from.name} -> ${state.to.name}`;
  const since = lastVerified(state);
  const commits = await clone.commitsAfter(since, 'Kaji-Upgrade');
  const rollback = commits.find((commit) => commit.trailers.includes(upgrade) && commit.subject.startsWith(`upgrade ${state.from.name} → ${state.to.name}: rollback`));
  if (!rollback) return;
  const verified = since.commit === undefined ? `at ${since.time}` : `at ${since.commit.slice(0, 12)}`;
  throw new UpgradeError(
    `${clone.base} of the manifest repository has a rollback of this upgrade this checkout's ${STATE_FILE} does not record: ${rollback.sha.slice(0, 12)} "${rollback.subject}" (${rollback.committed}), ` +
      `made after the upgrade here last verified the branch (${verified}), from another checkout. This step would undo it: nothing was pushed. ` +
      `Find out why it was rolled back; ${upgradeCommand('rollback', options.address)} records it here too (the branch has its weights already), then next starts the weight steps over`,
  );
}

/**
 * Waits until external-dns has written the weights to Route 53; a platform
 * without hosts has nothing there to check. `stillCurrent`, called each poll,
 * throws to stop the wait (a weight step's, once a rollback was made).
 */
async function verifyDns(platform: PlatformDefinition, weights: Record<string, number>, options: RunbookOptions, stillCurrent?: () => Promise<void>): Promise<void> {
  if (!platform.services.some((service) => service.hosts.length > 0)) {
    options.onProgress('no service has hosts: nothing in Route 53 to verify');
    return;
  }
  const route53 = options.route53 ?? {};
  const client = route53Client(route53);
  try {
    const poll = zoneRecordsPoller(client, platform.platform.domain, route53);
    await waitUntil(
      async () => {
        await stillCurrent?.();
        const seen = await poll();
        if (!('records' in seen)) return seen;
        const verdict = dnsVerdict(seen.records, weights);
        return { done: verdict.converged, summary: `Route 53 zone ${seen.zone}: ${verdict.pending.length} record(s) not at ${describeWeights(weights)} yet`, waiting: verdict.pending };
      },
      { what: `external-dns to set ${describeWeights(weights)} in Route 53`, timeoutMs: options.timeoutMs ?? 30 * 60_000, intervalMs: options.intervalMs ?? 15_000, onProgress: options.onProgress },
    );
  } finally {
    client.destroy();
  }
}

export interface RollbackOptions extends RunbookOptions {
  /** The old cluster's Argo CD server (its token in $ARGOCD_AUTH_TOKEN_<OLD>): looked at once before traffic moves back. */
  readonly oldArgoCdServer?: string;
  /** PEM CA bundle for its TLS certificate. */
  readonly oldArgoCdCa?: string;
  /** Move the traffic back without looking at the old cluster's Argo CD, or whatever it shows. */
  readonly force?: boolean;
  /** Where the old cluster's token variable is read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Moves all the weight back to the old cluster, verified in Route 53; the next
 * `next` checks sync again, then starts the weight steps over. First it looks
 * at the old cluster's Argo CD once (checkOldClusterServes), unless `force`.
 */
export async function rollback(options: RollbackOptions): Promise<StepResult> {
  return withUpgradeLock(options.directory, () => rollbackLocked(options));
}

async function rollbackLocked(options: RollbackOptions): Promise<StepResult> {
  let state = await requireState(options.directory, options.address);
  if (state.done.finish) throw new UpgradeError(`the upgrade is finished: ${state.from.name} was removed; there is nothing to roll back to`);
  if (state.inProgress?.step === 'finish') throw new UpgradeError(`finish was started at ${state.inProgress.since} (${state.from.name}'s removal may be released already): run ${upgradeCommand('finish', options.address)} to complete it`);
  const platform = await platformOf(options.directory, state);
  // A rollback already started may have pushed its weights, and traffic may be moving: it is completed, not judged again.
  const resumed = state.inProgress?.step === 'rollback';
  if (!resumed) await checkOldClusterServes(platform, state, options);
  const weights = { [state.from.name]: state.totalWeight, [state.to.name]: 0 };
  const title = `upgrade ${state.from.name} → ${state.to.name}: rollback (${describeWeights(weights)})`;
  // Recorded as started only once its commit is about to land (or is there): a refusal or a failed clone before that moved nothing.
  const markStarted = async () => {
    if (!resumed) state = await record(options, { ...state, inProgress: { step: 'rollback', since: now() } });
  };
  const release = await releaseWeights(platform, state, weights, title, options, { beforeLive: markStarted });
  await verifyDns(platform, weights, options);
  const kept = (entries: Readonly<Partial<Record<StepId, string>>>) => Object.fromEntries(Object.entries(entries).filter(([step]) => step === 'preflight' || step === 'deploy'));
  const at = now();
  state = await record(options, {
    ...state,
    done: kept(state.done),
    commits: kept(state.commits ?? {}),
    weights,
    soakUntil: undefined,
    inProgress: undefined,
    rollbacks: [...state.rollbacks, { at, weights, commit: release.commit }],
  });
  return {
    state,
    step: 'rollback',
    lines: [
      `${title}: ${releaseLine(release)}; Route 53 has ${state.from.name} at full weight again`,
      `fix what made you roll back, then ${upgradeCommand('next', options.address)} (it checks ${state.to.name}'s Argo CD again, then starts the weight steps over)`,
    ],
  };
}

/**
 * Before all the traffic goes back to the old cluster: its Argo CD read once
 * (no waiting: a rollback is an emergency), every Application kaji generated
 * for it there and serving. One gone, Degraded, Suspended, Missing or Unknown
 * (isStuck) stops the rollback before anything moves, as does an Argo CD that
 * cannot be read: the old cluster would get everything at once, and kaji has
 * no quick way forward again (next starts the weight steps over). `force`
 * moves the traffic anyway, when the new cluster is worse off still; the
 * operator decides, knowing. OutOfSync and Progressing ones are named and do
 * not stop it: each weight step's commit leaves the old cluster syncing its
 * new weights for a few minutes, serving all along.
 */
async function checkOldClusterServes(platform: PlatformDefinition, state: UpgradeState, options: RollbackOptions): Promise<void> {
  const old = state.from.name;
  const forced = `${upgradeCommand('rollback', options.address)} --force`;
  if (options.force) {
    options.onProgress(`${old}'s Argo CD was not looked at (--force)`);
    return;
  }
  const variable = argoCdTokenVariable(old);
  const token = (options.env ?? process.env)[variable];
  if (options.oldArgoCdServer === undefined || !token) {
    const missing = options.oldArgoCdServer === undefined ? `pass --old-argocd-server URL (${old}'s Argo CD) and ${readerTokenAdvice(variable)}` : readerTokenAdvice(variable);
    throw new UpgradeError(`rollback looks at ${old}'s Argo CD before moving all traffic there: ${missing}; or run ${forced} to move it without looking`);
  }
  checkTokenText(variable, token);
  const connection: ArgoCdConnection = {
    server: options.oldArgoCdServer,
    token,
    ...(options.oldArgoCdCa === undefined ? {} : { ca: options.oldArgoCdCa }),
    names: { server: (value) => `--old-argocd-server ${value}`, token: variable },
  };
  const expected = await applicationsOnBranch(platform, old, options);
  let applications: ApplicationStatus[];
  try {
    applications = await withResourceHealth(connection, expected, await listApplications(connection));
  } catch (error) {
    if (!(error instanceof StepFailedError || error instanceof NetworkError)) throw error;
    throw new StepFailedError(`${old}'s Argo CD could not be read, so no traffic moved: ${error.message}. Run the same command again once it answers, or ${forced} to move all traffic to ${old} without looking`);
  }
  const verdict = syncVerdict(expected, applications);
  const listed = new Map(applications.map((application) => [application.name, application]));
  const stuck = expected.filter((name) => isStuck(listed.get(name)));
  if (stuck.length > 0) {
    const named = stuck.map((name) => `${name} ${listed.get(name)?.health ?? 'gone'}`).join(', ');
    const why = verdict.waiting.filter((line) => stuck.some((name) => line.startsWith(`${name}: `))).map((line) => `\n  ${line}`).join('');
    throw new StepFailedError(
      `${old}'s Argo CD has ${named}, so no traffic moved: all of it would go to ${old}. ` +
        `Fix them and run the same command again; if ${state.to.name} is worse off still, ${forced} moves the traffic anyway${why}`,
    );
  }
  const syncing = verdict.waiting.length ? `; syncing, and serving meanwhile: ${verdict.waiting.join('; ')}` : '';
  options.onProgress(`${old}'s Argo CD: ${verdict.ready}/${verdict.total} Applications Synced and Healthy${syncing}${warningLine(verdict.warnings)}`);
}

export interface FinishOptions extends RunbookOptions {
  /** Run `cdk destroy` of the old cluster's stack too, before its removal from platform.yaml. */
  readonly destroy?: boolean;
}

/**
 * A platform.yaml edited in place (not in the manifest repository) that lacks
 * the weights this upgrade last verified is older than the weight steps (their
 * in-place edits not committed, then a checkout): retiring from it would fail
 * in kaji synth's validation of a copy, or release old weights. Named here,
 * the user's file, with the weights to set.
 */
function refuseStaleWeights(platform: PlatformDefinition, state: UpgradeState, address: UpgradeAddress | undefined): void {
  // Without the old cluster, it was edited by the removal's release: a finish that stopped before recording it is completed.
  if (platformPathInRepository(platform) !== undefined || !platform.clusters.some((cluster) => cluster.name === state.from.name)) return;
  const local = Object.fromEntries(platform.clusters.filter((cluster) => cluster.name in state.weights).map((cluster) => [cluster.name, cluster.weight]));
  if (Object.entries(state.weights).every(([name, weight]) => local[name] === weight)) return;
  throw new UpgradeError(
    `${displayPath(platform.file)} gives ${describeWeights(local)}, not the weights this upgrade last verified (${describeWeights(state.weights)}, on the manifest branch and in Route 53): ` +
      `it is older than the weight steps (their in-place edits not committed, then a checkout or pull?). Set the weights to ${describeWeights(state.weights)} in it (and commit them), then run ${upgradeCommand('finish', address)} again; nothing was pushed`,
  );
}

/**
 * Retires the old cluster once the new one has all the weight and has soaked.
 * First it is marked retiring in platform.yaml, released (kaji synth writes
 * none of its service Applications, so its Argo CD prunes them), and Route 53
 * waited on until it has no record of it (retire.ts: what the stack's deletion
 * would leave behind). With `destroy`, then `cdk destroy` of its stack, while platform.yaml
 * still defines it (the CDK app builds its stacks from platform.yaml: once the
 * cluster is removed, cdk has no such stack and destroys nothing); then its
 * removal from platform.yaml, released.
 */
export async function finish(options: FinishOptions): Promise<StepResult> {
  const seen = await requireState(options.directory, options.address);
  const step = currentStep(seen);
  if (step !== undefined && step !== 'finish') throw new UpgradeError(`not yet: the next step is ${step} (${upgradeCommand('next', options.address)}); finish comes after the last weight step and its soak`);
  refuseOtherUnverifiedStep(seen, 'finish', options.address);
  const retires = step === 'finish' || (options.destroy === true && seen.destroyedAt === undefined);
  if (retires) greenArgoCd(seen, options, 'finish checks');
  if (step === 'finish') await waitSoak(seen, options);
  // Without the lock, like the soak: a rollback may be made while the gate waits.
  if (retires) await checkGreenStillReady(await platformOf(options.directory, seen), seen, 'finish', options, `finish (${seen.from.name}'s retirement)`);
  return withUpgradeLock(options.directory, async () => {
    let state = await unchangedState(options, seen);
    const platform = await platformOf(options.directory, state);
    const stack = stackName(platform, state.from.name);
    const folder = cdkAppFolder(platform.file, options.cdkApp);
    const deleteStack = `aws cloudformation delete-stack --region ${platform.platform.region} --stack-name ${stack}`;
    const lines: string[] = [];
    const from = state.from.name;
    const trailers = { 'Kaji-Upgrade': `${from} -> ${state.to.name}` };
    // Recorded as started once the retirement's commit is about to land (or is there): from then on a rollback would
    // send traffic to services going away. A refusal or a failed clone before that leaves rollback open.
    const markStarted = async () => {
      if (state.inProgress?.step !== 'finish') state = await record(options, { ...state, inProgress: { step: 'finish', since: now() } });
    };
    if (step === 'finish' && state.destroyedAt === undefined) {
      refuseStaleWeights(platform, state, options.address);
      const title = `upgrade ${from} → ${state.to.name}: retire ${from} (prune its service Applications before its removal)`;
      const retirement = await releaseRetiring(platform, from, { title, trailers, ...releaseSettings(options), beforeLive: markStarted });
      if (retirement.platformEdited === 'in-place') {
        options.onProgress(
          `platform.yaml, edited in place, marks ${from} retiring: commit and push it in its repository now; ` +
            `until then a kaji synth from the platform.yaml committed there brings ${from}'s Applications back`,
        );
      }
      lines.push(`${title}: ${releaseLine(retirement)}`);
      lines.push(await waitUntilRecordsGone(platform, from, { route53: options.route53, timeoutMs: options.timeoutMs ?? 30 * 60_000, intervalMs: options.intervalMs ?? 15_000, onProgress: options.onProgress }));
    }
    if (options.destroy && state.destroyedAt === undefined) {
      options.onProgress(`checking that the CDK app in ${displayPath(folder)} still defines ${stack} (cdk list)`);
      const listed = await runCdk({ cdk: options.cdk, folder, args: ['list'] });
      if (!listed.split('\n').some((line) => line.trim() === stack)) {
        throw new UpgradeError(
          `the CDK app in ${displayPath(folder)} does not define ${stack} (${state.from.name} is no longer in the platform.yaml it reads), so cdk destroy would destroy nothing: delete the stack with ${deleteStack}`,
        );
      }
      options.onProgress(`running cdk destroy ${stack} in ${displayPath(folder)}`);
      await runCdk({ cdk: options.cdk, folder, args: ['destroy', '--force', '--exclusively', stack], onOutput: options.onOutput });
      state = await record(options, { ...state, destroyedAt: now() });
      lines.push(`destroyed ${stack} (cdk destroy succeeded; aws cloudformation describe-stacks --region ${platform.platform.region} --stack-name ${stack} now says it does not exist)`);
    }
    if (step === 'finish') {
      await markStarted();
      const title = `upgrade ${from} → ${state.to.name}: remove ${from}`;
      // The cluster's folder as a path in the repository: under manifests.path, when the manifests are not at its root.
      const clusterFolder = repositoryPath(platform, 'clusters', from);
      const overlays = `${repositoryPath(platform, 'apps')}/*/overlays/${from}/`;
      const release = await releasePlatformChange(platform, {
        platformFile: platform.file,
        edit: (text) => removeCluster(text, from, displayPath(platform.file)),
        alsoChange: (clone) => deleteOverlays(join(clone.root, platform.manifests.path), from),
        expected: { what: `${clusterFolder}/ and ${overlays}`, allows: (file) => file.startsWith(`${clusterFolder}/`) || isOverlayOf(file, repositoryPath(platform, 'apps'), from) },
        title,
        trailers,
        ...releaseSettings(options),
      });
      state = await record(options, { ...state, done: { ...state.done, finish: now() }, inProgress: undefined });
      lines.push(
        `${title}: ${releaseLine(release)}`,
        `${from}'s overlays (${overlays}) went with it: a cluster named ${from} again gets copies of the newest ones (kaji synth), not images ${from} ran`,
      );
    }
    if (state.destroyedAt === undefined) {
      lines.push(`${stack} is not destroyed: the CDK app no longer defines it once platform.yaml has no ${from}; delete it now: ${deleteStack}`);
    }
    lines.push(leftoverChecks(platform, from));
    return { state, step: 'finish', lines };
  });
}

/**
 * Deletes every apps/<service>/overlays/<cluster>/ under the manifest folder
 * `manifests`, services gone from platform.yaml included. Left behind, kaji
 * bump no longer updates them (the cluster is not in platform.yaml), and a
 * cluster given the name again (blue/green naming) would deploy them as they
 * are, months-old images and all, rather than copies of the newest overlays.
 */
async function deleteOverlays(manifests: string, cluster: string): Promise<void> {
  const services = await readdir(join(manifests, 'apps'), { withFileTypes: true }).catch(() => []);
  for (const service of services.filter((entry) => entry.isDirectory())) {
    await rm(join(manifests, overlayPath(service.name, cluster)), { recursive: true, force: true });
  }
}

/** Whether `file` (a path in the repository) lies in apps/<service>/overlays/<cluster>/ under `apps`. */
function isOverlayOf(file: string, apps: string, cluster: string): boolean {
  const [service, overlays, name, ...rest] = file.slice(apps.length + 1).split('/');
  return file.startsWith(`${apps}/`) && service !== undefined && overlays === 'overlays' && name === cluster && rest.length > 0;
}
