// kaji synth's --out folder holds one run's output: cdk.out/, summary.json and
// a folder of rendered manifests per cluster. `cdk deploy --app out/cdk.out`
// must find neither a half-written assembly (Ctrl-C or a failure midway) nor
// the stacks of a cluster removed from platform.yaml (aws-cdk-lib never
// empties its outdir). So a run writes into a fresh staging folder inside
// <out> (one file system: the renames are atomic, and the kubectl layer zips
// can still be hard links to node_modules) and moves it into place only once
// it is complete.
//
// A run that could not clean up (killed by SIGKILL, a machine that crashed)
// leaves its staging folder behind; the next run that publishes removes it once
// it knows its owner is gone (see ownerGone), never a folder another synth is
// still writing into the same <out> (two terminals, or two machines sharing it).
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { atExit, displayPath, makeFolders } from '../kube/index.js';

/** What every run writes in <out>; besides these, one folder per cluster. */
const RUN_ENTRIES = ['cdk.out', 'summary.json'];
/** A cluster name as platform.yaml's schema allows it (a DNS-1123 label): never a path, ".." or a staging folder. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const STAGING_PREFIX = '.kaji-synth-';
/** In a staging folder: who writes it (StagingOwner as JSON). */
const OWNER_FILE = 'owner.json';

/** <out> holds a folder the run would write, and replace, that no earlier run wrote: someone's own files. */
export class OutputInTheWayError extends Error {}

export interface StagedOutput {
  /** Where the run writes its entries, named as they will be in <out>. */
  readonly folder: string;
  /**
   * Refuses (OutputInTheWayError) before any work when <out> holds an entry
   * named as one of these clusters' folders that no earlier run wrote: the
   * publish would replace it, and with it whatever it holds.
   */
  claim(clusters: readonly string[]): void;
  /** Puts the staged entries in place of all the previous run wrote in <out> (other files stay), then removes the staging folder. */
  publish(): void;
  /** Removes the staging folder, leaving <out> as it was; nothing to do after publish. */
  discard(): void;
}

