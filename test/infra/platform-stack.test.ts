// PlatformStack, the base of the shared and cluster stacks: each element's
// logical ID is allocated once, and is the one aws-cdk-lib would allocate.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import * as cdk from 'aws-cdk-lib/core';
import { buildPlatformApp } from '../../src/infra/app.js';
import { PlatformStack } from '../../src/infra/private/platform-stack.js';
import { loadPlatform } from '../../src/platform/index.js';
import { testApp } from './helpers.js';

const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));

type Allocate = (this: cdk.Stack, element: cdk.CfnElement) => string;
/** aws-cdk-lib's own allocation (protected on Stack). */
const stackPrototype = cdk.Stack.prototype as unknown as { allocateLogicalId: Allocate };
const cdkAllocate = stackPrototype.allocateLogicalId;

function elementsOf(stack: cdk.Stack): cdk.CfnElement[] {
  return stack.node.findAll().filter((construct): construct is cdk.CfnElement => cdk.CfnElement.isCfnElement(construct));
}

describe('PlatformStack: logical IDs', () => {
  afterEach(() => {
    stackPrototype.allocateLogicalId = cdkAllocate;
  });

  test('every element of the example platform gets the logical ID aws-cdk-lib allocates', () => {
    const { shared, clusters } = buildPlatformApp(platform, { nag: false, cloudFormationValidation: false });
    for (const stack of [shared, ...clusters]) {
      Template.fromStack(stack); // the IDs are read while synthesising, then again below
      for (const element of elementsOf(stack)) assert.equal(stack.getLogicalId(element), cdkAllocate.call(stack, element), element.node.path);
    }
  });

  test('a synthesis allocates each element once, not each time a template or reference names it', () => {
    // GIVEN aws-cdk-lib's allocation, counted per element
    const allocations = new Map<cdk.CfnElement, number>();
    stackPrototype.allocateLogicalId = function (this: cdk.Stack, element: cdk.CfnElement) {
      allocations.set(element, (allocations.get(element) ?? 0) + 1);
      return cdkAllocate.call(this, element);
    };
    // WHEN the whole platform is synthesised
    const { app, shared, clusters } = buildPlatformApp(platform, { nag: false, cloudFormationValidation: false });
    app.synth();
    // THEN every element was allocated exactly once
    const elements = [shared, ...clusters].flatMap(elementsOf);
    assert.ok(elements.length > 200, `${elements.length} elements`);
    assert.deepEqual(
      elements.filter((element) => allocations.get(element) !== 1).map((element) => `${element.node.path}: ${allocations.get(element) ?? 0}`),
      [],
    );
  });

  test('renameLogicalId and overrideLogicalId still apply to allocated IDs', () => {
    const stack = new PlatformStack(testApp(), 'Stack');
    const renamed = new cdk.CfnResource(stack, 'Renamed', { type: 'AWS::SQS::Queue' });
    const overridden = new cdk.CfnResource(stack, 'Overridden', { type: 'AWS::SQS::Queue' });
    const allocated = stack.getLogicalId(renamed);
    stack.renameLogicalId(allocated, 'Queue');
    overridden.overrideLogicalId('OtherQueue');
    assert.deepEqual(Object.keys(Template.fromStack(stack).toJSON().Resources as object).sort(), ['OtherQueue', 'Queue']);
  });
});
