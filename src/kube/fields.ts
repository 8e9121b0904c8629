// Safe readers for loosely shaped JSON (manifests as users write them): a
// value of the wrong shape (a string where an object is expected, and so on)
// reads as absent, so code that looks at objects never throws on odd input.
import { isObject } from './podspec.js';
import type { JsonObject, JsonValue } from './types.js';

/** The value at a path of object keys, or undefined when a step is missing or not an object. */
export function valueAt(root: JsonValue | undefined, ...keys: readonly string[]): JsonValue | undefined {
  return valueAtPath(root, keys);
}

/** `valueAt` with the keys as one list: for a path kept in a constant on a hot path, where spreading it would build a list per call. */
export function valueAtPath(root: JsonValue | undefined, keys: readonly string[]): JsonValue | undefined {
  let current = root;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The object at a path, or undefined when it is missing or not an object. */
export function objectAt(root: JsonValue | undefined, ...keys: readonly string[]): JsonObject | undefined {
  const value = valueAt(root, ...keys);
  return isObject(value) ? value : undefined;
}

/** The list at a path, or undefined when it is missing or not a list. */
export function arrayAt(root: JsonValue | undefined, ...keys: readonly string[]): JsonValue[] | undefined {
  const value = valueAt(root, ...keys);
  return Array.isArray(value) ? value : undefined;
}

/** The string at a path, or undefined when it is missing or not a string. */
export function stringAt(root: JsonValue | undefined, ...keys: readonly string[]): string | undefined {
  const value = valueAt(root, ...keys);
  return typeof value === 'string' ? value : undefined;
}

/** The objects of the list at a path, skipping entries that are not objects. */
export function objectsAt(root: JsonValue | undefined, ...keys: readonly string[]): JsonObject[] {
  return (arrayAt(root, ...keys) ?? []).filter(isObject);
}

/** The strings of the list at a path, skipping entries that are not strings. */
export function stringsAt(root: JsonValue | undefined, ...keys: readonly string[]): string[] {
  return (arrayAt(root, ...keys) ?? []).filter((item): item is string => typeof item === 'string');
}

/**
 * A value for messages: its JSON text, but a NaN or an infinity as YAML writes
 * it (.nan, .inf, -.inf), where JSON.stringify would show null.
 */
export function valueText(value: JsonValue): string {
  if (typeof value !== 'number' || Number.isFinite(value)) return JSON.stringify(value);
  return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
}
