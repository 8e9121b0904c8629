// The admission server: HTTPS, AdmissionReview in, decision (and JSON Patch) out, health, metrics.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PolicyConfig } from '../policy/index.js';
import { BadReview, decide, internalError, parseReview, type Decision, type Endpoint, type TenantBoundaries } from './admission.js';
import { gracefulClose } from './graceful-close.js';
import { WebhookMetrics } from './metrics.js';

/**
 * The apiserver sends at most 3 MiB in one request (its default limit for a JSON
 * body); an UPDATE carries the object and the old object, so anything above is not
 * from the apiserver.
 */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Request body bytes held in memory by all requests in flight together. A request that
 * would go over it is answered 503 without being read: the pod's memory limit is 256 MiB,
 * and about 70 slow 3 MiB bodies at once would otherwise exhaust it.
 */
export const DEFAULT_MAX_INFLIGHT_BODY_BYTES = 64 * 1024 * 1024;

/** Connections open at once; more are closed as soon as they are accepted. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/**
 * Time limits, in milliseconds. The API server sends a whole AdmissionReview at once and
 * waits at most the webhook configurations' `timeoutSeconds` (default 5, at most 30) for
 * the answer; a request still arriving after `request` is not from it.
 */
export const DEFAULT_TIMEOUTS = {
  /** The TLS handshake. */
  handshake: 5_000,
  /** The request line and headers, from the connection's first byte (or the end of the previous answer). */
  headers: 5_000,
  /** The whole request, body included (the connection is closed after it). Keep it at least the webhook's timeoutSeconds. */
  request: 10_000,
  /** An idle keep-alive connection between requests. */
  keepAlive: 5_000,
} as const;

export interface WebhookTimeouts {
  readonly handshake?: number;
  readonly headers?: number;
  readonly request?: number;
  readonly keepAlive?: number;
}

export interface WebhookOptions {
  /** The policy, or a function giving the current one (read once per request, so a reload applies to the next request). */
  readonly config: PolicyConfig | (() => PolicyConfig);
  /**
   * Each tenant namespace's boundary (the tenants file), or a function giving the
   * current ones: /validate then denies objects of those namespaces that cross it, and
   * /validate-tenant also objects of namespaces they do not list.
   * @default none: the policy alone (and /validate-tenant denies everything)
   */
  readonly tenants?: TenantBoundaries | (() => TenantBoundaries | undefined);
  /** Serve /validate and /validate-tenant. */
  readonly validate: boolean;
  readonly mutate: boolean;
  readonly tls: { readonly cert: string; readonly key: string };
  /** Bodies above this are answered 413 without being read further. @default 3 MiB */
  readonly maxBodyBytes?: number;
  /** Body bytes of all requests in flight together; a request going over is answered 503 and not read. @default 64 MiB */
  readonly maxInflightBodyBytes?: number;
  /** Connections open at once (`server.maxConnections`); more are closed when accepted. @default 256 */
  readonly maxConnections?: number;
  /** Time limits in milliseconds. @default DEFAULT_TIMEOUTS */
  readonly timeouts?: WebhookTimeouts;
  /** One structured line per decision or event; default: JSON on standard output. */
  readonly logger?: (line: object) => void;
}

