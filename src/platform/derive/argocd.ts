// Argo CD objects: one AppProject and one Application per tenant service, the
// platform's own projects and applications, and the root application.
//
// Application per service (generated files), not an ApplicationSet:
// - what each cluster runs is plain YAML in git, reviewed in the pull request
//   and checked by `kaji synth` before Argo CD sees it; an ApplicationSet is
//   expanded only inside the cluster, after merge;
// - every per-service, per-cluster value (namespace, project, overlay path, the
//   cluster's DNS weight patch) comes from platform.yaml, which synth has
//   already read, so a template language adds nothing but a second place for
//   logic;
// - a git-directory generator would turn any folder someone adds under apps/
//   into a deployed application; here only services named in platform.yaml
//   are deployed, each bound to its own project;
// - removing a service removes its file; the root application prunes the
//   Application, whose finalizer removes the service's objects.
import { compareCodePoints, type JsonObject } from '../../kube/index.js';
import { TENANT_FORBIDDEN_KINDS } from '../boundaries/index.js';
import { ARGOCD_TEAM_ACTIONS, KAJI_NAMESPACE, type ArgoCdTeamAction, type ClusterDefinition, type PlatformDefinition, type ServiceDefinition } from '../types.js';
import { WEBHOOK_KINDS } from './components/webhook.js';
import { dnsAnnotations, ingressDnsPatch } from './dns.js';
import {
  ARGOCD_NAMESPACE,
  IN_CLUSTER_SERVER,
  PLATFORM_APP,
  ROOT_APP,
  TENANTS_APP,
  clusterFolder,
  platformLabels,
  repositoryPath,
  serviceLabels,
  teamGroup,
} from './names.js';
import { sortedMap, toYaml } from './yaml.js';

/** A Kubernetes kind by API group ("" for the core group), as AppProject lists name them. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/**
 * Kinds a tenant may not create or change in its namespace: the platform's
 * guardrails, hand-written endpoints, TargetGroupBindings and the
 * VerticalPodAutoscalers kaji generates per workload (see
 * TENANT_FORBIDDEN_KINDS, which synth's boundaries check too). A Namespace
 * is cluster-scoped, so the empty clusterResourceWhitelist already keeps
 * tenants from touching it.
 */
export const TENANT_BLACKLIST: readonly GroupKind[] = TENANT_FORBIDDEN_KINDS.map(({ group, kind }) => ({ group, kind }));

/** Sync waves inside the root application: projects before the applications that use them, guardrails before services. */
const WAVE = { projects: '-2', platform: '-1', services: '0' } as const;

/**
 * Deletes an Application's objects when the Application is deleted, so
 * removing a service from platform.yaml removes what it ran. Only on service
 * applications: deleting a platform application must never cascade into every
 * tenant namespace.
 */
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * Automated sync: `prune` removes what was deleted from git, `selfHeal` undoes
 * changes made in the cluster by hand; `retry` covers a service synced before
 * its namespace (created by `kaji-tenants`) exists.
 */
function syncPolicy(syncOptions: readonly string[]): JsonObject {
  return {
    automated: { prune: true, selfHeal: true },
    syncOptions: [...syncOptions],
    retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
  };
}

/**
 * - CreateNamespace=false: the namespace is the platform's (labels for Pod
 *   Security, team); a service must not create one of its own.
 * - FailOnSharedResource=true: an application may not take over an object
 *   another application already manages (e.g. a tenant shadowing a guardrail).
 * - PrunePropagationPolicy=foreground, PruneLast=true: pruned objects go after
 *   the rest has synced, and their dependents go with them.
 */
const SERVICE_SYNC_OPTIONS = ['CreateNamespace=false', 'FailOnSharedResource=true', 'PrunePropagationPolicy=foreground', 'PruneLast=true'];

function argocdMetadata(name: string, labels: Record<string, string>, wave?: string, finalizers?: string[]): JsonObject {
  const metadata: JsonObject = { name, namespace: ARGOCD_NAMESPACE, labels: sortedMap(labels) };
  if (wave !== undefined) metadata.annotations = { 'argocd.argoproj.io/sync-wave': wave };
  if (finalizers !== undefined) metadata.finalizers = finalizers;
  return metadata;
}

/**
 * What each `argocd.teamActions` entry grants a team role, in Argo CD's RBAC
 * (on `applications`, for the project's applications only):
 * - restart: the built-in resource action of Deployments
 *   (`action/<group>/<kind>/<action>`), which sets a restartedAt annotation
 *   on the pod template: a rolling restart; nothing else about the Deployment;
 * - delete-pod: a fine-grained delete (`delete/<group>/<kind>/<namespace>/<name>`,
 *   all four parts given, as Argo CD advises, since its globs do not stop at
 *   "/"): Pods only, never the application or its other objects.
 */
