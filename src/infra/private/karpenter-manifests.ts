// The Karpenter objects kaji applies, as plain data: one EC2NodeClass (how a
// node is built) and one NodePool (which nodes may be launched, and how they
// are retired). Built from the platform definition's `capacity`; validated so
// that a NodePool that could never launch a node is refused at synthesis, not
// discovered when pods stay Pending.
import type { CapacityDefinition, DisruptionBudget, NodePoolLimits } from '../../platform/index.js';
import { InfraError } from '../errors.js';

export type { DisruptionBudget, NodePoolLimits };

/** The name of kaji's EC2NodeClass and NodePool. */
export const NODE_POOL_NAME = 'default';

export interface NodeClassInput {
  readonly roleName: string;
  readonly amiAlias: string;
  /** `karpenter.sh/discovery` value on the subnets (the platform name). */
  readonly subnetDiscoveryTag: readonly [key: string, value: string];
  /** The cluster name: EKS tags the cluster security group with `aws:eks:cluster-name`. */
  readonly clusterName: string;
  /** Root volume size, a Kubernetes quantity. */
  readonly rootVolumeSize: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The EC2NodeClass (karpenter.k8s.aws/v1).
 *
 * - AMI: a dated AL2023 alias, never `@latest`.
 * - Subnets: the shared VPC's private subnets, by the discovery tag.
 * - Security groups: the cluster security group only, by the tag EKS itself
 *   puts on it (`aws:eks:cluster-name`). Selecting by the platform-wide
 *   discovery tag instead would give blue's nodes green's security group too,
 *   since both clusters live in the one VPC; and that group is created by
 *   EKS, not by CloudFormation, so CDK could not tag it without a custom
 *   resource. The system node group is in the same group, so Karpenter's
 *   nodes and the system nodes reach each other and the control plane.
 * - IMDS: IMDSv2 only, hop limit 1, so pods (one hop further) cannot read the
 *   node role's credentials; pods get AWS credentials from EKS Pod Identity,
 *   whose agent listens on the node's link-local address, not on IMDS.
 * - Root volume: gp3, encrypted (the account's default EBS key), deleted with
 *   the node.
 */
export function ec2NodeClass(input: NodeClassInput): Record<string, unknown> {
  const [discoveryKey, discoveryValue] = input.subnetDiscoveryTag;
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: NODE_POOL_NAME },
    spec: {
      role: input.roleName,
      amiSelectorTerms: [{ alias: input.amiAlias }],
      subnetSelectorTerms: [{ tags: { [discoveryKey]: discoveryValue } }],
      securityGroupSelectorTerms: [{ tags: { 'aws:eks:cluster-name': input.clusterName } }],
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpProtocolIPv6: 'disabled',
        httpPutResponseHopLimit: 1,
        httpTokens: 'required',
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeSize: input.rootVolumeSize, volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
        },
      ],
      tags: { ...input.tags },
    },
  };
}

export interface NodePoolInput {
  /** The platform's capacity: requirements, and consolidation policy and delay. */
  readonly capacity: CapacityDefinition;
  readonly limits: NodePoolLimits;
  readonly budgets: readonly DisruptionBudget[];
  /** How long a node may live before it is replaced, e.g. "720h". */
  readonly expireAfter: string;
  /** How long a node's drain may take before it is terminated anyway, e.g. "24h". */
  readonly terminationGracePeriod: string;
}

/** A node requirement (`spec.template.spec.requirements[]`). */
export interface NodeRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Gt' | 'Lt' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/**
 * The NodePool (karpenter.sh/v1): spot first with on-demand fallback.
 *
 * With both `spot` and `on-demand` in `karpenter.sh/capacity-type`, Karpenter
 * launches spot (price-capacity-optimized across every instance type the
 * requirements allow) and falls back to on-demand only when no spot capacity
 * can be had; the order of the values does not matter. So one NodePool gives
 * "spot first, on-demand fallback", and a spot node that receives an
 * interruption warning (through the SQS queue) is replaced before it goes.
 */
export function nodePool(input: NodePoolInput): Record<string, unknown> {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: NODE_POOL_NAME },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: NODE_POOL_NAME },
          requirements: nodeRequirements(input.capacity),
          expireAfter: input.expireAfter,
          terminationGracePeriod: input.terminationGracePeriod,
        },
      },
      disruption: {
        consolidationPolicy: input.capacity.disruption.consolidationPolicy,
        consolidateAfter: input.capacity.disruption.consolidateAfter,
        budgets: input.budgets.map((budget) => ({ ...budget, ...(budget.reasons === undefined ? {} : { reasons: [...budget.reasons] }) })),
      },
      limits: { cpu: input.limits.cpu, memory: input.limits.memory },
    },
  };
}

/**
 * The requirements from `capacity`. Instance generation > 5 (no m5, c5...:
 * older, slower and often no cheaper) applies when no families are named;
 * named families are taken as they are.
 */
export function nodeRequirements(capacity: CapacityDefinition): NodeRequirement[] {
  const requirements: NodeRequirement[] = [
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: [...capacity.capacityTypes] },
    { key: 'kubernetes.io/arch', operator: 'In', values: [...capacity.architectures] },
    { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: [...capacity.instanceCategories] },
  ];
  if (capacity.instanceFamilies.length > 0) {
    requirements.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [...capacity.instanceFamilies] });
  } else {
    requirements.push({ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] });
  }
  return requirements;
}

/** Refuse capacity settings no NodePool can honour; `constructPath` names the construct in the error. */
export function validateCapacity(capacity: CapacityDefinition, constructPath: string): void {
  const field = (name: string) => `platform.capacity.${name}`;
  for (const name of ['capacityTypes', 'instanceCategories', 'architectures'] as const) {
    if (capacity[name].length === 0) {
      throw new InfraError(constructPath, field(name), 'is empty; a NodePool with no allowed value can launch no node.');
    }
  }
  const types = capacity.capacityTypes;
  if (types.includes('spot') && types.includes('on-demand') && types.indexOf('on-demand') < types.indexOf('spot')) {
    throw new InfraError(
      constructPath,
      field('capacityTypes'),
      `is [${types.join(', ')}]: Karpenter always prefers spot when a NodePool allows both, so on-demand cannot come first; ` +
        'list spot first (spot with on-demand fallback), or on-demand alone.',
    );
  }
  for (const family of capacity.instanceFamilies) {
    const category = /^[a-z]+?(?=\d)/.exec(family)?.[0];
    if (category === undefined || !capacity.instanceCategories.includes(category)) {
      throw new InfraError(
        constructPath,
        field('instanceFamilies'),
        `has ${JSON.stringify(family)}, whose category ${JSON.stringify(category ?? family)} is not in instanceCategories ` +
          `[${capacity.instanceCategories.join(', ')}]; no instance could satisfy both. Add the category or drop the family.`,
      );
    }
  }
}
