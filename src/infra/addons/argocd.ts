// Argo CD and what it needs to start: the chart, the manifest repository's
// credentials, the root Application and its AppProject. After that Argo CD
// syncs `clusters/<cluster>/argocd/` and manages everything else itself.
//
// Repository credentials without a secret value in any template:
// - the platform team puts the credentials once into a Secrets Manager secret
//   (a JSON object with Argo CD's repository keys: `username` and `password`
//   for a token, or `githubAppID`, `githubAppInstallationID` and
//   `githubAppPrivateKey` for a GitHub App, or `sshPrivateKey`);
// - CDK installs the External Secrets Operator, scoped to the argocd namespace
//   only (it ignores SecretStores and ExternalSecrets everywhere else, so a
//   tenant cannot point one at this secret), with an IAM role through EKS Pod
//   Identity that may read that one secret and nothing else;
// - a SecretStore and an ExternalSecret in argocd turn the secret into Argo
//   CD's repository Secret (label `argocd.argoproj.io/secret-type:
//   repository`, plus `type` and `url`), and refresh it hourly, so a rotated
//   token reaches Argo CD without a deployment.
// The template holds only the secret's name; the value travels from Secrets
// Manager to the cluster at run time. Sign-in with the company's OpenID Connect
// provider (`argocd.sso` in platform.yaml) takes the same path: one more
// ExternalSecret writes the client secret into a Secret that Argo CD's
// oidc.config refers to by name, and the operator's role may read that secret
// too (two secrets, nothing else). Rejected: a Secret manifest with
// `secretValue.unsafeUnwrap()` (the value lands in the template), an
// AwsCustomResource (its response lands in the template), a custom Lambda that
// writes the Secret with kubectl (one more function with cluster-admin, and no
// rotation).
//
// With `argocd.ingress`, Argo CD is served at https://argocd.<cluster>.<domain>
// through the chart's own Ingress for the AWS Load Balancer Controller
// (`server.ingress.controller: aws`, which adds a second Service for the
// argocd CLI's gRPC, routed by content type on the same host): an ALB of its
// own (no group.name, so no other Ingress can add rules to it), HTTPS with an
// ACM certificate validated in the platform's hosted zone, HTTP redirected,
// reachable from the CIDRs named or the VPC. The ALB talks HTTPS to
// argocd-server (its own certificate; ALBs do not check backend certificates),
// so Argo CD keeps TLS and nothing changes for port-forwarding. external-dns
// writes the record from the Ingress's host, one per cluster (no weights).
// The chart's argocd-server NetworkPolicy admits every source, so the ALB
// reaches the pods (target type ip) without a policy of kaji's.
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Duration, Stack } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import {
  ARGOCD_NAMESPACE,
  argoCdHost,
  argoCdConfigMaps,
  bootstrapObjects,
  SSO_CLIENT_SECRET,
  type ArgoCdIngressScheme,
  type ArgoCdConfigMaps,
  type ClusterDefinition,
  type PlatformDefinition,
} from '../../platform/index.js';
import { InfraError } from '../errors.js';
import type { ArgoCdChartPin, ChartPins } from '../versions.js';
import { PodIdentityRole } from './pod-identity.js';
import { systemPlacement } from './system-nodes.js';

/** The namespace and service account of the External Secrets Operator. */
export const EXTERNAL_SECRETS = { namespace: 'external-secrets', serviceAccount: 'external-secrets' } as const;

/** Names of the objects that bring the repository credentials into argocd. */
export const REPOSITORY_CREDENTIALS = { store: 'kaji-secrets-manager', secret: 'kaji-manifest-repository' } as const;

export interface ArgoCdBootstrapProps {
  readonly cluster: eks.ICluster;
  readonly platform: PlatformDefinition;
  readonly clusterDefinition: ClusterDefinition;
  readonly charts: ChartPins;
  /** The Secrets Manager secret (by name) that holds the repository credentials. */
  readonly repositoryCredentialsSecretName: string;
  /**
   * Helm values merged over kaji's (top-level keys replace kaji's, but
   * `configs` merges section by section and `server` key by key, down to
   * `server.ingress.annotations`, so a `server.resources` or one more
   * annotation keeps kaji's Ingress; a `global` here, which must be a map,
   * merges key by key too, so it keeps Argo CD's host (`global.domain`), the
   * pinned image tag, the system-node placement and the NetworkPolicies
   * unless it sets them itself; see argoCdValues).
   * @default {}
   */
  readonly values?: Record<string, unknown>;
  /** Something that must exist before the charts install (the system nodes and the Pod Identity agent). @default none */
  readonly dependsOn?: readonly Construct[];
  /** The platform's public hosted zone, where Argo CD's certificate is validated; needed with `argocd.ingress`. @default none */
  readonly hostedZone?: route53.IHostedZone;
  /** The VPC's CIDR: who may reach an internal ALB without allowedCidrs; needed with `argocd.ingress`. @default none */
  readonly vpcCidr?: string;
}

