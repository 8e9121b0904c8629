// Normalises the values of a manifest object the way the Kubernetes API server's
// typed model would store them, so that checks see "1500m" whether the manifest
// said `cpu: 1.5`, `cpu: "1.5"` or `cpu: 1500m`.
//
// Rules:
// - Only resource quantities change. A value in a quantity field becomes the
//   string Kubernetes prints for it (see quantity.ts):
//     a number  → its JSON text read as a quantity (`cpu: 1.5` → "1500m", `memory: 1000` → "1k");
//     a string  → trimmed of surrounding spaces (as Kubernetes' JSON decoder does) and
//                 printed canonically ("1024Mi" → "1Gi", "0.1" → "100m");
//     anything else, and a string that is not a quantity, is left as it is (the
//     schema and policy checks report it; we don't guess).
// - Quantity fields covered:
//     every pod spec found by findPodSpec: `resources.requests` and `resources.limits`
//       of each container, init container and ephemeral container; the pod-level
//       `resources.requests`/`limits` and `overhead`; `volumes[].emptyDir.sizeLimit`;
//       `volumes[].ephemeral.volumeClaimTemplate.spec.resources.requests`/`limits`;
//     StatefulSet `spec.volumeClaimTemplates[].spec.resources.requests`/`limits`;
//     ResourceQuota `spec.hard`;
//     LimitRange `spec.limits[].max`/`min`/`default`/`defaultRequest`/`maxLimitRequestRatio`;
//     PersistentVolumeClaim `spec.resources.requests`/`limits`.
// - Integer-valued fields given as numeric strings (`replicas: "3"`) stay as they
//   are: Kubernetes would reject them, and we don't guess.
// - Copy on write: an object that needs no change is returned as it is (same
//   reference), and a changed object shares every untouched branch with the input.
//   The input is never modified.
import { canonicalQuantity, parseQuantity, quantityFromNumber } from './quantity.js';
import { findPodSpec, isObject } from './podspec.js';
import { setOwn } from './records.js';
import type { JsonObject, JsonValue } from './types.js';

/** Returns the value rewritten, or the very same value when nothing changes. */
type Rewrite = (value: JsonValue) => JsonValue;

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const LIMIT_RANGE_LISTS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;
const POD_SPEC_KEYS = {
  '/spec': ['spec'],
  '/spec/template/spec': ['spec', 'template', 'spec'],
  '/spec/jobTemplate/spec/template/spec': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
} as const;

/** A normalised copy of a manifest object, or the object itself when nothing changes (see the rules above). */
export function normalizeObject(raw: JsonObject): JsonObject {
  let result = raw;
  const found = findPodSpec(raw);
  if (found) result = rewriteAt(result, POD_SPEC_KEYS[found.path], normalizePodSpec);
  switch (raw.kind) {
    case 'StatefulSet':
      return rewriteAt(result, ['spec', 'volumeClaimTemplates'], normalizeClaims);
    case 'PersistentVolumeClaim':
      return rewriteAt(result, ['spec', 'resources'], normalizeRequirements);
    case 'ResourceQuota':
      return rewriteAt(result, ['spec', 'hard'], normalizeResourceList);
    case 'LimitRange':
      return rewriteAt(result, ['spec', 'limits'], normalizeLimitRangeItems);
    default:
      return result;
  }
}

/**
 * Canonical forms of quantity strings already seen: manifests repeat a few
 * values ("250m", "256Mi") thousands of times. Bounded in entries and in the
 * length of what it keeps, so odd input (the webhook's) can neither grow it
 * much nor slow its lookups (V8 hashes long strings by length alone).
 */
const canonicalStrings = new Map<string, string>();
const CANONICAL_STRINGS_MAX = 10_000;
const CANONICAL_STRING_LENGTH_MAX = 64;

/**
 * The Kubernetes string for a quantity text (surrounding spaces trimmed, as the
 * API server's JSON decoder does), or undefined when it is not a quantity.
 * Shared with objectProblemAt (object.ts), which judges the same values just
 * before an object is normalized: each text is parsed once.
 */
export function canonicalQuantityText(value: string): string | undefined {
  const cacheable = value.length <= CANONICAL_STRING_LENGTH_MAX;
  const known = cacheable ? canonicalStrings.get(value) : undefined;
  if (known !== undefined) return known;
  const parsed = parseQuantity(value.trim());
  if (!parsed) return undefined;
  const canonical = canonicalQuantity(parsed);
  if (cacheable && canonicalStrings.size < CANONICAL_STRINGS_MAX) canonicalStrings.set(value, canonical);
  return canonical;
}

