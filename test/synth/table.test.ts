import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { formatSynthTable, runSynth } from '../../src/synth/index.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { platformTree, type TestService } from '../support/platform.js';

const cart: TestService = { name: 'cart' };
const hello: TestService = { name: 'hello' };

/** The table's line for a service in a cluster, spaces squeezed. */
function row(stdout: string, cluster: string, service: string): string | undefined {
  const block = stdout.split('\n\n').find((part) => part.startsWith(`cluster ${cluster} `)) ?? '';
  return block
    .split('\n')
    .map((line) => line.trim().replace(/ {2,}/g, ' '))
    .find((line) => line.startsWith(`${service} `));
}

describe('kaji synth table: services that do not render', { skip: !hasKubectl }, () => {
  test('a service whose YAML is broken has no figures and no score, and the cluster score says what it covers', async () => {
    const tree = platformTree([cart, hello]);
    try {
      writeFileSync(tree.path('manifests/apps/hello/base/resources.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n  bad: [\n');
      const { code, stdout } = await kaji(['synth', tree.root, '--check-only', '--no-color']);
      assert.equal(code, 1, stdout); // a service that could not be rendered
      assert.equal(row(stdout, 'blue', 'cart'), 'cart cart 1 0 1 80');
      assert.equal(row(stdout, 'blue', 'hello'), 'hello hello — — — — not rendered (1 problem)');
      assert.match(stdout, /^cluster blue \(Kubernetes 1\.32, DNS weight 255, score \d+ over what rendered: 1 of 2 services not rendered whole\)$/m);
      assert.doesNotMatch(stdout, /^ *hello +hello +0 /m);
      // The render error leads with the file and line and the reason, without klog's prefix.
      const problem = stdout.split('\n').find((line) => line.startsWith('✗ blue/hello: '));
      assert.ok(problem, stdout);
      assert.doesNotMatch(problem, /E\d{4} |run\.go|command failed|err=/);
      assert.match(problem, /^✗ blue\/hello: kubectl kustomize failed: \/.*\/apps\/hello\/base\/resources\.yaml:2: did not find expected ',' or '}'/);
    } finally {
      tree.cleanup();
    }
  });

  test('a service whose overlay is missing has a row saying so, and a cluster with nothing rendered has no score', async () => {
    const tree = platformTree([hello]);
    try {
      rmSync(tree.path('manifests/apps/hello/overlays'), { recursive: true });
      const { code, stdout } = await kaji(['synth', tree.root, '--check-only', '--no-color']);
      assert.equal(code, 1, stdout);
      assert.equal(row(stdout, 'green', 'hello'), 'hello hello — — — — not rendered (overlay problem)');
      assert.match(stdout, /^cluster green \(Kubernetes 1\.34, DNS weight 0, score —: no service rendered\)$/m);
    } finally {
      tree.cleanup();
    }
  });

  test('services that render keep their figures and the plain cluster score; one rendered in part has the score of what rendered, and says so', async () => {
    const tree = platformTree([cart]);
    try {
      const { stdout } = await kaji(['synth', tree.root, '--check-only', '--no-color']);
      assert.equal(row(stdout, 'blue', 'cart'), 'cart cart 1 0 1 80');
      assert.match(stdout, /^cluster blue \(Kubernetes 1\.32, DNS weight 255, score \d+\)$/m);
      assert.match(stdout, /^ {2}SERVICE +NAMESPACE +OBJECTS +DANGERS +WARNINGS +SCORE$/m);
      // kubectl kustomize does not print a document kaji cannot read, so the part is given to the table.
      const result = await runSynth({ directory: tree.root, checkOnly: true });
      const [blue, ...others] = result.clusters;
      const partial = { ...blue!.services[0]!, rendered: 'partial' as const, problems: [{ file: 'out.yaml', line: 9, message: 'kind must be a string' }] };
      const text = formatSynthTable({ ...result, clusters: [{ ...blue!, services: [partial] }, ...others] }, { checkOnly: true });
      assert.equal(row(text, 'blue', 'cart'), 'cart cart 1 0 1 80 rendered in part (1 problem)');
      assert.match(text, /^cluster blue \(Kubernetes 1\.32, DNS weight 255, score \d+ over what rendered: 1 of 1 services not rendered whole\)$/m);
      assert.equal(row(text, 'green', 'cart'), 'cart cart 1 0 1 80');
    } finally {
      tree.cleanup();
    }
  });
});
