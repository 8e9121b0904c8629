import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { kubernetesMinor, removedApiVerdict, REMOVED_APIS_CHECKED_THROUGH, type RemovedApiVerdict } from '../apis/index.js';
import { displayPath, readInputs, shellWord, writeFileAtomically, type InputProblem, type KubeObject, type LoadSink } from '../kube/index.js';
import { countResults, startAudit, filterBySeverity, type AuditData, type Severity } from '../policy/index.js';
import { chunkText, printable, printAudit, REMOVED_API_CHECK, REPORT_FORMATS, withRemovedApiResults, type ReportChunk, type ReportFormat } from '../report/index.js';
import { kajiVersion } from '../platform/definition/schema.js';
import { commaList, loadConfigForFlags, oneOf, reportProblems, UsageError, wholeNumber, type Io } from './common.js';
import type { Outcome } from './program.js';

interface CheckFlags {
  config?: string;
  mergeConfig?: boolean;
  format: ReportFormat;
  onlyShowFailedTests?: boolean;
  severity?: Exclude<Severity, 'ignore'>;
  checks?: string[];
  setExitCodeOnDanger?: boolean;
  setExitCodeBelowScore?: number;
  outputFile?: string;
  color?: boolean;
  kubernetesVersion?: string;
}

/** Exit codes of `kaji check`, as Polaris's `audit` uses them. */
export const EXIT = { ok: 0, inputProblem: 1, usage: 2, danger: 3, belowScore: 4 } as const;

