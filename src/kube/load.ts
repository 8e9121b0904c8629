import { isUtf8 } from 'node:buffer';
import { constants, openSync, readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { dirname, extname, join, resolve } from 'node:path';
import { parseDocument, parseStream, partIndexAt, SecondJsonValueError, splitDocuments, YamlSyntaxError, type DocumentText, type ParsedDocument } from './documents.js';
import { fileErrorReason } from './files.js';
import { kustomizationFile, readKustomization, renderKustomization } from './kustomize.js';
import { listItems, namedProblem, objectProblemAt, toKubeObject, type ObjectProblem } from './object.js';
import { normalizeObject } from './normalize.js';
import type { InputProblem, JsonObject, KubeObject } from './types.js';
import { YamlLines } from './yaml-lines.js';

export const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Files larger than this are refused with a message rather than read into memory. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface LoadOptions {
  /** Reads standard input, for the `-` input. */
  readonly readStdin?: () => Promise<string>;
  readonly maxFileBytes?: number;
  /** The command used to render kustomizations (default: kubectl). */
  readonly kubectl?: string;
  /** Inputs that a folder walk found (walkManifestTree), not named by the user: read as a walked folder's files are. */
  readonly walkedFiles?: ReadonlySet<string>;
  /** The inputs are a cluster's dump that this command writes, as kaji capacity reads them (see StreamOptions.dump). @default none: manifests */
  readonly dump?: string;
}

/**
 * Where reading puts the objects (in input order) and the problems it finds. A
 * LoadResult collects them; `kaji check` passes a sink that audits each object
 * as it comes, so that the objects need not all stay in memory.
 */
export interface LoadSink {
  readonly objects: { push(object: KubeObject): unknown };
  readonly problems: InputProblem[];
  /** Receives each file's text as read (`kaji fix` edits that text, so a file is read once). */
  readonly fileText?: (file: string, text: string) => void;
  /** What a folder walk left out that the user may look for; see WalkSkips. */
  readonly skipped?: WalkSkips;
}

/**
 * What a folder walk leaves out, for a note. A file no document of which has
 * an apiVersion or a kind is no manifest (platform.yaml, package.json, a CDK
 * app's JSON): Polaris's folder walk takes such a document as an object no
 * check applies to, and says nothing; reporting each as a missing kind would
 * bury the real problems. A named file is read as it is, with its problems.
 * A symbolic link to a folder is not walked into (nor does Polaris's walk):
 * a link may lead back up the tree. Below the folder named, generated output
 * is not walked into either (see GeneratedFolders); a folder named is read.
 */
export interface WalkSkips {
  readonly notManifests: string[];
  readonly folderLinks: string[];
  /** Given, these receive the folders of generated output left out (a sink without them is not told). */
  readonly synthOutputs?: string[];
  readonly cloudAssemblies?: string[];
}

/**
 * What kaji and the CDK generate into a platform's folder (what the
 * .gitignore of `kaji init` keeps out of the repository). A walk of the
 * platform's folder reads the sources under manifests/; walking these too
 * would count synth's copy of every object again, or read a Lambda asset's
 * files as manifests.
 */
export interface GeneratedFolders {
  /** kaji synth's --out folders (one holding the summary.json kaji synth writes): the manifests it rendered, again. */
  readonly synthOutputs: string[];
  /** CDK cloud assemblies (a folder holding the CDK's `cdk.out` version file): CloudFormation and assets. */
  readonly cloudAssemblies: string[];
}

export interface LoadResult extends LoadSink {
  readonly objects: KubeObject[];
}

/**
 * Reads every input (files, directories recursively, `-` for stdin) into
 * normalised Kubernetes objects. An input that cannot be read becomes a problem
 * and the others are still read. A directory holding a kustomization is
 * rendered with `kubectl kustomize` instead of being read file by file.
 */
export async function loadInputs(inputs: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { objects: [], problems: [] };
  await readInputs(inputs, result, options);
  return result;
}

/** Reads every input as `loadInputs` does, into a sink. */
export async function readInputs(inputs: readonly string[], sink: LoadSink, options: LoadOptions = {}): Promise<void> {
  for (const input of inputs) {
    if (input === '-') {
      let text: string;
      try {
        text = await (options.readStdin ?? readStandardInput)();
      } catch (error) {
        if (!(error instanceof StandardInputError)) throw error;
        sink.problems.push({ file: STDIN_NAME, message: error.message });
        continue;
      }
      addStream(sink, text, STDIN_NAME, { dump: options.dump });
    } else {
      await loadPath(sink, input, options);
    }
  }
}

async function loadPath(result: LoadSink, path: string, options: LoadOptions): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    result.problems.push({ file: path, message: 'no such file or directory' });
    return;
  }
  if (info.isDirectory()) return loadDirectory(result, path, options);
  const content = info.isFIFO() ? await readPipe(path, options) : readManifest(path, options);
  addFile(result, path, content, options.walkedFiles?.has(path) ?? false, options.dump);
}

