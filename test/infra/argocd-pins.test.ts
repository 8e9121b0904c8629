import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ARGOCD_NAMESPACE, loadPlatform } from '../../src/platform/index.js';
import { ClusterStack } from '../../src/infra/cluster-stack.js';
import { EXTERNAL_SECRETS, REPOSITORY_CREDENTIALS } from '../../src/infra/addons/argocd.js';
import { VERSION_TABLE } from '../../src/infra/versions.js';
import { testNetwork } from './helpers.js';

// The Argo CD and External Secrets pins, and the chart values that changed
// with them (argo-cd chart 10.x: NetworkPolicies; external-secrets 2.x: cluster
// generators), as the synthesized cluster stack carries them.
//
// GIVEN the example platform's blue cluster (Kubernetes 1.32, the oldest row)
// with a stand-in VPC and zone; the stack is synthesized once for the file.
const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));
const cluster = platform.clusters.find((candidate) => candidate.name === 'blue');
assert.ok(cluster, 'the example platform has a cluster blue');

const app = new cdk.App();
const { vpc, hostedZone } = testNetwork(app, platform);
// WHEN
const stack = new ClusterStack(app, 'labs-blue', {
  platform,
  cluster,
  vpc,
  hostedZone,
  platformAdminRoleArns: ['arn:aws:iam::111122223333:role/labs-platform-admins'],
});
const template = Template.fromStack(stack);

function resources(type: string): Record<string, unknown>[] {
  return Object.values(template.findResources(type)).map((resource) => (resource as { Properties: Record<string, unknown> }).Properties);
}

function chart(name: string): Record<string, unknown> {
  const found = resources('Custom::AWSCDK-EKS-HelmChart').filter((properties) => properties.Chart === name);
  const [only] = found;
  assert.ok(only !== undefined && found.length === 1, `one ${name} chart`);
  return only;
}

function values(name: string): Record<string, unknown> {
  return JSON.parse(String(chart(name).Values)) as Record<string, unknown>;
}

describe('Argo CD and External Secrets pins', () => {
  test('Argo CD is the argo-cd chart 10.2.2 (Argo CD v3.4.6) on every Kubernetes version of the table', () => {
    const argoCd = chart('argo-cd');
    assert.equal(argoCd.Version, '10.2.2');
    assert.equal(argoCd.Repository, 'https://argoproj.github.io/argo-helm');
    assert.equal(argoCd.Namespace, ARGOCD_NAMESPACE);
    for (const row of VERSION_TABLE) assert.equal(row.charts.argoCd.version, '10.2.2', `Kubernetes ${row.kubernetesVersion}`);
  });

  test('External Secrets is the external-secrets chart 2.14.0 on every Kubernetes version of the table', () => {
    const externalSecrets = chart('external-secrets');
    assert.equal(externalSecrets.Version, '2.14.0');
    assert.equal(externalSecrets.Repository, 'https://charts.external-secrets.io');
    assert.equal(externalSecrets.Namespace, EXTERNAL_SECRETS.namespace);
    for (const row of VERSION_TABLE) assert.equal(row.charts.externalSecrets.version, '2.14.0', `Kubernetes ${row.kubernetesVersion}`);
  });

  test("Argo CD's values: the chart's NetworkPolicies on (set, not left to the 10.x default), system nodes, no Dex or notifications", () => {
    const argoCd = values('argo-cd') as {
      global: { networkPolicy?: { create?: unknown }; nodeSelector?: unknown; tolerations?: unknown[] };
      dex?: { enabled?: unknown };
      notifications?: { enabled?: unknown };
      configs?: { params?: Record<string, unknown> };
    };
    assert.deepEqual(argoCd.global.networkPolicy, { create: true });
    assert.deepEqual(argoCd.global.nodeSelector, { 'kaji.dev/node-role': 'system' });
    assert.equal(argoCd.global.tolerations?.length, 1);
    assert.equal(argoCd.dex?.enabled, false);
    assert.equal(argoCd.notifications?.enabled, false);
    // configs.params lost its defaults in chart 9.0.0; a key set here still reaches argocd-cmd-params-cm.
    assert.equal(argoCd.configs?.params?.['reposerver.parallelism.limit'], 4);
  });

  test("External Secrets' values: its CRDs, the argocd namespace only, every cluster-wide and push reconciler off (cluster generators included)", () => {
    const externalSecrets = values('external-secrets');
    assert.equal(externalSecrets.installCRDs, true);
    assert.equal(externalSecrets.scopedNamespace, ARGOCD_NAMESPACE);
    assert.equal(externalSecrets.scopedRBAC, true);
    for (const key of ['processClusterExternalSecret', 'processClusterStore', 'processClusterGenerator', 'processClusterPushSecret', 'processPushSecret']) {
      assert.equal(externalSecrets[key], false, key);
    }
    assert.deepEqual(externalSecrets.serviceAccount, { create: true, name: EXTERNAL_SECRETS.serviceAccount });
  });

  test('the SecretStore and ExternalSecret use external-secrets.io/v1, the API ESO 2.x serves', () => {
    const objects = resources('Custom::AWSCDK-EKS-KubernetesResource').flatMap((properties) =>
      typeof properties.Manifest === 'string' ? (JSON.parse(properties.Manifest) as { apiVersion: string; kind: string; metadata: { name: string } }[]) : [],
    );
    const store = objects.find((object) => object.kind === 'SecretStore');
    const secret = objects.find((object) => object.kind === 'ExternalSecret');
    assert.equal(store?.apiVersion, 'external-secrets.io/v1');
    assert.equal(store?.metadata.name, REPOSITORY_CREDENTIALS.store);
    assert.equal(secret?.apiVersion, 'external-secrets.io/v1');
    assert.equal(secret?.metadata.name, REPOSITORY_CREDENTIALS.secret);
    assert.ok(!objects.some((object) => object.apiVersion.startsWith('external-secrets.io/') && object.apiVersion !== 'external-secrets.io/v1'));
  });
});
