// The commands kaji upgrade suggests next carry the flags that name the same
// upgrade, so that one copied as is works from the folder it was printed in.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPlan, upgradeCommand } from '../../src/upgrade/format.js';
import type { UpgradePlan } from '../../src/upgrade/plan.js';
import { kaji } from '../support/cli.js';
import { setEnv } from '../support/env.js';
import { hasKubectl } from '../support/files.js';
import { ARGOCD_TOKEN, createFixture } from './fixture.js';
import { selfSignedLoopbackCertificate } from '../../src/webhook/index.js';

/** How a POSIX shell splits a command line into words. */
function shellWords(command: string): string[] {
  return execFileSync('sh', ['-c', `printf '%s\\n' ${command}`], { encoding: 'utf8' }).split('\n').slice(0, -1);
}

/** The command a line suggests ("ready: kaji upgrade start …", "next: kaji upgrade next (after …)"), as argv for kaji. */
function suggested(output: string, label: string): string[] {
  const line = output.split('\n').find((text) => text.startsWith(`${label}: kaji `));
  assert.ok(line, `a "${label}:" line in\n${output}`);
  const words = shellWords(line.slice(`${label}: `.length).replace(/ \(.*\)$/, ''));
  assert.equal(words[0], 'kaji');
  return words.slice(1);
}

const plan: UpgradePlan = {
  platform: 'labs',
  from: { name: 'blue', kubernetesVersion: '1.33', weight: 255 },
  to: { name: 'green', kubernetesVersion: '1.34', weight: 0 },
  skippedVersions: [],
  services: [],
  blockers: [],
  notes: [],
  ready: true,
};

