// Git work for the deploy flow, with the `git` CLI: a private working tree at the
// tip of the base branch (a temporary clone, never the user's checkout), commits
// with trailers, a force-pushed branch (PR mode) or a push to the base branch with
// rebase-and-retry (push mode).
//
// PR mode's branch is kaji's own: it is rebuilt from the base on every run. It is
// overwritten only while every commit on it that the base lacks is one kaji made: it
// carries a Kaji-* trailer and its committer is its author (kaji commits as both; a
// reviewer's amend or rebase of kaji's commit makes the reviewer its committer), or
// a clean merge of the base into the branch (GitHub's "Update branch"), which the
// rebuild loses nothing of. A commit pushed there by anyone else (a reviewer's
// fix-up) stops kaji, which pushes nothing and says so. The push is leased to the
// tip kaji read (--force-with-lease), so a push that lands in between is not
// overwritten either. The branch is deleted (a pull request no longer needed) by
// the same rule and with the same lease.
//
// Atomicity: the only thing that changes the remote is `git push`, and a push
// updates each ref atomically (the receiving side stores every object first,
// checks connectivity, then moves the ref under a lock). A process killed at any
// point therefore leaves the remote ref either where it was or at the complete
// commit; the user's own checkout is never written to. A file is written into
// the workspace through a temporary file and a rename (writeFileAtomically),
// so a failed write leaves the old file whole and no half-written one for the
// commit's `git add --all` to take. The temporary directory under the OS temp
// folder (`kaji-ws-*`) is removed when the workspace is disposed of, and when
// kaji exits without that (an interrupt, a process.exit), after the git
// processes still running are stopped with what they run (each in a process
// group of its own): only a kill that runs no code at all (SIGKILL, a power
// cut) leaves it behind.
//
// Credentials: for http(s) URLs a token is sent as an `http.<origin>/.extraHeader`
// passed through GIT_CONFIG_COUNT/KEY/VALUE environment variables (the same as
// `-c`, but not visible in the process list), never in the URL. Credentials written
// in the URL itself (`https://user:token@host/…`) are taken out of it and sent the
// same way: git never sees them in its arguments, never writes them to the clone's
// .git/config, and never hands them to a credential helper. Every message, command
// and stderr kept in a GitError has URL userinfo, the token and those credentials
// redacted.
//
// Messages: a failed git command reads as what kaji was doing, the git subcommand and
// git's own account ("cloning https://…/manifests.git (branch main): git clone failed:
// fatal: …"), not as git's argument list: that holds the temporary folder, gone by the
// time the message is read, and flags that say nothing to the user (GitError.command
// keeps it). Paths into the working tree are written as paths in the repository.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { atExit, displayPath, runStoppable, shellWord, StoppableRunError, writeFileAtomically, type StoppableRun } from '../kube/index.js';
import { isGitBranchName } from '../platform/definition/patterns.js';
import { isLoopbackHost } from './loopback.js';

/** A git command that failed. Its message, command and stderr never contain credentials. */
export class GitError extends Error {
  override readonly name = 'GitError';
  readonly command: string[];
  readonly stderr: string;
  /** What the command printed on stdout (redacted), when it matters (rebase conflicts). */
  readonly stdout: string;
  constructor(message: string, command: readonly string[] = [], stderr = '', stdout = '') {
    super(message);
    this.command = [...command];
    this.stderr = stderr;
    this.stdout = stdout;
  }
}

/** A workspace's local source that is not a directory: what the caller named is wrong; git did not fail. */
export class SourceNotFoundError extends GitError {}

/** A workspace's local source that is no repository of its own (a folder inside one, or in none): what the caller named is wrong. */
export class SourceNotRepositoryError extends GitError {}

/** A commit on a PR-mode branch that kaji did not make (no Kaji-* trailer, or someone other than its author committed it). */
export interface ForeignCommit {
  readonly sha: string;
  readonly author: string;
  /** Set when someone other than the author committed it (an amend, a rebase). */
  readonly committer?: string;
  readonly subject: string;
}

/** PR mode: the branch holds commits kaji did not make; nothing was pushed. */
export class ForeignCommitsError extends GitError {
  readonly branch: string;
  readonly commits: readonly ForeignCommit[];
  constructor(message: string, branch: string, commits: readonly ForeignCommit[]) {
    super(message, ['push']);
    this.branch = branch;
    this.commits = commits;
  }
}

/** A commit of the base's history, as commitsAfter lists it. */
export interface BaseCommit {
  readonly sha: string;
  /** Its committer date (ISO 8601). */
  readonly committed: string;
  readonly subject: string;
  /** The values of its trailers of the key asked for. */
  readonly trailers: readonly string[];
}

/** PR mode: the branch moved on the remote between kaji reading it and pushing (the lease failed); nothing was pushed. */
export class BranchMovedError extends GitError {}

/** PR mode: what a branch on the remote holds against the base, as its pull request shows it. */
export interface BranchChanges {
  /** The tip read: the lease of a later pushBranch or deleteBranch. */
  readonly tip: string;
  /** The paths it changes (`git diff --name-only base...tip`; a rename as both paths). */
  readonly files: readonly string[];
  /** The trailers ("Key: value") of its commits the base lacks. */
  readonly trailers: readonly string[];
}

export interface WorkspaceOptions {
  /** A local path to a git working copy or bare repository, or a clone URL (https://, file://, ssh). */
  readonly source: string;
  /** Base branch. @default the source's default branch (its HEAD) */
  readonly base?: string;
  /** Clone with `--depth 1`. @default true for URLs; false for local paths (cloned with hard links, no copy) */
  readonly shallow?: boolean;
  /** Author and committer. @default "kaji" <kaji@kaji.invalid> */
  readonly author?: { name: string; email: string };
  /**
   * Token for http(s) sources, sent as `Authorization: basic base64("x-access-token:TOKEN")`.
   * @default the GITHUB_TOKEN environment variable, used only for https://github.com and the
   *   host of GITHUB_SERVER_URL (GitHub Enterprise), never for other hosts
   */
  readonly token?: string;
}

export interface PushToBaseOptions {
  /** @default 8 */
  readonly attempts?: number;
  /**
   * Called after a rejected push instead of a rebase: the tree has been reset to the new base
   * tip; re-make the change (committing it, or leaving it uncommitted: it is then committed with
   * the message of the commit being pushed). Return false when there is nothing to commit any more.
   */
  readonly reapply?: (workspace: Workspace) => Promise<boolean>;
  /** Backoff between attempts, doubled each time, with jitter. @default { minMs: 100, maxMs: 2000 } */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
}

export interface PushToBaseResult {
  /** Push attempts made (the rejected ones included). */
  readonly attempts: number;
  /** The pushed commit; when `pushed` is false, the base tip that made the push unnecessary. */
  readonly commit: string;
  /** False when `reapply` found nothing left to commit on the new tip: nothing was pushed. */
  readonly pushed: boolean;
}

// Under .invalid (RFC 2606), which no mail host or forge account can have: a users.noreply.github.com address
// would credit every release commit to whoever owns the GitHub account of that name.
const DEFAULT_AUTHOR = { name: 'kaji', email: 'kaji@kaji.invalid' } as const;
/** The user name sent with a token in basic authentication (the one GitHub's docs give for tokens). */
const TOKEN_USER = 'x-access-token';
const MAX_BUFFER = 64 * 1024 * 1024;

