// httpGet, the one GET Argo CD is read with (kaji upgrade, kaji dashboard): an answer must come whole
// within the time given, or the request is given up, the socket closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpGet, NetworkError } from '../../src/upgrade/http.js';

test('an answer trickling in a byte at a time is given up at the deadline, as a silent one is; the server sees the connection closed', { timeout: 10_000 }, async () => {
  const dripping = new Set<ServerResponse>();
  let closed = 0;
  const server = createServer((request, response) => {
    if (request.url === '/silent') return;
    response.writeHead(200, { 'content-type': 'application/json' });
    dripping.add(response);
    response.on('close', () => closed++);
  });
  const drip = setInterval(() => {
    for (const response of dripping) response.write(' ');
  }, 50);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = (path: string) => new URL(path, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    for (const path of ['/dripping', '/silent']) {
      await assert.rejects(httpGet(url(path), { timeoutMs: 400 }), (error: unknown) => {
        assert.ok(error instanceof NetworkError, String(error));
        assert.equal(error.message, 'no answer within 0.4 s');
        return true;
      });
    }
    for (let waited = 0; closed === 0 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(closed, 1, 'the dripping connection was closed by the client');
  } finally {
    clearInterval(drip);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
