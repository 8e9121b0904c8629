// Resource recommendations: one VerticalPodAutoscaler per workload a service
// runs in a cluster, in recommendation-only mode. The cluster runs the VPA
// recommender alone (no updater, no admission controller: see
// src/infra/addons/metrics.ts), which writes its recommendation into each
// object's status; `kaji rightsize` reads them and proposes the new requests as
// a pull request to the manifest repository. Nothing in the cluster changes a
// pod behind git's back.
//
// The objects are the platform's, like the other guardrails: they live in
// `clusters/<cluster>/tenants/<service>/`, synced by `kaji-tenants`, and the
// tenant's AppProject refuses the kind (a second VPA of the tenant's own on the
// same workload would leave the recommender choosing between them).
//
// Which workloads: only what synth renders from the service's overlay knows
// (their names are the team's), so the objects are derived from the rendered
// objects, not from platform.yaml alone. A resource a HorizontalPodAutoscaler
// scales the workload on (its CPU utilisation, say) is left out of the VPA's
// controlledResources: the HPA measures use against that request, and a VPA
// moving it would fight the HPA (VPA's documented limitation).
//
// Each VPA carries `kaji.dev/cluster`: `kaji rightsize` sizes a value only on
// the recommendations of the clusters whose overlay runs it.
import { createHash } from 'node:crypto';
import { compareCodePoints, isObject, type JsonObject, type JsonValue } from '../../kube/index.js';
import type { ClusterDefinition, ServiceDefinition } from '../types.js';
import type { GroupKind } from './argocd.js';
import { serviceLabels } from './names.js';
import { sortedMap } from './yaml.js';

export const VPA_API_VERSION = 'autoscaling.k8s.io/v1';
export const VPA_KIND: GroupKind = { group: 'autoscaling.k8s.io', kind: 'VerticalPodAutoscaler' };
/** The label naming the cluster whose recommender fills the VPA's status. */
export const VPA_CLUSTER_LABEL = 'kaji.dev/cluster';

/** The resources a VerticalPodAutoscaler recommends. */
export type VpaResource = 'cpu' | 'memory';
const VPA_RESOURCES: readonly VpaResource[] = ['cpu', 'memory'];

/** The kinds that get a VerticalPodAutoscaler: the long-running controllers the recommender knows (apps/v1). */
export const RECOMMENDED_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type RecommendedKind = (typeof RECOMMENDED_KINDS)[number];

/** A workload of a service, as a VerticalPodAutoscaler's targetRef names it. */
export interface WorkloadRef {
  readonly apiVersion: 'apps/v1';
  readonly kind: RecommendedKind;
  readonly name: string;
  /** What a HorizontalPodAutoscaler scales it on, when it has one: its VPA leaves these out. */
  readonly scaledOn?: readonly VpaResource[];
}

/** The file of a service's VerticalPodAutoscalers in a cluster folder (`clusters/blue`). */
export function vpaFilePath(clusterFolder: string, service: string): string {
  return `${clusterFolder}/tenants/${service}/verticalpodautoscalers.yaml`;
}

/**
 * The workloads among rendered objects that get a VerticalPodAutoscaler, each once, sorted by kind
 * then name; one an HPA scales on both cpu and memory gets none (nothing would be left to recommend).
 */
export function recommendedWorkloads(objects: readonly JsonObject[]): WorkloadRef[] {
  const scaled = hpaScaledResources(objects);
  const found = new Map<string, WorkloadRef>();
  for (const object of objects) {
    const kind = RECOMMENDED_KINDS.find((candidate) => candidate === object.kind);
    const name = isObject(object.metadata) ? object.metadata.name : undefined;
    if (kind === undefined || object.apiVersion !== 'apps/v1' || typeof name !== 'string' || name === '') continue;
    const scaledOn = VPA_RESOURCES.filter((resource) => scaled.get(`${kind}/${name}`)?.has(resource));
    if (scaledOn.length === VPA_RESOURCES.length) continue;
    found.set(`${kind}/${name}`, { apiVersion: 'apps/v1', kind, name, ...(scaledOn.length > 0 ? { scaledOn } : {}) });
  }
  return [...found.values()].sort((a, b) => compareCodePoints(a.kind, b.kind) || compareCodePoints(a.name, b.name));
}

