import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAudit, formatJson, formatPretty, formatSarif, isReportFormat, REPORT_FORMATS, type ReportFormat } from '../../src/report/index.js';
import { sampleAudit } from './fixture.js';

describe('formatAudit', () => {
  test('knows every format', () => {
    assert.deepEqual([...REPORT_FORMATS], ['pretty', 'json', 'yaml', 'score', 'sarif', 'junit', 'markdown']);
    assert.ok(isReportFormat('sarif'));
    assert.ok(!isReportFormat('html'));
  });

  for (const format of REPORT_FORMATS) {
    test(`${format}: non-empty, ends with a newline, does not change the audit`, () => {
      const audit = sampleAudit();
      const before = JSON.stringify(audit);
      for (const onlyFailed of [false, true]) {
        const text = formatAudit(audit, format, { onlyFailed, cwd: '/repo' });
        assert.ok(text.length > 1 && text.endsWith('\n'));
      }
      assert.equal(JSON.stringify(audit), before);
    });
  }

  test('dispatches to the individual formats with their options', () => {
    const audit = sampleAudit();
    assert.equal(formatAudit(audit, 'json'), formatJson(audit));
    assert.equal(formatAudit(audit, 'pretty', { color: true }), formatPretty(audit, { color: true }));
    assert.equal(
      formatAudit(audit, 'sarif', { toolVersion: '9.9.9', cwd: '/repo' }),
      formatSarif(audit, { toolVersion: '9.9.9', cwd: '/repo' }),
    );
  });

  test('rejects an unknown format naming the known ones', () => {
    assert.throws(() => formatAudit(sampleAudit(), 'html' as ReportFormat), /unknown report format "html"; expected one of pretty, json/);
  });
});
