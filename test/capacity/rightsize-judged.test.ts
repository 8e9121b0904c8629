// kaji rightsize touches its pull request only for values it judged: a branch that changes a file
// whose values the run did not read on every cluster (a service without a usable recommendation, a
// cluster not read) is neither closed as stale nor rebuilt without those edits; and the branch it
// judges must be the one GitHub has the pull request's head at. A real bare remote and the fake GitHub.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ECR } from '../gitops/bump-fixture.js';
import { withEnv } from '../support/env.js';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { withToken } from '../support/github-server.js';
import {
  BLUE_PATCH,
  BLUE_VPAS,
  blueOverlay,
  BRANCH,
  calls,
  commitToRemote,
  createRightsizeFixture,
  EXPECTED_BASE,
  EXPECTED_PATCH,
  GREEN_VPAS,
  list,
  setByHand,
  SHOP_BASE,
  vpaObject,
  withOpenPullRequest,
  type OpenPullRequestStage,
} from './rightsize-fixture.js';

const LEFT_OPEN = /\npull request #1 \(kaji\/rightsize\) is left open \(see the warning\): https:\/\/github\.com\/acme\/manifests\/pull\/1\n$/;
const UNJUDGED = "this run did not judge every value it changes on every cluster's numbers";
const READ_ALL = 'so it cannot tell whether they are stale: read every cluster (--context per cluster) and every service the pull request changes, or wait for their recommender';

/** kaji rightsize reading only `vpas`, against the stage's remote and GitHub. */
async function runWith(stage: OpenPullRequestStage, vpas: object[], ...more: string[]) {
  return runOn(stage.fixture.remote, stage, vpas, ...more);
}

/** runWith, the remote named `manifests` (its path, cloned whole; or a URL, cloned shallow). */
async function runOn(manifests: string, stage: OpenPullRequestStage, vpas: object[], ...more: string[]) {
  const snapshot = tempTree({ 'only.json': list(vpas) });
  try {
    const args = ['rightsize', '--from', snapshot.path('only.json'), '--platform', stage.fixture.platformDir, '--manifests', manifests, '--github-repository', 'acme/manifests', '--github-api-url', stage.github.url];
    return await withToken(stage.github.token, () => kaji([...args, ...more]));
  } finally {
    snapshot.cleanup();
  }
}

/** The pull request is as it was: open, no comment, its branch at `tip`. */
function untouched(stage: OpenPullRequestStage, tip: string): void {
  const pull = stage.github.pulls.get('acme/manifests')![0]!;
  assert.equal(pull.state, 'open');
  assert.deepEqual(pull.comments, []);
  assert.equal(stage.fixture.git('rev-parse', BRANCH), tip);
}

