import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CapacityError,
  CapacityInputError,
  DEFAULT_THRESHOLD,
  formatAmount,
  readClusterRecommendations,
  signedPercent,
  readSnapshotRecommendations,
  VPA_SNAPSHOT_COMMAND,
  type WorkloadRecommendation,
} from '../capacity/index.js';
import type { RequestChange, RightsizeResult } from '../capacity/rightsize.js';
import { displayPath, STDIN_NAME } from '../kube/index.js';
import { alignedColumns, printable } from '../report/index.js';
import { branchName, commaList, reportProblems, UsageError, type Io } from './common.js';
import type { Outcome } from './program.js';

interface RightsizeFlags {
  from?: string[];
  context?: string[];
  kubeconfig?: string;
  service?: string[];
  threshold: number;
  manifests?: string;
  base?: string;
  platform: string;
  dryRun?: boolean;
  output: 'table' | 'json';
  githubRepository?: string;
  githubApiUrl?: string;
}

/** Exit codes of `kaji rightsize`. */
export const RIGHTSIZE_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function registerRightsize(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('rightsize')
    .summary("set services' requests from the VPA recommendations, as a pull request to the manifest repository")
    .description(
      "Read the VerticalPodAutoscalers kaji synth generates per workload (recommendation only: nothing in the cluster " +
        'changes a pod) and propose their numbers as the requests written in the manifest repository.\n\n' +
        'Per container and resource: the largest target over the clusters that run the value (each VPA is labelled with ' +
        'its cluster; a value a cluster runs whose recommendations were not read is left alone, as is a resource an HPA ' +
        'scales on), rounded up (cpu to whole millicores, at least 10m; memory to whole Mi, at least 16Mi), never above ' +
        "the limit of a cluster that runs it (or its LimitRange default limit) nor the service's quota (the cap that " +
        "applied is named); a change under the threshold is left out, as is a raise that would take the namespace's pods " +
        "(replicas or an HPA's maxReplicas, plus a rolling update's surge) past its ResourceQuota in a cluster. The " +
        'value is edited byte for byte where the manifests write it (the overlay patch or the base that sets the ' +
        'container\'s resources.requests), each overlay rendered again to check it, then committed in a temporary clone ' +
        '(your checkout is never touched), force-pushed to kaji/rightsize (kaji/rightsize-A+B for --service A,B: one branch per set of services) and ' +
        'proposed as a pull request (label kaji/rightsize; needs GITHUB_TOKEN). --dry-run prints the diff instead.\n\n' +
        'A branch that changes values the run did not judge on every cluster\'s numbers (a cluster, a service or a workload not read) is ' +
        'not rebuilt: nothing is pushed, and the run fails naming them (a value without numbers the branch leaves as the base has it holds nothing: it is noted). ' +
        "When nothing is left to change, the branch's open pull request holds stale values: the branch is deleted and the " +
        'pull request closed, with a comment saying why; left open (with a warning) when the branch has commits kaji did not ' +
        "make, changes a value the run did not judge on every cluster's numbers, or is not where GitHub has the pull " +
        "request's head. --dry-run says which it would close.\n\n" +
        "The VerticalPodAutoscalers come from each --context through kubectl (kaji's: kubectl get vpa -A -l app.kubernetes.io/managed-by=kaji; default: the current " +
        `context; KAJI_KUBECTL names another kubectl), or from snapshot files (--from, \`${VPA_SNAPSHOT_COMMAND}\`, - for ` +
        'standard input). One without recommendations yet is reported, not an error; a context or file with no VerticalPodAutoscaler of kaji\'s at all ' +
        '(the wrong cluster, or one not synced) is an error.',
    )
    .option('--context <name>', 'a kubeconfig context to read (repeatable: every cluster; default: the current context)', collect)
    .option('--kubeconfig <file>', 'the kubeconfig file kubectl reads (default: KUBECONFIG or ~/.kube/config)')
    .option('--from <file>', `read a snapshot (${VPA_SNAPSHOT_COMMAND}) instead of a cluster (repeatable; - for standard input)`, collect)
    .option('--service <name>', 'only these services (comma-separated, repeatable); default: every service with recommendations', commaList)
    .addOption(new Option('--threshold <percent>', 'leave out changes smaller than this share of the current request').argParser(percent).default(DEFAULT_THRESHOLD, `${DEFAULT_THRESHOLD * 100}%`))
    .option('--manifests <path-or-url>', "the manifest repository: a local path or a git URL (default: platform.yaml's manifests.url, the repository Argo CD pulls from)")
    .option('--base <branch>', "the base branch (default: platform.yaml's manifests.branch)", branchName)
    .option('--platform <dir>', 'the folder holding platform.yaml', '.')
    .option('--dry-run', 'print the plan and the diff; push nothing')
    .addOption(new Option('-o, --output <format>', 'output format: the plan as a table, or as JSON').choices(['table', 'json']).default('table'))
    .option('--github-repository <owner/name>', 'the manifest repository on GitHub, where the pull request is opened (default: from the URL the branch is pushed to; needed with a local path)')
    .option('--github-api-url <url>', 'the GitHub API (GitHub Enterprise: https://HOST/api/v3)', process.env.GITHUB_API_URL)
    .addHelpText(
      'after',
      `\nExit codes: ${RIGHTSIZE_EXIT.ok} pull request opened or updated, dry run, nothing to change, or a stale pull request left open on purpose (a warning says why); ` +
        `${RIGHTSIZE_EXIT.failed} nothing pushed: the branch changes values the run did not judge (the error names them), or git or GitHub failed; ${RIGHTSIZE_EXIT.usage} bad flags, a snapshot that cannot be read, kubectl failed (its reason is printed), a context or snapshot with no VerticalPodAutoscaler of kaji's, an ` +
        'unknown service, a --manifests that is no repository of its own, an overlay that does not render, an invalid platform.yaml (read before any cluster), no token for the pull request. ' +
        'Under GitHub Actions (GITHUB_ACTIONS=true) the error or warning is also written as a ::error:: or ::warning:: workflow command: an annotation of the run.\n\n' +
        'Examples:\n' +
        '  kaji rightsize --context blue --context green --dry-run\n' +
        '  GITHUB_TOKEN=… kaji rightsize --context blue --context green --service antenna --threshold 20\n' +
        `  ${VPA_SNAPSHOT_COMMAND} > blue.json && kaji rightsize --from blue.json -o json | jq '.changes[] | select(.decision == "change")'\n`,
    )
    .action(async (flags: RightsizeFlags) => {
      outcome.exitCode = await runRightsize(flags, io);
    });
}

