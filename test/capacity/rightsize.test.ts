// kaji rightsize end to end: VPA snapshots of two clusters, a real manifest repository (a bare
// remote, cloned by kaji), and its pull request on a local HTTP server speaking GitHub's REST
// wire format (the real Octokit talks to it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { startGitHubServer, type GitHubServer, withToken } from '../support/github-server.js';
import { setEnv } from '../support/env.js';
import type { BumpFixture } from '../gitops/bump-fixture.js';
import { BLUE_VPAS, commitToRemote, createRightsizeFixture, EXPECTED_BASE, EXPECTED_PATCH, GREEN_VPAS, list, rightsizeArgs } from './rightsize-fixture.js';

describe('kaji rightsize', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let fixture: BumpFixture;
  let github: GitHubServer;
  let snapshots: ReturnType<typeof tempTree>;
  const args = (...more: string[]) => [...rightsizeArgs(snapshots, fixture, github.url), ...more];
  // No token from the environment: a dry run with nothing to change would look for a pull request on github.com.
  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = setEnv({ GITHUB_TOKEN: undefined });
    fixture = createRightsizeFixture();
    github = await startGitHubServer({ repositories: ['acme/manifests'] });
    snapshots = tempTree({ 'blue.json': list(BLUE_VPAS), 'green.json': list(GREEN_VPAS), 'broken.json': '{"kind": "List", "items": [\n  {"kind": \n' });
  });
  after(async () => {
    restoreEnv();
    await github.close();
    snapshots.cleanup();
    fixture.cleanup();
  });

  test("--dry-run: the plan and the diff; each value on the clusters that run it, capped at each one's limit; nothing pushed", async () => {
    const start = fixture.head();
    const { code, stdout, stderr } = await withToken(undefined, () => kaji(args('--dry-run')));
    assert.equal(code, 0, stderr);
    const lines = stdout.split('\n');
    const row = (text: string) => lines.find((line) => line.replace(/\s+/g, ' ').includes(text));
    // The base runs in both: the larger target, 410m, capped at blue's own limit (green has none; its default limit is 1).
    assert.ok(row('shop Deployment/shop app cpu 200m 300m +50% 320m ('), stdout);
    assert.match(row('app cpu 200m 300m')!, /410m \(.*green\.json\)\s+limit 300m\s+change$/);
    // Blue's patch on blue's number alone; the base's memory on green's (blue's patch replaces it there).
    assert.match(row('shop Deployment/shop app memory 192Mi 150Mi -22%')!, /-22%\s+150Mi \([^,]*blue\.json\)\s+-\s+change$/);
    assert.match(row('shop Deployment/shop app memory 128Mi 256Mi +100%')!, /\+100%\s+300Mi \([^,]*green\.json\)\s+limit 256Mi\s+change$/);
    assert.match(row('log-shipper cpu 20m 21m +5%')!, /below 10%$/);
    assert.match(stdout, /^note: cart\/kaji-deployment-cart \(.*blue\.json\): no recommendation yet/m);
    assert.match(stdout, /^note: legacy\/kaji-deployment-billing \(.*green\.json\): namespace legacy is no service's of platform\.yaml: left out$/m);
    assert.match(stdout, /^- {12}requests: \{cpu: 200m, memory: 128Mi\} {2}# see the capacity review$/m);
    assert.match(stdout, /^\+ {12}requests: \{cpu: 300m, memory: 256Mi\} {2}# see the capacity review$/m);
    assert.match(stdout, /^- {14}memory: 192Mi$/m);
    assert.match(stdout, /dry run: 3 request\(s\) would change\. Nothing was pushed\.\n$/);
    assert.equal(fixture.head(), start);
    assert.equal(fixture.git('branch', '--list', 'kaji/*'), '');
  });

  test('a pull request from kaji/rightsize: values edited byte for byte, old → new and the VPA numbers in its body; a re-run keeps it', async () => {
    const start = fixture.head();
    const { code, stdout, stderr } = await withToken(github.token, () => kaji(args()));
    assert.equal(code, 0, stderr);
    assert.match(stdout, /shop: right-size requests: 3 request\(s\); pull request #1 opened: https:\/\/github\.com\/acme\/manifests\/pull\/1\n$/);
    assert.equal(fixture.head(), start, 'main is untouched');
    assert.equal(fixture.git('rev-parse', 'kaji/rightsize~1'), start);
    const show = (path: string) => fixture.git('show', `kaji/rightsize:${path}`) + '\n';
    assert.equal(show('apps/shop/base/deployment.yaml'), EXPECTED_BASE);
    assert.equal(show('apps/shop/overlays/blue/requests.yaml'), EXPECTED_PATCH);
    assert.equal(fixture.git('diff', '--stat', 'main', 'kaji/rightsize').split('\n').slice(-1)[0], ' 2 files changed, 2 insertions(+), 2 deletions(-)');
    assert.equal(fixture.git('log', '-1', '--format=%s', 'kaji/rightsize'), 'shop: right-size requests');
    assert.match(fixture.git('log', '-1', '--format=%b', 'kaji/rightsize'), /- shop: Deployment\/shop app: memory 192Mi → 150Mi \(-22%\) \(apps\/shop\/overlays\/blue\/requests\.yaml\)/);
    assert.match(fixture.git('log', '-1', '--format=%b', 'kaji/rightsize'), /- shop: Deployment\/shop app: cpu 200m → 300m \(\+50%\) \(capped at the limit\) \(apps\/shop\/base\/deployment\.yaml\)/);
    assert.match(fixture.git('log', '-1', '--format=%(trailers:only)', 'kaji/rightsize'), /^Kaji-Rightsize: shop$/m);

    const [pull] = github.pulls.get('acme/manifests')!;
    assert.equal(pull!.title, 'shop: right-size requests');
    assert.equal(pull!.head, 'kaji/rightsize');
    assert.equal(pull!.base, 'main');
    assert.deepEqual(pull!.labels, ['kaji/rightsize']);
    assert.ok(
      pull!.body.includes(`| shop | Deployment/shop | app | cpu | \`200m\` | \`300m\` | +50% | 320m (lower 150m, upper 900m) in ${snapshots.path('blue.json')}; 410m in ${snapshots.path('green.json')} | limit 300m | \`apps/shop/base/deployment.yaml\` |`),
      pull!.body,
    );
    assert.ok(
      pull!.body.includes(`| shop | Deployment/shop | app | memory | \`192Mi\` | \`150Mi\` | -22% | 150Mi (lower 100Mi, upper 400Mi) in ${snapshots.path('blue.json')} |  | \`apps/shop/overlays/blue/requests.yaml\` |`),
      pull!.body,
    );
    assert.match(pull!.body, /Changes under 10% of the current request are left out\./);

    const tip = fixture.git('rev-parse', 'kaji/rightsize');
    const again = await withToken(github.token, () => kaji(args()));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /pull request #1 kept \(kaji\/rightsize already had this change at [0-9a-f]{12}: nothing pushed\)/);
    assert.equal(fixture.git('rev-parse', 'kaji/rightsize'), tip);
    assert.equal(github.pulls.get('acme/manifests')!.length, 1);
  });

  test('-o json: the plan with amounts as quantities; --threshold leaves out what moves less; --service picks the services', async () => {
    const { code, stdout, stderr } = await withToken(undefined, () => kaji(args('--dry-run', '-o', 'json', '--threshold', '50%', '--service', 'shop')));
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout);
    assert.equal(plan.status, 'dry-run');
    assert.equal(plan.threshold, 0.5);
    const blueMemory = plan.changes.find((c: { file: string; resource: string }) => c.file === 'apps/shop/overlays/blue/requests.yaml');
    assert.deepEqual(
      { ...blueMemory, vpa: undefined },
      {
        service: 'shop',
        namespace: 'shop',
        workload: { kind: 'Deployment', name: 'shop' },
        container: 'app',
        resource: 'memory',
        current: '192Mi',
        recommended: '150Mi',
        proposed: '150Mi',
        change: -0.2187,
        cap: null,
        decision: 'below threshold',
        skipped: null,
        clusters: ['blue'],
        file: 'apps/shop/overlays/blue/requests.yaml',
        vpa: undefined,
      },
    );
    assert.deepEqual(blueMemory.vpa, [{ source: snapshots.path('blue.json'), target: '150Mi', lowerBound: '100Mi', upperBound: '400Mi' }]);
    assert.deepEqual(
      plan.changes.filter((c: { decision: string }) => c.decision === 'change').map((c: { resource: string; file: string }) => `${c.resource} ${c.file}`),
      ['cpu apps/shop/base/deployment.yaml', 'memory apps/shop/base/deployment.yaml'],
    );
    assert.equal(plan.pullRequest, null);
  });

  test('bad input: exit 2 with what to do, and nothing pushed', async () => {
    const unknown = await withToken(github.token, () => kaji(args('--service', 'shp')));
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^kaji: unknown service "shp" \(did you mean "shop"\?\); it is not in platform\.yaml\n$/m);
    const noToken = await withToken(undefined, () => kaji(args()));
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /kaji: a pull request needs a GitHub token: set GITHUB_TOKEN .*or use --dry-run\n$/);
    const broken = await kaji(['rightsize', '--from', snapshots.path('broken.json'), '--platform', fixture.platformDir, '--dry-run']);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^kaji: .*broken\.json:\d+: /);
    for (const value of ['150', '0x10', '1e1', '-5', '', ' %', '.']) {
      const threshold = await kaji(['rightsize', '--from', snapshots.path('blue.json'), '--threshold', value]);
      assert.equal(threshold.code, 2, value);
      assert.match(threshold.stderr, /--threshold.*use a percentage from 0 to 100/, value);
    }
    for (const value of ['.5', '10 %', '12.5%']) {
      const threshold = await kaji(['rightsize', '--from', snapshots.path('blue.json'), '--platform', fixture.platformDir, '--dry-run', '--threshold', value]);
      assert.doesNotMatch(threshold.stderr, /use a percentage/, value);
    }
    writeFileSync(snapshots.path('pods.json'), list([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }]));
    const pods = await kaji(['rightsize', '--from', snapshots.path('pods.json'), '--platform', fixture.platformDir, '--dry-run']);
    assert.equal(pods.code, 2);
    assert.match(pods.stderr, /pods\.json: holds no VerticalPodAutoscaler; write the snapshot with kubectl get vpa -A -o json, of a cluster where Argo CD has synced kaji synth's clusters\/ folder\n$/);
  });

  test("a snapshot with no VerticalPodAutoscaler of kaji's is an error naming it, not \"nothing to change\"; a bad quantity names its file", async () => {
    // A VerticalPodAutoscaler of someone else's: no managed-by label.
    const tenants = { ...BLUE_VPAS[0]!, metadata: { ...BLUE_VPAS[0]!.metadata, labels: { 'kaji.dev/cluster': 'blue', 'kaji.dev/service': 'shop' } } };
    const badQuantity = structuredClone(GREEN_VPAS[0]!);
    (badQuantity.status as { recommendation: { containerRecommendations: { target: { memory: string } }[] } }).recommendation.containerRecommendations[0]!.target.memory = '12.5.3';
    writeFileSync(snapshots.path('empty.json'), list([]));
    writeFileSync(snapshots.path('tenants.json'), list([tenants]));
    writeFileSync(snapshots.path('bad.json'), list([badQuantity]));
    const run = (file: string) => kaji(['rightsize', '--from', snapshots.path('blue.json'), '--from', snapshots.path(file), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--dry-run']);

    const empty = await run('empty.json');
    assert.equal(empty.code, 2, empty.stdout);
    assert.equal(empty.stdout, '');
    assert.match(empty.stderr, /empty\.json: holds no VerticalPodAutoscaler; write the snapshot with kubectl get vpa -A -o json, of a cluster where Argo CD has synced kaji synth's clusters\/ folder\n$/);
    const theirs = await run('tenants.json');
    assert.equal(theirs.code, 2, theirs.stdout);
    assert.match(theirs.stderr, /tenants\.json: holds no VerticalPodAutoscaler kaji synth wrote \(label app\.kubernetes\.io\/managed-by=kaji\): write it with kubectl get vpa -A -o json of a cluster where /);
    const bad = await run('bad.json');
    assert.equal(bad.code, 2, bad.stdout);
    assert.match(bad.stderr, /^kaji: .*bad\.json: VerticalPodAutoscaler shop\/kaji-deployment-shop: status\.recommendation\.containerRecommendations\[0\]\.target\.memory must be a Kubernetes quantity such as 512Mi, found "12\.5\.3"\n$/);
  });

  test('one cluster read: a value another cluster also runs is not sized on it (named, left alone); a VPA without its cluster is a note', async () => {
    // As an older kaji synth wrote them: kaji's (managed-by), without the cluster label.
    const unlabelled = BLUE_VPAS.map((vpa) => ({ ...vpa, metadata: { ...vpa.metadata, labels: { 'app.kubernetes.io/managed-by': 'kaji', 'kaji.dev/service': vpa.metadata.namespace } } }));
    writeFileSync(snapshots.path('unlabelled.json'), list(unlabelled));
    const { code, stdout, stderr } = await kaji(['rightsize', '--from', snapshots.path('blue.json'), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--dry-run', '-o', 'json']);
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout);
    const text = (c: { container: string; resource: string; file: string; decision: string; skipped: string | null }) => `${c.container} ${c.resource} ${c.file} ${c.decision}: ${c.skipped}`;
    assert.deepEqual(plan.changes.map(text), [
      "app cpu apps/shop/base/deployment.yaml change: green runs this value too, but no recommendation of its for it was read: read every cluster that runs it (--context per cluster), or wait for its recommender",
      'app memory apps/shop/overlays/blue/requests.yaml change: null',
      "log-shipper cpu apps/shop/base/deployment.yaml below threshold: green runs this value too, but no recommendation of its for it was read: read every cluster that runs it (--context per cluster), or wait for its recommender",
      "log-shipper memory apps/shop/base/deployment.yaml below threshold: green runs this value too, but no recommendation of its for it was read: read every cluster that runs it (--context per cluster), or wait for its recommender",
    ]);
    assert.doesNotMatch(plan.diff, /deployment\.yaml/);
    assert.match(plan.diff, /^\+ {14}memory: 150Mi$/m);

    const old = await kaji(['rightsize', '--from', snapshots.path('unlabelled.json'), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--dry-run']);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /^note: shop\/kaji-deployment-shop \(.*unlabelled\.json\): no kaji\.dev\/cluster label, so the cluster its numbers are from is unknown: left out/m);
    assert.match(old.stdout, /nothing to change/);
  });

  test("the recommender's doubts: a LowConfidence or NoPodsMatched recommendation is a note, not a number", async () => {
    const withCondition = (type: string) => BLUE_VPAS.map((vpa) => ({ ...vpa, status: { ...vpa.status, conditions: [{ type: 'RecommendationProvided', status: 'True' }, { type, status: 'True' }] } }));
    writeFileSync(snapshots.path('new.json'), list(withCondition('LowConfidence')));
    writeFileSync(snapshots.path('stale.json'), list(withCondition('NoPodsMatched')));
    for (const [file, message] of [
      ['new.json', 'its recommendation has low confidence (condition LowConfidence: the recommender has little history of the pods yet): left out'],
      ['stale.json', 'its recommendation is stale (condition NoPodsMatched: no pod of the workload runs): left out'],
    ]) {
      const { code, stdout, stderr } = await kaji(['rightsize', '--from', snapshots.path(file!), '--platform', fixture.platformDir, '--manifests', fixture.remote, '--dry-run']);
      assert.equal(code, 0, stderr);
      assert.ok(stdout.includes(`note: shop/kaji-deployment-shop (${snapshots.path(file!)}): ${message}\n`), stdout);
      assert.doesNotMatch(stdout, /^shop /m, 'no row for shop');
    }
  });

  test('a resource an HPA scales the workload on is left alone, in every cluster that runs the value', async () => {
    commitToRemote(
      fixture,
      {
        'apps/shop/overlays/green/hpa.yaml': 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}\n  maxReplicas: 5\n  metrics:\n    - type: Resource\n      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}\n',
        'apps/shop/overlays/green/kustomization.yaml': 'resources:\n  - ../../base\n  - hpa.yaml\n',
      },
      'shop: an HPA on cpu in green',
    );
    const { code, stdout, stderr } = await kaji(args('--dry-run', '-o', 'json'));
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout);
    const cpu = plan.changes.find((c: { container: string; resource: string }) => c.container === 'app' && c.resource === 'cpu');
    assert.equal(cpu.skipped, 'a HorizontalPodAutoscaler scales Deployment/shop on cpu in green: the request is what its utilisation is measured against, so it is left to the team');
    assert.match(plan.diff, /^\+ {12}requests: \{cpu: 200m, memory: 256Mi\} {2}# see the capacity review$/m);
  });
});
