// The shared stack: what every cluster of a platform uses and outlives any one
// cluster (blue/green upgrades add and remove cluster stacks; this one stays):
// the VPC, the public hosted zone, one ECR repository per service, the GitHub
// OIDC provider and one CI role per service.
//
// No AWS call at synthesis: the stack's environment is the platform's account
// and region, the availability zones are named from the region, the hosted
// zone and the OIDC provider are imported by id, never looked up.
import * as cdk from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  arnPartitionProblem,
  availabilityZonesProblem,
  defaultAvailabilityZones,
  ecrRegistry,
  isGitBranchName,
  planSubnets,
  PLATFORM_DEFAULTS,
  type PlatformDefinition,
  type ServiceDefinition,
  type SubnetPlan,
} from '../platform/index.js';
import { GITHUB_OIDC_PROVIDER_ARN, HOSTED_ZONE_ID, PATTERN_MESSAGES, SOURCE_REPOSITORY } from '../platform/definition/schema.js';
import { suppress } from './nag.js';
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
  ciRoleName,
  githubBranchSubject,
  pascalCase,
  repositoryName,
} from './private/naming.js';
import { PlannedIpAddresses, SUBNET_GROUP_NAMES } from './private/network.js';
import { PlatformStack } from './private/platform-stack.js';
import { constructPathOf, failAt, validatePlatformInfo } from './private/platform-info.js';
import { INTERNAL_ELB_TAG, KARPENTER_DISCOVERY_TAG, PLATFORM_TAG, PUBLIC_ELB_TAG } from './private/tags.js';

/**
 * The shared VPC's shape. Its public subnets are always
 * platform.network.loadBalancerCidrs; vpcCidr and availabilityZones given
 * here override platform.yaml's network.vpcCidr and network.availabilityZones.
 */
export interface SharedNetworkProps {
  /**
   * The VPC's IPv4 CIDR; must hold every subnet below.
   * @default platform.yaml's network.vpcCidr ("10.0.0.0/16")
   */
  readonly vpcCidr?: string;
  /**
   * Three availability zones, in the order the subnets are cut (named, never
   * looked up at synthesis).
   * @default platform.yaml's network.availabilityZones (the region's a, b and c zones; a, c and d in ap-northeast-1; a, b and d in ca-central-1)
   */
  readonly availabilityZones?: readonly string[];
  /**
   * The block of the endpoint subnets (interface VPC endpoints), cut into one
   * subnet per zone, or one block per zone.
   * @default ["<VPC base>+16.0/20"], e.g. ["10.0.16.0/20"]
   */
  readonly endpointCidrs?: readonly string[];
  /**
   * The block of the data subnets (databases, search domains; no route out).
   * @default ["<VPC base>+32.0/20"], e.g. ["10.0.32.0/20"]
   */
  readonly dataCidrs?: readonly string[];
  /**
   * The block of the node subnets (nodes and pods, routed out through NAT).
   * @default ["<VPC base>+64.0/18"], e.g. ["10.0.64.0/18"]
   */
  readonly nodeCidrs?: readonly string[];
  /**
   * NAT gateways: one per zone keeps each zone's egress up when another zone
   * fails and avoids cross-zone charges on internet traffic; 1 saves two
   * gateways' hourly charge where that matters more.
   * @default 3 (one per availability zone)
   */
  readonly natGateways?: number;
  /**
   * Interface VPC endpoints to create in the endpoint subnets, with private
   * DNS where AWS offers it (not for DynamoDB and DynamoDB Streams, whose URLs
   * become outputs).
   * Each costs an hourly charge per zone and one per GB; see the README's
   * "AWS APIs from pods".
   * @default [] (S3 and DynamoDB get free gateway endpoints; nothing else)
   */
  readonly interfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];
  /**
   * How long VPC flow logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/** The CI side: GitHub Actions assumes a role per service through OIDC. */
