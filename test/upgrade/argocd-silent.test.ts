// Green's Argo CD accepting the connection and never answering (a hung
// server, a proxy that holds the request): each request gives up after the
// connection's request timeout, and the sync step asks again at the next poll,
// like any failure to get an answer; a wait that runs out says no answer came.
// The command line keeps the request timeout at 30 s, so these tests call
// nextStep with a connection whose requestTimeoutMs is short.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hasKubectl } from '../support/files.js';
import { nextStep, StepFailedError } from '../../src/upgrade/index.js';
import { ARGOCD_TOKEN, createFixture, healthyApps, recordsFromRemote, setUpgradeEnv, startArgoCd, startRoute53, type FakeServer, type Fixture } from './fixture.js';
import { runUpgrade, upgradeState } from './run.js';

const GREEN_APPS = ['cart', 'kaji-platform', 'kaji-root', 'kaji-tenants', 'shop'];

/** A server on 127.0.0.1 that takes the first `held` requests and never answers them, and passes the others on to `target`. */
async function silentFor(target: FakeServer, held: number): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization });
    if (requests.length <= held) return; // the connection stays open, with no answer
    httpRequest(new URL(request.url ?? '/', target.url), { headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('green\'s Argo CD that never answers', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let restoreEnv: () => void;
  let fixture: Fixture;
  let argocd: FakeServer;
  let route53: FakeServer;
  before(async () => {
    restoreEnv = setUpgradeEnv();
    fixture = await createFixture();
    argocd = await startArgoCd(() => healthyApps(GREEN_APPS, fixture.tip()));
    route53 = await startRoute53(() => recordsFromRemote(fixture));
    assert.equal((await runUpgrade(fixture, ['start', '--soak', '0s'])).code, 0);
    const deploy = await runUpgrade(fixture, ['next'], { argocd, route53 });
    assert.equal(deploy.code, 0, deploy.stderr);
  });
  after(async () => {
    await argocd.close();
    await route53.close();
    fixture.cleanup();
    restoreEnv();
  });

  /** The sync step against `server`, each request given up after 200 ms. */
  function sync(server: FakeServer, timeoutMs: number, progress: string[]) {
    return nextStep({
      directory: fixture.platformDir,
      cdk: fixture.cdk,
      intervalMs: 10,
      timeoutMs,
      route53: { endpoint: route53.url },
      argocd: { server: server.url, token: ARGOCD_TOKEN, requestTimeoutMs: 200 },
      onOutput: () => undefined,
      onProgress: (line) => void progress.push(line),
    });
  }

  // A test timeout: a request that is never given up would hang the wait, not fail it.
  test('no answer at all: asked again at each poll, and when the wait runs out the failure says no answer came; nothing recorded', { timeout: 10_000 }, async () => {
    const silent = await silentFor(argocd, Infinity);
    const progress: string[] = [];
    try {
      await assert.rejects(sync(silent, 1000, progress), (error: Error) => {
        assert.ok(error instanceof StepFailedError, `${error.name}: ${error.message}`);
        assert.equal(error.message, "timed out after 1s waiting for green's Argo CD to sync every service: could not read Argo CD: no answer within 0.2 s");
        return true;
      });
      assert.ok(silent.requests.length >= 3, `asked again: ${silent.requests.length} request(s)`);
      assert.match(progress.join('\n'), /waiting for green's Argo CD to sync every service \([^)]* of 1s\): could not read Argo CD: no answer within 0\.2 s/);
      assert.equal(upgradeState(fixture).done.sync, undefined);
    } finally {
      await silent.close();
    }
  });

  test('no answer to the first two requests: the step goes on asking and is made once Argo CD answers', { timeout: 10_000 }, async () => {
    const silent = await silentFor(argocd, 2);
    const progress: string[] = [];
    try {
      const made = await sync(silent, 3000, progress);
      assert.equal(made.step, 'sync');
      assert.equal(silent.requests.length, 3);
      assert.match(progress.join('\n'), /could not read Argo CD: no answer within 0\.2 s/);
      assert.ok(upgradeState(fixture).done.sync);
    } finally {
      await silent.close();
    }
  });
});
