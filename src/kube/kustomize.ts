import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { splitDocuments } from './documents.js';
import { renderedOnce } from './render-cache.js';
import { runStoppable, StoppableRunError, type StoppableRun } from './stoppable.js';
import { displayPath, fileLine } from './files.js';
import { isObject } from './podspec.js';
import type { JsonObject, JsonValue } from './types.js';
import { pathText, YamlLines, type PathSegment } from './yaml-lines.js';

/** The file names kustomize accepts for a kustomization, in its order of preference. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The kustomization file of a directory, if it has one. */
export function kustomizationFile(directory: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(directory, name)).find((file) => existsSync(file));
}

/**
 * How kustomize reaches a value it loads, which decides when it reaches outside
 * the repository (checked against kubectl's kustomize v5.5: each field below
 * fetched a URL from a local HTTP server):
 * - 'kustomization': a file, or a folder with a kustomization; a URL or git
 *   reference (judged by shape, see isRemoteEntry) is fetched or cloned;
 * - 'file': a file; an http(s) URL is fetched;
 * - 'keyed file': the same, written PATH or KEY=PATH (a generator's files);
 * - 'chart repository': where kustomize (with Helm enabled, as Argo CD can
 *   run it) pulls a chart that is not in the chart home.
 */
export type LoadKind = 'kustomization' | 'file' | 'keyed file' | 'chart repository';

/** A field's path (keys, with [] for each item of a list) and how kustomize loads its values. */
type LoadedField = readonly [pattern: string, loads: LoadKind];

const GENERATOR_SOURCES: readonly LoadedField[] = [
  ['files[]', 'keyed file'],
  ['envs[]', 'file'],
  ['env', 'file'],
];
const HELM_CHART: readonly LoadedField[] = [
  ['repo', 'chart repository'],
  ['valuesFile', 'file'],
  ['additionalValuesFiles[]', 'file'],
];
const under = (prefix: string, fields: readonly LoadedField[]): LoadedField[] => fields.map(([pattern, loads]) => [`${prefix}.${pattern}`, loads]);

/** The fields that name another kustomization or a built-in generator's or transformer's configuration. */
const KUSTOMIZATION_ENTRY_FIELDS = ['resources', 'bases', 'components'] as const;
const PLUGIN_ENTRY_FIELDS = ['generators', 'transformers', 'validators'] as const;

/** Every kustomization field whose values kustomize loads. */
const KUSTOMIZATION_LOADS: readonly LoadedField[] = [
  ...[...KUSTOMIZATION_ENTRY_FIELDS, ...PLUGIN_ENTRY_FIELDS].map((field): LoadedField => [`${field}[]`, 'kustomization']),
  ['patches[].path', 'file'],
  ['patchesStrategicMerge[]', 'file'], // or a patch written in place, which is not a URL
  ['patchesJson6902[].path', 'file'],
  ['replacements[].path', 'file'],
  ['configurations[]', 'file'],
  ['crds[]', 'file'],
  ['openapi.path', 'file'],
  ...under('configMapGenerator[]', GENERATOR_SOURCES),
  ...under('secretGenerator[]', GENERATOR_SOURCES),
  ...under('helmCharts[]', HELM_CHART),
  ['helmChartInflationGenerator[].chartRepoUrl', 'chart repository'],
  ['helmChartInflationGenerator[].values', 'file'],
];

/** The same for the built-in generators and transformers configured by a generators, transformers or validators entry. */
const PLUGIN_LOADS: Readonly<Record<string, readonly LoadedField[]>> = {
  PatchTransformer: [['path', 'file']],
  PatchJson6902Transformer: [['path', 'file']],
  PatchStrategicMergeTransformer: [['paths[]', 'file']],
  ReplacementTransformer: [['replacements[].path', 'file']],
  ConfigMapGenerator: GENERATOR_SOURCES,
  SecretGenerator: GENERATOR_SOURCES,
  HelmChartInflationGenerator: HELM_CHART,
};

/** A string value kustomize loads, with where it stands in its document. */
export interface LoadedValue {
  readonly path: readonly PathSegment[];
  readonly value: string;
  readonly loads: LoadKind;
}

/** One string entry of a resources, bases or components field, with where it stands. */
export interface KustomizationEntry {
  readonly field: (typeof KUSTOMIZATION_ENTRY_FIELDS)[number];
  readonly index: number;
  readonly entry: string;
}

/**
 * A kustomization's value as kustomize reads it: its first document only (what
 * follows is never parsed, so it may even be broken YAML), a key given twice
 * holding its last value, `<<` merging. Throws when that document is not YAML.
 */