export interface SharedGitHubProps {
  /**
   * The ARN of the account's existing GitHub Actions OIDC provider (an
   * account holds one provider per URL), e.g.
   * arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com.
   * @default platform.yaml's platform.githubOidcProviderArn; without it, a new provider for https://token.actions.githubusercontent.com
   */
  readonly oidcProviderArn?: string;
  /**
   * The branch whose workflow runs may push images.
   * @default "main"
   */
  readonly branch?: string;
  /**
   * The GitHub organization (or user) every service's sourceRepository must
   * belong to, so a typo cannot hand push rights to someone else's repository.
   * @default any owner
   */
  readonly organization?: string;
}

/** The services' ECR repositories. */
export interface SharedImageProps {
  /**
   * Prefix of every repository name (e.g. "labs/"), for accounts that hold
   * several platforms; each service's `image` must then be
   * `<registry>/<prefix><service>`.
   * @default "" (the repository is named after the service)
   */
  readonly repositoryPrefix?: string;
  /**
   * Images kept per repository, newest first (the rollback window).
   * @default 100
   */
  readonly maxImageCount?: number;
  /**
   * Days an untagged image is kept.
   * @default 7
   */
  readonly untaggedImageDays?: number;
  /**
   * What happens to the repositories (and a created hosted zone) when they
   * leave the stack.
   * @default cdk.RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
}

export interface SharedStackProps extends cdk.StackProps {
  /** The validated platform definition (platform.yaml). */
  readonly platform: PlatformDefinition;
  /**
   * An existing public hosted zone for platform.domain, imported by id.
   * @default platform.yaml's platform.hostedZoneId; without it, a new public hosted zone for platform.domain
   */
  readonly hostedZone?: { readonly zoneId: string };
  /** @default see SharedGitHubProps */
  readonly github?: SharedGitHubProps;
  /** @default see SharedNetworkProps */
  readonly network?: SharedNetworkProps;
  /** @default see SharedImageProps */
  readonly images?: SharedImageProps;
}

