// The shared VPC's address plan: four subnet groups, one subnet per
// availability zone in each, at fixed places in the VPC CIDR, so that the
// CIDRs platform.yaml's network policies name (the load balancer subnets, the
// endpoint and data subnets) are the subnets the VPC really has.
//
//   public     network.loadBalancerCidrs (default: the VPC's first /20, 10.0.0.0/20): ALBs, NAT gateways
//   endpoints  VPC base + 16.0/20 (10.0.16.0/20): interface VPC endpoints
//   data       VPC base + 32.0/20 (10.0.32.0/20): databases, search domains
//   nodes      VPC base + 64.0/18 (10.0.64.0/18): nodes and pods (each pod has a VPC address)
//
// A group given as one block is cut into four equal parts and the first three
// are the zones' subnets (10.0.0.0/20 → 10.0.0.0/22, 10.0.4.0/22, 10.0.8.0/22);
// a group given as one block per zone is used as it is. Blocks are kept apart
// whole, unused quarter included: network policies admit the load balancer
// blocks as written.
//
// One plan for platform.yaml's loader (which reports its problems at
// file:line) and the shared stack (which names its props): problems are data.
import { cidrCovers, cidrsOverlap, formatCidr, parseCidr, splitCidr, type Cidr, type CidrParse } from '../cidr.js';
import { INTERNET_EXCEPT } from '../types.js';
import { ZONE_COUNT } from './aws-network.js';

export type SubnetGroup = 'public' | 'endpoints' | 'data' | 'nodes';
export const SUBNET_GROUPS: readonly SubnetGroup[] = ['public', 'endpoints', 'data', 'nodes'];

/** The smallest subnet AWS allows (/28); a VPC is /16 at most. */
export const SMALLEST_SUBNET_PREFIX = 28;
const LARGEST_VPC_PREFIX = 16;

/** A group given as one block is cut into this many equal parts (the next power of two of ZONE_COUNT), the first ZONE_COUNT used. */
export const ONE_BLOCK_PARTS = 2 ** Math.ceil(Math.log2(ZONE_COUNT));

interface GroupShape {
  /** The default place: offset from the VPC base address, prefix length, and how messages name it. */
  readonly offset: bigint;
  readonly prefix: number;
  readonly place: string;
  /** How messages name the group's subnets ("the node subnets") and what kind of VPC subnet they are. */
  readonly word: string;
  readonly kind: 'public' | 'private';
}

const GROUPS: Readonly<Record<SubnetGroup, GroupShape>> = {
  public: { offset: 0n, prefix: 20, place: "the VPC's first /20", word: 'load balancer', kind: 'public' },
  endpoints: { offset: 16n << 8n, prefix: 20, place: 'VPC base + 16.0/20', word: 'endpoint', kind: 'private' },
  data: { offset: 32n << 8n, prefix: 20, place: 'VPC base + 32.0/20', word: 'data', kind: 'private' },
  nodes: { offset: 64n << 8n, prefix: 18, place: 'VPC base + 64.0/18', word: 'node', kind: 'private' },
};

/** Where kaji places the groups platform.yaml gives no blocks for (GROUPS' offsets), as messages say it. */
const PLACED_GROUPS = 'endpoint, data and node subnets at VPC base + 16.0/20, 32.0/20 and 64.0/18';

/** The block a group takes in a VPC by default, e.g. 10.0.64.0/18 for the nodes of 10.0.0.0/16. */
export function defaultSubnetBlock(vpc: Cidr, group: SubnetGroup): Cidr {
  const { offset, prefix } = GROUPS[group];
  return { family: 4, address: vpc.address + offset, prefix };
}

/** The load balancer subnets when platform.yaml names none: the VPC's first /20, as the default VPC 10.0.0.0/16 gives 10.0.0.0/20. */
export function defaultLoadBalancerCidrs(vpc: Cidr): string[] {
  return [formatCidr(defaultSubnetBlock(vpc, 'public'))];
}

/** An IPv4 CIDR of the VPC, or the problem with it (worded to follow the field's name). */
function parseIpv4Cidr(text: string, example: string): CidrParse {
  const parsed = parseCidr(text, `an IPv4 CIDR such as ${example}`);
  if (parsed.ok && parsed.cidr.family !== 4) return { ok: false, problem: `must be an IPv4 CIDR such as ${example} (the VPC is IPv4); found ${JSON.stringify(text)}` };
  return parsed;
}

