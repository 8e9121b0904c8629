import { valueAtPath } from './fields.js';
import { canonicalQuantityText } from './normalize.js';
import { isObject } from './podspec.js';
import { CONTAINER_FIELDS, describe, fieldsFault, foundText, KIND_SHAPES, METADATA, POD_SPEC_FIELDS, shapeFault, type Fault } from './shapes.js';
import type { JsonObject, JsonValue, KubeObject, Source } from './types.js';
import { pathText, type PathSegment } from './yaml-lines.js';

/** Why a document cannot be audited, and the path of the field at fault ([] for the document as a whole). */
export interface ObjectProblem {
  readonly message: string;
  readonly path: readonly PathSegment[];
}

/** Why a parsed document cannot be audited as a Kubernetes object, or undefined when it can. */
export function objectProblem(doc: unknown): string | undefined {
  return objectProblemAt(doc)?.message;
}

const WHOLE: readonly PathSegment[] = Object.freeze([]);

/**
 * `objectProblem` with the path of the field at fault, so a reader of the text
 * can point at its line. Allocates nothing for a usable object.
 */
export function objectProblemAt(doc: unknown): ObjectProblem | undefined {
  if (!isObject(doc as JsonObject)) return { message: `expected a Kubernetes object (a mapping), found ${describe(doc)}`, path: WHOLE };
  const object = doc as JsonObject;
  if (object.kind === undefined || object.kind === '') return { message: 'missing "kind": every object needs a kind such as Deployment', path: object.kind === '' ? ['kind'] : WHOLE };
  if (typeof object.kind !== 'string') return { message: `"kind" must be a text such as Deployment, found ${describe(object.kind)}`, path: ['kind'] };
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') {
    return { message: `${object.kind} has no "apiVersion"`, path: object.apiVersion === undefined ? WHOLE : ['apiVersion'] };
  }
  if (!isObject(object.metadata)) return { message: `${object.kind} has no "metadata" mapping`, path: object.metadata === undefined ? WHOLE : ['metadata'] };
  return (
    placed(object.kind, shapeFault(METADATA, object.metadata), METADATA_PATH) ??
    podSpecProblem(object) ??
    kindShapeProblem(object) ??
    quantitiesProblem(object) ??
    replicasProblem(object)
  );
}

const METADATA_PATH: readonly PathSegment[] = Object.freeze(['metadata']);

/**
 * A problem of `objectProblemAt` with the object's namespace/name after its kind ("Pod shop/web-1:
 * spec.containers[0]..."), as kaji capacity names a pod whose numbers it cannot count; the message as
 * it is for an object without a name, or one that does not start with its kind (no kind, no metadata).
 */
export function namedProblem(doc: unknown, message: string): string {
  const object = isObject(doc as JsonObject) ? (doc as JsonObject) : {};
  const metadata = isObject(object.metadata) ? object.metadata : {};
  const kind = object.kind;
  if (typeof kind !== 'string' || typeof metadata.name !== 'string' || metadata.name === '' || !message.startsWith(`${kind} `)) return message;
  const name = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? `${metadata.namespace}/${metadata.name}` : metadata.name;
  return `${kind} ${name}: ${message.slice(kind.length + 1)}`;
}

/** Where the built-in workload kinds (and Argo Rollouts) keep their pod spec: by kind, with the kind's API group. */
interface PodSpecPlace {
  readonly group: string;
  readonly path: readonly string[];
  /** The path of the pod template's metadata; undefined for a Pod (its own metadata). */
  readonly templateMetadata?: readonly string[];
}
const place = (group: string, path: readonly string[]): PodSpecPlace => ({ group, path, templateMetadata: [...path.slice(0, -1), 'metadata'] });
const POD_SPEC_PLACES: ReadonlyMap<string, PodSpecPlace> = new Map<string, PodSpecPlace>([
  ['Pod', { group: '', path: ['spec'] }],
  ['PodTemplate', place('', ['template', 'spec'])],
  ['ReplicationController', place('', ['spec', 'template', 'spec'])],
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((kind): [string, PodSpecPlace] => [kind, place('apps', ['spec', 'template', 'spec'])]),
  ['Job', place('batch', ['spec', 'template', 'spec'])],
  ['CronJob', place('batch', ['spec', 'jobTemplate', 'spec', 'template', 'spec'])],
  // Argo Rollouts, which kaji checks like Deployments
  ['Rollout', place('argoproj.io', ['spec', 'template', 'spec'])],
]);

/**
 * A built-in workload whose pod spec has the wrong shape (a number where the
 * containers or the volumes belong, see shapes.ts) or holds a quantity the
 * API server refuses: it would refuse the object, and without this it would
 * be checked as if it had no pod, no volumes, or a limit of .nan counted as
 * set. What is missing is fine: a patch file of a kustomization names only
 * what it changes. Runs for every object read, so it allocates nothing on the
 * way.
 */
