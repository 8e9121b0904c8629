// A service kaji synth could not render (its kustomize build failed) has no
// score: summary.json says `rendered: false` and `score: null`, a cluster where
// nothing rendered has no score either, and kaji dashboard shows "not
// rendered" where a score would be, also from a summary.json of an older kaji
// synth, which wrote 100 for them. One rendered in part is `rendered:
// "partial"` with the score of what rendered, in the table, summary.json and
// the dashboard alike; each cluster counts the services not rendered whole, and
// its dashboard row says so before its score.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { buildDashboard, parseSummary, renderDashboardHtml, type Dashboard } from '../../src/dashboard/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { formatSynthTable, runSynth, synthSummary } from '../../src/synth/index.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { platformTree, platformYaml, type TestService } from '../support/platform.js';

const cart: TestService = { name: 'cart' };
const hello: TestService = { name: 'hello' };
const BROKEN_YAML = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n  bad: [\n';

interface WrittenService {
  service: string;
  rendered: boolean | 'partial';
  score: number | null;
  objects: number;
  problems: unknown[];
}

/** kaji synth then kaji dashboard -o json on the tree, as a user runs them. */
async function synthAndDashboard(tree: ReturnType<typeof platformTree>) {
  const synth = await kaji(['synth', tree.root, '--out', tree.path('out'), '--no-color']);
  assert.equal(synth.code, 1, synth.stderr); // a service that could not be rendered
  const summary = JSON.parse(readFileSync(tree.path('out/summary.json'), 'utf8')) as { clusters: { cluster: string; score: number | null; notRenderedWhole: number; services: WrittenService[] }[] };
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
        // The cluster's score is cart's alone: what rendered; and it counts hello as not rendered.
        assert.equal(cluster.score, 80);
        assert.equal(cluster.notRenderedWhole, 1);
      }
      const helloRow = dashboard.services.find((service) => service.service === 'hello')!;
      for (const cell of helloRow.cells) {
        assert.deepEqual(cell.policy, { rendered: false, score: null, dangers: 0, warnings: 0, objects: 0 });
        assert.equal(cell.status, 'danger');
      }
      assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.name, cluster.score, cluster.notRenderedWhole]), [['blue', 80, 1], ['green', 80, 1]]);
      // The cluster's row says so first, and its score is not shown as if it covered everything.
      assert.match(html, /<tr><th scope="row">blue<span class="badge danger">1 of 2 services not rendered whole<\/span><\/th><td>1\.32<\/td><td class="num">255 \(100%\)<\/td><td class="num danger">80 over what rendered<\/td>/);
      const cells = [...html.matchAll(/<td class="cell [^"]*">(.*?)<\/td>/g)].map((match) => match[1]!);
      const helloCells = cells.filter((cell) => cell.includes('not rendered by kaji synth (1 problem)'));
      assert.equal(helloCells.length, 2, html);
      for (const cell of helloCells) {
        assert.doesNotMatch(cell, /score/);
        assert.doesNotMatch(cell, /no container image rendered/);
      }
      // A CI log shows it too, without opening the page.
      const page = await kaji(['dashboard', '--platform', tree.root, '--summary', tree.path('out/summary.json'), '--out', tree.path('out/dashboard.html')], { cwd: tree.root });
      assert.equal(page.code, 0, page.stderr);
      assert.match(page.stderr, /^kaji dashboard: wrote out\/dashboard\.html \(2 services × 2 clusters; 1 not rendered whole by kaji synth \(its scores leave it out\), 0 at different versions, 0 missing from a cluster, \d+ dangers?\)\n$/);
    } finally {
      tree.cleanup();
    }
  });

  test('a cluster where no service rendered has score null, shown as —', async () => {
    const tree = platformTree([hello]);
    try {
      writeFileSync(tree.path('manifests/apps/hello/base/resources.yaml'), BROKEN_YAML);
      const { summary, dashboard, html } = await synthAndDashboard(tree);
      assert.deepEqual(summary.clusters.map((cluster) => [cluster.cluster, cluster.score, cluster.notRenderedWhole]), [['blue', null, 1], ['green', null, 1]]);
      assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.name, cluster.score, cluster.notRenderedWhole]), [['blue', null, 1], ['green', null, 1]]);
      assert.match(html, /<tr><th scope="row">blue<span class="badge danger">1 of 1 service not rendered whole<\/span><\/th><td>1\.32<\/td><td class="num">255 \(100%\)<\/td><td class="num danger">— no service rendered<\/td>/);
    } finally {
      tree.cleanup();
    }
  });

  test('a service with no overlay to render from counts as not rendered whole in its clusters', async () => {
    const tree = platformTree([cart, hello]);
    try {
      rmSync(tree.path('manifests/apps/hello/overlays'), { recursive: true });
      const { summary, dashboard } = await synthAndDashboard(tree);
      assert.deepEqual(summary.clusters.map((cluster) => [cluster.score, cluster.notRenderedWhole, cluster.services.length]), [[80, 1, 1], [80, 1, 1]]);
      assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.score, cluster.notRenderedWhole]), [[80, 1], [80, 1]]);
      const page = await kaji(['dashboard', '--platform', tree.root, '--summary', tree.path('out/summary.json'), '--out', tree.path('out/dashboard.html')], { cwd: tree.root });
      assert.equal(page.code, 0, page.stderr);
      assert.match(page.stderr, /\(2 services × 2 clusters; 1 not rendered whole by kaji synth \(its scores leave it out\), 0 at different versions, 1 missing from a cluster, /);
    } finally {
      tree.cleanup();
    }
  });

  test('a cluster where every service rendered whole counts 0 and shows its score plainly', async () => {
    const tree = platformTree([cart]);
    try {
      const synth = await kaji(['synth', tree.root, '--out', tree.path('out'), '--no-color']);
      assert.equal(synth.code, 0, synth.stdout + synth.stderr);
      const summary = JSON.parse(readFileSync(tree.path('out/summary.json'), 'utf8')) as { clusters: { notRenderedWhole: number }[] };
      assert.deepEqual(summary.clusters.map((cluster) => cluster.notRenderedWhole), [0, 0]);
      const html = await kaji(['dashboard', '--platform', tree.root, '--summary', tree.path('out/summary.json'), '--out', '-']);
      assert.equal(html.code, 0, html.stderr);
      assert.match(html.stdout, /<tr><th scope="row">blue<\/th><td>1\.32<\/td><td class="num">255 \(100%\)<\/td><td class="num">80<\/td>/);
      assert.doesNotMatch(html.stdout, /not rendered whole|over what rendered/);
      const page = await kaji(['dashboard', '--platform', tree.root, '--summary', tree.path('out/summary.json'), '--out', tree.path('out/dashboard.html')], { cwd: tree.root });
      assert.equal(page.code, 0, page.stderr);
      assert.match(page.stderr, /^kaji dashboard: wrote out\/dashboard\.html \(1 service × 2 clusters; 0 at different versions, /);
    } finally {
      tree.cleanup();
    }
  });
});

