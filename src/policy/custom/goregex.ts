// Translates Go (RE2) regular expressions, as Polaris's JSON Schema `pattern`
// sees them, into JavaScript RegExps with the same meaning.
//
// The translation is explicit rather than textual: `.` becomes `[^\n]`, `\s`
// becomes Go's ASCII `[\t\n\f\r ]`, `(?m)` anchors only look at `\n`, `(?U)`
// swaps greediness, and a flag group such as `(?i)` in the middle of a pattern
// is emulated by expanding letters into their case variants (`k` → `[kKK]`)
// unless the whole pattern can take the `i` flag without changing its meaning.

/** A Go regular expression that Go would reject, or that kaji cannot express in JavaScript. */
export class GoRegexError extends Error {
  override readonly name = 'GoRegexError';
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`error parsing regexp: ${reason} in \`${pattern}\``);
  }
}

export interface TranslatedRegex {
  readonly source: string;
  /** Always contains `u`; `i` when the whole pattern is case-insensitive. */
  readonly flags: string;
}

/** Compiles a Go regular expression into an equivalent JavaScript RegExp (unanchored, like Go's MatchString). */
export function goRegExp(pattern: string): RegExp {
  const { source, flags } = translateGoRegex(pattern);
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new GoRegexError(pattern, `cannot express in JavaScript (${(error as Error).message})`);
  }
}

