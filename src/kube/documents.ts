import { load, YAML11_SCHEMA } from 'js-yaml';

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
    return load(document.text, { schema: YAML11_SCHEMA });
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    const line = document.startLine + (mark?.line ?? 0);
    throw new YamlSyntaxError(`invalid YAML: ${reason}`, line);
  }
}
