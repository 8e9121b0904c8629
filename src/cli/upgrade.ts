import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ARGOCD_TOKEN_ENV, checkTokenText, isArgoCdTokenVariable, readerTokenAdvice } from '../upgrade/argocd.js';
import { parseDuration } from '../upgrade/wait.js';
import { branchName, readCaBundle, wholeNumber, type Io } from './common.js';
import type { Outcome } from './program.js';
import type { UpgradeAddress } from '../upgrade/index.js';

/** Exit codes of `kaji upgrade`. */
export const UPGRADE_EXIT = { ok: 0, notDone: 1, usage: 2 } as const;


interface CommonFlags {
  platform: string;
  kubectl?: string;
  cdkApp?: string;
}

interface RunFlags extends CommonFlags {
  cdk?: string;
  argocdServer?: string;
  oldArgocdServer?: string;
  caFile?: string;
  route53Endpoint?: string;
  hostedZoneId?: string;
  manifests?: string;
  base?: string;
  attempts: number;
  timeout: number;
  interval: number;
  degradedGrace: number;
}

interface PlanFlags extends CommonFlags {
  from?: string;
  to?: string;
  output: 'text' | 'json';
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('use a duration such as 90s, 10m, 1h (or 250ms).');
  return ms;
}

function percentages(value: string): number[] {
  const items = value.split(',').map((item) => item.trim());
  // Number('') is 0: an empty value or item would pass as a step of 0 %.
  if (!items.every((item) => /^\d+(\.0*)?\s*%?$/.test(item))) throw new InvalidArgumentError('use whole percentages, e.g. 10,50,100.');
  return items.map((item) => Number(item.replace(/\s*%$/, '')));
}

const EXAMPLES =
  '\nExamples:\n' +
  '  kaji upgrade plan --platform examples/labs                 # blue (highest weight) → green (weight 0, newest)\n' +
  '  kaji upgrade start --platform examples/labs --steps 10,50,100 --soak 15m\n' +
  '  kaji upgrade next --platform examples/labs                 # deploy green (cdk deploy labs-green)\n' +
  '  export ARGOCD_SERVER=argocd.green.labs.example.com ARGOCD_AUTH_TOKEN=…   # green\'s Argo CD, for the steps that follow\n' +
  '  kaji upgrade next --platform examples/labs                 # wait: every Application Synced to main\'s tip or later, Healthy\n' +
  '  kaji upgrade next --platform examples/labs                 # each weight step: green still Synced and Healthy? push, verify Route 53, soak\n' +
  '  export ARGOCD_AUTH_TOKEN_BLUE=…                             # blue\'s Argo CD, which rollback looks at first\n' +
  '  kaji upgrade rollback --platform examples/labs --old-argocd-server argocd.blue.labs.example.com   # all weight back to blue\n' +
  '  kaji upgrade finish --platform examples/labs [--destroy]   # (cdk destroy labs-blue first,) then remove blue\n';

const STEP_FAILED = 'a step failed or timed out (nothing recorded: run it again)';
/** Exit 2 of the commands that take kaji-upgrade.lock (lock.ts). */
const LOCKED = 'another kaji upgrade run holding the lock (kaji-upgrade.lock)';
/** Exit 2 of the commands that wait without the lock and find the state changed (runbook unchangedState: a rollback meanwhile). */
const CHANGED = 'the upgrade changed by another run while this one waited (a rollback made during the soak or the wait)';
/** Exit 2 of the steps that run the CDK CLI: nothing started, nothing recorded. */
const NO_CDK = 'a CDK app folder without cdk.json, or no CDK CLI to run (install it, or pass --cdk)';
/** Exit 2 of the steps that read Route 53. */
const NO_ZONE = 'no public hosted zone named after the domain, or several (pass --hosted-zone-id)';

/** A subcommand's exit codes, in the words of the other commands' --help; no 1 when it has none. */
function exitCodes(done: string, notDone: string | undefined, usage: string): string {
  const one = notDone === undefined ? '' : `${UPGRADE_EXIT.notDone} ${notDone}; `;
  return `\nExit codes: ${UPGRADE_EXIT.ok} ${done}; ${one}${UPGRADE_EXIT.usage} bad flags, ${usage}.\n`;
}

