import yaml from 'js-yaml';

// Kubernetes reads manifests with sigs.k8s.io/yaml, which resolves plain
// scalars by YAML 1.1 rules: `yes`, `on`, `y` are booleans there but strings
// in YAML 1.2. js-yaml's core schema is YAML 1.2, so its boolean type is
// swapped for a YAML 1.1 one; null, int, float and merge keys (`<<`) stay.
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

const yaml11Bool = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string) => TRUE_WORDS.has(data) || FALSE_WORDS.has(data),
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

/** One js-yaml scalar type for a core-schema tag, resolving by the first matching pattern. */
function coreScalar(tag: string, forms: readonly (readonly [RegExp, (text: string) => unknown])[]): yaml.Type {
  const formOf = (text: string) => forms.find(([pattern]) => pattern.test(text));
  return new yaml.Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (text: string) => formOf(text) !== undefined,
    construct: (text: string) => formOf(text)![1](text),
  });
}

/**
 * YAML 1.2's core schema with plain scalars resolved exactly as the `yaml`
 * package resolves them (its core schema's patterns, in its order), so that
 * js-yaml, several times faster on a cold process, reads a file to the same
 * data. js-yaml's own core schema differs at the edges (`0b101`, `-0x1`, `+.5`, `-0`).
 * Explicit tags other than the failsafe ones are not defined here.
 */
export const YAML_12_CORE_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    coreScalar('null', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    coreScalar('bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === 't' || text[0] === 'T']]),
    coreScalar('int', [
      [/^0o[0-7]+$/, (text) => parseInt(text.slice(2), 8)],
      [/^[-+]?[0-9]+$/, (text) => parseInt(text, 10)],
      [/^0x[0-9a-fA-F]+$/, (text) => parseInt(text.slice(2), 16)],
    ]),
    coreScalar('float', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (text) => (text.slice(-3).toLowerCase() === 'nan' ? NaN : text[0] === '-' ? -Infinity : Infinity)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, parseFloat],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, parseFloat],
    ]),
  ],
});

/**
 * Values a YAML file may hold with its aliases expanded. A few aliases can
 * stand for billions of values ("billion laughs"), which every later step
 * would walk; kaji's real inputs hold thousands.
 */
export const MAX_EXPANDED_VALUES = 1_000_000;

/**
 * How many values `data` (read from YAML) holds with its aliases expanded (an
 * aliased value is one object, counted at each use); Infinity past
 * MAX_EXPANDED_VALUES, or for a value that contains itself.
 */
export function expandedSize(data: unknown): number {
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
  return sizeOf(data);
}
