// The platform definition (`platform.yaml`) after validation: the one source
// of truth that the manifest generator (`kaji synth`) and the CDK app both read.
// Optional fields of the file are filled with their defaults here, so code that
// derives from a definition never has to guess.

/** Capacity types Karpenter can launch. */
export type CapacityType = 'spot' | 'on-demand';
export type Architecture = 'amd64' | 'arm64';
/** Pod Security Admission levels. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface PlatformInfo {
  /** Short name, used in resource names and labels (DNS-1123 label). */
  readonly name: string;
  /** AWS region, e.g. eu-west-1. */
  readonly region: string;
  /** AWS account ID, 12 digits. */
  readonly account: string;
  /** The DNS domain every public host must be under, e.g. labs.example.com. */
  readonly domain: string;
  /**
   * IAM role ARNs of the platform admins: cluster admin on every cluster. The
   * loader always fills it; optional for definitions made in code.
   * @default []
   */
  readonly adminRoles?: readonly string[];
  /**
   * IPv4 CIDRs that may reach every cluster's public API endpoint; empty: the
   * endpoint is private. The loader always fills it; optional for definitions
   * made in code.
   * @default []
   */
  readonly apiEndpointCidrs?: readonly string[];
  /** The account's existing GitHub Actions OIDC provider. @default undefined: the shared stack creates one */
  readonly githubOidcProviderArn?: string;
  /** An existing public hosted zone of the domain, by id. @default undefined: the shared stack creates one */
  readonly hostedZoneId?: string;
}

export interface ManifestRepository {
  /** Clone URL Argo CD pulls from. */
  readonly url: string;
  /** @default "main" */
  readonly branch: string;
  /** Folder inside the repository that holds `clusters/` and `apps/`. @default "." */
  readonly path: string;
  /** Where a checkout of the repository is, relative to platform.yaml (what `kaji synth` writes into). @default "manifests" */
  readonly localPath: string;
}

export interface ClusterDefinition {
  /** `blue`, `green`...: a DNS-1123 label, used in DNS set identifiers and folder names. */
  readonly name: string;
  /** Kubernetes minor version as EKS names it, e.g. "1.32". */
  readonly kubernetesVersion: string;
  /** Route 53 weight of this cluster's records, 0-255. */
  readonly weight: number;
  /** Being retired (kaji upgrade finish): synth writes no service Applications for it. Weight 0. @default false */
  readonly retiring: boolean;
}

/** Spare capacity kept ready: fixed units, or a share of the services' quota cpu and memory. */
export type Headroom = (
  | { readonly kind: 'units'; readonly cpu: string; readonly memory: string }
  | { readonly kind: 'percent'; readonly percent: number }
) & {
  /** The placeholders' image, with its tag or digest. @default "registry.k8s.io/pause:3.10.2" */
  readonly image: string;
};

/** NodePool `spec.limits`: the most Karpenter may launch in total, in the nodes' own cpu and memory. */
export interface NodePoolLimits {
  /** Total vCPUs, a canonical Kubernetes quantity. @default "256" */
  readonly cpu: string;
  /** Total memory, a canonical Kubernetes quantity. @default "1024Gi" */
  readonly memory: string;
}

/** What a disruption budget applies to (Karpenter v1's disruption reasons). */
export type DisruptionReason = 'Empty' | 'Drifted' | 'Underutilized';

/** One NodePool disruption budget (`spec.disruption.budgets[]`). */
export interface DisruptionBudget {
  /** How many nodes may be disrupted at once: a count ("1") or a share ("10%"); "0" blocks disruption. */
  readonly nodes: string;
  /** What the budget applies to. @default every reason (Empty, Drifted, Underutilized) */
  readonly reasons?: readonly DisruptionReason[];
  /** When the budget starts, a cron expression in UTC; with `duration`. @default always active */
  readonly schedule?: string;
  /** How long it lasts from each `schedule`, e.g. "8h". @default always active */
  readonly duration?: string;
}

