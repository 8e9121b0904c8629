import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Command } from 'commander';
import {
  applyPatchToYaml,
  displayPath,
  kustomizationFile,
  loadInputs,
  MANIFEST_EXTENSIONS,
  parseDocument,
  splitDocuments,
  writeFileAtomically,
  type InputProblem,
  type JsonValue,
  type KubeObject,
} from '../kube/index.js';
import { applyMutations, auditObjects, expandWildcards, checkMutationsOf, loadPolicyConfig, type CheckMutation, type PatchOperation } from '../policy/index.js';
import { commaList, UsageError, type Io } from './common.js';
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
        'PATH is a YAML file or a directory (read recursively). Kustomization directories are skipped: ' +
        'their output is rendered and has no file to edit. Standard input (-) cannot be fixed.',
    )
    .argument('<path...>', 'manifest files or directories to fix')
    .option('-c, --config <file>', "policy configuration (Polaris format); default: Polaris's built-in defaults")
    .option('--merge-config', 'merge --config into the defaults instead of replacing them')
    .option('--checks <ids>', 'apply only the mutations of these check IDs (comma-separated, repeatable)', commaList)
    .option('--dry-run', 'print the changes as a unified diff and write nothing')
    .addHelpText(
      'after',
      `\nExit codes: ${FIX_EXIT.inputProblem} an input could not be read or a mutation could not be applied ` +
        `(the rest is still fixed), ${FIX_EXIT.usage} bad flags or configuration, 0 otherwise.\n\nExamples:\n` +
        '  kaji fix apps/ --config polaris.yaml --dry-run\n' +
        '  kaji fix apps/antenna/deployment.yaml --config polaris.yaml --checks pullPolicyNotAlways\n',
    )
    .action(async (paths: string[], flags: FixFlags) => {
      outcome.exitCode = await runFix(paths, flags, io);
    });
}

/** One object of a file whose failed checks carry mutations. */
interface Fixable {
  readonly object: KubeObject;
  readonly mutations: readonly CheckMutation[];
}

interface FileFix {
  readonly text: string;
  /** Check ID → number of mutations applied. */
  readonly applied: Map<string, number>;
  readonly failures: { readonly line: number; readonly message: string }[];
}

async function runFix(paths: string[], flags: FixFlags, io: Io): Promise<number> {
  if (paths.includes('-')) throw new UsageError('fix edits files in place and cannot read standard input (-); pass the files instead');
  if (flags.mergeConfig && !flags.config) throw new UsageError('--merge-config needs --config FILE');
  const config = await loadPolicyConfig({ file: flags.config, merge: flags.mergeConfig });
  const unknown = (flags.checks ?? []).filter((id) => !(id in config.checks));
  if (unknown.length) throw new UsageError(`--checks: not in the configuration: ${unknown.join(', ')}`);
  if (config.mutations.length === 0) {
    io.err('kaji fix: the configuration lists no checks under `mutations:`; nothing to apply\n');
    return FIX_EXIT.ok;
  }
  const files = await manifestFiles(paths, io);
  const loaded = await loadInputs(files, { readStdin: io.readStdin });
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
  let changedFiles = 0;
  for (const [file, fixables] of byFile) {
    const shown = displayPath(file, io.cwd);
    if (!['.yaml', '.yml'].includes(extname(file)) && extname(file) !== '') {
      io.err(`kaji: skipping ${shown}: kaji fix edits YAML files only\n`);
      continue;
    }
    let original: string;
    try {
      original = await readFile(file, 'utf8');
    } catch (error) {
      problems.push({ file, message: `cannot read: ${(error as Error).message}` });
      continue;
    }
    const fixed = fixText(original, fixables);
    for (const failure of fixed.failures) problems.push({ file, ...failure });
    if (fixed.text === original) continue;
    changedFiles++;
    for (const [check, count] of fixed.applied) totals.set(check, (totals.get(check) ?? 0) + count);
    if (flags.dryRun) io.out(unifiedDiff(shown, original, fixed.text));
    else await writeFileAtomically(file, fixed.text);
    const count = [...fixed.applied.values()].reduce((sum, n) => sum + n, 0);
    note(`${flags.dryRun ? 'would fix' : 'fixed'} ${shown}: ${describeCounts(fixed.applied, count)}\n`);
  }
  reportProblems(problems, io);
  const total = [...totals.values()].reduce((sum, n) => sum + n, 0);
  const summary = total
    ? `kaji fix: ${flags.dryRun ? 'would change' : 'changed'} ${changedFiles} file${changedFiles === 1 ? '' : 's'}, ${describeCounts(totals, total)}\n`
    : 'kaji fix: nothing to fix\n';
  note(summary);
  return problems.length ? FIX_EXIT.inputProblem : FIX_EXIT.ok;
}

