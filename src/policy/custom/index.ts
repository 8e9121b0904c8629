// Compiles Polaris `customChecks` entries into CheckDefinitions.
//
// As in Polaris, the schema (JSON text of `schema`, or `schemaString` as given)
// is a Go template: for each object it is rendered with the whole object as
// data, plus `.Polaris.PodSpec` / `.Polaris.PodTemplate` / `.Polaris.Container`
// for the pod-level and container targets, then parsed as YAML or JSON and
// validated (JSON Schema 2019-09 with `resourceMinimum` / `resourceMaximum`).
// `additionalSchemas` require, per kind, at least one object of that kind in
// the same namespace that validates.
import { apiGroupOf, compareCodePoints, didYouMean, isObject, splitGroupKind, valueText, type JsonObject, type JsonValue } from '../../kube/index.js';
import { ConfigError } from '../errors.js';
import { HANDLED_TARGETS, type CheckDefinition, type CheckInput, type IncludeExclude, type PatchOperation, type RelatedObjects } from '../types.js';
import { GoTemplateError, parseGoTemplate, type GoTemplate } from './gotemplate.js';
import { SchemaCompiler, SchemaError, type CompiledSchema } from './schema.js';

export { renderGoTemplate, parseGoTemplate, GoTemplateError, GoTemplateExecError } from './gotemplate.js';
export type { GoTemplate } from './gotemplate.js';
export { SchemaCompiler, SchemaError } from './schema.js';
export type { CompiledSchema, SchemaVerdict } from './schema.js';

/** The verdict of a custom check on one target, with what failed. */
export interface CustomCheckOutcome {
  readonly passed: boolean;
  /** Why it failed: schema errors, a missing related object, or an error rendering the template. */
  readonly details: readonly string[];
}

/** A compiled custom check: a CheckDefinition that can also explain a failure. */
export interface CustomCheckDefinition extends CheckDefinition {
  evaluate(input: CheckInput, related: RelatedObjects): CustomCheckOutcome;
}

export interface CompileOptions {
  /** The compiler (and cache of compiled schemas) to use. @default one compiler shared by all custom checks */
  readonly compiler?: SchemaCompiler;
}

// One Ajv instance costs ~60 ms to set up, so checks share one by default. It
// holds only a bounded cache of compiled schemas keyed by their text.
let sharedCompiler: SchemaCompiler | undefined;

const KNOWN_KEYS = [
  'id',
  'successMessage',
  'failureMessage',
  'category',
  'target',
  'schemaTarget',
  'controllers',
  'containers',
  'schema',
  'schemaString',
  'additionalSchemas',
  'additionalSchemaStrings',
  'mutations',
] as const;

const PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;

/** A schema as configured: its template, and when it has no actions, the schema compiled once. */
interface SchemaSource {
  readonly path: string;
  readonly template: GoTemplate;
  readonly fixed?: CompiledSchema | 'empty';
}

/**
 * Compiles one `customChecks` entry. `where` is the entry's key path
 * (`customChecks.<id>`); every problem throws a ConfigError naming the key.
 */
