// The upgrade's pure pieces: byte-exact platform.yaml edits, the Route 53 and
// Argo CD verdicts, the weights of each step, durations.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dnsVerdict, formatDuration, parseDuration, readState, removeCluster, setClusterRetiring, setClusterWeights, syncVerdict, weightsOf, type UpgradeState } from '../../src/upgrade/index.js';
import { argoCdServerUrl, getApplication, listApplications } from '../../src/upgrade/argocd.js';
import { ManifestHistory } from '../../src/upgrade/revision.js';
import { kaji } from '../support/cli.js';
import { ARGOCD_TOKEN, setUpgradeEnv, startArgoCd, startRoute53, ZONE_ID, type FakeZone } from './fixture.js';
import { hostedZoneOf, route53Client } from '../../src/upgrade/route53.js';
import { UpgradeError } from '../../src/upgrade/errors.js';
import { withUpgradeLock } from '../../src/upgrade/lock.js';
import { writeState } from '../../src/upgrade/state.js';

const BLOCK = `clusters:
  # the old one
  - name: blue
    kubernetesVersion: "1.32"
    weight: 255   # everything
  - name: green
    kubernetesVersion: '1.35'
    weight: 0
teams: []
`;

describe('platform.yaml edits', () => {
  test('weights: only the values change, comments and spacing stay', () => {
    assert.equal(setClusterWeights(BLOCK, { blue: 229, green: 26 }, 'platform.yaml'), BLOCK.replace('weight: 255   #', 'weight: 229   #').replace('weight: 0\n', 'weight: 26\n'));
  });

  test('weights already there: the same bytes', () => {
    assert.equal(setClusterWeights(BLOCK, { blue: 255, green: 0 }, 'platform.yaml'), BLOCK);
  });

  test('flow-style entries are edited in place too', () => {
    const flow = 'clusters:\n  - {name: blue, kubernetesVersion: "1.32", weight: 255}  # old\n  - {name: green, kubernetesVersion: "1.35", weight: 0}\n';
    assert.equal(setClusterWeights(flow, { blue: 0, green: 255 }, 'p.yaml'), flow.replace('weight: 255}', 'weight: 0}').replace('weight: 0}\n', 'weight: 255}\n'));
  });

  test('removing a cluster takes its lines and trailing comment (a comment line above it stays)', () => {
    assert.equal(removeCluster(BLOCK, 'blue', 'platform.yaml'), `clusters:\n  # the old one\n  - name: green\n    kubernetesVersion: '1.35'\n    weight: 0\nteams: []\n`);
    assert.equal(removeCluster(BLOCK, 'purple', 'platform.yaml'), BLOCK);
  });

  test("retiring: one line added after the entry's last (its comment kept); already retiring, the same bytes; false turned true", () => {
    const retired = setClusterRetiring(BLOCK, 'green', 'platform.yaml');
    assert.equal(retired, BLOCK.replace("weight: 0\n", "weight: 0\n    retiring: true\n"));
    assert.equal(setClusterRetiring(retired, 'green', 'platform.yaml'), retired);
    assert.equal(setClusterRetiring(BLOCK.replace('weight: 0\n', 'weight: 0\n    retiring: false # not yet\n'), 'green', 'platform.yaml'), BLOCK.replace('weight: 0\n', 'weight: 0\n    retiring: true # not yet\n'));
    const flow = 'clusters:\n  - {name: blue, kubernetesVersion: "1.32", weight: 0}  # old\n  - {name: green, kubernetesVersion: "1.35", weight: 255}\n';
    assert.equal(setClusterRetiring(flow, 'blue', 'p.yaml'), flow.replace('weight: 0}', 'weight: 0, retiring: true}'));
  });

  test('an unknown cluster is named', () => {
    assert.throws(() => setClusterWeights(BLOCK, { purple: 1 }, 'platform.yaml'), /platform\.yaml: clusters has no cluster named purple/);
    // Gone: removed by a finish that stopped before recording it; nothing left to retire.
    assert.equal(setClusterRetiring(BLOCK, 'purple', 'platform.yaml'), BLOCK);
  });
});

