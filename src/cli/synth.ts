import { Command } from 'commander';
import { printable } from '../report/index.js';
import { formatSynthTable, OutputInTheWayError, runSynth, type SynthProgress } from '../synth/index.js';
import { UsageError, type Io } from './common.js';
import type { Outcome } from './program.js';

interface SynthFlags {
  platform?: string;
  checkOnly?: boolean;
  out: string;
  color?: boolean;
}

/** Exit codes of `kaji synth`. */
export const SYNTH_EXIT = { ok: 0, failed: 1, usage: 2, outOfDate: 3 } as const;

export function registerSynth(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('synth')
    .summary('generate clusters/*/ from platform.yaml, render every service and check it all')
    .description(
      'Validate platform.yaml, create missing overlays for new clusters, regenerate clusters/*/ of the manifest ' +
        'repository (only files whose bytes change; stale generated files are deleted; files it did not write are never ' +
        "touched, and those in a cluster's argocd/, tenants/ or platform/, which Argo CD applies with the platform's rights, are problems), " +
        'render every service for every cluster with kustomize, and check everything rendered with the ' +
        "platform's policy and the tenant boundaries.\n\n" +
        'DIR (or --platform DIR, as the other commands take it) is the folder holding platform.yaml (default: the current folder).',
    )
    .argument('[dir]', 'folder holding platform.yaml (default: the current folder)')
    .option('--platform <dir>', 'the folder holding platform.yaml, as DIR')
    .option('--check-only', 'write nothing; fail if generated files or overlays are out of date (for CI)')
    .option('--out <dir>', 'where rendered manifests, summary.json and cdk.out/ go (relative to the current folder, not DIR)', 'out')
    .option('--no-color', 'no colours')
    .addHelpText(
      'after',
      `\nExit codes: ${SYNTH_EXIT.failed} a danger (policy or tenant boundary), a service that could not be rendered, or a file under clusters/ that synth did not write where Argo CD applies it; ` +
        `${SYNTH_EXIT.outOfDate} with --check-only, generated files or overlays are out of date; ` +
        `${SYNTH_EXIT.usage} bad flags, an invalid platform.yaml or policy, a file or folder that cannot be read or written, or no kubectl to render with; 0 otherwise.\n\n` +
        'Examples:\n  kaji synth examples/labs\n  kaji synth . --check-only\n  kaji synth --platform examples/labs --out /tmp/labs-out\n',
    )
    .action(async (directory: string | undefined, flags: SynthFlags) => {
      if (directory !== undefined && flags.platform !== undefined) {
        throw new UsageError(`DIR (${directory}) and --platform (${flags.platform}) both name the platform's folder: give one or the other`);
      }
      const result = await runSynth({
        directory: directory ?? flags.platform ?? '.',
        checkOnly: flags.checkOnly,
        outDirectory: flags.out,
        onProgress: progressPrinter(io),
      }).catch((error: unknown) => {
        throw error instanceof OutputInTheWayError ? new UsageError(error.message) : error;
      });
      io.out(formatSynthTable(result, { color: flags.color !== false && io.colorOut, checkOnly: flags.checkOnly }));
      for (const note of result.notes) io.err(`kaji synth: note: ${printable(note)}\n`);
      const outOfDate = flags.checkOnly && (result.fileChanges.length > 0 || result.overlays.length > 0);
      if (result.dangers > 0 || result.problems > 0) outcome.exitCode = SYNTH_EXIT.failed;
      else if (outOfDate) outcome.exitCode = SYNTH_EXIT.outOfDate;
    });
}

/** Progress on standard error, so the table on standard output stays clean for pipes. */
function progressPrinter(io: Io): (progress: SynthProgress) => void {
  const labels = { load: 'reading platform.yaml', generate: 'generating clusters/', check: 'checking', cdk: 'synthesising the CDK app', write: 'writing out/' } as const;
  return (progress) => {
    if (progress.phase === 'render') {
      if (progress.done === progress.total || progress.done % 10 === 0) io.err(`kaji synth: rendered ${progress.done}/${progress.total}\n`);
    } else {
      io.err(`kaji synth: ${labels[progress.phase]}\n`);
    }
  };
}
