import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs, { existsSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { run } from '../../src/cli/program.js';
import { jsonLinesIo, kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';
import { tenantsDocument } from '../../src/platform/boundaries/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { ECR, platformYaml } from '../support/platform.js';
import { admit, certificatePair, podSpec, replaceFile, review, servedFingerprint, TEST_CONFIG_YAML, waitFor, workload } from './helpers.js';
import { KAJI_BIN } from '../support/bin.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = KAJI_BIN;

/** A port some other server holds on 127.0.0.1. */
async function busyPort(): Promise<{ port: number; close: () => void }> {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  return { port: (busy.address() as AddressInfo).port, close: () => busy.close() };
}

/**
 * Records, in one ordered list, the file watchers kaji opens and closes (fs.watch and fs.watchFile,
 * the real ones called through) and the events it logs. The ES module bindings of node:fs follow
 * the patched functions through syncBuiltinESMExports.
 */
function recordWatchers() {
  const events: string[] = [];
  const original = { watch: fs.watch, watchFile: fs.watchFile, unwatchFile: fs.unwatchFile };
  const patched = {
    watch: (...args: unknown[]) => {
      const file = String(args[0]);
      events.push(`watch ${file}`);
      const watcher = Reflect.apply(original.watch, fs, args) as fs.FSWatcher;
      const close = watcher.close.bind(watcher);
      watcher.close = () => {
        events.push(`close ${file}`);
        close();
      };
      return watcher;
    },
    watchFile: (...args: unknown[]) => {
      events.push(`watchFile ${String(args[0])}`);
      return Reflect.apply(original.watchFile, fs, args) as unknown;
    },
    unwatchFile: (...args: unknown[]) => {
      events.push(`unwatchFile ${String(args[0])}`);
      return Reflect.apply(original.unwatchFile, fs, args) as unknown;
    },
  };
  Object.assign(fs, patched);
  syncBuiltinESMExports();
  return {
    events,
    /** kaji's io, its JSON log lines recorded as `log <event>` among the watcher calls. */
    io(lines: Record<string, unknown>[], stderr: string[]) {
      return {
        out: (text: string) => {
          for (const line of text.split('\n').filter(Boolean)) {
            const parsed = JSON.parse(line) as Record<string, unknown>;
            lines.push(parsed);
            if (typeof parsed.event === 'string') events.push(`log ${parsed.event}`);
          }
        },
        err: (text: string) => void stderr.push(text),
        readStdin: async () => '',
        colorOut: false,
        cwd: process.cwd(),
      };
    },
    restore() {
      Object.assign(fs, original);
      syncBuiltinESMExports();
    },
  };
}

describe('kaji webhook (command line)', () => {
  it('needs a certificate: --tls-cert and --tls-key, or --self-signed, not both', async () => {
    const none = await kaji(['webhook']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--tls-cert FILE and --tls-key FILE \(or --self-signed\)/);
    const both = await kaji(['webhook', '--self-signed', '--tls-cert', 'a.pem', '--tls-key', 'b.pem']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --tls-cert and --tls-key, or --self-signed/);
  });

  it('refuses an invalid configuration at start, and a bad port', async () => {
    const config = await kaji(['webhook', '--self-signed', '--config', 'no-such-file.yaml']);
    assert.equal(config.code, 2);
    assert.match(config.stderr, /invalid configuration/);
    assert.equal((await kaji(['webhook', '--self-signed', '--port', '70000'])).code, 2);
  });

  it('refuses a certificate and key that cannot serve together at start, with the files named (not a crash)', async () => {
    const [a, b] = [await certificatePair('a'), await certificatePair('b')];
    const tree = tempTree({ 'junk.pem': 'not a certificate\n', 'a.crt': a.cert, 'a.key': a.key, 'b.key': b.key });
    try {
      const junk = await kaji(['webhook', '--tls-cert', tree.path('junk.pem'), '--tls-key', tree.path('junk.pem'), '--host', '127.0.0.1', '--port', '0']);
      assert.equal(junk.code, 2, junk.stderr);
      assert.match(junk.stderr, /junk\.pem .*cannot serve HTTPS/);
      assert.doesNotMatch(junk.stderr, /unexpected error/);
      const mismatched = await kaji(['webhook', '--tls-cert', tree.path('a.crt'), '--tls-key', tree.path('b.key'), '--host', '127.0.0.1', '--port', '0']);
      assert.equal(mismatched.code, 2, mismatched.stderr);
      assert.match(mismatched.stderr, /the key does not belong to the certificate/);
    } finally {
      tree.cleanup();
    }
  });

  it('says which address it cannot listen on (a busy port), not a crash', async () => {
    const busy = await busyPort();
    try {
      const result = await kaji(['webhook', '--self-signed', '--host', '127.0.0.1', '--port', String(busy.port)]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1 port ${busy.port}: EADDRINUSE`));
    } finally {
      busy.close();
    }
  });

  it('a busy port with the policy and certificate files given: exit 2 and one line, no file watcher ever opened', async () => {
    const pems = await certificatePair('watched');
    const tree = tempTree({ 'polaris.yaml': TEST_CONFIG_YAML, 'tls.crt': pems.cert, 'tls.key': pems.key });
    const busy = await busyPort();
    const recorder = recordWatchers();
    try {
      const stderr: string[] = [];
      const args = ['webhook', '--config', tree.path('polaris.yaml'), '--tls-cert', tree.path('tls.crt'), '--tls-key', tree.path('tls.key'), '--host', '127.0.0.1', '--port', String(busy.port)];
      const code = await run(args, recorder.io([], stderr));
      assert.equal(code, 2, stderr.join(''));
      assert.deepEqual(stderr, [`kaji: cannot listen on 127.0.0.1 port ${busy.port}: EADDRINUSE; choose another --host or --port\n`]);
      // The watchers start only once the server listens: a failed start has none to close.
      assert.deepEqual(recorder.events, []);
    } finally {
      recorder.restore();
      busy.close();
      tree.cleanup();
    }
  });

  it('the watchers start once the server listens, reload the policy and the certificate, and close on SIGTERM', { timeout: 30_000 }, async () => {
    const first = await certificatePair('first');
    const tree = tempTree({ 'polaris.yaml': TEST_CONFIG_YAML, 'tls.crt': first.cert, 'tls.key': first.key });
    const recorder = recordWatchers();
    const lines: Record<string, unknown>[] = [];
    const stderr: string[] = [];
    const files = [tree.path('polaris.yaml'), tree.path('tls.crt'), tree.path('tls.key')];
    let exited: Promise<number> | undefined;
    try {
      exited = run(['webhook', '--config', files[0]!, '--tls-cert', files[1]!, '--tls-key', files[2]!, '--host', '127.0.0.1', '--port', '0'], recorder.io(lines, stderr));
      await waitFor(() => recorder.events.includes('log listening'), 'the listening line', 10_000);
      const port = lines.find((line) => line.event === 'listening')!.port as number;
      const listening = recorder.events.indexOf('log listening');
      for (const file of files) {
        const watchedAt = recorder.events.indexOf(`watchFile ${file}`);
        assert.ok(watchedAt > listening, `${file} is watched after the server listens: ${recorder.events.join(', ')}`);
      }

      // The policy reloads.
      replaceFile(files[0]!, `${TEST_CONFIG_YAML}\n# edited\n`);
      await waitFor(() => lines.some((line) => line.event === 'config-reload'), 'the config reload', 10_000);
      assert.equal(lines.find((line) => line.event === 'config-reload')!.result, 'ok');

      // The certificate reloads: new handshakes get the renewed one.
      assert.equal(await servedFingerprint(port), new X509Certificate(first.cert).fingerprint256);
      const renewed = await certificatePair('renewed');
      writeFileSync(files[2]!, renewed.key);
      writeFileSync(files[1]!, renewed.cert);
      const expected = new X509Certificate(renewed.cert).fingerprint256;
      await waitFor(async () => (await servedFingerprint(port)) === expected, 'the renewed certificate to be served', 10_000);

      process.emit('SIGTERM');
      assert.equal(await exited, 0, stderr.join(''));
      assert.ok(lines.some((line) => line.event === 'shutdown' && line.signal === 'SIGTERM'));
      const shutdown = recorder.events.indexOf('log shutdown');
      for (const file of files) {
        assert.ok(recorder.events.lastIndexOf(`unwatchFile ${file}`) > shutdown, `${file} is unwatched at shutdown: ${recorder.events.join(', ')}`);
        const opened = recorder.events.filter((event) => event === `watch ${file}`).length;
        assert.equal(recorder.events.filter((event) => event === `close ${file}`).length, opened, `every fs.watch of ${file} closed`);
      }
    } finally {
      if (exited && !lines.some((line) => line.event === 'shutdown')) {
        process.emit('SIGTERM');
        await exited;
      }
      recorder.restore();
      tree.cleanup();
    }
  });

  it('the process: a busy port with watched files exits 2 at once with the one-line error', { skip: !existsSync(MAIN) && 'needs `npm run build`' }, async () => {
    const pems = await certificatePair('process');
    const tree = tempTree({ 'polaris.yaml': TEST_CONFIG_YAML, 'tls.crt': pems.cert, 'tls.key': pems.key });
    const busy = await busyPort();
    try {
      const args = ['webhook', '--config', tree.path('polaris.yaml'), '--tls-cert', tree.path('tls.crt'), '--tls-key', tree.path('tls.key'), '--host', '127.0.0.1', '--port', String(busy.port)];
      const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exit = await new Promise<number | null | 'hung'>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve('hung');
        }, 10_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      assert.equal(exit, 2, stderr);
      assert.equal(stderr, `kaji: cannot listen on 127.0.0.1 port ${busy.port}: EADDRINUSE; choose another --host or --port\n`);
      assert.equal(stdout, '');
    } finally {
      busy.close();
      tree.cleanup();
    }
  });

  it('--max-connections and --request-timeout reach the server', { timeout: 30_000 }, async () => {
    const { io, lines, stderr } = jsonLinesIo();
    const exited = run(['webhook', '--self-signed', '--host', '127.0.0.1', '--port', '0', '--max-connections', '2', '--request-timeout', '1'], io);
    const held: TLSSocket[] = [];
    try {
      await waitFor(() => lines.some((line) => line.event === 'listening'), 'the listening line', 10_000);
      const port = lines.find((line) => line.event === 'listening')!.port as number;
      const open = () =>
        new Promise<TLSSocket | 'closed'>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(socket));
          socket.on('error', () => undefined);
          socket.on('close', () => resolve('closed'));
        });
      for (let i = 0; i < 2; i++) {
        const socket = await open();
        assert.notEqual(socket, 'closed');
        held.push(socket as TLSSocket);
      }
      assert.equal(await open(), 'closed', 'a third connection is closed at once');
      // A body that never ends is cut after the request timeout (1 s; generous bound here).
      const slow = held[0]!;
      const closed = new Promise<void>((resolve) => slow.on('close', () => resolve()));
      slow.write('POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      const started = Date.now();
      await closed;
      assert.ok(Date.now() - started < 10_000);
    } finally {
      for (const socket of held) socket.destroy();
      process.emit('SIGTERM');
      assert.equal(await exited, 0, stderr.join(''));
    }
  });

  it('--merge-config reads --config over the defaults, as kaji check --merge-config does, at start and on reload', { timeout: 30_000 }, async () => {
    const pair = await certificatePair('localhost');
    // One check only: alone it is the whole policy; merged, the defaults' hostNetworkSet (danger) stays on.
    const tree = tempTree({ 'polaris.yaml': 'checks:\n  priorityClassNotSet: ignore\n', 'tls.crt': pair.cert, 'tls.key': pair.key });
    const pod = workload('Pod', podSpec({}, { hostNetwork: true }));
    const allowedWith = async (flags: string[], change?: () => Promise<void>) => {
      const { io, lines } = jsonLinesIo();
      const exited = run(['webhook', '--config', tree.path('polaris.yaml'), ...flags, '--tls-cert', tree.path('tls.crt'), '--tls-key', tree.path('tls.key'), '--host', '127.0.0.1', '--port', '0'], io);
      try {
        await waitFor(() => lines.some((line) => line.event === 'listening'), 'the listening line', 10_000);
        const running = { port: lines.find((line) => line.event === 'listening')!.port as number, ca: pair.cert } as Parameters<typeof admit>[0];
        if (change) {
          await change();
          await waitFor(() => lines.some((line) => line.event === 'config-reload'), 'the policy reload', 10_000);
        }
        return (await admit(running, '/validate', review(pod))).response.allowed;
      } finally {
        process.emit('SIGTERM');
        assert.equal(await exited, 0);
      }
    };
    try {
      assert.equal(await allowedWith([]), true, 'the file alone has no hostNetwork check');
      assert.equal(await allowedWith(['--merge-config']), false, 'merged, the default hostNetworkSet denies it');
      const reloaded = await allowedWith(['--merge-config'], async () => replaceFile(tree.path('polaris.yaml'), 'checks:\n  priorityClassNotSet: warning\n'));
      assert.equal(reloaded, false, 'a reloaded file is merged too');
      const alone = await kaji(['webhook', '--self-signed', '--merge-config']);
      assert.equal(alone.code, 2);
      assert.match(alone.stderr, /--merge-config needs --config FILE/);
    } finally {
      tree.cleanup();
    }
  });

  it('is listed in the help', async () => {
    const help = await kaji(['webhook', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--self-signed/);
    assert.match(help.stdout, /--validate/);
    assert.match(help.stdout, /--max-connections <n>/);
    assert.match(help.stdout, /--request-timeout <seconds>/);
    assert.match(help.stdout, /--tenants <file>/);
  });

  it('refuses a missing or invalid tenants file at start, naming the file and the field', async () => {
    const tree = tempTree({ 'tenants.json': '{"version": 1, "domain": "shop.example.com", "imageAllowlist": "none", "namespaces": {}}' });
    try {
      const missing = await kaji(['webhook', '--self-signed', '--tenants', tree.path('no-such.json')]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read .*no-such\.json: ENOENT/);
      const invalid = await kaji(['webhook', '--self-signed', '--tenants', tree.path('tenants.json')]);
      assert.equal(invalid.code, 2);
      assert.match(invalid.stderr, /--tenants: .*tenants\.json: imageAllowlist must be a list of strings/);
    } finally {
      tree.cleanup();
    }
  });

  it('--tenants: /validate denies what crosses a tenant boundary, and the file is reloaded when it changes', { timeout: 30_000 }, async () => {
    const pair = await certificatePair('localhost');
    const tenants = (hosts: string[]) => JSON.stringify(tenantsDocument(parsePlatform(platformYaml([{ name: 'shop', hosts }]), 'platform.yaml')));
    const tree = tempTree({ 'tenants.json': tenants(['www.shop.example.com']), 'tls.crt': pair.cert, 'tls.key': pair.key });
    const { io, lines } = jsonLinesIo();
    const file = tree.path('tenants.json');
    const exited = run(['webhook', '--tenants', file, '--tls-cert', tree.path('tls.crt'), '--tls-key', tree.path('tls.key'), '--host', '127.0.0.1', '--port', '0'], io);
    try {
      await waitFor(() => lines.some((line) => line.event === 'listening'), 'the listening line', 10_000);
      const listening = lines.find((line) => line.event === 'listening')!;
      assert.equal(listening.tenantNamespaces, 1);
      const running = { port: listening.port as number, ca: pair.cert } as Parameters<typeof admit>[0];
      const ingress = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { rules: [{ host: 'api.shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
      };
      const denied = (await admit(running, '/validate', review(ingress, { namespace: 'shop' }))).response;
      assert.equal(denied.allowed, false);
      assert.match(denied.status!.message, /tenant boundary \(host\): host "api\.shop\.example\.com" is not declared for shop in platform\.yaml/);
      const pod = workload('Pod', podSpec({ image: `${ECR}/shop:1.0.0` }, { tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }] }), { namespace: 'shop' });
      // The default policy denies this Pod too (no securityContext): the message says the boundary does.
      const podDenied = (await admit(running, '/validate', review(pod, { namespace: 'shop' }))).response;
      assert.equal(podDenied.allowed, false);
      assert.match(podDenied.status!.message, /tenant boundary \(scheduling\): tolerations\[0\] tolerates the system nodes' taint CriticalAddonsOnly/);

      replaceFile(file, tenants(['www.shop.example.com', 'api.shop.example.com']));
      await waitFor(() => lines.some((line) => line.event === 'config-reload' && line.file === 'tenants'), 'the tenants reload', 10_000);
      assert.equal(lines.find((line) => line.event === 'config-reload')!.result, 'ok');
      assert.equal((await admit(running, '/validate', review(ingress, { namespace: 'shop' }))).response.allowed, true);
    } finally {
      process.emit('SIGTERM');
      assert.equal(await exited, 0);
      tree.cleanup();
    }
  });
});
