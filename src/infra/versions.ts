// What a cluster stack installs, pinned per Kubernetes version: the EKS
// version, the kubectl layer of the CDK kubectl provider, the EKS managed
// add-ons and the Helm charts. Nothing here is looked up at synthesis time (no
// AWS call, no "latest"): a cluster built twice from the same commit gets the
// same software, and upgrading any of it is a reviewed change to this file.
//
// A blue/green upgrade adds a cluster on a newer version; the table must have a
// row for it, and `versionPins` names the rows it has when it does not.
//
// Sources (checked 2026-11-28):
// - add-ons: the EKS user guide's tables of the latest EKS add-on build per
//   Kubernetes version, as published on 2026-08-20:
//     https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html
//     https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
//     https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html
//   The guide publishes no table for eks-pod-identity-agent: v1.3.10-eksbuild.2
//   is the build `aws eks describe-addon-versions --addon-name
//   eks-pod-identity-agent` listed for 1.32 to 1.35 at the time. Re-check every
//   row with `aws eks describe-addon-versions --kubernetes-version <v>` before
//   adding a version.
// - charts, re-checked 2026-11-28 against what the release notes and the
//   projects' support pages say (one chart version serves every row, so each
//   must support 1.32 to 1.35):
//   - cert-manager v1.20.4: 1.19 reached its end of life with the release of
//     1.21 (2026-07-08); 1.20 (released 2026-03-10, supported until the
//     release of 1.22) supports Kubernetes 1.32 to 1.35, while 1.21 supports
//     1.33 to 1.36 and so cannot serve the 1.32 row (cert-manager.io
//     "Supported Releases", cert-manager/website content/docs/releases/README.md).
//     v1.20.4 is the newest 1.20 patch found (a CVE release, notes merged
//     2026-09-16, cert-manager/website#2291). The 1.19 to 1.20 upgrade needs no
//     special step and no value kaji sets changed (release notes 1.20: new
//     NetworkPolicy and extraContainers values; the default UID/GID is now
//     65532). When 1.22 ships, 1.20 ends and no release covers 1.32: drop the
//     1.32 row or accept an unsupported cert-manager on it.
//   - Argo CD: argo-cd chart 10.2.2 (2026-07-31, appVersion v3.4.6) with
//     the Argo CD image pinned to v3.4.15 (global.image.tag), the newest 3.4
//     patch found. Its release notes list HIGH fixes (repository upsert
//     without the update permission GHSA-mfgm-4p7x-3ccr, one unauthenticated
//     request crashing the API server GHSA-w7rw-fg89-2cjf, stored XSS through
//     a Helm chart home link GHSA-rxm8-qc6h-3c8h, ApplicationSet delete past
//     the allowed namespaces GHSA-rvmf-gjc9-wjgq) and MODERATE ones, the same
//     list as 3.5.9 and 3.6.3 (2026-11-24); 3.4.14 is of 2026-11-18. It
//     includes v3.4.10, the 3.4 release of the October security releases
//     3.3.15/3.4.10/3.5.4 (before v3.4.12 of 2026-10-20), whose notes list
//     CRITICAL: commands run in the repo-server through a Kustomize remote ref
//     (GHSA-9v9p-x54c-58gc) or a Kustomize Helm config home
//     (GHSA-fw5c-w8rc-j7fx), repo-server files read through Jsonnet imports
//     (GHSA-m3vr-7329-44ww), PreDelete/PostDelete hooks past AppProject
//     restrictions (GHSA-fmxq-cgp8-87wp); HIGH: the login rate limit
//     (GHSA-4439-h7jw-5cjj) and commands run through an SSH repository's
//     proxy URL. Sources: the GitHub release pages of v3.4.6, v3.4.8 and
//     v3.4.10 to v3.4.15 (3.4.7 and 3.4.9 not found), docs/snyk/index.md on
//     master (scans v3.4.10 as its newest 3.4).
//     Why an image pin on the 3.4.6 chart: no argo-cd chart ships a 3.4 past
//     v3.4.6 (10.2.3 moved to v3.5.0), argo-helm does not release fixes for
//     older chart versions and points to the image tag value (argo-helm#1126),
//     and 3.5 cannot serve the 1.32 row (below). The chart takes the Argo CD
//     image's tag from global.image.tag, defaulting to its appVersion (the
//     argo-cd.defaultTag helper in templates/_common.tpl and its use in the
//     repo-server Deployment, read in stored copies older than 10.2.2; the
//     value exists since chart 3.x, argo-helm#990; Redis has its own image
//     value). The Kustomize fixes are code in the repo-server binary
//     (util/kustomize/gitwrapper.go and helmwrapper.go write wrapper scripts
//     to a temp dir, which is the chart's /tmp emptyDir), and Argo CD promises
//     no breaking change in a patch release (operator-manual/upgrading/
//     overview.md, release-3.4). Not verified: that the CRDs and
//     manifests/install.yaml are the same at v3.4.6 and v3.4.15 (neither tag
//     is in the stored copies read; the release notes read list code and
//     dependency fixes only), so the 3.4.6 chart's CRDs and templates run the
//     3.4.15 binaries. Patch releases have changed manifests before (v3.4.6
//     mounts argocd-cmd-params-cm in the repo-server), and a fix that needs a
//     manifest change does not arrive through an image pin (argo-helm#2716):
//     read each new 3.4 patch's notes and manifest diff before moving the pin.
//     Argo CD supports its three newest minors, 3.4 to 3.6 since 3.6.1
//     (2026-11-04). Chart 10.x ships 3.4 up to 10.2.2 and 3.5 from 10.2.3
//     (v3.5.0, 2026-08-04; 10.9.1 and 10.9.2 ship v3.5.3; a third-party change
//     note has 10.10.1 shipping v3.5.4); no chart shipping 3.6 was found. 3.4
//     rather than 3.5 because of the 1.32 row: Argo CD's table of tested
//     Kubernetes versions lists v1.32 to v1.35 for 3.4 and v1.33 to v1.36 for
//     3.5 (docs/operator-manual/tested-kubernetes-versions.md as of v3.5.3,
//     known only as quoted by a third-party survey of the argo-cd tags; the
//     file itself was not found at a release tag). Read: argo-helm
//     charts/argo-cd/Chart.yaml, README.md and values.yaml at 10.0.0
//     (appVersion v3.4.4, kubeVersion >=1.25.0-0), and the release notes of
//     argo-cd-10.0.1 to 10.2.3 (10.1.3: v3.4.5; 10.2.2: v3.4.6; none changes
//     a value kaji sets). Past 9.5.4 the README "Changelog" has one entry,
//     10.0.0: global.networkPolicy.create defaults to true, so the chart's
//     NetworkPolicies now exist in argocd and vpc-cni enforces them (kaji sets
//     the value explicitly in argocd.ts). The 9.x entries predate 9.5.4 (9.0.0
//     dropped the configs.params defaults, kaji's reposerver.parallelism.limit
//     still goes through; 9.1.0 concerns redis-ha, which kaji does not run).
//     Argo CD's upgrade notes 3.3-3.4 and 3.4-3.5 (OTel attribute names,
//     Missing health of partly missing apps, gRPC TXT lookups off,
//     ApplicationSet cluster version label, impersonation, SSH known_hosts for
//     repositories without credentials, event-list gRPC type) change nothing
//     kaji generates: no ApplicationSet, impersonation, GnuPG keys or Helm
//     source; repository Secrets with credentials; Applications with kustomize
//     patches. Left: 3.4 leaves support when 3.7 ships (planned February
//     2027).
//   - External Secrets 2.14.0: ESO supports only its newest minor, and 2.14.0
//     is the newest release found (renovate's 2.13.0 to 2.14.0 update lists
//     no later one). 1.x to 2.0.0: the Alibaba and Device42 providers were
//     removed (v2.0.0 release notes; kaji uses AWS). The chart's values table
//     at 2.0.0 (deploy/charts/external-secrets/README.md) still has every value
//     kaji sets and adds processClusterGenerator, which kaji now turns off
//     too. external-secrets.io/v1 stays the served API of ExternalSecret and
//     SecretStore (2.0.0 serves v1beta1 only behind crds.unsafeServeV1Beta1;
//     the v2.8.0 AWS docs use v1 with the controller's Pod Identity). The
//     release notes of 2.1, 2.4.0, 2.4.1, 2.8, 2.10, 2.11, 2.12, 2.13 and 2.14
//     announce no breaking change (2.11 changed imageRegistry, reverted in
//     2.12; kaji sets no image value); those of 2.2, 2.3, 2.5 to 2.7 and 2.9
//     were not found, nor the values table past 2.0.0 (another project
//     renders the 2.10.0 chart with the same scoping values, and its CRDs
//     serve ExternalSecret and SecretStore as v1). ESO names one or two
//     tested Kubernetes versions per release (2.0 to 2.6: 1.34 and 1.35;
//     2.7: 1.35), never 1.32 or 1.33.
//   - external-dns 1.20.0 is left: 1.21.1 (2026-04-30) exists, but the 1.21.0
//     changelog was not found, and the project states no per-release
//     Kubernetes range beyond ">= 1.22".
//   - metrics-server 3.13.0 is left: 3.13.1 (image 0.8.1, template fixes)
//     exists, but its date and supported Kubernetes range were not found.
//   - VPA (Fairwinds) 4.10.1 is left: no newer release was found.
//   - AWS Load Balancer Controller: AlbControllerVersion.V3_2_2, the newest
//     the installed aws-cdk-lib (2.276.0) defines; its upstream support
//     window was not checked.
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { KubectlV34Layer } from '@aws-cdk/lambda-layer-kubectl-v34';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import type { Construct } from 'constructs';
import { InfraError } from './errors.js';

