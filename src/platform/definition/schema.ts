// The JSON Schema of `platform.yaml` (draft-07, the draft editors support best):
// the one source for validation (load.ts) and for the shipped file
// `schema/platform.schema.json` (scripts/generate-schema.ts), which editors use
// for completion through `# yaml-language-server: $schema=...`.
//
// Every value pattern is written inline (no $ref), so descriptions stay next to
// what they describe in every editor; load.ts finds the wording of a pattern's
// error in PATTERN_MESSAGES by the pattern text.

import { readFileSync } from 'node:fs';
import { ARGOCD_TEAM_ACTIONS, INTERNET_EXCEPT, INTERNET_PORTS, RESERVED_NAMESPACES } from '../types.js';
import { ecrRegistry } from './aws-network.js';
import { SUPPORTED_KUBERNETES_VERSIONS } from './eks-versions.js';
import { GIT_BRANCH } from './patterns.js';

/** Values the loader fills in for optional keys; the schema's `default`s say the same. */
export const PLATFORM_DEFAULTS = {
  branch: 'main',
  path: '.',
  localPath: 'manifests',
  capacityTypes: ['spot', 'on-demand'],
  instanceCategories: ['c', 'm', 'r'],
  instanceFamilies: [],
  architectures: ['amd64'],
  headroomPercent: 10,
  /** The pause image Kubernetes itself uses (multi-arch, runs as 65535): it only waits for SIGTERM. */
  headroomImage: 'registry.k8s.io/pause:3.10.2',
  policy: 'polaris.yaml',
  imageAllowlist: [],
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '1', memory: '512Mi' },
  storage: '0',
  hosts: [],
  podSecurity: 'restricted',
  allowFrom: [],
  egress: [],
  vpcCidr: '10.0.0.0/16',
  /** The first /20 of the default vpcCidr; another VPC's first /20 when vpcCidr is set. */
  loadBalancerCidrs: ['10.0.0.0/20'],
  awsEndpoints: [] as string[],
  webhookEnabled: true,
  failurePolicy: 'Fail',
  timeoutSeconds: 5,
  /** The NodePool's limits, node lifetime and disruption settings (Karpenter's own defaults but for consolidateAfter, which it leaves at 0s). */
  nodePoolLimits: { cpu: '256', memory: '1024Gi' },
  expireAfter: '720h',
  consolidationPolicy: 'WhenEmptyOrUnderutilized',
  consolidateAfter: '1m',
  disruptionBudgets: [{ nodes: '10%' }],
  ssoName: 'SSO',
  /** Argo CD's own default scopes for oidc.config. */
  ssoScopes: ['openid', 'profile', 'email', 'groups'],
  ssoGroupsClaim: 'groups',
  argoCdIngressScheme: 'internal',
} as const;

/** The default Secrets Manager secret of Argo CD's OIDC client secret, beside the repository credentials' `kaji/<platform>/manifest-repository`. */
export function defaultSsoClientSecretName(platform: string): string {
  return `kaji/${platform}/argocd-sso`;
}

let version: string | undefined;

/** The kaji version (package.json, read once), the tag of the default webhook image. */
export function kajiVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

/** The default webhook image: kaji's repository in the platform's own ECR registry (in its partition's domain), tagged with this kaji's version. */
export function defaultWebhookImage(account: string, region: string): string {
  return `${ecrRegistry(account, region)}/kaji:${kajiVersion()}`;
}

/** The one word an egress entry may be instead of a {cidr, ports} mapping. */
export const INTERNET = 'internet';