export function compileCustomCheck(id: string, raw: unknown, where: string, options: CompileOptions = {}): CustomCheckDefinition {
  if (!isObject(raw as JsonValue)) throw new ConfigError(`must be a mapping with target, schema and messages, found ${describe(raw)}`, where);
  const entry = raw as JsonObject;
  for (const key of Object.keys(entry)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`unknown key "${key}"; a custom check takes ${KNOWN_KEYS.filter((k) => k !== 'id').join(', ')}`, `${where}.${key}`);
    }
  }
  const compiler = options.compiler ?? (sharedCompiler ??= new SchemaCompiler());
  const target = readTarget(entry.target, `${where}.target`);
  const schemaTarget = readSchemaTarget(entry.schemaTarget, target, `${where}.schemaTarget`);
  const main = readMainSchema(entry, where, compiler);
  const additional = readAdditionalSchemas(entry, where, compiler);
  const controllers = readIncludeExclude(entry.controllers, `${where}.controllers`);
  const containers = readIncludeExclude(entry.containers, `${where}.containers`, CONTAINER_TYPES);
  const mutations = readMutations(entry.mutations, `${where}.mutations`);

  // The main schema is judged when the object is checked; the additional
  // schemas look at other objects of the input, so they wait for all of them.
  const evaluateMain = (input: CheckInput) => {
    const templateData = templateDataFor(input, target);
    const verdict = validateWith(main, templateData, () => dataToValidate(input, target, schemaTarget), compiler);
    return { verdict, templateData };
  };
  // Rendered from the object when it is checked: what waits for the other
  // objects keeps the rendered schemas and the namespace, not the object.
  const additionalFor = (input: CheckInput, templateData: JsonObject) => {
    const object = input.object;
    const namespace = object.kind === 'Namespace' ? object.name : object.namespace;
    // The rendered text, compiled when decided (through the compiler's cache), not a compiled schema per object.
    const rendered = additional.map(([groupKind, source]) => ({ groupKind, source, text: renderText(source, templateData) }));
    return (related: RelatedObjects): CustomCheckOutcome => {
      for (const { groupKind, source, text } of rendered) {
        const schema = compileRendered(source, text, compiler);
        const outcome = checkAdditional(groupKind, source.path, schema, namespace, related);
        if (!outcome.passed) return outcome;
      }
      return PASSED;
    };
  };
  const evaluate = (input: CheckInput, related: RelatedObjects): CustomCheckOutcome => {
    const { verdict, templateData } = evaluateMain(input);
    return verdict.passed ? additionalFor(input, templateData)(related) : verdict;
  };

  return {
    id,
    category: readString(entry.category, `${where}.category`) ?? '',
    target,
    ...(schemaTarget ? { schemaTarget } : {}),
    successMessage: readString(entry.successMessage, `${where}.successMessage`) ?? '',
    failureMessage: readString(entry.failureMessage, `${where}.failureMessage`) ?? '',
    ...(controllers ? { controllers } : {}),
    ...(containers ? { containers } : {}),
    ...(mutations ? { mutations } : {}),
    ...(additional.length ? { relatedKinds: additional.map(([groupKind]) => splitGroupKind(groupKind).kind) } : {}),
    evaluate,
    test: (input) => {
      const { verdict, templateData } = evaluateMain(input);
      if (!verdict.passed || additional.length === 0) return verdict.passed;
      const decide = additionalFor(input, templateData);
      return (related) => decide(related).passed;
    },
  };
}

const PASSED: CustomCheckOutcome = { passed: true, details: [] };

function failed(...details: string[]): CustomCheckOutcome {
  return { passed: false, details };
}

// ---------------------------------------------------------------------------
// Reading the configuration

function readTarget(value: JsonValue | undefined, path: string): string {
  if (value === undefined || value === null || value === '') {
    throw new ConfigError('missing target: use Controller, PodSpec, PodTemplate, Container, or a kind such as apps/Deployment or Pod', path);
  }
  if (typeof value !== 'string') throw new ConfigError(`target must be a string, found ${describe(value)}`, path);
  if ((HANDLED_TARGETS as readonly string[]).includes(value)) return value;
  const handled = HANDLED_TARGETS.find((t) => t.toLowerCase() === value.toLowerCase());
  if (handled) throw new ConfigError(`unknown target "${value}"; did you mean "${handled}"?`, path);
  if (!/^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Z][A-Za-z0-9]*$/.test(value)) {
    throw new ConfigError(
      `unknown target "${value}": use Controller, PodSpec, PodTemplate, Container, or a kind such as Pod, apps/Deployment or networking.k8s.io/Ingress`,
      path,
    );
  }
  return value;
}

