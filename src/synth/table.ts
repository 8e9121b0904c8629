// The terminal summary of `kaji synth`: a table per cluster and service, then
// what changed on disk, every danger (boundary violation or failed check) and
// problem, and the warnings when they are few. Text from the
// manifests (names, messages, kubectl's errors, paths) goes through printable():
// a name must not move the cursor or print a line of its own into the table.
import { dirname, join, resolve } from 'node:path';
import { displayPath, shellWord } from '../kube/index.js';
import { alignedColumns, printable } from '../report/index.js';
import type { ClusterReport, FailedCheck, SynthResult } from './index.js';

/** Changed files, overlays and warnings listed one by one; beyond this, a count. */
const MAX_LISTED = 20;

// The last column, untitled, says why a row's figures are missing or partial.
const COLUMNS = ['SERVICE', 'NAMESPACE', 'OBJECTS', 'DANGERS', 'WARNINGS', 'SCORE', ''] as const;

/** A figure that was not measured: the service, or part of it, did not render. */
const UNKNOWN = '—';

export interface TableOptions {
  /** ANSI colours. @default false */
  readonly color?: boolean;
  /** Describe pending changes (check-only) rather than applied ones. @default false */
  readonly checkOnly?: boolean;
}

export function formatSynthTable(result: SynthResult, options: TableOptions = {}): string {
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const cluster of result.clusters) {
    const rows = serviceRows(result, cluster);
    lines.push(paint('1', `cluster ${printable(cluster.cluster)}`) + ` (Kubernetes ${cluster.kubernetesVersion}, DNS weight ${cluster.weight}, ${clusterScore(cluster, rows)})`);
    const [header, ...serviceLines] = alignedColumns(COLUMNS, rows.map((row) => row.cells), 'llrrrrl').map((line) => `  ${line}`);
    lines.push(paint('2', header!));
    for (const [index, line] of serviceLines.entries()) lines.push(rows[index]!.failed ? paint('31', line) : line);
    lines.push('');
  }
  lines.push(...changeLines(result, options.checkOnly ?? false));
  const cdk = result.infrastructure;
  if (cdk.problem) lines.push(paint('31', `✗ ${printable(cdk.problem)}`));
  else lines.push(`CDK app: ${cdk.stacks.length} stacks (${cdk.stacks.join(', ')})${cdk.outdir ? ` in ${cdk.outdir}` : ', synthesised and discarded'}`);
  for (const cluster of result.clusters) {
    for (const service of cluster.services) {
      const where = printable(`${cluster.cluster}/${service.service}`);
      for (const violation of service.boundaryViolations) {
        lines.push(paint('31', `✗ ${where}: ${printable(violation.object)}: ${printable(violation.message)}`));
      }
      for (const failed of service.failedChecks) if (failed.severity === 'danger') lines.push(paint('31', `✗ ${where}: ${failedCheckText(failed)}`));
      for (const problem of service.problems) lines.push(paint('31', `✗ ${where}: ${printable(problem.message)}`));
    }
  }
  for (const problem of result.overlayProblems) lines.push(paint('31', `✗ ${printable(problem.service)}: ${printable(problem.message)}`));
  for (const file of result.unmarkedFiles) lines.push(paint('31', `✗ ${printable(file.path)}: ${printable(file.message)}`));
  lines.push(...warningLines(result, options.checkOnly ?? false).map((line) => paint('33', line)));
  const verdict = `${result.dangers} danger${result.dangers === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}, ${result.problems} problem${result.problems === 1 ? '' : 's'}`;
  lines.push(result.dangers + result.problems > 0 ? paint('31', verdict) : paint('32', verdict));
  return `${lines.join('\n')}\n`;
}

/** `Deployment/shop/web: container app: cpuRequestsMissing: CPU requests should be set`. */
function failedCheckText(failed: FailedCheck): string {
  const container = failed.container === null ? '' : `container ${printable(failed.container)}: `;
  return `${printable(failed.object)}: ${container}${printable(failed.check)}: ${printable(failed.message)}`;
}

/**
 * Every failed warning when there are few; otherwise a count per cluster and the `kaji check`
 * command that lists that cluster's (summary.json has them all either way).
 */
