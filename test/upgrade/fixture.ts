// A platform mid-upgrade on disk, and the outside world `kaji upgrade` talks
// to, on 127.0.0.1:
// - platform/platform.yaml (blue 1.32 at 255, green 1.35 at 0), polaris.yaml,
//   infra/cdk.json, and manifests/: a checkout of the manifest repository (a
//   bare repository, the remote), seeded with two services and the clusters/
//   folders `kaji synth` generates;
// - a fake `cdk` executable that records its arguments (the process boundary);
// - Argo CD's REST API (GET /api/v1/applications, bearer token);
// - Route 53's REST/XML API (ListHostedZonesByName, ListResourceRecordSets)
//   standing in for external-dns: its weighted records follow the weights the
//   remote's main branch holds in clusters/<cluster>/argocd/apps/, as
//   external-dns does once Argo CD has synced them.
import { after, before } from 'node:test';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runSynth } from '../../src/synth/index.js';
import { setEnv, type EnvChanges } from '../support/env.js';

export const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com';
export const ZONE_ID = 'Z0SHOPZONE1234';
export const ARGOCD_TOKEN = 'argocd-test-token-5e1f9a';

export interface FixtureService {
  readonly name: string;
  readonly hosts?: readonly string[];
  /** The base's resources (default: a Deployment). */
  readonly resources?: string;
}

export const SERVICES: readonly FixtureService[] = [
  { name: 'shop', hosts: ['www.shop.example.com'] },
  { name: 'cart', hosts: ['cart.shop.example.com'] },
];

export function platformYaml(remoteUrl: string, services: readonly FixtureService[], clusters = CLUSTERS_YAML, localPath = 'manifests'): string {
  return `# The shop platform.
platform: {name: shop, region: eu-west-1, account: "111122223333", domain: shop.example.com}
manifests:
  url: ${remoteUrl}
  localPath: ${localPath}

# Blue serves everything; green is the upgrade.
clusters:
${clusters}
teams:
  - {name: web, identity: "arn:aws:iam::111122223333:role/web"}
services:
${services.map((s) => `  - {name: ${s.name}, team: web, image: ${ECR}/${s.name}, quota: {cpu: "2", memory: 2Gi, pods: 20}${s.hosts ? `, hosts: [${s.hosts.join(', ')}]` : ''}}`).join('\n')}
`;
}

export const CLUSTERS_YAML = `  - name: blue
    kubernetesVersion: "1.32"
    weight: 255 # all traffic today
  - name: green
    kubernetesVersion: "1.35"
    weight: 0`;

