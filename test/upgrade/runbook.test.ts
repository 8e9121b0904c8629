// `kaji upgrade` end to end: a real manifest repository (a bare remote and a
// checkout), real platform.yaml files, kubectl for rendering, a fake `cdk` at
// the process boundary, and Argo CD's and Route 53's real wire formats served
// on 127.0.0.1. Waits use millisecond intervals; nothing is timed.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtBin } from '../support/bin.js';
import { kaji, type CliResult } from '../support/cli.js';
import { withEnv } from '../support/env.js';
import { hasKubectl } from '../support/files.js';
import { nextStep } from '../../src/upgrade/index.js';
import { withUpgradeLock } from '../../src/upgrade/lock.js';
import { selfSignedLoopbackCertificate } from '../../src/webhook/index.js';
import {
  ARGOCD_TOKEN,
  createFixture,
  fixtureAtStage,
  ECR,
  healthyApps,
  recordsFromRemote,
  setUpgradeEnv,
  startArgoCd,
  startRoute53,
  type ArgoApp,
  type FakeServer,
  type Fixture,
  type Record53,
} from './fixture.js';

const MAIN = builtBin();
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GREEN_APPS = ['cart', 'kaji-platform', 'kaji-root', 'kaji-tenants', 'shop'];
const BLUE_APPS = GREEN_APPS;
/** Blue's Argo CD token, in $ARGOCD_AUTH_TOKEN_BLUE: each cluster's Argo CD signs its own. */
const BLUE_TOKEN = 'blue-argocd-token-3c9d71';

/** The fake servers a run command is pointed at: green's Argo CD, Route 53, blue's Argo CD. */
type Servers = { argocd?: FakeServer; route53?: FakeServer; blue?: FakeServer };

/** Every output of every command run here, to check the Argo CD token is never in one. */
const outputs: string[] = [];