/** The private ranges a VPC may use: those the `internet` egress excludes (INTERNET_EXCEPT, but link-local). */
const PRIVATE_RANGES = INTERNET_EXCEPT.filter((range) => !range.startsWith('169.254.'));

/** platform.yaml names no endpoint, data or node blocks: kaji's default places (up to VPC base + 127.255) need a /16 or /17. */
const SMALLEST_PLATFORM_VPC_PREFIX = 17;

/** platform.yaml's VPC CIDR parsed, or the problem with it (worded to follow the field's name). */
export function parseVpcCidr(text: string): CidrParse {
  const parsed = parseIpv4Cidr(text, '10.0.0.0/16');
  if (!parsed.ok) return parsed;
  const { cidr } = parsed;
  if (cidr.prefix < LARGEST_VPC_PREFIX || cidr.prefix > SMALLEST_PLATFORM_VPC_PREFIX) {
    return {
      ok: false,
      problem: `must be a /${LARGEST_VPC_PREFIX} or /${SMALLEST_PLATFORM_VPC_PREFIX} block (AWS allows /16 at most; kaji places the ${PLACED_GROUPS}); found ${text}`,
    };
  }
  // The `internet` egress excludes these ranges only: a VPC elsewhere would let it reach every pod.
  if (!PRIVATE_RANGES.some((range) => rangeHolds(range, cidr))) {
    return { ok: false, problem: `must be inside a private range (${PRIVATE_RANGES.join(', ')}), which the services' "internet" egress excludes; found ${text}` };
  }
  return parsed;
}

function rangeHolds(rangeText: string, cidr: Cidr): boolean {
  const range = parseCidr(rangeText);
  return range.ok && cidrCovers(range.cidr, cidr);
}

export interface SubnetPlanInput {
  readonly vpcCidr: string;
  /** Per group, one block or one per zone; undefined: the group's default place (none for the public group). */
  readonly groups: Readonly<Record<SubnetGroup, readonly string[] | undefined>>;
  /** How the caller names the VPC CIDR and each group, for messages that point from one field to another. */
  readonly fields: Readonly<Record<SubnetGroup | 'vpc', string>>;
}

export interface SubnetPlan {
  readonly vpcCidr: string;
  /** Per group, one CIDR per availability zone, in zone order. */
  readonly subnets: Readonly<Record<SubnetGroup, readonly string[]>>;
}

/** A problem with the VPC CIDR or a group (at one of its blocks when `index` is set), worded to follow that field's name. */
export interface SubnetProblem {
  readonly field: SubnetGroup | 'vpc';
  readonly index?: number;
  readonly message: string;
}

export type SubnetPlanResult = { readonly ok: true; readonly plan: SubnetPlan } | { readonly ok: false; readonly problems: readonly SubnetProblem[] };

/** A block in the VPC: a group's given block (with its index) or its default one. */
interface Placed {
  readonly group: SubnetGroup;
  readonly index?: number;
  readonly block: Cidr;
}

/**
 * The subnets of every group in every zone, or every problem: a VPC AWS
 * refuses, a group of neither one block nor one per zone, a block that is no
 * IPv4 CIDR, gives subnets smaller than AWS allows, lies outside the VPC or
 * overlaps another.
 */
export function planSubnets(input: SubnetPlanInput): SubnetPlanResult {
  const vpc = parseIpv4Cidr(input.vpcCidr, '10.0.0.0/16');
  if (!vpc.ok) return { ok: false, problems: [{ field: 'vpc', message: vpc.problem }] };
  if (vpc.cidr.prefix < LARGEST_VPC_PREFIX || vpc.cidr.prefix > SMALLEST_SUBNET_PREFIX) {
    const message = `must be a /${LARGEST_VPC_PREFIX} to /${SMALLEST_SUBNET_PREFIX} block (what AWS allows for a VPC); found ${input.vpcCidr}`;
    return { ok: false, problems: [{ field: 'vpc', message }] };
  }
  const planner = new Planner(vpc.cidr, input.fields);
  // Groups at their default place first: a clash is then reported at the block the caller gave.
  const order = [...SUBNET_GROUPS].sort((a, b) => Number(input.groups[a] !== undefined) - Number(input.groups[b] !== undefined));
  const subnets = {} as Record<SubnetGroup, readonly string[]>;
  for (const group of order) subnets[group] = planner.group(group, input.groups[group]).map(formatCidr);
  if (planner.problems.length > 0) return { ok: false, problems: planner.problems };
  return { ok: true, plan: { vpcCidr: formatCidr(vpc.cidr), subnets } };
}

