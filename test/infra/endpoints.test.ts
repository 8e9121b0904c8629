import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SharedStack } from '../../src/infra/index.js';
import { loadPlatform, parsePlatform } from '../../src/platform/index.js';
import { platformYaml } from '../support/platform.js';
import { testApp } from './helpers.js';

/** The shared stack of a one-service platform whose platform.yaml names these `network.awsEndpoints`. */
function sharedStack(awsEndpoints: readonly string[]): { stack: SharedStack; template: Template } {
  const network = awsEndpoints.length ? `network:\n  awsEndpoints: [${awsEndpoints.join(', ')}]\n` : '';
  const platform = parsePlatform(platformYaml([{ name: 'shop' }]).replace('manifests:', `${network}manifests:`), 'platform.yaml');
  const stack = new SharedStack(testApp(), 'shop-shared', { platform });
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

  test('s3 gets private DNS for every resolver of the VPC, so pods resolve S3 to the endpoint subnets, not to the gateway', () => {
    // GIVEN a platform whose pods call S3 and SQS (and the gateway endpoints kaji always makes)
    const { template } = sharedStack(['s3', 'sqs']);
    // THEN S3's interface endpoint says AllResolvers outright: AWS reads an unset choice as only-inbound when a gateway exists
    const [s3] = interfaceEndpoints(template).filter((endpoint) => JSON.stringify(endpoint.Properties.ServiceName).includes('.s3'));
    assert.ok(s3, 'an S3 interface endpoint');
    assert.equal(s3.Properties.PrivateDnsEnabled, true);
    assert.deepEqual(s3.Properties.DnsOptions, { PrivateDnsOnlyForInboundResolverEndpoint: 'AllResolvers' });
    // AND the other endpoints keep AWS's plain private DNS
    const [sqs] = interfaceEndpoints(template).filter((endpoint) => JSON.stringify(endpoint.Properties.ServiceName).includes('.sqs'));
    assert.equal(sqs!.Properties.PrivateDnsEnabled, true);
    assert.equal(sqs!.Properties.DnsOptions, undefined);
    // AND the S3 gateway endpoint stays (free, for what S3's private zone does not name)
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 2);
  });

  test('dynamodb and dynamodb-streams, which AWS offers no private DNS, are made without it and their URLs are outputs', () => {
    // GIVEN a platform whose pods call DynamoDB and its streams
    const { template } = sharedStack(['dynamodb', 'dynamodb-streams']);
    // THEN neither endpoint asks for private DNS (EC2 would refuse the stack)
    const endpoints = interfaceEndpoints(template);
    assert.equal(endpoints.length, 2);
    for (const endpoint of endpoints) assert.equal(endpoint.Properties.PrivateDnsEnabled, false, JSON.stringify(endpoint.Properties.ServiceName));
    // AND each endpoint's Regional URL is an output naming the SDKs' variable to set
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    assert.match(outputs.DynamodbEndpointUrl!.Description, /AWS_ENDPOINT_URL_DYNAMODB\b/);
    assert.match(outputs.DynamodbStreamsEndpointUrl!.Description, /AWS_ENDPOINT_URL_DYNAMODB_STREAMS/);
    const [id] = Object.keys(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface', ServiceName: Match.stringLikeRegexp('\\.dynamodb$') } }));
    assert.ok(id, 'the DynamoDB interface endpoint');
    assert.deepEqual(outputs.DynamodbEndpointUrl!.Value, {
      'Fn::Join': ['', ['https://', { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [id, 'DnsEntries'] }] }] }] }]],
    });
  });

  test('without interface endpoints there is no endpoint security group', () => {
    const { template } = sharedStack([]);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2); // the S3 and DynamoDB gateway endpoints
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });
});

describe('the example reaches S3 and DynamoDB through its endpoint subnets', () => {
  const labs = fileURLToPath(new URL('../../examples/labs/', import.meta.url));
  /** The text of a service's base manifests (apps/<service>/base/). */
  const baseOf = (service: string): string => {
    const folder = `${labs}manifests/apps/${service}/base/`;
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(folder + entry.name, 'utf8'))
      .join('\n');
  };

  test('s3 and dynamodb are endpoints; every service whose pods set AWS_ENDPOINT_URL_DYNAMODB may reach the endpoint subnets on 443', async () => {
    const platform = await loadPlatform(`${labs}platform.yaml`);
    assert.ok(platform.network.awsEndpoints.includes('s3') && platform.network.awsEndpoints.includes('dynamodb'));
    const callers = platform.services.filter((service) => baseOf(service.name).includes('AWS_ENDPOINT_URL_DYNAMODB'));
    assert.deepEqual(
      callers.map((service) => service.name),
      ['antenna', 'feed-crawler', 'feed-scheduler', 'blog-editor', 'bookmark-counter', 'star', 'notifications', 'hotentry'],
    );
    for (const service of callers) {
      assert.ok(
        service.egress.some((to) => to.kind === 'cidr' && to.cidr === '10.0.16.0/20' && to.ports.includes(443)),
        `${service.name} may reach the endpoint subnets`,
      );
    }
  });
});
