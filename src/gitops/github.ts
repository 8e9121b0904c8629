// GitHub as the forge of the manifest repository: create or update the pull
// request of a bump, or close one no longer needed, through Octokit (REST), on
// github.com or GitHub Enterprise.
import { Octokit } from '@octokit/rest';
import { isUrl } from './git.js';
import { isLoopbackHost } from './loopback.js';

export interface GitHubOptions {
  readonly token: string;
  /** owner/name */
  readonly repository: string;
  /** @default https://api.github.com (GitHub Enterprise: https://HOST/api/v3) */
  readonly baseUrl?: string;
  /**
   * How long one request may wait for GitHub's answer: a host that accepts the connection and never
   * answers would otherwise hold a release job until the job's own timeout.
   * @default 60000 (60 s)
   */
  readonly requestTimeoutMs?: number;
}

/** github.com's REST API, the one used when no other is given. */
const DEFAULT_API_URL = 'https://api.github.com';

/**
 * What is wrong with a GitHub API URL, if anything: the token goes with every
 * request, so it must not cross a network unencrypted (http:// anywhere but
 * this machine). Commands check it before any work; GitHubForge refuses it too.
 */
export function githubApiUrlProblem(given: string): string | undefined {
  const flags = '(--github-api-url, GITHUB_API_URL)';
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    // Not quoted: a mistyped value may hold a token.
    return `the GitHub API URL ${flags} is not a URL: give https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise`;
  }
  if (url.username !== '' || url.password !== '') return `the GitHub API URL ${flags} carries credentials: remove them (the token comes from GITHUB_TOKEN only)`;
  const where = `the GitHub API URL ${JSON.stringify(`${url.origin}${url.pathname}`)} ${flags}`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return `${where}: the token would cross the network unencrypted; use https:// (http:// only to this machine)`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${where}: use an https:// URL`;
  return undefined;
}

/** A request GitHub did not answer within the timeout. */
class RequestTimeout extends Error {
  constructor(readonly milliseconds: number) {
    super(`no answer within ${milliseconds / 1000} s`);
  }
}

/** A GitHub request that failed. Its message never contains the token. */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly status?: number;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

export interface PullRequestRequest {
  /** The branch in the same repository (or `owner:branch`). */
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly labels?: readonly string[];
}

export interface PullRequestResult {
  readonly number: number;
  readonly url: string;
  readonly created: boolean;
  /** An open pull request whose title or body differed was rewritten. */
  readonly rewritten: boolean;
}

interface OpenPullRequest {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly body: string;
  readonly headSha: string;
}

/** An open pull request as GitHub has it: `headSha` is the commit its branch was at when GitHub last saw it. */
export interface FoundPullRequest {
  readonly number: number;
  readonly url: string;
  readonly headSha: string;
}

export class GitHubForge {
  readonly repository: string;
  readonly #owner: string;
  readonly #repo: string;
  readonly #token: string;
  readonly #baseUrl: string;
  readonly #octokit: Octokit;