export function deployment(name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${name}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: app
          image: ${ECR}/${name}
`;
}

export interface Fixture {
  readonly root: string;
  readonly platformDir: string;
  readonly remote: string;
  readonly cdk: string;
  readonly cdkLog: string;
  /** argv of each cdk run, one line each. */
  cdkRuns(): string[];
  /** `git --git-dir <remote> …`, trimmed. */
  git(...args: string[]): string;
  /**
   * The remote main's tip, read from the bare repository's ref file: the fakes ask for it on
   * every poll, and a git process each time cost more than the steps they answer.
   */
  tip(): string;
  /** A file at the remote's main, or undefined. */
  show(path: string): string | undefined;
  readPlatform(): string;
  cleanup(): void;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=seed', '-c', 'user.email=seed@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

/**
 * `inRepository`: platform.yaml at the root of the manifest repository (manifests.localPath ".")
 * rather than beside a checkout of it.
 */
export function createFixture(options: FixtureOptions = {}): Promise<Fixture> {
  return madeOnce(JSON.stringify(options), async () => {
    const root = mkdtempSync(join(tmpdir(), 'kaji-upgrade-test-'));
    await buildFixture(root, options);
    return fixtureAt(root);
  });
}

/**
 * A fixture `reach` brings to a stage of an upgrade (started, steps made), made once per key as
 * createFixture makes one per options: the commands that reach it run once per test file, and each
 * later test starts from a copy of what they left.
 */
export function fixtureAtStage(key: string, reach: () => Promise<Fixture>): Promise<Fixture> {
  return madeOnce(`stage: ${key}`, reach);
}

/**
 * A fixture's files name its own paths (the remote's URL in platform.yaml, in the generated
 * Applications and in the commits), so a copy is only valid where it was made: `make` runs once
 * per key, and each later call gets that copy put back at the same path, once the test before has
 * removed it. A test that still holds it gets one made afresh.
 */
async function madeOnce(key: string, make: () => Promise<Fixture>): Promise<Fixture> {
  const made = madeFixtures.get(key);
  if (made && !existsSync(made.root)) {
    cpSync(made.copy, made.root, { recursive: true, preserveTimestamps: true });
    return fixtureAt(made.root);
  }
  const fixture = await make();
  if (!made) {
    const copy = `${fixture.root}.copy-${madeFixtures.size}`;
    cpSync(fixture.root, copy, { recursive: true, preserveTimestamps: true });
    madeFixtures.set(key, { root: fixture.root, copy });
  }
  return fixture;
}

type FixtureOptions = { services?: readonly FixtureService[]; clusters?: string; cdkExit?: number; inRepository?: boolean };

/** Each fixture made, by its key: where it was made and a copy of it as made. */
const madeFixtures = new Map<string, { root: string; copy: string }>();
process.on('exit', () => {
  for (const { root, copy } of madeFixtures.values()) for (const path of [root, copy]) rmSync(path, { recursive: true, force: true });
});

async function buildFixture(root: string, options: FixtureOptions): Promise<void> {
  const services = options.services ?? SERVICES;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const { remote, platformDir, cdkLog, cdk } = fixturePaths(root);
  const manifests = options.inRepository ? 'platform' : 'platform/manifests';
  const checkout = join(root, manifests);
  write('platform/platform.yaml', platformYaml(`file://${remote}`, services, options.clusters, options.inRepository ? '.' : 'manifests'));
  write('platform/polaris.yaml', 'checks:\n  tagNotSpecified: danger\n');
  write('platform/infra/cdk.json', '{"app": "node bin/app.mjs"}\n');
  for (const service of services) {
    write(`${manifests}/apps/${service.name}/base/kustomization.yaml`, 'resources: [resources.yaml]\n');
    write(`${manifests}/apps/${service.name}/base/resources.yaml`, service.resources ?? deployment(service.name));
    for (const cluster of ['blue', 'green']) {
      write(`${manifests}/apps/${service.name}/overlays/${cluster}/kustomization.yaml`, `resources: [../../base]\nimages:\n  - name: ${ECR}/${service.name}\n    newTag: "1.0.0"\n`);
    }
  }
  // The generated clusters/ folders, as the team's last `kaji synth` left them.
  // Without the CDK app: only clusters/ is kept, and loading aws-cdk-lib would add seconds to every fixture.
  await runSynth({ directory: platformDir, outDirectory: join(root, 'out'), infrastructure: false });
  rmSync(join(root, 'out'), { recursive: true, force: true });
  git(root, 'init', '--quiet', '--bare', remote);
  git(checkout, 'init', '--quiet');
  git(checkout, 'add', '.');
  git(checkout, 'commit', '--quiet', '-m', 'seed');
  git(checkout, 'remote', 'add', 'origin', remote);
  git(checkout, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');

  // Like the real CLI, it knows the stacks the app builds from ../platform.yaml (list), and destroys
  // a stack the app no longer defines by printing "No stacks match" and exiting 0 (logged as such).
  write(
    'bin/cdk',
    `#!/bin/sh
if env | grep -q '^ARGOCD_AUTH_TOKEN'; then echo "an Argo CD token reached cdk" >&2; exit 9; fi
stacks() { echo shop-shared; sed -n 's/^  - name: \\(.*\\)$/shop-\\1/p' ../platform.yaml; }
case "$1" in
  list) echo "$*" >> '${cdkLog}'; stacks; exit 0;;
  destroy) for stack; do :; done
    if stacks | grep -qx "$stack"; then echo "$*" >> '${cdkLog}'; echo "$stack: destroyed"; else echo "$* (no such stack)" >> '${cdkLog}'; echo "No stacks match the name(s) $stack"; fi
    exit 0;;
esac
echo "$*" >> '${cdkLog}'
echo "cdk: $1 in $(basename "$PWD")"
exit ${options.cdkExit ?? 0}
`,
  );
  chmodSync(cdk, 0o755);
}

/** Where a fixture at `root` keeps the remote, platform.yaml's folder, the fake cdk and its log. */
function fixturePaths(root: string): { remote: string; platformDir: string; cdk: string; cdkLog: string } {
  return { remote: join(root, 'manifests.git'), platformDir: join(root, 'platform'), cdk: join(root, 'bin', 'cdk'), cdkLog: join(root, 'cdk.log') };
}

function fixtureAt(root: string): Fixture {
  const { remote, platformDir, cdkLog, cdk } = fixturePaths(root);
  const bareGit = (...args: string[]) => git(root, '--git-dir', remote, ...args);
  return {
    root,
    platformDir,
    remote,
    cdk,
    cdkLog,
    cdkRuns: () => {
      try {
        return readFileSync(cdkLog, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    },
    git: bareGit,
    tip: () => {
      try {
        return readFileSync(join(remote, 'refs/heads/main'), 'utf8').trim(); // git renames a ref into place whole
      } catch {
        return bareGit('rev-parse', 'main'); // packed
      }
    },
    show: (path) => {
      try {
        return bareGit('show', `main:${path}`);
      } catch {
        return undefined;
      }
    },
    readPlatform: () => readFileSync(join(platformDir, 'platform.yaml'), 'utf8'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

// --- servers -----------------------------------------------------------------

export interface FakeServer {
  readonly url: string;
  readonly requests: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface ArgoApp {
  readonly name: string;
  sync: string;
  health: string;
  message?: string;
  /** status.sync.revision: the commit the comparison was made at. */
  revision?: string;
  /** status.sync.revisions of a multi-source Application, one per source. */
  revisions?: string[];
  /**
   * status.resources, each with its health. As Argo CD 3 keeps resource health
   * out of the Application, the list leaves it out; GET of the one Application fills it in.
   */
  resources?: { group: string; kind: string; namespace: string; name: string; health: string; message?: string }[];
}

/** Argo CD's GET /api/v1/applications (and /api/v1/applications/{name}), answering with `apps()` as Argo CD's JSON; 401 without the right bearer token. */
export async function startArgoCd(apps: () => readonly ArgoApp[], token = ARGOCD_TOKEN): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const { server, url } = await listen((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization });
    response.setHeader('content-type', 'application/json');
    if (request.headers.authorization !== `Bearer ${token}`) {
      response.statusCode = 401;
      response.end(JSON.stringify({ error: 'invalid session: token is invalid', code: 16, message: 'invalid session: token is invalid' }));
      return;
    }
    const path = new URL(request.url ?? '/', 'http://argocd').pathname;
    const one = /^\/api\/v1\/applications\/([^/]+)$/.exec(path);
    if (request.method !== 'GET' || (path !== '/api/v1/applications' && !one)) {
      response.statusCode = 404;
      response.end('{}');
      return;
    }
    const items = apps().map((app) => ({
      metadata: { name: app.name, namespace: 'argocd', uid: `uid-${app.name}` },
      spec: { project: app.name, destination: { server: 'https://kubernetes.default.svc', namespace: app.name } },
      status: {
        sync: { status: app.sync, ...(app.revision === undefined ? {} : { revision: app.revision }), ...(app.revisions === undefined ? {} : { revisions: app.revisions }) },
        health: { status: app.health, ...(app.message ? { message: app.message } : {}) },
        ...(app.sync === 'OutOfSync' ? { conditions: [{ type: 'SyncError', message: 'one or more objects failed to apply', lastTransitionTime: '2026-01-01T00:00:00Z' }] } : {}),
        operationState: { phase: app.sync === 'Synced' ? 'Succeeded' : 'Running', message: app.sync === 'Synced' ? 'successfully synced' : 'waiting for healthy state' },
        ...(app.resources
          ? {
              resources: app.resources.map(({ health, message, ...resource }) => ({
                version: 'v1',
                status: 'Synced',
                ...resource,
                ...(one ? { health: { status: health, ...(message ? { message } : {}) } } : {}),
              })),
            }
          : {}),
      },
    }));
    if (one) {
      const item = items.find((candidate) => candidate.metadata.name === decodeURIComponent(one[1]!));
      response.statusCode = item ? 200 : 403; // Argo CD answers 403 for an Application it does not show
      response.end(JSON.stringify(item ?? { error: 'permission denied', code: 7, message: 'permission denied' }));
      return;
    }
    response.end(JSON.stringify({ metadata: { resourceVersion: '42' }, items: items.length ? items : null }));
  });
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A fake Argo CD started before the tests of a describe and closed after them, answering with `apps` as a test last set them. */
export interface HookedArgoCd {
  apps: ArgoApp[];
  readonly url: string;
  readonly requests: FakeServer['requests'];
}

/** Blue's and green's Argo CD (see HookedArgoCd), for the describe this is called in. */
export function argoCdsAround(): { blue: HookedArgoCd; green: HookedArgoCd } {
  const hooked = (): HookedArgoCd & { server?: FakeServer } => ({
    apps: [],
    get url() {
      return this.server!.url;
    },
    get requests() {
      return this.server!.requests;
    },
  });
  const clusters = { blue: hooked(), green: hooked() };
  before(async () => {
    for (const cluster of Object.values(clusters)) cluster.server = await startArgoCd(() => cluster.apps);
  });
  after(async () => {
    for (const cluster of Object.values(clusters)) await cluster.server?.close();
  });
  return clusters;
}

export interface Record53 {
  readonly name: string;
  readonly type: string;
  readonly setIdentifier: string;
  readonly weight: number;
}

/** A hosted zone of the fake Route 53: its name with the final dot, as Route 53 writes it. */
export interface FakeZone {
  readonly name: string;
  readonly id: string;
  readonly isPrivate?: boolean;
}

const DEFAULT_ZONES: readonly FakeZone[] = [
  { name: 'shop.example.com.', id: 'ZPRIVATE0001', isPrivate: true },
  { name: 'shop.example.com.', id: ZONE_ID },
  { name: 'zzz.example.com.', id: 'ZOTHER0001' },
];

export interface Route53Fake {
  readonly pageSize?: number;
  readonly throttled?: { readonly zones?: number; readonly records?: number };
  readonly zones?: readonly FakeZone[];
}

/**
 * Route 53's REST API (2013-04-01, XML) for ListHostedZonesByName and ListResourceRecordSets
 * (paged: `pageSize` records a page). `records()` is called on each listing. The first
 * `throttled.zones` zone lookups and `throttled.records` record listings are refused as Route 53
 * does past its rate limit (HTTP 400, Throttling). `zones`: the account's hosted zones (default: a
 * private and a public shop.example.com, the public one ZONE_ID, and another domain's).
 */
export async function startRoute53(records: () => readonly Record53[], options: Route53Fake = {}): Promise<FakeServer> {
  const { pageSize = 3, throttled = {}, zones = DEFAULT_ZONES } = options;
  const requests: FakeServer['requests'] = [];
  const refused = { zones: 0, records: 0 };
  const ns = 'https://route53.amazonaws.com/doc/2013-04-01/';
  const { server, url } = await listen((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization });
    const parsed = new URL(request.url ?? '/', 'http://route53');
    response.setHeader('content-type', 'text/xml');
    if (!String(request.headers.authorization).startsWith('AWS4-HMAC-SHA256 ')) {
      response.statusCode = 403;
      response.end(`<?xml version="1.0"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Missing Authentication Token</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`);
      return;
    }
    const kind = parsed.pathname === '/2013-04-01/hostedzonesbyname' ? 'zones' : 'records';
    if (refused[kind] < (throttled[kind] ?? 0)) {
      refused[kind]++;
      response.statusCode = 400;
      response.end(`<?xml version="1.0"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-3</RequestId></ErrorResponse>`);
      return;
    }
    if (parsed.pathname === '/2013-04-01/hostedzonesbyname') {
      const zone = ({ name, id, isPrivate = false }: FakeZone) =>
        `<HostedZone><Id>/hostedzone/${id}</Id><Name>${name}</Name><CallerReference>ref-${id}</CallerReference><Config><Comment>kaji</Comment><PrivateZone>${isPrivate}</PrivateZone></Config><ResourceRecordSetCount>12</ResourceRecordSetCount></HostedZone>`;
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListHostedZonesByNameResponse xmlns="${ns}"><HostedZones>` +
          zones.map(zone).join('') +
          `</HostedZones><DNSName>${parsed.searchParams.get('dnsname') ?? ''}</DNSName><IsTruncated>false</IsTruncated><MaxItems>${parsed.searchParams.get('maxitems') ?? '100'}</MaxItems></ListHostedZonesByNameResponse>`,
      );
      return;
    }
    const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset$/.exec(parsed.pathname);
    if (!rrset || rrset[1] !== ZONE_ID) {
      response.statusCode = 404;
      response.end(`<?xml version="1.0"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: ${rrset?.[1] ?? ''}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`);
      return;
    }
    // Route 53's order: name (labels reversed), type, set identifier. The fixed SOA and NS records come first.
    const all = [
      { name: 'shop.example.com', type: 'NS' },
      { name: 'shop.example.com', type: 'SOA' },
      ...[...records()].sort((a, b) => [reversed(a.name), a.type, a.setIdentifier].join(' ').localeCompare([reversed(b.name), b.type, b.setIdentifier].join(' '))),
    ] as (Record53 | { name: string; type: string; setIdentifier?: undefined })[];
    const key = (r: { name: string; type: string; setIdentifier?: string }) => `${r.name}.|${r.type}|${r.setIdentifier ?? ''}`;
    const startName = parsed.searchParams.get('name');
    let start = 0;
    if (startName) {
      const wanted = `${startName}|${parsed.searchParams.get('type') ?? ''}|${parsed.searchParams.get('identifier') ?? ''}`;
      start = all.findIndex((r) => key(r) === wanted);
      if (start < 0) start = all.length;
    }
    const page = all.slice(start, start + pageSize);
    const next = all[start + pageSize];
    const set = (r: (typeof all)[number]) =>
      `<ResourceRecordSet><Name>${r.name}.</Name><Type>${r.type}</Type>` +
      (r.setIdentifier !== undefined
        ? `<SetIdentifier>${r.setIdentifier}</SetIdentifier><Weight>${(r as Record53).weight}</Weight><AliasTarget><HostedZoneId>Z14GRHDCWA56QT</HostedZoneId><DNSName>k8s-${r.setIdentifier}-1234.eu-west-1.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget>`
        : `<TTL>900</TTL><ResourceRecords><ResourceRecord><Value>ns-1.awsdns-01.org.</Value></ResourceRecord></ResourceRecords>`) +
      `</ResourceRecordSet>`;
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListResourceRecordSetsResponse xmlns="${ns}"><ResourceRecordSets>${page.map(set).join('')}</ResourceRecordSets>` +
        `<IsTruncated>${next !== undefined}</IsTruncated>` +
        (next ? `<NextRecordName>${next.name}.</NextRecordName><NextRecordType>${next.type}</NextRecordType>${next.setIdentifier !== undefined ? `<NextRecordIdentifier>${next.setIdentifier}</NextRecordIdentifier>` : ''}` : '') +
        `<MaxItems>${pageSize}</MaxItems></ListResourceRecordSetsResponse>`,
    );
  });
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function reversed(name: string): string {
  return name.split('.').reverse().join('.');
}

/**
 * What external-dns would write once Argo CD synced the remote's main: an A and a TXT record per
 * host of each service, per cluster, at the weight of its generated Application (the TXT ones are
 * external-dns's ownership records, which kaji must ignore).
 */
export function recordsFromRemote(fixture: Fixture, services: readonly FixtureService[] = SERVICES): readonly Record53[] {
  const key = [fixture.remote, fixture.tip(), JSON.stringify(services)].join('\n');
  const known = recordsAtTip.get(key);
  if (known) return known;
  const records: Record53[] = [];
  for (const cluster of ['blue', 'green']) {
    for (const service of services) {
      const app = fixture.show(`clusters/${cluster}/argocd/apps/${service.name}.yaml`);
      const weight = app && /aws-weight: '(\d+)'/.exec(app)?.[1];
      if (weight === undefined || weight === null || weight === '') continue;
      for (const host of service.hosts ?? []) {
        records.push({ name: host, type: 'A', setIdentifier: cluster, weight: Number(weight) });
        records.push({ name: host, type: 'TXT', setIdentifier: cluster, weight: Number(weight) });
      }
    }
  }
  recordsAtTip.set(key, records);
  return records;
}

/** recordsFromRemote's answers by remote, tip and services: Route 53 is listed on every poll, a page at a time. */
const recordsAtTip = new Map<string, readonly Record53[]>();

/** Every Application of green, Synced (to `revision`, a commit of the manifest repository) and Healthy. */
export function healthyApps(names: readonly string[], revision: string): ArgoApp[] {
  return names.map((name) => ({ name, sync: 'Synced', health: 'Healthy', revision }));
}

/**
 * What `kaji upgrade` reads from the environment, set for the fake servers:
 * AWS credentials for the SDK's signer (the fake Route 53 only checks a
 * signature is there) and green's Argo CD token, then `more`. The function
 * returned puts each variable back.
 */
export function setUpgradeEnv(more: EnvChanges = {}): () => void {
  return setEnv({ AWS_ACCESS_KEY_ID: 'AKIAUPGRADETEST', AWS_SECRET_ACCESS_KEY: 'upgrade-test-secret', AWS_PROFILE: undefined, ARGOCD_AUTH_TOKEN: ARGOCD_TOKEN, ...more });
}