function warningLines(result: SynthResult, checkOnly: boolean): string[] {
  const warnings = result.clusters.flatMap((cluster) =>
    cluster.services.flatMap((service) => service.failedChecks.filter((failed) => failed.severity === 'warning').map((failed) => ({ cluster, service, failed }))),
  );
  if (warnings.length <= MAX_LISTED) {
    return warnings.map(({ cluster, service, failed }) => `⚠ ${printable(`${cluster.cluster}/${service.service}`)}: ${failedCheckText(failed)}`);
  }
  const policy = shellWord(displayPath(resolve(dirname(result.platform.file), result.platform.policy)));
  return result.clusters.flatMap((cluster) => {
    const count = warnings.filter((warning) => warning.cluster === cluster).length;
    if (count === 0) return [];
    const folder = shellWord(displayPath(join(result.outDirectory, cluster.cluster)));
    const check = `kaji check ${folder} --config ${policy} --only-show-failed-tests lists ${count === 1 ? 'it' : 'them'}`;
    const how = checkOnly ? `kaji synth (without --check-only) writes ${folder}, then ${check}` : check;
    return [`⚠ ${printable(cluster.cluster)}: ${count} warning${count === 1 ? '' : 's'}, not listed here: ${printable(how)}`];
  });
}

/** Where the changes not printed are listed: the run's summary.json, which --check-only does not write. */
function restListedIn(result: SynthResult, checkOnly: boolean): string {
  const summary = displayPath(join(result.outDirectory, 'summary.json'));
  return checkOnly ? `kaji synth without --check-only makes them all and lists them in ${summary}` : `all in ${summary}`;
}

function changeLines(result: SynthResult, checkOnly: boolean): string[] {
  const count = (action: string) => result.fileChanges.filter((change) => change.action === action).length;
  const lines: string[] = [];
  if (result.fileChanges.length === 0) lines.push('generated files: up to date');
  else {
    const [create, update, remove] = checkOnly ? ['to create', 'to update', 'to delete'] : ['created', 'updated', 'deleted'];
    const summary = `${count('create')} ${create}, ${count('update')} ${update}, ${count('delete')} ${remove}`;
    lines.push(checkOnly ? `generated files OUT OF DATE: ${summary}` : `generated files: ${summary}`);
    const shown = result.fileChanges.slice(0, MAX_LISTED);
    for (const change of shown) lines.push(`  ${change.action.padEnd(6)} ${printable(change.path)}`);
    if (result.fileChanges.length > shown.length) lines.push(`  … and ${result.fileChanges.length - shown.length} more (${restListedIn(result, checkOnly)})`);
  }
  for (const overlay of result.overlays.slice(0, MAX_LISTED)) {
    lines.push(`${checkOnly ? 'overlay missing' : 'overlay created'}: ${printable(overlay.path)} (from ${printable(overlay.from)})`);
  }
  if (result.overlays.length > MAX_LISTED) lines.push(`  … and ${result.overlays.length - MAX_LISTED} more overlays`);
  return lines;
}

interface ServiceRow {
  readonly cells: readonly string[];
  /** Rendered whole: its figures cover all of it. */
  readonly whole: boolean;
  /** Has figures: rendered, at least in part. */
  readonly measured: boolean;
  readonly failed: boolean;
}

/**
 * One row per service of the platform, in its order. A service that did not render (its overlay
 * or kustomization is broken) has no figures, not zeros and a perfect score; one that rendered in
 * part (some documents unreadable) shows the figures and score of what was checked, and says so,
 * as summary.json has them.
 */
function serviceRows(result: SynthResult, cluster: ClusterReport): ServiceRow[] {
  return result.platform.services.map((definition): ServiceRow => {
    const service = cluster.services.find((report) => report.service === definition.name);
    const name = [printable(definition.name), printable(service?.namespace ?? definition.namespace)];
    const unmeasured = (why: string): ServiceRow => ({ cells: [...name, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, why], whole: false, measured: false, failed: true });
    if (!service) return unmeasured('not rendered (overlay problem)');
    const figures = [String(service.objects), String(service.dangers), String(service.warnings)];
    const score = String(service.score ?? UNKNOWN);
    if (service.rendered === true) return { cells: [...name, ...figures, score, ''], whole: true, measured: true, failed: service.dangers > 0 };
    const problems = `${service.problems.length} problem${service.problems.length === 1 ? '' : 's'}`;
    if (service.rendered === false) return unmeasured(`not rendered (${problems})`);
    return { cells: [...name, ...figures, score, `rendered in part (${problems})`], whole: false, measured: true, failed: true };
  });
}

/** The cluster's policy score covers what rendered: said so when that is not every service. */
function clusterScore(cluster: ClusterReport, rows: readonly ServiceRow[]): string {
  const whole = rows.filter((row) => row.whole).length;
  if (whole === rows.length) return `score ${cluster.audit.Score}`;
  if (!rows.some((row) => row.measured)) return `score ${UNKNOWN}: no service rendered`;
  return `score ${cluster.audit.Score} over what rendered: ${rows.length - whole} of ${rows.length} services not rendered whole`;
}