export function registerUpgrade(program: Command, io: Io, outcome: Outcome): void {
  const upgrade = program
    .command('upgrade')
    .summary('blue/green cluster upgrade: readiness plan, then a resumable runbook')
    .description(
      'A Kubernetes upgrade is a new cluster: add it to platform.yaml at weight 0 with the newer kubernetesVersion, run ' +
        'kaji synth and merge, then let kaji upgrade take it from there:\n' +
        '  plan      the readiness report: every service rendered for the new cluster, its removed APIs, the versions skipped\n' +
        '  start     check the plan and record the upgrade in kaji-upgrade.json beside platform.yaml\n' +
        '  next      make the next step: deploy the new cluster (cdk deploy), wait for its Argo CD to sync every service, ' +
        "then one DNS weight step per run (check the new cluster's Argo CD again, push, verify in Route 53, soak)\n" +
        '  status    where the upgrade stands\n' +
        "  rollback  all weight back to the old cluster, verified in Route 53, after a look at its Argo CD (--force: without)\n" +
        "  finish    mark the old cluster retiring (its Applications pruned) and wait for its records to go, then remove it from platform.yaml, once the new one " +
        'has all the weight and its Argo CD is still all Synced and Healthy (--destroy: cdk destroy it before the removal)\n\n' +
        'Every step is idempotent and recorded only once verified: a run stopped anywhere (Ctrl-C included) is taken up by ' +
        'the next `kaji upgrade next`.',
    )
    .addHelpText(
      'after',
      `\nExit codes: ${UPGRADE_EXIT.ok} done; ${UPGRADE_EXIT.notDone} not ready (plan, start), or a step failed or timed out ` +
        `(nothing recorded: run it again); ${UPGRADE_EXIT.usage} bad flags, an unknown cluster, no cluster at weight 0 to move to, no upgrade under way, ` +
        `a step out of order, ${LOCKED}, an invalid platform.yaml, ${NO_CDK}, ${NO_ZONE}.\n` +
        EXAMPLES,
    );

  const withPlatform = (command: Command) =>
    command.option('--platform <dir>', 'the folder holding platform.yaml (and kaji-upgrade.json)', '.').option('--kubectl <path>', 'the kubectl to render with (kustomize)');
  const withRun = (command: Command) =>
    withPlatform(command)
      .option('--cdk <path>', "the AWS CDK CLI (default: the CDK app's node_modules/.bin/cdk, else cdk from PATH)")
      .option('--cdk-app <dir>', "the platform's CDK app (default: infra/ beside platform.yaml)")
      .addOption(new Option('--argocd-server <url>', `the new cluster's Argo CD: https://host, or host[:port] as the argocd CLI takes it (token: $${ARGOCD_TOKEN_ENV})`).env('ARGOCD_SERVER'))
      .option('--old-argocd-server <url>', `the old cluster's Argo CD, which rollback looks at first (token: $${ARGOCD_TOKEN_ENV}_<OLD CLUSTER>, e.g. $${ARGOCD_TOKEN_ENV}_BLUE)`)
      .option('--ca-file <file>', "CA bundle (PEM) for the Argo CD servers' TLS certificates")
      .option('--hosted-zone-id <id>', 'the Route 53 zone external-dns writes to (default: the public zone named after platform.domain)')
      .addOption(new Option('--route53-endpoint <url>', 'another Route 53 endpoint (tests)').hideHelp())
      .option('--manifests <path-or-url>', "the manifest repository to push to (default: platform.yaml's manifests.url)")
      .option('--base <branch>', "the branch Argo CD follows (default: platform.yaml's manifests.branch)", branchName)
      .option('--attempts <n>', 'push attempts when other pushes get there first', wholeNumber(1, 100), 20)
      .addOption(new Option('--timeout <duration>', 'how long to wait for Argo CD or Route 53').argParser(duration).default(30 * 60_000, '30m'))
      .addOption(new Option('--interval <duration>', 'between two polls').argParser(duration).default(15_000, '15s'))
      .addOption(
        new Option('--degraded-grace <duration>', 'the sync step fails once an Application has been Degraded this long, rather than at --timeout (the check before a weight step or finish: after 1m, or this when shorter)').argParser(duration).default(5 * 60_000, '5m'),
      );

  withPlatform(upgrade.command('plan'))
    .description('The readiness report: exit 1 when the upgrade is not ready.')
    .addHelpText('after', exitCodes('ready', 'not ready (the report lists what blocks it)', 'an unknown cluster (--from, --to), an invalid platform.yaml'))
    .option('--from <cluster>', 'the cluster traffic moves away from (default: the one with the highest weight)')
    .option('--to <cluster>', 'the cluster traffic moves to (default: the newest at weight 0)')
    .option('--cdk-app <dir>', "the platform's CDK app (default: infra/ beside platform.yaml)")
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (flags: PlanFlags, command: Command) => {
      const { planUpgrade, formatPlan } = await import('../upgrade/index.js');
      await guarded(io, outcome, command, async (io, address) => {
        const plan = await planUpgrade({ directory: resolve(flags.platform), from: flags.from, to: flags.to, kubectl: flags.kubectl, cdkApp: flags.cdkApp, onProgress: renderProgress(io) });
        io.out(flags.output === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan, address));
        if (!plan.ready) outcome.exitCode = UPGRADE_EXIT.notDone;
      });
    });

  withPlatform(upgrade.command('start'))
    .description('Check the readiness plan and record the upgrade (kaji-upgrade.json); nothing else changes.')
    .addHelpText('after', exitCodes('recorded in kaji-upgrade.json', 'not ready (the plan is printed, nothing recorded)', `an unknown cluster, bad --steps, an upgrade already recorded there, ${LOCKED}, an invalid platform.yaml`))
    .option('--from <cluster>', 'the cluster traffic moves away from (default: the one with the highest weight)')
    .option('--to <cluster>', 'the cluster traffic moves to (default: the newest at weight 0)')
    .option('--cdk-app <dir>', "the platform's CDK app (default: infra/ beside platform.yaml)")
    .addOption(new Option('--steps <percentages>', "the new cluster's share of the weight at each weight step").argParser(percentages).default([10, 50, 100], '10,50,100'))
    .addOption(new Option('--soak <duration>', 'how long each weight step runs before the next').argParser(duration).default(10 * 60_000, '10m'))
    .action(async (flags: PlanFlags & { steps: number[]; soak: number }, command: Command) => {
      const { startUpgrade, formatPlan, formatStatus } = await import('../upgrade/index.js');
      await guarded(io, outcome, command, async (io, address) => {
        const { plan, state } = await startUpgrade({
          ...baseOptions(flags, io, address),
          from: flags.from,
          to: flags.to,
          cdkApp: flags.cdkApp,
          weightSteps: flags.steps,
          soakMs: flags.soak,
        });
        if (!state) {
          io.out(formatPlan(plan, address));
          outcome.exitCode = UPGRADE_EXIT.notDone;
          return;
        }
        io.out(formatStatus(state, address));
      });
    });

  // The flags of next are read by nothing but the commands status suggests, which carry them as next needs them.
  withRun(upgrade.command('status'))
    .description('Where the upgrade stands. Of the flags of next it reads only --platform; the others given are carried into the command it suggests.')
    .addHelpText('after', exitCodes('shown', undefined, 'no upgrade under way (no kaji-upgrade.json), a kaji-upgrade.json that cannot be read'))
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (flags: CommonFlags & { output: 'text' | 'json' }, command: Command) => {
      const { requireState, formatStatus } = await import('../upgrade/index.js');
      await guarded(io, outcome, command, async (io, address) => {
        const state = await requireState(resolve(flags.platform), address);
        io.out(flags.output === 'json' ? `${JSON.stringify(state, null, 2)}\n` : formatStatus(state, address));
      });
    });

  withRun(upgrade.command('next'))
    .description(
      'Make the next step, verify it, record it: deploy the new cluster; wait for its Argo CD (every Application Synced to ' +
        "the manifest branch's tip or a later commit, and Healthy); one weight step (after the previous step's soak, and only " +
        'while its Argo CD still has every Application Synced and Healthy). One step per run, so each move is a decision.',
    )
    .addHelpText('after', exitCodes('the step made, verified and recorded', STEP_FAILED, `no upgrade under way, a step that reads the new cluster's Argo CD without --argocd-server (or $ARGOCD_SERVER) and $${ARGOCD_TOKEN_ENV}, ${LOCKED}, ${CHANGED}, an invalid platform.yaml, ${NO_CDK} (the deploy step), ${NO_ZONE}`))
    .action(async (flags: RunFlags, command: Command) => {
      const { nextStep } = await import('../upgrade/index.js');
      await guarded(io, outcome, command, async (io, address) => printStep(io, await nextStep(await runOptions(flags, io, address, command))));
    });

  withRun(upgrade.command('rollback'))
    .description(
      "All weight back to the old cluster (released like a weight step, verified in Route 53); never held back by the new cluster's health. " +
        "First it reads the old cluster's Argo CD once (--old-argocd-server): one of its Applications gone, Degraded, Suspended, Missing or Unknown stops it before anything moves.",
    )
    .addHelpText('after', exitCodes('all weight back on the old cluster, verified', `the old cluster's Argo CD is not well or cannot be read (nothing moved), or ${STEP_FAILED}`, `no upgrade under way, no --old-argocd-server or its token (without --force), an upgrade already finished, ${LOCKED}, an invalid platform.yaml, ${NO_ZONE}`))
    .option('--force', "move the traffic back without looking at the old cluster's Argo CD (when the new cluster is worse off still)")
    .action(async (flags: RunFlags & { force?: boolean }, command: Command) => {
      const { rollback } = await import('../upgrade/index.js');
      await guarded(io, outcome, command, async (io, address) => {
        const options = await runOptions(flags, io, address, command);
        printStep(io, await rollback({ ...options, oldArgoCdServer: flags.oldArgocdServer, oldArgoCdCa: options.argocdCa, force: flags.force }));
      });
    });

  withRun(upgrade.command('finish'))
    .description(
      "Once the new cluster has all the weight and has soaked: mark the old one retiring in platform.yaml, which prunes its service Applications and its headroom placeholders (one commit; its Argo CD deletes " +
        'their Ingresses, its Load Balancer Controller their load balancers, its external-dns their records), wait until Route 53 has no ' +
        'record of it, then remove it from platform.yaml and release. With --destroy, cdk destroy its stack before the removal, while ' +
        'platform.yaml still defines it (afterwards the CDK app has no such stack).',
    )
    .addHelpText('after', exitCodes('the old cluster removed and released', STEP_FAILED, `no upgrade under way, weight steps still to make, no --argocd-server (or $ARGOCD_SERVER) or $${ARGOCD_TOKEN_ENV} when the new cluster's Argo CD is to be read, ${LOCKED}, ${CHANGED}, an invalid platform.yaml, ${NO_CDK} (--destroy), ${NO_ZONE}`))
    .option('--destroy', "cdk destroy the old cluster's stack before removing it")
    .action(async (flags: RunFlags & { destroy?: boolean }, command: Command) => {
      const { finish } = await import('../upgrade/index.js');
      await guarded(io, outcome, command, async (io, address) => printStep(io, await finish({ ...(await runOptions(flags, io, address, command)), destroy: flags.destroy })));
    });
}