function firstDocument(text: string): JsonValue {
  const [first] = parseAllDocuments(text, { uniqueKeys: false, merge: true });
  if (first === undefined) return null;
  if (first.errors.length > 0) throw first.errors[0];
  // No cap on aliases, as kustomize and js-yaml have none: a kustomization of 100 patches sharing one
  // anchored target is ordinary, and one the reader gave up on would hide its remote entries.
  return first.toJS({ maxAliasCount: -1 }) as JsonValue;
}

/**
 * A kustomization file's text, whether it is a Component (`kind: Component`:
 * kustomize takes it under components only, and other kustomizations never
 * there), its resources, bases and components entries, and every value it has
 * kustomize load; undefined when it cannot be read or is not a YAML mapping
 * (kubectl reports that when it renders).
 */
export async function readKustomization(
  file: string,
): Promise<{ text: string; component: boolean; entries: KustomizationEntry[]; loads: LoadedValue[] } | undefined> {
  let text: string;
  let kustomization: JsonValue;
  try {
    text = await readFile(file, 'utf8');
    kustomization = firstDocument(text);
  } catch {
    return undefined;
  }
  if (!isObject(kustomization)) return undefined;
  const loads = loadedValues(kustomization, KUSTOMIZATION_LOADS);
  const entries = loads.flatMap(({ path: [written, index], value }) => {
    const field = KUSTOMIZATION_ENTRY_FIELDS.find((name) => sameField(name, String(written)));
    return field ? [{ field, index: index as number, entry: value }] : [];
  });
  return { text, component: fieldOf(kustomization, 'kind')?.[1] === 'Component', entries, loads };
}

/**
 * kustomize decodes a kustomization as Go's encoding/json does: a key names a field whatever
 * its letter case (`Resources:` is `resources:`), and of two such keys the later one holds.
 */
const sameField = (field: string, key: string): boolean => field.toLowerCase() === key.toLowerCase();

/** A mapping's key (as written) and value for `field`, matched as kustomize matches it (see sameField). */
function fieldOf(node: JsonObject, field: string): [string, JsonValue] | undefined {
  return Object.entries(node).findLast(([key]) => sameField(field, key));
}

function loadedValues(root: JsonValue, fields: readonly LoadedField[]): LoadedValue[] {
  return fields.flatMap(([pattern, loads]) => stringsUnder(root, pattern.split('.'), []).map(({ path, value }) => ({ path, value, loads })));
}

/** The strings at a field pattern's steps, each with its path. */
function stringsUnder(node: JsonValue | undefined, steps: readonly string[], path: PathSegment[]): { path: PathSegment[]; value: string }[] {
  const [step, ...rest] = steps;
  if (step === undefined) return typeof node === 'string' ? [{ path, value: node }] : [];
  const field = step.endsWith('[]') ? step.slice(0, -2) : step;
  const [key, child] = (isObject(node) ? fieldOf(node, field) : undefined) ?? [field, undefined];
  if (field === step) return stringsUnder(child, rest, [...path, key]);
  return Array.isArray(child) ? child.flatMap((item, index) => stringsUnder(item, rest, [...path, key, index])) : [];
}

/**
 * The shapes kustomize (kubectl's and Argo CD's, old and new) takes for a remote
 * file or repository. It tries a git reference before a local folder of the same
 * name, so an entry is judged by its shape, never by what exists on disk.
 */
const REMOTE_SHAPES: readonly RegExp[] = [
  /^[a-z][a-z0-9+.-]*:\/\//i, // https://, ssh://, git://, file://
  /^git::/i, // git's forced protocol
  /^[^/@:]+@[^/:]+:/, // scp-like: git@github.com:org/repo
  /^(github\.com|gitlab\.com|bitbucket\.org)([/:]|$)/i, // hosts cloned without a scheme
  /[?&](ref|version)=/, // a git ref
  /\/\/|\.git(\/|$)|(^|\/)_git\//, // repository//path, repo.git, Azure's _git/
];

/** Whether a resources, bases, components, generators, transformers or validators entry names something remote. */
export function isRemoteEntry(entry: string): boolean {
  return REMOTE_SHAPES.some((shape) => shape.test(entry.trim()));
}

/** kustomize's loader fetches a file whose path parses as a URL with the http or https scheme (Go lowercases the scheme). */
const REMOTE_FILE = /^https?:/i;

/** Whether kustomize fetches this value from outside the repository when it renders. */
function isFetched({ value, loads }: LoadedValue): boolean {
  switch (loads) {
    case 'kustomization':
      return isRemoteEntry(value);
    case 'file':
      return REMOTE_FILE.test(value);
    case 'keyed file':
      return REMOTE_FILE.test(value.slice(value.indexOf('=') + 1));
    case 'chart repository':
      return value.trim() !== '';
  }
}