/** How Karpenter removes and replaces nodes (the NodePool's `spec.disruption`). */
export interface NodeDisruption {
  /** Which nodes consolidation may remove: empty ones only, or also underused ones. @default "WhenEmptyOrUnderutilized" */
  readonly consolidationPolicy: 'WhenEmptyOrUnderutilized' | 'WhenEmpty';
  /** How long a node stays empty or underused before consolidation acts, e.g. "1m", or "Never". @default "1m" */
  readonly consolidateAfter: string;
  /** @default [{ nodes: "10%" }] */
  readonly budgets: readonly DisruptionBudget[];
}

export interface CapacityDefinition {
  /** In order of preference. @default ["spot", "on-demand"] */
  readonly capacityTypes: readonly CapacityType[];
  /** EC2 instance categories, e.g. ["c", "m", "r"]. @default ["c", "m", "r"] */
  readonly instanceCategories: readonly string[];
  /** EC2 instance families, e.g. ["m7g"]; empty = any in the categories. @default [] */
  readonly instanceFamilies: readonly string[];
  /** @default ["amd64"] */
  readonly architectures: readonly Architecture[];
  /** @default { kind: "percent", percent: 10 } */
  readonly headroom: Headroom;
  /** @default { cpu: "256", memory: "1024Gi" } */
  readonly limits: NodePoolLimits;
  /** How long a node lives before Karpenter replaces it: a duration such as "720h", or "Never". @default "720h" */
  readonly expireAfter: string;
  readonly disruption: NodeDisruption;
}

export interface TeamDefinition {
  /** DNS-1123 label. */
  readonly name: string;
  /** The IAM principal (role ARN) whose members act as this team in the clusters. */
  readonly identity: string;
}

export interface ResourceAmounts {
  /** Canonical Kubernetes quantity strings. */
  readonly cpu: string;
  readonly memory: string;
}

export interface ServiceQuota extends ResourceAmounts {
  readonly pods: number;
  /**
   * The most the namespace's PersistentVolumeClaims may request in total
   * (canonical quantity); "0" allows no claims at all.
   * @default "0"
   */
  readonly storage: string;
  /**
   * The most PersistentVolumeClaims the namespace may hold: above 0 exactly
   * when storage is.
   * @default the pods quota when storage is above 0, else 0
   */
  readonly persistentVolumeClaims: number;
}

/**
 * One outbound destination of a service beyond the platform (`egress` in
 * platform.yaml).
 *
 * - `internet`: every public IPv4 address (0.0.0.0/0 except the private,
 *   shared and link-local ranges: see INTERNET_EXCEPT) on TCP 443 and 80;
 * - `cidr`: an IPv4 or IPv6 block (canonical: no host bits set) on the TCP
 *   `ports` given, or on every port and protocol when `ports` is empty.
 */
export type EgressDestination =
  | { readonly kind: 'internet' }
  | { readonly kind: 'cidr'; readonly cidr: string; readonly ports: readonly number[] };

export interface ServiceDefinition {
  /** DNS-1123 label; also the folder `apps/<name>/`. */
  readonly name: string;
  /** The owning team (a TeamDefinition name). */
  readonly team: string;
  /** @default the service name */
  readonly namespace: string;
  /** Image repository without tag, e.g. 111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna. */
  readonly image: string;
  /** The app repository (owner/name) whose CI releases this service, for CI roles and compare links. @default undefined */
  readonly sourceRepository?: string;
  readonly quota: ServiceQuota;
  /**
   * Defaults a LimitRange gives containers that do not say; each of the four
   * values defaults on its own.
   * @default { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } }
   */
  readonly defaults: { readonly requests: ResourceAmounts; readonly limits: ResourceAmounts };
  /** Public hosts, each under the platform domain. @default [] */
  readonly hosts: readonly string[];
  /** @default "restricted" */
  readonly podSecurity: PodSecurityLevel;
  /**
   * Other tenant services (by name) whose pods may call this one: ingress from
   * their namespaces here, and egress to this namespace there. @default []
   */
  readonly allowFrom: readonly string[];
  /** Outbound destinations beyond the platform (AWS API endpoints, databases, the internet). @default [] */
  readonly egress: readonly EgressDestination[];
}

