// buildPlatformApp: the whole platform as one CDK app, and its options.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { buildPlatformApp } from '../../src/infra/app.js';
import { loadPlatform } from '../../src/platform/index.js';

const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));
const CREATION_STACK = 'aws:cdk:creationStack';

function withCreationStacks(root: IConstruct): string[] {
  return root.node.findAll().filter((construct) => construct.node.metadata.some((entry) => entry.type === CREATION_STACK)).map((construct) => construct.node.path);
}

describe('buildPlatformApp: stack traces', () => {
  const lean = buildPlatformApp(platform, { nag: false, cloudFormationValidation: false });
  const traced = buildPlatformApp(platform, { nag: false, cloudFormationValidation: false, stackTraces: true });

  test('by default, no construct records where it was created, and annotations carry no call stacks', () => {
    assert.deepEqual(withCreationStacks(lean.app), []);
    assert.equal(lean.app.node.tryGetContext(cxapi.DISABLE_CREATION_STACK_TRACES), true);
    assert.equal(lean.app.node.tryGetContext(cxapi.DISABLE_METADATA_STACK_TRACE), true);
  });

  test('stackTraces: true records them as aws-cdk-lib does by default', () => {
    const paths = withCreationStacks(traced.app);
    assert.ok(paths.includes(traced.shared.node.path), 'the shared stack has its creation stack');
    assert.ok(paths.includes(`${traced.clusters[0]!.cluster.node.path}/Resource`), 'the EKS cluster resource has its creation stack');
    assert.equal(traced.app.node.tryGetContext(cxapi.DISABLE_CREATION_STACK_TRACES), undefined);
  });

  test('the templates are the same either way', () => {
    for (const [index, stack] of [lean.shared, ...lean.clusters].entries()) {
      const other = [traced.shared, ...traced.clusters][index]!;
      assert.deepEqual(Template.fromStack(stack).toJSON(), Template.fromStack(other).toJSON(), stack.stackName);
    }
  });
});
