// external-dns: the cluster's Route 53 records, weighted per cluster. Each
// cluster owns its records through the TXT registry (`txtOwnerId`
// `<platform>-<cluster>`), so blue never deletes or rewrites green's, and the
// weight annotations kaji adds to every Ingress make them weighted records
// (set identifier = cluster name). `policy: sync` removes the records of an
// Ingress that is gone. IAM: changes to the platform's hosted zone only, and
// only of the record types external-dns writes (EXTERNAL_DNS_RECORD_TYPES).
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import { Duration, Stack } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import type { ClusterDefinition, PlatformDefinition } from '../../platform/index.js';
import type { ChartPin } from '../versions.js';
import { suppress } from '../nag.js';
import { PodIdentityRole } from './pod-identity.js';
import { systemPlacement } from './system-nodes.js';

export const EXTERNAL_DNS = { namespace: 'external-dns', serviceAccount: 'external-dns' } as const;

/**
 * The record types external-dns may write in the zone. From ingresses and
 * services on AWS it writes alias A records to the load balancers, and alias
 * AAAA records next to them (kubernetes-sigs/external-dns#5111, in the pinned
 * chart's release); CNAME for a target that is not an AWS load balancer; TXT
 * for the registry, whose ownership records (named with the record type as a
 * prefix, `a-<name>`, `aaaa-<name>`, `cname-<name>`) are TXT records too. SRV
 * records come only from NodePort services, which tenant quotas forbid
 * (services.nodeports = 0), and NS, MX and the other types from no source
 * kaji enables.
 *
 * Not restricted: the change actions (`policy: sync` creates, upserts and
 * deletes, so a ChangeResourceRecordSetsActions condition would allow all
 * three anyway) and the record names (the zone is the platform domain, so
 * every name in it is the domain or below it; a
 * ChangeResourceRecordSetsNormalizedRecordNames condition would add nothing
 * the zone ARN does not already say).
 */
const EXTERNAL_DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;

/** The owner ID of a cluster's records in the TXT registry. */
export function txtOwnerId(platform: PlatformDefinition, cluster: ClusterDefinition): string {
  return `${platform.platform.name}-${cluster.name}`;
}

export interface ExternalDnsProps {
  readonly cluster: eks.ICluster;
  readonly platform: PlatformDefinition;
  readonly clusterDefinition: ClusterDefinition;
  readonly hostedZone: route53.IHostedZone;
  readonly chart: ChartPin;
}

export class ExternalDns extends Construct {
  readonly chart: eks.HelmChart;
  readonly identity: PodIdentityRole;

  constructor(scope: Construct, id: string, props: ExternalDnsProps) {
    super(scope, id);
    this.identity = new PodIdentityRole(this, 'Identity', {
      cluster: props.cluster,
      namespace: EXTERNAL_DNS.namespace,
      serviceAccount: EXTERNAL_DNS.serviceAccount,
      purpose: `external-dns of ${txtOwnerId(props.platform, props.clusterDefinition)}: records in ${props.platform.platform.domain}`,
    });
    // Route 53 authorizes the tag reads on the hosted zone too (its API
    // permissions reference lists hostedzone/* for ListTagsForResource and
    // ListTagsForResources); external-dns reads the tags only of zones that
    // pass its zone filters, i.e. this one.
    this.identity.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['route53:ListResourceRecordSets', 'route53:ListTagsForResource', 'route53:ListTagsForResources'],
        resources: [props.hostedZone.hostedZoneArn],
      }),
    );
    this.identity.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['route53:ChangeResourceRecordSets'],
        resources: [props.hostedZone.hostedZoneArn],
        conditions: { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': [...EXTERNAL_DNS_RECORD_TYPES] } },
      }),
    );
    this.identity.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // Route 53 has no resource-level permission for listing zones.
        actions: ['route53:ListHostedZones'],
        resources: ['*'],
      }),
    );

    suppress(this.identity.role, [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'route53:ListHostedZones, the only action on "*", has no resource-level permission; external-dns lists zones to find the one it may read and change (every other action is allowed on that zone only).',
      },
    ]);
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: props.chart.chart,
      repository: props.chart.repository,
      version: props.chart.version,
      namespace: EXTERNAL_DNS.namespace,
      release: 'external-dns',
      createNamespace: true,
      timeout: Duration.minutes(10),
      values: {
        provider: { name: 'aws' },
        env: [{ name: 'AWS_DEFAULT_REGION', value: Stack.of(this).region }],
        serviceAccount: { create: true, name: EXTERNAL_DNS.serviceAccount },
        sources: ['ingress', 'service'],
        policy: 'sync',
        registry: 'txt',
        txtOwnerId: txtOwnerId(props.platform, props.clusterDefinition),
        domainFilters: [props.platform.platform.domain],
        extraArgs: ['--aws-zone-type=public', `--zone-id-filter=${props.hostedZone.hostedZoneId}`],
        ...systemPlacement(),
      },
    });
    this.chart.node.addDependency(this.identity);
  }
}
