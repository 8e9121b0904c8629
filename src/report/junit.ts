// `--format junit`: JUnit XML for CI test reports. One testsuite per object, one
// testcase per check result; failed checks are <failure> with their severity as type.
// Inputs that could not be read are <error>s in a testsuite of their own, so a CI
// test report is not all green when part of the input was never checked.
import { fileLine, type InputProblem } from '../kube/index.js';
import type { AuditData, Result } from '../policy/types.js';
import { countResults, objectLabel, outcomeOf, resultEntries, sourceLabel, type ResultEntry } from './summary.js';

/** Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text content: markup characters escaped, characters XML cannot carry replaced by U+FFFD. */
export function escapeXmlText(text: string): string {
  return text
    .replace(INVALID_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** An attribute value (in double quotes): as text, plus quotes, and line breaks and tabs kept as character references. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attributes(attrs: Record<string, string | number | undefined>): string {
  return Object.entries(attrs)
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

function testcase(entry: ResultEntry): string {
  const { result, container, message } = entry;
  const classname = container === undefined ? objectLabel(result) : `${objectLabel(result)}/${container}`;
  const open = `    <testcase${attributes({
    classname,
    name: message.ID,
    file: result.Source?.File,
    line: result.Source?.Line,
  })}`;
  const outcome = outcomeOf(message);
  if (outcome === 'success') return `${open}/>`;
  const body = [
    `${message.Category}: ${message.Message}`,
    ...(message.Details ?? []),
    ...(sourceLabel(result) ? [`at ${sourceLabel(result)}`] : []),
  ].join('\n');
  return [
    `${open}>`,
    `      <failure${attributes({ message: message.Message, type: outcome })}>${escapeXmlText(body)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

function testsuite(result: Result): string {
  const counts = countResults(result);
  const open = `  <testsuite${attributes({
    name: objectLabel(result),
    tests: counts.total,
    failures: counts.warnings + counts.dangers,
    errors: 0,
    skipped: 0,
    file: result.Source?.File,
  })}`;
  const cases = [...resultEntries(result)].map(testcase);
  if (cases.length === 0) return `${open}/>`;
  return [`${open}>`, ...cases, '  </testsuite>'].join('\n');
}

/** The name of the testsuite of input problems. */
const INPUTS_SUITE = 'inputs';

function problemTestcase(problem: InputProblem): string {
  const where = fileLine(problem.file, problem.line);
  return [
    `    <testcase${attributes({ classname: INPUTS_SUITE, name: where, file: problem.file, line: problem.line })}>`,
    `      <error${attributes({ message: problem.message, type: 'input' })}>${escapeXmlText(`${where}: ${problem.message}`)}</error>`,
    '    </testcase>',
  ].join('\n');
}

/** Inputs that could not be read or parsed: one erroring testcase each (none without problems). */
function problemsTestsuite(problems: readonly InputProblem[]): string[] {
  if (problems.length === 0) return [];
  const open = `  <testsuite${attributes({ name: INPUTS_SUITE, tests: problems.length, failures: 0, errors: problems.length, skipped: 0 })}>`;
  return [[open, ...problems.map(problemTestcase), '  </testsuite>'].join('\n')];
}

/**
 * The audit as a JUnit XML document (`<testsuites>` with one `<testsuite>` per
 * object), after a testsuite of the input `problems` when there are any.
 */
export function formatJunit(audit: AuditData, problems: readonly InputProblem[] = []): string {
  const counts = countResults(audit);
  const suites = [...problemsTestsuite(problems), ...(audit.Results ?? []).map(testsuite)];
  const open = `<testsuites${attributes({
    name: 'kaji',
    tests: counts.total + problems.length,
    failures: counts.warnings + counts.dangers,
    errors: problems.length,
  })}`;
  const root = suites.length === 0 ? `${open}/>` : [`${open}>`, ...suites, '</testsuites>'].join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}