test("Route 53's zone: the one public zone named after the domain; none or several refused, naming --hosted-zone-id; a zone given is not looked up", async () => {
  const restoreEnv = setUpgradeEnv();
  const lookUp = async (zones: readonly FakeZone[], hostedZoneId?: string) => {
    const route53 = await startRoute53(() => [], { zones });
    const client = route53Client({ endpoint: route53.url });
    try {
      return { zone: await hostedZoneOf(client, 'shop.example.com', { hostedZoneId }).catch((error: unknown) => error), requests: route53.requests.length };
    } finally {
      client.destroy();
      await route53.close();
    }
  };
  try {
    const privateOnly = [{ name: 'shop.example.com.', id: 'ZPRIVATE0001', isPrivate: true }];
    assert.deepEqual(await lookUp([...privateOnly, { name: 'SHOP.example.com.', id: ZONE_ID }]), { zone: ZONE_ID, requests: 1 });
    const none = await lookUp([...privateOnly, { name: 'other.example.com.', id: 'ZOTHER0001' }]);
    assert.ok(none.zone instanceof UpgradeError);
    assert.equal(none.zone.message, 'Route 53 has no public hosted zone named shop.example.com: pass --hosted-zone-id');
    const several = await lookUp([{ name: 'shop.example.com.', id: 'ZONE0001' }, { name: 'shop.example.com.', id: 'ZONE0002' }]);
    assert.ok(several.zone instanceof UpgradeError);
    assert.equal(several.zone.message, 'Route 53 has 2 public hosted zones named shop.example.com: pass --hosted-zone-id (the one external-dns writes to)');
    assert.deepEqual(await lookUp(privateOnly, '/hostedzone/ZGIVEN0001'), { zone: 'ZGIVEN0001', requests: 0 });
  } finally {
    restoreEnv();
  }
});

describe('Route 53 verdict', () => {
  const record = (name: string, setIdentifier: string, weight: number, type = 'A') => ({ name, type, setIdentifier, weight });

  test('converged when every name and type of either cluster has both, at their weights', () => {
    const records = [record('a.x', 'blue', 229), record('a.x', 'green', 26), record('b.x', 'blue', 229, 'AAAA'), record('b.x', 'green', 26, 'AAAA'), record('a.x', 'purple', 7)];
    assert.deepEqual(dnsVerdict(records, { blue: 229, green: 26 }), { converged: true, pending: [] });
  });

  test('a wrong weight or a name only one cluster serves is pending, and named', () => {
    const records = [record('a.x', 'blue', 255), record('a.x', 'green', 26), record('b.x', 'blue', 229)];
    assert.deepEqual(dnsVerdict(records, { blue: 229, green: 26 }).pending, [
      'a.x A blue: weight 255, want 229',
      'b.x A green: no record (want weight 26)',
    ]);
  });

  test('a cluster meant to get weight 0 needs no record (a rollback after its external-dns wrote none; the last step, for a name blue lacks)', () => {
    assert.deepEqual(dnsVerdict([record('a.x', 'blue', 255), record('b.x', 'blue', 255)], { blue: 255, green: 0 }), { converged: true, pending: [] });
    assert.deepEqual(dnsVerdict([record('a.x', 'blue', 0), record('a.x', 'green', 255), record('b.x', 'green', 255)], { blue: 0, green: 255 }), { converged: true, pending: [] });
    // Its record, where there is one, must be at 0; the other cluster's must be there.
    assert.deepEqual(dnsVerdict([record('a.x', 'blue', 255), record('a.x', 'green', 26), record('b.x', 'green', 0)], { blue: 255, green: 0 }).pending, [
      'a.x A green: weight 26, want 0',
      'b.x A blue: no record (want weight 255)',
    ]);
  });

  test('no record of either cluster is not converged', () => {
    assert.deepEqual(dnsVerdict([record('a.x', 'purple', 1)], { blue: 229, green: 26 }), { converged: false, pending: ['no weighted records of blue or green in the zone yet'] });
  });
});