interface GitContext {
  readonly identity: { name: string; email: string };
  readonly secrets: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

interface RunOptions {
  readonly cwd?: string;
  readonly input?: string;
  /** What kaji was doing, the start of the message of a failure: "pushing to main of …". */
  readonly doing: string;
  /** The workspace's working tree, whose paths a message writes as paths in the repository. */
  readonly tree?: string;
}

/** A private working tree at the tip of the base branch: a temporary clone, never the user's checkout. */
export class Workspace {
  /** The temporary working tree. */
  readonly root: string;
  readonly base: string;
  /** The sha the workspace started from. */
  readonly baseCommit: string;
  /**
   * The base's tip HEAD's own commits are made on: baseCommit, then the tip a reset or a rebase
   * moved them to. Kept, not read from refs/remotes/origin/<base>, which a fetch of the base's
   * history (commitsAfter) moves on without moving HEAD.
   */
  #madeOn: string;
  /** The source as given (a path or a URL with credentials redacted). */
  readonly source: string;
  /** Removes the temporary directory (and forgets its removal at exit). */
  readonly #remove: () => Promise<void>;
  readonly #context: GitContext;
  /** PR mode: each branch as kaji last read it on the remote (undefined: no such branch); its tip is the lease of pushBranch. */
  readonly #branches = new Map<string, RemoteBranch | undefined>();
  #disposed = false;

  private constructor(remove: () => Promise<void>, root: string, base: string, baseCommit: string, source: string, context: GitContext) {
    this.#remove = remove;
    this.root = root;
    this.base = base;
    this.baseCommit = baseCommit;
    this.#madeOn = baseCommit;
    this.source = source;
    this.#context = context;
  }

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const url = isUrl(options.source);
    // Credentials in the URL go to git as a header, like a token: the URL it gets has none.
    const inUrl = url ? urlCredentials(options.source) : undefined;
    const local = url ? undefined : await localRepository(options.source);
    // `--depth` is ignored for plain local paths: a shallow clone of a local repository goes through file://.
    const remote = local === undefined ? (inUrl?.url ?? options.source) : options.shallow === true ? pathToFileURL(local).href : local;
    const token = url && !inUrl?.credentials ? tokenFor(remote, options.token) : undefined;
    const auth = inUrl?.credentials
      ? { header: `basic ${basicAuth(inUrl.credentials.username, inUrl.credentials.password)}`, secrets: inUrl.secrets }
      : token !== undefined
        ? { header: `basic ${basicAuth(TOKEN_USER, token)}`, secrets: [token] }
        : undefined;
    const context = gitContext(options.author ?? DEFAULT_AUTHOR, remote, auth, options.token);
    // Made synchronously: an interrupt between an asynchronous mkdtemp and removedAtExit would leave it behind.
    const dir = mkdtempSync(join(tmpdir(), 'kaji-ws-'));
    const remove = removedAtExit(dir);
    const root = join(dir, 'tree');
    const shown = redact(options.source, context.secrets);
    try {
      const shallow = options.shallow ?? url;
      const args = ['clone', '--quiet', '--no-tags', '--origin', 'origin'];
      if (shallow) args.push('--depth', '1');
      if (options.base !== undefined) args.push('--branch', checkBranch(options.base), '--single-branch');
      args.push('--', remote, root);
      await git(context, args, { doing: `cloning ${shown}${options.base === undefined ? '' : ` (branch ${options.base})`}`, tree: root });
      const base = options.base ?? (await currentBranch(context, root, shown));
      const baseCommit = (await git(context, ['rev-parse', '--verify', 'HEAD^{commit}'], { cwd: root, doing: `in the clone of ${shown}`, tree: root })).trim();
      return new Workspace(remove, root, base, baseCommit, shown, context);
    } catch (error) {
      await remove();
      throw error;
    }
  }

  /**
   * `text` (a message about files of the working tree) with each path into the tree written as
   * the path in the repository (`apps/…`), and the tree itself as "the temporary clone": it is
   * gone by the time the message is read. See repositoryPaths below for the forms replaced.
   */
  repositoryPaths(text: string): string {
    return repositoryPaths(text, this.root);
  }

