import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';

// A CronJob in an API removed in 1.25, an object never removed, and a custom resource sharing the removed kind's name.
const manifests = `apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: app, image: registry.example.com/app:1.0}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
---
apiVersion: example.com/v1beta1
kind: CronJob
metadata: {name: custom, namespace: shop}
`;
// Only a warning check: any danger comes from the removed API.
const policy = 'checks:\n  tagNotSpecified: warning\n';
const removed = 'batch/v1beta1 CronJob was removed in Kubernetes 1.25 and is not served by 1.35: change apiVersion to batch/v1';

interface JsonResult {
  Name: string;
  Results: Record<string, { Success: boolean; Severity: string; Message: string; Category: string }>;
}

describe('kaji check --kubernetes-version', () => {
  const checkArgs = (tree: ReturnType<typeof tempTree>, ...more: string[]) => ['check', tree.path('m.yaml'), '--config', tree.path('p.yaml'), ...more];

  test('without the flag, removed APIs are not judged', async () => {
    const tree = tempTree({ 'm.yaml': manifests, 'p.yaml': policy });
    try {
      const { code, stdout } = await kaji(checkArgs(tree, '--format', 'json', '--set-exit-code-on-danger'));
      assert.equal(code, 0);
      assert.ok(!stdout.includes('removedApiVersion'), stdout);
    } finally {
      tree.cleanup();
    }
  });

  test('an apiVersion the version no longer serves is a danger with the fix, in json and the exit code; others pass or are not judged', async () => {
    const tree = tempTree({ 'm.yaml': manifests, 'p.yaml': policy });
    try {
      const { code, stdout, stderr } = await kaji(checkArgs(tree, '--kubernetes-version', '1.35', '--format', 'json', '--set-exit-code-on-danger'));
      assert.equal(stderr, '');
      assert.equal(code, 3);
      const report = JSON.parse(stdout) as { Results: JsonResult[]; Score: number };
      const [cronJob, configMap, custom] = report.Results;
      assert.deepEqual(cronJob!.Results.removedApiVersion, {
        ID: 'removedApiVersion', Message: removed, Details: null, Success: false, Severity: 'danger', Category: 'Reliability', Mutations: null, Comments: null,
      });
      assert.equal(configMap!.Results.removedApiVersion!.Success, true);
      assert.equal(configMap!.Results.removedApiVersion!.Message, 'apiVersion is not among those removed by Kubernetes 1.35');
      assert.equal(custom!.Results.removedApiVersion, undefined, 'a custom resource is not judged');
      // The score counts it: one danger and the ConfigMap's pass besides the CronJob's passed tagNotSpecified.
      assert.equal(report.Score, Math.trunc((2 / 3) * 100));

      const before = await kaji(checkArgs(tree, '--kubernetes-version', '1.24', '--format', 'json', '--set-exit-code-on-danger'));
      assert.equal(before.code, 0, 'batch/v1beta1 is still served by 1.24');
      assert.equal((JSON.parse(before.stdout) as { Results: JsonResult[] }).Results[0]!.Results.removedApiVersion!.Success, true);
    } finally {
      tree.cleanup();
    }
  });

  test('every output format shows the finding where it is', async () => {
    const tree = tempTree({ 'm.yaml': manifests, 'p.yaml': policy });
    try {
      const run = async (format: string) => (await kaji(checkArgs(tree, '--kubernetes-version', '1.35', '--format', format))).stdout;
      assert.match(await run('pretty'), new RegExp(`CronJob/shop/nightly  .*m\\.yaml:1\\n  ✗ removedApiVersion +${removed.replace(/[./]/g, '\\$&')}  danger`));
      assert.match(await run('yaml'), /removedApiVersion:\n(\s+\w+: .*\n)*?\s+Message: "batch\/v1beta1 CronJob was removed in Kubernetes 1\.25/);
      const sarif = JSON.parse(await run('sarif'));
      const [result] = sarif.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'removedApiVersion');
      assert.equal(result.level, 'error');
      assert.equal(result.message.text, `CronJob/shop/nightly: ${removed}`);
      assert.equal(result.locations[0].physicalLocation.region.startLine, 1);
      // The rule describes the check, not the first object it failed on.
      const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'removedApiVersion');
      assert.equal(rule.shortDescription.text, 'apiVersion no longer served by the Kubernetes version checked against (--kubernetes-version)');
      assert.match(await run('junit'), new RegExp(`<testcase classname="CronJob/shop/nightly" name="removedApiVersion" file="[^"]*m\\.yaml" line="1">\\n\\s+<failure message="${removed.replace(/[./]/g, '\\$&')}" type="danger">`));
      assert.match(await run('markdown'), /\| 🔴 danger \| `removedApiVersion` \| `CronJob\/shop\/nightly` \| `[^`]*m\.yaml:1` \| batch\/v1beta1 CronJob was removed in Kubernetes 1\.25 and is not served by 1\.35: change apiVersion to batch\/v1 \|/);
      assert.equal((await run('score')).trim(), '66');
    } finally {
      tree.cleanup();
    }
  });

  test('a kustomize folder is judged as rendered', { skip: !hasKubectl }, async () => {
    const tree = tempTree({
      'app/kustomization.yaml': 'resources: [hpa.yaml]\nnamespace: shop\n',
      'app/hpa.yaml': 'apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 3}\n',
      'p.yaml': policy,
    });
    try {
      const { code, stdout } = await kaji(['check', tree.path('app'), '--config', tree.path('p.yaml'), '--kubernetes-version', '1.26', '--format', 'pretty', '--only-show-failed-tests', '--set-exit-code-on-danger']);
      assert.equal(code, 3, stdout);
      assert.match(stdout, /HorizontalPodAutoscaler\/shop\/web .*\n {2}✗ removedApiVersion +autoscaling\/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1\.26 and is not served by 1\.26: change apiVersion to autoscaling\/v2 +danger\n/);
    } finally {
      tree.cleanup();
    }
  });

  test('--checks names the removed-API check like any other: alone it runs by itself; left out, it does not run', async () => {
    const tree = tempTree({ 'm.yaml': manifests, 'p.yaml': policy });
    try {
      // Which of the two checks the JSON report holds results of (tagNotSpecified is a container's check).
      const ids = async (...more: string[]) => {
        const { code, stdout, stderr } = await kaji(checkArgs(tree, '--kubernetes-version', '1.35', '--format', 'json', ...more));
        assert.equal(stderr, '');
        assert.equal(code, 0);
        return ['removedApiVersion', 'tagNotSpecified'].filter((id) => stdout.includes(`"ID": "${id}"`));
      };
      assert.deepEqual(await ids(), ['removedApiVersion', 'tagNotSpecified']);
      assert.deepEqual(await ids('--checks', 'removedApiVersion'), ['removedApiVersion']);
      assert.deepEqual(await ids('--checks', 'tagNotSpecified'), ['tagNotSpecified']);
      assert.deepEqual(await ids('--checks', 'tagNotSpecified,removedApiVersion'), ['removedApiVersion', 'tagNotSpecified']);
      // Without the flag it does not run: --checks says which flag it needs.
      const { code, stderr } = await kaji(checkArgs(tree, '--checks', 'removedApiVersion'));
      assert.equal(code, 2);
      assert.equal(stderr, 'kaji: --checks: removedApiVersion runs only with --kubernetes-version 1.N, the version to check the apiVersions against\n');
    } finally {
      tree.cleanup();
    }
  });

  test('a version that is not 1.N is a usage error naming the flag, before anything is read', async () => {
    for (const bad of ['1.x', '2', 'v1.35', '']) {
      const { code, stdout, stderr } = await kaji(['check', '/nonexistent', '--kubernetes-version', bad]);
      assert.equal(code, 2, bad);
      assert.equal(stdout, '');
      assert.match(stderr, new RegExp(`option '--kubernetes-version <minor>' argument '${bad.replace('.', '\\.')}' is invalid\\. give a Kubernetes minor version such as 1\\.35\\.`));
    }
  });

  test('a version past the newest the removal table knows is a usage error: a pass there would claim what kaji does not know', async () => {
    const { code, stdout, stderr } = await kaji(['check', '/nonexistent', '--kubernetes-version', '1.99']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /argument '1\.99' is invalid\. kaji knows the API removals up to Kubernetes 1\.35; give that version or an earlier one/);
  });

  test('--help documents the flag', async () => {
    const help = (await kaji(['check', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(help, /--kubernetes-version <minor> also check that this Kubernetes version \(e\.g\. 1\.35\) still serves each object's apiVersion/);
    assert.match(help, /--kubernetes-version knows the API removals of Kubernetes 1\.16 to 1\.35/);
  });
});
