// What kaji check and kaji fix read when they walk a folder: the files that
// are no manifests (a platform's own YAML and JSON) are left out with a note;
// symbolic links are read as Polaris's folder walk reads them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync } from 'node:fs';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
          imagePullPolicy: IfNotPresent
`;

const notManifests = {
  'platform.yaml': 'platform: {name: acme}\nclusters: [{name: blue}]\n',
  'infra/package.json': '{"name": "acme-infra", "private": true}\n',
  'out/summary.json': '{"format": 3, "services": []}\n',
  'notes.yaml': '- just\n- a list\n',
  'empty.yaml': '',
};

const policy = 'checks:\n  pullPolicyNotAlways: warning\nmutations:\n  - pullPolicyNotAlways\n';

describe('a folder walk', () => {
  test("kaji check leaves out a folder's files with no apiVersion or kind in any document, with one note; a file named is still judged", async () => {
    const tree = tempTree({ ...notManifests, 'manifests/web.yaml': deployment, 'manifests/half.yaml': `${deployment}---\nmetadata: {name: no-kind}\n` });
    try {
      const run = await kaji(['check', tree.root, '--format', 'json'], { cwd: tree.root });
      assert.equal(run.code, 1, 'half.yaml has a kind in one document: its other document is still a problem');
      assert.equal(
        run.stderr,
        'kaji: manifests/half.yaml:12: missing "kind": every object needs a kind such as Deployment\n' +
          'kaji: note: left out 4 files of the folders read with no Kubernetes object (no document has an apiVersion or a kind): ' +
          'infra/package.json, notes.yaml, out/summary.json and 1 more\n',
      );
      const report = JSON.parse(run.stdout) as { Results: { Name: string }[] };
      assert.deepEqual(report.Results.map((result) => result.Name), ['web', 'web']);

      const named = await kaji(['check', tree.path('platform.yaml')], { cwd: tree.root });
      assert.equal(named.code, 1);
      assert.match(named.stderr, /^kaji: platform\.yaml:1: missing "kind"/m);
      assert.doesNotMatch(named.stderr, /note:/);
    } finally {
      tree.cleanup();
    }
  });

  test('kaji check reads a symbolic link to a file (as Polaris does) and names one to a folder it does not follow', async () => {
    const tree = tempTree({ 'shared/web.yaml': deployment, 'apps/README.md': 'no manifest\n' });
    try {
      symlinkSync('../shared/web.yaml', tree.path('apps/web.yaml'));
      symlinkSync('../shared', tree.path('apps/shared'));
      symlinkSync('../gone.yaml', tree.path('apps/gone.yaml'));
      const run = await kaji(['check', tree.path('apps'), '--format', 'json'], { cwd: tree.root });
      assert.equal(run.code, 1, 'a link to nothing is a file that cannot be read');
      assert.match(run.stderr, /^kaji: apps\/gone\.yaml: cannot read the file: no such file or directory; check the path$/m);
      assert.match(run.stderr, /^kaji: note: did not follow 1 symbolic link to a folder: apps\/shared; give the folder it leads to as a PATH to read it$/m);
      const report = JSON.parse(run.stdout) as { Results: { Name: string; Source: { File: string } }[] };
      assert.deepEqual(report.Results.map((result) => [result.Name, result.Source.File]), [['web', tree.path('apps/web.yaml')]]);
    } finally {
      tree.cleanup();
    }
  });

  test('kaji fix leaves out what kaji check leaves out, and fixes through a link only while it stays inside the PATH', async () => {
    const tree = tempTree({ ...notManifests, 'polaris.yaml': policy, 'apps/web.yaml': deployment, 'elsewhere/web.yaml': deployment });
    try {
      symlinkSync('web.yaml', tree.path('apps/inside.yaml'));
      symlinkSync('../elsewhere/web.yaml', tree.path('apps/outside.yaml'));
      const whole = await kaji(['fix', tree.path('apps'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(whole.code, 1, whole.stderr);
      assert.equal(
        whole.stderr,
        'kaji: apps/outside.yaml: a symbolic link to elsewhere/web.yaml, outside apps, so not fixed: give that file as a PATH to fix it\n',
      );
      assert.match(whole.stdout, /^kaji fix: changed 1 file, 1 mutation/m, 'apps/web.yaml once, however many names lead to it');
      assert.match(readFileSync(tree.path('apps/web.yaml'), 'utf8'), /imagePullPolicy: Always/);
      assert.match(readFileSync(tree.path('elsewhere/web.yaml'), 'utf8'), /imagePullPolicy: IfNotPresent/);

      const root = await kaji(['fix', tree.root, '--config', tree.path('polaris.yaml'), '--dry-run'], { cwd: tree.root });
      assert.match(root.stderr, /^kaji: note: left out 5 files of the folders read with no Kubernetes object .*: infra\/package\.json, notes\.yaml, out\/summary\.json and 2 more$/m);
      assert.doesNotMatch(root.stderr, /missing "kind"/);
    } finally {
      tree.cleanup();
    }
  });
});
