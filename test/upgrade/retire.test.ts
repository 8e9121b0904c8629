// `kaji upgrade finish` retiring blue without leaving its AWS resources
// behind: blue marked retiring in platform.yaml first (one commit, which
// deletes its service Applications and headroom placeholders as kaji synth
// generates them then), Route 53 waited on until it has no record of blue
// (its external-dns deletes them once the Ingresses, and their load
// balancers, are gone), only then cdk destroy and blue's removal. The manifest repository is what kaji synth
// generates at every point (`kaji synth --check-only` passes). The fake Route
// 53 stands in for both external-dns: its records follow the Applications on
// the remote's main.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { StepFailedError, finish } from '../../src/upgrade/index.js';
import { ARGOCD_TOKEN, createFixture, fixtureAtStage, healthyApps, recordsFromRemote, setUpgradeEnv, startArgoCd, startRoute53, type FakeServer, type Fixture, type Record53 } from './fixture.js';
import { colleagueCommit, runUpgrade, upgradeState } from './run.js';

const GREEN_APPS = ['cart', 'kaji-platform', 'kaji-root', 'kaji-tenants', 'shop'];

describe('kaji upgrade finish: prune first, then destroy', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let restoreEnv: () => void;
  let fixture: Fixture;
  let argocd: FakeServer;
  let route53: FakeServer;
  let records: () => readonly Record53[];
  before(() => {
    restoreEnv = setUpgradeEnv();
  });
  after(() => restoreEnv());
  afterEach(async () => {
    await argocd?.close();
    await route53?.close();
    fixture?.cleanup();
  });
  const run = (...args: string[]) => runUpgrade(fixture, args, { argocd, route53 });
  const tip = () => fixture.tip();
  const blueRecords = () => recordsFromRemote(fixture).filter((record) => record.setIdentifier === 'blue');

  /** An upgrade with one weight step (100 %), made (once per file and options; later tests get a copy): green has all the traffic, finish is next. */
  async function readyToFinish(options: { inRepository?: boolean } = {}): Promise<void> {
    records = () => recordsFromRemote(fixture);
    argocd = await startArgoCd(() => healthyApps(GREEN_APPS, tip()));
    route53 = await startRoute53(() => records());
    fixture = await fixtureAtStage(`ready to finish ${JSON.stringify(options)}`, async () => {
      fixture = await createFixture(options); // run() and the servers read it
      assert.equal((await runUpgrade(fixture, ['start', '--soak', '0s', '--steps', '100'])).code, 0);
      for (const step of ['deploy', 'sync', 'weight 100%']) {
        const made = await run('next');
        assert.equal(made.code, 0, `${step}: ${made.stderr}`);
      }
      return fixture;
    });
    assert.deepEqual(upgradeState(fixture).weights, { blue: 0, green: 255 });
  }

  /** `kaji synth --check-only`, as the manifest repository's CI runs it, in a fresh clone of the remote's main (platform.yaml in the repository). */
  async function checkOnlyOnMain(): Promise<void> {
    const clone = mkdtempSync(join(fixture.root, 'ci-'));
    execFileSync('git', ['clone', '--quiet', fixture.remote, clone], { stdio: 'pipe' });
    const check = await kaji(['synth', clone, '--check-only']);
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
    assert.match(check.stdout, /generated files: up to date/);
  }

  /** The same in the fixture's own checkout (platform.yaml beside it), pulled: what `kaji synth --check-only` says there. */
  async function checkOnlyInCheckout(): Promise<void> {
    execFileSync('git', ['pull', '--quiet', '--ff-only', 'origin', 'main'], { cwd: join(fixture.platformDir, 'manifests'), stdio: 'pipe' });
    const check = await kaji(['synth', fixture.platformDir, '--check-only']);
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
    assert.match(check.stdout, /generated files: up to date/);
  }

  test("blue is marked retiring first, in a commit of its own deleting its service Applications and headroom placeholders; cdk destroy and blue's removal wait until Route 53 has no record of blue", async () => {
    await readyToFinish();
    const main = tip();
    // Blue's external-dns takes a few listings to delete the records once its Argo CD has pruned the Applications.
    const lingering = blueRecords();
    assert.deepEqual([...new Set(lingering.map((record) => `${record.type} ${record.weight}`))].sort(), ['A 0', 'TXT 0']);
    /** Listings of the zone so far (a listing's first page has no start name). */
    const listed = () => route53.requests.filter((request) => request.path.includes('/rrset') && !request.path.includes('name=')).length;
    const listedBefore = listed();
    const listings: { blueApplications: boolean; retiring: boolean; destroyed: boolean; blueRecords: number }[] = [];
    records = () => {
      const blueApplications = fixture.show('clusters/blue/argocd/apps/shop.yaml') !== undefined;
      const lags = listed() - listedBefore <= 2;
      const now = blueApplications || lags ? [...recordsFromRemote(fixture).filter((record) => record.setIdentifier !== 'blue'), ...lingering] : recordsFromRemote(fixture);
      const retiring = /name: blue\n\s+kubernetesVersion: "1.32"\n\s+weight: 0 # all traffic today\n\s+retiring: true\n/.test(fixture.readPlatform());
      listings.push({ blueApplications, retiring, destroyed: fixture.cdkRuns().some((run) => run.startsWith('destroy')), blueRecords: now.filter((record) => record.setIdentifier === 'blue').length });
      return now;
    };

    const finish = await run('finish', '--destroy');
    assert.equal(finish.code, 0, finish.stderr);
    // Two commits: the retirement (blue's service Applications and headroom placeholders only; kaji-root, the projects and the platform's Applications stay), then the removal.
    assert.equal(fixture.git('rev-parse', 'main~2'), main);
    assert.equal(fixture.git('log', '-1', '--format=%s', 'main~1'), 'upgrade blue → green: retire blue (prune its service Applications before its removal)');
    assert.deepEqual(fixture.git('show', '--name-status', '--format=', 'main~1').split('\n'), [
      'D\tclusters/blue/argocd/apps/cart.yaml',
      'D\tclusters/blue/argocd/apps/shop.yaml',
      'D\tclusters/blue/platform/headroom/deployment.yaml',
    ]);
    assert.match(fixture.git('log', '-1', '--format=%B', 'main~1'), /\n\nKaji-Upgrade: blue -> green$/);
    for (const kept of ['root.yaml', 'projects/kaji-root.yaml', 'projects/shop.yaml', 'kaji-tenants.yaml']) {
      assert.ok(fixture.git('ls-tree', '--name-only', 'main~1', `clusters/blue/argocd/${kept}`), `${kept} stays in the retirement commit`);
    }
    assert.ok(fixture.git('ls-tree', '--name-only', 'main~1', 'clusters/blue/platform/headroom/priorityclass.yaml'), 'the rest of the headroom stays');
    assert.equal(fixture.git('log', '-1', '--format=%s', 'main'), 'upgrade blue → green: remove blue');
    assert.equal(fixture.show('clusters/blue/argocd/root.yaml'), undefined);
    // Blue's overlays go with it: left behind, a cluster named blue again would deploy them, images bump no longer updated and all.
    const removal = fixture.git('show', '--name-status', '--format=', 'main').split('\n');
    assert.deepEqual(removal.filter((line) => line.includes('apps/')), ['D\tapps/cart/overlays/blue/kustomization.yaml', 'D\tapps/shop/overlays/blue/kustomization.yaml']);
    assert.ok(removal.every((line) => /^D\t(clusters\/blue\/|apps\/\w+\/overlays\/blue\/)/.test(line)), removal.join('\n'));
    assert.ok(fixture.show('apps/shop/overlays/green/kustomization.yaml'), "green's overlays stay");
    assert.doesNotMatch(fixture.readPlatform(), /name: blue/);

    // Route 53 was asked only after the retirement (platform.yaml, beside the checkout, edited in place by then), and until blue's records were gone; cdk destroy came after that.
    assert.ok(listings.length >= 3, JSON.stringify(listings));
    assert.ok(listings.every((listing) => !listing.blueApplications && listing.retiring && !listing.destroyed), JSON.stringify(listings));
    assert.deepEqual(listings.map((listing) => listing.blueRecords).slice(-1), [0]);
    assert.match(finish.stderr, /waiting for blue's Argo CD to prune its Applications and its external-dns to delete their records \(.*\): Route 53 zone Z0SHOPZONE1234: 4 record\(s\) of blue left; not yet: cart\.shop\.example\.com A blue \(weight 0\)/);
    assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green', 'list', 'destroy --force --exclusively shop-blue']);

    const lines = finish.stdout.trim().split('\n');
    assert.match(lines[0]!, /^upgrade blue → green: retire blue \(prune its service Applications before its removal\): pushed [0-9a-f]{12} \(platform\.yaml edited in place: commit it in its repository\)$/);
    assert.equal(lines[1], 'Route 53 zone Z0SHOPZONE1234 has no record of blue left: its Ingresses and their load balancers are gone');
    assert.match(lines[2]!, /^destroyed shop-blue /);
    assert.match(lines[3]!, /^upgrade blue → green: remove blue: pushed [0-9a-f]{12}/);
    assert.equal(lines[4], "blue's overlays (apps/*/overlays/blue/) went with it: a cluster named blue again gets copies of the newest ones (kaji synth), not images blue ran");
    assert.match(
      lines.at(-1)!,
      /^once shop-blue is deleted, check that nothing of it is left: Karpenter's nodes \(aws ec2 describe-instances --region eu-west-1 --filters Name=tag:kaji\.dev\/platform,Values=shop Name=tag:kaji\.dev\/cluster,Values=blue .*\), the Load Balancer Controller's .*--tag-filters Key=elbv2\.k8s\.aws\/cluster,Values=shop-blue\), and, with argocd\.ingress, the Route 53 records of argocd\.blue\.shop\.example\.com$/,
    );
    assert.ok(upgradeState(fixture).done.finish);
  });

  test("Route 53 throttling (shared with external-dns) while finish waits for blue's records to go is waited out, not a failed step", async () => {
    await readyToFinish();
    await route53.close();
    // As often as the SDK tries (3 times): the zone lookup fails a poll, then the records' listing the next.
    route53 = await startRoute53(() => records(), { throttled: { zones: 3, records: 3 } });
    // The SDK backs off up to seconds between its attempts at a throttled request.
    const finished = await run('finish', '--timeout', '60s');
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stderr, /Route 53 is throttling \(listing the hosted zones in Route 53 failed: Throttling: Rate exceeded\): asking again/);
    assert.match(finished.stderr, /Route 53 is throttling \(listing the records of hosted zone Z0SHOPZONE1234 in Route 53 failed: Throttling: Rate exceeded\): asking again/);
    assert.match(finished.stdout, /Route 53 zone Z0SHOPZONE1234 has no record of blue left/);
    assert.ok(upgradeState(fixture).done.finish);
  });

  test("blue's records staying: finish times out naming them, nothing destroyed or removed, rollback refused, synth --check-only passes; the next finish pushes no second retirement", async () => {
    await readyToFinish();
    const stuck = blueRecords();
    // Blue's external-dns is down: its records stay whatever its Argo CD prunes.
    records = () => [...recordsFromRemote(fixture).filter((record) => record.setIdentifier !== 'blue'), ...stuck];
    const held = await run('finish', '--destroy');
    assert.equal(held.code, 1, held.stderr);
    assert.match(
      held.stderr,
      /kaji: timed out after 3s waiting for blue's Argo CD to prune its Applications and its external-dns to delete their records: Route 53 zone Z0SHOPZONE1234: 4 record\(s\) of blue left\. Look at blue's Argo CD \(kaji-root Synced to the commit above\? an Application stuck deleting, and why\?\) and at its external-dns's logs, then run the same command again\n {2}cart\.shop\.example\.com A blue \(weight 0\)\n {2}cart\.shop\.example\.com TXT blue \(weight 0\)\n/,
    );
    assert.equal(fixture.show('clusters/blue/argocd/apps/shop.yaml'), undefined, 'the retirement is pushed');
    // Said while finish waits, not after: with two repositories the platform repository must get the edit before anyone synthesises.
    const commitNow = held.stderr.indexOf('platform.yaml, edited in place, marks blue retiring: commit and push it in its repository now; until then a kaji synth');
    assert.ok(commitNow >= 0 && commitNow < held.stderr.indexOf('waiting for blue'), held.stderr);
    assert.ok(fixture.show('clusters/blue/argocd/root.yaml'));
    assert.match(fixture.readPlatform(), /name: blue\n[^-]*retiring: true\n/);
    // The checkout, pulled, is what synth generates from the platform.yaml edited in place: nobody's synth brings blue's Applications back.
    await checkOnlyInCheckout();
    assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green'], 'nothing destroyed while blue has records');
    assert.equal(upgradeState(fixture).inProgress?.step, 'finish');
    const back = await run('rollback', '--force');
    assert.equal(back.code, 2, back.stderr);
    assert.match(back.stderr, /finish was started at .*: run kaji upgrade finish /);

    records = () => recordsFromRemote(fixture);
    const retired = tip();
    const platformText = fixture.readPlatform();
    const finish = await run('finish', '--destroy');
    assert.equal(finish.code, 0, finish.stderr);
    assert.ok(finish.stdout.startsWith(`upgrade blue → green: retire blue (prune its service Applications before its removal): already in the manifest repository at ${retired.slice(0, 12)}\n`), finish.stdout);
    assert.equal(fixture.git('rev-parse', 'main~1'), retired, 'one commit more: the removal');
    assert.equal(platformText.replace(/ {2}- name: blue\n( {4}.*\n)+/, ''), fixture.readPlatform(), 'platform.yaml: blue removed, nothing else changed');
    await checkOnlyInCheckout();
    assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green', 'list', 'destroy --force --exclusively shop-blue']);
    assert.ok(upgradeState(fixture).done.finish);
  });

  test('a branch giving blue weight again (a hand edit since the last step): its Applications stay, nothing pushed, and traffic may still go back', async () => {
    await readyToFinish();
    colleagueCommit(fixture, 'blue back', (clone) => {
      const file = join(clone, 'clusters/blue/argocd/apps/shop.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace("aws-weight: '0'", "aws-weight: '255'"));
    });
    const main = tip();
    const platformText = fixture.readPlatform();
    const refused = await run('finish');
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /kaji: main of the manifest repository gives blue weight 0 and 255, so it was not marked retiring and its Applications stay: it may be serving\. Someone moved traffic back since the last weight step .*; find out why before retiring blue\n/,
    );
    assert.equal(tip(), main, 'nothing pushed');
    assert.equal(fixture.readPlatform(), platformText, 'platform.yaml not marked');
    assert.equal(upgradeState(fixture).inProgress, undefined, 'finish is not left started');
    const back = await run('rollback', '--force');
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(upgradeState(fixture).weights, { blue: 255, green: 0 });
  });
  test('the retirement landed, but platform.yaml was changed meanwhile so that its in-place edit no longer applies: finish stays started and rollback is refused', async () => {
    await readyToFinish();
    const file = join(fixture.platformDir, 'platform.yaml');
    // Saved half-way through an edit: not YAML.
    const halfEdited = `${fixture.readPlatform()}  - {name: purple\n`;
    const options = {
      directory: fixture.platformDir,
      cdk: fixture.cdk,
      argocd: { server: argocd.url, token: ARGOCD_TOKEN },
      route53: { endpoint: route53.url },
      timeoutMs: 3000,
      intervalMs: 25,
      onOutput: () => undefined,
      // A colleague saves platform.yaml half-edited while the retirement is pushed: marking blue retiring in place fails afterwards.
      onProgress: (message: string) => {
        if (message.startsWith('pushing to')) writeFileSync(file, halfEdited);
      },
    };
    const failure = await finish(options).then(
      () => assert.fail('finish should stop'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof StepFailedError, String(failure));
    assert.match(failure.message, /^the release landed \(main of the manifest repository has it at [0-9a-f]{12}\), but .*platform\.yaml was changed while the release ran and the edit no longer applies to it/);
    assert.equal(fixture.show('clusters/blue/argocd/apps/shop.yaml'), undefined, 'the retirement is pushed');
    assert.equal(upgradeState(fixture).inProgress?.step, 'finish');
    const back = await run('rollback', '--force');
    assert.equal(back.code, 2, back.stderr);
    assert.match(back.stderr, /finish was started at .*: run kaji upgrade finish /);
    assert.deepEqual(upgradeState(fixture).weights, { blue: 0, green: 255 });
  });

  test("a platform.yaml older than the weight steps (their in-place edits undone by a checkout): finish names it and the weights to set, nothing pushed; once set, it retires blue", async () => {
    await readyToFinish();
    const file = join(fixture.platformDir, 'platform.yaml');
    const verified = fixture.readPlatform();
    const reverted = verified.replace('weight: 0 # all traffic today', 'weight: 255 # all traffic today').replace(/(name: green\n\s+kubernetesVersion: "1\.35"\n\s+weight: )255/, '$10');
    assert.notEqual(reverted, verified);
    writeFileSync(file, reverted);
    const main = tip();
    const refused = await run('finish');
    assert.equal(refused.code, 2, refused.stderr);
    assert.ok(
      refused.stderr.includes(
        `kaji: ${file} gives blue 255, green 0, not the weights this upgrade last verified (blue 0, green 255, on the manifest branch and in Route 53): it is older than the weight steps`,
      ),
      refused.stderr,
    );
    assert.match(refused.stderr, /Set the weights to blue 0, green 255 in it \(and commit them\), then run kaji upgrade finish --platform \S+ .*again; nothing was pushed\n/);
    assert.doesNotMatch(refused.stderr, /platform\.yaml:\d+:\d+|retiring: true/, "not synth's validation of a temporary copy, nor the flag kaji adds");
    assert.equal(tip(), main, 'nothing pushed');
    assert.equal(fixture.readPlatform(), reverted, 'platform.yaml not marked');
    assert.equal(upgradeState(fixture).inProgress, undefined);
    writeFileSync(file, verified);
    const finished = await run('finish');
    assert.equal(finished.code, 0, finished.stderr);
  });

  test('platform.yaml in the manifest repository: one commit marks blue retiring and deletes its Applications and placeholders; a re-run pushes nothing; synth --check-only passes on main at every point', async () => {
    await readyToFinish({ inRepository: true });
    const local = fixture.readPlatform();
    await checkOnlyOnMain();
    const main = tip();
    const before = fixture.show('platform.yaml')!;
    // Blue's external-dns is slow: the first finish stops after the retirement's push, waiting for Route 53.
    const stuck = blueRecords();
    records = () => [...recordsFromRemote(fixture).filter((record) => record.setIdentifier !== 'blue'), ...stuck];
    const held = await run('finish');
    assert.equal(held.code, 1, held.stderr);
    assert.equal(fixture.git('rev-parse', 'main~1'), main, 'one commit');
    assert.deepEqual(fixture.git('show', '--name-status', '--format=', 'main').split('\n'), [
      'D\tclusters/blue/argocd/apps/cart.yaml',
      'D\tclusters/blue/argocd/apps/shop.yaml',
      'D\tclusters/blue/platform/headroom/deployment.yaml',
      'M\tplatform.yaml',
    ]);
    // platform.yaml: one line added, comments and layout kept.
    assert.equal(fixture.show('platform.yaml'), before.replace('weight: 0 # all traffic today\n', 'weight: 0 # all traffic today\n    retiring: true\n'));
    assert.match(fixture.git('log', '-1', '--format=%B', 'main'), /^upgrade blue → green: retire blue \(prune its service Applications before its removal\)\n\n- clusters\/blue\/argocd\/apps\/cart\.yaml\n- clusters\/blue\/argocd\/apps\/shop\.yaml\n- clusters\/blue\/platform\/headroom\/deployment\.yaml\n- platform\.yaml\n\nKaji-Upgrade: blue -> green$/);
    assert.equal(fixture.readPlatform(), local, 'the checkout is left alone');
    await checkOnlyOnMain();

    // Run again while the records stay: the state is set already, nothing to push.
    const again = await run('finish');
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /main already holds this change \([0-9a-f]{12}\): nothing to push/);
    assert.equal(fixture.git('rev-parse', 'main~1'), main, 'no second commit');

    records = () => recordsFromRemote(fixture);
    const finish = await run('finish');
    assert.equal(finish.code, 0, finish.stderr);
    assert.match(finish.stdout, /^upgrade blue → green: retire blue \(prune its service Applications before its removal\): already in the manifest repository at [0-9a-f]{12}\n/);
    assert.equal(fixture.git('log', '-1', '--format=%s', 'main'), 'upgrade blue → green: remove blue');
    assert.equal(fixture.git('ls-tree', '-r', '--name-only', 'main', 'clusters/blue'), '');
    assert.equal(fixture.git('ls-tree', '-r', '--name-only', 'main', 'apps/shop/overlays/blue', 'apps/cart/overlays/blue'), '');
    assert.doesNotMatch(fixture.show('platform.yaml')!, /name: blue|retiring/);
    await checkOnlyOnMain();
    assert.ok(upgradeState(fixture).done.finish);
  });

  for (const inRepository of [false, true]) {
    test(`a finish stopped after blue's removal landed, before recording it, is completed by finish: nothing pushed again (platform.yaml ${inRepository ? 'in the manifest repository' : 'beside it, edited in place'})`, async () => {
      await readyToFinish({ inRepository });
      const file = join(fixture.platformDir, 'kaji-upgrade.json');
      const before = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal((await run('finish')).code, 0);
      const removed = tip();
      // As a run killed between the removal's push and its record leaves the state.
      writeFileSync(file, JSON.stringify({ ...before, inProgress: { step: 'finish', since: before.updatedAt }, updatedAt: new Date().toISOString() }));
      const rollback = await run('rollback', '--force');
      assert.equal(rollback.code, 2, rollback.stderr);
      assert.match(rollback.stderr, /finish was started at .*: run kaji upgrade finish/);
      const again = await run('finish');
      assert.equal(again.code, 0, again.stderr);
      assert.equal(tip(), removed, 'nothing pushed twice');
      assert.match(again.stdout, /retire blue \(prune its service Applications before its removal\): already in the manifest repository at [0-9a-f]{12}\n/);
      assert.match(again.stdout, /remove blue: already in the manifest repository at [0-9a-f]{12}\n/);
      const state = upgradeState(fixture);
      assert.ok(state.done.finish);
      assert.equal(state.inProgress, undefined);
    });
  }

  test("finish --destroy whose cdk list fails names the CLI's own error (its output is not shown), destroys nothing, and goes on once it works", async () => {
    await readyToFinish();
    const working = readFileSync(fixture.cdk, 'utf8');
    // As the real CLI fails without credentials for an app that looks them up.
    writeFileSync(fixture.cdk, '#!/bin/sh\necho "Synthesizing..." >&2\necho "Need to perform AWS calls for account 111122223333, but no credentials have been configured" >&2\nexit 1\n');
    const failed = await run('finish', '--destroy');
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /cdk list failed \(exit code 1\) in \S+: it said:\n {2}Synthesizing\.\.\.\n {2}Need to perform AWS calls for account 111122223333, but no credentials have been configured\n/);
    assert.doesNotMatch(failed.stderr, /see its output above/);
    assert.equal(upgradeState(fixture).destroyedAt, undefined);
    assert.match(fixture.readPlatform(), /name: blue/);
    writeFileSync(fixture.cdk, working);
    const again = await run('finish', '--destroy');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green', 'list', 'destroy --force --exclusively shop-blue']);
    assert.ok(upgradeState(fixture).done.finish);
  });
});
