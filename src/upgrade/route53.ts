// Route 53 as external-dns leaves it: the weighted records of the platform's
// hosted zone, one per cluster (set identifier = cluster name) for each name
// and type. A weight step is applied when every name the two clusters serve
// has a record of each, at the weights platform.yaml now says.
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, Route53Client, type RRType } from '@aws-sdk/client-route-53';
import { StepFailedError, UpgradeError } from './errors.js';
import type { Probe } from './wait.js';

export interface Route53Options {
  /** The hosted zone id (Z…); @default the public zone named after the platform domain */
  readonly hostedZoneId?: string;
  /** Another endpoint (tests: a local server). */
  readonly endpoint?: string;
}

export interface WeightedRecord {
  /** Lower case, without the trailing dot. */
  readonly name: string;
  readonly type: string;
  readonly setIdentifier: string;
  readonly weight: number;
}

/** The record types external-dns writes for an Ingress (TXT records are its ownership registry). */
const ADDRESS_TYPES = new Set(['A', 'AAAA', 'CNAME']);

export function route53Client(options: Route53Options): Route53Client {
  // The SDK warns on every run under Node 20 that its releases after January 2027 need Node 22: kaji pins
  // its version (package.json), so the warning says nothing to kaji's users. Set it to "false" to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Route 53 is global: its API lives in us-east-1 (the SDK signs for it there).
  return new Route53Client({ region: 'us-east-1', ...(options.endpoint ? { endpoint: options.endpoint } : {}), maxAttempts: 3 });
}

/** The zone to read: the one given, else the one public zone named `domain`. */
export async function hostedZoneOf(client: Route53Client, domain: string, options: Route53Options): Promise<string> {
  if (options.hostedZoneId) return options.hostedZoneId.replace(/^\/hostedzone\//, '');
  const answer = await client.send(new ListHostedZonesByNameCommand({ DNSName: domain, MaxItems: 10 })).catch(awsFailure('listing the hosted zones'));
  const zones = (answer.HostedZones ?? []).filter((zone) => normalName(zone.Name ?? '') === domain.toLowerCase() && zone.Config?.PrivateZone !== true);
  if (zones.length === 0) throw new UpgradeError(`Route 53 has no public hosted zone named ${domain}: pass --hosted-zone-id`);
  if (zones.length > 1) throw new UpgradeError(`Route 53 has ${zones.length} public hosted zones named ${domain}: pass --hosted-zone-id (the one external-dns writes to)`);
  return zones[0]!.Id!.replace(/^\/hostedzone\//, '');
}

/**
 * Every weighted A, AAAA and CNAME record of the zone, page after page; with
 * `ownership`, external-dns's TXT records (set identifier and weight as their
 * name's) too: what a retired cluster must leave no trace of.
 */
export async function weightedRecords(client: Route53Client, zoneId: string, options: { ownership?: boolean } = {}): Promise<WeightedRecord[]> {
  const records: WeightedRecord[] = [];
  let next: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
  for (;;) {
    const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...next })).catch(awsFailure(`listing the records of hosted zone ${zoneId}`));
    for (const set of page.ResourceRecordSets ?? []) {
      if (!(ADDRESS_TYPES.has(set.Type ?? '') || (options.ownership === true && set.Type === 'TXT')) || set.SetIdentifier === undefined || set.Weight === undefined) continue;
      records.push({ name: normalName(set.Name ?? ''), type: set.Type!, setIdentifier: set.SetIdentifier, weight: set.Weight });
    }
    if (!page.IsTruncated) return records;
    next = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
  }
}

/** What one poll of a wait read: the zone and its weighted records. */
export interface ZoneRecords {
  readonly zone: string;
  readonly records: readonly WeightedRecord[];
}

/**
 * One poll after another of the platform zone's weighted records, for a wait:
 * the zone is looked up on the first poll Route 53 answers, and a poll it
 * throttles (either request) is a Probe not done, for the wait to ask again.
 */
export function zoneRecordsPoller(client: Route53Client, domain: string, options: Route53Options & { readonly ownership?: boolean }): () => Promise<ZoneRecords | Probe> {
  let zone: string | undefined;
  return async () => {
    try {
      zone ??= await hostedZoneOf(client, domain, options);
      return { zone, records: await weightedRecords(client, zone, { ownership: options.ownership }) };
    } catch (error) {
      if (error instanceof Route53BusyError) return { done: false, summary: `Route 53 is throttling (${error.message}): asking again`, waiting: [] };
      throw error;
    }
  };
}

/** Route 53 writes names with a final dot and `*` as `\052`. */
function normalName(name: string): string {
  return name.replace(/\.$/, '').replace(/\\052/g, '*').toLowerCase();
}

export interface DnsVerdict {
  readonly converged: boolean;
  /** One line per record that is not as wanted yet. */
  readonly pending: readonly string[];
}

/**
 * Whether the records of the clusters in `weights` are at those weights: for
 * every name and type either cluster has a record of, each cluster has one,
 * at its weight. A name only one cluster serves would keep all its traffic
 * there whatever the weights say, so it is not converged either, unless the
 * cluster without a record is meant to get none (weight 0): after a rollback,
 * a name the new cluster's external-dns never wrote is where it should be.
 */
export function dnsVerdict(records: readonly WeightedRecord[], weights: Readonly<Record<string, number>>): DnsVerdict {
  const clusters = Object.keys(weights);
  const ours = records.filter((record) => clusters.includes(record.setIdentifier));
  if (ours.length === 0) return { converged: false, pending: [`no weighted records of ${clusters.join(' or ')} in the zone yet`] };
  const pending: string[] = [];
  const groups = [...new Set(ours.map((record) => `${record.name} ${record.type}`))].sort();
  for (const group of groups) {
    for (const cluster of clusters) {
      const found = ours.filter((record) => `${record.name} ${record.type}` === group && record.setIdentifier === cluster);
      if (found.length === 0 && weights[cluster] !== 0) pending.push(`${group} ${cluster}: no record (want weight ${weights[cluster]})`);
      for (const record of found) {
        if (record.weight !== weights[cluster]) pending.push(`${group} ${cluster}: weight ${record.weight}, want ${weights[cluster]}`);
      }
    }
  }
  return { converged: pending.length === 0, pending };
}

/** Route 53 asking to slow down (5 requests a second per account, shared with external-dns): waited out, not a failure. */
export class Route53BusyError extends StepFailedError {}

const BUSY = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete']);

/** An AWS SDK failure as one line: credentials and permissions stop the step, throttling is a Route53BusyError; the message says which. */
function awsFailure(doing: string) {
  return (error: unknown): never => {
    const name = (error as { name?: string }).name ?? 'Error';
    const message = (error as Error).message ?? String(error);
    const Failure = BUSY.has(name) ? Route53BusyError : StepFailedError;
    throw new Failure(`${doing} in Route 53 failed: ${name}: ${message}`);
  };
}
