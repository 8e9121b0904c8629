// Equality of data read from YAML or JSON, for JSON Schema's uniqueItems, enum
// and const (the compiled platform schema, custom checks' schemas). Ajv's own
// run-time helper (fast-deep-equal) calls a value's toString and valueOf when
// they are not Object.prototype's, and compares `constructor` as a class, so a
// mapping with a key such as `toString: 1` made it throw a TypeError, and two
// equal mappings with a `constructor` key were told apart.

/** True when two values read from YAML are the same data: own keys only, numbers by value. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
