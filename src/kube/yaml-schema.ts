import yaml from 'js-yaml';
import type { PathSegment } from './yaml-lines.js';

// Kubernetes reads manifests with sigs.k8s.io/yaml, which resolves plain
// scalars by YAML 1.1 rules: `yes`, `on`, `y` are booleans there but strings
// in YAML 1.2. js-yaml's core schema is YAML 1.2, so its boolean type is
// swapped for a YAML 1.1 one; null, int, float and merge keys (`<<`) stay.
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/** The longest boolean word: longer plain scalars (most of them) skip the hashing of two set lookups. */
const LONGEST_BOOL_WORD = Math.max(...[...TRUE_WORDS, ...FALSE_WORDS].map((word) => word.length));

const yaml11Bool = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string) => data.length <= LONGEST_BOOL_WORD && (TRUE_WORDS.has(data) || FALSE_WORDS.has(data)),
  construct: (data: string) => TRUE_WORDS.has(data),
  predicate: (value: unknown) => typeof value === 'boolean',
  represent: { lowercase: (value: object) => (value ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

// js-yaml exports its built-in types at run time; its type declarations omit them.
const { merge } = (yaml as unknown as { types: Record<string, yaml.Type> }).types;

/**
 * The schema kaji reads every manifest and configuration with: YAML 1.2 core
 * (whose booleans resolve first) plus YAML 1.1's other boolean words and merge keys.
 */
export const KUBERNETES_YAML_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [yaml11Bool, ...(merge ? [merge] : [])] });

/**
 * Values a YAML file may hold with its aliases expanded. A few aliases can
 * stand for billions of values ("billion laughs"), which every later step
 * would walk; kaji's real inputs hold thousands.
 */
const MAX_EXPANDED_VALUES = 1_000_000;

/** What to say at the value overExpandedPath names. */
export const OVER_EXPANDED_MESSAGE = `aliases expand this past ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values, or it contains itself; write the repeated part out, or refer to it fewer times`;

/**
 * The path to the smallest value of `data` (read from YAML) whose aliases
 * expand it past MAX_EXPANDED_VALUES values, or that contains itself;
 * undefined when all of it stays within. An aliased value is one object,
 * counted at each use.
 */
export function overExpandedPath(data: unknown): PathSegment[] | undefined {
  const sizes = new Map<object, number>();
  const sizeOf = (value: unknown): number => {
    if (typeof value !== 'object' || value === null) return 1;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    sizes.set(value, Infinity); // met again while inside it: it contains itself
    let size = 1;
    for (const item of Object.values(value)) {
      size += sizeOf(item);
      if (size > MAX_EXPANDED_VALUES) break;
    }
    const bounded = size > MAX_EXPANDED_VALUES ? Infinity : size;
    sizes.set(value, bounded);
    return bounded;
  };
  if (sizeOf(data) <= MAX_EXPANDED_VALUES) return undefined;
  // Down through the children that are over the bound themselves, to the first that is not, or to a value met again.
  const path: PathSegment[] = [];
  const visited = new Set<object>();
  let value = data as object;
  for (;;) {
    visited.add(value);
    const over = Object.entries(value).find(([, item]) => typeof item === 'object' && item !== null && sizes.get(item) === Infinity);
    if (over === undefined) return path;
    path.push(Array.isArray(value) ? Number(over[0]) : over[0]);
    if (visited.has(over[1] as object)) return path;
    value = over[1] as object;
  }
}
