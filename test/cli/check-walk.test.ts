// What kaji check and kaji fix read when they walk a folder: the files that
// are no manifests (a platform's own YAML and JSON) are left out with a note;
// symbolic links are read as Polaris's folder walk reads them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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

  test("a walk leaves out kaji synth's output and CDK cloud assemblies, with a note; named as a PATH, synth's output is read", async () => {
    // A platform's folder after kaji synth: out/ renders manifests/ again, and a cloud assembly's assets may hold any YAML.
    const synthSummary = JSON.stringify({ platform: 'acme', dangers: 0, clusters: [{ cluster: 'blue', services: [] }] });
    const tree = tempTree({
      'platform.yaml': 'platform: {name: acme}\n',
      'manifests/apps/web/web.yaml': deployment,
      'out/summary.json': synthSummary,
      'out/blue/web.yaml': deployment,
      'out/cdk.out/cdk.out': '{"version":"55.0.0"}',
      'out/cdk.out/manifest.json': '{"version":"55.0.0","artifacts":{}}',
      'infra/cdk.out/cdk.out': '{"version":"55.0.0"}',
      'infra/cdk.out/asset.1234/chart/deployment.yaml': deployment,
      'infra/cdk.json': '{"app": "npx tsx bin/app.mts"}',
    });
    try {
      const root = await kaji(['check', tree.root, '--format', 'json'], { cwd: tree.root });
      assert.equal(root.code, 0, root.stderr);
      const files = (run: { stdout: string }) => (JSON.parse(run.stdout) as { Results: { Source: { File: string } }[] }).Results.map((result) => result.Source.File);
      assert.deepEqual(files(root), [tree.path('manifests/apps/web/web.yaml')], 'each object once, from its source');
      assert.equal(
        root.stderr,
        'kaji: note: left out 2 files of the folders read with no Kubernetes object (no document has an apiVersion or a kind): infra/cdk.json, platform.yaml\n' +
          "kaji: note: left out kaji synth's output out (the manifests it rendered, again); give it as a PATH to check it: kaji check out\n" +
          'kaji: note: left out 1 CDK cloud assembly (generated CloudFormation and assets, no manifests): infra/cdk.out\n',
      );

      const out = await kaji(['check', tree.path('out'), '--format', 'json'], { cwd: tree.root });
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(files(out), [tree.path('out/blue/web.yaml')]);
      assert.equal(
        out.stderr,
        'kaji: note: left out 1 file of the folders read with no Kubernetes object (no document has an apiVersion or a kind): out/summary.json\n' +
          'kaji: note: left out 1 CDK cloud assembly (generated CloudFormation and assets, no manifests): out/cdk.out\n',
      );

      // A summary.json that kaji synth did not write leaves its folder to the walk.
      const other = tempTree({
        'reports/summary.json': '{"services": []}',
        'reports/web.yaml': deployment,
        'staging/out/summary.json': synthSummary,
        "it's/out/summary.json": synthSummary,
      });
      try {
        const run = await kaji(['check', other.root, '--format', 'json'], { cwd: other.root });
        assert.deepEqual(files(run), [other.path('reports/web.yaml')]);
        assert.match(run.stderr, /left out 1 file .*: reports\/summary\.json$/m);
        assert.match(
          run.stderr,
          /^kaji: note: left out 2 folders of kaji synth's output: it's\/out, staging\/out \(the manifests it rendered, again\); give one as a PATH to check it: kaji check 'it'\\''s\/out'$/m,
        );
      } finally {
        other.cleanup();
      }

      // kaji fix walks as kaji check does, with the same notes: synth's copy is not edited (the next synth would write it again).
      writeFileSync(tree.path('polaris.yaml'), policy);
      const fixed = await kaji(['fix', tree.root, '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(fixed.code, 0, fixed.stderr);
      assert.match(readFileSync(tree.path('manifests/apps/web/web.yaml'), 'utf8'), /imagePullPolicy: Always/);
      assert.equal(readFileSync(tree.path('out/blue/web.yaml'), 'utf8'), deployment);
      assert.equal(readFileSync(tree.path('infra/cdk.out/asset.1234/chart/deployment.yaml'), 'utf8'), deployment);
      assert.equal(
        fixed.stderr,
        'kaji: note: left out 3 files of the folders read with no Kubernetes object (no document has an apiVersion or a kind): infra/cdk.json, platform.yaml, polaris.yaml\n' +
          "kaji: note: left out kaji synth's output out (the manifests it rendered, again): a fix there is lost when kaji synth runs again, so fix the sources it renders and run kaji synth; to check it: kaji check out\n" +
          'kaji: note: left out 1 CDK cloud assembly (generated CloudFormation and assets, no manifests): infra/cdk.out\n',
      );

      // Named, synth's output (or a file in it) and a cloud assembly's folder are refused, once each (exit 1); the rest is fixed.
      writeFileSync(tree.path('manifests/apps/web/web.yaml'), deployment);
      const named = await kaji(['fix', ...['out', 'out/blue/web.yaml', 'infra/cdk.out/asset.1234/chart', 'manifests'].map(tree.path), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(named.code, 1, named.stderr);
      assert.equal(
        named.stderr,
        "kaji: out: kaji synth's output (it holds the summary.json kaji synth writes): nothing in it was fixed, as kaji synth writes it anew; fix the sources it renders, then run kaji synth\n" +
          "kaji: infra/cdk.out: a CDK cloud assembly (it holds the CDK's cdk.out file): nothing in it was fixed, as cdk synth writes it anew; change the CDK app instead\n",
      );
      assert.equal(named.stdout, 'fixed manifests/apps/web/web.yaml: 1 mutation (pullPolicyNotAlways 1)\nkaji fix: changed 1 file, 1 mutation (pullPolicyNotAlways 1)\n');
      assert.equal(readFileSync(tree.path('out/blue/web.yaml'), 'utf8'), deployment);
      assert.equal(readFileSync(tree.path('infra/cdk.out/asset.1234/chart/deployment.yaml'), 'utf8'), deployment);
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
