// A manifest repository for `kaji rightsize` tests (the bump fixture: a bare remote and
// platform.yaml), whose service "shop" writes its requests in the base and, for blue,
// its memory request and a cpu limit in an overlay patch; and the VerticalPodAutoscalers
// two clusters report.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createBumpFixture, ECR, type BumpFixture } from '../gitops/bump-fixture.js';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';
import { startGitHubServer, withToken, type GitHubServer, type GitHubServerOptions } from '../support/github-server.js';

export const SHOP_BASE = `# shop: the web front end. Requests sized by hand in March.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
        - name: app
          image: ${ECR}/shop
          resources:
            requests: {cpu: 200m, memory: 128Mi}  # see the capacity review
            limits: {memory: 256Mi}
        - name: log-shipper
          image: ${ECR}/shop
          resources:
            requests: {cpu: 20m, memory: 32Mi}
`;

export const BLUE_PATCH = `# blue serves more traffic: more memory for the app, and a cpu limit
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          resources:
            requests:
              memory: 192Mi
            limits:
              cpu: 300m
`;

/** The base and blue's patch as BLUE_VPAS and GREEN_VPAS size them (shop's pull request). */
export const EXPECTED_BASE = SHOP_BASE.replace('requests: {cpu: 200m, memory: 128Mi}  # see', 'requests: {cpu: 300m, memory: 256Mi}  # see');
export const EXPECTED_PATCH = BLUE_PATCH.replace('memory: 192Mi', 'memory: 150Mi');

export function blueOverlay(): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
patches:
  - path: requests.yaml
images:
  - name: ${ECR}/shop
    newTag: "1.0.0"
`;
}

/** The remote with shop (requests in the base, blue's memory in a patch) and cart (no recommendation). */
export function createRightsizeFixture(): BumpFixture {
  const fixture = createBumpFixture([
    { name: 'shop', overlay: (cluster) => (cluster === 'blue' ? blueOverlay() : defaultOverlay()), overlayFiles: (cluster): Record<string, string> => (cluster === 'blue' ? { 'requests.yaml': BLUE_PATCH } : {}) },
    { name: 'cart' },
  ]);
  commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': SHOP_BASE }, 'shop: requests');
  return fixture;
}

function defaultOverlay(): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ${ECR}/shop
    newTag: "1.0.0"
`;
}

/**
 * `kaji rightsize` reading blue.json and green.json of `snapshots` against the fixture's platform and
 * remote; with a fake GitHub's URL, in pull-request mode on acme/manifests.
 */
export function rightsizeArgs(snapshots: { path(name: string): string }, fixture: BumpFixture, githubUrl?: string): string[] {
  return [
    'rightsize',
    '--from', snapshots.path('blue.json'),
    '--from', snapshots.path('green.json'),
    '--platform', fixture.platformDir,
    '--manifests', fixture.remote,
    ...(githubUrl === undefined ? [] : ['--github-repository', 'acme/manifests', '--github-api-url', githubUrl]),
  ];
}

/** Commits files to the remote's main through a clone of its own. */
export function commitToRemote(fixture: BumpFixture, files: Record<string, string>, message: string): void {
  const work = mkdtempSync(join(tmpdir(), 'kaji-rightsize-seed-'));
  try {
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=seed', '-c', 'user.email=seed@example.com', ...args], { cwd: work, encoding: 'utf8' });
    git('clone', '--quiet', fixture.remote, '.');
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    git('add', '.');
    git('commit', '--quiet', '-m', message);
    git('push', '--quiet', 'origin', 'HEAD:main');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A VerticalPodAutoscaler of a cluster as the API server returns it, with the recommender's status (none when `containers` is undefined). */
export function vpaObject(cluster: string, namespace: string, workload: string, containers?: Record<string, { cpu: string; memory: string; lower?: { cpu: string; memory: string }; upper?: { cpu: string; memory: string } }>) {
  return {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: { name: `kaji-deployment-${workload}`, namespace, labels: { 'app.kubernetes.io/managed-by': 'kaji', 'kaji.dev/cluster': cluster, 'kaji.dev/service': namespace } },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload }, updatePolicy: { updateMode: 'Off' } },
    status: containers
      ? {
          conditions: [{ type: 'RecommendationProvided', status: 'True' }],
          recommendation: {
            containerRecommendations: Object.entries(containers).map(([containerName, r]) => ({
              containerName,
              ...(r.lower ? { lowerBound: r.lower } : {}),
              target: { cpu: r.cpu, memory: r.memory },
              uncappedTarget: { cpu: r.cpu, memory: r.memory },
              ...(r.upper ? { upperBound: r.upper } : {}),
            })),
          },
        }
      : {},
  };
}

