// Everything `kaji synth` writes under `clusters/<cluster>/` of the manifest
// repository, derived from the platform definition alone (pure: no I/O, same
// input → same bytes).
//
// Layout (paths relative to the manifest folder):
//
//   clusters/<cluster>/
//     argocd/                        synced by the root application (directory, recurse)
//       root.yaml                    kaji-root: the app of apps, manages this folder (itself included)
//       kaji-tenants.yaml            Application: syncs tenants/
//       kaji-platform.yaml           Application: syncs platform/ (only when a component has files)
//       projects/kaji-root.yaml      AppProject of the root application (Argo CD objects in argocd only)
//       projects/kaji-platform.yaml  AppProject of kaji-tenants and kaji-platform
//       projects/<service>.yaml      AppProject per tenant service (its namespace only)
//       apps/<service>.yaml          Application per service: apps/<service>/overlays/<cluster>/
//                                    (none while the cluster is retiring: see serviceApplications)
//     tenants/<service>/             guardrails, synced by kaji-tenants
//       namespace.yaml               Namespace (team label, Pod Security Admission)
//       resourcequota.yaml           ResourceQuota
//       limitrange.yaml              LimitRange (default requests and limits)
//       networkpolicies.yaml         default deny; same namespace; DNS; Pod Identity agent; load balancer;
//                                    from/to other services (allowFrom); egress
//       rbac.yaml                    Role and RoleBinding for the team's group
//       verticalpodautoscalers.yaml  one recommendation-only VPA per workload (from the rendered overlay)
//     platform/<component>/...       platform components (the admission webhook, headroom), synced by kaji-platform
//                                    (no headroom placeholders while the cluster is retiring: see deriveHeadroom)
//
// Bootstrap (the CDK Argo CD add-on) applies `projects/kaji-root.yaml` and
// `root.yaml` once — `bootstrapObjects` returns the same objects — and Argo CD
// does the rest. Sync waves order the root's sync: projects, then the platform
// applications, then the services (whose sync retries until their namespace
// exists).
import type { JsonObject } from '../../kube/index.js';
import type { ClusterDefinition, PlatformDefinition, ServiceDefinition } from '../types.js';
import {
  platformApplication,
  platformProject,
  rootApplication,
  rootProject,
  serviceApplication,
  tenantProject,
  tenantsApplication,
} from './argocd.js';
import { PLATFORM_COMPONENTS, type ComponentContext, type PlatformComponent } from './components.js';
import { PLATFORM_APP, RESERVED_ARGOCD_NAMES, ROOT_APP, TENANTS_APP, clusterFolder } from './names.js';
import {
  limitRangeObject,
  namespaceObject,
  networkPolicyObjects,
  rbacObjects,
  resourceQuotaObject,
  systemPriorityQuotaObject,
} from './tenant.js';
import { DeriveError } from './errors.js';
import { verticalPodAutoscalerObject, vpaFilePath, type WorkloadRef } from './vpa.js';
import { GENERATED_MARKER, generatedFile, isGeneratedFile, type GeneratedFile } from './yaml.js';

export interface DeriveOptions {
  /** @default PLATFORM_COMPONENTS */
  readonly components?: readonly PlatformComponent[];
  /** The text of the platform's policy file (synth reads it), for components that ship it (the webhook). */
  readonly policyText?: string;
  /**
   * The workloads each service (by name) runs in this cluster, as synth renders them: each gets a
   * VerticalPodAutoscaler. A service missing from the map gets none. @default no workloads known
   */
  readonly workloads?: ReadonlyMap<string, readonly WorkloadRef[]>;
}

export { DeriveError };

function byName<T extends { readonly name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function checkService(service: ServiceDefinition, services: readonly ServiceDefinition[]): void {
  if ((RESERVED_ARGOCD_NAMES as readonly string[]).includes(service.name)) {
    throw new DeriveError(
      `service "${service.name}": the name is taken by Argo CD or kaji (${RESERVED_ARGOCD_NAMES.join(', ')}); rename the service in platform.yaml`,
    );
  }
  for (const caller of service.allowFrom) {
    if (caller === service.name || !services.some((other) => other.name === caller)) {
      throw new DeriveError(`service "${service.name}": allowFrom names "${caller}", which is not another service of the platform`);
    }
  }
}

/** The guardrail files of one service. */
function tenantFiles(cluster: ClusterDefinition, service: ServiceDefinition, platform: PlatformDefinition, workloads: readonly WorkloadRef[]): GeneratedFile[] {
  const folder = clusterFolder(cluster);
  const dir = `${folder}/tenants/${service.name}`;
  const files = [
    generatedFile(`${dir}/namespace.yaml`, [namespaceObject(service)]),
    generatedFile(`${dir}/resourcequota.yaml`, [resourceQuotaObject(service), systemPriorityQuotaObject(service)]),
    generatedFile(`${dir}/limitrange.yaml`, [limitRangeObject(service)]),
    generatedFile(`${dir}/networkpolicies.yaml`, networkPolicyObjects(service, platform.services, platform.network.loadBalancerCidrs)),
    generatedFile(`${dir}/rbac.yaml`, rbacObjects(service)),
  ];
  if (workloads.length > 0) {
    const comments = [
      `Recommendations only (updateMode Off): one per workload that apps/${service.name}/overlays/${cluster.name}/ renders.`,
      'kaji rightsize reads them and proposes new requests as a pull request.',
    ];
    files.push(generatedFile(vpaFilePath(folder, service.name), workloads.map((workload) => verticalPodAutoscalerObject(service, cluster, workload)), comments));
  }
  return files;
}

/** True when a component file path stays inside its folder (relative, no `..`, no empty or `.` segments, no backslash). */
function isContainedPath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** The files of the registered components, under `platform/<component>/`, with the marker. */
function componentFiles(
  platform: PlatformDefinition,
  cluster: ClusterDefinition,
  folder: string,
  components: readonly PlatformComponent[],
  context: ComponentContext,
): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const component of components) {
    if (!isContainedPath(component.name) || component.name.includes('/')) {
      throw new DeriveError(`platform component "${component.name}": the name must be a single folder name`);
    }
    for (const file of component.derive(platform, cluster, context)) {
      if (!isContainedPath(file.path)) {
        throw new DeriveError(`platform component "${component.name}": file "${file.path}" must be a relative path inside its folder`);
      }
      const content = isGeneratedFile(file.content) ? file.content : `${GENERATED_MARKER}\n${file.content}`;
      files.push({ path: `${folder}/platform/${component.name}/${file.path}`, content });
    }
  }
  return files;
}