/**
 * Reads a pipe named as an input (`<(kustomize build …)`, a named pipe) on the
 * event loop, as a socket of a descriptor opened without blocking: read like
 * a file, the wait for its writer would hold kaji's only thread, and Ctrl-C
 * or SIGTERM would not stop it (the exit waits for libuv's threads too).
 */
async function readPipe(path: string, options: LoadOptions): Promise<FileContent> {
  const limit = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let socket: Socket;
  try {
    socket = new Socket({ fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
  } catch (error) {
    return unreadable(error);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of socket as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      socket.destroy();
      return { problem: `holds over the ${formatMiB(limit)} limit; split it into smaller files` };
    }
    chunks.push(chunk);
  }
  return manifestContent(Buffer.concat(chunks));
}

type FileContent = { text: string } | { problem: string };

/** A manifest file's bytes as its text, or why they are none (not UTF-8). */
function manifestContent(bytes: Buffer): FileContent {
  const text = utf8Text(bytes);
  return text === undefined ? { problem: `not ${NOT_UTF8}; save it as UTF-8` } : { text };
}

function unreadable(error: unknown): FileContent {
  return { problem: `cannot read the file: ${fileErrorReason(error as NodeJS.ErrnoException)}` };
}

/**
 * Reads a manifest file, refusing one over the size limit without reading it.
 * Synchronously: manifests are small and usually in the page cache (a fresh
 * checkout), and handing each file to libuv's threads cost more than reading
 * it (measured: 100 files of 35 KB, 20 ms more with fs/promises and read-ahead).
 */
function readManifest(path: string, options: LoadOptions): FileContent {
  const limit = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  try {
    const { size } = statSync(path);
    if (size > limit) return { problem: `file is ${formatMiB(size)}, over the ${formatMiB(limit)} limit; split it into smaller files` };
    return manifestContent(readFileSync(path));
  } catch (error) {
    return unreadable(error);
  }
}

function addFile(result: LoadSink, path: string, content: FileContent, walked: boolean, dump?: string): void {
  if ('problem' in content) return void result.problems.push({ file: path, message: content.problem });
  result.fileText?.(path, content.text);
  addStream(result, content.text, path, { skipUnlessManifest: walked, dump });
}

async function loadDirectory(result: LoadSink, directory: string, options: LoadOptions): Promise<void> {
  const tree = await walkManifestTree(directory);
  result.problems.push(...tree.problems);
  result.skipped?.folderLinks.push(...tree.folderLinks);
  result.skipped?.synthOutputs?.push(...tree.synthOutputs);
  result.skipped?.cloudAssemblies?.push(...tree.cloudAssemblies);
  const included = await includedKustomizations(tree.kustomizations);
  for (const kustomization of tree.kustomizations) {
    if (included.has(resolve(dirname(kustomization)))) continue;
    try {
      addStream(result, await renderKustomization(dirname(kustomization), options.kubectl), kustomization, { fixedLine: 1 });
    } catch (error) {
      result.problems.push({ file: kustomization, message: (error as Error).message });
    }
  }
  for (const file of tree.files) addFile(result, file, readManifest(file, options), true, options.dump);
}

export interface ManifestTree extends GeneratedFolders {
  /** Kustomization files; the walk does not go below their directories. */
  readonly kustomizations: string[];
  /** Manifest files, symbolic links to files among them (as Polaris's walk reads them). */
  readonly files: string[];
  /** Those of `files` that are symbolic links. */
  readonly links: Set<string>;
  /** Symbolic links to folders, not walked into (see WalkSkips). */
  readonly folderLinks: string[];
  /** Folders that could not be listed, each an input problem: the rest of the tree is still walked. */
  readonly problems: InputProblem[];
}

/** Lists manifest files and kustomizations below a directory, in name order. */
export async function walkManifestTree(directory: string): Promise<ManifestTree> {
  const tree: ManifestTree = { kustomizations: [], files: [], links: new Set(), folderLinks: [], problems: [], synthOutputs: [], cloudAssemblies: [] };
  await walkFolder(directory, tree, true);
  return tree;
}

async function walkFolder(directory: string, tree: ManifestTree, named: boolean): Promise<void> {
  const kustomization = kustomizationFile(directory);
  if (kustomization) {
    tree.kustomizations.push(kustomization);
    return;
  }
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    tree.problems.push({ file: directory, message: `cannot list the folder: ${fileErrorReason(error as NodeJS.ErrnoException)}` });
    return;
  }
  const generated = named ? undefined : generatedKind(directory, (name) => entries.some((entry) => entry.name === name && entry.isFile()));
  if (generated === 'cloudAssembly') return void tree.cloudAssemblies.push(directory);
  if (generated === 'synthOutput') return void tree.synthOutputs.push(directory);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walkFolder(path, tree, false);
    else if (entry.isSymbolicLink()) {
      // A link to nothing is read as a file named like a manifest, and so reported.
      if ((await stat(path).catch(() => undefined))?.isDirectory()) tree.folderLinks.push(path);
      else if (MANIFEST_EXTENSIONS.has(extname(entry.name))) {
        tree.files.push(path);
        tree.links.add(path);
      }
    } else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name))) tree.files.push(path);
  }
}

