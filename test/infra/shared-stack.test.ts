// The shared stack: VPC layout and tags, ECR repositories, CI roles pinned to
// one repository and branch, the hosted zone (created or imported), cdk-nag,
// and the errors bad input gets. One app per group: synthesis is the slow part.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { parsePlatform, type PlatformDefinition } from '../../src/platform/index.js';
import { SharedStack, type SharedStackProps } from '../../src/infra/shared-stack.js';
import { applyKajiNag, kajiNagFindings, suppress } from '../../src/infra/nag.js';
import { InfraError } from '../../src/infra/errors.js';
import { taggableResourceTags, testApp, trustStatementsOf } from './helpers.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ECR = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

interface YamlOptions {
  readonly loadBalancerCidrs?: string;
  readonly prefix?: string;
  /** More keys of the platform mapping, e.g. "hostedZoneId: Z1". */
  readonly platformKeys?: string;
  /** The network mapping's keys, e.g. "vpcCidr: 172.20.0.0/16". */
  readonly network?: string;
}

function platformYaml(options: YamlOptions = {}): string {
  const prefix = options.prefix ?? '';
  const network = options.network ?? (options.loadBalancerCidrs ? `loadBalancerCidrs: ${options.loadBalancerCidrs}` : undefined);
  return `platform: {name: shop, region: eu-west-1, account: "111122223333", domain: shop.example.com${options.platformKeys ? `, ${options.platformKeys}` : ''}}
manifests: {url: https://github.com/example-shop/manifests.git}
clusters:
  - {name: blue, kubernetesVersion: "1.32", weight: 255}
${network ? `network: {${network}}\n` : ''}teams:
  - {name: web, identity: "arn:aws:iam::111122223333:role/web"}
services:
  - {name: cart, team: web, image: ${ECR}/${prefix}cart, sourceRepository: example-shop/cart, quota: {cpu: "2", memory: 2Gi, pods: 20}}
  - {name: checkout, team: web, image: ${ECR}/${prefix}checkout, sourceRepository: example-shop/checkout, quota: {cpu: "2", memory: 2Gi, pods: 20}}
  - {name: legacy, team: web, image: ${ECR}/${prefix}legacy, quota: {cpu: "1", memory: 1Gi, pods: 5}}
`;
}

function platform(options: YamlOptions = {}): PlatformDefinition {
  return parsePlatform(platformYaml(options), '/tmp/shop/platform.yaml');
}

function build(props: Omit<SharedStackProps, 'platform'> & { platform?: PlatformDefinition } = {}): { stack: SharedStack; template: Template } {
  const app = testApp();
  const stack = new SharedStack(app, 'shop-shared', { platform: platform(), ...props });
  return { stack, template: Template.fromStack(stack) };
}

interface CfnSubnet {
  readonly Properties: { readonly CidrBlock: string; readonly AvailabilityZone: string; readonly Tags: readonly { readonly Key: string; readonly Value: string }[] };
}

/** The value of a tag in a CloudFormation Tags list. */
function tag(resource: CfnSubnet, key: string): string | undefined {
  return resource.Properties.Tags.find((entry) => entry.Key === key)?.Value;
}

/** The subnets of one group (the VPC's subnetConfiguration name), in zone order. */
function subnets(template: Template, group: string): CfnSubnet[] {
  return (Object.values(template.findResources('AWS::EC2::Subnet')) as CfnSubnet[]).filter((subnet) => tag(subnet, 'aws-cdk:subnet-name') === group);
}

