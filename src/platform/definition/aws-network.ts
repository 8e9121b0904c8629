// The AWS values of platform.yaml besides the VPC's addresses (subnet-plan.ts):
// network.availabilityZones, platform.apiEndpointCidrs, ARN partitions; their
// defaults and checks, in one place for the loader (which reports them at
// file:line) and the CDK stacks (which check a definition made in code, and
// their props).
import { parseCidr } from '../cidr.js';

/**
 * Zone letters of regions whose first three are not a, b, c for new
 * accounts. ap-northeast-1b and ca-central-1c are not offered to accounts
 * created in the last decade.
 */
const ZONE_LETTERS: Readonly<Record<string, readonly string[]>> = {
  'ap-northeast-1': ['a', 'c', 'd'],
  'ca-central-1': ['a', 'b', 'd'],
};

/**
 * Regions with fewer than three zones for most accounts, where the zone names
 * also differ between accounts: the zones must be named.
 */
const TWO_ZONE_REGIONS: readonly string[] = ['us-west-1'];

/** The number of zones the shared VPC spans (the messages say "three"): every subnet group has one subnet per zone. */
export const ZONE_COUNT = 3;

/** Three availability zone names for a region, with no lookup; undefined where the names cannot be known offline. */
export function defaultAvailabilityZones(region: string): readonly string[] | undefined {
  if (TWO_ZONE_REGIONS.includes(region)) return undefined;
  return (ZONE_LETTERS[region] ?? ['a', 'b', 'c']).map((letter) => `${region}${letter}`);
}

/** What is wrong with a list of zones (at one item, when `index` is set), worded to follow the field's name. */
export interface ZoneProblem {
  readonly index?: number;
  readonly message: string;
}

/** The problem with `zones` (undefined: the region's default) for a VPC in `region`, if any. */
export function availabilityZonesProblem(region: string, zones: readonly string[] | undefined): ZoneProblem | undefined {
  const fewZones = TWO_ZONE_REGIONS.includes(region) ? `; most accounts have only two zones in ${region}: run the platform in a region with three` : '';
  if (zones === undefined) {
    if (defaultAvailabilityZones(region) !== undefined) return undefined;
    return {
      message: `is required in ${region}, whose zone names differ between accounts: name three zones of the account for the VPC (aws ec2 describe-availability-zones --region ${region})${fewZones}`,
    };
  }
  if (zones.length !== ZONE_COUNT || new Set(zones).size !== zones.length) {
    return { message: `must name three different zones (the VPC has one subnet of each group and a NAT gateway in each); found ${JSON.stringify(zones)}${fewZones}` };
  }
  const shape = new RegExp(`^${region}[a-z]$`);
  const index = zones.findIndex((zone) => !shape.test(zone));
  if (index >= 0) return { index, message: `must be a zone of ${region} (the platform's region) such as ${region}a; found ${JSON.stringify(zones[index])}` };
  return undefined;
}

/** The problem with one CIDR that may reach a cluster's public API endpoint, if any (worded to follow the field's name). */
export function apiEndpointCidrProblem(text: string): string | undefined {
  const parsed = parseCidr(text, 'an IPv4 CIDR such as 203.0.113.0/24');
  if (!parsed.ok) return parsed.problem;
  // Prefix length 0 is every address, however the address is written (0.0.0.0/0, ::/0, ::0/0).
  if (parsed.cidr.prefix === 0) return `is ${text}, every address: name the networks that may reach the API, or leave the list empty for a private endpoint`;
  // EKS refuses IPv6 blocks in publicAccessCidrs of an IPv4 cluster, which kaji's clusters are: only at deployment, after the stack is half created.
  if (parsed.cidr.family === 6) {
    return `is ${text}, an IPv6 block, but the cluster is an IPv4 cluster, whose public endpoint EKS opens to IPv4 CIDRs only: name the IPv4 addresses of those networks`;
  }
  return undefined;
}

/** The AWS partition of a region (the second field of its ARNs): aws-cn in China, aws-us-gov in GovCloud, aws-iso[-x] in the isolated regions. */
export function awsPartition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (/^[a-z]{2}-gov-/.test(region)) return 'aws-us-gov';
  const isolated = /^[a-z]{2}-iso([a-z]?)-/.exec(region);
  if (isolated) return isolated[1] ? `aws-iso-${isolated[1]}` : 'aws-iso';
  return 'aws';
}

/** The DNS suffix of each partition's service endpoints, where it is not amazonaws.com (aws, aws-us-gov). */
const PARTITION_DNS_SUFFIXES: Readonly<Record<string, string>> = {
  'aws-cn': 'amazonaws.com.cn',
  'aws-iso': 'c2s.ic.gov',
  'aws-iso-b': 'sc2s.sgov.gov',
  'aws-iso-e': 'cloud.adc-e.uk',
  'aws-iso-f': 'csp.hci.ic.gov',
};

/** The DNS suffix of AWS service endpoints in a region, e.g. amazonaws.com.cn in cn-north-1. */
export function awsDnsSuffix(region: string): string {
  return PARTITION_DNS_SUFFIXES[awsPartition(region)] ?? 'amazonaws.com';
}

/** The account's private ECR registry in a region, e.g. 111122223333.dkr.ecr.ap-northeast-1.amazonaws.com. */
export function ecrRegistry(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.${awsDnsSuffix(region)}`;
}

/** What an ARN of another partition than the platform's is: a provider its roles cannot trust, or a role EKS gives no access entry. */
export type ArnKind = 'oidc-provider' | 'role';

const OTHER_PARTITION: Readonly<Record<ArnKind, string>> = {
  'oidc-provider': 'whose roles cannot trust it: name the provider of the platform\'s account there',
  role: 'whose clusters cannot give it an access entry: name a role of that partition',
};

/** The problem with an ARN of another partition than the platform's region, if any: AWS refuses it only at deployment. */
export function arnPartitionProblem(arn: string, region: string, kind: ArnKind = 'oidc-provider'): string | undefined {
  const partition = arn.split(':')[1];
  const expected = awsPartition(region);
  if (partition === expected) return undefined;
  return `is in partition ${partition}, but the platform's region ${region} is in ${expected}, ${OTHER_PARTITION[kind]} (arn:${expected}:iam::…)`;
}
