// A real webhook on 127.0.0.1 with a certificate made for the test, and a client that trusts it.
import { renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { generate } from 'selfsigned';
import { parsePolicyConfig, type PolicyConfig } from '../../src/policy/index.js';
import { createWebhookServer, type WebhookOptions, type WebhookServer } from '../../src/webhook/index.js';

export const TEST_CONFIG_YAML = `
checks:
  hostNetworkSet: danger
  runAsPrivileged: danger
  tagNotSpecified: danger
  pullPolicyNotAlways: warning
  runAsRootAllowed: warning
mutations: [pullPolicyNotAlways, runAsRootAllowed]
exemptions:
  - namespace: legacy
    rules: [hostNetworkSet]
`;

export const testConfig = (): PolicyConfig => parsePolicyConfig(TEST_CONFIG_YAML, 'test.yaml');

/** A new EC certificate and its key, for 127.0.0.1 and localhost. */
export async function certificatePair(commonName: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

let certificate: Promise<{ cert: string; key: string }> | undefined;
/** One certificate shared by the tests that need any. */
export function testCertificate(): Promise<{ cert: string; key: string }> {
  certificate ??= certificatePair('localhost');
  return certificate;
}

export interface Running {
  readonly server: WebhookServer;
  readonly port: number;
  readonly ca: string;
  readonly logs: object[];
  close(): Promise<void>;
}

export async function startWebhook(options: Partial<WebhookOptions> = {}): Promise<Running> {
  const tls = await testCertificate();
  const logs: object[] = [];
  const server = createWebhookServer({ config: testConfig(), validate: true, mutate: true, tls, logger: (line) => logs.push(line), ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, port, ca: tls.cert, logs, close: () => server.shutdown(1000) };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export function call(
  running: Pick<Running, 'port' | 'ca'>,
  path: string,
  body?: string | Buffer,
  options: { method?: string; headers?: Record<string, string>; agent?: false } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: running.port,
        path,
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        ca: running.ca,
        agent: options.agent,
        headers: { 'Content-Type': 'application/json', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let counter = 0;
export function review(
  object: object | undefined,
  options: { operation?: string; apiVersion?: string; namespace?: string; uid?: string; oldObject?: object; username?: string } = {},
) {
  const uid = options.uid ?? `uid-${++counter}`;
  const typed = object as { apiVersion?: string; kind?: string } | undefined;
  const [group, version] = typed?.apiVersion?.includes('/') ? typed.apiVersion.split('/') : ['', typed?.apiVersion ?? 'v1'];
  return {
    apiVersion: options.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind: typed?.kind ?? 'Pod' },
      operation: options.operation ?? 'CREATE',
      namespace: options.namespace ?? 'apps',
      userInfo: { username: options.username ?? 'tester' },
      object,
      ...(options.oldObject ? { oldObject: options.oldObject } : {}),
      dryRun: false,
    },
  };
}

export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
  patchType?: string;
  patch?: string;
}

export async function admit(running: Running, path: '/validate' | '/validate-tenant' | '/mutate', body: object) {
  const answer = await call(running, path, JSON.stringify(body));
  if (answer.status !== 200) throw new Error(`status ${answer.status}: ${answer.text}`);
  const parsed = JSON.parse(answer.text) as { apiVersion: string; kind: string; response: ReviewResponse };
  return parsed;
}

/** A pod spec with one container; `container` fields override the good defaults. */
export function podSpec(container: Record<string, unknown> = {}, pod: Record<string, unknown> = {}) {
  return {
    ...pod,
    containers: [{ name: 'app', image: 'registry.example/app:1.2.3', imagePullPolicy: 'Always', securityContext: { runAsNonRoot: true }, ...container }],
  };
}

/** The same pod spec in each workload kind (an Argo Rollout with a canary strategy), at its place. */
export function workload(kind: string, spec: object, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  const meta = { name: `${kind.toLowerCase()}-x`, namespace: 'apps', ...metadata };
  const template = { metadata: { labels: { app: 'x' } }, spec };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: meta, spec };
    case 'ReplicationController':
      return { apiVersion: 'v1', kind, metadata: meta, spec: { replicas: 1, selector: { app: 'x' }, template } };
    case 'Job':
      return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { template } };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } };
    case 'Rollout':
      return {
        apiVersion: 'argoproj.io/v1alpha1',
        kind,
        metadata: meta,
        spec: { selector: { matchLabels: { app: 'x' } }, template, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
      };
    default:
      return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { selector: { matchLabels: { app: 'x' } }, template } };
  }
}

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController', 'Rollout'] as const;

/** The SHA-256 fingerprint of the certificate the server on 127.0.0.1:port presents now. */
export function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerX509Certificate();
      socket.end();
      if (raw) resolve(raw.fingerprint256);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
}

/** Polls `condition` until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what = 'the condition', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Gives `file` new content as kubelet updates a mounted ConfigMap: whole, in one
 * step (a sibling written, then renamed over it). writeFileSync would truncate
 * first, and a watcher reading in between sees an empty file, a reload that
 * fails (as it should) before the one that succeeds.
 */
export function replaceFile(file: string, text: string): void {
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}
