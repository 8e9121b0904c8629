// Go (RE2) regular expressions, as Polaris's JSON Schema `pattern` sees them,
// compiled by re2js (pinned), a JavaScript port of RE2: the syntax and
// meaning of Go's regexp as of Go 1.22, with `(?<name>...)` groups (`.`
// stops at \n only, ASCII `\s`, `(?i)` mid-pattern, `\z`, Unicode classes,
// Go's error messages), and matching in time linear in the input. A
// backtracking JavaScript RegExp can take exponential time on a pattern
// such as ^(a+)+$, and the text it runs on comes from tenants' objects: in
// `kaji check` and in the admission webhook one object could stall it.
import { RE2JS } from 're2js';

/** A Go regular expression that Go would reject. */
export class GoRegexError extends Error {
  override readonly name = 'GoRegexError';
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`error parsing regexp: ${reason} in \`${pattern}\``);
  }
}

/**
 * Unicode properties re2js adds to RE2's tables. Go's regexp knows only the
 * general categories (one or two letters) and the scripts: a pattern using
 * these would work in kaji and fail in Polaris.
 */
const NOT_IN_GO = new Set([
  'ASCII_Hex_Digit', 'Alphabetic', 'Dash', 'Emoji', 'Emoji_Component', 'Emoji_Modifier', 'Emoji_Modifier_Base', 'Emoji_Presentation',
  'Extended_Pictographic', 'Hex_Digit', 'Lowercase', 'Math', 'Quotation_Mark', 'Terminal_Punctuation', 'Uppercase', 'White_Space',
]);
/** \p{Name}, \P{Name} or \p{^Name}, not preceded by an escaping backslash. */
const UNICODE_CLASS = /(?<!\\)(?:\\\\)*\\[pP]\{\^?(\w+)\}/g;

/** A compiled Go regular expression. */
export interface GoRegex {
  /** Whether it matches anywhere in `text`, like Go's MatchString. */
  test(text: string): boolean;
}

/** Compiles a Go regular expression; throws GoRegexError, with Go's message, for syntax Go rejects. */
export function goRegExp(pattern: string): GoRegex {
  // Text between \Q and \E is literal: no class there.
  const outsideQuotes = pattern.replace(/(?<!\\)((?:\\\\)*)\\Q[\s\S]*?(?:\\E|$)/g, '$1');
  for (const [written, name] of outsideQuotes.matchAll(UNICODE_CLASS)) {
    if (NOT_IN_GO.has(name!)) throw new GoRegexError(pattern, `invalid character class range: \`${written.replace(/^(\\\\)*/, '')}\``);
  }
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    const message = (error as Error).message;
    throw new GoRegexError(pattern, message.replace(/^error parsing regexp: /, ''));
  }
}
