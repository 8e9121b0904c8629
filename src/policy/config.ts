import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import type { JsonObject, JsonValue } from '../kube/index.js';
import { didYouMean, emptyRecord, fileErrorReason, isObject, KUBERNETES_YAML_SCHEMA, lineOfPath, OVER_EXPANDED_MESSAGE, overExpandedPath, pathText, valueText, YamlLines } from '../kube/index.js';
import { BUILTIN_CHECKS } from './checks/index.js';
import { compileCustomCheck } from './custom/index.js';
import { DEFAULT_CONFIG_YAML } from './default-config.js';
import { ConfigError } from './errors.js';
import type { CheckDefinition, Exemption, PolicyConfig, Severity } from './types.js';

export const SEVERITIES: readonly Severity[] = ['ignore', 'warning', 'danger'];

const TOP_LEVEL_KEYS = [
  'checks',
  'customChecks',
  'exemptions',
  'disallowExemptions',
  'disallowConfigExemptions',
  'disallowAnnotationExemptions',
  'mutations',
  'displayName',
  // Polaris's settings for auditing a live cluster: accepted so a Polaris file works unchanged,
  // and ignored, as kaji reads manifests and admission requests, not a cluster.
  'kubeContext',
  'namespace',
] as const;

const EXEMPTION_KEYS = ['namespace', 'controllerNames', 'containerNames', 'rules'] as const;

export interface LoadConfigOptions {
  /** A Polaris-format configuration file; without it, Polaris's defaults apply. */
  readonly file?: string;
  /** Merge the file into the defaults (maps merged key by key, lists replaced) instead of replacing them. */
  readonly merge?: boolean;
}

/** Loads, merges and validates a policy configuration. Throws ConfigError naming the file, line and key. */
export async function loadPolicyConfig(options: LoadConfigOptions = {}): Promise<PolicyConfig> {
  if (!options.file) return defaultPolicyConfig();
  return parsePolicyFile(await readPolicyText(options.file), options.file, options.merge);
}

/** A configuration file's text read as `--config` (alone) or `--config` with `--merge-config` (`merge`: over the defaults) read it. */
export function parsePolicyFile(text: string, file: string, merge = false): PolicyConfig {
  return parsePolicyConfig(text, file, merge ? DEFAULT_CONFIG_YAML : undefined);
}

/** The text of a configuration file; ConfigError when it cannot be read. */
export async function readPolicyText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration: ${fileErrorReason(error as NodeJS.ErrnoException)}`, '', file);
  }
}

let builtInDefaults: PolicyConfig | undefined;

/** The built-in default configuration (Polaris's defaults); parsed once, one frozen object shared by every caller. */
export function defaultPolicyConfig(): PolicyConfig {
  return (builtInDefaults ??= deepFreeze(parsePolicyConfig(DEFAULT_CONFIG_YAML, '<built-in defaults>')));
}

/** Freezes plain data (objects and arrays) all the way down; functions (compiled custom checks) are left alone. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Parses a configuration from YAML or JSON text. With `mergeInto`, the text is
 * deep-merged over that base configuration first, the way Polaris merges a
 * user's file into its defaults.
 */
export function parsePolicyConfig(text: string, file: string, mergeInto?: string): PolicyConfig {
  const user = parseConfigText(text, file);
  if (user === undefined) {
    // Read as no checks at all, an empty file (a failed download, a bad merge) would turn the gate off.
    throw new ConfigError(
      'the configuration is empty (nothing but blanks or comments), which would run no check; list the checks under checks: (write checks: {} to run none on purpose)',
      '',
      file,
    );
  }
  const raw = mergeInto ? mergeMaps(parseConfigText(mergeInto, '<built-in defaults>') ?? {}, user) : user;
  try {
    return validateConfig(raw, file);
  } catch (error) {
    if (error instanceof ConfigError && !error.line) {
      throw new ConfigError(error.message, error.path, file, lineOfPath(text, error.path));
    }
    throw error;
  }
}

/** The configuration in a text; undefined when the text holds nothing (blanks or comments only). */
function parseConfigText(text: string, file: string): JsonObject | undefined {
  let parsed: unknown;
  try {
    parsed = yaml.load(text, { schema: KUBERNETES_YAML_SCHEMA });
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    throw new ConfigError(`invalid YAML: ${reason}`, '', file, mark?.line !== undefined ? mark.line + 1 : undefined);
  }
  if (parsed === null || parsed === undefined) return undefined;
  const overExpanded = overExpandedPath(parsed);
  if (overExpanded !== undefined) {
    throw new ConfigError(OVER_EXPANDED_MESSAGE, pathText(overExpanded), file, new YamlLines(text).lineOf(overExpanded));
  }
  if (!isObject(parsed as JsonValue)) throw new ConfigError('the configuration must be a mapping of keys such as checks, customChecks, exemptions', '', file, 1);
  return parsed as JsonObject;
}

/**
 * Polaris's merge: mappings merge key by key, everything else (lists included)
 * is replaced. The merged mappings have no prototype, so any key (a check
 * named "__proto__" or "constructor") is a plain entry.
 */
export function mergeMaps(base: JsonObject, overrides: JsonObject): JsonObject {
  const merged: JsonObject = Object.assign(emptyRecord<JsonValue>(), base);
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isObject(value) && isObject(current) ? mergeMaps(current, value) : value;
  }
  return merged;
}

function validateConfig(raw: JsonObject, file: string): PolicyConfig {
  for (const key of Object.keys(raw)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) throw unknownKey(key, key, TOP_LEVEL_KEYS);
  }
  for (const key of ['kubeContext', 'namespace'] as const) {
    if (raw[key] !== undefined && raw[key] !== null && typeof raw[key] !== 'string') {
      throw new ConfigError(`must be a text (Polaris's ${key}; kaji ignores it), found ${valueText(raw[key])}`, key);
    }
  }
  const customChecks = compileCustomChecks(raw.customChecks);
  const checks = readSeverities(raw.checks, customChecks);
  for (const id of Object.keys(customChecks)) {
    if (!Object.hasOwn(checks, id)) {
      throw new ConfigError(`custom check "${id}" has no severity: add "${id}: warning" (or danger, or ignore) under checks`, `customChecks.${id}`);
    }
  }
  return {
    checks,
    customChecks,
    exemptions: readExemptions(raw.exemptions),
    disallowExemptions: readBoolean(raw, 'disallowExemptions'),
    disallowConfigExemptions: readBoolean(raw, 'disallowConfigExemptions'),
    // Kept undefined when left out, so synth can tell a deliberate false from the default.
    disallowAnnotationExemptions: raw.disallowAnnotationExemptions == null ? undefined : readBoolean(raw, 'disallowAnnotationExemptions'),
    mutations: readMutations(raw.mutations, checks),
    source: file,
  };
}

