// A dry run's diff is the manifests' text, which tenants write: kaji bump and kaji rightsize
// print it with control and bidirectional characters escaped, one diff line per line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBumpResult } from '../../src/cli/bump.js';
import { formatRightsizeResult } from '../../src/cli/rightsize.js';
import type { BumpResult } from '../../src/gitops/bump.js';
import type { RightsizeResult } from '../../src/capacity/rightsize.js';

const DIFF = '--- a/apps/shop/base/deployment.yaml\n+++ b/apps/shop/base/deployment.yaml\n-  cpu: 200m # \u202eevil\u202c\n+  cpu: 410m # \u202eevil\u202c\x1b[2J\n';
const ESCAPED = '-  cpu: 200m # \\u202eevil\\u202c\n+  cpu: 410m # \\u202eevil\\u202c\\x1b[2J\n';

test('kaji bump --dry-run escapes the diff line by line', () => {
  const result = { status: 'dry-run', diff: DIFF, version: { tag: '2.0.0' }, changes: [] } as unknown as BumpResult;
  const text = formatBumpResult(result);
  assert.ok(text.includes(ESCAPED), text);
  for (const raw of ['\u202e', '\u202c', '\x1b']) assert.ok(!text.includes(raw), JSON.stringify(raw));
});

test('kaji rightsize --dry-run escapes the diff line by line', () => {
  const result: RightsizeResult = { status: 'dry-run', diff: DIFF, threshold: 0.1, changes: [], notes: [] };
  const text = formatRightsizeResult(result);
  assert.ok(text.includes(ESCAPED), text);
  for (const raw of ['\u202e', '\u202c', '\x1b']) assert.ok(!text.includes(raw), JSON.stringify(raw));
});

test('kaji rightsize: a run whose moves were all left alone does not say there was nothing to change', () => {
  const change = {
    service: 'shop', namespace: 'shop', workload: { kind: 'Deployment', name: 'shop' }, container: 'app', clusters: ['blue'], vpa: [{ source: 'context blue', target: 410n }],
    resource: 'cpu', current: 200n, recommended: 410n, proposed: 410n, change: 1.05, decision: 'change', skipped: 'green runs this value too',
  } as const;
  const text = formatRightsizeResult({ status: 'unchanged', diff: '', threshold: 0.1, changes: [change], notes: [] });
  assert.match(text, /^not changed: shop Deployment\/shop app cpu in blue: green runs this value too$/m);
  assert.match(text, /nothing changed: 1 request\(s\) would move by 10% or more, but are not changed \(see above\)\.\n$/);
  assert.doesNotMatch(text, /nothing to change/);
});
