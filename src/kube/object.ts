import { isObject } from './podspec.js';
import type { JsonObject, JsonValue, KubeObject, Source } from './types.js';

/** Why a parsed document cannot be audited as a Kubernetes object, or undefined when it can. */
export function objectProblem(doc: unknown): string | undefined {
  if (!isObject(doc as JsonObject)) return `expected a Kubernetes object (a mapping), found ${describe(doc)}`;
  const object = doc as JsonObject;
  if (typeof object.kind !== 'string' || object.kind === '') return 'missing "kind": every object needs a kind such as Deployment';
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') return `${object.kind} has no "apiVersion"`;
  if (!isObject(object.metadata)) return `${object.kind} has no "metadata" mapping`;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** Wraps a checked document (see `objectProblem`) as a KubeObject. */
export function toKubeObject(raw: JsonObject, source: Source): KubeObject {
  const metadata = raw.metadata as JsonObject;
  return {
    apiVersion: raw.apiVersion as string,
    kind: raw.kind as string,
    name: typeof metadata.name === 'string' ? metadata.name : typeof metadata.generateName === 'string' ? metadata.generateName : '',
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : '',
    metadata,
    raw,
    source,
  };
}

/** The API group of an apiVersion: "policy/v1" → "policy", "v1" → "" (the core group). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Splits Polaris's "group/Kind" key ("policy/PodDisruptionBudget"; a bare "Kind" is the core group). */
export function splitGroupKind(groupKind: string): { group: string; kind: string } {
  const slash = groupKind.lastIndexOf('/');
  return slash === -1 ? { group: '', kind: groupKind } : { group: groupKind.slice(0, slash), kind: groupKind.slice(slash + 1) };
}

/** The items of a `kind: List` (or any `*List` kind with items), or undefined for any other document. */
export function listItems(document: unknown): JsonValue[] | undefined {
  if (!isObject(document as JsonValue)) return undefined;
  const object = document as JsonObject;
  const isList = typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items);
  return isList ? (object.items as JsonValue[]) : undefined;
}
