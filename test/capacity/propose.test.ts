// From VPA recommendations (status as the recommender writes it) to new requests: the
// numbers are worked out by hand beside each case.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  amountOf,
  amountOrUndefined,
  CapacityError,
  formatAmount,
  propose,
  recommendationsOf,
  signedPercent,
  type ProposalInput,
  type RecommendationInput,
} from '../../src/capacity/index.js';
import type { JsonObject } from '../../src/kube/index.js';

const MiB = 2n ** 20n;

/** A VerticalPodAutoscaler as `kubectl get vpa -o json` lists it, with the recommender's status. */
function vpa(name: string, containerRecommendations?: JsonObject[]): JsonObject {
  return {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: { name: `kaji-deployment-${name}`, namespace: 'shop', labels: { 'kaji.dev/service': 'shop' } },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, updatePolicy: { updateMode: 'Off' } },
    status: containerRecommendations
      ? {
          conditions: [{ type: 'RecommendationProvided', status: 'True', lastTransitionTime: '2025-05-02T09:14:00Z' }],
          recommendation: { containerRecommendations },
        }
      : { conditions: [{ type: 'RecommendationProvided', status: 'False' }] },
  };
}

// The recommender writes memory in plain bytes or with a k suffix (262144k = 262,144,000 bytes = 250 MiB exactly).
const BLUE = [
  vpa('web', [
    {
      containerName: 'api',
      lowerBound: { cpu: '25m', memory: '262144k' },
      target: { cpu: '587m', memory: '262144k' },
      uncappedTarget: { cpu: '587m', memory: '262144k' },
      upperBound: { cpu: '1168m', memory: '498558293' },
    },
    { containerName: 'proxy', target: { cpu: '11m', memory: '4194304' } },
  ]),
  vpa('worker'),
];
const GREEN = [
  vpa('web', [
    { containerName: 'api', lowerBound: { cpu: '40m', memory: '200Mi' }, target: { cpu: '0.412', memory: '304721510' }, upperBound: { cpu: '2', memory: '1Gi' } },
  ]),
];

const inputs = (resource: 'cpu' | 'memory', container: string): RecommendationInput[] =>
  [...recommendationsOf(BLUE, 'context blue'), ...recommendationsOf(GREEN, 'context green')].flatMap((r) =>
    r.containers.filter((c) => c.container === container && c.target[resource] !== undefined).map((c) => ({ source: r.source, target: c.target[resource]!, ...(c.lowerBound[resource] === undefined ? {} : { lowerBound: c.lowerBound[resource] }), ...(c.upperBound[resource] === undefined ? {} : { upperBound: c.upperBound[resource] }) })),
  );

const base = (resource: 'cpu' | 'memory', overrides: Partial<ProposalInput> = {}): ProposalInput => ({
  resource,
  current: resource === 'cpu' ? 250n : 256n * MiB,
  limit: resource === 'cpu' ? 1000n : 512n * MiB,
  quota: resource === 'cpu' ? 4000n : 8n * 1024n * MiB,
  recommendations: inputs(resource, 'api'),
  threshold: 0.1,
  ...overrides,
});

describe('recommendationsOf', () => {
  test('targets and bounds per container in millicores and bytes; a VPA without recommendations has none', () => {
    const [web, worker] = recommendationsOf(BLUE, 'context blue');
    assert.equal(web!.source, 'context blue');
    assert.equal(web!.serviceLabel, 'shop');
    assert.deepEqual(web!.targetRef, { kind: 'Deployment', name: 'web' });
    assert.deepEqual(web!.containers[0], {
      container: 'api',
      target: { cpu: 587n, memory: 262_144_000n },
      lowerBound: { cpu: 25n, memory: 262_144_000n },
      upperBound: { cpu: 1168n, memory: 498_558_293n },
    });
    // 0.412 cores = 412m; 11m stays 11m
    assert.equal(recommendationsOf(GREEN, 'g')[0]!.containers[0]!.target.cpu, 412n);
    assert.deepEqual(web!.containers[1]!.target, { cpu: 11n, memory: 4_194_304n });
    assert.deepEqual(worker!.containers, []);
  });

  test('other kinds are left out; a target that is not a quantity names the VPA and the field', () => {
    assert.deepEqual(recommendationsOf([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }], 'x'), []);
    assert.throws(
      () => recommendationsOf([vpa('web', [{ containerName: 'api', target: { cpu: 'lots' } }])], 'context blue'),
      (error: unknown) =>
        error instanceof CapacityError &&
        error.message === 'VerticalPodAutoscaler shop/kaji-deployment-web: status.recommendation.containerRecommendations[0].target.cpu must be a Kubernetes quantity such as 500m, found "lots"',
    );
  });
});

