import { Command, InvalidArgumentError, Option } from 'commander';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import {
  ARGOCD_CACHE_MS,
  ArgoCdReader,
  argoCdTarget,
  argoCdToken,
  collectDashboard,
  DASHBOARD_GRACE_MS,
  DASHBOARD_HOST,
  DashboardInputError,
  formatDashboardJson,
  renderDashboardHtml,
  serveDashboard,
  type Dashboard,
  type DashboardOptions,
  type DashboardServer,
} from '../dashboard/index.js';
import { displayPath, writeFileAtomically } from '../kube/index.js';
import { printable } from '../report/index.js';
import { selfSignedLoopbackCertificate } from '../webhook/index.js';
import { argoCdTokenVariable, ARGOCD_TOKEN_ENV, readerTokenAdvice } from '../upgrade/argocd.js';
import { readCaBundle, UsageError, wholeNumber, type Io } from './common.js';
import type { Outcome } from './program.js';

interface DashboardFlags {
  platform: string;
  summary: string;
  capacity?: CapacityFlag[];
  argocd?: ClusterValue[];
  argocdCa?: ClusterValue[];
  out?: string;
  output: 'html' | 'json';
  serve?: boolean;
  port: number;
}

interface CapacityFlag {
  readonly cluster: string | undefined;
  readonly file: string;
}

/** `CLUSTER=VALUE`, or VALUE alone where the flag allows it. */
interface ClusterValue {
  readonly cluster: string | undefined;
  readonly value: string;
}

/** How often the served page reloads itself when it shows Argo CD's state. */
const REFRESH_SECONDS = 30;

/** Exit codes of `kaji dashboard`. */
export const DASHBOARD_EXIT = { ok: 0, usage: 2 } as const;

const DEFAULT_HTML = 'out/dashboard.html';

