// JSON Schema validation as Polaris's custom checks use it: draft 2019-09,
// Go (RE2) regular expressions in `pattern`, and the `resourceMinimum` /
// `resourceMaximum` keywords that compare Kubernetes quantities.
import Ajv2019 from 'ajv/dist/2019.js';
import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv';
import type { DataValidateFunction } from 'ajv/dist/types/index.js';
import { parse as parseYaml, type ParseOptions, type SchemaOptions, type DocumentOptions } from 'yaml';
import { compareQuantities, didYouMean, jsonEqual, parseQuantity, pathText, setOwn, valueText, type JsonValue, type Quantity } from '../../kube/index.js';
import { goRegExp, GoRegexError } from './goregex.js';
import { formatFloat } from './gotemplate.js';

/** Why a schema cannot be used: its text is not YAML/JSON, it is not a valid schema, or a pattern is not a valid Go regex. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    readonly kind: 'syntax' | 'schema' | 'pattern' | 'empty',
    message: string,
  ) {
    super(message);
  }
}

export interface SchemaVerdict {
  readonly valid: boolean;
  /** What failed, one line per problem (empty when valid). */
  readonly errors: readonly string[];
}

export interface CompiledSchema {
  validate(data: unknown): SchemaVerdict;
}

export interface SchemaCompilerOptions {
  /** How many compiled schemas to keep (least recently used are dropped). @default 500 */
  readonly maxCached?: number;
}

type Ajv = InstanceType<typeof Ajv2019.default>;

/**
 * Compiles schemas given as text (YAML or JSON), caching the result by text, so
 * a templated schema that renders the same for many objects compiles once.
 */
export class SchemaCompiler {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, { schema: SchemaObject; compiled: CompiledSchema }>();
  private readonly maxCached: number;
  /** The keywords Ajv did not know in the schema being compiled (its logger reports them). */
  private readonly unknownKeywords: string[] = [];

  constructor(options: SchemaCompilerOptions = {}) {
    this.maxCached = options.maxCached ?? 500;
    this.ajv = createAjv((keyword) => this.unknownKeywords.push(keyword));
  }

  /** Parses (YAML, or JSON when it starts with `{`) and compiles a schema; throws SchemaError. */
  compileText(text: string): CompiledSchema {
    const cached = this.cache.get(text);
    if (cached) {
      this.cache.delete(text);
      this.cache.set(text, cached);
      return cached.compiled;
    }
    const schema = parseSchemaText(text) as SchemaObject;
    const compiled = this.compileObject(schema);
    this.cache.set(text, { schema, compiled: compiled.compiled });
    if (this.cache.size > this.maxCached) {
      const [oldestKey, oldest] = this.cache.entries().next().value as [string, { schema: SchemaObject }];
      this.cache.delete(oldestKey);
      this.ajv.removeSchema(oldest.schema);
    }
    return compiled.compiled;
  }

  private compileObject(parsed: unknown): { compiled: CompiledSchema } {
    if (typeof parsed === 'boolean') {
      return { compiled: { validate: () => (parsed ? VALID : { valid: false, errors: ['the schema is false: nothing passes'] }) } };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SchemaError('schema', `a schema must be a mapping (or true/false), found ${describe(parsed)}`);
    }
    const schema = withoutMetaSchema(parsed) as SchemaObject;
    let validate: ValidateFunction;
    this.unknownKeywords.length = 0;
    try {
      validate = this.ajv.compile(schema);
    } catch (error) {
      if (error instanceof GoRegexError) throw new SchemaError('pattern', `invalid pattern: ${error.message}`);
      throw new SchemaError('schema', `invalid schema: ${(error as Error).message}`);
    }
    const [unknown] = this.unknownKeywords;
    if (unknown !== undefined) {
      this.ajv.removeSchema(schema);
      throw new SchemaError('schema', this.unknownKeywordMessage(unknown));
    }
    return {
      compiled: {
        validate: (data) => (validate(data) ? VALID : { valid: false, errors: (validate.errors ?? []).map(describeError) }),
      },
    };
  }

  /**
   * kaji refuses a keyword Ajv does not know (its strict mode logs it), where a JSON Schema validator such as
   * Polaris's ignores it: a `patern:` would switch the check off, in CI and in the webhook, with nothing said.
   */
  private unknownKeywordMessage(keyword: string): string {
    const known = Object.keys(this.ajv.RULES.keywords);
    return `unknown schema keyword "${keyword}"${didYouMean(keyword, known)}: a misspelt keyword would check nothing; use JSON Schema's keywords (draft 2019-09), resourceMinimum/resourceMaximum, or x- for a note of your own`;
  }
}