function describeCounts(counts: ReadonlyMap<string, number>, total: number): string {
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([check, n]) => `${check} ${n}`);
  return `${total} mutation${total === 1 ? '' : 's'} (${parts.join(', ')})`;
}

/**
 * The files to fix: files as given, directories read recursively for .yaml/.yml/.json files.
 * A directory with a kustomization is skipped with a note: its objects are rendered, not read from a file.
 */
async function manifestFiles(paths: readonly string[], io: Io): Promise<string[]> {
  const files: string[] = [];
  const walk = async (path: string, top: boolean): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory()) {
      if (top || !info || MANIFEST_EXTENSIONS.has(extname(path))) files.push(path);
      return;
    }
    if (kustomizationFile(path)) {
      io.err(`kaji: skipping ${displayPath(path, io.cwd)}: a kustomization is rendered, so there is no file to fix; fix its resources instead\n`);
      return;
    }
    const entries = await readdir(path, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      if (entry.isDirectory() || (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name)))) await walk(join(path, entry.name), false);
    }
  };
  for (const path of paths) await walk(path, true);
  return files;
}

/**
 * Applies the mutations of a file's objects to its text, document by document from
 * the bottom up (so earlier documents keep their lines). Each check's mutation is
 * applied whole or not at all, and only when the edited document reads back as the
 * patched object.
 */
function fixText(original: string, fixables: readonly Fixable[]): FileFix {
  const applied = new Map<string, number>();
  const failures: FileFix['failures'] = [];
  const lines = [...new Set(fixables.map((fixable) => fixable.object.source.line))].sort((a, b) => b - a);
  let text = original;
  for (const line of lines) {
    const inDocument = fixables.filter((fixable) => fixable.object.source.line === line);
    const before = documentAt(text, line);
    const prefixes = itemPrefixes(before, inDocument);
    inDocument.forEach((fixable, index) => {
      for (const mutation of fixable.mutations) {
        const what = `${mutation.check}${mutation.container ? ` (container ${mutation.container})` : ''}`;
        try {
          const operations = mutation.operations
            .map((operation) => prefixed(operation, prefixes[index] ?? ''))
            .flatMap((operation) => expandWildcards(documentAt(text, line), operation));
          if (operations.length === 0) continue;
          const edited = applyPatchToYaml(text, { line }, operations);
          const expected = applyMutations(documentAt(text, line), operations);
          if (!isDeepStrictEqual(documentAt(edited, line), expected)) {
            throw new Error('the edited YAML does not read back as the patched object, so it was left unchanged (please report this)');
          }
          text = edited;
          applied.set(mutation.check, (applied.get(mutation.check) ?? 0) + 1);
        } catch (error) {
          failures.push({ line, message: `${what}: cannot apply the mutation: ${(error as Error).message}` });
        }
      }
    });
  }
  return { text, applied, failures };
}

/** The parsed document whose first content line is `line`, as `loadInputs` read it. */
function documentAt(text: string, line: number): JsonValue {
  const document = splitDocuments(text).find((candidate) => candidate.contentLine === line);
  if (!document) throw new Error(`no document starts at line ${line}`);
  return parseDocument(document) as JsonValue;
}

