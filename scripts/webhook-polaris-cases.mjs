#!/usr/bin/env node
// The Polaris webhook cases (../shared/polaris-fixtures/webhook_cases/) against
// a real `kaji webhook --self-signed` on 127.0.0.1, with the default
// configuration: every failing_test.* must be denied, every passing_test.*
// admitted. Not part of `npm test` (it needs the built CLI and the shared
// fixtures); run after `npm run build`:
//
//   node scripts/webhook-polaris-cases.mjs [CASES_DIR]
//
// Prints one line per case and "webhook cases: N passed, N failed"; exits 1 on
// any failure.
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { basename, join, resolve } from 'node:path';
import { Buffer } from 'node:buffer';
import { setTimeout, clearTimeout } from 'node:timers';
import { fileURLToPath, URL } from 'node:url';
import { loadAll } from 'js-yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CASES = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'polaris-fixtures', 'webhook_cases'));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const START_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;

/** Lowercase plural resource of a kind, as the API server names it in AdmissionReview.request.resource. */
function resourceOf(kind) {
  const lower = kind.toLowerCase();
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
}

function admissionReview(object, uid) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const namespace = object.metadata?.namespace ?? 'default';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: resourceOf(object.kind) },
      requestKind: { group, version, kind: object.kind },
      requestResource: { group, version, resource: resourceOf(object.kind) },
      name: object.metadata?.name,
      namespace,
      operation: 'CREATE',
      userInfo: { username: 'webhook-polaris-cases', groups: ['system:authenticated'] },
      object: { ...object, metadata: { ...object.metadata, namespace } },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

function call(port, method, path, body) {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        rejectUnauthorized: false, // --self-signed: a throwaway certificate on loopback
        timeout: REQUEST_TIMEOUT_MS,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolvePromise({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Starts the server on a free loopback port; resolves with the child and its port once /healthz answers 200. */
async function startServer() {
  const child = spawn(process.execPath, [CLI, 'webhook', '--self-signed', '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const port = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`kaji webhook did not start in ${START_TIMEOUT_MS} ms\n${stderr}`)), START_TIMEOUT_MS);
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n')) {
        try {
          const entry = JSON.parse(line);
          if (entry.event === 'listening' && typeof entry.port === 'number') {
            clearTimeout(timer);
            resolvePromise(entry.port);
          }
        } catch {
          // not a complete JSON line yet
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kaji webhook exited with ${code}\n${stderr}`));
    });
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await call(port, 'GET', '/healthz')).status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('/healthz never answered 200');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port };
}

async function main() {
  const files = (await readdir(CASES)).filter((name) => /^(failing|passing)_test\..*\.ya?ml$/.test(name)).sort();
  if (files.length === 0) throw new Error(`no cases in ${CASES}`);
  const { child, port } = await startServer();
  let passed = 0;
  let failed = 0;
  try {
    for (const [index, name] of files.entries()) {
      const expectAllowed = name.startsWith('passing_test.');
      const objects = loadAll(await readFile(join(CASES, name), 'utf8')).filter((doc) => doc && typeof doc === 'object');
      // A case is a file, as `kubectl apply -f` sends it: denied when any of its
      // objects is denied (a StatefulSet case also holds its Service).
      const verdicts = [];
      let protocolOk = true;
      for (const object of objects) {
        const uid = `case-${index}-${object.kind}`;
        const response = await call(port, 'POST', '/validate', admissionReview(object, uid));
        if (response.status !== 200) {
          protocolOk = false;
          verdicts.push(`${object.kind}: HTTP ${response.status}`);
          continue;
        }
        const review = JSON.parse(response.text);
        if (review.response?.uid !== uid) protocolOk = false;
        const allowed = review.response?.allowed === true;
        verdicts.push({ kind: object.kind, allowed, message: String(review.response?.status?.message ?? '').split('\n')[0] });
      }
      const denied = verdicts.filter((v) => typeof v === 'object' && !v.allowed);
      const admitted = protocolOk && denied.length === 0;
      const ok = protocolOk && admitted === expectAllowed;
      if (ok) passed += 1;
      else failed += 1;
      const detail = admitted ? 'admitted' : denied.length > 0 ? `denied: ${denied.map((v) => v.message).join(' | ')}` : verdicts.join(', ');
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${basename(name)} expected ${expectAllowed ? 'admitted' : 'denied'}; ${detail}`);
    }
  } finally {
    child.kill('SIGTERM');
  }
  console.log(`webhook cases: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