const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_ISSUER}`;
/** The ECR actions `docker push` needs on the repository it pushes to. */
const ECR_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
];

/**
 * Endpoint services AWS PrivateLink offers no private DNS for ("AWS
 * PrivateLink for Amazon DynamoDB does not support ... Private and Hybrid
 * DNS services", DynamoDB Developer Guide; the same for DynamoDB Streams):
 * EC2 refuses such an endpoint with private DNS, and the service's default
 * name keeps resolving to its public addresses, which reach it through the
 * gateway endpoint but not past a NetworkPolicy that admits only the endpoint
 * subnets. So the endpoint is made without private DNS, the stack outputs its
 * URL, and the pods' AWS SDKs take it from this environment variable.
 */
const ENDPOINT_URL_VARIABLES: ReadonlyMap<string, string> = new Map([
  ['dynamodb', 'AWS_ENDPOINT_URL_DYNAMODB'],
  ['dynamodb-fips', 'AWS_ENDPOINT_URL_DYNAMODB'],
  ['dynamodb-streams', 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS'],
]);

/** The shared part of a kaji platform: VPC, DNS zone, ECR repositories, CI roles. */
export class SharedStack extends PlatformStack {
  /** The VPC every cluster of the platform runs in. */
  readonly vpc: ec2.IVpc;
  /** The public hosted zone of platform.domain. */
  readonly hostedZone: route53.IHostedZone;
  /** Each service's ECR repository, by service name. */
  readonly repositories: ReadonlyMap<string, ecr.IRepository>;
  /** Each service's CI role (services with a sourceRepository), by service name. */
  readonly ciRoles: ReadonlyMap<string, iam.IRole>;
  /** The GitHub Actions OIDC provider, created or imported. */
  readonly githubOidcProvider: iam.IOidcProvider;
  /** The subnet CIDRs per group and zone (public = platform.network.loadBalancerCidrs). */
  readonly subnetPlan: SubnetPlan;
  /** The three zones the VPC spans, known without asking AWS. */
  private readonly plannedZones: readonly string[];

  constructor(scope: Construct, id: string, props: SharedStackProps) {
    const fail = failAt(constructPathOf(scope, id));
    const { platform } = props;
    validatePlatformInfo(platform, props.env, fail);
    super(scope, id, { ...props, env: { account: platform.platform.account, region: platform.platform.region } });

    const zones = availabilityZones(platform, props.network, fail);
    this.plannedZones = zones;
    this.subnetPlan = subnetPlan(platform, props.network, fail);
    const images = resolveImageProps(props.images, fail);
    const services = platform.services.map((service, index) => checkService(service, index, platform, images.repositoryPrefix, props.github?.organization, fail));
    const branch = props.github?.branch ?? 'main';
    if (!isGitBranchName(branch)) fail('github.branch', `must be a git branch name such as "main"; found ${JSON.stringify(branch)}`);

    cdk.Tags.of(this).add(PLATFORM_TAG, platform.platform.name);
    this.vpc = this.createVpc(platform.platform.name, zones, withPlatformEndpoints(props.network, platform), fail);
    const zoneId = fromPropsOrPlatform(props.hostedZone?.zoneId, platform.platform.hostedZoneId, 'hostedZone.zoneId', 'platform.platform.hostedZoneId');
    this.hostedZone = this.createHostedZone(platform.platform.domain, zoneId, images.removalPolicy, fail);
    const providerArn = fromPropsOrPlatform(props.github?.oidcProviderArn, platform.platform.githubOidcProviderArn, 'github.oidcProviderArn', 'platform.platform.githubOidcProviderArn');
    this.githubOidcProvider = providerArn.value
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidcProvider', checkOidcProviderArn(providerArn, platform.platform, fail))
      : new iam.OidcProviderNative(this, 'GitHubOidcProvider', { url: GITHUB_OIDC_URL, clientIds: [GITHUB_OIDC_AUDIENCE] });

    const repositories = new Map<string, ecr.IRepository>();
    const ciRoles = new Map<string, iam.IRole>();
    const servicesScope = new Construct(this, 'Services');
    for (const service of services) {
      const group = new Construct(servicesScope, service.name);
      const repository = this.createRepository(group, repositoryName(images.repositoryPrefix, service.name), images);
      repositories.set(service.name, repository);
      if (service.sourceRepository === undefined) continue;
      const roleName = ciRoleName(platform.platform.name, service.name);
      const role = this.createCiRole(group, roleName, service.name, service.sourceRepository, branch, repository);
      ciRoles.set(service.name, role);
      // No output per service: CloudFormation allows 200 outputs per stack
      // (about 98 services at two each), and the names are known in advance:
      // the repository is the service's image in platform.yaml, the role is
      // <platform>-<service>-ci. Only a role too long to name is announced.
      if (roleName === undefined) {
        new cdk.CfnOutput(this, `${pascalCase(service.name)}CiRoleArn`, {
          value: role.roleArn,
          description: `Role ${service.sourceRepository}'s workflows on ${branch} assume to push ${service.name} images`,
        });
      }
    }
    this.repositories = repositories;
    this.ciRoles = ciRoles;
  }

  /**
   * The stack's zones are the planned ones. Without this, the VPC would check
   * its zones against a context lookup, which the CDK CLI resolves by calling
   * AWS: synthesis must work offline with no credentials.
   */
  override get availabilityZones(): string[] {
    return [...this.plannedZones];
  }

  private createVpc(platformName: string, zones: readonly string[], network: SharedNetworkProps | undefined, fail: (field: string, message: string) => never): ec2.Vpc {
    const natGateways = network?.natGateways ?? zones.length;
    if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > zones.length) {
      fail('network.natGateways', `must be a whole number from 1 to ${zones.length} (the node subnets reach the internet through NAT); found ${natGateways}`);
    }
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: new PlannedIpAddresses(this.subnetPlan, zones),
      availabilityZones: [...zones],
      natGateways,
      subnetConfiguration: [
        { name: SUBNET_GROUP_NAMES.public, subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: SUBNET_GROUP_NAMES.endpoints, subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: SUBNET_GROUP_NAMES.data, subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: SUBNET_GROUP_NAMES.nodes, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
      // NAT gateways in the public subnets; nodes and pods in the node subnets only.
      natGatewaySubnets: { subnetGroupName: SUBNET_GROUP_NAMES.public },
      enableDnsHostnames: true,
      enableDnsSupport: true,
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: {
        // Free: traffic to S3's and DynamoDB's public addresses (ECR image
        // layers, unless `s3` is an interface endpoint too) skips the NAT
        // gateways. Pods' NetworkPolicies admit no public address but with
        // `internet` egress: their S3 and DynamoDB go through awsEndpoints.
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [{ subnetGroupName: SUBNET_GROUP_NAMES.nodes }] },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: [{ subnetGroupName: SUBNET_GROUP_NAMES.nodes }] },
      },
      flowLogs: {
        All: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'VpcFlowLogs', { retention: network?.flowLogRetention ?? logs.RetentionDays.THREE_MONTHS }),
          ),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    this.restrictFlowLogRoleTrust(vpc, fail);
    for (const subnet of vpc.selectSubnets({ subnetGroupName: SUBNET_GROUP_NAMES.nodes }).subnets) {
      cdk.Tags.of(subnet).add(KARPENTER_DISCOVERY_TAG, platformName);
      cdk.Tags.of(subnet).add(INTERNAL_ELB_TAG, '1');
    }
    for (const subnet of vpc.selectSubnets({ subnetGroupName: SUBNET_GROUP_NAMES.public }).subnets) {
      cdk.Tags.of(subnet).add(PUBLIC_ELB_TAG, '1');
    }
    this.createInterfaceEndpoints(vpc, network?.interfaceEndpoints ?? []);
    new cdk.CfnOutput(this, 'VpcId', { value: vpc.vpcId, exportName: `${platformName}-vpc-id`, description: 'The VPC every cluster of the platform runs in' });
    new cdk.CfnOutput(this, 'NodeSubnetIds', {
      value: vpc.selectSubnets({ subnetGroupName: SUBNET_GROUP_NAMES.nodes }).subnetIds.join(','),
      exportName: `${platformName}-node-subnet-ids`,
      description: `Node subnets (tagged ${KARPENTER_DISCOVERY_TAG}=${platformName})`,
    });
    return vpc;
  }

  /**
   * The flow log's role trusts vpc-flow-logs.amazonaws.com only for flow logs
   * of this account (aws:SourceAccount, aws:SourceArn), as the VPC User
   * Guide recommends for it against the confused deputy problem: otherwise a
   * flow log created by anyone allowed to pass the role could write through
   * it. The flow log's own ID cannot be named (the flow log needs the role
   * first), so the ARN ends in a wildcard. The role is aws-cdk-lib's, made
   * for the VPC's flowLogs option.
   */
  private restrictFlowLogRoleTrust(vpc: ec2.Vpc, fail: (field: string, message: string) => never): void {
    const role = (vpc.node.tryFindChild('All') as ec2.FlowLog | undefined)?.iamRole;
    if (!this.restrictServiceRoleTrust(role, this.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }))) {
      fail('flowLogs', 'has no single-statement vpc-flow-logs.amazonaws.com role of aws-cdk-lib\'s making, whose trust kaji narrows: check what the aws-cdk-lib upgrade changed in ec2.FlowLog');
    }
  }

  /**
   * The interface endpoints share one security group: each admits the same
   * callers, and one group instead of one per endpoint keeps the rules in one
   * place and the stack smaller.
   */
  private createInterfaceEndpoints(vpc: ec2.Vpc, services: readonly ec2.InterfaceVpcEndpointAwsService[]): void {
    if (services.length === 0) return;
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointsSecurityGroup', {
      vpc,
      description: 'The interface VPC endpoints: HTTPS from the node and pod subnets',
      allowAllOutbound: false,
    });
    // Only the node (and pod) subnets call AWS APIs: HTTPS from their literal CIDRs, not the whole VPC.
    for (const cidr of this.subnetPlan.subnets.nodes) securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the node and pod subnets');
    for (const service of services) {
      const endpoint = vpc.addInterfaceEndpoint(`${pascalCase(service.shortName)}Endpoint`, {
        service,
        subnets: { subnetGroupName: SUBNET_GROUP_NAMES.endpoints },
        ...privateDns(service.shortName),
        securityGroups: [securityGroup],
        open: false,
      });
      const variable = ENDPOINT_URL_VARIABLES.get(service.shortName);
      if (variable === undefined) continue;
      // DnsEntries are "<hosted zone id>:<name>", the Regional name first.
      const name = cdk.Fn.select(1, cdk.Fn.split(':', cdk.Fn.select(0, endpoint.vpcEndpointDnsEntries)));
      new cdk.CfnOutput(this, `${pascalCase(service.shortName)}EndpointUrl`, {
        value: cdk.Fn.join('', ['https://', name]),
        description: `The ${service.shortName} interface endpoint (AWS offers it no private DNS): set ${variable} to this in the pods that call it`,
      });
    }
  }

  private createHostedZone(domain: string, existing: Sourced<string>, removalPolicy: cdk.RemovalPolicy, fail: (field: string, message: string) => never): route53.IHostedZone {
    if (existing.value !== undefined) {
      if (!HOSTED_ZONE_ID_SHAPE.test(existing.value)) fail(existing.field, `must be ${PATTERN_MESSAGES[HOSTED_ZONE_ID]}; found ${JSON.stringify(existing.value)}`);
      const zone = route53.PublicHostedZone.fromHostedZoneAttributes(this, 'HostedZone', { hostedZoneId: existing.value, zoneName: domain });
      new cdk.CfnOutput(this, 'HostedZoneId', { value: zone.hostedZoneId, description: `Public hosted zone of ${domain} (imported)` });
      return zone;
    }
    const zone = new route53.PublicHostedZone(this, 'HostedZone', { zoneName: domain, comment: `kaji: ${domain}` });
    zone.applyRemovalPolicy(removalPolicy);
    new cdk.CfnOutput(this, 'HostedZoneId', { value: zone.hostedZoneId, description: `Public hosted zone of ${domain}` });
    new cdk.CfnOutput(this, 'HostedZoneNameServers', {
      value: cdk.Fn.join(',', zone.hostedZoneNameServers ?? []),
      description: `Delegate ${domain} to these name servers in its parent zone`,
    });
    return zone;
  }

  private createRepository(scope: Construct, name: string, images: ResolvedImageProps): ecr.Repository {
    return new ecr.Repository(scope, 'Repository', {
      repositoryName: name,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: images.removalPolicy,
      lifecycleRules: [
        { rulePriority: 1, description: `Expire untagged images after ${images.untaggedImageDays} days`, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: cdk.Duration.days(images.untaggedImageDays) },
        { rulePriority: 2, description: `Keep the last ${images.maxImageCount} images`, tagStatus: ecr.TagStatus.ANY, maxImageCount: images.maxImageCount },
      ],
    });
  }

  private createCiRole(scope: Construct, roleName: string | undefined, service: string, sourceRepository: string, branch: string, repository: ecr.IRepository): iam.Role {
    const role = new iam.Role(scope, 'CiRole', {
      roleName,
      description: `GitHub Actions of ${sourceRepository} (${branch}) push ${service} images`,
      maxSessionDuration: cdk.Duration.hours(1),
      // Only tokens GitHub issued for AWS, for workflow runs on this repository's branch.
      assumedBy: new iam.WebIdentityPrincipal(this.githubOidcProvider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_ISSUER}:sub`]: githubBranchSubject(sourceRepository, branch),
        },
      }),
      inlinePolicies: {
        EcrPush: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'PushToItsRepository', actions: ECR_PUSH_ACTIONS, resources: [repository.repositoryArn] }),
            // GetAuthorizationToken is registry-wide: IAM supports no resource for it.
            new iam.PolicyStatement({ sid: 'LogInToTheRegistry', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
          ],
        }),
      },
    });
    suppress(role, [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken is the only action on "*": it supports no resource-level permission, and the token alone grants nothing; pushing is limited to the one repository ARN.',
      },
    ]);
    return role;
  }
}

interface ResolvedImageProps {
  readonly repositoryPrefix: string;
  readonly maxImageCount: number;
  readonly untaggedImageDays: number;
  readonly removalPolicy: cdk.RemovalPolicy;
}

function resolveImageProps(images: SharedImageProps | undefined, fail: (field: string, message: string) => never): ResolvedImageProps {
  const resolved = {
    repositoryPrefix: images?.repositoryPrefix ?? '',
    maxImageCount: images?.maxImageCount ?? 100,
    untaggedImageDays: images?.untaggedImageDays ?? 7,
    removalPolicy: images?.removalPolicy ?? cdk.RemovalPolicy.RETAIN,
  };
  if (resolved.repositoryPrefix !== '' && !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*\/$/.test(resolved.repositoryPrefix)) {
    fail('images.repositoryPrefix', `must be lowercase ECR path segments ending in "/", such as "labs/"; found ${JSON.stringify(resolved.repositoryPrefix)}`);
  }
  if (!Number.isInteger(resolved.maxImageCount) || resolved.maxImageCount < 1) {
    fail('images.maxImageCount', `must be a whole number of images, at least 1; found ${resolved.maxImageCount}`);
  }
  if (!Number.isInteger(resolved.untaggedImageDays) || resolved.untaggedImageDays < 1) {
    fail('images.untaggedImageDays', `must be a whole number of days, at least 1; found ${resolved.untaggedImageDays}`);
  }
  return resolved;
}

/** A value given as a prop, else platform.yaml's, with the field it came from (the prop's, or the platform definition's). */
interface Sourced<T> {
  readonly value: T | undefined;
  readonly field: string;
}

function fromPropsOrPlatform<T>(prop: T | undefined, fromPlatform: T | undefined, propField: string, platformField = `platform.${propField}`): Sourced<T> {
  return prop !== undefined ? { value: prop, field: propField } : { value: fromPlatform, field: platformField };
}

function availabilityZones(platform: PlatformDefinition, network: SharedNetworkProps | undefined, fail: (field: string, message: string) => never): readonly string[] {
  const region = platform.platform.region;
  const given = fromPropsOrPlatform(network?.availabilityZones, platform.network.availabilityZones, 'network.availabilityZones');
  const problem = availabilityZonesProblem(region, given.value);
  if (problem !== undefined) fail(problem.index === undefined ? given.field : `${given.field}[${problem.index}]`, problem.message);
  return given.value ?? defaultAvailabilityZones(region)!;
}

/** The VPC's subnets (src/platform/definition/subnet-plan.ts): platform.yaml's loader checked its values; props and a definition made in code meet the same plan here. */
function subnetPlan(platform: PlatformDefinition, network: SharedNetworkProps | undefined, fail: (field: string, message: string) => never): SubnetPlan {
  const vpcCidr = fromPropsOrPlatform(network?.vpcCidr, platform.network.vpcCidr, 'network.vpcCidr');
  const fields = {
    vpc: vpcCidr.field,
    public: 'platform.network.loadBalancerCidrs',
    endpoints: 'network.endpointCidrs',
    data: 'network.dataCidrs',
    nodes: 'network.nodeCidrs',
  };
  const planned = planSubnets({
    vpcCidr: vpcCidr.value ?? PLATFORM_DEFAULTS.vpcCidr,
    groups: { public: platform.network.loadBalancerCidrs, endpoints: network?.endpointCidrs, data: network?.dataCidrs, nodes: network?.nodeCidrs },
    fields,
  });
  if (planned.ok) return planned.plan;
  const { field, index, message } = planned.problems[0]!;
  return fail(index === undefined ? fields[field] : `${fields[field]}[${index}]`, message);
}

const OIDC_PROVIDER_ARN_SHAPE = new RegExp(GITHUB_OIDC_PROVIDER_ARN);
const HOSTED_ZONE_ID_SHAPE = new RegExp(HOSTED_ZONE_ID);
const SOURCE_REPOSITORY_SHAPE = new RegExp(SOURCE_REPOSITORY);

/** The provider's ARN, checked: a GitHub Actions provider of the platform's account (a role trusts only its own account's providers). */
function checkOidcProviderArn(arn: Sourced<string>, { account, region }: { account: string; region: string }, fail: (field: string, message: string) => never): string {
  const value = arn.value!;
  if (!OIDC_PROVIDER_ARN_SHAPE.test(value)) fail(arn.field, `must be ${PATTERN_MESSAGES[GITHUB_OIDC_PROVIDER_ARN]}; found ${JSON.stringify(value)}`);
  const partitionProblem = arnPartitionProblem(value, region);
  if (partitionProblem !== undefined) fail(arn.field, partitionProblem);
  const providerAccount = value.split(':')[4];
  if (providerAccount !== account) {
    fail(arn.field, `is in account ${providerAccount}, but the CI roles that trust it are in the platform's account ${account}, and a role trusts an OIDC provider of its own account only; name that account's provider`);
  }
  return value;
}

/** A service's image must be its repository in the platform's registry; its source repository must be owner/name. */
function checkService(
  service: ServiceDefinition,
  index: number,
  platform: PlatformDefinition,
  prefix: string,
  organization: string | undefined,
  fail: (field: string, message: string) => never,
): ServiceDefinition {
  const field = `platform.services[${index}]`;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(service.name)) {
    fail(`${field}.name`, `must be a DNS label (lowercase letters, digits, "-"); found ${JSON.stringify(service.name)}`);
  }
  const expected = `${ecrRegistry(platform.platform.account, platform.platform.region)}/${repositoryName(prefix, service.name)}`;
  if (service.image !== expected) {
    fail(
      `${field}.image`,
      `of service ${service.name} is ${JSON.stringify(service.image)}, but the shared stack creates its ECR repository at ${expected}: write image: ${expected} in platform.yaml`,
    );
  }
  if (service.sourceRepository !== undefined) {
    if (!SOURCE_REPOSITORY_SHAPE.test(service.sourceRepository)) {
      fail(`${field}.sourceRepository`, `of service ${service.name} must be a GitHub repository as owner/name, e.g. "example-labs/${service.name}"; found ${JSON.stringify(service.sourceRepository)}`);
    }
    const owner = service.sourceRepository.split('/')[0]!;
    if (organization !== undefined && owner.toLowerCase() !== organization.toLowerCase()) {
      fail(
        `${field}.sourceRepository`,
        `of service ${service.name} is ${service.sourceRepository}, outside the GitHub organization ${organization} (github.organization): its CI would push images; fix the owner or the organization`,
      );
    }
  }
  return service;
}

/**
 * An interface endpoint's DNS options. S3's private DNS answers every
 * resolver of the VPC, not only inbound Resolver endpoints: AWS reads an
 * unset choice as only-inbound when a gateway endpoint exists (kaji always
 * makes one), and then pods would resolve S3 to the gateway's public
 * addresses, which their NetworkPolicies do not admit. The price: the nodes'
 * ECR image layers (stored in S3) pass the interface endpoint too, billed per
 * GB, where the gateway was free; a platform that lists no `s3` keeps them
 * free, and its pods reach S3 only with `internet` egress.
 */
function privateDns(shortName: string): Pick<ec2.InterfaceVpcEndpointOptions, 'privateDnsEnabled' | 'privateDnsOnlyForInboundResolverEndpoint'> {
  if (ENDPOINT_URL_VARIABLES.has(shortName)) return { privateDnsEnabled: false };
  if (shortName === 's3') return { privateDnsEnabled: true, privateDnsOnlyForInboundResolverEndpoint: ec2.VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint.ALL_RESOLVERS };
  return { privateDnsEnabled: true };
}

/** The interface endpoints of the props plus those platform.yaml names (network.awsEndpoints), each once. */
function withPlatformEndpoints(network: SharedNetworkProps | undefined, platform: PlatformDefinition): SharedNetworkProps {
  const given = network?.interfaceEndpoints ?? [];
  const named = platform.network.awsEndpoints
    .filter((name) => !given.some((service) => service.shortName === name))
    .map((name) => new ec2.InterfaceVpcEndpointAwsService(name));
  return { ...network, interfaceEndpoints: [...given, ...named] };
}
