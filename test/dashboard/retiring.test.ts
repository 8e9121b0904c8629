// A retiring cluster on the dashboard (platform.yaml `retiring: true`, set by
// kaji upgrade finish): kaji synth writes no Application for its services, so
// its Argo CD prunes them. Its cells are 'retiring', not missing, not a
// version that differs and not an Application that is not ready; the page,
// the JSON and the CI line say "retiring", and its Argo CD column counts the
// Applications still to prune.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  ArgoCdReader,
  argoCdTarget,
  buildDashboard,
  DASHBOARD_FORMAT,
  formatDashboardJson,
  parseSummary,
  renderDashboardHtml,
  type Dashboard,
} from '../../src/dashboard/index.js';
import type { ArgoCdReading } from '../../src/dashboard/argocd.js';
import { parsePlatform } from '../../src/platform/index.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { ECR, platformTree, platformYaml } from '../support/platform.js';
import { ARGOCD_TOKEN, argoCdsAround } from '../upgrade/fixture.js';

const COMMIT = '3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a';
const SERVICES = [{ name: 'shop' }, { name: 'cart' }, { name: 'billing' }];
const serving = platformYaml(SERVICES);
const RETIRING_GREEN = serving.replace('weight: 0}', 'weight: 0, retiring: true}');

function platformOf(text: string) {
  return parsePlatform(text, 'platform.yaml');
}

/**
 * blue runs every service at 1.0; green's overlays, left behind since traffic moved, render shop at 0.9 with two
 * dangers, and billing not at all: on a cluster that serves, a version that differs, a danger and a missing service.
 */
function summary() {
  const report = (service: string, version: string, dangers = 0) => ({
    service,
    namespace: service,
    objects: 3,
    dangers,
    warnings: 0,
    score: dangers > 0 ? 60 : 100,
    boundaryViolations: [],
    problems: [],
    images: [{ object: `Deployment/${service}/${service}`, container: 'app', image: `${ECR}/${service}:${version}` }],
  });
  const clusters = [
    { cluster: 'blue', kubernetesVersion: '1.32', weight: 255, score: 100, services: SERVICES.map(({ name }) => report(name, '1.0')) },
    { cluster: 'green', kubernetesVersion: '1.34', weight: 0, score: 80, services: [report('shop', '0.9', 2), report('cart', '1.0')] },
  ];
  return parseSummary({ platform: 'shop', manifests: { commit: COMMIT, branch: 'main', dirty: false, fingerprint: 'sha256:0' }, dangers: 2, warnings: 0, problems: 0, clusters }, 'summary.json');
}

function dashboardOf(text: string, argocd?: ReadonlyMap<string, ArgoCdReading>): Dashboard {
  return buildDashboard({ platform: platformOf(text), summary: summary(), capacity: new Map(), ...(argocd && { argocd }), now: new Date('2026-01-02T03:04:05Z') });
}

const statuses = (dashboard: Dashboard) => dashboard.services.map((service) => [service.service, service.cells.map((cell) => cell.status)]);