describe('Argo CD verdict', () => {
  const app = (name: string, sync: string, health: string, revisions: string[] = [], detail = '') => ({ namespace: 'argocd', name, sync, health, revisions, detail });

  test('missing and unhealthy Applications, with why; Degraded, Suspended and Missing ones picked out', () => {
    const verdict = syncVerdict(['a', 'b', 'c', 'd', 'e'], [
      app('a', 'Synced', 'Healthy'),
      app('b', 'Synced', 'Degraded', [], 'Deployment b: 0/2 ready'),
      app('d', 'OutOfSync', 'Missing'),
      app('e', 'Synced', 'Suspended'),
      app('z', 'Synced', 'Degraded'),
    ]);
    assert.deepEqual(verdict, {
      ready: 1,
      total: 5,
      waiting: ['b: Synced, Degraded (Deployment b: 0/2 ready)', 'c: no such Application yet', 'd: OutOfSync, Missing', 'e: Synced, Suspended'],
      attention: [
        { name: 'b', health: 'Degraded' },
        { name: 'd', health: 'Missing' },
        { name: 'e', health: 'Suspended' },
      ],
      warnings: [],
    });
  });

  test('Degraded or Suspended only by Jobs and CronJobs counts as ready, with a warning; by anything else it waits, naming the resources', () => {
    const resource = (kind: string, name: string, health: string, message = '') => ({ group: kind === 'Deployment' ? 'apps' : 'batch', kind, namespace: 'ns', name, health, message });
    const verdict = syncVerdict(['failed-run', 'suspended', 'paused', 'both', 'unknown'], [
      { ...app('failed-run', 'Synced', 'Degraded'), unhealthy: [resource('CronJob', 'report', 'Degraded', 'Job report-1 failed')] },
      { ...app('suspended', 'Synced', 'Suspended'), unhealthy: [resource('CronJob', 'nightly', 'Suspended')] },
      { ...app('paused', 'Synced', 'Suspended'), unhealthy: [resource('Deployment', 'web', 'Suspended', 'Deployment is paused')] },
      { ...app('both', 'Synced', 'Degraded'), unhealthy: [resource('Job', 'migrate', 'Degraded'), resource('Deployment', 'web', 'Progressing')] },
      app('unknown', 'Synced', 'Degraded'), // the resources' health not given: the Application's counts
    ]);
    assert.equal(verdict.ready, 2);
    assert.deepEqual(verdict.warnings, ['failed-run: CronJob ns/report Degraded (Job report-1 failed)', 'suspended: CronJob ns/nightly Suspended']);
    assert.deepEqual(verdict.waiting, [
      'paused: Synced, Suspended [Deployment ns/web Suspended (Deployment is paused)]',
      'both: Synced, Degraded [Job ns/migrate Degraded; Deployment ns/web Progressing]',
      'unknown: Synced, Degraded',
    ]);
    assert.deepEqual(verdict.attention.map((entry) => entry.name), ['paused', 'both', 'unknown']);
  });

  test('with a revision required: Synced to an accepted commit (any source of a multi-source one), else named with the commit it is at', () => {
    const tip = 'a'.repeat(40);
    const later = 'b'.repeat(40);
    const older = 'c'.repeat(40);
    const verdict = syncVerdict(['at-tip', 'later', 'older', 'none', 'multi'], [
      app('at-tip', 'Synced', 'Healthy', [tip]),
      app('later', 'Synced', 'Healthy', [later]),
      app('older', 'Synced', 'Healthy', [older]),
      app('none', 'Synced', 'Healthy'),
      app('multi', 'Synced', 'Healthy', ['1.2.3', later]),
    ], { branch: 'main', tip, accepted: new Set([tip, later]) });
    assert.deepEqual(verdict.waiting, [
      'older: Synced to cccccccccccc, not main at aaaaaaaaaaaa or later (Argo CD has not fetched it yet)',
      'none: Synced to no revision, not main at aaaaaaaaaaaa or later (Argo CD has not fetched it yet)',
    ]);
    assert.equal(verdict.ready, 3);
  });

  test("resource health: the list may leave it out, the one Application's GET has it (not Healthy ones kept)", async () => {
    const server = await startArgoCd(() => [
      {
        name: 'shop',
        sync: 'Synced',
        health: 'Degraded',
        resources: [
          { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'shop', health: 'Healthy' },
          { group: 'batch', kind: 'CronJob', namespace: 'shop', name: 'report', health: 'Degraded', message: 'the last Job failed' },
        ],
      },
    ]);
    try {
      const [listed] = await listApplications({ server: server.url, token: ARGOCD_TOKEN });
      assert.deepEqual([listed!.unhealthy, listed!.resourceHealthKnown], [[], false]);
      const one = await getApplication({ server: server.url, token: ARGOCD_TOKEN }, 'shop');
      assert.equal(one.resourceHealthKnown, true);
      assert.deepEqual(one.unhealthy, [{ group: 'batch', kind: 'CronJob', namespace: 'shop', name: 'report', health: 'Degraded', message: 'the last Job failed' }]);
      assert.equal(server.requests.at(-1)?.path, '/api/v1/applications/shop');
    } finally {
      await server.close();
    }
  });

  test("Argo CD's status.sync.revision, and status.sync.revisions of a multi-source Application, are read", async () => {
    const server = await startArgoCd(() => [
      { name: 'one', sync: 'Synced', health: 'Healthy', revision: 'a'.repeat(40) },
      { name: 'two', sync: 'Synced', health: 'Healthy', revisions: ['1.2.3', 'b'.repeat(40)] },
      { name: 'new', sync: 'Unknown', health: 'Missing' },
    ]);
    try {
      const applications = await listApplications({ server: server.url, token: ARGOCD_TOKEN });
      assert.deepEqual(applications.map((application) => [application.name, application.revisions]), [
        ['one', ['a'.repeat(40)]],
        ['two', ['1.2.3', 'b'.repeat(40)]],
        ['new', []],
      ]);
    } finally {
      await server.close();
    }
  });
});