describe('kaji upgrade: the commands it suggests', () => {
  test('the plan suggests start with the --platform it was given; none for the current folder', () => {
    assert.match(formatPlan(plan, { platform: 'examples/labs' }), /\nready: kaji upgrade start --platform examples\/labs --from blue --to green\n$/);
    assert.match(formatPlan(plan, { platform: '.' }), /\nready: kaji upgrade start --from blue --to green\n$/);
    assert.match(formatPlan(plan), /\nready: kaji upgrade start --from blue --to green\n$/);
  });

  test('--kubectl and --cdk-app go along; a path the shell would split or expand is quoted so it arrives whole', () => {
    const address = { platform: "team's platforms/acme $HOME", kubectl: '/opt/k 1.34/kubectl', cdkApp: 'infra*' };
    const command = upgradeCommand('next', address);
    assert.deepEqual(shellWords(command), ['kaji', 'upgrade', 'next', '--platform', address.platform, '--kubectl', address.kubectl, '--cdk-app', address.cdkApp]);
    assert.equal(upgradeCommand('finish', { platform: 'examples/labs' }), 'kaji upgrade finish --platform examples/labs');
  });

  test('every flag of next given goes to the commands that take it (durations as --timeout takes them); plan and start take the address only', () => {
    const given = {
      platform: 'examples/labs',
      cdk: 'node_modules/.bin/cdk',
      argocdServer: 'https://argocd.green.labs.example.com',
      caFile: 'green ca.pem',
      hostedZoneId: 'Z0SHOPZONE1234',
      manifests: 'https://github.com/acme/manifests.git',
      base: 'release',
      attempts: 3,
      timeout: 90 * 60_000,
      interval: 1500,
      degradedGrace: 0,
    };
    const run = [
      '--platform examples/labs --cdk node_modules/.bin/cdk --argocd-server https://argocd.green.labs.example.com',
      "--ca-file 'green ca.pem' --hosted-zone-id Z0SHOPZONE1234 --manifests https://github.com/acme/manifests.git --base release",
      '--attempts 3 --timeout 90m --interval 1500ms --degraded-grace 0s',
    ].join(' ');
    for (const command of ['next', 'rollback', 'finish', 'status']) assert.equal(upgradeCommand(command, given), `kaji upgrade ${command} ${run}`);
    for (const command of ['plan', 'start']) assert.equal(upgradeCommand(command, { ...given, cdkApp: 'infra' }), `kaji upgrade ${command} --platform examples/labs --cdk-app infra`);
    assert.equal(upgradeCommand('next', { timeout: 2 * 3_600_000, interval: 45_000 }), 'kaji upgrade next --timeout 2h --interval 45s');
  });

  test('plan, start and status, from another folder: each suggestion copied as is addresses the same upgrade', { skip: !hasKubectl }, async () => {
    const fixture = await createFixture();
    try {
      const kubectl = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
      const planned = await kaji(['upgrade', 'plan', '--platform', fixture.platformDir, '--kubectl', kubectl]);
      assert.equal(planned.code, 0, planned.stderr);
      const start = suggested(planned.stdout, 'ready');
      assert.deepEqual(start, ['upgrade', 'start', '--platform', fixture.platformDir, '--kubectl', kubectl, '--from', 'blue', '--to', 'green']);
      const started = await kaji(start);
      assert.equal(started.code, 0, started.stderr);
      assert.deepEqual(suggested(started.stdout, 'next'), ['upgrade', 'next', '--platform', fixture.platformDir, '--kubectl', kubectl]);
      const status = await kaji(['upgrade', 'status', '--platform', fixture.platformDir]);
      assert.deepEqual(suggested(status.stdout, 'next'), ['upgrade', 'next', '--platform', fixture.platformDir]);
      // A rollback that was started and not verified: both lines that name the command to run carry the address.
      const stateFile = join(fixture.platformDir, 'kaji-upgrade.json');
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(stateFile, JSON.stringify({ ...state, inProgress: { step: 'rollback', since: '2026-01-01T00:00:00.000Z' } }));
      const interrupted = await kaji(['upgrade', 'status', '--platform', fixture.platformDir]);
      assert.equal(interrupted.code, 0, interrupted.stderr);
      assert.ok(interrupted.stdout.includes(`run kaji upgrade rollback --platform ${fixture.platformDir} to complete it\n`), interrupted.stdout);
      assert.deepEqual(suggested(interrupted.stdout, 'next'), ['upgrade', 'rollback', '--platform', fixture.platformDir]);
    } finally {
      fixture.cleanup();
    }
  });

  test("after start, every command the runbook's messages suggest carries --platform, --kubectl and --cdk-app as given", { skip: !hasKubectl }, async () => {
    const fixture = await createFixture();
    try {
      const kubectl = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
      const address = ['--platform', fixture.platformDir, '--kubectl', kubectl, '--cdk-app', join(fixture.platformDir, 'infra')];
      /** `kaji upgrade COMMAND` with the address, as the output must spell it (the fixture's paths need no quoting). */
      const command = (name: string) => `kaji upgrade ${name} ${address.join(' ')}`;
      const run = async (args: string[], code: number) => {
        const result = await kaji(['upgrade', ...args, ...address]);
        assert.equal(result.code, code, `${result.stdout}${result.stderr}`);
        return `${result.stdout}${result.stderr}`;
      };
      const started = await run(['start'], 0);
      const stateFile = join(fixture.platformDir, 'kaji-upgrade.json');
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { done: Record<string, string> };
      assert.deepEqual(suggested(started, 'next'), ['upgrade', 'next', ...address]);
      // status passes on the --cdk-app it was given, as next needs it.
      assert.deepEqual(suggested(await run(['status'], 0), 'next'), ['upgrade', 'next', ...address]);
      const again = await run(['start'], 2);
      assert.ok(again.includes(`: see ${command('status')} (delete the file to start over)`), again);
      // The suggestion copied as is works.
      assert.equal((await kaji(shellWords(command('status')).slice(1))).code, 0);
      const early = await run(['finish'], 2);
      assert.ok(early.includes(`not yet: the next step is deploy (${command('next')}); finish comes after`), early);
      // A step that fails: the way to see where the upgrade stands carries the address too (and the --cdk next was given).
      const failed = await run(['next', '--cdk', 'false'], 1);
      const status = `kaji upgrade status --platform ${fixture.platformDir} --kubectl ${kubectl} --cdk false --cdk-app ${join(fixture.platformDir, 'infra')}`;
      assert.ok(failed.includes(`fix it and run the same command again (${status} shows where it stands)`), failed);

      // The state as start wrote it, with the steps a test needs done or started.
      const at = '2026-01-01T00:00:00.000Z';
      const rewrite = (changes: Record<string, unknown>) => writeFileSync(stateFile, JSON.stringify({ ...state, ...changes }));
      rewrite({ inProgress: { step: 'rollback', since: at } });
      const unverified = await run(['next'], 2);
      assert.ok(unverified.includes(`a rollback was started at ${at} and not verified: run ${command('rollback')} to complete it first`), unverified);
      rewrite({ done: { ...state.done, deploy: at, sync: at, 'weight-1': at, 'weight-2': at, 'weight-3': at }, inProgress: { step: 'finish', since: at } });
      const finishing = await run(['rollback'], 2);
      assert.ok(finishing.includes(`removal may be released already): run ${command('finish')} to complete it`), finishing);
      rewrite({ done: { ...state.done, deploy: at, sync: at, 'weight-1': at, 'weight-2': at, 'weight-3': at } });
      const allWeight = await run(['next'], 0);
      assert.ok(allWeight.includes(`every weight step is done: green has all the traffic; run ${command('finish')} to remove blue`), allWeight);

      rmSync(stateFile);
      const none = await run(['status'], 2);
      assert.ok(none.includes(`(no kaji-upgrade.json): start one with ${command('start')}\n`), none);
    } finally {
      fixture.cleanup();
    }
  });

  test('a failed step suggests status with every flag of next given, and status then suggests next with them; not the token, not $ARGOCD_SERVER, not a default', { skip: !hasKubectl }, async () => {
    const fixture = await createFixture();
    const restoreEnv = setEnv({ ARGOCD_AUTH_TOKEN: ARGOCD_TOKEN, ARGOCD_SERVER: 'argocd.blue.example.com' });
    try {
      assert.equal((await kaji(['upgrade', 'start', '--platform', fixture.platformDir])).code, 0);
      const ca = join(fixture.root, 'green ca.pem');
      // Not Argo CD's CA: --ca-file is read (it must hold a certificate), and used only over https.
      writeFileSync(ca, (await selfSignedLoopbackCertificate('some-ca')).cert);
      const flags = ['--cdk', 'false', '--argocd-server', 'https://argocd.green.example.com', '--ca-file', ca, '--hosted-zone-id', 'Z0SHOPZONE1234', '--manifests', fixture.remote, '--base', 'main', '--attempts', '3', '--timeout', '90s'];
      const failed = await kaji(['upgrade', 'next', '--platform', fixture.platformDir, ...flags, '--interval', '15s']);
      assert.equal(failed.code, 1, failed.stderr);
      const line = failed.stderr.split('\n').find((text) => text.startsWith('kaji: nothing was recorded as done'));
      const status = shellWords(/\((kaji upgrade status .*) shows where it stands\)$/.exec(line ?? '')?.[1] ?? '').slice(1);
      // --interval 15s given as the default is given all the same.
      assert.deepEqual(status, ['upgrade', 'status', '--platform', fixture.platformDir, ...flags, '--interval', '15s'], failed.stderr);
      const shown = await kaji(status);
      assert.equal(shown.code, 0, shown.stderr);
      assert.deepEqual(suggested(shown.stdout, 'next'), ['upgrade', 'next', '--platform', fixture.platformDir, ...flags, '--interval', '15s']);
      for (const output of [failed.stderr, shown.stdout]) assert.ok(!output.includes(ARGOCD_TOKEN) && !output.includes('argocd.blue'), output);
    } finally {
      restoreEnv();
      fixture.cleanup();
    }
  });
});