describe('propose', () => {
  test('cpu: the larger target of the two clusters (587m over 412m), whole millicores, under the limit: +135%', () => {
    const proposal = propose(base('cpu'));
    assert.equal(proposal.recommended, 587n);
    assert.equal(proposal.proposed, 587n);
    assert.equal(proposal.cap, undefined);
    assert.equal(proposal.decision, 'change');
    assert.equal(Math.round(proposal.change! * 1000) / 1000, 1.348); // (587 - 250) / 250
  });

  test('memory: the larger target (304,721,510 bytes = 290.6 MiB over 250 MiB) rounded up to 291Mi: +13.7%', () => {
    const proposal = propose(base('memory'));
    assert.equal(proposal.proposed, 291n * MiB);
    assert.equal(formatAmount('memory', proposal.proposed), '291Mi');
    assert.equal(proposal.decision, 'change');
    assert.equal(Math.round(proposal.change! * 1000) / 1000, 0.137); // (291 - 256) / 256
  });

  test("capped at the container's limit, and the cap is named", () => {
    const proposal = propose(base('cpu', { recommendations: [{ source: 'b', target: 1168n }], limit: 1000n }));
    assert.equal(proposal.recommended, 1168n);
    assert.equal(proposal.proposed, 1000n);
    assert.deepEqual(proposal.cap, { by: 'limit', value: 1000n });
    assert.equal(formatAmount('cpu', proposal.proposed), '1');
  });

  test('without a limit of its own, capped at the default limit of the LimitRange', () => {
    const { limit: _none, ...noLimit } = base('memory', { recommendations: [{ source: 'b', target: 700n * MiB }], defaultLimit: 512n * MiB });
    const proposal = propose(noLimit);
    assert.equal(proposal.proposed, 512n * MiB);
    assert.deepEqual(proposal.cap, { by: 'default limit', value: 512n * MiB });
  });

  test("one cluster's own limit and another's default limit: the smaller caps it, wherever it comes from", () => {
    const ownBelow = propose(base('cpu', { recommendations: [{ source: 'b', target: 410n }], limit: 300n, defaultLimit: 1000n }));
    assert.deepEqual([ownBelow.proposed, ownBelow.cap], [300n, { by: 'limit', value: 300n }]);
    const defaultBelow = propose(base('cpu', { recommendations: [{ source: 'b', target: 1500n }], limit: 2000n, defaultLimit: 1000n }));
    assert.deepEqual([defaultBelow.proposed, defaultBelow.cap], [1000n, { by: 'default limit', value: 1000n }]);
  });

  test('capped at the quota when it is below the limit; the smaller cap applies', () => {
    const proposal = propose(base('cpu', { recommendations: [{ source: 'b', target: 2300n }], limit: 4000n, quota: 1500n }));
    assert.equal(proposal.proposed, 1500n);
    assert.deepEqual(proposal.cap, { by: 'quota', value: 1500n });
    assert.equal(formatAmount('cpu', proposal.proposed), '1500m');
  });

  test('a change under the threshold is left out: 270Mi from 256Mi is +5.5%', () => {
    const proposal = propose(base('memory', { recommendations: [{ source: 'b', target: 270n * MiB }] }));
    assert.equal(proposal.proposed, 270n * MiB);
    assert.equal(proposal.decision, 'below threshold');
    assert.equal(propose(base('memory', { recommendations: [{ source: 'b', target: 270n * MiB }], threshold: 0.05 })).decision, 'change');
  });

  test('floors: 2m cpu becomes 10m, 4 MiB memory becomes 16Mi; the same value is unchanged', () => {
    assert.equal(propose(base('cpu', { recommendations: [{ source: 'b', target: 2n }] })).proposed, 10n);
    assert.equal(propose(base('memory', { recommendations: [{ source: 'b', target: 4n * MiB }] })).proposed, 16n * MiB);
    assert.equal(propose(base('cpu', { recommendations: [{ source: 'b', target: 250n }] })).decision, 'unchanged');
  });

  test('no request written: proposed, but nothing to edit', () => {
    const { current: _none, ...unset } = base('cpu');
    const proposal = propose(unset);
    assert.equal(proposal.decision, 'no request');
    assert.equal(proposal.change, undefined);
  });
});

describe('amounts', () => {
  test('written as a manifest writes them', () => {
    assert.deepEqual(
      [formatAmount('cpu', 1000n), formatAmount('cpu', 1500n), formatAmount('cpu', 10n), formatAmount('memory', 1024n * MiB), formatAmount('memory', 291n * MiB), formatAmount('memory', 1000n)],
      ['1', '1500m', '10m', '1Gi', '291Mi', '1000'],
    );
    assert.deepEqual([amountOf('cpu', '1500m'), amountOf('cpu', '2'), amountOf('memory', '3Gi')], [1500n, 2000n, 3n * 1024n * MiB]);
    assert.throws(() => amountOf('cpu', 'lots'), /not a quantity: lots/);
  });

  test('read as a manifest writes them: a string or a number YAML read, rounded up as Kubernetes counts; undefined when none', () => {
    assert.deepEqual(
      [amountOrUndefined('cpu', ' 250m '), amountOrUndefined('cpu', 0.5), amountOrUndefined('cpu', '1.0001m'), amountOrUndefined('memory', '1.5Ki'), amountOrUndefined('memory', 1e3)],
      [250n, 500n, 2n, 1536n, 1000n],
    );
    assert.deepEqual([amountOrUndefined('cpu', undefined), amountOrUndefined('cpu', 'lots'), amountOrUndefined('memory', true), amountOrUndefined('memory', null)], [undefined, undefined, undefined, undefined]);
  });

  test('a change as a signed whole percent; none without a current request or from 0', () => {
    assert.deepEqual([signedPercent(0.5), signedPercent(-0.2187), signedPercent(0), signedPercent(0.004)], ['+50%', '-22%', '0%', '+0%']);
    assert.deepEqual([signedPercent(undefined), signedPercent(Infinity)], [undefined, undefined]);
  });
});