class Planner {
  readonly problems: SubnetProblem[] = [];
  private readonly placed: Placed[] = [];

  constructor(
    private readonly vpc: Cidr,
    private readonly fields: SubnetPlanInput['fields'],
  ) {}

  /** The group's subnets, one per zone (fewer when a block has a problem). */
  group(group: SubnetGroup, given: readonly string[] | undefined): Cidr[] {
    if (given === undefined) return this.defaultGroup(group);
    if (given.length !== 1 && given.length !== ZONE_COUNT) {
      this.problems.push({
        field: group,
        message: `must hold one block (cut into one subnet per availability zone) or ${ZONE_COUNT} blocks (one per zone, in zone order); found ${given.length}`,
      });
    }
    const blocks = given.flatMap((text, index) => {
      const block = this.givenBlock(group, index, text, given.length === 1);
      return block === undefined ? [] : [block];
    });
    return given.length === 1 ? blocks.flatMap(zoneSubnets) : blocks;
  }

  private defaultGroup(group: SubnetGroup): Cidr[] {
    if (group === 'public') {
      this.problems.push({ field: group, message: 'is required: the load balancer subnets are the public subnets' });
      return [];
    }
    const block = defaultSubnetBlock(this.vpc, group);
    const { place, word } = GROUPS[group];
    if (!cidrCovers(this.vpc, block)) {
      const message = `is left out, so the ${word} subnets take their default place, ${place}: ${formatCidr(block)}, which is not inside the VPC, ${formatCidr(this.vpc)} (${this.fields.vpc}); give their blocks, or a /16 or /17 VPC`;
      this.problems.push({ field: group, message });
      return [];
    }
    this.placed.push({ group, block });
    return zoneSubnets(block);
  }

  /** The block at `index` of a group, checked and placed; undefined when it has a problem. */
  private givenBlock(group: SubnetGroup, index: number, text: string, cut: boolean): Cidr | undefined {
    const problem = (message: string): undefined => {
      this.problems.push({ field: group, index, message });
      return undefined;
    };
    const parsed = parseIpv4Cidr(text, '10.0.0.0/20');
    if (!parsed.ok) return problem(parsed.problem);
    const block = parsed.cidr;
    const subnetPrefix = cut ? block.prefix + Math.log2(ONE_BLOCK_PARTS) : block.prefix;
    if (subnetPrefix > SMALLEST_SUBNET_PREFIX) {
      const cutInto = cut ? `, cut into ${ONE_BLOCK_PARTS} for the zones, gives /${subnetPrefix} subnets` : '';
      return problem(`${text}${cutInto}: smaller than /${SMALLEST_SUBNET_PREFIX}, the smallest subnet AWS allows; give a larger block`);
    }
    const { word, kind } = GROUPS[group];
    if (!cidrCovers(this.vpc, block)) {
      return problem(
        `${text} is not inside the VPC, ${formatCidr(this.vpc)} (${this.fields.vpc}): the ${word} subnets are the VPC's ${kind} subnets; name blocks inside it, or change vpcCidr`,
      );
    }
    const clash = this.placed.find((other) => cidrsOverlap(other.block, block));
    if (clash) return problem(`${text} overlaps ${this.describe(clash)}: ${this.remedy(group, clash)}`);
    this.placed.push({ group, index, block });
    return block;
  }

  private describe(other: Placed): string {
    const block = formatCidr(other.block);
    if (other.index === undefined) return `the VPC's ${GROUPS[other.group].word} subnets, ${block}`;
    return `${this.fields[other.group]}[${other.index}], ${block}`;
  }

  private remedy(group: SubnetGroup, other: Placed): string {
    if (other.group === group) return 'give each zone its own block';
    if (other.index !== undefined) return `give the ${GROUPS[group].word} and ${GROUPS[other.group].word} subnets separate blocks`;
    const places = (['endpoints', 'data', 'nodes'] as const).map((placed) => `${GROUPS[placed].word} ${formatCidr(defaultSubnetBlock(this.vpc, placed))}`);
    return (
      `kaji places its ${PLACED_GROUPS} (${places.join(', ')}); ` +
      `name blocks clear of those, such as ${GROUPS[group].place}, ${formatCidr(defaultSubnetBlock(this.vpc, group))}`
    );
  }
}

/** A group's one block cut for the zones: the first ZONE_COUNT of its ONE_BLOCK_PARTS parts. */
function zoneSubnets(block: Cidr): Cidr[] {
  return splitCidr(block, ONE_BLOCK_PARTS).slice(0, ZONE_COUNT);
}
