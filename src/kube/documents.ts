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
 * A file that holds two JSON values one after the other, as `kubectl get nodes
 * -o json; kubectl get pods -A -o json` writes into one file: YAML's own
 * message ("end of the stream or a document separator is expected") does not
 * say that. Lines and column are the file's, 1-based.
 */
export class SecondJsonValueError extends YamlSyntaxError {
  constructor(
    line: number,
    readonly column: number,
    /** The line where the first value ends. */
    readonly firstEndLine: number,
  ) {
    super(`${secondValueFound(line, column, firstEndLine)}: a file holds one JSON value; put the objects in one List, or separate the values with --- lines (YAML documents)`, line);
  }

  /** The message for a file that `command` writes: kubectl writes one value per run, so one run is the remedy. */
  writtenBy(command: string): string {
    return `${secondValueFound(this.line, this.column, this.firstEndLine)}: give the output of one command, \`${command}\`, rather than of several one after the other`;
  }
}

function secondValueFound(line: number, column: number, firstEndLine: number): string {
  return `a second JSON value starts at line ${line}, column ${column}, after the one that ends at line ${firstEndLine}`;
}

/**
 * Where a second JSON object or array starts after a whole first one (1-based
 * line and column in `text`, and the line the first ends on); undefined when
 * the text is anything else. Called only for text YAML could not parse.
 */
function secondJsonValue(text: string): { readonly line: number; readonly column: number; readonly firstEndLine: number } | undefined {
  const start = BEFORE_CONTENT.exec(text)![0].length;
  const end = jsonContainerEnd(text, start);
  if (end === undefined) return undefined;
  const gap = text.slice(end).search(/\S/);
  const next = end + gap;
  if (gap < 0 || (text[next] !== '{' && text[next] !== '[')) return undefined;
  try {
    JSON.parse(text.slice(start, end));
  } catch {
    return undefined; // the first is no JSON either: YAML's message stands
  }
  return { line: lineAt(text, next), column: next - text.lastIndexOf('\n', next - 1), firstEndLine: lineAt(text, end - 1) };
}

/** The 1-based line of `text` that the character at `index` is on. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

/** What may come before a document's first value: blanks (a byte order mark too: \s takes it), comments, and its `---`. */
const BEFORE_CONTENT = /^(?:\s|#.*)*(?:---(?=\s|$))?(?:\s|#.*)*/;

/** The index just past the `}` or `]` that closes the object or array opened at `start`; undefined when there is none. */
function jsonContainerEnd(text: string, start: number): number | undefined {
  if (text[start] !== '{' && text[start] !== '[') return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if ((char === '}' || char === ']') && --depth === 0) return i + 1;
  }
  return undefined;
}

/**
 * Parses one document the way Kubernetes' YAML reader does: YAML 1.1 scalars
 * (`yes`/`on` are booleans, `010` is octal), as sigs.k8s.io/yaml resolves them.
 */
export function parseDocument(document: DocumentText): unknown {
  try {
    return yaml.load(document.text, { schema: KUBERNETES_YAML_SCHEMA });
  } catch (error) {
    const second = secondJsonValue(document.text);
    if (second) throw new SecondJsonValueError(document.startLine + second.line - 1, second.column, document.startLine + second.firstEndLine - 1);
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
