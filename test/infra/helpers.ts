// Fixtures for cluster stack tests: what the shared stack would give a cluster.
import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Template } from 'aws-cdk-lib/assertions';
import type { PlatformDefinition } from '../../src/platform/index.js';
import type { ClusterStackProps } from '../../src/infra/cluster-stack.js';

/**
 * An App for a test's stacks, without aws-cdk-lib's validation of the templates against the
 * CloudFormation resource schemas: it costs seconds per stack, and what the example platform and
 * the scaffold build is validated by `cdk synth` itself (example-app.test.ts).
 */
export function testApp(props: cdk.AppProps = {}): cdk.App {
  return new cdk.App({ builtinCloudFormationValidation: false, ...props });
}

/** A stand-in VPC (public and node subnets in three zones) and hosted zone, in a stack of their own in `app`. */
export function testNetwork(app: cdk.App, platform: PlatformDefinition): Pick<ClusterStackProps, 'vpc' | 'hostedZone'> {
  const stack = new cdk.Stack(app, 'Network', { env: { account: platform.platform.account, region: platform.platform.region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'],
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'nodes', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
    ],
  });
  const hostedZone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: platform.platform.domain });
  return { vpc, hostedZone };
}

/** The trust statements of the role a resource names by `Fn::GetAtt: [role, Arn]` (a cluster's RoleArn, a flow log's DeliverLogsPermissionArn). */
export function trustStatementsOf(template: Template, roleArn: unknown): unknown[] {
  const roleId = (roleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const role = template.toJSON().Resources[roleId] as { Properties: { AssumeRolePolicyDocument: { Statement: unknown[] } } };
  return role.Properties.AssumeRolePolicyDocument.Statement;
}

/** The tags of every resource in `stack` that aws-cdk-lib can tag (kaji's own and those of constructs it never names), by construct path. */
export function taggableResourceTags(stack: cdk.Stack): { path: string; tags: Record<string, string> }[] {
  return stack.node
    .findAll()
    .filter((construct): construct is cdk.CfnResource & cdk.ITaggable => construct instanceof cdk.CfnResource && cdk.TagManager.isTaggable(construct))
    .map((resource) => ({ path: resource.node.path, tags: resource.tags.tagValues() }));
}
