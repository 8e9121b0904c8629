// The AWS Load Balancer Controller: an ALB per Ingress (group), in the public
// subnets for internet-facing ones. Installed from its Helm chart with an IAM
// role through EKS Pod Identity (aws-eks-v2's AlbController uses IRSA, which
// needs an OIDC provider this stack has no other use for). The IAM policy is
// the controller's own for the pinned version, as aws-cdk-lib ships it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Aws, Duration, Stack } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { ALB_CONTROLLER_POLICY_VERSION, type ChartPin } from '../versions.js';
import { acknowledgeRuleFindings } from './nag-findings.js';
import { PodIdentityRole } from './pod-identity.js';
import { systemPlacement } from './system-nodes.js';

export const LOAD_BALANCER_CONTROLLER = { namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller' } as const;

interface PolicyDocumentJson {
  readonly Statement: Record<string, unknown>[];
}

/** The controller's IAM policy statements for a version, from aws-cdk-lib's copy of the upstream iam_policy.json. */
export function loadBalancerControllerPolicy(version: string = ALB_CONTROLLER_POLICY_VERSION): iam.PolicyStatement[] {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('aws-cdk-lib/package.json')), 'aws-eks-v2', 'lib', 'addons', `alb-iam_policy-${version}.json`);
  const document = JSON.parse(readFileSync(file, 'utf8')) as PolicyDocumentJson;
  return document.Statement.map((statement) => {
    // The upstream policy names the aws partition; make it the stack's (a token, resolved in the template).
    const json = JSON.parse(JSON.stringify(statement).replaceAll('arn:aws:', `arn:${Aws.PARTITION}:`)) as Record<string, unknown>;
    return iam.PolicyStatement.fromJson(json);
  });
}

export interface LoadBalancerControllerProps {
  readonly cluster: eks.Cluster;
  readonly chart: ChartPin;
}

export class LoadBalancerController extends Construct {
  readonly chart: eks.HelmChart;
  readonly identity: PodIdentityRole;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    this.identity = new PodIdentityRole(this, 'Identity', {
      cluster: props.cluster,
      namespace: LOAD_BALANCER_CONTROLLER.namespace,
      serviceAccount: LOAD_BALANCER_CONTROLLER.serviceAccount,
      purpose: 'AWS Load Balancer Controller',
    });
    const policy = new iam.Policy(this, 'Policy', { statements: loadBalancerControllerPolicy() });
    this.identity.role.attachInlinePolicy(policy);
    acknowledgeRuleFindings(
      policy,
      'AwsSolutions-IAM5',
      'The AWS Load Balancer Controller\'s own IAM policy (upstream iam_policy.json of the pinned version): load balancers, target groups and security groups ' +
        'it creates have names it cannot know in advance, so its writes are scoped by the elbv2.k8s.aws/cluster tag conditions instead of resource ARNs.',
    );

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: props.chart.chart,
      repository: props.chart.repository,
      version: props.chart.version,
      namespace: LOAD_BALANCER_CONTROLLER.namespace,
      release: 'aws-load-balancer-controller',
      // Its webhooks must answer before Argo CD syncs the first Service or Ingress.
      wait: true,
      timeout: Duration.minutes(15),
      values: {
        clusterName: props.cluster.clusterName,
        region: Stack.of(this).region,
        vpcId: props.cluster.vpc.vpcId,
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER.serviceAccount },
        ...systemPlacement(),
      },
    });
    this.chart.node.addDependency(this.identity, policy);
  }
}