/**
 * Per workload ("Deployment/web"), the resources a HorizontalPodAutoscaler among the objects scales
 * it on: autoscaling/v1 always scales on cpu; v2 on its Resource and ContainerResource metrics, and
 * on cpu when it lists no metrics (its default, 80 % utilisation).
 */
export function hpaScaledResources(objects: readonly JsonObject[]): Map<string, Set<VpaResource>> {
  const scaled = new Map<string, Set<VpaResource>>();
  for (const object of objects) {
    if (object.kind !== 'HorizontalPodAutoscaler' || typeof object.apiVersion !== 'string' || !object.apiVersion.startsWith('autoscaling/')) continue;
    const spec = isObject(object.spec) ? object.spec : {};
    const target = isObject(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
    if (typeof target.kind !== 'string' || typeof target.name !== 'string') continue;
    const metrics = Array.isArray(spec.metrics) ? spec.metrics : [];
    const names = object.apiVersion === 'autoscaling/v1' || metrics.length === 0 ? ['cpu'] : metrics.map(metricResource);
    const key = `${target.kind}/${target.name}`;
    const set = scaled.get(key) ?? new Set<VpaResource>();
    for (const name of names) if (VPA_RESOURCES.includes(name as VpaResource)) set.add(name as VpaResource);
    if (set.size > 0) scaled.set(key, set);
  }
  return scaled;
}

/** The resource name of an HPA metric on a resource (`cpu`), undefined for other metrics. */
function metricResource(metric: JsonValue): string | undefined {
  if (!isObject(metric)) return undefined;
  const source = metric.type === 'Resource' ? metric.resource : metric.type === 'ContainerResource' ? metric.containerResource : undefined;
  return isObject(source) && typeof source.name === 'string' ? source.name : undefined;
}

/** Longest object name Kubernetes accepts for a custom resource (a DNS subdomain). */
const MAX_NAME = 253;

/**
 * `kaji-deployment-antenna`: the kind keeps a Deployment and a StatefulSet of the
 * same name apart. A name past 253 characters is cut and ends in a hash of the whole.
 */
export function vpaName(workload: WorkloadRef): string {
  const name = `kaji-${workload.kind.toLowerCase()}-${workload.name}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, MAX_NAME - hash.length - 1).replace(/[.-]+$/, '')}-${hash}`;
}

/**
 * The VerticalPodAutoscaler of one workload in one cluster:
 * - `updateMode: "Off"`: the recommender records, nothing evicts or mutates
 *   pods (there is no updater nor admission controller anyway);
 * - every container, cpu and memory but what an HPA scales the workload on;
 * - `maxAllowed`: the service's quota, as no pod of it can request more; the
 *   recommendation is capped there, so the quota is never what rejects it.
 */
export function verticalPodAutoscalerObject(service: ServiceDefinition, cluster: ClusterDefinition, workload: WorkloadRef): JsonObject {
  return {
    apiVersion: VPA_API_VERSION,
    kind: VPA_KIND.kind,
    metadata: { name: vpaName(workload), namespace: service.namespace, labels: sortedMap({ ...serviceLabels(service), [VPA_CLUSTER_LABEL]: cluster.name }) },
    spec: {
      targetRef: { apiVersion: workload.apiVersion, kind: workload.kind, name: workload.name },
      updatePolicy: { updateMode: 'Off' },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: '*',
            controlledResources: VPA_RESOURCES.filter((resource) => !workload.scaledOn?.includes(resource)),
            maxAllowed: { cpu: service.quota.cpu, memory: service.quota.memory },
          },
        ],
      },
    },
  };
}
