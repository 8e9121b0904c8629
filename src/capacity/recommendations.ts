// The VPA recommender's numbers, as `kaji rightsize` reads them: each
// VerticalPodAutoscaler's status.recommendation.containerRecommendations, per
// container the target it would request and the bounds of its confidence
// interval, in millicores and bytes (rounded up, as Kubernetes counts them).
//
// A VerticalPodAutoscaler without recommendations (the recommender has not seen
// enough of its pods yet, or its target does not exist) is kept with no
// containers: it is reported, never an error.
import { isObject, stringAt, type JsonObject, type JsonValue } from '../kube/index.js';
import { VPA_CLUSTER_LABEL } from '../platform/derive/vpa.js';
import { scaledQuantity } from './requests.js';

export type ResourceName = 'cpu' | 'memory';
export const RESOURCE_NAMES: readonly ResourceName[] = ['cpu', 'memory'];

/** cpu in millicores, memory in bytes; a resource the recommender left out is missing. */
export type Amounts = Partial<Record<ResourceName, bigint>>;

export interface ContainerRecommendation {
  readonly container: string;
  readonly target: Amounts;
  readonly lowerBound: Amounts;
  readonly upperBound: Amounts;
}

export interface WorkloadRecommendation {
  /** Where it was read: "context blue", "the current context", or a file. */
  readonly source: string;
  readonly namespace: string;
  /** The VerticalPodAutoscaler's name. */
  readonly name: string;
  /** The kaji.dev/service label kaji's VerticalPodAutoscalers carry. */
  readonly serviceLabel?: string;
  /** The kaji.dev/cluster label: the cluster whose pods the numbers are from. */
  readonly cluster?: string;
  readonly targetRef: { readonly kind: string; readonly name: string };
  /** Empty when the recommender has written none yet. */
  readonly containers: readonly ContainerRecommendation[];
  /** The status conditions that hold (status "True"): LowConfidence, NoPodsMatched, RecommendationProvided... */
  readonly conditions: readonly string[];
}

export const VPA_GROUP = 'autoscaling.k8s.io';

/** The VerticalPodAutoscalers among the objects read, with their recommendations; other kinds are left out. */
export function recommendationsOf(objects: readonly JsonObject[], source: string): WorkloadRecommendation[] {
  const found: WorkloadRecommendation[] = [];
  for (const object of objects) {
    if (object.kind !== 'VerticalPodAutoscaler' || typeof object.apiVersion !== 'string' || !object.apiVersion.startsWith(`${VPA_GROUP}/`)) continue;
    const namespace = stringAt(object, 'metadata', 'namespace') ?? '';
    const name = stringAt(object, 'metadata', 'name') ?? '';
    const owner = `VerticalPodAutoscaler ${namespace}/${name}`;
    const kind = stringAt(object, 'spec', 'targetRef', 'kind');
    const target = stringAt(object, 'spec', 'targetRef', 'name');
    if (kind === undefined || target === undefined) continue; // nothing to right-size
    const serviceLabel = stringAt(object, 'metadata', 'labels', 'kaji.dev/service');
    const cluster = stringAt(object, 'metadata', 'labels', VPA_CLUSTER_LABEL);
    const list = isObject(object.status) && isObject(object.status.recommendation) ? object.status.recommendation.containerRecommendations : undefined;
    const containers = Array.isArray(list) ? list.flatMap((entry, index) => containerRecommendation(entry, owner, index)) : [];
    const written = isObject(object.status) && Array.isArray(object.status.conditions) ? object.status.conditions : [];
    const conditions = written.flatMap((condition) => (isObject(condition) && condition.status === 'True' && typeof condition.type === 'string' ? [condition.type] : []));
    found.push({ source, namespace, name, ...(serviceLabel ? { serviceLabel } : {}), ...(cluster ? { cluster } : {}), targetRef: { kind, name: target }, containers, conditions });
  }
  return found;
}

function containerRecommendation(entry: JsonValue, owner: string, index: number): ContainerRecommendation[] {
  if (!isObject(entry) || typeof entry.containerName !== 'string') return [];
  const path = ['status', 'recommendation', 'containerRecommendations', index];
  const amounts = (field: string): Amounts => {
    const list = entry[field];
    const result: Amounts = {};
    if (!isObject(list)) return result;
    for (const resource of RESOURCE_NAMES) {
      if (list[resource] !== undefined && list[resource] !== null) result[resource] = scaledQuantity(list[resource], resource, owner, [...path, field, resource]);
    }
    return result;
  };
  return [{ container: entry.containerName, target: amounts('target'), lowerBound: amounts('lowerBound'), upperBound: amounts('upperBound') }];
}