/**
 * Every file `kaji synth` writes under `clusters/<cluster>/`, sorted by path.
 * Services are taken in name order, so their order in platform.yaml does not
 * change a byte.
 */
export function deriveClusterFiles(
  platform: PlatformDefinition,
  cluster: ClusterDefinition,
  options: DeriveOptions = {},
): GeneratedFile[] {
  const components = options.components ?? PLATFORM_COMPONENTS;
  const folder = clusterFolder(cluster);
  const services = byName(platform.services);
  for (const service of services) checkService(service, services);

  const platformComponentFiles = componentFiles(platform, cluster, folder, components, { policyText: options.policyText });
  // Every registered component's kinds and namespaces, also while it writes no
  // files: Argo CD neither shows nor prunes a live object its project does not
  // permit, so narrowing the project as a component is turned off would leave
  // its cluster-scoped objects behind for good (a webhook configuration whose
  // server was pruned, failing every pod's admission).
  const componentNamespaces = components.flatMap((component) => component.namespaces);
  const componentKinds = components.flatMap((component) => component.clusterScopedKinds);

  const files: GeneratedFile[] = [
    generatedFile(`${folder}/argocd/root.yaml`, [rootApplication(platform, cluster)]),
    generatedFile(`${folder}/argocd/${TENANTS_APP}.yaml`, [tenantsApplication(platform, cluster)]),
    generatedFile(`${folder}/argocd/projects/${ROOT_APP}.yaml`, [rootProject(platform)]),
    generatedFile(`${folder}/argocd/projects/${PLATFORM_APP}.yaml`, [
      platformProject(platform, [...services.map((service) => service.namespace), ...componentNamespaces], componentKinds),
    ]),
    ...platformComponentFiles,
  ];
  // Argo CD fails an application whose path does not exist, so the platform
  // application exists only while some component has files.
  if (platformComponentFiles.length > 0) {
    files.push(generatedFile(`${folder}/argocd/${PLATFORM_APP}.yaml`, [platformApplication(platform, cluster)]));
  }
  for (const service of services) {
    files.push(
      generatedFile(`${folder}/argocd/projects/${service.name}.yaml`, [tenantProject(platform, service)]),
      ...serviceApplications(platform, cluster, service),
      ...tenantFiles(cluster, service, platform, options.workloads?.get(service.name) ?? []),
    );
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A service's Application, none in a retiring cluster: its kaji-root prunes the
 * Application, whose resources finalizer deletes the Ingresses; the Load
 * Balancer Controller then deletes their load balancers and external-dns their
 * records, before the cluster's stack is deleted (which would leave those
 * behind: see src/upgrade/retire.ts). Nothing else of the cluster goes:
 * kaji-root and every AppProject stay, as Argo CD prunes nothing once the root's
 * path is gone (argoproj/argo-cd#5205) and an Application whose project goes
 * with it is stuck deleting (argoproj/argo-cd#4369); kaji-tenants and
 * kaji-platform stay, and what they sync: the tenants' namespaces hold the
 * Ingresses being deleted (pruning them would race the Applications' own
 * deletion), the webhook still guards the cluster, and the VPAs make no AWS
 * resource of their own. Only the headroom's placeholders go too
 * (deriveHeadroom): they would keep Karpenter's nodes for services that no
 * longer run there. synth still renders and checks the cluster's overlays,
 * which stay until its removal. So the commit that retires a cluster deletes
 * its service Applications and the placeholders' Deployment, and changes
 * nothing else it generates: small to review, and nothing the controllers
 * must undo.
 */
function serviceApplications(platform: PlatformDefinition, cluster: ClusterDefinition, service: ServiceDefinition): GeneratedFile[] {
  if (cluster.retiring) return [];
  return [generatedFile(`${clusterFolder(cluster)}/argocd/apps/${service.name}.yaml`, [serviceApplication(platform, cluster, service)])];
}

/**
 * What the cluster's Argo CD needs applied once at bootstrap (by the CDK Argo
 * CD add-on): the root application's AppProject, then the root application.
 * The same objects as in `clusters/<cluster>/argocd/`, so Argo CD adopts them.
 */
export function bootstrapObjects(platform: PlatformDefinition, cluster: ClusterDefinition): JsonObject[] {
  return [rootProject(platform), rootApplication(platform, cluster)];
}
