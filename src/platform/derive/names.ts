// Names, labels and paths shared by everything derived for a cluster.
import { RESERVED_SERVICE_NAMES, type ClusterDefinition, type PlatformDefinition, type ServiceDefinition } from '../types.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const TEAM_LABEL = 'kaji.dev/team';
export const SERVICE_LABEL = 'kaji.dev/service';
export const MANAGED_BY = 'kaji';

/** The namespace Argo CD runs in; Applications and AppProjects live there. */
export const ARGOCD_NAMESPACE = 'argocd';
/**
 * The namespaces the cluster's CDK stack (src/infra) installs into: Kubernetes' and EKS's own, where
 * Karpenter, the load balancer controller, metrics-server and the VPA go too; Argo CD's; and its
 * add-ons'. The admission webhook is never called for them, so that with the webhook down (under
 * failurePolicy Fail) cert-manager can still renew its certificate, and a `cdk deploy` of a chart
 * whose images the platform's policy would refuse still lands (test/infra/webhook-exclusions.test.ts
 * holds the stack to this list).
 */
export const CDK_NAMESPACES = {
  kubeSystem: 'kube-system',
  argocd: ARGOCD_NAMESPACE,
  certManager: 'cert-manager',
  externalDns: 'external-dns',
  externalSecrets: 'external-secrets',
} as const;

/** The API server as seen from inside the cluster: each cluster's Argo CD deploys only to its own cluster. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** The root Application (app of apps) and its AppProject. */
export const ROOT_APP = 'kaji-root';
/** The Application that syncs the tenants' guardrails (`clusters/<c>/tenants/`). */
export const TENANTS_APP = 'kaji-tenants';
/** The Application that syncs the platform's in-cluster components (`clusters/<c>/platform/`), and the AppProject of both. */
export const PLATFORM_APP = 'kaji-platform';

/**
 * Argo CD names kaji takes for itself, so no service may be named so: a
 * service's Application and AppProject carry its name, and an AppProject named
 * `default` would replace Argo CD's own default project.
 */
/** Names the generated Applications and AppProjects take (the loader refuses them as service names). */
export const RESERVED_ARGOCD_NAMES = RESERVED_SERVICE_NAMES;

/** The label every system node carries (the small on-demand node group for the platform's own pods), and platform pods select. */
export const SYSTEM_NODE_LABEL = { key: 'kaji.dev/node-role', value: 'system' } as const;

/**
 * The taint of the system nodes: the conventional `CriticalAddonsOnly`, which
 * CoreDNS and Karpenter already tolerate. Tenant pods may not tolerate it (a
 * tenant boundary), so they stay on the nodes Karpenter launches for them.
 */
export const SYSTEM_NODE_TAINT = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' } as const;

/** The Kubernetes (and Argo CD SSO) group a team's members act as: an EKS access entry maps the team's IAM identity to it. */
export function teamGroup(team: string): string {
  return `kaji:team:${team}`;
}

/** Labels every derived object carries. */
export function platformLabels(): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY };
}

/** Labels of objects that belong to one service. */
export function serviceLabels(service: ServiceDefinition): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [SERVICE_LABEL]: service.name, [TEAM_LABEL]: service.team };
}

/** The cluster's folder relative to the manifest folder, e.g. `clusters/blue`. */
export function clusterFolder(cluster: ClusterDefinition): string {
  return `clusters/${cluster.name}`;
}

/**
 * A path inside the manifest repository as Argo CD needs it (relative to the
 * repository root): `manifests.path` joined with the parts, without `.` or
 * empty segments.
 */
export function repositoryPath(platform: PlatformDefinition, ...parts: readonly string[]): string {
  return [platform.manifests.path, ...parts]
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}