test("the manifest branch's history: the tip when opened and the commits after it are accepted; older ones, other branches' and unknown ones not", async () => {
  const root = mkdtempSync(join(tmpdir(), 'kaji-upgrade-history-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd: root, encoding: 'utf8', stdio: 'pipe' }).trim();
  const commit = (message: string) => {
    writeFileSync(join(root, 'work', 'file.txt'), `${message}\n`);
    git('-C', 'work', 'commit', '--quiet', '-am', message);
    return git('-C', 'work', 'rev-parse', 'HEAD');
  };
  try {
    git('init', '--quiet', '--bare', 'remote.git');
    git('init', '--quiet', 'work');
    writeFileSync(join(root, 'work', 'file.txt'), 'first\n');
    git('-C', 'work', 'add', '.');
    git('-C', 'work', 'commit', '--quiet', '-m', 'first');
    const first = git('-C', 'work', 'rev-parse', 'HEAD');
    const tip = commit('second');
    git('-C', 'work', 'push', '--quiet', join(root, 'remote.git'), 'HEAD:refs/heads/main');
    git('-C', 'work', 'checkout', '--quiet', '-b', 'side', first);
    const side = commit('side');
    git('-C', 'work', 'push', '--quiet', join(root, 'remote.git'), 'HEAD:refs/heads/side');
    git('-C', 'work', 'checkout', '--quiet', 'main');

    const history = await ManifestHistory.open(`file://${join(root, 'remote.git')}`, 'main');
    try {
      assert.equal(history.tip, tip);
      const later = commit('third'); // pushed after the history was opened: fetched to be told apart
      git('-C', 'work', 'push', '--quiet', join(root, 'remote.git'), 'HEAD:refs/heads/main');
      const { accepted, fetchProblem } = await history.accept([first, tip, later, side, 'f'.repeat(40), '1.2.3']);
      assert.deepEqual([...accepted].sort(), [tip, later].sort());
      assert.equal(fetchProblem, undefined);
    } finally {
      await history.dispose();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('weights of each step: the new cluster gets its share of the total, the old one the rest', () => {
  const state = { from: { name: 'blue', kubernetesVersion: '1.32', weight: 200 }, to: { name: 'green', kubernetesVersion: '1.35', weight: 0 }, totalWeight: 200, weightSteps: [10, 50, 100] };
  assert.deepEqual([1, 2, 3].map((index) => weightsOf(state, index)), [
    { blue: 180, green: 20 },
    { blue: 100, green: 100 },
    { blue: 0, green: 200 },
  ]);
});

test('durations', () => {
  assert.deepEqual(['90s', '10m', '1h', '250ms', '600', '1.5m', 'soon', '-1s'].map(parseDuration), [90_000, 600_000, 3_600_000, 250, 600_000, 90_000, undefined, undefined]);
  assert.deepEqual([250, 4_000, 252_000, 3_900_000].map(formatDuration), ['250ms', '4s', '4m 12s', '1h 5m']);
});

describe('one run at a time', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'kaji-upgrade-lock-'));

  test('a lock held by a live run is refused, naming it; a nested command refuses too', async () => {
    const directory = folder();
    try {
      writeFileSync(join(directory, 'kaji-upgrade.lock'), JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-01-01T00:00:00Z' }));
      await assert.rejects(withUpgradeLock(directory, async () => 'ran'), new RegExp(`kaji \\(pid ${process.ppid} on .*\\) is running an upgrade command here`));
      rmSync(join(directory, 'kaji-upgrade.lock'));
      await withUpgradeLock(directory, async () => {
        await assert.rejects(withUpgradeLock(directory, async () => 'ran'), /is running an upgrade command here/);
      });
      assert.ok(!existsSync(join(directory, 'kaji-upgrade.lock')), 'released');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test("a lock whose run is gone (this host, no such process) is taken over", async () => {
    const directory = folder();
    try {
      const gone = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
      writeFileSync(join(directory, 'kaji-upgrade.lock'), JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00Z' }));
      assert.equal(await withUpgradeLock(directory, async () => JSON.parse(readFileSync(join(directory, 'kaji-upgrade.lock'), 'utf8')).pid), process.pid);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('the state is written only over the version it was made from (compare-and-set)', async () => {
    const directory = folder();
    try {
      const at = '2026-01-01T00:00:00.000Z';
      const initial = { kind: 'kaji-upgrade', version: 1, platform: 'shop', from: { name: 'blue', kubernetesVersion: '1.32', weight: 255 }, to: { name: 'green', kubernetesVersion: '1.35', weight: 0 }, totalWeight: 255, weightSteps: [100], soakMs: 0, startedAt: at, updatedAt: at, done: { preflight: at }, weights: { blue: 255, green: 0 }, rollbacks: [] } as UpgradeState;
      const first = await writeState(directory, initial, { create: true });
      await assert.rejects(writeState(directory, initial, { create: true }), /was changed by another run/);
      const second = await writeState(directory, { ...first, done: { ...first.done, deploy: at } });
      assert.ok(second.updatedAt > first.updatedAt);
      await assert.rejects(writeState(directory, { ...first, done: {} }), /was changed by another run while this one worked/, 'made from an older version');
      assert.deepEqual((await readState(directory))?.done, { preflight: at, deploy: at });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the state file', () => {
  test('one that cannot be read (a folder in its place) is named, exit 2, not an internal error', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'kaji-upgrade-state-'));
    try {
      mkdirSync(join(directory, 'kaji-upgrade.json'));
      const status = await kaji(['upgrade', 'status', '--platform', directory]);
      assert.equal(status.code, 2, status.stderr);
      assert.match(status.stderr, /^kaji: cannot read \S*kaji-upgrade\.json: .*\n$/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('every field is checked, and a wrong one named', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'kaji-upgrade-state-'));
    try {
      const at = '2026-01-01T00:00:00.000Z';
      const good = { kind: 'kaji-upgrade', version: 1, platform: 'shop', from: { name: 'blue', kubernetesVersion: '1.32', weight: 255 }, to: { name: 'green', kubernetesVersion: '1.35', weight: 0 }, totalWeight: 255, weightSteps: [10, 100], soakMs: 0, startedAt: at, updatedAt: at, done: { preflight: at }, weights: { blue: 255, green: 0 }, rollbacks: [] };
      const file = join(directory, 'kaji-upgrade.json');
      writeFileSync(file, JSON.stringify(good));
      assert.deepEqual(await readState(directory), good);
      // Every field kaji has written, rollbacks without a commit as earlier kajis wrote them included, is read.
      const full = {
        ...good,
        done: { preflight: at, deploy: at, sync: at },
        commits: { sync: 'a'.repeat(40) },
        weights: { blue: 229, green: 26 },
        soakUntil: at,
        inProgress: { step: 'weight-1', since: at },
        destroyedAt: at,
        rollbacks: [{ at, weights: { blue: 255, green: 0 } }, { at, weights: { blue: 255, green: 0 }, commit: 'b'.repeat(40) }],
      };
      writeFileSync(file, JSON.stringify(full));
      assert.deepEqual(await readState(directory), full);
      for (const [change, message] of [
        [{ done: null }, /kaji-upgrade\.json: done is null, not step: time, for each step done: restore it, or delete it to start over/],
        [{ weightSteps: [10, 'x'] }, /weightSteps is \[10,"x"\], not rising whole percentages ending at 100/],
        [{ weights: { blue: null } }, /weights is \{"blue":null\}, not cluster: weight 0-255/],
        [{ rollbacks: null }, /rollbacks is null/],
        [{ from: undefined }, /from is missing/],
        [{ inProgress: { step: 'weight-1' } }, /inProgress is \{"step":"weight-1"\}, not \{step, since\}/],
        // Each field well-formed, yet not what kaji writes: read as it is, it would send the user to a command that refuses it.
        [{ soakUntill: at }, /kaji-upgrade\.json: soakUntill is not a field kaji writes \(did you mean "soakUntil"\?\): restore it, or delete it to start over/],
        [{ inProgress: { step: 'weight-1', since: at, sinse: at } }, /inProgress is .*, not \{step, since\}/],
        [{ to: { ...good.to, wieght: 0 } }, /to is .*, not a cluster: \{name, kubernetesVersion, weight 0-255\}/],
        [{ inProgress: { step: 'weight-9', since: at } }, /inProgress is step weight-9, not a step of this upgrade \(deploy, sync, weight-1, weight-2, finish, rollback\)/],
        [{ done: { preflight: at, 'weight-7': at } }, /done has weight-7, not a step of this upgrade \(preflight, deploy, sync, weight-1, weight-2, finish\)/],
        [{ commits: { sync: 'a'.repeat(40), 'weight-3': 'b'.repeat(40) } }, /commits has weight-3, not a step of this upgrade/],
        [{ weights: { red: 3 } }, /weights is \{"red":3\}, not a weight for each of blue and green/],
        [{ weights: { blue: 255, green: 0, red: 0 } }, /weights is .*, not a weight for each of blue and green/],
        [{ rollbacks: [{ at, weights: { blue: 255 } }] }, /rollbacks has \{"blue":255\} at 2026-01-01T00:00:00\.000Z, not a weight for each of blue and green/],
        [{ to: good.from }, /from and to are both blue, not the two clusters of the upgrade/],
        [{ totalWeight: 200 }, /totalWeight is 200, not the sum of from's and to's weights \(255\)/],
        [{ weights: { blue: 200, green: 0 } }, /weights is \{"blue":200,"green":0\}, not a weight for each of blue and green adding up to totalWeight 255/],
        [{ rollbacks: [{ at, weights: { blue: 255, green: 255 } }] }, /rollbacks has \{"blue":255,"green":255\} at .*, not a weight for each of blue and green adding up to totalWeight 255/],
      ] as const) {
        writeFileSync(file, JSON.stringify({ ...good, ...change }));
        await assert.rejects(readState(directory), message);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('Argo CD server', () => {
  test("host:port as the argocd CLI's $ARGOCD_SERVER means https; http only to this machine", () => {
    assert.equal(argoCdServerUrl('argocd.example.com:8443').href, 'https://argocd.example.com:8443/');
    assert.equal(argoCdServerUrl('https://argocd.example.com/argo').href, 'https://argocd.example.com/argo/');
    assert.equal(argoCdServerUrl('http://127.0.0.1:8080').href, 'http://127.0.0.1:8080/');
    assert.equal(argoCdServerUrl('http://localhost:8080').href, 'http://localhost:8080/');
    assert.throws(() => argoCdServerUrl('http://argocd.example.com'), /the API token would cross the network unencrypted; use https:\/\//);
    assert.throws(() => argoCdServerUrl('ftp://argocd.example.com'), /use an https:\/\/ URL/);
  });
});

test('--ca-file holding no certificate is refused before anything is read, exit 2', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'kaji-upgrade-ca-'));
  try {
    const next = await kaji(['upgrade', 'next', '--platform', directory, '--ca-file', '/dev/null']);
    assert.deepEqual([next.code, next.stderr], [2, "kaji: --ca-file /dev/null holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate, or bundle, that signed the server's certificate\n"]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
