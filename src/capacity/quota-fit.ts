// Whether a service's pods fit its namespace's ResourceQuota, from a rendered
// overlay (what `kaji rightsize` checks after its edits). The API server checks
// the quota when it creates each pod: a pod that would take the namespace past
// `requests.cpu` or `requests.memory` is refused (the ReplicaSet reports
// FailedCreate "exceeded quota"), and a rollout stalls. So the count is the
// most the workloads may run at once:
//
//   Deployment               replicas (or the maxReplicas of an HPA that scales
//                            it) plus its rolling update's maxSurge (default
//                            25 %, rounded up; none with the Recreate strategy):
//                            the surge pods are created before old ones go
//   StatefulSet, ReplicaSet  replicas (or the HPA's maxReplicas): a StatefulSet
//                            replaces a pod only after deleting it
//   Job, CronJob             parallelism (default 1); a CronJob one run at a time
//   Pod                      1
//   DaemonSet (and kinds     not counted: a pod per node, a number the manifests
//   kaji does not know)      do not say; listed in `uncounted`
//
// Each pod at its effective request (requests.ts: init containers, sidecars,
// overhead), after what admission gives a container that sets neither a
// request nor a limit: the LimitRange's defaultRequest. The quota's `pods`
// caps the count: past it the API server creates no pod, so at most that many
// run at once, the largest first.
import { isObject, type JsonObject, type JsonValue } from '../kube/index.js';
import { formatAmount } from './propose.js';
import { podRequest, scaledQuantity, type Resources } from './requests.js';
import { RESOURCE_NAMES, type ResourceName } from './recommendations.js';

export interface NamespaceRequests {
  /** The most the counted pods request at once: cpu in millicores, memory in bytes. */
  readonly total: Resources;
  /** Workloads not counted ("DaemonSet/agent"). */
  readonly uncounted: readonly string[];
}

/** The share a rolling update may add when the Deployment does not say (Kubernetes' default maxSurge). */
const DEFAULT_MAX_SURGE = '25%';

/**
 * The most the workloads among `objects` (one namespace's render) request at once. `defaults` are
 * the LimitRange's default requests; `maxPods` the quota's `pods` (quotaPods); `where` names the
 * render in messages. A quantity that is not one is a CapacityError naming the workload and the field.
 */
export function namespaceRequests(objects: readonly JsonObject[], defaults: Partial<Resources>, where: string, maxPods?: number): NamespaceRequests {
  const groups: { request: Resources; pods: number }[] = [];
  const uncounted: string[] = [];
  for (const object of objects) {
    const kind = typeof object.kind === 'string' ? object.kind : '';
    const name = isObject(object.metadata) && typeof object.metadata.name === 'string' ? object.metadata.name : '';
    const template = podTemplate(object);
    if (template === undefined) continue;
    const pods = podCount(object, objects);
    if (pods === undefined) {
      uncounted.push(`${kind}/${name}`);
      continue;
    }
    groups.push({ request: podRequest({ spec: withDefaultRequests(template, defaults) }, `${where}: ${kind} ${name}`), pods });
  }
  return { total: { cpu: largestPods(groups, 'cpu', maxPods), memory: largestPods(groups, 'memory', maxPods) }, uncounted };
}

/** What the pods request together, of the largest `maxPods` of them when there are more. */
function largestPods(groups: readonly { request: Resources; pods: number }[], resource: ResourceName, maxPods = Infinity): bigint {
  let left = maxPods;
  let sum = 0n;
  const largestFirst = [...groups].sort((a, b) => (a.request[resource] < b.request[resource] ? 1 : a.request[resource] > b.request[resource] ? -1 : 0));
  for (const { request, pods } of largestFirst) {
    const taken = Math.min(pods, left);
    sum += request[resource] * BigInt(taken);
    left -= taken;
  }
  return sum;
}

/** The most pods the namespace may run: the smallest `pods` (or `count/pods`) over the ResourceQuotas that count every pod; undefined when none says. */
export function quotaPods(objects: readonly JsonObject[], where: string): number | undefined {
  let most: number | undefined;
  for (const spec of unscopedQuotaSpecs(objects)) {
    for (const key of ['pods', 'count/pods']) {
      if (spec.hard[key] === undefined) continue;
      // A count is a quantity in units of one, as bytes are.
      const value = Number(scaledQuantity(spec.hard[key], 'memory', `${where}: ResourceQuota`, ['spec', 'hard', key]));
      most = most === undefined || value < most ? value : most;
    }
  }
  return most;
}

/**
 * The most the namespace may request, per resource: the smallest `requests.<resource>` (or its
 * alias `<resource>`) over the ResourceQuotas that count every pod (no scopes).
 */
export function quotaHard(objects: readonly JsonObject[], where: string): Partial<Record<ResourceName, bigint>> {
  const hard: Partial<Record<ResourceName, bigint>> = {};
  for (const spec of unscopedQuotaSpecs(objects)) {
    for (const resource of RESOURCE_NAMES) {
      for (const key of [`requests.${resource}`, resource]) {
        if (spec.hard[key] === undefined) continue;
        const value = scaledQuantity(spec.hard[key], resource, `${where}: ResourceQuota`, ['spec', 'hard', key]);
        const known = hard[resource];
        hard[resource] = known === undefined || value < known ? value : known;
      }
    }
  }
  return hard;
}

