import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAudit, formatPretty } from '../../src/report/index.js';
import { message, sampleAudit } from './fixture.js';

const ESC = '\x1b[';

describe('formatPretty', () => {
  test('groups by object with file:line, ends with counts and the score', () => {
    const text = formatPretty(sampleAudit(), { color: false });
    assert.ok(text.includes('Deployment/shop/web  deploy/web.yaml:3\n'));
    assert.ok(text.includes('Service/shop/web  deploy/web.yaml:40\n'));
    assert.ok(text.endsWith('4 passed, 3 warnings, 2 dangers; score 53\n'));
    assert.ok(!text.includes(ESC), 'no ANSI codes without colour');
  });

  test('failures first with their marks, containers indented under the object', () => {
    const lines = formatPretty(sampleAudit(), { color: false }).split('\n');
    const at = (prefix: string) => lines.findIndex((line) => line.startsWith(prefix));
    assert.ok(at('  ⚠ deploymentMissingReplicas') < at('  ✓ hostIPCSet'));
    assert.ok(at('  container app') > at('  ✓ hostNetworkSet'));
    assert.ok(at('    ✗ runAsRootAllowed') < at('    ✓ cpuLimitsMissing'));
    assert.ok(at('    ✗ tagNotSpecified') < at('    ⚠ livenessProbeMissing'), 'dangers before warnings');
    assert.match(lines[at('    ✗ runAsRootAllowed')] ?? '', /Should not be allowed to run as root {2}danger$/);
  });

  test('onlyFailed hides passed checks and objects without failures but keeps the full counts', () => {
    const audit = sampleAudit();
    audit.Results.push({ Name: 'clean', Namespace: 'shop', Kind: 'ConfigMap', Results: {}, CreatedTime: '', Source: { File: 'cm.yaml', Line: 1 } });
    const text = formatPretty(audit, { color: false, onlyFailed: true });
    assert.ok(!text.includes('✓'));
    assert.ok(!text.includes('ConfigMap/shop/clean'));
    assert.ok(text.includes('  container app\n    ✗ runAsRootAllowed'));
    assert.ok(text.endsWith('4 passed, 3 warnings, 2 dangers; score 53\n'));
    assert.equal(formatAudit(audit, 'pretty', { onlyFailed: true }), text);
  });

  test('no heading with nothing under it: a container or object no shown check applies to is left out (--checks, a ConfigMap)', () => {
    const audit = sampleAudit();
    // As --checks hostNetworkSet leaves it: the pod's check, nothing for the containers or the Service.
    const web = audit.Results[0]!;
    web.Results = {};
    web.PodResult = { ...web.PodResult!, Results: { hostNetworkSet: web.PodResult!.Results.hostNetworkSet! }, ContainerResults: web.PodResult!.ContainerResults.map((c) => ({ ...c, Results: {} })) };
    audit.Results[1]!.Results = {};
    audit.Results.push({ Name: 'clean', Namespace: 'shop', Kind: 'ConfigMap', Results: {}, CreatedTime: '', Source: { File: 'cm.yaml', Line: 1 } });
    const text = formatPretty(audit, { color: false });
    assert.ok(text.startsWith('Deployment/shop/web  deploy/web.yaml:3\n  ✓ hostNetworkSet  Host network is not configured\n\n'), text);
    assert.doesNotMatch(text, /container|Service\/shop\/web|ConfigMap/);
    for (const result of audit.Results) result.PodResult = undefined;
    assert.ok(formatPretty(audit, { color: false }).startsWith('No check applies to the 3 objects audited.\n'));
  });

  test("control characters in a manifest's names are shown as \\xNN, never sent to the terminal", () => {
    const audit = sampleAudit();
    const web = audit.Results[0]!;
    web.Name = 'web\x1b[2K\r\x1b[32mall good\nfake';
    web.PodResult!.ContainerResults[0]!.Name = 'app\x1b]0;title\x07';
    const text = formatPretty(audit, { color: false });
    assert.doesNotMatch(text, /(?!\n)\p{Cc}/u, 'no control character but the line ends');
    assert.ok(text.includes('Deployment/shop/web\\x1b[2K\\x0d\\x1b[32mall good\\x0afake  deploy/web.yaml:3\n'));
    assert.ok(text.includes('  container app\\x1b]0;title\\x07\n'));
  });

  test('bidirectional controls in a name are shown as \\uNNNN, so a name cannot reverse what the terminal shows after it', () => {
    const audit = sampleAudit();
    audit.Results[0]!.Name = 'web\u202egnp.evil\u2066x\u2069\u200f';
    const text = formatPretty(audit, { color: false });
    assert.doesNotMatch(text, /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/u);
    assert.ok(text.includes('Deployment/shop/web\\u202egnp.evil\\u2066x\\u2069\\u200f  deploy/web.yaml:3\n'), text);
  });

  test('colour codes only with color: true; passed checks dim', () => {
    const text = formatPretty(sampleAudit(), { color: true });
    assert.ok(text.includes(`${ESC}31m`), 'red for dangers');
    assert.ok(text.includes(`${ESC}33m`), 'yellow for warnings');
    assert.ok(text.includes(`${ESC}2m✓ hostIPCSet`), 'passed checks dim');
    const stripped = text.split(ESC).map((part, i) => (i === 0 ? part : part.replace(/^[0-9;]*m/, ''))).join('');
    assert.equal(stripped, formatPretty(sampleAudit(), { color: false }));
  });

  test('says so when nothing was audited or nothing failed', () => {
    const empty = { ...sampleAudit(), Results: [], Score: 0 };
    assert.ok(formatPretty(empty, { color: false }).startsWith('No objects audited.\n'));
    const audit = sampleAudit();
    const passing = { ...audit, Results: audit.Results.slice(1).map((r) => ({ ...r, Results: { serviceType: r.Results.serviceType! } })) };
    assert.ok(formatPretty(passing, { color: false, onlyFailed: true }).startsWith('No failed checks.\n'));
  });
});

describe('formatPretty on a large audit', () => {
  test('a pod of 10,000 containers (more check IDs than a call takes arguments) prints, aligned', () => {
    const set = Object.freeze(
      Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`check${index}`, message(`check${index}`, index > 0, 'warning', 'Test', 'm')])),
    );
    const audit = sampleAudit();
    audit.Results = [
      {
        Name: 'big',
        Namespace: 'shop',
        Kind: 'Pod',
        Results: {},
        PodResult: { Name: '', Results: {}, ContainerResults: Array.from({ length: 10_000 }, (_, index) => ({ Name: `c${index}`, Results: set })) },
        CreatedTime: '0001-01-01T00:00:00Z',
      },
    ];
    const text = formatPretty(audit, { color: false, onlyFailed: true });
    assert.equal(text.split('\n').filter((line) => line.includes('check0 ')).length, 10_000);
  });
});
