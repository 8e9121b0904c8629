import type { JsonObject, JsonValue } from './types.js';

/** Where a workload keeps its pod spec, as a JSON Pointer from the object root. */
export type PodSpecPath = '/spec' | '/spec/template/spec' | '/spec/jobTemplate/spec/template/spec';

export interface FoundPodSpec {
  readonly spec: JsonObject;
  /** The pod template (metadata + spec); for a bare Pod, the Pod itself. */
  readonly template: JsonObject;
  readonly path: PodSpecPath;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asPodSpec(value: JsonValue | undefined): JsonObject | undefined {
  return isObject(value) && Array.isArray(value.containers) ? value : undefined;
}

/**
 * Finds the pod spec of any workload-shaped object: a Pod (`spec`), a controller
 * with a pod template (`spec.template.spec`: Deployment, StatefulSet, DaemonSet,
 * Job, ReplicationController, Argo Rollout...) or a CronJob
 * (`spec.jobTemplate.spec.template.spec`). A spec counts only if it has a
 * `containers` list.
 */
export function findPodSpec(object: JsonObject): FoundPodSpec | undefined {
  const spec = object.spec;
  if (!isObject(spec)) return undefined;
  const podSpec = asPodSpec(spec);
  if (podSpec) return { spec: podSpec, template: object, path: '/spec' };
  const template = spec.template;
  const templateSpec = isObject(template) ? asPodSpec(template.spec) : undefined;
  if (isObject(template) && templateSpec) return { spec: templateSpec, template, path: '/spec/template/spec' };
  const jobSpec = isObject(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
  const jobTemplate = isObject(jobSpec) ? jobSpec.template : undefined;
  const jobPodSpec = isObject(jobTemplate) ? asPodSpec(jobTemplate.spec) : undefined;
  if (isObject(jobTemplate) && jobPodSpec) {
    return { spec: jobPodSpec, template: jobTemplate, path: '/spec/jobTemplate/spec/template/spec' };
  }
  return undefined;
}

/** The containers of a pod spec, init containers first (Polaris's order), skipping entries that are not objects. */
export function containersOf(podSpec: JsonObject): { container: JsonObject; isInit: boolean; index: number }[] {
  const found: { container: JsonObject; isInit: boolean; index: number }[] = [];
  const add = (value: JsonValue | undefined, isInit: boolean) => {
    if (!Array.isArray(value)) return;
    value.forEach((container, index) => {
      if (isObject(container)) found.push({ container, isInit, index });
    });
  };
  add(podSpec.initContainers, true);
  add(podSpec.containers, false);
  return found;
}