function compileCustomChecks(value: JsonValue | undefined): Record<string, CheckDefinition> {
  if (value === undefined || value === null) return emptyRecord();
  if (!isObject(value)) throw new ConfigError('must be a mapping of check ID to check definition', 'customChecks');
  const compiled = emptyRecord<CheckDefinition>();
  for (const [id, definition] of Object.entries(value)) {
    compiled[id] = compileCustomCheck(id, definition, `customChecks.${id}`);
  }
  return compiled;
}

function readSeverities(value: JsonValue | undefined, custom: Record<string, CheckDefinition>): Record<string, Severity> {
  if (value === undefined || value === null) return emptyRecord();
  if (!isObject(value)) throw new ConfigError('must be a mapping of check ID to ignore, warning or danger', 'checks');
  const severities = emptyRecord<Severity>();
  const known = [...BUILTIN_CHECKS.keys(), ...Object.keys(custom)];
  for (const [id, severity] of Object.entries(value)) {
    // Own keys only: `in` would take toString or constructor for custom checks (inherited from Object).
    if (!BUILTIN_CHECKS.has(id) && !Object.hasOwn(custom, id)) {
      throw new ConfigError(`unknown check "${id}"${didYouMean(id, known)}; define it under customChecks or remove it`, `checks.${id}`);
    }
    if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) {
      throw new ConfigError(`unknown severity ${valueText(severity)}: use ignore, warning or danger`, `checks.${id}`);
    }
    severities[id] = severity as Severity;
  }
  return severities;
}

function readExemptions(value: JsonValue | undefined): Exemption[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError('must be a list of exemptions', 'exemptions');
  return value.map((entry, index) => {
    const path = `exemptions[${index}]`;
    if (!isObject(entry)) throw new ConfigError('must be a mapping with namespace, controllerNames, containerNames and/or rules', path);
    for (const key of Object.keys(entry)) {
      if (!(EXEMPTION_KEYS as readonly string[]).includes(key)) throw unknownKey(key, `${path}.${key}`, EXEMPTION_KEYS);
    }
    if (entry.namespace !== undefined && entry.namespace !== null && typeof entry.namespace !== 'string') {
      throw new ConfigError('must be a namespace name', `${path}.namespace`);
    }
    return {
      namespace: typeof entry.namespace === 'string' ? entry.namespace : undefined,
      controllerNames: readStringList(entry.controllerNames, `${path}.controllerNames`),
      containerNames: readStringList(entry.containerNames, `${path}.containerNames`),
      rules: readStringList(entry.rules, `${path}.rules`),
    };
  });
}

function readMutations(value: JsonValue | undefined, checks: Record<string, Severity>): string[] {
  const ids = readStringList(value, 'mutations') ?? [];
  ids.forEach((id, index) => {
    if (!BUILTIN_CHECKS.has(id) && !Object.hasOwn(checks, id)) {
      throw new ConfigError(`unknown check "${id}"${didYouMean(id, [...BUILTIN_CHECKS.keys()])}`, `mutations[${index}]`);
    }
  });
  return ids;
}

function readStringList(value: JsonValue | undefined, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new ConfigError('must be a list of strings', path);
  }
  return value as string[];
}

function readBoolean(raw: JsonObject, key: string): boolean {
  const value = raw[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new ConfigError(`must be true or false, found ${valueText(value)}`, key);
  return value;
}

function unknownKey(key: string, path: string, allowed: readonly string[]): ConfigError {
  return new ConfigError(`unknown key "${key}"${didYouMean(key, allowed)}; allowed: ${allowed.join(', ')}`, path);
}
