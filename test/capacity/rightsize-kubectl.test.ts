// kaji rightsize reads each cluster's VerticalPodAutoscalers through the real kubectl: local
// HTTP servers on 127.0.0.1 answer as API servers do (version, discovery of the
// autoscaling.k8s.io group, the cluster-wide list), one per context of a kubeconfig in a
// temporary folder. kaji runs as a process, with HOME there so kubectl's cache stays there too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BumpFixture } from '../gitops/bump-fixture.js';
import { builtBin } from '../support/bin.js';
import { hasKubectl, KAJI_ROOT, tempTree } from '../support/files.js';
import { BLUE_VPAS, createRightsizeFixture, GREEN_VPAS } from './rightsize-fixture.js';

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

/** An API server whose VerticalPodAutoscalers are `items`; `forbidden` answers the list with 403. */
async function apiServer(items: object[], forbidden = false): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const routes: Record<string, object> = {
    '/version': { major: '1', minor: '32', gitVersion: 'v1.32.4-eks-1234567', platform: 'linux/amd64' },
    '/api': { kind: 'APIVersions', versions: ['v1'] },
    '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [] },
    '/apis': {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [{ name: 'autoscaling.k8s.io', versions: [{ groupVersion: 'autoscaling.k8s.io/v1', version: 'v1' }], preferredVersion: { groupVersion: 'autoscaling.k8s.io/v1', version: 'v1' } }],
    },
    '/apis/autoscaling.k8s.io/v1': {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'autoscaling.k8s.io/v1',
      resources: [{ name: 'verticalpodautoscalers', singularName: 'verticalpodautoscaler', namespaced: true, kind: 'VerticalPodAutoscaler', shortNames: ['vpa'], verbs: ['get', 'list', 'watch'] }],
    },
    '/apis/autoscaling.k8s.io/v1/verticalpodautoscalers': { apiVersion: 'autoscaling.k8s.io/v1', kind: 'VerticalPodAutoscalerList', metadata: { resourceVersion: '4711' }, items },
  };
  const server = createServer((request, response) => {
    const [path, query] = (request.url ?? '').split('?') as [string, string | undefined];
    requests.push(`${request.method} ${path}`);
    const selector = new URLSearchParams(query ?? '').get('labelSelector');
    if (selector !== null) requests.push(`labelSelector=${selector}`);
    const answer = (code: number, body: object) => {
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (forbidden && path.endsWith('/verticalpodautoscalers')) {
      return answer(403, status(403, 'Forbidden', 'verticalpodautoscalers.autoscaling.k8s.io is forbidden: User "dev" cannot list resource "verticalpodautoscalers" in API group "autoscaling.k8s.io" at the cluster scope'));
    }
    const body = routes[path];
    if (body === undefined) return answer(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    answer(200, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function kubeconfig(servers: Record<string, string>): string {
  const names = Object.keys(servers);
  return `apiVersion: v1
kind: Config
clusters:
${names.map((name) => `  - name: ${name}\n    cluster: {server: "${servers[name]}"}`).join('\n')}
users:
  - name: dev
    user: {token: not-a-real-token}
contexts:
${names.map((name) => `  - name: ${name}\n    context: {cluster: ${name}, user: dev}`).join('\n')}
current-context: ${names[0]}
`;
}

function runKaji(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtBin(), 'rightsize', ...args], { cwd: KAJI_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr'] as const) child[name].on('data', (chunk: Buffer) => void (output[name] += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...output }));
  });
}

describe('kaji rightsize through kubectl', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let blue: Awaited<ReturnType<typeof apiServer>>;
  let green: Awaited<ReturnType<typeof apiServer>>;
  let denied: Awaited<ReturnType<typeof apiServer>>;
  let empty: Awaited<ReturnType<typeof apiServer>>;
  let tree: ReturnType<typeof tempTree>;
  let fixture: BumpFixture;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    [blue, green, denied, empty] = await Promise.all([apiServer(BLUE_VPAS), apiServer(GREEN_VPAS), apiServer([], true), apiServer([])]);
    tree = tempTree({ 'kubeconfig.yaml': kubeconfig({ blue: blue.url, green: green.url, denied: denied.url, empty: empty.url }), 'home/.keep': '' });
    fixture = createRightsizeFixture();
    const { KUBECONFIG: _ignored, KAJI_KUBECTL: _also, GITHUB_TOKEN: _token, ...rest } = process.env;
    env = { ...rest, HOME: tree.path('home') };
  });
  after(async () => {
    tree.cleanup();
    fixture.cleanup();
    await Promise.all([blue, green, denied, empty].map(({ server }) => new Promise((resolve) => server.close(resolve))));
  });

  const base = () => ['--kubeconfig', tree.path('kubeconfig.yaml'), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--dry-run'];

  test('each --context is read (every namespace) and the larger recommendation of the two clusters is taken', async () => {
    const { code, stdout, stderr } = await runKaji([...base(), '--context', 'blue', '--context', 'green', '-o', 'json'], env);
    assert.equal(code, 0, stderr);
    for (const api of [blue, green]) {
      assert.ok(api.requests.includes('GET /apis/autoscaling.k8s.io/v1/verticalpodautoscalers'), api.requests.join('\n'));
      assert.ok(api.requests.includes('labelSelector=app.kubernetes.io/managed-by=kaji'), 'only the VerticalPodAutoscalers kaji wrote');
    }
    const plan = JSON.parse(stdout);
    const cpu = plan.changes.find((c: { resource: string; container: string }) => c.container === 'app' && c.resource === 'cpu');
    assert.deepEqual(
      { current: cpu.current, proposed: cpu.proposed, sources: cpu.vpa.map((v: { source: string; target: string }) => `${v.source}: ${v.target}`) },
      { current: '200m', proposed: '300m', sources: ['context blue: 320m', 'context green: 410m'] },
    );
    assert.match(plan.diff, /\+ {12}requests: \{cpu: 300m, memory: 256Mi\}/);
  });

  test('without --context: the current context only; what another cluster runs too is not sized on it', async () => {
    blue.requests.length = 0;
    green.requests.length = 0;
    const { code, stdout, stderr } = await runKaji([...base(), '-o', 'json'], env);
    assert.equal(code, 0, stderr);
    assert.ok(blue.requests.length > 0);
    assert.equal(green.requests.length, 0);
    const cpu = JSON.parse(stdout).changes.find((c: { resource: string; container: string }) => c.container === 'app' && c.resource === 'cpu');
    assert.deepEqual([cpu.vpa.length, cpu.vpa[0].source], [1, 'the current context']);
    assert.match(cpu.skipped, /^green runs this value too, but no recommendation of its for it was read/);
  });

  test("listing refused: exit 2 with the API server's message and what to check", async () => {
    const { code, stdout, stderr } = await runKaji([...base(), '--context', 'denied'], env);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^kaji: kubectl get verticalpodautoscalers\.autoscaling\.k8s\.io --all-namespaces --selector app\.kubernetes\.io\/managed-by=kaji failed: .*cannot list resource "verticalpodautoscalers" in API group "autoscaling\.k8s\.io".* \(check the context: --context.*may list verticalpodautoscalers\.autoscaling\.k8s\.io\)\n$/);
  });

  test("a context with no VerticalPodAutoscaler of kaji's (the wrong cluster, or one not synced): exit 2 naming it, never \"nothing to change\"", async () => {
    const { code, stdout, stderr } = await runKaji([...base(), '--context', 'blue', '--context', 'empty'], env);
    assert.equal(code, 2, stdout);
    assert.equal(stdout, '');
    assert.equal(
      stderr.split('\n').filter((line) => line.startsWith('kaji: ')).join('\n'),
      "kaji: context empty has no VerticalPodAutoscaler kaji synth wrote (label app.kubernetes.io/managed-by=kaji): check that it is the cluster meant (--context per cluster) and that Argo CD has synced kaji synth's clusters/ folder there",
    );
  });

  test('a typo in platform.yaml, or an unknown --service: told before any cluster is read, and not hidden by a kubectl error (exit 2)', async () => {
    for (const api of [blue, denied]) api.requests.length = 0;
    const broken = tree.path('broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'platform.yaml'), readFileSync(join(fixture.platformDir, 'platform.yaml'), 'utf8').replace('memory: 2Gi, pods: 20}}\n  - {name: cart', 'memroy: 2Gi, pods: 20}}\n  - {name: cart'));
    const typo = await runKaji(['--kubeconfig', tree.path('kubeconfig.yaml'), '--platform', broken, '--manifests', fixture.remote, '--dry-run', '--context', 'blue', '--context', 'denied'], env);
    assert.equal(typo.code, 2, typo.stderr);
    assert.match(typo.stderr, /^kaji: invalid platform definition:\n/);
    assert.match(typo.stderr, /\/broken\/platform\.yaml:9:\d+: services\[0\]\.quota\.memroy: unknown key "memroy" \(did you mean "memory"\?\)/);
    assert.doesNotMatch(typo.stderr, /kubectl/);
    const unknown = await runKaji([...base(), '--context', 'blue', '--context', 'denied', '--service', 'shpo'], env);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.equal(unknown.stderr, 'kaji: unknown service "shpo" (did you mean "shop"?); it is not in platform.yaml\n');
    assert.deepEqual([blue.requests, denied.requests], [[], []], 'no cluster was read');
  });
});
