import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SharedStack } from '../../src/infra/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { platformYaml } from '../support/platform.js';

describe('SharedStack interface endpoints from platform.yaml', () => {
  test('network.awsEndpoints become interface endpoints with private DNS in the endpoint subnets', () => {
    // GIVEN a platform whose pods call SQS and STS through the VPC
    const platform = parsePlatform(
      platformYaml([{ name: 'shop' }]).replace('manifests:', 'network:\n  awsEndpoints: [sqs, sts]\nmanifests:'),
      'platform.yaml',
    );
    // WHEN the shared stack is built
    const stack = new SharedStack(new cdk.App(), 'shop-shared', { platform });
    // THEN each named service has one interface endpoint with private DNS
    const template = Template.fromStack(stack);
    const endpoints = template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
    const names = Object.values(endpoints).map((endpoint) => JSON.stringify(endpoint.Properties.ServiceName));
    assert.equal(names.length, 2);
    assert.ok(names.some((name) => name.includes('.sqs')));
    assert.ok(names.some((name) => name.includes('.sts')));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true, SubnetIds: Match.anyValue() });
  });
});
