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
import { hasKubectl } from '../support/files.js';
import { createFixture } from './fixture.js';

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
      // A step that fails: the way to see where the upgrade stands carries the address too.
      const failed = await run(['next', '--cdk', 'false'], 1);
      assert.ok(failed.includes(`fix it and run the same command again (${command('status')} shows where it stands)`), failed);

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
});
