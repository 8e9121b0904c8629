// GitHubForge through the real Octokit against a local server speaking GitHub's REST wire format.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GitHubError, GitHubForge, githubRepositoryOf } from '../../src/gitops/github.js';
import { startGitHubServer, type GitHubServer, type GitHubServerOptions } from '../support/github-server.js';

async function withServer(fn: (server: GitHubServer, forge: GitHubForge) => Promise<void>, options: GitHubServerOptions = {}): Promise<void> {
  const server = await startGitHubServer({ token: 'ghs_Fake0123456789', repositories: ['acme/manifests'], ...options });
  try {
    await fn(server, new GitHubForge({ token: server.token, repository: 'acme/manifests', baseUrl: server.url }));
  } finally {
    await server.close();
  }
}

const REQUEST = { head: 'kaji/bump/antenna', base: 'main', title: 'antenna: 1.4.2 → 1.5.0', body: '| cluster | from | to |\n|---|---|---|\n| blue | 1.4.2 | 1.5.0 |\n' };

describe('GitHubForge.upsertPullRequest', () => {
  test('no open pull request: lists, creates, labels', async () => {
    await withServer(async (server, forge) => {
      const result = await forge.upsertPullRequest({ ...REQUEST, labels: ['kaji', 'release'] });
      assert.deepEqual(result, { number: 1, url: 'https://github.com/acme/manifests/pull/1', created: true, rewritten: false });

      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.path}`),
        ['GET /repos/acme/manifests/pulls', 'POST /repos/acme/manifests/pulls', 'POST /repos/acme/manifests/issues/1/labels'],
      );
      const [list, create, labels] = server.requests as [typeof server.requests[0], typeof server.requests[0], typeof server.requests[0]];
      assert.equal(list.query.state, 'open');
      assert.equal(list.query.head, 'acme:kaji/bump/antenna');
      assert.equal(list.query.base, 'main');
      assert.deepEqual(create.body, { head: 'kaji/bump/antenna', base: 'main', title: REQUEST.title, body: REQUEST.body });
      assert.deepEqual(labels.body, { labels: ['kaji', 'release'] });
      for (const r of server.requests) {
        assert.match(String(r.headers.authorization), /^(token|Bearer) ghs_Fake0123456789$/);
        assert.match(String(r.headers['user-agent']), /^kaji /);
        assert.match(String(r.headers.accept), /application\/vnd\.github/);
      }
      const pull = server.pulls.get('acme/manifests')![0]!;
      assert.equal(pull.title, REQUEST.title);
      assert.deepEqual(pull.labels, ['kaji', 'release']);
    });
  });

  test('an open pull request from the branch: updated (title, body), not duplicated; no labels call without labels', async () => {
    await withServer(async (server, forge) => {
      server.addPull('acme/manifests', { head: 'kaji/bump/antenna', base: 'main', title: 'old', state: 'closed' });
      server.addPull('acme/manifests', { head: 'kaji/bump/beacon', base: 'main', title: 'beacon' });
      const open = server.addPull('acme/manifests', { head: 'kaji/bump/antenna', base: 'main', title: 'antenna: 1.4.2 → 1.4.9' });
      const result = await forge.upsertPullRequest(REQUEST);
      assert.deepEqual(result, { number: open.number, url: `https://github.com/acme/manifests/pull/${open.number}`, created: false, rewritten: true });
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.path}`),
        ['GET /repos/acme/manifests/pulls', `PATCH /repos/acme/manifests/pulls/${open.number}`],
      );
      assert.deepEqual(server.requests[1]!.body, { title: REQUEST.title, body: REQUEST.body });
      assert.equal(open.title, REQUEST.title);
      assert.equal(server.pulls.get('acme/manifests')!.length, 3);
    });
  });

  test('an open pull request already with that title and body (a re-run): reported as it is, not rewritten', async () => {
    await withServer(async (server, forge) => {
      const open = server.addPull('acme/manifests', { head: 'kaji/bump/antenna', base: 'main', title: REQUEST.title, body: REQUEST.body });
      const updatedAt = open.updated_at;
      const result = await forge.upsertPullRequest(REQUEST);
      assert.deepEqual(result, { number: open.number, url: `https://github.com/acme/manifests/pull/${open.number}`, created: false, rewritten: false });
      assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ['GET /repos/acme/manifests/pulls']);
      assert.equal(open.updated_at, updatedAt);
    });
  });

  test('a pull request created by another run between list and create: that one is updated', async () => {
    await withServer(async (server, forge) => {
      const result = await forge.upsertPullRequest(REQUEST);
      assert.equal(result.created, false);
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.path}`),
        ['GET /repos/acme/manifests/pulls', 'POST /repos/acme/manifests/pulls', 'GET /repos/acme/manifests/pulls', `PATCH /repos/acme/manifests/pulls/${result.number}`],
      );
      assert.equal(server.pulls.get('acme/manifests')!.filter((p) => p.state === 'open').length, 1);
    }, {
      // Another run's pull request appears just before ours is created.
      beforeRequest: (request, server) => {
        if (request.method === 'POST' && request.path.endsWith('/pulls')) server.addPull('acme/manifests', { head: 'kaji/bump/antenna', base: 'main', title: 'raced' });
      },
    });
  });

  test('401: GitHubError with a clear message; the token is in neither message nor stack', async () => {
    await withServer(async (server) => {
      const token = 'ghp_WrongToken9876543210';
      const forge = new GitHubForge({ token, repository: 'acme/manifests', baseUrl: server.url });
      await assert.rejects(forge.upsertPullRequest(REQUEST), (e: unknown) => {
        assert.ok(e instanceof GitHubError);
        assert.equal(e.status, 401);
        assert.equal(e.message, 'GitHub refused the token (HTTP 401): check GITHUB_TOKEN has contents:write and pull-requests:write on acme/manifests');
        assert.ok(!`${e.message}\n${e.stack}\n${JSON.stringify(e)}`.includes(token));
        return true;
      });
      assert.equal(server.requests.length, 1, 'stops at the first refusal');
      assert.equal(server.requests[0]!.headers.authorization, `token ${token}`);
    });
  });

  test('unknown repository: 404 named; validation failure: GitHub\'s messages', async () => {
    await withServer(async (server) => {
      const missing = new GitHubForge({ token: server.token, repository: 'acme/nope', baseUrl: `${server.url}/` });
      await assert.rejects(missing.upsertPullRequest(REQUEST), (e: unknown) => e instanceof GitHubError && e.status === 404 && /acme\/nope/.test(e.message));
      const forge = new GitHubForge({ token: server.token, repository: 'acme/manifests', baseUrl: server.url });
      await assert.rejects(forge.upsertPullRequest({ ...REQUEST, title: '' }), (e: unknown) => e instanceof GitHubError && e.status === 422 && /Validation Failed/.test(e.message));
    });
  });

  test('a host that never answers: GitHubError after the request timeout, naming the API URL to check', { timeout: 20_000 }, async () => {
    const sockets = new Set<Socket>();
    const silent = createServer(() => undefined).on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const forge = new GitHubForge({ token: 'ghs_Fake0123456789', repository: 'acme/manifests', baseUrl: url, requestTimeoutMs: 300 });
      await assert.rejects(forge.upsertPullRequest(REQUEST), (e: unknown) => {
        assert.ok(e instanceof GitHubError);
        assert.equal(
          e.message,
          `GitHub (${url}) gave no answer within 0.3 s when trying to list the open pull requests from acme:kaji/bump/antenna on acme/manifests: check the API URL (--github-api-url, GITHUB_API_URL) and that its host can be reached from here`,
        );
        return true;
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    }
  });

  test('bad options are refused before any request', () => {
    assert.throws(() => new GitHubForge({ token: 't', repository: 'not a repo' }), GitHubError);
    assert.throws(() => new GitHubForge({ token: '', repository: 'acme/manifests' }), /GITHUB_TOKEN/);
    // The token goes over TLS, or over plain http to this machine only.
    assert.throws(
      () => new GitHubForge({ token: 't', repository: 'acme/manifests', baseUrl: 'http://ghe.example.com/api/v3' }),
      (e: unknown) =>
        e instanceof GitHubError &&
        e.message === 'the GitHub API URL "http://ghe.example.com/api/v3" (--github-api-url, GITHUB_API_URL): the token would cross the network unencrypted; use https:// (http:// only to this machine)',
    );
    assert.throws(() => new GitHubForge({ token: 't', repository: 'acme/manifests', baseUrl: 'http://10.0.0.7:8080' }), /unencrypted/);
    assert.throws(() => new GitHubForge({ token: 't', repository: 'acme/manifests', baseUrl: 'ftp://ghe.example.com' }), /use an https:\/\/ URL/);
    assert.throws(() => new GitHubForge({ token: 't', repository: 'acme/manifests', baseUrl: 'ghe.example.com/api/v3' }), /is not a URL: give https:\/\/api\.github\.com/);
    // A URL carrying a token is refused without being printed (CI logs keep messages).
    for (const withSecret of ['https://x-access-token:ghp_SECRET123@ghe.example.com/api/v3', 'http://ghp_SECRET123@ghe.example.com/api/v3', 'ghp_SECRET123 ghe.example.com']) {
      assert.throws(
        () => new GitHubForge({ token: 't', repository: 'acme/manifests', baseUrl: withSecret }),
        (e: unknown) => e instanceof GitHubError && /\(--github-api-url, GITHUB_API_URL\) (carries credentials|is not a URL)/.test(e.message) && !e.message.includes('SECRET'),
      );
    }
    for (const local of ['http://127.0.0.1:8080', 'http://localhost:3000/api/v3/', 'http://[::1]:9000']) {
      assert.doesNotThrow(() => new GitHubForge({ token: 't', repository: 'acme/manifests', baseUrl: local }), local);
    }
  });
});

describe('GitHubForge: a stale pull request', () => {
  test("openPullRequest: the open one from the branch into the base, with its head's sha; none for a closed one or another base", async () => {
    const tip = 'c0ffee'.padEnd(40, '1');
    await withServer(
      async (server, forge) => {
        server.addPull('acme/manifests', { head: 'kaji/rightsize', base: 'main', state: 'closed' });
        server.addPull('acme/manifests', { head: 'kaji/rightsize', base: 'release' });
        assert.equal(await forge.openPullRequest('kaji/rightsize', 'main'), undefined);
        const open = server.addPull('acme/manifests', { head: 'kaji/rightsize', base: 'main' });
        assert.deepEqual(await forge.openPullRequest('kaji/rightsize', 'main'), { number: open.number, url: `https://github.com/acme/manifests/pull/${open.number}`, headSha: tip });
        assert.equal(server.requests.at(-1)!.query.head, 'acme:kaji/rightsize');
      },
      { headSha: (branch) => (branch === 'kaji/rightsize' ? tip : '0'.repeat(40)) },
    );
  });

  test('closePullRequest: the comment first (why), then the pull request closed', async () => {
    await withServer(async (server, forge) => {
      const open = server.addPull('acme/manifests', { head: 'kaji/rightsize', base: 'main' });
      await forge.closePullRequest(open.number, 'no request moves by 10% any more');
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.path}`),
        [`POST /repos/acme/manifests/issues/${open.number}/comments`, `PATCH /repos/acme/manifests/pulls/${open.number}`],
      );
      assert.deepEqual(server.requests[0]!.body, { body: 'no request moves by 10% any more' });
      assert.deepEqual(server.requests[1]!.body, { state: 'closed' });
      assert.equal(open.state, 'closed');
      assert.deepEqual(open.comments, ['no request moves by 10% any more']);
    });
  });

  test('closePullRequest of one GitHub closed meanwhile (its branch deleted): the comment, and a refused close is no failure', async () => {
    await withServer(
      async (server, forge) => {
        const open = server.addPull('acme/manifests', { head: 'kaji/rightsize', base: 'main' });
        await forge.closePullRequest(open.number, 'stale');
        assert.deepEqual(
          server.requests.map((r) => `${r.method} ${r.path}`),
          [`POST /repos/acme/manifests/issues/${open.number}/comments`, `PATCH /repos/acme/manifests/pulls/${open.number}`, `GET /repos/acme/manifests/pulls/${open.number}`],
        );
        assert.equal(open.state, 'closed');
        assert.deepEqual(open.comments, ['stale']);
      },
      {
        // GitHub closes it as the comment lands, then answers the PATCH 422 (here: a state it refuses).
        beforeRequest: (request, server) => {
          const pull = server.pulls.get('acme/manifests')![0]!;
          if (request.method === 'POST') pull.state = 'closed';
          if (request.method === 'PATCH') (request.body as { state?: string }).state = 'merged';
        },
      },
    );
  });

  test('closePullRequest that GitHub refuses: a GitHubError naming the pull request; it stays open', async () => {
    await withServer(async (server, forge) => {
      const open = server.addPull('acme/manifests', { head: 'kaji/rightsize', base: 'main' });
      await assert.rejects(forge.closePullRequest(open.number + 1, 'stale'), (e: unknown) => e instanceof GitHubError && e.status === 404 && /comment on pull request #2/.test(e.message));
      await assert.rejects(forge.closePullRequest(open.number, ''), (e: unknown) => e instanceof GitHubError && e.status === 422 && /comment on pull request #1.*Validation Failed/.test(e.message));
      assert.equal(open.state, 'open');
    });
  });
});

describe('githubRepositoryOf', () => {
  const cases: [string, string | undefined][] = [
    ['https://github.com/acme/manifests.git', 'acme/manifests'],
    ['https://github.com/acme/manifests', 'acme/manifests'],
    ['https://x-access-token:abc@github.com/acme/manifests.git', 'acme/manifests'],
    ['git@github.com:acme/manifests.git', 'acme/manifests'],
    ['ssh://git@github.com/acme/manifests.git', 'acme/manifests'],
    ['https://ghe.example.com/platform/manifests.git', 'platform/manifests'],
    ['file:///srv/git/manifests.git', undefined],
    ['/srv/git/manifests', undefined],
    ['https://github.com/acme', undefined],
    ['https://gitlab.com/group/sub/manifests.git', undefined],
  ];
  for (const [url, expected] of cases) {
    test(`${url} → ${expected ?? 'undefined'}`, () => assert.equal(githubRepositoryOf(url), expected));
  }
});
