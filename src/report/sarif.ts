// `--format sarif`: SARIF 2.1.0 for GitHub code scanning. Only failed checks are
// results (SARIF reports findings); each points at the object's file and line.
// Inputs that could not be read are the run's invocation's error notifications.
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { displayPath, fileLine, type InputProblem } from '../kube/index.js';
import type { AuditData, Result, Severity } from '../policy/types.js';
import { compareCodePoints, failedEntries, objectLabel, type ResultEntry } from './summary.js';
import { REMOVED_API_CHECK } from './removed-apis.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** The key of kaji's entry in `partialFingerprints` (versioned, as SARIF §3.27.17 suggests). */
export const FINGERPRINT_KEY = 'kajiFinding/v1';

export interface SarifOptions {
  /** kaji's version, for `tool.driver.version`. */
  readonly toolVersion: string;
  /**
   * Where kaji is documented, for `tool.driver.informationUri`.
   * @default omitted
   */
  readonly informationUri?: string;
  /**
   * The directory artifact URIs are made relative to (the repository root when run in CI).
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * A help page for a check, for the rule's `helpUri` (e.g. {@link polarisHelpUri}
   * for Polaris's built-in checks).
   * @default no helpUri
   */
  readonly helpUri?: (checkId: string, category: string) => string | undefined;
  /**
   * Inputs that could not be read or parsed: with any, the run gets an
   * `invocations` entry that says the execution did not succeed and names each.
   * @default none (and no `invocations`)
   */
  readonly problems?: readonly InputProblem[];
}

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { category: string; tags: string[] };
}

export interface SarifPhysicalLocation {
  artifactLocation: { uri: string; uriBaseId: string };
  region?: { startLine: number };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: Array<{
    physicalLocation?: SarifPhysicalLocation & { region: { startLine: number } };
    logicalLocations?: Array<{ fullyQualifiedName: string; kind: string }>;
  }>;
  partialFingerprints: Record<string, string>;
}

/** SARIF §3.58: a condition of the tool's run rather than a finding in the input. */
export interface SarifNotification {
  level: SarifLevel;
  message: { text: string };
  locations?: Array<{ physicalLocation: SarifPhysicalLocation }>;
}

/** SARIF §3.20: how the run went; `executionSuccessful` is required. */
export interface SarifInvocation {
  executionSuccessful: boolean;
  toolExecutionNotifications: SarifNotification[];
}

export interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; informationUri?: string; version: string; rules: SarifRule[] } };
    results: SarifResult[];
    invocations?: SarifInvocation[];
  }>;
}

const POLARIS_CATEGORY_PAGES = new Set(['security', 'efficiency', 'reliability']);

/**
 * Polaris's documentation page for a category of its built-in checks
 * (Security, Efficiency, Reliability), or undefined for any other category.
 * Meant for built-in checks only: the caller knows which checks those are.
 */
export function polarisHelpUri(category: string): string | undefined {
  const page = category.toLowerCase();
  return POLARIS_CATEGORY_PAGES.has(page) ? `https://polaris.docs.fairwinds.com/checks/${page}/` : undefined;
}

/** danger → error, warning → warning; `ignore` never fails a run, so it is a note. */
export function sarifLevel(severity: Severity): SarifLevel {
  if (severity === 'warning') return 'warning';
  if (severity === 'ignore') return 'note';
  return 'error';
}

