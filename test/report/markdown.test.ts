import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditData } from '../../src/policy/types.js';
import { formatAudit, formatMarkdown } from '../../src/report/index.js';
import { message, sampleAudit } from './fixture.js';

function tableRows(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Severity') && !line.startsWith('| ---'));
}

/** An audit with `count` failing warnings on one ConfigMap. */
function manyFailures(count: number): AuditData {
  const results: Record<string, ReturnType<typeof message>> = {};
  for (let i = 0; i < count; i++) {
    const id = `check${String(i).padStart(3, '0')}`;
    results[id] = message(id, false, 'warning', 'Custom', `failure ${i}`);
  }
  return { ...sampleAudit(), Results: [{ Name: 'cm', Namespace: 'a', Kind: 'ConfigMap', Results: results, CreatedTime: '' }], Score: 0 };
}

describe('formatMarkdown', () => {
  test('heading with the score and counts, then a table of failed checks, dangers first', () => {
    const text = formatMarkdown(sampleAudit());
    assert.ok(text.startsWith('### kaji check: score 53\n\n2 dangers, 3 warnings, 4 passed\n\n| Severity | Check | Object | Location | Message |\n'));
    const rows = tableRows(text);
    assert.equal(rows.length, 5);
    assert.deepEqual(
      rows.map((row) => row.split(' | ')[1]),
      ['`runAsRootAllowed`', '`tagNotSpecified`', '`deploymentMissingReplicas`', '`livenessProbeMissing`', '`customNote`'],
    );
    assert.equal(rows[0], '| 🔴 danger | `runAsRootAllowed` | `Deployment/shop/web` container `app` | `deploy/web.yaml:3` | Should not be allowed to run as root |');
    assert.ok(rows[4]?.includes('| `Service/shop/web` | `deploy/web.yaml:40` | Bad &lt;&amp;"\'&gt; characters |'));
    assert.ok(!text.includes('more failed'));
  });

  test("control characters in a manifest's names and messages are shown as \\xNN, line breaks as spaces", () => {
    const audit = sampleAudit();
    const web = audit.Results[0]!;
    web.Name = 'web\x1b[2K\r\x1b[32mall good\nfake';
    web.PodResult!.ContainerResults[0]!.Name = 'app\x1b]0;title\x07';
    const text = formatMarkdown(audit);
    assert.doesNotMatch(text, /(?!\n)\p{Cc}/u, 'no control character but the line ends');
    const rows = tableRows(text);
    assert.equal(rows.length, 5, 'still one row per failed check');
    assert.equal(rows[0], '| 🔴 danger | `runAsRootAllowed` | `Deployment/shop/web\\x1b[2K \\x1b[32mall good fake` container `app\\x1b]0;title\\x07` | `deploy/web.yaml:3` | Should not be allowed to run as root |');
  });

  test('truncates beyond maxRows with "and N more"', () => {
    const text = formatMarkdown(manyFailures(60));
    assert.equal(tableRows(text).length, 50, 'default 50 rows');
    assert.ok(text.endsWith('\n\n…and 10 more failed checks.\n'));
    const three = formatMarkdown(manyFailures(4), { maxRows: 3 });
    assert.equal(tableRows(three).length, 3);
    assert.ok(three.endsWith('…and 1 more failed check.\n'));
    assert.equal(formatAudit(manyFailures(4), 'markdown', { maxRows: 3 }), three);
  });

  test('a line when every check passes', () => {
    const audit = sampleAudit();
    const passing = { ...audit, Results: audit.Results.slice(1).map((r) => ({ ...r, Results: { serviceType: r.Results.serviceType! } })), Score: 100 };
    const text = formatMarkdown(passing);
    assert.equal(text, '### kaji check: score 100\n\n0 dangers, 0 warnings, 1 passed\n\n✅ All 1 check passed.\n');
  });

  test('table cells cannot break the table', () => {
    const audit = sampleAudit();
    const service = audit.Results[1]!;
    service.Results.customNote = message('customNote', false, 'danger', 'Custom', 'a | b\nc');
    service.Name = 'we|b';
    const row = tableRows(formatMarkdown(audit)).find((r) => r.includes('customNote'))!;
    assert.ok(row.includes('`Service/shop/we\\|b`'));
    assert.ok(row.endsWith('| a \\| b c |'));
  });

  test('inputs that could not be checked are a table above the counts, paths relative to cwd, cells escaped, capped by maxRows', () => {
    const problems = [
      { file: '/repo/m/broken.yaml', line: 4, message: 'invalid YAML: a | b\nc <x>' },
      { file: '/repo/m/gone.yaml', message: 'cannot read: no such file' },
      { file: '/elsewhere/x.yaml', line: 1, message: 'not UTF-8 text' },
    ];
    const text = formatMarkdown(sampleAudit(), { problems, cwd: '/repo' });
    assert.ok(
      text.startsWith(
        '### kaji check: score 53\n\n⚠️ 3 inputs could not be checked:\n\n| Input | Problem |\n| --- | --- |\n' +
          '| `m/broken.yaml:4` | invalid YAML: a \\| b c &lt;x&gt; |\n| `m/gone.yaml` | cannot read: no such file |\n| `/elsewhere/x.yaml:1` | not UTF-8 text |\n\n' +
          '2 dangers, 3 warnings, 4 passed\n\n| Severity |',
      ),
    );
    assert.equal(tableRows(text).filter((row) => /^\| (🔴|🟡) /u.test(row)).length, 5, 'the failed checks are still all listed');
    const capped = formatAudit(sampleAudit(), 'markdown', { problems, cwd: '/repo', maxRows: 1 });
    assert.match(capped, /\| `m\/broken\.yaml:4` \|[^\n]*\n\n…and 2 more inputs\.\n\n2 dangers/);
    const passing = formatMarkdown({ ...sampleAudit(), Results: [], Score: 100 }, { problems: problems.slice(1, 2), cwd: '/repo' });
    assert.equal(passing, '### kaji check: score 100\n\n⚠️ 1 input could not be checked:\n\n| Input | Problem |\n| --- | --- |\n| `m/gone.yaml` | cannot read: no such file |\n\n0 dangers, 0 warnings, 0 passed\n\nNo checks ran.\n');
    assert.equal(formatMarkdown(sampleAudit(), { problems: [] }), formatMarkdown(sampleAudit()), 'no section without problems');
  });
});
