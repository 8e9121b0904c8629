import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { load } from 'js-yaml';
import { loadPlatform, type PlatformDefinition } from '../../src/platform/index.js';
import { ClusterStack, defaultRepositoryCredentialsSecretName } from '../../src/infra/cluster-stack.js';
import { kajiNagFindings } from '../../src/infra/nag.js';
import { InfraError } from '../../src/infra/errors.js';
import { testApp, testNetwork } from './helpers.js';

// GIVEN the example platform with Argo CD sign-in through an OIDC provider,
// WHEN its blue cluster stack is synthesized (once for the whole file).
const example = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));
const CLIENT_SECRET_NAME = 'labs/argocd-okta-client';
const platform: PlatformDefinition = {
  ...example,
  argocd: {
    sso: {
      name: 'Okta',
      issuer: 'https://example.okta.com',
      clientID: '0oa1b2c3',
      clientSecretName: CLIENT_SECRET_NAME,
      scopes: ['openid', 'profile', 'email', 'groups'],
      groupsClaim: 'groups',
      adminGroups: ['platform-team'],
      readonlyGroups: ['auditors'],
      teamGroups: {},
    },
  },
};
const cluster = platform.clusters.find((candidate) => candidate.name === 'blue');
assert.ok(cluster);
const app = testApp();
const stack = new ClusterStack(app, 'labs-blue', { platform, cluster, ...testNetwork(app, platform), platformAdminRoleArns: ['arn:aws:iam::111122223333:role/labs-platform-admins'] });
const template = Template.fromStack(stack);
const json = JSON.stringify(template.toJSON());

function resources(type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.findResources(type)).map(([id, resource]) => [id, (resource as { Properties: Record<string, unknown> }).Properties]);
}

function manifests(): Record<string, unknown>[] {
  return resources('Custom::AWSCDK-EKS-KubernetesResource').flatMap(([, properties]) =>
    typeof properties.Manifest === 'string' ? (JSON.parse(properties.Manifest) as Record<string, unknown>[]) : [],
  );
}

interface ArgoCdValues {
  global?: { domain?: string };
  dex?: { enabled?: boolean };
  configs?: { params?: Record<string, unknown>; cm?: Record<string, string>; rbac?: Record<string, string> };
}

function argoCdValues(): ArgoCdValues {
  const charts = resources('Custom::AWSCDK-EKS-HelmChart').filter(([, properties]) => properties.Chart === 'argo-cd');
  assert.equal(charts.length, 1);
  return JSON.parse(String(charts[0]![1].Values)) as ArgoCdValues;
}

