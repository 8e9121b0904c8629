import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

const privileged = `apiVersion: v1
kind: Pod
metadata: {name: root, namespace: shop}
spec:
  containers:
    - name: app
      image: registry.example.com/root:1.0
      imagePullPolicy: IfNotPresent
      securityContext: {privileged: true}
`;

describe('list flags', () => {
  test('an empty value (--cluster "$UNSET") is refused, exit 2, not taken as every cluster, check or mutation', async () => {
    const tree = tempTree({
      'pod.yaml': privileged,
      'p.yaml': 'checks:\n  runAsPrivileged: danger\n  pullPolicyNotAlways: warning\nmutations:\n  - pullPolicyNotAlways\n',
    });
    try {
      const refused = (flag: string) => new RegExp(`option '${flag}' argument ' ?' is invalid\\. it is empty; give at least one name, or leave the flag out\\.`);
      const check = await kaji(['check', tree.path('pod.yaml'), '--config', tree.path('p.yaml'), '--checks', '', '--set-exit-code-on-danger']);
      assert.equal(check.code, 2);
      assert.match(check.stderr, refused('--checks <ids>'));
      assert.equal(check.stdout, '');
      const fix = await kaji(['fix', tree.path('pod.yaml'), '--config', tree.path('p.yaml'), '--checks', ' ']);
      assert.equal(fix.code, 2);
      assert.match(fix.stderr, refused('--checks <ids>'));
      assert.equal(readFileSync(tree.path('pod.yaml'), 'utf8'), privileged, 'nothing fixed');
      const bump = await kaji(['bump', 'antenna', '1.5.0', '--cluster', '', '--dry-run', '--platform', tree.root]);
      assert.equal(bump.code, 2);
      assert.match(bump.stderr, refused('--cluster <name>'));
      // A repeated flag still adds up, and empty items between commas are dropped.
      const both = await kaji(['check', tree.path('pod.yaml'), '--config', tree.path('p.yaml'), '--checks', 'runAsPrivileged,', '--checks', 'pullPolicyNotAlways', '--format', 'json']);
      assert.equal(both.code, 0, both.stderr);
      assert.deepEqual(Object.keys(JSON.parse(both.stdout).Results[0].PodResult.ContainerResults[0].Results).sort(), ['pullPolicyNotAlways', 'runAsPrivileged']);
    } finally {
      tree.cleanup();
    }
  });
});

test('--base takes only a branch name git accepts: anything else is a usage error (exit 2), before any git runs', async () => {
  for (const command of [['bump', 'antenna', '1.7.0'], ['rightsize'], ['upgrade', 'next']]) {
    for (const base of ['-x', 'a..b', 'main.lock', 'a b']) {
      const refused = await kaji([...command, '--platform', '/nonexistent', '--base', base]);
      assert.equal(refused.code, 2, `${command.join(' ')} --base ${base}`);
      assert.match(refused.stderr, new RegExp(`option '--base <branch>' argument '${base.replace('.', '\\.')}' is invalid\\. it is not a branch name git accepts`));
    }
  }
});

test('upgrade --steps: an empty value or item is refused as not a percentage (exit 2), not read as a step of 0 %', async () => {
  for (const steps of ['', '10,,100', '10, ,100', 'ten,100', '1.5,100']) {
    const refused = await kaji(['upgrade', 'start', '--platform', '/nonexistent', '--steps', steps]);
    assert.equal(refused.code, 2, steps);
    assert.match(refused.stderr, /option '--steps <percentages>' argument '.*' is invalid\. use whole percentages, e\.g\. 10,50,100\./, steps);
  }
  // Well formed, it reaches the platform (here: none there).
  const read = await kaji(['upgrade', 'start', '--platform', '/nonexistent', '--steps', ' 10%, 50.0 %,100']);
  assert.match(read.stderr, /no platform\.yaml in \/nonexistent/);
});
