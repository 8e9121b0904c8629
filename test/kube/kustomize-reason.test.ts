import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KustomizeError, kustomizeReason, renderKustomization } from '../../src/kube/kustomize.js';
import { hasKubectl, tempTree } from '../support/files.js';

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n';

/** The message kubectl kustomize's failure to render `overlay` in a tree of `files` gives, with the tree's root shown as ROOT. */
async function failure(files: Record<string, string>, overlay = 'overlay'): Promise<string> {
  const tree = tempTree(files);
  try {
    const error = await renderKustomization(tree.path(overlay)).then(
      () => assert.fail('rendered'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof KustomizeError);
    return error.message.replaceAll(tree.root, 'ROOT');
  } finally {
    tree.cleanup();
  }
}

describe("a failed render's message: file and line first, no klog header", { skip: !hasKubectl }, () => {
  test('broken YAML in a base: the file kustomize read and its line', async () => {
    const message = await failure({
      'overlay/kustomization.yaml': 'resources: [../base]\n',
      'base/kustomization.yaml': 'resources: [app.yaml]\n',
      'base/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: 1\n',
    });
    assert.equal(message, 'kubectl kustomize failed: ROOT/base/app.yaml:5: mapping values are not allowed in this context');
  });

  test('a kustomization that is not valid YAML, or has a field kustomize does not know', async () => {
    assert.equal(
      await failure({ 'overlay/kustomization.yaml': 'resources: [../base]\n', 'base/kustomization.yaml': 'resources: [\n' }),
      'kubectl kustomize failed: ROOT/base/kustomization.yaml:1: did not find expected node content',
    );
    assert.equal(
      await failure({ 'overlay/kustomization.yml': 'resources: [cm.yaml]\nbogus: 1\n', 'overlay/cm.yaml': configMap }),
      'kubectl kustomize failed: ROOT/overlay/kustomization.yml: json: unknown field "bogus"',
    );
  });

  test('a resource that is not there: the kustomization naming it, and the path it looked for', async () => {
    assert.equal(
      await failure({ 'overlay/kustomization.yaml': 'resources: [../base]\n', 'base/kustomization.yaml': 'resources: [cm.yaml, missing.yaml]\n', 'base/cm.yaml': configMap }),
      'kubectl kustomize failed: ROOT/base/kustomization.yaml: resources: "missing.yaml": ROOT/base/missing.yaml: no such file or directory',
    );
  });

  test("another error keeps kustomize's words, after the kustomization it was building", async () => {
    const message = await failure({
      'overlay/kustomization.yaml': 'resources: [../base]\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\npatches: [{path: patch.yaml}]\n',
      'base/cm.yaml': configMap,
      'base/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nope}\n',
    });
    assert.match(message, /^kubectl kustomize failed: ROOT\/base\/kustomization\.yaml: no resource matches strategic merge patch "ConfigMap\.v1\.\[noGrp\]\/nope/);
  });
});

describe('a failed render whose error kubectl prints as a block of lines (err=<)', { skip: !hasKubectl }, () => {
  test('helmCharts, which kustomize renders only with --enable-helm: the kustomization that has them and what to do', async () => {
    const files = { 'overlay/kustomization.yaml': 'resources: [../base]\n', 'base/kustomization.yaml': 'helmCharts:\n- name: mini\n  releaseName: mini\n' };
    const expected = "ROOT/base/kustomization.yaml: helmCharts needs kustomize's --enable-helm, which neither kaji nor the platform's Argo CD renders with: commit the chart's manifests (helm template) instead";
    assert.equal(await failure(files), `kubectl kustomize failed: ${expected}`);
    assert.equal(await failure(files, 'base'), `kubectl kustomize failed: ${expected}`);
  });

  test("another block error keeps kustomize's words, its lines joined into one", async () => {
    const message = await failure({
      'overlay/kustomization.yaml': 'resources: [cm.yaml]\nreplacements:\n- path: r.yaml\n',
      'overlay/r.yaml': 'source:\n  kind: ConfigMap\n bad\n',
      'overlay/cm.yaml': configMap,
    });
    assert.equal(
      message,
      'kubectl kustomize failed: trouble configuring builtin ReplacementTransformer with config: ` Replacements: - path: r.yaml `: error converting YAML to JSON: yaml: line 2: did not find expected key',
    );
  });
});

describe('kustomizeReason', () => {
  test("a line that is not klog's is kept as it is; klog's header alone is dropped", () => {
    assert.equal(kustomizeReason('error: something odd', '/m'), 'error: something odd');
    assert.equal(kustomizeReason('F1129 20:13:58.810325   10050 cmd.go:1] out of memory', '/m'), 'out of memory');
  });
});