export interface WebhookServer extends Server {
  readonly metrics: WebhookMetrics;
  /** Request body bytes held in memory by the requests in flight (at most `maxInflightBodyBytes`). */
  readonly bodyBytesInFlight: number;
  /**
   * Reports a reload of a file the webhook reads (`policy`, the default, or `tenants`): counted, and an
   * error shown by /readyz and kaji_webhook_config_valid until the next good version of that file.
   */
  configReloaded(error?: Error, file?: 'policy' | 'tenants'): void;
  /**
   * Stops accepting connections, lets in-flight requests finish, resolves when all connections are
   * closed; what is still open after `graceMs` is cut. The default is the request time limit: no
   * request may take longer anyway, and node's own checks of the limits stop once the server
   * closes, so a client stalling its headers or body would otherwise hold the exit.
   * @default the request time limit (timeouts.request)
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** Every path the server answers (the others are 404). */
const SERVED_PATHS = new Set(['/validate', '/validate-tenant', '/mutate', '/healthz', '/readyz', '/metrics']);

/** The admission endpoint a path names, if the server serves it. */
function endpointAt(path: string, options: Pick<WebhookOptions, 'validate' | 'mutate'>): Endpoint | undefined {
  if (path === '/validate' || path === '/validate-tenant') return options.validate ? (path.slice(1) as Endpoint) : undefined;
  return path === '/mutate' && options.mutate ? 'mutate' : undefined;
}

export function createWebhookServer(options: WebhookOptions): WebhookServer {
  const metrics = new WebhookMetrics();
  const log = options.logger ?? ((line: object) => void process.stdout.write(JSON.stringify(line) + '\n'));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const budget: BodyBudget = { used: 0, limit: options.maxInflightBodyBytes ?? DEFAULT_MAX_INFLIGHT_BODY_BYTES };
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  for (const [name, ms] of Object.entries(timeouts)) {
    if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`the ${name} timeout must be a positive whole number of milliseconds, got ${ms}`);
  }
  // Node refuses a headers timeout above the request timeout.
  const headersTimeout = Math.min(timeouts.headers, timeouts.request);
  const currentConfig = typeof options.config === 'function' ? options.config : () => options.config as PolicyConfig;
  const currentTenants = typeof options.tenants === 'function' ? options.tenants : () => options.tenants as TenantBoundaries | undefined;
  /** The first line of each file's last failed reload, until a good one. */
  const configErrors = new Map<string, string>();
  const server = createServer(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      minVersion: 'TLSv1.2',
      handshakeTimeout: timeouts.handshake,
      headersTimeout,
      requestTimeout: timeouts.request,
      keepAliveTimeout: timeouts.keepAlive,
      // Node checks the headers and request timeouts only this often (30 s by default).
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    },
    (req, res) => {
      const started = process.hrtime.bigint();
      const path = (req.url ?? '/').split('?')[0]!;
      // Metrics keep a series per path for good: any other path a client sends counts as "other".
      const pathLabel = SERVED_PATHS.has(path) ? path : 'other';
      const done = (verdict: string) => metrics.request(pathLabel, verdict, Number(process.hrtime.bigint() - started) / 1e9);
      shutdown.track(res);
      handle(req, res, path, done, started).catch((error: unknown) => {
        // Never crash: anything unexpected is one failed request.
        log({ time: new Date().toISOString(), level: 'error', path, error: (error as Error).message });
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
        else res.destroy();
        done('error');
      });
    },
  ) as WebhookServer;
  const shutdown = gracefulClose(server);
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.on('tlsClientError', () => undefined);
  server.on('clientError', (_error, socket) => socket.destroy());

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, done: (verdict: string) => void, started: bigint): Promise<void> {
    const endpoint = endpointAt(path, options);
    const getPaths = ['/healthz', '/readyz', '/metrics'];
    if (!endpoint && !getPaths.includes(path)) {
      send(res, 404, 'text/plain', `not found: ${path}\n`);
      return done('not_found');
    }
    const method = endpoint ? 'POST' : 'GET';
    if (req.method !== method) {
      res.setHeader('Allow', method);
      send(res, 405, 'text/plain', `method not allowed: use ${method}\n`);
      return done('method_not_allowed');
    }
    if (path === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      if (shutdown.closing) return send(res, 503, 'text/plain', 'shutting down\n');
      // An invalid config reload keeps the webhook ready, serving the last good config:
      // the same bad ConfigMap reaches every replica at once, so answering 503 would take
      // them all out of the Service together, and every deploy in the cluster would then
      // fail (failurePolicy Fail) or skip the policy (Ignore). The stale state is visible
      // here, in the log, and as kaji_webhook_config_valid 0 for an alert.
      const stale = [...configErrors.values()].join('; ');
      return send(res, 200, 'text/plain', stale ? `ok\nconfig: stale (${stale})\n` : 'ok\nconfig: current\n');
    }
    if (path === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render());

    const body = await readBody(req, res, maxBody, budget);
    if (body === TOO_LARGE) {
      res.setHeader('Connection', 'close');
      send(res, 413, 'text/plain', `request body over ${maxBody} bytes\n`);
      req.resume();
      return done('too_large');
    }
    if (body === OVERLOADED) {
      // Not read any further, and the connection closes after the answer. The API server
      // applies failurePolicy to it, as to any answer other than 200.
      res.setHeader('Connection', 'close');
      res.setHeader('Retry-After', '1');
      send(res, 503, 'text/plain', `overloaded: request bodies in flight over ${budget.limit} bytes\n`);
      req.resume();
      return done('overloaded');
    }
    if (body === ABORTED) {
      // The connection closed before the whole body came: the client went away, or was
      // cut off by the request timeout. There is no one left to answer.
      log({ time: new Date().toISOString(), level: 'warn', path, event: 'aborted', reason: 'the connection closed before the request body was complete (client gone, or over the request timeout)' });
      return done('aborted');
    }
    let review: ReturnType<typeof parseReview>;
    try {
      review = parseReview(body);
    } catch (error) {
      if (!(error instanceof BadReview)) throw error;
      send(res, 400, 'text/plain', `bad request: ${error.message}\n`);
      return done('bad_request');
    }
    let decision: Decision;
    try {
      // An object the policy cannot judge is denied too, not answered 400, for the reason below.
      decision = decide(endpoint!, review.request, currentConfig(), currentTenants());
    } catch (error) {
      // The engine failed. The apiserver applies failurePolicy only when it gets no
      // valid answer (transport failures, timeouts, a non-200); a valid AdmissionReview
      // is always obeyed. kaji denies here: an unjudged object must not slip past the
      // policy because of a bug, and the message says why so it can be reported.
      log({ time: new Date().toISOString(), level: 'error', uid: review.request.uid, path, error: (error as Error).message });
      decision = internalError(review.request, endpoint!);
    }
    send(res, 200, 'application/json', JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: decision.response }));
    done(decision.verdict);
    log({
      time: new Date().toISOString(),
      uid: review.request.uid,
      kind: decision.kind,
      namespace: decision.namespace,
      name: decision.name,
      operation: decision.operation,
      dryRun: review.request.dryRun,
      path,
      allowed: decision.response.allowed,
      verdict: decision.verdict,
      dangers: decision.dangers,
      warnings: decision.warnings,
      ...(decision.reason ? { reason: decision.reason } : {}),
      durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3,
    });
  }

  Object.defineProperty(server, 'bodyBytesInFlight', { get: () => budget.used, enumerable: true });
  Object.assign(server, {
    metrics,
    configReloaded(error?: Error, file: 'policy' | 'tenants' = 'policy') {
      metrics.reload(error ? 'error' : 'ok');
      if (error) configErrors.set(file, error.message.split('\n')[0]!);
      else configErrors.delete(file);
      // Valid only when every file's last reload was: a good policy does not hide a bad tenants file.
      metrics.configValid = configErrors.size === 0;
      const detail = file === 'policy' ? {} : { file };
      log({ time: new Date().toISOString(), level: error ? 'error' : 'info', event: 'config-reload', ...detail, result: error ? 'error' : 'ok', ...(error ? { error: error.message } : {}) });
    },
    shutdown(graceMs = timeouts.request): Promise<void> {
      return shutdown.close(graceMs);
    },
  });
  return server;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The request body bytes all requests in flight hold in memory, and the most they may. */