const TEAM_ACTIONS: Readonly<Record<ArgoCdTeamAction, { readonly action: string; readonly what: string }>> = {
  restart: { action: 'action/apps/Deployment/restart', what: 'restart its Deployments' },
  'delete-pod': { action: 'delete/*/Pod/*/*', what: 'delete its Pods' },
};

/**
 * A tenant's AppProject, the boundary Argo CD enforces on its applications:
 * - sourceRepos: the manifest repository only (a pull request there is the
 *   only way in; no chart or repository of the tenant's choosing);
 * - destinations: its own namespace on the cluster's own API server only (no
 *   other tenant's namespace, no system namespace, no other cluster);
 * - clusterResourceWhitelist empty: no cluster-scoped objects (ClusterRoles,
 *   webhooks, CRDs, Namespaces...);
 * - namespaceResourceBlacklist: the guardrails the platform owns;
 * - one role for the team: see and sync its applications (and read their
 *   logs), plus only what `argocd.teamActions` adds (TEAM_ACTIONS). Its
 *   groups are `kaji:team:<team>` and, with Argo CD sign-in, the provider
 *   groups platform.yaml maps to the team (`argocd.sso.teamGroups`): Argo CD
 *   matches them against the groups claim of whoever signs in. In git, not
 *   in Argo CD's RBAC ConfigMap, so a new service, a changed mapping or
 *   changed teamActions needs no `cdk deploy`.
 */
export function tenantProject(platform: PlatformDefinition, service: ServiceDefinition): JsonObject {
  const project = service.name;
  const role = `proj:${project}:team`;
  const allowed = platform.argocd?.teamActions ?? [];
  // In ARGOCD_TEAM_ACTIONS' order, whatever the order written, so the generated file changes only with the set.
  const extras = ARGOCD_TEAM_ACTIONS.filter((name) => allowed.includes(name)).map((name) => TEAM_ACTIONS[name]);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: argocdMetadata(project, serviceLabels(service), WAVE.projects),
    spec: {
      description: `Service ${service.name} of team ${service.team}: namespace ${service.namespace} only`,
      sourceRepos: [platform.manifests.url],
      destinations: [{ server: IN_CLUSTER_SERVER, namespace: service.namespace }],
      clusterResourceWhitelist: [],
      namespaceResourceBlacklist: TENANT_BLACKLIST.map((kind) => ({ group: kind.group, kind: kind.kind })),
      roles: [
        {
          name: 'team',
          description: `Members of team ${service.team} see and sync the service's applications${extras.length > 0 ? `, ${extras.map(({ what }) => what).join(' and ')}` : ''}`,
          policies: [
            `p, ${role}, applications, get, ${project}/*, allow`,
            `p, ${role}, applications, sync, ${project}/*, allow`,
            `p, ${role}, logs, get, ${project}/*, allow`,
            ...extras.map(({ action }) => `p, ${role}, applications, ${action}, ${project}/*, allow`),
          ],
          groups: teamRoleGroups(platform, service.team),
        },
      ],
    },
  };
}

/**
 * Who holds a team's project role: with sign-in (`argocd.sso`), exactly the
 * provider groups platform.yaml maps to the team (own keys only: a team may be
 * named constructor). Not kaji:team:<team> then: Argo CD matches the claim's
 * group names as strings, and at a provider where users may name groups
 * themselves anyone could create that one. Without sign-in nobody signs in
 * with groups, and the role keeps the team's Kubernetes group as its name.
 */
function teamRoleGroups(platform: PlatformDefinition, team: string): string[] {
  const sso = platform.argocd?.sso;
  if (sso === undefined) return [teamGroup(team)];
  return Object.hasOwn(sso.teamGroups, team) ? [...(sso.teamGroups[team] ?? [])] : [];
}

/** The service's Application: its overlay for this cluster, into its namespace, under its project, with the DNS weight patch. */
export function serviceApplication(platform: PlatformDefinition, cluster: ClusterDefinition, service: ServiceDefinition): JsonObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: argocdMetadata(service.name, serviceLabels(service), WAVE.services, [RESOURCES_FINALIZER]),
    spec: {
      project: service.name,
      source: {
        repoURL: platform.manifests.url,
        targetRevision: platform.manifests.branch,
        path: repositoryPath(platform, 'apps', service.name, 'overlays', cluster.name),
        kustomize: { patches: [ingressDnsPatch(dnsAnnotations(platform, cluster))] },
      },
      destination: { server: IN_CLUSTER_SERVER, namespace: service.namespace },
      syncPolicy: syncPolicy(SERVICE_SYNC_OPTIONS),
    },
  };
}

/**
 * The project of the root application: it may only create Applications and
 * AppProjects in the argocd namespace, from the manifest repository.
 */
