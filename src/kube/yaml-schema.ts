import yaml from 'js-yaml';
import type { PathSegment } from './yaml-lines.js';

// Kubernetes reads manifests with sigs.k8s.io/yaml, which resolves plain
// scalars with go-yaml v2, by YAML 1.1 rules: `yes`, `on`, `y` are booleans
// there but strings in YAML 1.2, and numbers are read as Go reads them
// (`010` is octal, `1_000` is 1000). js-yaml's YAML 1.2 core schema differs in
// both, so kaji's schema is its failsafe one with null, the types below and
// merge keys (`<<`). Timestamps stay strings, as sigs.k8s.io/yaml gives them.
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/** The longest boolean word: longer plain scalars (most of them) skip the hashing of two set lookups. */
const LONGEST_BOOL_WORD = Math.max(...[...TRUE_WORDS, ...FALSE_WORDS].map((word) => word.length));

const yaml11Bool = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && data.length <= LONGEST_BOOL_WORD && (TRUE_WORDS.has(data) || FALSE_WORDS.has(data)),
  construct: (data: string) => TRUE_WORDS.has(data),
  predicate: (value: unknown) => typeof value === 'boolean',
  represent: { lowercase: (value: object) => (value ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

// Numbers, as go-yaml v2 resolves a plain scalar that starts with a digit or a
// sign: every `_` dropped, then Go's strconv.ParseInt(text, 0, 64), then
// ParseUint(text, 0, 64), then a float of GO_YAML_FLOAT's form; anything else
// is a string. ParseInt's base 0 reads 0x/0o/0b in either case and a leading 0
// as octal, so `010` is 8, `0755` 493 and `08` (no octal) the float 8. A
// scalar that starts with `.` is Go's ParseFloat of it as written, or one of
// the special words. A float too large for a float64 is a string there (Go
// reports the overflow), and so here.
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const GO_YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** Go's float syntax for a text starting with `.`: an underscore only between two digits. */
const GO_DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;
const SPECIAL_FLOATS = new Map<string, number>([
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((word) => [word, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((word) => [word, -Infinity] as const),
  ...['.nan', '.NaN', '.NAN'].map((word) => [word, NaN] as const),
]);

/** 2^63 and 2^64: the bounds of Go's int64 and uint64, for the rare integer past 2^53. */
const INT64_LIMIT = 2n ** 63n;
const UINT64_LIMIT = 2n ** 64n;

const startsNumber = (code: number) => (code >= ZERO && code <= NINE) || code === PLUS || code === MINUS;

/** The text without underscores; the same string (no copy) when it has none. */
const withoutUnderscores = (text: string) => (text.includes('_') ? text.replaceAll('_', '') : text);

/** A digit's value in bases up to 16; 16 for any other character. */
function digitValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : 16;
}

/** Go's base prefixes (after a 0), by their lower-case letter's code: x, o, b. */
const BASE_PREFIXES = new Map([
  [0x78, 16],
  [0x6f, 8],
  [0x62, 2],
]);
const BIGINT_PREFIXES: Readonly<Record<number, string>> = { 16: '0x', 10: '', 8: '0o', 2: '0b' };

/**
 * Go's strconv.ParseInt(text, 0, 64), or else ParseUint(text, 0, 64) (which
 * takes no sign), as a JS number; undefined when neither reads the text.
 */
function goInteger(text: string): number | undefined {
  const sign = text.charCodeAt(0);
  const signed = sign === PLUS || sign === MINUS;
  let start = signed ? 1 : 0;
  if (start === text.length) return undefined;
  let radix = 10;
  if (text.charCodeAt(start) === ZERO) {
    // A prefix needs a digit after it (`0x` alone is octal, with a bad digit); a 0 without one means octal.
    const prefixed = text.length - start >= 3 ? BASE_PREFIXES.get(text.charCodeAt(start + 1) | 0x20) : undefined;
    radix = prefixed ?? 8;
    start += prefixed === undefined ? 1 : 2;
  }
  let magnitude = 0;
  for (let index = start; index < text.length; index++) {
    const digit = digitValue(text.charCodeAt(index));
    if (digit >= radix) return undefined;
    magnitude = magnitude * radix + digit;
  }
  if (magnitude > Number.MAX_SAFE_INTEGER) {
    // Past 2^53 the sum above is rounded: check Go's bounds on the exact value.
    const exact = BigInt(`${BIGINT_PREFIXES[radix]}${text.slice(start)}`);
    const largest = sign === MINUS ? INT64_LIMIT : signed ? INT64_LIMIT - 1n : UINT64_LIMIT - 1n;
    if (exact > largest) return undefined;
    magnitude = Number(exact);
  }
  return sign === MINUS && magnitude !== 0 ? -magnitude : magnitude;
}

/**
 * goInteger, then go-yaml v2's last try: after a `0b`, a signed binary number
 * as ParseInt(text[2:], 2, 64) reads it (`0b-1` is -1, `0b+10` is 2).
 */
function goYamlInteger(plain: string): number | undefined {
  const value = goInteger(plain);
  if (value !== undefined || !plain.startsWith('0b')) return value;
  const sign = plain.charCodeAt(2);
  return sign === PLUS || sign === MINUS ? goInteger(`${plain[2]}0b${plain.slice(3)}`) : undefined;
}

/** A float as Go's ParseFloat reads a text of the given form; undefined past a float64's range. */
function goFloat(text: string, form: RegExp): number | undefined {
  if (!form.test(text)) return undefined;
  const value = Number(withoutUnderscores(text));
  return Number.isFinite(value) ? value : undefined;
}

/** The number go-yaml v2 reads a plain scalar as, integers included (as `!!float 1` reads); undefined when it reads no number. */
function goYamlNumber(text: string): number | undefined {
  const first = text.charCodeAt(0);
  if (first === DOT || ((first === PLUS || first === MINUS) && text.charCodeAt(1) === DOT)) {
    const special = SPECIAL_FLOATS.get(text);
    if (special !== undefined) return special;
    if (first === DOT) return goFloat(text, GO_DOT_FLOAT);
  } else if (!startsNumber(first)) return undefined;
  const plain = withoutUnderscores(text);
  return goYamlInteger(plain) ?? goFloat(plain, GO_YAML_FLOAT);
}

// js-yaml exports its built-in types at run time; its type declarations omit them.
const builtIn = (yaml as unknown as { types: Record<'null' | 'int' | 'float' | 'merge' | 'timestamp', yaml.Type> }).types;

/** Integers as go-yaml v2 resolves them; written as js-yaml's core int type writes them. */
const goYamlInt = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && startsNumber(data.charCodeAt(0)) && goYamlInteger(withoutUnderscores(data)) !== undefined,
  construct: (data: string) => goYamlInteger(withoutUnderscores(data)),
  predicate: builtIn.int.predicate ?? undefined,
  represent: builtIn.int.represent ?? undefined,
  defaultStyle: builtIn.int.defaultStyle ?? undefined,
});

/** Floats as go-yaml v2 resolves them (tried after goYamlInt); written as js-yaml's core float type writes them. */
const goYamlFloatType = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && goYamlNumber(data) !== undefined,
  construct: (data: string) => goYamlNumber(data),
  predicate: builtIn.float.predicate ?? undefined,
  represent: builtIn.float.represent ?? undefined,
  defaultStyle: builtIn.float.defaultStyle ?? undefined,
});

/** The schema kaji reads every manifest and configuration with: plain scalars resolve as Kubernetes resolves them. */
export const KUBERNETES_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [builtIn.null, yaml11Bool, goYamlInt, goYamlFloatType, builtIn.merge] });

/** A type that only tells the writer to quote the texts js-yaml's built-in type reads: it writes no value, and no reading schema has it. */
const quotedLike = (name: 'int' | 'float' | 'timestamp') =>
  new yaml.Type(`tag:kaji,quoted-like:${name}`, { kind: 'scalar', resolve: (data: string | null) => builtIn[name].resolve(data) });

/**
 * The schema to write YAML with that Kubernetes or kaji reads again: js-yaml
 * quotes a string that its schema's types would read as something else, so
 * `"010"`, `"1_000"` and `"yes"` stay strings. It also quotes what js-yaml's
 * own default schema reads as a number or a timestamp (as it did before this
 * schema, and as go-yaml's writer quotes timestamps), for YAML 1.2 readers.
 */
export const KUBERNETES_YAML_DUMP_SCHEMA = KUBERNETES_YAML_SCHEMA.extend({
  implicit: (['int', 'float', 'timestamp'] as const).map(quotedLike),
});

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
