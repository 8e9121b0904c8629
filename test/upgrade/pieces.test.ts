// The upgrade's pure pieces: byte-exact platform.yaml edits, the Route 53 and
// Argo CD verdicts, the weights of each step, durations.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsVerdict, formatDuration, parseDuration, removeCluster, setClusterWeights, syncVerdict, weightsOf } from '../../src/upgrade/index.js';

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

  test('an unknown cluster is named', () => {
    assert.throws(() => setClusterWeights(BLOCK, { purple: 1 }, 'platform.yaml'), /platform\.yaml: clusters has no cluster named purple/);
  });
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

  test('no record of either cluster is not converged', () => {
    assert.deepEqual(dnsVerdict([record('a.x', 'purple', 1)], { blue: 229, green: 26 }), { converged: false, pending: ['no weighted records of blue or green in the zone yet'] });
  });
});

test('Argo CD verdict: missing and unhealthy Applications, with why', () => {
  const verdict = syncVerdict(['a', 'b', 'c'], [
    { name: 'a', sync: 'Synced', health: 'Healthy', detail: '' },
    { name: 'b', sync: 'Synced', health: 'Degraded', detail: 'Deployment b: 0/2 ready' },
    { name: 'z', sync: 'Synced', health: 'Healthy', detail: '' },
  ]);
  assert.deepEqual(verdict, { ready: 1, total: 3, waiting: ['b: Synced, Degraded (Deployment b: 0/2 ready)', 'c: no such Application yet'] });
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
