import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';
import { parseXml } from '../support/xml.js';

const good = `apiVersion: apps/v1
kind: Deployment
metadata: {name: good, namespace: shop}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/good:1.0
`;
const root = good.replace('name: good,', 'name: root,').replace('good:1.0', 'root:1.0\n          securityContext: {privileged: true}');
const policy = 'checks:\n  runAsPrivileged: danger\n  tagNotSpecified: warning\n';

describe('kaji check', () => {
  test('prints Polaris JSON with one result per object and the score', async () => {
    const tree = tempTree({ 'm/a.yaml': `${good}---\n${root}`, 'p.yaml': policy });
    try {
      const { code, stdout, stderr } = await kaji(['check', tree.path('m'), '--config', tree.path('p.yaml'), '--format', 'json']);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      const report = JSON.parse(stdout);
      assert.deepEqual(report.Results.map((r: { Name: string }) => r.Name), ['good', 'root']);
      const rootContainer = report.Results[1].PodResult.ContainerResults[0];
      assert.equal(rootContainer.Results.runAsPrivileged.Success, false);
      assert.equal(rootContainer.Results.runAsPrivileged.Severity, 'danger');
      assert.equal(report.Score, Math.trunc((6 / 8) * 100));
    } finally {
      tree.cleanup();
    }
  });

  test('a path given twice (as itself and through ./) is read once: each object reported and scored once', async () => {
    const tree = tempTree({ 'm/a.yaml': `${good}---\n${root}`, 'p.yaml': policy });
    try {
      const { code, stdout, stderr } = await kaji(['check', tree.path('m/a.yaml'), tree.path('m/./a.yaml'), '--config', tree.path('p.yaml'), '--format', 'json']);
      assert.equal(code, 0, stderr);
      const report = JSON.parse(stdout);
      assert.deepEqual(report.Results.map((r: { Name: string }) => r.Name), ['good', 'root']);
    } finally {
      tree.cleanup();
    }
  });

  test('exit codes: 3 on danger, 4 below score, 1 when an input is unreadable, 2 for bad flags', async () => {
    const tree = tempTree({ 'a.yaml': root, 'p.yaml': policy, 'bad.yaml': 'kind: [' });
    try {
      const args = ['check', tree.path('a.yaml'), '--config', tree.path('p.yaml'), '--format', 'score'];
      assert.equal((await kaji(args)).code, 0);
      assert.equal((await kaji([...args, '--set-exit-code-on-danger'])).code, 3);
      assert.equal((await kaji([...args, '--set-exit-code-below-score', '80'])).code, 4);
      assert.equal((await kaji([...args, '--set-exit-code-below-score', '50'])).code, 0);
      const withBad = await kaji([...args, tree.path('bad.yaml')]);
      assert.equal(withBad.code, 1);
      assert.match(withBad.stderr, /bad\.yaml:1: invalid YAML/);
      assert.equal(withBad.stdout.trim(), '50', 'the readable input is still audited');
      const badFlag = await kaji([...args, '--format', 'xml']);
      assert.equal(badFlag.code, 2);
      assert.match(badFlag.stderr, /Allowed choices are pretty, json, yaml, score, sarif, junit, markdown/);
      assert.equal((await kaji([...args, '--set-exit-code-below-score', '101'])).code, 2);
    } finally {
      tree.cleanup();
    }
  });

  test('related objects count from any later file: PDB, ServiceAccount, Role, and a Namespace custom check', async () => {
    const tree = tempTree({
      'm/1-workloads.yaml': `${good.replace('replicas: 2\n  template:\n', 'replicas: 2\n  template:\n    metadata: {labels: {app: good}}\n').replace('    spec:\n', '    spec:\n      serviceAccountName: good\n')}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
`,
      'm/2-later/related.yaml': `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: good, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: good}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: good, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: shop}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
`,
      'p.yaml': `checks: {missingPodDisruptionBudget: warning, automountServiceAccountToken: warning, rolebindingRolePodExecAttach: danger, nsHasConfigMap: warning}
customChecks:
  nsHasConfigMap: {target: Namespace, schema: {}, additionalSchemas: {ConfigMap: {}}}
`,
    });
    try {
      const { code, stdout, stderr } = await kaji(['check', tree.path('m'), '--config', tree.path('p.yaml'), '--format', 'json']);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      const results = JSON.parse(stdout).Results as { Kind: string; Results: Record<string, { Success: boolean }>; PodResult?: { Results: Record<string, { Success: boolean }> } }[];
      const byKind = (kind: string) => results.find((result) => result.Kind === kind)!;
      assert.equal(byKind('Deployment').Results.missingPodDisruptionBudget!.Success, true);
      assert.equal(byKind('Deployment').PodResult!.Results.automountServiceAccountToken!.Success, true);
      assert.equal(byKind('RoleBinding').Results.rolebindingRolePodExecAttach!.Success, false);
      assert.equal(byKind('Namespace').Results.nsHasConfigMap!.Success, true);
    } finally {
      tree.cleanup();
    }
  });

  test('a bad configuration is one line naming file, line and key, exit 2', async () => {
    const tree = tempTree({ 'a.yaml': good, 'p.yaml': 'checks:\n  runAsPrivileged: fatal\n' });
    try {
      const { code, stderr, stdout } = await kaji(['check', tree.path('a.yaml'), '--config', tree.path('p.yaml')]);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1);
      assert.match(stderr, /p\.yaml:2: checks\.runAsPrivileged: unknown severity "fatal"/);
      assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/, 'no stack trace');
    } finally {
      tree.cleanup();
    }
  });

  test('check IDs that are names of Object (toString, constructor) are unknown checks, not a crash', async () => {
    const tree = tempTree({ 'a.yaml': good, 'p.yaml': 'checks:\n  toString: warning\n', 'q.yaml': 'checks:\n  runAsPrivileged: danger\nmutations: [constructor]\n' });
    try {
      const severity = await kaji(['check', tree.path('a.yaml'), '--config', tree.path('p.yaml')]);
      assert.equal(severity.code, 2, severity.stderr);
      assert.match(severity.stderr, /p\.yaml:2: checks\.toString: unknown check "toString"/);
      const mutation = await kaji(['check', tree.path('a.yaml'), '--config', tree.path('q.yaml')]);
      assert.equal(mutation.code, 2, mutation.stderr);
      assert.match(mutation.stderr, /mutations\[0\]: unknown check "constructor"/);
      const flag = await kaji(['check', tree.path('a.yaml'), '--checks', 'toString']);
      assert.equal(flag.code, 2, flag.stderr);
      assert.match(flag.stderr, /^kaji: --checks: unknown check "toString"; the configuration's checks: /);
    } finally {
      tree.cleanup();
    }
  });

  test('--only-show-failed-tests, --severity and --checks narrow the report', async () => {
    const tree = tempTree({ 'a.yaml': root, 'p.yaml': policy });
    try {
      const base = ['check', tree.path('a.yaml'), '--config', tree.path('p.yaml'), '--format', 'json'];
      const ids = (stdout: string) =>
        JSON.parse(stdout).Results[0].PodResult.ContainerResults[0].Results as Record<string, { Success: boolean }>;
      assert.deepEqual(Object.keys(ids((await kaji(base)).stdout)).sort(), ['runAsPrivileged', 'tagNotSpecified']);
      assert.deepEqual(Object.keys(ids((await kaji([...base, '--only-show-failed-tests'])).stdout)), ['runAsPrivileged']);
      assert.deepEqual(Object.keys(ids((await kaji([...base, '--severity', 'danger'])).stdout)), ['runAsPrivileged']);
      assert.deepEqual(Object.keys(ids((await kaji([...base, '--checks', 'tagNotSpecified'])).stdout)), ['tagNotSpecified']);
      const unknown = await kaji([...base, '--checks', 'nope']);
      assert.equal(unknown.code, 2);
      assert.equal(unknown.stderr, `kaji: --checks: unknown check "nope"; the configuration's checks: runAsPrivileged, tagNotSpecified\n`);
      // A typo names the closest check; one kaji knows that the configuration leaves out says where to add it.
      const typos = await kaji([...base, '--checks', 'tagNotSpecifed,runAsPrivileged,hostPIDSet']);
      assert.equal(typos.code, 2);
      assert.equal(
        typos.stderr,
        'kaji: --checks: unknown check "tagNotSpecifed" (did you mean "tagNotSpecified"?); "hostPIDSet" is not in the configuration: ' +
          "list it under checks: (warning or danger) to run it; the configuration's checks: runAsPrivileged, tagNotSpecified\n",
      );
      // A typo of a check the configuration leaves out, or of removedApiVersion, names it too, with what it needs.
      const outside = await kaji([...base, '--checks', 'hostPIDSt,removedApiVersoin']);
      assert.equal(outside.code, 2);
      assert.equal(
        outside.stderr,
        'kaji: --checks: unknown check "hostPIDSt" (did you mean "hostPIDSet"?, which is not in the configuration: list it under checks: (warning or danger) to run it); ' +
          'unknown check "removedApiVersoin" (did you mean "removedApiVersion"?, which runs only in kaji check with --kubernetes-version 1.N); ' +
          "the configuration's checks: runAsPrivileged, tagNotSpecified\n",
      );
    } finally {
      tree.cleanup();
    }
  });

  test('inputs that cannot be parsed are errors in the junit report, error notifications in SARIF and a table in Markdown, exit 1', async () => {
    const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n';
    const tree = tempTree({ 'm/a.yaml': root, 'm/broken.yaml': broken, 'p.yaml': policy });
    try {
      const args = ['check', tree.path('m'), '--config', tree.path('p.yaml')];
      const junit = await kaji([...args, '--format', 'junit'], { cwd: tree.root });
      assert.equal(junit.code, 1);
      assert.match(junit.stderr, /^kaji: m\/broken\.yaml:4: invalid YAML/);
      const suites = parseXml(junit.stdout);
      assert.deepEqual([suites.attributes.errors, suites.attributes.failures], ['1', '1']);
      assert.deepEqual(suites.children.map((suite) => [suite.attributes.name, suite.attributes.errors]), [
        ['inputs', '1'],
        ['Deployment/shop/root', '0'],
      ]);
      const [testcase] = suites.children[0]!.children;
      assert.deepEqual([testcase?.attributes.file, testcase?.attributes.line], [tree.path('m/broken.yaml'), '4']);
      const error = testcase?.children[0];
      assert.deepEqual([error?.name, error?.attributes.type], ['error', 'input']);
      assert.match(error?.attributes.message ?? '', /^invalid YAML/);
      assert.equal(error?.text, `${tree.path('m/broken.yaml')}:4: ${error?.attributes.message}`);

      const sarif = await kaji([...args, '--format', 'sarif'], { cwd: tree.root });
      assert.equal(sarif.code, 1);
      const run = JSON.parse(sarif.stdout).runs[0];
      assert.deepEqual(run.results.map((result: { ruleId: string }) => result.ruleId), ['runAsPrivileged']);
      assert.equal(run.invocations[0].executionSuccessful, false);
      const [notification] = run.invocations[0].toolExecutionNotifications;
      assert.equal(notification.level, 'error');
      assert.match(notification.message.text, /^m\/broken\.yaml:4: invalid YAML/);
      assert.deepEqual(notification.locations[0].physicalLocation, {
        artifactLocation: { uri: 'm/broken.yaml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 4 },
      });

      const markdown = await kaji([...args, '--format', 'markdown'], { cwd: tree.root });
      assert.equal(markdown.code, 1);
      assert.match(markdown.stdout, /^### kaji check: score \d+\n\n⚠️ 1 input could not be checked:\n\n\| Input \| Problem \|\n\| --- \| --- \|\n\| `m\/broken\.yaml:4` \| invalid YAML[^\n]* \|\n\n1 danger, 0 warnings, 1 passed\n/u);
    } finally {
      tree.cleanup();
    }
  });

  test('reads standard input and writes the report atomically to --output-file', async () => {
    const tree = tempTree({ 'p.yaml': policy });
    try {
      const out = tree.path('report.sarif');
      const { code, stdout } = await kaji(['check', '-', '--config', tree.path('p.yaml'), '--format', 'sarif', '-o', out], { stdin: root });
      assert.equal(code, 0);
      assert.equal(stdout, '');
      const sarif = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(sarif.version, '2.1.0');
      assert.equal(sarif.runs[0].results[0].ruleId, 'runAsPrivileged');
    } finally {
      tree.cleanup();
    }
  });

  test('an --output-file that cannot be written (a folder, under a file) is one line naming it, exit 2', async () => {
    const tree = tempTree({ 'a.yaml': good, taken: 'a file\n' });
    try {
      const args = ['check', tree.path('a.yaml'), '--format', 'score'];
      const folder = await kaji([...args, '-o', tree.root]);
      assert.equal(folder.code, 2);
      assert.equal(folder.stderr, `kaji: --output-file ${tree.root} is a folder; give the path of a file to write the report to\n`);
      const underFile = await kaji([...args, '-o', tree.path('taken/report.txt')]);
      assert.equal(underFile.code, 2);
      assert.match(underFile.stderr, /^kaji: cannot create the folder \S*taken: [a-z ]+; a file is in the way: choose another path\n$/);
      assert.equal(folder.stdout + underFile.stdout, '');
    } finally {
      tree.cleanup();
    }
  });

  test('an empty --config file does not turn the gate off: exit 2 naming the file, no report', async () => {
    const tree = tempTree({ 'm/a.yaml': root, 'polaris.yaml': '' });
    try {
      const { code, stdout, stderr } = await kaji(['check', tree.path('m'), '--config', tree.path('polaris.yaml'), '--set-exit-code-on-danger']);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, /^kaji: invalid configuration: \S*polaris\.yaml: the configuration is empty .*; list the checks under checks:/);
    } finally {
      tree.cleanup();
    }
  });

  test('a folder it may not read is an input problem naming it, exit 1, as an unreadable file is', { skip: process.getuid?.() === 0 && 'root reads every folder' }, async () => {
    const tree = tempTree({ 'm/a.yaml': good });
    try {
      chmodSync(tree.path('m'), 0o000);
      const { code, stderr } = await kaji(['check', tree.path('m')]);
      assert.equal(code, 1);
      assert.match(stderr, /^kaji: \S*m: cannot list the folder: permission denied; check its permissions, or choose another path\n$/);
    } finally {
      chmodSync(tree.path('m'), 0o700);
      tree.cleanup();
    }
  });

  test("an input problem's line shows a file name's control characters as \\xNN, not raw to the terminal", async () => {
    const tree = tempTree({ 'bad\x1b[2K\r.yaml': 'kind: [' });
    try {
      const { code, stderr } = await kaji(['check', tree.root, '--format', 'score']);
      assert.equal(code, 1);
      assert.doesNotMatch(stderr, /(?!\n)\p{Cc}/u);
      assert.match(stderr, /bad\\x1b\[2K\\x0d\.yaml:1: invalid YAML/);
    } finally {
      tree.cleanup();
    }
  });

  test('pretty output names file:line of failures and ends with the score', async () => {
    const tree = tempTree({ 'a.yaml': `${good}---\n${root}`, 'p.yaml': policy });
    try {
      const { stdout } = await kaji(['check', tree.path('a.yaml'), '--config', tree.path('p.yaml')], { cwd: tree.root });
      assert.match(stdout, /a\.yaml:12/);
      assert.match(stdout, /runAsPrivileged/);
      assert.match(stdout, /75/);
      assert.ok(!stdout.includes('\u001b['), 'no colour when output is not a terminal');
    } finally {
      tree.cleanup();
    }
  });

  test('--help lists every flag', async () => {
    const { code, stdout } = await kaji(['check', '--help']);
    assert.equal(code, 0);
    for (const flag of ['--config', '--merge-config', '--format', '--only-show-failed-tests', '--severity', '--checks', '--set-exit-code-on-danger', '--set-exit-code-below-score', '--output-file']) {
      assert.ok(stdout.includes(flag), `help mentions ${flag}`);
    }
  });

  test('the installed bin runs the example platform check', { skip: !existsSync('dist/cli/main.js') }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['dist/cli/main.js', 'check', 'examples/labs/manifests', '--config', 'examples/labs/polaris.yaml', '--format', 'score']);
    assert.match(stdout, /^\d{1,3}\n$/);
  });
});