function expectInfraError(run: () => unknown, field: string, ...phrases: RegExp[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(InfraError.isInfraError(error), `expected an InfraError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.match(error.message, /^shop-shared: /);
    for (const phrase of phrases) assert.match(error.message, phrase);
    return true;
  });
}

describe('SharedStack with defaults (created hosted zone and OIDC provider)', () => {
  // GIVEN a platform with three services, two of them released by CI
  // WHEN the shared stack is synthesised with no options
  const { stack, template } = build();

  test('the stack environment is the platform account and region, with no lookups', () => {
    // THEN the environment is concrete and the zones are named, not looked up
    assert.equal(stack.account, '111122223333');
    assert.equal(stack.region, 'eu-west-1');
    assert.deepEqual(stack.vpc.availabilityZones, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    // A lookup is not in the context: it is a missing value in the assembly, which the CDK CLI would fetch from AWS.
    assert.deepEqual(cdk.Stage.of(stack)!.synth().manifest.missing ?? [], []);
  });

  test('the VPC spans three availability zones with four subnet groups', () => {
    // THEN one VPC of 10.0.0.0/16 with twelve subnets, three per group, one per zone
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true });
    template.resourceCountIs('AWS::EC2::Subnet', 12);
    for (const group of ['Public', 'Endpoints', 'Data', 'Nodes']) {
      assert.deepEqual(
        subnets(template, group).map((subnet) => subnet.Properties.AvailabilityZone),
        ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
        group,
      );
    }
  });

  test('the public subnets are the load balancer CIDRs, the others where the platform documents them', () => {
    // THEN the default loadBalancerCidrs 10.0.0.0/20 is cut into the three public subnets
    assert.deepEqual(subnets(template, 'Public').map((s) => s.Properties.CidrBlock), ['10.0.0.0/22', '10.0.4.0/22', '10.0.8.0/22']);
    assert.deepEqual(subnets(template, 'Endpoints').map((s) => s.Properties.CidrBlock), ['10.0.16.0/22', '10.0.20.0/22', '10.0.24.0/22']);
    assert.deepEqual(subnets(template, 'Data').map((s) => s.Properties.CidrBlock), ['10.0.32.0/22', '10.0.36.0/22', '10.0.40.0/22']);
    assert.deepEqual(subnets(template, 'Nodes').map((s) => s.Properties.CidrBlock), ['10.0.64.0/20', '10.0.80.0/20', '10.0.96.0/20']);
    assert.deepEqual(stack.subnetPlan.subnets.public, ['10.0.0.0/22', '10.0.4.0/22', '10.0.8.0/22']);
  });

  test('node subnets carry the Karpenter discovery and internal-elb tags; public subnets the elb tag', () => {
    for (const subnet of subnets(template, 'Nodes')) {
      assert.equal(tag(subnet, 'karpenter.sh/discovery'), 'shop');
      assert.equal(tag(subnet, 'kubernetes.io/role/internal-elb'), '1');
      assert.equal(tag(subnet, 'kubernetes.io/role/elb'), undefined);
    }
    for (const subnet of subnets(template, 'Public')) {
      assert.equal(tag(subnet, 'kubernetes.io/role/elb'), '1');
      assert.equal(tag(subnet, 'karpenter.sh/discovery'), undefined);
    }
    for (const group of ['Endpoints', 'Data']) {
      for (const subnet of subnets(template, group)) assert.equal(tag(subnet, 'karpenter.sh/discovery'), undefined, group);
    }
  });

  test('one NAT gateway per zone, flow logs, gateway endpoints for S3 and DynamoDB, no interface endpoints', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])] }) });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.dynamodb$')])] }) });
  });

  test('the flow log role trusts the flow logs service only for flow logs of this account (confused deputy)', () => {
    const flowLog = Object.values(template.findResources('AWS::EC2::FlowLog'))[0]!;
    assert.deepEqual(trustStatementsOf(template, flowLog.Properties.DeliverLogsPermissionArn), [
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:${REGION}:${ACCOUNT}:vpc-flow-log/*`]] } },
        },
      },
    ]);
  });

  test('one ECR repository per service: immutable tags, scan on push, lifecycle rules, retained', () => {
    template.resourceCountIs('AWS::ECR::Repository', 3);
    for (const name of ['cart', 'checkout', 'legacy']) {
      template.hasResource('AWS::ECR::Repository', {
        Properties: {
          RepositoryName: name,
          ImageTagMutability: 'IMMUTABLE',
          ImageScanningConfiguration: { ScanOnPush: true },
          LifecyclePolicy: { LifecyclePolicyText: Match.anyValue() },
        },
        DeletionPolicy: 'Retain',
      });
    }
    const repository = Object.values(template.findResources('AWS::ECR::Repository', { Properties: { RepositoryName: 'cart' } }))[0]!;
    const rules = JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    assert.deepEqual(
      rules.map((rule: { selection: unknown }) => rule.selection),
      [
        { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
        { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 },
      ],
    );
    assert.deepEqual([...stack.repositories.keys()], ['cart', 'checkout', 'legacy']);
  });

  test('the GitHub OIDC provider is created for token.actions.githubusercontent.com with the sts audience', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });
  });

  test('each CI role can be assumed only from its repository and branch, through the OIDC provider', () => {
    // THEN two CI roles (legacy has no sourceRepository), each trust pinned with StringEquals
    assert.deepEqual([...stack.ciRoles.keys()], ['cart', 'checkout']);
    const providerId = Object.keys(template.findResources('AWS::IAM::OIDCProvider'))[0]!;
    for (const service of ['cart', 'checkout']) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `shop-${service}-ci`,
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRoleWithWebIdentity',
              Principal: { Federated: { Ref: providerId } },
              Condition: {
                StringEquals: {
                  'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                  'token.actions.githubusercontent.com:sub': `repo:example-shop/${service}:ref:refs/heads/main`,
                },
              },
            },
          ],
        },
      });
    }
    const role = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-cart-ci' } }))[0]!;
    const trust = JSON.stringify(role.Properties.AssumeRolePolicyDocument);
    assert.doesNotMatch(trust, /StringLike|ForAnyValue|\*/);
  });

  test('each CI role may push to its own repository only; GetAuthorizationToken alone is on "*"', () => {
    for (const service of ['cart', 'checkout']) {
      const [repositoryId] = Object.keys(template.findResources('AWS::ECR::Repository', { Properties: { RepositoryName: service } }));
      const role = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: `shop-${service}-ci` } }))[0]!;
      const statements = role.Properties.Policies.flatMap((policy: { PolicyDocument: { Statement: unknown[] } }) => policy.PolicyDocument.Statement);
      assert.deepEqual(statements, [
        {
          Sid: 'PushToItsRepository',
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage'],
          Resource: { 'Fn::GetAtt': [repositoryId, 'Arn'] },
        },
        { Sid: 'LogInToTheRegistry', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      ]);
    }
    // AND no other policy is attached to a CI role
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      assert.doesNotMatch(JSON.stringify(policy.Properties.Roles), /CiRole/);
    }
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('every taggable resource carries the platform name', () => {
    const taggable = taggableResourceTags(stack);
    assert.ok(taggable.length >= 30, `${taggable.length} taggable resources`);
    for (const { path, tags } of taggable) assert.equal(tags['kaji.dev/platform'], 'shop', path);
  });

  test('the hosted zone is created for the platform domain', () => {
    template.resourceCountIs('AWS::Route53::HostedZone', 1);
    template.hasResource('AWS::Route53::HostedZone', { Properties: { Name: 'shop.example.com.' }, DeletionPolicy: 'Retain' });
  });

  test('outputs name the VPC and the hosted zone; none per service, whose names are known in advance', () => {
    template.hasOutput('VpcId', { Export: { Name: 'shop-vpc-id' } });
    template.hasOutput('NodeSubnetIds', { Export: { Name: 'shop-node-subnet-ids' } });
    template.hasOutput('HostedZoneId', {});
    template.hasOutput('HostedZoneNameServers', {});
    assert.deepEqual(Object.keys(template.findOutputs('*')).sort(), ['HostedZoneId', 'HostedZoneNameServers', 'NodeSubnetIds', 'VpcId']);
    // The role a workflow assumes is named <platform>-<service>-ci.
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'shop-cart-ci' });
  });

  test('no secret value appears in the template', () => {
    const text = JSON.stringify(template.toJSON());
    assert.doesNotMatch(text, /AKIA[0-9A-Z]{16}|-----BEGIN|"SecretString"|"Password"|ghp_[A-Za-z0-9]{20,}|github_pat_/);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
  });
});