async function upgrade(fixture: Fixture, args: string[], servers: Servers = {}): Promise<CliResult> {
  const [command, ...rest] = args;
  const run = ['next', 'rollback', 'finish'].includes(command!);
  const argv = ['upgrade', command!, '--platform', fixture.platformDir];
  if (run) {
    argv.push('--cdk', fixture.cdk, '--interval', '25ms', '--timeout', '3s');
    if (servers.argocd) argv.push('--argocd-server', servers.argocd.url);
    if (servers.blue) argv.push('--old-argocd-server', servers.blue.url);
    if (servers.route53) argv.push('--route53-endpoint', servers.route53.url);
  }
  argv.push(...rest); // last, so that a test's own --timeout wins
  const result = await kaji(argv);
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** The flags `upgrade` gives a run command, as the commands it suggests carry them (in --help's order). */
function carried(fixture: Fixture, servers: Servers): string {
  const urls = [servers.argocd && `--argocd-server ${servers.argocd.url}`, servers.blue && `--old-argocd-server ${servers.blue.url}`, servers.route53 && `--route53-endpoint ${servers.route53.url}`].filter(Boolean);
  return [`--platform ${fixture.platformDir}`, `--cdk ${fixture.cdk}`, ...urls, '--timeout 3s', '--interval 25ms'].join(' ');
}

function state(fixture: Pick<Fixture, 'platformDir'>): {
  done: Record<string, string>;
  weights: Record<string, number>;
  inProgress?: { step: string };
  rollbacks: { commit?: string }[];
  weightSteps: number[];
  commits?: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8'));
}

/** The aws-weight each cluster's Application of `service` has at the remote's main. */
function remoteWeights(fixture: Fixture, service = 'shop'): Record<string, string | undefined> {
  const weight = (cluster: string) => /aws-weight: '(\d+)'/.exec(fixture.show(`clusters/${cluster}/argocd/apps/${service}.yaml`) ?? '')?.[1];
  return { blue: weight('blue'), green: weight('green') };
}

/** A colleague's commit on the remote's main (a clone, a commit, a push): its sha. */
function pushCommit(fixture: Fixture, path: string, text: string): string {
  const clone = mkdtempSync(join(fixture.root, 'colleague-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=c', '-c', 'user.email=c@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: clone, stdio: 'pipe', encoding: 'utf8' }).trim();
  git('clone', '--quiet', fixture.remote, '.');
  writeFileSync(join(clone, path), text);
  git('add', '.');
  git('commit', '--quiet', '-m', `edit ${path}`);
  git('push', '--quiet', 'origin', 'HEAD:main');
  return git('rev-parse', 'HEAD');
}

describe('kaji upgrade', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let restoreEnv: () => void;
  before(() => {
    restoreEnv = setUpgradeEnv({ ARGOCD_AUTH_TOKEN_BLUE: BLUE_TOKEN });
  });
  after(() => {
    restoreEnv();
    for (const output of outputs) assert.ok(!output.includes(ARGOCD_TOKEN) && !output.includes(BLUE_TOKEN), `an Argo CD token was printed:\n${output}`);
  });

  describe('plan', () => {
    test('ready: blue (highest weight) → green (weight 0), versions skipped, every service rendered for green', async () => {
      const fixture = await createFixture();
      try {
        const text = await upgrade(fixture, ['plan']);
        assert.equal(text.code, 0, text.stderr);
        assert.match(text.stdout, /blue \(Kubernetes 1\.32, weight 255\) → green \(Kubernetes 1\.35, weight 0\)/);
        assert.match(text.stdout, /versions skipped: 1\.33, 1\.34/);
        assert.match(text.stdout, /^shop\s+1\s+0\s+ok$/m);
        assert.ok(text.stdout.includes(`\nready: kaji upgrade start --platform ${fixture.platformDir} --from blue --to green\n`), text.stdout);
        const json = await upgrade(fixture, ['plan', '-o', 'json']);
        const plan = JSON.parse(json.stdout);
        assert.equal(plan.ready, true);
        assert.deepEqual(plan.skippedVersions, ['1.33', '1.34']);
        assert.deepEqual(plan.blockers, []);
      } finally {
        fixture.cleanup();
      }
    });

    test('not ready: an API green no longer serves is a blocker of its service, as synth reports it; exit 1', async () => {
      const cronJob = `apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: nightly, namespace: cart}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: job, image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/cart}]
`;
      const fixture = await createFixture({ services: [{ name: 'shop', hosts: ['www.shop.example.com'] }, { name: 'cart', resources: cronJob }] });
      try {
        const json = await upgrade(fixture, ['plan', '-o', 'json']);
        assert.equal(json.code, 1, json.stderr);
        const plan = JSON.parse(json.stdout);
        assert.equal(plan.ready, false);
        const removed = plan.blockers.filter((blocker: { kind: string }) => blocker.kind === 'removedApi');
        assert.equal(removed.length, 1);
        assert.equal(removed[0].service, 'cart');
        assert.equal(removed[0].object, 'CronJob/cart/nightly');
        assert.match(removed[0].message, /overlays\/green\/kustomization\.yaml: batch\/v1beta1 CronJob was removed in Kubernetes 1\.25 and is not served by 1\.35: change apiVersion to batch\/v1/);
        const text = await upgrade(fixture, ['plan']);
        assert.equal(text.code, 1);
        assert.match(text.stdout, /^cart\s+1\s+1\s+blocked$/m);
        assert.match(text.stdout, /✗ cart: CronJob\/cart\/nightly: .*batch\/v1beta1 CronJob/);
        assert.match(text.stdout, /not ready: 1 blocker\(s\)/);
        // start refuses too, and records nothing.
        const start = await upgrade(fixture, ['start']);
        assert.equal(start.code, 1);
        assert.throws(() => state(fixture), /ENOENT/);
      } finally {
        fixture.cleanup();
      }
    });

    test("not ready: green's own overlay rendering other images than blue's (one left by an earlier cluster named green) is a blocker naming both folders; start refuses", async () => {
      const fixture = await createFixture();
      try {
        // kaji bump moved blue's shop to 2.0.0; green's overlay, left from an earlier green, still says 1.0.0. Cart agrees on both.
        const blueShop = join(fixture.platformDir, 'manifests/apps/shop/overlays/blue/kustomization.yaml');
        writeFileSync(blueShop, readFileSync(blueShop, 'utf8').replace('newTag: "1.0.0"', 'newTag: "2.0.0"'));
        const json = await upgrade(fixture, ['plan', '-o', 'json']);
        assert.equal(json.code, 1, json.stderr);
        const plan = JSON.parse(json.stdout);
        assert.deepEqual(plan.blockers.map((blocker: { kind: string; service: string }) => `${blocker.kind} ${blocker.service}`), ['overlay shop']);
        const green = join(fixture.platformDir, 'manifests/apps/shop/overlays/green');
        const blue = join(fixture.platformDir, 'manifests/apps/shop/overlays/blue');
        assert.ok(
          plan.blockers[0].message.endsWith(
            `${green}/ renders ${ECR}/shop:1.0.0, but blue's ${blue}/, which green replaces, renders ${ECR}/shop:2.0.0 ` +
              `(an overlay left by an earlier cluster named green, which kaji bump no longer updated?): delete ${green}/ and run kaji synth (it copies blue's) and merge, or set its images to blue's`,
          ),
          plan.blockers[0].message,
        );
        const start = await upgrade(fixture, ['start']);
        assert.equal(start.code, 1);
        assert.match(start.stdout, /✗ shop: .*overlays\/green\/ renders .*shop:1\.0\.0, but blue's/);
        assert.throws(() => state(fixture), /ENOENT/);
      } finally {
        fixture.cleanup();
      }
    });

    test('with SSO: a note names the redirect URL to register for the new cluster (not a blocker)', async () => {
      const fixture = await createFixture();
      try {
        const sso = '\nargocd:\n  sso: {issuer: "https://id.shop.example.com", clientID: argocd-shop}\n';
        writeFileSync(join(fixture.platformDir, 'platform.yaml'), fixture.readPlatform() + sso);
        const json = await upgrade(fixture, ['plan', '-o', 'json']);
        assert.equal(json.code, 0, json.stderr);
        const plan = JSON.parse(json.stdout);
        assert.equal(plan.ready, true);
        const note = 'Argo CD sign-in on green: register https://argocd.green.shop.example.com/auth/callback as a redirect URL of client argocd-shop at https://id.shop.example.com before anyone signs in there (and drop blue\'s once it is retired)';
        assert.ok(plan.notes.includes(note), JSON.stringify(plan.notes));
        const text = await upgrade(fixture, ['plan']);
        assert.ok(text.stdout.includes(`• ${note}`), text.stdout);
      } finally {
        fixture.cleanup();
      }
    });

    test('bad input: an unknown cluster (with the closest name), no cluster at weight 0 to move to', async () => {
      const fixture = await createFixture();
      try {
        const unknown = await upgrade(fixture, ['plan', '--to', 'gren']);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /--to gren: no such cluster in .*platform\.yaml.*green.*; clusters: blue, green/);
        writeFileSync(join(fixture.platformDir, 'platform.yaml'), fixture.readPlatform().replace('weight: 0', 'weight: 10'));
        const none = await upgrade(fixture, ['plan']);
        assert.equal(none.code, 2);
        assert.match(none.stderr, /has no cluster at weight 0 to upgrade to: add one to clusters/);
        const named = await upgrade(fixture, ['plan', '--to', 'green', '-o', 'json']);
        assert.equal(named.code, 1);
        assert.match(JSON.parse(named.stdout).blockers[0].message, /green has weight 10: an upgrade starts with the new cluster at weight 0/);
        // A retiring cluster is going away: no upgrade moves traffic to it (or from it).
        writeFileSync(join(fixture.platformDir, 'platform.yaml'), fixture.readPlatform().replace('weight: 10', 'weight: 0\n    retiring: true'));
        assert.match((await upgrade(fixture, ['plan'])).stderr, /has no cluster at weight 0 to upgrade to/);
        const retiring = await upgrade(fixture, ['plan', '--to', 'green']);
        assert.equal(retiring.code, 2);
        assert.match(retiring.stderr, /--to green: .*platform\.yaml marks green retiring \(its services are being pruned\); finish its retirement \(kaji upgrade finish\), or remove retiring: true\n/);
      } finally {
        fixture.cleanup();
      }
    });
    test('bad input: weight steps that round to no move of traffic (a small total weight) are refused at start, naming the step and what to raise', async () => {
      const fixture = await createFixture();
      try {
        writeFileSync(join(fixture.platformDir, 'platform.yaml'), fixture.readPlatform().replace('weight: 255 # all traffic today', 'weight: 3'));
        const refused = await upgrade(fixture, ['start']);
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(
          refused.stderr,
          /--steps 10,50,100: weight step 1 \(10%\) would give green 0 of the total weight 3, as it has now, moving no traffic \(Route 53 weights are whole numbers\)\. Give blue a higher weight in platform\.yaml \(255, .*then kaji upgrade start --platform \S+; or give fewer --steps\n/,
        );
        assert.throws(() => state(fixture), /ENOENT/);
        // 50% and 60% of 3 both round to 2: the second step would move nothing.
        const same = await upgrade(fixture, ['start', '--steps', '50,60,100']);
        assert.equal(same.code, 2, same.stderr);
        assert.match(same.stderr, /weight step 2 \(60%\) would give green 2 of the total weight 3, as step 1 did/);
        // Each step of 3 moving one: recorded.
        const ok = await upgrade(fixture, ['start', '--steps', '33,67,100']);
        assert.equal(ok.code, 0, ok.stderr);
        assert.deepEqual(state(fixture).weightSteps, [33, 67, 100]);
      } finally {
        fixture.cleanup();
      }
    });
  });

  describe('the runbook', () => {
    let fixture: Fixture;
    let argocd: FakeServer;
    let route53: FakeServer;
    /** Blue's Argo CD, which rollback looks at first. */
    let blue: FakeServer | undefined;
    let apps: () => ArgoApp[];
    let blueApps: () => ArgoApp[];
    let records: () => readonly Record53[];
    afterEach(async () => {
      await argocd?.close();
      await route53?.close();
      await blue?.close();
      blue = undefined;
      fixture?.cleanup();
    });
    const servers = (): Servers => ({ argocd, route53, blue });
    /** The remote main's tip: what green's Argo CD has synced once it caught up. */
    const tip = () => fixture.tip();
    /** start's arguments when a test does not care how long a weight step soaks. */
    const NO_SOAK = ['--soak', '0s'];

    /**
     * kaji upgrade start with `args`, then `steps` steps made with next (each exit 0), the servers healthy:
     * made once per file for these arguments; later tests start from a copy of what they left (fixtureAtStage).
     */
    async function started(args: readonly string[] = NO_SOAK, steps = 0): Promise<void> {
      apps = () => healthyApps(GREEN_APPS, tip());
      blueApps = () => healthyApps(BLUE_APPS, tip());
      records = () => recordsFromRemote(fixture);
      argocd = await startArgoCd(() => apps());
      route53 = await startRoute53(() => records());
      blue = await startArgoCd(() => blueApps(), BLUE_TOKEN);
      fixture = await fixtureAtStage(`start ${args.join(' ')}, then ${steps} step(s)`, async () => {
        fixture = await createFixture();
        const start = await upgrade(fixture, ['start', ...args]);
        assert.equal(start.code, 0, start.stderr);
        for (let step = 0; step < steps; step++) {
          const made = await upgrade(fixture, ['next'], servers());
          assert.equal(made.code, 0, made.stderr);
        }
        return fixture;
      });
    }

    test('start → deploy → sync → three weight steps → finish, each verified; platform.yaml edited byte-exactly', async () => {
      await started(['--soak', '0s', '--steps', '10,50,100']);
      const original = fixture.readPlatform();
      assert.deepEqual(Object.keys(state(fixture).done), ['preflight']);

      const deploy = await upgrade(fixture, ['next'], servers());
      assert.equal(deploy.code, 0, deploy.stderr);
      assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green']);
      assert.match(deploy.stderr, /cdk: deploy in infra/); // streamed from the app folder
      assert.match(deploy.stdout, /deployed shop-green/);

      // Green's Argo CD is still syncing cart at first: the wait says which and why.
      let polls = 0;
      const syncing = healthyApps(GREEN_APPS, tip()).map((app) => (app.name === 'cart' ? { ...app, sync: 'OutOfSync', health: 'Progressing', message: 'Waiting for rollout\u001b]0;owned\u0007' } : app));
      apps = () => (++polls < 3 ? syncing.filter((app) => polls === 2 || app.name !== 'shop') : healthyApps(GREEN_APPS, tip()));
      const sync = await upgrade(fixture, ['next'], servers());
      assert.equal(sync.code, 0, sync.stderr);
      assert.match(sync.stderr, /waiting for green's Argo CD to sync every service \(.*\): 3\/5 Applications Synced and Healthy; not yet: cart: OutOfSync, Progressing \(Waiting for rollout\\x1b\]0;owned\\x07; SyncError: one or more objects failed to apply; sync Running: waiting for healthy state\); shop: no such Application yet/);
      assert.match(sync.stderr, /4\/5 Applications Synced and Healthy; not yet: cart: OutOfSync/);
      assert.ok(!sync.stderr.includes('\u001b') && !sync.stderr.includes('\u0007'), "a tenant's health message cannot drive the terminal");
      assert.match(sync.stdout, new RegExp(`green's Argo CD: all 5 Applications Synced \\(to main at ${tip().slice(0, 12)} or later\\) and Healthy`));
      assert.ok(argocd.requests.every((request) => request.authorization === `Bearer ${ARGOCD_TOKEN}` && request.path === '/api/v1/applications'));

      const expected = [
        { blue: '229', green: '26' },
        { blue: '127', green: '128' },
        { blue: '0', green: '255' },
      ];
      for (const [index, weights] of expected.entries()) {
        const step = await upgrade(fixture, ['next'], servers());
        assert.equal(step.code, 0, step.stderr);
        assert.match(step.stdout, new RegExp(`weight ${[10, 50, 100][index]}% \\(blue ${weights.blue}, green ${weights.green}\\): pushed [0-9a-f]{12} \\(platform.yaml edited in place`));
        // The command the soak leads to carries the --platform the step was run with.
        const then = index === 2 ? `kaji upgrade finish ${carried(fixture, servers())}` : `the next step (kaji upgrade next ${carried(fixture, servers())})`;
        assert.ok(step.stdout.includes(`\nsoak 0ms before ${then}, until `), step.stdout);
        assert.deepEqual(remoteWeights(fixture), weights);
        assert.deepEqual(remoteWeights(fixture, 'cart'), weights);
        assert.deepEqual(state(fixture).weights, { blue: Number(weights.blue), green: Number(weights.green) });
        // Only the two weight values changed, comments and layout kept.
        const expectedText = original.replace('weight: 255 # all traffic today', `weight: ${weights.blue} # all traffic today`).replace(/(green\n\s+kubernetesVersion: "1.35"\n\s+)weight: 0/, `$1weight: ${weights.green}`);
        assert.equal(fixture.readPlatform(), expectedText);
      }
      assert.match(fixture.git('log', '-1', '--format=%B', 'main'), /^upgrade blue → green: weight 100% \(blue 0, green 255\)\n\n(- clusters\/\w+\/argocd\/apps\/\w+\.yaml\n){4}\nKaji-Upgrade: blue -> green$/);
      // Each weight commit changes the four Applications' weights and nothing else synth writes.
      assert.deepEqual([...new Set(fixture.git('log', '--format=', '--name-only', 'main~3..main').split('\n').filter(Boolean))].sort(), [
        'clusters/blue/argocd/apps/cart.yaml',
        'clusters/blue/argocd/apps/shop.yaml',
        'clusters/green/argocd/apps/cart.yaml',
        'clusters/green/argocd/apps/shop.yaml',
      ]);
      assert.ok(route53.requests.some((request) => request.path.includes('hostedzonesbyname')));
      assert.ok(route53.requests.some((request) => request.path.includes('identifier=')), 'the record listing was paged');

      const nothing = await upgrade(fixture, ['next'], servers());
      assert.match(nothing.stdout, /every weight step is done: green has all the traffic; run kaji upgrade finish --platform \S+(?: --[\w-]+ \S+)* to remove blue/);

      const finish = await upgrade(fixture, ['finish'], servers());
      assert.equal(finish.code, 0, finish.stderr);
      assert.equal(fixture.show('clusters/blue/argocd/root.yaml'), undefined);
      assert.ok(fixture.show('clusters/green/argocd/root.yaml'));
      assert.doesNotMatch(fixture.readPlatform(), /name: blue/);
      assert.match(fixture.readPlatform(), /# Blue serves everything; green is the upgrade.\nclusters:\n {2}- name: green\n {4}kubernetesVersion: "1.35"\n {4}weight: 255\nteams:/);
      assert.match(finish.stdout, /shop-blue is not destroyed: the CDK app no longer defines it .*: aws cloudformation delete-stack --region eu-west-1 --stack-name shop-blue/);
      assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green'], 'cdk destroy runs only with --destroy');
      const status = await upgrade(fixture, ['status']);
      assert.match(status.stdout, /finished: blue is removed from platform.yaml/);
      // A finished upgrade does not block the next one: start goes on to the plan (here: no cluster at weight 0 yet).
      const again = await upgrade(fixture, ['start']);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /has no cluster at weight 0 to upgrade to/);

      // Blue is gone from the platform.yaml the CDK app reads: cdk destroy would destroy nothing, so it is not run.
      const destroy = await upgrade(fixture, ['finish', '--destroy'], servers());
      assert.equal(destroy.code, 2, destroy.stderr);
      assert.match(destroy.stderr, /does not define shop-blue .* cdk destroy would destroy nothing: delete the stack with aws cloudformation delete-stack --region eu-west-1 --stack-name shop-blue/);
      assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green', 'list']);
    });

    test('platform.yaml inside the manifest repository: edited in the commit with what it generates; the checkout is left alone', async () => {
      fixture = await createFixture({ inRepository: true });
      records = () => recordsFromRemote(fixture);
      apps = () => healthyApps(GREEN_APPS, tip());
      argocd = await startArgoCd(() => apps());
      route53 = await startRoute53(() => records());
      assert.equal((await upgrade(fixture, ['start', '--soak', '0s'])).code, 0);
      const local = fixture.readPlatform();
      for (let step = 0; step < 3; step++) assert.equal((await upgrade(fixture, ['next'], servers())).code, 0);
      assert.deepEqual(remoteWeights(fixture), { blue: '229', green: '26' });
      assert.match(fixture.show('platform.yaml') ?? '', /weight: 229 # all traffic today\n[\s\S]*name: green\n\s+kubernetesVersion: "1.35"\n\s+weight: 26\n/);
      assert.deepEqual(fixture.git('show', '--name-only', '--format=', 'main').split('\n').sort(), [
        'clusters/blue/argocd/apps/cart.yaml',
        'clusters/blue/argocd/apps/shop.yaml',
        'clusters/green/argocd/apps/cart.yaml',
        'clusters/green/argocd/apps/shop.yaml',
        'platform.yaml',
      ]);
      assert.equal(fixture.readPlatform(), local);
    });

    test('a weight step Route 53 does not confirm times out naming the records; nothing is recorded; the next run takes it up without a second push', async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // sync
      // external-dns has not caught up: Route 53 keeps blue's and green's old weights.
      const frozen = recordsFromRemote(fixture);
      records = () => frozen;
      const stuck = await upgrade(fixture, ['next'], servers());
      assert.equal(stuck.code, 1);
      assert.match(stuck.stderr, /timed out after 3s waiting for external-dns to set blue 229, green 26 in Route 53: Route 53 zone Z0SHOPZONE1234: 4 record\(s\)/);
      assert.match(stuck.stderr, /\n {2}cart\.shop\.example\.com A blue: weight 255, want 229\n {2}cart\.shop\.example\.com A green: weight 0, want 26\n/);
      assert.match(stuck.stderr, /nothing was recorded as done/);
      assert.equal(state(fixture).done['weight-1'], undefined);
      assert.equal(state(fixture).inProgress?.step, 'weight-1');
      const pushed = fixture.git('rev-parse', 'main');
      assert.deepEqual(remoteWeights(fixture), { blue: '229', green: '26' });

      // Held back by green's Argo CD on the way: the weights were pushed already, so traffic may be moving.
      apps = () => healthyApps(GREEN_APPS, tip()).map((app) => (app.name === 'cart' ? { ...app, health: 'Degraded' } : app));
      const held = await upgrade(fixture, ['next'], servers());
      assert.equal(held.code, 1);
      assert.match(held.stderr, /so weight step 1 \(10%\) was not made: a run started it at .* and did not verify it: its weights may be on main already, so traffic may be moving \(fix them/);
      assert.doesNotMatch(held.stderr, /no traffic moved/);
      apps = () => healthyApps(GREEN_APPS, tip());

      records = () => recordsFromRemote(fixture);
      const again = await upgrade(fixture, ['next'], servers());
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /already in the manifest repository at [0-9a-f]{12}/);
      assert.equal(fixture.git('rev-parse', 'main'), pushed);
      assert.ok(state(fixture).done['weight-1']);
      assert.equal(state(fixture).inProgress, undefined);
    });

    test('rollback: all weight back to blue, verified; next checks sync again, then the weight steps start over', async () => {
      await started(NO_SOAK, 3);
      assert.deepEqual(remoteWeights(fixture), { blue: '229', green: '26' });
      const back = await upgrade(fixture, ['rollback'], servers());
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /rollback \(blue 255, green 0\): pushed/);
      assert.ok(back.stdout.includes(`\nfix what made you roll back, then kaji upgrade next ${carried(fixture, servers())} (it checks`), back.stdout);
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' });
      assert.match(fixture.readPlatform(), /weight: 255 # all traffic today/);
      const after = state(fixture);
      assert.deepEqual(Object.keys(after.done).sort(), ['deploy', 'preflight']);
      assert.equal(after.rollbacks.length, 1);
      const status = await upgrade(fixture, ['status']);
      assert.match(status.stdout, /→ green's Argo CD: every Application Synced and Healthy/);
      assert.match(status.stdout, /rolled back at /);
      const sync = await upgrade(fixture, ['next'], servers());
      assert.match(sync.stdout, /all 5 Applications Synced \(to main at [0-9a-f]{12} or later\) and Healthy/);
      assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green'], 'green is not deployed again');
    });

    test("rollback looks at blue's Argo CD first: one Degraded or gone stops it before anything moves; --force moves the traffic anyway", async () => {
      await started(NO_SOAK, 3);
      assert.deepEqual(remoteWeights(fixture), { blue: '229', green: '26' });
      const stateBefore = readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8');
      const main = tip();
      blueApps = () =>
        healthyApps(BLUE_APPS, tip())
          .filter((app) => app.name !== 'shop')
          .map((app) => (app.name === 'cart' ? { ...app, health: 'Degraded', message: 'Deployment cart: 0/2 ready' } : app));
      const held = await upgrade(fixture, ['rollback'], servers());
      assert.equal(held.code, 1, held.stderr);
      assert.ok(
        held.stderr.includes(
          `kaji: blue's Argo CD has cart Degraded, shop gone, so no traffic moved: all of it would go to blue. Fix them and run the same command again; if green is worse off still, kaji upgrade rollback ${carried(fixture, servers())} --force moves the traffic anyway\n`,
        ),
        held.stderr,
      );
      assert.match(held.stderr, /\n {2}cart: Synced, Degraded \(Deployment cart: 0\/2 ready\)\n {2}shop: no such Application yet\n/);
      assert.equal(tip(), main, 'nothing pushed');
      assert.equal(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8'), stateBefore, 'nothing recorded');
      assert.deepEqual(remoteWeights(fixture), { blue: '229', green: '26' });

      // The operator judges green worse off: --force moves the traffic without asking blue's Argo CD.
      const asked = blue!.requests.length;
      const forced = await upgrade(fixture, ['rollback', '--force'], servers());
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stderr, /kaji upgrade: blue's Argo CD was not looked at \(--force\)\n/);
      assert.equal(blue!.requests.length, asked);
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' });
      assert.equal(state(fixture).rollbacks.length, 1);
    });

    test("rollback: blue syncing does not stop it; blue's Argo CD not given, without its token, or refusing it stops it before anything moves", async () => {
      await started(NO_SOAK, 3);
      const stateBefore = readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8');
      const main = tip();
      const unmoved = () => {
        assert.equal(tip(), main, 'nothing pushed');
        assert.equal(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8'), stateBefore, 'nothing recorded');
      };
      const advice = "ARGOCD_AUTH_TOKEN_BLUE to an API token of its kaji-reader account, which an admin makes with argocd account generate-token --account kaji-reader (each cluster's Argo CD signs its own; an expired or deleted token is refused too)";

      const unnamed = await upgrade(fixture, ['rollback'], { argocd, route53 });
      assert.equal(unnamed.code, 2, unnamed.stderr);
      assert.equal(
        unnamed.stderr,
        `kaji: rollback looks at blue's Argo CD before moving all traffic there: pass --old-argocd-server URL (blue's Argo CD) and set ${advice}; or run kaji upgrade rollback ${carried(fixture, { argocd, route53 })} --force to move it without looking\n`,
      );
      unmoved();

      const withToken = (token: string | undefined): Promise<CliResult> => withEnv({ ARGOCD_AUTH_TOKEN_BLUE: token }, () => upgrade(fixture, ['rollback'], servers()));
      const tokenless = await withToken(undefined);
      assert.equal(tokenless.code, 2, tokenless.stderr);
      assert.match(tokenless.stderr, /^kaji: rollback looks at blue's Argo CD before moving all traffic there: set ARGOCD_AUTH_TOKEN_BLUE to an API token of its kaji-reader account/);
      // Green's token is no good at blue's Argo CD: refused, named with the account and the command that makes its token.
      const greens = await withToken(ARGOCD_TOKEN);
      assert.equal(greens.code, 1, greens.stderr);
      assert.ok(greens.stderr.includes(`kaji: blue's Argo CD could not be read, so no traffic moved: Argo CD at ${blue!.url} refused the token (HTTP 401): set ${advice}. Run the same command again once it answers, or kaji upgrade rollback `), greens.stderr);
      assert.ok(!greens.stderr.includes(ARGOCD_TOKEN));
      unmoved();
      assert.equal(blue!.requests.filter((request) => request.authorization === `Bearer ${BLUE_TOKEN}`).length, 0, 'blue was asked only with the wrong token');

      // After a weight step's commit blue syncs its new weights for a few minutes, serving all along: named, not a reason to stay.
      blueApps = () => healthyApps(BLUE_APPS, tip()).map((app) => (app.name === 'cart' ? { ...app, sync: 'OutOfSync', health: 'Progressing' } : app));
      const back = await upgrade(fixture, ['rollback'], servers());
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stderr, /kaji upgrade: blue's Argo CD: 4\/5 Applications Synced and Healthy; syncing, and serving meanwhile: cart: OutOfSync, Progressing/);
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' });
    });

    test('sync: every Application Synced to main as it was when the step started, or a later commit; an older one is waited for', async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      const old = tip();
      const start = pushCommit(fixture, 'NOTES.md', 'the platform team merges meanwhile\n');
      // Green's Argo CD has not fetched main since: every Application reads Synced and Healthy, at the older commit.
      apps = () => healthyApps(GREEN_APPS, old);
      const stale = await upgrade(fixture, ['next'], servers());
      assert.equal(stale.code, 1);
      assert.match(stale.stderr, new RegExp(`main at ${start.slice(0, 12)}: every Application must be Synced to it or a later commit`));
      assert.match(
        stale.stderr,
        new RegExp(`timed out after 3s waiting for green's Argo CD to sync every service: 0/5 Applications Synced and Healthy\n  cart: Synced to ${old.slice(0, 12)}, not main at ${start.slice(0, 12)} or later \\(Argo CD has not fetched it yet\\)\n`),
      );
      assert.equal(state(fixture).done.sync, undefined);

      // It catches up while other teams go on merging: a commit made after the step started is as good as the tip.
      let polls = 0;
      let later = '';
      apps = () => {
        if (++polls === 1) return healthyApps(GREEN_APPS, old).map((app) => (app.name === 'cart' ? { ...app, revision: 'f'.repeat(40) } : app)); // no commit of main
        if (polls === 2) later = pushCommit(fixture, 'NOTES.md', 'and merges again\n');
        // shop at the tip the step started from, the others at the commit after it (fetched to be told apart), kaji-root multi-source.
        return healthyApps(GREEN_APPS, later).map((app) => (app.name === 'shop' ? { ...app, revision: start } : app.name === 'kaji-root' ? { ...app, revision: undefined, revisions: ['1.2.3', later] } : app));
      };
      const caught = await upgrade(fixture, ['next'], servers());
      assert.equal(caught.code, 0, caught.stderr);
      assert.match(caught.stderr, new RegExp(`0/5 Applications Synced and Healthy; not yet: cart: Synced to ffffffffffff, not main at ${start.slice(0, 12)} or later`));
      assert.match(caught.stdout, new RegExp(`all 5 Applications Synced \\(to main at ${start.slice(0, 12)} or later\\) and Healthy`));
      assert.ok(state(fixture).done.sync);
    });

    test("sync, the gate and rollback's look at blue expect the Applications at the branch's tip, not the checkout's: a service a colleague onboarded since is waited for", async () => {
      await started(['--soak', '0s', '--steps', '50,100']);
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      /** A colleague onboards `name` on main for `cluster`: its generated Application, which this checkout has not pulled. */
      const onboard = (cluster: string, name: string) =>
        pushCommit(fixture, `clusters/${cluster}/argocd/apps/${name}.yaml`, fixture.show(`clusters/${cluster}/argocd/apps/shop.yaml`)!.replaceAll('shop', name));
      onboard('green', 'search');
      const sync = await upgrade(fixture, ['next'], servers());
      assert.equal(sync.code, 1, sync.stderr);
      assert.match(sync.stderr, /timed out after 3s waiting for green's Argo CD to sync every service: 5\/6 Applications Synced and Healthy.*\n {2}search: /);
      assert.equal(state(fixture).done.sync, undefined);

      apps = () => healthyApps([...GREEN_APPS, 'search'], tip());
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0, 'synced, search included');
      onboard('green', 'orders');
      const main = tip();
      const held = await upgrade(fixture, ['next'], servers());
      assert.equal(held.code, 1, held.stderr);
      assert.match(held.stderr, /green's Argo CD has 6\/7 Applications Synced and Healthy, so weight step 1 \(50%\) was not made: no traffic moved .*\n {2}orders: /);
      assert.equal(tip(), main, 'nothing pushed');

      onboard('blue', 'billing');
      const onboarded = tip();
      const back = await upgrade(fixture, ['rollback'], servers());
      assert.equal(back.code, 1, back.stderr);
      assert.match(back.stderr, /blue's Argo CD has billing gone, so no traffic moved/);
      assert.equal(tip(), onboarded, 'nothing pushed');
    });

    test("each weight step and finish go ahead only while green's Argo CD has every Application Synced and Healthy; rollback always", async () => {
      await started(['--soak', '0s', '--steps', '50,100'], 2);
      const degraded = () => healthyApps(GREEN_APPS, tip()).map((app) => (app.name === 'cart' ? { ...app, health: 'Degraded', message: 'Deployment cart: 0/2 ready' } : app));
      apps = degraded;
      const before = readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8');
      const main = tip();
      const held = await upgrade(fixture, ['next'], servers());
      assert.equal(held.code, 1);
      assert.match(held.stderr, /green's Argo CD has 4\/5 Applications Synced and Healthy, so weight step 1 \(50%\) was not made: no traffic moved \(fix them and run the same command again, or kaji upgrade rollback --platform \S+(?: --[\w-]+ \S+)* to move all traffic back to blue\)\n {2}cart: Synced, Degraded \(Deployment cart: 0\/2 ready\)\n/);
      assert.equal(tip(), main, 'nothing pushed');
      assert.equal(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8'), before, 'nothing recorded');
      const blind = await upgrade(fixture, ['next'], { route53 });
      assert.equal(blind.code, 2);
      assert.match(blind.stderr, /each weight step checks green's Argo CD: pass --argocd-server URL and set ARGOCD_AUTH_TOKEN/);

      apps = () => healthyApps(GREEN_APPS, tip());
      for (let step = 0; step < 2; step++) {
        const moved = await upgrade(fixture, ['next'], servers());
        assert.equal(moved.code, 0, moved.stderr);
        assert.match(moved.stderr, /green's Argo CD: all 5 Applications still Synced and Healthy/);
      }
      assert.deepEqual(remoteWeights(fixture), { blue: '0', green: '255' });

      apps = degraded;
      const kept = await upgrade(fixture, ['finish', '--destroy'], servers());
      assert.equal(kept.code, 1);
      assert.match(kept.stderr, /so finish \(blue's retirement\) was not made: no traffic moved/);
      assert.match(fixture.readPlatform(), /name: blue/);
      assert.ok(fixture.show('clusters/blue/argocd/root.yaml'));
      assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green'], 'blue is not destroyed');
      assert.match((await upgrade(fixture, ['finish'], { route53 })).stderr, /finish checks green's Argo CD: pass --argocd-server/);

      // Back to blue while green is Degraded, without asking green's Argo CD: blue's is asked instead.
      const asked = argocd.requests.length;
      const back = await upgrade(fixture, ['rollback'], { route53, blue });
      assert.equal(back.code, 0, back.stderr);
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' });
      assert.equal(argocd.requests.length, asked, "green's Argo CD is not asked");
      assert.ok(blue!.requests.length > 0 && blue!.requests.every((request) => request.authorization === `Bearer ${BLUE_TOKEN}`), "blue's, with blue's token");
    });

    test('sync: Degraded, Suspended and Missing Applications are named at once; one Degraded past --degraded-grace fails the step', async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      const health = (healths: Record<string, string>) => () => healthyApps(GREEN_APPS, tip()).map((app) => (healths[app.name] ? { ...app, health: healths[app.name]! } : app));
      apps = health({ cart: 'Degraded' });
      const failed = await upgrade(fixture, ['next', '--degraded-grace', '0s'], servers());
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /green's Argo CD: cart Degraded for 0ms or more \(--degraded-grace\): fix it, then run kaji upgrade next --platform \S+(?: --[\w-]+ \S+)* to wait again\n {2}cart: Synced, Degraded\n/);
      assert.doesNotMatch(failed.stderr, /timed out/);
      assert.equal(state(fixture).done.sync, undefined);
      // The sync step only reads: failed, it leaves no step started for status and the gate to take as traffic moving.
      assert.equal(state(fixture).inProgress, undefined);

      const waiting = health({ cart: 'Degraded', shop: 'Suspended', 'kaji-tenants': 'Missing' });
      // Two looks at the list (the Degraded and Suspended ones are asked for on their own too, for their resources' health).
      const looks = () => argocd.requests.filter((request) => request.path === '/api/v1/applications').length;
      const before = looks();
      apps = () => (looks() - before < 3 ? waiting() : healthyApps(GREEN_APPS, tip()));
      const synced = await upgrade(fixture, ['next'], servers());
      assert.equal(synced.code, 0, synced.stderr);
      assert.match(
        synced.stderr,
        /2\/5 Applications Synced and Healthy; Degraded: cart \(the step fails if one stays Degraded 5m\); Suspended: shop \(paused \(a suspended Job or CronJob, a paused rollout\): it turns Healthy only once resumed\); Missing: kaji-tenants \(its resources are not in the cluster \(yet\)\); not yet: cart: Synced, Degraded/,
      );
    });

    test("the gate waits while an auto-sync makes Applications OutOfSync or Progressing; a CronJob's failed run is a warning; a Degraded Deployment holds the step", async () => {
      await started(['--soak', '0s', '--steps', '50,100'], 2);
      // A merge on main a moment ago: cart syncs, shop's Deployment rolls.
      let polls = 0;
      apps = () =>
        ++polls <= 2
          ? healthyApps(GREEN_APPS, tip()).map((app) => (app.name === 'cart' ? { ...app, sync: 'OutOfSync', health: 'Progressing' } : app.name === 'shop' ? { ...app, health: 'Progressing' } : app))
          : healthyApps(GREEN_APPS, tip());
      const settled = await upgrade(fixture, ['next'], servers());
      assert.equal(settled.code, 0, settled.stderr);
      assert.match(
        settled.stderr,
        /waiting for green's Argo CD to settle before weight step 1 \(50%\) \(\d+ms of 3s\): 3\/5 Applications Synced and Healthy \(one Degraded, Suspended, Missing or Unknown holds the step back after 3s\); not yet: cart: OutOfSync, Progressing /,
      );
      assert.match(settled.stderr, /green's Argo CD: all 5 Applications still Synced and Healthy/);

      // shop's report CronJob: its last Job failed. The service itself serves.
      const report = { group: 'batch', kind: 'CronJob', namespace: 'shop', name: 'report', health: 'Degraded', message: 'the last Job failed' };
      apps = () => healthyApps(GREEN_APPS, tip()).map((app) => (app.name === 'shop' ? { ...app, health: 'Degraded', resources: [report] } : app));
      const warned = await upgrade(fixture, ['next'], servers());
      assert.equal(warned.code, 0, warned.stderr);
      assert.match(warned.stderr, /all 5 Applications still Synced and Healthy; only Jobs or CronJobs unhealthy, not holding the upgrade back: shop: CronJob shop\/report Degraded \(the last Job failed\)/);
      assert.deepEqual(remoteWeights(fixture), { blue: '0', green: '255' });

      // cart's Deployment past its progress deadline: finish is held back at the first look with --degraded-grace 0s.
      const web = { group: 'apps', kind: 'Deployment', namespace: 'cart', name: 'cart', health: 'Degraded', message: 'exceeded its progress deadline' };
      apps = () => healthyApps(GREEN_APPS, tip()).map((app) => (app.name === 'cart' ? { ...app, health: 'Degraded', resources: [web] } : app));
      const asked = argocd.requests.length;
      const held = await upgrade(fixture, ['finish', '--degraded-grace', '0s'], servers());
      assert.equal(held.code, 1);
      assert.match(held.stderr, /so finish \(blue's retirement\) was not made: no traffic moved .*\n {2}cart: Synced, Degraded \[Deployment cart\/cart Degraded \(exceeded its progress deadline\)\]\n/);
      assert.deepEqual(argocd.requests.slice(asked).map((request) => request.path), ['/api/v1/applications', '/api/v1/applications/cart'], 'one look');
      assert.match(fixture.readPlatform(), /name: blue/);
    });

    test('sync: an Application Suspended only by a CronJob suspended on purpose is synced, with a warning', async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      const nightly = { group: 'batch', kind: 'CronJob', namespace: 'shop', name: 'nightly', health: 'Suspended' };
      apps = () => healthyApps(GREEN_APPS, tip()).map((app) => (app.name === 'shop' ? { ...app, health: 'Suspended', resources: [nightly] } : app));
      const synced = await upgrade(fixture, ['next'], servers());
      assert.equal(synced.code, 0, synced.stderr);
      assert.match(synced.stdout, /all 5 Applications Synced \(to main at [0-9a-f]{12} or later\) and Healthy but for their Jobs or CronJobs; only Jobs or CronJobs unhealthy, not holding the upgrade back: shop: CronJob shop\/nightly Suspended/);
      assert.ok(state(fixture).done.sync);
    });

    test('a weight step renders each service once (green\'s overlays are copies of blue\'s); one whose push landed before its in-place edit of platform.yaml is taken up', async () => {
      await started(NO_SOAK, 2);
      // kubectl, logging each kustomize run: one synth, whose renders of the same files run kubectl once.
      const log = join(fixture.root, 'kubectl.log');
      const kubectl = join(fixture.root, 'bin', 'kubectl');
      const real = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
      writeFileSync(kubectl, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
      const platformBefore = fixture.readPlatform();
      const stateBefore = readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8');
      const step = await upgrade(fixture, ['next', '--kubectl', kubectl], servers());
      assert.equal(step.code, 0, step.stderr);
      assert.equal(readFileSync(log, 'utf8').trim().split('\n').filter((line) => line.startsWith('kustomize')).length, 2, 'two services, each the same files in both clusters');
      const pushed = tip();

      // Killed after the push and before platform.yaml was edited in place: the branch has the new weights, platform.yaml the old.
      writeFileSync(join(fixture.platformDir, 'platform.yaml'), platformBefore);
      writeFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), stateBefore);
      const again = await upgrade(fixture, ['next'], servers());
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`already in the manifest repository at ${pushed.slice(0, 12)} \\(platform.yaml edited in place`));
      assert.equal(tip(), pushed, 'nothing pushed twice');
      assert.match(fixture.readPlatform(), /weight: 229 # all traffic today/);
      assert.ok(state(fixture).done['weight-1']);
    });

    test('Argo CD refusing the token stops the sync step at once (exit 1); the token is never printed', async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0);
      await argocd.close();
      argocd = await startArgoCd(() => apps(), 'another-token-entirely');
      const refused = await upgrade(fixture, ['next'], servers());
      assert.equal(refused.code, 1);
      // Named with the account whose token it should be and the command that makes one.
      assert.match(
        refused.stderr,
        /Argo CD at http:\/\/127\.0\.0\.1:\d+ refused the token \(HTTP 401\): set ARGOCD_AUTH_TOKEN to an API token of its kaji-reader account, which an admin makes with argocd account generate-token --account kaji-reader \(each cluster's Argo CD signs its own/,
      );
      assert.equal(argocd.requests.length, 1, 'a refused token is not retried');
      assert.equal(state(fixture).done.sync, undefined);
      // Without the server the step cannot start: the state is left as it was, not recorded as a sync started now.
      const stateBefore = readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8');
      const noServer = await upgrade(fixture, ['next'], { route53 });
      assert.equal(noServer.code, 2);
      assert.match(noServer.stderr, /pass --argocd-server URL and set ARGOCD_AUTH_TOKEN/);
      assert.equal(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8'), stateBefore);
    });

    /**
     * Green's Argo CD behind a server on 127.0.0.1 whose nth request fails as `failure(n)` says (an HTTP status, with
     * `body(request, n)` as its body, or 'reset': the connection dropped unanswered), else is passed on; over HTTPS with `tls`.
     */
    async function unsteady(
      target: FakeServer,
      failure: (n: number) => number | 'reset' | undefined,
      body: (request: IncomingMessage, n: number) => string = () => 'upstream connect error or disconnect/reset before headers',
      tls?: { cert: string; key: string },
    ): Promise<FakeServer> {
      const requests: FakeServer['requests'] = [];
      const handler = (request: IncomingMessage, response: ServerResponse) => {
        requests.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization });
        const fails = failure(requests.length);
        if (fails === 'reset') return void request.socket.destroy();
        if (fails !== undefined) {
          response.statusCode = fails;
          return void response.end(body(request, requests.length));
        }
        httpRequest(new URL(request.url ?? '/', target.url), { headers: request.headers }, (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        }).end();
      };
      const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
    }

    test("Argo CD failing to answer (a 502, a dropped connection) is asked again, by the sync step and the gate alike, until the gate's patience runs out; a refused token still stops the gate at once", async () => {
      await started(['--soak', '0s', '--steps', '50,100']);
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      const blips = (n: number) => (n === 1 ? 502 : n === 2 ? 'reset' : undefined);
      const gone = (n: number) => (n > 0 ? 503 : undefined);
      for (const what of ['sync every service', 'settle before weight step 1 (50%)']) {
        const front = await unsteady(argocd, blips);
        try {
          const step = await upgrade(fixture, ['next'], { argocd: front, route53 });
          assert.equal(step.code, 0, step.stderr);
          const waiting = `waiting for green's Argo CD to ${what.replace(/[()]/g, '\\$&')} \\([^)]* of 3s\\): could not read Argo CD: `;
          assert.match(step.stderr, new RegExp(`${waiting}Argo CD at http://127\\.0\\.0\\.1:\\d+ answered HTTP 502: upstream connect error`));
          assert.match(step.stderr, new RegExp(`${waiting}socket hang up`));
        } finally {
          await front.close();
        }
      }
      assert.ok(state(fixture).done['weight-1']);

      const down = await unsteady(argocd, gone);
      const main = tip();
      try {
        const held = await upgrade(fixture, ['next'], { argocd: down, route53 });
        assert.equal(held.code, 1);
        assert.match(
          held.stderr,
          /green's Argo CD could not be read when the gate's 3s ran out, so weight step 2 \(100%\) was not made: no traffic moved \(run the same command again once it answers, or kaji upgrade rollback --platform \S+(?: --[\w-]+ \S+)* to move all traffic back to blue\)\n {2}could not read Argo CD: Argo CD at http:\/\/127\.0\.0\.1:\d+ answered HTTP 503: upstream connect error/,
        );
        assert.ok(down.requests.length > 1, 'asked again');
      } finally {
        await down.close();
      }
      assert.equal(tip(), main, 'nothing pushed');

      await argocd.close();
      argocd = await startArgoCd(() => apps(), 'another-token-entirely');
      const refused = await upgrade(fixture, ['next'], servers());
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /Argo CD at http:\/\/127\.0\.0\.1:\d+ refused the token \(HTTP 401\): set ARGOCD_AUTH_TOKEN to an API token of its kaji-reader account/);
      assert.equal(argocd.requests.length, 1, 'a refused token is not asked again');
      assert.equal(tip(), main, 'nothing pushed');
    });

    test("a proxy echoing the request's Authorization header in its 502 answer: no line kaji prints has the token, whole or cut short", async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      // The second answer puts the token across the 200 characters of the body a message quotes.
      const echo = (request: IncomingMessage, n: number) => `echo:${'.'.repeat(n === 1 ? 3 : 166)}authorization=${request.headers.authorization}`;
      const front = await unsteady(argocd, (n) => (n <= 2 ? 502 : undefined), echo);
      try {
        const sync = await upgrade(fixture, ['next'], { argocd: front, route53 });
        assert.equal(sync.code, 0, sync.stderr);
        assert.equal(front.requests[0]!.authorization, `Bearer ${ARGOCD_TOKEN}`);
        assert.match(sync.stderr, /answered HTTP 502: echo:\.{3}authorization=Bearer \*\*\*\n/);
        assert.match(sync.stderr, /answered HTTP 502: echo:\.{166}authorization=Bearer \*\*\*\n/);
        assert.ok(!sync.stderr.includes(ARGOCD_TOKEN.slice(0, 8)), sync.stderr);
        assert.ok(state(fixture).done.sync);
      } finally {
        await front.close();
      }
    });

    test("an Argo CD certificate this machine does not trust, or for another host, is named with what to do at once, and asked again; with --ca-file it is read", async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      const trusted = await selfSignedLoopbackCertificate('argocd-server');
      const { generate } = await import('selfsigned');
      const elsewhere = await generate([{ name: 'commonName', value: 'argocd.green.shop.example.com' }], {
        keyType: 'ec',
        algorithm: 'sha256',
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'argocd.green.shop.example.com' }] }],
      });
      const file = (name: string, text: string) => {
        writeFileSync(join(fixture.root, name), text);
        return join(fixture.root, name);
      };
      const cases = [
        { tls: trusted, flags: [], hint: "self[- ]signed certificate: is its certificate's CA in --ca-file PEM, or is the new cluster's own certificate not issued yet\\?\n" },
        {
          tls: { cert: elsewhere.cert, key: elsewhere.private },
          flags: ['--ca-file', file('elsewhere.pem', elsewhere.cert)],
          hint: "Hostname/IP does not match certificate's altnames: .*: is --argocd-server the host name its certificate is for, or is the new cluster's own certificate not issued yet\\?\n",
        },
      ];
      for (const { tls, flags, hint } of cases) {
        const front = await unsteady(argocd, () => undefined, undefined, tls);
        try {
          const waited = await upgrade(fixture, ['next', ...flags], { argocd: front, route53 });
          assert.equal(waited.code, 1, waited.stderr);
          assert.match(waited.stderr, new RegExp(`kaji upgrade: waiting for green's Argo CD to sync every service \\([^)]* of 3s\\): could not read Argo CD: ${hint}`));
          assert.match(waited.stderr, new RegExp(`kaji: timed out after 3s waiting for green's Argo CD to sync every service: could not read Argo CD: ${hint}`));
          assert.equal(state(fixture).done.sync, undefined);
        } finally {
          await front.close();
        }
      }
      const front = await unsteady(argocd, () => undefined, undefined, trusted);
      try {
        const synced = await upgrade(fixture, ['next', '--ca-file', file('argocd.pem', trusted.cert)], { argocd: front, route53 });
        assert.equal(synced.code, 0, synced.stderr);
        assert.ok(state(fixture).done.sync);
      } finally {
        await front.close();
      }
    });

    test('a failure that is not Argo CD failing to answer (a bug, a request node will not send) is not waited on as one', async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      // Node refuses a header with a line break before anything is sent: a TypeError, thrown at once, not a 3s wait.
      await assert.rejects(
        nextStep({
          directory: fixture.platformDir,
          cdk: fixture.cdk,
          intervalMs: 5,
          timeoutMs: 3000,
          route53: { endpoint: route53.url },
          argocd: { server: argocd.url, token: `${ARGOCD_TOKEN}\n` },
          onOutput: () => undefined,
          onProgress: () => undefined,
        }),
        { name: 'TypeError', code: 'ERR_INVALID_CHAR' },
      );
      assert.equal(argocd.requests.length, 0);
      // On the command line, such a token is bad input, named as such.
      const bad = await withEnv({ ARGOCD_AUTH_TOKEN: `${ARGOCD_TOKEN}\n` }, () => upgrade(fixture, ['next'], servers()));
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr, 'kaji: $ARGOCD_AUTH_TOKEN holds a space, a line break or another character no token has: set it to the token alone\n');
      assert.equal(state(fixture).done.sync, undefined);
    });

    test('an Application deleted between the listing and its own GET is said so, and asked again', async () => {
      await started();
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy
      // The first listing has shop Degraded, so kaji asks for shop alone; by then it is gone (Argo CD answers 403); then it is back.
      let calls = 0;
      apps = () => {
        calls += 1;
        if (calls === 2) return healthyApps(GREEN_APPS, tip()).filter((app) => app.name !== 'shop');
        return healthyApps(GREEN_APPS, tip()).map((app) =>
          app.name === 'shop' && calls === 1 ? { ...app, health: 'Degraded', resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'shop', health: 'Degraded' }] } : app,
        );
      };
      const sync = await upgrade(fixture, ['next'], servers());
      assert.equal(sync.code, 0, sync.stderr);
      assert.deepEqual(argocd.requests.slice(0, 3).map((request) => request.path), ['/api/v1/applications', '/api/v1/applications/shop', '/api/v1/applications']);
      assert.match(
        sync.stderr,
        /could not read Argo CD: Argo CD at http:\/\/127\.0\.0\.1:\d+ no longer has the Application shop it listed a moment ago \(HTTP 403\): it was deleted meanwhile, or the token's account may no longer get it\n/,
      );
      assert.ok(state(fixture).done.sync);
    });

    test('a failed cdk deploy is a failed step (exit 1), recorded as not done', async () => {
      fixture = await createFixture({ cdkExit: 3 });
      argocd = await startArgoCd(() => []);
      route53 = await startRoute53(() => []);
      assert.equal((await upgrade(fixture, ['start'])).code, 0);
      const failed = await upgrade(fixture, ['next'], servers());
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /cdk deploy shop-green failed \(exit code 3\)/);
      assert.equal(state(fixture).done.deploy, undefined);
      const again = await upgrade(fixture, ['start']);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /an upgrade blue → green is recorded in .*kaji-upgrade\.json: see kaji upgrade status --platform \S+ \(delete the file to start over\)/);
      const early = await upgrade(fixture, ['finish'], servers());
      assert.equal(early.code, 2);
      assert.match(early.stderr, /not yet: the next step is deploy/);

      // Without --cdk, the CDK app's own CLI (the version its package pins) rather than whatever cdk is on PATH.
      const own = join(fixture.platformDir, 'infra', 'node_modules', '.bin', 'cdk');
      mkdirSync(dirname(own), { recursive: true });
      writeFileSync(own, `#!/bin/sh\necho "own $*" >> '${fixture.cdkLog}'\n`, { mode: 0o755 });
      const deployed = await kaji(['upgrade', 'next', '--platform', fixture.platformDir]);
      assert.equal(deployed.code, 0, deployed.stderr);
      assert.deepEqual(fixture.cdkRuns().slice(-1), ['own deploy shop-green']);

      // An Argo CD that lists no Application at all: a hint at RBAC (it lists only what the account may get).
      const none = await upgrade(fixture, ['next'], servers());
      assert.equal(none.code, 1);
      assert.match(none.stderr, /0\/5 Applications Synced and Healthy \(Argo CD lists none: is this the new cluster's Argo CD, and may the token's account get its applications\?\)/);
    });

    test('finish --destroy: cdk destroy while platform.yaml still defines blue, then blue is removed', async () => {
      await started(['--soak', '0s', '--steps', '100'], 3);
      const finish = await upgrade(fixture, ['finish', '--destroy'], servers());
      assert.equal(finish.code, 0, finish.stderr);
      assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green', 'list', 'destroy --force --exclusively shop-blue'], 'the stack existed when destroyed');
      assert.match(finish.stdout, /destroyed shop-blue/);
      assert.equal(fixture.show('clusters/blue/argocd/root.yaml'), undefined);
      assert.doesNotMatch(fixture.readPlatform(), /name: blue/);
      assert.ok(JSON.parse(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8')).destroyedAt);
    });

    test('a rollback started and not verified is completed by rollback; next and finish refuse to move traffic forward meanwhile', async () => {
      await started(NO_SOAK, 3);
      const frozen = recordsFromRemote(fixture);
      records = () => frozen; // external-dns has not caught up with the rollback
      const stuck = await upgrade(fixture, ['rollback'], servers());
      assert.equal(stuck.code, 1);
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' });
      assert.equal(state(fixture).inProgress?.step, 'rollback');
      const status = await upgrade(fixture, ['status']);
      assert.match(status.stdout, /started and not verified: rollback .*run kaji upgrade rollback --platform \S+ to complete it/);
      assert.match(status.stdout, /next: kaji upgrade rollback/);
      const tip = fixture.git('rev-parse', 'main');
      const forward = await upgrade(fixture, ['next'], servers());
      assert.equal(forward.code, 2);
      assert.match(forward.stderr, /a rollback was started at .* and not verified: run kaji upgrade rollback --platform \S+(?: --[\w-]+ \S+)* to complete it first/);
      assert.equal(fixture.git('rev-parse', 'main'), tip, 'nothing pushed');
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' });
      records = () => recordsFromRemote(fixture);
      // Its weights may be moving traffic already: completed without judging blue again, whatever its Argo CD shows.
      blueApps = () => [];
      const asked = blue!.requests.length;
      const done = await upgrade(fixture, ['rollback'], servers());
      assert.equal(done.code, 0, done.stderr);
      assert.equal(blue!.requests.length, asked, "blue's Argo CD is not asked again");
      assert.equal(state(fixture).inProgress, undefined);
      assert.equal(state(fixture).rollbacks.length, 1);
    });

    test('a rollback refused before its commit (a branch this platform.yaml did not generate) is not recorded as started: next is not sent to rollback, and the next rollback looks at blue again', async () => {
      await started(NO_SOAK, 3);
      const before = state(fixture);
      // A colleague onboarded api with a newer platform.yaml: the rollback's regeneration would delete it.
      const clone = join(fixture.root, 'colleague');
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=c', '-c', 'user.email=c@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: clone, stdio: 'pipe' });
      execFileSync('git', ['clone', '--quiet', fixture.remote, clone], { stdio: 'pipe' });
      writeFileSync(join(clone, 'clusters/blue/argocd/apps/api.yaml'), readFileSync(join(clone, 'clusters/blue/argocd/apps/cart.yaml'), 'utf8').replaceAll('cart', 'api'));
      git('add', '.');
      git('commit', '--quiet', '-m', 'onboard api');
      git('push', '--quiet', 'origin', 'HEAD:main');
      const tip = fixture.git('rev-parse', 'main');
      const refused = await upgrade(fixture, ['rollback', '--force'], servers());
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /kaji synth would change clusters\/blue\/argocd\/apps\/api\.yaml before any edit/);
      assert.equal(fixture.git('rev-parse', 'main'), tip, 'nothing pushed');
      assert.equal(state(fixture).inProgress, undefined);
      assert.deepEqual(state(fixture).done, before.done);
      const forward = await upgrade(fixture, ['next'], servers());
      assert.doesNotMatch(forward.stderr, /a rollback was started/);
      assert.match(forward.stderr, /kaji synth would change clusters\/blue\/argocd\/apps\/api\.yaml before any edit/);
      // Nothing moved, so the next rollback without --force is judged afresh: blue's Argo CD is read again (and lacks api).
      const asked = blue!.requests.length;
      const again = await upgrade(fixture, ['rollback'], servers());
      assert.equal(again.code, 1, again.stderr);
      assert.match(again.stderr, /blue's Argo CD has api gone, so no traffic moved/);
      assert.ok(blue!.requests.length > asked, "blue's Argo CD is asked again");
    });

    test('Route 53 throttling (shared with external-dns) is waited out, not a failed step', async () => {
      await started(NO_SOAK, 2);
      await route53.close();
      // As often as the SDK tries (3 times): the zone lookup fails a poll, then the records' listing the next.
      route53 = await startRoute53(() => records(), { throttled: { zones: 3, records: 3 } });
      // The SDK backs off up to seconds between its attempts at a throttled request.
      const step = await upgrade(fixture, ['next', '--timeout', '60s'], servers());
      assert.equal(step.code, 0, step.stderr);
      assert.match(step.stderr, /Route 53 is throttling \(listing the hosted zones in Route 53 failed: Throttling: Rate exceeded\): asking again/);
      assert.match(step.stderr, /Route 53 is throttling \(listing the records of hosted zone Z0SHOPZONE1234 in Route 53 failed: Throttling: Rate exceeded\): asking again/);
      assert.ok(state(fixture).done['weight-1']);
    });

    test('a weight step refuses a manifest repository its platform.yaml did not generate (a service onboarded since): nothing is pushed', async () => {
      await started(NO_SOAK, 2);
      // A colleague onboarded api with a newer platform.yaml: its Application is on main, not in this platform.yaml.
      const clone = join(fixture.root, 'colleague');
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=c', '-c', 'user.email=c@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: clone, stdio: 'pipe' });
      execFileSync('git', ['clone', '--quiet', fixture.remote, clone], { stdio: 'pipe' });
      writeFileSync(join(clone, 'clusters/blue/argocd/apps/api.yaml'), readFileSync(join(clone, 'clusters/blue/argocd/apps/cart.yaml'), 'utf8').replaceAll('cart', 'api'));
      git('add', '.');
      git('commit', '--quiet', '-m', 'onboard api');
      git('push', '--quiet', 'origin', 'HEAD:main');
      const tip = fixture.git('rev-parse', 'main');
      const refused = await upgrade(fixture, ['next'], servers());
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /platform\.yaml \(.*platform\.yaml\) or this kaji differs from what generated main of the manifest repository: kaji synth would change clusters\/blue\/argocd\/apps\/api\.yaml before any edit; pull, run kaji synth and merge/);
      assert.equal(fixture.git('rev-parse', 'main'), tip, 'nothing pushed: api stays');
      assert.ok(fixture.show('clusters/blue/argocd/apps/api.yaml'));
      assert.equal(state(fixture).done['weight-1'], undefined);
    });

    test('a weight step refuses weights on the branch it did not set (a hand edit, a rollback run elsewhere): nothing is pushed', async () => {
      await started(NO_SOAK, 3);
      const platformBefore = fixture.readPlatform();
      const stateBefore = readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8');
      // On call, someone drains green for shop by hand.
      const app = fixture.show('clusters/green/argocd/apps/shop.yaml')!;
      pushCommit(fixture, 'clusters/green/argocd/apps/shop.yaml', `${app.replace("aws-weight: '26'", "aws-weight: '0'")}\n`);
      const drained = tip();
      const handEdit = await upgrade(fixture, ['next'], servers());
      assert.equal(handEdit.code, 2, handEdit.stderr);
      assert.match(handEdit.stderr, /main of the manifest repository routes traffic at blue 229, green 0 and 26: neither the weights this upgrade last verified \(blue 229, green 26\) nor this step's \(blue 127, green 128\)\. Someone moved traffic since/);
      assert.equal(tip(), drained, 'nothing pushed');
      // Refused before anything moved: not recorded as started, so status does not say traffic may be moving.
      assert.equal(state(fixture).inProgress, undefined);
      const status = await upgrade(fixture, ['status']);
      assert.doesNotMatch(status.stdout, /started and not verified/);

      // A colleague rolls back from another checkout (with its own state file); this one still says weight 1 is done. Its commit is named.
      const back = await upgrade(fixture, ['rollback'], servers());
      assert.equal(back.code, 0, back.stderr);
      writeFileSync(join(fixture.platformDir, 'platform.yaml'), platformBefore);
      writeFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), stateBefore);
      const rolledBack = tip();
      const stale = await upgrade(fixture, ['next'], servers());
      assert.equal(stale.code, 2, stale.stderr);
      assert.match(stale.stderr, new RegExp(`has a rollback of this upgrade this checkout's kaji-upgrade\\.json does not record: ${rolledBack.slice(0, 12)} .*nothing was pushed\\. .*kaji upgrade rollback --platform \\S+(?: --[\\w-]+ \\S+)* records it here too`));
      assert.equal(tip(), rolledBack, 'the rollback stays');
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' });
      assert.equal(state(fixture).done['weight-2'], undefined);
    });

    /** `kaji upgrade next` in this process, against the fixture's fake AWS and Argo CD, with its progress lines seen by `onProgress`. */
    const nextInProcess = (onProgress: (message: string) => void, timeoutMs = 3000) =>
      nextStep({
        directory: fixture.platformDir,
        cdk: fixture.cdk,
        intervalMs: 5,
        timeoutMs,
        route53: { endpoint: route53.url },
        argocd: { server: argocd.url, token: ARGOCD_TOKEN },
        onOutput: () => undefined,
        onProgress,
      });

    test('a run waiting out the soak stops when another run recorded something meanwhile', async () => {
      await started(['--soak', '1h'], 3);
      const file = join(fixture.platformDir, 'kaji-upgrade.json');
      const soaking = JSON.parse(readFileSync(file, 'utf8'));
      // Long enough that the run is still soaking when it first says so, however busy the machine: the change made then stops it.
      writeFileSync(file, JSON.stringify({ ...soaking, soakUntil: new Date(Date.now() + 30_000).toISOString() }));
      const tip = fixture.git('rev-parse', 'main');
      await assert.rejects(
        // While it soaks, another run (a rollback) records its own step.
        nextInProcess((message) => {
          if (message.startsWith('soaking')) writeFileSync(file, JSON.stringify({ ...soaking, updatedAt: new Date(Date.now() + 5).toISOString(), inProgress: { step: 'rollback', since: new Date().toISOString() } }));
        }),
        /the upgrade was changed by another run while this one waited/,
      );
      assert.equal(fixture.git('rev-parse', 'main'), tip, 'nothing pushed');
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).inProgress.step, 'rollback');
    });

    test('a rollback made while next soaks stops it at once, saying so, before the gate asks green again', async () => {
      await started(['--soak', '1h'], 3);
      const file = join(fixture.platformDir, 'kaji-upgrade.json');
      const soaking = JSON.parse(readFileSync(file, 'utf8'));
      // Long enough that the run is still soaking when it first says so, however busy the machine: the change made then stops it.
      writeFileSync(file, JSON.stringify({ ...soaking, soakUntil: new Date(Date.now() + 30_000).toISOString() }));
      const asked = argocd.requests.length;
      let soakLines = 0;
      await assert.rejects(
        nextInProcess((message) => {
          if (message.startsWith('soaking') && ++soakLines === 1) writeFileSync(file, JSON.stringify({ ...soaking, updatedAt: new Date(Date.now() + 5).toISOString(), inProgress: { step: 'rollback', since: new Date().toISOString() } }));
        }),
        /the upgrade was changed by another run while this one waited \(a rollback, kaji-upgrade\.json updated at .*\): this run stopped, recording nothing/,
      );
      assert.equal(argocd.requests.length, asked, "green's Argo CD was not asked: the run stopped in the soak, not at the gate after it");
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).inProgress.step, 'rollback');
    });

    test("the gate waits without the lock: a rollback can be made meanwhile, and the waiting run then stops", async () => {
      await started(['--soak', '0s', '--steps', '50,100'], 2);
      let polls = 0;
      apps = () => (++polls <= 2 ? healthyApps(GREEN_APPS, tip()).map((app) => (app.name === 'cart' ? { ...app, sync: 'OutOfSync', health: 'Progressing' } : app)) : healthyApps(GREEN_APPS, tip()));
      const file = join(fixture.platformDir, 'kaji-upgrade.json');
      const before = JSON.parse(readFileSync(file, 'utf8'));
      const main = fixture.git('rev-parse', 'main');
      let rollback: Promise<void> | undefined;
      await assert.rejects(
        // While the gate waits for cart, another run takes the lock and records a rollback.
        nextInProcess((message) => {
          if (rollback === undefined && message.includes('before weight step 1')) {
            rollback = withUpgradeLock(fixture.platformDir, async () => {
              writeFileSync(file, JSON.stringify({ ...before, updatedAt: new Date(Date.now() + 5).toISOString(), inProgress: { step: 'rollback', since: new Date().toISOString() } }));
            });
          }
        }),
        /the upgrade was changed by another run while this one waited/,
      );
      assert.ok(rollback, 'the gate waited');
      await rollback; // not refused: the gate did not hold the lock
      assert.equal(fixture.git('rev-parse', 'main'), main, 'nothing pushed');
    });

    test('a weight step waits for Route 53 without the lock: a rollback made meanwhile goes through, and the waiting run stops, recording nothing', async () => {
      await started(NO_SOAK, 2);
      // External-dns is slow: Route 53 keeps blue's weight, so weight step 1 waits there after its push.
      records = () => recordsFromRemote(fixture).filter((record) => record.setIdentifier === 'blue').map((record) => ({ ...record, weight: 255 }));
      let rollback: Promise<CliResult> | undefined;
      await assert.rejects(
        nextInProcess((message) => {
          if (rollback === undefined && message.startsWith('waiting for external-dns')) rollback = upgrade(fixture, ['rollback'], servers());
        }, 120_000),
        /the upgrade was changed by another run while this one waited \(a rollback, kaji-upgrade\.json updated at [^)]*\): this run stopped, recording nothing/,
      );
      assert.ok(rollback, 'the weight step waited for Route 53');
      const back = await rollback;
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /rollback \(blue 255, green 0\): pushed/);
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' });
      const after = state(fixture);
      assert.deepEqual(Object.keys(after.done).sort(), ['deploy', 'preflight'], 'weight step 1 not recorded');
      assert.deepEqual(after.weights, { blue: 255, green: 0 });
      assert.equal(after.inProgress, undefined);
      assert.equal(after.rollbacks.length, 1);
    });

    test("a rollback made from another checkout is not undone by this one's next, though the branch holds the weights this state last verified; rollback records it here", async () => {
      await started();
      for (let step = 0; step < 2; step++) assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // deploy, sync
      // B's checkout of the platform, its state as A's so far: both ran start, deploy and sync.
      const other = { ...fixture, platformDir: `${fixture.platformDir}-B` };
      cpSync(fixture.platformDir, other.platformDir, { recursive: true });
      assert.match(state(other).commits?.sync ?? '', /^[0-9a-f]{40}$/, "the sync step records the tip it named");
      assert.equal((await upgrade(fixture, ['next'], servers())).code, 0); // A: weight 10%
      assert.equal((await upgrade(fixture, ['rollback'], servers())).code, 0); // A: an incident
      const rolledBack = tip();
      assert.equal(state(fixture).rollbacks.at(-1)?.commit, rolledBack);
      assert.deepEqual(remoteWeights(fixture), { blue: '255', green: '0' }, "as B's state last verified them");
      const before = readFileSync(join(other.platformDir, 'kaji-upgrade.json'), 'utf8');
      const refused = await upgrade(other, ['next'], servers());
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(
        refused.stderr,
        new RegExp(
          `main of the manifest repository has a rollback of this upgrade this checkout's kaji-upgrade\\.json does not record: ${rolledBack.slice(0, 12)} "upgrade blue → green: rollback \\(blue 255, green 0\\)" \\([^)]+\\), ` +
            `made after the upgrade here last verified the branch \\(at [0-9a-f]{12}\\), from another checkout\\. This step would undo it: nothing was pushed\\. Find out why it was rolled back; kaji upgrade rollback --platform \\S+-B .*records it here too`,
        ),
      );
      assert.equal(tip(), rolledBack, 'nothing pushed');
      assert.equal(state(other).done['weight-1'], undefined, 'the step is not recorded');
      assert.deepEqual(state(other).weights, { blue: 255, green: 0 });

      // A state file of an earlier kaji, without commits: the time of the last step verified stands in,
      // here in the second the rollback was committed in, after it by the clock (committer dates are whole seconds).
      const old = JSON.parse(before);
      delete old.commits;
      old.done.sync = new Date(Date.parse(fixture.git('log', '-1', '--format=%cI', rolledBack)) + 999).toISOString();
      writeFileSync(join(other.platformDir, 'kaji-upgrade.json'), JSON.stringify(old));
      const unknown = await upgrade(other, ['next'], servers());
      assert.equal(unknown.code, 2, unknown.stderr);
      assert.match(unknown.stderr, new RegExp(`has a rollback of this upgrade .*: ${rolledBack.slice(0, 12)} .*last verified the branch \\(at \\d{4}-\\d\\d-\\d\\dT`));
      assert.equal(tip(), rolledBack, 'nothing pushed');

      // Recorded here too, B goes on from there: sync again, then the weight steps over.
      const recorded = await upgrade(other, ['rollback'], servers());
      assert.equal(recorded.code, 0, recorded.stderr);
      assert.match(recorded.stdout, new RegExp(`rollback \\(blue 255, green 0\\): already in the manifest repository at ${rolledBack.slice(0, 12)}`));
      for (const step of ['sync', 'weight 10%']) assert.equal((await upgrade(other, ['next'], servers())).code, 0, step);
      assert.deepEqual(remoteWeights(fixture), { blue: '229', green: '26' });
    });

    test('killed while it soaks between two weight steps: the state is as it was, and the next run goes on once the soak is over', async () => {
      await started(['--soak', '1h'], 3);
      const before = readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8');
      const child = spawn(
        process.execPath,
        [MAIN, 'upgrade', 'next', '--platform', fixture.platformDir, '--cdk', fixture.cdk, '--route53-endpoint', route53.url, '--argocd-server', argocd.url, '--interval', '5ms'],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
      );
      let stderr = '';
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('soaking')) resolve();
        });
        child.on('close', () => resolve());
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('close', resolve));
      assert.match(stderr, /soaking blue 229, green 26: 5\dm \d+s left/);
      assert.equal(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8'), before, 'the state is as the last verified step left it');
      assert.deepEqual(remoteWeights(fixture), { blue: '229', green: '26' });
      assert.match((await upgrade(fixture, ['status'])).stdout, /next: kaji upgrade next --platform \S+ \(after the soak: 5\dm \d+s left\)/);
      // An hour later:
      writeFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), before.replace(/"soakUntil": "[^"]+"/, `"soakUntil": "${new Date(Date.now() - 1000).toISOString()}"`));
      const resumed = await upgrade(fixture, ['next'], servers());
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual(remoteWeights(fixture), { blue: '127', green: '128' });
      assert.ok(state(fixture).done['weight-2']);
    });
  });
});