function readSchemaTarget(value: JsonValue | undefined, target: string, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value !== 'PodSpec' || target !== 'Container') {
    throw new ConfigError(
      `schemaTarget ${JSON.stringify(value)} with target ${JSON.stringify(target)} is not supported: the only combination is schemaTarget: PodSpec with target: Container`,
      path,
    );
  }
  return value;
}

function readString(value: JsonValue | undefined, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigError(`must be a string, found ${describe(value)}`, path);
  return value;
}

/** What `containers.include` / `exclude` name, as the engine tells containers apart (case and all). */
const CONTAINER_TYPES = ['container', 'initContainer'];

/** An include/exclude mapping; with `known`, each value must be one of them (a misspelt one would include or exclude nothing). */
function readIncludeExclude(value: JsonValue | undefined, path: string, known?: readonly string[]): IncludeExclude | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new ConfigError(`must be a mapping with include and/or exclude lists, found ${describe(value)}`, path);
  const out: { include?: string[]; exclude?: string[] } = {};
  for (const [key, list] of Object.entries(value)) {
    if (key !== 'include' && key !== 'exclude') throw new ConfigError(`unknown key "${key}"; use include or exclude`, `${path}.${key}`);
    if (list === null) continue;
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
      throw new ConfigError(`must be a list of strings, found ${describe(list)}`, `${path}.${key}`);
    }
    const unknown = known ? (list as string[]).findIndex((item) => !known.includes(item)) : -1;
    if (unknown >= 0) {
      const item = (list as string[])[unknown]!;
      throw new ConfigError(`"${item}" is not a container type${didYouMean(item, known!)}: use ${known!.join(' or ')}`, `${path}.${key}[${unknown}]`);
    }
    out[key] = list as string[];
  }
  return out;
}

function readMutations(value: JsonValue | undefined, path: string): PatchOperation[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ConfigError(`must be a list of JSON Patch operations, found ${describe(value)}`, path);
  return value.map((raw, index) => {
    const at = `${path}[${index}]`;
    if (!isObject(raw)) throw new ConfigError(`must be a mapping with op and path, found ${describe(raw)}`, at);
    for (const key of Object.keys(raw)) {
      if (!['op', 'path', 'value', 'from', 'comment'].includes(key)) {
        throw new ConfigError(`unknown key "${key}"; a mutation takes op, path, value, from and comment`, `${at}.${key}`);
      }
    }
    const op = raw.op;
    if (typeof op !== 'string' || !(PATCH_OPS as readonly string[]).includes(op)) {
      throw new ConfigError(`op must be one of ${PATCH_OPS.join(', ')}, found ${describe(op)}`, `${at}.op`);
    }
    const pointer = (key: 'path' | 'from') => {
      const p = raw[key];
      if (typeof p !== 'string' || (p !== '' && !p.startsWith('/'))) {
        throw new ConfigError(`${key} must be a JSON Pointer such as /securityContext/runAsNonRoot, found ${describe(p)}`, `${at}.${key}`);
      }
      return p;
    };
    const operation: { -readonly [K in keyof PatchOperation]: PatchOperation[K] } = { op: op as PatchOperation['op'], path: pointer('path') };
    if ((op === 'add' || op === 'replace' || op === 'test') && !('value' in raw)) {
      throw new ConfigError(`a "${op}" mutation needs a value`, `${at}.value`);
    }
    if ('value' in raw) operation.value = raw.value as JsonValue;
    if (op === 'move' || op === 'copy') operation.from = pointer('from');
    const comment = readString(raw.comment, `${at}.comment`);
    if (comment !== undefined) operation.comment = comment;
    return operation;
  });
}

