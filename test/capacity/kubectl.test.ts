// kaji capacity against a cluster through the real kubectl: a local HTTP server
// on 127.0.0.1 answers what kubectl asks (version and discovery, then the
// nodes and pods lists) with Kubernetes' own List JSON, and a kubeconfig in a
// temporary folder points at it. kaji runs as a process, with HOME in that
// folder so kubectl's discovery cache stays there too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort } from '../gitops/git-http-server.js';
import { builtBin } from '../support/bin.js';
import { hasKubectl, KAJI_ROOT, tempTree } from '../support/files.js';
import { NODES, PODS } from './cluster.js';

type Mode = 'ok' | 'unauthorized' | 'forbidden';

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
const resource = (name: string, kind: string, namespaced: boolean) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: ['get', 'list', 'watch'] });

/** The answers of an API server, by path; the lists as the API server writes them (no kind on the items). */
const ROUTES: Record<string, object> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.4-eks-1234567', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:443' }] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [resource('nodes', 'Node', false), resource('pods', 'Pod', true)] },
  '/api/v1/nodes': { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: '81234' }, items: NODES },
  '/api/v1/pods': { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '81234' }, items: PODS },
};

/** Starts the API server; `mode` says how it answers the lists, `requests` what kubectl asked for. */
async function apiServer(): Promise<{ server: Server; url: string; requests: string[]; urls: string[]; setMode: (mode: Mode) => void }> {
  const requests: string[] = [];
  const urls: string[] = [];
  let mode: Mode = 'ok';
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0]!;
    requests.push(`${request.method} ${path}`);
    urls.push(request.url ?? '');
    const answer = (code: number, body: object) => {
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (mode === 'unauthorized') return answer(401, status(401, 'Unauthorized', 'Unauthorized'));
    const body = ROUTES[path];
    if (body === undefined) return answer(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (mode === 'forbidden' && (path === '/api/v1/nodes' || path === '/api/v1/pods')) {
      const what = path.slice('/api/v1/'.length);
      return answer(403, status(403, 'Forbidden', `${what} is forbidden: User "dev" cannot list resource "${what}" in API group "" at the cluster scope`));
    }
    answer(200, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, urls, setMode: (next) => void (mode = next) };
}

/** A kubeconfig whose current context is a server that is gone, and whose context "blue" is `url`. */
function kubeconfig(url: string, gonePort: number): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: blue
    cluster: {server: "${url}"}
  - name: gone
    cluster: {server: "http://127.0.0.1:${gonePort}"}
users:
  - name: dev
    user: {token: not-a-real-token}
contexts:
  - name: blue
    context: {cluster: blue, user: dev}
  - name: gone
    context: {cluster: gone, user: dev}
current-context: gone
`;
}

function runKaji(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtBin(), 'capacity', ...args], { cwd: KAJI_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr'] as const) child[name].on('data', (chunk: Buffer) => void (output[name] += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...output }));
  });
}

describe('kaji capacity through kubectl', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let api: Awaited<ReturnType<typeof apiServer>>;
  let tree: ReturnType<typeof tempTree>;
  let gonePort: number;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    api = await apiServer();
    gonePort = await closedPort();
    tree = tempTree({ 'kubeconfig.yaml': kubeconfig(api.url, gonePort), 'home/.keep': '' });
    const { KUBECONFIG: _ignored, KAJI_KUBECTL: _also, ...rest } = process.env;
    env = { ...rest, HOME: tree.path('home') };
  });
  after(async () => {
    tree.cleanup();
    await new Promise((resolve) => api.server.close(resolve));
  });

  test('--kubeconfig and --context reach kubectl: the nodes and all namespaces\' pods are read and summarised', async () => {
    api.setMode('ok');
    api.requests.length = 0;
    const { code, stdout, stderr } = await runKaji(['--kubeconfig', tree.path('kubeconfig.yaml'), '--context', 'blue', '-o', 'json'], env);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.ok(api.requests.includes('GET /api/v1/nodes'), api.requests.join('\n'));
    assert.ok(api.requests.includes('GET /api/v1/pods'), 'every namespace: the cluster-wide pods list');
    // kubectl --request-timeout 60s: the server is told, and kubectl gives up, after a minute.
    assert.ok(api.urls.some((url) => url.startsWith('/api/v1/nodes?') && url.includes('timeout=1m0s')), api.urls.join('\n'));
    const summary = JSON.parse(stdout);
    assert.deepEqual(summary.total.cpuMillicores, { allocatable: 9710, requested: 3725, utilisation: 0.3836, free: 9710 - 3725 });
    assert.deepEqual(summary.spotShare, { nodes: 0.5, cpu: 0.6025 });
    assert.deepEqual(summary.unschedulable.list.map((pod: { name: string }) => pod.name), ['big-0']);
    assert.deepEqual([summary.headroom.running.pods, summary.headroom.pending.pods], [1, 1]);
  });

  test('the cluster cannot be reached: exit 2 with kubectl\'s reason and what to check', async () => {
    const { code, stdout, stderr } = await runKaji(['--kubeconfig', tree.path('kubeconfig.yaml')], env);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `kaji: kubectl get nodes failed: The connection to the server 127.0.0.1:${gonePort} was refused - did you specify the right host or port? ` +
        '(check the context: --context, or kubectl config current-context; the kubeconfig: --kubeconfig or KUBECONFIG; and that your credentials are valid and may list nodes)\n',
    );
  });

  test('the server answers 401: exit 2, "You must be logged in"', async () => {
    api.setMode('unauthorized');
    const { code, stderr } = await runKaji(['--kubeconfig', tree.path('kubeconfig.yaml'), '--context', 'blue'], env);
    assert.equal(code, 2);
    assert.match(stderr, /^kaji: kubectl get nodes failed: error: You must be logged in to the server \(.*\) \(check the context: .* and that your credentials are valid and may list nodes\)\n$/);
  });

  test('the server answers 403 to the lists: exit 2 with the API server\'s message', async () => {
    api.setMode('forbidden');
    const { code, stderr } = await runKaji(['--kubeconfig', tree.path('kubeconfig.yaml'), '--context', 'blue'], env);
    assert.equal(code, 2);
    assert.match(stderr, /^kaji: kubectl get nodes failed: Error from server \(Forbidden\): nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope \(check /);
  });
});

// Needs no kubectl: it is the machine without one.
test('kaji capacity with no kubectl: exit 2, saying how to get one or read a snapshot instead', async () => {
  const tree = tempTree({ 'home/.keep': '' });
  try {
    const { KUBECONFIG: _ignored, KAJI_KUBECTL: _also, ...rest } = process.env;
    const missing = tree.path('no-such-kubectl');
    const { code, stderr } = await runKaji([], { ...rest, HOME: tree.path('home'), KAJI_KUBECTL: missing });
    assert.equal(code, 2);
    assert.equal(
      stderr,
      `kaji: "${missing}" was not found: install kubectl (or set KAJI_KUBECTL to it), or read a snapshot with --from FILE (kubectl get nodes,pods -A -o json > FILE)\n`,
    );
  } finally {
    tree.cleanup();
  }
});
