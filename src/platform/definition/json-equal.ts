// Equality of data read from YAML, for the compiled platform schema's
// uniqueItems, enum and const. Ajv's own run-time helper (fast-deep-equal)
// calls a value's toString and valueOf when they are not Object.prototype's,
// so a mapping with a key such as `toString: 1` made it throw a TypeError
// instead of the validator reporting the unknown key.

/** True when two values read from YAML are the same data: own keys only, numbers by value. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
