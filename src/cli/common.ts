import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { didYouMean, displayPath, fileErrorReason, fileLine, readStandardInput, type InputProblem } from '../kube/index.js';
import { isGitBranchName } from '../platform/definition/patterns.js';
import { BUILTIN_CHECKS, loadPolicyConfig, type PolicyConfig } from '../policy/index.js';
import { printable, REMOVED_API_CHECK } from '../report/index.js';

/** A command line that cannot be run as given; printed as one line, exit code 2. */
export class UsageError extends Error {}

/** What kaji was doing when a file-system call failed, by the call's name. */
const FILE_OPERATIONS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  scandir: 'list the folder',
  opendir: 'list the folder',
  rename: 'move into place',
  unlink: 'delete',
  rmdir: 'delete the folder',
  rm: 'delete',
  stat: 'look at',
  lstat: 'look at',
  chmod: 'set the mode of',
  copyfile: 'copy',
};

/**
 * A file or folder kaji could not read or write (an unreadable folder, an
 * output folder without write permission) as one line naming the path, what
 * kaji was doing and what to do; undefined for any other error.
 */
export function describeFileError(error: unknown, cwd: string): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  const operation = syscall === undefined ? undefined : FILE_OPERATIONS[syscall];
  if (operation === undefined || code === undefined || path === undefined) return undefined;
  return `cannot ${operation} ${displayPath(path, cwd)}: ${fileErrorReason(error)}`;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * A CA bundle given with `flag`: the file's text, once it holds at least one
 * PEM certificate that parses. Anything else (a wrong file, a key, an empty
 * one) would only show later as a TLS failure that seems to say the flag is
 * missing. Unreadable or without a certificate: a UsageError naming the file.
 */
export async function readCaBundle(flag: string, file: string, cwd: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`${flag}: ${describeFileError(error, cwd) ?? (error as Error).message}`);
  }
  const parses = (pem: string) => {
    try {
      new X509Certificate(pem);
      return true;
    } catch {
      return false;
    }
  };
  if (!(text.match(PEM_CERTIFICATE) ?? []).some(parses)) {
    throw new UsageError(`${flag} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate, or bundle, that signed the server's certificate`);
  }
  return text;
}

/** Commander parser for an option that takes one of a fixed set of words. */
export function oneOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`use one of: ${allowed.join(', ')}.`);
    }
    return value as T;
  };
}

/** Commander parser for a git branch name (--base): one git would refuse is a usage error, not a failed git. */
export function branchName(value: string): string {
  if (!isGitBranchName(value)) throw new InvalidArgumentError('it is not a branch name git accepts (no spaces, "..", "~^:?*[\\", leading "-" or ".", or trailing "/", "." or ".lock").');
  return value;
}

/** Commander parser for a whole number within a range. */
export function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`use a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

/**
 * Commander parser for a comma-separated list, accumulating across repeats. An
 * empty value (`--cluster "$CLUSTER"` with CLUSTER unset) is refused: taken as
 * no flag, it would mean every cluster, or every check.
 */
export function commaList(value: string, previous: string[] = []): string[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('it is empty; give at least one name, or leave the flag out.');
  return [...previous, ...items];
}

/** Whether to colour output written to this stream (NO_COLOR and FORCE_COLOR respected). */
export function wantsColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Where a command reads and writes: the process, or a test's buffers. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
  readonly colorOut: boolean;
  readonly cwd: string;
}

export function processIo(): Io {
  return {
    out: writerTo(process.stdout),
    err: writerTo(process.stderr),
    readStdin: readStandardInput,
    colorOut: wantsColor(process.stdout),
    cwd: process.cwd(),
  };
}

/**
 * Writes to a standard stream until its reader goes away. A reader that stops
 * early (`kaji fix . | head -1`) closes the pipe: the rest of the output is
 * dropped, but the command runs to its end and exits with its own code, since
 * stopping there would leave some files fixed and others not, and exit 0
 * would hide a danger from `set -o pipefail`.
 */
function writerTo(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    open = false;
  });
  return (text) => {
    if (open) stream.write(text);
  };
}

/** Prints input problems as one line each, `file:line: problem` (a file name's control characters shown, as in the report). */
export function reportProblems(problems: readonly InputProblem[], io: Io): void {
  for (const problem of problems) {
    const where = fileLine(printable(displayPath(problem.file, io.cwd)), problem.line);
    io.err(`kaji: ${where}: ${printable(problem.message)}\n`);
  }
}

/**
 * The policy configuration that --config, --merge-config and --checks ask for,
 * the flags checked before anything is read.
 */
export async function loadConfigForFlags(flags: { config?: string; mergeConfig?: boolean; checks?: string[] }): Promise<PolicyConfig> {
  if (flags.mergeConfig && !flags.config) throw new UsageError('--merge-config needs --config FILE');
  const config = await loadPolicyConfig({ file: flags.config, merge: flags.mergeConfig });
  const unknown = (flags.checks ?? []).filter((id) => !Object.hasOwn(config.checks, id));
  if (unknown.length) throw new UsageError(`--checks: ${describeUnknownChecks(unknown, Object.keys(config.checks))}`);
  return config;
}

/**
 * Why --checks names no check of the configuration, each with the closest
 * check's name, and every check it has: what a typo needs to be put right. The
 * closest is looked for in the configuration first, then among kaji's checks it
 * leaves out and removedApiVersion, each named with what it needs to run.
 */
function describeUnknownChecks(unknown: readonly string[], configured: readonly string[]): string {
  const leftOut = [...BUILTIN_CHECKS.keys()].filter((id) => !configured.includes(id));
  const notConfigured = 'not in the configuration: list it under checks: (warning or danger) to run it';
  const needsVersion = `runs only in kaji check with --kubernetes-version 1.N`;
  const reasons = unknown.map((id) => {
    if (BUILTIN_CHECKS.has(id)) return `"${id}" is ${notConfigured}`;
    if (id === REMOVED_API_CHECK) return `"${id}" ${needsVersion}`; // kaji check takes it out before; kaji fix has no use for it
    const configuredMatch = didYouMean(id, configured);
    if (configuredMatch) return `unknown check "${id}"${configuredMatch}`;
    // ` (did you mean "x"?)` with what x needs said inside the brackets.
    const withNeed = (match: string, need: string) => `unknown check "${id}"${match.slice(0, -1)}, which ${need})`;
    const leftOutMatch = didYouMean(id, leftOut);
    if (leftOutMatch) return withNeed(leftOutMatch, `is ${notConfigured}`);
    const removedMatch = didYouMean(id, [REMOVED_API_CHECK]);
    return removedMatch ? withNeed(removedMatch, needsVersion) : `unknown check "${id}"`;
  });
  return `${reasons.join('; ')}; the configuration's checks: ${[...configured].sort((a, b) => a.localeCompare(b)).join(', ')}`;
}
