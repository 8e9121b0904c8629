// A fake GitHub REST API on 127.0.0.1 (node:http) speaking GitHub's wire format
// for the endpoints kaji calls: list, create, update and close pull requests,
// add labels and comments. Reached by the real Octokit through `baseUrl`; records every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withEnv } from './env.js';

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  head: string;
  base: string;
  labels: string[];
  /** The bodies of the comments on its conversation, in order. */
  comments: string[];
  created_at: string;
  updated_at: string;
}

export interface GitHubServerOptions {
  /** The token GitHub accepts (as `token X` or `Bearer X`). @default "ghs_test-token" */
  readonly token?: string;
  /** Repositories that exist (owner/name). @default ["acme/manifests"] */
  readonly repositories?: readonly string[];
  /** The web host for html_url. @default "https://github.com" */
  readonly htmlBase?: string;
  /** Called with each request after it is recorded and before it is answered (to simulate races). */
  readonly beforeRequest?: (request: RecordedRequest, server: GitHubServer) => void;
  /** The sha of a pull request's head branch (its head.sha), as the repository's branch holds it. @default 40 zeros */
  readonly headSha?: (branch: string) => string;
}

export interface GitHubServer {
  /** The API base URL to give Octokit (`http://127.0.0.1:PORT`). */
  readonly url: string;
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Pull requests per repository (owner/name). */
  readonly pulls: Map<string, FakePull[]>;
  /** Seeds a pull request; returns it. */
  addPull(repository: string, pull: { head: string; base: string; title?: string; body?: string; state?: 'open' | 'closed' }): FakePull;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const token = options.token ?? 'ghs_test-token';
  const htmlBase = options.htmlBase ?? 'https://github.com';
  const requests: RecordedRequest[] = [];
  const pulls = new Map<string, FakePull[]>((options.repositories ?? ['acme/manifests']).map((r) => [r, []]));
  let nextNumber = 1;
  let baseUrl = '';

  const addPull: GitHubServer['addPull'] = (repository, seed) => {
    const list = pulls.get(repository);
    if (!list) throw new Error(`unknown repository ${repository}`);
    const now = new Date().toISOString();
    const pull: FakePull = { number: nextNumber++, state: seed.state ?? 'open', title: seed.title ?? 'seeded', body: seed.body ?? '', head: seed.head, base: seed.base, labels: [], comments: [], created_at: now, updated_at: now };
    list.push(pull);
    return pull;
  };

  const repoJson = (repository: string) => {
    const [owner, name] = repository.split('/') as [string, string];
    return {
      id: 1000 + [...pulls.keys()].indexOf(repository),
      name,
      full_name: repository,
      private: true,
      owner: { login: owner, id: 1, type: 'Organization', url: `${baseUrl}/users/${owner}`, html_url: `${htmlBase}/${owner}` },
      html_url: `${htmlBase}/${repository}`,
      url: `${baseUrl}/repos/${repository}`,
      default_branch: 'main',
    };
  };