export interface NetworkDefinition {
  /**
   * The shared VPC's IPv4 CIDR. The loader always fills it; optional for
   * definitions made in code.
   * @default "10.0.0.0/16"
   */
  readonly vpcCidr?: string;
  /**
   * The three availability zones the VPC spans. The loader always fills it;
   * optional for definitions made in code.
   * @default the region's a, b and c zones (see defaultAvailabilityZones)
   */
  readonly availabilityZones?: readonly string[];
  /**
   * The CIDRs of the subnets the ALBs live in: public traffic reaches the pods
   * of services with hosts from these addresses. @default the first /20 of vpcCidr, ["10.0.0.0/20"]
   */
  readonly loadBalancerCidrs: readonly string[];
  /**
   * AWS services reached through interface VPC endpoints with private DNS
   * (endpoint service names such as "sts", "sqs", "email", "dynamodb"), so pods
   * call AWS inside the VPC; the CDK shared stack creates them. @default []
   */
  readonly awsEndpoints: readonly string[];
}

/** What the API server does when the admission webhook cannot answer in time. */
export type WebhookFailurePolicy = 'Fail' | 'Ignore';

/** The admission webhook (`kaji webhook`) that kaji synth deploys to every cluster (`webhook` in platform.yaml). */
export interface WebhookDefinition {
  /** Deploy the webhook and register it with the API server. @default true */
  readonly enabled: boolean;
  /**
   * `Fail`: a request the webhook cannot judge (down, timed out) is refused —
   * nothing escapes the policy, but an outage of the webhook blocks deploys
   * (kaji-system and the namespaces CDK installs into, CDK_NAMESPACES, are
   * never sent to it, so the cluster, Argo CD and cert-manager can still
   * repair it). `Ignore`: such a request is admitted —
   * deploys never wait on the webhook, but during an outage unchecked objects
   * get in (CI still checks everything that goes through git). @default "Fail"
   */
  readonly failurePolicy: WebhookFailurePolicy;
  /** How long the API server waits for an answer, 1-30 seconds. @default 5 */
  readonly timeoutSeconds: number;
  /** The kaji image with its tag or digest. @default "<account>.dkr.ecr.<region>.amazonaws.com/kaji:<kaji version>" */
  readonly image: string;
}

export interface PlatformDefinition {
  /** The file the definition was read from (absolute path). */
  readonly file: string;
  readonly platform: PlatformInfo;
  readonly manifests: ManifestRepository;
  readonly clusters: readonly ClusterDefinition[];
  readonly capacity: CapacityDefinition;
  /** @default { vpcCidr: "10.0.0.0/16", availabilityZones: the region's three, loadBalancerCidrs: ["10.0.0.0/20"], awsEndpoints: [] } */
  readonly network: NetworkDefinition;
  /** The policy file (Polaris format), relative to platform.yaml. @default "polaris.yaml" */
  readonly policy: string;
  /** Image repository prefixes any service may use besides its own (e.g. a shared base-image registry). @default [] */
  readonly imageAllowlist: readonly string[];
  /** @default { enabled: true, failurePolicy: "Fail", timeoutSeconds: 5, image: "<account>.dkr.ecr.<region>.amazonaws.com/kaji:<kaji version>" } */
  readonly webhook: WebhookDefinition;
  readonly teams: readonly TeamDefinition[];
  readonly services: readonly ServiceDefinition[];
  /** Argo CD settings (`argocd` in platform.yaml); absent: none written (no SSO, Argo CD's admin account only). */
  readonly argocd?: ArgoCdSettings;
}

export interface ArgoCdSettings {
  /** Sign-in with the company's OpenID Connect provider. @default undefined (no SSO) */
  readonly sso?: ArgoCdSso;
  /** Serve each cluster's Argo CD at https://argocd.<cluster>.<domain> through an ALB. @default undefined (not served: port-forward, or serve it yourself) */
  readonly ingress?: ArgoCdIngress;
  /** What every team role may do besides see and sync its applications and read their logs. @default undefined (nothing more) */
  readonly teamActions?: readonly ArgoCdTeamAction[];
}

/**
 * What a team role may be allowed beyond get, sync and logs (`argocd.teamActions`),
 * a closed list: restart: the Deployment restart action; delete-pod: deleting
 * the Pods of its applications. Not a free-form policy, so no platform.yaml
 * can hand a team the rights to change or delete what git holds.
 */
