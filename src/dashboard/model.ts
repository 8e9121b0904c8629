// The dashboard's data: services (rows) × clusters (columns), each cell the
// image version the manifest repository releases there and the service's
// policy result there, plus each cluster's capacity. A pure function of its
// inputs; `kaji dashboard -o json` prints it as it is (its shape is
// documented in the README and versioned by DASHBOARD_FORMAT).
import { formatVersion } from '../gitops/index.js';
import type { PlatformDefinition } from '../platform/index.js';
import type { CapacityFigures } from './capacity.js';
import type { SummaryService, SynthSummary } from './summary.js';
import type { ImageVersionFound } from './versions.js';

/** Raised when the JSON shape changes in a way a script would notice. */
export const DASHBOARD_FORMAT = 1;

/** How a cell looks at a glance: the worst of what it holds. */
export type CellStatus = 'ok' | 'warning' | 'danger' | 'missing';

export interface DashboardCell {
  readonly cluster: string;
  readonly status: CellStatus;
  /** The overlay is there (apps/<service>/overlays/<cluster>/). */
  readonly overlay: boolean;
  /** The version pinned: `tag`, `tag@sha256:…`, or null (not found, or no overlay). */
  readonly version: string | null;
  readonly image: Omit<ImageVersionFound, 'overlay'>;
  /** What kaji synth found; null when it did not render the service for this cluster. */
  readonly policy: {
    readonly score: number;
    readonly dangers: number;
    readonly warnings: number;
    readonly objects: number;
  } | null;
  /** Objects whose apiVersion this cluster's Kubernetes version no longer serves (rule removedApi). */
  readonly removedApis: readonly { readonly object: string; readonly message: string }[];
  /** Tenant boundaries crossed (every other rule). */
  readonly boundaryViolations: SummaryService['boundaryViolations'];
  /** Files kaji synth could not render or read. */
  readonly problems: SummaryService['problems'];
}

export interface DashboardService {
  readonly service: string;
  readonly team: string;
  readonly namespace: string;
  readonly image: string;
  /** The clusters pin more than one version. */
  readonly versionsDiffer: boolean;
  /** Clusters without an overlay of the service, or where kaji synth did not render it. */
  readonly missingFrom: readonly string[];
  /** One per cluster, in the order of `clusters`. */
  readonly cells: readonly DashboardCell[];
}

export interface DashboardCluster {
  readonly name: string;
  readonly kubernetesVersion: string;
  /** Route 53 weight, 0-255. */
  readonly weight: number;
  /** weight / all clusters' weights, to 4 decimal places; null when all weights are 0. */
  readonly trafficShare: number | null;
  /** The policy score of everything rendered for the cluster. */
  readonly score: number;
  readonly dangers: number;
  readonly warnings: number;
  /** From --capacity; null when none was given for this cluster. */
  readonly capacity: CapacityFigures | null;
}

/** platform.yaml's capacity.headroom without the placeholders' image. */
export type HeadroomTarget = { readonly kind: 'units'; readonly cpu: string; readonly memory: string } | { readonly kind: 'percent'; readonly percent: number };

export interface Dashboard {
  readonly format: typeof DASHBOARD_FORMAT;
  readonly platform: string;
  /** ISO 8601. */
  readonly generatedAt: string;
  /** The headroom platform.yaml asks for in every cluster. */
  readonly headroom: HeadroomTarget;
  readonly totals: {
    readonly services: number;
    readonly dangers: number;
    readonly warnings: number;
    readonly problems: number;
    readonly versionsDiffer: number;
    readonly missing: number;
  };
  readonly clusters: readonly DashboardCluster[];
  readonly services: readonly DashboardService[];
}

export interface DashboardInputs {
  readonly platform: PlatformDefinition;
  readonly summary: SynthSummary;
  /** By service, then cluster. */
  readonly versions: ReadonlyMap<string, ReadonlyMap<string, ImageVersionFound>>;
  /** By cluster. */
  readonly capacity: ReadonlyMap<string, CapacityFigures>;
  readonly now: Date;
}