function readMainSchema(entry: JsonObject, where: string, compiler: SchemaCompiler): SchemaSource {
  const hasSchema = entry.schema !== undefined && entry.schema !== null;
  const hasString = entry.schemaString !== undefined && entry.schemaString !== null && entry.schemaString !== '';
  if (hasSchema && hasString) throw new ConfigError('give either schema or schemaString, not both', `${where}.schemaString`);
  if (hasString) {
    const path = `${where}.schemaString`;
    if (typeof entry.schemaString !== 'string') throw new ConfigError(`must be a string holding YAML or JSON, found ${describe(entry.schemaString)}`, path);
    return compileSource(entry.schemaString, path, compiler, 'required');
  }
  const path = `${where}.schema`;
  if (!hasSchema) throw new ConfigError('missing schema: give schema (a JSON Schema mapping) or schemaString', path);
  if (!isObject(entry.schema as JsonValue) && typeof entry.schema !== 'boolean') {
    throw new ConfigError(`must be a JSON Schema mapping, found ${describe(entry.schema)}`, path);
  }
  return compileSource(JSON.stringify(entry.schema), path, compiler, 'required');
}

function readAdditionalSchemas(entry: JsonObject, where: string, compiler: SchemaCompiler): [string, SchemaSource][] {
  const sources = new Map<string, SchemaSource>();
  for (const key of ['additionalSchemaStrings', 'additionalSchemas'] as const) {
    const value = entry[key];
    if (value === undefined || value === null) continue;
    const path = `${where}.${key}`;
    if (!isObject(value)) throw new ConfigError(`must be a mapping of kind (such as policy/PodDisruptionBudget) to schema, found ${describe(value)}`, path);
    for (const [groupKind, schema] of Object.entries(value)) {
      const at = `${path}.${groupKind}`;
      if (!/^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Z][A-Za-z0-9]*$/.test(groupKind)) {
        throw new ConfigError(`"${groupKind}" is not a kind: use Kind for core objects (Service) or group/Kind (policy/PodDisruptionBudget)`, at);
      }
      if (sources.has(groupKind)) throw new ConfigError(`${groupKind} is given in both additionalSchemas and additionalSchemaStrings`, at);
      if (key === 'additionalSchemaStrings') {
        if (typeof schema !== 'string') throw new ConfigError(`must be a string holding YAML or JSON, found ${describe(schema)}`, at);
        sources.set(groupKind, compileSource(schema, at, compiler, 'optional'));
      } else {
        if (!isObject(schema) && typeof schema !== 'boolean') throw new ConfigError(`must be a JSON Schema mapping, found ${describe(schema)}`, at);
        sources.set(groupKind, compileSource(JSON.stringify(schema), at, compiler, 'optional'));
      }
    }
  }
  return [...sources.entries()].sort(([a], [b]) => compareCodePoints(a, b));
}