describe('a service kaji synth rendered in part', { skip: !hasKubectl }, () => {
  test('is rendered: "partial" with the score of what rendered in the table, summary.json and the dashboard', async () => {
    const tree = platformTree([cart, hello]);
    try {
      // kubectl kustomize does not print a document kaji cannot read: this kubectl adds one to cart's output.
      const kubectl = tree.path('kubectl');
      writeFileSync(kubectl, `#!/bin/sh\n${JSON.stringify(process.env.KAJI_KUBECTL ?? 'kubectl')} "$@" || exit\ncase "$2" in */apps/cart/*) printf -- '---\\napiVersion: v1\\nkind: 5\\nmetadata: {name: odd}\\n' ;; esac\n`);
      chmodSync(kubectl, 0o755);
      const partial = await runSynth({ directory: tree.root, checkOnly: true, kubectl });
      assert.deepEqual(partial.clusters[0]!.services.map((service) => [service.service, service.objects, service.problems.length]), [['cart', 1, 1], ['hello', 1, 0]]);
      const table = formatSynthTable(partial, { checkOnly: true });
      const row = table.split('\n').map((line) => line.trim().replace(/ {2,}/g, ' ')).find((line) => line.startsWith('cart '));
      assert.equal(row, 'cart cart 1 0 1 80 rendered in part (1 problem)');
      assert.match(table, /^cluster blue \(Kubernetes 1\.32, DNS weight 255, score 80 over what rendered: 1 of 2 services not rendered whole\)$/m);

      const written = JSON.parse(JSON.stringify(synthSummary(partial, { commit: null, branch: null, dirty: null, fingerprint: 'sha256:0' })));
      const blue = written.clusters[0];
      assert.deepEqual(blue.services.map((service: WrittenService) => [service.service, service.rendered, service.score]), [['cart', 'partial', 80], ['hello', true, 80]]);
      assert.equal(blue.notRenderedWhole, 1);

      const dashboard = buildDashboard({ platform: partial.platform, summary: parseSummary(written, 'summary.json'), capacity: new Map(), now: new Date(0) });
      const cell = dashboard.services.find((service) => service.service === 'cart')!.cells[0]!;
      assert.deepEqual([cell.status, cell.policy], ['danger', { rendered: 'partial', score: 80, dangers: 0, warnings: 1, objects: 1 }]);
      assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.name, cluster.score, cluster.notRenderedWhole]), [['blue', 80, 1], ['green', 80, 1]]);
      const html = renderDashboardHtml(dashboard);
      const cartCells = [...html.matchAll(/<td class="cell [^"]*">(.*?)<\/td>/g)].map((match) => match[1]!).filter((text) => text.includes('rendered in part'));
      assert.equal(cartCells.length, 2, html);
      assert.match(cartCells[0]!, /<span class="danger">rendered in part by kaji synth \(1 problem\)<\/span>.*score 80 of what rendered · /);
    } finally {
      tree.cleanup();
    }
  });
});