/** A kubectl layer class (`KubectlV35Layer`...): a Lambda layer with kubectl and helm for one Kubernetes minor version. */
export type KubectlLayerClass = new (scope: Construct, id: string) => lambda.ILayerVersion;

/** One Helm chart, pinned. */
export interface ChartPin {
  /** Chart name in its repository. */
  readonly chart: string;
  /** Helm repository URL. */
  readonly repository: string;
  /** Chart version (not the application version). */
  readonly version: string;
}

/** The Argo CD chart, pinned, and the Argo CD release its pods run. */
export interface ArgoCdChartPin extends ChartPin {
  /** The Argo CD release the chart ships (its appVersion), e.g. "v3.4.6". */
  readonly appVersion: string;
  /**
   * The Argo CD image tag the chart runs instead (`global.image.tag`): a newer
   * patch of the same minor, for fixes no chart release ships yet.
   */
  readonly imageTag: string;
}

/** EKS managed add-on versions (`addonVersion` of `AWS::EKS::Addon`). */
export interface AddonPins {
  readonly vpcCni: string;
  readonly coreDns: string;
  readonly kubeProxy: string;
  readonly podIdentityAgent: string;
}

/** The Helm charts a cluster stack installs. */
export interface ChartPins {
  readonly argoCd: ArgoCdChartPin;
  readonly awsLoadBalancerController: ChartPin;
  readonly externalDns: ChartPin;
  readonly metricsServer: ChartPin;
  readonly vpa: ChartPin;
  /** External Secrets Operator, scoped to the argocd namespace: Argo CD's repository credentials from Secrets Manager. */
  readonly externalSecrets: ChartPin;
  /** cert-manager: the admission webhook's serving certificate and caBundle. */
  readonly certManager: ChartPin;
}