/** The specs of the ResourceQuotas that count every pod (no scopes), with their `hard`. */
function unscopedQuotaSpecs(objects: readonly JsonObject[]): (JsonObject & { hard: JsonObject })[] {
  return objects.flatMap((object) => {
    const spec = object.kind === 'ResourceQuota' && isObject(object.spec) ? object.spec : undefined;
    if (spec === undefined || spec.scopeSelector !== undefined || (Array.isArray(spec.scopes) && spec.scopes.length > 0) || !isObject(spec.hard)) return [];
    return [{ ...spec, hard: spec.hard }];
  });
}

/** The default requests of the LimitRanges among `objects` (type Container, defaultRequest; the first one that sets a resource). */
export function limitRangeDefaults(objects: readonly JsonObject[], where: string): Partial<Resources> {
  const defaults: { cpu?: bigint; memory?: bigint } = {};
  for (const object of objects) {
    if (object.kind !== 'LimitRange' || !isObject(object.spec) || !Array.isArray(object.spec.limits)) continue;
    for (const [index, limit] of object.spec.limits.entries()) {
      if (!isObject(limit) || limit.type !== 'Container' || !isObject(limit.defaultRequest)) continue;
      for (const resource of RESOURCE_NAMES) {
        if (defaults[resource] !== undefined || limit.defaultRequest[resource] === undefined) continue;
        defaults[resource] = scaledQuantity(limit.defaultRequest[resource], resource, `${where}: LimitRange`, ['spec', 'limits', index, 'defaultRequest', resource]);
      }
    }
  }
  return defaults;
}

/** The pod spec a workload runs; undefined for an object that runs no pods. */
function podTemplate(object: JsonObject): JsonObject | undefined {
  const spec = isObject(object.spec) ? object.spec : undefined;
  if (spec === undefined) return undefined;
  if (object.kind === 'Pod') return spec;
  if (object.kind === 'CronJob') {
    const job = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {};
    return isObject(job.template) && isObject(job.template.spec) ? job.template.spec : undefined;
  }
  return isObject(spec.template) && isObject(spec.template.spec) ? spec.template.spec : undefined;
}

/** How many pods of the workload may run at once (see the top of this file); undefined when the manifests cannot say. */
function podCount(object: JsonObject, objects: readonly JsonObject[]): number | undefined {
  const spec = isObject(object.spec) ? object.spec : {};
  switch (object.kind) {
    case 'Pod':
      return 1;
    case 'Job':
      return count(spec.parallelism, 1);
    case 'CronJob':
      return count(isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec.parallelism : undefined, 1);
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'ReplicationController':
      return desiredReplicas(object, objects);
    case 'Deployment': {
      const desired = desiredReplicas(object, objects);
      const strategy = isObject(spec.strategy) ? spec.strategy : {};
      if (strategy.type === 'Recreate') return desired;
      const maxSurge = isObject(strategy.rollingUpdate) ? strategy.rollingUpdate.maxSurge : undefined;
      return desired + surge(maxSurge ?? DEFAULT_MAX_SURGE, desired);
    }
    default:
      return undefined;
  }
}

/** spec.replicas (default 1), or the maxReplicas of a HorizontalPodAutoscaler that scales the workload: it may scale up to it. */
function desiredReplicas(workload: JsonObject, objects: readonly JsonObject[]): number {
  const name = isObject(workload.metadata) ? workload.metadata.name : undefined;
  for (const object of objects) {
    if (object.kind !== 'HorizontalPodAutoscaler' || !isObject(object.spec)) continue;
    const target = isObject(object.spec.scaleTargetRef) ? object.spec.scaleTargetRef : {};
    if (target.kind === workload.kind && target.name === name && isCount(object.spec.maxReplicas)) return object.spec.maxReplicas;
  }
  return count(isObject(workload.spec) ? workload.spec.replicas : undefined, 1);
}

/** maxSurge as a number of pods: an integer, or a percent of the desired replicas rounded up (as the Deployment controller does). */
function surge(value: JsonValue, desired: number): number {
  if (isCount(value)) return value;
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value.trim()) : null;
  return percent ? Math.ceil((desired * Number(percent[1])) / 100) : surge(DEFAULT_MAX_SURGE, desired);
}

function count(value: JsonValue | undefined, fallback: number): number {
  return isCount(value) ? value : fallback;
}

function isCount(value: JsonValue | undefined): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A copy of the pod spec where each container that sets neither a request nor a limit of a resource has the default request, as the LimitRanger admission gives it. */
function withDefaultRequests(spec: JsonObject, defaults: Partial<Resources>): JsonObject {
  const withDefaults = (list: JsonValue | undefined): JsonValue | undefined =>
    Array.isArray(list)
      ? list.map((container) => {
          if (!isObject(container)) return container;
          const resources = isObject(container.resources) ? container.resources : {};
          const requests = isObject(resources.requests) ? { ...resources.requests } : {};
          const limits = isObject(resources.limits) ? resources.limits : {};
          for (const resource of RESOURCE_NAMES) {
            const fallback = defaults[resource];
            if (fallback !== undefined && requests[resource] === undefined && limits[resource] === undefined) requests[resource] = formatAmount(resource, fallback);
          }
          return { ...container, resources: { ...resources, requests } };
        })
      : list;
  const containers = withDefaults(spec.containers);
  const initContainers = withDefaults(spec.initContainers);
  return { ...spec, ...(containers === undefined ? {} : { containers }), ...(initContainers === undefined ? {} : { initContainers }) };
}
