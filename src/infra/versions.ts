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
//   - Argo CD 9.5.4 (2026-04-22) is left, but is out of support: it predates
//     Argo CD 3.4.0 (2026-05), so it ships 3.3.x, and Argo CD supports the
//     three newest minors (3.6.1 was released 2026-11-04). Moving needs the
//     argo-cd chart 10.x, whose breaking changes against kaji's values
//     (argocd.ts) were not found; not moved.
//   - External Secrets 1.1.1 is left, but is out of support: ESO supports
//     only its newest minor (2.7 on 2026-06-26, external-secrets.io
//     "Stability and Support"), and its table lists one tested Kubernetes
//     version per release (1.1: 1.34; 2.7: 1.35), never 1.32 to 1.35. The
//     1.x to 2.x changes were not checked; not moved.
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

/** EKS managed add-on versions (`addonVersion` of `AWS::EKS::Addon`). */
export interface AddonPins {
  readonly vpcCni: string;
  readonly coreDns: string;
  readonly kubeProxy: string;
  readonly podIdentityAgent: string;
}

/** The Helm charts a cluster stack installs. */
export interface ChartPins {
  readonly argoCd: ChartPin;
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
  argoCd: { chart: 'argo-cd', repository: 'https://argoproj.github.io/argo-helm', version: '9.5.4' },
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
  externalSecrets: { chart: 'external-secrets', repository: 'https://charts.external-secrets.io', version: '1.1.1' },
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