function baseOptions(flags: CommonFlags, io: Io, address: UpgradeAddress) {
  return {
    directory: resolve(flags.platform),
    kubectl: flags.kubectl,
    onProgress: (message: string) => io.err(`kaji upgrade: ${message}\n`),
    onOutput: (text: string) => io.err(text),
    address,
  };
}

async function runOptions(flags: RunFlags, io: Io, address: UpgradeAddress, command: Command) {
  const token = process.env[ARGOCD_TOKEN_ENV];
  const server = flags.argocdServer || undefined; // an empty $ARGOCD_SERVER is none
  if (server !== undefined && token) checkTokenText(`$${ARGOCD_TOKEN_ENV}`, token);
  // A server without a token is refused only by a step that reads green's Argo CD, as the runbook says why: rollback never does.
  const setting = command.getOptionValueSource('argocdServer') === 'env' ? '$ARGOCD_SERVER is set' : '--argocd-server is given';
  const argocdMissing = server !== undefined && !token ? `${setting} but $${ARGOCD_TOKEN_ENV} is not: ${readerTokenAdvice(`$${ARGOCD_TOKEN_ENV}`)}` : undefined;
  const ca = flags.caFile === undefined ? undefined : await readCaBundle('--ca-file', flags.caFile, io.cwd);
  return {
    ...baseOptions(flags, io, address),
    argocdCa: ca,
    cdk: flags.cdk,
    cdkApp: flags.cdkApp,
    argocd: server !== undefined && token ? { server, token, ca } : undefined,
    argocdMissing,
    route53: { hostedZoneId: flags.hostedZoneId, endpoint: flags.route53Endpoint },
    manifests: flags.manifests,
    base: flags.base,
    attempts: flags.attempts,
    timeoutMs: flags.timeout,
    intervalMs: flags.interval,
    degradedGraceMs: flags.degradedGrace,
  };
}