export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** Labels of at most 63 characters (DNS's limit; Kubernetes and Route 53 refuse longer ones). */
export const DNS_NAME = '^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
export const AWS_ACCOUNT = '^[0-9]{12}$';
export const AWS_REGION = '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$';
export const QUANTITY = '^(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$';
export const GIT_URL = '^(https://|ssh://|git@[^\\s:]+:|file://)\\S+$';
export const IAM_ROLE_ARN = '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[\\w+=,.@/-]+$';
/** The account's IAM OIDC provider for GitHub Actions (an account holds one provider per URL). */
export const GITHUB_OIDC_PROVIDER_ARN = '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$';
/** A Route 53 hosted zone id, without the "/hostedzone/" of some API answers. */
export const HOSTED_ZONE_ID = '^Z[A-Z0-9]{1,31}$';
/** An availability zone's name: its region and a letter. */
export const AVAILABILITY_ZONE = '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+[a-z]$';
export const IMAGE_REPOSITORY =
  '^([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*$';
/** An image reference with a tag or a digest (the webhook image: never an implicit latest). */
export const IMAGE_REFERENCE = `${IMAGE_REPOSITORY.slice(0, -1)}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$`;
/** GitHub's limits: an owner of at most 39 characters, a repository name of at most 100. */
export const SOURCE_REPOSITORY = '^[A-Za-z0-9][-A-Za-z0-9]{0,38}/[A-Za-z0-9._-]{1,100}$';
export const INSTANCE_CATEGORY = '^[a-z]+$';
export const INSTANCE_FAMILY = '^[a-z][a-z0-9-]*$';
/** A Karpenter duration (Go's units s, m and h, e.g. 720h or 1h30m), or Never. */
export const DURATION = '^(([0-9]+[smh])+|Never)$';
/** How many nodes a disruption budget lets go at once: a count or a percent, 0-100%. */
export const BUDGET_NODES = '^([0-9]+|(100|[0-9]{1,2})%)$';
/** How long a disruption budget lasts: hours and minutes only, as cron has no seconds. */
export const BUDGET_DURATION = '^(?=[0-9])([0-9]+h)?([0-9]+m)?$';
/** A cron schedule of five fields, or one of the @ macros Karpenter accepts. */
export const CRON_SCHEDULE = '^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|\\S+( +\\S+){4})$';
/** A folder inside the repository: relative, with no ".." segment, so nothing lands outside it ("./x", "x/" and spaces are fine; no control characters or backslashes). */
export const REPOSITORY_FOLDER = '^(?!/)(?!(?:.*/)?\\.\\.(?:/|$))[^\\x00-\\x1f\\x7f\\\\]+$';
/** An OpenID Connect issuer: https, no query or fragment (the spec allows neither). */
export const OIDC_ISSUER = '^https://[^\\s/?#@]+(/[^\\s?#]*)?$';
/** A Secrets Manager secret name (its own characters; not an ARN, so no ":"). */
export const SECRET_NAME = '^[A-Za-z0-9/_+=.@-]+$';
/**
 * A group as the identity provider names it in the groups claim. Argo CD
 * reads group mappings as CSV lines (`g, <group>, <role>`), so no comma or
 * double quote, and no space at either end, which CSV would drop.
 */
export const SSO_GROUP = '^[^\\s,"]([^,"\\x00-\\x1f\\x7f]*[^\\s,"])?$';
/** An OAuth scope (RFC 6749's scope-token: printable ASCII but space, double quote and backslash). */
export const OAUTH_SCOPE = '^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$';
/** An ID token claim's name (a URL for some providers): anything but whitespace. */
export const CLAIM_NAME = '^\\S+$';

/** What a value must look like, by the pattern it failed (said after "must be"). */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [DNS_LABEL]: 'a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  [DNS_NAME]: 'a lowercase DNS name such as labs.example.com (labels of at most 63 letters, digits and "-", separated by dots)',
  [AWS_ACCOUNT]: 'a 12-digit AWS account ID such as "111122223333" (quote it, so YAML keeps leading zeros)',
  [AWS_REGION]: 'an AWS region such as eu-west-1 or us-east-2',
  [QUANTITY]: 'a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"',
  [GIT_URL]: 'a git URL Argo CD can clone: https://..., ssh://... or git@host:owner/repo.git',
  [IAM_ROLE_ARN]: 'an IAM role ARN such as arn:aws:iam::111122223333:role/team-blog',
  [GITHUB_OIDC_PROVIDER_ARN]: 'the ARN of a GitHub Actions OIDC provider, such as arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
  [HOSTED_ZONE_ID]: 'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without "/hostedzone/")',
  [AVAILABILITY_ZONE]: 'an availability zone name such as eu-west-1a',
  [IMAGE_REPOSITORY]: 'an image repository without tag or digest, such as 111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna',
  [IMAGE_REFERENCE]: 'an image with its tag or digest, such as 111122223333.dkr.ecr.eu-west-1.amazonaws.com/kaji:0.1.0',
  [SOURCE_REPOSITORY]: 'a GitHub repository as owner/name, such as labs/antenna (an owner of at most 39 characters, a name of at most 100)',
  [INSTANCE_CATEGORY]: 'an EC2 instance category such as c, m or r',
  [INSTANCE_FAMILY]: 'an EC2 instance family such as m7g or c6i',
  [GIT_BRANCH]: 'a git branch name such as main or release/2026 (no spaces or ~^:?*[\\, no ".." or "@{"; not starting with "-" or ".", not ending with "/", "." or ".lock"; not HEAD)',
  [DURATION]: 'a duration of whole s, m and h such as 720h, 30m or 1h30m, or Never',
  [BUDGET_NODES]: 'a node count such as "1" or a percent of the nodes such as "10%" (0-100%)',
  [BUDGET_DURATION]: 'hours and minutes such as 8h, 30m or 1h30m',
  [CRON_SCHEDULE]: 'a cron schedule of five fields such as "0 9 * * mon-fri" (UTC), or @daily, @weekly...',
  [REPOSITORY_FOLDER]: 'a folder inside the repository, such as . or deploy/platform (relative, no ".." segment)',
  [OIDC_ISSUER]: 'an https URL without query or fragment, such as https://login.example.com/oauth2/default (the issuer exactly as the provider\'s discovery document names it)',
  [SECRET_NAME]: 'a Secrets Manager secret name such as kaji/labs/argocd-sso (letters, digits and /_+=.@-; the name, not an ARN)',
  [SSO_GROUP]: 'a group name as the identity provider sends it, such as platform-team (no comma or double quote, no space at either end)',
  [OAUTH_SCOPE]: 'an OAuth scope such as openid or groups (no spaces, double quotes or backslashes)',
  [CLAIM_NAME]: 'a claim name such as groups or cognito:groups (no spaces)',
};

