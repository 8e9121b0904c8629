// A service kaji synth could not render (its kustomize build failed) has no
// score: summary.json says `rendered: false` and `score: null`, a cluster where
// nothing rendered has no score either, and kaji dashboard shows "not
// rendered" where a score would be, also from a summary.json of an older kaji
// synth, which wrote 100 for them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { buildDashboard, parseSummary, renderDashboardHtml, type Dashboard } from '../../src/dashboard/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { platformTree, platformYaml, type TestService } from '../support/platform.js';

const cart: TestService = { name: 'cart' };
const hello: TestService = { name: 'hello' };
const BROKEN_YAML = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n  bad: [\n';

interface WrittenService {
  service: string;
  rendered: boolean;
  score: number | null;
  objects: number;
  problems: unknown[];
}

/** kaji synth then kaji dashboard -o json on the tree, as a user runs them. */
async function synthAndDashboard(tree: ReturnType<typeof platformTree>) {
  const synth = await kaji(['synth', tree.root, '--out', tree.path('out'), '--no-color']);
  assert.equal(synth.code, 1, synth.stderr); // a service that could not be rendered
  const summary = JSON.parse(readFileSync(tree.path('out/summary.json'), 'utf8')) as { clusters: { cluster: string; score: number | null; services: WrittenService[] }[] };
  const json = await kaji(['dashboard', '--platform', tree.root, '--summary', tree.path('out/summary.json'), '-o', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const html = await kaji(['dashboard', '--platform', tree.root, '--summary', tree.path('out/summary.json'), '--out', '-']);
  assert.equal(html.code, 0, html.stderr);
  return { summary, dashboard: JSON.parse(json.stdout) as Dashboard, html: html.stdout };
}

describe('a service kaji synth did not render', { skip: !hasKubectl }, () => {
  test('summary.json says rendered: false and score: null; the dashboard shows "not rendered", not 100', async () => {
    const tree = platformTree([cart, hello]);
    try {
      writeFileSync(tree.path('manifests/apps/hello/base/resources.yaml'), BROKEN_YAML);
      const { summary, dashboard, html } = await synthAndDashboard(tree);
      for (const cluster of summary.clusters) {
        const [cartWritten, helloWritten] = cluster.services;
        assert.deepEqual([helloWritten!.service, helloWritten!.rendered, helloWritten!.score, helloWritten!.objects, helloWritten!.problems.length], ['hello', false, null, 0, 1]);
        assert.deepEqual([cartWritten!.service, cartWritten!.rendered, cartWritten!.score], ['cart', true, 80]);
        // The cluster's score is cart's alone: what rendered.
        assert.equal(cluster.score, 80);
      }
      const helloRow = dashboard.services.find((service) => service.service === 'hello')!;
      for (const cell of helloRow.cells) {
        assert.deepEqual(cell.policy, { rendered: false, score: null, dangers: 0, warnings: 0, objects: 0 });
        assert.equal(cell.status, 'danger');
      }
      assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.name, cluster.score]), [['blue', 80], ['green', 80]]);
      const cells = [...html.matchAll(/<td class="cell [^"]*">(.*?)<\/td>/g)].map((match) => match[1]!);
      const helloCells = cells.filter((cell) => cell.includes('not rendered by kaji synth (1 problem)'));
      assert.equal(helloCells.length, 2, html);
      for (const cell of helloCells) {
        assert.doesNotMatch(cell, /score/);
        assert.doesNotMatch(cell, /no container image rendered/);
      }
    } finally {
      tree.cleanup();
    }
  });

  test('a cluster where no service rendered has score null, shown as —', async () => {
    const tree = platformTree([hello]);
    try {
      writeFileSync(tree.path('manifests/apps/hello/base/resources.yaml'), BROKEN_YAML);
      const { summary, dashboard, html } = await synthAndDashboard(tree);
      assert.deepEqual(summary.clusters.map((cluster) => [cluster.cluster, cluster.score]), [['blue', null], ['green', null]]);
      assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.name, cluster.score]), [['blue', null], ['green', null]]);
      assert.match(html, /<tr><th scope="row">blue<\/th><td>1\.32<\/td><td class="num">255 \(100%\)<\/td><td class="num muted">— no service rendered<\/td>/);
    } finally {
      tree.cleanup();
    }
  });
});

describe('a summary.json of an older kaji synth (no `rendered`, score 100 for a service that did not render)', () => {
  test('is read as not rendered: no score for the service, nor for a cluster where nothing rendered', () => {
    const platform = parsePlatform(platformYaml([cart, hello]), 'platform.yaml');
    const service = (name: string, rendered: boolean) => ({
      service: name,
      namespace: name,
      objects: rendered ? 1 : 0,
      dangers: 0,
      warnings: rendered ? 1 : 0,
      score: rendered ? 80 : 100,
      boundaryViolations: [],
      problems: rendered ? [] : [{ file: `apps/${name}/base/resources.yaml`, message: 'kubectl kustomize failed' }],
      images: [],
    });
    const summary = parseSummary(
      {
        platform: 'shop',
        manifests: { commit: null, branch: null, dirty: null, fingerprint: 'sha256:0' },
        dangers: 0,
        warnings: 1,
        problems: 3,
        clusters: [
          { cluster: 'blue', kubernetesVersion: '1.32', weight: 255, score: 80, services: [service('cart', true), service('hello', false)] },
          { cluster: 'green', kubernetesVersion: '1.34', weight: 0, score: 100, services: [service('cart', false), service('hello', false)] },
        ],
      },
      'summary.json',
    );
    assert.deepEqual(summary.clusters[0]!.services.map((entry) => [entry.service, entry.rendered, entry.score]), [['cart', true, 80], ['hello', false, null]]);
    const dashboard = buildDashboard({ platform, summary, capacity: new Map(), now: new Date(0) });
    assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.name, cluster.score]), [['blue', 80], ['green', null]]);
    assert.deepEqual(dashboard.services.map((entry) => entry.cells.map((cell) => [cell.policy?.rendered, cell.policy?.score])), [
      [[true, 80], [false, null]],
      [[false, null], [false, null]],
    ]);
    const html = renderDashboardHtml(dashboard);
    assert.equal(html.match(/not rendered by kaji synth \(1 problem\)/g)?.length, 3);
    assert.doesNotMatch(html, /score 100/);
  });
});
