// Karpenter's pins per Kubernetes version: the Helm chart version and the
// AL2023 AMI alias of the EC2NodeClass. Nothing is looked up at synthesis time
// (no "latest" chart, no `al2023@latest`): a cluster built twice from the same
// commit gets the same controller and the same node image, and moving either
// is a reviewed change to this table.
//
// Sources (checked 2026-11-28):
// - Minimum Karpenter per Kubernetes version: Karpenter's compatibility matrix
//   for v1.15 (karpenter.sh/v1.15/upgrading/compatibility/; the same table in
//   aws/karpenter-provider-aws website/content/en/v1.15/upgrading/compatibility.md):
//   1.32 needs >= 1.2, 1.33 >= 1.5, 1.34 >= 1.6, 1.35 >= 1.9 (and 1.36 >= 1.13,
//   1.37 = 1.15.x; no row is added for those: versions.ts has no add-on pins
//   for them).
// - Chart: 1.15.1 (released 2026-10-23, a patch of 1.15.0 of 2026-10-10:
//   bug fixes and a Go bump; release notes mirrored on
//   sourceforge.net/projects/karpenter.mirror/files/v1.15.1/). 1.15 is the
//   line karpenter.sh shows as latest, and its matrix covers 1.31 to 1.37, so
//   one controller version serves every row and a blue/green pair runs the
//   same Karpenter. The chart is oci://public.ecr.aws/karpenter/karpenter; its
//   chart version equals the Karpenter version. The controller IAM policy in
//   karpenter-iam.ts follows the v1.15 reference CloudFormation.
//   Upgrade notes read (karpenter.sh upgrade guide, as stored for v1.14 in
//   website/content/en/v1.14/upgrading/upgrade-guide.md): 1.12 needs
//   ec2:DescribeInstanceStatus (added) and changes the node hash for the CA
//   bundle, so nodes of an existing cluster are replaced once as drifted,
//   within the NodePool's disruption budgets; zonal shift (1.12) is opt-in
//   and left off; 1.13 and 1.14 list no breaking change (1.14 adds the alpha
//   CapacityBuffer CRD). The v1.15 page's own "Upgrading to 1.15.0+" section
//   could not be read; the v1.15.0 release notes list opt-in features
//   (RebootForRepair and other feature gates, reason-aware repair behind the
//   NodeRepair gate, which kaji does not enable). The NodePool and
//   EC2NodeClass v1 fields kaji writes are all in the v1.15 NodeClass docs.
// - CRDs: Helm installs the chart's CRDs on first install only. A cluster
//   created on an older pin keeps its old NodePool/EC2NodeClass/NodeClaim CRDs
//   after the chart moves; apply the new release's CRDs to it (or replace the
//   cluster blue/green) when moving the pin.
// - AMI: EKS AMI release v20261012 (awslabs/amazon-eks-ami, published
//   2026-10-14, github.com/awslabs/amazon-eks-ami/releases/tag/v20261012),
//   which built AL2023 images for Kubernetes 1.31 to 1.37 and carries the
//   kernel fix for the reclaim panic of v20260930 and v20261003; the alias
//   resolves to the image of that release for the cluster's own Kubernetes
//   version.
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

const CHART_VERSION = '1.15.1';
const AMI_ALIAS = 'al2023@v20261012';

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
