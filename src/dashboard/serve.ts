// `kaji dashboard --serve`: the page over HTTPS on loopback, made again for
// each request (requests that arrive while one is being made share it), so a
// browser tab shows the manifest repository as it is now (and Argo CD as
// `collect` last read it: ArgoCdReader caches it briefly). Read-only: GET and
// HEAD of / (the page) and /dashboard.json (its data); anything else is
// refused. The Host header must name the loopback address: a page elsewhere
// that rebinds its own name to 127.0.0.1 gets nothing.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gracefulClose } from '../webhook/index.js';
import { PlatformErrors } from '../platform/index.js';
import { DashboardInputError } from './errors.js';
import { formatDashboardJson, type Dashboard } from './model.js';
import { DASHBOARD_CSP, renderDashboardHtml } from './render.js';

/** The one address the dashboard listens on. */
export const DASHBOARD_HOST = '127.0.0.1';

export interface DashboardServerOptions {
  readonly tls: { readonly cert: string; readonly key: string };
  /** Builds the dashboard from the files as they are now; DashboardInputError is shown as the page's error. */
  readonly collect: () => Promise<Dashboard>;
  /** Unexpected failures (a bug), for the operator; the browser gets a plain 500. */
  readonly logError: (error: unknown) => void;
  /** The page reloads itself this often (with --argocd: the live state changes without a git pull). @default never */
  readonly refreshSeconds?: number;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': `${DASHBOARD_CSP}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export interface DashboardServer {
  readonly server: Server;
  /** The port listened on (useful with port 0). */
  readonly port: number;
  /**
   * Stops accepting connections, lets the responses under way finish (each
   * then closes its connection), then resolves; connections still open after
   * `graceMs` (a client that never finishes its request) are closed.
   */
  close(graceMs?: number): Promise<void>;
  /** Closes every connection now, answered or not (a second Ctrl-C). */
  closeNow(): void;
}

/** How long close() waits for the responses under way by default. */
export const DASHBOARD_GRACE_MS = 5_000;

/** Listens on 127.0.0.1:`port` (0 for any free port). */
export async function serveDashboard(port: number, options: DashboardServerOptions): Promise<DashboardServer> {
  let inflight: Promise<Dashboard> | undefined;
  const current = () => {
    inflight ??= options.collect().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
  let listening = 0;
  const server = createServer(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      minVersion: 'TLSv1.2',
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: 1_000,
    },
    (request, response) => {
      shutdown.track(response);
      handle(request, response, current, listening, options.refreshSeconds).catch((error: unknown) => {
        options.logError(error);
        if (!response.headersSent) send(response, 500, 'text/plain', 'internal error: see kaji\'s standard error\n', request.method === 'HEAD');
        else response.destroy();
      });
    },
  );
  const shutdown = gracefulClose(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, DASHBOARD_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Read once: server.address() is null once the server is closed, and a request may still come in then.
  listening = (server.address() as AddressInfo).port;
  return {
    server,
    port: listening,
    close: (graceMs = DASHBOARD_GRACE_MS) => shutdown.close(graceMs),
    closeNow: () => server.closeAllConnections(),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, current: () => Promise<Dashboard>, port: number, refreshSeconds: number | undefined): Promise<void> {
  const head = request.method === 'HEAD';
  if (request.method !== 'GET' && !head) {
    response.setHeader('Allow', 'GET, HEAD');
    send(response, 405, 'text/plain', 'the dashboard is read-only: GET or HEAD\n', false);
    return;
  }
  const hosts = [`${DASHBOARD_HOST}:${port}`, `localhost:${port}`];
  if (!hosts.includes(request.headers.host ?? '')) {
    send(response, 421, 'text/plain', `open https://${DASHBOARD_HOST}:${port}/\n`, head);
    return;
  }
  const path = new URL(request.url ?? '/', `https://${DASHBOARD_HOST}`).pathname;
  if (path !== '/' && path !== '/dashboard.json') {
    send(response, 404, 'text/plain', 'not found: the dashboard is at / and its data at /dashboard.json\n', head);
    return;
  }
  let dashboard: Dashboard;
  try {
    dashboard = await current();
  } catch (error) {
    // What the command line would say (summary.json out of date: run kaji synth; platform.yaml
    // broken since the server started), as text: never markup.
    if (error instanceof DashboardInputError) send(response, 503, 'text/plain', `kaji dashboard: ${error.message}\n`, head);
    else if (error instanceof PlatformErrors) send(response, 503, 'text/plain', `kaji dashboard: invalid platform definition:\n${error.describe()}\n`, head);
    else throw error;
    return;
  }
  if (path === '/dashboard.json') send(response, 200, 'application/json', formatDashboardJson(dashboard), head);
  else send(response, 200, 'text/html', renderDashboardHtml(dashboard, refreshSeconds === undefined ? {} : { refreshSeconds }), head);
}

function send(response: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': Buffer.byteLength(body) });
  response.end(head ? undefined : body);
}