export function registerDashboard(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('dashboard')
    .summary('write one HTML page: services × clusters, the version each runs, its policy result, and capacity')
    .description(
      'Write the platform dashboard: one self-contained HTML page (inline CSS, no script, nothing fetched: it opens from ' +
        'file:// and as a CI artifact) with a row per service (team, namespace) and a column per cluster (Kubernetes version, ' +
        'DNS weight). Each cell holds the images its containers run there, as kaji synth rendered the overlay (what Argo CD ' +
        'deploys), and what kaji synth found there (policy score, dangers, warnings, removed APIs, tenant boundaries); a ' +
        "service running different images in different clusters, or missing from one, is highlighted; a retiring cluster's cells say so. With --capacity, " +
        "each cluster's nodes by capacity type, utilisation, the nodes no new pod can land on and the room free on the others, " +
        "and the headroom placeholders against the target kaji synth writes.\n\n" +
        "All of it comes from kaji synth's summary.json: run `kaji synth` first. A summary.json written for other files " +
        '(platform.yaml, the policy or any file under the manifest folder changed since, by content) or other clusters ' +
        "is refused (exit 2).\n\nWith --argocd, each cell also shows what runs: the service's Application in the cluster's Argo CD, " +
        'its sync status, health and revision, framed when it is not Synced, Healthy and at the commit summary.json describes; ' +
        "a cluster whose Argo CD cannot be read says so once, with the reason (the page is still written, exit 0).",
    )
    .option('--platform <dir>', 'folder holding platform.yaml', '.')
    .option('--summary <file>', "kaji synth's summary.json", 'out/summary.json')
    .option(
      '--capacity <cluster=file>',
      "a cluster's capacity: the output of `kaji capacity -o json` or a `kubectl get nodes,pods -A -o json` snapshot (repeat per cluster; CLUSTER= may be left out when the platform has one cluster)",
      capacityFlag,
    )
    .option(
      '--argocd <cluster=server>',
      `read the cluster's Argo CD (URL, or host[:port] as $ARGOCD_SERVER: https, http only to this machine) for each service's sync status, health and revision; ` +
        `token in $${ARGOCD_TOKEN_ENV}_<CLUSTER> (e.g. $${argoCdTokenVariable('green')}) or $${ARGOCD_TOKEN_ENV}; repeat per cluster`,
      clusterValueFlag('--argocd', 'green=argocd.green.example.com', true),
    )
    .option('--argocd-ca <[cluster=]file>', "PEM CA bundle for Argo CD's TLS certificate: for every --argocd, or CLUSTER=FILE for one", clusterValueFlag('--argocd-ca', 'green=green-ca.pem', false))
    .addOption(new Option('-o, --output <format>', 'html, or json: the same data for scripts').choices(['html', 'json']).default('html'))
    .option('--out <file>', `where to write (- for standard output; default: ${DEFAULT_HTML} for html, standard output for json)`)
    .option('--serve', `serve the page on https://${DASHBOARD_HOST}:PORT/ (its data at /dashboard.json) instead of writing it, made again for each request; self-signed certificate; read-only`)
    .option('--port <n>', 'the port --serve listens on', wholeNumber(0, 65535), 8444)
    .addHelpText(
      'after',
      `\nExit codes: ${DASHBOARD_EXIT.usage} bad flags, an invalid platform.yaml, summary.json missing or out of date ` +
        `(run kaji synth), or a capacity file that cannot be read or whose pods name another EKS cluster; ${DASHBOARD_EXIT.ok} otherwise (dangers are shown, not an error). ` +
        '--serve stops gracefully on Ctrl-C or SIGTERM (exit 0), at once on a second one (exit 130 or 143).\n\n' +
        'Examples:\n' +
        '  kaji synth . && kaji dashboard\n' +
        '  kaji dashboard --platform examples/labs --capacity blue=blue.json --capacity green=green.json\n' +
        '  kaji dashboard -o json | jq \'.services[] | select(.versionsDiffer) | .service\'\n' +
        '  kaji dashboard --serve --port 8444\n' +
        `  ${argoCdTokenVariable('blue')}=… ${argoCdTokenVariable('green')}=… kaji dashboard --serve --argocd blue=argocd.blue.example.com --argocd green=argocd.green.example.com\n`,
    )
    .action(async (flags: DashboardFlags) => {
      outcome.exitCode = await runDashboard(flags, io);
    });
}

/** `CLUSTER=FILE`, or `FILE` alone (only for a platform with one cluster: checked once the platform is read). */
function capacityFlag(value: string, previous: CapacityFlag[] = []): CapacityFlag[] {
  const equals = value.indexOf('=');
  const cluster = equals > 0 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value.slice(0, equals)) ? value.slice(0, equals) : undefined;
  const file = cluster === undefined ? value : value.slice(equals + 1);
  if (file === '') throw new InvalidArgumentError('give CLUSTER=FILE, e.g. blue=capacity-blue.json.');
  return [...previous, { cluster, file }];
}

/** A repeatable `CLUSTER=VALUE` flag; with `clusterRequired` false, VALUE alone too. */
function clusterValueFlag(flag: string, example: string, clusterRequired: boolean) {
  return (text: string, previous: ClusterValue[] = []): ClusterValue[] => {
    const equals = text.indexOf('=');
    const cluster = equals > 0 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(text.slice(0, equals)) ? text.slice(0, equals) : undefined;
    const value = cluster === undefined ? text : text.slice(equals + 1);
    if (value === '' || (clusterRequired && cluster === undefined)) throw new InvalidArgumentError(`give ${flag} CLUSTER=VALUE, e.g. ${example}.`);
    return [...previous, { cluster, value }];
  };
}

/**
 * The Argo CD of each --argocd cluster: its token from the environment (never
 * a flag: flags show in ps and shell history), its CA from --argocd-ca.
 * Read again per page with --serve, at most every ARGOCD_CACHE_MS.
 */