function podSpecProblem(object: JsonObject): ObjectProblem | undefined {
  const place = POD_SPEC_PLACES.get(object.kind as string);
  if (place === undefined || !inGroup(object.apiVersion as string, place.group)) return undefined;
  let value: JsonObject = object;
  let template: JsonObject = object;
  for (let depth = 0; depth < place.path.length; depth++) {
    const next = value[place.path[depth]!];
    if (next === undefined || next === null) return undefined; // null is absent, as for the API server
    if (!isObject(next)) {
      const path = place.path.slice(0, depth + 1);
      return { message: `${object.kind as string} ${path.join('.')} must be a mapping, found ${describe(next)}`, path };
    }
    template = value;
    value = next;
  }
  const kind = object.kind as string;
  const { path } = place;
  return (
    (place.templateMetadata && placed(kind, shapeFault(METADATA, template.metadata), place.templateMetadata)) ??
    placed(kind, fieldsFault(POD_SPEC_FIELDS, value), path) ??
    containersProblem(kind, path, value, 'initContainers') ??
    containersProblem(kind, path, value, 'containers') ??
    containersProblem(kind, path, value, 'ephemeralContainers') ??
    placed(kind, requirementsProblem(value.resources), path, 'resources') ??
    placed(kind, resourceListProblem(value.overhead), path, 'overhead') ??
    volumesProblem(kind, path, value)
  );
}

function containersProblem(kind: string, path: readonly string[], podSpec: JsonObject, key: string): ObjectProblem | undefined {
  const list = podSpec[key];
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) return { message: `${kind} ${path.join('.')}.${key} must be a list of containers, found ${describe(list)}`, path: [...path, key] };
  for (let index = 0; index < list.length; index++) {
    const container = list[index];
    if (!isObject(container)) {
      const message = `${kind} ${path.join('.')}.${key}[${index}] must be a container (a mapping with name and image), found ${describe(container)}`;
      return { message, path: [...path, key, index] };
    }
    const problem = fieldsFault(CONTAINER_FIELDS, container) ?? resourcesFault(container);
    if (problem !== undefined) return placed(kind, problem, [...path, key, index]);
  }
  return undefined;
}

/** A container's resources that are not resource requirements, placed within the container. */
function resourcesFault(container: JsonObject): Fault | undefined {
  const fault = requirementsProblem(container.resources);
  return fault && { path: ['resources', ...fault.path], text: fault.text };
}

/** An object of a kind in KIND_SHAPES whose list or mapping has another shape. */
function kindShapeProblem(object: JsonObject): ObjectProblem | undefined {
  const shape = KIND_SHAPES.get(object.kind as string);
  if (shape === undefined) return undefined;
  const apiVersion = object.apiVersion as string;
  for (let index = 0; index < shape.groups.length; index++) {
    if (inGroup(apiVersion, shape.groups[index]!)) return placed(object.kind as string, fieldsFault(shape.fields, object), WHOLE);
  }
  return undefined;
}

/** Where an ephemeral volume keeps its claim's resources, under volumes[i]. */
const EPHEMERAL_CLAIM_RESOURCES = ['ephemeral', 'volumeClaimTemplate', 'spec', 'resources'] as const;

/**
 * The quantities of a pod's volumes: an emptyDir's sizeLimit and an ephemeral
 * volume's claim resources. A volume list or volume of another shape is
 * POD_SPEC_FIELDS' problem, found before this.
 */
function volumesProblem(kind: string, podSpecPath: readonly string[], podSpec: JsonObject): ObjectProblem | undefined {
  const volumes = podSpec.volumes;
  if (!Array.isArray(volumes)) return undefined;
  for (let index = 0; index < volumes.length; index++) {
    const volume = volumes[index];
    if (!isObject(volume)) continue;
    const emptyDir = volume.emptyDir;
    const sizeLimit = isObject(emptyDir) ? quantityProblem(emptyDir.sizeLimit) : undefined;
    if (sizeLimit !== undefined) return placed(kind, { path: WHOLE, text: sizeLimit }, [...podSpecPath, 'volumes', index, 'emptyDir', 'sizeLimit']);
    const claim = requirementsProblem(valueAtPath(volume, EPHEMERAL_CLAIM_RESOURCES), 'claim');
    if (claim !== undefined) return placed(kind, claim, [...podSpecPath, 'volumes', index, ...EPHEMERAL_CLAIM_RESOURCES]);
  }
  return undefined;
}

