// SIGTERM to the real process (`node dist/cli/main.js webhook`, as the image runs it;
// `npm test` builds dist first): the requests in flight are answered, new
// connections are not taken, and the process exits 0 soon after.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request, type RequestOptions } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, podSpec, review, testCertificate, TEST_CONFIG_YAML, workload, type ReviewResponse } from './helpers.js';
import { KAJI_BIN } from '../support/bin.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = KAJI_BIN;
const IN_FLIGHT = 4;

/** `kaji webhook` as a child process, its standard output read as JSON lines. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [MAIN, 'webhook', '--host', '127.0.0.1', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let pending = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const complete = pending.split('\n');
    pending = complete.pop()!;
    for (const line of complete) lines.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  /** The first line with this event, waiting for it (fails when the process ends first). */
  async function event(name: string): Promise<Record<string, unknown>> {
    for (;;) {
      const found = lines.find((line) => line.event === name);
      if (found) return found;
      const more = new Promise<void>((resolve) => waiters.push(resolve));
      const ended = await Promise.race([more.then(() => false), exited.then(() => true)]);
      if (ended && !lines.some((line) => line.event === name)) throw new Error(`exited before logging ${name}: ${stderr}`);
    }
  }
  return { child, lines, exited, event, stderr: () => stderr };
}

interface Answer {
  status: number;
  connection: string | undefined;
  fingerprint: string;
  review: { apiVersion: string; kind: string; response: ReviewResponse };
  at: number;
}

/**
 * A POST /validate whose body is half sent: resolves `started` once the server has
 * begun the request (its 100 Continue; the request handler runs right after), and
 * `finish()` sends the rest.
 */
function slowReview(target: RequestOptions, body: string) {
  let finish!: () => void;
  let started!: Promise<void>;
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = request(
      { ...target, path: '/validate', method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' } },
      (res) => {
        // Read now: a keep-alive agent takes the socket back when the body ends.
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            connection: res.headers.connection,
            fingerprint,
            review: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['review'],
            at: Date.now(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    started = new Promise((resolve) => req.on('continue', () => req.write(body.slice(0, half), () => resolve())));
    finish = () => req.end(body.slice(half));
  });
  return { answer, started, finish: () => finish() };
}

describe('kaji webhook (the process): SIGTERM', { skip: !existsSync(MAIN) && 'needs `npm run build`' }, () => {
  for (const selfSigned of [true, false]) {
    const how = selfSigned ? '--self-signed' : '--tls-cert and --tls-key, as the Deployment runs it';
    it(`${how}: answers the requests in flight, takes no new connection, exits 0`, { timeout: 30_000 }, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kaji-shutdown-'));
      const pems = await testCertificate();
      const files = { config: join(dir, 'polaris.yaml'), cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
      await writeFile(files.config, TEST_CONFIG_YAML);
      await writeFile(files.cert, pems.cert);
      await writeFile(files.key, pems.key);
      // The policy (and, from files, the certificate) watched as in the Deployment, during the shutdown too.
      const cli = startCli(['--config', files.config, ...(selfSigned ? ['--self-signed'] : ['--tls-cert', files.cert, '--tls-key', files.key])]);
      // Keep-alive, as the API server's client: a connection left open after its answer holds the exit.
      const agent = new Agent({ keepAlive: true });
      try {
        const port = (await cli.event('listening')).port as number;
        // The self-signed certificate is checked below by the fingerprint the process prints.
        const target = { host: '127.0.0.1', port, agent, ...(selfSigned ? { rejectUnauthorized: false } : { ca: pems.cert }) };
        const objects = Array.from({ length: IN_FLIGHT }, (_, i) =>
          i % 2 ? workload('Deployment', podSpec({}, { hostNetwork: true })) : workload('Deployment', podSpec()),
        );
        const requests = objects.map((object, i) => slowReview(target, JSON.stringify(review(object, { uid: `in-flight-${i}` }))));
        await Promise.all(requests.map((r) => r.started));

        const signalled = Date.now();
        cli.child.kill('SIGTERM');
        assert.equal((await cli.event('shutdown')).signal, 'SIGTERM');
        // The process logs that line and closes its listening socket in the same tick.
        await assert.rejects(call({ port, ca: pems.cert }, '/healthz', undefined, { agent: false }), 'a new connection after SIGTERM is refused');

        for (const r of requests) r.finish();
        const answers = await Promise.all(requests.map((r) => r.answer));
        const fingerprint = selfSigned ? /SHA-256 fingerprint (\S+)/.exec(cli.stderr())?.[1] : new X509Certificate(pems.cert).fingerprint256;
        answers.forEach((answer, i) => {
          assert.equal(answer.status, 200);
          assert.equal(answer.fingerprint, fingerprint);
          assert.equal(answer.connection, 'close', 'an answer after SIGTERM closes its keep-alive connection');
          assert.equal(answer.review.apiVersion, 'admission.k8s.io/v1');
          assert.equal(answer.review.kind, 'AdmissionReview');
          assert.equal(answer.review.response.uid, `in-flight-${i}`);
          assert.equal(answer.review.response.allowed, i % 2 === 0);
          if (i % 2) assert.match(answer.review.response.status!.message, /hostNetworkSet/);
        });

        const exit = await Promise.race([cli.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000).unref())]);
        assert.ok(exit, 'exits within 10 s of its last answer');
        assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, cli.stderr());
        // An idle keep-alive connection left open would hold the exit for the 5 s keep-alive timeout.
        const last = Math.max(...answers.map((a) => a.at));
        assert.ok(exit.at - last < 3000, `exited ${exit.at - last} ms after the last answer (${exit.at - signalled} ms after SIGTERM)`);
        const decided = cli.lines.filter((line) => typeof line.uid === 'string').map((line) => line.uid);
        assert.deepEqual(decided.sort(), objects.map((_, i) => `in-flight-${i}`));
      } finally {
        agent.destroy();
        if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('a client stalling its request holds the exit no longer than the request time limit (node stops checking its limits once the server closes)', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kaji-shutdown-'));
    const config = join(dir, 'polaris.yaml');
    await writeFile(config, TEST_CONFIG_YAML);
    const cli = startCli(['--config', config, '--self-signed', '--request-timeout', '2']);
    let stalled: TLSSocket | undefined;
    try {
      const port = (await cli.event('listening')).port as number;
      // Headers begun and never ended, as a client gone quiet mid-request.
      stalled = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      await new Promise<void>((resolve, reject) => stalled!.once('secureConnect', resolve).once('error', reject));
      stalled.on('error', () => undefined);
      stalled.write('POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
      cli.child.kill('SIGTERM');
      await cli.event('shutdown');
      // The old grace (25 s) is past this test's patience: it would fail here, not hang.
      const exit = await Promise.race([cli.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000).unref())]);
      assert.ok(exit, 'exited well before 25 s');
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, cli.stderr());
    } finally {
      stalled?.destroy();
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