export function buildDashboard(inputs: DashboardInputs): Dashboard {
  const { platform, summary } = inputs;
  const reportOf = (cluster: string, service: string) =>
    summary.clusters.find((entry) => entry.cluster === cluster)?.services.find((entry) => entry.service === service);
  const services = platform.services.map((service): DashboardService => {
    const cells = platform.clusters.map((cluster) => cellOf(cluster.name, inputs.versions.get(service.name)?.get(cluster.name), reportOf(cluster.name, service.name)));
    const present = cells.filter((cell) => cell.status !== 'missing');
    return {
      service: service.name,
      team: service.team,
      namespace: service.namespace,
      image: service.image,
      versionsDiffer: new Set(present.map((cell) => cell.version)).size > 1,
      missingFrom: cells.filter((cell) => cell.status === 'missing').map((cell) => cell.cluster),
      cells,
    };
  });
  const totalWeight = platform.clusters.reduce((sum, cluster) => sum + cluster.weight, 0);
  const clusters = platform.clusters.map((cluster): DashboardCluster => {
    const reported = summary.clusters.find((entry) => entry.cluster === cluster.name);
    return {
      name: cluster.name,
      kubernetesVersion: cluster.kubernetesVersion,
      weight: cluster.weight,
      trafficShare: totalWeight === 0 ? null : Math.round((cluster.weight / totalWeight) * 10_000) / 10_000,
      score: reported?.score ?? 0,
      dangers: sum(reported?.services ?? [], (service) => service.dangers),
      warnings: sum(reported?.services ?? [], (service) => service.warnings),
      capacity: inputs.capacity.get(cluster.name) ?? null,
    };
  });
  const target = platform.capacity.headroom;
  const headroom: HeadroomTarget = target.kind === 'units' ? { kind: 'units', cpu: target.cpu, memory: target.memory } : { kind: 'percent', percent: target.percent };
  return {
    format: DASHBOARD_FORMAT,
    platform: platform.platform.name,
    generatedAt: inputs.now.toISOString(),
    headroom,
    totals: {
      services: services.length,
      dangers: summary.dangers,
      warnings: summary.warnings,
      problems: summary.problems,
      versionsDiffer: services.filter((service) => service.versionsDiffer).length,
      missing: services.filter((service) => service.missingFrom.length > 0).length,
    },
    clusters,
    services,
  };
}

function cellOf(cluster: string, found: ImageVersionFound | undefined, report: SummaryService | undefined): DashboardCell {
  const { overlay = false, ...image } = found ?? { tag: null, digest: null, source: null, file: null, problem: null };
  const removedApis = (report?.boundaryViolations ?? []).filter((violation) => violation.rule === 'removedApi').map(({ object, message }) => ({ object, message }));
  const boundaryViolations = (report?.boundaryViolations ?? []).filter((violation) => violation.rule !== 'removedApi');
  const problems = report?.problems ?? [];
  const status: CellStatus =
    !overlay || report === undefined ? 'missing' : report.dangers > 0 || problems.length > 0 || image.problem !== null ? 'danger' : report.warnings > 0 ? 'warning' : 'ok';
  return {
    cluster,
    status,
    overlay,
    version: versionText(image.tag, image.digest),
    image,
    policy: report ? { score: report.score, dangers: report.dangers, warnings: report.warnings, objects: report.objects } : null,
    removedApis,
    boundaryViolations,
    problems,
  };
}

/** `tag`, `tag@sha256:…` or `sha256:…`, as kaji bump prints versions; null when nothing is pinned. */
function versionText(tag: string | null, digest: string | null): string | null {
  return tag === null && digest === null ? null : formatVersion({ tag: tag ?? undefined, digest: digest ?? undefined });
}

/** The dashboard as JSON, as `kaji dashboard -o json` prints it and `--serve` answers /dashboard.json. */
export function formatDashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}
