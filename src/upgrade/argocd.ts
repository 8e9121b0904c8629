// The new cluster's Argo CD, read through its REST API (GET
// /api/v1/applications, a bearer token): is every Application kaji generated
// for the cluster there, Synced (to a recent enough commit) and Healthy, and
// if not, why not (the status fields Argo CD's UI shows).
import { redact } from '../gitops/git.js';
import { isLoopbackHost } from '../gitops/loopback.js';
import { ARGOCD_READER_ACCOUNT } from '../platform/derive/argocd.js';
import { ARGOCD_NAMESPACE } from '../platform/derive/names.js';
import { printable } from '../report/index.js';
import { httpGet } from './http.js';
import { StepFailedError, UpgradeError } from './errors.js';

/** The environment variable holding the Argo CD API token (the argocd CLI's name for it). */
export const ARGOCD_TOKEN_ENV = 'ARGOCD_AUTH_TOKEN';

/** $ARGOCD_AUTH_TOKEN_<CLUSTER>, one cluster's token: its name in capitals, `-` as `_` (green-2: ARGOCD_AUTH_TOKEN_GREEN_2). */
export function argoCdTokenVariable(cluster: string): string {
  return `${ARGOCD_TOKEN_ENV}_${cluster.toUpperCase().replace(/-/g, '_')}`;
}

/** $ARGOCD_AUTH_TOKEN or one cluster's $ARGOCD_AUTH_TOKEN_<CLUSTER>: a variable holding an Argo CD token. */
export function isArgoCdTokenVariable(name: string): boolean {
  return name === ARGOCD_TOKEN_ENV || name.startsWith(`${ARGOCD_TOKEN_ENV}_`);
}

/** How the command that reads Argo CD names its settings, so that messages say what the user gave it. */
export interface ArgoCdNames {
  /** The server setting with the value given: `--argocd-server (or $ARGOCD_SERVER) https://argocd.example.com`. */
  readonly server: (value: string) => string;
  /** The token's environment variable, as messages name it: `ARGOCD_AUTH_TOKEN`. */
  readonly token: string;
}

/** kaji upgrade's settings: the default. */
export const UPGRADE_ARGOCD_NAMES: ArgoCdNames = { server: (value) => `--argocd-server (or $ARGOCD_SERVER) ${value}`, token: ARGOCD_TOKEN_ENV };

export interface ArgoCdConnection {
  /** The Argo CD server: https://argocd.green.labs.example.com, or host[:port] as the argocd CLI's $ARGOCD_SERVER (https). */
  readonly server: string;
  /** A bearer token (an Argo CD account's API token); never printed. */
  readonly token: string;
  /** PEM CA bundle for the server's TLS certificate. */
  readonly ca?: string;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  /** @default UPGRADE_ARGOCD_NAMES */
  readonly names?: ArgoCdNames;
}

/** One Application as far as readiness goes. */
export interface ApplicationStatus {
  /** metadata.namespace: kaji's are in ARGOCD_NAMESPACE. */
  readonly namespace: string;
  readonly name: string;
  readonly sync: string;
  readonly health: string;
  /**
   * The commits its sync status was compared at: status.sync.revision, or for a
   * multi-source Application status.sync.revisions (one per source, a chart
   * version for a Helm source); empty when Argo CD has compared nothing yet.
   */
  readonly revisions: readonly string[];
  /** Why it is not Synced and Healthy yet: health message, conditions, the running operation. */
  readonly detail: string;
  /** Its resources whose health is known and not Healthy (status.resources[].health). */
  readonly unhealthy?: readonly ResourceHealth[];
  /** Whether Argo CD's answer gave the resources' health at all (a list may leave it out: getApplication fills it in). */
  readonly resourceHealthKnown?: boolean;
}

/** One resource of an Application, with its health. */
export interface ResourceHealth {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly health: string;
  readonly message: string;
}

/**
 * What to set a token variable to, after naming an Argo CD: a token of the
 * reader account kaji gives each cluster's Argo CD, made by that one (each
 * Argo CD signs its own tokens, so another cluster's is refused, as an expired
 * or deleted one is).
 */
export function readerTokenAdvice(variable: string): string {
  return (
    `set ${variable} to an API token of its ${ARGOCD_READER_ACCOUNT} account, which an admin makes with argocd account generate-token --account ${ARGOCD_READER_ACCOUNT} ` +
    "(each cluster's Argo CD signs its own; an expired or deleted token is refused too)"
  );
}

/** Refuses a token variable's value that holds what no token has (a line break pasted with it, which node would refuse to send). */
export function checkTokenText(variable: string, token: string): void {
  if (/[^\x21-\x7e]/.test(token)) throw new UpgradeError(`${variable} holds a space, a line break or another character no token has: set it to the token alone`);
}

/** A refusal that waiting will not change (a bad token, a wrong URL): stops the wait at once. */
export class ArgoCdRefusedError extends StepFailedError {}