export function stageOutput(out: string): StagedOutput {
  const created = makeFolders(out);
  const staging = temporaryFolder(join(out, STAGING_PREFIX));
  const folder = join(staging.path, 'run');
  const replaced = join(staging.path, 'replaced');
  mkdirSync(folder);
  mkdirSync(replaced);
  const owner = thisOwner();
  writeFileSync(join(staging.path, OWNER_FILE), JSON.stringify(owner));
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
  /** What earlier runs wrote in <out>, by their summary.json (a killed publish's included: see publish). */
  const ownedBefore = (abandoned: readonly string[]): Set<string> => {
    const summaries = [out, ...abandoned.flatMap((path) => [join(path, 'replaced'), join(path, 'run')])].map((where) => join(where, 'summary.json'));
    return new Set([...RUN_ENTRIES, ...summaries.flatMap(clustersNamedIn)]);
  };
  const refuseEntriesInTheWay = (names: readonly string[], abandoned: readonly string[]) => {
    const owned = ownedBefore(abandoned);
    const inTheWay = names.filter((name) => !owned.has(name) && lstatSync(join(out, name), { throwIfNoEntry: false }) !== undefined);
    if (inTheWay.length === 0) return;
    const paths = inTheWay.map((name) => displayPath(join(out, name))).join(', ');
    throw new OutputInTheWayError(
      `${paths} ${inTheWay.length === 1 ? 'is' : 'are'} in the way: kaji synth writes each cluster's rendered manifests in a folder of its name in ${displayPath(out)}, ` +
        `replacing what an earlier run wrote there, and no earlier run wrote ${inTheWay.length === 1 ? 'this one' : 'these'} (${displayPath(join(out, 'summary.json'))} does not name ${inTheWay.length === 1 ? 'it' : 'them'}). ` +
        'Nothing was written: move it away, or give another --out',
    );
  };
  return {
    folder,
    claim: (clusters) => refuseEntriesInTheWay(clusters, abandonedStagingFolders(out, staging.path, owner)),
    // Synchronous: the signal handlers run on the event loop, so Ctrl-C lands
    // before or after these renames, never between them.
    publish() {
      // A run killed during its publish left <out> with part of the run before it
      // moved into its replaced/ and part of its own moved in, and the summary.json
      // naming their cluster folders may be in its replaced/ or run/ rather than in
      // <out>: those clusters are replaced here too. Nothing of its replaced/ is put
      // back: this publish replaces every entry a run owns.
      const abandoned = abandonedStagingFolders(out, staging.path, owner);
      const staged = readdirSync(folder);
      refuseEntriesInTheWay(staged, abandoned); // claimed at the start; something may have come since
      const owned = [...new Set([...ownedBefore(abandoned), ...staged])];
      moveEntries(owned, out, replaced);
      try {
        moveEntries(staged, folder, out);
      } catch (error) {
        moveEntries(owned, replaced, out);
        throw error;
      }
      for (const path of abandoned) removeIfAllowed(path);
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

/** The cluster folders a run wrote, from its summary.json (none when it cannot be read). */
function clustersNamedIn(summaryFile: string): string[] {
  try {
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { clusters?: unknown };
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

/** The process writing a staging folder: enough for another run on the same machine to tell whether it still runs. */
interface StagingOwner {
  readonly pid: number;
  readonly host: string;
  /**
   * Linux with systemd: /etc/machine-id, set once per installation. Host names
   * repeat (localhost.localdomain, cloned VMs, containers given one --hostname)
   * on machines that may share an <out> over NFS.
   */
  readonly machine?: string;
  /** Linux: this boot's random id; another one on the same machine means it has restarted since. */
  readonly boot?: string;
  /** Linux: the pid namespace the pid is in (a container has its own). */
  readonly pidNamespace?: string;
}

/** systemd's machine-id format; an image's empty file or "uninitialized" (first boot) names no machine. */
const MACHINE_ID = /^[0-9a-f]{32}$/;

function thisOwner(): StagingOwner {
  const machine = readTrimmed(() => readFileSync('/etc/machine-id', 'utf8'));
  return {
    pid: process.pid,
    host: hostname(),
    machine: machine !== undefined && MACHINE_ID.test(machine) ? machine : undefined,
    boot: readTrimmed(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    pidNamespace: readTrimmed(() => readlinkSync('/proc/self/ns/pid')),
  };
}

/** What `read` returns, trimmed; undefined when it cannot be read (not Linux, no systemd, no /proc). */
function readTrimmed(read: () => string): string | undefined {
  try {
    return read().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The staging folders in <out>, other than `own` (written by `me`), whose owners are gone for certain. */
function abandonedStagingFolders(out: string, own: string, me: StagingOwner): string[] {
  return readdirSync(out)
    .filter((name) => name.startsWith(STAGING_PREFIX))
    .map((name) => join(out, name))
    .filter((path) => path !== own && ownerGone(path, me));
}

/**
 * Whether the run that wrote the staging folder `path` is gone for certain.
 * The folder must be this machine's: the same host name and the same machine
 * id, known on both sides (a boot id alone cannot tell another machine from
 * this one restarted). Then after a restart (another boot id) every run of the
 * earlier boot is gone, whatever runs under its pid now; within this boot only
 * a process in this pid namespace can be asked (process.kill(pid, 0): ESRCH is
 * no such process, EPERM one of another user). Anything else is kept: a folder
 * of another machine or container, of a machine without a machine id, or
 * without an owner to read (an older kaji's, or one being created this
 * instant). Within one boot a pid may have been reused since its run was
 * killed: the folder then looks alive and is kept until that process ends too.
 * That costs a stale folder for a while, never a folder in use; telling the two
 * apart by process start times would take Linux-only /proc parsing.
 */
function ownerGone(path: string, me: StagingOwner): boolean {
  let owner: Partial<StagingOwner> | null;
  try {
    owner = JSON.parse(readFileSync(join(path, OWNER_FILE), 'utf8')) as Partial<StagingOwner> | null;
  } catch {
    return false;
  }
  const pid = owner?.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  // Not this machine's, or not known to be.
  if (!owner || me.machine === undefined || owner.machine !== me.machine || owner.host !== me.host) return false;
  if (owner.boot !== undefined && me.boot !== undefined && owner.boot !== me.boot) return true;
  if (me.pidNamespace === undefined || owner.pidNamespace !== me.pidNamespace) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes a folder a gone run left; one this user may not remove stays (it is no part of this run's output). */
function removeIfAllowed(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // left as it was
  }
}
