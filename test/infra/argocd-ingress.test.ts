import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { loadPlatform, type ArgoCdIngress, type PlatformDefinition } from '../../src/platform/index.js';
import { ClusterStack } from '../../src/infra/cluster-stack.js';
import { kajiNagFindings } from '../../src/infra/nag.js';
import { testApp, testNetwork } from './helpers.js';

// GIVEN the example platform with Argo CD served at its URL, internet-facing
// to two networks or internal (reached from the VPC), WHEN the blue cluster
// stack is synthesized (once per setting for the whole file).
const example = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));

function synthesized(ingress: ArgoCdIngress): { stack: ClusterStack; template: Template } {
  const platform: PlatformDefinition = { ...example, argocd: { ingress } };
  const cluster = platform.clusters.find((candidate) => candidate.name === 'blue');
  assert.ok(cluster);
  const app = testApp();
  const stack = new ClusterStack(app, 'labs-blue', { platform, cluster, ...testNetwork(app, platform), platformAdminRoleArns: ['arn:aws:iam::111122223333:role/labs-platform-admins'] });
  return { stack, template: Template.fromStack(stack) };
}

const internetFacing = synthesized({ scheme: 'internet-facing', allowedCidrs: ['203.0.113.0/24', '198.51.100.7/32'] });
const internal = synthesized({ scheme: 'internal' });

function resources(template: Template, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.findResources(type)).map(([id, resource]) => [id, resource as Record<string, unknown>]);
}

interface ServerIngress {
  enabled: boolean;
  controller: string;
  ingressClassName: string;
  hostname: string;
  annotations: Record<string, unknown>;
  aws: Record<string, unknown>;
}

interface ArgoCdValues {
  global?: { domain?: string };
  configs?: { cm?: Record<string, string> };
  server?: { ingress?: ServerIngress };
}

/** The Argo CD chart's resource and its values (tokens, such as the certificate ARN, left as CloudFormation wrote them). */
function argoCdChart(template: Template): { id: string; resource: Record<string, unknown>; values: ArgoCdValues } {
  const charts = resources(template, 'Custom::AWSCDK-EKS-HelmChart').filter(([, resource]) => (resource.Properties as { Chart: string }).Chart === 'argo-cd');
  assert.equal(charts.length, 1);
  const [id, resource] = charts[0]!;
  const values = (resource.Properties as { Values: unknown }).Values;
  // With a token in them, the values are an Fn::Join of literal pieces and references: read them with each reference as a marker.
  const text = typeof values === 'string' ? values : (values as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `<${JSON.stringify(part).replaceAll('"', "'")}>`)).join('');
  return { id, resource, values: JSON.parse(text) as ArgoCdValues };
}

describe('ClusterStack with argocd.ingress', () => {
  test('an ACM certificate for argocd.<cluster>.<domain>, validated by DNS in the platform\'s hosted zone', () => {
    const certificates = resources(internetFacing.template, 'AWS::CertificateManager::Certificate');
    assert.equal(certificates.length, 1);
    const properties = certificates[0]![1].Properties as { DomainName: string; ValidationMethod: string; DomainValidationOptions: { DomainName: string; HostedZoneId: unknown }[]; SubjectAlternativeNames?: unknown };
    assert.equal(properties.DomainName, 'argocd.blue.labs.example.com');
    assert.equal(properties.ValidationMethod, 'DNS');
    assert.equal(properties.SubjectAlternativeNames, undefined, 'one name only');
    assert.equal(properties.DomainValidationOptions.length, 1);
    assert.equal(properties.DomainValidationOptions[0]!.DomainName, 'argocd.blue.labs.example.com');
    // The zone is the Network stack's: an import of its id, no lookup at synthesis.
    assert.match(JSON.stringify(properties.DomainValidationOptions[0]!.HostedZoneId), /Fn::ImportValue.*Zone/);
  });

  test('the chart\'s ALB Ingress: class alb, the host, HTTPS only with the certificate and a TLS 1.2+ policy, the allowed CIDRs, gRPC beside', () => {
    const { values } = argoCdChart(internetFacing.template);
    const ingress = values.server?.ingress;
    assert.ok(ingress);
    const certificateId = resources(internetFacing.template, 'AWS::CertificateManager::Certificate')[0]![0];
    assert.deepEqual(ingress, {
      enabled: true,
      controller: 'aws',
      ingressClassName: 'alb',
      hostname: 'argocd.blue.labs.example.com',
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/backend-protocol': 'HTTPS',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
        'alb.ingress.kubernetes.io/certificate-arn': `<{'Ref':'${certificateId}'}>`,
        'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        'alb.ingress.kubernetes.io/inbound-cidrs': '203.0.113.0/24,198.51.100.7/32',
      },
      aws: { serviceType: 'ClusterIP', backendProtocolVersion: 'GRPC' },
    });
    assert.equal(Object.keys(values.server ?? {}).length, 1, 'nothing else of the server changes');
  });

  test('without sign-in, global.domain is the host: the chart derives argocd-cm\'s url (the host of the links Argo CD writes) from it', () => {
    for (const { template } of [internetFacing, internal]) {
      const { values } = argoCdChart(template);
      assert.equal(values.global?.domain, 'argocd.blue.labs.example.com');
      assert.deepEqual(values.configs?.cm, { 'accounts.kaji-reader': 'apiKey' }, 'no url of kaji\'s own: the chart\'s https://<global.domain>');
    }
  });

  test('internal without allowedCidrs: the VPC\'s CIDR may reach the ALB', () => {
    const annotations = argoCdChart(internal.template).values.server?.ingress?.annotations;
    assert.equal(annotations?.['alb.ingress.kubernetes.io/scheme'], 'internal');
    assert.match(String(annotations?.['alb.ingress.kubernetes.io/inbound-cidrs']), /^<\{'Fn::ImportValue':'Network:ExportsOutputFnGetAttVpc[^']*CidrBlock[^']*'\}>$/);
  });

  test('the chart installs after the Load Balancer Controller, whose webhook admits the Ingress', () => {
    const { resource } = argoCdChart(internetFacing.template);
    const controller = resources(internetFacing.template, 'Custom::AWSCDK-EKS-HelmChart').find(([, chart]) => (chart.Properties as { Chart: string }).Chart === 'aws-load-balancer-controller');
    assert.ok(controller);
    assert.match(controller[0], /^LoadBalancerController/);
    assert.ok((resource.DependsOn as string[]).includes(controller[0]));
  });

  test('cdk-nag AwsSolutions: the certificate adds no unacknowledged error', () => {
    for (const { stack } of [internetFacing, internal]) {
      const errors = kajiNagFindings(stack).filter((finding) => finding.severity === 'error');
      assert.deepEqual(errors.map((finding) => `${finding.ruleName}: ${finding.violatingResources.map((resource) => resource.constructPath ?? resource.resourceLogicalId).join(', ')}`), []);
    }
  });
});
