// The Kubernetes versions Amazon EKS offers, as kaji knows them. kaji never asks
// AWS during synthesis (no network), so this table is the truth it validates
// `clusters[].kubernetesVersion` against; update it when EKS releases or retires
// a version.
//
// Source: the "Amazon EKS Kubernetes release calendar" in the EKS user guide
// (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html),
// with 1.35's dates from endoflife.date/amazon-eks, which mirrors that page.
// A version is standard-supported for 14 months after its EKS release, then
// extended-supported for 12 more; after that EKS no longer creates clusters on
// it and upgrades existing ones. Checked on 2026-11-28: 1.30 (extended support
// ended 2026-07-23) and 1.31 (ended 2026-11-26) are no longer offered. 1.36
// has no row: the sources give no EKS release date for it, and a supported
// version needs every pin verified (EKS add-on versions, the charts' Kubernetes
// ranges, a kubectl layer package, an EKS AMI release); until then kaji refuses
// it as a version it has no pins for, not as one EKS lacks.

export interface EksVersion {
  /** Kubernetes minor version as EKS names it. */
  readonly version: string;
  /** Amazon EKS release date (UTC, ISO 8601). */
  readonly released: string;
  readonly endOfStandardSupport: string;
  readonly endOfExtendedSupport: string;
}

/** When this table was last checked against the EKS documentation. */
export const EKS_VERSIONS_CHECKED_ON = '2026-11-28';

/** Every version in the EKS release calendar kaji knows, newest first, retired ones included. */
export const EKS_VERSIONS: readonly EksVersion[] = [
  { version: '1.35', released: '2026-01-28', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' },
  { version: '1.34', released: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02' },
  { version: '1.33', released: '2025-05-29', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29' },
  { version: '1.32', released: '2025-01-23', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23' },
  { version: '1.31', released: '2024-09-26', endOfStandardSupport: '2025-11-26', endOfExtendedSupport: '2026-11-26' },
  { version: '1.30', released: '2024-05-23', endOfStandardSupport: '2025-07-23', endOfExtendedSupport: '2026-07-23' },
];

/**
 * The versions a cluster may use: those EKS still offered (standard or extended
 * support) on the day the table was checked, oldest first. Fixed in code, not
 * computed from today's date, so that a check passes or fails the same way
 * every day until the table is updated.
 */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = EKS_VERSIONS.filter(
  (row) => row.endOfExtendedSupport > EKS_VERSIONS_CHECKED_ON,
)
  .map((row) => row.version)
  .reverse();

/** The table's row for a version, retired or not. */
export function eksVersion(version: string): EksVersion | undefined {
  return EKS_VERSIONS.find((row) => row.version === version);
}
