// The two readers of platform.yaml. `yaml` keeps every node's position, which
// messages need, but takes 40-50 ms to read the example platform in a fresh
// process (its parser runs cold); js-yaml takes 7-13 ms, and synthesis and
// every command that loads the platform pay that. parsePlatform reads a text
// the fast way first and keeps the result only when the definition has no
// problem at all; any problem, and any text the fast reader gives up on, is
// read again with positions to say where. So for every text the fast reader
// accepts, both must give the same data: its schema below is YAML 1.2 core as
// `yaml` resolves it (js-yaml's own core schema also reads `0b1` and `-0x1` as
// numbers, and `-.5`, `1e400` and huge integers as strings), and it gives up
// where the two differ in ways a schema cannot mend. test/platform/
// yaml-readers.test.ts compares them.

import yaml from 'js-yaml';
import { LineCounter, parseDocument, type Document } from 'yaml';

// js-yaml exports its built-in types at run time; its type declarations omit them.
const builtIn = (yaml as unknown as { types: Record<'null' | 'bool', yaml.Type> }).types;

/**
 * A YAML 1.2 core number type resolved as `yaml` does: the first form whose
 * pattern matches the whole text converts it. One type per tag, because
 * js-yaml keeps only the last of several types with the same tag.
 */
function coreNumber(tag: string, forms: ReadonlyArray<readonly [RegExp, (text: string) => number]>): yaml.Type {
  const formOf = (text: string | null) => (text === null ? undefined : forms.find(([pattern]) => pattern.test(text)));
  return new yaml.Type(tag, {
    kind: 'scalar',
    resolve: (text: string | null) => formOf(text) !== undefined,
    construct: (text: string) => formOf(text)![1](text),
    predicate: (value: unknown) => typeof value === 'number',
  });
}

/** YAML 1.2 core as the `yaml` package implements it (its schema/core), in its order. */
const YAML_CORE_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    builtIn.null,
    builtIn.bool,
    coreNumber('tag:yaml.org,2002:int', [
      [/^0o[0-7]+$/, (text) => parseInt(text.slice(2), 8)],
      [/^[-+]?[0-9]+$/, (text) => parseInt(text, 10)],
      [/^0x[0-9a-fA-F]+$/, (text) => parseInt(text.slice(2), 16)],
    ]),
    coreNumber('tag:yaml.org,2002:float', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (text) => (text.slice(-3).toLowerCase() === 'nan' ? NaN : text.startsWith('-') ? -Infinity : Infinity)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, parseFloat],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, parseFloat],
    ]),
  ],
});

/**
 * Where the readers differ, found in the text: a tag (`!`, `!!int`, `!<…>`), a
 * directive line (`%YAML 1.1` changes how scalars resolve), a `#` right
 * after a quote or a flow collection's end (YAML wants a space before a
 * comment; js-yaml reads `"x"#c` as "x" and a comment), an explicit key
 * (`? [a, b]`: js-yaml joins a collection key's items, `yaml` writes it as
 * YAML), content on a `---` line (`--- a: 1`: YAML refuses a block collection
 * there) and a `\U` escape (js-yaml reads `"\U00110000"`, beyond Unicode).
 */
const READERS_DIFFER = /!|^%|["'\]}]#|(?<![^\s,[{])\?(?:\s|$)|^---[ \t]+[^\s#]|\\U/m;

/** The longest implicit key YAML allows, in characters up to its `:` (the `yaml` package refuses longer). */
const MAX_IMPLICIT_KEY = 1024;

/** Thrown out of js-yaml's listener to give a text up to the other reader. */
const GIVE_UP = new Error('read with positions');

/**
 * The data of a one-document YAML text, read fast; undefined when the text
 * is not valid YAML here, or has something READERS_DIFFER finds, a null key,
 * a collection as a key, a key ending more than MAX_IMPLICIT_KEY characters
 * into its line, or a flow collection or quoted scalar that ends on another
 * line than its node began (the key's line, or the `-`'s). js-yaml accepts
 * some of those that YAML, and `yaml`, refuse (lines indented no more than the
 * key's, long keys), and makes a key of a collection's items joined by commas
 * (`[policy]: x` is the key "policy"; `yaml` writes "[ policy ]"). Only the
 * position-keeping reader gives kaji's reading of those, and its messages.
 */
export function readPlainYaml(text: string): unknown {
  if (READERS_DIFFER.test(text)) return undefined;
  const openedOnLine: number[] = [];
  const listener = (event: 'open' | 'close', state: { line: number; lineStart: number; position: number; kind: string | null; result: unknown }): void => {
    if (event === 'open') {
      openedOnLine.push(state.line);
      return;
    }
    const openLine = openedOnLine.pop();
    const last = text[state.position - 1];
    const closedFlow = state.kind !== 'scalar' && (last === '}' || last === ']');
    const closedQuoted = state.kind === 'scalar' && (last === '"' || last === "'");
    if ((closedFlow || closedQuoted) && openLine !== state.line) throw GIVE_UP;
    if (followedByColon(text, state.position)) {
      // A null or collection key: js-yaml reads `~:` as the key "null" (`yaml`: ""), and joins a collection's items.
      if (typeof state.result === 'object') throw GIVE_UP;
      if (state.position - state.lineStart > MAX_IMPLICIT_KEY) throw GIVE_UP;
    }
  };
  try {
    return yaml.load(text, { schema: YAML_CORE_SCHEMA, listener: listener as yaml.LoadOptions['listener'] });
  } catch {
    return undefined;
  }
}

/** True when `:` comes next on the line: the node just read is an implicit key. */
function followedByColon(text: string, position: number): boolean {
  let at = position;
  while (text[at] === ' ' || text[at] === '\t') at++;
  return text[at] === ':';
}

/** A text read with positions: the document (with its errors and warnings) and where each offset is. */
export interface PositionedYaml {
  readonly document: Document;
  readonly lineCounter: LineCounter;
}

/** Reads a text keeping every node's position; its problems are in document.errors and document.warnings. */
export function readPositionedYaml(text: string): PositionedYaml {
  const lineCounter = new LineCounter();
  // Warnings are refused too (an unknown tag such as !foo would be read as if absent); logLevel keeps yaml off stderr.
  // resolveKnownTags off: !!binary, !!timestamp, !!set... are unknown tags here too, not a Buffer or a Date.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error', resolveKnownTags: false });
  return { document, lineCounter };
}

/** The data of a positioned document; yaml's own alias limit counts uses (100), kaji bounds what they expand to instead. */
export function positionedData(document: Document): unknown {
  return document.toJS({ maxAliasCount: -1 });
}
