import yaml from 'js-yaml';
import { KUBERNETES_YAML_SCHEMA } from './yaml-schema.js';

/** One YAML document of a stream: its text and the 1-based line where its content starts. */
export interface DocumentText {
  readonly text: string;
  /** First line of the chunk in the file (where a parse error's line is counted from). */
  readonly startLine: number;
  /** First line with content (not blank, not a comment, not `---`): where reports point. */
  readonly contentLine: number;
}

const DOCUMENT_START = /^---(?:[ \t\r]|$)/;
const CONTENT = /^\s*(?:#|$)/;
/** A `---` line with nothing after it but a comment: no content of the document is on it. */
const BARE_DOCUMENT_START = /^---(?:\s+#.*)?\s*$/;

/** The index of the last of `parts` (in file order) that starts at or before a 1-based line: the one holding it. */
export function partIndexAt(parts: readonly { readonly startLine: number }[], line: number): number {
  let low = 0;
  let high = parts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (parts[middle]!.startLine <= line) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Splits a YAML stream at `---` lines. A `---` at column 0 always starts a new
 * document (YAML ends any block scalar there), so no full parse is needed to
 * know where each document starts, which is what gives every object its line.
 */
export function splitDocuments(text: string): DocumentText[] {
  const lines = text.split('\n');
  const documents: DocumentText[] = [];
  let start = 0;
  const flush = (end: number) => {
    if (end <= start) return;
    const chunk = lines.slice(start, end);
    const offset = chunk.findIndex((line, i) => !CONTENT.test(line) && !(i === 0 && BARE_DOCUMENT_START.test(line)));
    if (offset >= 0) documents.push({ text: chunk.join('\n'), startLine: start + 1, contentLine: start + offset + 1 });
  };
  lines.forEach((line, index) => {
    if (index > start && DOCUMENT_START.test(line)) {
      flush(index);
      start = index;
    }
  });
  flush(lines.length);
  return documents;
}

/** A cut of a YAML stream: text that parses alone as it does in the stream, and its 1-based first line there. */
export interface StreamPiece {
  readonly text: string;
  readonly startLine: number;
}

// A `...` line, as DOCUMENT_START a `---` one, Windows line endings (\r before the \n split at) included.
const DOCUMENT_END = /^\.\.\.(?:[ \t\r]|$)/;
const DIRECTIVE = /^%/;

/**
 * Cuts a YAML stream at the lines where its documents start, as splitDocuments
 * does, keeping every byte: the pieces joined are the text, each line ending
 * with its piece. The directives before a `---` (`%YAML 1.2` after a `...`) go
 * with the document they govern, so each piece parses alone as in the stream;
 * an editor can then work on one document's piece without reading the others.
 */
export function splitStreamPieces(text: string): StreamPiece[] {
  const lines = text.split('\n');
  const starts = [0];
  lines.forEach((line, index) => {
    if (index > starts[starts.length - 1]! && DOCUMENT_START.test(line)) starts.push(withDirectivesBefore(lines, index, starts[starts.length - 1]!));
  });
  const pieces: StreamPiece[] = [];
  starts.forEach((start, i) => {
    const end = starts[i + 1] ?? lines.length;
    const last = end === lines.length;
    pieces.push({ text: lines.slice(start, end).join('\n') + (last ? '' : '\n'), startLine: start + 1 });
  });
  return pieces;
}

/** Where the document whose `---` is at `index` starts, its directives included: the line after the `...` that ends the one before. */
function withDirectivesBefore(lines: readonly string[], index: number, floor: number): number {
  let first = index;
  let directives = false;
  for (let i = index - 1; i > floor; i--) {
    const line = lines[i]!;
    if (DOCUMENT_END.test(line)) return directives ? first : index;
    if (DIRECTIVE.test(line)) directives = true;
    else if (!CONTENT.test(line)) return index;
    first = i;
  }
  return index;
}

/** A YAML parse error with the 1-based line of the file it points to. */
export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Parses one document the way Kubernetes' YAML reader does: YAML 1.1 scalars
 * (`yes`/`on` are booleans, `010` is octal), as sigs.k8s.io/yaml resolves them.
 */
export function parseDocument(document: DocumentText): unknown {
  try {
    return yaml.load(document.text, { schema: KUBERNETES_YAML_SCHEMA });
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    // js-yaml may point one line past the end of the text (end of stream): keep the line inside the document.
    const lastLine = document.startLine + document.text.replace(/\n+$/, '').split('\n').length - 1;
    const line = Math.min(document.startLine + (mark?.line ?? 0), lastLine);
    throw new YamlSyntaxError(`invalid YAML: ${reason}`, line);
  }
}

/** A parsed document and the 1-based line where its content starts. */
export interface ParsedDocument {
  readonly value: unknown;
  readonly line: number;
}

/**
 * Parses a whole YAML stream in one pass (the fast path: one parser run per
 * file) and takes each document's line from the parser's first node event in
 * that document. Throws on any syntax error; callers then fall back to parsing
 * document by document to say which documents are broken and keep the others.
 */
export function parseStream(text: string): ParsedDocument[] {
  const lines: number[] = [];
  const values = yaml.loadAll(text, undefined, {
    schema: KUBERNETES_YAML_SCHEMA,
    listener(type, state) {
      // The first node opened while N documents are complete is document N's root.
      if (type === 'open' && lines.length === (state as unknown as { documents: unknown[] }).documents.length) {
        lines.push(state.line + 1);
      }
    },
  });
  return values.map((value, index) => ({ value, line: lines[index] ?? 1 }));
}
