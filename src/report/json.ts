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

/** Characters a Go string prints as they are (PLAIN_STRING's), by code. */
const PLAIN_CODES = new Uint8Array(128);
for (let code = 0; code < 128; code++) PLAIN_CODES[code] = PLAIN_STRING.test(String.fromCharCode(code)) ? 1 : 0;
const QUOTE = 0x22;

/** Bytes of a report's own text taken at a time: a few hundred results' worth. */
const TEXT_BLOCK_BYTES = 256 * 1024;

/**
 * The JSON report as UTF-8 bytes, a chunk at a time. Its own text (field
 * names, punctuation, names) is copied straight into large blocks of bytes:
 * no string is built and encoded for it, and no small buffer made per run of
 * it (measured on 10,000 results: 16 ms to print before, 11 ms now). A
 * shared set's bytes go in as they are. Pieces handed on are never written
 * again.
 */
class ReportBytes {
  private block = Buffer.alloc(0);
  private position = 0;
  /** Where the text not yet handed on starts in the block. */
  private start = 0;
  private pieces: Buffer[] = [];

  /** Bytes made once (the printer's field names and punctuation). */
  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.block.set(bytes, this.position);
    this.position += bytes.length;
  }

  /** Text known to be ASCII (a number's JSON), without a call into the Buffer machinery for a few bytes. */
  ascii(text: string): void {
    this.reserve(text.length);
    const block = this.block;
    let position = this.position;
    for (let index = 0; index < text.length; index++) block[position++] = text.charCodeAt(index);
    this.position = position;
  }

  /** Any text, as UTF-8. */
  text(text: string): void {
    this.reserve(text.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 code unit
    this.position += this.block.write(text, this.position, 'utf8');
  }

  /** A JSON string literal as Go writes it (goString's bytes), copied as it is when plain, as most names are. */
  string(text: string): void {
    this.reserve(text.length + 2);
    const block = this.block;
    let position = this.position;
    block[position++] = QUOTE;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      // Not plain: written again, escaped, from where it started.
      if (code >= 128 || PLAIN_CODES[code] === 0) return this.text(goString(text));
      block[position++] = code;
    }
    block[position++] = QUOTE;
    this.position = position;
  }

  set(set: ResultSet | null | undefined, indent: string): void {
    if (!set) return this.bytes(NULL);
    if (!Object.isFrozen(set)) return this.text(printSet(set, indent));
    this.cut();
    this.pieces.push(printedSet(set, indent));
  }

  /** The pieces written since the last call. */
  take(): Buffer[] {
    this.cut();
    const pieces = this.pieces;
    this.pieces = [];
    return pieces;
  }

  private cut(): void {
    if (this.position > this.start) this.pieces.push(this.block.subarray(this.start, this.position));
    this.start = this.position;
  }

  private reserve(bytes: number): void {
    if (this.block.length - this.position >= bytes) return;
    this.cut();
    this.block = Buffer.allocUnsafeSlow(Math.max(TEXT_BLOCK_BYTES, bytes));
    this.position = this.start = 0;
  }
}

// Results sit at a fixed depth of Polaris's JSON: an entry of the top-level `Results` list.
const RESULT = '    ';
const FIELD = '      ';
const POD_FIELD = '        ';
const CONTAINER = '          ';
const CONTAINER_FIELD = '            ';

// The text around a result's values, as bytes, in the order it is written.
const bytesOf = (text: string) => Buffer.from(text, 'latin1');
const NULL = bytesOf('null');
const RESULT_NAME = bytesOf(`${RESULT}{\n${FIELD}"Name": `);
const RESULT_NAMESPACE = bytesOf(`,\n${FIELD}"Namespace": `);
const RESULT_KIND = bytesOf(`,\n${FIELD}"Kind": `);
const RESULT_RESULTS = bytesOf(`,\n${FIELD}"Results": `);
const RESULT_POD = bytesOf(`,\n${FIELD}"PodResult": `);
const POD_NAME = bytesOf(`{\n${POD_FIELD}"Name": `);
const POD_RESULTS = bytesOf(`,\n${POD_FIELD}"Results": `);
const POD_CONTAINERS = bytesOf(`,\n${POD_FIELD}"ContainerResults": `);
const POD_END = bytesOf(`\n${FIELD}}`);
const NO_CONTAINERS = bytesOf('[]');
const CONTAINERS_START = bytesOf('[\n');
const CONTAINER_NAME = bytesOf(`${CONTAINER}{\n${CONTAINER_FIELD}"Name": `);
const CONTAINER_RESULTS = bytesOf(`,\n${CONTAINER_FIELD}"Results": `);
const CONTAINER_END = bytesOf(`\n${CONTAINER}}`);
const CONTAINERS_END = bytesOf(`${POD_FIELD}]`);
const RESULT_CREATED = bytesOf(`,\n${FIELD}"CreatedTime": `);
const SOURCE_FILE = bytesOf(`,\n${FIELD}"Source": {\n${POD_FIELD}"File": `);
const SOURCE_LINE = bytesOf(`,\n${POD_FIELD}"Line": `);
const SOURCE_END = bytesOf(`\n${FIELD}}`);
const RESULT_END = bytesOf(`\n${RESULT}}`);
const COMMA_NEWLINE = bytesOf(',\n');
const NEWLINE = bytesOf('\n');

function addContainers(out: ReportBytes, containers: readonly ContainerResult[] | null | undefined): void {
  if (!containers) return out.bytes(NULL);
  if (containers.length === 0) return out.bytes(NO_CONTAINERS);
  out.bytes(CONTAINERS_START);
  containers.forEach((container, index) => {
    out.bytes(CONTAINER_NAME);
    out.string(container.Name);
    out.bytes(CONTAINER_RESULTS);
    out.set(container.Results, CONTAINER_FIELD);
    out.bytes(CONTAINER_END);
    out.bytes(index < containers.length - 1 ? COMMA_NEWLINE : NEWLINE);
  });
  out.bytes(CONTAINERS_END);
}

function addPod(out: ReportBytes, pod: PodResult | undefined): void {
  if (!pod) return out.bytes(NULL);
  out.bytes(POD_NAME);
  out.string(pod.Name);
  out.bytes(POD_RESULTS);
  out.set(pod.Results, POD_FIELD);
  out.bytes(POD_CONTAINERS);
  addContainers(out, pod.ContainerResults);
  out.bytes(POD_END);
}

function addResult(out: ReportBytes, result: Result): void {
  out.bytes(RESULT_NAME);
  out.string(result.Name);
  out.bytes(RESULT_NAMESPACE);
  out.string(result.Namespace);
  out.bytes(RESULT_KIND);
  out.string(result.Kind);
  out.bytes(RESULT_RESULTS);
  out.set(result.Results, FIELD);
  out.bytes(RESULT_POD);
  addPod(out, result.PodResult);
  out.bytes(RESULT_CREATED);
  out.string(result.CreatedTime);
  if (result.Source) {
    out.bytes(SOURCE_FILE);
    out.string(result.Source.File);
    out.bytes(SOURCE_LINE);
    out.ascii(JSON.stringify(result.Source.Line));
    out.bytes(SOURCE_END);
  }
  out.bytes(RESULT_END);
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
  text(`${before}[\n`);
  const out = new ReportBytes();
  for (let start = 0; start < results.length; start += RESULTS_PER_CHUNK) {
    const end = Math.min(start + RESULTS_PER_CHUNK, results.length);
    for (let index = start; index < end; index++) {
      addResult(out, results[index]!);
      out.bytes(index < results.length - 1 ? COMMA_NEWLINE : NEWLINE);
    }
    emit(out.take());
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