describe('a retiring cluster on the dashboard', () => {
  test("its cells are 'retiring' whatever its overlays render: not missing, no version that differs; the cluster says retiring; format 6", () => {
    // The same files with green serving: what the dashboard said during every retirement before.
    const before = dashboardOf(serving);
    assert.deepEqual(statuses(before), [['shop', ['ok', 'danger']], ['cart', ['ok', 'ok']], ['billing', ['ok', 'missing']]]);
    assert.deepEqual([before.totals.missing, before.totals.versionsDiffer], [1, 1]);

    const dashboard = dashboardOf(RETIRING_GREEN);
    assert.deepEqual(statuses(dashboard), [['shop', ['ok', 'retiring']], ['cart', ['ok', 'retiring']], ['billing', ['ok', 'retiring']]]);
    assert.deepEqual(dashboard.clusters.map((cluster) => [cluster.name, cluster.retiring]), [['blue', false], ['green', true]]);
    assert.deepEqual(dashboard.services.map((service) => [service.service, service.versionsDiffer, service.missingFrom]), [['shop', false, []], ['cart', false, []], ['billing', false, []]]);
    assert.deepEqual([dashboard.totals.missing, dashboard.totals.versionsDiffer], [0, 0]);
    // What kaji synth found in the overlays is still there: they are rendered and checked until the cluster is removed.
    const shopGreen = dashboard.services[0]!.cells[1]!;
    assert.deepEqual([shopGreen.images.map((image) => image.image), shopGreen.policy?.dangers], [[`${ECR}/shop:0.9`], 2]);
    assert.equal(dashboard.totals.dangers, 2);

    const json = JSON.parse(formatDashboardJson(dashboard)) as Dashboard;
    assert.equal(json.format, 6);
    assert.equal(DASHBOARD_FORMAT, 6);
    assert.deepEqual([json.clusters[1]!.retiring, json.services[2]!.cells[1]!.status], [true, 'retiring']);
  });

  test('the page: the cluster row, its column and its cells say retiring, greyed, never "missing from"; the capacity intro says it keeps no headroom', () => {
    const html = renderDashboardHtml(dashboardOf(RETIRING_GREEN));
    // Beside what kaji synth says of its overlays (billing has none there): the score leaves it out.
    assert.ok(html.includes('<tr><th scope="row">green<span class="badge retiring">retiring</span><span class="badge danger">1 of 3 services not rendered whole</span></th><td>1.34</td>'), html);
    assert.match(html, /<tr><th scope="row">blue<\/th>/);
    assert.ok(html.includes('<th scope="col">green<br><span class="muted">Kubernetes 1.34 · weight 0 · retiring</span></th>'), html);
    assert.ok(html.includes(' · <span class="retiring">green retiring</span>'), 'said at the top');
    const cells = [...html.matchAll(/<td class="cell ([^"]*)">(.*?)<\/td>/g)].map((match) => ({ classes: match[1]!, content: match[2]! }));
    const green = cells.filter((cell) => cell.classes === 'retiring');
    assert.equal(green.length, 3, html);
    for (const cell of green) assert.ok(cell.content.startsWith('<span class="retiring">retiring: no Application for it here (its Argo CD prunes it)</span>'), cell.content);
    assert.ok(!html.includes('missing from green') && !html.includes('versions differ'), html);
    assert.ok(!html.includes('<tr class="differs">'));
    assert.ok(html.includes('.muted, .missing, .retiring { color: var(--muted); }'), 'greyed');
    assert.ok(html.includes("platform.yaml asks for headroom of 10% of the services' quota in every cluster, and none in green (retiring: kaji synth writes no placeholders there): kaji synth writes 2 placeholder pods for it, requesting 0.6 cores and 0.6 GiB together."), html);
  });

  describe("with green's Argo CD read", () => {
    const { blue, green } = argoCdsAround();

    async function read(): Promise<ReadonlyMap<string, ArgoCdReading>> {
      const target = (cluster: string, server: string) => argoCdTarget(cluster, server, { token: ARGOCD_TOKEN, from: `ARGOCD_AUTH_TOKEN_${cluster.toUpperCase()}` });
      return new ArgoCdReader([target('blue', blue.url), target('green', green.url)]).read();
    }

    test('its Applications being pruned are not "not ready": the cluster counts those still there; a cell says pruned, or still there and how', async () => {
      blue.apps = SERVICES.map(({ name }) => ({ name, sync: 'Synced', health: 'Healthy', revision: COMMIT }));
      // shop is still being deleted (its Ingress waits for its load balancer); cart and billing are pruned.
      green.apps = [{ name: 'shop', sync: 'OutOfSync', health: 'Progressing', revision: COMMIT, message: 'waiting for deletion of networking.k8s.io/Ingress/shop' }];
      const readings = await read();
      const before = dashboardOf(serving, readings);
      assert.deepEqual([before.totals.argocdNotReady, before.clusters[1]!.argocd?.total], [3, 3], 'green serving: all three not ready');

      const dashboard = dashboardOf(RETIRING_GREEN, readings);
      assert.equal(dashboard.totals.argocdNotReady, 0);
      assert.deepEqual(
        dashboard.clusters.map((cluster) => [cluster.argocd?.ready, cluster.argocd?.total]),
        [
          [3, 3],
          [0, 0],
        ],
      );
      assert.deepEqual(dashboard.services.map((service) => service.cells[1]!.argocd?.found), [true, false, false]);

      const html = renderDashboardHtml(dashboard);
      assert.ok(html.includes('<td><span class="retiring">retiring: 1 of 3 service Applications still there, being pruned</span><br><span class="muted">read '), html);
      assert.doesNotMatch(html, /class="cell [^"]*not-ready/, 'no cell framed');
      assert.ok(html.includes('<span class="ok">0 not Synced and Healthy at that commit in Argo CD</span>'));
      const cells = [...html.matchAll(/<td class="cell retiring">(.*?)<\/td>/g)].map((match) => match[1]!);
      assert.ok(
        cells[0]!.includes(
          '<span class="warning">Argo CD: <code>shop</code> still there, being pruned (OutOfSync · Progressing)</span><br><span class="muted">waiting for deletion of networking.k8s.io/Ingress/shop',
        ),
        cells[0],
      );
      for (const cell of cells.slice(1)) assert.ok(cell.includes('<span class="muted">Argo CD: Application pruned</span>'), cell);

      // All pruned: what the retirement waits for, and no question whether the token may see them.
      green.apps = [];
      const done = renderDashboardHtml(dashboardOf(RETIRING_GREEN, await read()));
      assert.ok(done.includes('<td><span class="retiring">retiring: every service Application pruned</span>'), done);
      assert.ok(!done.includes('lists none'));
    });
  });

  test('kaji synth then kaji dashboard: the CI line names the retiring cluster and counts nothing missing', { skip: !hasKubectl }, async () => {
    const tree = platformTree(SERVICES);
    try {
      const platformFile = tree.path('platform.yaml');
      writeFileSync(platformFile, readFileSync(platformFile, 'utf8').replace('weight: 0}', 'weight: 0, retiring: true}'));
      const synth = await kaji(['synth', tree.root, '--out', tree.path('out')]);
      assert.equal(synth.code, 0, synth.stderr);
      const page = await kaji(['dashboard', '--platform', tree.root, '--summary', tree.path('out/summary.json'), '--out', tree.path('out/dashboard.html')], { cwd: tree.root });
      assert.equal(page.code, 0, page.stderr);
      assert.match(page.stderr, /^kaji dashboard: wrote out\/dashboard\.html \(3 services × 2 clusters, green retiring; 0 at different versions, 0 missing from a cluster, \d+ dangers?\)\n$/);
      const json = await kaji(['dashboard', '--platform', tree.root, '--summary', tree.path('out/summary.json'), '-o', 'json']);
      const data = JSON.parse(json.stdout) as Dashboard;
      assert.deepEqual(
        data.services.map((service) => service.cells.map((cell) => cell.status === 'retiring')),
        SERVICES.map(() => [false, true]),
      );
    } finally {
      tree.cleanup();
    }
  });
});