/** Parses the template; a schema without template actions is also compiled now, so its problems surface at load time. */
function compileSource(text: string, path: string, compiler: SchemaCompiler, emptiness: 'required' | 'optional'): SchemaSource {
  let template: GoTemplate;
  try {
    template = parseGoTemplate(text);
  } catch (error) {
    if (error instanceof GoTemplateError) {
      throw new ConfigError(`the Go template does not parse: ${error.message}`, path);
    }
    throw error;
  }
  if (template.hasActions) return { path, template };
  const rendered = template.render({});
  if (rendered.trim() === '') {
    if (emptiness === 'required') throw new ConfigError('the schema is empty', path);
    return { path, template, fixed: 'empty' };
  }
  try {
    return { path, template, fixed: compiler.compileText(rendered) };
  } catch (error) {
    if (error instanceof SchemaError) throw new ConfigError(error.message, path);
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Running the check

/** The template's data: the whole object, plus `Polaris.PodSpec` / `PodTemplate` / `Container` for pod-level targets. */
function templateDataFor(input: CheckInput, target: string): JsonObject {
  const raw = input.object.raw;
  if (target !== 'PodSpec' && target !== 'PodTemplate' && target !== 'Container') return raw;
  const polaris: JsonObject = {};
  if (input.podSpec) polaris.PodSpec = input.podSpec;
  if (input.podTemplate) polaris.PodTemplate = input.podTemplate;
  if (target === 'Container' && input.container) polaris.Container = input.container;
  return { ...raw, Polaris: polaris };
}

/** What the schema validates: the object (Controller, kinds), the pod spec, the pod template, or the container. */
function dataToValidate(input: CheckInput, target: string, schemaTarget: string | undefined): JsonValue | string {
  switch (target) {
    case 'PodSpec':
      return input.podSpec ?? 'the object has no pod spec';
    case 'PodTemplate':
      return input.podTemplate ?? 'the object has no pod template';
    case 'Container': {
      if (!input.container) return 'no container to check';
      if (schemaTarget !== 'PodSpec') return input.container;
      if (!input.podSpec) return 'the object has no pod spec';
      // A copy of the pod spec holding only this container and no init containers.
      const { initContainers: _initContainers, ...rest } = input.podSpec;
      return { ...rest, containers: [input.container] };
    }
    default:
      return input.object.raw;
  }
}

function validateWith(
  source: SchemaSource,
  templateData: JsonObject,
  data: () => JsonValue | string,
  compiler: SchemaCompiler,
): CustomCheckOutcome {
  const schema = renderForObject(source, templateData, compiler);
  if ('outcome' in schema) return schema.outcome;
  if (schema.compiled === 'empty') return failed(`${source.path}: the rendered schema is empty`);
  const value = data();
  // A string here is the reason there is nothing to validate (the target is not present).
  if (typeof value === 'string') return failed(value);
  const verdict = schema.compiled.validate(value);
  return verdict.valid ? PASSED : failed(...verdict.errors);
}

/** A schema rendered and compiled for one object, or that object's failed outcome. */
type RenderedSchema = { compiled: CompiledSchema | 'empty' } | { outcome: CustomCheckOutcome };

/** Renders a schema for one object; a template or schema error becomes that object's failed outcome. */
function renderForObject(source: SchemaSource, templateData: JsonObject, compiler: SchemaCompiler): RenderedSchema {
  return compileRendered(source, renderText(source, templateData), compiler);
}

/** A templated schema's text for one object (undefined for a fixed schema), or the object's failed outcome when rendering fails. */
function renderText(source: SchemaSource, templateData: JsonObject): string | undefined | { outcome: CustomCheckOutcome } {
  if (source.fixed) return undefined;
  try {
    return source.template.render(templateData);
  } catch (error) {
    return { outcome: failed(`${source.path}: ${(error as Error).message}`) };
  }
}

/** The schema of renderText's result (or the fixed one); an empty text is Polaris's empty schema, a render failure stays one. */
function compileRendered(source: SchemaSource, text: ReturnType<typeof renderText>, compiler: SchemaCompiler): RenderedSchema {
  if (typeof text === 'object') return text;
  if (source.fixed) return { compiled: source.fixed };
  try {
    return { compiled: (text ?? '').trim() === '' ? 'empty' : compiler.compileText(text ?? '') };
  } catch (error) {
    return { outcome: failed(`${source.path}: ${(error as Error).message}`) };
  }
}

function checkAdditional(
  groupKind: string,
  path: string,
  rendered: RenderedSchema,
  namespace: string,
  related: RelatedObjects,
): CustomCheckOutcome {
  if ('outcome' in rendered) return rendered.outcome;
  // Polaris drops an additional schema that renders to nothing.
  const schema = rendered.compiled;
  if (schema === 'empty') return PASSED;
  const { group, kind } = splitGroupKind(groupKind);
  const candidates = related.inNamespace(kind, namespace).filter((candidate) => apiGroupOf(candidate.apiVersion) === group);
  if (candidates.some((candidate) => schema.validate(candidate.raw).valid)) return PASSED;
  const where = namespace === '' ? 'without a namespace' : `in namespace ${namespace}`;
  return failed(
    candidates.length === 0
      ? `no ${groupKind} ${where}`
      : `no ${groupKind} ${where} matches ${path} (${candidates.length} checked)`,
  );
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${valueText(value as JsonValue)}`;
}
