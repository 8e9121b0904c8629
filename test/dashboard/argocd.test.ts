// The dashboard's live column: each cluster's Argo CD read through its REST
// API (the fake Argo CD of test/upgrade, on 127.0.0.1, speaking the real
// GET /api/v1/applications JSON): Synced and Healthy at the commit
// summary.json describes, or not and why; a cluster whose Argo CD cannot be
// read (refused token, nothing listening) said once; Argo CD's words escaped
// on the page; --serve's readings shared for a short while.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import {
  ArgoCdReader,
  argoCdTarget,
  argoCdToken,
  buildDashboard,
  DASHBOARD_CSP,
  DashboardInputError,
  parseSummary,
  renderDashboardHtml,
  serveDashboard,
  type ArgoCdTarget,
  type Dashboard,
} from '../../src/dashboard/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { selfSignedLoopbackCertificate } from '../../src/webhook/index.js';
import { platformYaml } from '../support/platform.js';
import { closedPort } from '../gitops/git-http-server.js';
import { ARGOCD_TOKEN, argoCdsAround } from '../upgrade/fixture.js';

const COMMIT = '3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a';
const OLDER = '0b1c2d3e4f5061728394a5b6c7d8e9f00112233a';
const HOSTILE_MESSAGE = `Deployment "shop" exceeded its progress deadline <script>alert("x")</script> ' onmouseover='x' R\u202eLO`;

const platform = parsePlatform(platformYaml([{ name: 'shop' }, { name: 'cart' }, { name: 'billing' }]), 'platform.yaml');

function summary(commit: string | null) {
  const clusters = platform.clusters.map((cluster) => ({
    cluster: cluster.name,
    kubernetesVersion: cluster.kubernetesVersion,
    weight: cluster.weight,
    score: 100,
    services: platform.services.map((service) => ({ service: service.name, namespace: service.namespace, objects: 3, dangers: 0, warnings: 0, score: 100, boundaryViolations: [], problems: [], images: [] })),
  }));
  return parseSummary({ platform: 'shop', manifests: { commit, branch: 'main', dirty: false, fingerprint: 'sha256:0' }, dangers: 0, warnings: 0, problems: 0, clusters }, 'summary.json');
}

const target = (cluster: string, server: string, token = ARGOCD_TOKEN, from = `ARGOCD_AUTH_TOKEN_${cluster.toUpperCase()}`): ArgoCdTarget => argoCdTarget(cluster, server, { token, from });
const clock = (iso: string) => () => new Date(iso);

async function dashboardWith(reader: ArgoCdReader, commit: string | null = COMMIT): Promise<Dashboard> {
  return buildDashboard({ platform, summary: summary(commit), capacity: new Map(), argocd: await reader.read(), now: new Date('2026-01-02T03:04:05Z') });
}

