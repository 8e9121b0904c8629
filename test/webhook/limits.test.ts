// The webhook under slow or greedy clients: real TLS on 127.0.0.1, real sockets. Each slow
// client must be cut off by a time limit (small ones here, set through the server's options),
// the request bodies held in memory together stay under a budget (503 beyond it), and
// connections beyond the limit are closed. Only "closed within a generous bound" is
// asserted, never how fast; the keep-alive's bound is under Node's own default, which
// would close the connection anyway.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServer as createPlainServer } from 'node:http';
import { request } from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { DEFAULT_TIMEOUTS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_INFLIGHT_BODY_BYTES } from '../../src/webhook/index.js';
import { PLATFORM_DEFAULTS } from '../../src/platform/definition/schema.js';
import { admit, call, podSpec, review, startWebhook, waitFor, workload, type Running } from './helpers.js';

/** Generous: the limits under test are a few hundred milliseconds; Node's defaults are 60 s and more. */
const CLOSED_WITHIN_MS = 8_000;

const SMALL = { handshake: 300, headers: 300, request: 800 };

interface Ending {
  /** Milliseconds from the start until the server closed the connection. */
  readonly afterMs: number;
  /** What the server sent (a 408 answer, or nothing). */
  readonly received: string;
}

/** Resolves when the socket closes; rejects when it is still open after CLOSED_WITHIN_MS. */
function closedBy(socket: Socket | TLSSocket, started: number): Promise<Ending> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${CLOSED_WITHIN_MS} ms`));
    }, CLOSED_WITHIN_MS);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ afterMs: Date.now() - started, received });
    });
  });
}

function tlsTo(running: Running, onSecure: (socket: TLSSocket) => void = () => undefined): TLSSocket {
  const socket = connect({ host: '127.0.0.1', port: running.port, ca: running.ca }, () => onSecure(socket));
  return socket;
}

/** Writes `piece` every 50 ms until the socket closes. */
function trickle(socket: TLSSocket, piece: string): void {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(piece);
  }, 50);
  socket.on('close', () => clearInterval(timer));
}

describe('kaji webhook: time limits', () => {
  it('defaults: 5 s handshake and headers, 10 s request (at least the webhook timeoutSeconds), 5 s keep-alive, 256 connections, 64 MiB of bodies', async () => {
    assert.deepEqual({ ...DEFAULT_TIMEOUTS }, { handshake: 5_000, headers: 5_000, request: 10_000, keepAlive: 5_000 });
    assert.ok(DEFAULT_TIMEOUTS.request >= PLATFORM_DEFAULTS.timeoutSeconds * 1000, 'the API server gives up first');
    const running = await startWebhook({ timeouts: undefined });
    try {
      assert.equal(running.server.headersTimeout, 5_000);
      assert.equal(running.server.requestTimeout, 10_000);
      // Not server.keepAliveTimeout: Node's own default is also 5 s, so reading it back would
      // pass with kaji's option ignored. The keep-alive test below uses another value.
      assert.equal(running.server.maxConnections, DEFAULT_MAX_CONNECTIONS);
      assert.equal(DEFAULT_MAX_CONNECTIONS, 256);
      assert.equal(DEFAULT_MAX_INFLIGHT_BODY_BYTES, 64 * 1024 * 1024);
    } finally {
      await running.close();
    }
  });

  it('refuses timeouts that are not positive whole milliseconds', async () => {
    await assert.rejects(startWebhook({ timeouts: { request: 0 } }), /request timeout must be a positive whole number/);
    await assert.rejects(startWebhook({ timeouts: { headers: Number.NaN } }), /headers timeout/);
  });

  it('cuts a partial TLS handshake, an idle connection, trickled headers and a trickled body; then serves as before', async () => {
    const running = await startWebhook({ timeouts: SMALL });
    try {
      const started = Date.now();
      // Half a ClientHello, then nothing.
      const raw = tcpConnect(running.port, '127.0.0.1', () => raw.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])));
      const handshake = closedBy(raw, started);
      // TLS done, then not a byte.
      const idle = closedBy(tlsTo(running), started);
      // Headers one line at a time, never finished.
      const headers = closedBy(
        tlsTo(running, (socket) => {
          socket.write('POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n');
          trickle(socket, 'X-Slow: a\r\n');
        }),
        started,
      );
      // Headers done, the declared body one byte at a time.
      const body = closedBy(
        tlsTo(running, (socket) => {
          socket.write('POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
          trickle(socket, ' ');
        }),
        started,
      );
      const endings = await Promise.all([handshake, idle, headers, body]);
      for (const ending of endings) assert.ok(ending.afterMs < CLOSED_WITHIN_MS);
      const [, idleEnd, headersEnd, bodyEnd] = endings;
      for (const ending of [idleEnd!, headersEnd!, bodyEnd!]) {
        assert.ok(ending.received === '' || /^HTTP\/1\.1 408 /.test(ending.received), `closed or answered 408, got ${JSON.stringify(ending.received)}`);
      }
      assert.equal((await admit(running, '/validate', review(workload('Pod', podSpec())))).response.allowed, true);
      assert.equal(running.server.bodyBytesInFlight, 0, 'the cut request gave its bytes back');
      const metrics = (await call(running, '/metrics')).text;
      assert.match(metrics, /kaji_webhook_requests_total\{path="\/validate",verdict="aborted"\} 1/, 'the body cut by the request timeout');
      assert.doesNotMatch(metrics, /verdict="error"/);
    } finally {
      await running.close();
    }
  });

  it('keeps an idle keep-alive connection for the keepAlive timeout, then closes it (a value Node would not choose by itself)', async () => {
    // Node closes idle keep-alive connections by itself after its own default (5 s, like kaji's
    // default). The value here is far from it, so the test fails if the option is not applied.
    const keepAlive = 1_500;
    // Node closes the socket a little after the keep-alive (about 1 s later on Node 20): bounded well under its default.
    const closedBefore = 4_000;
    const nodeDefault = createPlainServer().keepAliveTimeout;
    assert.ok(nodeDefault >= closedBefore, `Node's own keep-alive timeout (${nodeDefault} ms) must be beyond the bound, or the test proves nothing`);
    const running = await startWebhook({ timeouts: { keepAlive } });
    const socket = tlsTo(running, () => socket.write(HEALTHZ));
    try {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      await waitFor(() => answers(received) === 1, 'the first answer');
      // Idle for a while, well within the keep-alive: the same connection takes a second request.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(socket.destroyed, false, 'still open after 300 ms idle');
      socket.write(HEALTHZ);
      await waitFor(() => answers(received) === 2, 'the second answer on the same connection');
      const idleMs = (await closedBy(socket, Date.now())).afterMs;
      assert.ok(idleMs >= keepAlive - 250, `closed after ${idleMs} ms idle: not before the ${keepAlive} ms keep-alive`);
      assert.ok(idleMs < closedBefore, `closed after ${idleMs} ms idle: by the ${keepAlive} ms keep-alive, not Node's ${nodeDefault} ms`);
      assert.equal(answers(received), 2);
    } finally {
      socket.destroy();
      await running.close();
    }
  });
});