type Schema = Record<string, unknown>;

function text(pattern: string, description: string, extra: Schema = {}): Schema {
  return { type: 'string', description, pattern, ...extra };
}

function dnsLabel(description: string): Schema {
  return text(DNS_LABEL, description, { maxLength: 63 });
}

function quantity(description: string): Schema {
  return { type: ['string', 'number'], description, pattern: QUANTITY, minimum: 0 };
}

function object(description: string, properties: Record<string, Schema>, required: readonly string[], extra: Schema = {}): Schema {
  return { type: 'object', description, properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false, ...extra };
}

function list(description: string, items: Schema, extra: Schema = {}): Schema {
  return { type: 'array', description, items, ...extra };
}

function amounts(description: string, what: 'request' | 'limit', defaults: { cpu: string; memory: string }): Schema {
  return object(
    `${description} Each key is optional; unset keys default to ${defaults.cpu} cpu and ${defaults.memory} memory.`,
    {
      cpu: quantity(`Default cpu ${what} per container. @default "${defaults.cpu}"`),
      memory: quantity(`Default memory ${what} per container. @default "${defaults.memory}"`),
    },
    [],
    { default: { ...defaults } },
  );
}

const D = PLATFORM_DEFAULTS;
/**
 * The most pods (and claims) a service's quota may allow: Kubernetes' own
 * limit for a whole cluster (150,000 pods, "Considerations for large
 * clusters"). Past it a number only hides a typo, and past 2^53 YAML's
 * reading of it already changed it.
 */
const MOST_PODS = 150_000;

/** A CIDR: its form is checked by load.ts (IPv4 and IPv6 are beyond a readable pattern). */
function cidr(description: string): Schema {
  return { type: 'string', minLength: 1, description };
}

const INTERNET_DESCRIPTION =
  `"${INTERNET}": every public IPv4 address (0.0.0.0/0 except ${INTERNET_EXCEPT.join(', ')}: the VPC, pod and link-local ranges, so neither other tenants nor the instance metadata service) ` +
  `on TCP ${INTERNET_PORTS.join(' and ')}. For crawlers, webhooks to third parties, and AWS APIs reached through the NAT gateway.`;

/** One egress entry: the word internet, or a {cidr, ports} mapping. */
const EGRESS_ENTRY: Schema = {
  description: `An outbound destination: ${INTERNET_DESCRIPTION} Or {cidr, ports}: a CIDR (e.g. the VPC endpoint or database subnets) on the TCP ports listed.`,
  if: { type: 'string' },
  then: { type: 'string', enum: [INTERNET], description: INTERNET_DESCRIPTION },
  else: object(
    'A CIDR, on the TCP ports listed (all ports and protocols when ports is left out).',
    {
      cidr: cidr('An IPv4 or IPv6 CIDR without host bits, e.g. 10.0.16.0/20 or 2600:1f18:abcd::/56. A block holding 169.254.169.254 still excludes the instance metadata service.'),
      ports: list(
        'TCP ports, e.g. [443] or [3306]; leave out for every port and protocol.',
        { type: 'integer', minimum: 1, maximum: 65535, description: 'A TCP port, 1-65535.' },
        { minItems: 1, uniqueItems: true },
      ),
    },
    ['cidr'],
  ),
};

