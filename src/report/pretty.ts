// `--format pretty`: the audit for a terminal, grouped by object, failures first.
import type { AuditData, Result, ResultMessage } from '../policy/types.js';
import { resultSetsOf } from '../policy/score.js';
import {
  compareByOutcome,
  countResults,
  objectLabel,
  outcomeOf,
  sourceLabel,
  type Outcome,
} from './summary.js';

export interface PrettyOptions {
  /** Use ANSI colours. */
  readonly color: boolean;
  /**
   * Show failed checks only (`--only-show-failed-tests`); objects and containers
   * without failures are left out. The closing counts still cover every check.
   * @default false
   */
  readonly onlyFailed?: boolean;
}

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m' };
type Style = keyof typeof ANSI;

type Paint = (text: string, ...styles: Style[]) => string;

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => (styles.length === 0 ? text : `${styles.map((s) => ANSI[s]).join('')}${text}${ANSI.reset}`);
}

/**
 * Control characters, and the bidirectional-text controls that make a terminal
 * show characters in another order than they are (the "Trojan Source" trick).
 */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text taken from the manifests or a cluster (names, file paths, messages)
 * with control characters shown as `\xNN` and bidirectional controls as
 * `\uNNNN`: a manifest's name must not move the cursor, retitle the
 * terminal, print a line of its own into the report, or reverse what follows it.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (character) => {
    const code = character.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const MARK: Record<Outcome, string> = { danger: '✗', warning: '⚠', success: '✓' };
const MARK_STYLE: Record<Outcome, Style> = { danger: 'red', warning: 'yellow', success: 'green' };

/** One line per message, failures first; messages start in one column whatever the indentation. */
function messageLines(messages: ResultMessage[], indent: string, idWidth: number, paint: Paint): string[] {
  const width = Math.max(0, idWidth + 2 - indent.length);
  return [...messages].sort(compareByOutcome).map((message) => {
    const outcome = outcomeOf(message);
    const text = `${printable(message.ID).padEnd(width)}  ${printable(message.Message)}`;
    if (outcome === 'success') return `${indent}${paint(`${MARK.success} ${text}`, 'dim')}`;
    const severity = paint(outcome, MARK_STYLE[outcome]);
    return `${indent}${paint(MARK[outcome], MARK_STYLE[outcome], 'bold')} ${text}  ${severity}`;
  });
}

function resultLines(result: Result, options: PrettyOptions, idWidth: number, paint: Paint): string[] {
  const keep = (messages: ResultMessage[]) => (options.onlyFailed ? messages.filter((m) => !m.Success) : messages);
  const own = keep([...Object.values(result.Results ?? {}), ...Object.values(result.PodResult?.Results ?? {})]);
  // No heading with nothing under it: an object or container no shown check applies to (--checks, --severity, or none of its kind) is left out.
  const containers = (result.PodResult?.ContainerResults ?? [])
    .map((container) => ({ name: container.Name, messages: keep(Object.values(container.Results ?? {})) }))
    .filter((container) => container.messages.length > 0);
  if (own.length === 0 && containers.length === 0) return [];

  const source = sourceLabel(result);
  const lines = [`${paint(printable(objectLabel(result)), 'bold')}${source ? `  ${paint(printable(source), 'cyan')}` : ''}`];
  lines.push(...messageLines(own, '  ', idWidth, paint));
  for (const container of containers) {
    lines.push(`  ${paint(`container ${printable(container.name)}`, 'bold')}`);
    lines.push(...messageLines(container.messages, '    ', idWidth, paint));
  }
  return lines;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The audit for a terminal: one block per object a check applies to (`kind/namespace/name  file:line`), then counts and score. */
export function formatPretty(audit: AuditData, options: PrettyOptions): string {
  const paint = painter(options.color);
  const results = audit.Results ?? [];
  // A loop, not Math.max(...ids): a large audit has more IDs than a call takes arguments.
  let idWidth = 0;
  for (const result of results) {
    for (const set of resultSetsOf(result)) for (const id of Object.keys(set ?? {})) idWidth = Math.max(idWidth, id.length);
  }

  const blocks = results.map((result) => resultLines(result, options, idWidth, paint)).filter((lines) => lines.length > 0);
  const counts = countResults(audit);
  const summary = [
    paint(`${counts.successes} passed`, 'green'),
    paint(plural(counts.warnings, 'warning'), counts.warnings > 0 ? 'yellow' : 'dim'),
    paint(plural(counts.dangers, 'danger'), counts.dangers > 0 ? 'red' : 'dim'),
  ].join(', ');

  const out: string[] = [];
  if (blocks.length === 0) {
    out.push(results.length === 0 ? 'No objects audited.' : options.onlyFailed ? 'No failed checks.' : `No check applies to the ${plural(results.length, 'object')} audited.`);
  } else {
    out.push(blocks.map((lines) => lines.join('\n')).join('\n\n'));
  }
  out.push('', `${summary}; ${paint(`score ${audit.Score}`, 'bold')}`);
  return `${out.join('\n')}\n`;
}