/** Translates a Go regular expression; throws GoRegexError for syntax Go rejects or kaji does not support. */
export function translateGoRegex(pattern: string): TranslatedRegex {
  const probe = new Translator(pattern, 'probe');
  probe.run();
  if (probe.caseRelevantInFold && !probe.caseRelevantOutsideFold) {
    // Every letter is under (?i): a global `i` flag means exactly the same.
    const global = new Translator(pattern, 'global');
    return { source: global.run(), flags: 'iu' };
  }
  if (!probe.caseRelevantInFold) return { source: probe.output, flags: 'u' };
  const expanded = new Translator(pattern, 'expand');
  return { source: expanded.run(), flags: 'u' };
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

type Range = [number, number];
type Mode = 'probe' | 'global' | 'expand';

const MAX_CODE_POINT = 0x10ffff;
const MAX_REPEAT = 1000;

const PERL_CLASSES: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: PERL_CLASSES.w ?? [],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

/** Unicode general categories as Go names them; any other `\p{Name}` is a script. */
const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

class Translator {
  private pos = 0;
  output = '';
  caseRelevantInFold = false;
  caseRelevantOutsideFold = false;
  /** Flags of each open group, innermost last. */
  private readonly stack: { flags: Flags; capture: boolean }[] = [];
  private flags: Flags = { i: false, m: false, s: false, U: false };
  /** What the last emitted item was, for repetition checks. */
  private last: 'none' | 'atom' | 'repeat' | 'empty' = 'none';

  constructor(
    private readonly pattern: string,
    private readonly mode: Mode,
  ) {}

  run(): string {
    const p = this.pattern;
    while (this.pos < p.length) {
      const c = p[this.pos] as string;
      switch (c) {
        case '(':
          this.openGroup();
          break;
        case ')':
          this.closeGroup();
          break;
        case '|':
          this.pos++;
          this.emit('|', 'none');
          break;
        case '*':
        case '+':
        case '?':
          this.repeat(c, 1);
          break;
        case '{':
          this.braceOrLiteral();
          break;
        case '[':
          this.characterClass();
          break;
        case '.':
          this.pos++;
          this.emit(this.flags.s ? '[\\s\\S]' : '[^\\n]', 'atom');
          break;
        case '^':
          this.pos++;
          this.emit(this.flags.m ? '(?:^|(?<=\\n))' : '^', 'empty');
          break;
        case '$':
          this.pos++;
          this.emit(this.flags.m ? '(?:$|(?=\\n))' : '$', 'empty');
          break;
        case '\\':
          this.escape();
          break;
        default: {
          const cp = p.codePointAt(this.pos) as number;
          this.pos += cp > 0xffff ? 2 : 1;
          this.literal(cp);
        }
      }
    }
    if (this.stack.length > 0) this.fail('missing closing )');
    return this.output;
  }

  private fail(reason: string): never {
    throw new GoRegexError(this.pattern, reason);
  }

  private emit(text: string, kind: 'atom' | 'empty' | 'none' | 'repeat'): void {
    this.output += text;
    this.last = kind;
  }

  private noteCase(relevant: boolean): void {
    if (!relevant) return;
    if (this.flags.i) this.caseRelevantInFold = true;
    else this.caseRelevantOutsideFold = true;
  }

  private get folding(): boolean {
    return this.flags.i && this.mode === 'expand';
  }

  private literal(cp: number): void {
    const variants = caseVariants(cp);
    this.noteCase(variants.length > 1);
    if (this.folding && variants.length > 1) this.emit(classSource(toRanges(variants), false), 'atom');
    else this.emit(escapeLiteral(cp), 'atom');
  }

  private openGroup(): void {
    const p = this.pattern;
    if (p.startsWith('(?', this.pos)) {
      const named = /^\(\?P?<([A-Za-z0-9_]*)>/.exec(p.slice(this.pos));
      if (named) {
        const name = named[1] as string;
        if (name === '' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.fail(`invalid named capture: \`${named[0]}\``);
        this.pos += named[0].length;
        this.stack.push({ flags: { ...this.flags }, capture: true });
        this.emit(`(?<${name}>`, 'none');
        return;
      }
      const flagGroup = /^\(\?([imsU]*(?:-[imsU]*)?)([:)])/.exec(p.slice(this.pos));
      if (!flagGroup) {
        const end = p.indexOf(')', this.pos);
        this.fail(`invalid or unsupported Perl syntax: \`${p.slice(this.pos, end === -1 ? this.pos + 3 : end + 1)}\``);
      }
      const spec = flagGroup[1] as string;
      if (spec === '' && flagGroup[2] === ')') this.fail('missing argument to repetition operator: `(?)`');
      if (spec.endsWith('-')) this.fail(`invalid or unsupported Perl syntax: \`${flagGroup[0]}\``);
      const next = { ...this.flags };
      let negate = false;
      for (const f of spec) {
        if (f === '-') negate = true;
        else next[f as keyof Flags] = !negate;
      }
      this.pos += flagGroup[0].length;
      if (flagGroup[2] === ')') {
        // (?flags): applies to the rest of the current group.
        this.flags = next;
        return;
      }
      this.stack.push({ flags: { ...this.flags }, capture: false });
      this.flags = next;
      this.emit('(?:', 'none');
      return;
    }
    this.pos++;
    this.stack.push({ flags: { ...this.flags }, capture: true });
    this.emit('(', 'none');
  }

  private closeGroup(): void {
    const group = this.stack.pop();
    if (!group) this.fail('unexpected )');
    this.pos++;
    this.flags = group.flags;
    this.emit(')', 'atom');
  }

  private repeat(op: string, length: number): void {
    const p = this.pattern;
    const text = p.slice(this.pos, this.pos + length);
    if (this.last === 'none') this.fail(`missing argument to repetition operator: \`${text}\``);
    if (this.last === 'repeat') this.fail(`invalid nested repetition operator: \`${text}\``);
    this.pos += length;
    let lazy = false;
    if (p[this.pos] === '?') {
      lazy = true;
      this.pos++;
    }
    if (this.flags.U) lazy = !lazy;
    // JavaScript (u) rejects quantified assertions; Go accepts them: wrap in a group.
    if (this.last === 'empty') this.output = wrapLastAssertion(this.output);
    this.emit(op + (lazy ? '?' : ''), 'repeat');
  }

  private braceOrLiteral(): void {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.pattern.slice(this.pos));
    if (!match) {
      this.pos++;
      this.literal(0x7b);
      return;
    }
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? -1 : Number(match[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max !== -1 && max < min)) {
      this.fail(`invalid repeat count: \`${match[0]}\``);
    }
    this.repeat(match[0], match[0].length);
  }

  private escape(): void {
    const p = this.pattern;
    const c = p[this.pos + 1];
    if (c === undefined) this.fail('trailing backslash at end of expression');
    if (c === 'Q') {
      const end = p.indexOf('\\E', this.pos + 2);
      const text = end === -1 ? p.slice(this.pos + 2) : p.slice(this.pos + 2, end);
      this.pos = end === -1 ? p.length : end + 2;
      for (const ch of text) this.literal(ch.codePointAt(0) as number);
      return;
    }
    switch (c) {
      case 'A':
        this.pos += 2;
        this.emit('^', 'empty');
        return;
      case 'z':
        this.pos += 2;
        this.emit('$', 'empty');
        return;
      case 'b':
      case 'B':
        this.pos += 2;
        this.emit('\\' + c, 'empty');
        return;
    }
    const ranges = this.classEscape();
    if (ranges.kind === 'ranges') this.classAtom(ranges.ranges, false);
    else if (ranges.kind === 'property') {
      this.noteCase(true);
      if (this.folding) this.fail(`\\p classes under a partial (?i) are not supported: \`${ranges.text}\``);
      this.emit(ranges.source, 'atom');
    } else this.literal(ranges.cp);
  }

  /** Parses an escape at `pos` (a backslash) usable both inside and outside classes. */
  private classEscape():
    | { kind: 'char'; cp: number }
    | { kind: 'ranges'; ranges: Range[] }
    | { kind: 'property'; source: string; text: string } {
    const p = this.pattern;
    const start = this.pos;
    const c = p[this.pos + 1] as string;
    this.pos += 2;
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (c in simple) return { kind: 'char', cp: simple[c] as number };
    const lower = c.toLowerCase();
    if (lower in PERL_CLASSES && (c === 'd' || c === 's' || c === 'w' || c === 'D' || c === 'S' || c === 'W')) {
      const ranges = PERL_CLASSES[lower] as Range[];
      return { kind: 'ranges', ranges: c === lower ? ranges : negate(ranges) };
    }
    if (c === 'p' || c === 'P') {
      let name: string;
      if (p[this.pos] === '{') {
        const end = p.indexOf('}', this.pos);
        if (end === -1) this.fail(`invalid character class range: \`${p.slice(start)}\``);
        name = p.slice(this.pos + 1, end);
        this.pos = end + 1;
      } else {
        const cp = p.codePointAt(this.pos);
        if (cp === undefined) this.fail(`invalid character class range: \`${p.slice(start)}\``);
        name = String.fromCodePoint(cp);
        this.pos += name.length;
      }
      let negated = c === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      const text = p.slice(start, this.pos);
      if (!/^[A-Za-z_]+$/.test(name)) this.fail(`invalid character class range: \`${text}\``);
      if (name === 'Any') return { kind: 'ranges', ranges: negated ? [] : [[0, MAX_CODE_POINT]] };
      const property = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
      const source = `\\${negated ? 'P' : 'p'}{${property}}`;
      try {
        new RegExp(source, 'u');
      } catch {
        this.fail(`invalid character class range: \`${text}\``);
      }
      return { kind: 'property', source, text };
    }
    if (c === 'x') {
      let hex: string;
      if (p[this.pos] === '{') {
        const end = p.indexOf('}', this.pos);
        hex = end === -1 ? '' : p.slice(this.pos + 1, end);
        if (end === -1 || !/^[0-9A-Fa-f]+$/.test(hex)) this.fail(`invalid escape sequence: \`${p.slice(start, end + 1)}\``);
        this.pos = end + 1;
      } else {
        hex = p.slice(this.pos, this.pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail(`invalid escape sequence: \`${p.slice(start, this.pos + 2)}\``);
        this.pos += 2;
      }
      const cp = parseInt(hex, 16);
      if (cp > MAX_CODE_POINT) this.fail(`invalid escape sequence: \`${p.slice(start, this.pos)}\``);
      return { kind: 'char', cp };
    }
    if (c >= '0' && c <= '7') {
      // Go: a lone non-zero digit would be a backreference, which RE2 does not support.
      if (c !== '0' && !/[0-7]/.test(p[this.pos] ?? '')) this.fail(`invalid escape sequence: \`\\${c}\``);
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(p[this.pos] ?? '')) digits += p[this.pos++];
      return { kind: 'char', cp: parseInt(digits, 8) };
    }
    const cp = c.codePointAt(0) as number;
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return { kind: 'char', cp };
    if (c === 'C') this.fail('\\C (any byte) is not supported');
    this.fail(`invalid escape sequence: \`\\${c}\``);
  }

  private classAtom(ranges: Range[], alreadyNegated: boolean): void {
    const relevant = rangesHaveCase(ranges);
    this.noteCase(relevant);
    const folded = this.folding && relevant ? foldRanges(ranges) : ranges;
    this.emit(classSource(folded, alreadyNegated), 'atom');
  }

  private characterClass(): void {
    const p = this.pattern;
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (p[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    const properties: string[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= p.length) this.fail(`missing closing ]: \`${p.slice(start)}\``);
      const c = p[this.pos] as string;
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[' && p[this.pos + 1] === ':') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(this.pos));
        if (posix) {
          const set = POSIX_CLASSES[posix[2] as string];
          if (!set) this.fail(`invalid character class range: \`${posix[0]}\``);
          ranges.push(...(posix[1] ? negate(set) : set));
          this.pos += posix[0].length;
          continue;
        }
      }
      const lo = this.classChar(properties);
      if (lo === undefined) continue;
      if (Array.isArray(lo)) {
        ranges.push(...lo);
        continue;
      }
      if (p[this.pos] === '-' && p[this.pos + 1] !== ']' && this.pos + 1 < p.length) {
        const rangeStart = this.pos;
        this.pos++;
        const hi = this.classChar(properties);
        if (hi === undefined || Array.isArray(hi) || hi < lo) {
          this.fail(`invalid character class range: \`${p.slice(this.pos - (this.pos - rangeStart) - 1, this.pos)}\``);
        }
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    if (properties.length > 0) {
      this.noteCase(true);
      if (this.folding) this.fail(`\\p classes under a partial (?i) are not supported: \`${p.slice(start, this.pos)}\``);
      const body = normalize(ranges).map(rangeSource).join('') + properties.join('');
      this.emit(`[${negated ? '^' : ''}${body}]`, 'atom');
      return;
    }
    // Go folds the class first, then negates it.
    const relevant = rangesHaveCase(ranges);
    this.noteCase(relevant);
    const folded = this.folding && relevant ? foldRanges(ranges) : ranges;
    this.emit(classSource(negated ? negate(folded) : folded, false), 'atom');
  }

  /** One member of a class: a code point, a set of ranges, or undefined after pushing a \p property. */
  private classChar(properties: string[]): number | Range[] | undefined {
    const p = this.pattern;
    if (p[this.pos] === '\\') {
      const escaped = this.classEscape();
      if (escaped.kind === 'char') return escaped.cp;
      if (escaped.kind === 'ranges') return escaped.ranges;
      properties.push(escaped.source);
      return undefined;
    }
    const cp = p.codePointAt(this.pos) as number;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

function wrapLastAssertion(output: string): string {
  for (const assertion of ['(?:^|(?<=\\n))', '(?:$|(?=\\n))', '^', '$', '\\b', '\\B']) {
    if (output.endsWith(assertion)) return output.slice(0, -assertion.length) + `(?:${assertion})`;
  }
  return output;
}

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function escapeLiteral(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if ('^$\\.*+?()[]{}|/'.includes(ch)) return '\\' + ch;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp <= 0xdfff)) return hex(cp);
  return ch;
}

function rangeSource([lo, hi]: Range): string {
  const one = (cp: number) => (cp < 0x20 || cp > 0x7e || /[\\\]^[-]/.test(String.fromCodePoint(cp)) ? hex(cp) : String.fromCodePoint(cp));
  return lo === hi ? one(lo) : `${one(lo)}-${one(hi)}`;
}

function classSource(ranges: Range[], negated: boolean): string {
  const list = normalize(ranges);
  if (list.length === 0) return negated ? '[\\s\\S]' : '[^\\s\\S]';
  return `[${negated ? '^' : ''}${list.map(rangeSource).join('')}]`;
}

/** Sorts and merges overlapping or adjacent ranges. */
function normalize(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function negate(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function toRanges(cps: readonly number[]): Range[] {
  return normalize(cps.map((cp) => [cp, cp] as Range));
}

/** The highest code point with a case mapping (Adlam); folding stops there. */
const LAST_CASED = 0x1e943;
let foldOrbits: Map<number, number[]> | undefined;

/** Case-fold orbits (k, K, U+212A KELVIN SIGN ...), built once on first use. */
function orbits(): Map<number, number[]> {
  if (foldOrbits) return foldOrbits;
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) as number;
    return root;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (!parent.has(ra)) parent.set(ra, ra);
    if (!parent.has(rb)) parent.set(rb, rb);
    if (ra !== rb) parent.set(rb, ra);
  };
  for (let cp = 0; cp <= LAST_CASED; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    for (const mapped of [ch.toLowerCase(), ch.toUpperCase()]) {
      const m = mapped.codePointAt(0) as number;
      if (mapped !== ch && mapped.length === String.fromCodePoint(m).length && m !== cp) union(cp, m);
    }
  }
  const groups = new Map<number, number[]>();
  for (const cp of parent.keys()) {
    const root = find(cp);
    const list = groups.get(root) ?? [];
    list.push(cp);
    groups.set(root, list);
  }
  foldOrbits = new Map();
  for (const list of groups.values()) if (list.length > 1) for (const cp of list) foldOrbits.set(cp, list);
  return foldOrbits;
}

/** The code point and every code point that case-folds to the same letter. */
function caseVariants(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  if (cp > LAST_CASED || (ch.toLowerCase() === ch && ch.toUpperCase() === ch && !orbits().has(cp))) return [cp];
  return orbits().get(cp) ?? [cp];
}

function rangesHaveCase(ranges: readonly Range[]): boolean {
  const table = orbits();
  for (const [lo, hi] of ranges) {
    for (let cp = lo; cp <= Math.min(hi, LAST_CASED); cp++) if (table.has(cp)) return true;
  }
  return false;
}

function foldRanges(ranges: readonly Range[]): Range[] {
  const table = orbits();
  const extra: Range[] = [];
  for (const [lo, hi] of ranges) {
    for (let cp = lo; cp <= Math.min(hi, LAST_CASED); cp++) {
      const orbit = table.get(cp);
      if (orbit) for (const v of orbit) extra.push([v, v]);
    }
  }
  return normalize([...ranges, ...extra]);
}