/** Node's codes for a certificate no CA it was given vouches for (an Argo CD with its own CA, or self-signed). */
export const UNTRUSTED_CERTIFICATE: ReadonlySet<string> = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The Applications in kaji's namespace (ARGOCD_NAMESPACE, where synth puts
 * every Application it generates). An Argo CD serving "apps in any namespace"
 * lists other namespaces' too, and a tenant's may bear a kaji service's name:
 * it must not stand in for kaji's.
 */
export async function listApplications(connection: ArgoCdConnection): Promise<ApplicationStatus[]> {
  const list = await getJson(connection, 'api/v1/applications');
  const items = isRecord(list) && Array.isArray(list.items) ? list.items : []; // Argo CD sends "items": null for none
  return items
    .filter(isRecord)
    .map(applicationStatus)
    .filter((application) => application.namespace === ARGOCD_NAMESPACE);
}

/**
 * One Application (GET /api/v1/applications/{name}: without appNamespace, the
 * one in Argo CD's own namespace, which kaji installs it in). Where Argo CD keeps
 * resource health out of the Application (its resource tree), this answer has
 * it filled in, as the UI shows it; the list's may not.
 */
export async function getApplication(connection: ArgoCdConnection, name: string): Promise<ApplicationStatus> {
  // Fetched because a listing just had it: 404, or the 403 Argo CD answers for an Application it does not have
  // (it will not say which exist), means it went away meanwhile. Not a refusal: the next listing shows it gone.
  const gone = (origin: string, status: number) =>
    new StepFailedError(
      `Argo CD at ${origin} no longer has the Application ${printable(name)} it listed a moment ago (HTTP ${status}): it was deleted meanwhile${status === 403 ? ", or the token's account may no longer get it" : ''}`,
    );
  const item = await getJson(connection, `api/v1/applications/${encodeURIComponent(name)}`, gone);
  return applicationStatus(isRecord(item) ? item : {});
}

/** GET `path` as JSON. `gone`: the error for a 403 or 404, when the caller knows what it means (else a refusal). */
async function getJson(connection: ArgoCdConnection, path: string, gone?: (origin: string, status: number) => StepFailedError): Promise<unknown> {
  const names = connection.names ?? UPGRADE_ARGOCD_NAMES;
  const url = new URL(path, argoCdServerUrl(connection.server, names));
  const response = await httpGet(url, {
    headers: { authorization: `Bearer ${connection.token}`, accept: 'application/json' },
    ca: connection.ca,
    timeoutMs: connection.requestTimeoutMs ?? 30_000,
  });
  if (gone && (response.status === 403 || response.status === 404)) throw gone(url.origin, response.status);
  if (response.status === 401 || response.status === 403) throw new ArgoCdRefusedError(`Argo CD at ${url.origin} refused the token (HTTP ${response.status}): ${readerTokenAdvice(names.token)}`);
  const server = names.server(printable(connection.server));
  if (response.status === 404) throw new ArgoCdRefusedError(`Argo CD at ${url.origin} has no ${url.pathname} (HTTP 404): is ${server} the Argo CD server?`);
  if (response.status !== 200) {
    // Redacted before it is cut short: a proxy may echo the request, and a token cut in two would slip past.
    const excerpt = redact(response.body, [connection.token]).slice(0, 200).trim();
    throw new StepFailedError(`Argo CD at ${url.origin} answered HTTP ${response.status}: ${printable(excerpt)}`);
  }
  try {
    // Redacted too: whatever a server echoes back (a message quoting the request) reaches a page or a terminal.
    return JSON.parse(redact(response.body, [connection.token]));
  } catch {
    throw new ArgoCdRefusedError(`Argo CD at ${url.origin} did not answer JSON: is ${server} the Argo CD server?`);
  }
}

/**
 * The server's base URL: a URL, or host[:port] as the argocd CLI takes it
 * ($ARGOCD_SERVER), which means https. The token goes over TLS only, except to
 * this machine (a port-forward: kubectl port-forward svc/argocd-server).
 */