  const pullJson = (repository: string, pull: FakePull) => {
    const owner = repository.split('/')[0]!;
    return {
      url: `${baseUrl}/repos/${repository}/pulls/${pull.number}`,
      id: 500000 + pull.number,
      node_id: `PR_kwDO${pull.number}`,
      html_url: `${htmlBase}/${repository}/pull/${pull.number}`,
      diff_url: `${htmlBase}/${repository}/pull/${pull.number}.diff`,
      issue_url: `${baseUrl}/repos/${repository}/issues/${pull.number}`,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      body: pull.body,
      user: { login: 'kaji-bot', id: 2, type: 'Bot' },
      labels: pull.labels.map((name, i) => ({ id: 9000 + i, name, color: 'ededed', default: false })),
      created_at: pull.created_at,
      updated_at: pull.updated_at,
      closed_at: pull.state === 'closed' ? pull.updated_at : null,
      merged_at: null,
      draft: false,
      head: { label: `${owner}:${pull.head}`, ref: pull.head, sha: options.headSha?.(pull.head) ?? '0'.repeat(40), user: { login: owner }, repo: repoJson(repository) },
      base: { label: `${owner}:${pull.base}`, ref: pull.base, sha: '0'.repeat(40), user: { login: owner }, repo: repoJson(repository) },
    };
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `FAKE:${requests.length}`,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
    });
    res.end(text);
  };
  const notFound = (res: ServerResponse) => send(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  const invalid = (res: ServerResponse, errors: unknown[]) => send(res, 422, { message: 'Validation Failed', errors, documentation_url: `${DOCS}/pulls/pulls`, status: '422' });

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: unknown = undefined;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        send(res, 400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' });
        return;
      }
    }
    const recorded: RecordedRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body };
    requests.push(recorded);
    options.beforeRequest?.(recorded, self);

    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${token}` && auth !== `Bearer ${token}` && auth !== `bearer ${token}`) {
      send(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
      return;
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(pulls|issues)(?:\/(\d+))?(?:\/(labels|comments))?$/.exec(url.pathname);
    if (!match) return notFound(res);
    const repository = `${match[1]}/${match[2]}`;
    const list = pulls.get(repository);
    if (!list) return notFound(res);
    const [, owner, , kind, numberText, sub] = match;
    const input = (body ?? {}) as Record<string, unknown>;

    if (kind === 'pulls' && numberText === undefined && req.method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open';
      const head = url.searchParams.get('head');
      const base = url.searchParams.get('base');
      const perPage = Number(url.searchParams.get('per_page') ?? '30');
      const found = list
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => head === null || `${owner}:${p.head}` === head)
        .filter((p) => base === null || p.base === base)
        .slice(0, perPage);
      return send(res, 200, found.map((p) => pullJson(repository, p)));
    }
    if (kind === 'pulls' && numberText === undefined && req.method === 'POST') {
      const missing = ['title', 'head', 'base'].filter((k) => typeof input[k] !== 'string' || input[k] === '');
      if (missing.length > 0) return invalid(res, missing.map((field) => ({ resource: 'PullRequest', code: 'missing_field', field })));
      const headRef = String(input.head).includes(':') ? String(input.head).split(':')[1]! : String(input.head);
      if (list.some((p) => p.state === 'open' && p.head === headRef && p.base === input.base)) {
        return invalid(res, [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${headRef}.` }]);
      }
      const pull = addPull(repository, { head: headRef, base: String(input.base), title: String(input.title), body: typeof input.body === 'string' ? input.body : '' });
      return send(res, 201, pullJson(repository, pull));
    }
    const pull = list.find((p) => p.number === Number(numberText));
    if (numberText !== undefined && !pull) return notFound(res);
    if (kind === 'pulls' && pull && sub === undefined && req.method === 'GET') return send(res, 200, pullJson(repository, pull));
    if (kind === 'pulls' && pull && sub === undefined && req.method === 'PATCH') {
      if (input.state !== undefined && input.state !== 'open' && input.state !== 'closed') return invalid(res, [{ resource: 'PullRequest', code: 'invalid', field: 'state' }]);
      if (typeof input.title === 'string') pull.title = input.title;
      if (typeof input.body === 'string') pull.body = input.body;
      if (input.state === 'open' || input.state === 'closed') pull.state = input.state;
      pull.updated_at = new Date().toISOString();
      return send(res, 200, pullJson(repository, pull));
    }
    if (kind === 'issues' && pull && sub === 'labels' && req.method === 'POST') {
      const names = Array.isArray(input.labels) ? input.labels : Array.isArray(body) ? body : [];
      if (!names.every((n): n is string => typeof n === 'string')) return invalid(res, [{ resource: 'Label', code: 'invalid', field: 'labels' }]);
      for (const name of names) if (!pull.labels.includes(name)) pull.labels.push(name);
      return send(res, 200, pull.labels.map((name, i) => ({ id: 9000 + i, node_id: `LA_${i}`, url: `${baseUrl}/repos/${repository}/labels/${encodeURIComponent(name)}`, name, color: 'ededed', default: false, description: null })));
    }
    if (kind === 'issues' && pull && sub === 'comments' && req.method === 'POST') {
      if (typeof input.body !== 'string' || input.body === '') return invalid(res, [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
      pull.comments.push(input.body);
      const id = 7000 + pull.comments.length;
      const now = new Date().toISOString();
      return send(res, 201, {
        id,
        node_id: `IC_${id}`,
        url: `${baseUrl}/repos/${repository}/issues/comments/${id}`,
        html_url: `${htmlBase}/${repository}/pull/${pull.number}#issuecomment-${id}`,
        issue_url: `${baseUrl}/repos/${repository}/issues/${pull.number}`,
        body: input.body,
        user: { login: 'kaji-bot', id: 2, type: 'Bot' },
        author_association: 'NONE',
        created_at: now,
        updated_at: now,
      });
    }
    return notFound(res);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  const self: GitHubServer = {
    url: baseUrl,
    token,
    requests,
    pulls,
    addPull,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return self;
}

/** Runs `body` with GITHUB_TOKEN set to `token` (unset for undefined), then as it was. */
export function withToken<T>(token: string | undefined, body: () => Promise<T>): Promise<T> {
  return withEnv({ GITHUB_TOKEN: token }, body);
}