const HEALTHZ = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

/** How many whole /healthz answers (200, body "ok") a connection has received. */
function answers(received: string): number {
  return received.split(/^HTTP\/1\.1 200 OK\r\n[^]*?\r\n\r\nok\n/m).length - 1;
}

describe('kaji webhook: request bodies in flight', () => {
  /** A POST /validate that sends `sent` bytes of a declared `declared` and waits (its socket, and its answer when it comes). */
  function partial(running: Running, declared: number, sent: number) {
    let status: number | undefined;
    const req = request({
      host: '127.0.0.1',
      port: running.port,
      path: '/validate',
      method: 'POST',
      ca: running.ca,
      agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(declared) },
    });
    req.on('response', (res) => {
      status = res.statusCode;
      res.resume();
    });
    req.on('error', () => undefined);
    req.write(' '.repeat(sent));
    return { req, status: () => status };
  }

  it('answers 503 (not read) when the bodies held together would go over the budget; serves again once they are gone', async () => {
    const running = await startWebhook({ maxInflightBodyBytes: 64 * 1024, maxBodyBytes: 48 * 1024, timeouts: { headers: 20_000, request: 20_000 } });
    try {
      const held = partial(running, 40 * 1024, 30 * 1024);
      await waitFor(() => running.server.bodyBytesInFlight === 30 * 1024);
      // Declared: 30 KiB held + 40 KiB > 64 KiB.
      const declared = await call(running, '/validate', ' '.repeat(40 * 1024), { agent: false });
      assert.equal(declared.status, 503);
      assert.equal(declared.headers.connection, 'close');
      assert.match(declared.text, /overloaded/);
      // Streamed without a length: cut when it reaches the budget.
      const streamed = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: running.port, path: '/validate', method: 'POST', ca: running.ca, agent: false, headers: { 'Transfer-Encoding': 'chunked' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let i = 0; i < 4; i++) req.write(' '.repeat(10 * 1024));
        // Never ends: the server must answer without waiting for the rest.
      });
      assert.equal(streamed, 503);
      await waitFor(() => running.server.bodyBytesInFlight === 30 * 1024);
      // A request that fits is judged as usual while the slow one still holds its bytes.
      assert.equal((await admit(running, '/validate', review(workload('Pod', podSpec())))).response.allowed, true);
      assert.equal(held.status(), undefined, 'the slow request is still waiting');
      held.req.destroy();
      await waitFor(() => running.server.bodyBytesInFlight === 0);
      // The same 40 KiB that was refused now fits.
      const big = JSON.stringify(review(workload('Pod', podSpec({ args: ['x'.repeat(39 * 1024)] }))));
      assert.ok(big.length > 39 * 1024 && big.length < 48 * 1024);
      assert.equal((await call(running, '/validate', big, { agent: false })).status, 200);
      assert.match((await call(running, '/metrics')).text, /kaji_webhook_requests_total\{path="\/validate",verdict="overloaded"\} 2/);
    } finally {
      await running.close();
    }
  });
});

describe('kaji webhook: connections', () => {
  it('closes connections beyond maxConnections at once; accepts again when one is gone', async () => {
    const running = await startWebhook({ maxConnections: 3, timeouts: { headers: 20_000, request: 20_000 } });
    const open: TLSSocket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        open.push(await new Promise<TLSSocket>((resolve, reject) => {
          const socket = tlsTo(running, () => resolve(socket));
          socket.on('error', reject);
        }));
      }
      const started = Date.now();
      let secured = false;
      const extra = tlsTo(running, () => (secured = true));
      const ending = await closedBy(extra, started);
      assert.equal(secured, false, 'the fourth connection never got through the handshake');
      assert.ok(ending.afterMs < CLOSED_WITHIN_MS);
      open.pop()!.destroy();
      await waitFor(async () => (await connections(running)) === 2);
      assert.equal((await admit(running, '/validate', review(workload('Pod', podSpec())))).response.allowed, true);
    } finally {
      for (const socket of open) socket.destroy();
      await running.close();
    }
  });
});

function connections(running: Running): Promise<number> {
  return new Promise((resolve, reject) => running.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}