/** The Kubernetes string for one quantity value, or the value itself when it is not a quantity. */
function normalizeQuantity(value: JsonValue): JsonValue {
  if (typeof value === 'number') return Number.isFinite(value) ? quantityFromNumber(value) : value;
  if (typeof value !== 'string') return value;
  const canonical = canonicalQuantityText(value);
  return canonical === undefined || canonical === value ? value : canonical;
}

/** A ResourceList: resource name → quantity. */
function normalizeResourceList(list: JsonValue): JsonValue {
  if (!isObject(list)) return list;
  let copy: JsonObject | undefined;
  for (const key of Object.keys(list)) {
    const value = list[key] as JsonValue;
    const next = normalizeQuantity(value);
    if (Object.is(next, value)) continue;
    copy ??= { ...list };
    setOwn(copy, key, next);
  }
  return copy ?? list;
}

/** ResourceRequirements (and VolumeResourceRequirements): requests and limits. */
function normalizeRequirements(requirements: JsonValue): JsonValue {
  if (!isObject(requirements)) return requirements;
  const withRequests = rewriteKey(requirements, 'requests', normalizeResourceList);
  return rewriteKey(withRequests, 'limits', normalizeResourceList);
}

function normalizeContainer(container: JsonObject): JsonObject {
  return rewriteKey(container, 'resources', normalizeRequirements);
}

function normalizeVolume(volume: JsonObject): JsonObject {
  const withEmptyDir = rewriteAt(volume, ['emptyDir', 'sizeLimit'], normalizeQuantity);
  return rewriteAt(withEmptyDir, ['ephemeral', 'volumeClaimTemplate', 'spec', 'resources'], normalizeRequirements);
}

function normalizePodSpec(spec: JsonValue): JsonValue {
  if (!isObject(spec)) return spec;
  let result = spec;
  for (const key of CONTAINER_LISTS) result = rewriteKey(result, key, normalizeContainers);
  result = rewriteKey(result, 'resources', normalizeRequirements);
  result = rewriteKey(result, 'overhead', normalizeResourceList);
  return rewriteKey(result, 'volumes', normalizeVolumes);
}

/** A StatefulSet's PersistentVolumeClaim template (metadata + spec). */
function claimNormalizer(claim: JsonObject): JsonObject {
  return rewriteAt(claim, ['spec', 'resources'], normalizeRequirements);
}

function limitRangeItemNormalizer(item: JsonObject): JsonObject {
  let result = item;
  for (const key of LIMIT_RANGE_LISTS) result = rewriteKey(result, key, normalizeResourceList);
  return result;
}

/** Applies `rewrite` to each object of a list, copying the list only when an item changes; other values pass through. */
function eachObject(rewrite: (item: JsonObject) => JsonObject): Rewrite {
  return (value) => {
    if (!Array.isArray(value)) return value;
    let copy: JsonValue[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      if (!isObject(item)) continue;
      const next = rewrite(item);
      if (next === item) continue;
      copy ??= [...value];
      copy[index] = next;
    }
    return copy ?? value;
  };
}

// Made once: every object goes through them.
const normalizeContainers = eachObject(normalizeContainer);
const normalizeVolumes = eachObject(normalizeVolume);
const normalizeClaims = eachObject(claimNormalizer);
const normalizeLimitRangeItems = eachObject(limitRangeItemNormalizer);

/** `object[key]` rewritten; the object itself when the key is absent or its value does not change. */
function rewriteKey(object: JsonObject, key: string, rewrite: Rewrite): JsonObject {
  if (!Object.hasOwn(object, key)) return object;
  const value = object[key] as JsonValue;
  const next = rewrite(value);
  return Object.is(next, value) ? object : { ...object, [key]: next };
}

/**
 * The value at a path of mapping keys rewritten, copying only the mappings
 * along the path (rewriteKey at each step, without a function made per step:
 * every object read goes through here).
 */
function rewriteAt(object: JsonObject, keys: readonly string[], rewrite: Rewrite, from = 0): JsonObject {
  const key = keys[from];
  if (key === undefined || !Object.hasOwn(object, key)) return object;
  const value = object[key] as JsonValue;
  const next = from === keys.length - 1 ? rewrite(value) : isObject(value) ? rewriteAt(value, keys, rewrite, from + 1) : value;
  return Object.is(next, value) ? object : { ...object, [key]: next };
}
