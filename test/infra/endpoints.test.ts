import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SharedStack } from '../../src/infra/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { platformYaml } from '../support/platform.js';

/** The shared stack of a one-service platform whose platform.yaml names these `network.awsEndpoints`. */
function sharedStack(awsEndpoints: readonly string[]): { stack: SharedStack; template: Template } {
  const network = awsEndpoints.length ? `network:\n  awsEndpoints: [${awsEndpoints.join(', ')}]\n` : '';
  const platform = parsePlatform(platformYaml([{ name: 'shop' }]).replace('manifests:', `${network}manifests:`), 'platform.yaml');
  const stack = new SharedStack(new cdk.App(), 'shop-shared', { platform });
  return { stack, template: Template.fromStack(stack) };
}

function interfaceEndpoints(template: Template) {
  return Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
}

describe('SharedStack interface endpoints from platform.yaml', () => {
  test('network.awsEndpoints become interface endpoints with private DNS in the endpoint subnets', () => {
    // GIVEN a platform whose pods call SQS and STS through the VPC, WHEN the shared stack is built
    const { template } = sharedStack(['sqs', 'sts']);
    // THEN each named service has one interface endpoint with private DNS
    const names = interfaceEndpoints(template).map((endpoint) => JSON.stringify(endpoint.Properties.ServiceName));
    assert.equal(names.length, 2);
    assert.ok(names.some((name) => name.includes('.sqs')));
    assert.ok(names.some((name) => name.includes('.sts')));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true, SubnetIds: Match.anyValue() });
  });

  test('the interface endpoints share one security group: HTTPS from the node subnets only, nothing outbound', () => {
    // GIVEN a platform with three interface endpoints, WHEN the shared stack is built
    const { stack, template } = sharedStack(['sqs', 'sts', 'secretsmanager']);
    // THEN there is one security group, and every endpoint uses it
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    assert.deepEqual(Object.keys(groups).length, 1);
    const [groupId, group] = Object.entries(groups)[0]!;
    const endpoints = interfaceEndpoints(template);
    assert.equal(endpoints.length, 3);
    for (const endpoint of endpoints) assert.deepEqual(endpoint.Properties.SecurityGroupIds, [{ 'Fn::GetAtt': [groupId, 'GroupId'] }]);
    // AND it admits HTTPS from exactly the node subnets' CIDRs
    const ingress = group.Properties.SecurityGroupIngress as { CidrIp: string; FromPort: number; ToPort: number; IpProtocol: string }[];
    assert.deepEqual(ingress.map((rule) => [rule.IpProtocol, rule.FromPort, rule.ToPort]), [['tcp', 443, 443], ['tcp', 443, 443], ['tcp', 443, 443]]);
    assert.deepEqual(ingress.map((rule) => rule.CidrIp).sort(), [...stack.subnetPlan.subnets.nodes].sort());
    // AND allows no outbound traffic (aws-cdk-lib's placeholder rule matches nothing)
    const egress = group.Properties.SecurityGroupEgress as { CidrIp: string }[];
    assert.deepEqual(egress.map((rule) => rule.CidrIp), ['255.255.255.255/32']);
  });

  test('without interface endpoints there is no endpoint security group', () => {
    const { template } = sharedStack([]);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2); // the S3 and DynamoDB gateway endpoints
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });
});
