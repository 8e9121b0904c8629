// One run at a time changes an upgrade: `kaji-upgrade.lock` beside the state
// file, created exclusively (O_EXCL) and holding the run's pid and host, is
// held while a command pushes, deploys or records. A lock whose run is gone
// for certain (this host, no such process) is taken over; any other is
// reported with what to do.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { atExit, displayPath } from '../kube/index.js';
import { UpgradeError } from './errors.js';

export const LOCK_FILE = 'kaji-upgrade.lock';

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/** Runs `action` holding the upgrade's lock in `directory`; refuses when another run holds it. */
export async function withUpgradeLock<T>(directory: string, action: () => Promise<T>): Promise<T> {
  const file = join(directory, LOCK_FILE);
  take(file);
  const forget = atExit('remove folders', () => release(file));
  try {
    return await action();
  } finally {
    forget();
    release(file);
  }
}

function take(file: string): void {
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder && holderGone(holder)) {
      unlinkSync(file);
      continue;
    }
    const who = holder ? `kaji (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'another kaji';
    throw new UpgradeError(
      `${who} is running an upgrade command here (${displayPath(file)}): wait for it, or stop it (Ctrl-C) first; delete the file only if no such run is alive`,
    );
  }
  throw new UpgradeError(`${displayPath(file)} keeps coming back: another kaji is starting here; try again`);
}

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder> | null;
    return typeof holder?.pid === 'number' && typeof holder.host === 'string' ? { pid: holder.pid, host: holder.host, since: String(holder.since) } : undefined;
  } catch {
    return undefined; // being written this instant, or not ours: not taken over
  }
}

/** Gone for certain: a process of this host that no longer exists. */
function holderGone(holder: Holder): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function release(file: string): void {
  try {
    if (readHolder(file)?.pid === process.pid) unlinkSync(file);
  } catch {
    // already gone
  }
}