describe('a summary.json of an older kaji synth (no `rendered`, score 100 for a service that did not render)', () => {
  const platform = parsePlatform(platformYaml([cart, hello]), 'platform.yaml');
  const service = (name: string, rendered: boolean, problems = rendered ? 0 : 1) => ({
    service: name,
    namespace: name,
    objects: rendered ? 1 : 0,
    dangers: 0,
    warnings: rendered ? 1 : 0,
    score: rendered ? 80 : 100,
    boundaryViolations: [],
    problems: Array.from({ length: problems }, () => ({ file: `apps/${name}/base/resources.yaml`, message: 'kubectl kustomize failed' })),
    images: [],
  });
  const written = (clusters: unknown[]) =>
    parseSummary({ platform: 'shop', manifests: { commit: null, branch: null, dirty: null, fingerprint: 'sha256:0' }, dangers: 0, warnings: 1, problems: 3, clusters }, 'summary.json');

  test('is read as not rendered: no score for the service, nor for a cluster where nothing rendered', () => {
    const summary = written([
      { cluster: 'blue', kubernetesVersion: '1.32', weight: 255, score: 80, services: [service('cart', true), service('hello', false)] },
      { cluster: 'green', kubernetesVersion: '1.34', weight: 0, score: 100, services: [service('cart', false), service('hello', false)] },
    ]);
    assert.deepEqual(summary.clusters[0]!.services.map((entry) => [entry.service, entry.rendered, entry.score]), [['cart', true, 80], ['hello', false, null]]);
    const dashboard = buildDashboard({ platform, summary, capacity: new Map(), now: new Date(0) });
    assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.name, cluster.score, cluster.notRenderedWhole]), [['blue', 80, 1], ['green', null, 2]]);
    assert.deepEqual(dashboard.services.map((entry) => entry.cells.map((cell) => [cell.policy?.rendered, cell.policy?.score])), [
      [[true, 80], [false, null]],
      [[false, null], [false, null]],
    ]);
    const html = renderDashboardHtml(dashboard);
    assert.equal(html.match(/not rendered by kaji synth \(1 problem\)/g)?.length, 3);
    assert.doesNotMatch(html, /score 100/);
  });

  test('one with objects and problems is read as rendered in part, also when it says rendered: true', () => {
    const partial = { ...service('cart', true, 1), rendered: true };
    const summary = written([
      { cluster: 'blue', kubernetesVersion: '1.32', weight: 255, score: 80, services: [service('cart', true, 1), service('hello', true)] },
      { cluster: 'green', kubernetesVersion: '1.34', weight: 0, score: 80, services: [partial, { ...service('hello', true), rendered: true }] },
    ]);
    assert.deepEqual(summary.clusters.map((cluster) => cluster.services.map((entry) => [entry.rendered, entry.score])), [
      [['partial', 80], [true, 80]],
      [['partial', 80], [true, 80]],
    ]);
    const dashboard = buildDashboard({ platform, summary, capacity: new Map(), now: new Date(0) });
    assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.score, cluster.notRenderedWhole]), [[80, 1], [80, 1]]);
  });

  test('a `rendered` that is neither true, false nor "partial" is named', () => {
    assert.throws(
      () => written([{ cluster: 'blue', kubernetesVersion: '1.32', weight: 255, score: 80, services: [{ ...service('cart', true), rendered: 'yes' }] }]),
      /summary\.json: clusters\[0\]\.services\[0\]\.rendered is not true, false or "partial"/,
    );
  });
});
