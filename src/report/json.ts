// `--format json`: the audit exactly as `polaris audit --format json` prints it
// (Go's json.MarshalIndent with two spaces), plus kaji's `Source` on each result,
// which Go's decoder and other consumers of Polaris's JSON ignore.
import type {
  AuditData,
  ContainerResult,
  PatchOperation,
  PodResult,
  Result,
  ResultMessage,
  ResultSet,
} from '../policy/types.js';
import { setOwn } from '../kube/index.js';
import { compareCodePoints } from './summary.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON Patch operation as Polaris's Go type (gomodules jsonpatch.Operation) prints it. */
function operationJson(op: PatchOperation): Json {
  return {
    op: op.op,
    path: op.path,
    ...(op.value !== undefined ? { value: op.value as Json } : {}),
    ...(op.from !== undefined ? { from: op.from } : {}),
  };
}

/** Polaris's ResultMessage: every field always present, absent slices as null. */
function messageJson(message: ResultMessage): Json {
  return {
    ID: message.ID,
    Message: message.Message,
    Details: message.Details ?? null,
    Success: message.Success,
    Severity: message.Severity,
    Category: message.Category,
    Mutations: message.Mutations ? message.Mutations.map(operationJson) : null,
    // Polaris's mutation comments (find/comment pairs for `polaris fix`); kaji keeps comments on the operations.
    Comments: null,
  };
}

/** A Go map: keys in sorted order, as encoding/json writes them. */
function resultSetJson(set: ResultSet | null | undefined): Json {
  if (!set) return null;
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(set).sort(compareCodePoints)) setOwn(out, key, messageJson(set[key] as ResultMessage));
  return out;
}

function containerJson(container: ContainerResult): Json {
  return { Name: container.Name, Results: resultSetJson(container.Results) };
}

function podJson(pod: PodResult | undefined): Json {
  if (!pod) return null;
  return {
    Name: pod.Name,
    Results: resultSetJson(pod.Results),
    ContainerResults: pod.ContainerResults ? pod.ContainerResults.map(containerJson) : null,
  };
}

function resultJson(result: Result): Json {
  return {
    Name: result.Name,
    Namespace: result.Namespace,
    Kind: result.Kind,
    Results: resultSetJson(result.Results),
    PodResult: podJson(result.PodResult),
    CreatedTime: result.CreatedTime,
    ...(result.Source ? { Source: { File: result.Source.File, Line: result.Source.Line } } : {}),
  };
}

/**
 * The audit as a plain JSON value with Polaris's field order, nulls and sorted
 * check maps; the YAML format dumps the same value.
 */
export function polarisJsonValue(audit: AuditData): Json {
  const info = audit.ClusterInfo;
  return {
    PolarisOutputVersion: audit.PolarisOutputVersion,
    AuditTime: audit.AuditTime,
    SourceType: audit.SourceType,
    SourceName: audit.SourceName,
    DisplayName: audit.DisplayName,
    ClusterInfo: {
      Version: info.Version,
      Nodes: info.Nodes,
      Pods: info.Pods,
      Namespaces: info.Namespaces,
      Controllers: info.Controllers,
    },
    Results: audit.Results ? audit.Results.map(resultJson) : null,
    Score: audit.Score,
  };
}

/** Go's encoding/json escapes these even inside strings (HTML safety); they only ever occur inside strings. */
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

const GO_ESCAPED = /[<>&\u2028\u2029]/;

/** Applies Go's escapes; most text has none of these characters, and a test is far cheaper than a replace. */
function goEscape(text: string): string {
  return GO_ESCAPED.test(text) ? text.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c) : text;
}

/** Text that JSON and Go print as it is (most names, namespaces, kinds and paths). */
const PLAIN_STRING = /^[\w ./:@+-]*$/;

/** A JSON string literal as Go writes it. */
function goString(text: string): string {
  return PLAIN_STRING.test(text) ? `"${text}"` : goEscape(JSON.stringify(text));
}

/** A JSON value printed as by JSON.stringify(value, null, 2), every line after the first indented by `indent`. */
function indented(value: Json, indent: string): string {
  return goEscape(JSON.stringify(value, null, 2)).replaceAll('\n', `\n${indent}`);
}

/**
 * Printed result sets by indentation, as UTF-8 bytes. The engine gives objects
 * with the same outcomes one frozen set (most objects of a kind share a few),
 * so a frozen set is printed and encoded once per indentation, and its bytes
 * go to the output as they are, never copied into a bigger string.
 */
const printedSets = new Map<string, WeakMap<ResultSet, Buffer>>();

function printedSet(set: ResultSet, indent: string): Buffer {
  let bySet = printedSets.get(indent);
  if (!bySet) printedSets.set(indent, (bySet = new WeakMap()));
  let bytes = bySet.get(set);
  if (bytes === undefined) bySet.set(set, (bytes = Buffer.from(printSet(set, indent), 'utf8')));
  return bytes;
}