  constructor(options: GitHubOptions) {
    const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(options.repository);
    if (!match) throw new GitHubError(`"${options.repository}" is not a GitHub repository name (expected OWNER/NAME)`);
    if (options.token === '') throw new GitHubError(`no GitHub token: set GITHUB_TOKEN (contents:write and pull-requests:write on ${options.repository})`);
    this.repository = options.repository;
    this.#owner = match[1]!;
    this.#repo = match[2]!.replace(/\.git$/, '');
    this.#token = options.token;
    const problem = githubApiUrlProblem(options.baseUrl ?? DEFAULT_API_URL);
    if (problem !== undefined) throw new GitHubError(problem);
    this.#baseUrl = (options.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    this.#octokit = new Octokit({
      auth: options.token,
      baseUrl: this.#baseUrl,
      userAgent: 'kaji',
      log: { debug: () => undefined, info: () => undefined, warn: (message: string) => console.warn(this.#redact(message)), error: () => undefined },
    });
    const timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#octokit.hook.wrap('request', async (request, requestOptions) => {
      const signal = AbortSignal.timeout(timeoutMs);
      // Set on the options given: Octokit's hook chain passes those on, not a copy made here.
      requestOptions.request = Object.assign(requestOptions.request ?? {}, { signal });
      try {
        return await request(requestOptions);
      } catch (error) {
        throw signal.aborted ? new RequestTimeout(timeoutMs) : error;
      }
    });
  }

  /**
   * Finds the open PR from `head` into `base` (owner:head) and updates its title/body (unless they
   * are already those), or creates one; adds labels.
   */
  async upsertPullRequest(request: PullRequestRequest): Promise<PullRequestResult> {
    const head = request.head.includes(':') ? request.head : `${this.#owner}:${request.head}`;
    let result: PullRequestResult;
    const existing = await this.#findOpen(head, request.base);
    if (existing !== undefined) {
      const same = existing.title === request.title && existing.body === request.body;
      result = same ? { number: existing.number, url: existing.url, created: false, rewritten: false } : await this.#update(existing.number, request);
    } else {
      try {
        const { data } = await this.#octokit.rest.pulls.create({
          owner: this.#owner,
          repo: this.#repo,
          head: request.head,
          base: request.base,
          title: request.title,
          body: request.body,
        });
        result = { number: data.number, url: data.html_url, created: true, rewritten: false };
      } catch (error) {
        // Another run created it between our list and create: update that one.
        const raced = isAlreadyExists(error) ? await this.#findOpen(head, request.base).catch(() => undefined) : undefined;
        if (raced === undefined) throw this.#error(error, `create the pull request ${head} → ${request.base}`);
        result = await this.#update(raced.number, request);
      }
    }
    if (request.labels && request.labels.length > 0) {
      try {
        await this.#octokit.rest.issues.addLabels({ owner: this.#owner, repo: this.#repo, issue_number: result.number, labels: [...request.labels] });
      } catch (error) {
        throw this.#error(error, `label pull request #${result.number}`);
      }
    }
    return result;
  }

  /** The open pull request from `head` (a branch of the repository) into `base`, if there is one. */
  async openPullRequest(head: string, base: string): Promise<FoundPullRequest | undefined> {
    const found = await this.#findOpen(`${this.#owner}:${head}`, base);
    return found && { number: found.number, url: found.url, headSha: found.headSha };
  }

  /**
   * Says why on pull request `number` (a comment on its conversation: the issues API, as every pull
   * request is an issue), then closes it. A failure to comment closes nothing. A pull request
   * already closed (as by someone meanwhile) is left so: a refused close of it is no failure.
   */
  async closePullRequest(number: number, comment: string): Promise<void> {
    try {
      await this.#octokit.rest.issues.createComment({ owner: this.#owner, repo: this.#repo, issue_number: number, body: comment });
    } catch (error) {
      throw this.#error(error, `comment on pull request #${number}`);
    }
    try {
      await this.#octokit.rest.pulls.update({ owner: this.#owner, repo: this.#repo, pull_number: number, state: 'closed' });
    } catch (error) {
      const state = await this.#octokit.rest.pulls.get({ owner: this.#owner, repo: this.#repo, pull_number: number }).then(({ data }) => data.state, () => undefined);
      if (state !== 'closed') throw this.#error(error, `close pull request #${number}`);
    }
  }

  async #findOpen(head: string, base: string): Promise<OpenPullRequest | undefined> {
    try {
      const { data } = await this.#octokit.rest.pulls.list({ owner: this.#owner, repo: this.#repo, state: 'open', head, base, per_page: 10 });
      const found = data[0];
      return found && { number: found.number, url: found.html_url, title: found.title, body: found.body ?? '', headSha: found.head.sha };
    } catch (error) {
      throw this.#error(error, `list the open pull requests from ${head}`);
    }
  }

  async #update(number: number, request: PullRequestRequest): Promise<PullRequestResult> {
    try {
      const { data } = await this.#octokit.rest.pulls.update({ owner: this.#owner, repo: this.#repo, pull_number: number, title: request.title, body: request.body });
      return { number: data.number, url: data.html_url, created: false, rewritten: true };
    } catch (error) {
      throw this.#error(error, `update pull request #${number}`);
    }
  }

  #error(error: unknown, doing: string): GitHubError {
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
    const repo = this.repository;
    if (error instanceof RequestTimeout) {
      return new GitHubError(`GitHub (${this.#baseUrl}) gave ${error.message} when trying to ${doing} on ${repo}: check the API URL (--github-api-url, GITHUB_API_URL) and that its host can be reached from here`);
    }
    if (status === 401 || status === 403) {
      const rate = status === 403 && /rate limit/i.test(messageOf(error)) ? ` (${this.#redact(messageOf(error))})` : '';
      return new GitHubError(`GitHub refused the token (HTTP ${status}): check GITHUB_TOKEN has contents:write and pull-requests:write on ${repo}${rate}`, status);
    }
    if (status === 404) {
      return new GitHubError(`GitHub found no repository ${repo} (HTTP 404) when trying to ${doing}: check the name, the API URL, and that the token can see it`, status);
    }
    const detail = this.#redact(messageOf(error) + validationDetails(error));
    return new GitHubError(`GitHub could not ${doing} on ${repo}${status === undefined ? '' : ` (HTTP ${status})`}: ${detail}`, status);
  }

  #redact(text: string): string {
    return this.#token.length >= 4 ? text.split(this.#token).join('***') : text;
  }
}

