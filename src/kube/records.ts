/**
 * Sets `record[key]` as an own, enumerable data property. Plain assignment
 * would call Object.prototype's `__proto__` setter for a key named
 * "__proto__" (a resource name, a check ID) and lose the entry.
 */
export function setOwn<T>(record: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  else record[key] = value;
}

/** An empty record keyed by names users choose (check IDs): no prototype, so no inherited `constructor` or `__proto__`. */
export function emptyRecord<T>(): { [key: string]: T } {
  return Object.create(null) as { [key: string]: T };
}

/** Code-point order, as Go sorts map keys (independent of locale). */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
