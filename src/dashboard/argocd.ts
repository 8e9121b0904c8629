// What runs, beside what git says: each cluster's Argo CD, read through the
// reader `kaji upgrade` uses (GET /api/v1/applications with a bearer token),
// for the sync status, health and revision of every service's Application.
// A cluster whose Argo CD cannot be read (down, a bad token, a wrong URL) is
// a reading with the reason, never an exception: the page shows it once.
// --serve reads again per page at most every cacheMs, so a refresh storm
// costs Argo CD one listing per cluster.
import { argoCdServerUrl, argoCdTokenVariable, ARGOCD_TOKEN_ENV, listApplications, UNTRUSTED_CERTIFICATE, type ApplicationStatus, type ArgoCdConnection, type ArgoCdNames } from '../upgrade/argocd.js';
import { UpgradeError } from '../upgrade/errors.js';
import { printable } from '../report/index.js';
import { DashboardInputError } from './errors.js';

export interface ArgoCdTarget {
  readonly cluster: string;
  /** With the dashboard's names for its settings (`--argocd CLUSTER=SERVER`, the variable the token came from). */
  readonly connection: ArgoCdConnection;
}

/** One cluster's Argo CD as read at `readAt`: its Applications, or why they could not be read. */
export type ArgoCdReading = { readonly server: string; readonly readAt: Date } & (
  | { readonly applications: readonly ApplicationStatus[] }
  | { readonly error: string }
);

/** How long --serve reuses a reading by default. */
export const ARGOCD_CACHE_MS = 15_000;

/** A listing that takes longer is reported as not read: the page should not hang on one cluster. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The cluster's own token variable, else $ARGOCD_AUTH_TOKEN (one account's token for every cluster); undefined when neither is set. */
export function argoCdToken(cluster: string, env: NodeJS.ProcessEnv = process.env): { readonly token: string; readonly from: string } | undefined {
  for (const name of [argoCdTokenVariable(cluster), ARGOCD_TOKEN_ENV]) {
    const token = env[name]?.trim();
    if (token) return { token, from: name };
  }
  return undefined;
}

/** The server as `--argocd CLUSTER=SERVER` gives it, checked as the reader will use it; DashboardInputError naming the flag. */
export function argoCdTarget(cluster: string, server: string, token: { readonly token: string; readonly from: string }, ca?: string): ArgoCdTarget {
  // The reader's messages say the dashboard's flag and the variable this token came from.
  const names: ArgoCdNames = { server: (value) => `--argocd ${cluster}=${value}`, token: `$${token.from}` };
  try {
    argoCdServerUrl(server, names);
  } catch (error) {
    if (!(error instanceof UpgradeError)) throw error;
    throw new DashboardInputError(error.message);
  }
  return { cluster, connection: { server, token: token.token, ...(ca === undefined ? {} : { ca }), requestTimeoutMs: REQUEST_TIMEOUT_MS, names } };
}

/** One listing of the cluster's Argo CD; a failure is the reading's `error`. */
export async function readArgoCd(target: ArgoCdTarget, now: () => Date = () => new Date()): Promise<ArgoCdReading> {
  const server = argoCdServerUrl(target.connection.server, target.connection.names).origin;
  try {
    const applications = await listApplications(target.connection);
    return { server, readAt: now(), applications };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // The token never reaches the page or the terminal, whatever a server echoes back.
    const hint = UNTRUSTED_CERTIFICATE.has((error as NodeJS.ErrnoException).code ?? '') ? `: is its certificate's CA in --argocd-ca ${target.cluster}=FILE?` : '';
    const reason = `${errorReason(error)}${hint}`.split(target.connection.token).join('***');
    return { server, readAt: now(), error: printable(reason) };
  }
}

/** Every target's Argo CD, read in parallel; with cacheMs, a reading (or one under way) younger than that is shared. */
export class ArgoCdReader {
  readonly targets: readonly ArgoCdTarget[];
  readonly #cacheMs: number;
  readonly #now: () => Date;
  #cached: { readonly at: number; readonly readings: Promise<ReadonlyMap<string, ArgoCdReading>> } | undefined;

  constructor(targets: readonly ArgoCdTarget[], options: { readonly cacheMs?: number; readonly now?: () => Date } = {}) {
    this.targets = targets;
    this.#cacheMs = options.cacheMs ?? 0;
    this.#now = options.now ?? (() => new Date());
  }

  read(): Promise<ReadonlyMap<string, ArgoCdReading>> {
    const at = this.#now().getTime();
    if (this.#cached && at - this.#cached.at < this.#cacheMs) return this.#cached.readings;
    const readings = Promise.all(this.targets.map(async (target) => [target.cluster, await readArgoCd(target, this.#now)] as const)).then((pairs) => new Map(pairs));
    this.#cached = { at, readings };
    return readings;
  }
}

/** A network error's words: Node's AggregateError (every address of a name refused) has an empty message. */
function errorReason(error: Error): string {
  if (error instanceof AggregateError && error.errors.length > 0) return [...new Set(error.errors.map((inner: unknown) => (inner instanceof Error ? errorReason(inner) : String(inner))))].join('; ');
  return error.message || (error as NodeJS.ErrnoException).code || error.name;
}