export const ARGOCD_TEAM_ACTIONS = ['restart', 'delete-pod'] as const;
export type ArgoCdTeamAction = (typeof ARGOCD_TEAM_ACTIONS)[number];

/** Who can reach Argo CD's ALB: from the VPC only, or from the internet. */
export type ArgoCdIngressScheme = 'internal' | 'internet-facing';

/**
 * Each cluster's Argo CD at https://argocd.<cluster>.<domain> (`argocd.ingress`):
 * an ALB of its own (the Argo CD chart's Ingress for the AWS Load Balancer
 * Controller), HTTPS with an ACM certificate the cluster stack creates.
 */
export interface ArgoCdIngress {
  /** internal: reachable from the VPC (and what is connected to it); internet-facing: from allowedCidrs. @default "internal" */
  readonly scheme: ArgoCdIngressScheme;
  /** IPv4 CIDRs that may reach the ALB; required for internet-facing. @default undefined (the VPC's CIDR) */
  readonly allowedCidrs?: readonly string[];
}

/**
 * Signing in to each cluster's Argo CD with an OpenID Connect provider
 * (`argocd.sso`): Argo CD's `oidc.config`, its RBAC, and which of the
 * provider's groups act as which team.
 */
export interface ArgoCdSso {
  /** What the login button says ("Log in via <name>"). @default "SSO" */
  readonly name: string;
  /** The provider's issuer URL, exactly as its discovery document names it. */
  readonly issuer: string;
  /** The client ID of Argo CD's application at the provider. */
  readonly clientID: string;
  /** The client ID of a second, public application (PKCE, no secret) for `argocd login --sso`. @default none: the CLI cannot sign in with SSO */
  readonly cliClientID?: string;
  /** The Secrets Manager secret (by name) whose value is the client secret. @default "kaji/<platform>/argocd-sso" */
  readonly clientSecretName: string;
  /** Scopes requested at sign-in. @default ["openid", "profile", "email", "groups"] */
  readonly scopes: readonly string[];
  /** The ID token claim that lists the user's groups. @default "groups" */
  readonly groupsClaim: string;
  /** Provider groups whose members are Argo CD admins (role:admin). @default [] */
  readonly adminGroups: readonly string[];
  /** Provider groups whose members may see every application (with its objects and logs), project, repository and cluster, and change nothing (role:readonly). @default [] */
  readonly readonlyGroups: readonly string[];
  /** Per team (by name), the provider groups whose members act as the team; a team not listed has no one in Argo CD. @default {} */
  readonly teamGroups: Readonly<Record<string, readonly string[]>>;
}

/**
 * Namespaces no tenant may take: Kubernetes', Argo CD's and kaji's own, and
 * those the cluster stacks install add-ons into (src/infra/addons). A service
 * in an add-on's namespace could run pods as the add-on's service account and
 * so get its IAM role, which EKS Pod Identity binds to namespace and service
 * account (External Secrets' reads Argo CD's repository credentials).
 */
export const RESERVED_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'default',
  'argocd',
  'kaji-system',
  'cert-manager',
  'external-dns',
  'external-secrets',
] as const;

/**
 * What `internet` leaves out of 0.0.0.0/0: the private ranges (RFC 1918: the
 * VPC, so other tenants' pods and nodes), the shared address space (RFC 6598:
 * pod subnets with EKS custom networking) and link-local (the instance
 * metadata service at 169.254.169.254 and the Pod Identity agent, allowed on
 * its own).
 */
export const INTERNET_EXCEPT = ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] as const;

/** TCP ports `internet` opens. */
export const INTERNET_PORTS = [443, 80] as const;

/** kaji's own namespace in every cluster (webhook, headroom). */
export const KAJI_NAMESPACE = 'kaji-system';

/** The name of the headroom's PriorityClass, Deployment and pods (app.kubernetes.io/name), in KAJI_NAMESPACE: what `kaji capacity` finds them by. */
export const HEADROOM_NAME = 'kaji-headroom';

/** Service names kaji and Argo CD use for their own Applications and AppProjects. */
export const RESERVED_SERVICE_NAMES = ['kaji-root', 'kaji-tenants', 'kaji-platform', 'default'] as const;