test('the state file names the clusters, the step, the weights and when', { skip: !hasKubectl && 'needs kubectl' }, async () => {
  const fixture = await createFixture();
  try {
    const start = await kaji(['upgrade', 'start', '--platform', fixture.platformDir, '--steps', '25,100', '--soak', '90s']);
    assert.equal(start.code, 0, start.stderr);
    const saved = JSON.parse(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8'));
    assert.equal(saved.kind, 'kaji-upgrade');
    assert.deepEqual(saved.from, { name: 'blue', kubernetesVersion: '1.32', weight: 255 });
    assert.deepEqual(saved.to, { name: 'green', kubernetesVersion: '1.35', weight: 0 });
    assert.deepEqual(saved.weightSteps, [25, 100]);
    assert.equal(saved.soakMs, 90_000);
    assert.match(saved.done.preflight, /^\d{4}-\d\d-\d\dT/);
    const status = await kaji(['upgrade', 'status', '--platform', fixture.platformDir]);
    assert.match(status.stdout, /✓ preflight/);
    assert.match(status.stdout, /→ deploy green \(cdk deploy shop-green\)/);
    assert.match(status.stdout, /· weight 25%: blue 191, green 64/);
    assert.match(status.stdout, /next: kaji upgrade next/);
  } finally {
    fixture.cleanup();
  }
});
