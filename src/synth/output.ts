// kaji synth's --out folder holds one run's output: cdk.out/, summary.json and
// a folder of rendered manifests per cluster. `cdk deploy --app out/cdk.out`
// must find neither a half-written assembly (Ctrl-C or a failure midway) nor
// the stacks of a cluster removed from platform.yaml (aws-cdk-lib never
// empties its outdir). So a run writes into a fresh staging folder inside
// <out> (one file system: the renames are atomic, and the kubectl layer zips
// can still be hard links to node_modules) and moves it into place only once
// it is complete.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { atExit } from '../kube/index.js';

/** What every run writes in <out>; besides these, one folder per cluster. */
const RUN_ENTRIES = ['cdk.out', 'summary.json'];
/** A cluster name as platform.yaml's schema allows it (a DNS-1123 label): never a path, ".." or a staging folder. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface StagedOutput {
  /** Where the run writes its entries, named as they will be in <out>. */
  readonly folder: string;
  /** Puts the staged entries in place of all the previous run wrote in <out> (other files stay), then removes the staging folder. */
  publish(): void;
  /** Removes the staging folder, leaving <out> as it was; nothing to do after publish. */
  discard(): void;
}

export function stageOutput(out: string): StagedOutput {
  const created = mkdirSync(out, { recursive: true });
  const staging = temporaryFolder(join(out, '.kaji-synth-'));
  const folder = join(staging.path, 'run');
  const replaced = join(staging.path, 'replaced');
  mkdirSync(folder);
  mkdirSync(replaced);
  const discard = () => {
    staging.remove();
    // An <out> this run created and left empty goes too (a new one is a
    // child of `created`, or `created` itself; a published one is not empty).
    for (let path = out; created && path.startsWith(created); path = dirname(path)) {
      try {
        rmdirSync(path);
      } catch {
        break;
      }
    }
  };
  return {
    folder,
    // Synchronous: the signal handlers run on the event loop, so Ctrl-C lands
    // before or after these renames, never between them.
    publish() {
      const staged = readdirSync(folder);
      const owned = [...new Set([...RUN_ENTRIES, ...previousClusters(out), ...staged])];
      moveEntries(owned, out, replaced);
      try {
        moveEntries(staged, folder, out);
      } catch (error) {
        moveEntries(owned, replaced, out);
        throw error;
      }
      discard();
    },
    discard,
  };
}

/**
 * A new folder (`prefix` plus random characters) that is removed when kaji
 * exits before `remove` is called (interrupted: see atExit).
 */
export function temporaryFolder(prefix: string): { readonly path: string; remove(): void } {
  // mkdir rather than mkdtemp, so that a folder kaji may not write in is named
  // as any other ("cannot create the folder ...", exit 2).
  const path = `${prefix}${randomBytes(6).toString('hex')}`;
  mkdirSync(path, { mode: 0o700 });
  // An interrupt's exit may come while a write into the folder still runs on
  // libuv's threads (writeOutput in index.ts has one at a time): landing while
  // rmSync empties the folder, it fails the removal (ENOTEMPTY), and a second
  // attempt removes what it created; landing later, it finds no folder to write
  // in (nothing creates the staging folder's parents again).
  const remove = () => {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      rmSync(path, { recursive: true, force: true });
    }
  };
  const forget = atExit('remove folders', remove);
  return {
    path,
    remove() {
      forget();
      remove();
    },
  };
}

/** The cluster folders the previous run wrote, from its summary.json (none when it cannot be read). */
function previousClusters(out: string): string[] {
  try {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { clusters?: unknown };
    if (!Array.isArray(summary.clusters)) return [];
    return summary.clusters.map((cluster: { cluster?: unknown } | null) => cluster?.cluster).filter((name): name is string => typeof name === 'string' && CLUSTER_NAME.test(name));
  } catch {
    return [];
  }
}

/** Renames the named entries of `from` into `to`, skipping missing ones; on a failure, moves back those it moved and throws. */
function moveEntries(names: readonly string[], from: string, to: string): void {
  const moved: string[] = [];
  try {
    for (const name of names) {
      try {
        renameSync(join(from, name), join(to, name));
        moved.push(name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  } catch (error) {
    for (const name of moved.reverse()) renameSync(join(to, name), join(from, name));
    throw error;
  }
}