/** A folder of generated output (see GeneratedFolders), and which kind. */
export interface GeneratedFolder {
  readonly kind: 'synthOutput' | 'cloudAssembly';
  readonly folder: string;
}

/**
 * The folder of generated output that `path` is or lies in (the nearest), as the walk tells one;
 * undefined for a path in none. kaji fix edits nothing there: the next kaji synth (or cdk synth)
 * writes it again. `known` keeps what was found per folder, for a run that asks of many paths.
 */
export function generatedFolderOf(path: string, known = new Map<string, GeneratedFolder | null>()): GeneratedFolder | undefined {
  for (let folder = resolve(path); ; folder = dirname(folder)) {
    let found = known.get(folder);
    if (found === undefined) {
      const kind = generatedKind(folder, (name) => isFileAt(join(folder, name)));
      found = kind === undefined ? null : { kind, folder };
      known.set(folder, found);
    }
    if (found !== null) return found;
    if (dirname(folder) === folder) return undefined;
  }
}

/** Which generated output `folder` is, if any: a CDK cloud assembly (its cdk.out file) or kaji synth's output (its summary.json). */
function generatedKind(folder: string, holdsFile: (name: string) => boolean): GeneratedFolder['kind'] | undefined {
  if (holdsFile('cdk.out')) return 'cloudAssembly';
  if (holdsFile('summary.json') && isSynthSummary(join(folder, 'summary.json'))) return 'synthOutput';
  return undefined;
}

function isFileAt(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether the file is a summary.json as kaji synth writes it: an object naming the platform and listing its clusters. */
function isSynthSummary(file: string): boolean {
  try {
    if (statSync(file).size > DEFAULT_MAX_FILE_BYTES) return false;
    const summary = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof summary === 'object' && summary !== null && 'platform' in summary && typeof summary.platform === 'string' && 'clusters' in summary && Array.isArray(summary.clusters);
  } catch {
    return false; // unreadable or no JSON: not synth's, and walked as any folder, its file told as what it is
  }
}

/**
 * Directories that another kustomization of the same tree builds on (its
 * `resources`, `bases` or `components`). Only the others are rendered, so an
 * overlay's objects are checked once, as deployed, and not again as its base.
 */
async function includedKustomizations(kustomizations: readonly string[]): Promise<Set<string>> {
  const included = new Set<string>();
  for (const file of kustomizations) {
    // A broken kustomization includes nothing here: kubectl reports it when it renders it.
    for (const { entry } of (await readKustomization(file))?.entries ?? []) included.add(resolve(dirname(file), entry));
  }
  return new Set([...included].filter((directory) => kustomizations.some((file) => resolve(dirname(file)) === directory)));
}

interface StreamOptions {
  /** Report every object at this line (rendered output has no lines of its own in the user's files). */
  readonly fixedLine?: number;
  /** Leave the stream out (into `skipped`) when no document of it has an apiVersion or a kind: a walked folder's file that is no manifest. */
  readonly skipUnlessManifest?: boolean;
  /**
   * The stream is a cluster's dump that this command writes (`kubectl get nodes,pods -A -o json`, which kaji
   * capacity reads): a problem names its object (the kind's namespace/name), as one line of compact JSON holds them
   * all; quantities stay as written, so a reader that judges them itself quotes the value the file holds; and a file
   * holding two JSON values is told to be written by one run of the command. @default none: manifests
   */
  readonly dump?: string;
}

/** Whether a parsed document says it is meant as a Kubernetes object (or a List of them). */
function looksLikeObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && ('apiVersion' in value || 'kind' in value);
}

