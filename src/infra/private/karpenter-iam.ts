// The Karpenter controller's IAM permissions, least privilege, written from the
// facts of Karpenter's reference CloudFormation for the pinned release
// (karpenter.sh, "Reference > CloudFormation", v1.15): what the controller
// calls, on which resources, and under which tag conditions.
//
// Left out of the reference on purpose, because kaji leaves the features that
// use them off (the chart's defaults): ec2:RebootInstances (only for reboot
// repairs, behind the RebootForRepair feature gate, v1.15) and the zonal
// shift policy's arc-zonal-shift:GetManagedResource (only with
// settings.enableZonalShift, v1.12). Turning either on needs its action here.
//
// The scoping rests on tags Karpenter itself puts on what it creates:
// `kubernetes.io/cluster/<cluster>: owned`, `eks:eks-cluster-name: <cluster>`
// and `karpenter.sh/nodepool` on instances, volumes, network interfaces, fleets
// and launch templates; `karpenter.k8s.aws/ec2nodeclass` and
// `topology.kubernetes.io/region` on the instance profiles it generates. The
// controller may create only what carries them, and tag, change or delete only
// what already carries them, so it cannot touch another cluster's nodes (blue
// and green share one VPC and account).
//
// Condition keys that embed the cluster name must be plain strings in the
// template (CloudFormation resolves no functions in map keys), hence
// `clusterName` is a literal here.
import { Stack } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export interface ControllerPolicyContext {
  /** The EKS cluster name, as a literal string. */
  readonly clusterName: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The node role Karpenter passes to the instance profiles it generates. */
  readonly nodeRoleArn: string;
  readonly interruptionQueueArn: string;
}

/** The controller's permissions, one document per concern (each well under the 6,144-character limit of a managed policy). */
export interface ControllerPolicyDocuments {
  /** Launch, tag and terminate instances; create and delete launch templates. */
  readonly nodeLifecycle: iam.PolicyDocument;
  /** Pass the node role; manage the instance profiles generated for EC2NodeClasses. */
  readonly iamIntegration: iam.PolicyDocument;
  /** Find the cluster's API endpoint. */
  readonly eksIntegration: iam.PolicyDocument;
  /** Read and delete interruption messages. */
  readonly interruption: iam.PolicyDocument;
  /** Read-only discovery: instance types, offerings, prices, images, subnets, security groups. */
  readonly resourceDiscovery: iam.PolicyDocument;
}

