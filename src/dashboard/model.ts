// The dashboard's data: services (rows) × clusters (columns), each cell the
// images kaji synth rendered for that cluster (what Argo CD deploys) and the
// service's policy result there, plus each cluster's capacity. A pure
// function of its inputs; `kaji dashboard -o json` prints it as it is (its
// shape is documented in the README and versioned by DASHBOARD_FORMAT).
// With --argocd, each cluster's Argo CD as read (what runs) beside it: each
// cell's Application's sync status, health and revision.
import type { PlatformDefinition } from '../platform/index.js';
import { serviceApplication } from '../platform/derive/argocd.js';
import { headroomSize } from '../platform/derive/components/headroom.js';
import type { ApplicationStatus } from '../upgrade/argocd.js';
import type { ArgoCdReading } from './argocd.js';
import type { ManifestState, RenderedState } from '../synth/index.js';
import type { CapacityFigures } from './capacity.js';
import type { SummaryService, SynthSummary } from './summary.js';

/**
 * Raised when the JSON shape changes in a way a script would notice (2: cells hold the rendered images; 3: Argo CD's
 * state; 4: no score, null, where nothing rendered; 5: policy.rendered "partial" where part of it rendered; 6: a
 * retiring cluster, and the status 'retiring' of its cells).
 */
export const DASHBOARD_FORMAT = 6;

/**
 * How a cell looks at a glance: the worst of what it holds; 'retiring' in a retiring cluster, where kaji synth
 * writes no Application for the service (its Argo CD prunes it), whatever the overlay holds.
 */
export type CellStatus = 'ok' | 'warning' | 'danger' | 'missing' | 'retiring';

/** One image a cell's containers run, as rendered, with the containers running it. */
export interface DashboardImage {
  /** `repository:tag`, `repository@sha256:…`, or both. */
  readonly image: string;
  /** `Kind/namespace/name container`. */
  readonly containers: readonly string[];
}

export interface DashboardCell {
  readonly cluster: string;
  readonly status: CellStatus;
  /** The images of the service's containers in this cluster, as kaji synth rendered its overlay; in the order first met. */
  readonly images: readonly DashboardImage[];
  /** What kaji synth found; null when it had no overlay to render the service from for this cluster. */
  readonly policy: {
    /**
     * False when its render failed (its problems say why): then nothing was checked, and `score` is null;
     * 'partial' when part of it could not be read: the figures and score are those of what was.
     */
    readonly rendered: RenderedState;
    readonly score: number | null;
    readonly dangers: number;
    readonly warnings: number;
    readonly objects: number;
  } | null;
  /**
   * The policy checks that failed there, dangers and warnings, as summary.json lists them (`dangers` counts the
   * failed danger checks and the boundary findings); null when summary.json is of a kaji synth before it listed them.
   */
  readonly failedChecks: SummaryService['failedChecks'];
  /** Objects whose apiVersion this cluster's Kubernetes version no longer serves (rule removedApi). */
  readonly removedApis: readonly { readonly object: string; readonly message: string }[];
  /** Tenant boundaries crossed (every other rule). */
  readonly boundaryViolations: SummaryService['boundaryViolations'];
  /** Files kaji synth could not render or read. */
  readonly problems: SummaryService['problems'];
  /** The service's Application in the cluster's Argo CD; null when that Argo CD was not asked (--argocd) or could not be read. */
  readonly argocd: DashboardArgoCdCell | null;
}