function collect(value: string, previous: string[] = []): string[] {
  if (value === '') throw new InvalidArgumentError('it is empty; give a value, or leave the flag out.');
  return [...previous, value];
}

/** "10", "10%" or "12.5" (percent, 0 to 100) as a share. */
function percent(value: string): number {
  const written = value.trim().replace(/\s*%$/, '');
  const number = Number(written);
  // Decimal only (10, 10.5, .5): Number() also reads 0x10 as 16 and 1e1 as 10.
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(written) || number > 100) throw new InvalidArgumentError('use a percentage from 0 to 100, such as 10 or 10%.');
  return number / 100;
}

async function runRightsize(flags: RightsizeFlags, io: Io): Promise<number> {
  if ((flags.from ?? []).filter((file) => file === '-').length > 1) throw new UsageError('--from -: standard input can be read once');
  // Octokit and the git work load only when a run needs them, as for kaji bump.
  const [{ loadRightsizePlatform, rightsize, RightsizeError }, { GitError, redact }, { GitHubError }] = await Promise.all([
    import('../capacity/rightsize.js'),
    import('../gitops/git.js'),
    import('../gitops/github.js'),
  ]);
  const token = process.env.GITHUB_TOKEN;
  const oneLine = (text: string) => redact(text, token ? [token] : []).replace(/\s*\n\s*/g, ' ').trim();
  try {
    // platform.yaml and --service first: a typo is told before a slow cluster read, and no kubectl error hides it.
    const platform = await loadRightsizePlatform(flags.platform, flags.service);
    let recommendations: WorkloadRecommendation[];
    try {
      recommendations = await readRecommendations(flags, io);
    } catch (error) {
      if (error instanceof CapacityInputError) {
        reportProblems(error.problems, io);
        return RIGHTSIZE_EXIT.usage;
      }
      if (error instanceof CapacityError) {
        io.err(`kaji: ${printable(error.message)}\n`);
        return RIGHTSIZE_EXIT.usage;
      }
      throw error;
    }
    const result = await rightsize({
      recommendations,
      platform,
      services: flags.service,
      threshold: flags.threshold,
      manifests: flags.manifests,
      base: flags.base,
      dryRun: flags.dryRun,
      githubRepository: flags.githubRepository,
      githubApiUrl: flags.githubApiUrl,
      onProgress: (message) => io.err(`kaji rightsize: ${oneLine(message)}\n`),
    });
    io.out(flags.output === 'json' ? `${JSON.stringify(resultJson(result), null, 2)}\n` : formatRightsizeResult(result));
    return reportLeftAsItIs(result, io, oneLine);
  } catch (error) {
    // Messages quote the manifest repository (commit subjects, author names): escaped, as the report is.
    if (error instanceof RightsizeError) {
      io.err(`kaji: ${printable(oneLine(error.message))}\n`);
      return RIGHTSIZE_EXIT.usage;
    }
    if (error instanceof GitError || error instanceof GitHubError) {
      io.err(`kaji: ${printable(oneLine(error.message))}\n`);
      return RIGHTSIZE_EXIT.failed;
    }
    throw error;
  }
}

