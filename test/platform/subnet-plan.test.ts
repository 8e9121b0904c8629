// The shared VPC's subnet plan where a definition made in code reaches it
// (the endpoint, data and node blocks, a VPC smaller than platform.yaml
// allows); platform.yaml's side is tested through the loader
// (definition.test.ts), the CDK side through the shared stack.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planSubnets, type SubnetPlanInput } from '../../src/platform/index.js';

const FIELDS: SubnetPlanInput['fields'] = { vpc: 'vpcCidr', public: 'public', endpoints: 'endpoints', data: 'data', nodes: 'nodes' };

function plan(vpcCidr: string, groups: Partial<SubnetPlanInput['groups']>): ReturnType<typeof planSubnets> {
  return planSubnets({ vpcCidr, groups: { public: ['10.0.0.0/20'], endpoints: undefined, data: undefined, nodes: undefined, ...groups }, fields: FIELDS });
}

describe('planSubnets', () => {
  test('GIVEN a block in the unused quarter of another group\'s block WHEN planned THEN it is refused: network policies admit the whole block as written', () => {
    // 10.0.12.0/22 is the fourth part of 10.0.0.0/20, which no zone's subnet takes.
    assert.deepEqual(plan('10.0.0.0/16', { data: ['10.0.12.0/24'] }), {
      ok: false,
      problems: [{ field: 'data', index: 0, message: '10.0.12.0/24 overlaps public[0], 10.0.0.0/20: give the data and load balancer subnets separate blocks' }],
    });
  });

  test('GIVEN a VPC too small for the default places WHEN a group is left out THEN that group is named; WHEN its blocks are given THEN the plan fits', () => {
    assert.deepEqual(plan('10.0.0.0/18', {}), {
      ok: false,
      problems: [
        {
          field: 'nodes',
          message: 'is left out, so the node subnets take their default place, VPC base + 64.0/18: 10.0.64.0/18, which is not inside the VPC, 10.0.0.0/18 (vpcCidr); give their blocks, or a /16 or /17 VPC',
        },
      ],
    });
    const fitted = plan('10.0.0.0/18', { nodes: ['10.0.48.0/24', '10.0.49.0/24', '10.0.50.0/24'] });
    assert.deepEqual(fitted.ok && fitted.plan.subnets, {
      public: ['10.0.0.0/22', '10.0.4.0/22', '10.0.8.0/22'],
      endpoints: ['10.0.16.0/22', '10.0.20.0/22', '10.0.24.0/22'],
      data: ['10.0.32.0/22', '10.0.36.0/22', '10.0.40.0/22'],
      nodes: ['10.0.48.0/24', '10.0.49.0/24', '10.0.50.0/24'],
    });
  });
});
