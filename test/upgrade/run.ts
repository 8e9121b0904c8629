// Running `kaji upgrade` against a fixture and its fake servers, for the
// runbook tests outside runbook.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kaji, type CliResult } from '../support/cli.js';
import type { FakeServer, Fixture } from './fixture.js';

/** `kaji upgrade <command>`; next, rollback and finish get the fake cdk, quick polls, a 3 s timeout and the servers given. */
export async function runUpgrade(fixture: Fixture, args: readonly string[], servers: { argocd?: FakeServer; route53?: FakeServer } = {}): Promise<CliResult> {
  const [command, ...rest] = args;
  const argv = ['upgrade', command!, '--platform', fixture.platformDir];
  if (['next', 'rollback', 'finish'].includes(command!)) {
    argv.push('--cdk', fixture.cdk, '--interval', '25ms', '--timeout', '3s');
    if (servers.argocd) argv.push('--argocd-server', servers.argocd.url);
    if (servers.route53) argv.push('--route53-endpoint', servers.route53.url);
  }
  argv.push(...rest); // last, so that a test's own --timeout wins
  return kaji(argv);
}

/** The upgrade's state file. */
export function upgradeState(fixture: Fixture): { done: Record<string, string>; weights: Record<string, number>; inProgress?: { step: string }; destroyedAt?: string } {
  return JSON.parse(readFileSync(join(fixture.platformDir, 'kaji-upgrade.json'), 'utf8'));
}

/** A colleague's commit on the remote's main: `edit` runs in a fresh clone (its folder given), then all is committed and pushed. */
export function colleagueCommit(fixture: Fixture, message: string, edit: (clone: string) => void): void {
  const clone = mkdtempSync(join(fixture.root, 'colleague-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=c', '-c', 'user.email=c@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: clone, stdio: 'pipe' });
  git('clone', '--quiet', fixture.remote, '.');
  edit(clone);
  git('add', '--all');
  git('commit', '--quiet', '-m', message);
  git('push', '--quiet', 'origin', 'HEAD:main');
}