export function controllerPolicyDocuments(context: ControllerPolicyContext): ControllerPolicyDocuments {
  const { clusterName, partition, region, account } = context;
  const ec2 = (resource: string, withAccount = true): string =>
    `arn:${partition}:ec2:${region}:${withAccount ? '*' : ''}:${resource}`;
  const instanceProfiles = `arn:${partition}:iam::${account}:instance-profile/*`;
  const ownedKey = `kubernetes.io/cluster/${clusterName}`;
  /** What Karpenter creates on a launch: every resource must be requested with the cluster's tags. */
  const launched = ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*'].map(
    (resource) => ec2(resource),
  );
  const requestTagsOfCluster = {
    StringEquals: { [`aws:RequestTag/${ownedKey}`]: 'owned', 'aws:RequestTag/eks:eks-cluster-name': clusterName },
    StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
  };
  const resourceTagsOfCluster = {
    StringEquals: { [`aws:ResourceTag/${ownedKey}`]: 'owned' },
    StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
  };

  const nodeLifecycle = new iam.PolicyDocument({
    statements: [
      // Launches read these (AMIs, snapshots, subnets, security groups,
      // capacity reservations, placement groups); none is created.
      new iam.PolicyStatement({
        sid: 'AllowScopedEC2InstanceAccessActions',
        actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
        resources: [
          ec2('image/*', false),
          ec2('snapshot/*', false),
          ec2('security-group/*'),
          ec2('subnet/*'),
          ec2('capacity-reservation/*'),
          ec2('placement-group/*'),
        ],
      }),
      // Launches may use only launch templates Karpenter made for this cluster.
      new iam.PolicyStatement({
        sid: 'AllowScopedEC2LaunchTemplateAccessActions',
        actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
        resources: [ec2('launch-template/*')],
        conditions: resourceTagsOfCluster,
      }),
      // Whatever a launch creates must be requested with this cluster's tags.
      new iam.PolicyStatement({
        sid: 'AllowScopedEC2InstanceActionsWithTags',
        actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
        resources: launched,
        conditions: requestTagsOfCluster,
      }),
      // Tagging at creation only, by those three calls.
      new iam.PolicyStatement({
        sid: 'AllowScopedResourceCreationTagging',
        actions: ['ec2:CreateTags'],
        resources: launched,
        conditions: {
          StringEquals: {
            ...requestTagsOfCluster.StringEquals,
            'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
          },
          StringLike: requestTagsOfCluster.StringLike,
        },
      }),
      // Later tagging of this cluster's instances: the node claim and Name only.
      new iam.PolicyStatement({
        sid: 'AllowScopedResourceTagging',
        actions: ['ec2:CreateTags'],
        resources: [ec2('instance/*')],
        conditions: {
          ...resourceTagsOfCluster,
          StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': clusterName },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'AllowScopedDeletion',
        actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
        resources: [ec2('instance/*'), ec2('launch-template/*')],
        conditions: resourceTagsOfCluster,
      }),
    ],
  });

  const profileTagsInRegion = (kind: 'Request' | 'Resource') => ({
    [`aws:${kind}Tag/${ownedKey}`]: 'owned',
    [`aws:${kind}Tag/topology.kubernetes.io/region`]: region,
  });
  const iamIntegration = new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowPassingInstanceRole',
        actions: ['iam:PassRole'],
        resources: [context.nodeRoleArn],
        conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
      }),
      new iam.PolicyStatement({
        sid: 'AllowScopedInstanceProfileCreationActions',
        actions: ['iam:CreateInstanceProfile'],
        resources: [instanceProfiles],
        conditions: {
          StringEquals: { ...profileTagsInRegion('Request'), 'aws:RequestTag/eks:eks-cluster-name': clusterName },
          StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      }),
      new iam.PolicyStatement({
        sid: 'AllowScopedInstanceProfileTagActions',
        actions: ['iam:TagInstanceProfile'],
        resources: [instanceProfiles],
        conditions: {
          StringEquals: {
            ...profileTagsInRegion('Resource'),
            ...profileTagsInRegion('Request'),
            'aws:RequestTag/eks:eks-cluster-name': clusterName,
          },
          StringLike: {
            'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*',
            'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*',
          },
        },
      }),
      // Adding a role to a profile also needs iam:PassRole on that role, which
      // is granted for the node role alone.
      new iam.PolicyStatement({
        sid: 'AllowScopedInstanceProfileActions',
        actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
        resources: [instanceProfiles],
        conditions: {
          StringEquals: profileTagsInRegion('Resource'),
          StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      }),
      new iam.PolicyStatement({
        sid: 'AllowInstanceProfileReadActions',
        actions: ['iam:GetInstanceProfile'],
        resources: [instanceProfiles],
      }),
      // ListInstanceProfiles has no resource-level permissions.
      new iam.PolicyStatement({
        sid: 'AllowUnscopedInstanceProfileListAction',
        actions: ['iam:ListInstanceProfiles'],
        resources: ['*'],
      }),
    ],
  });

  const eksIntegration = new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowAPIServerEndpointDiscovery',
        actions: ['eks:DescribeCluster'],
        resources: [`arn:${partition}:eks:${region}:${account}:cluster/${clusterName}`],
      }),
    ],
  });

  const interruption = new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowInterruptionQueueActions',
        actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
        resources: [context.interruptionQueueArn],
      }),
    ],
  });

  const resourceDiscovery = new iam.PolicyDocument({
    statements: [
      // EC2 Describe* calls have no resource-level permissions; the region
      // condition keeps them to the cluster's region.
      new iam.PolicyStatement({
        sid: 'AllowRegionalReadActions',
        actions: [
          'ec2:DescribeCapacityReservations',
          'ec2:DescribeImages',
          'ec2:DescribeInstances',
          // Since v1.12 the interruption controller reads EC2 instance status
          // checks; the upgrade guide lists it as required.
          'ec2:DescribeInstanceStatus',
          'ec2:DescribeInstanceTypeOfferings',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplates',
          'ec2:DescribePlacementGroups',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSpotPriceHistory',
          'ec2:DescribeSubnets',
        ],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': region } },
      }),
      // The AMI alias resolves through the public EKS AMI parameters.
      new iam.PolicyStatement({
        sid: 'AllowSSMReadActions',
        actions: ['ssm:GetParameter'],
        resources: [`arn:${partition}:ssm:${region}::parameter/aws/service/*`],
      }),
      // The Price List API has no resource-level permissions.
      new iam.PolicyStatement({
        sid: 'AllowPricingReadActions',
        actions: ['pricing:GetProducts'],
        resources: ['*'],
      }),
    ],
  });

  return { nodeLifecycle, iamIntegration, eksIntegration, interruption, resourceDiscovery };
}

/**
 * The cdk-nag AwsSolutions-IAM5 finding ids a policy document raises, one per
 * wildcard resource or action (`AwsSolutions-IAM5[Resource::<arn>]`), with
 * CloudFormation references written as cdk-nag writes them (`<AWS::Partition>`,
 * `<Logical.Arn>`), so each can be acknowledged on its own.
 */
export function wildcardFindingIds(scope: IConstruct, document: iam.PolicyDocument): string[] {
  const resolved = Stack.of(scope).resolve(document.toJSON()) as { Statement?: Record<string, unknown>[] } | undefined;
  const ids = new Set<string>();
  for (const statement of resolved?.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asArray(statement.Action).map(flattenReference)) {
      if (action.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
    }
    for (const resource of asArray(statement.Resource).map(flattenReference)) {
      if (resource.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${resource}]`);
    }
  }
  return [...ids];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** A resolved CloudFormation value as flat text: strings as they are, Ref as `<Name>`, GetAtt as `<Logical.Attr>`, joins joined. */
function flattenReference(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (node['Fn::Sub'] !== undefined) return flattenReference(node['Fn::Sub']);
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if (node['Fn::ImportValue'] !== undefined) return flattenReference(node['Fn::ImportValue']);
    if (node.Ref !== undefined) return `<${flattenReference(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