function renderProgress(io: Io) {
  let shown = -1;
  return (done: number, total: number) => {
    const percent = Math.floor((done * 10) / total);
    if (percent !== shown || done === total) io.err(`kaji upgrade: rendered ${done}/${total} services\n`);
    shown = percent;
  };
}

function printStep(io: Io, result: { lines: readonly string[] }): void {
  io.out(result.lines.map((line) => `${line}\n`).join(''));
}

/** The flags the user gave on the command line (not a default, not $ARGOCD_SERVER), as given: a suggested command is run from the same folder. */
function givenFlags(command: Command): UpgradeAddress {
  return Object.fromEntries(Object.entries(command.opts()).filter(([key]) => command.getOptionValueSource(key) === 'cli'));
}

/**
 * Runs an action, turning the upgrade's own failures into one line and an exit code; anything else is a bug.
 * The action prints through `io` given to it, which redacts every line (progress, output, messages): a server
 * may echo the Argo CD token back, a URL may hold credentials. `address`: the flags given, for the commands suggested.
 */
async function guarded(io: Io, outcome: Outcome, command: Command, action: (io: Io, address: UpgradeAddress) => Promise<void>): Promise<void> {
  const [{ UpgradeError, StepFailedError, upgradeCommand }, { GitError, redact }] = await Promise.all([import('../upgrade/index.js'), import('../gitops/index.js')]);
  // Green's token and every cluster's own ($ARGOCD_AUTH_TOKEN_BLUE, for rollback).
  const tokens = Object.entries(process.env).flatMap(([name, value]) => (isArgoCdTokenVariable(name) && value ? [value] : []));
  const clean = (text: string) => redact(text, tokens);
  const shown: Io = { ...io, out: (text) => io.out(clean(text)), err: (text) => io.err(clean(text)) };
  const address = givenFlags(command);
  try {
    await action(shown, address);
  } catch (error) {
    if (error instanceof UpgradeError) {
      shown.err(`kaji: ${error.message}\n`);
      outcome.exitCode = UPGRADE_EXIT.usage;
    } else if (error instanceof StepFailedError || error instanceof GitError) {
      shown.err(`kaji: ${error.message}\nkaji: nothing was recorded as done; fix it and run the same command again (${upgradeCommand('status', address)} shows where it stands)\n`);
      outcome.exitCode = UPGRADE_EXIT.notDone;
    } else {
      throw error;
    }
  }
}
