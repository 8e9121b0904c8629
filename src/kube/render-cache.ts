// A kaji run renders the same kustomization more than once: blue's and green's
// overlays are copies of each other, a release pushed after another re-checks
// the service on the new base, each upgrade step renders the same commit again.
// Within one process, a render is kept by what kustomize reads, and kubectl runs
// only for what it has not rendered yet.
//
// What kustomize reads: under kubectl's load restrictor (root only, which kaji
// never changes) a kustomization loads files only from its own folder and below,
// and other folders only as kustomizations of their own. So the files under
// each local kustomization folder reached, with each folder's place relative to
// the one rendered, decide the output; where the tree is on disk does not (the
// origin annotations kustomize can add name relative paths). Rendered each time:
// a folder holding a symbolic link or something other than files and folders,
// or too large to read quickly; a kustomization whose folders the walk cannot
// be sure of (kustomize.ts: walkKustomizations). Not kept: a failed render
// (its message names absolute paths, and it may have failed for a reason
// outside the files), and one whose files changed while kubectl read them.
import { createHash, type Hash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { compareCodePoints } from './records.js';

/** Past these, reading the folders would cost more than kubectl saves. */
const MAX_FILES = 2000;
const MAX_BYTES = 32 * 1024 * 1024;
/** The renders kept, in characters; the oldest go first. */
const MAX_KEPT_CHARS = 64 * 1024 * 1024;

/** Renders under way and kept, by key, oldest first; `chars` is set once one is kept. */
const renders = new Map<string, { readonly output: Promise<string>; chars?: number }>();
let keptChars = 0;

/**
 * `render()`'s output for the kustomization in `directory` (building on
 * `folders`, as the walk found them, all by their real paths) with kubectl
 * `program`: kept from an earlier render of the same files by the same
 * program, or rendered now.
 */
export async function renderedOnce(directory: string, folders: readonly string[], program: string, render: () => Promise<string>): Promise<string> {
  const key = await inputsDigest(directory, folders, program);
  if (key === undefined) return render();
  const earlier = renders.get(key);
  if (earlier) return earlier.output;
  const rendering: { readonly output: Promise<string>; chars?: number } = { output: render() };
  renders.set(key, rendering); // a second render of the same files meanwhile waits for this one
  let output: string;
  try {
    output = await rendering.output;
  } catch (error) {
    renders.delete(key);
    throw error;
  }
  // Files changed while kubectl read them: its output may be of either content, so none is kept.
  if ((await inputsDigest(directory, folders, program)) !== key) renders.delete(key);
  else keep(rendering, output.length);
  return output;
}

/** Counts a render as kept, then lets the oldest kept ones go while past MAX_KEPT_CHARS. */
function keep(rendering: { chars?: number }, chars: number): void {
  rendering.chars = chars;
  keptChars += chars;
  for (const [key, { chars: size }] of renders) {
    if (keptChars <= MAX_KEPT_CHARS) break;
    if (size === undefined) continue; // under way
    renders.delete(key);
    keptChars -= size;
  }
}

/** A digest of the program and of every file under the folders, by path relative to `directory`; undefined: not to be kept. */
async function inputsDigest(directory: string, folders: readonly string[], program: string): Promise<string | undefined> {
  // A program named without a folder is found on PATH; one with a relative folder, from the working folder.
  const found = isAbsolute(program) ? '' : program.includes(sep) ? process.cwd() : `${process.env.PATH} ${process.cwd()}`;
  const hash = createHash('sha256').update(`${program}\0${found}\0`);
  const budget = { files: MAX_FILES, bytes: MAX_BYTES };
  const places = folders.map((folder) => ({ folder, place: relative(resolve(directory), folder) })).sort((a, b) => compareCodePoints(a.place, b.place));
  for (const { folder, place } of places) {
    hash.update(`folder ${place}\0`);
    if (!(await hashTree(hash, folder, '', budget))) return undefined;
  }
  return hash.digest('hex');
}

/** Adds each file under `folder` (its path under it and its bytes) to `hash`; false when the tree cannot be kept. */
async function hashTree(hash: Hash, folder: string, under: string, budget: { files: number; bytes: number }): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(join(folder, under), { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries.sort((a, b) => compareCodePoints(a.name, b.name))) {
    const path = join(under, entry.name);
    if (entry.isDirectory()) {
      hash.update(`dir ${path}\0`);
      if (!(await hashTree(hash, folder, path, budget))) return false;
      continue;
    }
    if (!entry.isFile() || --budget.files < 0) return false;
    let bytes: Buffer;
    try {
      bytes = await readFile(join(folder, path));
    } catch {
      return false;
    }
    budget.bytes -= bytes.length;
    if (budget.bytes < 0) return false;
    hash.update(`file ${path} ${bytes.length}\0`).update(bytes);
  }
  return true;
}