/** A service's Application as the cluster's Argo CD showed it. */
export interface DashboardArgoCdCell {
  /** Its name, as kaji synth generates it (clusters/<cluster>/argocd/apps/<service>.yaml). */
  readonly application: string;
  /** False when Argo CD lists no Application of that name (not synced yet, or the token's account may not get it). */
  readonly found: boolean;
  /** Argo CD's sync status (Synced, OutOfSync, Unknown); null when not found. */
  readonly sync: string | null;
  /** Argo CD's health (Healthy, Progressing, Degraded, Suspended, Missing, Unknown); null when not found. */
  readonly health: string | null;
  /** The commits its sync status was compared at (one per source of a multi-source Application). */
  readonly revisions: readonly string[];
  /** Whether one of `revisions` is manifests.commit; null when there is no commit to compare with (not a git checkout) or not found. */
  readonly atExpectedRevision: boolean | null;
  /** Argo CD's own words when it is not Synced and Healthy: health message, conditions, the sync operation; '' otherwise. */
  readonly message: string;
  /** Synced, Healthy and at manifests.commit (when there is one to compare with). */
  readonly ready: boolean;
}

/** A cluster's Argo CD as read. */
export interface DashboardArgoCdCluster {
  /** The server's origin. */
  readonly server: string;
  /** ISO 8601: when the listing answered (or failed). */
  readonly readAt: string;
  /** Why it could not be read; null when it was. */
  readonly error: string | null;
  /** Cells of the cluster whose Application is ready, of all; 0 and 0 when it could not be read, or the cluster is retiring. */
  readonly ready: number;
  readonly total: number;
}

export interface DashboardService {
  readonly service: string;
  readonly team: string;
  readonly namespace: string;
  readonly image: string;
  /** The clusters where it is rendered, retiring ones aside, do not all run the same images. */
  readonly versionsDiffer: boolean;
  /** Clusters where kaji synth did not render it (no overlay to deploy it from), retiring ones aside. */
  readonly missingFrom: readonly string[];
  /** One per cluster, in the order of `clusters`. */
  readonly cells: readonly DashboardCell[];
}

export interface DashboardCluster {
  readonly name: string;
  readonly kubernetesVersion: string;
  /** Route 53 weight, 0-255. */
  readonly weight: number;
  /** platform.yaml's `retiring`: its services' Applications are being pruned, and its cells are 'retiring'. */
  readonly retiring: boolean;
  /** weight / all clusters' weights, to 4 decimal places; null when all weights are 0. */
  readonly trafficShare: number | null;
  /** Services not rendered whole there (not at all, in part, or no overlay to render): `score` does not cover them. */
  readonly notRenderedWhole: number;
  /** The policy score of everything rendered for the cluster; null when no service rendered there. */
  readonly score: number | null;
  readonly dangers: number;
  readonly warnings: number;
  /** From --capacity; null when none was given for this cluster. */
  readonly capacity: CapacityFigures | null;
  /** From --argocd; null when none was given for this cluster. */
  readonly argocd: DashboardArgoCdCluster | null;
}

/**
 * platform.yaml's capacity.headroom without the placeholders' image, and what kaji synth's placeholders come to in
 * each cluster not retiring (`placeholders`: how many, and what they request together; null when the headroom is 0).
 */
export type HeadroomTarget = ({ readonly kind: 'units'; readonly cpu: string; readonly memory: string } | { readonly kind: 'percent'; readonly percent: number }) & {
  readonly placeholders: { readonly pods: number; readonly cpuMillicores: number; readonly memoryBytes: number } | null;
};

export interface Dashboard {
  readonly format: typeof DASHBOARD_FORMAT;
  readonly platform: string;
  /** ISO 8601. */
  readonly generatedAt: string;
  /**
   * The manifest checkout kaji synth rendered: its commit (null outside git), branch (null when detached), whether
   * files differed from the commit, and the branch Argo CD follows (platform.yaml's manifests.branch).
   */
  readonly manifests: Pick<ManifestState, 'commit' | 'branch' | 'dirty'> & { readonly followedBranch: string };
  /** The headroom platform.yaml asks for in every cluster. */
  readonly headroom: HeadroomTarget;
  readonly totals: {
    readonly services: number;
    readonly dangers: number;
    readonly warnings: number;
    readonly problems: number;
    readonly versionsDiffer: number;
    readonly missing: number;
    /** Cells whose Application is not ready (not Synced, not Healthy, not at manifests.commit, or not found); retiring ones aside. */
    readonly argocdNotReady: number;
    /** Clusters whose Argo CD was asked and could not be read. */
    readonly argocdUnread: number;
  };
  readonly clusters: readonly DashboardCluster[];
  readonly services: readonly DashboardService[];
}

