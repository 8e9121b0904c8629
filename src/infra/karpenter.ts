// Karpenter for one cluster: the node role and its access entry, the
// controller's role through EKS Pod Identity, the SQS interruption queue and
// the EventBridge rules that feed it, the Helm chart, and kaji's EC2NodeClass
// and spot-first NodePool. Chart version and AMI alias are pinned per
// Kubernetes version (KARPENTER_PINS); nothing is looked up at synthesis.
//
// Spare capacity (headroom pods) is not made here: it is synced by Argo CD
// from the manifest repository, like every other workload.
import { Aws, Duration, Stack, Token } from 'aws-cdk-lib/core';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ClusterDefinition, PlatformDefinition } from '../platform/index.js';
import { PodIdentityRole } from './addons/pod-identity.js';
import { systemPlacement } from './addons/system-nodes.js';
import { InfraError } from './errors.js';
import { nagDisabled, suppress } from './nag.js';
import { controllerPolicyDocuments, wildcardFindingIds, type ControllerPolicyDocuments } from './private/karpenter-iam.js';
import {
  ec2NodeClass,
  nodePool,
  validateCapacity,
  type DisruptionBudget,
  type NodePoolLimits,
} from './private/karpenter-manifests.js';
import { KARPENTER_CHART, karpenterPin, resolveAmiAlias, resolveChartVersion } from './private/karpenter-pins.js';
import { CLUSTER_TAG, KARPENTER_DISCOVERY_TAG, PLATFORM_TAG } from './private/tags.js';

export { KARPENTER_CHART, KARPENTER_PINS, type KarpenterPin } from './private/karpenter-pins.js';
export type { DisruptionBudget, NodePoolLimits } from './private/karpenter-manifests.js';

/** Where the controller runs, and the service account its Pod Identity association names. */
export const KARPENTER_NAMESPACE = 'kube-system';
export const KARPENTER_SERVICE_ACCOUNT = 'karpenter';