/**
 * The JSON Pointer prefix of each object within its document: "" for a plain
 * document, `/items/N` for the items of a `kind: List`, matched by kind, name and namespace.
 */
function itemPrefixes(document: JsonValue, fixables: readonly Fixable[]): string[] {
  const items = isListDocument(document) ? (document.items as JsonValue[]) : undefined;
  if (!items) return fixables.map(() => '');
  const used = new Set<number>();
  return fixables.map(({ object }) => {
    const index = items.findIndex((item, i) => !used.has(i) && sameObject(item, object));
    if (index < 0) return '/items/?';
    used.add(index);
    return `/items/${index}`;
  });
}

function isListDocument(document: JsonValue): document is { items: JsonValue[]; kind: string } {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return false;
  return typeof document.kind === 'string' && document.kind.endsWith('List') && Array.isArray(document.items);
}

function sameObject(item: JsonValue, object: KubeObject): boolean {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const metadata = (typeof item.metadata === 'object' && item.metadata !== null ? item.metadata : {}) as Record<string, JsonValue>;
  return item.kind === object.kind && (metadata.name ?? '') === object.name && (metadata.namespace ?? '') === object.namespace;
}

function prefixed(operation: PatchOperation, prefix: string): PatchOperation {
  if (!prefix) return operation;
  return { ...operation, path: prefix + operation.path, ...(operation.from !== undefined ? { from: prefix + operation.from } : {}) };
}

function reportProblems(problems: readonly InputProblem[], io: Io): void {
  for (const problem of problems) {
    const where = `${displayPath(problem.file, io.cwd)}${problem.line ? `:${problem.line}` : ''}`;
    io.err(`kaji: ${where}: ${problem.message}\n`);
  }
}

// --- unified diff ------------------------------------------------------------

type DiffLine = { readonly kind: ' ' | '-' | '+'; readonly text: string };

/** A unified diff (3 lines of context) of two texts, as `diff -u` prints it. */
export function unifiedDiff(name: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const script = diffLines(splitLines(before), splitLines(after));
  const label = name.replace(/^\/+/, '');
  const out = [`--- a/${label}\n`, `+++ b/${label}\n`];
  const changed = script.map((line, index) => (line.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  let cursor = 0;
  while (cursor < changed.length) {
    let last = cursor;
    while (last + 1 < changed.length && (changed[last + 1] as number) - (changed[last] as number) <= 2 * context) last++;
    const start = Math.max(0, (changed[cursor] as number) - context);
    const end = Math.min(script.length, (changed[last] as number) + context + 1);
    const skipped = script.slice(0, start);
    const hunk = script.slice(start, end);
    const oldStart = skipped.filter((line) => line.kind !== '+').length;
    const newStart = skipped.filter((line) => line.kind !== '-').length;
    const oldCount = hunk.filter((line) => line.kind !== '+').length;
    const newCount = hunk.filter((line) => line.kind !== '-').length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`);
    for (const line of hunk) {
      out.push(line.kind + line.text + (line.text.endsWith('\n') ? '' : '\n\\ No newline at end of file\n'));
    }
    cursor = last + 1;
  }
  return out.join('');
}

function range(start: number, count: number): string {
  return count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`;
}

function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Myers' O(ND) line diff: the shortest script of kept, removed and added lines. */
function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const max = a.length + b.length;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= a.length && y >= b.length) {
        found = true;
        break;
      }
    }
  }
  const script: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const previous = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && previous[offset + k - 1]! < previous[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = previous[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      script.push({ kind: ' ', text: a[--x]! });
      y--;
    }
    if (d > 0) {
      if (down) script.push({ kind: '+', text: b[--y]! });
      else script.push({ kind: '-', text: a[--x]! });
    }
  }
  return script.reverse();
}
