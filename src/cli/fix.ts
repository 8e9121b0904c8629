import { realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { Command } from 'commander';
import {
  isInside,
  displayPath,
  generatedFolderOf,
  isRemoteEntry,
  kustomizationFile,
  readInputs,
  readKustomization,
  shellWord,
  walkManifestTree,
  FILE_CHANGED,
  fileErrorReason,
  writeFileAtomically,
  type GeneratedFolder,
  type InputProblem,
  type KubeObject,
  type LoadResult,
  type LoadSink,
} from '../kube/index.js';
import { auditObjects, checkMutationsOf, exemptEverywhere, fixManifestText, type Fixable, type PolicyConfig } from '../policy/index.js';
import { printable, unifiedDiff } from '../report/index.js';
import { reportWalkSkips } from './check.js';
import { commaList, loadConfigForFlags, reportProblems, UsageError, type Io } from './common.js';
import type { Outcome } from './program.js';

interface FixFlags {
  config?: string;
  mergeConfig?: boolean;
  checks?: string[];
  dryRun?: boolean;
}

/** Exit codes of `kaji fix`. */
export const FIX_EXIT = { ok: 0, inputProblem: 1, usage: 2 } as const;

export function registerFix(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('fix')
    .summary("apply the policy's mutations to manifest files, in place")
    .description(
      'Apply the JSON Patch mutations of failed checks to the manifest files they came from, changing only ' +
        'the bytes each mutation touches (comments, quoting and layout are kept). The checks whose mutations ' +
        'are applied are those listed under `mutations:` in the configuration. Missing parents are created ' +
        '(adding securityContext.readOnlyRootFilesystem creates securityContext), as Polaris does.\n\n' +
        'PATH is a YAML file or a directory (read recursively, as kaji check reads it: a file with no apiVersion or kind in ' +
        'any document is left out with a note; a symbolic link to a file is fixed in the file it leads to, only when that is inside PATH). ' +
        "Generated output is never edited, as the next synth writes it anew: below PATH, kaji synth's output (a folder holding kaji " +
        "synth's summary.json, such as out/) and CDK cloud assemblies (cdk.out/) are left out with a note, as kaji check leaves them " +
        'out; given as PATH (or a file in one), each is an input problem: fix the sources it is made from. A kustomization directory stands for the files its ' +
        'resources, bases and components list, followed as kustomize builds them: a listed folder through its own ' +
        'kustomization (an overlay fixes its base, which its other overlays share; a components entry is a folder whose ' +
        'kustomization is kind: Component), a listed file only where it leads inside the kustomization\'s folder, symbolic ' +
        "links followed. Each file is fixed once, however many paths lead to it. Its patches are left as they are, and the fix is judged on the listed files, not on " +
        'what the overlay renders: a patch may set again what was fixed, so run kaji check on the overlay after. ' +
        'Standard input (-) cannot be fixed.',
    )
    .argument('<path...>', 'manifest files or directories to fix')
    .option('-c, --config <file>', "policy configuration (Polaris format); default: Polaris's built-in defaults")
    .option('--merge-config', 'merge --config into the defaults instead of replacing them')
    .option('--checks <ids>', 'apply only the mutations of these check IDs (comma-separated, repeatable)', commaList)
    .option('--dry-run', 'print the changes as a unified diff and write nothing')
    .addHelpText(
      'after',
      `\nExit codes: ${FIX_EXIT.inputProblem} an input (a file or a folder) could not be read, is generated output, is JSON with mutations to apply (kaji fix edits YAML only), ` +
        `changed while kaji fix ran (it is left with that change: run kaji fix again), or a mutation could not be applied ` +
        `(the rest is still fixed), ${FIX_EXIT.usage} bad flags or configuration, 0 otherwise.\n\nExamples:\n` +
        '  kaji fix apps/ --config polaris.yaml --dry-run\n' +
        '  kaji fix apps/antenna/deployment.yaml --config polaris.yaml --checks pullPolicyNotAlways\n',
    )
    .action(async (paths: string[], flags: FixFlags) => {
      outcome.exitCode = await runFix(paths, flags, io);
    });
}

async function runFix(paths: string[], flags: FixFlags, io: Io): Promise<number> {
  if (paths.includes('-')) throw new UsageError('fix edits files in place and cannot read standard input (-); pass the files instead');
  const config = await loadConfigForFlags(flags);
  // A check the configuration applies no mutation of would be "nothing to fix", which reads as "nothing wrong".
  const notMutated = (flags.checks ?? []).filter((id) => !config.mutations.includes(id));
  if (notMutated.length > 0) {
    const where = flags.config === undefined ? "Polaris's built-in defaults (give --config FILE and list it there)" : `${printable(displayPath(flags.config, io.cwd))}; list it there`;
    throw new UsageError(`--checks: ${notMutated.map((id) => `"${id}"`).join(', ')} ${notMutated.length === 1 ? 'is' : 'are'} not under \`mutations:\` in ${where}`);
  }
  if (config.mutations.length === 0) {
    io.err('kaji fix: the configuration lists no checks under `mutations:`; nothing to apply\n');
    return FIX_EXIT.ok;
  }
  const { files, walked, skipped, unlisted, followedAny } = await manifestFiles(paths, io);
  const texts = new Map<string, string>();
  const loaded: LoadResult = { objects: [], problems: [...unlisted], skipped, fileText: (file, text) => texts.set(file, text) };
  await readInputs(files, loaded, { walkedFiles: walked }); // standard input was refused above
  reportWalkSkips(skipped, io, 'fix');
  const problems: InputProblem[] = [...loaded.problems];
  const audit = auditObjects(loaded.objects, config, { sourceName: paths.join(' '), onlyChecks: flags.checks });
  const byFile = new Map<string, Fixable[]>();
  audit.Results.forEach((result, index) => {
    const object = loaded.objects[index] as KubeObject;
    const mutations = checkMutationsOf(result);
    if (!mutations.length) return;
    byFile.set(object.source.file, [...(byFile.get(object.source.file) ?? []), { object, mutations }]);
  });
  // In a dry run the diff is the output; notes go to standard error.
  const note = (text: string) => (flags.dryRun ? io.err(text) : io.out(text));
  const totals = new Map<string, number>();
  const notYaml = { files: 0, mutations: 0 };
  let notApplied = 0; // mutations refused in a YAML file (each named above the summary)
  let changedFiles = 0;
  for (const [file, fixables] of byFile) {
    const shown = printable(displayPath(file, io.cwd));
    if (!['.yaml', '.yml'].includes(extname(file)) && extname(file) !== '') {
      // Told as an input problem: "nothing to fix" and exit 0 would pass a --dry-run gate with mutations left undone.
      const count = fixables.reduce((sum, fixable) => sum + fixable.mutations.length, 0);
      notYaml.files++;
      notYaml.mutations += count;
      problems.push({ file, message: `${count} mutation${count === 1 ? '' : 's'} not applied: kaji fix edits YAML files only; write it as YAML, or apply them by hand` });
      continue;
    }
    // The text the objects were read from: the patches' places are in it.
    const original = texts.get(file);
    if (original === undefined) continue;
    const fixed = fixManifestText(original, fixables);
    for (const failure of fixed.failures) problems.push({ file, ...failure });
    notApplied += fixed.failures.length;
    if (fixed.text === original) continue;
    if (flags.dryRun) io.out(unifiedDiff(shown, original, fixed.text));
    else if (!(await writeUnlessChanged(file, original, fixed.text, problems))) continue;
    changedFiles++;
    for (const [check, count] of fixed.applied) totals.set(check, (totals.get(check) ?? 0) + count);
    const count = [...fixed.applied.values()].reduce((sum, n) => sum + n, 0);
    note(`${flags.dryRun ? 'would fix' : 'fixed'} ${shown}: ${describeCounts(fixed.applied, count)}\n`);
  }
  reportProblems(problems, io);
  const total = [...totals.values()].reduce((sum, n) => sum + n, 0);
  // "nothing to fix" only when nothing was left undone: refused mutations are no clean file.
  const done = total
    ? `${flags.dryRun ? 'would change' : 'changed'} ${changedFiles} file${changedFiles === 1 ? '' : 's'}, ${describeCounts(totals, total)}`
    : notYaml.files || notApplied || problems.length
      ? 'nothing fixed'
      : 'nothing to fix';
  const refused = notApplied ? `; ${notApplied} mutation${notApplied === 1 ? '' : 's'} could not be applied (above)` : '';
  const left = notYaml.files ? `; ${notYaml.mutations} mutation${notYaml.mutations === 1 ? '' : 's'} left in ${notYaml.files} file${notYaml.files === 1 ? '' : 's'} that ${notYaml.files === 1 ? 'is' : 'are'} not YAML (above)` : '';
  note(`kaji fix: ${done}${refused}${left}\n`);
  for (const { id, why } of mutationsNeverRun(config, flags.checks)) {
    io.err(`kaji fix: note: ${id} is under \`mutations:\` but ${why}, so its mutation is never applied\n`);
  }
  if (total && followedAny) {
    note(`kaji fix: a kustomization's patches may set again what ${flags.dryRun ? 'would be' : 'was'} fixed; to judge what it renders, run: ${checkCommand(paths, flags, io.cwd)}\n`);
  }
  return problems.length ? FIX_EXIT.inputProblem : FIX_EXIT.ok;
}

/**
 * Writes the fixed text unless the file changed since it was read (an edit made while kaji
 * fix ran would be lost without a word) or cannot be written (read-only, a full disk): then it
 * is left as it is, an input problem, and the other files are fixed all the same. Whether it was written.
 */
async function writeUnlessChanged(file: string, original: string, fixed: string, problems: InputProblem[]): Promise<boolean> {
  try {
    await writeFileAtomically(file, fixed, { unchangedFrom: Buffer.from(original, 'utf8') });
    return true;
  } catch (error) {
    const failed = error as NodeJS.ErrnoException;
    if (failed.code === FILE_CHANGED) problems.push({ file, message: 'changed since kaji fix read it, so it was left as it is; run kaji fix again' });
    else if (failed.syscall !== undefined) problems.push({ file, message: `cannot be written, so it was left as it is: ${fileErrorReason(failed)}` });
    else throw error;
    return false;
  }
}

/** The checks under `mutations:` (those --checks selects) that never run, so never mutate, and why: "nothing to fix" would hide them. */
function mutationsNeverRun(config: PolicyConfig, only: readonly string[] | undefined): { id: string; why: string }[] {
  return config.mutations
    .filter((id) => !only || only.includes(id))
    .flatMap((id) => {
      if (!Object.hasOwn(config.checks, id)) return [{ id, why: 'not under `checks:`' }];
      if (config.checks[id] === 'ignore') return [{ id, why: 'set to ignore under `checks:`' }];
      if (exemptEverywhere(id, config)) return [{ id, why: 'an entry under `exemptions:` exempts every object from it' }];
      return [];
    });
}

/** The kaji check command that judges `paths` with the policy this fix used, ready to paste into a shell. */
function checkCommand(paths: readonly string[], flags: FixFlags, cwd: string): string {
  const words = ['kaji', 'check', ...paths.map((path) => shellWord(displayPath(path, cwd)))];
  if (flags.config !== undefined) words.push('--config', shellWord(displayPath(flags.config, cwd)));
  if (flags.mergeConfig) words.push('--merge-config');
  return printable(words.join(' '));
}

function describeCounts(counts: ReadonlyMap<string, number>, total: number): string {
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([check, n]) => `${check} ${n}`);
  return `${total} mutation${total === 1 ? '' : 's'} (${parts.join(', ')})`;
}

