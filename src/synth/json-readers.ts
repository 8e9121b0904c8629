// Readers for the loosely shaped objects tenants write: a value of the wrong
// shape reads as absent, so a boundary check never throws on an odd manifest
// (the policy checks and the API server report the shape).
import { isObject, type JsonObject, type JsonValue } from '../kube/index.js';

/** The objects of a list, skipping entries that are not objects; none when it is not a list. */
export function objectsIn(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** The strings of a list, skipping entries that are not strings; none when it is not a list. */
export function stringsIn(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
