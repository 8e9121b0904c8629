import { isMap, LineCounter, parseDocument, type Document } from 'yaml';

/** One step of a path into YAML: a mapping key or a list index. */
export type PathSegment = string | number;

/** A path for messages: keys joined by dots, list indexes in brackets ("spec.containers[0].image"). */
export function pathText(path: readonly PathSegment[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}

/**
 * Finds the lines of key paths in one YAML document's text, with the `yaml`
 * package's position-aware parser; the text is parsed once, on the first
 * question. Meant for error messages: nothing is parsed until one is needed.
 */
export class YamlLines {
  private parsed?: { document: Document; lineCounter: LineCounter };

  constructor(private readonly text: string) {}

  /**
   * The 1-based line of a path: of the key when the path ends at a mapping
   * key, of the item when it ends at a list index. When the path cannot be
   * followed to the end (an alias, a shape other than the path's), the line of
   * its longest prefix that can; undefined when not even the first step can.
   */
  lineOf(path: readonly PathSegment[]): number | undefined {
    const { document, lineCounter } = (this.parsed ??= this.parse());
    for (let depth = path.length; depth > 0; depth--) {
      const keys = path.slice(0, depth);
      const parent = keys.length > 1 ? document.getIn(keys.slice(0, -1), true) : document.contents;
      const last = keys[keys.length - 1];
      let range: readonly number[] | undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === last);
        range = (pair?.key as { range?: readonly number[] } | null)?.range;
      } else {
        range = (document.getIn(keys, true) as { range?: readonly number[] } | undefined)?.range;
      }
      if (range) return lineCounter.linePos(range[0]!).line;
    }
    return undefined;
  }

  private parse(): { document: Document; lineCounter: LineCounter } {
    const lineCounter = new LineCounter();
    // Only positions are read: duplicate keys or odd tags, which a reader of the values may refuse, do not matter here.
    const document = parseDocument(this.text, { lineCounter, keepSourceTokens: false, uniqueKeys: false, logLevel: 'silent' });
    return { document, lineCounter };
  }
}

/** The 1-based line of a key path such as "customChecks.x.schema" or "exemptions[2].rules" in YAML text. */
export function lineOfPath(text: string, path: string): number | undefined {
  if (!path) return undefined;
  const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
  return new YamlLines(text).lineOf(segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
}