const VALID: SchemaVerdict = { valid: true, errors: [] };

/** `$anchor` (JSON Schema 2019-09, which Ajv leaves to its `$id` handling) and `x-…` extensions: not typos. */
const TOLERATED_KEYWORD = /^(\$anchor|x-.*)$/;

/**
 * Ajv with its strict schema rules logged, not thrown: Polaris takes what
 * they refuse (`additionalItems` beside a single `items`, `then` without
 * `if`...). Of what they log, an unknown keyword alone goes to
 * `onUnknownKeyword` (see unknownKeywordMessage).
 */
function createAjv(onUnknownKeyword: (keyword: string) => void): Ajv {
  const regExp = Object.assign((pattern: string) => goRegExp(pattern), { code: 'goRegExp' });
  const ajv = new Ajv2019.default({
    strict: false,
    strictSchema: 'log',
    allErrors: false,
    validateFormats: false,
    logger: {
      log: () => undefined,
      warn: (message: unknown) => {
        const keyword = /^strict mode: unknown keyword: "(.*)"$/.exec(String(message))?.[1];
        if (keyword !== undefined && !TOLERATED_KEYWORD.test(keyword)) onUnknownKeyword(keyword);
      },
      error: () => undefined,
    },
    addUsedSchema: false,
    // Objects read from YAML may have any key: `required: [constructor]` must not find Object's.
    ownProperties: true,
    code: { regExp },
  });
  compareAsData(ajv);
  for (const keyword of ['resourceMinimum', 'resourceMaximum'] as const) {
    const isMinimum = keyword === 'resourceMinimum';
    ajv.addKeyword({
      keyword,
      schemaType: 'string',
      errors: true,
      compile(limitText: string) {
        const limit = parseQuantity(limitText);
        if (!limit) throw new Error(`${keyword}: "${limitText}" is not a Kubernetes quantity (such as 100m, 2, 512Mi or 1G)`);
        const validate: DataValidateFunction = (data: unknown): boolean => {
          const problem = checkRange(data, limit, limitText, isMinimum);
          if (problem === undefined) return true;
          validate.errors = [{ keyword, message: problem, params: { limit: limitText } }];
          return false;
        };
        return validate;
      },
    });
  }
  return ajv;
}

/** A failed const, enum or uniqueItems: Ajv's own message and params. */
type Mismatch = { readonly message: string; readonly params: Record<string, unknown> } | undefined;

/**
 * const, enum and uniqueItems as Ajv defines them (same messages), with
 * jsonEqual (kube/json-equal.ts): Ajv's deep equality throws on a mapping
 * with a `toString` or `valueOf` key and tells two equal mappings with a
 * `constructor` key apart, and its uniqueItems of strings never finds a
 * repeated "__proto__". Manifests may have such keys (labels, ConfigMap data).
 */
function compareAsData(ajv: Ajv): void {
  const keywords: { keyword: string; type?: 'array'; schemaType?: 'array' | 'boolean'; mismatch: (schema: unknown, data: unknown) => Mismatch }[] = [
    {
      keyword: 'const',
      mismatch: (schema, data) => (jsonEqual(schema, data) ? undefined : { message: 'must be equal to constant', params: { allowedValue: schema } }),
    },
    {
      keyword: 'enum',
      schemaType: 'array',
      mismatch: (schema, data) =>
        (schema as unknown[]).some((allowed) => jsonEqual(allowed, data)) ? undefined : { message: 'must be equal to one of the allowed values', params: { allowedValues: schema } },
    },
    {
      keyword: 'uniqueItems',
      type: 'array',
      schemaType: 'boolean',
      mismatch: (schema, data) => {
        const pair = schema === true ? repeatedItems(data as unknown[]) : undefined;
        return pair && { message: `must NOT have duplicate items (items ## ${pair.j} and ${pair.i} are identical)`, params: pair };
      },
    },
  ];
  for (const { keyword, type, schemaType, mismatch } of keywords) {
    ajv.removeKeyword(keyword);
    ajv.addKeyword({
      keyword,
      ...(type ? { type } : {}),
      ...(schemaType ? { schemaType } : {}),
      errors: true,
      compile(schema: unknown) {
        const validate: DataValidateFunction = (data: unknown): boolean => {
          const found = mismatch(schema, data);
          if (found) validate.errors = [{ keyword, ...found }];
          return found === undefined;
        };
        return validate;
      },
    });
  }
}