/** The four kinds of EC2 and Health events Karpenter acts on (source and detail-type of each rule). */
export const INTERRUPTION_EVENTS = [
  { id: 'SpotInterruption', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { id: 'Rebalance', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { id: 'InstanceStateChange', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  { id: 'ScheduledChange', source: 'aws.health', detailType: 'AWS Health Event' },
] as const;

export interface KarpenterProps {
  /** The cluster Karpenter runs in and launches nodes for; created with an explicit `clusterName`. */
  readonly cluster: eks.Cluster;
  /** The platform definition: its name (subnet discovery tag) and `capacity` (the NodePool). */
  readonly platform: PlatformDefinition;
  /** This cluster's entry in `platform.clusters`: its Kubernetes version picks the pins. */
  readonly clusterDefinition: ClusterDefinition;
  /**
   * The Karpenter chart version (= Karpenter version), exact, at least the
   * minimum Karpenter for the cluster's Kubernetes version.
   * @default pinned per Kubernetes version (KARPENTER_PINS)
   */
  readonly chartVersion?: string;
  /**
   * The EC2NodeClass AMI alias, `al2023@vYYYYMMDD` (an EKS AMI release).
   * @default pinned per Kubernetes version (KARPENTER_PINS)
   */
  readonly amiAlias?: string;
  /**
   * The most the NodePool may launch in total; Karpenter stops launching
   * there. Overrides platform.yaml's `capacity.limits` (whose check of the
   * headroom against them this value skips).
   * @default platform.capacity.limits ({ cpu: "256", memory: "1024Gi" } unless platform.yaml says)
   */
  readonly limits?: NodePoolLimits;
  /**
   * NodePool disruption budgets (cron schedules are UTC). Add e.g.
   * `{ nodes: "0", reasons: ["Underutilized"], schedule: "0 0 * * mon-fri", duration: "9h" }`
   * to hold consolidation during business hours. Overrides platform.yaml's
   * `capacity.disruption.budgets`.
   * @default platform.capacity.disruption.budgets ([{ nodes: "10%" }] unless platform.yaml says)
   */
  readonly disruptionBudgets?: readonly DisruptionBudget[];
  /**
   * How long a node lives before Karpenter replaces it (fresh AMI, no drift).
   * Overrides platform.yaml's `capacity.expireAfter`.
   * @default platform.capacity.expireAfter ("720h", 30 days, unless platform.yaml says)
   */
  readonly expireAfter?: string;
  /**
   * How long a node's drain may take (PodDisruptionBudgets, long shutdowns)
   * before it is terminated anyway, so an expired node cannot linger for ever.
   * @default "24h"
   */
  readonly terminationGracePeriod?: string;
  /**
   * Root volume size of each node.
   * @default "50Gi"
   */
  readonly rootVolumeSize?: string;
  /**
   * Attach AmazonEKS_CNI_Policy to the node role. The VPC CNI's aws-node
   * DaemonSet runs on every node and uses the node role unless it has its own
   * identity; pass false only when aws-node has a Pod Identity association (or
   * IRSA role) with that policy, so that pods cannot borrow ENI permissions.
   * @default true
   */
  readonly cniPolicyOnNodeRole?: boolean;
}

/** Karpenter, its AWS side and kaji's NodePool for one cluster. */
export class Karpenter extends Construct {
  /** The SQS queue EventBridge sends interruption events to and the controller reads. */
  readonly interruptionQueue: sqs.Queue;
  /** The EventBridge rules, one per INTERRUPTION_EVENTS entry, each targeting the queue. */
  readonly interruptionRules: readonly events.Rule[];
  /** The role of the nodes Karpenter launches (through instance profiles it generates). */
  readonly nodeRole: iam.Role;
  /** The controller's role, assumed through EKS Pod Identity by kube-system/karpenter. */
  readonly controllerRole: iam.Role;
  readonly podIdentityAssociation: eks.CfnPodIdentityAssociation;
  readonly chart: eks.HelmChart;
  /** The chart version installed and the AMI alias of the EC2NodeClass. */
  readonly chartVersion: string;
  readonly amiAlias: string;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const path = this.node.path;
    const { cluster, platform } = props;
    const pin = karpenterPin(props.clusterDefinition.kubernetesVersion, path);
    this.chartVersion = resolveChartVersion(pin, props.chartVersion, path);
    this.amiAlias = resolveAmiAlias(pin, props.amiAlias, path);
    validateCapacity(platform.capacity, path);
    const clusterName = literalClusterName(cluster, path);
    const stack = Stack.of(this);

    this.interruptionQueue = this.createInterruptionQueue();
    this.interruptionRules = INTERRUPTION_EVENTS.map((event) => {
      const rule = new events.Rule(this, `${event.id}Rule`, {
        description: `Karpenter (${clusterName}): ${event.detailType} to the interruption queue`,
        eventPattern: { source: [event.source], detailType: [event.detailType] },
      });
      this.letRuleSendTo(rule, this.interruptionQueue);
      return rule;
    });

    this.nodeRole = this.createNodeRole(clusterName, props.cniPolicyOnNodeRole ?? true);
    // Nodes join the cluster through an EC2_LINUX access entry (no aws-auth
    // ConfigMap): EKS maps the role to system:nodes itself.
    const nodeAccessEntry = new eks.AccessEntry(this, 'NodeAccessEntry', {
      cluster,
      principal: this.nodeRole.roleArn,
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
      accessPolicies: [],
    });

    const controller = new PodIdentityRole(this, 'Controller', {
      cluster,
      namespace: KARPENTER_NAMESPACE,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT,
      purpose: `Karpenter controller of cluster ${clusterName}`,
    });
    this.controllerRole = controller.role;
    this.podIdentityAssociation = controller.association;
    const controllerPolicies = this.attachControllerPolicies(clusterName, stack);

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster,
      chart: KARPENTER_CHART.chart,
      repository: KARPENTER_CHART.repository,
      version: this.chartVersion,
      release: 'karpenter',
      namespace: KARPENTER_NAMESPACE,
      createNamespace: false,
      values: this.chartValues(clusterName, stack.region),
      timeout: Duration.minutes(10),
    });
    // Pod Identity injects credentials when a pod is created: the association
    // must exist before the controller's pods start. The policies too, and
    // they must outlive the chart on deletion, or the controller loses its
    // permissions while it still drains and terminates nodes.
    this.chart.node.addDependency(controller, ...controllerPolicies);

    const nodeClass = new eks.KubernetesManifest(this, 'NodeClass', {
      cluster,
      manifest: [
        ec2NodeClass({
          roleName: this.nodeRole.roleName,
          amiAlias: this.amiAlias,
          subnetDiscoveryTag: [KARPENTER_DISCOVERY_TAG, platform.platform.name],
          clusterName,
          rootVolumeSize: props.rootVolumeSize ?? '50Gi',
          tags: { [PLATFORM_TAG]: platform.platform.name, [CLUSTER_TAG]: props.clusterDefinition.name },
        }),
      ],
    });
    const pool = new eks.KubernetesManifest(this, 'NodePool', {
      cluster,
      manifest: [
        nodePool({
          capacity: platform.capacity,
          limits: props.limits ?? platform.capacity.limits,
          budgets: props.disruptionBudgets ?? platform.capacity.disruption.budgets,
          expireAfter: props.expireAfter ?? platform.capacity.expireAfter,
          terminationGracePeriod: props.terminationGracePeriod ?? '24h',
        }),
      ],
    });
    // The chart installs the CRDs; the node class names the node role, which
    // needs its access entry before a node can join. CloudFormation deletes
    // in the reverse order: the NodePool and node class go first, while the
    // controller (chart), its policies and the nodes' access entry remain, so
    // Karpenter can drain and terminate the nodes and delete their instance
    // profiles instead of orphaning them.
    nodeClass.node.addDependency(this.chart, nodeAccessEntry, ...controllerPolicies);
    pool.node.addDependency(this.chart, nodeClass, nodeAccessEntry, ...controllerPolicies);
  }

  private createInterruptionQueue(): sqs.Queue {
    // Interruption warnings are useful for about two minutes: 300 s retention
    // (Karpenter's reference) and no dead-letter queue.
    const queue = new sqs.Queue(this, 'InterruptionQueue', {
      retentionPeriod: Duration.seconds(300),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    // enforceSSL adds the TLS-only deny; letRuleSendTo adds one allow per rule.
    suppress(queue, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'The interruption queue carries EC2 and Health events that matter for about two minutes (300 s retention); ' +
          'a message Karpenter cannot handle in time is worthless, so a dead-letter queue would only collect stale events.',
      },
    ]);
    return queue;
  }

  /**
   * Makes the queue a target of the rule, and lets EventBridge send to it
   * only on behalf of that rule (aws:SourceArn = the rule's ARN), so no other
   * rule of the account (nor any other service) can put messages Karpenter
   * would act on. Only sqs:SendMessage, as Karpenter's reference queue policy
   * grants: aws-events-targets' SqsQueue would also grant GetQueueAttributes
   * and GetQueueUrl, which delivering an event does not use.
   */
  private letRuleSendTo(rule: events.Rule, queue: sqs.Queue): void {
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    rule.addTarget({ bind: () => ({ arn: queue.queueArn, targetResource: queue }) });
  }

  private createNodeRole(clusterName: string, cniPolicy: boolean): iam.Role {
    const managed = [
      'AmazonEKSWorkerNodePolicy',
      // Pull-only: the images nodes need, without the list/describe of ReadOnly.
      'AmazonEC2ContainerRegistryPullOnly',
      // Session Manager instead of SSH: nodes have no key pair and no open port.
      'AmazonSSMManagedInstanceCore',
      ...(cniPolicy ? ['AmazonEKS_CNI_Policy'] : []),
    ];
    const role = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Nodes Karpenter launches for cluster ${clusterName}`,
      managedPolicies: managed.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    suppress(
      role,
      managed.map((name) => ({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason:
          `${name} is one of the AWS managed policies EKS documents for worker nodes, kept current by AWS as EKS, ` +
          'ECR, SSM and the VPC CNI gain calls; a copy of it here would drift.',
      })),
    );
    return role;
  }

  private attachControllerPolicies(clusterName: string, stack: Stack): iam.ManagedPolicy[] {
    const documents = controllerPolicyDocuments({
      clusterName,
      partition: Aws.PARTITION,
      region: stack.region,
      account: stack.account,
      nodeRoleArn: this.nodeRole.roleArn,
      interruptionQueueArn: this.interruptionQueue.queueArn,
    });
    const descriptions: Record<keyof ControllerPolicyDocuments, string> = {
      nodeLifecycle: 'launch, tag and terminate this cluster\'s nodes and launch templates',
      iamIntegration: 'pass the node role; manage the instance profiles of its EC2NodeClasses',
      eksIntegration: 'find the cluster endpoint',
      interruption: 'read the interruption queue',
      resourceDiscovery: 'read instance types, prices, images, subnets and security groups in the region',
    };
    return (Object.entries(documents) as [keyof ControllerPolicyDocuments, iam.PolicyDocument][]).map(([name, document]) => {
      const policy = new iam.ManagedPolicy(this, `Controller${name[0]!.toUpperCase()}${name.slice(1)}Policy`, {
        description: `Karpenter controller (${clusterName}): ${descriptions[name]}`,
        document,
        roles: [this.controllerRole],
      });
      const reason = WILDCARD_REASONS[name];
      // Listing the findings resolves the document: only for an app that runs cdk-nag.
      if (reason !== undefined && !nagDisabled(policy)) suppress(policy, wildcardFindingIds(policy, document).map((findingId) => ({ id: findingId, reason })));
      return policy;
    });
  }

  private chartValues(clusterName: string, region: string): Record<string, unknown> {
    return {
      // Every other setting stays at the chart's default: no feature gate is
      // turned on and zonal shift is off, which the controller policies rely
      // on (karpenter-iam.ts grants neither ec2:RebootInstances nor
      // arc-zonal-shift:GetManagedResource).
      settings: {
        clusterName,
        interruptionQueue: this.interruptionQueue.queueName,
      },
      serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT },
      // Two replicas (leader election; the chart spreads them over zones and
      // hosts) on the on-demand system nodes, never on nodes Karpenter itself
      // manages, where consolidation could evict the controller.
      replicas: 2,
      ...systemPlacement(),
      controller: {
        // The controller asks the instance metadata service for its region
        // when the AWS SDK finds none; the system nodes answer IMDS to the
        // node itself only (hop limit 1), so the region comes from here.
        env: [{ name: 'AWS_REGION', value: region }],
        resources: {
          requests: { cpu: '500m', memory: '512Mi' },
          limits: { memory: '1Gi' },
        },
      },
    };
  }
}

/** Why the wildcards each controller policy needs are acceptable (cdk-nag IAM5, acknowledged per finding). */
const WILDCARD_REASONS: Partial<Record<keyof ControllerPolicyDocuments, string>> = {
  nodeLifecycle:
    'Karpenter creates instances, volumes, network interfaces, fleets and launch templates at run time, so their IDs ' +
    'cannot be named; every statement creating, tagging or deleting them is bound by request or resource tag ' +
    'conditions to this cluster (kubernetes.io/cluster/<name>=owned, karpenter.sh/nodepool), and launches read only ' +
    'images, snapshots, subnets, security groups, reservations and placement groups of this region.',
  iamIntegration:
    'Karpenter generates an instance profile per EC2NodeClass at run time; creating, tagging and changing profiles is ' +
    'bound by the cluster, region and ec2nodeclass tag conditions, PassRole is granted for the node role alone; ' +
    'iam:GetInstanceProfile reads any profile of the account (Karpenter finds its own by name, a read only), and ' +
    'iam:ListInstanceProfiles supports no resource-level permissions.',
  resourceDiscovery:
    'EC2 Describe* calls and pricing:GetProducts support no resource-level permissions (Describe* is limited to the ' +
    "cluster's region by aws:RequestedRegion); ssm:GetParameter is limited to the public /aws/service/ parameters " +
    'the AMI alias resolves through.',
};

/**
 * The cluster's name as a literal: IAM condition keys embed it
 * (`aws:RequestTag/kubernetes.io/cluster/<name>`) and CloudFormation resolves
 * no functions in map keys.
 */
function literalClusterName(cluster: eks.Cluster, constructPath: string): string {
  if (!Token.isUnresolved(cluster.clusterName)) return cluster.clusterName;
  const resource = cluster.node.tryFindChild('Resource');
  const name = resource instanceof eks.CfnCluster ? resource.name : undefined;
  if (name !== undefined && !Token.isUnresolved(name)) return name;
  throw new InfraError(
    constructPath,
    'cluster',
    'was created without an explicit clusterName; Karpenter\'s IAM conditions and EC2NodeClass select by the cluster ' +
      'name, so give eks.Cluster a clusterName (e.g. "<platform>-<cluster>").',
  );
}
