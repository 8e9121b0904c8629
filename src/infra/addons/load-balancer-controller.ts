// The AWS Load Balancer Controller: an ALB per Ingress (group), in the public
// subnets for internet-facing ones. Installed from its Helm chart with an IAM
// role through EKS Pod Identity (aws-eks-v2's AlbController uses IRSA, which
// needs an OIDC provider this stack has no other use for). The IAM policy is
// the controller's own for the pinned version, as aws-cdk-lib ships it,
// narrowed to this cluster and region (see scopeToCluster): blue and green
// share an account and a VPC, and the upstream policy only asks that the
// `elbv2.k8s.aws/cluster` tag exist, so each cluster's controller could
// otherwise change or delete the other's load balancers, target groups and
// security groups.
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

/** The tag the controller puts on every load balancer, target group and security group it creates: the value of its `--cluster-name` (chart value `clusterName`). */
const LOAD_BALANCER_CONTROLLER_CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/** Where the controller's policy is narrowed to: the cluster name it is configured with, and the stack's region. */
export interface LoadBalancerControllerScope {
  /** The `clusterName` chart value, i.e. the value the controller writes into `elbv2.k8s.aws/cluster` (may be a token). */
  readonly clusterName: string;
  /** The region the controller calls EC2 and Elastic Load Balancing in (may be a token). */
  readonly region: string;
}

/**
 * The controller's IAM policy statements for a version, from aws-cdk-lib's
 * copy of the upstream iam_policy.json; with `scope`, narrowed to one
 * cluster and region (scopeToCluster).
 */
export function loadBalancerControllerPolicy(version: string = ALB_CONTROLLER_POLICY_VERSION, scope?: LoadBalancerControllerScope): iam.PolicyStatement[] {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('aws-cdk-lib/package.json')), 'aws-eks-v2', 'lib', 'addons', `alb-iam_policy-${version}.json`);
  const document = JSON.parse(readFileSync(file, 'utf8')) as PolicyDocumentJson;
  return document.Statement.map((statement) => {
    // The upstream policy names the aws partition; make it the stack's (a token, resolved in the template).
    const json = JSON.parse(JSON.stringify(statement).replaceAll('arn:aws:', `arn:${Aws.PARTITION}:`)) as Record<string, unknown>;
    return iam.PolicyStatement.fromJson(scope === undefined ? json : scopeToCluster(json, scope));
  });
}

/**
 * One upstream statement narrowed to a cluster and a region:
 *
 * - every condition that only asks for the cluster tag to be present
 *   (`Null: { aws:RequestTag/elbv2.k8s.aws/cluster: "false" }`, the same for
 *   aws:ResourceTag) becomes `StringEquals` on this cluster's name. The
 *   controller tags what it creates in the create call itself (the
 *   TagSpecifications of CreateSecurityGroup, the Tags of CreateLoadBalancer
 *   and CreateTargetGroup, with `elbv2.k8s.aws/cluster = <clusterName>`), so
 *   the request tag carries its own name when it creates, and the resource
 *   tag carries it on everything it changes or deletes afterwards;
 * - the `Null: true` halves stay: later AddTags/RemoveTags and
 *   CreateTags/DeleteTags must not touch the cluster tag itself, so no
 *   controller can re-label another cluster's resources as its own;
 * - statements whose actions are all EC2 or Elastic Load Balancing (regional
 *   services) get `aws:RequestedRegion = <region>`. IAM, Shield, WAF, ACM and
 *   Cognito statements do not: IAM and Shield are global (their calls are
 *   made in us-east-1), and those statements mix them with regional ones.
 *
 * Statements without a tag condition stay as upstream wrote them, because
 * the controller acts on resources it has not tagged: ec2:CreateSecurityGroup
 * (the VPC it creates in carries no tag; the new group is tagged through
 * CreateTags, which is conditioned), ingress rules on the node security
 * groups it opens to the load balancers, listeners and rules of its load
 * balancers, targets in target groups a TargetGroupBinding names (which may
 * be created outside the controller), and the WAF/Shield/ACM/Cognito calls.
 */