/** The JSON Schema of platform.yaml. */
export const PLATFORM_SCHEMA: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'kaji platform definition (platform.yaml)',
  description:
    'One platform: its AWS account and domain, the manifest repository Argo CD pulls from, the EKS clusters, node capacity, policy, teams and every tenant service. `kaji synth` and the CDK app both read it.',
  type: 'object',
  properties: {
    platform: object(
      'The platform itself: name, AWS region and account, DNS domain, and the IAM roles of its admins.',
      {
        name: dnsLabel('Short name of the platform, used in resource names and labels (a DNS-1123 label), e.g. labs.'),
        region: text(AWS_REGION, 'AWS region the clusters run in, e.g. eu-west-1.'),
        account: text(AWS_ACCOUNT, 'AWS account ID, 12 digits, quoted (e.g. "111122223333").'),
        domain: text(DNS_NAME, 'The DNS domain (a Route 53 hosted zone) every public host must be under, e.g. labs.example.com.', {
          maxLength: 253,
        }),
        adminRoles: list(
          'IAM roles whose members administer every cluster: each gets an EKS access entry with AmazonEKSClusterAdminPolicy at cluster scope. A cluster gives whoever deploys it no access, so without one no person can use kubectl there (kaji capacity, dashboard, rightsize, upgrade). A role here must not also be a team\'s identity. @default []',
          text(IAM_ROLE_ARN, 'An IAM role ARN, e.g. arn:aws:iam::111122223333:role/platform-admins.'),
          { uniqueItems: true, default: [] },
        ),
        apiEndpointCidrs: list(
          'IPv4 networks that may reach every cluster\'s Kubernetes API from outside the VPC, such as an office or VPN egress: the endpoint is then public to these CIDRs only (private access stays on). Empty: the endpoint is private, reachable from the VPC and networks connected to it (peering, VPN, Direct Connect). @default []',
          cidr('An IPv4 CIDR such as 203.0.113.0/24 (not 0.0.0.0/0).'),
          { uniqueItems: true, default: [] },
        ),
        githubOidcProviderArn: text(
          GITHUB_OIDC_PROVIDER_ARN,
          'The account\'s existing IAM OIDC provider for GitHub Actions, which the services\' CI roles trust. IAM allows one provider per URL in an account: name it here when the account has one (aws iam list-open-id-connect-providers), or the shared stack\'s first deployment fails with "already exists". @default none: the shared stack creates the provider',
        ),
        hostedZoneId: text(
          HOSTED_ZONE_ID,
          'An existing Route 53 public hosted zone of the domain, by id, for the shared stack to use instead of creating one (aws route53 list-hosted-zones-by-name --dns-name <domain>). @default none: the shared stack creates the zone; delegate it from the parent zone before the cluster stacks are deployed',
        ),
      },
      ['name', 'region', 'account', 'domain'],
    ),
    manifests: object(
      'The manifest repository Argo CD pulls from: `clusters/<cluster>/` (generated by kaji synth) and `apps/<service>/` (owned by the service teams).',
      {
        url: text(GIT_URL, 'Clone URL Argo CD pulls from, e.g. https://github.com/labs/manifests.git.'),
        branch: text(GIT_BRANCH, `Branch Argo CD follows. @default "${D.branch}"`, { default: D.branch }),
        path: text(REPOSITORY_FOLDER, `Folder inside the repository that holds clusters/ and apps/. @default "${D.path}"`, { default: D.path }),
        localPath: {
          type: 'string',
          minLength: 1,
          description: `Where a checkout of the repository is, relative to platform.yaml: what kaji synth writes into. @default "${D.localPath}"`,
          default: D.localPath,
        },
      },
      ['url'],
    ),
    clusters: list(
      'The EKS clusters (at least one). Two clusters on different Kubernetes versions make a blue/green upgrade; their DNS weights move traffic between them.',
      object(
        'One EKS cluster.',
        {
          name: dnsLabel('Cluster name such as blue or green: a DNS-1123 label, used in DNS set identifiers and folder names (clusters/<name>/).'),
          kubernetesVersion: {
            type: 'string',
            enum: [...SUPPORTED_KUBERNETES_VERSIONS],
            description: `Kubernetes minor version as EKS names it, quoted (e.g. "1.32"; unquoted YAML reads 1.30 as the number 1.3). kaji supports ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}: the EKS versions it has pinned add-ons, charts, a kubectl layer and an AMI for.`,
          },
          weight: {
            type: 'integer',
            minimum: 0,
            maximum: 255,
            description: 'Route 53 weight of this cluster\'s records, 0-255: the share of traffic is weight / sum of weights. At least one cluster needs a weight above 0.',
          },
          retiring: {
            type: 'boolean',
            description:
              'The cluster is being retired (kaji upgrade finish sets it): kaji synth no longer writes its service Applications (clusters/<name>/argocd/apps/), so its Argo CD prunes them, and with their Ingresses their load balancers and DNS records, nor its headroom placeholders (nothing holds nodes for services that no longer run there); the rest of clusters/<name>/ stays until the cluster is removed from this list. Needs weight 0, and another cluster that is not retiring. @default false',
            default: false,
          },
        },
        ['name', 'kubernetesVersion', 'weight'],
      ),
      { minItems: 1 },
    ),
    capacity: object(
      'Node capacity Karpenter provisions for every cluster.',
      {
        capacityTypes: list(
          `Capacity types in order of preference. @default ${JSON.stringify(D.capacityTypes)}`,
          { type: 'string', enum: ['spot', 'on-demand'], description: 'spot or on-demand.' },
          { minItems: 1, uniqueItems: true, default: [...D.capacityTypes] },
        ),
        instanceCategories: list(
          `EC2 instance categories, e.g. ["c", "m", "r"]. @default ${JSON.stringify(D.instanceCategories)}`,
          text(INSTANCE_CATEGORY, 'An EC2 instance category (the letters before the generation), e.g. m.'),
          { minItems: 1, uniqueItems: true, default: [...D.instanceCategories] },
        ),
        instanceFamilies: list(
          'EC2 instance families, e.g. ["m7g", "c7g"]; empty means any family in the categories. @default []',
          text(INSTANCE_FAMILY, 'An EC2 instance family, e.g. m7g.'),
          { uniqueItems: true, default: [] },
        ),
        architectures: list(
          `CPU architectures of the nodes. @default ${JSON.stringify(D.architectures)}`,
          { type: 'string', enum: ['amd64', 'arm64'], description: 'amd64 or arm64.' },
          { minItems: 1, uniqueItems: true, default: [...D.architectures] },
        ),
        headroom: {
          type: 'object',
          description: `Spare node capacity kept ready in every cluster, so a new pod starts at once instead of waiting for a node: placeholder pods at the lowest priority (kaji-headroom, in kaji-system) that any other pod preempts, in slices of at most 1 cpu and 4Gi. Either fixed units ({cpu, memory}) or a share of the services' quotas ({percent}); 0 (cpu or memory 0, or percent 0) means none. @default {"percent": ${D.headroomPercent}}`,
          properties: {
            cpu: quantity('Spare cpu kept ready in each cluster, e.g. 2 or "1500m"; 0 means no headroom. Needs memory too; not with percent.'),
            image: text(
              IMAGE_REFERENCE,
              `The placeholders' image, with its tag or digest: a copy of ${D.headroomImage} in a registry the nodes can reach and the policy allows (e.g. the platform's ECR). With cpu and memory, or with percent. @default "${D.headroomImage}"`,
            ),
            memory: quantity('Spare memory kept ready in each cluster, e.g. "4Gi"; 0 means no headroom. Needs cpu too; not with percent.'),
            percent: {
              type: 'number',
              minimum: 0,
              maximum: 100,
              description:
                'Spare capacity as a percent of the sum of the services\' quota cpu and memory, 0-100; 0 means no headroom. The quotas, not the pods\' requests: platform.yaml knows them, so a release of a service never changes the generated files. Not with cpu and memory.',
            },
          },
          additionalProperties: false,
          if: { required: ['percent'] },
          then: { properties: { cpu: false, memory: false } },
          else: { required: ['cpu', 'memory'] },
          default: { percent: D.headroomPercent },
        },
        limits: object(
          `The most Karpenter's NodePool may launch in total, counted in the nodes' own cpu and memory (what the instances have, not what pods request): it launches no node past either. Headroom counts against them. Each key is optional. @default ${JSON.stringify(D.nodePoolLimits)}`,
          {
            cpu: quantity(`Total vCPUs of all the nodes, e.g. 256 or "64". @default "${D.nodePoolLimits.cpu}"`),
            memory: quantity(`Total memory of all the nodes, e.g. "1024Gi". @default "${D.nodePoolLimits.memory}"`),
          },
          [],
          { default: { ...D.nodePoolLimits } },
        ),
        expireAfter: text(
          DURATION,
          `How long a node lives before Karpenter replaces it (so nodes take up new AMIs and never run for ever): a duration such as 720h or 168h, or Never. @default "${D.expireAfter}"`,
          { default: D.expireAfter },
        ),
        disruption: object(
          'How Karpenter removes and replaces nodes: consolidation and the budgets that limit it (the NodePool\'s spec.disruption).',
          {
            consolidationPolicy: {
              type: 'string',
              enum: ['WhenEmptyOrUnderutilized', 'WhenEmpty'],
              description: `Which nodes consolidation may remove: WhenEmptyOrUnderutilized (also nodes whose pods fit elsewhere or on a cheaper node) or WhenEmpty (only nodes with no pods but DaemonSets). @default "${D.consolidationPolicy}"`,
              default: D.consolidationPolicy,
            },
            consolidateAfter: text(
              DURATION,
              `How long a node must stay empty or underused before consolidation removes it, e.g. 1m or 10m; Never turns consolidation off. @default "${D.consolidateAfter}"`,
              { default: D.consolidateAfter },
            ),
            budgets: list(
              `How many nodes Karpenter may disrupt at once for consolidation (Empty, Underutilized) and drift (Drifted); when several are active, the strictest counts. Expiry (expireAfter) is not held back by budgets. @default ${JSON.stringify(D.disruptionBudgets)}`,
              object(
                'One budget: always active, or from each schedule for its duration.',
                {
                  nodes: {
                    type: ['string', 'integer'],
                    pattern: BUDGET_NODES,
                    minimum: 0,
                    description: 'Nodes disrupted at once at most: a count such as "1" or a percent such as "10%"; "0" blocks the reasons listed.',
                  },
                  reasons: list(
                    'What the budget applies to: Empty, Drifted, Underutilized. @default every reason',
                    { type: 'string', enum: ['Empty', 'Drifted', 'Underutilized'], description: 'Empty, Drifted or Underutilized.' },
                    { minItems: 1, uniqueItems: true },
                  ),
                  schedule: text(CRON_SCHEDULE, 'When the budget starts, a cron schedule in UTC such as "0 9 * * mon-fri"; needs duration. @default always active'),
                  duration: text(BUDGET_DURATION, 'How long the budget lasts from each schedule, e.g. 8h or 90m; needs schedule. @default always active'),
                },
                ['nodes'],
              ),
              { minItems: 1, maxItems: 50, default: D.disruptionBudgets.map((budget) => ({ ...budget })) },
            ),
          },
          [],
        ),
      },
      [],
    ),
    network: object(
      'The shared VPC: its addresses and zones, the load balancer subnets the generated network policies admit, and the AWS services reached through VPC endpoints.',
      {
        vpcCidr: {
          ...cidr(
            `The VPC's IPv4 CIDR, a /16 or /17 in a private range: the public subnets are loadBalancerCidrs, the endpoint, data and node subnets are cut at VPC base + 16.0/20, 32.0/20 and 64.0/18 (e.g. 10.0.16.0/20). @default "${D.vpcCidr}"`,
          ),
          default: D.vpcCidr,
        },
        availabilityZones: list(
          'The three availability zones the VPC spans, in the order its subnets are cut; named, never looked up, so synthesis needs no AWS account. @default the region\'s a, b and c zones (a, c and d in ap-northeast-1; a, b and d in ca-central-1); required in us-west-1, whose zone names differ between accounts',
          text(AVAILABILITY_ZONE, 'A zone of platform.region, e.g. eu-west-1a.'),
          { uniqueItems: true },
        ),
        loadBalancerCidrs: list(
          `The CIDRs of the subnets the ALBs live in (the VPC's public subnets, nothing else): public traffic reaches pods of services with hosts from these addresses (the AWS Load Balancer Controller with target-type ip). One block is cut into one subnet per zone; or one block per zone. Never the whole VPC: every pod has a VPC address. @default the first /20 of vpcCidr: ${JSON.stringify(D.loadBalancerCidrs)}`,
          cidr('A CIDR such as 10.0.0.0/20.'),
          { minItems: 1, uniqueItems: true },
        ),
        awsEndpoints: list(
          'AWS services the pods reach through interface VPC endpoints, by endpoint service name (sts, sqs, sns, email, s3, dynamodb, secretsmanager...); the CDK shared stack creates them in the endpoint subnets, with private DNS, so the SDKs\' default names lead there. s3: for every resolver of the VPC, so the nodes\' image layers pass it too (billed per GB) instead of the free gateway endpoint. dynamodb, dynamodb-streams: AWS offers them no private DNS, so the pods that call them set AWS_ENDPOINT_URL_DYNAMODB (_STREAMS) to the URL the shared stack outputs. @default []',
          { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'An endpoint service name, e.g. sqs (com.amazonaws.<region>.sqs).' },
          { uniqueItems: true, default: [] },
        ),
      },
      [],
    ),
    policy: {
      type: 'string',
      minLength: 1,
      description: `The policy file (Polaris format), relative to platform.yaml. @default "${D.policy}"`,
      default: D.policy,
    },
    imageAllowlist: list(
      'Image repositories any service may use besides its own, e.g. a shared base-image registry. @default []',
      { type: 'string', minLength: 1, description: 'A repository without tag, matched at a path boundary: ending in / it allows the repositories under it (e.g. public.ecr.aws/labs/); otherwise that repository and the ones under it, never a longer name (ghcr.io/acme does not allow ghcr.io/acme-evil).' },
      { uniqueItems: true, default: [] },
    ),
    webhook: object(
      'The admission webhook (`kaji webhook`): the same policy as CI, enforced by the API server on every Pod and workload created or updated outside kaji-system and the namespaces the CDK stack installs into (kube-system, argocd, cert-manager, external-dns, external-secrets). kaji synth writes its Deployment, Service, NetworkPolicies, webhook configurations and cert-manager certificates under clusters/<cluster>/platform/webhook/ (cert-manager must be installed in the cluster).',
      {
        enabled: {
          type: 'boolean',
          description: `Deploy the webhook and register it with the API server. @default ${String(D.webhookEnabled)}`,
          default: D.webhookEnabled,
        },
        failurePolicy: {
          type: 'string',
          enum: ['Fail', 'Ignore'],
          description: `What the API server does with a request the webhook cannot judge (down, timed out). Fail: refuse it — nothing escapes the policy, but a webhook outage blocks deploys (kube-system, argocd, cert-manager, external-dns, external-secrets and kaji-system are exempt, so the cluster and Argo CD can still repair it, and cert-manager can renew the webhook's certificate). Ignore: admit it — deploys never wait on the webhook, but during an outage unchecked objects get in (CI still checks what goes through git). @default "${D.failurePolicy}"`,
          default: D.failurePolicy,
        },
        timeoutSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 30,
          description: `How long the API server waits for the webhook's answer before applying failurePolicy, 1-30 seconds. Every create and update of a workload waits up to this long when the webhook is slow. @default ${D.timeoutSeconds}`,
          default: D.timeoutSeconds,
        },
        image: text(
          IMAGE_REFERENCE,
          'The kaji image the webhook runs, with its tag or digest (the repository\'s Dockerfile builds it). @default "<account>.dkr.ecr.<region>.amazonaws.com/kaji:<kaji version>"',
        ),
      },
      [],
    ),
    argocd: object(
      'Settings of every cluster\'s Argo CD beyond what kaji sets itself.',
      {
        sso: object(
          `Sign-in to Argo CD with the company's OpenID Connect provider (Argo CD's oidc.config, without Dex). Each cluster's Argo CD is then at https://argocd.<cluster>.<domain>, whose /auth/callback is the redirect URL to register at the provider. Members of a team's groups may see and sync its services' applications and read their logs (and what teamActions allows); members of adminGroups are Argo CD admins; members of readonlyGroups see everything and change nothing; everyone else signed in may do nothing. Without it, only Argo CD's admin account signs in.`,
          {
            name: { type: 'string', minLength: 1, description: `What the login button says ("Log in via <name>"), e.g. Okta. @default "${D.ssoName}"`, default: D.ssoName },
            issuer: text(OIDC_ISSUER, 'The provider\'s issuer URL, exactly as its /.well-known/openid-configuration names it, e.g. https://example.okta.com or https://login.microsoftonline.com/<tenant>/v2.0.'),
            clientID: { type: 'string', minLength: 1, description: 'The client ID of Argo CD\'s application at the provider, e.g. 0oa1b2c3d4e5f6g7h8i9.' },
            cliClientID: {
              type: 'string',
              minLength: 1,
              description:
                'The client ID of a second application at the provider, a public one (no secret, PKCE, redirect URL http://localhost:8085/auth/callback), for `argocd login --sso`: the CLI holds no client secret, so it cannot use clientID\'s. @default none: the CLI signs in with a token or the admin account',
            },
            clientSecretName: text(
              SECRET_NAME,
              'The AWS Secrets Manager secret, by name, whose value is the client secret (plain text): the External Secrets Operator brings it into the argocd namespace; no template or file holds the value. @default "kaji/<platform>/argocd-sso"',
              { maxLength: 512 },
            ),
            scopes: list(
              `Scopes requested at sign-in; openid is required. Microsoft Entra ID refuses the scope groups: give [openid, profile, email] there (the groups claim is requested by name anyway). @default ${JSON.stringify(D.ssoScopes)}`,
              text(OAUTH_SCOPE, 'An OAuth scope, e.g. groups.'),
              { minItems: 1, uniqueItems: true, default: [...D.ssoScopes] },
            ),
            groupsClaim: {
              type: 'string',
              pattern: CLAIM_NAME,
              description: `The ID token claim that lists the user's groups (Argo CD requests it as essential and matches groups against it), e.g. groups or cognito:groups. @default "${D.ssoGroupsClaim}"`,
              default: D.ssoGroupsClaim,
            },
            adminGroups: list(
              'Provider groups whose members are Argo CD admins (role:admin: every application, project, repository and setting), e.g. the platform team. @default []',
              text(SSO_GROUP, 'A group name as the provider sends it, e.g. platform-team.'),
              { uniqueItems: true, default: [] },
            ),
            readonlyGroups: list(
              'Provider groups whose members may see every application (its objects and logs), project, repository and cluster, and change nothing (role:readonly; no secret values), e.g. auditors or an on-call rota. @default []',
              text(SSO_GROUP, 'A group name as the provider sends it, e.g. auditors.'),
              { uniqueItems: true, default: [] },
            ),
            teamGroups: {
              type: 'object',
              description:
                'Per team (a name under teams), the provider groups whose members act as the team in Argo CD: the groups of the team role in each of its services\' AppProjects. A team not listed has no one signed in as it. @default {}',
              additionalProperties: list(
                'The provider groups of this team, e.g. [blog-developers].',
                text(SSO_GROUP, 'A group name as the provider sends it, e.g. blog-developers.'),
                { minItems: 1, uniqueItems: true },
              ),
              default: {},
            },
          },
          ['issuer', 'clientID'],
        ),
        ingress: object(
          `Serve each cluster's Argo CD at https://argocd.<cluster>.<domain> (the URL SSO signs in at), with the argocd CLI's gRPC on the same host: an ALB of its own (the Argo CD chart's Ingress for the AWS Load Balancer Controller), HTTPS only (HTTP redirects) with a TLS 1.2+ policy and an ACM certificate the cluster stack creates and validates in the platform's hosted zone; external-dns writes the record. Without it, kaji serves Argo CD nowhere: port-forward to argocd-server, or serve it yourself.`,
          {
            scheme: {
              type: 'string',
              enum: ['internal', 'internet-facing'],
              description: `internal: the ALB is in the VPC's private subnets, reachable from the VPC, and from networks connected to it (peering, VPN, Direct Connect) whose CIDRs allowedCidrs lists. internet-facing: in the public subnets, reachable from allowedCidrs only. @default "${D.argoCdIngressScheme}"`,
              default: D.argoCdIngressScheme,
            },
            allowedCidrs: list(
              'IPv4 CIDRs that may reach the ALB (its security group), such as an office or VPN egress; required for internet-facing. @default the VPC\'s CIDR: the VPC itself and an AWS Client VPN endpoint in it (which translates its clients\' addresses into the VPC\'s); traffic over peering, Site-to-Site VPN, Direct Connect or a transit gateway keeps its own source addresses, so list those networks here',
              cidr('An IPv4 CIDR such as 203.0.113.0/24.'),
              { minItems: 1, uniqueItems: true },
            ),
          },
          [],
        ),
        teamActions: list(
          'What members of a team may do in Argo CD besides see and sync its services\' applications and read their logs, in every AppProject\'s team role: restart (the Deployment restart action, a rolling restart of a service\'s Deployments) and delete-pod (delete a Pod of the service\'s applications, such as a stuck one, which its ReplicaSet replaces). Changes to what git holds still go through git. @default [] (nothing more)',
          { type: 'string', enum: [...ARGOCD_TEAM_ACTIONS], description: 'restart or delete-pod.' },
          { uniqueItems: true, default: [] },
        ),
      },
      [],
    ),
    teams: list(
      'The teams that own services.',
      object(
        'One team.',
        {
          name: dnsLabel('Team name (a DNS-1123 label), used in labels and RBAC names.'),
          identity: text(IAM_ROLE_ARN, 'The IAM role whose members act as this team in the clusters (an EKS access entry), e.g. arn:aws:iam::111122223333:role/team-blog.'),
        },
        ['name', 'identity'],
      ),
    ),
    services: list(
      'Every tenant service: each gets its own namespace, quota, limits, network policy, RBAC and Argo CD project in every cluster.',
      object(
        'One tenant service.',
        {
          name: dnsLabel('Service name (a DNS-1123 label); also its folder apps/<name>/ in the manifest repository.'),
          team: dnsLabel('The owning team: a name under teams.'),
          namespace: dnsLabel(
            `The service's namespace; not a system or add-on one (${RESERVED_NAMESPACES.join(', ')}, or any kube-*). @default the service name`,
          ),
          image: text(
            IMAGE_REPOSITORY,
            'Image repository without tag or digest, e.g. 111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna; the tag is pinned in each overlay\'s kustomization.yaml images:.',
          ),
          sourceRepository: text(SOURCE_REPOSITORY, 'The app repository (owner/name) whose CI releases this service, for CI roles and compare links.'),
          quota: object(
            'The most the service\'s namespace may use in total (a ResourceQuota).',
            {
              cpu: quantity('Total cpu of the namespace, e.g. 4 or "2500m".'),
              memory: quantity('Total memory of the namespace, e.g. "8Gi".'),
              pods: { type: 'integer', minimum: 1, maximum: MOST_PODS, description: `Most pods the namespace may run, up to ${MOST_PODS}.` },
              storage: {
                ...quantity(
                  `Total storage the namespace's PersistentVolumeClaims may request, e.g. "50Gi" (each claim is an EBS volume). 0: no claims at all. @default "${D.storage}"`,
                ),
                default: D.storage,
              },
              persistentVolumeClaims: {
                type: 'integer',
                minimum: 0,
                maximum: MOST_PODS,
                description:
                  'Most PersistentVolumeClaims the namespace may hold, e.g. 40 for 20 pods that mount two claims each. Above 0 only with storage; 0 only without it. @default the pods quota when storage is above 0, else 0',
              },
            },
            ['cpu', 'memory', 'pods'],
          ),
          defaults: object(
            `Requests and limits a LimitRange gives containers that do not set their own. @default requests ${D.requests.cpu} cpu / ${D.requests.memory} memory, limits ${D.limits.cpu} cpu / ${D.limits.memory} memory`,
            {
              requests: amounts('Default requests per container.', 'request', D.requests),
              limits: amounts('Default limits per container.', 'limit', D.limits),
            },
            [],
          ),
          hosts: list(
            'Public hosts of the service, each under the platform domain and claimed by no other service. @default []',
            text(DNS_NAME, 'A host name under the platform domain, e.g. antenna.labs.example.com.', { maxLength: 253 }),
            { uniqueItems: true, default: [] },
          ),
          podSecurity: {
            type: 'string',
            enum: ['restricted', 'baseline', 'privileged'],
            description: `Pod Security Admission level enforced in the namespace. @default "${D.podSecurity}"`,
            default: D.podSecurity,
          },
          allowFrom: list(
            'Other services (names under services) whose pods may call this one, on any port: ingress from their namespaces here, and egress to this namespace from theirs. Every namespace denies all other traffic between services. @default []',
            dnsLabel('The name of another service, e.g. antenna.'),
            { uniqueItems: true, default: [] },
          ),
          egress: list(
            `Outbound destinations beyond the platform; everything else is denied. DNS (kube-dns) and the EKS Pod Identity agent (169.254.170.23 port 80, where AWS SDKs get credentials) are always allowed; the instance metadata service (169.254.169.254) never is. Entries: "${INTERNET}", or {cidr, ports}. @default []`,
            EGRESS_ENTRY,
            { uniqueItems: true, default: [] },
          ),
        },
        ['name', 'team', 'image', 'quota'],
      ),
    ),
  },
  required: ['platform', 'manifests', 'clusters', 'teams', 'services'],
  additionalProperties: false,
};

/** The shipped schema file's text: the schema as indented JSON with a final newline. */
export function platformSchemaJson(): string {
  return `${JSON.stringify(PLATFORM_SCHEMA, null, 2)}\n`;
}