describe('SharedStack with an imported hosted zone and OIDC provider, a branch, a repository prefix and per-zone load balancer CIDRs', () => {
  // GIVEN an account that already has the zone and the OIDC provider, and images under "shop/"
  const { stack, template } = build({
    platform: platform({ prefix: 'shop/', loadBalancerCidrs: '[10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24]' }),
    hostedZone: { zoneId: 'Z0123456789ABCDEFGHIJ' },
    github: { oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com', branch: 'release', organization: 'example-shop' },
    images: { repositoryPrefix: 'shop/', maxImageCount: 30 },
    network: { natGateways: 1, interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.STS] },
  });

  test('the hosted zone and the OIDC provider are imported, not created', () => {
    template.resourceCountIs('AWS::Route53::HostedZone', 0);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    assert.equal(stack.hostedZone.hostedZoneId, 'Z0123456789ABCDEFGHIJ');
    template.hasOutput('HostedZoneId', { Value: 'Z0123456789ABCDEFGHIJ' });
  });

  test('the CI roles trust the imported provider for the given branch', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'shop-cart-ci',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
            Condition: { StringEquals: Match.objectLike({ 'token.actions.githubusercontent.com:sub': 'repo:example-shop/cart:ref:refs/heads/release' }) },
          }),
        ],
      },
    });
  });

  test('repositories are named with the prefix and keep the given number of images', () => {
    template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'shop/cart', LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"countNumber":30') } });
  });

  test('per-zone load balancer CIDRs are the public subnets as given; one NAT gateway; an STS interface endpoint in the endpoint subnets', () => {
    assert.deepEqual(subnets(template, 'Public').map((s) => s.Properties.CidrBlock), ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true, ServiceName: 'com.amazonaws.eu-west-1.sts' });
  });
});

