// `kaji upgrade finish` retiring blue without leaving its AWS resources
// behind: blue's service Applications pruned first (one commit), Route 53
// waited on until it has no record of blue (its external-dns deletes them
// once the Ingresses, and their load balancers, are gone), only then cdk
// destroy and blue's removal. The fake Route 53 stands in for both
// external-dns: its records follow the Applications on the remote's main.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl } from '../support/files.js';
import { ARGOCD_TOKEN, createFixture, healthyApps, recordsFromRemote, startArgoCd, startRoute53, withAwsCredentials, type FakeServer, type Fixture, type Record53 } from './fixture.js';
import { colleagueCommit, runUpgrade, upgradeState } from './run.js';

const GREEN_APPS = ['cart', 'kaji-platform', 'kaji-root', 'kaji-tenants', 'shop'];

describe('kaji upgrade finish: prune first, then destroy', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let restoreAws: () => void;
  const savedToken = process.env.ARGOCD_AUTH_TOKEN;
  let fixture: Fixture;
  let argocd: FakeServer;
  let route53: FakeServer;
  let records: () => Record53[];
  before(() => {
    restoreAws = withAwsCredentials();
    process.env.ARGOCD_AUTH_TOKEN = ARGOCD_TOKEN;
  });
  after(() => {
    restoreAws();
    if (savedToken === undefined) delete process.env.ARGOCD_AUTH_TOKEN;
    else process.env.ARGOCD_AUTH_TOKEN = savedToken;
  });
  afterEach(async () => {
    await argocd?.close();
    await route53?.close();
    fixture?.cleanup();
  });
  const run = (...args: string[]) => runUpgrade(fixture, args, { argocd, route53 });
  const tip = () => fixture.git('rev-parse', 'main');
  const blueRecords = () => recordsFromRemote(fixture).filter((record) => record.setIdentifier === 'blue');

  /** An upgrade with one weight step (100 %), made: green has all the traffic, finish is next. */
  async function readyToFinish(): Promise<void> {
    fixture = await createFixture();
    records = () => recordsFromRemote(fixture);
    argocd = await startArgoCd(() => healthyApps(GREEN_APPS, tip()));
    route53 = await startRoute53(() => records());
    assert.equal((await runUpgrade(fixture, ['start', '--soak', '0s', '--steps', '100'])).code, 0);
    for (const step of ['deploy', 'sync', 'weight 100%']) {
      const made = await run('next');
      assert.equal(made.code, 0, `${step}: ${made.stderr}`);
    }
    assert.deepEqual(upgradeState(fixture).weights, { blue: 0, green: 255 });
  }

  test("blue's service Applications go first, in a commit of their own; cdk destroy and blue's removal wait until Route 53 has no record of blue", async () => {
    await readyToFinish();
    const main = tip();
    // Blue's external-dns takes a few listings to delete the records once its Argo CD has pruned the Applications.
    const lingering = blueRecords();
    assert.deepEqual([...new Set(lingering.map((record) => `${record.type} ${record.weight}`))].sort(), ['A 0', 'TXT 0']);
    /** Listings of the zone so far (a listing's first page has no start name). */
    const listed = () => route53.requests.filter((request) => request.path.includes('/rrset') && !request.path.includes('name=')).length;
    const listedBefore = listed();
    const listings: { blueApplications: boolean; destroyed: boolean; blueRecords: number }[] = [];
    records = () => {
      const blueApplications = fixture.show('clusters/blue/argocd/apps/shop.yaml') !== undefined;
      const lags = listed() - listedBefore <= 2;
      const now = blueApplications || lags ? [...recordsFromRemote(fixture).filter((record) => record.setIdentifier !== 'blue'), ...lingering] : recordsFromRemote(fixture);
      listings.push({ blueApplications, destroyed: fixture.cdkRuns().some((run) => run.startsWith('destroy')), blueRecords: now.filter((record) => record.setIdentifier === 'blue').length });
      return now;
    };

    const finish = await run('finish', '--destroy');
    assert.equal(finish.code, 0, finish.stderr);
    // Two commits: the drain (blue's service Applications only; kaji-root, the projects and the platform's Applications stay), then the removal.
    assert.equal(fixture.git('rev-parse', 'main~2'), main);
    assert.equal(fixture.git('log', '-1', '--format=%s', 'main~1'), "upgrade blue → green: prune blue's Applications before its removal");
    assert.deepEqual(fixture.git('show', '--name-status', '--format=', 'main~1').split('\n'), ['D\tclusters/blue/argocd/apps/cart.yaml', 'D\tclusters/blue/argocd/apps/shop.yaml']);
    assert.match(fixture.git('log', '-1', '--format=%B', 'main~1'), /\n\nKaji-Upgrade: blue -> green$/);
    for (const kept of ['root.yaml', 'projects/kaji-root.yaml', 'projects/shop.yaml', 'kaji-tenants.yaml']) {
      assert.ok(fixture.git('ls-tree', '--name-only', 'main~1', `clusters/blue/argocd/${kept}`), `${kept} stays in the drain commit`);
    }
    assert.equal(fixture.git('log', '-1', '--format=%s', 'main'), 'upgrade blue → green: remove blue');
    assert.equal(fixture.show('clusters/blue/argocd/root.yaml'), undefined);
    assert.doesNotMatch(fixture.readPlatform(), /name: blue/);

    // Route 53 was asked only after the drain, and until blue's records were gone; cdk destroy came after that.
    assert.ok(listings.length >= 3, JSON.stringify(listings));
    assert.ok(listings.every((listing) => !listing.blueApplications && !listing.destroyed), JSON.stringify(listings));
    assert.deepEqual(listings.map((listing) => listing.blueRecords).slice(-1), [0]);
    assert.match(finish.stderr, /waiting for blue's Argo CD to prune its Applications and its external-dns to delete their records \(.*\): Route 53 zone Z0SHOPZONE1234: 4 record\(s\) of blue left; not yet: cart\.shop\.example\.com A blue \(weight 0\)/);
    assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green', 'list', 'destroy --force shop-blue']);

    const lines = finish.stdout.trim().split('\n');
    assert.match(lines[0]!, /^upgrade blue → green: prune blue's Applications before its removal: pushed [0-9a-f]{12}$/);
    assert.equal(lines[1], 'Route 53 zone Z0SHOPZONE1234 has no record of blue left: its Ingresses and their load balancers are gone');
    assert.match(lines[2]!, /^destroyed shop-blue /);
    assert.match(lines[3]!, /^upgrade blue → green: remove blue: pushed [0-9a-f]{12}/);
    assert.match(
      lines.at(-1)!,
      /^once shop-blue is deleted, check that nothing of it is left: Karpenter's nodes \(aws ec2 describe-instances --region eu-west-1 --filters Name=tag:kaji\.dev\/platform,Values=shop Name=tag:kaji\.dev\/cluster,Values=blue .*\), the Load Balancer Controller's .*--tag-filters Key=elbv2\.k8s\.aws\/cluster,Values=shop-blue\), and, with argocd\.ingress, the Route 53 records of argocd\.blue\.shop\.example\.com$/,
    );
    assert.ok(upgradeState(fixture).done.finish);
  });

  test("blue's records staying: finish times out naming them, nothing destroyed or removed, rollback refused; the next finish pushes no second drain", async () => {
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
    assert.equal(fixture.show('clusters/blue/argocd/apps/shop.yaml'), undefined, 'the drain is pushed');
    assert.ok(fixture.show('clusters/blue/argocd/root.yaml'));
    assert.match(fixture.readPlatform(), /name: blue/);
    assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green'], 'nothing destroyed while blue has records');
    assert.equal(upgradeState(fixture).inProgress?.step, 'finish');
    const back = await run('rollback', '--force');
    assert.equal(back.code, 2, back.stderr);
    assert.match(back.stderr, /finish was started at .*: run kaji upgrade finish /);

    records = () => recordsFromRemote(fixture);
    const drained = tip();
    const finish = await run('finish', '--destroy');
    assert.equal(finish.code, 0, finish.stderr);
    assert.match(finish.stdout, /^upgrade blue → green: prune blue's Applications before its removal: already in the manifest repository at [0-9a-f]{12}\n/);
    assert.equal(fixture.git('rev-parse', 'main~1'), drained, 'one commit more: the removal');
    assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green', 'list', 'destroy --force shop-blue']);
    assert.ok(upgradeState(fixture).done.finish);
  });

  test('a branch giving blue weight again (a hand edit since the last step): its Applications stay, nothing pushed, and traffic may still go back', async () => {
    await readyToFinish();
    colleagueCommit(fixture, 'blue back', (clone) => {
      const file = join(clone, 'clusters/blue/argocd/apps/shop.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace("aws-weight: '0'", "aws-weight: '255'"));
    });
    const main = tip();
    const refused = await run('finish');
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /kaji: main of the manifest repository gives blue weight 0 and 255, so its Applications were not removed: it may be serving\. Someone moved traffic back since the last weight step .*; find out why before retiring blue\n/,
    );
    assert.equal(tip(), main, 'nothing pushed');
    assert.equal(upgradeState(fixture).inProgress, undefined, 'finish is not left started');
    const back = await run('rollback', '--force');
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(upgradeState(fixture).weights, { blue: 255, green: 0 });
  });
});
