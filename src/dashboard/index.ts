// The platform dashboard: what runs where, at which version, and whether it
// passes the platform's policy: one static HTML page (or its data as JSON)
// from platform.yaml, the manifest repository, kaji synth's summary.json and,
// optionally, each cluster's capacity and its Argo CD's live state.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { displayPath } from '../kube/index.js';
import { loadPlatform } from '../platform/index.js';
import { eksClusterName } from '../platform/stack-name.js';
import { inputsFingerprint, manifestRoot } from '../synth/index.js';
import type { ArgoCdReader, ArgoCdReading } from './argocd.js';
import { readCapacityFile, type CapacityFigures } from './capacity.js';
import { DashboardInputError } from './errors.js';
import { buildDashboard, type Dashboard } from './model.js';
import { readSummary, staleMessage, staleness } from './summary.js';

export { DashboardInputError } from './errors.js';
export {
  buildDashboard,
  formatDashboardJson,
  DASHBOARD_FORMAT,
  type Dashboard,
  type DashboardCell,
  type DashboardArgoCdCell,
  type DashboardArgoCdCluster,
  type DashboardCluster,
  type DashboardImage,
  type DashboardService,
  type DashboardInputs,
  type CellStatus,
} from './model.js';
export { renderDashboardHtml, DASHBOARD_CSP, type RenderOptions } from './render.js';
export { ArgoCdReader, argoCdTarget, argoCdToken, readArgoCd, ARGOCD_CACHE_MS, type ArgoCdReading, type ArgoCdTarget } from './argocd.js';
export { readSummary, parseSummary, type SynthSummary, type SummaryCluster, type SummaryService } from './summary.js';
export { readCapacityFile, type CapacityFigures, type CapacityCluster } from './capacity.js';
export { serveDashboard, DASHBOARD_GRACE_MS, DASHBOARD_HOST, type DashboardServer, type DashboardServerOptions } from './serve.js';

export interface DashboardOptions {
  /** The folder holding platform.yaml. */
  readonly directory: string;
  /** kaji synth's summary.json. */
  readonly summaryFile: string;
  /**
   * Capacity files by cluster: `kaji capacity -o json` output or a kubectl snapshot; a file
   * without a cluster is the only cluster's (refused when the platform has more). @default []
   */
  readonly capacity?: readonly { readonly cluster?: string; readonly file: string }[];
  /** Each cluster's Argo CD (--argocd), read once per call (or from its cache). @default none */
  readonly argocd?: ArgoCdReader;
  /** Where paths in messages are relative to. @default process.cwd() */
  readonly cwd?: string;
  /** @default now */
  readonly now?: Date;
}

/** Reads every input and builds the dashboard; an input that cannot be used throws DashboardInputError (or PlatformErrors). */
export async function collectDashboard(options: DashboardOptions): Promise<Dashboard> {
  const cwd = options.cwd ?? process.cwd();
  const shown = (file: string) => displayPath(resolve(cwd, file), cwd);
  const platformFile = resolve(cwd, options.directory, 'platform.yaml');
  const platform = await loadPlatform(platformFile);
  const clusterNames = platform.clusters.map((cluster) => cluster.name);
  const capacityRequests = capacityClusters(options.capacity ?? [], clusterNames);
  for (const { cluster } of options.argocd?.targets ?? []) {
    if (!clusterNames.includes(cluster)) throw new DashboardInputError(`--argocd ${cluster}=…: platform.yaml has no cluster "${cluster}" (its clusters: ${clusterNames.join(', ')})`);
  }
  // Read while the files are: Argo CD's answer takes the longest. Never rejects (a failure is a reading).
  const live: Promise<ReadonlyMap<string, ArgoCdReading>> = options.argocd?.read() ?? Promise.resolve(new Map());

  const root = manifestRoot(platform);
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
    throw new DashboardInputError(`the manifest folder ${shown(root)} (manifests.localPath in ${shown(platformFile)}) is not there: check out the manifest repository there`);
  }
  const summaryFile = resolve(cwd, options.summaryFile);
  const summary = await readSummary(summaryFile, shown(summaryFile));
  // kaji synth leaves its --out folder (summary.json's) out of the fingerprint, as the page written there.
  const policyFile = resolve(platformFile, '..', platform.policy);
  const fingerprint = await inputsFingerprint(platform, root, policyFile, [dirname(summaryFile)]);
  const inputs = `${shown(platformFile)}, ${shown(policyFile)} or a file under ${shown(root)}/`;
  const stale = staleness(summary, platform, fingerprint, inputs);
  if (stale !== undefined) throw new DashboardInputError(staleMessage(shown(summaryFile), stale));

  const capacity = new Map<string, CapacityFigures>();
  for (const request of capacityRequests) {
    const cluster = { name: request.cluster, eksName: eksClusterName(platform, request.cluster) };
    capacity.set(request.cluster, await readCapacityFile(resolve(cwd, request.file), request.file, cluster));
  }
  return buildDashboard({ platform, summary, capacity, argocd: await live, now: options.now ?? new Date() });
}

/** Each capacity file with its cluster, checked against the platform's clusters: one file per cluster. */
function capacityClusters(requests: readonly { readonly cluster?: string; readonly file: string }[], clusters: readonly string[]): { cluster: string; file: string }[] {
  const seen = new Set<string>();
  return requests.map(({ cluster, file }) => {
    if (cluster === undefined && clusters.length !== 1) {
      throw new DashboardInputError(`--capacity ${file}: name its cluster, --capacity CLUSTER=${file} (the platform's clusters: ${clusters.join(', ')})`);
    }
    const name = cluster ?? clusters[0]!;
    if (!clusters.includes(name)) throw new DashboardInputError(`--capacity ${name}=${file}: platform.yaml has no cluster "${name}" (its clusters: ${clusters.join(', ')})`);
    if (seen.has(name)) throw new DashboardInputError(`--capacity names the cluster "${name}" twice: give one file per cluster`);
    seen.add(name);
    return { cluster: name, file };
  });
}