/** How Argo CD's ALB is set up: its host, certificate, scheme and who may reach it. */
export interface ArgoCdServerIngress {
  readonly host: string;
  readonly certificateArn: string;
  readonly scheme: ArgoCdIngressScheme;
  readonly inboundCidrs: readonly string[];
}

/** TLS 1.3 and 1.2 only: the ALB's recommended security policy (no TLS 1.0 or 1.1). */
export const ARGOCD_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * The chart's `server.ingress` for the AWS Load Balancer Controller: class
 * alb, target type ip, HTTPS on 443 with the certificate and TLS policy, 80
 * redirecting to it, the inbound CIDRs on the ALB's security group, HTTPS to
 * argocd-server, and gRPC (the argocd CLI) to the chart's second Service.
 */
export function argoCdIngressValues(ingress: ArgoCdServerIngress): Record<string, unknown> {
  const alb = 'alb.ingress.kubernetes.io';
  return {
    enabled: true,
    controller: 'aws',
    ingressClassName: 'alb',
    hostname: ingress.host,
    annotations: {
      [`${alb}/scheme`]: ingress.scheme,
      [`${alb}/target-type`]: 'ip',
      [`${alb}/backend-protocol`]: 'HTTPS',
      [`${alb}/listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
      [`${alb}/ssl-redirect`]: '443',
      [`${alb}/certificate-arn`]: ingress.certificateArn,
      [`${alb}/ssl-policy`]: ARGOCD_SSL_POLICY,
      [`${alb}/inbound-cidrs`]: ingress.inboundCidrs.join(','),
    },
    aws: { serviceType: 'ClusterIP', backendProtocolVersion: 'GRPC' },
  };
}

/**
 * Argo CD's chart values: the pinned Argo CD image, one replica each (no HA),
 * on the system nodes, the chart's NetworkPolicies, no Dex and no
 * notifications; with `configMaps`, kaji's entries of argocd-cm and
 * argocd-rbac-cm (the reader account, RBAC, sign-in); with `ingress`, the
 * server's ALB Ingress; with `host`
 * (Argo CD's host, the ingress's by default), `global.domain`, from which the
 * chart derives argocd-cm's `url` (else https://argocd.example.com, the host
 * of every link Argo CD writes) and any Ingress's host it is not given. Then
 * `overrides`' top-level keys replace kaji's, but for:
 * - `configs`, whose sections (cm, rbac, params, secret...) merge key by key:
 *   an override adding `configs.secret` or one argocd-cm entry must not
 *   silently drop sign-in or the parallelism limit;
 * - `server`, whose keys merge over kaji's, and so do those of
 *   `server.ingress` and of its `annotations` and `aws`: a `server.resources`
 *   must not silently drop the Ingress (and with it the ALB), nor one more
 *   annotation the certificate, the scheme or the inbound CIDRs;
 * - `global`, whose keys merge over kaji's, and so do those of its maps
 *   (`image`, `nodeSelector`, `networkPolicy`): it keeps `global.domain`
 *   unless it sets one, runs the pinned image tag unless it names a tag (the
 *   pin is a security fix, and a `global` set for anything else, a mirror's
 *   `image.repository` or logging, would otherwise put the chart's older
 *   appVersion back on every component), and keeps every component on the
 *   system nodes with its NetworkPolicy unless it sets `nodeSelector`,
 *   `tolerations` or `networkPolicy.create` itself (a `tolerations` list
 *   replaces kaji's; a `nodeSelector` key set to null removes kaji's label).
 *   Else the application controller (cluster admin) and the repo server
 *   (repository credentials) would land on tenant spot nodes.
 * A `global` or `configs` that is not a map is refused (ArgoCdValuesError)
 * rather than merged or ignored: there is nothing to merge kaji's keys into,
 * and Helm would read it as dropping the chart's section (null) or ignore it
 * (a string), so it is a mistake either way.
 */
export function argoCdValues(
  chart: ArgoCdChartPin,
  overrides: Record<string, unknown> = {},
  configMaps?: ArgoCdConfigMaps,
  ingress?: ArgoCdServerIngress,
  host: string | undefined = ingress?.host,
): Record<string, unknown> {
  const kajiConfigs: Record<string, unknown> = {
    params: {
      // Fewer parallel kustomize builds on the two small system nodes.
      'reposerver.parallelism.limit': 4,
    },
    // Helm merges these over the chart's own argocd-cm and argocd-rbac-cm entries.
    ...(configMaps === undefined ? {} : { cm: configMaps.cm, rbac: configMaps.rbac }),
  };
  const domain = host === undefined ? {} : { domain: host };
  const kajiServer = ingress === undefined ? undefined : { ingress: argoCdIngressValues(ingress) };
  const kajiGlobal = {
    // Every Argo CD component runs this tag instead of the chart's appVersion.
    image: { tag: chart.imageTag },
    ...domain,
    ...systemPlacement(),
    // One ingress NetworkPolicy per component (the chart's default since
    // 10.0.0, set here so that it does not depend on the default): the API
    // server takes traffic from anywhere, while the repo server (which holds
    // the repository credentials) and Redis take connections on their
    // service ports only from Argo CD's own components. vpc-cni enforces them.
    networkPolicy: { create: true },
  };
  const values: Record<string, unknown> = {
    global: kajiGlobal,
    // Sign-in goes straight to the provider (oidc.config), never through Dex.
    dex: { enabled: false },
    notifications: { enabled: false },
    ...(kajiServer === undefined ? {} : { server: kajiServer }),
    ...overrides,
  };
  const configs = overrides.configs;
  if (configs !== undefined && !isPlainObject(configs)) {
    throw new ArgoCdValuesError('configs', `is ${describeNonMap(configs)}, not a map: kaji merges it section by section over its own argocd-cm and argocd-rbac-cm entries (the kaji-reader account, sign-in, RBAC) and the repo server's parallelism; give a map of the chart's configs sections, or leave configs out`);
  }
  values.configs = configs === undefined ? kajiConfigs : mergeMaps(kajiConfigs, configs, 1);
  // Down to the Ingress's annotations: one annotation of the user's must not drop the certificate or the inbound CIDRs.
  if (kajiServer !== undefined && isPlainObject(overrides.server)) values.server = mergeMaps(kajiServer, overrides.server, 2);
  const global = overrides.global;
  if (global !== undefined && !isPlainObject(global)) {
    throw new ArgoCdValuesError('global', `is ${describeNonMap(global)}, not a map: kaji merges it over Argo CD's host (global.domain), the pinned image tag, the system-node placement and the NetworkPolicies; give a map of the chart's global keys, or leave global out`);
  }
  // Key by key, and one level down (image, nodeSelector, networkPolicy): a
  // global set for a mirror or logging must not move the application
  // controller (cluster admin) and the repo server (repository credentials)
  // off the system nodes, nor drop their NetworkPolicies.
  values.global = global === undefined ? kajiGlobal : mergeMaps(kajiGlobal, global, 1);
  return values;
}

/** A value of the overrides kaji cannot merge its own into; ArgoCdBootstrap adds its construct's path. */
export class ArgoCdValuesError extends Error {
  override readonly name = 'ArgoCdValuesError';
  /** The key at fault, e.g. "global". */
  readonly field: string;
  /** What is wrong with it, without the field. */
  readonly problem: string;

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.field = field;
    this.problem = problem;
  }
}

/** A value that is not a map, as a message says it: null, a list, the string "x". */
function describeNonMap(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `the ${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}

/**
 * `theirs` over `ours` key by key; `depth` levels down, a key both hold as
 * maps merges the same way (anything else of theirs replaces ours, as Helm
 * reads it: null removes the key).
 */
function mergeMaps(ours: Record<string, unknown>, theirs: Record<string, unknown>, depth: number): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...ours, ...theirs };
  if (depth === 0) return merged;
  for (const [key, value] of Object.entries(theirs)) {
    const kaji = ours[key];
    if (isPlainObject(kaji) && isPlainObject(value)) merged[key] = mergeMaps(kaji, value, depth - 1);
  }
  return merged;
}

/**
 * An ExternalSecret in argocd from kaji's Secrets Manager store: the Secret
 * `name`, owned by it and refreshed hourly (a rotated value arrives by
 * itself); `template` is merged over what `source` reads (mergePolicy Merge:
 * every key of the secret's value stays, and the template adds its own).
 */
function argoCdExternalSecret(name: string, template: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: ARGOCD_NAMESPACE },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'SecretStore', name: REPOSITORY_CREDENTIALS.store },
      target: { name, creationPolicy: 'Owner', template: { mergePolicy: 'Merge', ...template } },
      ...source,
    },
  };
}