export function registerCheck(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('check')
    .summary('check manifests against the policy (Polaris-compatible)')
    .description(
      'Check Kubernetes manifests against best-practice and custom checks, with a Polaris-format configuration.\n\n' +
        'PATH is a file (.yaml, .yml, .json), a directory (read recursively; a directory with a ' +
        'kustomization.yaml is rendered with `kubectl kustomize`), or - for standard input. In a directory, a file no ' +
        'document of which has an apiVersion or a kind (platform.yaml, package.json) is no manifest and is left out, ' +
        'with a note; a symbolic link to a file is read, one to a folder is not followed (a note names it). Below PATH, kaji ' +
        "synth's output (a folder holding kaji synth's summary.json, such as out/) and CDK cloud assemblies (cdk.out/) are left " +
        'out too, with a note: name such a folder as PATH to read it. In a platform ' +
        "kaji init made, check the manifest repository with the platform's policy: kaji check manifests --config polaris.yaml.",
    )
    .argument('[path...]', 'manifests to check', ['.'])
    .option('-c, --config <file>', "policy configuration (Polaris format); default: Polaris's built-in defaults")
    .option('--merge-config', 'merge --config into the defaults instead of replacing them')
    .addOption(new Option('-f, --format <format>', 'output format').choices(REPORT_FORMATS).default('pretty'))
    .option('--only-show-failed-tests', 'show failed checks only')
    .option('--severity <level>', 'show only checks at or above this severity: warning or danger', oneOf(['warning', 'danger'] as const))
    .option('--checks <ids>', 'run only these check IDs (comma-separated, repeatable)', commaList)
    .option('--set-exit-code-on-danger', `exit ${EXIT.danger} when a danger check fails`)
    .option('--set-exit-code-below-score <n>', `exit ${EXIT.belowScore} when the score is below N (0-100)`, wholeNumber(0, 100))
    .option('-o, --output-file <file>', 'write the report to a file (atomically, creating missing folders) instead of standard output')
    .option(
      '--kubernetes-version <minor>',
      `also check that this Kubernetes version (e.g. 1.35) still serves each object's apiVersion: one that it no longer serves is a danger (${REMOVED_API_CHECK}) saying what to write instead`,
      kubernetesVersion,
    )
    .option('--no-color', 'no colours in pretty output')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.danger} a danger failed (with --set-exit-code-on-danger), ${EXIT.belowScore} score below N ` +
        `(with --set-exit-code-below-score), ${EXIT.inputProblem} an input (a file or a folder) could not be read (the rest is still checked), ` +
        `${EXIT.usage} bad flags or configuration, or an output file that cannot be written, 0 otherwise.\n\nExamples:\n` +
        '  kaji check examples/labs/manifests\n' +
        '  kaji check apps/ --config polaris.yaml --format sarif -o kaji.sarif\n' +
        '  kubectl kustomize apps/antenna/overlays/blue | kaji check - --set-exit-code-on-danger\n' +
        '  kaji check apps/ --kubernetes-version 1.35 --set-exit-code-on-danger   # before an upgrade to 1.35\n\n' +
        `--kubernetes-version knows the API removals of Kubernetes 1.16 to ${REMOVED_APIS_CHECKED_THROUGH}, from the Kubernetes deprecated API migration guide; ` +
        'objects of API groups outside Kubernetes (custom resources) are not judged.\n',
    )
    .action(async (paths: string[], flags: CheckFlags) => {
      outcome.exitCode = await runCheck(paths, flags, io);
    });
}

async function runCheck(paths: string[], flags: CheckFlags, io: Io): Promise<number> {
  if (!flags.kubernetesVersion && flags.checks?.includes(REMOVED_API_CHECK)) {
    throw new UsageError(`--checks: ${REMOVED_API_CHECK} runs only with --kubernetes-version 1.N, the version to check the apiVersions against`);
  }
  // With --kubernetes-version, --checks may name the removed-API check too (alone: only it runs); it is no check of the configuration.
  const version = flags.kubernetesVersion && (flags.checks === undefined || flags.checks.includes(REMOVED_API_CHECK)) ? flags.kubernetesVersion : undefined;
  const policyChecks = flags.kubernetesVersion ? flags.checks?.filter((id) => id !== REMOVED_API_CHECK) : flags.checks;
  const config = await loadConfigForFlags({ ...flags, checks: policyChecks });
  // Refused before a long check rather than after it, when the report has nowhere to go.
  if (flags.outputFile && (await stat(flags.outputFile).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`--output-file ${flags.outputFile} is a folder; give the path of a file to write the report to`);
  }
  // Each object is audited as it is read, and only its result is kept.
  const auditing = startAudit(config, { sourceName: paths.join(' '), onlyChecks: policyChecks });
  const problems: InputProblem[] = [];
  const skipped: NonNullable<LoadSink['skipped']> = { notManifests: [], folderLinks: [], synthOutputs: [], cloudAssemblies: [] };
  // One verdict per audited object, in the audit's order (kept only with the flag).
  const verdicts: RemovedApiVerdict[] = [];
  const add = (object: KubeObject) => {
    if (version) verdicts.push(removedApiVerdict(version, object));
    auditing.add(object);
  };
  // A path given twice (a shell glob and a name) is read once: its objects would count twice in the score.
  const once = new Map<string, string>();
  for (const path of paths) if (!once.has(resolve(path))) once.set(resolve(path), path);
  await readInputs([...once.values()], { objects: { push: add }, problems, skipped }, { readStdin: io.readStdin });
  reportProblems(problems, io);
  reportWalkSkips(skipped, io);
  let audit = auditing.finish();
  if (version) audit = withRemovedApiResults(audit, verdicts, version);
  const found = audit;
  if (flags.severity) audit = filterBySeverity(audit, flags.severity);
  const options = {
    color: flags.color !== false && !flags.outputFile && io.colorOut,
    onlyFailed: flags.onlyShowFailedTests,
    toolVersion: kajiVersion(),
    cwd: io.cwd,
    problems,
  };
  const report = (emit: (chunk: ReportChunk) => void) => printAudit(audit, flags.format, options, emit);
  if (flags.outputFile) await writeFileAtomically(flags.outputFile, report);
  else report((chunk) => io.out(chunkText(chunk)));
  return exitCode(found, problems, flags);
}

/**
 * A note on standard error for what reading the folders left out (see WalkSkips), naming the first few.
 * For kaji fix, the note on synth's output says fixes belong in the sources (synth writes it anew).
 */
export function reportWalkSkips(skipped: NonNullable<LoadSink['skipped']>, io: Io, command: 'check' | 'fix' = 'check'): void {
  const named = (files: readonly string[]) => {
    const shown = files.slice(0, 3).map((file) => printable(displayPath(file, io.cwd)));
    return files.length > shown.length ? `${shown.join(', ')} and ${files.length - shown.length} more` : shown.join(', ');
  };
  const { notManifests, folderLinks, synthOutputs = [], cloudAssemblies = [] } = skipped;
  if (notManifests.length > 0) {
    const files = notManifests.length === 1 ? '1 file' : `${notManifests.length} files`;
    io.err(`kaji: note: left out ${files} of the folders read with no Kubernetes object (no document has an apiVersion or a kind): ${named(notManifests)}\n`);
  }
  if (folderLinks.length > 0) {
    const links = folderLinks.length === 1 ? '1 symbolic link' : `${folderLinks.length} symbolic links`;
    io.err(`kaji: note: did not follow ${links} to a folder: ${named(folderLinks)}; give the folder it leads to as a PATH to read it\n`);
  }
  if (synthOutputs.length > 0) {
    const folders = synthOutputs.length === 1 ? `kaji synth's output ${named(synthOutputs)}` : `${synthOutputs.length} folders of kaji synth's output: ${named(synthOutputs)}`;
    const check = `kaji check ${shellWord(printable(displayPath(synthOutputs[0]!, io.cwd)))}`;
    const it = synthOutputs.length === 1 ? 'it' : 'one';
    io.err(
      command === 'fix'
        ? `kaji: note: left out ${folders} (the manifests it rendered, again): a fix there is lost when kaji synth runs again, so fix the sources it renders and run kaji synth; to check ${it}: ${check}\n`
        : `kaji: note: left out ${folders} (the manifests it rendered, again); give ${it} as a PATH to check it: ${check}\n`,
    );
  }
  if (cloudAssemblies.length > 0) {
    const assemblies = cloudAssemblies.length === 1 ? '1 CDK cloud assembly' : `${cloudAssemblies.length} CDK cloud assemblies`;
    io.err(`kaji: note: left out ${assemblies} (generated CloudFormation and assets, no manifests): ${named(cloudAssemblies)}\n`);
  }
}

function exitCode(audit: AuditData, problems: readonly InputProblem[], flags: CheckFlags): number {
  if (flags.setExitCodeOnDanger && countResults(audit.Results).dangers > 0) return EXIT.danger;
  if (flags.setExitCodeBelowScore !== undefined && audit.Score < flags.setExitCodeBelowScore) return EXIT.belowScore;
  if (problems.length) return EXIT.inputProblem;
  return EXIT.ok;
}

/** Commander parser for --kubernetes-version: a minor version written 1.N, as EKS names them. */
function kubernetesVersion(value: string): string {
  const minor = kubernetesMinor(value);
  if (minor === undefined) throw new InvalidArgumentError('give a Kubernetes minor version such as 1.35.');
  // Past the newest version the table was checked against, a pass would claim what kaji does not know.
  if (minor > kubernetesMinor(REMOVED_APIS_CHECKED_THROUGH)!) {
    throw new InvalidArgumentError(`kaji knows the API removals up to Kubernetes ${REMOVED_APIS_CHECKED_THROUGH}; give that version or an earlier one (a newer kaji knows more).`);
  }
  return value;
}