describe('ClusterStack with argocd.sso', () => {
  test('the Argo CD chart gets the cluster\'s URL, an oidc.config referring to the client secret by name, and RBAC with no default role', () => {
    const values = argoCdValues();
    assert.equal(values.dex?.enabled, false, 'straight to the provider, no Dex');
    assert.equal(values.configs?.params?.['reposerver.parallelism.limit'], 4, 'kaji\'s params stay');
    assert.equal(values.configs?.cm?.url, 'https://argocd.blue.labs.example.com');
    // The chart's own default for the host (argocd.example.com) would be the host of a server Ingress set through argoCdValues.
    assert.equal(values.global?.domain, 'argocd.blue.labs.example.com');
    assert.deepEqual(load(values.configs?.cm?.['oidc.config'] ?? ''), {
      name: 'Okta',
      issuer: 'https://example.okta.com',
      clientID: '0oa1b2c3',
      clientSecret: '$kaji-argocd-sso:clientSecret',
      requestedScopes: ['openid', 'profile', 'email', 'groups'],
      requestedIDTokenClaims: { groups: { essential: true } },
    });
    assert.deepEqual(values.configs?.rbac, {
      'policy.kaji.csv': 'p, role:kaji-reader, applications, get, */*, allow\ng, kaji-reader, role:kaji-reader\ng, platform-team, role:admin\ng, auditors, role:readonly\n',
      'policy.default': '',
      scopes: '["groups"]',
    });
    assert.equal(values.configs?.cm?.['accounts.kaji-reader'], 'apiKey', 'kaji\'s reader account, API tokens only');
  });

  test('an ExternalSecret writes the client secret into the Secret oidc.config names, labelled for Argo CD; no secret value in the template', () => {
    const externalSecrets = manifests().filter((object) => object.kind === 'ExternalSecret') as {
      metadata: { name: string; namespace: string };
      spec: { secretStoreRef: unknown; target: { name: string; template: { metadata: { labels: Record<string, string> } } }; data?: unknown };
    }[];
    assert.deepEqual(externalSecrets.map((secret) => secret.metadata.name).sort(), ['kaji-argocd-sso', 'kaji-manifest-repository']);
    const sso = externalSecrets.find((secret) => secret.metadata.name === 'kaji-argocd-sso');
    assert.ok(sso);
    assert.equal(sso.metadata.namespace, 'argocd');
    assert.deepEqual(sso.spec.secretStoreRef, { kind: 'SecretStore', name: 'kaji-secrets-manager' });
    assert.equal(sso.spec.target.name, 'kaji-argocd-sso');
    assert.deepEqual(sso.spec.target.template.metadata.labels, { 'app.kubernetes.io/part-of': 'argocd' });
    assert.deepEqual(sso.spec.data, [{ secretKey: 'clientSecret', remoteRef: { key: CLIENT_SECRET_NAME } }]);
    assert.doesNotMatch(json, /SecretString|resolve:secretsmanager/);
    assert.doesNotMatch(json, /"kind\\?":\\?"Secret\\?"/);
  });

  test('the External Secrets Operator\'s role reads exactly the two secrets, and only reads them', () => {
    const policies = resources('AWS::IAM::Policy').filter(([id]) => id.startsWith('ArgoCdExternalSecretsIdentityRoleDefaultPolicy'));
    assert.equal(policies.length, 1);
    const statements = (policies[0]![1].PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement;
    for (const statement of statements) assert.deepEqual(statement.Action, ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    // Each resource is the secret's ARN with the six characters Secrets Manager appends to its name.
    const names = [...JSON.stringify(statements).matchAll(/:secret:([^"]+?)-\?{6}/g)].map((match) => match[1]);
    assert.deepEqual(names.sort(), [CLIENT_SECRET_NAME, defaultRepositoryCredentialsSecretName(platform)].sort());
  });

  test('without argocd.ingress, kaji serves Argo CD nowhere: no certificate, no server Ingress', () => {
    assert.deepEqual(resources('AWS::CertificateManager::Certificate'), []);
    assert.equal((argoCdValues() as { server?: unknown }).server, undefined);
    assert.ok(!manifests().some((object) => object.kind === 'Ingress'));
  });

  test('cdk-nag AwsSolutions: the second secret adds no unacknowledged error', () => {
    const errors = kajiNagFindings(stack).filter((finding) => finding.severity === 'error');
    assert.deepEqual(errors.map((finding) => `${finding.ruleName}: ${finding.violatingResources.map((resource) => resource.constructPath ?? resource.resourceLogicalId).join(', ')}`), []);
  });

  test('an argoCdValues global that is not a map: an InfraError naming the construct, the field and the cluster stack\'s setting, before anything is built', () => {
    const other = testApp();
    assert.throws(
      () => new ClusterStack(other, 'labs-blue', { platform, cluster, ...testNetwork(other, platform), platformAdminRoleArns: ['arn:aws:iam::111122223333:role/labs-platform-admins'], argoCdValues: { global: 'mirror' } }),
      (error: unknown) =>
        InfraError.isInfraError(error) &&
        error.field === 'values.global' &&
        error.message ===
          'labs-blue/ArgoCd: values.global is the string "mirror", not a map: kaji merges it over Argo CD\'s host (global.domain), the pinned image tag, the system-node placement and the NetworkPolicies; give a map of the chart\'s global keys, or leave global out (a cluster stack\'s argoCdValues.global)',
    );
  });

  test('an argoCdValues configs that is not a map: the same InfraError, naming values.configs', () => {
    const other = testApp();
    assert.throws(
      () => new ClusterStack(other, 'labs-blue', { platform, cluster, ...testNetwork(other, platform), platformAdminRoleArns: ['arn:aws:iam::111122223333:role/labs-platform-admins'], argoCdValues: { configs: null } }),
      (error: unknown) =>
        InfraError.isInfraError(error) &&
        error.field === 'values.configs' &&
        error.message.startsWith('labs-blue/ArgoCd: values.configs is null, not a map: kaji merges it section by section') &&
        error.message.endsWith('(a cluster stack\'s argoCdValues.configs)'),
    );
  });
});
