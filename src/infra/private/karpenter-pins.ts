// Karpenter's pins per Kubernetes version: the Helm chart version and the
// AL2023 AMI alias of the EC2NodeClass. Nothing is looked up at synthesis time
// (no "latest" chart, no `al2023@latest`): a cluster built twice from the same
// commit gets the same controller and the same node image, and moving either
// is a reviewed change to this table.
//
// Sources (checked 2026-11-28):
// - Minimum Karpenter per Kubernetes version: Karpenter's compatibility matrix
//   (karpenter.sh, "Upgrading > Compatibility"): 1.32 needs >= 1.2, 1.33
//   needs >= 1.5; 1.34 needs >= 1.6 and 1.35 needs >= 1.9, as the supported
//   Kubernetes ranges of those releases say (1.6: 1.29-1.34; 1.9: 1.29-1.35;
//   endoflife.date/karpenter mirrors the matrix).
// - Chart: 1.11.1 (released 2026-04-09), whose supported range is 1.29-1.35,
//   so one controller version serves every row and a blue/green pair runs the
//   same Karpenter. The chart is oci://public.ecr.aws/karpenter/karpenter; its
//   chart version equals the Karpenter version. The controller IAM policy in
//   karpenter-iam.ts follows that release's reference CloudFormation.
// - AMI: EKS AMI release v20260610 (awslabs/amazon-eks-ami, 2026-06-10), which
//   built AL2023 images for Kubernetes 1.30 to 1.36; the alias resolves to the
//   image of that release for the cluster's own Kubernetes version.
import { InfraError } from '../errors.js';

/** What Karpenter installs for one Kubernetes version. */
export interface KarpenterPin {
  /** Kubernetes minor version as EKS names it, e.g. "1.35". */
  readonly kubernetesVersion: string;
  /** The oldest Karpenter release that supports this Kubernetes version (compatibility matrix). */
  readonly minimumKarpenter: string;
  /** Version of the chart oci://public.ecr.aws/karpenter/karpenter (= the Karpenter version). */
  readonly chartVersion: string;
  /** The EC2NodeClass `amiSelectorTerms[].alias`: `al2023@v<YYYYMMDD>`, an EKS AMI release. */
  readonly amiAlias: string;
}

/** The Karpenter chart, an OCI artifact in the ECR Public Gallery. */
export const KARPENTER_CHART = { chart: 'karpenter', repository: 'oci://public.ecr.aws/karpenter/karpenter' } as const;

const CHART_VERSION = '1.11.1';
const AMI_ALIAS = 'al2023@v20260610';

/** The table, one row per Kubernetes version, oldest first. */
export const KARPENTER_PINS: readonly KarpenterPin[] = [
  { kubernetesVersion: '1.32', minimumKarpenter: '1.2.0', chartVersion: CHART_VERSION, amiAlias: AMI_ALIAS },
  { kubernetesVersion: '1.33', minimumKarpenter: '1.5.0', chartVersion: CHART_VERSION, amiAlias: AMI_ALIAS },
  { kubernetesVersion: '1.34', minimumKarpenter: '1.6.0', chartVersion: CHART_VERSION, amiAlias: AMI_ALIAS },
  { kubernetesVersion: '1.35', minimumKarpenter: '1.9.0', chartVersion: CHART_VERSION, amiAlias: AMI_ALIAS },
];

/** A pinned AL2023 alias: the family and a dated EKS AMI release, never `latest`. */
export const PINNED_AL2023_ALIAS = /^al2023@v\d{8}$/;
/** A Helm chart version without ranges: major.minor.patch. */
const EXACT_VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

/** The row for a Kubernetes version; an InfraError naming the supported versions when there is none. */
export function karpenterPin(kubernetesVersion: string, constructPath: string): KarpenterPin {
  const pin = KARPENTER_PINS.find((row) => row.kubernetesVersion === kubernetesVersion);
  if (pin === undefined) {
    throw new InfraError(
      constructPath,
      'clusterDefinition.kubernetesVersion',
      `is ${JSON.stringify(kubernetesVersion)}, for which no Karpenter chart and AMI alias are pinned; ` +
        `supported versions: ${KARPENTER_PINS.map((row) => row.kubernetesVersion).join(', ')}. ` +
        'Use one of them, or add a row to KARPENTER_PINS in src/infra/private/karpenter-pins.ts.',
    );
  }
  return pin;
}

/** -1, 0 or 1 as a is older than, the same as or newer than b (both major.minor.patch). */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  for (let i = 0; i < 3; i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

function parseVersion(version: string): number[] {
  const match = EXACT_VERSION.exec(version);
  return match === null ? [] : match.slice(1).map(Number);
}

/** The chart version to install: the override when given (exact, and new enough for the cluster), else the pin. */
export function resolveChartVersion(pin: KarpenterPin, override: string | undefined, constructPath: string): string {
  if (override === undefined) return pin.chartVersion;
  if (!EXACT_VERSION.test(override)) {
    throw new InfraError(
      constructPath,
      'chartVersion',
      `is ${JSON.stringify(override)}; give an exact chart version such as "${pin.chartVersion}" (no ranges, no "v", no "latest").`,
    );
  }
  if (compareVersions(override, pin.minimumKarpenter) < 0) {
    throw new InfraError(
      constructPath,
      'chartVersion',
      `is ${override}, older than ${pin.minimumKarpenter}, the oldest Karpenter that supports Kubernetes ${pin.kubernetesVersion} ` +
        `(Karpenter's compatibility matrix); use ${pin.chartVersion} or newer.`,
    );
  }
  return override;
}

/** The AMI alias to use: the override when given (a dated AL2023 release), else the pin. */
export function resolveAmiAlias(pin: KarpenterPin, override: string | undefined, constructPath: string): string {
  const alias = override ?? pin.amiAlias;
  if (!PINNED_AL2023_ALIAS.test(alias)) {
    throw new InfraError(
      constructPath,
      'amiAlias',
      `is ${JSON.stringify(alias)}; give a dated AL2023 alias such as "${pin.amiAlias}" ` +
        '(an EKS AMI release; "@latest" would change nodes without a reviewed change).',
    );
  }
  return alias;
}
