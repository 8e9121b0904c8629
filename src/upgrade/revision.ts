// Which commits of the manifest repository count as "synced" for the sync
// step: the tip of the branch Argo CD follows when the step starts, or any
// later commit of that branch. An Application Argo CD reports Synced to an
// older commit (it has not fetched the branch since: it polls every few
// minutes unless a webhook tells it) says nothing about what kaji synth
// generated for the new cluster, so it is not taken as done.
//
// "Later" is checked by ancestry, not by equality with the tip at each poll:
// other teams keep merging, and an Application synced to a commit made after
// the step started is as good as one synced to the tip. The branch is cloned
// once, shallow, at the step's start (its tip is the shallow boundary); a
// revision not in the clone is fetched for (one fetch per poll at most), and
// `git merge-base --is-ancestor TIP REVISION` then says whether it descends
// from the tip. A revision older than the tip, or of another branch, is never
// in the clone's history: it is not taken, and not asked about again (Argo CD
// reported it, so it existed before the fetch that followed: had it been on
// the branch since the tip, that fetch would have brought it).
import { GitError, isUrl, Workspace } from '../gitops/index.js';
import { runStoppable } from '../kube/index.js';

const COMMIT = /^[0-9a-f]{40}$/;

export interface AcceptedRevisions {
  /** The revisions that are the tip or descend from it. */
  readonly accepted: ReadonlySet<string>;
  /** Why the branch could not be fetched this time (the wait goes on), when it could not. */
  readonly fetchProblem?: string;
}

export class ManifestHistory {
  readonly #workspace: Workspace;
  /** Revisions known to be the tip or a descendant of it. */
  readonly #descendants = new Set<string>();
  /** Revisions known not to be. */
  readonly #others = new Set<string>();

  private constructor(workspace: Workspace) {
    this.#workspace = workspace;
    this.#descendants.add(workspace.baseCommit);
  }

  /** Clones `branch` of `source` (shallow for a URL) and remembers its tip. */
  static async open(source: string, branch: string): Promise<ManifestHistory> {
    return new ManifestHistory(await Workspace.open({ source, base: branch, shallow: isUrl(source) }));
  }

  /** The branch's tip when the history was opened. */
  get tip(): string {
    return this.#workspace.baseCommit;
  }

  /** The clone's working tree: the branch at its tip when opened, until accept() fetches a later one. */
  get root(): string {
    return this.#workspace.root;
  }

  get branch(): string {
    return this.#workspace.base;
  }

  /** Of `revisions`, those that are the tip or a later commit of the branch. */
  async accept(revisions: Iterable<string>): Promise<AcceptedRevisions> {
    const candidates = [...new Set(revisions)].filter((revision) => COMMIT.test(revision));
    const unknown = candidates.filter((revision) => !this.#descendants.has(revision) && !this.#others.has(revision));
    let fetchProblem: string | undefined;
    if (unknown.length > 0 && !(await this.#allPresent(unknown))) {
      try {
        await this.#workspace.resetToBase();
      } catch (error) {
        if (!(error instanceof GitError)) throw error;
        fetchProblem = error.message;
      }
    }
    for (const revision of unknown) {
      const descends = (await this.#git(['merge-base', '--is-ancestor', this.tip, revision])) === 0;
      if (descends) this.#descendants.add(revision);
      else if (fetchProblem === undefined) this.#others.add(revision);
    }
    return { accepted: new Set(candidates.filter((revision) => this.#descendants.has(revision))), ...(fetchProblem ? { fetchProblem } : {}) };
  }

  async dispose(): Promise<void> {
    await this.#workspace.dispose();
  }

  async #allPresent(revisions: readonly string[]): Promise<boolean> {
    for (const revision of revisions) if ((await this.#git(['cat-file', '-e', `${revision}^{commit}`])) !== 0) return false;
    return true;
  }

  /** A local git command in the clone (no network, no credentials needed); its exit code. */
  async #git(args: readonly string[]): Promise<number | null> {
    const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
    for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[name];
    const run = await runStoppable('git', args, { cwd: this.#workspace.root, env, maxOutputBytes: 1024 * 1024 });
    return run.code;
  }
}