/** A Go map of check ID → message: keys in sorted order. */
function printSet(set: ResultSet, indent: string): string {
  const keys = Object.keys(set).sort(compareCodePoints);
  if (keys.length === 0) return '{}';
  const inner = `${indent}  `;
  const entries = keys.map((key) => `${inner}${goString(key)}: ${indented(messageJson(set[key] as ResultMessage), inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

/** Printed strings that repeat across results (namespaces, kinds, times, files), for one report. */
type Quote = (text: string) => string;

function quoteCache(): Quote {
  const quoted = new Map<string, string>();
  return (text) => {
    let printed = quoted.get(text);
    if (printed === undefined) quoted.set(text, (printed = goString(text)));
    return printed;
  };
}

/** One chunk of the report as UTF-8 buffers: runs of text, and the shared bytes of printed sets. */
class ChunkBytes {
  private readonly buffers: Buffer[] = [];
  private text = '';

  add(text: string): void {
    this.text += text;
  }

  addSet(set: ResultSet | null | undefined, indent: string): void {
    if (!set) return this.add('null');
    if (!Object.isFrozen(set)) return this.add(printSet(set, indent));
    this.flushText();
    this.buffers.push(printedSet(set, indent));
  }

  finish(): Buffer[] {
    this.flushText();
    return this.buffers;
  }

  private flushText(): void {
    if (this.text === '') return;
    this.buffers.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }
}

// Results sit at a fixed depth of Polaris's JSON: an entry of the top-level `Results` list.
const RESULT = '    ';
const FIELD = '      ';
const POD_FIELD = '        ';
const CONTAINER = '          ';
const CONTAINER_FIELD = '            ';

function addContainers(out: ChunkBytes, containers: readonly ContainerResult[] | null | undefined): void {
  if (!containers) return out.add('null');
  if (containers.length === 0) return out.add('[]');
  out.add('[\n');
  containers.forEach((container, index) => {
    out.add(`${CONTAINER}{\n${CONTAINER_FIELD}"Name": ${goString(container.Name)},\n${CONTAINER_FIELD}"Results": `);
    out.addSet(container.Results, CONTAINER_FIELD);
    out.add(`\n${CONTAINER}}${index < containers.length - 1 ? ',\n' : '\n'}`);
  });
  out.add(`${POD_FIELD}]`);
}

function addPod(out: ChunkBytes, pod: PodResult | undefined, quote: Quote): void {
  if (!pod) return out.add('null');
  out.add(`{\n${POD_FIELD}"Name": ${quote(pod.Name)},\n${POD_FIELD}"Results": `);
  out.addSet(pod.Results, POD_FIELD);
  out.add(`,\n${POD_FIELD}"ContainerResults": `);
  addContainers(out, pod.ContainerResults);
  out.add(`\n${FIELD}}`);
}

function addResult(out: ChunkBytes, result: Result, quote: Quote): void {
  out.add(`${RESULT}{\n${FIELD}"Name": ${goString(result.Name)},\n${FIELD}"Namespace": ${quote(result.Namespace)},\n${FIELD}"Kind": ${quote(result.Kind)},\n${FIELD}"Results": `);
  out.addSet(result.Results, FIELD);
  out.add(`,\n${FIELD}"PodResult": `);
  addPod(out, result.PodResult, quote);
  const source = result.Source
    ? `,\n${FIELD}"Source": {\n${POD_FIELD}"File": ${quote(result.Source.File)},\n${POD_FIELD}"Line": ${JSON.stringify(result.Source.Line)}\n${FIELD}}`
    : '';
  out.add(`,\n${FIELD}"CreatedTime": ${quote(result.CreatedTime)}${source}\n${RESULT}}`);
}

/** Results printed per chunk handed on: big enough to make writes cheap, small enough to stay in the CPU cache. */
const RESULTS_PER_CHUNK = 64;

/**
 * `polaris audit --format json`, handed to `emit` in order in chunks of a few
 * results, each chunk as UTF-8 buffers: a large report goes to a file or a
 * stream without ever being one string, and its repeated parts are never
 * copied.
 */
export function printJson(audit: AuditData, emit: (chunk: readonly Buffer[]) => void): void {
  const head = polarisJsonValue({ ...audit, Results: [] }) as { [key: string]: Json };
  const fields = Object.keys(head).map((key) => `  ${goString(key)}: ${key === 'Results' ? '\u0000' : indented(head[key] ?? null, '  ')}`);
  // The head and tail around the Results list, split where the list goes.
  const [before, after] = `{\n${fields.join(',\n')}\n}\n`.split('\u0000') as [string, string];
  const text = (value: string) => emit([Buffer.from(value, 'utf8')]);
  const results = audit.Results;
  if (!results || results.length === 0) return text(before + (results ? '[]' : 'null') + after);
  const quote = quoteCache();
  text(`${before}[\n`);
  for (let start = 0; start < results.length; start += RESULTS_PER_CHUNK) {
    const out = new ChunkBytes();
    const end = Math.min(start + RESULTS_PER_CHUNK, results.length);
    for (let index = start; index < end; index++) {
      addResult(out, results[index]!, quote);
      out.add(index < results.length - 1 ? ',\n' : '\n');
    }
    emit(out.finish());
  }
  text(`  ]${after}`);
}

/**
 * `polaris audit --format json`: two-space indentation, Go's escaping; ends with
 * a newline. Printed piece by piece rather than through JSON.stringify of
 * polarisJsonValue (which prints the same bytes, as a test checks): the report
 * is the largest output kaji writes, and most of it is repeated result sets.
 */
export function formatJson(audit: AuditData): string {
  const buffers: Buffer[] = [];
  printJson(audit, (chunk) => buffers.push(...chunk));
  return Buffer.concat(buffers).toString('utf8');
}
