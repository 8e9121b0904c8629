// kaji dashboard --serve's shutdown on a real HTTPS server on 127.0.0.1:
// requests still coming on a keep-alive connection after close(), and a client
// that never finishes its request.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import { buildDashboard, parseSummary, serveDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { selfSignedLoopbackCertificate } from '../../src/webhook/index.js';
import { platformYaml } from '../support/platform.js';

function smallDashboard(): Dashboard {
  const platform = parsePlatform(platformYaml([{ name: 'shop' }]), 'platform.yaml');
  const clusters = platform.clusters.map((cluster) => ({ cluster: cluster.name, kubernetesVersion: cluster.kubernetesVersion, weight: cluster.weight, score: 100, services: [] }));
  const manifests = { commit: null, branch: null, dirty: null, fingerprint: 'sha256:0' };
  const summary = parseSummary({ platform: 'shop', manifests, dangers: 0, warnings: 0, problems: 0, clusters }, 'summary.json');
  return buildDashboard({ platform, summary, capacity: new Map(), now: new Date(0) });
}

/** A TLS connection to the server, and everything it receives until the server closes it. */
async function rawConnection(port: number): Promise<{ socket: TLSSocket; received: Promise<string> }> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  return { socket, received };
}

describe('kaji dashboard --serve shutting down', () => {
  test('a request under way at close() is answered with Connection: close; the next one on its connection is not taken', async () => {
    const tls = await selfSignedLoopbackCertificate('kaji-dashboard');
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const collecting = new Promise<void>((resolve) => (started = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const errors: unknown[] = [];
    const served = await serveDashboard(0, {
      tls,
      collect: async () => {
        started();
        await gate;
        return smallDashboard();
      },
      logError: (error) => errors.push(error),
    });
    const { socket, received } = await rawConnection(served.port);
    const request = `GET /dashboard.json HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\n\r\n`;
    socket.write(request + request); // keep-alive: the second waits for the first's answer
    await collecting;
    const closed = served.close(60_000);
    release();
    const text = await received;
    await closed;
    assert.equal(text.match(/^HTTP\/1\.1 /gm)?.length, 1, text);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nConnection: close\r\n/i);
    assert.deepEqual(errors, []);
  });

  test('a client that never finishes its request is cut off after the grace period', { timeout: 60_000 }, async () => {
    const tls = await selfSignedLoopbackCertificate('kaji-dashboard');
    const served = await serveDashboard(0, { tls, collect: async () => smallDashboard(), logError: (error) => assert.fail(String(error)) });
    const { socket, received } = await rawConnection(served.port);
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\n`); // the headers never end
    await served.close(50);
    assert.equal(await received, '');
  });
});