/** A second Deployment of shop, worker, written after shop's in its base file, with these requests (YAML). */
const worker = (requests: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: shop
spec:
  replicas: 1
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
        - name: app
          image: ${ECR}/shop
          resources:
            requests: ${requests}
`;
const workerVpa = (cluster: string) => vpaObject(cluster, 'shop', 'worker', { app: { cpu: '200m', memory: '128Mi' } });
/** worker's VerticalPodAutoscalers before the recommender has numbers. */
const WORKER_WITHOUT_NUMBERS = [vpaObject('blue', 'shop', 'worker'), vpaObject('green', 'shop', 'worker')];
/** green's memory grows: the base's memory request (green runs it) moves from what the pull request holds. */
const GREEN_MORE_MEMORY = [vpaObject('green', 'shop', 'shop', { app: { cpu: '410m', memory: '200Mi' }, 'log-shipper': { cpu: '21m', memory: '30Mi' } })];

describe('kaji rightsize: its pull request holds values the run did not judge', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test("a run that read another service's numbers, none of shop's: shop's pull request is not stale, and is left open naming its files", async () => {
    await withOpenPullRequest(async (stage) => {
      const tip = stage.fixture.git('rev-parse', BRANCH);
      // cart's numbers, in both clusters (no manifest sets its requests: nothing to change); shop's VPAs are not in the input.
      const cart = (cluster: string) => vpaObject(cluster, 'cart', 'cart', { app: { cpu: '100m', memory: '64Mi' } });
      const result = await runWith(stage, [cart('blue'), cart('green')], '-o', 'json');
      assert.equal(result.code, 0, result.stderr);
      const { status, stalePullRequest } = JSON.parse(result.stdout);
      assert.equal(status, 'unchanged');
      assert.equal(stalePullRequest.action, 'left-open');
      assert.equal(
        stalePullRequest.reason,
        `${UNJUDGED} (apps/shop/base/deployment.yaml: no usable recommendation of shop read; apps/shop/overlays/blue/requests.yaml: no usable recommendation of shop read), ${READ_ALL}`,
      );
      assert.deepEqual(calls(stage.github), ['GET /repos/acme/manifests/pulls']);
      untouched(stage, tip);
    });
  });

  test("per-cluster patches, a run that read green alone: the pull request raising blue's cpu is left open, naming blue", async () => {
    // shop's requests are set in each cluster's patch, none in the base: every value runs in one cluster.
    const fixture = createRightsizeFixture();
    commitToRemote(
      fixture,
      {
        'apps/shop/overlays/blue/requests.yaml': patch('requests: {cpu: 200m, memory: 192Mi}\n            limits: {cpu: 300m}'),
        'apps/shop/overlays/green/kustomization.yaml': blueOverlay(),
        'apps/shop/overlays/green/requests.yaml': patch('requests: {cpu: 410m, memory: 256Mi}'),
      },
      'shop: requests per cluster',
    );
    await withOpenPullRequest(
      async (stage) => {
        assert.match(stage.fixture.git('diff', '--name-only', 'main', BRANCH), /^apps\/shop\/overlays\/blue\/requests\.yaml$/, "blue's patch alone is changed");
        const tip = stage.fixture.git('rev-parse', BRANCH);
        // green runs what its recommender says: nothing to change there.
        const greenOnly = [vpaObject('green', 'shop', 'shop', { app: { cpu: '410m', memory: '300Mi' } })];
        // Left open on purpose: a warning, exit 0 (outside GitHub Actions, no workflow command).
        const result = await withEnv({ GITHUB_ACTIONS: '' }, () => runWith(stage, greenOnly));
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, LEFT_OPEN);
        const warning = `pull request #1 (kaji/rightsize) is left open: ${UNJUDGED} (apps/shop/overlays/blue/requests.yaml: Deployment/shop app cpu and memory (blue not read)), ${READ_ALL}`;
        assert.deepEqual(result.stderr.split('\n').filter((line) => /^(kaji:|::)/.test(line)), [`kaji: warning: ${warning}`]);
        // Under GitHub Actions, an annotation of the run too.
        const annotated = await withEnv({ GITHUB_ACTIONS: 'true' }, () => runWith(stage, greenOnly));
        assert.equal(annotated.code, 0, annotated.stderr);
        assert.deepEqual(annotated.stderr.split('\n').filter((line) => /^(kaji:|::)/.test(line)), [`::warning title=kaji rightsize::${warning}`, `kaji: warning: ${warning}`]);
        untouched(stage, tip);
      },
      {},
      fixture,
    );
  });

  test("a workload whose requests share a file with another's, its VPAs doubted, without numbers yet, or not read at all: that file is not judged, so the pull request is left open", async () => {
    // worker's recommender has little history now (a new cluster's, say), has none yet, or its VPAs are not in the input.
    const doubted = (cluster: string) => ({ ...workerVpa(cluster), status: { ...workerVpa(cluster).status, conditions: [{ type: 'LowConfidence', status: 'True' }] } });
    const cases: [string, (cluster: string) => object[], RegExp | undefined][] = [
      ['doubted', (cluster) => [doubted(cluster)], /\nnote: shop\/kaji-deployment-worker \(.*\): its recommendation has low confidence/],
      ['without numbers yet', (cluster) => [vpaObject(cluster, 'shop', 'worker')], /\nnote: shop\/kaji-deployment-worker \(.*\): no recommendation yet/],
      ['not read', () => [], undefined],
    ];
    for (const [what, workerInput, note] of cases) {
      // shop's base file holds a second Deployment, worker, with its own VerticalPodAutoscalers.
      const fixture = createRightsizeFixture();
      commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': SHOP_BASE + worker('{cpu: 100m, memory: 64Mi}') }, 'shop: a worker');
      await withOpenPullRequest(
        async (stage) => {
          // shop's values set by hand; worker's still as they were: the pull request raises them.
          commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': EXPECTED_BASE + worker('{cpu: 100m, memory: 64Mi}'), 'apps/shop/overlays/blue/requests.yaml': EXPECTED_PATCH }, 'shop: requests set by hand');
          const tip = stage.fixture.git('rev-parse', BRANCH);
          const result = await runWith(stage, [...BLUE_VPAS, ...GREEN_VPAS, ...workerInput('blue'), ...workerInput('green')]);
          assert.equal(result.code, 0, `${what}: ${result.stderr}`);
          if (note) assert.match(result.stdout, note, what);
          assert.match(result.stdout, LEFT_OPEN, what);
          assert.match(result.stderr, new RegExp(`^kaji: warning: pull request #1 \\(kaji/rightsize\\) is left open: ${UNJUDGED} \\(apps/shop/base/deployment\\.yaml: Deployment/worker app cpu and memory \\(blue, green not read\\)\\)`, 'm'), what);
          untouched(stage, tip);
        },
        {},
        fixture,
        { blue: [...BLUE_VPAS, workerVpa('blue')], green: [...GREEN_VPAS, workerVpa('green')] },
      );
    }
  });

  test('a run that read one cluster of two, with a change to make: the branch is not rebuilt without the edits it did not judge; nothing pushed, the run fails (1)', async () => {
    await withOpenPullRequest(async (stage) => {
      const tip = stage.fixture.git('rev-parse', BRANCH);
      const blueOnly = await withEnv({ GITHUB_ACTIONS: 'true' }, () => runWith(stage, BLUE_VPAS));
      assert.equal(blueOnly.code, 1, blueOnly.stderr);
      assert.equal(blueOnly.stdout.trimEnd().split('\n').at(-1), 'not pushed: 1 request(s) would change, but kaji/rightsize and its pull request are left as they are (see the error).');
      const error =
        "not pushed: kaji/rightsize changes values this run did not judge on every cluster's numbers (apps/shop/base/deployment.yaml: Deployment/shop app cpu and memory (green not read)), and rebuilding it from main " +
        'would drop their edits: nothing was pushed, and its pull request is left as it is; read every cluster (--context per cluster) and every service the branch changes';
      assert.deepEqual(blueOnly.stderr.split('\n').filter((line) => /^(kaji:|::)/.test(line)), [`::error title=kaji rightsize::${error}`, `kaji: ${error}`]);
      assert.deepEqual(stage.github.requests, []);
      untouched(stage, tip);
    });
  });
});

