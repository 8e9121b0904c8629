// buildPlatformApp: the whole platform as one CDK app, and its options (stack
// traces, cdk-nag loaded only when it runs).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import * as cdk from 'aws-cdk-lib/core';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { buildPlatformApp } from '../../src/infra/app.js';
import { InfraError } from '../../src/infra/errors.js';
import { suppress } from '../../src/infra/nag.js';
import { loadPlatform } from '../../src/platform/index.js';

const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));
const CREATION_STACK = 'aws:cdk:creationStack';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

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

describe('buildPlatformApp: cdk-nag', () => {
  const ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  // Constructs acknowledging cdk-nag findings (aws-cdk-lib acknowledges some of its own warnings, e.g. on flow logs).
  const acknowledging = (root: IConstruct): string[] =>
    root.node
      .findAll()
      .filter((construct) =>
        construct.node.metadata.some((entry) => entry.type === ACKNOWLEDGED && Object.keys(entry.data as Record<string, string>).some((id) => id.includes('AwsSolutions-'))),
      )
      .map((construct) => construct.node.path);

  test('an app with nag: false records no acknowledgements and makes the same templates', () => {
    // GIVEN the platform built with cdk-nag and without
    const withNag = buildPlatformApp(platform, { cloudFormationValidation: false });
    const withoutNag = buildPlatformApp(platform, { nag: false, cloudFormationValidation: false });
    // THEN only the first acknowledges cdk-nag findings (the CI roles, Karpenter's wildcard policies, the kubectl provider...)
    const paths = acknowledging(withNag.app);
    assert.ok(paths.includes(withNag.shared.ciRoles.get('antenna')!.node.path), 'a CI role acknowledges its registry-wide action');
    assert.ok(paths.some((path) => /\/Karpenter\/Controller\w+Policy$/.test(path)), "Karpenter's controller policies acknowledge their wildcards");
    assert.deepEqual(acknowledging(withoutNag.app), []);
    // AND the templates are the same
    for (const [index, stack] of [withNag.shared, ...withNag.clusters].entries()) {
      const other = [withoutNag.shared, ...withoutNag.clusters][index]!;
      assert.deepEqual(Template.fromStack(stack).toJSON(), Template.fromStack(other).toJSON(), stack.stackName);
    }
  });

  test('suppress still refuses a suppression without a reason when cdk-nag does not run', () => {
    const { shared } = buildPlatformApp(platform, { nag: false, cloudFormationValidation: false });
    assert.throws(() => suppress(shared, [{ id: 'AwsSolutions-IAM5', reason: 'ok' }]), /must say why AwsSolutions-IAM5 is acceptable/);
  });

  test('an app built with nag: false never loads cdk-nag; the default app does', () => {
    // A fresh process: this test process has loaded cdk-nag for other tests.
    const script = `
      import { createRequire } from 'node:module';
      const { buildPlatformApp } = await import('./src/infra/index.js');
      const { loadPlatform } = await import('./src/platform/index.js');
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/node_modules/cdk-nag/'));
      const platform = await loadPlatform('examples/labs/platform.yaml');
      const before = loaded();
      buildPlatformApp(platform, { nag: false, cloudFormationValidation: false });
      const withoutNag = loaded();
      buildPlatformApp(platform, { cloudFormationValidation: false });
      console.log(JSON.stringify({ before, withoutNag, withNag: loaded() }));`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(output), { before: false, withoutNag: false, withNag: true });
  });
});

describe('buildPlatformApp: construct tree', () => {
  test('tree.json is written by default and not with treeMetadata: false; the stacks are the same', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'kaji-tree-'));
    try {
      // WHEN the platform is synthesised with the default and without the tree
      const withTree = buildPlatformApp(platform, { outdir: join(outdir, 'with'), nag: false, cloudFormationValidation: false }).app.synth();
      const withoutTree = buildPlatformApp(platform, { outdir: join(outdir, 'without'), nag: false, cloudFormationValidation: false, treeMetadata: false }).app.synth();
      // THEN only the first assembly has the tree
      assert.ok(existsSync(join(withTree.directory, 'tree.json')));
      assert.equal(existsSync(join(withoutTree.directory, 'tree.json')), false);
      assert.equal(withoutTree.tree(), undefined);
      // AND the templates are the same
      assert.deepEqual(
        withoutTree.stacks.map((stack) => stack.template),
        withTree.stacks.map((stack) => stack.template),
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('buildPlatformApp: stack names', () => {
  test('a cluster named "shared" (a definition made by hand) is refused, naming the field, before any stack collides', () => {
    // GIVEN the example platform with its green cluster renamed "shared"
    const clusters = platform.clusters.map((cluster) => (cluster.name === 'green' ? { ...cluster, name: 'shared' } : cluster));
    // WHEN the app is built THEN an InfraError names the cluster's field and the stack it would collide with
    assert.throws(
      () => buildPlatformApp({ ...platform, clusters }, { nag: false, cloudFormationValidation: false }),
      (error: unknown) =>
        InfraError.isInfraError(error) && error.field === 'platform.clusters[1].name' && /its stack would be labs-shared, the shared stack's name/.test(error.message),
    );
  });
});

describe('buildPlatformApp: a definition made by hand without a section loadPlatform returns', () => {
  const build = (definition: unknown) => () => buildPlatformApp(definition as typeof platform, { nag: false, cloudFormationValidation: false });
  const refusal = (field: string, said: RegExp) => (error: unknown) => {
    assert.ok(InfraError.isInfraError(error), `expected an InfraError, got ${String(error)}`);
    assert.equal(error.constructPath, 'buildPlatformApp');
    assert.equal(error.field, field);
    assert.match(error.message, said);
    assert.match(error.message, /a definition made by hand needs every section loadPlatform returns/);
    return true;
  };

  test('a missing clusters, teams, services, capacity, network or manifests is named (an InfraError, not a TypeError from deep in a stack)', () => {
    // GIVEN the example platform without one section; WHEN the app is built THEN the section is named
    for (const section of ['clusters', 'teams', 'services', 'capacity', 'network', 'manifests']) {
      assert.throws(build({ ...platform, [section]: undefined }), refusal(`platform.${section}`, new RegExp(`^buildPlatformApp: platform\\.${section} is missing: `)));
    }
  });

  test('a list section that is not a list, or a map section that is not a map, is named with what it holds', () => {
    assert.throws(build({ ...platform, teams: { platform: {} } }), refusal('platform.teams', /platform\.teams must be a list, found a mapping: .*; give its teams as a list \(\[\] for none\)$/));
    assert.throws(build({ ...platform, capacity: [] }), refusal('platform.capacity', /must be a mapping, found a list/));
    assert.throws(build({ ...platform, network: null }), refusal('platform.network', /must be a mapping, found null/));
  });

  test('empty lists are sections too: a platform with no clusters, teams or services builds its shared stack alone', () => {
    const { clusters, shared } = buildPlatformApp({ ...platform, clusters: [], teams: [], services: [] }, { nag: false, cloudFormationValidation: false });
    assert.equal(clusters.length, 0);
    assert.equal(shared.stackName, 'labs-shared');
  });
});
