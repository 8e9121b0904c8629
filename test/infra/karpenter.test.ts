// Karpenter construct: pins, node and controller IAM, interruption queue and
// rules, Helm chart, EC2NodeClass and NodePool, cdk-nag. One stack is
// synthesised for the whole file; the error cases fail while constructing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { InfraError } from '../../src/infra/errors.js';
import { KARPENTER_PINS, Karpenter, type KarpenterProps } from '../../src/infra/karpenter.js';
import { kajiNagFindings } from '../../src/infra/nag.js';
import { compareVersions } from '../../src/infra/private/karpenter-pins.js';
import type { CapacityDefinition, PlatformDefinition } from '../../src/platform/index.js';
import { definePlatform } from '../support/platform.js';
import { testApp } from './helpers.js';

const CLUSTER_NAME = 'shop-blue';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking parsed, untyped manifests and chart values
type Parsed = Record<string, any>;

function platform(capacity: Partial<CapacityDefinition> = {}): PlatformDefinition {
  const base = definePlatform();
  return { ...base, capacity: { ...base.capacity, ...capacity } };
}

/** GIVEN a stack with an EKS cluster (explicit name, VPC in three zones, kubectl 1.32). */
function clusterStack(id = 'Test'): { stack: Stack; cluster: eks.Cluster } {
  const app = testApp();
  const stack = new Stack(app, id, { env: { account: '111122223333', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 1 });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    clusterName: CLUSTER_NAME,
    version: eks.KubernetesVersion.V1_32,
    vpc,
    defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
    defaultCapacity: 0,
    kubectlProviderOptions: { kubectlLayer: new KubectlV32Layer(stack, 'Kubectl') },
  });
  return { stack, cluster };
}

function karpenterProps(cluster: eks.Cluster, overrides: Partial<KarpenterProps> = {}): KarpenterProps {
  return { cluster, platform: platform(), clusterDefinition: { name: 'blue', kubernetesVersion: '1.32', weight: 255, retiring: false }, ...overrides };
}

// GIVEN one cluster with Karpenter WHEN synthesised (once for the file)
const { stack, cluster } = clusterStack();
const karpenter = new Karpenter(stack, 'Karpenter', karpenterProps(cluster));
const template = Template.fromStack(stack);

/** The manifest of the Custom::AWSCDK-EKS-KubernetesResource whose object has `kind` (in the file's stack, or `from`). */
function manifestOf(kind: string, from: Template = template): Parsed {
  const resources = from.findResources('Custom::AWSCDK-EKS-KubernetesResource');
  for (const resource of Object.values(resources)) {
    const text = flatten(resource.Properties.Manifest);
    const objects = JSON.parse(text) as Parsed[];
    const found = objects.find((object) => object.kind === kind);
    if (found !== undefined) return found;
  }
  throw new Error(`no ${kind} manifest in the template`);
}

/** A Manifest property as text: a string, or Fn::Join of strings and tokens (tokens become "<token>"). */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) throw new Error(`unexpected manifest value ${JSON.stringify(value)}`);
  return join[1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
}

function queueLogicalId(): string {
  const queues = template.findResources('AWS::SQS::Queue');
  const ids = Object.keys(queues);
  assert.equal(ids.length, 1);
  return ids[0]!;
}