async function argoCdReader(flags: DashboardFlags, io: Io): Promise<ArgoCdReader | undefined> {
  const servers = flags.argocd ?? [];
  const cas = flags.argocdCa ?? [];
  if (servers.length === 0) {
    if (cas.length > 0) throw new UsageError('--argocd-ca is the CA of an --argocd server: give --argocd CLUSTER=SERVER too');
    return undefined;
  }
  const clusters = servers.map((server) => server.cluster!);
  const twice = clusters.find((cluster, index) => clusters.indexOf(cluster) !== index);
  if (twice !== undefined) throw new UsageError(`--argocd names the cluster "${twice}" twice: give one server per cluster`);
  const caFiles = new Map<string | undefined, string>();
  for (const { cluster, value } of cas) {
    if (cluster !== undefined && !clusters.includes(cluster)) throw new UsageError(`--argocd-ca ${cluster}=${value}: no --argocd ${cluster}=SERVER to use it for`);
    if (caFiles.has(cluster)) throw new UsageError(`--argocd-ca is given twice for ${cluster === undefined ? 'every cluster' : `the cluster "${cluster}"`}`);
    caFiles.set(cluster, value);
  }
  const targets = [];
  for (const { cluster, value: server } of servers) {
    const name = cluster!;
    const token = argoCdToken(name);
    if (token === undefined) {
      throw new UsageError(`--argocd ${name}=${printable(server)}: ${readerTokenAdvice(`$${argoCdTokenVariable(name)}`)}`);
    }
    const caFile = caFiles.get(name) ?? caFiles.get(undefined);
    const ca = caFile === undefined ? undefined : await readCaBundle('--argocd-ca', caFile, io.cwd);
    targets.push(argoCdTarget(name, server, token, ca));
  }
  return new ArgoCdReader(targets, { cacheMs: flags.serve ? ARGOCD_CACHE_MS : 0 });
}

async function runDashboard(flags: DashboardFlags, io: Io): Promise<number> {
  if (flags.serve && (flags.out !== undefined || flags.output !== 'html')) {
    throw new UsageError(`--serve serves the page at / and its data at /dashboard.json: leave out ${flags.out !== undefined ? '--out' : '-o json'}`);
  }
  let dashboard: Dashboard;
  let options: DashboardOptions;
  try {
    const argocd = await argoCdReader(flags, io);
    options = { directory: flags.platform, summaryFile: flags.summary, capacity: flags.capacity, cwd: io.cwd, ...(argocd ? { argocd } : {}) };
    // Also with --serve: inputs that cannot be used stop the start, rather than every page.
    dashboard = await collectDashboard(options);
  } catch (error) {
    if (!(error instanceof DashboardInputError)) throw error;
    io.err(`kaji: ${printable(error.message)}\n`);
    return DASHBOARD_EXIT.usage;
  }
  // Said on the terminal too: a page written for CI or a JSON piped on should not hide an Argo CD it could not read.
  for (const cluster of dashboard.clusters) {
    if (cluster.argocd?.error != null) io.err(`kaji dashboard: ${cluster.name}'s Argo CD could not be read: ${printable(cluster.argocd.error)}\n`);
  }
  if (flags.serve) return serve(flags.port, options, io, options.argocd ? REFRESH_SECONDS : undefined);
  const content = flags.output === 'json' ? formatDashboardJson(dashboard) : renderDashboardHtml(dashboard);
  const out = flags.out ?? (flags.output === 'json' ? '-' : DEFAULT_HTML);
  if (out === '-') {
    io.out(content);
  } else {
    const file = resolve(io.cwd, out);
    await writeFileAtomically(file, content);
    const { totals } = dashboard;
    const counted = (value: number, one: string, many: string) => `${value} ${value === 1 ? one : many}`;
    // Said first, in a CI log too: the scores leave out what did not render (the page's cluster rows count them).
    const notWhole = dashboard.services.filter((service) => service.cells.some((cell) => cell.policy?.rendered !== true)).length;
    const retiring = dashboard.clusters.filter((cluster) => cluster.retiring).map((cluster) => printable(cluster.name));
    io.err(
      `kaji dashboard: wrote ${printable(displayPath(file, io.cwd))} (${counted(totals.services, 'service', 'services')} × ${counted(dashboard.clusters.length, 'cluster', 'clusters')}` +
        `${retiring.length > 0 ? `, ${retiring.join(', ')} retiring` : ''}; ` +
        (notWhole > 0 ? `${notWhole} not rendered whole by kaji synth (${notWhole === 1 ? 'its scores leave it' : 'the scores leave them'} out), ` : '') +
        `${totals.versionsDiffer} at different versions, ${totals.missing} missing from a cluster, ${counted(totals.dangers, 'danger', 'dangers')}` +
        `${options.argocd ? `, ${totals.argocdNotReady} not Synced and Healthy in Argo CD` : ''})\n`,
    );
  }
  return DASHBOARD_EXIT.ok;
}

