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
// objects, not from platform.yaml alone.
import { createHash } from 'node:crypto';
import { isObject, type JsonObject } from '../../kube/index.js';
import type { ServiceDefinition } from '../types.js';
import type { GroupKind } from './argocd.js';
import { serviceLabels } from './names.js';
import { sortedMap } from './yaml.js';

export const VPA_API_VERSION = 'autoscaling.k8s.io/v1';
export const VPA_KIND: GroupKind = { group: 'autoscaling.k8s.io', kind: 'VerticalPodAutoscaler' };

/** The kinds that get a VerticalPodAutoscaler: the long-running controllers the recommender knows (apps/v1). */
export const RECOMMENDED_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type RecommendedKind = (typeof RECOMMENDED_KINDS)[number];

/** A workload of a service, as a VerticalPodAutoscaler's targetRef names it. */
export interface WorkloadRef {
  readonly apiVersion: 'apps/v1';
  readonly kind: RecommendedKind;
  readonly name: string;
}

/** The file of a service's VerticalPodAutoscalers in a cluster folder (`clusters/blue`). */
export function vpaFilePath(clusterFolder: string, service: string): string {
  return `${clusterFolder}/tenants/${service}/verticalpodautoscalers.yaml`;
}

/** The workloads among rendered objects that get a VerticalPodAutoscaler, each once, sorted by kind then name. */
export function recommendedWorkloads(objects: readonly JsonObject[]): WorkloadRef[] {
  const found = new Map<string, WorkloadRef>();
  for (const object of objects) {
    const kind = RECOMMENDED_KINDS.find((candidate) => candidate === object.kind);
    const name = isObject(object.metadata) ? object.metadata.name : undefined;
    if (kind === undefined || object.apiVersion !== 'apps/v1' || typeof name !== 'string' || name === '') continue;
    found.set(`${kind}/${name}`, { apiVersion: 'apps/v1', kind, name });
  }
  return [...found.values()].sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name));
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
 * The VerticalPodAutoscaler of one workload:
 * - `updateMode: "Off"`: the recommender records, nothing evicts or mutates
 *   pods (there is no updater nor admission controller anyway);
 * - every container, cpu and memory;
 * - `maxAllowed`: the service's quota, as no pod of it can request more; the
 *   recommendation is capped there, so the quota is never what rejects it.
 */
export function verticalPodAutoscalerObject(service: ServiceDefinition, workload: WorkloadRef): JsonObject {
  return {
    apiVersion: VPA_API_VERSION,
    kind: VPA_KIND.kind,
    metadata: { name: vpaName(workload), namespace: service.namespace, labels: sortedMap(serviceLabels(service)) },
    spec: {
      targetRef: { apiVersion: workload.apiVersion, kind: workload.kind, name: workload.name },
      updatePolicy: { updateMode: 'Off' },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: '*',
            controlledResources: ['cpu', 'memory'],
            maxAllowed: { cpu: service.quota.cpu, memory: service.quota.memory },
          },
        ],
      },
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
