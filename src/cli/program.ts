// kaji's command line: parses flags, calls one capability, prints. No logic of its own.
import { lstatSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../policy/index.js';
import { PlatformErrors } from '../platform/index.js';
import { registerCheck } from './check.js';
import { registerFix } from './fix.js';
import { registerSynth } from './synth.js';
import { registerBump } from './bump.js';
import { registerInit } from './init.js';
import { registerWebhook } from './webhook.js';
import { registerCapacity } from './capacity.js';
import { registerRightsize } from './rightsize.js';
import { registerUpgrade } from './upgrade.js';
import { registerDashboard } from './dashboard.js';
import { kajiVersion } from '../platform/definition/schema.js';
import { displayPath, KubectlNotFoundError } from '../kube/index.js';
import { describeFileError, UsageError, type Io } from './common.js';

/** What a command decided; the exit code is returned rather than set on the process, so tests can run commands in-process. */
export interface Outcome {
  exitCode: number;
}

export function buildProgram(io: Io, outcome: Outcome = { exitCode: 0 }): Command {
  const program = new Command('kaji')
    .description('Run a multi-tenant Amazon EKS platform the GitOps way.')
    .version(kajiVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      "\nExit codes: each command's --help lists its own; for every command 2 is a usage error (bad flags or arguments, " +
        'an invalid file, a file or folder that cannot be read or written) and 70 an internal error (a bug in kaji: please report it); ' +
        'interrupted (Ctrl-C or SIGTERM), 130 or 143, with no temporary file left behind (kaji webhook and kaji dashboard --serve shut down gracefully instead).\n',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text) => io.err(text) });
  // In the order a platform team meets them.
  registerInit(program, io, outcome);
  registerSynth(program, io, outcome);
  registerBump(program, io, outcome);
  registerUpgrade(program, io, outcome);
  registerWebhook(program, io, outcome);
  registerCapacity(program, io, outcome);
  registerRightsize(program, io, outcome);
  registerDashboard(program, io, outcome);
  registerCheck(program, io, outcome);
  registerFix(program, io, outcome);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text) => io.err(text) });
  }
  wrapHelpWithHangingIndents(program);
  return program;
}

/**
 * commander wraps a command's description line by line from column 0, so the
 * second line of an indented list item ("  --mode pr    force-push the…")
 * lost its place under the item's text. Every command's help wraps such lines
 * under the item's text instead.
 */
function wrapHelpWithHangingIndents(command: Command): void {
  command.configureHelp({ boxWrap: (text, width) => text.split('\n').map((line) => wrapLine(line, width)).join('\n') });
  for (const subcommand of command.commands) wrapHelpWithHangingIndents(subcommand);
}

function wrapLine(line: string, width: number): string {
  const [first, ...words] = line.match(/\s*\S+/g) ?? [''];
  // An indented item ("  TERM  text") continues under its text; other lines under their own indent.
  const indent = ' '.repeat((/^(\s+\S+(?: \S+)*? {2,})\S/.exec(line)?.[1] ?? /^\s*/.exec(line)![0]).length);
  const lines = [first!];
  for (const word of words) {
    const last = lines.length - 1;
    if (lines[last]!.length + word.length <= width) lines[last] += word;
    else lines.push(indent + word.trimStart());
  }
  return lines.join('\n');
}

/** Runs kaji with the given arguments and resolves to the process exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const outcome: Outcome = { exitCode: 0 };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: Io): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof PlatformErrors) {
    const folder = folderWithoutPlatform(error);
    if (folder !== undefined) {
      const shown = displayPath(resolve(io.cwd, folder), io.cwd);
      const given = statSync(resolve(io.cwd, folder), { throwIfNoEntry: false })?.isFile() ? `${shown} is a file: give the platform's folder, the one holding platform.yaml` : `no platform.yaml in ${shown}: run kaji in the platform's folder or give its folder`;
      io.err(`kaji: ${given} (DIR / --platform)\n`);
    } else {
      io.err(`kaji: invalid platform definition:\n${error.describe()}\n`);
    }
    return 2;
  }
  if (error instanceof ConfigError) {
    io.err(`kaji: invalid configuration: ${error.describe()}\n`);
    return 2;
  }
  if (error instanceof UsageError || error instanceof KubectlNotFoundError) {
    io.err(`kaji: ${error.message}\n`);
    return 2;
  }
  const fileProblem = describeFileError(error, io.cwd);
  if (fileProblem) {
    io.err(`kaji: ${fileProblem}\n`);
    return 2;
  }
  io.err(`kaji: unexpected error (please report it): ${(error as Error).stack ?? String(error)}\n`);
  return 70;
}

/** The folder a command looked for platform.yaml in, when it is not there (kaji run from the wrong folder). */
function folderWithoutPlatform(error: PlatformErrors): string | undefined {
  const [only, ...more] = error.errors;
  if (!only || more.length > 0 || only.line !== undefined || only.path !== '') return undefined;
  // lstat: a link to nothing, or a loop, is a platform.yaml that cannot be read, not none.
  return basename(only.file) === 'platform.yaml' && !entryExists(only.file) ? dirname(only.file) : undefined;
}

function entryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
