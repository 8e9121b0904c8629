// The namespaces the cluster stack installs into are the ones kaji's admission webhook is never
// called for: a chart's pods there must not wait on the webhook (cert-manager renews its
// certificate) nor be judged by the tenants' policy (their images are the upstream projects').
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { loadPlatform } from '../../src/platform/index.js';
import { WEBHOOK_EXCLUDED_NAMESPACES } from '../../src/platform/derive/components/webhook.js';
import { CDK_NAMESPACES } from '../../src/platform/derive/names.js';
import { ClusterStack } from '../../src/infra/cluster-stack.js';
import { testApp, testNetwork } from './helpers.js';

const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));

/** Every namespace a template installs into: its charts', its Pod Identity associations', and those of the objects it applies. */
function installedNamespaces(template: Template): Set<string> {
  const properties = (type: string) => Object.values(template.findResources(type)).map((resource) => (resource as { Properties: Record<string, unknown> }).Properties);
  const applied = properties('Custom::AWSCDK-EKS-KubernetesResource').flatMap((p) =>
    typeof p.Manifest === 'string' ? (JSON.parse(p.Manifest) as { kind?: string; metadata?: { name?: string; namespace?: string } }[]) : [],
  );
  const namespaces = [
    ...properties('Custom::AWSCDK-EKS-HelmChart').map((p) => p.Namespace),
    ...properties('AWS::EKS::PodIdentityAssociation').map((p) => p.Namespace),
    ...applied.map((object) => (object.kind === 'Namespace' ? object.metadata?.name : object.metadata?.namespace)),
  ];
  return new Set(namespaces.filter((namespace): namespace is string => typeof namespace === 'string'));
}

describe('the admission webhook and the cluster stack', () => {
  test('the webhook excludes exactly the namespaces the stack installs into (CDK_NAMESPACES), and kaji-system', () => {
    const app = testApp();
    const cluster = platform.clusters[0]!;
    const stack = new ClusterStack(app, `labs-${cluster.name}`, { platform, cluster, ...testNetwork(app, platform), platformAdminRoleArns: ['arn:aws:iam::111122223333:role/admins'] });
    const installed = [...installedNamespaces(Template.fromStack(stack))].sort();
    assert.deepEqual(installed, Object.values(CDK_NAMESPACES).sort(), 'add the namespace to CDK_NAMESPACES (src/platform/derive/names.ts)');
    assert.deepEqual([...WEBHOOK_EXCLUDED_NAMESPACES], [...installed, 'kaji-system'].sort());
  });
});
