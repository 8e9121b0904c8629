// From a container's recommendations to its new request, one resource at a time:
//
//   recommended = the largest target over the clusters that run the value
//                 (each cluster's VPA sees only its own pods), rounded up:
//                 cpu to whole millicores, memory to whole MiB; at least the floor
//   proposed    = recommended, but never above the limit of any cluster that
//                 runs it (its own, or where it has none, the default limit its
//                 namespace's LimitRange gives it: the API server refuses a
//                 request above the limit) nor the service's quota (no pod of it
//                 could then start): the cap that applied is named
//   decision    = a change when it moves the current request by the threshold
//                 or more (default 10 %), so requests do not churn on noise
import { ceilToScale, parseQuantity, type JsonValue } from '../kube/index.js';
import type { ResourceName } from './recommendations.js';
import { SCALE } from './requests.js';

/** The smallest request kaji proposes: the recommender can go lower for an idle container. */
export const FLOOR: Readonly<Record<ResourceName, bigint>> = { cpu: 10n, memory: 16n * 2n ** 20n };
/** A change smaller than this share of the current request is left out. */
export const DEFAULT_THRESHOLD = 0.1;

const MIB = 2n ** 20n;

export type CapName = 'limit' | 'default limit' | 'quota';

/** One recommendation of one cluster for the resource. */
export interface RecommendationInput {
  readonly source: string;
  readonly target: bigint;
  readonly lowerBound?: bigint;
  readonly upperBound?: bigint;
}

export interface ProposalInput {
  readonly resource: ResourceName;
  /** The request the manifests set now; undefined when they set none (the LimitRange default applies). */
  readonly current?: bigint;
  /** The container's own limit: the smallest over the clusters that set one. */
  readonly limit?: bigint;
  /** The limit the namespace's LimitRange gives a container without one (the service's defaults.limits), when some cluster runs it without. */
  readonly defaultLimit?: bigint;
  /** The service's quota of the resource. */
  readonly quota: bigint;
  readonly recommendations: readonly RecommendationInput[];
  /** A share, 0.1 for 10 %. */
  readonly threshold: number;
}

export type Decision = 'change' | 'below threshold' | 'unchanged' | 'no request';

export interface Proposal {
  readonly resource: ResourceName;
  readonly current?: bigint;
  /** The largest target, rounded up and floored. */
  readonly recommended: bigint;
  /** What the request would become. */
  readonly proposed: bigint;
  /** The cap that brought `recommended` down to `proposed`. */
  readonly cap?: { readonly by: CapName; readonly value: bigint };
  /** (proposed - current) / current; undefined without a current request. */
  readonly change?: number;
  readonly decision: Decision;
}

/** Rounds a target up: cpu is already in whole millicores, memory goes up to whole MiB. */
export function roundUp(resource: ResourceName, value: bigint): bigint {
  if (resource === 'cpu') return value;
  return ((value + MIB - 1n) / MIB) * MIB;
}

export function propose(input: ProposalInput): Proposal {
  const { resource, current } = input;
  if (input.recommendations.length === 0) throw new Error(`propose: no recommendation for ${resource}`);
  const largest = input.recommendations.reduce((max, r) => (r.target > max ? r.target : max), 0n);
  const rounded = roundUp(resource, largest);
  const recommended = rounded > FLOOR[resource] ? rounded : FLOOR[resource];
  const caps: { by: CapName; value: bigint }[] = [
    ...(input.limit !== undefined ? [{ by: 'limit' as const, value: input.limit }] : []),
    ...(input.defaultLimit !== undefined ? [{ by: 'default limit' as const, value: input.defaultLimit }] : []),
    { by: 'quota', value: input.quota },
  ];
  const binding = caps.filter((cap) => cap.value < recommended).sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))[0];
  const proposed = binding?.value ?? recommended;
  const base = { resource, recommended, proposed, ...(binding ? { cap: binding } : {}) };
  if (current === undefined) return { ...base, decision: 'no request' };
  const change = current === 0n ? (proposed === 0n ? 0 : Infinity) : Number(proposed - current) / Number(current);
  const decision: Decision = proposed === current ? 'unchanged' : Math.abs(change) < input.threshold ? 'below threshold' : 'change';
  return { ...base, current, change, decision };
}

/** A request as it is written in a manifest: `180m`, `2`, `300Mi`, `1Gi` (plain bytes when not whole MiB). */
export function formatAmount(resource: ResourceName, value: bigint): string {
  if (resource === 'cpu') return value % 1000n === 0n ? String(value / 1000n) : `${value}m`;
  if (value % MIB !== 0n) return String(value); // bytes, as the recommender writes them
  const mib = value / MIB;
  return mib % 1024n === 0n ? `${mib / 1024n}Gi` : `${mib}Mi`;
}

/**
 * A quantity as a manifest writes it (a string, or a number YAML read) in millicores or bytes,
 * rounded up as Kubernetes counts it; undefined when absent or not a quantity (kaji check reports
 * those). requests.ts's scaledQuantity is the strict reading, for the cluster's objects.
 */
export function amountOrUndefined(resource: ResourceName, value: JsonValue | undefined): bigint | undefined {
  const parsed = typeof value === 'string' || typeof value === 'number' ? parseQuantity(String(value).trim()) : undefined;
  return parsed === undefined ? undefined : ceilToScale(parsed, SCALE[resource]);
}

/** A quantity of platform.yaml (validated when it was loaded) in millicores or bytes, rounded up. */
export function amountOf(resource: ResourceName, quantity: string): bigint {
  const amount = amountOrUndefined(resource, quantity);
  if (amount === undefined) throw new Error(`not a quantity: ${quantity}`);
  return amount;
}

/** A change as a signed whole percent ("+50%", "-22%"); undefined when there is none (no current request, or one of 0). */
export function signedPercent(share: number | undefined): string | undefined {
  return share === undefined || !Number.isFinite(share) ? undefined : `${share > 0 ? '+' : ''}${Math.round(share * 100)}%`;
}
