// Waiting with progress: polling a check until it holds or a timeout passes,
// and sleeping out a soak time. Both print what they wait for (once per change,
// and at least once a minute), and both can be interrupted at any moment: the
// state file says only what was verified, so nothing is half-done.
import { setTimeout as sleep } from 'node:timers/promises';
import { printable } from '../report/index.js';
import { StepFailedError } from './errors.js';

export interface Probe {
  readonly done: boolean;
  /** One line: where it stands ("28/31 Applications Synced and Healthy"). */
  readonly summary: string;
  /** What is not there yet, one line each, named in the timeout's message. */
  readonly waiting: readonly string[];
}

export interface WaitOptions {
  /** What is waited for, for messages: "green's Argo CD to sync every service". */
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly onProgress: (message: string) => void;
  /** The error at the timeout, from the last probe (made printable). @default "timed out after … waiting for …", naming what was still missing */
  readonly onTimeout?: (last: Probe) => Error;
}

/** At least one progress line this often while nothing changes. */
const QUIET_MS = 60_000;

/** Polls `probe` until it is done; past the timeout, fails naming what was still missing. */
export async function waitUntil(probe: () => Promise<Probe>, options: WaitOptions): Promise<Probe> {
  const start = Date.now();
  let shown = '';
  let shownAt = 0;
  for (;;) {
    const probed = await probe();
    if (probed.done) return probed;
    // What Argo CD and Route 53 say reaches the terminal: no control characters in it.
    const result = { ...probed, summary: printable(probed.summary), waiting: probed.waiting.map(printable) };
    const elapsed = Date.now() - start;
    if (elapsed >= options.timeoutMs) {
      if (options.onTimeout) throw options.onTimeout(result);
      const listed = result.waiting.slice(0, 20).map((line) => `\n  ${line}`).join('');
      const more = result.waiting.length > 20 ? `\n  … and ${result.waiting.length - 20} more` : '';
      throw new StepFailedError(`timed out after ${formatDuration(options.timeoutMs)} waiting for ${options.what}: ${result.summary}${listed}${more}`);
    }
    const line = `${result.summary}${result.waiting.length ? `; not yet: ${result.waiting.slice(0, 3).join('; ')}${result.waiting.length > 3 ? '; …' : ''}` : ''}`;
    if (line !== shown || Date.now() - shownAt >= QUIET_MS) {
      options.onProgress(`waiting for ${options.what} (${formatDuration(elapsed)} of ${formatDuration(options.timeoutMs)}): ${line}`);
      shown = line;
      shownAt = Date.now();
    }
    await sleep(Math.min(options.intervalMs, Math.max(0, options.timeoutMs - elapsed)));
  }
}

export interface SoakOptions {
  readonly onProgress: (message: string) => void;
  /** Between two calls of stillCurrent. */
  readonly intervalMs: number;
  /** Called at each poll and once the soak is over: throws to stop it (a rollback was made meanwhile). */
  readonly stillCurrent?: () => Promise<void>;
}

/** Sleeps until `until` (epoch ms), with a progress line at the start and about once a minute. */
export async function soakUntil(until: number, what: string, options: SoakOptions): Promise<void> {
  let shownAt = -Infinity;
  for (let left = until - Date.now(); left > 0; left = until - Date.now()) {
    await options.stillCurrent?.();
    if (Date.now() - shownAt >= QUIET_MS) {
      options.onProgress(`soaking ${what}: ${formatDuration(left)} left (Ctrl-C is safe: the next run waits out the rest)`);
      shownAt = Date.now();
    }
    await sleep(Math.min(left, options.intervalMs));
  }
  await options.stillCurrent?.();
}

/** "1h 5m", "4m 12s", "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].filter(Boolean).join(' ');
}

/** "90s", "10m", "1h", "250ms", or whole seconds ("600"), as milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}
