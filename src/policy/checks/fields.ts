// What built-in checks read from objects, on top of kube's safe readers
// (re-exported here, where every check already imports its readers from).
import { apiGroupOf, isObject, splitGroupKind, type JsonObject, type JsonValue, type KubeObject } from '../../kube/index.js';
import { arrayAt, objectAt, objectsAt, stringAt, stringsAt, valueAt } from '../../kube/index.js';
import type { RelatedObjects } from '../types.js';

export { arrayAt, objectAt, objectsAt, stringAt, stringsAt, valueAt };

/**
 * Truthiness as Go templates see it (Polaris templates some schemas): nil,
 * false, 0, "" and empty lists or maps are false.
 */
export function goTruthy(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** A pod spec's own securityContext (a PodSecurityContext), if it is an object. */
export function podSecurityContext(podSpec: JsonObject | undefined): JsonObject | undefined {
  return objectAt(podSpec, 'securityContext');
}

/** A container's securityContext, if it is an object. */
export function containerSecurityContext(container: JsonObject | undefined): JsonObject | undefined {
  return objectAt(container, 'securityContext');
}

/** True when the value is a user ID that is not root (Polaris's `minimum: 1`). */
export function isNonRootUser(value: JsonValue | undefined): boolean {
  return typeof value === 'number' && value >= 1;
}

/** True when any string in the list matches the pattern. */
export function someMatch(values: readonly string[], pattern: RegExp): boolean {
  return values.some((value) => pattern.test(value));
}

/**
 * One expression that matches where any of `patterns` does (they share their
 * flags): a single pass over the text instead of one per pattern.
 */
export function anyOf(patterns: readonly RegExp[]): RegExp {
  const flags = patterns[0]?.flags ?? '';
  if (patterns.some((pattern) => pattern.flags !== flags)) throw new Error(`anyOf: patterns with different flags (${patterns.join(', ')})`);
  return new RegExp(patterns.map((pattern) => `(?:${pattern.source})`).join('|'), flags);
}

// ---- Related objects and Polaris's schema-template quirks (cross-resource checks) ----

/** True when the object has the key, whatever its value (JSON Schema's `required`: null counts). */
export function hasKey(object: JsonValue | undefined, key: string): boolean {
  return isObject(object) && Object.hasOwn(object, key);
}

/**
 * Every related object of a "group/Kind", any namespace. Polaris files objects
 * under their group and kind, so a NetworkPolicy written as `extensions/v1beta1`
 * is not a `networking.k8s.io/NetworkPolicy`.
 */
export function relatedOfGroupKind(related: RelatedObjects, groupKind: string): KubeObject[] {
  return related.derived(derivationKey('groupKind', groupKind), () => {
    const { group, kind } = splitGroupKind(groupKind);
    return related.ofKind(kind).filter((object) => apiGroupOf(object.apiVersion) === group);
  });
}

/**
 * The related objects of a "group/Kind" that a schema check may look at for an
 * object in `namespace`: Polaris offers those in the same namespace and those
 * with no namespace (cluster-scoped objects, or manifests that do not say).
 */
export function relatedVisibleFrom(related: RelatedObjects, groupKind: string, namespace: string): KubeObject[] {
  return perNamespace(related, derivationKey('visible', groupKind), namespace, () =>
    relatedOfGroupKind(related, groupKind).filter((object) => object.namespace === '' || object.namespace === namespace),
  );
}

/** A value derived from the related objects once per namespace (one Map lookup per call, no key built). */
export function perNamespace<T>(related: RelatedObjects, key: string, namespace: string, compute: () => T): T {
  const byNamespace = related.derived(key, () => new Map<string, T>());
  let value = byNamespace.get(namespace);
  if (value === undefined) byNamespace.set(namespace, (value = compute()));
  return value;
}

// Keys of derivations per group/kind, made once: related verdicts ask thousands of times per audit.
const derivationKeys = new Map<string, Map<string, string>>();

function derivationKey(name: string, groupKind: string): string {
  let byGroupKind = derivationKeys.get(name);
  if (!byGroupKind) derivationKeys.set(name, (byGroupKind = new Map()));
  let key = byGroupKind.get(groupKind);
  if (key === undefined) byGroupKind.set(groupKind, (key = `${name}:${groupKind}`));
  return key;
}

/**
 * What a Go template prints for a value (`{{ .x }}`): strings as they are,
 * numbers and booleans as text, a missing value as "<no value>". Undefined for
 * lists and maps, which no check compares.
 */
export function goTemplateText(value: JsonValue | undefined): string | undefined {
  if (value === undefined) return '<no value>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

// YAML 1.1 plain scalars that Go's YAML reader (used by Polaris for templated
// schemas) turns into something other than a string.
const YAML_NON_STRING_WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF',
  '~', 'null', 'Null', 'NULL', '<<',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
]);
const YAML_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const YAML_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

function isYamlDate(text: string): boolean {
  const match = YAML_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return month >= 1 && month <= 12 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** True when Go's YAML reader would read this unquoted text as a number, boolean, null or date. */
function yamlPlainIsNonString(text: string): boolean {
  if (text === '' || YAML_NON_STRING_WORDS.has(text)) return true;
  const first = text[0] ?? '';
  if (first === '.') return YAML_FLOAT.test(text);
  if (!/[0-9+-]/.test(first)) return false;
  if (isYamlDate(text)) return true;
  const plain = text.replaceAll('_', '');
  return YAML_INT.test(plain) || YAML_FLOAT.test(plain);
}

/**
 * The string that text becomes when Polaris pastes it unquoted into a YAML
 * schema (`const: {{ $value }}`), or undefined when it becomes something else
 * (a number, boolean, null, date, or broken YAML), which never equals a string.
 * Label values such as "1", "true" or "on" therefore never match.
 */
export function asYamlPlainString(text: string): string | undefined {
  const trimmed = text.trim();
  if (/[\n\r]/.test(trimmed) || /:(\s|$)/.test(trimmed)) return undefined;
  if (/^([,[\]{}#&*!|>'"%@`]|[-?:](\s|$))/.test(trimmed)) return undefined;
  const uncommented = trimmed.replace(/\s#.*$/, '').trimEnd();
  return yamlPlainIsNonString(uncommented) ? undefined : uncommented;
}
