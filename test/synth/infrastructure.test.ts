import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlatform } from '../../src/platform/index.js';
import * as cdk from 'aws-cdk-lib';
import { assemblyProblem, synthesizeInfrastructure } from '../../src/synth/infrastructure.js';
import { platformYaml } from '../support/platform.js';
import { setEnv } from '../support/env.js';

/** A platform of `count` services, each with its ECR repository and CI role in the shared stack. */
function platformOf(count: number) {
  const parsed = parsePlatform(platformYaml(Array.from({ length: count }, (_, index) => ({ name: `svc-${index}` }))), 'platform.yaml');
  return { ...parsed, services: parsed.services.map((service) => ({ ...service, sourceRepository: `example-shop/${service.name}` })) };
}

describe('synthesizeInfrastructure', () => {
  // os.tmpdir() at a private folder for the whole file (aws-cdk-lib keeps a staging folder
  // there for the process), so that what synthesis leaves in it can be listed.
  let tmp = '';
  let restoreEnv: () => void;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kaji-infra-test-'));
    restoreEnv = setEnv({ TMPDIR: tmp });
  });
  after(() => {
    restoreEnv();
    rmSync(tmp, { recursive: true, force: true });
  });
  const assemblies = () => readdirSync(tmp).filter((name) => name.startsWith('kaji-cdk-'));

  test('lists the stacks, at 205 services too; a check-only synthesis leaves no assembly behind', async () => {
    // README: with 62 fixed resources (no interface endpoints here) and two per service, the shared stack holds about 215 services.
    const result = await synthesizeInfrastructure(platformOf(205), undefined);
    assert.deepEqual(result.stacks, ['shop-shared', 'shop-blue', 'shop-green']);
    assert.equal(result.problem, undefined);
    assert.equal(result.outdir, undefined);
    assert.deepEqual(assemblies(), []);
  });

  test('past 500 resources in the shared stack: a problem naming the limit and the count per type, no stack trace, nothing left behind', async () => {
    const result = await synthesizeInfrastructure(platformOf(220), undefined);
    assert.deepEqual(result.stacks, []);
    assert.match(result.problem!, /^the CDK app does not synthesise: .*500/);
    assert.match(result.problem!, /AWS::ECR::Repository \(220\)/);
    assert.doesNotMatch(result.problem!, /\n\s+at /);
    assert.deepEqual(assemblies(), []);
  });

  test('writes the assembly where it is told to', async () => {
    const outdir = join(tmp, 'cdk.out');
    const result = await synthesizeInfrastructure(platformOf(1), outdir);
    assert.equal(result.problem, undefined);
    assert.equal(result.outdir, outdir);
    assert.ok(existsSync(join(outdir, 'shop-shared.template.json')));
  });

  test('a context lookup in the app is a problem naming it, as an error annotation is', () => {
    // GIVEN an app whose stack asks AWS for its zones (an environment with no zones given)
    const app = new cdk.App({ outdir: join(tmp, 'lookup.out') });
    const stack = new cdk.Stack(app, 'looks-up', { env: { account: '111122223333', region: 'eu-west-1' } });
    new cdk.CfnOutput(stack, 'Zones', { value: cdk.Fn.join(',', stack.availabilityZones) });
    // THEN the assembly is refused, naming the lookup
    assert.match(assemblyProblem(app.synth())!, /looks values up in AWS at synthesis \(availability-zones:account=111122223333:region=eu-west-1\)/);
    // AND an error annotation comes first, as before
    cdk.Annotations.of(stack).addError('broken');
    assert.match(assemblyProblem(app.synth({ force: true }))!, /^the CDK app has 1 error\(s\), e\.g\. \/looks-up: broken$/);
  });

  test('the assembly is what platform.yaml says beyond the services: VPC CIDR and zones, API endpoint networks, existing OIDC provider and zone', async () => {
    // GIVEN a platform.yaml that names them all (no CDK app options anywhere)
    const provider = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
    const text = platformYaml([{ name: 'svc-0' }])
      .replace(
        'domain: shop.example.com}',
        `domain: shop.example.com, apiEndpointCidrs: [203.0.113.0/24], githubOidcProviderArn: "${provider}", hostedZoneId: Z0123456789ABCDEFGHIJ}`,
      )
      .replace('teams:\n', 'network: {vpcCidr: 172.20.0.0/16, availabilityZones: [eu-west-1b, eu-west-1c, eu-west-1a]}\nteams:\n');
    const outdir = join(tmp, 'from-yaml.out');
    // WHEN kaji synth's synthesis writes the assembly
    const parsed = parsePlatform(text, 'platform.yaml');
    const result = await synthesizeInfrastructure({ ...parsed, services: parsed.services.map((service) => ({ ...service, sourceRepository: 'example-shop/svc-0' })) }, outdir);
    assert.equal(result.problem, undefined);
    // THEN the shared stack has that VPC in those zones, and imports the provider (which the CI role trusts) and the zone
    const shared = resources(join(outdir, 'shop-shared.template.json'));
    assert.deepEqual(shared.filter((r) => r.Type === 'AWS::EC2::VPC').map((r) => r.Properties?.CidrBlock), ['172.20.0.0/16']);
    const zones = new Set(shared.filter((r) => r.Type === 'AWS::EC2::Subnet').map((r) => r.Properties?.AvailabilityZone));
    assert.deepEqual([...zones].sort(), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    assert.deepEqual(shared.filter((r) => r.Type === 'AWS::IAM::OIDCProvider' || r.Type === 'AWS::Route53::HostedZone'), []);
    assert.match(JSON.stringify(shared.filter((r) => r.Type === 'AWS::IAM::Role')), new RegExp(provider.replaceAll('.', '\\.')));
    // AND each cluster's API endpoint is public to the named network only
    for (const cluster of ['shop-blue', 'shop-green']) {
      const [eks] = resources(join(outdir, `${cluster}.template.json`)).filter((r) => r.Type === 'AWS::EKS::Cluster');
      assert.deepEqual((eks?.Properties?.ResourcesVpcConfig as Record<string, unknown>).PublicAccessCidrs, ['203.0.113.0/24'], cluster);
    }
  });
});

/** The resources of a template file. */
function resources(file: string): { Type: string; Properties?: Record<string, unknown> }[] {
  return Object.values((JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }).Resources);
}
