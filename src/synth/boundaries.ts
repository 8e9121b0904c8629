// Tenant boundaries of a service's rendered manifests, told whose and where:
// the per-object checks (platform/boundaries, which the admission webhook runs
// too) on each service's objects, and the checks across services (hosts
// claimed twice, shared IngressGroups) that only synth, seeing every service
// at once, can run.
import type { KubeObject } from '../kube/index.js';
import { bareNodeNameFinding, claimedHosts, describeClaim, objectBoundaryFindings, serviceBoundary, teamRoleNameFinding, type BoundaryRule } from '../platform/boundaries/index.js';
import type { PlatformDefinition, ServiceDefinition } from '../platform/index.js';
import { actionFindings, clusterClasses, ingressClassFindings, internalSchemeFindings, nodePortFindings, sharedGroupFindings, type GroupFinding } from './ingress-boundaries.js';

/**
 * What a violation breaks: a tenant boundary, (removedApi, see removed-apis.ts) an apiVersion its
 * cluster no longer serves, or (mutatedField, see mutated-fields.ts) a field the webhook's mutation changes.
 */
export type ViolationRule = BoundaryRule | 'removedApi' | 'mutatedField';

export interface BoundaryViolation {
  readonly rule: ViolationRule;
  readonly message: string;
  readonly service: string;
  /** kind/namespace/name of the offending object. */
  readonly object: string;
  readonly source: KubeObject['source'];
}

/** A finding of one object, told whose and where. */
export function violation(service: string, object: KubeObject, { rule, message }: { readonly rule: ViolationRule; readonly message: string }): BoundaryViolation {
  return { service, rule, object: `${object.kind}/${object.namespace || '-'}/${object.name}`, source: object.source, message };
}

/** Every boundary a service's rendered objects cross, for one cluster (and a bare Pod's nodeName, which the webhook cannot judge). */
export function serviceBoundaryViolations(
  platform: PlatformDefinition,
  service: ServiceDefinition,
  objects: readonly KubeObject[],
): BoundaryViolation[] {
  const boundary = serviceBoundary(platform, service);
  return objects.flatMap((object) => {
    const findings = [...objectBoundaryFindings(object, boundary), bareNodeNameFinding(object), teamRoleNameFinding(object)].filter((finding) => finding !== undefined);
    return findings.map((finding) => violation(service.name, object, finding));
  });
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
      for (const claim of claimedHosts(object)) {
        const first = owner.get(claim.host);
        if (first === undefined) owner.set(claim.host, service);
        else if (first !== service) {
          violations.push(violation(service, object, { rule: 'host', message: `${describeClaim(claim)} is already claimed by ${first}` }));
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
  return violations(sharedGroupFindings(objectsByService));
}

/**
 * Ingresses and Services that can never work on the platform (see
 * ingress-boundaries.ts), for every service of a cluster: tenant ALBs that are
 * not internet-facing, Ingresses of no class the cluster serves, what needs
 * node ports, and ALB actions the controller cannot read.
 */
export function unreachableViolations(objectsByService: ReadonlyMap<string, readonly KubeObject[]>): BoundaryViolation[] {
  const classes = clusterClasses(objectsByService);
  return violations([
    ...internalSchemeFindings(objectsByService, classes),
    ...ingressClassFindings(objectsByService, classes),
    ...nodePortFindings(objectsByService, classes),
    ...actionFindings(objectsByService, classes),
  ]);
}

function violations(findings: readonly GroupFinding[]): BoundaryViolation[] {
  return findings.map(({ service, object, ...finding }) => violation(service, object, finding));
}