/** A value kustomize would fetch from outside the repository, with the file and line it is written at. */
export interface RemoteLoad extends LoadedValue {
  readonly file: string;
  readonly line?: number;
  /** How a user finds it: "resources entry", "patches[0].path", "PatchTransformer path". */
  readonly field: string;
}

/**
 * Every value the kustomization in `directory`, and the local kustomizations
 * and generator or transformer configurations it builds on, would have
 * kustomize fetch from outside the repository. Reads files only, never the
 * network. A file that cannot be read or parsed is left to kubectl, which
 * reports it when it renders.
 */
export async function remoteLoads(directory: string): Promise<RemoteLoad[]> {
  return (await walkKustomizations(directory)).remote;
}

/**
 * The local kustomization folders (real paths) the kustomization in `directory` builds from, its
 * own first: all kustomize reads for it is in them (it refuses other files outside a folder).
 */
export async function kustomizationFolders(directory: string): Promise<string[]> {
  return (await walkKustomizations(directory)).folders;
}

/**
 * What the walk of a kustomization found: remoteLoads; the local kustomization folders kustomize
 * builds from (all it reads is in them: see render-cache.ts), by their real paths, as kustomize
 * follows symbolic links before it climbs `..`; and whether that list is certain to be whole.
 */
interface KustomizationWalk {
  readonly remote: RemoteLoad[];
  readonly root: string;
  readonly folders: string[];
  readonly whole: boolean;
}

async function walkKustomizations(directory: string): Promise<KustomizationWalk> {
  const found: RemoteLoad[] = [];
  const folders: string[] = [];
  let whole = true;
  const root = await realpath(directory).catch(() => resolve(directory));
  // configurations: a kustomization reached through generators, transformers or validators, whose files configure them
  const pending = [{ directory: root, configurations: false }];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const { directory: current, configurations } = pending.shift()!;
    const file = kustomizationFile(current);
    if (seen.has(`${configurations} ${current}`) || !file) continue; // a manifest file, or a missing folder kubectl reports
    seen.add(`${configurations} ${current}`);
    folders.push(current);
    const kustomization = await readKustomization(file);
    if (!kustomization) {
      whole = false; // what it builds on is not known (kubectl reports it, or renders it after all)
      continue;
    }
    const lines = new YamlLines(kustomization.text); // parsed only when something is found
    // What this kustomization has fetched, in the order of the lines that name it.
    const here: { line?: number; remote: RemoteLoad[] }[] = [];
    for (const loaded of kustomization.loads) {
      const configures = loaded.loads === 'kustomization' && (configurations || PLUGIN_ENTRY_FIELDS.some((field) => sameField(field, String(loaded.path[0]))));
      // Written in place, a configuration may hold a URL of its own: only its fields are judged.
      const inline = configures ? configurationsWrittenIn(loaded.value) : undefined;
      // An entry that reads as YAML and names a path too: kustomize may take either.
      if (inline && existsSync(resolve(current, loaded.value))) whole = false;
      let remote: RemoteLoad[];
      if (inline) {
        remote = inline.flatMap((configuration) => remoteLoadsOf(configuration).map((value) => ({ ...value, file, line: lines.lineOf(loaded.path) })));
      } else if (isFetched(loaded)) {
        remote = [{ ...loaded, file, line: lines.lineOf(loaded.path), field: fieldName(loaded.path) }];
      } else if (loaded.loads === 'kustomization') {
        const target = await realpath(resolve(current, loaded.value)).catch(() => undefined);
        if (target === undefined) {
          whole = false; // nothing there (kubectl reports it), or a link to nothing
          continue;
        }
        pending.push({ directory: target, configurations: configures });
        remote = configures ? await remoteLoadsInConfigurationFile(target) : [];
      } else {
        remote = [];
      }
      if (remote.length > 0) here.push({ line: lines.lineOf(loaded.path), remote });
    }
    found.push(...here.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).flatMap(({ remote }) => remote));
  }
  return { remote: found, root, folders, whole };
}

/** A generators, transformers or validators entry written as YAML in place (kustomize reads it so before trying a path). */
function configurationsWrittenIn(entry: string): JsonValue[] | undefined {
  try {
    const documents = loadAll(entry) as JsonValue[];
    return documents.some(isObject) ? documents : undefined;
  } catch {
    return undefined;
  }
}

