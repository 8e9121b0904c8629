import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { fileErrorReason } from '../kube/index.js';
import { loadPolicyConfig, parsePolicyFile, readPolicyText } from '../policy/index.js';
import { parseTenants } from '../platform/boundaries/index.js';
import {
  createWebhookServer,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_TIMEOUTS,
  reloadTlsOnChange,
  selfSignedLoopbackCertificate,
  tlsPairProblem,
  watchConfig,
  watchTenants,
  type ConfigWatcher,
  type TenantBoundaries,
} from '../webhook/index.js';
import { UsageError, wholeNumber, type Io } from './common.js';
import type { Outcome } from './program.js';

interface WebhookFlags {
  config?: string;
  mergeConfig?: boolean;
  tenants?: string;
  port: number;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  selfSigned?: boolean;
  validate?: boolean;
  mutate?: boolean;
  maxConnections: number;
  requestTimeout: number;
}

export function registerWebhook(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('webhook')
    .summary('serve the policy as a validating and mutating admission webhook')
    .description(
      'Serve the policy over HTTPS as a Kubernetes admission webhook: POST /validate and /mutate (AdmissionReview v1 and v1beta1), ' +
        'GET /healthz, /readyz and /metrics (Prometheus). The configuration file is watched and reloaded; an invalid version is ' +
        'refused and the last good one kept (shown by /readyz and kaji_webhook_config_valid). Runs until SIGTERM or SIGINT, ' +
        'then finishes the requests in flight. With --tenants, /validate also denies objects in tenant namespaces that cross ' +
        'their tenant boundary (images, hosts, hostless Ingress rules, RBAC, system nodes), as kaji synth reports them; ' +
        'POST /validate-tenant, where the generated configuration sends tenant namespaces, does too and denies objects of ' +
        'namespaces the tenants file does not list.',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 stopped by SIGTERM or SIGINT once the requests in flight were answered; 2 bad flags, a policy or ' +
        'tenants file that cannot be read or is invalid at start, a TLS certificate and key that cannot serve HTTPS, or a ' +
        'host and port it cannot listen on. (After the start, an invalid reload is refused and the last good version kept: ' +
        'the webhook keeps serving.)\n\n' +
        'Examples:\n' +
        '  kaji webhook --self-signed --config examples/labs/polaris.yaml --port 8443\n' +
        '  kaji webhook --tls-cert /etc/kaji/tls/tls.crt --tls-key /etc/kaji/tls/tls.key --config /etc/kaji/policy/polaris.yaml --tenants /etc/kaji/tenants/tenants.json\n',
    )
    .option('-c, --config <file>', "policy configuration (Polaris format); default: Polaris's built-in defaults")
    .option('--merge-config', 'merge --config into the defaults instead of replacing them, as kaji check --merge-config does (on reload too)')
    .option(
      '--tenants <file>',
      "tenant boundaries, per tenant namespace: the kaji-webhook-tenants ConfigMap kaji synth generates (clusters/<cluster>/platform/webhook/tenants.yaml) or its tenants.json; watched and reloaded like --config; default: the policy alone",
    )
    .option('-p, --port <port>', 'port to listen on (0: any free port)', wholeNumber(0, 65535), 9876)
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--tls-cert <file>', 'TLS certificate (PEM)')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--self-signed', 'generate a self-signed certificate at start (for trying it out; prints its SHA-256 fingerprint)')
    .option('--validate', 'serve /validate and /validate-tenant (with neither --validate nor --mutate: both)')
    .option('--mutate', 'serve /mutate (with neither --validate nor --mutate: both)')
    .option('--max-connections <n>', 'connections open at once; more are closed when accepted', wholeNumber(1, 65535), DEFAULT_MAX_CONNECTIONS)
    .option(
      '--request-timeout <seconds>',
      "time to receive a whole request (the connection is closed after it); keep it at least the webhook configurations' timeoutSeconds",
      wholeNumber(1, 300),
      DEFAULT_TIMEOUTS.request / 1000,
    )
    .action(async (flags: WebhookFlags) => {
      outcome.exitCode = await runWebhook(flags, io);
    });
}

