// Tenant boundaries: what a service's own manifests may contain, whatever the
// policy file says. These hold the multi-tenant platform together, so every
// breach is a danger.
import { isObject, type KubeObject } from '../kube/index.js';
import { containersOf, findPodSpec } from '../kube/index.js';
import type { PlatformDefinition, ServiceDefinition } from '../platform/index.js';
import { claimedHosts, ingressFindings, sharedGroupFindings } from './ingress-boundaries.js';
import { workloadFindings } from './workload-boundaries.js';

export type BoundaryRule = 'namespace' | 'clusterScoped' | 'image' | 'host' | 'ingress' | 'rbac' | 'scheduling';

/** A boundary one object crosses, before it is told whose and where. */
export interface BoundaryFinding {
  readonly rule: BoundaryRule;
  readonly message: string;
}

export interface BoundaryViolation extends BoundaryFinding {
  readonly service: string;
  /** kind/namespace/name of the offending object. */
  readonly object: string;
  readonly source: KubeObject['source'];
}

/**
 * Kinds that are cluster-scoped in Kubernetes and its common add-ons. A tenant
 * may create none of them (its AppProject refuses them too; this catches it
 * before merge).
 */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'RuntimeClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CSIDriver',
  'IngressClass',
  'VolumeSnapshotClass',
  'ClusterIssuer',
  'NodePool',
  'EC2NodeClass',
  'ClusterPolicy',
]);

/** A finding of one object, told whose and where. */
function violation(service: string, object: KubeObject, { rule, message }: BoundaryFinding): BoundaryViolation {
  return { service, rule, object: `${object.kind}/${object.namespace || '-'}/${object.name}`, source: object.source, message };
}

/** Every boundary a service's rendered objects cross, for one cluster. */
export function serviceBoundaryViolations(
  platform: PlatformDefinition,
  service: ServiceDefinition,
  objects: readonly KubeObject[],
): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  const report = (object: KubeObject, rule: BoundaryRule, message: string) => violations.push(violation(service.name, object, { rule, message }));
  for (const object of objects) {
    if (CLUSTER_SCOPED_KINDS.has(object.kind)) {
      report(object, 'clusterScoped', `${object.kind} is cluster-scoped; tenants may only create objects in their namespace "${service.namespace}"`);
    } else if (object.namespace && object.namespace !== service.namespace) {
      report(object, 'namespace', `namespace "${object.namespace}" is not the service's namespace "${service.namespace}"`);
    }
    for (const image of imagesOf(object)) {
      if (!imageAllowed(image, service, platform)) {
        report(object, 'image', `image "${image}" is not from ${service.image}${platform.imageAllowlist.length ? ` or the allowlist (${platform.imageAllowlist.join(', ')})` : ''}`);
      }
    }
    for (const host of claimedHosts(object)) {
      if (!hostUnderDomain(host, platform.platform.domain)) {
        report(object, 'host', `host "${host}" is not under the platform domain ${platform.platform.domain}`);
      } else if (!service.hosts.includes(host)) {
        report(object, 'host', `host "${host}" is not declared for ${service.name} in platform.yaml (hosts: ${service.hosts.join(', ') || 'none'})`);
      }
    }
    for (const finding of [...ingressFindings(object), ...workloadFindings(object, service)]) report(object, finding.rule, finding.message);
  }
  return violations;
}

/**
 * Hosts claimed by the Ingresses of more than one service. The service that
 * declares a host in platform.yaml owns it; any other claim is a violation
 * (for undeclared hosts, the first service by name keeps it).
 */
export function sharedHostViolations(
  platform: PlatformDefinition,
  objectsByService: ReadonlyMap<string, readonly KubeObject[]>,
): BoundaryViolation[] {
  const owner = new Map<string, string>(platform.services.flatMap((service) => service.hosts.map((host) => [host, service.name] as const)));
  const violations: BoundaryViolation[] = [];
  for (const [service, objects] of [...objectsByService].sort(([a], [b]) => a.localeCompare(b))) {
    for (const object of objects) {
      for (const host of claimedHosts(object)) {
        const first = owner.get(host);
        if (first === undefined) owner.set(host, service);
        else if (first !== service) {
          violations.push(violation(service, object, { rule: 'host', message: `host "${host}" is already claimed by ${first}` }));
        }
      }
    }
  }
  return violations;
}

/**
 * Load-balancer-wide ALB settings in IngressGroups that several services
 * share (see ingress-boundaries.ts), for every service of a cluster.
 */
export function sharedGroupViolations(objectsByService: ReadonlyMap<string, readonly KubeObject[]>): BoundaryViolation[] {
  return sharedGroupFindings(objectsByService).map(({ service, object, ...finding }) => violation(service, object, finding));
}

/** The images of an object's containers (all kinds of containers). */
export function imagesOf(object: KubeObject): string[] {
  const found = findPodSpec(object.raw);
  if (!found) return [];
  const ephemeral = Array.isArray(found.spec.ephemeralContainers) ? found.spec.ephemeralContainers.filter(isObject) : [];
  return [...containersOf(found.spec).map(({ container }) => container), ...ephemeral]
    .map((container) => container.image)
    .filter((image): image is string => typeof image === 'string');
}

/** An image is allowed when it is the service's repository (any tag or digest) or under an allowlisted prefix. */
export function imageAllowed(image: string, service: ServiceDefinition, platform: PlatformDefinition): boolean {
  const fromOwnRepository = image.startsWith(`${service.image}:`) || image.startsWith(`${service.image}@`);
  return fromOwnRepository || platform.imageAllowlist.some((prefix) => image.startsWith(prefix));
}

function hostUnderDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}
