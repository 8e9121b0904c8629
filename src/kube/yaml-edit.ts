// Byte-exact editing of YAML text by JSON Patch: only the bytes an operation
// touches change; comments, quoting, key order, indentation, blank lines and
// the other documents of the stream stay as they were.
import {
  Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  Scalar,
  visit,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import yaml from 'js-yaml';
import type { JsonValue } from './types.js';
import { KUBERNETES_YAML_SCHEMA } from './yaml-schema.js';
import { jsonEqual } from './json-equal.js';

/** A JSON Patch operation (RFC 6902) with Polaris's optional `comment`; `PatchOperation` of the policy engine fits it. */
export interface YamlPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  readonly value?: JsonValue;
  readonly from?: string;
  /** Written as a `# comment` at the end of the line of the added or replaced value. */
  readonly comment?: string;
}

/**
 * Which document of a multi-document stream to edit:
 * - a number: its 0-based index among the documents the `yaml` package parses
 *   (a document that holds only comments counts, unlike in `loadInputs`);
 * - `{ line }`: the document containing that 1-based line of the text, such as
 *   `KubeObject.source.line` (the document's first content line). Prefer this:
 *   it is how objects from `loadInputs` name their document.
 */
export type DocumentRef = number | { readonly line: number };

/** An edit that cannot be made: a path that does not exist, a document that is not there, YAML kaji cannot edit in place. */
export class YamlEditError extends Error {}

/** The YAML version used to read and write values, as Kubernetes reads manifests (`yes` is a boolean, `010` octal). */
const YAML_VERSION = '1.1';

/**
 * Applies JSON Patch operations to one document of a YAML stream and returns the new text.
 *
 * Semantics are RFC 6902's, with one extension Polaris's mutations rely on: `add`
 * creates missing parents (a missing or null intermediate becomes a mapping, or a
 * list when the next segment is `-` or `0`), as `EnsurePathExistsOnAdd` does.
 * `add` of an existing mapping key replaces its value. `replace`, `remove`,
 * `move`'s and `copy`'s `from` and `test` need the path to exist.
 *
 * Edits: a replaced scalar keeps its quoting style where the new value allows
 * it; an added key goes on new lines after the mapping's last entry at its
 * indentation; a list item goes on new lines; a removed entry or item takes its
 * whole lines (with its trailing comment). Mappings and lists are written in
 * block style at the indentation the document uses, except inside a flow
 * collection (`{a: 1}`, `[a]`), which is rewritten as a whole in flow style.
 * Windows line endings are kept (`eol` gives them when `text` is one document cut from a
 * larger file, whose line endings are the file's). The operations are all-or-nothing: on an
 * error nothing is returned.
 */
export function applyPatchToYaml(text: string, document: DocumentRef, operations: readonly YamlPatchOperation[], eol = lineEndingOf(text)): string {
  const index = typeof document === 'number' ? document : documentIndexAtLine(text, document.line);
  let result = text;
  for (const operation of operations) result = applyOperation(result, index, operation, eol);
  return result;
}

/** The line ending edits write: Windows' where the text has any, as an editor keeps a file's. */
export function lineEndingOf(text: string): LineEnding {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

export type LineEnding = '\n' | '\r\n';

/** The 0-based index (as `applyPatchToYaml` counts) of the document holding a 1-based line. */
export function documentIndexAtLine(text: string, line: number): number {
  if (!Number.isInteger(line) || line < 1) throw new YamlEditError(`line ${line} is not a line number`);
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) throw new YamlEditError(`line ${line} is past the end of the text`);
    offset = next + 1;
  }
  const index = parseStream(text).findIndex((doc) => doc.range[2] > offset);
  if (index < 0) throw new YamlEditError(`no YAML document at line ${line}`);
  return index;
}

/**
 * Why the value at `pointer` of one document is not written there alone, so that an edit in place
 * would change other values too, or could not be made: its path goes through an alias (`*name`) or
 * a merge key (`<<`), or through a node anchored (`&name`) that an alias of the document repeats.
 * Undefined when an edit there changes that one value only (or when nothing is at the pointer).
 */