export interface VersionPins {
  /** Kubernetes minor version as EKS names it, e.g. "1.35". */
  readonly kubernetesVersion: string;
  readonly eksVersion: eks.KubernetesVersion;
  readonly kubectlLayer: KubectlLayerClass;
  readonly addons: AddonPins;
  readonly charts: ChartPins;
}

/** The AWS Load Balancer Controller release: aws-cdk-lib pairs its chart version with the IAM policy it ships. */
const ALB_CONTROLLER = eks.AlbControllerVersion.V3_2_2;

/**
 * Chart versions, the same for every Kubernetes version in the table (which
 * of them are checked against 1.32 to 1.35, and which are out of support, is
 * in the Sources above). The AWS Load Balancer Controller's is the one
 * aws-cdk-lib ships an IAM policy for (`AlbControllerVersion.V3_2_2`), which
 * kaji attaches to the controller's role.
 */
export const CHARTS: ChartPins = {
  // No chart ships a 3.4 patch past v3.4.6, so the image is pinned to the
  // newest one, which has the security fixes (see Sources).
  argoCd: {
    chart: 'argo-cd',
    repository: 'https://argoproj.github.io/argo-helm',
    version: '10.2.2',
    appVersion: 'v3.4.6',
    imageTag: 'v3.4.15',
  },
  awsLoadBalancerController: {
    chart: 'aws-load-balancer-controller',
    repository: 'https://aws.github.io/eks-charts',
    version: ALB_CONTROLLER.helmChartVersion,
  },
  externalDns: { chart: 'external-dns', repository: 'https://kubernetes-sigs.github.io/external-dns/', version: '1.20.0' },
  metricsServer: { chart: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/', version: '3.13.0' },
  // Fairwinds' chart rather than the autoscaler project's: it installs each
  // VPA component on its own switch, so the recommender runs alone.
  vpa: { chart: 'vpa', repository: 'https://charts.fairwinds.com/stable', version: '4.10.1' },
  externalSecrets: { chart: 'external-secrets', repository: 'https://charts.external-secrets.io', version: '2.14.0' },
  certManager: { chart: 'cert-manager', repository: 'https://charts.jetstack.io', version: 'v1.20.4' },
};

/** The AWS Load Balancer Controller version whose IAM policy aws-cdk-lib ships (the release of CHARTS.awsLoadBalancerController). */
export const ALB_CONTROLLER_POLICY_VERSION = ALB_CONTROLLER.version;

const POD_IDENTITY_AGENT = 'v1.3.10-eksbuild.2';
const VPC_CNI = 'v1.22.4-eksbuild.3';

/** The table, one row per Kubernetes version, oldest first. */
export const VERSION_TABLE: readonly VersionPins[] = [
  {
    kubernetesVersion: '1.32',
    eksVersion: eks.KubernetesVersion.V1_32,
    kubectlLayer: KubectlV32Layer,
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.11.4-eksbuild.40', kubeProxy: 'v1.32.13-eksbuild.16', podIdentityAgent: POD_IDENTITY_AGENT },
    charts: CHARTS,
  },
  {
    kubernetesVersion: '1.33',
    eksVersion: eks.KubernetesVersion.V1_33,
    kubectlLayer: KubectlV33Layer,
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.12.4-eksbuild.18', kubeProxy: 'v1.33.10-eksbuild.13', podIdentityAgent: POD_IDENTITY_AGENT },
    charts: CHARTS,
  },
  {
    kubernetesVersion: '1.34',
    eksVersion: eks.KubernetesVersion.V1_34,
    kubectlLayer: KubectlV34Layer,
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.13.2-eksbuild.11', kubeProxy: 'v1.34.6-eksbuild.13', podIdentityAgent: POD_IDENTITY_AGENT },
    charts: CHARTS,
  },
  {
    kubernetesVersion: '1.35',
    eksVersion: eks.KubernetesVersion.V1_35,
    kubectlLayer: KubectlV35Layer,
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.14.3-eksbuild.3', kubeProxy: 'v1.35.3-eksbuild.13', podIdentityAgent: POD_IDENTITY_AGENT },
    charts: CHARTS,
  },
];

/** The Kubernetes versions the table has pins for, oldest first. */
export const PINNED_KUBERNETES_VERSIONS: readonly string[] = VERSION_TABLE.map((row) => row.kubernetesVersion);

/**
 * The pins for a Kubernetes version.
 *
 * @param kubernetesVersion e.g. "1.35"
 * @param constructPath the construct asking, named in the error @default "versionPins"
 * @throws InfraError naming the supported versions when the table has no row
 */
export function versionPins(kubernetesVersion: string, constructPath = 'versionPins'): VersionPins {
  const row = VERSION_TABLE.find((candidate) => candidate.kubernetesVersion === kubernetesVersion);
  if (row === undefined) {
    throw new InfraError(
      constructPath,
      'kubernetesVersion',
      `has no pinned add-on and chart versions for Kubernetes ${JSON.stringify(kubernetesVersion)}; ` +
        `supported versions: ${PINNED_KUBERNETES_VERSIONS.join(', ')}. ` +
        'Use one of them in clusters[].kubernetesVersion, or add a row to VERSION_TABLE in src/infra/versions.ts.',
    );
  }
  return row;
}
