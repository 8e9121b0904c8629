// The output formats of `kaji check`: each a pure function from an audit to a string.
import type { InputProblem } from '../kube/index.js';
import type { AuditData } from '../policy/types.js';
import { formatJson, printJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatPretty } from './pretty.js';
import { formatSarif } from './sarif.js';
import { formatScore } from './score.js';
import { onlyFailedResults } from './summary.js';
import { formatYaml } from './yaml.js';

export const REPORT_FORMATS = ['pretty', 'json', 'yaml', 'score', 'sarif', 'junit', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export interface ReportOptions {
  /**
   * ANSI colours in the pretty format.
   * @default false
   */
  readonly color?: boolean;
  /**
   * `--only-show-failed-tests`: leave passed checks out of pretty, json, yaml and junit.
   * The score, SARIF (failures only anyway) and Markdown (counts plus failures) are unchanged.
   * @default false
   */
  readonly onlyFailed?: boolean;
  /**
   * kaji's version, for SARIF's `tool.driver.version`.
   * @default "0.0.0"
   */
  readonly toolVersion?: string;
  /**
   * SARIF's `tool.driver.informationUri`.
   * @default omitted
   */
  readonly informationUri?: string;
  /**
   * Directory SARIF artifact URIs, and Markdown's names of inputs that could not be read, are relative to.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * A help page per check, for SARIF rules' `helpUri`.
   * @default none
   */
  readonly helpUri?: (checkId: string, category: string) => string | undefined;
  /**
   * Markdown table rows at most.
   * @default 50
   */
  readonly maxRows?: number;
  /**
   * Inputs that could not be read or parsed: errors in the junit report, the
   * invocation's notifications in SARIF, a table above the counts in Markdown.
   * The other formats leave them to standard error (Polaris's JSON and YAML have no place for them).
   * @default none
   */
  readonly problems?: readonly InputProblem[];
}

/** What the json, yaml and junit formats show: without passed checks under `onlyFailed`. */
function shownOf(audit: AuditData, options: ReportOptions): AuditData {
  return options.onlyFailed ? onlyFailedResults(audit) : audit;
}

/** The audit in one of {@link REPORT_FORMATS}; every format ends with a newline. */
export function formatAudit(audit: AuditData, format: ReportFormat, options: ReportOptions = {}): string {
  switch (format) {
    case 'pretty':
      return formatPretty(audit, { color: options.color ?? false, onlyFailed: options.onlyFailed ?? false });
    case 'json':
      return formatJson(shownOf(audit, options));
    case 'yaml':
      return formatYaml(shownOf(audit, options));
    case 'score':
      return formatScore(audit);
    case 'sarif':
      return formatSarif(audit, {
        toolVersion: options.toolVersion ?? '0.0.0',
        ...(options.informationUri !== undefined ? { informationUri: options.informationUri } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.helpUri !== undefined ? { helpUri: options.helpUri } : {}),
        ...(options.problems !== undefined ? { problems: options.problems } : {}),
      });
    case 'junit':
      return formatJunit(shownOf(audit, options), options.problems);
    case 'markdown':
      return formatMarkdown(audit, {
        ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
        ...(options.problems !== undefined ? { problems: options.problems } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      });
    default: {
      const unknown: never = format;
      throw new Error(`unknown report format "${String(unknown)}"; expected one of ${REPORT_FORMATS.join(', ')}`);
    }
  }
}

/** A piece of a printed report: text, or UTF-8 bytes (the JSON report's, whose repeated parts are shared buffers). */
export type ReportChunk = string | readonly Uint8Array[];

/** A report chunk as text. */
export function chunkText(chunk: ReportChunk): string {
  return typeof chunk === 'string' ? chunk : Buffer.concat(chunk).toString('utf8');
}

/**
 * The audit as formatAudit prints it, handed to `emit` in chunks: the JSON
 * report (the large one) is printed a few results at a time, so it can be
 * written out without ever being one string; other formats come as one chunk.
 */
export function printAudit(audit: AuditData, format: ReportFormat, options: ReportOptions, emit: (chunk: ReportChunk) => void): void {
  if (format === 'json') printJson(shownOf(audit, options), emit);
  else emit(formatAudit(audit, format, options));
}

export { formatJson, polarisJsonValue, printJson } from './json.js';
export { formatYaml } from './yaml.js';
export { formatScore } from './score.js';
export { formatPretty, printable, type PrettyOptions } from './pretty.js';
export { alignedColumns } from './columns.js';
export { formatSarif, polarisHelpUri, sarifLog, type SarifLog, type SarifOptions } from './sarif.js';
export { formatJunit } from './junit.js';
export { formatMarkdown, type MarkdownOptions } from './markdown.js';
export {
  auditEntries,
  countResults,
  failedEntries,
  objectLabel,
  onlyFailedResults,
  outcomeOf,
  resultEntries,
  sourceLabel,
  type Outcome,
  type ResultCounts,
  type ResultEntry,
  type ResultLevel,
} from './summary.js';
export { unifiedDiff } from './diff.js';
export { withRemovedApiResults, REMOVED_API_CHECK } from './removed-apis.js';
