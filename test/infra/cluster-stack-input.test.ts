// ClusterStack's input: what it takes from platform.yaml besides the cluster
// (the platform's account, region and domain; the platform admins) and the
// props it refuses, each naming the field. Definitions made by hand (a user's
// own CDK app) may lack what the loader guarantees.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { loadPlatform, type PlatformDefinition } from '../../src/platform/index.js';
import { ClusterStack, type ClusterStackProps } from '../../src/infra/cluster-stack.js';
import { InfraError } from '../../src/infra/errors.js';
import { validatePlatformInfo } from '../../src/infra/private/platform-info.js';
import { testApp, testNetwork } from './helpers.js';

const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));
const blue = platform.clusters.find((cluster) => cluster.name === 'blue')!;
const ADMIN = 'arn:aws:iam::111122223333:role/labs-platform-admins';
const OTHER_ADMIN = 'arn:aws:iam::111122223333:role/break-glass';

/** WHEN a cluster stack is built for blue from `definition` (its own app and stand-in network). */
function build(definition: PlatformDefinition, props: Partial<ClusterStackProps> = {}): ClusterStack {
  const app = testApp();
  return new ClusterStack(app, 'labs-blue', { platform: definition, cluster: blue, ...testNetwork(app, platform), ...props });
}

function expectInfraError(run: () => unknown, field: string, ...phrases: RegExp[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(InfraError.isInfraError(error), `expected an InfraError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.equal(error.constructPath, 'labs-blue');
    for (const phrase of phrases) assert.match(error.message, phrase);
    return true;
  });
}

function withInfo(change: (info: Record<string, unknown>) => void): PlatformDefinition {
  const info: Record<string, unknown> = { ...platform.platform };
  change(info);
  return { ...platform, platform: info as unknown as PlatformDefinition['platform'] };
}

describe('ClusterStack: the platform\'s account, region and domain', () => {
  test('a missing (deleted) account, region, domain or name is named, as is a missing platform section', () => {
    for (const field of ['account', 'region', 'domain', 'name']) {
      expectInfraError(() => build(withInfo((info) => delete info[field])), `platform.platform.${field}`, /is missing/);
    }
    expectInfraError(() => build({ ...platform, platform: undefined } as unknown as PlatformDefinition), 'platform.platform.name', /is missing/);
  });

  test('a missing section the stack reads (teams, capacity, manifests) is named, not left to a TypeError', () => {
    for (const section of ['teams', 'capacity', 'manifests']) {
      expectInfraError(() => build({ ...platform, [section]: undefined } as unknown as PlatformDefinition), `platform.${section}`, /is missing: a definition made by hand needs every section loadPlatform returns/);
    }
  });

  test('empty values are named as missing, malformed ones with what was found', () => {
    expectInfraError(() => build(withInfo((info) => (info.account = ''))), 'platform.platform.account', /is missing/, /12-digit/);
    expectInfraError(() => build(withInfo((info) => (info.account = '12'))), 'platform.platform.account', /12-digit AWS account ID \(a string\); found "12"/);
    expectInfraError(() => build(withInfo((info) => (info.account = 111122223333))), 'platform.platform.account', /found 111122223333/);
    expectInfraError(() => build(withInfo((info) => (info.region = 'Tokyo'))), 'platform.platform.region', /AWS region such as "eu-west-1"; found "Tokyo"/);
    expectInfraError(() => build(withInfo((info) => (info.domain = 'Labs.Example.com.'))), 'platform.platform.domain', /lowercase DNS name/);
  });

  test('a region, account and domain platform.yaml accepts pass: the stacks check them by platform.yaml\'s rules', () => {
    const accept = (field: string, value: string): void =>
      validatePlatformInfo(withInfo((info) => (info[field] = value)), undefined, (at, message) => assert.fail(`${at} ${message}`));
    accept('region', 'eu-west-10');
    accept('region', 'us-isob-east-1');
    accept('domain', 'labs.example.internal1');
    // AND a label past DNS's 63 characters is refused there and here
    expectInfraError(() => build(withInfo((info) => (info.domain = `${'a'.repeat(64)}.example.com`))), 'platform.platform.domain', /lowercase DNS name/);
  });

  test('an env other than platform.yaml\'s account and region is refused', () => {
    expectInfraError(() => build(platform, { env: { account: '999999999999' } }), 'env.account', /platform\.yaml deploys to 111122223333/);
    expectInfraError(() => build(platform, { env: { region: 'eu-west-1' } }), 'env.region', /platform\.yaml runs in ap-northeast-1/);
  });
});

describe('ClusterStack: the public endpoint', () => {
  /** The cluster's endpoint settings in the template. */
  const endpoint = (stack: ClusterStack): Record<string, unknown> => {
    const [cluster] = Object.values(Template.fromStack(stack).findResources('AWS::EKS::Cluster')) as { Properties: { ResourcesVpcConfig: Record<string, unknown> } }[];
    const { EndpointPublicAccess, PublicAccessCidrs } = cluster!.Properties.ResourcesVpcConfig;
    return { EndpointPublicAccess, PublicAccessCidrs };
  };
  const withApiCidrs = (cidrs: readonly string[]): PlatformDefinition => ({ ...platform, platform: { ...platform.platform, apiEndpointCidrs: cidrs } });

  test('platform.yaml\'s platform.apiEndpointCidrs open the endpoint to those networks; publicEndpointCidrs overrides them', () => {
    assert.deepEqual(endpoint(build(platform)), { EndpointPublicAccess: false, PublicAccessCidrs: undefined });
    const office = withApiCidrs(['203.0.113.0/24']);
    assert.deepEqual(endpoint(build(office)), { EndpointPublicAccess: true, PublicAccessCidrs: ['203.0.113.0/24'] });
    assert.deepEqual(endpoint(build(office, { publicEndpointCidrs: ['198.51.100.0/24'] })), { EndpointPublicAccess: true, PublicAccessCidrs: ['198.51.100.0/24'] });
    // AND an empty prop makes it private again, whatever platform.yaml says
    assert.deepEqual(endpoint(build(office, { publicEndpointCidrs: [] })), { EndpointPublicAccess: false, PublicAccessCidrs: undefined });
  });

  test('an IPv6 CIDR is refused: the cluster is IPv4 and EKS takes no IPv6 block for its public endpoint', () => {
    expectInfraError(() => build(platform, { publicEndpointCidrs: ['203.0.113.0/24', '2001:db8::/32'] }), 'publicEndpointCidrs[1]', /IPv6/, /IPv4 cluster/);
    // AND from a definition made in code, the platform's field is named
    expectInfraError(() => build(withApiCidrs(['0.0.0.0/0'])), 'platform.platform.apiEndpointCidrs[0]', /every address/);
  });
});

describe('ClusterStack: props a JavaScript app may set to anything', () => {
  test('a teamAccessPolicy other than none, view or edit is refused with the allowed values', () => {
    // GIVEN 'admin' (no such choice), as a JavaScript app or a cast would pass it
    const admin = { teamAccessPolicy: 'admin' } as unknown as Partial<ClusterStackProps>;
    expectInfraError(() => build(platform, admin), 'teamAccessPolicy', /"none", "view", "edit"/, /found "admin"/);
    // AND a name that is a property of every object is no policy either
    const inherited = { teamAccessPolicy: 'toString' } as unknown as Partial<ClusterStackProps>;
    expectInfraError(() => build(platform, inherited), 'teamAccessPolicy', /found "toString"/);
  });

  test('a repositoryCredentialsSecretName that Secrets Manager cannot name is refused', () => {
    for (const name of ['', 'kaji/labs/manifest repository', 'x'.repeat(513), 'kaji/labs/ümlaut']) {
      expectInfraError(() => build(platform, { repositoryCredentialsSecretName: name }), 'repositoryCredentialsSecretName', /Secrets Manager secret name/, /kaji\/labs\/manifest-repository/);
    }
  });
});

/** The stack's access entries, resolved: principal, Kubernetes groups and access policies. */
function accessEntries(stack: ClusterStack): { principal: string; groups: unknown; policies: string[] }[] {
  return stack.node
    .findAll()
    .filter((construct): construct is eks.CfnAccessEntry => construct instanceof eks.CfnAccessEntry)
    .map((entry) => {
      const resolved = stack.resolve({ principal: entry.principalArn, groups: entry.kubernetesGroups, policies: entry.accessPolicies }) as {
        principal: string;
        groups: unknown;
        policies?: { policyArn: unknown; accessScope: { type: string } }[];
      };
      return {
        principal: resolved.principal,
        groups: resolved.groups,
        policies: (resolved.policies ?? []).map((policy) => `${JSON.stringify(policy.policyArn).match(/policy\/(\w+)/)?.[1]}@${policy.accessScope.type}`),
      };
    })
    .filter((entry) => typeof entry.principal === 'string');
}

const admins = (stack: ClusterStack): string[] =>
  accessEntries(stack)
    .filter((entry) => entry.policies.includes('AmazonEKSClusterAdminPolicy@cluster'))
    .map((entry) => entry.principal)
    .sort();

describe('ClusterStack: the platform admins', () => {
  const withAdmins = (adminRoles: readonly string[]): PlatformDefinition => ({ ...platform, platform: { ...platform.platform, adminRoles } });

  test('platform.yaml\'s platform.adminRoles are cluster admins at cluster scope, and nothing else is; without any no role is', () => {
    assert.deepEqual(platform.platform.adminRoles, [ADMIN]);
    const stack = build(withAdmins([ADMIN, OTHER_ADMIN]));
    assert.deepEqual(admins(stack), [OTHER_ADMIN, ADMIN].sort());
    // AND the teams' entries stay as they were: their group, no EKS policy
    const teams = accessEntries(stack).filter((entry) => platform.teams.some((team) => team.identity === entry.principal));
    assert.equal(teams.length, platform.teams.length);
    assert.ok(teams.every((entry) => entry.policies.length === 0));
    assert.deepEqual(admins(build(withAdmins([]))), []);
    // A definition made by hand may have no adminRoles at all.
    const { adminRoles: _none, ...info } = platform.platform;
    assert.deepEqual(admins(build({ ...platform, platform: info })), []);
  });

  test('the platformAdminRoleArns prop adds to platform.yaml\'s list, never replaces it; a role in both is one entry', () => {
    assert.deepEqual(admins(build(platform, { platformAdminRoleArns: [OTHER_ADMIN] })), [OTHER_ADMIN, ADMIN].sort());
    assert.deepEqual(admins(build(platform, { platformAdminRoleArns: [] })), [ADMIN]);
    assert.deepEqual(admins(build(platform, { platformAdminRoleArns: [OTHER_ADMIN, ADMIN] })), [OTHER_ADMIN, ADMIN].sort());
    assert.deepEqual(admins(build(withAdmins([]), { platformAdminRoleArns: [OTHER_ADMIN] })), [OTHER_ADMIN]);
  });

  test('an admin\'s entry keeps its logical ID when other roles are removed or reordered (EKS refuses a second entry for one role)', () => {
    const ids = (stack: ClusterStack): Map<string, string> =>
      new Map(
        stack.node
          .findAll()
          .filter((construct): construct is eks.CfnAccessEntry => construct instanceof eks.CfnAccessEntry)
          .map((entry) => [stack.resolve(entry.principalArn) as string, stack.getLogicalId(entry)]),
      );
    const both = ids(build(withAdmins([OTHER_ADMIN, ADMIN])));
    const reordered = ids(build(withAdmins([ADMIN, OTHER_ADMIN])));
    const one = ids(build(withAdmins([ADMIN])));
    assert.equal(reordered.get(ADMIN), both.get(ADMIN));
    assert.equal(reordered.get(OTHER_ADMIN), both.get(OTHER_ADMIN));
    assert.equal(one.get(ADMIN), both.get(ADMIN));
    assert.notEqual(both.get(ADMIN), both.get(OTHER_ADMIN));
  });

  test('an admin role that is also a team\'s identity, or is no IAM role ARN, is refused naming where it came from', () => {
    const team = platform.teams[1]!;
    expectInfraError(() => build(withAdmins([team.identity])), 'platform.teams[1].identity', /platform\.platform\.adminRoles\[0\] already names/);
    expectInfraError(() => build(platform, { platformAdminRoleArns: [team.identity] }), 'platform.teams[1].identity', /platformAdminRoleArns\[0\] already names/);
    expectInfraError(() => build(platform, { platformAdminRoleArns: [OTHER_ADMIN, 'platform-admins'] }), 'platformAdminRoleArns[1]', /must be an IAM role ARN .*; found "platform-admins"/);
    expectInfraError(() => build(withAdmins([ADMIN, 'arn:aws:iam::111122223333:user/alice'])), 'platform.platform.adminRoles[1]', /must be an IAM role ARN/);
    // A definition or props made by hand with one ARN where a list belongs
    expectInfraError(() => build(withAdmins(ADMIN as unknown as string[])), 'platform.platform.adminRoles', /must be a list of IAM role ARNs; found "arn:/);
    expectInfraError(() => build(platform, { platformAdminRoleArns: OTHER_ADMIN as unknown as string[] }), 'platformAdminRoleArns', /must be a list of IAM role ARNs/);
  });
});
