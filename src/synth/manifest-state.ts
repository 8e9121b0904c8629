// What kaji synth's results describe, written into summary.json: the manifest
// repository's commit (shown by kaji dashboard) and a fingerprint of the files
// themselves, which kaji dashboard computes again to tell whether summary.json
// still describes them. Contents, not modification times: a fresh checkout, a
// copy or a downloaded artifact keeps the fingerprint while the files are the
// same, and any file kustomize may read (a base, a subfolder, a generator's
// file, a component) is in it.
import { createHash, type Hash } from 'node:crypto';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { runStoppable } from '../kube/index.js';
import type { PlatformDefinition } from '../platform/index.js';

export interface ManifestState {
  /** The manifest checkout's HEAD commit; null outside a git checkout (or without git). */
  readonly commit: string | null;
  /** The branch checked out; null without a commit, or when HEAD is detached (as in most CI checkouts). */
  readonly branch: string | null;
  /** Files under the manifest folder differ from that commit (changed, added or deleted, not ignored); null without a commit. */
  readonly dirty: boolean | null;
  /** `sha256:` of platform.yaml, the policy file and every file under the manifest folder (see inputsFingerprint). */
  readonly fingerprint: string;
}

export async function manifestState(platform: PlatformDefinition, root: string, policyFile: string, exclude: readonly string[]): Promise<ManifestState> {
  const [git, fingerprint] = await Promise.all([gitState(root), inputsFingerprint(platform, root, policyFile, exclude)]);
  return { ...git, fingerprint };
}

/**
 * `sha256:` of platform.yaml, the policy file and every file under the
 * manifest folder `root` (path and content), but `.git` folders and the
 * `exclude` folders (kaji synth's --out, when inside). A symbolic link counts
 * as its target's name, and is not followed: nothing outside the folder is
 * read, and a link to a device or a pipe never blocks.
 */
export async function inputsFingerprint(platform: PlatformDefinition, root: string, policyFile: string, exclude: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  await addFile(hash, 'platform.yaml', platform.file);
  await addFile(hash, 'policy', policyFile);
  await addFolder(hash, resolve(root), resolve(root), new Set(exclude.map((folder) => resolve(folder))));
  return `sha256:${hash.digest('hex')}`;
}

async function addFolder(hash: Hash, root: string, folder: string, exclude: ReadonlySet<string>): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    hash.update(`unreadable ${relative(root, folder)}\0${error.code}\0`);
    return [];
  });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(folder, entry.name);
    const name = relative(root, path);
    if (entry.isDirectory()) {
      if (entry.name !== '.git' && !exclude.has(path)) await addFolder(hash, root, path, exclude);
    } else if (entry.isFile()) {
      await addFile(hash, name, path);
    } else if (entry.isSymbolicLink()) {
      hash.update(`link ${name}\0${await readlink(path).catch((error: NodeJS.ErrnoException) => `(${error.code})`)}\0`);
    } else {
      hash.update(`special ${name}\0`);
    }
  }
}

async function addFile(hash: Hash, name: string, path: string): Promise<void> {
  const content = await readFile(path).catch((error: NodeJS.ErrnoException) => Buffer.from(`(unreadable: ${error.code})`));
  hash.update(`file ${name}\0${content.length}\0`);
  hash.update(content);
}

/** The commit checked out at the manifest folder, and whether files under it differ; nulls when git cannot tell. */
async function gitState(root: string): Promise<Pick<ManifestState, 'commit' | 'branch' | 'dirty'>> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  // The checkout at `root`, whatever repository a calling hook points git at.
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[name];
  const git = (args: readonly string[]) => runStoppable('git', args, { cwd: root, env, maxOutputBytes: 16 * 1024 * 1024 }).catch(() => undefined);
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (head?.code !== 0) return { commit: null, branch: null, dirty: null };
  const branch = await git(['symbolic-ref', '--quiet', '--short', 'HEAD']);
  const status = await git(['status', '--porcelain', '--untracked-files=normal', '--', '.']);
  return {
    commit: head.stdout.trim(),
    branch: branch?.code === 0 ? branch.stdout.trim() : null,
    dirty: status?.code === 0 ? status.stdout.trim() !== '' : null,
  };
}