/** Parses a multi-document YAML or JSON stream and adds its objects (or problems) to the result. */
export function addStream(result: LoadSink, text: string, file: string, options: StreamOptions = {}): void {
  let documents: ParsedDocument[];
  let parsed = true;
  try {
    documents = parseStream(text);
  } catch {
    documents = parseEachDocument(result, text, file, options);
    parsed = false; // a broken file may be a broken manifest: its problems are told, as a named file's are
  }
  if (options.skipUnlessManifest && parsed && !documents.some((document) => looksLikeObject(document.value))) {
    // An empty file is no object and needs no note.
    if (documents.some((document) => document.value !== null && document.value !== undefined)) result.skipped?.notManifests.push(file);
    return;
  }
  let lines: StreamLines | undefined;
  for (const document of documents) {
    if (document.value === null || document.value === undefined) continue;
    const line = options.fixedLine ?? document.line;
    const items = listItems(document.value);
    const count = items ? items.length : 1;
    for (let index = 0; index < count; index++) {
      const item = items ? items[index] : document.value;
      const problem = objectProblemAt(item);
      if (problem === undefined) {
        result.objects.push(toKubeObject(options.dump ? (item as JsonObject) : normalizeObject(item as JsonObject), { file, line }));
        continue;
      }
      // The line of the field at fault, worked out only now: the text is read again for it.
      const at = options.fixedLine ?? (lines ??= new StreamLines(text)).lineOf(document.line, items ? ['items', index, ...problem.path] : problem.path);
      result.problems.push({ file, line: at, message: options.dump ? namedProblem(item, problem.message) : problem.message });
    }
  }
}

/**
 * Lines of fields in a stream's text, for problems: the stream is split into
 * its documents once, and a document is parsed again (with positions) only
 * when one of its objects has a problem. Problems come in document order, so
 * only the last document parsed is kept (a List's items share it).
 */
class StreamLines {
  private documents?: DocumentText[];
  private last?: { readonly document: DocumentText; readonly lines: YamlLines };

  constructor(private readonly text: string) {}

  /** The line of `path` in the document whose content starts at `documentLine`; that line when the path is empty or not found. */
  lineOf(documentLine: number, path: ObjectProblem['path']): number {
    if (path.length === 0) return documentLine;
    const documents = (this.documents ??= splitDocuments(this.text));
    const document = documents[partIndexAt(documents, documentLine)];
    if (!document) return documentLine;
    if (this.last?.document !== document) this.last = { document, lines: new YamlLines(document.text) };
    const found = this.last.lines.lineOf(path);
    return found === undefined ? documentLine : document.startLine + found - 1;
  }
}

/** The slow path for a stream with a syntax error: each document on its own, so one broken document costs only itself. */
function parseEachDocument(result: LoadSink, text: string, file: string, options: StreamOptions): ParsedDocument[] {
  const parsed: ParsedDocument[] = [];
  for (const document of splitDocuments(text)) {
    try {
      parsed.push({ value: parseDocument(document), line: document.contentLine });
    } catch (error) {
      const at = error instanceof YamlSyntaxError ? error.line : document.contentLine;
      const message = error instanceof SecondJsonValueError && options.dump ? error.writtenBy(options.dump) : (error as Error).message;
      result.problems.push({ file, line: options.fixedLine ?? at, message });
    }
  }
  return parsed;
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const NOT_UTF8 = 'UTF-8 text (another encoding, or not a text file)';

/**
 * The text of UTF-8 bytes, or undefined when they are not UTF-8: decoded as is,
 * other bytes would become U+FFFD, checked as something else (and written so by
 * kaji fix). A BOM stays in the text, so kaji fix writes it back.
 */
function utf8Text(bytes: Buffer): string | undefined {
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

/** How reports name standard input. */
export const STDIN_NAME = '<stdin>';

/** Standard input that cannot be read as manifests: an input problem, as an unreadable file is. */
export class StandardInputError extends Error {
  override readonly name = 'StandardInputError';
}

/** All of standard input, as UTF-8 text; StandardInputError when it is not UTF-8. */
export async function readStandardInput(stream: AsyncIterable<Buffer | string> = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const text = utf8Text(Buffer.concat(chunks));
  if (text === undefined) throw new StandardInputError(`standard input is not ${NOT_UTF8}; convert it to UTF-8`);
  return text;
}