/**
 * The branch of kaji's pull request `name` (kaji/bump/antenna, kaji/rightsize) into `base`: `name`
 * itself into the platform's own branch (manifests.branch), else `kaji/into-<base>/…`. A pull request
 * into another branch (a release branch's fix) then never rebuilds the one into the platform's branch,
 * which would carry that branch's commits into it.
 */
export function pullRequestBranch(name: string, base: string, platformBranch: string): string {
  return base === platformBranch ? name : `kaji/into-${base}/${name.replace(/^kaji\//, '')}`;
}

/**
 * The GitHub repository (OWNER/NAME) a pull request is opened on: the one its branch is pushed to, so
 * `given` (--github-repository), else the one `source` (what the branch is pushed to) names. When
 * neither does, what `source` is (shown as `shown`, its credentials redacted), for the caller's error.
 */
export function pullRequestRepository(source: string, shown: string, given: string | undefined): { readonly repository: string } | { readonly unnamed: string } {
  const repository = given ?? (isUrl(source) ? githubRepositoryOf(source) : undefined);
  if (repository !== undefined) return { repository };
  return { unnamed: isUrl(source) ? `${shown} is a URL with no GitHub OWNER/NAME` : `${shown} is a local path` };
}

/**
 * The GitHub web address the links of the pull request body go to, matching the API in use:
 * GITHUB_SERVER_URL where Actions set it beside that very GITHUB_API_URL; GitHub Enterprise
 * Server's https://HOST for https://HOST/api/v3; https://NAME for https://api.NAME (github.com,
 * GHE.com); else the host of an https manifests URL; else https://github.com.
 */
export function githubWebUrl(apiUrl: string | undefined, manifests: string, env: NodeJS.ProcessEnv = process.env): string {
  const api = (apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  if (env.GITHUB_SERVER_URL && env.GITHUB_API_URL?.replace(/\/+$/, '') === api) return env.GITHUB_SERVER_URL.replace(/\/+$/, '');
  const parsed = URL.canParse(api) ? new URL(api) : undefined;
  if (parsed?.pathname === '/api/v3') return parsed.origin;
  if (parsed?.pathname === '/' && parsed.hostname.startsWith('api.')) return `${parsed.protocol}//${parsed.host.slice('api.'.length)}`;
  const manifestsUrl = /^https?:\/\//i.test(manifests) && URL.canParse(manifests) ? new URL(manifests) : undefined;
  return manifestsUrl ? manifestsUrl.origin : 'https://github.com';
}

/** The owner/name of a GitHub clone URL (https or ssh), or undefined. */
export function githubRepositoryOf(url: string): string | undefined {
  const trimmed = url.trim();
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^/:\s]+):(?!\/\/)(.+)$/.exec(trimmed);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return undefined;
    }
    if (!['https:', 'http:', 'ssh:', 'git+ssh:', 'ssh+git:'].includes(parsed.protocol)) return undefined;
    host = parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
  } else if (scp && scp[1]!.includes('.')) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    return undefined;
  }
  if (host === '') return undefined;
  const parts = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '').split('/');
  if (parts.length !== 2) return undefined;
  const [owner, name] = parts as [string, string];
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(owner) || !/^[A-Za-z0-9_.-]+$/.test(name) || name === '.' || name === '..') return undefined;
  return `${owner}/${name}`;
}

function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'response' in error) {
    const data = (error as { response?: { data?: unknown } }).response?.data;
    if (typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string') return data.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function validationDetails(error: unknown): string {
  const data = (error as { response?: { data?: { errors?: unknown } } } | null)?.response?.data;
  const errors = Array.isArray(data?.errors) ? data.errors : [];
  const messages = errors.map((e: unknown) => (typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string' ? e.message : JSON.stringify(e)));
  return messages.length > 0 ? ` (${messages.join('; ')})` : '';
}

function isAlreadyExists(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 422 && /already exists/i.test(validationDetails(error));
}