function scopeToCluster(statement: Record<string, unknown>, scope: LoadBalancerControllerScope): Record<string, unknown> {
  const condition = { ...((statement.Condition ?? {}) as Record<string, Record<string, unknown>>) };
  const isNull = { ...(condition.Null ?? {}) };
  const equals = { ...(condition.StringEquals ?? {}) };
  for (const key of [`aws:RequestTag/${LOAD_BALANCER_CONTROLLER_CLUSTER_TAG}`, `aws:ResourceTag/${LOAD_BALANCER_CONTROLLER_CLUSTER_TAG}`]) {
    if (isNull[key] !== 'false') continue;
    delete isNull[key];
    equals[key] = scope.clusterName;
  }
  const actions = [statement.Action].flat() as string[];
  if (actions.every((action) => action.startsWith('ec2:') || action.startsWith('elasticloadbalancing:'))) {
    equals['aws:RequestedRegion'] = scope.region;
  }
  if (Object.keys(isNull).length > 0) condition.Null = isNull;
  else delete condition.Null;
  if (Object.keys(equals).length > 0) condition.StringEquals = equals;
  return Object.keys(condition).length > 0 ? { ...statement, Condition: condition } : statement;
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
    // The same value the chart passes as clusterName, which the controller writes into its cluster tag.
    const clusterName = props.cluster.clusterName;
    const region = Stack.of(this).region;
    const policy = new iam.Policy(this, 'Policy', { statements: loadBalancerControllerPolicy(ALB_CONTROLLER_POLICY_VERSION, { clusterName, region }) });
    this.identity.role.attachInlinePolicy(policy);
    acknowledgeRuleFindings(
      policy,
      'AwsSolutions-IAM5',
      'The AWS Load Balancer Controller\'s own IAM policy (upstream iam_policy.json of the pinned version), narrowed by kaji: the load balancers, ' +
        'target groups and security groups it creates have names it cannot know in advance, so its creates, changes and deletes of them are bound ' +
        'by StringEquals on the elbv2.k8s.aws/cluster request or resource tag to this cluster\'s name, and its EC2 and ELB calls to this region. ' +
        'Upstream statements without a tag condition keep Resource *: describe calls, ec2:CreateSecurityGroup, ingress rules on any security ' +
        'group (the node groups it opens to the load balancers are not its own), listeners and rules, target registration (TargetGroupBinding ' +
        'may name target groups it did not create) and the WAF, Shield, ACM and Cognito calls.',
    );

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: props.chart.chart,
      repository: props.chart.repository,
      version: props.chart.version,
      namespace: LOAD_BALANCER_CONTROLLER.namespace,
      release: 'aws-load-balancer-controller',
      // Its Ingress webhook must answer before Argo CD syncs the first Ingress.
      wait: true,
      timeout: Duration.minutes(15),
      // The chart's IngressClass (alb, not the cluster's default) and default target type (instance) are
      // kept: synth's Ingress rules (synth/ingress-boundaries.ts) tell tenants what those defaults mean.
      values: {
        clusterName,
        region,
        vpcId: props.cluster.vpc.vpcId,
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER.serviceAccount },
        // No Service mutator webhook (on by default since v2.5; the value is
        // the same in the v3.2 chart's docs): it sees every Service created,
        // tenants' ClusterIP ones too, and fails closed (failurePolicy Fail)
        // while the controller is down, only to set loadBalancerClass on
        // LoadBalancer Services, which tenants may not create
        // (services.loadbalancers: 0). A platform LoadBalancer Service names
        // loadBalancerClass service.k8s.aws/nlb itself.
        enableServiceMutatorWebhook: false,
        ...systemPlacement(),
      },
    });
    this.chart.node.addDependency(this.identity, policy);
  }
}