async function runWebhook(flags: WebhookFlags, io: Io): Promise<number> {
  if (flags.selfSigned && (flags.tlsCert || flags.tlsKey)) throw new UsageError('use either --tls-cert and --tls-key, or --self-signed');
  if (!flags.selfSigned && !(flags.tlsCert && flags.tlsKey)) throw new UsageError('HTTPS needs --tls-cert FILE and --tls-key FILE (or --self-signed)');
  if (flags.mergeConfig && !flags.config) throw new UsageError('--merge-config needs --config FILE');
  // The policy text is read once, and the watcher starts from it (a change in between is still seen).
  const policyText = flags.config ? await readPolicyText(flags.config) : undefined;
  const initial = policyText === undefined ? await loadPolicyConfig() : parsePolicyFile(policyText, flags.config!, flags.mergeConfig);
  const tenantsText = flags.tenants ? await readText(flags.tenants, '--tenants') : undefined;
  let tenants = tenantsText === undefined ? undefined : readTenants(tenantsText, flags.tenants!);
  const tls = flags.selfSigned ? await selfSigned(io) : await readTlsPair(flags.tlsCert!, flags.tlsKey!);
  const both = !flags.validate && !flags.mutate;
  let current = initial;
  const server = createWebhookServer({
    config: () => current,
    tenants: () => tenants,
    validate: both || flags.validate === true,
    mutate: both || flags.mutate === true,
    tls,
    maxConnections: flags.maxConnections,
    timeouts: { request: flags.requestTimeout * 1000 },
    logger: (line) => io.out(JSON.stringify(line) + '\n'),
  });
  await new Promise<void>((resolve, reject) => {
    // A busy port or an address this machine does not have is a flag to change, not a bug.
    const refused = (error: NodeJS.ErrnoException) => {
      reject(new UsageError(`cannot listen on ${flags.host} port ${flags.port}: ${error.code ?? error.message}; choose another --host or --port`));
    };
    server.once('error', refused);
    server.listen(flags.port, flags.host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  const log = (line: object) => io.out(JSON.stringify({ time: new Date().toISOString(), ...line }) + '\n');
  const port = (server.address() as AddressInfo).port;
  log({ level: 'info', event: 'listening', host: flags.host, port, config: initial.source, ...(tenants ? { tenantNamespaces: tenants.size } : {}) });
  // The watchers start once the server listens (a start that fails leaves none to close). They
  // start from the text read above, so a change made since is still delivered.
  const watcher: ConfigWatcher | undefined = flags.config
    ? watchConfig(
        flags.config,
        (change) => {
          if ('config' in change) current = change.config;
          server.configReloaded('error' in change ? change.error : undefined);
        },
        { initialText: policyText, merge: flags.mergeConfig },
      )
    : undefined;
  const tenantsWatcher: ConfigWatcher | undefined = flags.tenants
    ? watchTenants(
        flags.tenants,
        (change) => {
          if ('tenants' in change) tenants = change.tenants;
          server.configReloaded('error' in change ? change.error : undefined, 'tenants');
        },
        { initialText: tenantsText },
      )
    : undefined;
  const tlsWatcher =
    flags.tlsCert && flags.tlsKey
      ? reloadTlsOnChange(server, { certFile: flags.tlsCert, keyFile: flags.tlsKey }, tls, (result) =>
          log('error' in result ? { level: 'error', event: 'tls-reload', error: result.error } : { level: 'info', event: 'tls-reload', fingerprint: result.fingerprint }),
        )
      : undefined;
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log({ level: 'info', event: 'shutdown', signal });
  watcher?.close();
  tenantsWatcher?.close();
  tlsWatcher?.close();
  await server.shutdown();
  return 0;
}

/** The tenants file at start: a bad one stops the start (a reload keeps the last good one instead). */
function readTenants(text: string, file: string): TenantBoundaries {
  try {
    return parseTenants(text, file);
  } catch (error) {
    throw new UsageError(`--tenants: ${(error as Error).message}`);
  }
}

/** The certificate and key files, refused at start (rather than by the TLS stack, as a crash) when they cannot serve together. */
async function readTlsPair(certFile: string, keyFile: string): Promise<{ cert: string; key: string }> {
  const pair = { cert: await readText(certFile, '--tls-cert'), key: await readText(keyFile, '--tls-key') };
  const problem = tlsPairProblem(pair.cert, pair.key);
  if (problem) throw new UsageError(`--tls-cert ${certFile} and --tls-key ${keyFile} cannot serve HTTPS: ${problem}; give a PEM certificate and its private key`);
  return pair;
}

/** A file the webhook reads at start; a missing or unreadable one is a flag to fix. */
async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${flag} ${file}: ${code ? `${code}, ` : ''}${fileErrorReason(error as NodeJS.ErrnoException)}`);
  }
}

async function selfSigned(io: Io): Promise<{ cert: string; key: string }> {
  const { cert, key, fingerprint } = await selfSignedLoopbackCertificate('kaji-webhook');
  io.err(`kaji webhook: self-signed certificate, SHA-256 fingerprint ${fingerprint}\n`);
  return { cert, key };
}