export function rootProject(platform: PlatformDefinition): JsonObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: argocdMetadata(ROOT_APP, platformLabels(), WAVE.projects),
    spec: {
      description: 'kaji: the root application (Applications and AppProjects of the cluster)',
      sourceRepos: [platform.manifests.url],
      destinations: [{ server: IN_CLUSTER_SERVER, namespace: ARGOCD_NAMESPACE }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
    },
  };
}

/**
 * The project of the platform's applications (`kaji-tenants`, `kaji-platform`):
 * the tenant namespaces and kaji's own, and only the cluster-scoped kinds the
 * platform creates (Namespaces, plus what registered components declare).
 * Never the argocd namespace: only the root application manages Argo CD objects.
 */
export function platformProject(
  platform: PlatformDefinition,
  namespaces: readonly string[],
  clusterScopedKinds: readonly GroupKind[],
): JsonObject {
  const kinds = new Map<string, GroupKind>();
  for (const kind of [{ group: '', kind: 'Namespace' }, ...clusterScopedKinds]) kinds.set(`${kind.group}/${kind.kind}`, kind);
  const sortedKinds = [...kinds.entries()].sort(([a], [b]) => compareCodePoints(a, b)).map(([, kind]) => kind);
  const destinations = [...new Set([KAJI_NAMESPACE, ...namespaces])].sort();
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: argocdMetadata(PLATFORM_APP, platformLabels(), WAVE.projects),
    spec: {
      description: 'kaji: tenant guardrails and the platform components of the cluster',
      sourceRepos: [platform.manifests.url],
      destinations: destinations.map((namespace) => ({ server: IN_CLUSTER_SERVER, namespace })),
      clusterResourceWhitelist: sortedKinds.map((kind) => ({ group: kind.group, kind: kind.kind })),
    },
  };
}

/** An Application of the platform for a folder of the cluster (all YAML files below it). */
function folderApplication(
  platform: PlatformDefinition,
  cluster: ClusterDefinition,
  name: string,
  project: string,
  folder: string,
  destinationNamespace: string,
  wave: string | undefined,
): JsonObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: argocdMetadata(name, platformLabels(), wave),
    spec: {
      project,
      source: {
        repoURL: platform.manifests.url,
        targetRevision: platform.manifests.branch,
        path: repositoryPath(platform, clusterFolder(cluster), folder),
        directory: { recurse: true },
      },
      destination: { server: IN_CLUSTER_SERVER, namespace: destinationNamespace },
      syncPolicy: syncPolicy(['FailOnSharedResource=true', 'PrunePropagationPolicy=foreground', 'PruneLast=true']),
    },
  };
}

/**
 * The root application (app of apps): syncs `clusters/<cluster>/argocd/`,
 * which holds every Application and AppProject of the cluster, itself
 * included (after bootstrap it manages itself).
 */
export function rootApplication(platform: PlatformDefinition, cluster: ClusterDefinition): JsonObject {
  return folderApplication(platform, cluster, ROOT_APP, ROOT_APP, 'argocd', ARGOCD_NAMESPACE, undefined);
}

/** The application of the tenants' guardrails (`clusters/<cluster>/tenants/`). */
export function tenantsApplication(platform: PlatformDefinition, cluster: ClusterDefinition): JsonObject {
  return folderApplication(platform, cluster, TENANTS_APP, PLATFORM_APP, 'tenants', KAJI_NAMESPACE, WAVE.platform);
}

/**
 * The application of the platform components (`clusters/<cluster>/platform/`).
 * cert-manager's CA injector writes the admission webhooks' caBundle in the
 * cluster; Argo CD ignores that field (also when syncing), or selfHeal would
 * wipe it and the API server could no longer call the webhook.
 */
export function platformApplication(platform: PlatformDefinition, cluster: ClusterDefinition): JsonObject {
  const application = folderApplication(platform, cluster, PLATFORM_APP, PLATFORM_APP, 'platform', KAJI_NAMESPACE, WAVE.platform);
  const spec = application.spec as JsonObject;
  const policy = spec.syncPolicy as JsonObject;
  spec.ignoreDifferences = WEBHOOK_KINDS.map(({ group, kind }) => ({ group, kind, jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] }));
  policy.syncOptions = [...(policy.syncOptions as string[]), 'RespectIgnoreDifferences=true'];
  return application;
}

/** The Secret (in argocd) the External Secrets Operator writes Argo CD's OIDC client secret into, and its key. */
export const SSO_CLIENT_SECRET = { secret: 'kaji-argocd-sso', key: 'clientSecret' } as const;

/**
 * The host name of a cluster's Argo CD: argocd.<cluster>.<domain> (one per
 * cluster, so no DNS weights). Takes only the names it needs, so the loader
 * can ask before the definition is whole.
 */