  async readFile(path: string): Promise<string> {
    return readFile(this.#resolve(path), 'utf8');
  }

  /** Writes a file whole or not at all (a temporary file and a rename), creating its folders. */
  async writeFile(path: string, content: string): Promise<void> {
    await writeFileAtomically(this.#resolve(path), content);
  }

  /** Unified diff of the uncommitted changes (new files included). */
  async diff(): Promise<string> {
    await this.#git(['add', '--all']);
    return this.#git(['diff', '--cached', '--no-color', '--no-ext-diff', '--binary']);
  }

  async hasChanges(): Promise<boolean> {
    return (await this.#git(['status', '--porcelain', '--untracked-files=all'])).trim() !== '';
  }

  /** Commits every change; trailers are appended as "Key: value" lines (git interpret-trailers semantics). Returns the sha. */
  async commit(message: string, trailers: Record<string, string> = {}): Promise<string> {
    if (!(await this.hasChanges())) {
      throw new GitError(`nothing to commit in the workspace of ${this.source}`, ['commit']);
    }
    const doing = `committing in the clone of ${this.source}`;
    await this.#git(['add', '--all'], { doing });
    const args = ['commit', '--quiet', '--no-verify', '--cleanup=whitespace', '--file=-'];
    for (const [key, value] of Object.entries(trailers)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) throw new GitError(`invalid trailer key "${key}"`, ['commit']);
      if (/[\r\n]/.test(value)) throw new GitError(`trailer "${key}" has a line break in its value`, ['commit']);
      args.push(`--trailer=${key}: ${value}`);
    }
    await this.#git(args, { input: message, doing });
    return this.head();
  }

  /** The sha of HEAD. */
  async head(): Promise<string> {
    return (await this.#git(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
  }

  /**
   * PR mode: the tip of `branch` on the remote when it is HEAD made again (the same tree, parents
   * and message; only dates, author or signature may differ), as a re-run of the same bump finds
   * it; undefined when the branch is missing or holds anything else.
   */
  async remoteTipLikeHead(branch: string): Promise<string | undefined> {
    checkBranch(branch);
    const tip = (await this.#fetchBranch(branch))?.tip;
    if (tip === undefined) return undefined;
    const [theirs, ours] = await Promise.all([this.#git(['cat-file', 'commit', tip]), this.#git(['cat-file', 'commit', 'HEAD'])]);
    return changeOf(theirs) === changeOf(ours) ? tip : undefined;
  }

  /**
   * PR mode: force-push HEAD to `branch` (rebuilt from base each time), only while the branch is
   * kaji's own: every commit on it that the base lacks carries a Kaji-* trailer (ForeignCommitsError
   * otherwise), and only over the tip kaji read (remoteTipLikeHead's, else read here): a push that
   * landed since is not overwritten (BranchMovedError). Nothing is pushed when either is thrown.
   */
  async pushBranch(branch: string): Promise<void> {
    checkBranch(branch);
    if (branch === this.base) throw new GitError(`refusing to force-push the base branch "${branch}"`, ['push']);
    const seen = await this.#readBranch(branch);
    await this.refuseForeignCommits(branch);
    await this.#leasedPush(branch, seen, `HEAD:refs/heads/${branch}`, `pushing ${branch} to ${this.source}`, 'pushed');
    this.#branches.set(branch, { tip: await this.head(), onBase: false });
  }

  /**
   * PR mode: throws BranchMovedError when `branch` on the remote (asked now) is no longer at `tip`,
   * the commit this run pushed or kept there: another run pushed since, and the pull request's text
   * is that run's to write. Called just before the text is written, so a slower run does not put
   * its own over the branch another run's push now holds.
   */
  async refuseMovedSince(branch: string, tip: string): Promise<void> {
    checkBranch(branch);
    const listed = await this.#git(['ls-remote', 'origin', `refs/heads/${branch}`], { doing: `reading ${branch} of ${this.source}` });
    const now = listed.split(/\s/)[0] || undefined;
    if (now === tip) return;
    throw new BranchMovedError(
      `${branch} of ${this.source} moved after kaji pushed ${tip.slice(0, 12)} (${now === undefined ? 'it is gone' : `it is at ${now.slice(0, 12)}`}: another run's push, or someone's), so its pull request was left for that push to describe; re-run if this change is still wanted`,
      ['ls-remote'],
    );
  }

  /** PR mode: throws the ForeignCommitsError pushBranch would, when `branch` (at the tip read) holds commits kaji did not make; pushes nothing. */
  async refuseForeignCommits(branch: string): Promise<void> {
    const foreign = await this.foreignCommits(branch);
    if (foreign.length === 0) return;
    const what = `kaji rebuilds the branch from the base and would throw {them} away, so nothing was pushed. Merge the pull request, or close it and delete the branch ${branch}, to let kaji rebuild it`;
    throw foreignCommitsError(branch, this.source, foreign, what);
  }

  /** PR mode: the tip of `branch` on the remote as kaji last read it (the lease of pushBranch), else as read now; undefined when there is no such branch. */
  async branchTip(branch: string): Promise<string | undefined> {
    checkBranch(branch);
    return (await this.#readBranch(branch))?.tip;
  }

  /**
   * PR mode: the commits on `branch` (on the remote) that the base lacks and kaji did not make, by
   * pushBranch's rule; none when there is no such branch. The tip read is the lease of a later
   * pushBranch or deleteBranch.
   */
  async foreignCommits(branch: string): Promise<ForeignCommit[]> {
    checkBranch(branch);
    const seen = await this.#readBranch(branch);
    return seen === undefined || seen.onBase ? [] : this.#foreignCommits(branch, seen.tip);
  }

  /**
   * PR mode: what `branch` (on the remote) changes against the base, as its pull request shows it
   * (the files of `git diff base...tip`), at the tip read; undefined when there is no such branch.
   * A shallow clone lacks the history to find where the branch left the base: it is fetched back to
   * there (#deepenToBase), not whole.
   */
  async branchChanges(branch: string): Promise<BranchChanges | undefined> {
    checkBranch(branch);
    const seen = await this.#readBranch(branch);
    if (seen === undefined) return undefined;
    if (seen.onBase) return { tip: seen.tip, files: [], trailers: [] };
    const from = (await this.forkPoint(branch))!;
    const files = (await this.#git(['diff', '--name-only', '--no-renames', '-z', from, seen.tip, '--'])).split('\0').filter((path) => path !== '');
    const trailers = (await this.#git(['log', '--format=%(trailers:only,unfold)', seen.tip, '--not', `refs/remotes/origin/${this.base}`, '--'])).split('\n').filter((line) => line.trim() !== '');
    return { tip: seen.tip, files, trailers };
  }

  /**
   * PR mode: where `branch` (at the tip read) left the base; undefined when there is no such branch.
   * A shallow clone lacks the history to find it: it is fetched back to there (#deepenToBase), not whole.
   */
  async forkPoint(branch: string): Promise<string | undefined> {
    checkBranch(branch);
    const seen = await this.#readBranch(branch);
    if (seen === undefined) return undefined;
    if (seen.onBase) return seen.tip;
    const mergeBase = () => this.#git(['merge-base', `refs/remotes/origin/${this.base}`, seen.tip]).then((out) => out.trim(), () => undefined);
    let from = await mergeBase();
    if (from === undefined && (await this.#isShallow())) {
      await this.#deepenToBase(branch, seen.tip);
      from = await mergeBase();
    }
    if (from === undefined) throw new GitError(`cannot tell what ${branch} of ${this.source} changes: it shares no history with ${this.base}`, ['merge-base']);
    return from;
  }

  /**
   * The commits of the base (HEAD) after `since`, newest first, each with the values of its
   * trailers of key `trailer`: those after the commit `since.commit` when the base's history holds
   * it, else (no commit given, or one not of the base) those committed after `since.time` or in
   * its second (committer dates have whole seconds; one commit too many errs on the safe side). A
   * shallow clone's history is deepened (`git fetch --deepen`, doubling) until it reaches there,
   * or fetched whole when the server cannot deepen or sends nothing more.
   */
  async commitsAfter(since: { readonly commit?: string; readonly time: string }, trailer: string): Promise<BaseCommit[]> {
    const present = async (commit: string) => (await this.#git(['cat-file', '-e', `${commit}^{commit}`]).then(() => true, () => false));
    const committed = async (commit: string) => (await this.#git(['log', '-1', '--format=%cI', commit])).trim();
    // Committer dates are whole seconds: a commit of the second `since.time` falls in may be later, so it counts as after.
    const sinceSecond = Math.floor(Date.parse(since.time) / 1000) * 1000;
    const reached = async () =>
      since.commit !== undefined && (await present(since.commit))
        ? true
        : (await Promise.all((await this.#shallowFile()).commits.map(committed))).every((date) => Date.parse(date) < sinceSecond);
    const doing = `fetching the history of ${this.base} of ${this.source}`;
    const base = `+refs/heads/${this.base}:refs/remotes/origin/${this.base}`;
    for (let depth = 1; (await this.#isShallow()) && !(await reached()); depth *= 2) {
      const before = (await this.#shallowFile()).commits.sort().join();
      try {
        await this.#git(['fetch', '--quiet', '--no-tags', `--deepen=${depth}`, 'origin', base], { doing });
      } catch (error) {
        if (!(error instanceof GitError) || !/does not support --deepen/.test(error.stderr)) throw error;
      }
      if ((await this.#shallowFile()).commits.sort().join() === before) await this.#git(['fetch', '--quiet', '--no-tags', '--unshallow', 'origin', base], { doing });
    }
    const ofBase = since.commit !== undefined && (await present(since.commit)) && (await this.#git(['merge-base', '--is-ancestor', since.commit, 'HEAD']).then(() => true, () => false));
    const log = await this.#git(['log', `--format=%H%x00%cI%x00%s%x00%(trailers:key=${trailer},valueonly,separator=%x01)%x1e`, ofBase ? `${since.commit}..HEAD` : 'HEAD', '--']);
    return log
      .split('\x1e')
      .map((entry) => entry.replace(/^\n/, ''))
      .filter((entry) => entry !== '')
      .map((entry) => {
        const [sha = '', date = '', subject = '', values = ''] = entry.split('\0');
        return { sha, committed: date, subject, trailers: values.split('\x01').map((value) => value.trim()).filter((value) => value !== '') };
      })
      .filter((commit) => ofBase || Date.parse(commit.committed) >= sinceSecond);
  }

  /** The text of `path` (in the repository) at `commit`, from what the clone holds (no network); undefined where git cannot read it there (no such file). */
  async fileAt(commit: string, path: string): Promise<string | undefined> {
    return this.#git(['cat-file', 'blob', `${commit}:${path}`]).catch(() => undefined);
  }

  /**
   * PR mode: deletes `branch` on the remote (its pull request is no longer needed), only while it is
   * kaji's own (ForeignCommitsError, by pushBranch's rule) and only at the tip kaji read (foreignCommits's,
   * else read here; BranchMovedError). Returns the tip deleted, or undefined when there is no such branch.
   */
  async deleteBranch(branch: string): Promise<string | undefined> {
    checkBranch(branch);
    if (branch === this.base) throw new GitError(`refusing to delete the base branch "${branch}"`, ['push']);
    const seen = await this.#readBranch(branch);
    if (seen === undefined) return undefined;
    const foreign = await this.foreignCommits(branch);
    if (foreign.length > 0) throw foreignCommitsError(branch, this.source, foreign, 'deleting the branch would lose {them}, so nothing was deleted');
    await this.#leasedPush(branch, seen, `:refs/heads/${branch}`, `deleting ${branch} of ${this.source}`, 'deleted');
    this.#branches.set(branch, undefined);
    return seen.tip;
  }

  /** The branch as kaji last read it, or as read now. */
  async #readBranch(branch: string): Promise<RemoteBranch | undefined> {
    return this.#branches.has(branch) ? this.#branches.get(branch) : this.#fetchBranch(branch);
  }

  /** Pushes `refspec` (HEAD to the branch, or a deletion) leased to the tip `seen` (none: the branch must not exist). */
  async #leasedPush(branch: string, seen: RemoteBranch | undefined, refspec: string, doing: string, done: string): Promise<void> {
    // An empty expected value: the branch must not exist yet.
    const lease = `--force-with-lease=refs/heads/${branch}:${seen?.tip ?? ''}`;
    try {
      await this.#git(['push', '--quiet', lease, 'origin', refspec], { doing });
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      // A branch named as a folder of this one, or this one's folder (git keeps refs as paths).
      const taken = /'refs\/heads\/([^']+)' exists; cannot create 'refs\/heads\//.exec(error.stderr)?.[1];
      if (taken !== undefined) throw await this.#nameTakenError(branch, taken, error);
      if (!isRetryableRejection(error.stderr)) throw error;
      const was = seen === undefined ? 'did not exist' : `was at ${seen.tip.slice(0, 12)}`;
      // A push is made again from the new tip by a re-run; a deletion is not: the push that moved it is someone's.
      throw new BranchMovedError(
        `${branch} of ${this.source} moved while kaji was working (it ${was} when kaji read it, and has changed since): nothing was ${done}${done === 'pushed' ? '; re-run' : ''}`,
        error.command,
        error.stderr,
      );
    }
  }

  /** The push of `branch` refused for `taken`, a branch git cannot hold beside it; with every branch under `branch`'s name, which the server names one of. */
  async #nameTakenError(branch: string, taken: string, error: GitError): Promise<GitError> {
    const listed = await this.#git(['ls-remote', '--heads', 'origin', `refs/heads/${branch}/*`], { doing: `listing the branches under ${branch} of ${this.source}` }).catch(() => '');
    const under = listed.split('\n').flatMap((line) => /\trefs\/heads\/(.+)$/.exec(line)?.[1] ?? []);
    const names = [...new Set([taken, ...under])].sort();
    const one = names.length === 1;
    return new GitError(
      `${branch} cannot be pushed to ${this.source}: the branch${one ? '' : 'es'} ${names.join(', ')} ${one ? 'is' : 'are'} there, and git cannot hold a branch and branches under its name. ` +
        `Delete ${one ? 'it' : 'them'} (git push origin --delete ${names.join(' ')}) and close ${one ? 'its pull request' : 'their pull requests'}, if any (deleting a branch need not close one), then re-run; nothing was pushed`,
      error.command,
      error.stderr,
    );
  }

  /**
   * Fetches `branch` into refs/remotes/origin/<branch> with what #foreignCommits needs: the commits
   * on it that the base lacks. Returns its tip (kept as the lease of pushBranch), or undefined when
   * the remote has no such branch.
   */
  async #fetchBranch(branch: string): Promise<RemoteBranch | undefined> {
    const ref = `refs/remotes/origin/${branch}`;
    const doing = `fetching ${branch} of ${this.source}`;
    const shallow = await this.#isShallow();
    let onBase = false;
    // A shallow clone lacks the history that tells the branch's own commits from the base's: the
    // server tells, sending the commits of the branch that its base lacks and no more. A full clone
    // fetches the base's tip too: the branch may stand on a newer base than the clone's.
    const refspecs = shallow
      ? [`--shallow-exclude=refs/heads/${this.base}`, 'origin', `+refs/heads/${branch}:${ref}`]
      : ['origin', `+refs/heads/${branch}:${ref}`, `+refs/heads/${this.base}:refs/remotes/origin/${this.base}`];
    const missing = (error: unknown) => error instanceof GitError && remoteProblem(error) === 'no-branch' && error.stderr.includes(`refs/heads/${branch}`);
    try {
      try {
        await this.#git(['fetch', '--quiet', '--no-tags', ...refspecs], { doing });
      } catch (error) {
        if (!(error instanceof GitError) || !shallow || missing(error)) throw error;
        if (/Server does not support (--shallow-exclude|shallow requests)/.test(error.stderr)) {
          // A server without deepen-not: the whole history of branch and base, for the walk to tell them apart.
          await this.#unshallow(branch);
        } else {
          // Every commit of the branch is on the base (a merged pull request's branch): the server
          // excluded them all; the tip alone is fetched.
          if (!/no commits selected for shallow requests/.test(error.stderr)) throw error;
          await this.#git(['fetch', '--quiet', '--no-tags', '--depth=1', 'origin', `+refs/heads/${branch}:${ref}`], { doing });
          onBase = true;
        }
      }
    } catch (error) {
      if (!missing(error)) throw error;
      this.#branches.set(branch, undefined);
      return undefined;
    }
    const seen = { tip: (await this.#git(['rev-parse', '--verify', `${ref}^{commit}`])).trim(), onBase };
    this.#branches.set(branch, seen);
    return seen;
  }

  /**
   * The commits from `tip` back to the base that kaji did not make: without a Kaji-* trailer (git's
   * own reading of a message's trailers), or committed by someone other than their author (kaji is
   * both; an amend or rebase by anyone else makes them the committer). A clean merge of the base
   * into the branch (GitHub's "Update branch") is not listed: the rebuild from the base loses
   * nothing of it. The walk ends at the base's tip (as fetched by #fetchBranch, or HEAD's base), or
   * in a shallow clone where the server's history of the branch ends; a merge commit there is cut
   * from its parents, so the whole history is fetched to judge it.
   */
  async #foreignCommits(branch: string, tip: string): Promise<ForeignCommit[]> {
    let commits = await this.#commitsOffBase(tip);
    if ((await this.#isShallow()) && (await this.#anyMerge(commits.filter((c) => !c.kajis)))) {
      await this.#unshallow(branch);
      commits = await this.#commitsOffBase(tip);
    }
    const foreign: ForeignCommit[] = [];
    for (const { kajis, full, parents, ...commit } of commits) {
      if (kajis || (parents.length === 2 && (await this.#cleanMergeOfBase(full, parents[0]!, parents[1]!)))) continue;
      foreign.push(commit);
    }
    return foreign;
  }

  /** The commits from `tip` back to the base, each with whether it is kaji's by its trailer and committer. */
  async #commitsOffBase(tip: string): Promise<(ForeignCommit & { kajis: boolean; full: string; parents: string[] })[]> {
    // Fields and commits end in NUL, which no name or message can hold (git refuses it in a message).
    const format = ['%H', '%h', '%P', '%an', '%ae', '%cn', '%ce', '%s', '%(trailers:only,unfold)'];
    const log = await this.#git(['log', '-z', `--format=${format.join('%x00')}`, tip, '--not', 'HEAD', `refs/remotes/origin/${this.base}`, '--']);
    const fields = log.split('\0');
    if (fields.length % format.length === 1 && fields.at(-1) === '') fields.pop();
    if (fields.length % format.length !== 0) {
      // Unreadable is not kaji's: refuse rather than guess.
      throw new GitError(`cannot read the commits on the pull request branch of ${this.source} (git log gave ${fields.length} fields, not a multiple of ${format.length}); nothing was pushed`, ['log']);
    }
    const commits = [];
    for (let i = 0; i < fields.length; i += format.length) {
      const [full, sha, parents, authorName, authorEmail, committerName, committerEmail, subject, trailers] = fields.slice(i, i + format.length) as string[] as [string, string, string, string, string, string, string, string, string];
      const committedByAuthor = authorName === committerName && authorEmail === committerEmail;
      const kajis = committedByAuthor && /^Kaji-[A-Za-z0-9-]+:/m.test(trailers);
      commits.push({ sha, author: authorName, ...(committedByAuthor ? {} : { committer: committerName }), subject, kajis, full, parents: parents.split(' ').filter((p) => p !== '') });
    }
    return commits;
  }

  /** Whether any of `commits` is a merge as stored (a shallow clone hides the parents of one at its edge). */
  async #anyMerge(commits: readonly { full: string }[]): Promise<boolean> {
    for (const { full } of commits) {
      const raw = await this.#git(['cat-file', 'commit', full]);
      const headers = raw.slice(0, Math.max(0, raw.indexOf('\n\n')));
      if ((headers.match(/^parent /gm) ?? []).length > 1) return true;
    }
    return false;
  }

  /**
   * Whether merge commit `sha` is a clean merge of the base into the branch: its second parent is on
   * the base, and its tree is the one git makes of its parents with no hand in it (`git merge-tree`;
   * a conflict, an edit or a git without --write-tree is not clean).
   */
  async #cleanMergeOfBase(sha: string, first: string, second: string): Promise<boolean> {
    // A failure (not an ancestor, a conflict, an old git) is an answer: not clean.
    const attempt = (args: string[]) => this.#git(args).catch(() => undefined);
    if ((await attempt(['merge-base', '--is-ancestor', second, `refs/remotes/origin/${this.base}`])) === undefined) return false;
    const merged = (await attempt(['merge-tree', '--write-tree', '--no-messages', first, second]))?.split('\n')[0];
    const tree = (await attempt(['rev-parse', '--verify', `${sha}^{tree}`]))?.trim();
    return merged !== undefined && merged === tree;
  }

  async #isShallow(): Promise<boolean> {
    return (await this.#git(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  }

  /**
   * Into a shallow clone, the history of the base back to where `tip` (of `branch`) left it: a
   * repository with years of history is not fetched whole for a branch of a few commits. The
   * branch's own commits are the ones #fetchBranch's --shallow-exclude sent (off the base as
   * fetched); both histories are deepened (`git fetch --deepen`: N commits past each shallow
   * boundary), doubling each time, until the base reaches the parent of the oldest of them: then
   * nothing but those commits is off the base, and the merge base is that parent. Among them a
   * merge (cut there from its parents), a server that cannot deepen, or a deepening that gets
   * nothing more: the whole history, as before.
   */
  async #deepenToBase(branch: string, tip: string): Promise<void> {
    const offBase = async () => (await this.#git(['rev-list', tip, '--not', `refs/remotes/origin/${this.base}`, '--'])).split('\n').filter((sha) => sha !== '');
    const own = new Set(await offBase());
    if (await this.#anyMerge([...own].map((full) => ({ full })))) return this.#unshallow(branch);
    await this.#forgetUnsentShallows();
    const doing = `fetching ${branch} of ${this.source}`;
    for (let depth = 1; await this.#isShallow(); depth *= 2) {
      const before = (await this.#shallowFile()).commits.sort().join();
      try {
        await this.#git(['fetch', '--quiet', '--no-tags', `--deepen=${depth}`, 'origin', ...this.#branchAndBase(branch)], { doing });
      } catch (error) {
        if (!(error instanceof GitError) || !/does not support --deepen/.test(error.stderr)) throw error;
        return this.#unshallow(branch);
      }
      if ((await offBase()).every((sha) => own.has(sha))) return;
      if ((await this.#shallowFile()).commits.sort().join() === before) return this.#unshallow(branch);
    }
  }

  /** The whole history of `branch` and the base, into a shallow clone. */
  async #unshallow(branch: string): Promise<void> {
    await this.#forgetUnsentShallows();
    await this.#git(['fetch', '--quiet', '--no-tags', '--unshallow', 'origin', ...this.#branchAndBase(branch)], { doing: `fetching ${branch} of ${this.source}` });
  }

  /** The refspecs of `branch` and the base into refs/remotes/origin/. */
  #branchAndBase(branch: string): string[] {
    return [`+refs/heads/${branch}:refs/remotes/origin/${branch}`, `+refs/heads/${this.base}:refs/remotes/origin/${this.base}`];
  }

  /** .git/shallow: the commits a shallow clone's history is cut at (none for a full clone). */
  async #shallowFile(): Promise<{ path: string; commits: string[] }> {
    const path = resolve(this.root, (await this.#git(['rev-parse', '--git-path', 'shallow'])).trim());
    return { path, commits: (await readFile(path, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '') };
  }

  /**
   * A --shallow-exclude fetch may record as shallow a commit it did not send (one behind a merge
   * cut from its parents); git cannot deepen past it ("error in object: unshallow"): forget it.
   */
  async #forgetUnsentShallows(): Promise<void> {
    const { path: shallowFile, commits: recorded } = await this.#shallowFile();
    const checked = await this.#git(['cat-file', '--batch-check=%(objectname)'], { input: `${recorded.join('\n')}\n` });
    const missing = new Set(checked.split('\n').filter((line) => line.endsWith(' missing')).map((line) => line.split(' ')[0]));
    const present = recorded.filter((sha) => !missing.has(sha));
    if (present.length < recorded.length) await writeFileAtomically(shallowFile, `${present.map((sha) => `${sha}\n`).join('')}`);
  }

  /**
   * Push mode: push HEAD to the base branch (never forced). On a rejection because the base moved,
   * fetch, rebase the local commits onto the new tip (or call `reapply` on a fresh base) and retry,
   * with bounded attempts and jittered exponential backoff. A rebase conflict is aborted and thrown.
   * `pushed` is false when `reapply` returned false: nothing was pushed, and `commit` is the new base
   * tip (someone else's), not a commit of ours.
   */
  async pushToBase(options: PushToBaseOptions = {}): Promise<PushToBaseResult> {
    const attempts = options.attempts ?? 8;
    if (!Number.isInteger(attempts) || attempts < 1) throw new GitError(`attempts must be a positive integer, got ${attempts}`);
    const backoff = options.backoff ?? { minMs: 100, maxMs: 2000 };
    let message: string | undefined; // the pending commit's message, read at the first retry (HEAD is still that commit)
    for (let attempt = 1; ; attempt++) {
      const commit = await this.head();
      const builtOn = await this.#builtOn();
      try {
        // Leased to the tip the commits were made on, which the base must still be at: a fast-forward
        // check alone lets a push land on a base someone moved back meanwhile (a bad release taken out
        // by a force-push) whenever this clone holds what was taken out (a full clone of a local path),
        // and would put it back. Not a force: HEAD descends from that tip (#builtOn).
        await this.#git(['push', `--force-with-lease=refs/heads/${this.base}:${builtOn}`, 'origin', `HEAD:refs/heads/${this.base}`], { doing: `pushing to ${this.base} of ${this.source}` });
        return { attempts: attempt, commit, pushed: true };
      } catch (error) {
        if (!(error instanceof GitError) || !isRetryableRejection(error.stderr)) throw error;
        if (attempt >= attempts) {
          throw new GitError(
            `the push to ${this.base} of ${this.source} was still rejected after ${attempts} attempts (the base branch keeps moving); try again`,
            error.command,
            error.stderr,
          );
        }
      }
      await sleep(backoffDelay(attempt, backoff));
      if (options.reapply) {
        message ??= await this.#pendingMessage();
        await this.resetToBase();
        const changed = await options.reapply(this);
        if (!changed) return { attempts: attempt, commit: await this.head(), pushed: false };
        if (await this.hasChanges()) await this.commit(message ?? 'kaji: reapply');
      } else {
        await this.#fetchBase();
        await this.#rebase(builtOn);
      }
    }
  }

  /** The base's tip as last fetched, which HEAD's commits are made on (checked: a push leased to it must be no force). */
  async #builtOn(): Promise<string> {
    const tip = this.#madeOn;
    const descends = await this.#git(['merge-base', '--is-ancestor', tip, 'HEAD']).then(() => true, () => false);
    if (!descends) throw new GitError(`refusing to push to ${this.base} of ${this.source}: the commit is not on top of the base's tip ${tip.slice(0, 12)}`, ['push']);
    return tip;
  }

  /** Resets the tree to a fresh base tip (fetching first); used by reapply loops. */
  async resetToBase(): Promise<void> {
    await this.#fetchBase();
    await this.#git(['reset', '--quiet', '--hard', `refs/remotes/origin/${this.base}`]);
    await this.#git(['clean', '-fdxq']);
    this.#madeOn = await this.head();
  }

  /** Removes the temporary tree. Safe to call more than once. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#remove();
  }

  async #fetchBase(): Promise<void> {
    await this.#git(['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${this.base}:refs/remotes/origin/${this.base}`], {
      doing: `fetching ${this.base} of ${this.source}`,
    });
  }

  /** Moves the commits made on `builtOn` onto the base's new tip: only those, should the base have moved back. */
  async #rebase(builtOn: string): Promise<void> {
    try {
      await this.#git(['rebase', '--quiet', '--onto', `refs/remotes/origin/${this.base}`, builtOn]);
      this.#madeOn = (await this.#git(['rev-parse', '--verify', `refs/remotes/origin/${this.base}^{commit}`])).trim();
    } catch (error) {
      await this.#git(['rebase', '--abort']).catch(() => undefined);
      const detail = error instanceof GitError ? `${error.stdout}\n${error.stderr}`.trim() : String(error);
      const files = [...detail.matchAll(/^CONFLICT \([^)]*\): .*? in (.+)$/gm)].map((m) => m[1]);
      throw new GitError(
        `conflict: the change cannot be rebased onto the new tip of ${this.base} of ${this.source}` +
          (files.length > 0 ? ` (${files.join(', ')})` : '') +
          '; someone else changed the same lines. Nothing was pushed; resolve it by hand or re-run on the new base.',
        error instanceof GitError ? error.command : ['rebase'],
        detail,
      );
    }
  }

  async #pendingMessage(): Promise<string | undefined> {
    const ahead = Number((await this.#git(['rev-list', '--count', `${this.baseCommit}..HEAD`])).trim());
    return ahead > 0 ? this.#git(['log', '-1', '--format=%B', 'HEAD']) : undefined;
  }

  #resolve(path: string): string {
    if (isAbsolute(path)) throw new GitError(`"${path}" must be relative to the workspace root`);
    const file = resolve(this.root, path);
    const rel = relative(this.root, file);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep)[0] === '.git') {
      throw new GitError(`"${path}" is outside the workspace's working tree`);
    }
    return file;
  }

  /** Runs git in the working tree; `doing` defaults to "in the clone of SOURCE". */
  #git(args: readonly string[], options: { readonly input?: string; readonly doing?: string } = {}): Promise<string> {
    if (this.#disposed) throw new GitError('the workspace was disposed', [...args]);
    return git(this.#context, args, { input: options.input, doing: options.doing ?? `in the clone of ${this.source}`, cwd: this.root, tree: this.root });
  }
}

/** Whether `source` is a clone URL (scheme://… or scp-like user@host:path) rather than a local path. */
export function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^[^/\\\s@]+@[^/\\\s:]+:/.test(source);
}

/** Replaces URL userinfo and the given secrets (and their basic-auth forms) with "***". */
export function redact(text: string, secrets: readonly string[] = []): string {
  // Up to the last "@" of the authority, as URL parsers read it (a password may hold an "@").
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\\@\s]*(?:@[^/?#\\@\s]*)*@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of [secret, basicAuth(TOKEN_USER, secret), Buffer.from(secret).toString('base64')]) {
      out = out.split(form).join('***');
    }
  }
  return out;
}

/** What the userinfo of an http(s) URL held, and the URL without it. */
export interface UrlCredentials {
  /** The URL without userinfo (the rest byte for byte). */
  readonly url: string;
  /** Percent-decoded, as git would send them; absent when the URL has no userinfo. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** The strings to redact: the password (or the username when there is no password: a token as user name), decoded and as written, and the basic-auth form. */
  readonly secrets: readonly string[];
}

/**
 * Takes the userinfo out of an http(s) clone URL (`https://x-access-token:TOKEN@host/…`). Other
 * sources (paths, ssh, scp-like `git@host:…`, whose user name is no secret) come back unchanged.
 */
export function urlCredentials(source: string): UrlCredentials {
  const match = /^(https?:\/\/)([^/?#\\\s]*)@/i.exec(source);
  if (!match) return { url: source, secrets: [] };
  const url = match[1]! + source.slice(match[0].length);
  const userinfo = match[2]!;
  const colon = userinfo.indexOf(':');
  const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon < 0 ? '' : userinfo.slice(colon + 1);
  const username = percentDecoded(rawUser);
  const password = percentDecoded(rawPassword);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.username !== '' || parsed.password !== '') {
    throw new GitError(`${redact(source)} is not a URL git can clone (the credentials in it could not be taken apart from the host)`);
  }
  const secret = password !== '' ? [password, rawPassword] : [username, rawUser];
  const secrets = [...new Set([...secret, basicAuth(username, password)])].filter((s) => s !== '');
  return { url, credentials: { username, password }, secrets };
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What follows `basic ` in an Authorization header: base64 of "username:password". */
function basicAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/** A PR-mode branch on the remote as kaji read it. */
interface RemoteBranch {
  readonly tip: string;
  /** Every commit of it is on the base (the server said so): none is foreign. */
  readonly onBase: boolean;
}

/** "holds a commit kaji did not make (…): abc1234 by Rita "fix"": what pushBranch's rule found on a branch, the five newest named. */
export function foreignCommitsText(commits: readonly ForeignCommit[]): string {
  const shown = commits.slice(0, 5).map((c) => `${c.sha} by ${c.author}${c.committer === undefined ? '' : ` (committed by ${c.committer})`} "${c.subject}"`);
  if (commits.length > shown.length) shown.push(`and ${commits.length - shown.length} more`);
  return `holds ${commits.length === 1 ? 'a commit' : 'commits'} kaji did not make (no Kaji-* trailer, or changed by someone else): ${shown.join(', ')}`;
}

/** The refusal to push over, or delete, commits kaji did not make: the branch, those commits, and `consequence` ({them}: "it" or "them"). */
function foreignCommitsError(branch: string, source: string, commits: readonly ForeignCommit[], consequence: string): ForeignCommitsError {
  return new ForeignCommitsError(`${branch} of ${source} ${foreignCommitsText(commits)}; ${consequence.replaceAll('{them}', commits.length === 1 ? 'it' : 'them')}`, branch, commits);
}

function checkBranch(name: string): string {
  if (!isGitBranchName(name)) throw new GitError(`"${name}" is not a valid branch name`);
  return name;
}

/**
 * Why git would refuse a push of `branch` into the local repository at `path`, told before any
 * work is done: a working checkout refuses pushes to its checked-out branch
 * (receive.denyCurrentBranch, unless set to updateInstead, warn or ignore). Undefined when the
 * push may go through: a bare repository, or another branch (or none) checked out.
 */
export async function checkedOutBranchRefusal(path: string, branch: string): Promise<string | undefined> {
  const top = await localRepository(path);
  const context = gitContext(DEFAULT_AUTHOR, top, undefined, undefined);
  const read = (args: readonly string[]) => git(context, args, { cwd: top, doing: `reading ${top}` }).then((out) => out.trim(), () => undefined);
  if ((await read(['rev-parse', '--is-bare-repository'])) !== 'false') return undefined;
  if ((await read(['symbolic-ref', '--quiet', '--short', 'HEAD'])) !== branch) return undefined;
  const setting = (await read(['config', '--get', 'receive.denyCurrentBranch']))?.toLowerCase() ?? 'refuse';
  if (!['refuse', 'true', 'yes', 'on', '1'].includes(setting)) return undefined;
  return `${top} is a working checkout with ${branch} checked out, and git refuses pushes to a checked-out branch (receive.denyCurrentBranch): give --manifests the repository's clone URL or a bare repository`;
}

/** The top of the repository holding a local path (a working copy's top level or a bare repository). */
async function localRepository(path: string): Promise<string> {
  const absolute = resolve(path);
  const exists = await stat(absolute).then((s) => s.isDirectory(), () => false);
  if (!exists) throw new SourceNotFoundError(`${absolute} is not a directory (expected a git repository or a clone URL)`);
  const context = gitContext(DEFAULT_AUTHOR, absolute, undefined, undefined);
  try {
    const doing = `reading ${absolute}`;
    const bare = (await git(context, ['rev-parse', '--is-bare-repository'], { cwd: absolute, doing })).trim() === 'true';
    const top = (await git(context, ['rev-parse', bare ? '--absolute-git-dir' : '--show-toplevel'], { cwd: absolute, doing })).trim();
    // A folder inside a repository would have git clone the whole enclosing repository instead.
    if (!bare && realpathSync(top) !== realpathSync(absolute)) {
      throw new SourceNotRepositoryError(`${absolute} is a folder inside the git repository ${top}, not a repository of its own: give the manifest repository's own checkout or its clone URL`);
    }
    return top;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    // git's words for it since 2.35.3; 2.35.2 (and distributions' backports) said "unsafe repository".
    const refused = /dubious ownership in repository at '(.*)'|unsafe repository \('(.*)' is owned by someone else\)/.exec(error.stderr);
    const owned = refused?.[1] ?? refused?.[2];
    if (owned !== undefined) {
      const fix = `if you trust it, run: git config --global --add safe.directory ${shellWord(owned)}`;
      throw new GitError(`${owned} belongs to another user, and git refuses to read it (its safe.directory check); ${fix}`, error.command, error.stderr);
    }
    // Anything else keeps git's own account.
    if (!/not a git repository/i.test(error.stderr)) throw error;
    throw new SourceNotRepositoryError(`${absolute} is not inside a git repository`, error.command, error.stderr);
  }
}


/** The branch the clone at `root` is on: the source's default branch. `source` is already redacted. */
async function currentBranch(context: GitContext, root: string, source: string): Promise<string> {
  try {
    return (await git(context, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: root, doing: `in the clone of ${source}`, tree: root })).trim();
  } catch (error) {
    throw new GitError(`cannot tell the default branch of ${source}; pass the base branch`, error instanceof GitError ? error.command : [], error instanceof GitError ? error.stderr : '');
  }
}

/** The token to send to an http(s) URL: the explicit one, or GITHUB_TOKEN for GitHub hosts over https. */
function tokenFor(source: string, explicit: string | undefined): string | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) return undefined;
  if (explicit !== undefined) return explicit === '' ? undefined : explicit;
  const env = process.env.GITHUB_TOKEN;
  if (env === undefined || env === '') return undefined;
  const hosts = new Set(['github.com']);
  const server = process.env.GITHUB_SERVER_URL;
  if (server) {
    try {
      hosts.add(new URL(server).host);
    } catch {
      // not a URL: ignore
    }
  }
  return url.protocol === 'https:' && hosts.has(url.host) ? env : undefined;
}

/** How git authenticates to an http(s) remote: an Authorization header, and what it holds (to redact). */
interface HttpAuth {
  readonly header: string;
  readonly secrets: readonly string[];
}

function gitContext(identity: { name: string; email: string }, remote: string, auth: HttpAuth | undefined, explicit: string | undefined): GitContext {
  const secrets = [...(auth?.secrets ?? []), explicit, process.env.GITHUB_TOKEN].filter((s): s is string => s !== undefined && s !== '');
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANGUAGE: 'C', GIT_ASKPASS: 'true' };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  delete env.GIT_INDEX_FILE;
  // kaji is author and committer of its commits (the guard of pushBranch relies on it): no identity from the environment.
  for (const name of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete env[name];
  if (auth !== undefined) {
    const origin = new URL(remote);
    const count = Number(env.GIT_CONFIG_COUNT ?? '0') || 0;
    env[`GIT_CONFIG_KEY_${count}`] = `http.${origin.protocol}//${origin.host}/.extraHeader`;
    env[`GIT_CONFIG_VALUE_${count}`] = `Authorization: ${auth.header}`;
    env.GIT_CONFIG_COUNT = String(count + 1);
  }
  return { identity, secrets, env };
}

async function git(context: GitContext, args: readonly string[], options: RunOptions): Promise<string> {
  const { name, email } = context.identity;
  const full = [
    '-c', `user.name=${name}`,
    '-c', `user.email=${email}`,
    '-c', 'commit.gpgsign=false',
    '-c', 'core.autocrlf=false',
    '-c', 'advice.detachedHead=false',
    '-c', 'init.defaultBranch=main',
    ...args,
  ];
  const failure = (why: string, stderr: string, stdout: string) => {
    const cleanStderr = redact(stderr, context.secrets).trim();
    const command = ['git', ...args].map((a) => redact(a, context.secrets));
    const account = gitAccount(cleanStderr) || why;
    const reason = options.tree === undefined ? account : repositoryPaths(account, options.tree);
    const message = redact(`${options.doing}: git ${args[0]} failed: ${reason}`, context.secrets);
    return new GitError(message, command, cleanStderr, redact(stdout, context.secrets).trim());
  };
  let run: StoppableRun;
  try {
    run = await runStoppable('git', full, { cwd: options.cwd, env: context.env, input: options.input ?? '', maxOutputBytes: MAX_BUFFER });
  } catch (error) {
    if (!(error instanceof StoppableRunError)) throw error;
    throw failure(error.message, '', error.stdout);
  }
  if (run.code === 0) return run.stdout;
  throw failure(run.signal ? `stopped by ${run.signal}` : `exit code ${run.code}`, run.stderr, run.stdout);
}

/**
 * What git said went wrong, on one line: its last lines (at most 4) up to the end of the paragraph
 * of its last fatal or error line, without `hint:` lines. What follows that paragraph is git's
 * advice (a lock file: "Another git process seems to be running…"), which would push the reason out.
 */
function gitAccount(stderr: string): string {
  const lines = stderr.split('\n');
  let end = lines.findLastIndex((line) => /^(fatal|error):/.test(line));
  if (end < 0) end = lines.length;
  while (end < lines.length && lines[end]!.trim() !== '') end++;
  return lines.slice(0, end).filter((line) => line.trim() !== '' && !line.startsWith('hint:')).slice(-4).join('; ');
}

/**
 * `text` with each path into the working tree `root` written as the path in the repository
 * (`apps/…`), and `root` itself as "the temporary clone": the tree is a temporary folder, gone by
 * the time the message is read. Paths are replaced as written: absolute, with links resolved (as
 * kubectl prints them), or relative to the current directory (displayPath's form).
 */
function repositoryPaths(text: string, root: string): string {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // not there (a clone that failed): only the path as given can be in the text
  }
  // Longest first: a shorter form (relative) may be part of a longer one (absolute), never the reverse.
  const forms = [...new Set([root, real, displayPath(root), displayPath(real)])].sort((a, b) => b.length - a.length);
  const inside = forms.reduce((out, form) => out.split(`${form}${sep}`).join(''), text);
  // The tree itself, only as an absolute path: a relative form may be a plain word ("tree").
  return forms.filter((form) => isAbsolute(form)).reduce((out, form) => out.split(form).join('the temporary clone'), inside);
}

/** What kept git from the repository, when its stderr says so: what the user has to check. */
export type RemoteProblem = 'no-branch' | 'no-repository' | 'unreachable' | 'refused' | 'checked-out';

/** The RemoteProblem of a failed clone, fetch or push, from what git (or ssh, curl) printed; undefined for any other failure. */
export function remoteProblem(error: GitError): RemoteProblem | undefined {
  const { stderr } = error;
  if (/^fatal: Remote branch .* not found in upstream|couldn't find remote ref/m.test(stderr)) return 'no-branch';
  if (/Authentication failed|could not read (Username|Password)|returned error: 40[13]\b|Permission denied \(|Permission to .* denied|Host key verification failed/.test(stderr)) return 'refused';
  if (/repository '.*' not found|does not appear to be a git repository|returned error: 404\b/.test(stderr)) return 'no-repository';
  if (/Could not resolve host|Failed to connect to|Connection refused|Connection timed out|Network is unreachable/i.test(stderr)) return 'unreachable';
  // A push into a working checkout whose checked-out branch it would move (receive.denyCurrentBranch).
  if (/branch is currently checked out|receive\.denyCurrentBranch/.test(stderr)) return 'checked-out';
  return undefined;
}

/**
 * A GitError with what to check added, when git says what kept it from the manifest repository:
 * the flag or platform.yaml field that named the branch or the repository, or the credentials
 * (kaji bump's and kaji rightsize's --manifests and --base, else platform.yaml's manifests).
 */
export function withGitFix(error: unknown, options: { readonly manifests?: string; readonly base?: string }, source: string): unknown {
  if (!(error instanceof GitError)) return error;
  const problem = remoteProblem(error);
  if (problem === undefined) return error;
  const repository = options.manifests === undefined ? 'manifests.url in platform.yaml' : '--manifests';
  const fixes: Record<RemoteProblem, string> = {
    'no-branch': `check the base branch (${options.base === undefined ? 'manifests.branch in platform.yaml' : '--base'})`,
    'no-repository': `check the repository URL (${repository}) and that the credentials can see it`,
    unreachable: `check the repository URL (${repository}) and that its host can be reached from here`,
    'checked-out': `${source} has the branch checked out, so git will not push into it: give ${repository} the repository's clone URL (or a bare repository)`,
    refused: /^https?:/i.test(source)
      ? 'check the credentials: GITHUB_TOKEN, or user:token in the manifests URL (a push needs write access)'
      : 'check the ssh key (in ssh-agent, or without a passphrase) and the host in known_hosts',
  };
  return new GitError(`${error.message}; ${fixes[problem]}`, error.command, error.stderr, error.stdout);
}

/** A push rejected because the ref moved under us (non-fast-forward, or lost the ref lock race). */
function isRetryableRejection(stderr: string): boolean {
  // git's own lines only: a hook's ("remote: …") may say anything, non-fast-forward included.
  const own = stderr.split('\n').filter((line) => !/^remote:/.test(line)).join('\n');
  return (
    // Refused by git before sending: the lease's expected tip is not the remote's (stale info).
    /\[rejected\].*\((fetch first|non-fast-forward|stale info)\)/.test(own) ||
    // Refused by the server, which lost the race to lock the ref.
    /\[remote rejected\].*\((cannot lock ref|failed to update ref|failed to lock|incorrect old value)/.test(own) ||
    /\bnon-fast-forward\b/.test(own) ||
    /\bcannot lock ref\b/.test(own)
  );
}

/** A raw commit object's tree and parent lines and its message: the commit without its dates, people or signature. */
function changeOf(raw: string): string {
  const end = raw.indexOf('\n\n');
  const headers = (end < 0 ? raw : raw.slice(0, end)).split('\n').filter((line) => /^(tree|parent) /.test(line));
  return `${headers.join('\n')}\n\n${end < 0 ? '' : raw.slice(end + 2)}`;
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
function backoffDelay(attempt: number, { minMs, maxMs }: { minMs: number; maxMs: number }): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Registers the workspace directory `dir` for removal when kaji exits without the returned
 * function having removed it (interrupted). At exit the removal is synchronous (nothing
 * asynchronous runs then); the retries cover a git child still writing into the folder.
 */
function removedAtExit(dir: string): () => Promise<void> {
  const forget = atExit('remove folders', () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    forget();
  };
}