export interface DashboardInputs {
  readonly platform: PlatformDefinition;
  readonly summary: SynthSummary;
  /** By cluster. */
  readonly capacity: ReadonlyMap<string, CapacityFigures>;
  /** Argo CD's state by cluster (--argocd). @default none */
  readonly argocd?: ReadonlyMap<string, ArgoCdReading>;
  readonly now: Date;
}

export function buildDashboard(inputs: DashboardInputs): Dashboard {
  const { platform, summary } = inputs;
  const reportOf = (cluster: string, service: string) =>
    summary.clusters.find((entry) => entry.cluster === cluster)?.services.find((entry) => entry.service === service);
  const services = platform.services.map((service): DashboardService => {
    const cells = platform.clusters.map((cluster) => {
      const reading = inputs.argocd?.get(cluster.name);
      const applications = reading && 'applications' in reading ? reading.applications : undefined;
      // Named as kaji synth names it, not guessed: the generated Application's own metadata.name.
      const application = (serviceApplication(platform, cluster, service).metadata as { name: string }).name;
      const cell = cellOf(cluster.name, reportOf(cluster.name, service.name), applications && argoCdCell(application, applications, summary.manifests.commit));
      return cluster.retiring ? { ...cell, status: 'retiring' as const } : cell;
    });
    // A retiring cluster's overlay is no version anything runs: its Application is being pruned.
    const present = cells.filter((cell) => cell.status !== 'missing' && cell.status !== 'retiring');
    const imagesOf = (cell: DashboardCell) => cell.images.map((image) => image.image).sort().join(' ');
    return {
      service: service.name,
      team: service.team,
      namespace: service.namespace,
      image: service.image,
      versionsDiffer: new Set(present.map(imagesOf)).size > 1,
      missingFrom: cells.filter((cell) => cell.status === 'missing').map((cell) => cell.cluster),
      cells,
    };
  });
  const totalWeight = platform.clusters.reduce((sum, cluster) => sum + cluster.weight, 0);
  const clusters = platform.clusters.map((cluster): DashboardCluster => {
    const reported = summary.clusters.find((entry) => entry.cluster === cluster.name);
    const cells = services.map((service) => service.cells.find((cell) => cell.cluster === cluster.name)!);
    // An older kaji synth wrote 100 for a cluster where no service rendered: an audit of nothing.
    const rendered = cells.length === 0 || cells.some((cell) => cell.policy !== null && cell.policy.rendered !== false);
    return {
      name: cluster.name,
      kubernetesVersion: cluster.kubernetesVersion,
      weight: cluster.weight,
      retiring: cluster.retiring,
      trafficShare: totalWeight === 0 ? null : Math.round((cluster.weight / totalWeight) * 10_000) / 10_000,
      notRenderedWhole: cells.filter((cell) => cell.policy?.rendered !== true).length,
      score: rendered ? (reported?.score ?? null) : null,
      dangers: sum(reported?.services ?? [], (service) => service.dangers),
      warnings: sum(reported?.services ?? [], (service) => service.warnings),
      capacity: inputs.capacity.get(cluster.name) ?? null,
      argocd: argoCdCluster(inputs.argocd?.get(cluster.name), cells),
    };
  });
  const target = platform.capacity.headroom;
  // Sized as kaji synth sizes the placeholders it writes, so running is compared with what was deployed.
  const size = headroomSize(platform);
  const placeholders = size === undefined ? null : { pods: size.replicas, cpuMillicores: Number(size.heldCpuMilli), memoryBytes: Number(size.heldMemory) };
  const headroom: HeadroomTarget =
    target.kind === 'units' ? { kind: 'units', cpu: target.cpu, memory: target.memory, placeholders } : { kind: 'percent', percent: target.percent, placeholders };
  return {
    format: DASHBOARD_FORMAT,
    platform: platform.platform.name,
    generatedAt: inputs.now.toISOString(),
    manifests: { commit: summary.manifests.commit, branch: summary.manifests.branch, dirty: summary.manifests.dirty, followedBranch: platform.manifests.branch },
    headroom,
    totals: {
      services: services.length,
      dangers: summary.dangers,
      warnings: summary.warnings,
      problems: summary.problems,
      versionsDiffer: services.filter((service) => service.versionsDiffer).length,
      missing: services.filter((service) => service.missingFrom.length > 0).length,
      argocdNotReady: services.flatMap((service) => service.cells).filter((cell) => cell.status !== 'retiring' && cell.argocd !== null && !cell.argocd.ready).length,
      argocdUnread: clusters.filter((cluster) => cluster.argocd?.error != null).length,
    },
    clusters,
    services,
  };
}