describe('Karpenter: pins', () => {
  test('every pinned chart meets the minimum Karpenter of its Kubernetes version, and every AMI alias is dated', () => {
    // GIVEN the table THEN each row is exact, new enough and never "latest"
    assert.deepEqual(
      KARPENTER_PINS.map((pin) => pin.kubernetesVersion),
      ['1.32', '1.33', '1.34', '1.35'],
    );
    for (const pin of KARPENTER_PINS) {
      assert.match(pin.chartVersion, /^\d+\.\d+\.\d+$/);
      assert.ok(compareVersions(pin.chartVersion, pin.minimumKarpenter) >= 0, `${pin.kubernetesVersion}: ${pin.chartVersion}`);
      assert.match(pin.amiAlias, /^al2023@v20\d{6}$/);
    }
  });

  test('every Kubernetes version installs Karpenter 1.15.1 with the AL2023 image of EKS AMI release v20261012', () => {
    // GIVEN the table THEN one supported release line (1.15 covers 1.31-1.37) and one AMI release serve every row
    for (const pin of KARPENTER_PINS) {
      assert.equal(pin.chartVersion, '1.15.1', pin.kubernetesVersion);
      assert.equal(pin.amiAlias, 'al2023@v20261012', pin.kubernetesVersion);
    }
    // AND the minimum per version is Karpenter's compatibility matrix
    assert.deepEqual(
      Object.fromEntries(KARPENTER_PINS.map((pin) => [pin.kubernetesVersion, pin.minimumKarpenter])),
      { '1.32': '1.2.0', '1.33': '1.5.0', '1.34': '1.6.0', '1.35': '1.9.0' },
    );
    // AND the synthesised chart and node class carry them
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'karpenter', Version: '1.15.1' });
    assert.deepEqual(manifestOf('EC2NodeClass').spec.amiSelectorTerms, [{ alias: 'al2023@v20261012' }]);
  });

  test('the Helm chart is the OCI Karpenter chart at the pinned version in kube-system', () => {
    // THEN
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'karpenter',
      Repository: 'oci://public.ecr.aws/karpenter/karpenter',
      Version: KARPENTER_PINS[0]!.chartVersion,
      Namespace: 'kube-system',
      Release: 'karpenter',
    });
    assert.equal(karpenter.chartVersion, KARPENTER_PINS[0]!.chartVersion);
  });

  test('the chart values name the cluster, the queue and the region, run two replicas on the system nodes and tolerate their taint', () => {
    // GIVEN the chart's values WHEN read back THEN
    const charts = template.findResources('Custom::AWSCDK-EKS-HelmChart');
    const [chart] = Object.values(charts);
    const values = JSON.parse(flatten(chart!.Properties.Values)) as Parsed;
    assert.equal(values.settings.clusterName, CLUSTER_NAME);
    assert.equal(values.settings.interruptionQueue, '<token>');
    assert.equal(values.replicas, 2);
    assert.deepEqual(values.tolerations, [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }]);
    assert.deepEqual(values.nodeSelector, { 'kaji.dev/node-role': 'system' });
    // The region comes from the values: the system nodes answer instance metadata to the node only.
    assert.deepEqual(values.controller.env, [{ name: 'AWS_REGION', value: 'eu-west-1' }]);
    assert.ok(values.controller.resources.requests.cpu);
    assert.ok(values.controller.resources.limits.memory);
    // AND the queue name is the queue's own attribute
    const join = chart!.Properties.Values['Fn::Join'][1] as unknown[];
    assert.ok(join.some((part) => JSON.stringify(part) === JSON.stringify({ 'Fn::GetAtt': [queueLogicalId(), 'QueueName'] })));
  });

  test('an unknown Kubernetes version is refused with the supported versions listed', () => {
    // GIVEN a cluster definition on 1.31 WHEN Karpenter is built THEN
    const { stack: other, cluster: otherCluster } = clusterStack('Old');
    assert.throws(
      () => new Karpenter(other, 'Karpenter', karpenterProps(otherCluster, { clusterDefinition: { name: 'old', kubernetesVersion: '1.31', weight: 0, retiring: false } })),
      (error: unknown) =>
        InfraError.isInfraError(error) &&
        error.field === 'clusterDefinition.kubernetesVersion' &&
        error.constructPath === 'Old/Karpenter' &&
        /1\.32, 1\.33, 1\.34, 1\.35/.test(error.message),
    );
  });

  test('chart and AMI overrides must stay pinned and new enough', () => {
    const cases: [Partial<KarpenterProps>, string][] = [
      [{ chartVersion: '1.1.0' }, 'chartVersion'],
      [{ chartVersion: '^1.11.0' }, 'chartVersion'],
      [{ amiAlias: 'al2023@latest' }, 'amiAlias'],
    ];
    for (const [override, field] of cases) {
      // GIVEN an override WHEN Karpenter is built THEN the field is named
      const { stack: other, cluster: otherCluster } = clusterStack('Override');
      assert.throws(
        () => new Karpenter(other, 'Karpenter', karpenterProps(otherCluster, override)),
        (error: unknown) => InfraError.isInfraError(error) && error.field === field,
        JSON.stringify(override),
      );
    }
  });
});