/**
 * The files to fix: files as given, directories read as the loader reads them
 * (recursively, .yaml/.yml/.json), each once, however many paths lead to it. A
 * kustomization's objects are rendered, not read from a file, so it stands for
 * what kustomize would load from its resources, bases and components: a listed
 * folder only through its own kustomization (kustomize builds no folder without
 * one), a Component one under components only and the others never there, an
 * overlay's base too; a listed file only under resources or bases, and only
 * where it leads inside the kustomization's folder, symbolic links followed
 * (kustomize's load restrictor refuses the rest). Its patches are not manifests
 * and stay as they are. A remote entry is skipped with a note; a followed folder
 * outside the PATH given gets a note, as other kustomizations may share its
 * files. An entry kustomize would refuse, a folder that cannot be listed, or a
 * kustomization that cannot be read, is an input problem, and the rest is still
 * fixed. Generated output (kaji synth's, a CDK cloud assembly) is never edited, as the next synth
 * writes it again: walked past with a note, as kaji check walks past it; named (or reached inside
 * one), an input problem that says to fix the sources instead.
 */
async function manifestFiles(
  paths: readonly string[],
  io: Io,
): Promise<{ files: string[]; walked: Set<string>; skipped: Required<NonNullable<LoadSink['skipped']>>; unlisted: InputProblem[]; followedAny: boolean }> {
  const files = new Map<string, string>(); // by real path: a base shared by overlays, or a file behind a link, is fixed once
  const walked = new Set<string>(); // found in a folder, not named: one that is no manifest is left out, as kaji check leaves it
  const skipped: Required<NonNullable<LoadSink['skipped']>> = { notManifests: [], folderLinks: [], synthOutputs: [], cloudAssemblies: [] };
  const unlisted: InputProblem[] = [];
  const followed = new Set<string>();
  const known = new Map<string, GeneratedFolder | null>();
  const generated = new Map<string, GeneratedFolder>(); // named, or reached through a kustomization: refused once per folder
  /** Whether `path` is generated output, which is then refused (once per folder). */
  const isGenerated = (real: string) => {
    const found = generatedFolderOf(real, known);
    if (found !== undefined) generated.set(found.folder, found);
    return found !== undefined;
  };
  const addFile = async (file: string) => {
    const real = await realPath(file);
    if (!files.has(real) && !isGenerated(real)) files.set(real, file);
  };
  const addPath = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory()) return addFile(path); // a missing file is reported by the loader
    if (isGenerated(await realPath(path))) return;
    const tree = await walkManifestTree(path);
    const folder = await realPath(path);
    for (const file of tree.files) {
      const real = await realPath(file);
      // As kustomize's load restrictor: a link is followed while it stays inside the folder given.
      if (tree.links.has(file) && !isInside(folder, real)) {
        unlisted.push({ file, message: `a symbolic link to ${printable(displayPath(real, io.cwd))}, outside ${printable(displayPath(path, io.cwd))}, so not fixed: give that file as a PATH to fix it` });
        continue;
      }
      walked.add(file);
      await addFile(file);
    }
    skipped.folderLinks.push(...tree.folderLinks);
    skipped.synthOutputs.push(...tree.synthOutputs);
    skipped.cloudAssemblies.push(...tree.cloudAssemblies);
    unlisted.push(...tree.problems);
    for (const kustomization of tree.kustomizations) await addResources(kustomization, path);
  };
  const addResources = async (kustomization: string, given: string, read?: Kustomization): Promise<void> => {
    if (followed.has(await realPath(kustomization))) return;
    followed.add(await realPath(kustomization));
    read ??= await readKustomization(kustomization);
    if (!read) {
      unlisted.push({ file: kustomization, message: 'cannot read this kustomization (kubectl kustomize on its folder says why), so the files it lists were not fixed' });
      return;
    }
    const shownKustomization = printable(displayPath(kustomization, io.cwd));
    const folder = await realPath(dirname(kustomization));
    for (const { field, entry } of read.entries) {
      if (isRemoteEntry(entry)) {
        io.err(`kaji: skipping ${printable(entry)} (${field} of ${shownKustomization}): it is remote, so there is no file here to fix\n`);
        continue;
      }
      const target = resolve(dirname(kustomization), entry);
      const refuse = (why: string) => unlisted.push({ file: kustomization, message: `${field} entry "${entry}"${why}` });
      const info = await stat(target).catch(() => undefined);
      if (!info?.isDirectory()) {
        const real = await realPath(target);
        const outside = (it: string) => `outside the kustomization's folder, which kustomize refuses to load; list ${it} in a kustomization of its own folder (as a resource there) and that kustomization here`;
        if (field === 'components' && info !== undefined) refuse(' is a file, which kustomize refuses: a component is a folder whose kustomization is kind: Component');
        else if (isInside(folder, real)) await addFile(target); // a missing file is reported by the loader
        else if (real !== resolve(folder, relative(dirname(kustomization), target))) refuse(` leads through a symbolic link to ${printable(displayPath(real, io.cwd))}, ${outside('that file')}`);
        else refuse(` is ${outside('it')}`);
        continue;
      }
      if (isAbsolute(entry)) {
        refuse(" is an absolute path to a folder, which kustomize refuses; write it relative to the kustomization's folder");
        continue;
      }
      const next = kustomizationFile(target);
      if (next === undefined) {
        refuse(': the folder has no kustomization.yaml, so kustomize cannot build it; nothing in it was fixed');
        continue;
      }
      const nextRead = await readKustomization(next);
      if (nextRead && nextRead.component !== (field === 'components')) {
        refuse(
          nextRead.component
            ? ': its kustomization is kind: Component, which kustomize takes under components only; nothing in it was fixed'
            : ': its kustomization is not kind: Component, so kustomize refuses it as a component; nothing in it was fixed',
        );
        continue;
      }
      if (!isInside(await realPath(given), await realPath(target)) && !followed.has(await realPath(next))) {
        const where = `${printable(displayPath(target, io.cwd))} (${field} of ${shownKustomization})`;
        io.err(`kaji: note: ${where} is outside ${printable(displayPath(given, io.cwd))}: fixing its files changes every kustomization that builds on it\n`);
      }
      await addResources(next, given, nextRead);
    }
  };
  for (const path of paths) await addPath(path);
  for (const { kind, folder } of generated.values()) {
    unlisted.push({
      file: folder,
      message:
        kind === 'synthOutput'
          ? "kaji synth's output (it holds the summary.json kaji synth writes): nothing in it was fixed, as kaji synth writes it anew; fix the sources it renders, then run kaji synth"
          : "a CDK cloud assembly (it holds the CDK's cdk.out file): nothing in it was fixed, as cdk synth writes it anew; change the CDK app instead",
    });
  }
  return { files: [...files.values()], walked, skipped, unlisted, followedAny: followed.size > 0 };
}

type Kustomization = NonNullable<Awaited<ReturnType<typeof readKustomization>>>;

/** Where `path` leads, symbolic links followed, as kustomize judges it; the absolute path itself when it is not there. */
async function realPath(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}
