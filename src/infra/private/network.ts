// The shared VPC's address plan: four subnet groups, one subnet per
// availability zone in each, at fixed places in the VPC CIDR, so that the
// CIDRs platform.yaml's network policies name (the load balancer subnets, the
// endpoint and data subnets) are the subnets the VPC really has.
//
//   public     platform.network.loadBalancerCidrs (default 10.0.0.0/20): ALBs, NAT gateways
//   endpoints  VPC base + 16.0/20 (10.0.16.0/20): interface VPC endpoints
//   data       VPC base + 32.0/20 (10.0.32.0/20): databases, search domains
//   nodes      VPC base + 64.0/18 (10.0.64.0/18): nodes and pods (each pod has a VPC address)
//
// A group given as one block is cut into four equal parts and the first three
// are the zones' subnets (10.0.0.0/20 → 10.0.0.0/22, 10.0.4.0/22, 10.0.8.0/22);
// a group given as one block per zone is used as it is.
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { defaultSubnetBlock, formatCidr, parseCidr, SMALLEST_SUBNET_PREFIX, type Cidr } from '../../platform/index.js';

export type SubnetGroup = 'public' | 'endpoints' | 'data' | 'nodes';
export const SUBNET_GROUPS: readonly SubnetGroup[] = ['public', 'endpoints', 'data', 'nodes'];


/** VPCs and subnets in AWS are /16 to /28. */
const LARGEST = 16;
const SMALLEST = SMALLEST_SUBNET_PREFIX;

export interface SubnetPlanInput {
  readonly vpcCidr: string;
  /** Per group, the block (one) or the per-zone blocks (one per zone); undefined = the default place. */
  readonly groups: Readonly<Record<SubnetGroup, readonly string[] | undefined>>;
  /** Where each group's blocks came from, for error messages, e.g. "platform.network.loadBalancerCidrs". */
  readonly fields: Readonly<Record<SubnetGroup | 'vpc', string>>;
  readonly zoneCount: number;
}

export interface SubnetPlan {
  readonly vpcCidr: string;
  /** Per group, one CIDR per availability zone, in zone order. */
  readonly subnets: Readonly<Record<SubnetGroup, readonly string[]>>;
}

/** Reports a problem with a field and never returns (throws the caller's error). */
export type Fail = (field: string, message: string) => never;

function parseIpv4(text: string, field: string, fail: Fail): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) return fail(field, parsed.problem);
  if (parsed.cidr.family !== 4) return fail(field, `must be an IPv4 CIDR; found ${JSON.stringify(text)}`);
  return parsed.cidr;
}

function hostBits(prefix: number): bigint {
  return BigInt(32 - prefix);
}

function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.prefix <= inner.prefix && outer.address >> hostBits(outer.prefix) === inner.address >> hostBits(outer.prefix);
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

/** Cuts a block into `count` equal subnets (the next power of two parts, the first `count` used). */
function split(block: Cidr, count: number): Cidr[] {
  const extra = Math.ceil(Math.log2(count));
  const prefix = block.prefix + extra;
  const size = 1n << hostBits(prefix);
  return Array.from({ length: count }, (_, index) => ({ family: 4 as const, address: block.address + BigInt(index) * size, prefix }));
}

/** The subnets of every group in every zone; fails on a block outside the VPC, overlapping another, or of a size AWS refuses. */
export function planSubnets(input: SubnetPlanInput, fail: Fail): SubnetPlan {
  const vpc = parseIpv4(input.vpcCidr, input.fields.vpc, fail);
  if (vpc.prefix < LARGEST || vpc.prefix > SMALLEST) {
    fail(input.fields.vpc, `must be a /${LARGEST} to /${SMALLEST} block (what AWS allows for a VPC); found ${input.vpcCidr}`);
  }
  const placed: { group: SubnetGroup; field: string; cidr: Cidr }[] = [];
  const subnets = {} as Record<SubnetGroup, readonly string[]>;
  for (const group of SUBNET_GROUPS) {
    const field = input.fields[group];
    const given = input.groups[group];
    let blocks: Cidr[];
    if (given === undefined) {
      if (group === 'public') return fail(field, 'is required: the load balancer subnets are the public subnets');
      blocks = [defaultSubnetBlock(vpc, group)];
    } else {
      blocks = given.map((text, index) => parseIpv4(text, `${field}[${index}]`, fail));
    }
    let cidrs: Cidr[];
    if (blocks.length === 1) cidrs = split(blocks[0]!, input.zoneCount);
    else if (blocks.length === input.zoneCount) cidrs = blocks;
    else {
      return fail(
        field,
        `must hold one block (cut into one subnet per availability zone) or ${input.zoneCount} blocks (one per zone, in zone order); found ${blocks.length}`,
      );
    }
    for (const [index, cidr] of cidrs.entries()) {
      const text = formatCidr(cidr);
      const at = blocks.length === 1 ? `${field} (subnet ${text} of ${formatCidr(blocks[0]!)})` : `${field}[${index}]`;
      if (cidr.prefix > SMALLEST) fail(at, `gives ${text}, smaller than /${SMALLEST}, the smallest subnet AWS allows: give a larger block`);
      if (!contains(vpc, cidr)) fail(at, `is not inside the VPC CIDR ${formatCidr(vpc)} (${input.fields.vpc}): move it into the VPC or change the VPC CIDR`);
      const clash = placed.find((other) => overlaps(other.cidr, cidr));
      if (clash) {
        fail(at, `overlaps the ${clash.group} subnet ${formatCidr(clash.cidr)} (${clash.field}): give the ${group} and ${clash.group} subnets separate blocks`);
      }
      placed.push({ group, field, cidr });
    }
    subnets[group] = cidrs.map(formatCidr);
  }
  return { vpcCidr: formatCidr(vpc), subnets };
}

/** The VPC's subnet group names (subnetConfiguration `name`), by group. */
export const SUBNET_GROUP_NAMES: Readonly<Record<SubnetGroup, string>> = {
  public: 'Public',
  endpoints: 'Endpoints',
  data: 'Data',
  nodes: 'Nodes',
};

/**
 * Gives ec2.Vpc the planned CIDRs instead of its own sequential allocation
 * (an `ec2.IIpAddresses`, the interface `ec2.IpAddresses.cidr()` implements).
 */
export class PlannedIpAddresses implements ec2.IIpAddresses {
  constructor(
    private readonly plan: SubnetPlan,
    private readonly zones: readonly string[],
  ) {}

  allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.plan.vpcCidr };
  }

  allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    return {
      allocatedSubnets: input.requestedSubnets.map((request) => {
        const group = SUBNET_GROUPS.find((candidate) => SUBNET_GROUP_NAMES[candidate] === request.configuration.name);
        const zone = this.zones.indexOf(request.availabilityZone);
        const cidr = group === undefined ? undefined : this.plan.subnets[group][zone];
        if (cidr === undefined) {
          throw new Error(`kaji: no planned CIDR for subnet group ${request.configuration.name} in ${request.availabilityZone} (a bug in kaji)`);
        }
        return { cidr };
      }),
    };
  }
}