/**
 * The ExternalSecret of Argo CD's OIDC client secret: the Secrets Manager
 * secret's value (plain text) under the key oidc.config refers to, in a Secret
 * Argo CD reads (it looks only at Secrets labelled part-of argocd).
 */
function ssoClientSecret(secretName: string): Record<string, unknown> {
  return argoCdExternalSecret(
    SSO_CLIENT_SECRET.secret,
    { metadata: { labels: { 'app.kubernetes.io/part-of': 'argocd' } } },
    { data: [{ secretKey: SSO_CLIENT_SECRET.key, remoteRef: { key: secretName } }] },
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class ArgoCdBootstrap extends Construct {
  /** The Argo CD chart. */
  readonly chart: eks.HelmChart;
  /** The External Secrets Operator chart. */
  readonly externalSecretsChart: eks.HelmChart;
  /** The SecretStore and ExternalSecret of the repository credentials. */
  readonly repositoryCredentials: eks.KubernetesManifest;
  /** The kaji-root AppProject and root Application. */
  readonly root: eks.KubernetesManifest;
  /** The role the External Secrets Operator reads the secrets with. */
  readonly externalSecretsRole: PodIdentityRole;
  /** The certificate of argocd.<cluster>.<domain>; undefined without `argocd.ingress`. */
  readonly certificate: acm.Certificate | undefined;

  constructor(scope: Construct, id: string, props: ArgoCdBootstrapProps) {
    super(scope, id);
    const { cluster, platform, charts } = props;
    const configMaps = argoCdConfigMaps(platform, props.clusterDefinition);
    const sso = platform.argocd?.sso;
    const ingress = this.serverIngress(props);
    this.certificate = ingress?.certificate;
    // With sign-in or the Ingress, Argo CD lives at its host: the links it writes (argocd-cm's url) must name it.
    const host = sso === undefined && ingress === undefined ? undefined : argoCdHost(platform, props.clusterDefinition);

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster,
      chart: charts.argoCd.chart,
      repository: charts.argoCd.repository,
      version: charts.argoCd.version,
      namespace: ARGOCD_NAMESPACE,
      release: 'argocd',
      createNamespace: true,
      // The AppProject and Application below need the CRDs and a running controller.
      wait: true,
      timeout: Duration.minutes(15),
      values: this.chartValues(props, configMaps, ingress?.settings, host),
    });
    for (const dependency of props.dependsOn ?? []) this.chart.node.addDependency(dependency);

    const secret = secretsmanager.Secret.fromSecretNameV2(this, 'RepositoryCredentials', props.repositoryCredentialsSecretName);
    const secretNames = [props.repositoryCredentialsSecretName, ...(sso === undefined ? [] : [sso.clientSecretName])];
    this.externalSecretsRole = new PodIdentityRole(this, 'ExternalSecretsIdentity', {
      cluster,
      namespace: EXTERNAL_SECRETS.namespace,
      serviceAccount: EXTERNAL_SECRETS.serviceAccount,
      purpose: `Reads ${secretNames.join(' and ')} for Argo CD`,
    });
    secret.grantRead(this.externalSecretsRole.role);
    if (sso !== undefined) {
      secretsmanager.Secret.fromSecretNameV2(this, 'SsoClientSecret', sso.clientSecretName).grantRead(this.externalSecretsRole.role);
    }

    this.externalSecretsChart = new eks.HelmChart(this, 'ExternalSecrets', {
      cluster,
      chart: charts.externalSecrets.chart,
      repository: charts.externalSecrets.repository,
      version: charts.externalSecrets.version,
      namespace: EXTERNAL_SECRETS.namespace,
      release: 'external-secrets',
      createNamespace: true,
      // The ExternalSecret below is admitted by the operator's webhook.
      wait: true,
      timeout: Duration.minutes(15),
      values: {
        global: systemPlacement(),
        serviceAccount: { create: true, name: EXTERNAL_SECRETS.serviceAccount },
        // The SecretStore and ExternalSecret below need the CRDs (the chart's default, set so it does not depend on it).
        installCRDs: true,
        // Only the argocd namespace: no cluster-wide stores or generators, no pushing secrets out.
        scopedNamespace: ARGOCD_NAMESPACE,
        scopedRBAC: true,
        processClusterExternalSecret: false,
        processClusterStore: false,
        processClusterGenerator: false,
        processClusterPushSecret: false,
        processPushSecret: false,
      },
    });
    // The scoped Role lives in argocd, which the Argo CD chart creates; the
    // operator's credentials must be associated before its pod starts.
    this.externalSecretsChart.node.addDependency(this.chart);
    this.externalSecretsChart.node.addDependency(this.externalSecretsRole);

    this.repositoryCredentials = new eks.KubernetesManifest(this, 'RepositoryCredentialsManifest', {
      cluster,
      manifest: [
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'SecretStore',
        metadata: { name: REPOSITORY_CREDENTIALS.store, namespace: ARGOCD_NAMESPACE },
        // No auth block: the operator's own credentials (its Pod Identity role).
        spec: { provider: { aws: { service: 'SecretsManager', region: Stack.of(this).region } } },
      },
      // The secret's JSON (a token or a GitHub App) plus what makes it Argo CD's repository Secret.
      argoCdExternalSecret(
        REPOSITORY_CREDENTIALS.secret,
        { metadata: { labels: { 'argocd.argoproj.io/secret-type': 'repository' } }, data: { type: 'git', url: platform.manifests.url } },
        { dataFrom: [{ extract: { key: props.repositoryCredentialsSecretName } }] },
      ),
      ...(sso === undefined ? [] : [ssoClientSecret(sso.clientSecretName)]),
      ],
    });
    this.repositoryCredentials.node.addDependency(this.externalSecretsChart);

    this.root = new eks.KubernetesManifest(this, 'Root', { cluster, manifest: bootstrapObjects(platform, props.clusterDefinition) });
    this.root.node.addDependency(this.chart);
    this.root.node.addDependency(this.repositoryCredentials);
  }

  /** argoCdValues, an override it cannot merge refused as an InfraError naming this construct and the field (`values.global`). */
  private chartValues(props: ArgoCdBootstrapProps, configMaps: ArgoCdConfigMaps, ingress: ArgoCdServerIngress | undefined, host: string | undefined): Record<string, unknown> {
    try {
      return argoCdValues(props.charts.argoCd, props.values, configMaps, ingress, host);
    } catch (error) {
      if (!(error instanceof ArgoCdValuesError)) throw error;
      throw new InfraError(this.node.path, `values.${error.field}`, `${error.problem} (a cluster stack's argoCdValues.${error.field})`);
    }
  }

  /** With `argocd.ingress`: the certificate (DNS-validated in the hosted zone, no AWS call at synthesis) and the ALB's settings. */
  private serverIngress(props: ArgoCdBootstrapProps): { certificate: acm.Certificate; settings: ArgoCdServerIngress } | undefined {
    const settings = props.platform.argocd?.ingress;
    if (settings === undefined) return undefined;
    if (props.hostedZone === undefined) throw new InfraError(this.node.path, 'hostedZone', 'is missing: argocd.ingress needs the platform\'s hosted zone to validate the certificate of Argo CD\'s host');
    const allowed = settings.allowedCidrs ?? (props.vpcCidr === undefined ? undefined : [props.vpcCidr]);
    if (allowed === undefined) throw new InfraError(this.node.path, 'vpcCidr', 'is missing: argocd.ingress without allowedCidrs lets the VPC reach Argo CD, so name its CIDR');
    const host = argoCdHost(props.platform, props.clusterDefinition);
    const certificate = new acm.Certificate(this, 'Certificate', { domainName: host, validation: acm.CertificateValidation.fromDns(props.hostedZone) });
    return { certificate, settings: { host, certificateArn: certificate.certificateArn, scheme: settings.scheme, inboundCidrs: allowed } };
  }
}