describe('SharedStack from platform.yaml alone: its VPC CIDR and zones, an existing OIDC provider and hosted zone', () => {
  // GIVEN a platform.yaml that names the VPC, its zones, the account's GitHub OIDC provider and an existing zone
  const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
  const fromYaml = platform({
    platformKeys: `githubOidcProviderArn: "${PROVIDER}", hostedZoneId: Z0123456789ABCDEFGHIJ`,
    network: 'vpcCidr: 172.20.0.0/16, availabilityZones: [eu-west-1c, eu-west-1a, eu-west-1b]',
  });
  // WHEN the shared stack is built with no props
  const { stack, template } = build({ platform: fromYaml });

  test('the VPC has platform.yaml\'s CIDR and zones; its subnets are cut from that CIDR in that zone order', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '172.20.0.0/16' });
    assert.deepEqual(stack.vpc.availabilityZones, ['eu-west-1c', 'eu-west-1a', 'eu-west-1b']);
    assert.deepEqual(subnets(template, 'Public').map((s) => s.Properties.AvailabilityZone), ['eu-west-1c', 'eu-west-1a', 'eu-west-1b']);
    // The load balancer subnets default to the VPC's first /20.
    assert.deepEqual(subnets(template, 'Public').map((s) => s.Properties.CidrBlock), ['172.20.0.0/22', '172.20.4.0/22', '172.20.8.0/22']);
    assert.deepEqual(subnets(template, 'Nodes').map((s) => s.Properties.CidrBlock), ['172.20.64.0/20', '172.20.80.0/20', '172.20.96.0/20']);
  });

  test('the OIDC provider and the hosted zone are imported, not created; the CI roles trust that provider', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.resourceCountIs('AWS::Route53::HostedZone', 0);
    template.hasOutput('HostedZoneId', { Value: 'Z0123456789ABCDEFGHIJ' });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'shop-cart-ci',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Federated: PROVIDER } })] },
    });
  });

  test('props still override platform.yaml: another CIDR, zones and hosted zone', () => {
    const { template: overridden } = build({
      platform: fromYaml,
      network: { vpcCidr: '172.20.0.0/17', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
      hostedZone: { zoneId: 'Z9999999999ABCDEFGHIJ' },
    });
    overridden.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '172.20.0.0/17' });
    assert.deepEqual(subnets(overridden, 'Nodes').map((s) => s.Properties.AvailabilityZone), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    overridden.hasOutput('HostedZoneId', { Value: 'Z9999999999ABCDEFGHIJ' });
  });
});

