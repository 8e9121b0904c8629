// The terminal summary of `kaji synth`: a table per cluster and service, then
// what changed on disk and every boundary violation or problem. Text from the
// manifests (names, messages, kubectl's errors, paths) goes through printable():
// a name must not move the cursor or print a line of its own into the table.
import { alignedColumns, printable } from '../report/index.js';
import type { SynthResult } from './index.js';

/** Changed files and overlays listed one by one; beyond this, a count. */
const MAX_LISTED = 20;

const COLUMNS = ['SERVICE', 'NAMESPACE', 'OBJECTS', 'DANGERS', 'WARNINGS', 'SCORE'] as const;

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
    lines.push(paint('1', `cluster ${printable(cluster.cluster)}`) + ` (Kubernetes ${cluster.kubernetesVersion}, DNS weight ${cluster.weight}, score ${cluster.audit.Score})`);
    const rows = cluster.services.map((service) => [
      printable(service.service),
      printable(service.namespace),
      String(service.objects),
      String(service.dangers),
      String(service.warnings),
      String(service.score),
    ]);
    const [header, ...serviceLines] = alignedColumns(COLUMNS, rows, 'llrrrr').map((line) => `  ${line}`);
    lines.push(paint('2', header!));
    for (const [index, line] of serviceLines.entries()) {
      const service = cluster.services[index]!;
      lines.push(service.dangers > 0 || service.problems.length > 0 ? paint('31', line) : line);
    }
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
      for (const problem of service.problems) lines.push(paint('31', `✗ ${where}: ${printable(problem.message)}`));
    }
  }
  for (const problem of result.overlayProblems) lines.push(paint('31', `✗ ${printable(problem.service)}: ${printable(problem.message)}`));
  const verdict = `${result.dangers} danger${result.dangers === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}, ${result.problems} problem${result.problems === 1 ? '' : 's'}`;
  lines.push(result.dangers + result.problems > 0 ? paint('31', verdict) : paint('32', verdict));
  return `${lines.join('\n')}\n`;
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
    if (result.fileChanges.length > shown.length) lines.push(`  … and ${result.fileChanges.length - shown.length} more (all in out/summary.json)`);
  }
  for (const overlay of result.overlays.slice(0, MAX_LISTED)) {
    lines.push(`${checkOnly ? 'overlay missing' : 'overlay created'}: ${printable(overlay.path)} (from ${printable(overlay.from)})`);
  }
  if (result.overlays.length > MAX_LISTED) lines.push(`  … and ${result.overlays.length - MAX_LISTED} more overlays`);
  return lines;
}