/** The last item equal to an earlier one and the latest such earlier one (the pair Ajv reports), or undefined. */
function repeatedItems(items: readonly unknown[]): { i: number; j: number } | undefined {
  let found: { i: number; j: number } | undefined;
  const lastIndex = new Map<unknown, number>(); // scalars: SameValueZero, as jsonEqual compares them
  items.forEach((item, i) => {
    let j: number | undefined;
    if (typeof item === 'object' && item !== null) {
      for (let k = i - 1; k >= 0 && j === undefined; k--) if (jsonEqual(items[k], item)) j = k;
    } else {
      j = lastIndex.get(item);
      lastIndex.set(item, i);
    }
    if (j !== undefined) found = { i, j };
  });
  return found;
}

/** Polaris's rule: a number is printed with Go's %f first; anything but a parsable string or number fails. */
function checkRange(data: unknown, limit: Quantity, limitText: string, isMinimum: boolean): string | undefined {
  const text = typeof data === 'number' ? formatFloat(data, 'f') : data;
  if (typeof text !== 'string') return `resource quantity ${describe(data)} is not a string`;
  const actual = parseQuantity(text);
  if (!actual) return `could not parse resource quantity: ${text}`;
  const cmp = compareQuantities(limit, actual);
  if (isMinimum && cmp === 1) return `quantity ${text} is below the minimum ${limitText}`;
  if (!isMinimum && cmp === -1) return `quantity ${text} is above the maximum ${limitText}`;
  return undefined;
}

/** YAML 1.1 as Kubernetes's YAML decoder reads it (yes/no/on/off are booleans), without timestamps or sexagesimal numbers. */
const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  uniqueKeys: true,
  customTags: (tags) =>
    tags.filter((tag) => {
      const t = tag as { tag?: string; format?: string };
      return t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME';
    }),
};

/** Parses a rendered schema: JSON when the text starts with `{` (as Kubernetes's YAMLOrJSONDecoder decides), YAML otherwise. */
export function parseSchemaText(text: string): unknown {
  if (text.trim() === '') throw new SchemaError('empty', 'the schema is empty');
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new SchemaError('syntax', `the schema is not valid JSON: ${(error as Error).message}`);
    }
  }
  try {
    return parseYaml(text, YAML_OPTIONS);
  } catch (error) {
    throw new SchemaError('syntax', `the schema is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Keywords whose mappings are keyed by property names (or patterns), in which
 * Ajv skips a "__proto__" key by design, with what to write instead.
 */
const KEYED_BY_PROPERTY: ReadonlyMap<string, string> = new Map([
  ['properties', 'patternProperties: {"^__proto__$": ...}'],
  ['patternProperties', 'the pattern "(?:__proto__)"'],
  ['dependencies', 'dependentRequired or dependentSchemas'],
]);

/**
 * Drops string `$schema` keys: Polaris's validator ignores them, and Ajv would
 * otherwise refuse unknown meta-schema URLs such as `http://json-schema.org/draft/2019-09/schema`.
 * Values under const/enum/default/examples are data, not schemas, and stay.
 * Refuses a "__proto__" key under properties, patternProperties or
 * dependencies: its rule would never be applied. `keyedBy` is the keyword
 * whose mapping `value` is, when it is such a mapping rather than a schema.
 */
function withoutMetaSchema(value: unknown, path: readonly (string | number)[] = [], keyedBy?: string): unknown {
  if (Array.isArray(value)) return value.map((item, index) => withoutMetaSchema(item, [...path, index]));
  if (typeof value !== 'object' || value === null) return value;
  if (keyedBy !== undefined && Object.hasOwn(value, '__proto__')) {
    throw new SchemaError(
      'schema',
      `${pathText(path)} names "__proto__", a key the JSON Schema validator skips (its rule would never be applied); use ${KEYED_BY_PROPERTY.get(keyedBy)} instead`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (keyedBy === undefined && key === '$schema' && typeof child === 'string') continue;
    const data = keyedBy === undefined && ['const', 'enum', 'default', 'examples'].includes(key);
    setOwn(out, key, data ? child : withoutMetaSchema(child, [...path, key], keyedBy === undefined && KEYED_BY_PROPERTY.has(key) ? key : undefined));
  }
  return out;
}

function describeError(error: ErrorObject): string {
  return `${error.instancePath === '' ? '(root)' : error.instancePath}: ${error.message ?? error.keyword}`;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${valueText(value as JsonValue)}`;
}