/** The remote values of one built-in generator's or transformer's configuration (other kinds: kubectl refuses them as plugins). */
function remoteLoadsOf(configuration: JsonValue): Omit<RemoteLoad, 'file' | 'line'>[] {
  const kind = isObject(configuration) ? configuration.kind : undefined;
  const fields = typeof kind === 'string' && Object.hasOwn(PLUGIN_LOADS, kind) ? PLUGIN_LOADS[kind]! : [];
  return loadedValues(configuration, fields)
    .filter(isFetched)
    .map((loaded) => ({ ...loaded, field: `${kind as string} ${fieldName(loaded.path)}` }));
}

/** The remote values of the configurations in a file (nothing for a folder or a file that cannot be read). */
async function remoteLoadsInConfigurationFile(file: string): Promise<RemoteLoad[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  return splitDocuments(text).flatMap((document) => {
    let configuration: JsonValue;
    try {
      configuration = load(document.text) as JsonValue;
    } catch {
      return [];
    }
    const lines = new YamlLines(document.text);
    return remoteLoadsOf(configuration).map((remote) => {
      const line = lines.lineOf(remote.path);
      return { ...remote, file, line: line === undefined ? document.contentLine : document.startLine + line - 1 };
    });
  });
}

/** "resources entry" for an item of a top-level list, else the path as written: "patches[0].path". */
function fieldName(path: readonly PathSegment[]): string {
  if (path.length === 2 && typeof path[1] === 'number') return `${path[0]} entry`;
  return pathText(path);
}

/** What a remote value is, in words: '<field> "<value>" is fetched from outside the repository when rendered'. */
export function remoteLoadText(remote: RemoteLoad): string {
  const what = `${remote.field} "${remote.value}"`;
  if (remote.loads === 'chart repository') return `${what} is a chart repository kustomize pulls the chart from when rendered with Helm enabled (as Argo CD can be set up), outside the manifest repository`;
  return `${what} is fetched from outside the manifest repository when rendered`;
}

/** What to do about a remote value, by how kustomize loads it. */
export const VENDOR_ADVICE: Readonly<Record<LoadKind, string>> = {
  kustomization: 'vendor its files into the repository and name them by a local path',
  file: 'vendor the file into the repository and name it by a local path',
  'keyed file': 'vendor the file into the repository and name it by a local path',
  'chart repository': 'vendor the chart into the repository (helm pull --untar into the chart home, charts/ by default) and remove this field',
};

/** A failure to render a kustomization, with a message a user can act on. */
export class KustomizeError extends Error {}

/** A kustomization refused unrendered: kustomize would fetch `remote` from outside the repository. */
export class RemoteLoadsError extends KustomizeError {
  constructor(readonly remote: readonly RemoteLoad[]) {
    const named = remote.map((load) => `${fileLine(displayPath(load.file), load.line)}: ${load.field} "${load.value}" (${VENDOR_ADVICE[load.loads]})`);
    super(`not rendered, as kustomize would fetch from outside the repository (kaji fetches nothing, so that it checks what the repository holds): ${named.join('; ')}`);
  }
}

/**
 * Renders a kustomization directory with `kubectl kustomize` (the kustomize
 * built into kubectl, which is what Argo CD users have at hand). One that would
 * have kustomize fetch from outside the repository (see remoteLoads) is
 * refused instead (RemoteLoadsError), naming each such value: kaji, run in CI, never fetches, so
 * what it checks is what the repository holds.
 */
export async function renderKustomization(directory: string, kubectl?: string): Promise<string> {
  const walk = await walkKustomizations(directory);
  if (walk.remote.length > 0) throw new RemoteLoadsError(walk.remote);
  const render = () => runKubectlKustomize(directory, kubectl);
  return walk.whole ? renderedOnce(walk.root, walk.folders, kubectlProgram(kubectl), render) : render();
}

/** The kubectl that renders: --kubectl, else KAJI_KUBECTL, else kubectl from PATH. */
const kubectlProgram = (given: string | undefined): string => given ?? process.env.KAJI_KUBECTL ?? 'kubectl';

/**
 * kubectl is not there: the same for every kustomization, so a caller rendering many may stop at the first.
 * The message says where the program's name came from, as that is what to change.
 */
export class KubectlNotFoundError extends KustomizeError {
  constructor(given: string | undefined) {
    const fromEnvironment = given === undefined ? process.env.KAJI_KUBECTL : undefined;
    super(
      given !== undefined
        ? `kubectl not found: there is no program ${JSON.stringify(given)} (--kubectl); give the path of an installed kubectl`
        : fromEnvironment !== undefined
          ? `kubectl not found: there is no program ${JSON.stringify(fromEnvironment)} (KAJI_KUBECTL); set KAJI_KUBECTL to kubectl's path, or unset it to use kubectl from PATH`
          : 'kubectl not found: install it (it includes kustomize), or give its path in KAJI_KUBECTL (or --kubectl, where the command has it)',
    );
  }
}