export function sharedValueReason(text: string, document: DocumentRef, pointer: string): string | undefined {
  const index = typeof document === 'number' ? document : documentIndexAtLine(text, document.line);
  const doc = parseStream(text)[index];
  if (!doc?.contents || doc.errors.length > 0) return undefined;
  const aliased = new Set<string>();
  visit(doc, { Alias: (_, alias) => void aliased.add(alias.source) });
  let node = doc.contents as Node;
  for (const segment of [...parseJsonPointer(pointer), undefined]) {
    if (node.anchor !== undefined && aliased.has(node.anchor)) return `it is written under the anchor &${node.anchor}, which *${node.anchor} repeats elsewhere in the document`;
    if (segment === undefined) return undefined;
    if (isAlias(node)) return `it is written through the alias *${node.source}`;
    const child = childOf(node, segment);
    if (!child) return isMap(node) && node.items.some((pair) => isScalar(pair.key) && typeof pair.key.value === 'symbol') ? 'it is written through a merge key (<<)' : undefined;
    node = child.node;
  }
  return undefined;
}

/** Splits a JSON Pointer (RFC 6901) into unescaped segments; `""` is the whole document. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new YamlEditError(`"${pointer}" is not a JSON Pointer (it must start with /)`);
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The value to add where the parents of `segments` are missing: `value` nested
 * under them, as mappings, or lists where a segment is `-` or `0`.
 */
export function nestUnderMissingParents(segments: readonly string[], value: JsonValue): JsonValue {
  return segments.reduceRight<JsonValue>((child, segment) => {
    if (segment === '-' || segment === '0') return [child];
    return { [segment]: child };
  }, value);
}

// ---------------------------------------------------------------------------

type Doc = Document.Parsed;

/** Where a node sits: in a mapping (with its pair), in a list (with its index), or at the document root. */
type Place =
  | { readonly kind: 'pair'; readonly map: YAMLMap; readonly pair: Pair }
  | { readonly kind: 'item'; readonly seq: YAMLSeq; readonly index: number }
  | { readonly kind: 'root' };