describe('SharedStack at scale: CloudFormation allows 200 outputs and 500 resources per stack', () => {
  // GIVEN 150 services, each released by CI (300 per-service resources)
  const many = platform();
  const cart = many.services[0]!;
  const services = Array.from({ length: 150 }, (_, index) => ({
    ...cart,
    name: `svc-${index}`,
    namespace: `svc-${index}`,
    image: `${ECR}/svc-${index}`,
    sourceRepository: `example-shop/svc-${index}`,
  }));
  // WHEN the shared stack is synthesised
  const { template } = build({ platform: { ...many, services } });

  test('the outputs stay the four fixed ones, and the resources under 500', () => {
    // THEN per-service outputs would have made 304 (over the limit at about 98 services)
    assert.equal(Object.keys(template.findOutputs('*')).length, 4);
    template.resourceCountIs('AWS::ECR::Repository', 150);
    assert.ok(Object.keys(template.toJSON().Resources as object).length <= 500);
  });

  test('a CI role whose name IAM cannot hold gets a generated name, announced in an output', () => {
    // GIVEN a service whose <platform>-<service>-ci name is over 64 characters
    const name = `s${'x'.repeat(60)}`;
    const long = { ...cart, name, namespace: 'long', image: `${ECR}/${name}` };
    // WHEN synthesised
    const { template: withLong } = build({ platform: { ...many, services: [long] } });
    // THEN CloudFormation names the role, and its ARN is an output
    const roles = Object.values(withLong.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('push sx+ images') } }));
    assert.equal(roles.length, 1);
    assert.equal((roles[0] as { Properties: { RoleName?: string } }).Properties.RoleName, undefined);
    assert.deepEqual(Object.keys(withLong.findOutputs('*')).filter((key) => key.endsWith('CiRoleArn')), [`S${'x'.repeat(60)}CiRoleArn`]);
  });
});

describe('cdk-nag AwsSolutions over the example platform', () => {
  // GIVEN the labs example (30 services) with kaji's nag applied
  const file = fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url));
  const app = testApp();
  const stack = new SharedStack(app, 'labs-shared', { platform: parsePlatform(readFileSync(file, 'utf8'), file) });
  applyKajiNag(stack);

  test('synthesis passes the checks and no error is left unacknowledged', () => {
    // WHEN the app is synthesised (cdk-nag 3 runs as a validation plugin and fails synthesis on errors)
    assert.doesNotThrow(() => app.synth());
    // THEN no finding of error level remains
    const errors = kajiNagFindings(stack).filter((finding) => finding.severity === 'error');
    assert.deepEqual(errors.map((finding) => `${finding.ruleName} ${finding.violatingResources.map((r) => r.constructPath).join(' ')}`), []);
  });

  test('the only acknowledgement is GetAuthorizationToken on "*", with its reason', () => {
    const role = stack.ciRoles.get('antenna')!;
    const acknowledged = role.node.metadata.filter((entry) => entry.type === cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    assert.equal(acknowledged.length, 1);
    const [[id, reason]] = Object.entries(acknowledged[0]!.data as Record<string, string>) as [[string, string]];
    assert.match(id, /AwsSolutions-IAM5\[Resource::\*\]$/);
    assert.match(reason, /GetAuthorizationToken/);
  });

  test('without the acknowledgement the finding is reported (the checks do run)', () => {
    // GIVEN a fresh stack whose CI role policy is inspected without acknowledgements
    const bare = new cdk.Stack(testApp(), 'bare');
    const role = new cdk.aws_iam.Role(bare, 'Role', { assumedBy: new cdk.aws_iam.AccountRootPrincipal() });
    role.addToPolicy(new cdk.aws_iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    assert.ok(kajiNagFindings(bare).some((finding) => finding.ruleName === 'AwsSolutions-IAM5[Resource::*]'));
    // WHEN it is acknowledged with a reason THEN it is gone
    suppress(role, [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'GetAuthorizationToken has no resource-level permissions.' }]);
    assert.ok(!kajiNagFindings(bare).some((finding) => finding.ruleName === 'AwsSolutions-IAM5[Resource::*]'));
  });

  test('a suppression without a real reason is refused', () => {
    const bare = new cdk.Stack(testApp(), 'bare');
    assert.throws(() => suppress(bare, [{ id: 'AwsSolutions-IAM5', reason: 'ok' }]), (error: unknown) => InfraError.isInfraError(error) && error.field === 'suppressions[0].reason');
    assert.throws(() => suppress(bare, [{ id: '', reason: 'a perfectly fine reason for it' }]), (error: unknown) => InfraError.isInfraError(error) && error.field === 'suppressions[0].id');
  });
});