/** kubectl's output is read into memory; more than this is refused rather than exhausting it. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

async function runKubectlKustomize(directory: string, given: string | undefined): Promise<string> {
  let run: StoppableRun;
  try {
    run = await runStoppable(kubectlProgram(given), ['kustomize', directory], { maxOutputBytes: MAX_OUTPUT_BYTES });
  } catch (error) {
    if (!(error instanceof StoppableRunError)) throw error;
    if (error.errorCode !== 'ENOENT') throw new KustomizeError(`kubectl kustomize failed: ${error.message}`);
    throw new KubectlNotFoundError(given);
  }
  if (run.code === 0) return run.stdout;
  const error = kubectlError(run.stderr);
  const reason = error === undefined ? (run.signal ? `stopped by ${run.signal}` : `exit code ${run.code}`) : kustomizeReason(error, resolve(directory));
  throw new KustomizeError(`kubectl kustomize failed: ${reason}`);
}

/** klog's header of a multi-line error: `E1129 20:13:58.810325   10050 run.go:72] "command failed" err=<`. */
const KLOG_BLOCK_START = /^[IWEF]\d{4} [\d:.]+\s+\d+ [^\]]*\] "command failed" err=<$/;

/**
 * kubectl's error from its standard error: its last line, or, when klog printed the error as a block
 * (`err=<`, tab-indented lines, ` >`: kustomize's errors that quote a configuration), the block's lines
 * joined into one.
 */
function kubectlError(stderr: string): string | undefined {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const start = lines.findLastIndex((line) => KLOG_BLOCK_START.test(line));
  if (start < 0) return lines.pop();
  const block = lines.slice(start + 1).filter((line) => line.trim() !== '>');
  return block.map((line) => line.trim()).join(' ');
}

/** klog's line header (`E1129 20:13:58.810325   10050 run.go:72] `) and kubectl's `"command failed" err="…"` around kustomize's error. */
const KLOG_LINE = /^[IWEF]\d{4} [\d:.]+\s+\d+ [^\]]*\] (?:"command failed" err="(.*)"|(.*))$/s;

/**
 * kustomize's error for a failed render, led by the file (and line, when kustomize gives one) and
 * the reason: kubectl prints it as a klog line whose end names the file, after the chain of
 * kustomizations it went through. Whatever is not recognised is kept, without klog's header.
 */
export function kustomizeReason(stderrLine: string, directory: string): string {
  const wrapped = KLOG_LINE.exec(stderrLine);
  const error = wrapped ? (wrapped[1] !== undefined ? wrapped[1].replace(/\\(["\\])/g, '$1') : wrapped[2]!) : stderrLine;
  // The innermost kustomization folder kustomize was in when it failed.
  const folders = [...error.matchAll(/(?:recursed accumulation of|couldn't make target for) path '([^']+)'/g)].map((match) => match[1]!);
  const folder = folders.at(-1) ?? directory;
  const malformed = /MalformedYAMLError: yaml: line (\d+): (.*) in File: (.+)$/.exec(error);
  if (malformed) return `${fileLine(displayPath(resolve(folder, malformed[3]!)), Number(malformed[1]))}: ${malformed[2]}`;
  const kustomizationFile = displayPath(join(folder, KUSTOMIZATION_FILES.find((name) => existsSync(join(folder, name))) ?? KUSTOMIZATION_FILES[0]));
  if (/must specify --enable-helm$/.test(error)) {
    return `${kustomizationFile}: helmCharts needs kustomize's --enable-helm, which neither kaji nor the platform's Argo CD renders with: commit the chart's manifests (helm template) instead`;
  }
  const invalid = /invalid Kustomization: (?:yaml: line (\d+): )?(.*)$/.exec(error);
  if (invalid) return `${fileLine(kustomizationFile, invalid[1] ? Number(invalid[1]) : undefined)}: ${invalid[2]}`;
  const missing = /accumulating resources from '([^']+)': evalsymlink failure on '([^']+)' : lstat [^:]+: (no such file or directory)/.exec(error);
  if (missing) return `${kustomizationFile}: resources: "${missing[1]}": ${displayPath(missing[2]!)}: ${missing[3]}`;
  return folders.length > 0 ? `${kustomizationFile}: ${error.slice(error.lastIndexOf(`path '${folder}': `) + `path '${folder}': `.length)}` : error;
}