/** Every --from file, then every --context (the current context when neither is given). */
async function readRecommendations(flags: RightsizeFlags, io: Io): Promise<WorkloadRecommendation[]> {
  const found: WorkloadRecommendation[] = [];
  for (const file of flags.from ?? []) {
    const named = await readSnapshotRecommendations(file, { readStdin: io.readStdin });
    found.push(...named.map((r) => ({ ...r, source: file === '-' ? STDIN_NAME : displayPath(file, io.cwd) })));
  }
  const contexts = flags.context ?? (flags.from?.length ? [] : [undefined]);
  for (const context of contexts) found.push(...(await readClusterRecommendations({ context, kubeconfig: flags.kubeconfig })));
  return found;
}

// --- output ------------------------------------------------------------------------

const amount = (change: RequestChange, value: bigint | undefined) => (value === undefined ? '-' : formatAmount(change.resource, value));

/** The plan as a table, the notes, then what was done. */
export function formatRightsizeResult(result: RightsizeResult): string {
  const lines: string[] = [];
  if (result.changes.length > 0) {
    const rows = result.changes.map((c) => [
      printable(c.service),
      printable(`${c.workload.kind}/${c.workload.name}`),
      printable(c.container),
      c.resource,
      amount(c, c.current),
      amount(c, c.proposed),
      signedPercent(c.change) ?? '-',
      printable(c.vpa.map((r) => `${formatAmount(c.resource, r.target)} (${r.source})`).join(', ')),
      c.cap ? `${c.cap.by} ${formatAmount(c.resource, c.cap.value)}` : '-',
      c.skipped !== undefined && c.decision !== 'no request' ? 'skipped' : c.decision === 'below threshold' ? `below ${Math.round(result.threshold * 100)}%` : c.decision,
    ]);
    lines.push(...alignedColumns(['SERVICE', 'WORKLOAD', 'CONTAINER', 'RESOURCE', 'OLD', 'NEW', 'CHANGE', 'VPA TARGET', 'CAP', 'ACTION'], rows, 'llllrrrlll'), '');
  }
  for (const c of result.changes.filter((change) => change.skipped !== undefined)) {
    lines.push(`not changed: ${printable(c.service)} ${printable(`${c.workload.kind}/${c.workload.name}`)} ${printable(c.container)} ${c.resource} in ${c.clusters.join(', ')}: ${printable(c.skipped!)}`);
  }
  for (const note of result.notes) lines.push(`note: ${printable(note.vpa === undefined ? (note.service ?? '') : `${note.vpa} (${note.source ?? ''})`)}: ${printable(note.message)}`);
  if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
  const edited = result.changes.filter((c) => c.decision === 'change' && c.skipped === undefined);
  switch (result.status) {
    case 'unchanged': {
      const held = result.changes.filter((c) => c.decision === 'change' && c.skipped !== undefined).length;
      lines.push(
        held > 0
          ? `nothing changed: ${held} request(s) would move by ${Math.round(result.threshold * 100)}% or more, but are not changed (see above).`
          : `nothing to change: no request moves by ${Math.round(result.threshold * 100)}% or more.`,
      );
      const stale = result.stalePullRequest;
      const pull = stale && `pull request #${stale.number} (${printable(stale.branch)})`;
      if (stale?.action === 'would-close') lines.push(`dry run: ${pull}, whose values are stale, would be closed and its branch deleted: ${stale.url}`);
      if (stale?.action === 'closed') lines.push(`closed ${pull}, whose values are stale${stale.branchDeleted ? ', and deleted its branch' : ''}: ${stale.url}`);
      if (stale?.action === 'left-open') lines.push(`${pull} is left open (see the warning): ${stale.url}`);
      break;
    }
    case 'dry-run':
      // The diff shows the manifests' text: control and bidirectional characters escaped, line by line.
      lines.push(`${result.diff.split('\n').map(printable).join('\n')}${result.diff.endsWith('\n') ? '' : '\n'}dry run: ${edited.length} request(s) would change. Nothing was pushed.`);
      break;
    case 'pull-request': {
      const done = result.pullRequest?.created ? 'opened' : result.alreadyPushed ? 'kept' : 'updated';
      const kept = result.alreadyPushed ? ` (${result.branch} already had this change at ${result.commit?.slice(0, 12)}: nothing pushed)` : '';
      lines.push(`${result.title}: ${edited.length} request(s); pull request #${result.pullRequest?.number} ${done}${kept}: ${result.pullRequest?.url}`);
      break;
    }
    case 'not-pushed':
      lines.push(`not pushed: ${edited.length} request(s) would change, but ${printable(result.branch ?? '')} and its pull request are left as they are (see the error).`);
      break;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What the run left that someone has to see to, and the exit code: a branch not pushed fails the run
 * (a nightly job must not stay green while its pull request never moves); a stale pull request left
 * open on purpose is a warning.
 */
function reportLeftAsItIs(result: RightsizeResult, io: Io, oneLine: (text: string) => string): number {
  if (result.status === 'not-pushed') {
    report(io, 'error', oneLine(`not pushed: ${result.reason ?? ''}`));
    return RIGHTSIZE_EXIT.failed;
  }
  const stale = result.stalePullRequest;
  if (stale?.action === 'left-open') report(io, 'warning', oneLine(`pull request #${stale.number} (${stale.branch}) is left open: ${stale.reason ?? ''}`));
  return RIGHTSIZE_EXIT.ok;
}

/**
 * `kaji: [warning: ]message` on standard error; under GitHub Actions first as a workflow command
 * (`::error::`, `::warning::`), which the runner shows as an annotation of the run. Its data escapes
 * %, CR and LF (GitHub's workflow commands reference).
 */
function report(io: Io, level: 'error' | 'warning', message: string): void {
  const line = printable(message);
  if (process.env.GITHUB_ACTIONS === 'true') io.err(`::${level} title=kaji rightsize::${line.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
  io.err(`kaji: ${level === 'warning' ? 'warning: ' : ''}${line}\n`);
}

/** The result for scripts: amounts as Kubernetes quantities; fields may be added, none removed or renamed. */
function resultJson(result: RightsizeResult): object {
  return {
    status: result.status,
    threshold: result.threshold,
    changes: result.changes.map((c) => ({
      service: c.service,
      namespace: c.namespace,
      workload: { kind: c.workload.kind, name: c.workload.name },
      container: c.container,
      resource: c.resource,
      current: c.current === undefined ? null : formatAmount(c.resource, c.current),
      recommended: formatAmount(c.resource, c.recommended),
      proposed: formatAmount(c.resource, c.proposed),
      change: c.change === undefined || !Number.isFinite(c.change) ? null : Math.round(c.change * 10_000) / 10_000,
      cap: c.cap ? { by: c.cap.by, value: formatAmount(c.resource, c.cap.value) } : null,
      decision: c.decision,
      skipped: c.skipped ?? null,
      clusters: c.clusters,
      file: c.file ?? null,
      vpa: c.vpa.map((r) => ({
        source: r.source,
        target: formatAmount(c.resource, r.target),
        lowerBound: r.lowerBound === undefined ? null : formatAmount(c.resource, r.lowerBound),
        upperBound: r.upperBound === undefined ? null : formatAmount(c.resource, r.upperBound),
      })),
    })),
    notes: result.notes,
    diff: result.diff,
    branch: result.branch ?? null,
    commit: result.commit ?? null,
    pullRequest: result.pullRequest ? { number: result.pullRequest.number, url: result.pullRequest.url, created: result.pullRequest.created } : null,
    stalePullRequest: result.stalePullRequest ?? null,
    reason: result.reason ?? null,
  };
}