interface BodyBudget {
  used: number;
  readonly limit: number;
}

const TOO_LARGE = Symbol('too large');
const OVERLOADED = Symbol('overloaded');
const ABORTED = Symbol('aborted');

/**
 * The body as text; TOO_LARGE when it is over `limit`, OVERLOADED when the bodies in flight
 * would go over the budget (reading stops there); ABORTED when the connection closed before the
 * end (the client went away, or the request timeout cut it). The bytes read count against the budget
 * until the response closes (answered, or the connection gone).
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number, budget: BodyBudget): Promise<string | typeof TOO_LARGE | typeof OVERLOADED | typeof ABORTED> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(TOO_LARGE);
  if (Number.isFinite(declared) && budget.used + declared > budget.limit) return Promise.resolve(OVERLOADED);
  let held = 0;
  const release = () => {
    budget.used -= held;
    held = 0;
  };
  res.once('close', release);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const stop = (why: typeof TOO_LARGE | typeof OVERLOADED | typeof ABORTED) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      chunks.length = 0;
      release();
      resolve(why);
    };
    const onData = (chunk: Buffer) => {
      if (held + chunk.length > limit) return stop(TOO_LARGE);
      if (budget.used + chunk.length > budget.limit) return stop(OVERLOADED);
      held += chunk.length;
      budget.used += chunk.length;
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => stop(ABORTED));
    req.on('close', () => {
      if (!req.complete) stop(ABORTED);
    });
  });
}