const SPEC_RESOURCES = ['spec', 'resources'] as const;
const SPEC_HARD = ['spec', 'hard'] as const;
const SPEC_LIMITS = ['spec', 'limits'] as const;
const SPEC_CLAIM_TEMPLATES = ['spec', 'volumeClaimTemplates'] as const;
const LIMIT_RANGE_LISTS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;

/**
 * The quantities of the kinds that hold them outside a pod spec: a
 * PersistentVolumeClaim's and a StatefulSet's claim templates' resources, a
 * ResourceQuota's hard limits, a LimitRange's limits. A list of another shape
 * (volumeClaimTemplates: 5) is KIND_SHAPES' problem, found before this.
 */
function quantitiesProblem(object: JsonObject): ObjectProblem | undefined {
  const kind = object.kind as string;
  const apiVersion = object.apiVersion as string;
  switch (kind) {
    case 'StatefulSet':
      return inGroup(apiVersion, 'apps') ? claimTemplatesProblem(object) : undefined;
    case 'PersistentVolumeClaim':
      return inGroup(apiVersion, '') ? placed(kind, requirementsProblem(valueAtPath(object, SPEC_RESOURCES), 'claim'), SPEC_RESOURCES) : undefined;
    case 'ResourceQuota':
      return inGroup(apiVersion, '') ? placed(kind, resourceListProblem(valueAtPath(object, SPEC_HARD)), SPEC_HARD) : undefined;
    case 'LimitRange':
      return inGroup(apiVersion, '') ? limitRangeProblem(object) : undefined;
    default:
      return undefined;
  }
}

function claimTemplatesProblem(statefulSet: JsonObject): ObjectProblem | undefined {
  const claims = valueAtPath(statefulSet, SPEC_CLAIM_TEMPLATES);
  if (!Array.isArray(claims)) return undefined;
  for (let index = 0; index < claims.length; index++) {
    const claim = claims[index];
    const problem = isObject(claim) ? requirementsProblem(valueAtPath(claim, SPEC_RESOURCES), 'claim') : undefined;
    if (problem !== undefined) return placed('StatefulSet', problem, [...SPEC_CLAIM_TEMPLATES, index, ...SPEC_RESOURCES]);
  }
  return undefined;
}

function limitRangeProblem(limitRange: JsonObject): ObjectProblem | undefined {
  const items = valueAtPath(limitRange, SPEC_LIMITS);
  if (!Array.isArray(items)) return undefined;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (!isObject(item)) continue;
    for (const key of LIMIT_RANGE_LISTS) {
      // Of a LimitRange's lists the API server refuses a negative value in maxLimitRequestRatio only (it must be at least 1).
      const problem = resourceListProblem(item[key], key === 'maxLimitRequestRatio' ? 'refused' : 'taken');
      if (problem !== undefined) return placed('LimitRange', problem, [...SPEC_LIMITS, index], key);
    }
  }
  return undefined;
}

/** A fault placed in the object: the kind, then the path of the value (`at`, then `key`) and the fault's own within it. */
function placed(kind: string, fault: Fault | undefined, at: readonly PathSegment[], key?: string): ObjectProblem | undefined {
  if (fault === undefined) return undefined;
  const path = key === undefined ? [...at, ...fault.path] : [...at, key, ...fault.path];
  return { message: `${kind} ${pathText(path)} ${fault.text}`, path };
}

const RESOURCE_LISTS = ['requests', 'limits'] as const;

/**
 * Whose resource requirements: a container's or the pod's, whose negative
 * values the API server refuses, or a volume claim's, of which it judges only
 * requests.storage that way (it must be above 0; the rest need only be
 * quantities).
 */
type RequirementsOf = 'pod' | 'claim';

/**
 * Resource requirements that are not a mapping, or whose requests or limits
 * are not a list of quantities the API server takes.
 */
function requirementsProblem(requirements: JsonValue | undefined, of: RequirementsOf = 'pod'): Fault | undefined {
  if (requirements === undefined || requirements === null) return undefined;
  if (!isObject(requirements)) return { path: WHOLE, text: `must be a mapping with requests and limits, found ${describe(requirements)}` };
  for (const list of RESOURCE_LISTS) {
    const negatives = of === 'pod' ? 'refused' : list === 'requests' ? 'storage above 0' : 'taken';
    const fault = resourceListProblem(requirements[list], negatives);
    if (fault !== undefined) return { path: [list, ...fault.path], text: fault.text };
  }
  return undefined;
}

/**
 * Whether the API server refuses a negative value in a resource list:
 * everywhere, nowhere, or only for `storage`, which must moreover be above 0
 * (a claim's requests).
 */
type Negatives = 'refused' | 'storage above 0' | 'taken';

