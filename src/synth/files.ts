// Keeps the generated part of the manifest repository in step with the
// platform definition: write what changed, delete what is no longer generated,
// never touch a file a person wrote.
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { writeFileAtomically } from '../kube/index.js';
import { isGeneratedFile, type GeneratedFile } from '../platform/index.js';

export type FileChange =
  | { readonly action: 'create' | 'update'; readonly path: string; readonly content: string }
  | { readonly action: 'delete'; readonly path: string };

/**
 * The changes that bring `root` (the manifest folder) to exactly the generated
 * files under `clusters/`: files whose bytes differ are created or updated,
 * generated files (recognised by their marker) that are no longer produced are
 * deleted, and files without the marker are left alone.
 */
export async function planGeneratedFiles(root: string, files: readonly GeneratedFile[]): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  const wanted = new Map(files.map((file) => [file.path, file.content]));
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const current = await readFile(join(root, file.path), 'utf8').catch(() => undefined);
    if (current === undefined) changes.push({ action: 'create', path: file.path, content: file.content });
    else if (current !== file.content) changes.push({ action: 'update', path: file.path, content: file.content });
  }
  for (const existing of await listFiles(join(root, 'clusters'))) {
    const path = relative(root, existing).split(sep).join('/');
    if (wanted.has(path)) continue;
    const text = await readFile(existing, 'utf8').catch(() => '');
    if (isGeneratedFile(text)) changes.push({ action: 'delete', path });
  }
  return changes;
}

/** Applies planned changes; each write is atomic, and directories a deletion empties are removed. */
export async function applyFileChanges(root: string, changes: readonly FileChange[]): Promise<void> {
  for (const change of changes) {
    const file = join(root, change.path);
    if (change.action === 'delete') {
      await rm(file, { force: true });
      await removeEmptyParents(root, file);
    } else {
      await writeFileAtomically(file, change.content);
    }
  }
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

async function removeEmptyParents(root: string, file: string): Promise<void> {
  let directory = join(file, '..');
  while (relative(root, directory) && !relative(root, directory).startsWith('..')) {
    const left = await readdir(directory).catch(() => ['?']);
    if (left.length > 0) return;
    await rmdir(directory).catch(() => undefined);
    directory = join(directory, '..');
  }
}
