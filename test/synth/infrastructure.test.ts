import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlatform } from '../../src/platform/index.js';
import { synthesizeInfrastructure } from '../../src/synth/infrastructure.js';
import { platformYaml } from '../support/platform.js';
import { setEnv } from '../support/env.js';

/** A platform of `count` services, each with its ECR repository and CI role in the shared stack. */
function platformOf(count: number) {
  const parsed = parsePlatform(platformYaml(Array.from({ length: count }, (_, index) => ({ name: `svc-${index}` }))), 'platform.yaml');
  return { ...parsed, services: parsed.services.map((service) => ({ ...service, sourceRepository: `example-shop/${service.name}` })) };
}

describe('synthesizeInfrastructure', () => {
  // os.tmpdir() at a private folder for the whole file (aws-cdk-lib keeps a staging folder
  // there for the process), so that what synthesis leaves in it can be listed.
  let tmp = '';
  let restoreEnv: () => void;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kaji-infra-test-'));
    restoreEnv = setEnv({ TMPDIR: tmp });
  });
  after(() => {
    restoreEnv();
    rmSync(tmp, { recursive: true, force: true });
  });
  const assemblies = () => readdirSync(tmp).filter((name) => name.startsWith('kaji-cdk-'));

  test('lists the stacks, at 205 services too; a check-only synthesis leaves no assembly behind', async () => {
    // README: with 62 fixed resources (no interface endpoints here) and two per service, the shared stack holds about 215 services.
    const result = await synthesizeInfrastructure(platformOf(205), undefined);
    assert.deepEqual(result.stacks, ['shop-shared', 'shop-blue', 'shop-green']);
    assert.equal(result.problem, undefined);
    assert.equal(result.outdir, undefined);
    assert.deepEqual(assemblies(), []);
  });

  test('past 500 resources in the shared stack: a problem naming the limit and the count per type, no stack trace, nothing left behind', async () => {
    const result = await synthesizeInfrastructure(platformOf(220), undefined);
    assert.deepEqual(result.stacks, []);
    assert.match(result.problem!, /^the CDK app does not synthesise: .*500/);
    assert.match(result.problem!, /AWS::ECR::Repository \(220\)/);
    assert.doesNotMatch(result.problem!, /\n\s+at /);
    assert.deepEqual(assemblies(), []);
  });

  test('writes the assembly where it is told to', async () => {
    const outdir = join(tmp, 'cdk.out');
    const result = await synthesizeInfrastructure(platformOf(1), outdir);
    assert.equal(result.problem, undefined);
    assert.equal(result.outdir, outdir);
    assert.ok(existsSync(join(outdir, 'shop-shared.template.json')));
  });
});