/**
 * A resource list (resource name → quantity) that is not a mapping, or holds
 * a value that is not a quantity (.nan, "abc", 1.5.5), or a negative one where
 * the API server refuses that. Any resource name, as the API server reads
 * every value of the list as a quantity.
 */
function resourceListProblem(quantities: JsonValue | undefined, negatives: Negatives = 'refused'): Fault | undefined {
  if (quantities === undefined || quantities === null) return undefined;
  if (!isObject(quantities)) return { path: WHOLE, text: `must be a mapping of resource names to quantities, found ${describe(quantities)}` };
  for (const name in quantities) {
    // A strategic-merge patch file may carry directives ($patch: delete); no resource name starts with $.
    if (name.startsWith('$')) continue;
    const claimStorage = negatives === 'storage above 0' && name === 'storage';
    const text = quantityProblem(quantities[name], negatives === 'refused' || claimStorage) ?? (claimStorage ? zeroProblem(quantities[name]) : undefined);
    if (text !== undefined) return { path: [name], text };
  }
  return undefined;
}

/** Why the API server refuses one quantity value ("must ..., found ..."), or undefined when it takes it; null is absent. */
function quantityProblem(value: JsonValue | undefined, refuseNegative = true): string | undefined {
  if (value === undefined || value === null) return undefined;
  const fault = quantityFault(value);
  if (fault === undefined || (fault === 'negative' && !refuseNegative)) return undefined;
  const rule = fault === 'negative' ? 'must not be negative' : 'must be a Kubernetes quantity such as 500m or 2';
  return `${rule}, found ${foundText(value)}`;
}

/** A claim's storage request of 0, which the API server refuses ("must be greater than zero"). */
function zeroProblem(value: JsonValue | undefined): string | undefined {
  const zero = value === 0 || (typeof value === 'string' && canonicalQuantityText(value) === '0');
  return zero ? `must be above 0 (the size of the volume), found ${foundText(value!)}` : undefined;
}

/**
 * Why the API server refuses a quantity: not a quantity, or below 0 (its
 * validation of resource lists and of an emptyDir's sizeLimit); undefined
 * when it takes the value.
 */
function quantityFault(value: JsonValue): 'not a quantity' | 'negative' | undefined {
  // A number reaches it as its JSON text: for a finite number, digits with an
  // optional fraction and exponent ("1e+21"), always a quantity.
  if (typeof value === 'number') return !Number.isFinite(value) ? 'not a quantity' : value < 0 ? 'negative' : undefined;
  if (typeof value !== 'string') return 'not a quantity';
  // Through normalize.ts's cache: manifests repeat a few texts ("250m", "256Mi"),
  // and the object is normalized next. A canonical text has a sign only when
  // the value is below 0 (zero is "0").
  const canonical = canonicalQuantityText(value);
  if (canonical === undefined) return 'not a quantity';
  return canonical.startsWith('-') ? 'negative' : undefined;
}

/** The workload kinds whose spec.replicas is a count of pods (an int32 to the API server). */
const REPLICATED_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController', 'Rollout']);
const INT32_MAX = 2 ** 31 - 1;

/**
 * A workload whose replicas is not a count (.nan, 2.5, "3", -1): the API
 * server would refuse it, and a check would judge it as one replica.
 */
function replicasProblem(object: JsonObject): ObjectProblem | undefined {
  const kind = object.kind as string;
  if (!REPLICATED_KINDS.has(kind) || !inGroup(object.apiVersion as string, POD_SPEC_PLACES.get(kind)!.group)) return undefined;
  const replicas = isObject(object.spec) ? object.spec.replicas : undefined; // a spec of the wrong shape is podSpecProblem's
  if (replicas === undefined || replicas === null || (typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0 && replicas <= INT32_MAX)) {
    return undefined;
  }
  const found = foundText(replicas);
  return { message: `${kind} spec.replicas must be a whole number from 0 to ${INT32_MAX} (or left out), found ${found}`, path: ['spec', 'replicas'] };
}

/** Whether an apiVersion ("apps/v1", "v1") is of an API group ("apps", "" for the core group). */
function inGroup(apiVersion: string, group: string): boolean {
  if (group === '') return !apiVersion.includes('/');
  return apiVersion.length > group.length && apiVersion.charCodeAt(group.length) === 0x2f && apiVersion.startsWith(group);
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

/**
 * The resource (the plural a webhook rule or RBAC names) of a kind, as the API server forms it
 * when the kind's definition does not choose another: lower case, English plural.
 * "Deployment" → "deployments", "Ingress" → "ingresses", "NetworkPolicy" → "networkpolicies",
 * "Gateway" → "gateways"; "Endpoints" is already plural.
 */
export function resourceOfKind(kind: string): string {
  const name = kind.toLowerCase();
  if (name.endsWith('endpoints')) return name;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
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
