// Test files another user can reach. Tests that run the kaji bin as nobody
// (when they run as root) need every folder above their files searchable by
// others, and a private TMPDIR is not: `mktemp -d` makes it with mode 0700.
import { realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { tempTree } from './files.js';

/** os.tmpdir() when other users can reach it, else /tmp or /var/tmp if they can reach one; undefined when none is. */
export const tmpdirForOthers = [tmpdir(), '/tmp', '/var/tmp'].find(searchableByOthers);

/** Why tests that run kaji as nobody cannot run here (they do when run as root), or false. */
export const nobodyCannotReach =
  process.getuid?.() === 0 && tmpdirForOthers === undefined && `no temporary folder the user nobody can reach: TMPDIR (${tmpdir()}), /tmp and /var/tmp are not searchable by others`;

/** As tempTree, in tmpdirForOthers (or os.tmpdir() when there is none: the tests then run kaji as their own user). */
export function tempTreeForOthers(files: Record<string, string>): ReturnType<typeof tempTree> {
  return tempTree(files, tmpdirForOthers ?? tmpdir());
}

/** Whether others may search `folder` and every folder above it. */
function searchableByOthers(folder: string): boolean {
  try {
    for (let path = realpathSync(folder); ; path = dirname(path)) {
      const info = statSync(path);
      if (!info.isDirectory() || (info.mode & 0o001) === 0) return false;
      if (path === dirname(path)) return true;
    }
  } catch {
    return false;
  }
}