export function argoCdHost(platform: { readonly platform: Pick<PlatformDefinition['platform'], 'domain'> }, cluster: Pick<ClusterDefinition, 'name'>): string {
  return `argocd.${cluster.name}.${platform.platform.domain}`;
}

/** Where a cluster's Argo CD is served: sign-in returns to `<url>/auth/callback`, which the provider must know. */
export function argoCdUrl(platform: PlatformDefinition, cluster: ClusterDefinition): string {
  return `https://${argoCdHost(platform, cluster)}`;
}

/** Argo CD's ConfigMap entries kaji sets (Helm values `configs.cm` and `configs.rbac`), which Helm merges over the chart's own. */
export interface ArgoCdConfigMaps {
  /** argocd-cm: the reader account; with sign-in also `url` and `oidc.config`. */
  readonly cm: Record<string, string>;
  /** argocd-rbac-cm: `policy.kaji.csv`, `policy.default`; with sign-in also `scopes` (never `policy.csv`: see argoCdConfigMaps). */
  readonly rbac: Record<string, string>;
}

/**
 * kaji's own Argo CD account for its readers (`kaji upgrade` waiting for the
 * Applications, `kaji dashboard --argocd`): capability apiKey only, so no
 * password and no sign-in, and no token until an admin generates one.
 */
export const ARGOCD_READER_ACCOUNT = 'kaji-reader';

/**
 * What the reader account may do: get applications, all that those readers
 * call (GET /api/v1/applications and /api/v1/applications/{name}); every
 * project's, since every service has its own. Not logs, not settings,
 * repositories or clusters (role:readonly would add those), nothing that
 * changes anything.
 */
const READER_POLICY = [`p, role:${ARGOCD_READER_ACCOUNT}, applications, get, */*, allow`, `g, ${ARGOCD_READER_ACCOUNT}, role:${ARGOCD_READER_ACCOUNT}`];

/**
 * Argo CD's settings kaji sets in every cluster:
 * - the reader account (ARGOCD_READER_ACCOUNT) and its role;
 * - no default role (`policy.default` empty; Argo CD's chart default, set so
 *   it does not depend on it): an account or a signed-in user outside every
 *   mapped group may do nothing;
 * - with `argocd.sso`, sign-in: oidc.config straight to the provider (no
 *   Dex); the client secret is a reference (`$<secret>:<key>`) to the Secret
 *   the External Secrets Operator writes, never the value; the groups claim
 *   is requested as essential; adminGroups get role:admin, readonlyGroups
 *   role:readonly; teams get their rights from their AppProjects' roles
 *   (tenantProject), which Argo CD matches against the claim in `scopes`.
 * kaji's policy lines go in `policy.kaji.csv`, which Argo CD appends to
 * `policy.csv` (as every `policy.<name>.csv` key): `policy.csv` stays the
 * user's, and a role or an API account added there through the cluster
 * stack's `argoCdValues` keeps kaji's.
 */
export function argoCdConfigMaps(platform: PlatformDefinition, cluster: ClusterDefinition): ArgoCdConfigMaps {
  const reader = { cm: { [`accounts.${ARGOCD_READER_ACCOUNT}`]: 'apiKey' }, policy: READER_POLICY };
  const sso = platform.argocd?.sso;
  if (sso === undefined) return { cm: reader.cm, rbac: { 'policy.kaji.csv': csv(reader.policy), 'policy.default': '' } };
  const oidc: JsonObject = {
    name: sso.name,
    issuer: sso.issuer,
    clientID: sso.clientID,
    clientSecret: `$${SSO_CLIENT_SECRET.secret}:${SSO_CLIENT_SECRET.key}`,
    // `argocd login --sso` has no client secret: it signs in through a public client with PKCE.
    ...(sso.cliClientID === undefined ? {} : { cliClientID: sso.cliClientID }),
    requestedScopes: [...sso.scopes],
    requestedIDTokenClaims: { [sso.groupsClaim]: { essential: true } },
  };
  const groups = [...sso.adminGroups.map((group) => `g, ${group}, role:admin`), ...sso.readonlyGroups.map((group) => `g, ${group}, role:readonly`)];
  return {
    cm: { ...reader.cm, url: argoCdUrl(platform, cluster), 'oidc.config': toYaml(oidc) },
    rbac: {
      'policy.kaji.csv': csv([...reader.policy, ...groups]),
      'policy.default': '',
      // A flow sequence in JSON, which YAML reads the same: a claim such as https://example.com/groups needs no quoting rules.
      scopes: JSON.stringify([sso.groupsClaim]),
    },
  };
}

/** Policy lines as Argo CD's CSV: one a line, each ended. */
function csv(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}