/**
 * Serves until SIGINT or SIGTERM, then stops taking connections and lets the
 * answers under way finish (DASHBOARD_GRACE_MS at most); a second signal
 * closes every connection at once and exits 128 + its number, as kaji's
 * other commands do on the first.
 */
async function serve(port: number, options: DashboardOptions, io: Io, refreshSeconds: number | undefined): Promise<number> {
  // Listened for before "Ctrl-C stops" is printed, so a signal right after it is not missed.
  const stopSignal = stopSignals();
  try {
    const tls = await selfSignedLoopbackCertificate('kaji-dashboard');
    let server: DashboardServer;
    try {
      server = await serveDashboard(port, {
        tls,
        collect: () => collectDashboard(options),
        ...(refreshSeconds === undefined ? {} : { refreshSeconds }),
        logError: (error) => io.err(`kaji dashboard: unexpected error (please report it): ${(error as Error).stack ?? String(error)}\n`),
      });
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      if (code === undefined) throw error;
      throw new UsageError(`cannot listen on ${DASHBOARD_HOST} port ${port}: ${code}; choose another --port`);
    }
    io.err(
      `kaji dashboard: serving https://${DASHBOARD_HOST}:${server.port}/ (self-signed certificate, SHA-256 fingerprint ${tls.fingerprint}: ` +
        'compare it with what the browser shows before accepting it); Ctrl-C stops\n',
    );
    const signal = await stopSignal.next();
    io.err(`kaji dashboard: stopping (${signal}): finishing the answers under way (${DASHBOARD_GRACE_MS / 1000} s at most); Ctrl-C again stops at once\n`);
    const closed = server.close();
    const again = await Promise.race([closed.then(() => undefined), stopSignal.next()]);
    if (again !== undefined) {
      server.closeNow();
      await closed;
      io.err(`kaji dashboard: stopped at once (${again})\n`);
      return 128 + constants.signals[again];
    }
    io.err(`kaji dashboard: stopped (${signal})\n`);
    return DASHBOARD_EXIT.ok;
  } finally {
    stopSignal.dispose();
  }
}

/** The SIGTERMs and SIGINTs received from now on, one per `next()` in order; `dispose` stops listening. */
function stopSignals(): { next: () => Promise<'SIGTERM' | 'SIGINT'>; dispose: () => void } {
  const received: ('SIGTERM' | 'SIGINT')[] = [];
  const waiting: ((signal: 'SIGTERM' | 'SIGINT') => void)[] = [];
  const listener = (signal: 'SIGTERM' | 'SIGINT') => () => {
    const next = waiting.shift();
    if (next) next(signal);
    else received.push(signal);
  };
  const onTerm = listener('SIGTERM');
  const onInt = listener('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return {
    next: () => {
      const signal = received.shift();
      return signal ? Promise.resolve(signal) : new Promise((resolve) => waiting.push(resolve));
    },
    dispose: () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    },
  };
}
