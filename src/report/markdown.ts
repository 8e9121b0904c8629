// `--format markdown`: a short summary for a pull-request comment: score, the
// inputs that could not be read (if any), counts, then a table of the failed
// checks, dangers first.
import { displayPath, fileLine, type InputProblem } from '../kube/index.js';
import type { AuditData } from '../policy/types.js';
import { printable } from './pretty.js';
import { countResults, failedEntries, objectLabel, outcomeOf, sourceLabel, type ResultEntry } from './summary.js';

export interface MarkdownOptions {
  /**
   * Table rows at most; the rest are counted in an "and N more" line.
   * @default 50
   */
  readonly maxRows?: number;
  /**
   * Inputs that could not be read or parsed: a table of their own, above the
   * counts, so a job summary does not read as clean while part of the input was never checked.
   * @default none
   */
  readonly problems?: readonly InputProblem[];
  /**
   * Directory the problems' file names are shown relative to, as on standard error.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

export const DEFAULT_MARKDOWN_ROWS = 50;

/**
 * One line of a cell: line breaks flattened to spaces, other control
 * characters from the manifests as \xNN, as in the pretty output (the table
 * is read in terminals and CI logs too, where they would act).
 */
function oneLine(text: string): string {
  return printable(text.replace(/\r?\n|\r/g, ' '));
}

/** A table cell: pipes escaped, one line, HTML-significant characters as entities. */
export function escapeCell(text: string): string {
  return oneLine(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|'));
}

/** Inline code for a cell, or plain escaped text when the value itself holds a backtick. */
function code(text: string): string {
  return text.includes('`') ? escapeCell(text) : `\`${oneLine(text.replace(/\|/g, '\\|'))}\``;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

const SEVERITY_CELL = { danger: '🔴 danger', warning: '🟡 warning' } as const;

function row(entry: ResultEntry): string {
  const { result, container, message } = entry;
  const outcome = outcomeOf(message) as 'danger' | 'warning';
  const object = container === undefined ? code(objectLabel(result)) : `${code(objectLabel(result))} container ${code(container)}`;
  const source = sourceLabel(result);
  const cells = [SEVERITY_CELL[outcome], code(message.ID), object, source ? code(source) : '', escapeCell(message.Message)];
  return `| ${cells.join(' | ')} |`;
}

/** Dangers before warnings; otherwise the audit's order (file order, then object, container, check ID). */
function byDangerFirst(entries: ResultEntry[]): ResultEntry[] {
  const rank = (entry: ResultEntry) => (outcomeOf(entry.message) === 'danger' ? 0 : 1);
  return [...entries].sort((a, b) => rank(a) - rank(b)); // a stable sort keeps the audit's order within each rank
}

/** The input problems as a table (at most `maxRows` rows, then "and N more"), or nothing without problems. */
function problemLines(problems: readonly InputProblem[], maxRows: number, cwd: string | undefined): string[] {
  if (problems.length === 0) return [];
  const lines = [`⚠️ ${plural(problems.length, 'input')} could not be checked:`, ''];
  const shown = problems.slice(0, maxRows);
  if (shown.length > 0) {
    lines.push('| Input | Problem |', '| --- | --- |');
    for (const problem of shown) lines.push(`| ${code(fileLine(displayPath(problem.file, cwd), problem.line))} | ${escapeCell(problem.message)} |`);
    lines.push('');
  }
  const rest = problems.length - shown.length;
  if (rest > 0) lines.push(`…and ${plural(rest, 'more input')}.`, '');
  return lines;
}

/** The audit as Markdown for a pull-request comment. */
export function formatMarkdown(audit: AuditData, options: MarkdownOptions = {}): string {
  const maxRows = Math.max(0, Math.floor(options.maxRows ?? DEFAULT_MARKDOWN_ROWS));
  const counts = countResults(audit);
  const failed = byDangerFirst(failedEntries(audit));
  const lines = [
    `### kaji check: score ${audit.Score}`,
    '',
    ...problemLines(options.problems ?? [], maxRows, options.cwd),
    `${plural(counts.dangers, 'danger')}, ${plural(counts.warnings, 'warning')}, ${counts.successes} passed`,
    '',
  ];
  if (failed.length === 0) {
    lines.push(counts.total === 0 ? 'No checks ran.' : `✅ All ${plural(counts.total, 'check')} passed.`);
    return `${lines.join('\n')}\n`;
  }
  const shown = failed.slice(0, maxRows);
  if (shown.length > 0) {
    lines.push('| Severity | Check | Object | Location | Message |', '| --- | --- | --- | --- | --- |', ...shown.map(row));
  }
  const rest = failed.length - shown.length;
  if (rest > 0) lines.push('', `…and ${rest} more failed ${rest === 1 ? 'check' : 'checks'}.`);
  return `${lines.join('\n')}\n`;
}
