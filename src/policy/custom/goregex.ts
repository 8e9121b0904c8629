// Go (RE2) regular expressions, as Polaris's JSON Schema `pattern` sees them,
// compiled by re2js, a JavaScript port of RE2: Go's syntax and meaning (`.`
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
    super(`error parsing regexp: ${reason}`);
  }
}

/** A compiled Go regular expression. */
export interface GoRegex {
  /** Whether it matches anywhere in `text`, like Go's MatchString. */
  test(text: string): boolean;
}

/** Compiles a Go regular expression; throws GoRegexError, with Go's message, for syntax Go rejects. */
export function goRegExp(pattern: string): GoRegex {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    const message = (error as Error).message;
    throw new GoRegexError(pattern, message.replace(/^error parsing regexp: /, ''));
  }
}