/** A relative URI reference for a file: relative to `cwd`, forward slashes, each segment percent-encoded. */
export function artifactUri(file: string, cwd: string): string {
  const absolute = isAbsolute(file) ? file : resolve(cwd, file);
  return relative(cwd, absolute)
    .split(sep)
    .join('/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** A stand-in name such as `<stdin>`: no file a code-scanning alert could point at. */
function isPseudoFile(file: string): boolean {
  return file === '' || (file.startsWith('<') && file.endsWith('>'));
}

function subject(result: Result, container: string | undefined): string {
  return container === undefined ? objectLabel(result) : `${objectLabel(result)} container ${container}`;
}

/** Stable across runs: the rule and what it was found on, not the line (which moves with edits). */
export function findingFingerprint(ruleId: string, result: Result, container: string | undefined): string {
  const key = [ruleId, objectLabel(result), container ?? ''].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/**
 * A rule's description where its failure messages differ from object to
 * object, so the first failure's message would describe one finding, not the rule.
 */
const RULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [REMOVED_API_CHECK]: 'apiVersion no longer served by the Kubernetes version checked against (--kubernetes-version)',
};

function buildRules(failed: ResultEntry[], helpUri: NonNullable<SarifOptions['helpUri']>): SarifRule[] {
  const first = new Map<string, ResultEntry>();
  for (const entry of failed) if (!first.has(entry.message.ID)) first.set(entry.message.ID, entry);
  return [...first.keys()].sort(compareCodePoints).map((id) => {
    const { message } = first.get(id) as ResultEntry;
    const help = helpUri(id, message.Category);
    const description = RULE_DESCRIPTIONS[id] ?? message.Message;
    return {
      id,
      name: id,
      shortDescription: { text: description },
      fullDescription: { text: `${message.Category} check ${id}: ${description}` },
      ...(help ? { helpUri: help } : {}),
      defaultConfiguration: { level: sarifLevel(message.Severity) },
      properties: { category: message.Category, tags: ['kubernetes', message.Category.toLowerCase()] },
    };
  });
}

function buildResult(entry: ResultEntry, ruleIndex: number, cwd: string): SarifResult {
  const { result, container, message } = entry;
  const location: SarifResult['locations'][number] = {
    logicalLocations: [
      { fullyQualifiedName: container === undefined ? objectLabel(result) : `${objectLabel(result)}/${container}`, kind: 'resource' },
    ],
  };
  if (result.Source && !isPseudoFile(result.Source.File)) {
    location.physicalLocation = {
      artifactLocation: { uri: artifactUri(result.Source.File, cwd), uriBaseId: '%SRCROOT%' },
      region: { startLine: Math.max(1, result.Source.Line) },
    };
  }
  return {
    ruleId: message.ID,
    ruleIndex,
    level: sarifLevel(message.Severity),
    message: { text: `${subject(result, container)}: ${message.Message}` },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: findingFingerprint(message.ID, result, container) },
  };
}

/**
 * An input problem as an error notification (SARIF Appendix I: an error there
 * says the results may be incomplete), located at its file unless it has none.
 */
function problemNotification(problem: InputProblem, cwd: string): SarifNotification {
  const notification: SarifNotification = {
    level: 'error',
    message: { text: `${fileLine(displayPath(problem.file, cwd), problem.line)}: ${problem.message}` },
  };
  if (isPseudoFile(problem.file)) return notification;
  const physicalLocation: SarifPhysicalLocation = { artifactLocation: { uri: artifactUri(problem.file, cwd), uriBaseId: '%SRCROOT%' } };
  if (problem.line !== undefined) physicalLocation.region = { startLine: Math.max(1, problem.line) };
  return { ...notification, locations: [{ physicalLocation }] };
}

/**
 * The run's invocation when inputs could not be read: not successful, one
 * notification per problem. None otherwise: a clean run's log stays as it was.
 */
function invocationsOf(problems: readonly InputProblem[], cwd: string): { invocations?: SarifInvocation[] } {
  if (problems.length === 0) return {};
  return { invocations: [{ executionSuccessful: false, toolExecutionNotifications: problems.map((problem) => problemNotification(problem, cwd)) }] };
}

/** The audit's failed checks as a SARIF 2.1.0 log with one run (a JSON object). */
export function sarifLog(audit: AuditData, options: SarifOptions): SarifLog {
  const cwd = options.cwd ?? process.cwd();
  const failed = failedEntries(audit);
  const rules = buildRules(failed, options.helpUri ?? (() => undefined));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'kaji',
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            version: options.toolVersion,
            rules,
          },
        },
        results: failed.map((entry) => buildResult(entry, ruleIndex.get(entry.message.ID) as number, cwd)),
        ...invocationsOf(options.problems ?? [], cwd),
      },
    ],
  };
}

/** `--format sarif`: {@link sarifLog} as two-space-indented JSON with a final newline. */
export function formatSarif(audit: AuditData, options: SarifOptions): string {
  return `${JSON.stringify(sarifLog(audit, options), null, 2)}\n`;
}