/**
 * What blue and green report for shop: cpu 320m and 410m (the base's 200m runs in both: the
 * larger, 410m, capped at blue's own limit 300m, +50%; green has none, its LimitRange default is
 * 1), memory 150Mi and 300Mi (blue's patch 192Mi → 150Mi, -22%, on blue's number alone; the
 * base's 128Mi runs in green only: 300Mi, capped at the 256Mi limit, +100%); the log shipper 21m
 * and 30Mi in both (within 10 %: kept).
 */
export const BLUE_VPAS = [
  vpaObject('blue', 'shop', 'shop', {
    app: { cpu: '320m', memory: '157286400', lower: { cpu: '150m', memory: '100Mi' }, upper: { cpu: '900m', memory: '400Mi' } },
    'log-shipper': { cpu: '21m', memory: '31457280' },
  }),
  vpaObject('blue', 'cart', 'cart'),
];
export const GREEN_VPAS = [
  vpaObject('green', 'shop', 'shop', { app: { cpu: '410m', memory: '300Mi' }, 'log-shipper': { cpu: '21m', memory: '30Mi' } }),
  vpaObject('green', 'legacy', 'billing', { app: { cpu: '1', memory: '1Gi' } }),
];

export const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });

export const BRANCH = 'kaji/rightsize';

/** A remote with kaji's pull request #1 open from kaji/rightsize, on a fake GitHub; `run` is kaji rightsize over both snapshots. */
export interface OpenPullRequestStage {
  fixture: BumpFixture;
  github: GitHubServer;
  snapshots: ReturnType<typeof tempTree>;
  run(...more: string[]): ReturnType<typeof kaji>;
  hasBranch(): boolean;
}

/** GitHub's head.sha of a pull request: its branch's tip on the remote (zeros once the branch is gone). */
export const remoteHead = (fixture: BumpFixture) => (branch: string) => {
  try {
    return fixture.git('rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
  } catch {
    return '0'.repeat(40);
  }
};

/** A remote and a fake GitHub where kaji's first run (`fixture` and `vpas` given: over them) opened pull request #1 from kaji/rightsize. */
export async function withOpenPullRequest(
  body: (stage: OpenPullRequestStage) => Promise<void>,
  options: GitHubServerOptions = {},
  fixture = createRightsizeFixture(),
  vpas: { blue: object[]; green: object[] } = { blue: BLUE_VPAS, green: GREEN_VPAS },
): Promise<void> {
  const github = await startGitHubServer({ repositories: ['acme/manifests'], headSha: remoteHead(fixture), ...options });
  const snapshots = tempTree({ 'blue.json': list(vpas.blue), 'green.json': list(vpas.green) });
  const stage: OpenPullRequestStage = {
    fixture,
    github,
    snapshots,
    run: (...more) => withToken(github.token, () => kaji([...rightsizeArgs(snapshots, fixture, github.url), ...more])),
    hasBranch: () => fixture.git('branch', '--list', BRANCH) !== '',
  };
  try {
    const first = await stage.run();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /pull request #1 opened/);
    github.requests.length = 0;
    await body(stage);
  } finally {
    snapshots.cleanup();
    await github.close();
    fixture.cleanup();
  }
}

/** Someone sets on main, by hand, the values kaji's pull request proposes: nothing is left to change. */
export const setByHand = (fixture: BumpFixture) =>
  commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': EXPECTED_BASE, 'apps/shop/overlays/blue/requests.yaml': EXPECTED_PATCH }, 'shop: requests set by hand');

/** The requests GitHub was sent, as "METHOD /path". */
export const calls = (github: GitHubServer) => github.requests.map((r) => `${r.method} ${r.path}`);
