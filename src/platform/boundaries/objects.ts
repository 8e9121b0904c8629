// Tenant boundaries of one object: what a service's own objects may contain,
// whatever the policy file says. These hold the multi-tenant platform
// together, so every breach is a danger. Each check here looks at one object
// and its tenant's boundary only, so `kaji synth` (on rendered manifests) and
// the admission webhook (on each request) run the same code.
import { containersOf, findPodSpec, objectsAt, type KubeObject } from '../../kube/index.js';
import type { PlatformDefinition, ServiceDefinition } from '../types.js';
import { claimedHosts, ingressFindings } from './ingress.js';
import { workloadFindings } from './workload.js';

export type BoundaryRule = 'namespace' | 'clusterScoped' | 'image' | 'host' | 'ingress' | 'rbac' | 'scheduling';

/** A boundary one object crosses, before it is told whose and where. */
export interface BoundaryFinding {
  readonly rule: BoundaryRule;
  readonly message: string;
}

/**
 * What the objects of one tenant namespace may hold: one service's boundary
 * in `kaji synth`; in the cluster, where only the namespace tells whose an
 * object is, the union of its services' repositories and hosts.
 */
export interface TenantBoundary {
  readonly namespace: string;
  /** The services it is for (named in messages). */
  readonly services: readonly string[];
  /** Their teams (named in messages). */
  readonly teams: readonly string[];
  /** Image repositories, any tag or digest. */
  readonly repositories: readonly string[];
  /** Hosts declared in platform.yaml. */
  readonly hosts: readonly string[];
  /** The platform domain every host must be under. */
  readonly domain: string;
  /** Image prefixes every tenant may pull (platform.yaml `imageAllowlist`). */
  readonly imageAllowlist: readonly string[];
}

/** One service's boundary, as `kaji synth` checks its rendered objects. */
export function serviceBoundary(platform: PlatformDefinition, service: ServiceDefinition): TenantBoundary {
  return {
    namespace: service.namespace,
    services: [service.name],
    teams: [service.team],
    repositories: [service.image],
    hosts: service.hosts,
    domain: platform.platform.domain,
    imageAllowlist: platform.imageAllowlist,
  };
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

/** Every boundary one object crosses. */
export function objectBoundaryFindings(object: KubeObject, boundary: TenantBoundary): BoundaryFinding[] {
  const findings: BoundaryFinding[] = [];
  const report = (rule: BoundaryRule, message: string) => findings.push({ rule, message });
  if (CLUSTER_SCOPED_KINDS.has(object.kind)) {
    report('clusterScoped', `${object.kind} is cluster-scoped; tenants may only create objects in their namespace "${boundary.namespace}"`);
  } else if (object.namespace && object.namespace !== boundary.namespace) {
    report('namespace', `namespace "${object.namespace}" is not the service's namespace "${boundary.namespace}"`);
  }
  for (const image of imagesOf(object)) {
    if (!imageAllowed(image, boundary)) {
      const allowlist = boundary.imageAllowlist.length ? ` or the allowlist (${boundary.imageAllowlist.join(', ')})` : '';
      report('image', `image "${image}" is not from ${boundary.repositories.join(', ')}${allowlist}`);
    }
  }
  for (const host of claimedHosts(object)) {
    if (!hostUnderDomain(host, boundary.domain)) {
      report('host', `host "${host}" is not under the platform domain ${boundary.domain}`);
    } else if (!boundary.hosts.includes(host)) {
      report('host', `host "${host}" is not declared for ${boundary.services.join(', ')} in platform.yaml (hosts: ${boundary.hosts.join(', ') || 'none'})`);
    }
  }
  findings.push(...ingressFindings(object), ...workloadFindings(object, boundary));
  return findings;
}

/** The images of an object's containers (all kinds of containers). */
function imagesOf(object: KubeObject): string[] {
  const found = findPodSpec(object.raw);
  if (!found) return [];
  return [...containersOf(found.spec).map(({ container }) => container), ...objectsAt(found.spec, 'ephemeralContainers')]
    .map((container) => container.image)
    .filter((image): image is string => typeof image === 'string');
}

/** An image is allowed when it is from one of the boundary's repositories (any tag or digest) or under an allowlisted prefix. */
export function imageAllowed(image: string, boundary: TenantBoundary): boolean {
  const fromOwnRepository = boundary.repositories.some((repository) => image.startsWith(`${repository}:`) || image.startsWith(`${repository}@`));
  return fromOwnRepository || boundary.imageAllowlist.some((prefix) => image.startsWith(prefix));
}

function hostUnderDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}