describe("the dashboard's Argo CD state", () => {
  const { blue, green } = argoCdsAround();

  test('each cell: sync status, health and whether Argo CD deployed the commit summary.json describes', async () => {
    blue.apps = [
      { name: 'shop', sync: 'Synced', health: 'Healthy', revision: COMMIT },
      // A multi-source Application: a chart version and the manifest repository's commit.
      { name: 'cart', sync: 'Synced', health: 'Healthy', revisions: ['1.4.2', COMMIT] },
      { name: 'billing', sync: 'Synced', health: 'Healthy', revision: COMMIT },
      { name: 'someone-elses-app', sync: 'OutOfSync', health: 'Degraded', revision: OLDER },
    ];
    green.apps = [
      // Synced and Healthy, but to an older commit: Argo CD has not fetched the branch since.
      { name: 'shop', sync: 'Synced', health: 'Healthy', revision: OLDER },
      { name: 'cart', sync: 'OutOfSync', health: 'Degraded', revision: COMMIT, message: HOSTILE_MESSAGE },
      // billing: no Application (yet) in green's Argo CD.
    ];
    const reader = new ArgoCdReader([target('blue', blue.url), target('green', green.url)], { now: clock('2026-01-02T03:04:00Z') });
    const dashboard = await dashboardWith(reader);
    const cell = (service: string, cluster: number) => dashboard.services.find((row) => row.service === service)!.cells[cluster]!.argocd!;

    assert.deepEqual(cell('shop', 0), { application: 'shop', found: true, sync: 'Synced', health: 'Healthy', revisions: [COMMIT], atExpectedRevision: true, message: '', ready: true });
    assert.deepEqual([cell('cart', 0).atExpectedRevision, cell('cart', 0).ready], [true, true]);
    assert.deepEqual(cell('shop', 1), { application: 'shop', found: true, sync: 'Synced', health: 'Healthy', revisions: [OLDER], atExpectedRevision: false, message: '', ready: false });
    const cart = cell('cart', 1);
    assert.deepEqual([cart.sync, cart.health, cart.ready], ['OutOfSync', 'Degraded', false]);
    // Argo CD's words: the health message, the condition, the sync operation still running.
    assert.ok(cart.message.startsWith('Deployment "shop" exceeded its progress deadline <script>'), cart.message);
    assert.match(cart.message, /R\\u202eLO; SyncError: one or more objects failed to apply; sync Running: waiting for healthy state$/);
    assert.deepEqual(cell('billing', 1), { application: 'billing', found: false, sync: null, health: null, revisions: [], atExpectedRevision: null, message: '', ready: false });

    assert.deepEqual(
      dashboard.clusters.map((cluster) => cluster.argocd),
      [
        { server: blue.url, readAt: '2026-01-02T03:04:00.000Z', error: null, ready: 3, total: 3 },
        { server: green.url, readAt: '2026-01-02T03:04:00.000Z', error: null, ready: 0, total: 3 },
      ],
    );
    assert.deepEqual([dashboard.totals.argocdNotReady, dashboard.totals.argocdUnread], [3, 0]);
    // One listing per cluster, with the bearer token.
    for (const server of [blue, green]) assert.deepEqual(server.requests.slice(-1), [{ method: 'GET', path: '/api/v1/applications', authorization: `Bearer ${ARGOCD_TOKEN}` }]);
  });

  test('the page: each cell framed unless Synced, Healthy and at the commit; Argo CD text escaped; still no script', async () => {
    blue.apps = ['shop', 'cart', 'billing'].map((name) => ({ name, sync: 'Synced', health: 'Healthy', revision: COMMIT }));
    green.apps = [
      { name: 'shop', sync: 'Synced', health: 'Healthy', revision: OLDER },
      { name: 'cart', sync: 'Synced', health: 'Degraded', revision: COMMIT, message: HOSTILE_MESSAGE },
    ];
    const html = renderDashboardHtml(await dashboardWith(new ArgoCdReader([target('blue', blue.url), target('green', green.url)], { now: clock('2026-01-02T03:04:00Z') })));
    const rows = html.split('\n').filter((line) => line.startsWith('<tr><th scope="row">'));
    const shop = rows.find((line) => line.startsWith('<tr><th scope="row">shop<'))!;
    assert.ok(shop.includes(`<td class="cell ok">Argo CD: <span class="ok">Synced</span> · <span class="ok">Healthy</span> · <span class="muted">at <code>${COMMIT.slice(0, 12)}</code></span>`), shop);
    assert.ok(shop.includes(`<td class="cell ok not-ready">Argo CD: <span class="ok">Synced</span> · <span class="ok">Healthy</span> · <span class="danger">at <code>${OLDER.slice(0, 12)}</code>, not <code>${COMMIT.slice(0, 12)}</code></span>`), shop);
    const cart = rows.find((line) => line.startsWith('<tr><th scope="row">cart<'))!;
    assert.ok(cart.includes('<td class="cell ok not-ready">Argo CD: <span class="ok">Synced</span> · <span class="danger">Degraded</span>'), cart);
    assert.ok(
      cart.includes(
        '<span class="muted">Deployment &quot;shop&quot; exceeded its progress deadline &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39; onmouseover=&#39;x&#39; R\\u202eLO</span>',
      ),
      cart,
    );
    assert.ok(rows.find((line) => line.startsWith('<tr><th scope="row">billing<'))!.includes('<td class="cell ok not-ready"><span class="danger">Argo CD: no Application <code>billing</code></span>'));
    assert.ok(!/<script|\u202e/.test(html), 'hostile text shown as text');
    assert.ok(html.includes(`<td><span class="ok">3/3 services Synced and Healthy</span><br><span class="muted">read 2026-01-02T03:04:00.000Z from <code>${blue.url}</code></span></td>`));
    assert.ok(html.includes('<span class="danger">3 not Synced and Healthy at that commit in Argo CD</span>'));
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_CSP}">`));
    assert.ok(!html.includes('http-equiv="refresh"'), 'a written page does not reload itself');
    assert.ok(!html.includes('lists none'));
    assert.ok(renderDashboardHtml(await dashboardWith(new ArgoCdReader([target('blue', blue.url)]))).includes('<td class="muted">not asked (<code>--argocd</code>)</td>'), 'green not asked');
    // An Argo CD that lists none of them: the token's account may not see them (Argo CD lists only what it may get).
    green.apps = [];
    const unseen = renderDashboardHtml(await dashboardWith(new ArgoCdReader([target('green', green.url)])));
    assert.ok(unseen.includes("<span class=\"danger\">0/3 services Synced and Healthy</span><br><span class=\"warning\">it lists none of the services' Applications: is this green's Argo CD, and may the token's account get its applications?</span>"));
  });

  test('a refused token and an Argo CD that does not answer: said once per cluster with the reason; the other cluster shown', async () => {
    blue.apps = ['shop', 'cart', 'billing'].map((name) => ({ name, sync: 'Synced', health: 'Healthy', revision: COMMIT }));
    const port = await closedPort();
    const wrongToken = 'not-the-token-7f3a';
    const reader = new ArgoCdReader([target('blue', blue.url, wrongToken), target('green', `http://127.0.0.1:${port}`, ARGOCD_TOKEN, 'ARGOCD_AUTH_TOKEN')], { now: clock('2026-01-02T03:04:00Z') });
    const dashboard = await dashboardWith(reader);
    const [blueState, greenState] = dashboard.clusters.map((cluster) => cluster.argocd!);
    assert.equal(
      blueState!.error,
      `Argo CD at ${blue.url} refused the token (HTTP 401): set $ARGOCD_AUTH_TOKEN_BLUE to an API token of its kaji-reader account, which an admin makes with argocd account generate-token --account kaji-reader (each cluster's Argo CD signs its own; an expired or deleted token is refused too)`,
    );
    assert.match(greenState!.error!, new RegExp(`^connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`));
    assert.deepEqual([blueState!.ready, blueState!.total, blueState!.readAt], [0, 0, '2026-01-02T03:04:00.000Z']);
    assert.ok(dashboard.services.every((service) => service.cells.every((cell) => cell.argocd === null)));
    assert.deepEqual([dashboard.totals.argocdNotReady, dashboard.totals.argocdUnread], [0, 2]);

    const html = renderDashboardHtml(dashboard);
    assert.equal(html.split('could not be read: ').length - 1, 2, 'once per cluster');
    assert.ok(html.includes(`<td><span class="danger">could not be read: Argo CD at ${blue.url} refused the token (HTTP 401): set $ARGOCD_AUTH_TOKEN_BLUE to an API token of its kaji-reader account`));
    assert.equal(html.split('<span class="muted">Argo CD not read</span>').length - 1, 6, 'each cell points at the cluster row');
    assert.ok(html.includes("<span class=\"danger\">2 clusters' Argo CD not read</span>"));
    assert.ok(!html.includes(wrongToken) && !JSON.stringify(dashboard).includes(wrongToken), 'the token is never shown');
  });

  test('an Argo CD that echoes the token back never gets it onto the page, in an error or in its data', async () => {
    const echo = createServer((request, response) => {
      if (echoData) {
        const health = { status: 'Degraded', message: `token is ${request.headers.authorization}` };
        response.end(JSON.stringify({ items: [{ metadata: { name: 'antenna', namespace: 'argocd' }, status: { sync: { status: 'Synced' }, health } }] }));
        return;
      }
      response.statusCode = 500;
      response.end(`internal error for ${request.headers.authorization}`);
    });
    let echoData = false;
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const [reading] = (await new ArgoCdReader([target('blue', url, 'secret-token-in-echo')]).read()).values();
      assert.equal((reading as { error: string }).error, `Argo CD at ${url} answered HTTP 500: internal error for Bearer ***`);
      echoData = true;
      const [data] = (await new ArgoCdReader([target('blue', url, 'secret-token-in-echo')]).read()).values();
      assert.ok(!JSON.stringify(data).includes('secret-token-in-echo'), JSON.stringify(data));
      assert.match(JSON.stringify(data), /token is Bearer \*\*\*/);
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  test("an Argo CD over HTTPS with its own certificate: read with --argocd-ca (a tenant's Application of a service's name not counted), and without it the reason says so", async () => {
    const tls = await selfSignedLoopbackCertificate('argocd-server');
    const server = createHttpsServer({ cert: tls.cert, key: tls.key }, (request, response) => {
      response.setHeader('content-type', 'application/json');
      const item = (namespace: string, name: string) => ({ metadata: { name, namespace }, status: { sync: { status: 'Synced', revision: COMMIT }, health: { status: 'Healthy' } } });
      // cart in a tenant's namespace ("apps in any namespace") is not kaji's cart.
      response.end(JSON.stringify({ items: [item('argocd', 'shop'), item('team-x', 'cart')] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const trusted = await dashboardWith(new ArgoCdReader([argoCdTarget('blue', url, { token: ARGOCD_TOKEN, from: 'ARGOCD_AUTH_TOKEN' }, tls.cert)]));
      assert.deepEqual(trusted.clusters[0]!.argocd, { server: url, readAt: trusted.clusters[0]!.argocd!.readAt, error: null, ready: 1, total: 3 });
      const untrusted = await dashboardWith(new ArgoCdReader([target('blue', url)]));
      assert.match(untrusted.clusters[0]!.argocd!.error!, /^self[- ]signed certificate: is its certificate's CA in --argocd-ca blue=FILE\?$/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('no commit to compare with (the manifest folder is not a git checkout): ready means Synced and Healthy', async () => {
    blue.apps = ['shop', 'cart', 'billing'].map((name) => ({ name, sync: 'Synced', health: 'Healthy', revision: OLDER }));
    const dashboard = await dashboardWith(new ArgoCdReader([target('blue', blue.url)]), null);
    const cells = dashboard.services.map((service) => service.cells[0]!.argocd!);
    assert.deepEqual(cells.map((cell) => [cell.atExpectedRevision, cell.ready]), [[null, true], [null, true], [null, true]]);
  });

  test('--serve: readings shared for cacheMs, so a refresh storm lists Argo CD once; the page reloads itself', async () => {
    blue.apps = ['shop', 'cart', 'billing'].map((name) => ({ name, sync: 'Synced', health: 'Healthy', revision: COMMIT }));
    let now = Date.parse('2026-01-02T03:04:00Z');
    const reader = new ArgoCdReader([target('blue', blue.url)], { cacheMs: 15_000, now: () => new Date(now) });
    const before = blue.requests.length;
    const tls = await selfSignedLoopbackCertificate('kaji-dashboard');
    const served = await serveDashboard(0, { tls, collect: () => dashboardWith(reader), logError: (error) => assert.fail(String(error)), refreshSeconds: 30 });
    const get = (path = '/') =>
      new Promise<string>((resolve, reject) => {
        const request = httpsRequest({ host: '127.0.0.1', port: served.port, path, ca: tls.cert, servername: 'localhost', agent: false }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve(body));
        });
        request.on('error', reject);
        request.end();
      });
    try {
      const pages = await Promise.all([get(), get(), get('/dashboard.json')]);
      now += 14_999;
      pages.push(await get());
      assert.equal(blue.requests.length - before, 1, 'one listing for every page within 15 s');
      assert.ok(pages[0]!.includes('<meta http-equiv="refresh" content="30">'));
      assert.ok(!/<script/i.test(pages[0]!));
      assert.equal(JSON.parse(pages[2]!).clusters[0].argocd.readAt, '2026-01-02T03:04:00.000Z');
      now += 1;
      blue.apps = [];
      const later = await get('/dashboard.json');
      assert.equal(blue.requests.length - before, 2, 'read again once the reading is 15 s old');
      assert.deepEqual(JSON.parse(later).clusters[0].argocd, { server: blue.url, readAt: '2026-01-02T03:04:15.000Z', error: null, ready: 0, total: 3 });
    } finally {
      await served.close();
    }
    // Without a cache (a written page), every read lists again.
    const uncached = new ArgoCdReader([target('blue', blue.url)]);
    await uncached.read();
    await uncached.read();
    assert.equal(blue.requests.length - before, 4);
  });

  test('tokens from the environment: the cluster\'s own variable, else ARGOCD_AUTH_TOKEN', () => {
    assert.deepEqual(argoCdToken('green-2', { ARGOCD_AUTH_TOKEN_GREEN_2: 'g2', ARGOCD_AUTH_TOKEN: 'all' }), { token: 'g2', from: 'ARGOCD_AUTH_TOKEN_GREEN_2' });
    assert.deepEqual(argoCdToken('blue', { ARGOCD_AUTH_TOKEN_GREEN_2: 'g2', ARGOCD_AUTH_TOKEN: 'all' }), { token: 'all', from: 'ARGOCD_AUTH_TOKEN' });
    assert.equal(argoCdToken('blue', { ARGOCD_AUTH_TOKEN_BLUE: ' ' }), undefined);
  });

  test('a server the token would reach unencrypted, or no URL at all, is refused naming --argocd', () => {
    assert.throws(() => target('green', 'http://argocd.green.example.com'), (error: Error) => {
      assert.ok(error instanceof DashboardInputError);
      assert.equal(error.message, '--argocd green=http://argocd.green.example.com: the API token would cross the network unencrypted; use https:// (http:// only to this machine, e.g. a port-forward)');
      return true;
    });
    assert.throws(() => target('blue', 'ftp://argocd'), { name: 'Error', message: '--argocd blue=ftp://argocd: use an https:// URL' });
    assert.equal(target('blue', 'argocd.blue.example.com:8443').connection.server, 'argocd.blue.example.com:8443');
  });
});