describe('Karpenter: NodePool and EC2NodeClass', () => {
  test('the NodePool allows spot and on-demand, the platform categories and architectures, generation > 5', () => {
    // WHEN the NodePool manifest is read back
    const pool = manifestOf('NodePool');
    const requirements = pool.spec.template.spec.requirements as { key: string; operator: string; values: string[] }[];
    const byKey = new Map(requirements.map((requirement) => [requirement.key, requirement]));
    // THEN
    assert.equal(pool.apiVersion, 'karpenter.sh/v1');
    assert.deepEqual(byKey.get('karpenter.sh/capacity-type'), { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] });
    assert.deepEqual(byKey.get('karpenter.k8s.aws/instance-category')?.values, ['c', 'm', 'r']);
    assert.deepEqual(byKey.get('kubernetes.io/arch')?.values, ['amd64']);
    assert.deepEqual(byKey.get('karpenter.k8s.aws/instance-generation'), { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] });
    assert.equal(byKey.has('karpenter.k8s.aws/instance-family'), false);
    assert.deepEqual(pool.spec.template.spec.nodeClassRef, { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' });
    assert.equal(pool.spec.template.spec.expireAfter, '720h');
  });

  test("the NodePool consolidates when empty or underutilised after 1m, within a 10% budget and limits (platform.yaml's defaults)", () => {
    const pool = manifestOf('NodePool');
    assert.deepEqual(pool.spec.disruption, {
      consolidationPolicy: 'WhenEmptyOrUnderutilized',
      consolidateAfter: '1m',
      budgets: [{ nodes: '10%' }],
    });
    assert.deepEqual(pool.spec.limits, { cpu: '256', memory: '1024Gi' });
  });

  test("the NodePool's limits, node lifetime and disruption come from platform.yaml's capacity; the construct's props override them", () => {
    // GIVEN capacity with its own limits, lifetime and disruption
    const disruption = {
      consolidationPolicy: 'WhenEmpty',
      consolidateAfter: '10m',
      budgets: [{ nodes: '2' }, { nodes: '0', reasons: ['Underutilized', 'Drifted'], schedule: '0 9 * * mon-fri', duration: '8h' }],
    } as const;
    const capacity: Partial<CapacityDefinition> = { limits: { cpu: '64', memory: '256Gi' }, expireAfter: '168h', disruption };
    const { stack: own, cluster: ownCluster } = clusterStack('OwnCapacity');
    new Karpenter(own, 'Karpenter', karpenterProps(ownCluster, { platform: platform(capacity) }));
    // WHEN synthesised THEN the NodePool says what capacity says
    const pool = manifestOf('NodePool', Template.fromStack(own));
    assert.deepEqual(pool.spec.limits, { cpu: '64', memory: '256Gi' });
    assert.equal(pool.spec.template.spec.expireAfter, '168h');
    assert.deepEqual(pool.spec.disruption, {
      consolidationPolicy: 'WhenEmpty',
      consolidateAfter: '10m',
      budgets: [{ nodes: '2' }, { nodes: '0', reasons: ['Underutilized', 'Drifted'], schedule: '0 9 * * mon-fri', duration: '8h' }],
    });
    // AND props, when given, win over platform.yaml (the policy and delay stay the platform's)
    const { stack: overridden, cluster: overriddenCluster } = clusterStack('Overridden');
    new Karpenter(
      overridden,
      'Karpenter',
      karpenterProps(overriddenCluster, { platform: platform(capacity), limits: { cpu: '32', memory: '128Gi' }, expireAfter: 'Never', disruptionBudgets: [{ nodes: '1' }] }),
    );
    const overriddenPool = manifestOf('NodePool', Template.fromStack(overridden));
    assert.deepEqual(overriddenPool.spec.limits, { cpu: '32', memory: '128Gi' });
    assert.equal(overriddenPool.spec.template.spec.expireAfter, 'Never');
    assert.deepEqual(overriddenPool.spec.disruption, { consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m', budgets: [{ nodes: '1' }] });
  });

  test('the EC2NodeClass pins the AL2023 alias, requires IMDSv2 with hop limit 1 and encrypts a gp3 root volume', () => {
    // WHEN the EC2NodeClass manifest is read back
    const nodeClass = manifestOf('EC2NodeClass');
    // THEN
    assert.equal(nodeClass.apiVersion, 'karpenter.k8s.aws/v1');
    assert.deepEqual(nodeClass.spec.amiSelectorTerms, [{ alias: KARPENTER_PINS[0]!.amiAlias }]);
    assert.doesNotMatch(JSON.stringify(nodeClass.spec.amiSelectorTerms), /latest/);
    assert.equal(nodeClass.spec.metadataOptions.httpTokens, 'required');
    assert.equal(nodeClass.spec.metadataOptions.httpPutResponseHopLimit, 1);
    assert.deepEqual(nodeClass.spec.subnetSelectorTerms, [{ tags: { 'karpenter.sh/discovery': 'shop' } }]);
    assert.deepEqual(nodeClass.spec.securityGroupSelectorTerms, [{ tags: { 'aws:eks:cluster-name': CLUSTER_NAME } }]);
    assert.deepEqual(nodeClass.spec.blockDeviceMappings[0].ebs, { volumeSize: '50Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true });
    assert.equal(nodeClass.spec.role, '<token>');
    // AND the nodes carry the platform and cluster names (cost allocation per cluster)
    assert.equal(nodeClass.spec.tags['kaji.dev/platform'], 'shop');
    assert.equal(nodeClass.spec.tags['kaji.dev/cluster'], 'blue');
  });

  test('the NodePool and EC2NodeClass are applied after the chart that installs their CRDs', () => {
    const chartId = Object.keys(template.findResources('Custom::AWSCDK-EKS-HelmChart'))[0]!;
    const manifests = template.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const karpenterObjects = Object.values(manifests).filter((resource) => /EC2NodeClass|NodePool/.test(flatten(resource.Properties.Manifest)));
    assert.equal(karpenterObjects.length, 2);
    for (const resource of karpenterObjects) assert.ok((resource.DependsOn as string[]).includes(chartId));
  });

  test('the chart, NodePool and EC2NodeClass depend on the controller policies and the nodes\' access entry, so deletion removes them first', () => {
    // GIVEN the controller's managed policies and the node role's access entry
    const policyIds = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    assert.equal(policyIds.length, 5, 'nodeLifecycle, iamIntegration, eksIntegration, interruption, resourceDiscovery');
    const [accessEntryId] = Object.keys(template.findResources('AWS::EKS::AccessEntry', { Properties: { Type: 'EC2_LINUX' } }));
    assert.ok(accessEntryId);
    // THEN the chart waits for every policy (CloudFormation deletes it before them)
    const chart = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart'))[0]!;
    for (const id of policyIds) assert.ok((chart.DependsOn as string[]).includes(id), `chart depends on ${id}`);
    // AND the NodePool and EC2NodeClass wait for every policy and the access entry: Karpenter drains their nodes while it still may
    const manifests = template.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const karpenterObjects = Object.values(manifests).filter((resource) => /EC2NodeClass|NodePool/.test(flatten(resource.Properties.Manifest)));
    assert.equal(karpenterObjects.length, 2);
    for (const resource of karpenterObjects) {
      for (const id of [...policyIds, accessEntryId]) assert.ok((resource.DependsOn as string[]).includes(id), `${flatten(resource.Properties.Manifest).slice(0, 60)} depends on ${id}`);
    }
  });

  test('named families replace the generation floor; capacity no NodePool can honour is refused', () => {
    // GIVEN families m7g and c7g
    const { stack: other, cluster: otherCluster } = clusterStack('Families');
    const built = new Karpenter(other, 'Karpenter', karpenterProps(otherCluster, { platform: platform({ instanceFamilies: ['m7g', 'c7g'], architectures: ['arm64'] }) }));
    assert.ok(built.nodeRole);
    const cases: [Partial<CapacityDefinition>, string][] = [
      [{ capacityTypes: ['on-demand', 'spot'] }, 'platform.capacity.capacityTypes'],
      [{ capacityTypes: [] }, 'platform.capacity.capacityTypes'],
      [{ instanceFamilies: ['t4g'] }, 'platform.capacity.instanceFamilies'],
    ];
    for (const [capacity, field] of cases) {
      const { stack: bad, cluster: badCluster } = clusterStack('Bad');
      assert.throws(
        () => new Karpenter(bad, 'Karpenter', karpenterProps(badCluster, { platform: platform(capacity) })),
        (error: unknown) => InfraError.isInfraError(error) && error.field === field,
        JSON.stringify(capacity),
      );
    }
  });
});

describe('Karpenter: interruption queue and rules', () => {
  test('the queue is encrypted, keeps messages 300 s and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 300, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('only the four interruption rules may send to the queue, each bound to its own ARN', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    assert.equal(policies.length, 1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement as Parsed[];
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    // No statement for any rule of the account (aws:SourceAccount) or for sqs.amazonaws.com.
    assert.equal(allows.length, 4);
    const ruleIds = Object.keys(template.findResources('AWS::Events::Rule')).sort();
    assert.deepEqual(allows.map((statement) => statement.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]).sort(), ruleIds);
    for (const statement of allows) {
      assert.deepEqual(statement.Principal, { Service: 'events.amazonaws.com' });
      // Delivering an event needs SendMessage only (as in Karpenter's reference queue policy).
      assert.deepEqual(statement.Action, 'sqs:SendMessage');
      assert.deepEqual(statement.Resource, { 'Fn::GetAtt': [queueLogicalId(), 'Arn'] });
      assert.deepEqual(Object.keys(statement.Condition), ['ArnEquals']);
    }
  });

  test('there is one EventBridge rule per interruption event, and every rule targets the queue', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    assert.equal(rules.length, 4);
    const patterns = rules.map((rule) => rule.Properties.EventPattern as { source: string[]; 'detail-type': string[] });
    // The literal source and detail-type of each event Karpenter handles (its
    // reference cloudformation.yaml's four rules), not the code's own table:
    // a misspelt detail-type matches no event and would go unnoticed.
    assert.deepEqual(patterns.map((pattern) => `${pattern.source.join()}:${pattern['detail-type'].join()}`).sort(), [
      'aws.ec2:EC2 Instance Rebalance Recommendation',
      'aws.ec2:EC2 Instance State-change Notification',
      'aws.ec2:EC2 Spot Instance Interruption Warning',
      'aws.health:AWS Health Event',
    ]);
    for (const rule of rules) {
      assert.deepEqual(rule.Properties.Targets, [{ Arn: { 'Fn::GetAtt': [queueLogicalId(), 'Arn'] }, Id: 'Target0' }]);
    }
  });
});

describe('Karpenter: IAM', () => {
  test('the node role carries the worker, ECR pull, SSM and CNI policies and joins through an EC2_LINUX access entry', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonSSMManagedInstanceCore', 'AmazonEKS_CNI_Policy'].map(
        (name) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] }),
      ),
    });
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      Type: 'EC2_LINUX',
      PrincipalArn: { 'Fn::GetAtt': [stack.getLogicalId(karpenter.nodeRole.node.defaultChild as never), 'Arn'] },
    });
  });

  test('the controller role is assumed through EKS Pod Identity by kube-system/karpenter of this cluster only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': '111122223333',
                'aws:RequestTag/eks-cluster-arn': { 'Fn::GetAtt': [stack.getLogicalId(cluster.node.defaultChild as never), 'Arn'] },
                'aws:RequestTag/kubernetes-namespace': 'kube-system',
                'aws:RequestTag/kubernetes-service-account': 'karpenter',
              },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'kube-system',
      ServiceAccount: 'karpenter',
      RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(karpenter.controllerRole.node.defaultChild as never), 'Arn'] },
    });
  });

  test('launches, tagging and deletion are scoped to this cluster by tags', () => {
    const owned = `aws:RequestTag/kubernetes.io/cluster/${CLUSTER_NAME}`;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowScopedEC2InstanceActionsWithTags',
            Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
            Condition: {
              StringEquals: { [owned]: 'owned', 'aws:RequestTag/eks:eks-cluster-name': CLUSTER_NAME },
              StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
            },
          }),
          Match.objectLike({
            Sid: 'AllowScopedDeletion',
            Condition: {
              StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${CLUSTER_NAME}`]: 'owned' },
              StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
            },
          }),
        ]),
      },
      Roles: [{ Ref: stack.getLogicalId(karpenter.controllerRole.node.defaultChild as never) }],
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowPassingInstanceRole',
            Action: 'iam:PassRole',
            Resource: { 'Fn::GetAtt': [stack.getLogicalId(karpenter.nodeRole.node.defaultChild as never), 'Arn'] },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
            Resource: { 'Fn::GetAtt': [queueLogicalId(), 'Arn'] },
          }),
        ],
      },
    });
  });

  test('the regional read actions include the instance status checks Karpenter reads since 1.12, in this region only', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowRegionalReadActions',
            Action: Match.arrayWith(['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribePlacementGroups']),
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
          }),
        ]),
      },
    });
  });

  test('reboot repairs and zonal shift stay off, and the controller gets no permission for them', () => {
    // GIVEN every controller policy and the chart values
    const policies = JSON.stringify(Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((policy) => policy.Properties.PolicyDocument));
    const [chart] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart'));
    const values = JSON.parse(flatten(chart!.Properties.Values)) as Parsed;
    // THEN neither the RebootForRepair gate's nor the zonal shift integration's action is granted
    assert.doesNotMatch(policies, /ec2:RebootInstances/);
    assert.doesNotMatch(policies, /arc-zonal-shift:/);
    // AND the values turn neither feature on (which would need those actions)
    assert.equal(values.settings.enableZonalShift, undefined);
    assert.equal(values.settings.featureGates, undefined);
    assert.deepEqual(Object.keys(values.settings).sort(), ['clusterName', 'interruptionQueue']);
  });

  test('a cluster without an explicit name is refused', () => {
    const app = testApp();
    const other = new Stack(app, 'Unnamed', { env: { account: '111122223333', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(other, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
    const unnamed = new eks.Cluster(other, 'Cluster', {
      version: eks.KubernetesVersion.V1_32,
      vpc,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      kubectlProviderOptions: { kubectlLayer: new KubectlV32Layer(other, 'Kubectl') },
    });
    assert.throws(
      () => new Karpenter(other, 'Karpenter', karpenterProps(unnamed)),
      (error: unknown) => InfraError.isInfraError(error) && error.field === 'cluster',
    );
  });
});

describe('Karpenter: cdk-nag', () => {
  test('no unacknowledged AwsSolutions finding under the construct', () => {
    const findings = kajiNagFindings(karpenter).filter((finding) => finding.severity === 'error');
    assert.deepEqual(
      findings.map((finding) => `${finding.ruleName}: ${finding.violatingResources.map((resource) => resource.resourceLogicalId).join(', ')}`),
      [],
    );
  });
});