export function argoCdServerUrl(server: string, names: ArgoCdNames = UPGRADE_ARGOCD_NAMES): URL {
  const setting = names.server(printable(server));
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`);
  } catch {
    throw new UpgradeError(`${setting} is neither a URL nor host[:port] (e.g. https://argocd.example.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UpgradeError(`${setting}: use an https:// URL`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UpgradeError(`${setting}: the API token would cross the network unencrypted; use https:// (http:// only to this machine, e.g. a port-forward)`);
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

function applicationStatus(item: Json): ApplicationStatus {
  const metadata = isRecord(item.metadata) ? item.metadata : {};
  const status = isRecord(item.status) ? item.status : {};
  const sync = isRecord(status.sync) ? status.sync : {};
  const health = isRecord(status.health) ? status.health : {};
  const operation = isRecord(status.operationState) ? status.operationState : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  const details = [
    text(health.message),
    ...conditions.map((condition) => `${text(condition.type)}: ${text(condition.message)}`),
    text(operation.phase) && text(operation.phase) !== 'Succeeded' ? `sync ${text(operation.phase)}: ${text(operation.message)}` : '',
  ];
  // Printable: health messages and conditions come from the tenants' objects, and reach the terminal.
  const revisions = [text(sync.revision), ...(Array.isArray(sync.revisions) ? sync.revisions.map(text) : [])].filter((revision) => revision !== '');
  const resources = Array.isArray(status.resources) ? status.resources.filter(isRecord) : [];
  const withHealth = resources.filter((resource) => isRecord(resource.health) && text(resource.health.status) !== '');
  const unhealthy = withHealth
    .map((resource): ResourceHealth => {
      const health = resource.health as Json;
      return {
        group: printable(text(resource.group)),
        kind: printable(text(resource.kind)),
        namespace: printable(text(resource.namespace)),
        name: printable(text(resource.name)),
        health: printable(text(health.status)),
        message: printable(text(health.message)),
      };
    })
    .filter((resource) => resource.health !== 'Healthy');
  return {
    namespace: printable(text(metadata.namespace)),
    name: printable(text(metadata.name)),
    sync: printable(text(sync.status) || 'Unknown'),
    health: printable(text(health.status) || 'Unknown'),
    revisions: revisions.map(printable),
    detail: printable(details.filter((detail) => detail.trim() !== '').join('; ')),
    unhealthy,
    resourceHealthKnown: withHealth.length > 0,
  };
}

/** "CronJob shop/report Degraded (…)". */
export function describeResource(resource: ResourceHealth): string {
  return `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name} ${resource.health}${resource.message ? ` (${resource.message})` : ''}`;
}

/**
 * Degraded or Suspended only by Jobs and CronJobs: a CronJob whose last Job
 * failed, one suspended on purpose. The service's own workloads are Healthy,
 * so this does not hold the upgrade back; it is named as a warning.
 */
export function onlyBatchUnhealthy(application: ApplicationStatus): boolean {
  const unhealthy = application.unhealthy ?? [];
  return (
    (application.health === 'Degraded' || application.health === 'Suspended') &&
    unhealthy.length > 0 &&
    unhealthy.every((resource) => resource.group === 'batch' && (resource.kind === 'Job' || resource.kind === 'CronJob') && (resource.health === 'Degraded' || resource.health === 'Suspended'))
  );
}

/** The commits an Application must be Synced to: the branch's tip when the wait began, or a later commit of it. */
export interface RevisionRequirement {
  readonly branch: string;
  readonly tip: string;
  /** The revisions seen that are the tip or later (see ManifestHistory). */
  readonly accepted: ReadonlySet<string>;
}

/** Healths that will not turn Healthy by waiting alone, or not soon: said at once, not only at the timeout. */
export const ATTENTION_HEALTHS = ['Degraded', 'Suspended', 'Missing'] as const;
export type AttentionHealth = (typeof ATTENTION_HEALTHS)[number];

export interface SyncVerdict {
  readonly ready: number;
  readonly total: number;
  /** One line per Application not there yet: its name and why. */
  readonly waiting: readonly string[];
  /** The expected Applications whose health is Degraded, Suspended or Missing. */
  readonly attention: readonly { readonly name: string; readonly health: AttentionHealth }[];
  /** Applications counted ready though only their Jobs or CronJobs are Degraded or Suspended, with those resources. */
  readonly warnings: readonly string[];
}

/**
 * Which of the `expected` Applications are not yet Synced and Healthy (and,
 * with `revision`, Synced to the tip or a later commit), and why.
 */
export function syncVerdict(expected: readonly string[], applications: readonly ApplicationStatus[], revision?: RevisionRequirement): SyncVerdict {
  const byName = new Map(applications.map((application) => [application.name, application]));
  const waiting: string[] = [];
  const attention: SyncVerdict['attention'][number][] = [];
  const warnings: string[] = [];
  for (const name of expected) {
    const application = byName.get(name);
    if (!application) {
      waiting.push(`${name}: no such Application yet`);
      continue;
    }
    const batchOnly = onlyBatchUnhealthy(application);
    const health = ATTENTION_HEALTHS.find((candidate) => candidate === application.health);
    if (health && !batchOnly) attention.push({ name, health });
    const unhealthy = application.unhealthy ?? [];
    if (batchOnly && application.sync === 'Synced') warnings.push(`${name}: ${unhealthy.map(describeResource).join('; ')}`);
    if (application.sync !== 'Synced' || (application.health !== 'Healthy' && !batchOnly)) {
      const resources = unhealthy.length ? ` [${unhealthy.map(describeResource).join('; ')}]` : '';
      waiting.push(`${name}: ${application.sync}, ${application.health}${application.detail ? ` (${application.detail})` : ''}${resources}`);
    } else if (revision && !application.revisions.some((commit) => revision.accepted.has(commit))) {
      // Any of a multi-source Application's revisions will do: only the manifest repository's can descend from its tip.
      const at = application.revisions.length ? `Synced to ${application.revisions.map((commit) => commit.slice(0, 12)).join(', ')}` : 'Synced to no revision';
      waiting.push(`${name}: ${at}, not ${revision.branch} at ${revision.tip.slice(0, 12)} or later (Argo CD has not fetched it yet)`);
    }
  }
  return { ready: expected.length - waiting.length, total: expected.length, waiting, attention, warnings };
}
