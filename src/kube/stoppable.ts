// Runs the programs kaji starts (kubectl kustomize, git) so that an
// interrupted kaji stops them with what they run in turn (git, helm,
// index-pack, a remote helper): each runs in a process group of its own,
// registered with the exit registry's 'stop processes' step while it runs.
// An interrupted kaji exits at once: a child left behind would go on writing
// into folders kaji removes at exit, or fetching and pushing for nobody.
import { spawn, type ChildProcess } from 'node:child_process';
import { atExit } from './exit.js';

export interface StoppableRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The program could not be started, or its output passed the limit (it was stopped then). */
export class StoppableRunError extends Error {
  override readonly name = 'StoppableRunError';
  constructor(
    message: string,
    /** The spawn error's code (ENOENT: no such program); undefined when the output was too large. */
    readonly errorCode: string | undefined,
    /** What it wrote to standard output before it failed. */
    readonly stdout: string,
  ) {
    super(message);
  }
}

export interface StoppableOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to its standard input, which is closed then; without it, it reads nothing. */
  readonly input?: string;
  /** Its standard output and error together may be this large; past it, it is stopped. */
  readonly maxOutputBytes: number;
}

/** Runs `command` to its end in a process group of its own; resolves with how it ended, whatever its exit code. */
export function runStoppable(command: string, args: readonly string[], options: StoppableOptions): Promise<StoppableRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true });
    const forget = atExit('stop processes', () => stopGroup(child));
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let failure: { message: string; errorCode?: string } | undefined;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= options.maxOutputBytes) return void into.push(chunk);
      failure ??= { message: `its output is over ${options.maxOutputBytes / 1024 / 1024} MiB` };
      stopGroup(child);
    };
    child.stdout!.on('data', collect(stdout)); // piped, as stdio says
    child.stderr!.on('data', collect(stderr));
    child.on('error', (error: NodeJS.ErrnoException) => void (failure ??= { message: error.message, errorCode: error.code })); // 'close' follows
    child.on('close', (code, signal) => {
      forget();
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
      if (failure) return reject(new StoppableRunError(failure.message, failure.errorCode, text(stdout)));
      resolve({ code, signal, stdout: text(stdout), stderr: text(stderr) });
    });
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // it may exit before reading its input (EPIPE)
      child.stdin!.end(options.input);
    }
  });
}

function stopGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
