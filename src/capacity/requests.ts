// How much of a node a pod takes, as the scheduler counts it: the pod's
// effective request (k8s.io/component-helpers resource.PodRequests, the rule of
// the sidecar containers KEP, 753):
//
//   each init container in order needs its own request plus the requests of
//   the restartable (sidecar, restartPolicy: Always) init containers started
//   before it; a sidecar keeps running, so it also adds to the app containers;
//   request = max(sum of app containers + sum of sidecars, largest init need)
//   pod-level spec.resources.requests (cpu, memory) replace that where set;
//   then spec.overhead is added.
//
// Values come as the API server stores them; a container request left out
// takes the limit, as the API server's defaulting does for a pod it admits.
// Only cpu (millicores, rounded up as Kubernetes' MilliValue) and memory
// (bytes, rounded up as Value) are counted.
import { ceilToScale, exceedsInt64, isObject, parseQuantity, pathText, valueText, type JsonObject, type JsonValue } from '../kube/index.js';

/** A problem in the cluster's objects that makes a number impossible to work out; a message a user can act on. */
export class CapacityError extends Error {
  override readonly name = 'CapacityError';
}

/** cpu in millicores and memory in bytes. */
export interface Resources {
  readonly cpu: bigint;
  readonly memory: bigint;
}

export const NO_RESOURCES: Resources = { cpu: 0n, memory: 0n };

/** Millicores for cpu, bytes for memory: the units Kubernetes counts them in (the power of ten of one unit). */
export const SCALE = { cpu: -3, memory: 0 } as const;

export function addResources(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu + b.cpu, memory: a.memory + b.memory };
}

function maxResources(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu > b.cpu ? a.cpu : b.cpu, memory: a.memory > b.memory ? a.memory : b.memory };
}

/**
 * A quantity value (a string, or a number as YAML may give it) in millicores
 * (cpu) or bytes (memory), rounded up; 0 when absent. A value that is not a
 * quantity, is negative or is beyond Kubernetes' 64-bit counts is a
 * CapacityError naming the owner ("Node ip-10-0-1-5") and the field.
 */
export function scaledQuantity(value: JsonValue | undefined, resource: keyof Resources, owner: string, path: readonly (string | number)[]): bigint {
  if (value === undefined || value === null) return 0n;
  const parsed = typeof value === 'string' ? parseQuantity(value.trim()) : typeof value === 'number' && Number.isFinite(value) ? parseQuantity(String(value)) : undefined;
  const where = `${owner}: ${pathText(path)}`;
  if (parsed === undefined) throw new CapacityError(`${where} must be a Kubernetes quantity such as ${resource === 'cpu' ? '500m' : '512Mi'}, found ${valueText(value)}`);
  if (parsed.mantissa < 0n) throw new CapacityError(`${where} must not be negative, found ${valueText(value)}`);
  if (exceedsInt64(parsed, SCALE[resource])) throw new CapacityError(`${where} is larger than Kubernetes counts, found ${valueText(value)}`);
  return ceilToScale(parsed, SCALE[resource]);
}

/** A resource list's cpu and memory (`status.allocatable`, `spec.overhead`). */
export function resourceList(list: JsonValue | undefined, owner: string, path: readonly (string | number)[]): Resources {
  if (!isObject(list)) return NO_RESOURCES;
  return { cpu: scaledQuantity(list.cpu, 'cpu', owner, [...path, 'cpu']), memory: scaledQuantity(list.memory, 'memory', owner, [...path, 'memory']) };
}

/** A container's request: `resources.requests`, or the limit where the request is left out. */
function containerRequest(container: JsonObject, owner: string, path: readonly (string | number)[]): Resources {
  const resources = isObject(container.resources) ? container.resources : {};
  const requests = isObject(resources.requests) ? resources.requests : {};
  const limits = isObject(resources.limits) ? resources.limits : {};
  const one = (resource: keyof Resources): bigint => {
    const requested = requests[resource];
    if (requested !== undefined && requested !== null) return scaledQuantity(requested, resource, owner, [...path, 'resources', 'requests', resource]);
    return scaledQuantity(limits[resource], resource, owner, [...path, 'resources', 'limits', resource]);
  };
  return { cpu: one('cpu'), memory: one('memory') };
}

function containers(spec: JsonObject, key: 'containers' | 'initContainers'): { container: JsonObject; index: number }[] {
  const list = spec[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((container, index) => (isObject(container) ? [{ container, index }] : []));
}

/** The pod's effective request (see the top of this file); `owner` names the pod in messages ("Pod shop/antenna-1"). */
export function podRequest(pod: JsonObject, owner: string): Resources {
  const spec = isObject(pod.spec) ? pod.spec : {};
  let running = NO_RESOURCES; // what runs once the pod has started: app containers and sidecars
  for (const { container, index } of containers(spec, 'containers')) {
    running = addResources(running, containerRequest(container, owner, ['spec', 'containers', index]));
  }
  let sidecars = NO_RESOURCES;
  let initNeed = NO_RESOURCES;
  for (const { container, index } of containers(spec, 'initContainers')) {
    const request = containerRequest(container, owner, ['spec', 'initContainers', index]);
    if (container.restartPolicy === 'Always') {
      sidecars = addResources(sidecars, request);
      running = addResources(running, request);
      initNeed = maxResources(initNeed, sidecars);
    } else {
      initNeed = maxResources(initNeed, addResources(request, sidecars));
    }
  }
  let request = maxResources(running, initNeed);
  const podLevel = isObject(spec.resources) && isObject(spec.resources.requests) ? spec.resources.requests : undefined;
  if (podLevel !== undefined) {
    const path = ['spec', 'resources', 'requests'];
    const has = (resource: keyof Resources) => podLevel[resource] !== undefined && podLevel[resource] !== null;
    request = {
      cpu: has('cpu') ? scaledQuantity(podLevel.cpu, 'cpu', owner, [...path, 'cpu']) : request.cpu,
      memory: has('memory') ? scaledQuantity(podLevel.memory, 'memory', owner, [...path, 'memory']) : request.memory,
    };
  }
  return addResources(request, resourceList(spec.overhead, owner, ['spec', 'overhead']));
}
