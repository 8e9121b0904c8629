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

const DOCUMENT_START = /^---(?:[ \t]|$)/;
const CONTENT = /^\s*(?:#|$)/;

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
    const offset = chunk.findIndex((line, i) => !CONTENT.test(line) && !(i === 0 && /^---\s*$/.test(line)));
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
