// kaji dashboard on the example platform's real files: a copy of examples/labs
// (a git checkout) with a release half done (antenna at 1.6.0 in green only),
// images that a reading of the files by hand would get wrong (a base
// kustomization's pin, a newName, a patch, a stray file), a CronJob green no
// longer serves, and kaji synth run in-process for the summary.json the
// dashboard reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { execFileSync, spawn } from 'node:child_process';
import yaml from 'js-yaml';
import { collectDashboard, DashboardInputError, serveDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { selfSignedLoopbackCertificate } from '../../src/webhook/index.js';
import type { JsonObject } from '../../src/kube/index.js';
import { run } from '../../src/cli/program.js';
import { runSynth } from '../../src/synth/index.js';
import { kaji } from '../support/cli.js';
import { setEnv } from '../support/env.js';
import { hasKubectl, KAJI_ROOT } from '../support/files.js';
import { namingControllers, snapshotList } from '../capacity/cluster.js';
import { ARGOCD_TOKEN, healthyApps, startArgoCd } from '../upgrade/fixture.js';
import { KAJI_BIN } from '../support/bin.js';
import { PlatformError, PlatformErrors } from '../../src/platform/index.js';

const ECR = '111122223333.dkr.ecr.ap-northeast-1.amazonaws.com';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request to 127.0.0.1, trusting only `ca` (or, without it, any certificate: the caller checks the fingerprint). */
function call(port: number, options: { ca?: string; method?: string; path?: string; host?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        agent: false,
        // The certificate is checked for the name "localhost" whatever Host header a test sends.
        servername: 'localhost',
        ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }),
        headers: { host: options.host ?? `127.0.0.1:${port}` },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** The SHA-256 fingerprint of the certificate a server on 127.0.0.1 presents. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256;
      socket.end();
      if (fingerprint) resolve(fingerprint);
      else reject(new Error('no certificate'));
    });
    socket.on('error', reject);
  });
}
const LABS = join(KAJI_ROOT, 'examples/labs');

/** The image of every container (and init container) anywhere in the objects: whatever holds the pod template. */
function containerImages(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(containerImages);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, field]) =>
    (key === 'containers' || key === 'initContainers') && Array.isArray(field) ? field.map((container: { image: string }) => container.image) : containerImages(field),
  );
}
const MAIN = KAJI_BIN;

/**
 * `kaji dashboard --serve --port 0 …flags` run in this process in `cwd`, once
 * it says where it serves: its port, its exit code to come, what it printed
 * so far, and a promise for a later line that includes `part`.
 */
async function serveInProcess(cwd: string, ...flags: string[]) {
  let stderr = '';
  const waiters: { readonly part: string; readonly resolve: () => void }[] = [];
  const io = {
    out: () => assert.fail('nothing on standard output'),
    err: (text: string) => {
      stderr += text;
      for (const waiter of waiters) if (text.includes(waiter.part)) waiter.resolve();
    },
    readStdin: async () => '',
    colorOut: false,
    cwd,
  };
  const printed = (part: string) => new Promise<void>((resolve) => waiters.push({ part, resolve }));
  const listening = printed('serving');
  const exit = run(['dashboard', '--serve', '--port', '0', ...flags], io);
  await Promise.race([listening, exit.then(() => assert.fail(stderr))]);
  const port = Number(/serving https:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)![1]);
  return { port, exit, stderr: () => stderr, printed };
}

const oldCronJob = `apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: blog-digest, namespace: blog}
spec:
  schedule: "0 4 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: digest, image: ${ECR}/blog:2024.11.3}]
`;