interface Located {
  readonly node: Node;
  readonly place: Place;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface Context {
  readonly text: string;
  readonly doc: Doc;
  readonly eol: string;
  readonly style: IndentStyle;
}

interface IndentStyle {
  /** Spaces per nesting level of mappings. */
  readonly unit: number;
  /** Whether a list under a key is indented (`key:\n  - a`) or not (`key:\n- a`). */
  readonly indentSeq: boolean;
}

function parseStream(text: string): Doc[] {
  const docs = parseAllDocuments(text, { version: YAML_VERSION });
  return Array.isArray(docs) ? docs : [];
}

function applyOperation(text: string, index: number, operation: YamlPatchOperation, eol: LineEnding): string {
  if (operation.op === 'copy' || operation.op === 'move') {
    // As remove (for move) then add of the value at `from`.
    if (operation.from === undefined) throw new YamlEditError(`${operation.op} ${operation.path}: the operation has no "from"`);
    const context = contextOf(text, index, eol);
    const found = locate(context.doc, parseJsonPointer(operation.from), operation.from);
    const value = found.node.toJS(context.doc) as JsonValue;
    const removed = operation.op === 'move' ? applyOperation(text, index, { op: 'remove', path: operation.from }, eol) : text;
    return applyOperation(removed, index, { op: 'add', path: operation.path, value, comment: operation.comment }, eol);
  }
  const context = contextOf(text, index, eol);
  const edit = editFor(context, operation);
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

function contextOf(text: string, index: number, eol: LineEnding): Context {
  const docs = parseStream(text);
  const doc = docs[index];
  if (!doc) throw new YamlEditError(`there is no document ${index} (the text has ${docs.length})`);
  const error = doc.errors[0];
  if (error) throw new YamlEditError(`document ${index} is not valid YAML: ${error.message}`);
  if (!doc.contents) throw new YamlEditError(`document ${index} is empty`);
  return { text, doc, eol, style: indentStyleOf(doc, text) };
}

function editFor(context: Context, operation: YamlPatchOperation): Edit {
  const segments = parseJsonPointer(operation.path);
  const what = `${operation.op} ${operation.path || '""'}`;
  try {
    switch (operation.op) {
      case 'add':
        return add(context, segments, requireValue(operation), operation.comment);
      case 'replace': {
        const found = locate(context.doc, segments, operation.path);
        return replaceNode(context, found, requireValue(operation), operation.comment);
      }
      case 'remove':
        return remove(context, locate(context.doc, segments, operation.path));
      case 'test': {
        const actual = locate(context.doc, segments, operation.path).node.toJS(context.doc) as JsonValue;
        if (!jsonEqual(actual, requireValue(operation))) throw new YamlEditError(`value is ${JSON.stringify(actual)}`);
        return { start: 0, end: 0, text: '' };
      }
      default:
        throw new YamlEditError(`unknown operation "${String(operation.op)}"`);
    }
  } catch (error) {
    if (error instanceof YamlEditError) throw new YamlEditError(`${what}: ${error.message}`);
    throw error;
  }
}

function requireValue(operation: YamlPatchOperation): JsonValue {
  if (operation.value === undefined) throw new YamlEditError('the operation has no value');
  return operation.value;
}

// --- finding nodes ----------------------------------------------------------

function locate(doc: Doc, segments: readonly string[], pointer: string): Located {
  let located: Located = { node: doc.contents as Node, place: { kind: 'root' } };
  segments.forEach((segment, depth) => {
    const child = childOf(located.node, segment);
    if (!child) throw new YamlEditError(`no such path: ${prefixOf(pointer, depth + 1)} does not exist`);
    located = child;
  });
  return located;
}

function childOf(node: Node, segment: string): Located | undefined {
  if (isAlias(node)) throw new YamlEditError('the path goes through an alias (*name); kaji cannot edit it in place');
  if (isMap(node)) {
    const pair = node.items.find((item) => keyText(item) === segment);
    if (!pair) return undefined;
    return { node: (pair.value ?? new Scalar(null)) as Node, place: { kind: 'pair', map: node, pair } };
  }
  if (isSeq(node)) {
    if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
    const index = Number(segment);
    const item = node.items[index];
    if (item === undefined) return undefined;
    return { node: item as Node, place: { kind: 'item', seq: node, index } };
  }
  return undefined;
}

function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return undefined;
}

function prefixOf(pointer: string, segments: number): string {
  return pointer.split('/').slice(0, segments + 1).join('/');
}

// --- operations --------------------------------------------------------------

function add(context: Context, segments: readonly string[], value: JsonValue, comment?: string): Edit {
  if (segments.length === 0) return replaceNode(context, { node: context.doc.contents as Node, place: { kind: 'root' } }, value, comment);
  let parent: Located = { node: context.doc.contents as Node, place: { kind: 'root' } };
  for (let depth = 0; depth < segments.length - 1; depth++) {
    const segment = segments[depth] as string;
    const child = childOf(parent.node, segment);
    const rest = segments.slice(depth + 1);
    if (!child && isSeq(parent.node)) throw new YamlEditError(`no such path: item ${segment} does not exist`);
    if (!child) return addChild(context, parent, segment, nestUnderMissingParents(rest, value), comment);
    if (isNull(child.node)) return replaceNode(context, child, nestUnderMissingParents(rest, value), comment);
    parent = child;
  }
  return addChild(context, parent, segments[segments.length - 1] as string, value, comment);
}

function addChild(context: Context, parent: Located, segment: string, value: JsonValue, comment?: string): Edit {
  const node = parent.node;
  if (isAlias(node)) throw new YamlEditError('the path goes through an alias (*name); kaji cannot edit it in place');
  if (isMap(node)) {
    const existing = childOf(node, segment);
    if (existing) return replaceNode(context, existing, value, comment);
    if (node.flow && node.items.length > 0) return insertFlow(context.text, node, node.items.length, renderFlowPair(segment, value));
    if (node.flow) return replaceNode(context, parent, { [segment]: value }, comment);
    return insertPair(context, node, segment, value, comment);
  }
  if (isSeq(node)) {
    const length = node.items.length;
    const index = segment === '-' ? length : /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : NaN;
    if (!(index <= length)) throw new YamlEditError(`index ${segment} is out of range (the list has ${length} items)`);
    if (node.flow && length > 0) return insertFlow(context.text, node, index, renderInline(value, false, true));
    if (node.flow) return replaceNode(context, parent, [value], comment);
    return insertItem(context, node, index, value, comment);
  }
  if (isNull(node)) return replaceNode(context, parent, nestUnderMissingParents([segment], value), comment);
  throw new YamlEditError(`cannot add "${segment}" to a scalar value`);
}

function insertPair(context: Context, map: YAMLMap, key: string, value: JsonValue, comment?: string): Edit {
  const { text, eol } = context;
  const column = columnOf(text, map.range![0]);
  const last = map.items[map.items.length - 1] as Pair;
  const at = lineEndAfter(text, endOf(last.value ?? last.key));
  const lines = withComment(renderBlock(context, { [key]: value }), comment);
  return insertLines(text, at, indentLines(lines, column), eol);
}

function insertItem(context: Context, seq: YAMLSeq, index: number, value: JsonValue, comment?: string): Edit {
  const { text, eol } = context;
  const column = columnOf(text, seq.range![0]);
  const lines = withComment(renderBlock(context, [value]), comment);
  if (index < seq.items.length) {
    const dash = dashOf(text, seq, index);
    const start = lineStartOf(text, dash);
    if (text.slice(start, dash).trim() !== '') throw new YamlEditError('cannot insert before the first item of a compact nested list (- - a)');
    return { start, end: start, text: indentLines(lines, column).join(eol) + eol };
  }
  const last = seq.items[seq.items.length - 1] as Node;
  return insertLines(text, lineEndAfter(text, endOf(last)), indentLines(lines, column), eol);
}

function insertLines(text: string, at: number, lines: readonly string[], eol: string): Edit {
  const needsBreak = at === text.length && text.length > 0 && !text.endsWith('\n');
  return { start: at, end: at, text: (needsBreak ? eol : '') + lines.join(eol) + eol };
}

function remove(context: Context, found: Located): Edit {
  const { text } = context;
  const place = found.place;
  if (place.kind === 'root') throw new YamlEditError('cannot remove the whole document');
  if (place.kind === 'pair') {
    const map = place.map;
    if (map.items.length === 1) return replaceNode(context, containerOf(context, map), {});
    if (map.flow) return removeFlow(text, map, map.items.indexOf(place.pair));
    const index = map.items.indexOf(place.pair);
    const end = lineEndAfter(text, endOf(place.pair.value ?? place.pair.key));
    const column = columnOf(text, map.range![0]);
    const keyLine = lineStartOf(text, (place.pair.key as Node).range![0]);
    if (index > 0 || text.slice(keyLine, map.range![0]).trim() === '') return { start: keyLine, end, text: '' };
    // The first key shares its line with "- " (a mapping in a list): the next key moves up to its place.
    const next = map.items[1] as Pair;
    return { start: map.range![0], end: lineStartOf(text, (next.key as Node).range![0]) + column, text: '' };
  }
  const seq = place.seq;
  if (seq.items.length === 1) return replaceNode(context, containerOf(context, seq), []);
  if (seq.flow) return removeFlow(text, seq, place.index);
  const dash = dashOf(text, seq, place.index);
  const start = lineStartOf(text, dash);
  if (text.slice(start, dash).trim() === '') return { start, end: lineEndAfter(text, endOf(found.node)), text: '' };
  const nextDash = dashOf(text, seq, place.index + 1);
  return { start: dash, end: lineStartOf(text, nextDash) + columnOf(text, dash), text: '' };
}

/** Inserts an item's text into a non-empty flow collection, before item `index` or after the last one. */
function insertFlow(text: string, collection: YAMLMap | YAMLSeq, index: number, item: string): Edit {
  if (index < collection.items.length) {
    const at = flowItemStart(collection, index);
    return { start: at, end: at, text: `${item}, ` };
  }
  const at = flowItemEnd(collection, collection.items.length - 1);
  return { start: at, end: at, text: `, ${item}` };
}

/** Removes an item of a flow collection with more than one item, with the comma that separates it. */
function removeFlow(text: string, collection: YAMLMap | YAMLSeq, index: number): Edit {
  if (index < collection.items.length - 1) return { start: flowItemStart(collection, index), end: flowItemStart(collection, index + 1), text: '' };
  return { start: flowItemEnd(collection, index - 1), end: flowItemEnd(collection, index), text: '' };
}

function flowItemStart(collection: YAMLMap | YAMLSeq, index: number): number {
  const item = collection.items[index] as unknown;
  const node = isPair(item) ? item.key : item;
  return (node as Node).range![0];
}

function flowItemEnd(collection: YAMLMap | YAMLSeq, index: number): number {
  const item = collection.items[index] as unknown;
  return endOf(isPair(item) ? (item.value ?? item.key) : item);
}

/** Replaces the node at a place with a new value, keeping a scalar's quoting style where it can. */
function replaceNode(context: Context, found: Located, value: JsonValue, comment?: string): Edit {
  const { text, eol } = context;
  const { node, place } = found;
  const range = node.range ?? [0, 0, 0];
  const inFlow = (place.kind === 'pair' && place.map.flow) || (place.kind === 'item' && place.seq.flow);
  const isCollectionValue = value !== null && typeof value === 'object';
  const nonEmpty = isCollectionValue && Object.keys(value).length > 0;
  if (!isCollectionValue && isScalar(node) && !isNull(node)) {
    const rendered = renderScalarLike(context, node, value, inFlow === true);
    return withLineComment(text, { start: range[0], end: range[1], text: rendered }, comment);
  }
  const keepFlow = isCollection(node) && node.flow && node.items.length > 0;
  if (inFlow || !nonEmpty || keepFlow) {
    const inline = renderInline(value, isCollection(node) && node.flow ? flowPadding(text, range[0]) : false, inFlow === true);
    if (isCollection(node) && !node.flow) return withLineComment(text, { start: valueStart(context, place), end: trimEnd(text, range[1]), text: ' ' + inline }, comment);
    if (isNull(node) && place.kind !== 'root' && range[0] === range[1]) {
      return withLineComment(text, { start: valueStart(context, place), end: range[1], text: ' ' + inline }, comment);
    }
    return withLineComment(text, { start: range[0], end: range[1], text: inline }, comment);
  }
  // A non-empty mapping or list in block context: written as block lines under the key or the dash.
  const lines = renderBlock(context, value);
  const end = isCollection(node) ? trimEnd(text, range[1]) : range[1];
  if (place.kind === 'root') return { start: range[0], end, text: lines.join(eol) };
  if (place.kind === 'item') {
    const column = columnOf(text, dashOf(text, place.seq, place.index)) + 2;
    const [first, ...rest] = lines;
    const body = [' ' + first, ...indentLines(rest, column)].join(eol);
    return { start: valueStart(context, place), end, text: comment ? body.replace(/^ [^\r\n]*/, `$& # ${comment}`) : body };
  }
  const keyColumn = columnOf(text, place.map.range![0]);
  const column = keyColumn + (Array.isArray(value) && !context.style.indentSeq ? 0 : context.style.unit);
  const body = (comment ? ` # ${comment}` : '') + eol + indentLines(lines, column).join(eol);
  return { start: valueStart(context, place), end, text: body };
}

/** Where a collection node sits, found by searching the document (nodes do not know their parents). */
function containerOf(context: Context, target: Node): Located {
  const contents = context.doc.contents as Node;
  if (contents === target) return { node: target, place: { kind: 'root' } };
  let found: Located | undefined;
  visit(context.doc, {
    Pair: (_key, pair, path) => {
      if (pair.value === target) {
        found = { node: target, place: { kind: 'pair', map: path[path.length - 1] as YAMLMap, pair: pair as Pair } };
        return visit.BREAK;
      }
      return undefined;
    },
    Seq: (_key, seq) => {
      const index = seq.items.indexOf(target);
      if (index >= 0) {
        found = { node: target, place: { kind: 'item', seq, index } };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (!found) throw new YamlEditError('cannot find where the collection sits in the document');
  return found;
}

// --- rendering ---------------------------------------------------------------

function renderBlock(context: Context, value: JsonValue): string[] {
  const out = new Document(value, { version: YAML_VERSION }).toString({
    indent: context.style.unit,
    indentSeq: context.style.indentSeq,
    lineWidth: 0,
    minContentWidth: 0,
  });
  return out.replace(/\n$/, '').split('\n');
}

function renderInline(value: JsonValue, padding: boolean, inFlow: boolean): string {
  if (typeof value === 'string') return plainOrQuoted(value, inFlow);
  return new Document(value, { version: YAML_VERSION })
    .toString({ collectionStyle: 'flow', flowCollectionPadding: padding, lineWidth: 0 })
    .replace(/\r?\n$/, '')
    .replace(/\r?\n\s*/g, ' ');
}

/** `key: value` as an entry of a flow mapping. */
function renderFlowPair(key: string, value: JsonValue): string {
  return renderInline({ [key]: value }, false, true).slice(1, -1);
}

function renderScalarLike(context: Context, node: Scalar, value: JsonValue, inFlow: boolean): string {
  if (typeof value !== 'string') return renderInline(value, false, inFlow);
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(value);
    case Scalar.QUOTE_SINGLE:
      return /[\n\r]/.test(value) ? JSON.stringify(value) : `'${value.replace(/'/g, "''")}'`;
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      return renderLiteral(context, node, value) ?? JSON.stringify(value);
    default:
      return plainOrQuoted(value, inFlow);
  }
}

/**
 * A string as a plain scalar when Kubernetes reads it back as the same string,
 * else quoted on one line. The `yaml` package's YAML 1.1 schema quotes most
 * look-alikes, but not every number go-yaml v2 reads (0X1F, 0o10), so a plain
 * rendering is read back with kaji's Kubernetes schema as well.
 */
function plainOrQuoted(value: string, inFlow: boolean): string {
  const rendered = new Document(value, { version: YAML_VERSION }).toString({ lineWidth: 0 }).replace(/\n$/, '');
  if (rendered.includes('\n') || (inFlow && /[,[\]{}]/.test(value) && rendered === value)) return JSON.stringify(value);
  if (rendered === value && !readsAsString(value)) return JSON.stringify(value);
  return rendered;
}

/** Whether Kubernetes reads `text`, written as a plain scalar, as that string. */
function readsAsString(text: string): boolean {
  try {
    return yaml.load(text, { schema: KUBERNETES_YAML_SCHEMA }) === text;
  } catch {
    return false;
  }
}

/** A string as a literal block scalar (`|`) at the original block's indentation, or undefined if it cannot be one. */
function renderLiteral(context: Context, node: Scalar, value: string): string | undefined {
  const { text, eol } = context;
  const range = node.range!;
  if (value === '' || /^[ \t]/.test(value) || /\n\n$/.test(value) || /[\r\t]/.test(value)) return undefined;
  const source = text.slice(range[0], range[1]);
  const lineStart = lineStartOf(text, range[0]);
  const headerIndent = /^ */.exec(text.slice(lineStart, range[0]))?.[0].length ?? 0;
  const bodyIndent = /\n( +)\S/.exec(source)?.[1]?.length ?? headerIndent + context.style.unit;
  const chomp = value.endsWith('\n') ? '' : '-';
  const lines = value.replace(/\n$/, '').split('\n');
  const ending = /\r?\n$/.test(source) ? eol : '';
  return `|${chomp}${eol}${lines.map((line) => (line ? ' '.repeat(bodyIndent) + line : '')).join(eol)}${ending}`;
}

function flowPadding(text: string, start: number): boolean {
  return /^[{[][ \t]/.test(text.slice(start, start + 2)) && !/^(\{\}|\[\])/.test(text.slice(start, start + 2));
}

function withComment(lines: string[], comment?: string): string[] {
  if (!comment) return lines;
  const [first, ...rest] = lines;
  return [`${first} # ${comment}`, ...rest];
}

function withLineComment(text: string, edit: Edit, comment?: string): Edit {
  if (!comment) return edit;
  const lineEnd = text.indexOf('\n', edit.end);
  const restOfLine = text.slice(edit.end, lineEnd < 0 ? text.length : lineEnd);
  if (restOfLine.includes('#')) return edit;
  return { ...edit, text: `${edit.text} # ${comment}` };
}

function indentLines(lines: readonly string[], column: number): string[] {
  const pad = ' '.repeat(column);
  return lines.map((line) => (line === '' ? line : pad + line));
}

/** The indentation the document uses: spaces per mapping level and whether lists under keys are indented. */
function indentStyleOf(doc: Doc, text: string): IndentStyle {
  let unit: number | undefined;
  let indentSeq: boolean | undefined;
  visit(doc, {
    Pair: (_key, pair, path) => {
      const parent = path[path.length - 1];
      const value = pair.value;
      if (!isMap(parent) || parent.flow || !isCollection(value) || value.flow || !value.range || !parent.range) return undefined;
      const offset = columnOf(text, value.range[0]) - columnOf(text, parent.range[0]);
      if (isMap(value) && unit === undefined && offset > 0) unit = offset;
      if (isSeq(value) && indentSeq === undefined) indentSeq = offset > 0;
      return unit !== undefined && indentSeq !== undefined ? visit.BREAK : undefined;
    },
  });
  return { unit: unit ?? 2, indentSeq: indentSeq ?? true };
}

// --- positions ---------------------------------------------------------------

function isNull(node: Node): boolean {
  return isScalar(node) && node.value === null;
}

/** The end of a node's value (before a trailing comment). */
function endOf(node: unknown): number {
  const range = (node as Node | null)?.range;
  if (!range) throw new YamlEditError('cannot find the position of a node');
  return range[1];
}

function columnOf(text: string, offset: number): number {
  const start = lineStartOf(text, offset);
  // A byte-order mark is not indentation: counted, it put new keys one column off in a file that has one.
  return offset - start - (start === 0 && text.startsWith('\uFEFF') ? 1 : 0);
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The start of the line after the one holding `offset - 1` (so an offset already at a line start stays). */
function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const next = text.indexOf('\n', offset);
  return next < 0 ? text.length : next + 1;
}

function trimEnd(text: string, offset: number): number {
  let end = offset;
  while (end > 0 && /\s/.test(text[end - 1] as string)) end--;
  return end;
}

/** Just after the `:` of a pair or the `-` of a list item, where the value starts. */
function valueStart(context: Context, place: Place): number {
  const { text } = context;
  if (place.kind === 'item') return dashOf(text, place.seq, place.index) + 1;
  if (place.kind === 'pair') {
    const colon = text.indexOf(':', endOf(place.pair.key));
    if (colon < 0) throw new YamlEditError('cannot find the ":" of a mapping entry');
    return colon + 1;
  }
  return (context.doc.contents as Node).range![0];
}

/** The offset of the `-` of a block list's item: on the item's line or one above, at the list's column. */
function dashOf(text: string, seq: YAMLSeq, index: number): number {
  const column = columnOf(text, seq.range![0]);
  const item = seq.items[index] as Node | null;
  let lineStart = lineStartOf(text, item?.range ? item.range[0] : seq.range![0]);
  while (lineStart >= 0) {
    const at = lineStart + column;
    if (text[at] === '-' && /[\s]|^$/.test(text[at + 1] ?? '')) return at;
    if (lineStart === 0) break;
    lineStart = lineStartOf(text, lineStart - 1);
  }
  throw new YamlEditError(`cannot find the "-" of list item ${index}`);
}
