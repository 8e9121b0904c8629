// The example platform and the `kaji init` scaffold pass their own policy, generated files
// included: their READMEs say every workload does, and a newcomer's first `kaji check` should agree.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { scaffold } from '../../src/cli/init.js';
import { kaji } from '../support/cli.js';
import { hasKubectl, KAJI_ROOT, tempTree } from '../support/files.js';

/** `Kind/namespace/name: check` of every danger `kaji check` finds in `manifests` under `policy`. */
async function dangers(manifests: string, policy: string): Promise<string[]> {
  const { code, stdout, stderr } = await kaji(['check', manifests, '--config', policy, '--format', 'json', '--only-show-failed-tests']);
  assert.equal(code, 0, stderr);
  const audit = JSON.parse(stdout) as { Results: { Kind: string; Namespace: string; Name: string; Results: object; PodResult?: { Results: object; ContainerResults: { Results: object }[] } }[] };
  return audit.Results.flatMap((result) => {
    const sets = [result.Results, result.PodResult?.Results ?? {}, ...(result.PodResult?.ContainerResults ?? []).map((container) => container.Results)];
    return sets.flatMap((set) =>
      Object.values(set as Record<string, { ID: string; Severity: string; Success: boolean }>)
        .filter((message) => !message.Success && message.Severity === 'danger')
        .map((message) => `${result.Kind}/${result.Namespace}/${result.Name}: ${message.ID}`),
    );
  });
}

describe('the example and the scaffold pass their own policy', { skip: !hasKubectl }, () => {
  test("examples/labs/manifests, clusters/ included, has no danger under examples/labs/polaris.yaml (its README's command)", async () => {
    const labs = join(KAJI_ROOT, 'examples', 'labs');
    assert.deepEqual(await dangers(join(labs, 'manifests'), join(labs, 'polaris.yaml')), []);
  });

  test("a kaji init scaffold, once synthesised, has no danger under its polaris.yaml, kaji's headroom included", async () => {
    const tree = tempTree({});
    try {
      const target = join(tree.root, 'acme');
      await scaffold(target, 'acme');
      const synth = await kaji(['synth', target, '--out', join(tree.root, 'out')]);
      assert.equal(synth.code, 0, synth.stdout + synth.stderr);
      assert.deepEqual(await dangers(join(target, 'manifests'), join(target, 'polaris.yaml')), []);
    } finally {
      tree.cleanup();
    }
  });
});