function cellOf(cluster: string, report: SummaryService | undefined, argocd: DashboardArgoCdCell | undefined): DashboardCell {
  const removedApis = (report?.boundaryViolations ?? []).filter((violation) => violation.rule === 'removedApi').map(({ object, message }) => ({ object, message }));
  const boundaryViolations = (report?.boundaryViolations ?? []).filter((violation) => violation.rule !== 'removedApi');
  const problems = report?.problems ?? [];
  const status: CellStatus = report === undefined ? 'missing' : report.dangers > 0 || problems.length > 0 ? 'danger' : report.warnings > 0 ? 'warning' : 'ok';
  const images = new Map<string, string[]>();
  for (const { object, container, image } of report?.images ?? []) images.set(image, [...(images.get(image) ?? []), `${object} ${container}`]);
  return {
    cluster,
    status,
    images: [...images].map(([image, containers]) => ({ image, containers })),
    policy: report ? { rendered: report.rendered, score: report.score, dangers: report.dangers, warnings: report.warnings, objects: report.objects } : null,
    failedChecks: report ? report.failedChecks : [],
    removedApis,
    boundaryViolations,
    problems,
    argocd: argocd ?? null,
  };
}

/** The Application named `name` among those Argo CD listed; `commit` is the one summary.json describes. */
function argoCdCell(name: string, applications: readonly ApplicationStatus[], commit: string | null): DashboardArgoCdCell {
  const application = applications.find((candidate) => candidate.name === name);
  if (!application) return { application: name, found: false, sync: null, health: null, revisions: [], atExpectedRevision: null, message: '', ready: false };
  const synced = application.sync === 'Synced' && application.health === 'Healthy';
  // Any of a multi-source Application's revisions will do: only the manifest repository's can be its commit.
  const atExpectedRevision = commit === null ? null : application.revisions.includes(commit);
  return {
    application: name,
    found: true,
    sync: application.sync,
    health: application.health,
    revisions: application.revisions,
    atExpectedRevision,
    message: synced ? '' : application.detail,
    ready: synced && atExpectedRevision !== false,
  };
}

function argoCdCluster(reading: ArgoCdReading | undefined, cells: readonly DashboardCell[]): DashboardArgoCdCluster | null {
  if (reading === undefined) return null;
  // A retiring cluster's Applications are not meant to be ready: each cell's argocd.found says whether it is pruned yet.
  const read = cells.filter((cell) => cell.argocd !== null && cell.status !== 'retiring');
  return {
    server: reading.server,
    readAt: reading.readAt.toISOString(),
    error: 'error' in reading ? reading.error : null,
    ready: read.filter((cell) => cell.argocd!.ready).length,
    total: read.length,
  };
}

/** The dashboard as JSON, as `kaji dashboard -o json` prints it and `--serve` answers /dashboard.json. */
export function formatDashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}