describe('SharedStack refuses bad input, naming the construct and the field', () => {
  const good = platform();
  const withInfo = (info: Partial<PlatformDefinition['platform']>): PlatformDefinition => ({ ...good, platform: { ...good.platform, ...info } });
  const make = (definition: PlatformDefinition, props: Omit<SharedStackProps, 'platform'> = {}) => () => new SharedStack(testApp(), 'shop-shared', { ...props, platform: definition });

  test('a missing domain, account or region is named', () => {
    expectInfraError(make(withInfo({ domain: '' })), 'platform.platform.domain', /is missing/, /hosted zone/);
    expectInfraError(make(withInfo({ account: '' })), 'platform.platform.account', /is missing/, /12-digit/);
    expectInfraError(make(withInfo({ region: '' })), 'platform.platform.region', /is missing/);
    expectInfraError(make(withInfo({ account: '1234' })), 'platform.platform.account', /12-digit AWS account ID \(a string\); found "1234"/);
    // AND deleted fields (a definition made by hand) are named as missing, not met by a TypeError
    const without = (field: keyof PlatformDefinition['platform']): PlatformDefinition => {
      const info: Partial<PlatformDefinition['platform']> = { ...good.platform };
      delete info[field];
      return { ...good, platform: info as PlatformDefinition['platform'] };
    };
    for (const field of ['name', 'account', 'region', 'domain'] as const) expectInfraError(make(without(field)), `platform.platform.${field}`, /is missing/);
    expectInfraError(make({ ...good, platform: undefined } as unknown as PlatformDefinition), 'platform.platform.name', /is missing/);
  });

  test('an image that is not the service repository names the service and the image to write', () => {
    const services = good.services.map((service) => (service.name === 'checkout' ? { ...service, image: 'docker.io/library/checkout' } : service));
    expectInfraError(
      make({ ...good, services }),
      'platform.services[1].image',
      /service checkout/,
      /write image: 111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/checkout in platform\.yaml/,
    );
    // AND with a prefix, the unprefixed image is refused too
    expectInfraError(make(good, { images: { repositoryPrefix: 'shop/' } }), 'platform.services[0].image', /\/shop\/cart/);
  });

  test('a source repository outside the GitHub organization is refused', () => {
    expectInfraError(make(good, { github: { organization: 'someone-else' } }), 'platform.services[0].sourceRepository', /outside the GitHub organization someone-else/);
  });

  test('a bad subnet plan made in code is refused at the field of its block: the loader refuses the same plan in platform.yaml first', () => {
    const outside = { ...good, network: { ...good.network, loadBalancerCidrs: ['192.168.0.0/20'] } };
    expectInfraError(make(outside), 'platform.network.loadBalancerCidrs[0]', /192\.168\.0\.0\/20 is not inside the VPC, 10\.0\.0\.0\/16 \(platform\.network\.vpcCidr\)/);
    // AND the VPC CIDR a prop gives is named as the prop
    expectInfraError(make(outside, { network: { vpcCidr: '10.8.0.0/16' } }), 'platform.network.loadBalancerCidrs[0]', /not inside the VPC, 10\.8\.0\.0\/16 \(network\.vpcCidr\)/);
    // AND a block the props give, overlapping the load balancer block, is the one refused
    expectInfraError(make(good, { network: { nodeCidrs: ['10.0.8.0/21'] } }), 'network.nodeCidrs[0]', /overlaps platform\.network\.loadBalancerCidrs\[0\], 10\.0\.0\.0\/20: give the node and load balancer subnets separate blocks/);
    const twoBlocks = { ...good, network: { ...good.network, loadBalancerCidrs: ['10.0.0.0/24', '10.0.1.0/24'] } };
    expectInfraError(make(twoBlocks), 'platform.network.loadBalancerCidrs', /one block .* or 3 blocks/);
  });

  test('bad network, hosted zone, OIDC and branch options', () => {
    expectInfraError(make(good, { network: { natGateways: 0 } }), 'network.natGateways', /from 1 to 3/);
    expectInfraError(make(good, { network: { availabilityZones: ['eu-west-1a', 'eu-west-1b'] } }), 'network.availabilityZones', /three different zones/);
    expectInfraError(make(good, { network: { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'us-east-1a'] } }), 'network.availabilityZones[2]', /zone of eu-west-1/);
    expectInfraError(make(good, { hostedZone: { zoneId: '/hostedzone/Z123' } }), 'hostedZone.zoneId', /without "\/hostedzone\/"/);
    expectInfraError(make(good, { github: { oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/example.com' } }), 'github.oidcProviderArn', /GitHub Actions OIDC provider/);
    expectInfraError(make(good, { github: { branch: 'refs/heads/*' } }), 'github.branch', /git branch name/);
    // platform.yaml's rule (isGitBranchName): HEAD refused, what git allows kept
    expectInfraError(make(good, { github: { branch: 'HEAD' } }), 'github.branch', /git branch name/);
    assert.doesNotThrow(make(good, { github: { branch: 'Feature+ü' } }));
    expectInfraError(make(good, { env: { region: 'us-east-1' } }), 'env.region', /platform\.yaml runs in eu-west-1/);
  });

  test('a region whose zone names differ between accounts needs them named', () => {
    const services = good.services.map((service) => ({ ...service, image: service.image.replace('eu-west-1', 'us-west-1') }));
    const { availabilityZones: _zones, ...network } = good.network;
    expectInfraError(make({ ...withInfo({ region: 'us-west-1' }), services, network }), 'platform.network.availabilityZones', /is required in us-west-1/, /only two zones/);
    // AND the zones of another region, from a definition made in code, are refused at the platform's field
    expectInfraError(make({ ...withInfo({ region: 'us-west-1' }), services }), 'platform.network.availabilityZones[0]', /zone of us-west-1/);
  });

  test('platform.yaml\'s fields checked again in a definition made in code are named as platform fields', () => {
    const withNetwork = (network: Partial<PlatformDefinition['network']>): PlatformDefinition => ({ ...good, network: { ...good.network, ...network } });
    expectInfraError(make(withNetwork({ vpcCidr: '10.0.0.0/8' })), 'platform.network.vpcCidr', /\/16 to \/28/);
    expectInfraError(make(withInfo({ hostedZoneId: 'hostedzone/Z1' })), 'platform.platform.hostedZoneId', /without "\/hostedzone\/"/);
    expectInfraError(
      make(withInfo({ githubOidcProviderArn: 'arn:aws:iam::999988887777:oidc-provider/token.actions.githubusercontent.com' })),
      'platform.platform.githubOidcProviderArn',
      /account 999988887777/,
      /its own account/,
    );
    expectInfraError(
      make(withInfo({ githubOidcProviderArn: `arn:aws-cn:iam::${good.platform.account}:oidc-provider/token.actions.githubusercontent.com` })),
      'platform.platform.githubOidcProviderArn',
      /is in partition aws-cn, but the platform's region \S+ is in aws/,
    );
    // AND a prop's value is named as the prop
    expectInfraError(
      make(good, { github: { oidcProviderArn: 'arn:aws:iam::999988887777:oidc-provider/token.actions.githubusercontent.com' } }),
      'github.oidcProviderArn',
      /account 999988887777/,
    );
  });
});
