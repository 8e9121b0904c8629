import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { goRegExp, GoRegexError } from '../../src/policy/custom/goregex.js';
import { runBounded } from '../support/bounded.js';

const matches = (pattern: string, text: string) => goRegExp(pattern).test(text);

describe('Go regexes: flags', () => {
  test('(?i) at the start makes the whole pattern case-insensitive', () => {
    assert.ok(matches('(?i)^abc$', 'ABC'));
    assert.ok(matches('^(?i)quay\\.io', 'QUAY.IO/x'));
  });

  test('(?i) in the middle only affects what follows, up to the end of its group', () => {
    assert.ok(matches('^a(?i)bc$', 'aBc'));
    assert.ok(!matches('^a(?i)bc$', 'ABC'));
    assert.ok(matches('^(x(?i)y)z$', 'xYz'));
    assert.ok(!matches('^(x(?i)y)z$', 'xYZ'));
    assert.ok(matches('^a(?i)b|c$', 'C'), 'the flag survives alternation inside the group');
    assert.ok(matches('^a(?i)[b-d]+$', 'aBcD'));
    assert.ok(!matches('^a(?i)[^b-d]$', 'aB'), 'a negated class is folded before it is negated');
    assert.ok(matches('^a(?i)k$', 'a\u212a'), 'Kelvin sign folds to k, as in Go');
  });

  test('(?i:...) groups and clearing flags', () => {
    assert.ok(matches('^(?i:ab)c$', 'ABc'));
    assert.ok(!matches('^(?i:ab)c$', 'ABC'));
    assert.ok(matches('^(?i)a(?-i:b)$', 'Ab'));
    assert.ok(!matches('^(?i)a(?-i:b)$', 'AB'));
  });

  test('(?s), (?m) and (?U)', () => {
    assert.ok(!matches('^a.b$', 'a\nb'));
    assert.ok(matches('(?s)^a.b$', 'a\nb'));
    assert.ok(matches('^a.b$', 'a\rb'), 'Go\'s . matches \\r');
    assert.ok(matches('(?m)^b$', 'a\nb\nc'));
    assert.ok(!matches('(?m)^b$', 'a\rb\rc'), 'only \\n ends a line in Go');
    // (?U) only swaps greediness, which a yes/no match cannot show: it must parse, and match as before
    assert.ok(matches('(?U)^a+b$', 'aaab'));
  });
});

describe('Go regexes: syntax', () => {
  test('named groups, \\A and \\z', () => {
    assert.ok(matches('(?P<tag>v\\d+)\\z', 'img:v12'));
    assert.ok(matches('(?<tag>v\\d+)\\z', 'img:v12'));
    assert.ok(matches('\\Aab', 'abc'));
    assert.ok(!matches('ab\\z', 'ab\n'));
  });

  test('POSIX and Perl classes are ASCII, as in Go', () => {
    assert.ok(matches('^[[:alpha:]]+$', 'abcXYZ'));
    assert.ok(!matches('^[[:alpha:]]+$', 'é'));
    assert.ok(matches('^[[:^digit:]]+$', 'ab'));
    assert.ok(matches('^[[:digit:][:upper:]]+$', '9Z'));
    assert.ok(!matches('\\s', '\u00a0'), 'Go\'s \\s is [\\t\\n\\f\\r ]');
    assert.ok(!matches('\\s', '\v'));
    assert.ok(matches('^\\w+$', 'a_1'));
  });

  test('\\Q...\\E, escapes and literal braces', () => {
    assert.ok(matches('^\\Qa.b*\\E$', 'a.b*'));
    assert.ok(!matches('^\\Qa.b\\E$', 'axb'));
    assert.ok(matches('^a{,2}$', 'a{,2}'));
    assert.ok(matches('^\\-\\/\\x41\\x{42}\\101$', '-/ABA'));
    assert.ok(matches('^x{2,3}$', 'xxx'));
    assert.ok(matches('^\\pL+$', 'héllo'));
    assert.ok(matches('^\\p{Greek}+$', 'αβγ'));
    assert.ok(matches('^\\\\p{Emoji}$', '\\p{Emoji}'), 'an escaped backslash makes p{Emoji} plain text');
    assert.ok(matches('^\\Q\\p{Emoji}\\E$', '\\p{Emoji}'), 'so does \\Q...\\E');
    assert.throws(() => goRegExp('\\Qx\\E\\p{Emoji}'), GoRegexError, 'a class after \\E is one');
  });

  test('Kubernetes-style patterns work unchanged', () => {
    assert.ok(matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'my-app-1'));
    assert.ok(!matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'My-App'));
    assert.ok(matches('^.+:.+$', 'nginx:1.25'));
  });

  const invalid: [string, RegExp][] = [
    ['(abc', /missing closing \)/],
    ['abc)', /unexpected \)/],
    ['[a-', /missing closing \]/],
    ['a**', /invalid nested repetition operator/],
    ['*a', /missing argument to repetition operator/],
    ['x{1001}', /invalid repeat count/],
    ['(?=a)', /invalid or unsupported Perl syntax/],
    ['(?<!a)b', /invalid named capture/],
    ['(a)\\1', /invalid escape sequence/],
    ['\\Z', /invalid escape sequence/],
    ['[[:nope:]]', /invalid character class range/],
    ['\\C', /invalid escape sequence/],
    // re2js knows these Unicode properties; Go does not (Polaris would refuse the pattern)
    ['^\\p{Emoji}+$', /invalid character class range: `\\p\{Emoji\}`/],
    ['[\\P{White_Space}]', /invalid character class range: `\\P\{White_Space\}`/],
  ];
  for (const [pattern, reason] of invalid) {
    test(`rejects ${pattern}`, () => {
      assert.throws(
        () => goRegExp(pattern),
        (error: unknown) =>
          error instanceof GoRegexError && /^error parsing regexp: /.test(error.message) && reason.test(error.message) && error.message.endsWith(` in \`${pattern}\``) && error.pattern === pattern,
      );
    });
  }
});

describe('Go regexes: matching time', () => {
  // A backtracking engine takes 2^n steps on these (Go, and RE2, take n); the
  // child process is killed if they do not finish, so a regression fails.
  test('nested and overlapping repetition on a long non-matching text', () => {
    const results = runBounded(
      `import { goRegExp } from './src/policy/custom/goregex.ts';
       const text = 'a'.repeat(5000) + 'b';
       console.log(['^(a+)+$', '^(a|aa)*$', '^(.*a){20}$', '^(a+)+b$'].map((pattern) => goRegExp(pattern).test(text)).join(','));`,
      20,
    );
    assert.equal(results, 'false,false,false,true');
  });
});