describe('kaji dashboard on the example platform', { skip: !hasKubectl }, () => {
  let root = '';
  let commit = '';
  const path = (p: string) => join(root, p);
  const summaryFile = () => path('out/summary.json');

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'kaji-test-'));
    for (const entry of ['platform.yaml', 'polaris.yaml', 'manifests']) cpSync(join(LABS, entry), path(entry), { recursive: true });
    const apps = path('manifests/apps');
    // A release half done: green runs antenna 1.6.0, blue still 1.5.0.
    const antennaGreen = join(apps, 'antenna/overlays/green/kustomization.yaml');
    writeFileSync(antennaGreen, readFileSync(antennaGreen, 'utf8').replace('newTag: "1.5.0"', 'newTag: "1.6.0"'));
    // status-page pins its image in the base's kustomization, not in the overlays.
    for (const cluster of ['blue', 'green']) {
      const overlay = join(apps, `status-page/overlays/${cluster}/kustomization.yaml`);
      writeFileSync(overlay, readFileSync(overlay, 'utf8').replace(/images:\n( {2}.*\n)+/, ''));
    }
    appendFileSync(join(apps, 'status-page/base/kustomization.yaml'), `images:\n  - name: ${ECR}/status-page\n    newTag: "1.1.2"\n`);
    // blue's ledger comes from another registry (newName), with the same tag as green's.
    const ledgerBlue = join(apps, 'ledger/overlays/blue/kustomization.yaml');
    writeFileSync(ledgerBlue, readFileSync(ledgerBlue, 'utf8').replace('    newTag: "2.0.1"', '    newName: ghcr.io/someone/ledger\n    newTag: "2.0.1"'));
    // blue's audit-log runs a debug image, set by a patch; green's has an old patch it no longer lists.
    const patch = (image: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: audit-log, namespace: audit-log}\nspec:\n  template:\n    spec:\n      containers: [{name: api, image: "${image}"}]\n`;
    writeFileSync(join(apps, 'audit-log/overlays/blue/debug.yaml'), patch(`${ECR}/audit-log-debug:latest`));
    appendFileSync(join(apps, 'audit-log/overlays/blue/kustomization.yaml'), 'patches:\n  - path: debug.yaml\n');
    writeFileSync(join(apps, 'audit-log/overlays/green/old-patch.yaml'), patch(`${ECR}/audit-log:0.0.1`));
    // green's blog overlay adds a CronJob in batch/v1beta1, which no cluster here serves; blue's does not have it.
    writeFileSync(join(apps, 'blog/overlays/green/digest.yaml'), oldCronJob);
    const blogGreen = join(apps, 'blog/overlays/green/kustomization.yaml');
    writeFileSync(blogGreen, readFileSync(blogGreen, 'utf8').replace('  - ../../base\n', '  - ../../base\n  - digest.yaml\n'));
    // The manifest folder as a checkout at `commit`: the example holds the files kaji synth generates (derive.test.ts),
    // and the edits above are to overlays, so the run (which writes out/, the CDK app's stacks too) changes nothing in it.
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: path('manifests'), encoding: 'utf8' }).trim();
    git('init', '-q', '--initial-branch', 'release');
    git('add', '-A');
    git('commit', '-q', '-m', 'manifests');
    commit = git('rev-parse', 'HEAD');
    await runSynth({ directory: root, outDirectory: path('out') });
    assert.equal(git('status', '--porcelain'), '', 'kaji synth changed nothing in the checkout');
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  const collect = (capacity: { cluster?: string; file: string }[] = []) => collectDashboard({ directory: root, summaryFile: summaryFile(), capacity, now: new Date('2026-01-02T03:04:05Z') });
  const row = (dashboard: Dashboard, name: string) => dashboard.services.find((service) => service.service === name)!;

  test('services × clusters from platform.yaml, the overlays and summary.json', async () => {
    const dashboard = await collect();
    const summary = JSON.parse(readFileSync(summaryFile(), 'utf8'));
    assert.equal(dashboard.platform, 'labs');
    assert.equal(dashboard.generatedAt, '2026-01-02T03:04:05.000Z');
    assert.deepEqual(
      dashboard.clusters.map((cluster) => [cluster.name, cluster.kubernetesVersion, cluster.weight, cluster.trafficShare]),
      [['blue', '1.32', 255, 1], ['green', '1.35', 0, 0]],
    );
    assert.equal(dashboard.services.length, 30);
    // 4 cpu and 8Gi in slices of at most 1 cpu and 4Gi: the 4 placeholders of 1 cpu and 2Gi kaji synth writes.
    assert.deepEqual(dashboard.headroom, { kind: 'units', cpu: '4', memory: '8Gi', placeholders: { pods: 4, cpuMillicores: 4000, memoryBytes: 8 * 2 ** 30 } });
    // Team and namespace come from platform.yaml (nightly-report runs in "reports").
    const report = row(dashboard, 'nightly-report');
    assert.deepEqual([report.team, report.namespace], ['finance', 'reports']);
    // Each cell's policy figures are summary.json's for that service and cluster.
    for (const [c, cluster] of summary.clusters.entries()) {
      for (const reported of cluster.services) {
        const cell = row(dashboard, reported.service).cells[c]!;
        assert.equal(cell.cluster, cluster.cluster);
        assert.deepEqual(cell.policy, { rendered: reported.rendered, score: reported.score, dangers: reported.dangers, warnings: reported.warnings, objects: reported.objects });
        assert.deepEqual(cell.failedChecks, reported.failedChecks);
      }
    }
    assert.equal(dashboard.totals.dangers, summary.dangers);
  });

  test('each cell holds the images kaji synth rendered, the ones in out/CLUSTER/SERVICE.yaml', async () => {
    const dashboard = await collect();
    for (const [c, cluster] of dashboard.clusters.entries()) {
      for (const service of dashboard.services) {
        const rendered = yaml.loadAll(readFileSync(path(`out/${cluster.name}/${service.service}.yaml`), 'utf8'));
        const shown = service.cells[c]!.images.map((image) => image.image);
        assert.deepEqual(new Set(shown), new Set(containerImages(rendered)), `${service.service} in ${cluster.name}`);
      }
    }
  });

  test('images set by a base kustomization, a newName or a patch are the ones shown; a file the overlay does not list changes nothing', async () => {
    const dashboard = await collect();
    const images = (name: string) => row(dashboard, name).cells.map((cell) => cell.images.map((image) => image.image));
    assert.deepEqual(images('antenna'), [[`${ECR}/antenna:1.5.0`], [`${ECR}/antenna:1.6.0`]]);
    assert.deepEqual(images('status-page'), [[`${ECR}/status-page:1.1.2`], [`${ECR}/status-page:1.1.2`]]);
    assert.deepEqual(images('ledger'), [
      ['ghcr.io/someone/ledger:2.0.1', `${ECR}/mirror/redis:7.2.7-alpine`],
      [`${ECR}/ledger:2.0.1`, `${ECR}/mirror/redis:7.2.7-alpine`],
    ]);
    assert.deepEqual(images('audit-log'), [
      [`${ECR}/audit-log-debug:latest`, `${ECR}/mirror/fluent-bit:3.2.4`],
      [`${ECR}/audit-log:1.4.0`, `${ECR}/mirror/fluent-bit:3.2.4`],
    ]);
    assert.deepEqual(row(dashboard, 'audit-log').cells[0]!.images[0]!.containers, ['Deployment/audit-log/audit-log api']);
    // Flagged: the services whose clusters run different images; status-page's are the same.
    assert.deepEqual(dashboard.services.filter((service) => service.versionsDiffer).map((service) => service.service), ['antenna', 'audit-log', 'ledger']);
    assert.equal(dashboard.totals.versionsDiffer, 3);
    // The checkout kaji synth rendered.
    // The checkout is on "release"; Argo CD follows platform.yaml's manifests.branch, main.
    assert.deepEqual(dashboard.manifests, { commit, branch: 'release', dirty: false, followedBranch: 'main' });
  });

  test('removed APIs are findings of the cell whose cluster no longer serves them', async () => {
    const blog = row(await collect(), 'blog');
    const [blue, green] = blog.cells;
    assert.deepEqual(blue!.removedApis, []);
    assert.equal(blue!.status, 'ok');
    assert.deepEqual(green!.removedApis.map((finding) => finding.object), ['CronJob/blog/blog-digest']);
    assert.match(green!.removedApis[0]!.message, /batch\/v1beta1 CronJob was removed in Kubernetes 1\.25 and is not served by 1\.35: change apiVersion to batch\/v1/);
    assert.equal(green!.status, 'danger');
    assert.ok(green!.policy!.dangers >= 1);
  });

  test('a service kaji synth did not render in a cluster is missing there', async () => {
    const other = path('out/other-summary.json');
    const summary = JSON.parse(readFileSync(summaryFile(), 'utf8'));
    summary.clusters[1].services = summary.clusters[1].services.filter((service: { service: string }) => service.service !== 'ledger');
    writeFileSync(other, JSON.stringify(summary));
    try {
      const dashboard = await collectDashboard({ directory: root, summaryFile: other });
      const ledger = row(dashboard, 'ledger');
      assert.deepEqual(ledger.missingFrom, ['green']);
      assert.deepEqual(ledger.cells.map((cell) => [cell.status, cell.images.length]), [['danger', 2], ['missing', 0]]);
      assert.equal(ledger.versionsDiffer, false, 'compared where it runs');
      assert.equal(dashboard.totals.missing, 1);
    } finally {
      rmSync(other);
    }
  });

  test('capacity from a kubectl snapshot and from kaji capacity -o json', async () => {
    const snapshot = path('blue-snapshot.json');
    writeFileSync(snapshot, JSON.stringify(snapshotList()));
    const json = await kaji(['capacity', '--from', snapshot, '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    writeFileSync(path('green-capacity.json'), json.stdout);
    try {
      const dashboard = await collect([{ cluster: 'blue', file: snapshot }, { cluster: 'green', file: path('green-capacity.json') }]);
      const [blue, green] = dashboard.clusters;
      // The fixture cluster of test/capacity: 2 spot and 2 on-demand nodes, one headroom pod running and one pending, one pod waiting.
      assert.deepEqual(
        [blue!.capacity!.nodes, blue!.capacity!.spotNodes, blue!.capacity!.onDemandNodes, blue!.capacity!.spotShare, blue!.capacity!.headroom.running.pods, blue!.capacity!.headroom.pending.pods, blue!.capacity!.unschedulablePods],
        [4, 2, 2, { nodes: 0.5, cpu: 0.6025 }, 1, 1, 1],
      );
      assert.deepEqual(blue!.capacity!.cpuMillicores, { allocatable: 9710, requested: 3725, utilisation: 0.3836, free: 9710 - 3725 });
      assert.deepEqual(blue!.capacity!.capacityTypes, [{ name: 'spot', nodes: 2 }, { name: 'on-demand', nodes: 2 }]);
      assert.deepEqual([blue!.capacity!.notSchedulable, blue!.capacity!.headroom.stranded], [{ nodes: 0, cpuMillicores: 0, memoryBytes: 0 }, { pods: 0, cpuMillicores: 0, memoryBytes: 0 }]);
      // Both files describe the same cluster: the same figures, whichever form they came in.
      assert.deepEqual({ ...green!.capacity, source: '' }, { ...blue!.capacity, source: '' });
    } finally {
      rmSync(snapshot);
      rmSync(path('green-capacity.json'));
    }
  });

  test("a capacity file of another cluster (its pods name blue's EKS cluster, given as green=) is refused; one naming its own, or none, is read", async () => {
    const withControllers = (eksName: Parameters<typeof namingControllers>[0]) => {
      const list = snapshotList();
      return JSON.stringify({ ...list, items: [...(list.items as JsonObject[]), ...namingControllers(eksName)] });
    };
    writeFileSync(path('blue-snapshot.json'), withControllers({ karpenter: 'labs-blue', loadBalancer: 'labs-blue' }));
    writeFileSync(path('lb-only.json'), withControllers({ loadBalancer: 'labs-blue' }));
    try {
      const refused = await kaji(['dashboard', '--platform', '.', '--capacity', 'green=blue-snapshot.json', '-o', 'json'], { cwd: root });
      assert.equal(refused.code, 2);
      assert.equal(refused.stdout, '');
      assert.equal(
        refused.stderr,
        'kaji: --capacity green=blue-snapshot.json: the file is of EKS cluster labs-blue (pod kube-system/aws-load-balancer-controller-7d5c9b6f4-q8w2e, arg --cluster-name), ' +
          "not of green (labs-green): give green's, the output of `kaji capacity -o json` or of `kubectl get nodes,pods -A -o json` with its context (--context)\n",
      );
      // kaji capacity -o json carries the names: the same check, here on Karpenter's CLUSTER_NAME.
      const json = await kaji(['capacity', '--from', path('blue-snapshot.json'), '-o', 'json']);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout).eksClusters.map((found: { name: string }) => found.name), ['labs-blue']);
      const karpenterOnly = await kaji(['capacity', '--from', '-', '-o', 'json'], { stdin: withControllers({ karpenter: 'labs-blue' }) });
      writeFileSync(path('blue-capacity.json'), karpenterOnly.stdout);
      const refusedJson = await kaji(['dashboard', '--platform', '.', '--capacity', 'blue=lb-only.json', '--capacity', 'green=blue-capacity.json', '-o', 'json'], { cwd: root });
      assert.equal(refusedJson.code, 2);
      assert.match(refusedJson.stderr, /^kaji: --capacity green=blue-capacity\.json: the file is of EKS cluster labs-blue \(pod kube-system\/karpenter-6b9f7c8d4-x2k4p, env CLUSTER_NAME\), not of green \(labs-green\)/);
      // Each file given for its own cluster is read; the fixture without the controllers names no cluster, so green may have it.
      writeFileSync(path('unnamed.json'), JSON.stringify(snapshotList()));
      const dashboard = await collect([{ cluster: 'blue', file: path('blue-capacity.json') }, { cluster: 'green', file: path('unnamed.json') }]);
      assert.deepEqual(dashboard.clusters.map((cluster) => cluster.capacity?.nodes), [4, 4]);
      const both = await kaji(['dashboard', '--platform', '.', '--capacity', 'blue=blue-snapshot.json', '--capacity', 'green=unnamed.json', '-o', 'json'], { cwd: root });
      assert.equal(both.code, 0, both.stderr);
    } finally {
      for (const file of ['blue-snapshot.json', 'lb-only.json', 'blue-capacity.json', 'unnamed.json']) rmSync(path(file), { force: true });
    }
  });

  describe('served over HTTPS on 127.0.0.1', () => {
    test('the page made again for each request, with its security headers; read-only', async () => {
      const tls = await selfSignedLoopbackCertificate('kaji-dashboard');
      let collected = 0;
      let fail: Error | undefined;
      const errors: unknown[] = [];
      const served = await serveDashboard(0, {
        tls,
        collect: async () => {
          collected += 1;
          if (fail) throw fail;
          return collect();
        },
        logError: (error) => errors.push(error),
      });
      try {
        // Verified against the generated certificate, trusted as the only CA.
        const page = await call(served.port, { ca: tls.cert });
        assert.equal(page.status, 200);
        assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
        assert.match(String(page.headers['content-security-policy']), /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; .*frame-ancestors 'none'$/);
        assert.equal(page.headers['x-content-type-options'], 'nosniff');
        assert.equal(page.headers['referrer-policy'], 'no-referrer');
        assert.equal(page.headers['cache-control'], 'no-store');
        assert.match(page.body, /^<!doctype html>\n[\s\S]*\/antenna:1\.6\.0<\/code>/);
        const data = await call(served.port, { ca: tls.cert, path: '/dashboard.json' });
        assert.equal(data.status, 200);
        assert.equal(JSON.parse(data.body).services.length, 30);
        assert.equal(collected, 2, 'made again for each request');

        const head = await call(served.port, { ca: tls.cert, method: 'HEAD' });
        assert.deepEqual([head.status, head.body, head.headers['content-length']], [200, '', page.headers['content-length']]);
        for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
          const refused = await call(served.port, { ca: tls.cert, method });
          assert.deepEqual([refused.status, refused.headers.allow], [405, 'GET, HEAD'], method);
        }
        assert.equal((await call(served.port, { ca: tls.cert, path: '/out/summary.json' })).status, 404);
        // A name rebound to 127.0.0.1 by some other page gets nothing.
        const rebound = await call(served.port, { ca: tls.cert, host: 'attacker.example' });
        assert.equal(rebound.status, 421);
        assert.ok(!rebound.body.includes('antenna'));

        // Inputs that stop being usable are said as text, with what to do.
        fail = new DashboardInputError('out/summary.json is out of date: <b>platform.yaml</b> changed; run `kaji synth`');
        const stale = await call(served.port, { ca: tls.cert });
        assert.deepEqual([stale.status, stale.headers['content-type']], [503, 'text/plain; charset=utf-8']);
        assert.equal(stale.body, 'kaji dashboard: out/summary.json is out of date: <b>platform.yaml</b> changed; run `kaji synth`\n');
        // platform.yaml broken (or gone) since the server started: what the command line says, as text.
        fail = new PlatformErrors([new PlatformError('cannot read the platform definition: no such file or directory; check the path', '', 'labs/platform.yaml')]);
        const unread = await call(served.port, { ca: tls.cert });
        assert.deepEqual([unread.status, unread.body], [503, `kaji dashboard: invalid platform definition:\n${(fail as PlatformErrors).describe()}\n`]);
        assert.match(unread.body, /labs\/platform\.yaml: cannot read the platform definition/);
        fail = new Error('a bug');
        const broken = await call(served.port, { ca: tls.cert });
        assert.deepEqual([broken.status, broken.body], [500, "internal error: see kaji's standard error\n"]);
        assert.deepEqual(errors, [fail]);
      } finally {
        await served.close();
      }
      await assert.rejects(call(served.port, { ca: tls.cert }), /ECONNREFUSED/);
    });

    test('kaji dashboard --serve: prints the address and the fingerprint, serves, and stops on SIGTERM', async () => {
      const { port, exit, stderr } = await serveInProcess(root);
      const [, printedPort, fingerprint] = /serving https:\/\/127\.0\.0\.1:(\d+)\/ \(self-signed certificate, SHA-256 fingerprint ([0-9A-F:]+):/.exec(stderr())!;
      assert.equal(Number(printedPort), port);
      assert.equal(await servedFingerprint(port), fingerprint);
      const page = await call(port);
      assert.equal(page.status, 200);
      assert.match(page.body, /<h1>labs<\/h1>/);
      process.emit('SIGTERM');
      assert.equal(await exit, 0);
      assert.match(stderr(), /kaji dashboard: stopped \(SIGTERM\)\n$/);
      await assert.rejects(call(port), /ECONNREFUSED/);
    });

    test('kaji dashboard --serve --argocd: the page shows Argo CD and reloads itself', async () => {
      const names = (await collect()).services.map((service) => service.service);
      const argocd = await startArgoCd(() => healthyApps(names, commit));
      const restore = setEnv({ ARGOCD_AUTH_TOKEN_GREEN: ARGOCD_TOKEN });
      try {
        const { port, exit } = await serveInProcess(root, '--argocd', `green=${argocd.url}`);
        const [page, data] = await Promise.all([call(port), call(port, { path: '/dashboard.json' })]);
        assert.ok(page.body.includes('<meta http-equiv="refresh" content="30">'));
        assert.ok(page.body.includes('<span class="ok">30/30 services Synced and Healthy</span>'));
        assert.equal(JSON.parse(data.body).totals.argocdNotReady, 0);
        assert.deepEqual(new Set(argocd.requests.map((request) => request.authorization)), new Set([`Bearer ${ARGOCD_TOKEN}`]));
        process.emit('SIGTERM');
        assert.equal(await exit, 0);
      } finally {
        restore();
        await argocd.close();
      }
    });

    test('kaji dashboard --serve: a second signal stops it at once, however long a client takes', { timeout: 60_000 }, async () => {
      const { port, exit, stderr, printed } = await serveInProcess(root);
      // A client that sends half a request and waits: it would hold the graceful stop for its whole grace period.
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      socket.on('error', () => undefined);
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      const stopping = printed('stopping');
      process.emit('SIGTERM');
      await stopping;
      process.emit('SIGINT');
      assert.equal(await exit, 130);
      assert.match(stderr(), /kaji dashboard: stopping \(SIGTERM\): .*Ctrl-C again stops at once\nkaji dashboard: stopped at once \(SIGINT\)\n$/);
      socket.destroy();
    });

    test('--serve with --out or -o json is a usage error', async () => {
      const { code, stderr } = await kaji(['dashboard', '--serve', '--out', 'x.html'], { cwd: root });
      assert.equal(code, 2);
      assert.equal(stderr, 'kaji: --serve serves the page at / and its data at /dashboard.json: leave out --out\n');
    });
  });

  describe('the command', () => {
    test('writes one HTML page, by default out/dashboard.html in the current folder', async () => {
      const { code, stdout, stderr } = await kaji(['dashboard', '--platform', '.'], { cwd: root });
      assert.equal(code, 0, stderr);
      assert.equal(stdout, '');
      const { dangers } = JSON.parse(readFileSync(summaryFile(), 'utf8'));
      assert.ok(dangers > 1);
      assert.equal(stderr, `kaji dashboard: wrote out/dashboard.html (30 services × 2 clusters; 3 at different versions, 0 missing from a cluster, ${dangers} dangers)\n`);
      const html = readFileSync(path('out/dashboard.html'), 'utf8');
      assert.match(html, /^<!doctype html>\n/);
      assert.ok(!/<script|<link|<img|src=|href=|@import|url\(/i.test(html), 'no script and nothing fetched');
      assert.match(html, /<tr class="differs"><th scope="row">antenna<span class="badge warning">versions differ<\/span><\/th><td>feeds<\/td><td>antenna<\/td>/);
      assert.ok(html.includes(`>${ECR}/antenna:1.5.0</code>`) && html.includes(`>${ECR}/antenna:1.6.0</code>`));
      // What failed, without running kaji check: blue's audit-log runs :latest.
      assert.ok(
        html.includes(
          '<details><summary class="danger">1 failed danger check</summary><ul><li>Deployment/audit-log/audit-log: container api: tagNotSpecified: Image tag should be specified</li></ul></details>',
        ),
      );
      assert.ok(html.includes(`at commit <code>${commit.slice(0, 12)}</code> on <code>release</code> <span class="warning">(Argo CD follows <code>main</code>)</span> ·`));
      assert.ok(html.includes('1 removed API</summary><ul><li>CronJob/blog/blog-digest: '));
    });

    test('-o json prints the data on standard output, in the documented shape', async () => {
      const { code, stdout, stderr } = await kaji(['dashboard', '--platform', root, '--summary', summaryFile(), '-o', 'json']);
      assert.equal(code, 0, stderr);
      assert.equal(stderr, '');
      const data = JSON.parse(stdout);
      assert.deepEqual(Object.keys(data), ['format', 'platform', 'generatedAt', 'manifests', 'headroom', 'totals', 'clusters', 'services']);
      assert.equal(data.format, 6);
      assert.deepEqual(Object.keys(data.totals), ['services', 'dangers', 'warnings', 'problems', 'versionsDiffer', 'missing', 'argocdNotReady', 'argocdUnread']);
      assert.deepEqual(Object.keys(data.clusters[0]), ['name', 'kubernetesVersion', 'weight', 'retiring', 'trafficShare', 'notRenderedWhole', 'score', 'dangers', 'warnings', 'capacity', 'argocd']);
      assert.deepEqual(Object.keys(data.services[0]), ['service', 'team', 'namespace', 'image', 'versionsDiffer', 'missingFrom', 'cells']);
      assert.deepEqual(Object.keys(data.services[0].cells[0]), ['cluster', 'status', 'images', 'policy', 'failedChecks', 'removedApis', 'boundaryViolations', 'problems', 'argocd']);
      assert.equal(data.clusters[0].argocd, null, 'no --argocd');
      assert.deepEqual(Object.keys(data.services[0].cells[0].images[0]), ['image', 'containers']);
      assert.deepEqual(Object.keys(data.services[0].cells[0].policy), ['rendered', 'score', 'dangers', 'warnings', 'objects']);
      assert.ok(!Number.isNaN(Date.parse(data.generatedAt)));
    });

    test("--argocd: each cluster's Argo CD read with its own token; one that cannot be read is said once, exit 0", async () => {
      const names = (await collect()).services.map((service) => service.service);
      // blue runs everything at the commit; green's Argo CD refuses the token it is given.
      const blue = await startArgoCd(() => healthyApps(names, commit).map((app) => (app.name === 'antenna' ? { ...app, health: 'Degraded', message: 'Deployment "antenna" exceeded its progress deadline' } : app)));
      const green = await startArgoCd(() => [], 'green-token-9c2e');
      const restore = setEnv({ ARGOCD_AUTH_TOKEN_BLUE: ARGOCD_TOKEN, ARGOCD_AUTH_TOKEN: 'fallback-token-41d7' });
      try {
        const argv = ['dashboard', '--platform', '.', '--argocd', `blue=${blue.url}`, '--argocd', `green=${green.url}`];
        const json = await kaji([...argv, '-o', 'json'], { cwd: root });
        assert.equal(json.code, 0, json.stderr);
        assert.equal(json.stderr, `kaji dashboard: green's Argo CD could not be read: Argo CD at ${green.url} refused the token (HTTP 401): set $ARGOCD_AUTH_TOKEN to an API token of its kaji-reader account, which an admin makes with argocd account generate-token --account kaji-reader (each cluster's Argo CD signs its own; an expired or deleted token is refused too)\n`);
        const data = JSON.parse(json.stdout) as Dashboard;
        assert.deepEqual(data.clusters.map((cluster) => [cluster.name, cluster.argocd!.ready, cluster.argocd!.total, cluster.argocd!.error === null]), [['blue', 29, 30, true], ['green', 0, 0, false]]);
        assert.deepEqual(row(data, 'antenna').cells[0]!.argocd, {
          application: 'antenna', found: true, sync: 'Synced', health: 'Degraded', revisions: [commit], atExpectedRevision: true, message: 'Deployment "antenna" exceeded its progress deadline', ready: false,
        });
        assert.deepEqual([data.totals.argocdNotReady, data.totals.argocdUnread], [1, 1]);
        assert.deepEqual([blue.requests.at(-1)!.authorization, green.requests.at(-1)!.authorization], [`Bearer ${ARGOCD_TOKEN}`, 'Bearer fallback-token-41d7']);

        const page = await kaji([...argv, '--out', 'out/live.html'], { cwd: root });
        assert.equal(page.code, 0, page.stderr);
        assert.match(page.stderr, /kaji dashboard: wrote out\/live\.html \(30 services × 2 clusters; .* dangers, 1 not Synced and Healthy in Argo CD\)\n$/);
        const html = readFileSync(path('out/live.html'), 'utf8');
        assert.ok(html.includes('<td class="cell ok not-ready">Argo CD: <span class="ok">Synced</span> · <span class="danger">Degraded</span>'));
        assert.ok(!html.includes(ARGOCD_TOKEN) && !html.includes('fallback-token-41d7') && !page.stderr.includes(ARGOCD_TOKEN));
      } finally {
        restore();
        rmSync(path('out/live.html'), { force: true });
        await blue.close();
        await green.close();
      }
    });

    test('--argocd without a token, twice for a cluster, for a cluster the platform lacks, or over plain http: exit 2, nothing read', async () => {
      const restore = setEnv({ ARGOCD_AUTH_TOKEN: undefined, ARGOCD_AUTH_TOKEN_GREEN: undefined });
      try {
        const noToken = await kaji(['dashboard', '--platform', '.', '--argocd', 'green=argocd.green.example.com'], { cwd: root });
        assert.deepEqual([noToken.code, noToken.stderr], [2, 'kaji: --argocd green=argocd.green.example.com: set $ARGOCD_AUTH_TOKEN_GREEN to an API token of its kaji-reader account, which an admin makes with argocd account generate-token --account kaji-reader (each cluster\'s Argo CD signs its own; an expired or deleted token is refused too)\n']);
        process.env.ARGOCD_AUTH_TOKEN = 'some-token-5a5a';
        const twice = await kaji(['dashboard', '--platform', '.', '--argocd', 'green=a.example.com', '--argocd', 'green=b.example.com'], { cwd: root });
        assert.deepEqual([twice.code, twice.stderr], [2, 'kaji: --argocd names the cluster "green" twice: give one server per cluster\n']);
        const purple = await kaji(['dashboard', '--platform', '.', '--argocd', 'purple=argocd.example.com'], { cwd: root });
        assert.deepEqual([purple.code, purple.stderr], [2, 'kaji: --argocd purple=…: platform.yaml has no cluster "purple" (its clusters: blue, green)\n']);
        const plain = await kaji(['dashboard', '--platform', '.', '--argocd', 'green=http://argocd.green.example.com'], { cwd: root });
        assert.equal(plain.code, 2);
        assert.match(plain.stderr, /^kaji: --argocd green=http:\/\/argocd\.green\.example\.com: the API token would cross the network unencrypted/);
        const unnamed = await kaji(['dashboard', '--platform', '.', '--argocd', 'argocd.example.com'], { cwd: root });
        assert.equal(unnamed.code, 2);
        assert.match(unnamed.stderr, /give --argocd CLUSTER=VALUE, e\.g\. green=argocd\.green\.example\.com/);
        const ca = await kaji(['dashboard', '--platform', '.', '--argocd', 'green=argocd.example.com', '--argocd-ca', 'green=absent-ca.pem'], { cwd: root });
        assert.equal(ca.code, 2);
        assert.match(ca.stderr, /^kaji: --argocd-ca: cannot open absent-ca\.pem: /);
        // A file with no certificate in it would only show as a TLS failure, as if the flag were missing.
        writeFileSync(path('not-a-ca.pem'), '-----BEGIN CERTIFICATE-----\nnot base64 DER\n-----END CERTIFICATE-----\n');
        for (const file of [path('not-a-ca.pem'), '/dev/null']) {
          const notCa = await kaji(['dashboard', '--platform', '.', '--argocd', 'green=argocd.example.com', '--argocd-ca', `green=${file}`], { cwd: root });
          assert.deepEqual([notCa.code, notCa.stderr], [2, `kaji: --argocd-ca ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate, or bundle, that signed the server's certificate\n`]);
        }
        for (const result of [noToken, twice, purple, plain, unnamed, ca]) assert.ok(!result.stderr.includes('some-token-5a5a'));
      } finally {
        restore();
      }
    });

    test('summary.json missing: says how to write it, exit 2, nothing written', async () => {
      const { code, stdout, stderr } = await kaji(['dashboard', '--platform', root, '--summary', path('nowhere/summary.json'), '--out', path('nowhere/dashboard.html')]);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, /^kaji: .*nowhere\/summary\.json does not exist: run `kaji synth` .*--summary\n$/);
      assert.ok(!existsSync(path('nowhere')));
    });

    test('summary.json is out of date once any file it describes has other content: exit 2', async () => {
      // The base, a file in a subfolder (a configMapGenerator's), a new file, platform.yaml and the policy: none of them read by the dashboard itself.
      const edits: [string, (file: string) => void][] = [
        ['manifests/apps/antenna/base/deployment.yaml', (file) => appendFileSync(file, '# edited\n')],
        ['manifests/apps/blog/base/config/nginx.conf', (file) => appendFileSync(file, '# edited\n')],
        ['manifests/apps/blog/base/new.yaml', (file) => writeFileSync(file, 'kind: ConfigMap\n')],
        ['platform.yaml', (file) => appendFileSync(file, '# edited\n')],
        ['polaris.yaml', (file) => appendFileSync(file, '# edited\n')],
      ];
      for (const [name, edit] of edits) {
        const file = path(name);
        const before = existsSync(file) ? readFileSync(file) : undefined;
        edit(file);
        try {
          const { code, stderr } = await kaji(['dashboard', '--platform', '.', '-o', 'json'], { cwd: root });
          assert.equal(code, 2, name);
          assert.equal(
            stderr,
            'kaji: out/summary.json is out of date: platform.yaml, polaris.yaml or a file under manifests/ changed after it was written; run `kaji synth` (its --out folder holds summary.json) and try again\n',
            name,
          );
        } finally {
          if (before === undefined) rmSync(file);
          else writeFileSync(file, before);
        }
      }
    });

    test('contents count, not times: files as they were, though written later, are current', async () => {
      const later = new Date(statSync(summaryFile()).mtimeMs + 60_000);
      for (const name of ['platform.yaml', 'manifests/apps/antenna/base/deployment.yaml']) utimesSync(path(name), later, later);
      const { code, stderr } = await kaji(['dashboard', '--platform', '.', '-o', 'json'], { cwd: root });
      assert.equal(code, 0, stderr);
    });

    test('a summary.json of an older kaji synth (without the manifests it describes, nor the images) is refused', async () => {
      const other = path('out/old-summary.json');
      const summary = JSON.parse(readFileSync(summaryFile(), 'utf8'));
      delete summary.manifests;
      for (const cluster of summary.clusters) for (const service of cluster.services) delete service.images;
      writeFileSync(other, JSON.stringify(summary));
      try {
        const { code, stderr } = await kaji(['dashboard', '--platform', '.', '--summary', 'out/old-summary.json'], { cwd: root });
        assert.equal(code, 2);
        assert.equal(stderr, 'kaji: out/old-summary.json: manifests is not an object; it was not written by this kaji synth: run `kaji synth` (its --out folder holds summary.json) and try again\n');
      } finally {
        rmSync(other);
      }
    });

    test('a summary.json of other clusters is out of date', async () => {
      const other = path('other-summary.json');
      const summary = JSON.parse(readFileSync(summaryFile(), 'utf8'));
      summary.clusters[1].kubernetesVersion = '1.34';
      writeFileSync(other, JSON.stringify(summary));
      try {
        const { code, stderr } = await kaji(['dashboard', '--platform', '.', '--summary', 'other-summary.json'], { cwd: root });
        assert.equal(code, 2);
        assert.equal(
          stderr,
          'kaji: other-summary.json is out of date: it lists the clusters blue (Kubernetes 1.32, weight 255), green (Kubernetes 1.34, weight 0); ' +
            'platform.yaml defines blue (Kubernetes 1.32, weight 255), green (Kubernetes 1.35, weight 0); run `kaji synth` (its --out folder holds summary.json) and try again\n',
        );
      } finally {
        rmSync(other);
      }
    });

    test('a summary.json of another shape names the field', async () => {
      const other = path('other-summary.json');
      const summary = JSON.parse(readFileSync(summaryFile(), 'utf8'));
      summary.clusters[0].services[2].score = 'high';
      writeFileSync(other, JSON.stringify(summary));
      try {
        const { code, stderr } = await kaji(['dashboard', '--platform', '.', '--summary', 'other-summary.json'], { cwd: root });
        assert.equal(code, 2);
        assert.match(stderr, /^kaji: other-summary\.json: clusters\[0\]\.services\[2\]\.score is not a number; .*`kaji synth`/);
      } finally {
        rmSync(other);
      }
    });

    test('a capacity file that cannot be read is named; so is a cluster the platform does not have', async () => {
      writeFileSync(path('broken.json'), '{"items": [');
      try {
        const broken = await kaji(['dashboard', '--platform', '.', '--capacity', 'blue=broken.json', '-o', 'json'], { cwd: root });
        assert.equal(broken.code, 2);
        assert.equal(broken.stdout, '');
        assert.match(broken.stderr, /^kaji: broken\.json(:\d+)?: .*kaji capacity -o json.*kubectl get nodes,pods -A -o json/);
        const missing = await kaji(['dashboard', '--platform', '.', '--capacity', 'green=absent.json', '-o', 'json'], { cwd: root });
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /^kaji: cannot read the capacity file absent\.json: /);
        const unnamed = await kaji(['dashboard', '--platform', '.', '--capacity', 'broken.json'], { cwd: root });
        assert.equal(unnamed.code, 2);
        assert.equal(unnamed.stderr, "kaji: --capacity broken.json: name its cluster, --capacity CLUSTER=broken.json (the platform's clusters: blue, green)\n");
        const unknown = await kaji(['dashboard', '--platform', '.', '--capacity', 'purple=broken.json'], { cwd: root });
        assert.equal(unknown.code, 2);
        assert.equal(unknown.stderr, 'kaji: --capacity purple=broken.json: platform.yaml has no cluster "purple" (its clusters: blue, green)\n');
        // Two kubectl runs into one file: where the second value starts, and the one command, said once.
        const runs = ['Node', 'Pod'].map((kind) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: (snapshotList().items as { kind: string }[]).filter((item) => item.kind === kind) }));
        writeFileSync(path('two-runs.json'), `${runs.join('\n')}\n`);
        const twoRuns = await kaji(['dashboard', '--platform', '.', '--capacity', 'blue=two-runs.json', '-o', 'json'], { cwd: root });
        assert.equal(twoRuns.code, 2);
        assert.equal(
          twoRuns.stderr,
          'kaji: two-runs.json:2: a second JSON value starts at line 2, column 1, after the one that ends at line 1: ' +
            'give the output of one command, `kubectl get nodes,pods -A -o json`, rather than of several one after the other\n',
        );
      } finally {
        rmSync(path('broken.json'));
        rmSync(path('two-runs.json'), { force: true });
      }
    });
  });

  test('a file outside the manifest folder, linked from an overlay, never reaches the page', async () => {
    // Last: it changes the checkout. A tenant's overlay links its kustomization.yaml to a secret file of the CI machine.
    writeFileSync(path('ci-secret.txt'), 'aws_access_key_id: "AKIAIOSFODNN7EXAMPLE\nnot: yaml\n');
    const overlay = path('manifests/apps/blog-export/overlays/green/kustomization.yaml');
    rmSync(overlay);
    symlinkSync(path('ci-secret.txt'), overlay);
    await runSynth({ directory: root, outDirectory: path('out'), infrastructure: false });
    const { code, stderr } = await kaji(['dashboard', '--platform', '.'], { cwd: root });
    assert.equal(code, 0, stderr);
    const html = readFileSync(path('out/dashboard.html'), 'utf8');
    assert.ok(html.includes('blog-export'));
    assert.ok(!html.includes('AKIA') && !html.includes('aws_access_key_id'));
  });

  // The real process: kaji's immediate exit on a signal is for the other commands; the server stops taking
  // connections and exits 0. It runs dist/cli/main.js: `npm test` builds it first, but run alone this file
  // tests dist as last built (`npm run build` after changing src).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`kaji dashboard --serve as a process: ${signal} stops it gracefully, exit 0`, { skip: !existsSync(MAIN) && 'needs `npm run build`', timeout: 30_000 }, async () => {
      const child = spawn(process.execPath, [MAIN, 'dashboard', '--serve', '--port', '0', '--platform', '.'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      try {
        await new Promise<void>((resolve, reject) => {
          child.stderr.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            if (stderr.includes('serving https://127.0.0.1:')) resolve();
          });
          child.on('exit', (code) => reject(new Error(`exited ${code} before serving: ${stderr}`)));
        });
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, received) => resolve({ code, signal: received })));
        child.kill(signal);
        assert.deepEqual(await exited, { code: 0, signal: null }, stderr);
        assert.match(stderr, new RegExp(`kaji dashboard: stopped \\(${signal}\\)\n$`));
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});