describe('kaji rightsize judges per value: a value without numbers that the branch leaves as the base has it holds nothing', { skip: !hasKubectl && 'needs kubectl' }, () => {
  const baseWithWorker = (base: string) => ({ 'apps/shop/base/deployment.yaml': base + worker('{cpu: 100m, memory: 64Mi}') });
  const LEFT_ALONE = ['cpu', 'memory'].map((resource) => ({ service: 'shop', message: `Deployment/worker app ${resource} (apps/shop/base/deployment.yaml): left as it is: no recommendation read (blue, green)` }));

  test("a new workload without numbers in shop's base file, which the branch never edited: the branch is rebuilt (exit 0), the workload's values listed as left as they are", async () => {
    const fixture = createRightsizeFixture();
    commitToRemote(fixture, baseWithWorker(SHOP_BASE), 'shop: a worker');
    await withOpenPullRequest(
      async (stage) => {
        const tip = stage.fixture.git('rev-parse', BRANCH);
        // main moves on; from a shallow clone of the URL (as of manifests.url), where the branch left it is fetched for the comparison.
        commitToRemote(stage.fixture, { 'apps/cart/NOTES.md': 'cart keeps its requests\n' }, 'cart: notes');
        const result = await runOn(pathToFileURL(stage.fixture.remote).href, stage, [...BLUE_VPAS, ...GREEN_MORE_MEMORY, ...WORKER_WITHOUT_NUMBERS], '-o', 'json');
        assert.equal(result.code, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.equal(plan.status, 'pull-request', result.stderr);
        assert.doesNotMatch(result.stderr, /not read|kaji: /);
        assert.deepEqual(plan.notes.filter((note: { message: string }) => note.message.includes('left as it is')), LEFT_ALONE);
        assert.notEqual(stage.fixture.git('rev-parse', BRANCH), tip, 'the branch is rebuilt');
        const pushed = stage.fixture.git('show', `${BRANCH}:apps/shop/base/deployment.yaml`);
        assert.match(pushed, /requests: \{cpu: 300m, memory: 200Mi\} {2}# see/);
        assert.match(pushed, /requests: \{cpu: 100m, memory: 64Mi\}$/, "worker's requests as main has them");
        assert.deepEqual(calls(stage.github), ['GET /repos/acme/manifests/pulls', 'PATCH /repos/acme/manifests/pulls/1', 'POST /repos/acme/manifests/issues/1/labels']);
      },
      {},
      fixture,
      { blue: [...BLUE_VPAS, WORKER_WITHOUT_NUMBERS[0]!], green: [...GREEN_VPAS, WORKER_WITHOUT_NUMBERS[1]!] },
    );
  });

  test('the same workload, added on main after the branch: its pull request, stale once shop\'s values are set by hand, is closed', async () => {
    await withOpenPullRequest(async (stage) => {
      commitToRemote(stage.fixture, { ...baseWithWorker(EXPECTED_BASE), 'apps/shop/overlays/blue/requests.yaml': EXPECTED_PATCH }, 'shop: requests set by hand, and a worker');
      const result = await runWith(stage, [...BLUE_VPAS, ...GREEN_VPAS, ...WORKER_WITHOUT_NUMBERS], '-o', 'json');
      assert.equal(result.code, 0, result.stderr);
      const plan = JSON.parse(result.stdout);
      assert.equal(plan.stalePullRequest.action, 'closed', result.stderr);
      assert.deepEqual(plan.notes.filter((note: { message: string }) => note.message.includes('left as it is')), LEFT_ALONE);
      assert.equal(stage.hasBranch(), false);
    });
  });

  test("a workload whose values the branch raised, now without numbers: held (exit 1), naming its values", async () => {
    const fixture = createRightsizeFixture();
    commitToRemote(fixture, baseWithWorker(SHOP_BASE), 'shop: a worker');
    await withOpenPullRequest(
      async (stage) => {
        const tip = stage.fixture.git('rev-parse', BRANCH);
        assert.match(stage.fixture.git('show', `${BRANCH}:apps/shop/base/deployment.yaml`), /requests: \{cpu: 200m, memory: 128Mi\}$/, "the pull request raises worker's requests");
        const result = await runWith(stage, [...BLUE_VPAS, ...GREEN_MORE_MEMORY, ...WORKER_WITHOUT_NUMBERS], '-o', 'json');
        assert.equal(result.code, 1, result.stderr);
        const { status, reason } = JSON.parse(result.stdout);
        assert.equal(status, 'not-pushed');
        assert.match(reason, /^kaji\/rightsize changes values this run did not judge on every cluster's numbers \(apps\/shop\/base\/deployment\.yaml: Deployment\/worker app cpu and memory \(blue, green not read\)\), and rebuilding it from main would drop their edits/);
        assert.match(result.stderr, /^kaji: not pushed: kaji\/rightsize changes values this run did not judge .*Deployment\/worker app cpu and memory/m);
        assert.deepEqual(stage.github.requests, []);
        untouched(stage, tip);
      },
      {},
      fixture,
      { blue: [...BLUE_VPAS, workerVpa('blue')], green: [...GREEN_VPAS, workerVpa('green')] },
    );
  });

  // A value no run reads a recommendation for holds the branch until someone lets it go.
  const LET_GO = 'close the pull request (or delete the branch) if the edits of a value no recommendation is read for are no longer wanted';
  // An HPA of worker on cpu and memory: kaji gives worker no VerticalPodAutoscaler any more.
  const hpa = `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: worker, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
  minReplicas: 1
  maxReplicas: 2
  metrics:
    - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}
    - {type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 70}}}
`;

  test("a value the branch raised that this run never reads, beside shop's judged values in the same file: held (exit 1), naming it", async () => {
    const withoutShipper = (vpa: object) => JSON.parse(JSON.stringify(vpa), (key: string, value: unknown) => (Array.isArray(value) ? value.filter((entry: { containerName?: string }) => entry.containerName !== 'log-shipper') : value)) as object;
    const shipperRaised = (cluster: string) => vpaObject(cluster, 'shop', 'shop', { app: { cpu: '320m', memory: '150Mi' }, 'log-shipper': { cpu: '40m', memory: '64Mi' } });
    const cases: { what: string; first: { blue: object[]; green: object[] }; then?: Record<string, string>; now: object[]; held: string }[] = [
      {
        what: "worker's VerticalPodAutoscalers no longer in the input",
        first: { blue: [...BLUE_VPAS, workerVpa('blue')], green: [...GREEN_VPAS, workerVpa('green')] },
        now: [...BLUE_VPAS, ...GREEN_MORE_MEMORY],
        held: 'Deployment/worker app cpu and memory (blue, green not read)',
      },
      {
        what: 'worker scaled by an HPA on cpu and memory since (no VerticalPodAutoscaler)',
        first: { blue: [...BLUE_VPAS, workerVpa('blue')], green: [...GREEN_VPAS, workerVpa('green')] },
        then: { 'apps/shop/base/deployment.yaml': SHOP_BASE + worker('{cpu: 100m, memory: 64Mi}') + hpa },
        now: [...BLUE_VPAS, ...GREEN_MORE_MEMORY],
        held: 'Deployment/worker app cpu and memory (no recommendation read)',
      },
      {
        what: "shop's VerticalPodAutoscalers no longer report the log shipper",
        first: { blue: [shipperRaised('blue')], green: [shipperRaised('green')] },
        now: [...BLUE_VPAS, ...GREEN_MORE_MEMORY].map(withoutShipper),
        held: 'Deployment/shop log-shipper cpu and memory (no recommendation read)',
      },
    ];
    for (const { what, first, then, now, held } of cases) {
      const fixture = createRightsizeFixture();
      commitToRemote(fixture, baseWithWorker(SHOP_BASE), 'shop: a worker');
      await withOpenPullRequest(
        async (stage) => {
          const tip = stage.fixture.git('rev-parse', BRANCH);
          assert.notEqual(stage.fixture.git('diff', `main...${BRANCH}`, '--', 'apps/shop/base/deployment.yaml'), '', what);
          if (then !== undefined) commitToRemote(stage.fixture, then, what);
          const result = await runWith(stage, now, '-o', 'json');
          assert.equal(result.code, 1, `${what}: ${result.stderr}`);
          const { status, reason } = JSON.parse(result.stdout);
          assert.equal(status, 'not-pushed', what);
          const advice = held.endsWith('(no recommendation read)') ? `; ${LET_GO}` : '';
          assert.equal(
            reason,
            `kaji/rightsize changes values this run did not judge on every cluster's numbers (apps/shop/base/deployment.yaml: ${held}), and rebuilding it from main would drop their edits: ` +
              `nothing was pushed, and its pull request is left as it is; read every cluster (--context per cluster) and every service the branch changes${advice}`,
            what,
          );
          assert.match(result.stderr, new RegExp(`^kaji: not pushed: .*${held.replace(/[()]/g, '\\$&')}`, 'm'), what);
          assert.deepEqual(stage.github.requests, [], what);
          untouched(stage, tip);
        },
        {},
        fixture,
        first,
      );
    }
  });

  test("the same, with nothing left to change: its stale pull request is left open, naming the value", async () => {
    const fixture = createRightsizeFixture();
    commitToRemote(fixture, baseWithWorker(SHOP_BASE), 'shop: a worker');
    await withOpenPullRequest(
      async (stage) => {
        const tip = stage.fixture.git('rev-parse', BRANCH);
        // shop's values set by hand on main, and worker scaled by an HPA on cpu and memory since.
        commitToRemote(stage.fixture, { 'apps/shop/base/deployment.yaml': EXPECTED_BASE + worker('{cpu: 100m, memory: 64Mi}') + hpa, 'apps/shop/overlays/blue/requests.yaml': EXPECTED_PATCH }, 'shop: set by hand; an HPA of worker');
        const result = await runWith(stage, [...BLUE_VPAS, ...GREEN_VPAS], '-o', 'json');
        assert.equal(result.code, 0, result.stderr);
        const { status, stalePullRequest } = JSON.parse(result.stdout);
        assert.equal(status, 'unchanged');
        assert.equal(stalePullRequest.action, 'left-open');
        assert.equal(
          stalePullRequest.reason,
          `${UNJUDGED} (apps/shop/base/deployment.yaml: Deployment/worker app cpu and memory (no recommendation read)), ${READ_ALL}; ${LET_GO}`,
        );
        untouched(stage, tip);
      },
      {},
      fixture,
      { blue: [...BLUE_VPAS, workerVpa('blue')], green: [...GREEN_VPAS, workerVpa('green')] },
    );
  });
});

describe('kaji rightsize over a value the branch changed that no longer runs, or is no longer there', { skip: !hasKubectl && 'needs kubectl' }, () => {
  const noticed = (plan: { notes: { message: string }[] }) => plan.notes.filter((note) => note.message.includes("the branch's edit of it is not kept"));

  test("a base value every cluster's overlay sets since: not judged (it never runs), so the branch is rebuilt without its edit (exit 0), with a note", async () => {
    await withOpenPullRequest(async (stage) => {
      // The pull request raises the base's memory (green ran it); now green's overlay sets memory too, as blue's did.
      assert.match(stage.fixture.git('show', `${BRANCH}:apps/shop/base/deployment.yaml`), /requests: \{cpu: 300m, memory: 256Mi\}/);
      commitToRemote(stage.fixture, { 'apps/shop/overlays/green/kustomization.yaml': blueOverlay(), 'apps/shop/overlays/green/requests.yaml': patch('requests: {memory: 250Mi}') }, 'shop: green sets its memory');
      const result = await stage.run('-o', 'json');
      assert.equal(result.code, 0, result.stderr);
      const plan = JSON.parse(result.stdout);
      assert.equal(plan.status, 'pull-request', result.stderr);
      assert.deepEqual(noticed(plan), [
        {
          service: 'shop',
          message:
            "Deployment/shop app memory (apps/shop/base/deployment.yaml): no cluster runs this value (each sets it in another file: apps/shop/overlays/blue/requests.yaml, apps/shop/overlays/green/requests.yaml), so the branch's edit of it is not kept",
        },
      ]);
      const pushed = stage.fixture.git('show', `${BRANCH}:apps/shop/base/deployment.yaml`);
      assert.match(pushed, /requests: \{cpu: 300m, memory: 128Mi\} {2}# see/, "the base's memory as main has it, its cpu (both clusters run it) raised");
      assert.equal(stage.fixture.git('show', `${BRANCH}:apps/shop/overlays/blue/requests.yaml`), EXPECTED_PATCH.trimEnd());
    });
  });

  test("an overlay's patch dropped from its kustomization since: its value runs nowhere, so the branch is rebuilt without its edit", async () => {
    await withOpenPullRequest(async (stage) => {
      commitToRemote(stage.fixture, { 'apps/shop/overlays/blue/kustomization.yaml': blueOverlay().replace('patches:\n  - path: requests.yaml\n', '') }, 'shop: blue runs the base');
      const result = await stage.run('-o', 'json');
      assert.equal(result.code, 0, result.stderr);
      const plan = JSON.parse(result.stdout);
      assert.equal(plan.status, 'pull-request', result.stderr);
      assert.deepEqual(noticed(plan), [
        {
          service: 'shop',
          message: "Deployment/shop app memory (apps/shop/overlays/blue/requests.yaml): no cluster runs this value (each sets it in another file: apps/shop/base/deployment.yaml), so the branch's edit of it is not kept",
        },
      ]);
      assert.equal(stage.fixture.git('show', `${BRANCH}:apps/shop/overlays/blue/requests.yaml`), BLUE_PATCH.trimEnd(), 'the patch as main has it');
    });
  });

  test("a workload renamed on main after the branch raised its values: the branch is rebuilt (exit 0), the old name's edits noted as gone, the new name's values judged", async () => {
    const fixture = createRightsizeFixture();
    commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': SHOP_BASE + worker('{cpu: 100m, memory: 64Mi}') }, 'shop: a worker');
    await withOpenPullRequest(
      async (stage) => {
        assert.match(stage.fixture.git('show', `${BRANCH}:apps/shop/base/deployment.yaml`), /requests: \{cpu: 200m, memory: 128Mi\}$/, "the pull request raises worker's requests");
        commitToRemote(stage.fixture, { 'apps/shop/base/deployment.yaml': SHOP_BASE + worker('{cpu: 100m, memory: 64Mi}').replace('name: worker\n', 'name: queue-worker\n') }, 'shop: worker is queue-worker');
        const queueWorker = (cluster: string) => vpaObject(cluster, 'shop', 'queue-worker', { app: { cpu: '200m', memory: '128Mi' } });
        const result = await runWith(stage, [...BLUE_VPAS, ...GREEN_MORE_MEMORY, queueWorker('blue'), queueWorker('green')], '-o', 'json');
        assert.equal(result.code, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.equal(plan.status, 'pull-request', result.stderr);
        assert.deepEqual(
          noticed(plan),
          ['cpu', 'memory'].map((resource) => ({
            service: 'shop',
            message: `Deployment/worker app ${resource} (apps/shop/base/deployment.yaml): main no longer has it (renamed, moved or removed since the branch changed it), so the branch's edit of it is not kept`,
          })),
        );
        const pushed = stage.fixture.git('show', `${BRANCH}:apps/shop/base/deployment.yaml`);
        assert.match(pushed, /name: queue-worker\n[^]*requests: \{cpu: 200m, memory: 128Mi\}$/, "queue-worker's requests raised on its own numbers");
      },
      {},
      fixture,
      { blue: [...BLUE_VPAS, workerVpa('blue')], green: [...GREEN_VPAS, workerVpa('green')] },
    );
  });

  test("the same rename, with shop's values set by hand: nothing is left to change, so the stale pull request is closed", async () => {
    const fixture = createRightsizeFixture();
    commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': SHOP_BASE + worker('{cpu: 100m, memory: 64Mi}') }, 'shop: a worker');
    await withOpenPullRequest(
      async (stage) => {
        const renamed = worker('{cpu: 200m, memory: 128Mi}').replace('name: worker\n', 'name: queue-worker\n');
        commitToRemote(stage.fixture, { 'apps/shop/base/deployment.yaml': EXPECTED_BASE + renamed, 'apps/shop/overlays/blue/requests.yaml': EXPECTED_PATCH }, 'shop: set by hand; worker is queue-worker');
        const queueWorker = (cluster: string) => vpaObject(cluster, 'shop', 'queue-worker', { app: { cpu: '200m', memory: '128Mi' } });
        const result = await runWith(stage, [...BLUE_VPAS, ...GREEN_VPAS, queueWorker('blue'), queueWorker('green')], '-o', 'json');
        assert.equal(result.code, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.equal(plan.stalePullRequest.action, 'closed', result.stderr);
        assert.equal(noticed(plan).length, 2);
        assert.equal(stage.hasBranch(), false);
      },
      {},
      fixture,
      { blue: [...BLUE_VPAS, workerVpa('blue')], green: [...GREEN_VPAS, workerVpa('green')] },
    );
  });
});

describe('kaji rightsize over a workload an HPA scales on cpu (its VerticalPodAutoscaler sizes memory alone)', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test('every cluster read: the cpu value is judged (not sized), so a new memory number updates the pull request', async () => {
    // An HPA of shop on cpu in the base: kaji's VerticalPodAutoscaler leaves cpu out, and its recommender reports memory alone.
    const fixture = createRightsizeFixture();
    commitToRemote(
      fixture,
      {
        'apps/shop/base/kustomization.yaml': 'resources: [deployment.yaml, hpa.yaml]\n',
        'apps/shop/base/hpa.yaml':
          'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: shop, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}\n  minReplicas: 2\n  maxReplicas: 4\n' +
          '  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]\n',
      },
      'shop: an HPA on cpu',
    );
    const memoryOnly = (vpas: object[]) => vpas.map((vpa) => JSON.parse(JSON.stringify(vpa), (key: string, value: unknown) => (key === 'cpu' ? undefined : value)) as object);
    await withOpenPullRequest(
      async (stage) => {
        const tip = stage.fixture.git('rev-parse', BRANCH);
        // green's memory grows: the base's memory request (green runs it) moves again.
        const green = memoryOnly([vpaObject('green', 'shop', 'shop', { app: { cpu: '410m', memory: '200Mi' }, 'log-shipper': { cpu: '21m', memory: '30Mi' } })]);
        const result = await runWith(stage, [...memoryOnly(BLUE_VPAS), ...green], '-o', 'json');
        assert.equal(result.code, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.equal(plan.status, 'pull-request', result.stderr);
        assert.doesNotMatch(result.stderr, /not read/);
        assert.notEqual(stage.fixture.git('rev-parse', BRANCH), tip, 'the branch is rebuilt');
        assert.match(stage.fixture.git('show', `${BRANCH}:apps/shop/base/deployment.yaml`), /requests: \{cpu: 200m, memory: 200Mi\} {2}# see/);
        assert.equal(plan.pullRequest.number, 1);
        assert.equal(stage.github.pulls.get('acme/manifests')![0]!.state, 'open');
        assert.deepEqual(calls(stage.github), ['GET /repos/acme/manifests/pulls', 'PATCH /repos/acme/manifests/pulls/1', 'POST /repos/acme/manifests/issues/1/labels']);

        // Its values set on main by hand: the pull request is stale, and closed.
        const files = ['apps/shop/base/deployment.yaml', 'apps/shop/overlays/blue/requests.yaml'];
        commitToRemote(fixture, Object.fromEntries(files.map((file) => [file, `${stage.fixture.git('show', `${BRANCH}:${file}`)}\n`])), 'shop: requests set by hand');
        const settled = await runWith(stage, [...memoryOnly(BLUE_VPAS), ...green], '-o', 'json');
        assert.equal(settled.code, 0, settled.stderr);
        assert.equal(JSON.parse(settled.stdout).stalePullRequest.action, 'closed', settled.stdout);
        assert.equal(stage.hasBranch(), false);
      },
      {},
      fixture,
      { blue: memoryOnly(BLUE_VPAS), green: memoryOnly(GREEN_VPAS) },
    );
  });
});

describe('kaji rightsize over a value one cluster reads no target for', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test("blue's VerticalPodAutoscaler leaves cpu out: the base's cpu, which blue runs too, is left as it is (judged, not unread)", async () => {
    const fixture = createRightsizeFixture();
    const blue = BLUE_VPAS.map((vpa) => JSON.parse(JSON.stringify(vpa), (key: string, value: unknown) => (key === 'cpu' ? undefined : value)) as object);
    const snapshot = tempTree({ 'blue.json': list(blue), 'green.json': list(GREEN_VPAS) });
    try {
      const result = await kaji(['rightsize', '--from', snapshot.path('blue.json'), '--from', snapshot.path('green.json'), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--dry-run', '-o', 'json']);
      assert.equal(result.code, 0, result.stderr);
      const cpu = JSON.parse(result.stdout).changes.find((change: { container: string; resource: string; file: string }) => change.container === 'app' && change.resource === 'cpu');
      assert.equal(cpu.file, 'apps/shop/base/deployment.yaml');
      assert.equal(cpu.unread, undefined);
      assert.equal(cpu.skipped, 'blue runs this value too, but its VerticalPodAutoscaler gives no cpu target for it (cpu is not a resource it controls): a value is sized on the numbers of every cluster that runs it');
    } finally {
      snapshot.cleanup();
      fixture.cleanup();
    }
  });
});

describe('kaji rightsize judges the branch GitHub has the pull request at', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test("--manifests, a local clone without the branch (which holds a reviewer's commit on the remote): left open, nothing deleted or commented", async () => {
    await withOpenPullRequest(async (stage) => {
      const { fixture } = stage;
      const reviewer = { GIT_AUTHOR_NAME: 'Rita Reviewer', GIT_AUTHOR_EMAIL: 'rita@example.com', GIT_COMMITTER_NAME: 'Rita Reviewer', GIT_COMMITTER_EMAIL: 'rita@example.com' };
      const gitIn = (cwd: string, ...a: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', ...a], { cwd, env: { ...process.env, ...reviewer }, encoding: 'utf8' }).trim();
      const before = fixture.git('rev-parse', BRANCH);
      setByHand(fixture);
      // The clone is taken now: its main holds the values, its only branch is main.
      const clone = join(fixture.root, 'clone');
      gitIn(fixture.root, 'clone', '--quiet', fixture.remote, clone);
      // A reviewer's commit on the pull request's branch, on the remote only.
      gitIn(clone, 'switch', '--quiet', '-c', 'review', `origin/${BRANCH}`);
      gitIn(clone, 'commit', '--quiet', '--allow-empty', '-m', 'keep these');
      gitIn(clone, 'push', '--quiet', 'origin', `HEAD:${BRANCH}`);
      gitIn(clone, 'switch', '--quiet', 'main');
      const tip = fixture.git('rev-parse', BRANCH);

      const args = ['rightsize', '--from', stage.snapshots.path('blue.json'), '--from', stage.snapshots.path('green.json'), '--platform', fixture.platformDir, '--manifests', clone, '--github-repository', 'acme/manifests', '--github-api-url', stage.github.url];
      const missing = await withToken(stage.github.token, () => kaji([...args, '-o', 'json']));
      assert.equal(missing.code, 0, missing.stderr);
      const { stalePullRequest } = JSON.parse(missing.stdout);
      assert.equal(stalePullRequest.action, 'left-open');
      assert.equal(
        stalePullRequest.reason,
        `${clone} has no branch kaji/rightsize, so kaji cannot read what the pull request holds: run with the repository the pull request is on (its clone URL as --manifests, or no --manifests for manifests.url)`,
      );

      // The clone's branch where kaji left it, behind GitHub's head.
      gitIn(clone, 'branch', BRANCH, before);
      const behind = await withToken(stage.github.token, () => kaji(args));
      assert.equal(behind.code, 0, behind.stderr);
      assert.match(behind.stdout, LEFT_OPEN);
      assert.match(
        behind.stderr,
        new RegExp(`^kaji: warning: pull request #1 \\(kaji/rightsize\\) is left open: GitHub has its head at ${tip.slice(0, 12)}, but kaji/rightsize of ${clone} is at ${before.slice(0, 12)}: a push landed meanwhile, or --manifests is not the repository of the pull request`, 'm'),
      );
      assert.deepEqual(calls(stage.github), ['GET /repos/acme/manifests/pulls', 'GET /repos/acme/manifests/pulls']);
      untouched(stage, tip);
      assert.equal(gitIn(clone, 'rev-parse', BRANCH), before, 'nothing deleted in the clone');
    });
  });
});

/** An overlay patch of shop's app container: `resources` (YAML at the container's resources). */
function patch(resources: string): string {
  return `apiVersion: apps/v1
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
            ${resources}
`;
}
