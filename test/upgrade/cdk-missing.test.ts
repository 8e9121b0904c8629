// kaji upgrade next when the AWS CDK CLI is not there: the deploy step cannot
// run as asked (like a missing cdk.json), so it is a usage error (exit 2)
// saying what to install or pass, not a failed step (exit 1), and nothing is
// recorded: once the CLI is there, the same command deploys. So is a CDK app
// folder without cdk.json.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { createFixture, setUpgradeEnv, startArgoCd, startRoute53, type Fixture } from './fixture.js';

/** An upgrade started on a fresh fixture (Argo CD and Route 53 with nothing in them); `run` gets it and the flags next needs. */
async function withStartedUpgrade(run: (fixture: Fixture, common: string[]) => Promise<void>): Promise<void> {
  const restoreEnv = setUpgradeEnv();
  const fixture = await createFixture();
  const argocd = await startArgoCd(() => []);
  const route53 = await startRoute53(() => []);
  try {
    const start = await kaji(['upgrade', 'start', '--platform', fixture.platformDir]);
    assert.equal(start.code, 0, start.stderr);
    await run(fixture, ['--platform', fixture.platformDir, '--argocd-server', argocd.url, '--route53-endpoint', route53.url, '--interval', '5ms', '--timeout', '3s']);
  } finally {
    await argocd.close();
    await route53.close();
    fixture.cleanup();
    restoreEnv();
  }
}

describe('kaji upgrade next without the CDK CLI', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test('exit 2 naming the program, what to install and --cdk; nothing recorded, and the step runs once it is there', () =>
    withStartedUpgrade(async (fixture, common) => {
      const missing = join(fixture.root, 'no-such-bin', 'cdk');
      const next = await kaji(['upgrade', 'next', ...common, '--cdk', missing]);
      assert.equal(next.code, 2, next.stderr);
      assert.ok(next.stderr.includes(`kaji: cannot run ${missing}: no such program; install the AWS CDK CLI (npm install -g aws-cdk) or pass --cdk PATH\n`), next.stderr);
      const state = JSON.parse(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8')) as { done: Record<string, string>; inProgress?: unknown };
      assert.equal(state.done.deploy, undefined);
      assert.equal(state.inProgress, undefined, 'the deploy did not start: it is not recorded as started either');

      const deployed = await kaji(['upgrade', 'next', ...common, '--cdk', fixture.cdk]);
      assert.equal(deployed.code, 0, deployed.stderr);
      assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green']);
    }));
});

describe('kaji upgrade next in a CDK app folder without cdk.json', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test('exit 2 naming the folder and --cdk-app; cdk is not run, nothing recorded, and the step runs once cdk.json is back', () =>
    withStartedUpgrade(async (fixture, flags) => {
      const common = [...flags, '--cdk', fixture.cdk];
      const stateFile = join(fixture.platformDir, 'kaji-upgrade.json');
      const { updatedAt: _, ...before } = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
      const infra = join(fixture.platformDir, 'infra');
      const cdkJson = readFileSync(join(infra, 'cdk.json'), 'utf8');
      rmSync(join(infra, 'cdk.json'));

      const next = await kaji(['upgrade', 'next', ...common]);
      assert.equal(next.code, 2, next.stderr);
      assert.ok(next.stderr.endsWith(`kaji: ${infra} has no cdk.json: it is not the platform's CDK app (kaji init scaffolds it as infra/ beside platform.yaml); pass --cdk-app DIR\n`), next.stderr);
      // --cdk-app naming a folder without one: the same, naming that folder.
      const elsewhere = await kaji(['upgrade', 'next', ...common, '--cdk-app', fixture.root]);
      assert.equal(elsewhere.code, 2, elsewhere.stderr);
      assert.ok(elsewhere.stderr.endsWith(`kaji: ${fixture.root} has no cdk.json: it is not the platform's CDK app (kaji init scaffolds it as infra/ beside platform.yaml); pass --cdk-app DIR\n`), elsewhere.stderr);
      assert.deepEqual(fixture.cdkRuns(), [], 'cdk was not run');
      const { updatedAt: __, ...after } = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(after, before, 'neither done nor in progress: the deploy is still the next step');

      writeFileSync(join(infra, 'cdk.json'), cdkJson);
      const deployed = await kaji(['upgrade', 'next', ...common]);
      assert.equal(deployed.code, 0, deployed.stderr);
      assert.deepEqual(fixture.cdkRuns(), ['deploy shop-green']);
    }));
});
