// The shared VPC's subnets in aws-cdk-lib: the group names and the planned
// CIDRs (src/platform/definition/subnet-plan.ts) handed to ec2.Vpc.
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SUBNET_GROUPS, type SubnetGroup, type SubnetPlan } from '../../platform/index.js';

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
