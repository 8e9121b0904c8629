// A new cluster gets its deploy settings from the service's newest existing
// overlay: kaji copies `apps/<service>/overlays/<newest>/` to
// `apps/<service>/overlays/<new cluster>/`, and from then on the service team
// owns the copy (kaji never rewrites an overlay).
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterDefinition, PlatformDefinition, ServiceDefinition } from '../platform/index.js';
import { displayPath, kustomizationFile } from '../kube/index.js';

export interface OverlayPlan {
  readonly service: string;
  readonly cluster: string;
  /** The overlay folder (relative to the manifest folder) to create. */
  readonly path: string;
  /** The existing overlay it is copied from. */
  readonly from: string;
}

export interface OverlayProblem {
  readonly service: string;
  readonly path: string;
  readonly message: string;
}

export function overlayPath(service: string, cluster: string): string {
  return `apps/${service}/overlays/${cluster}`;
}

/** Compares "1.32" and "1.35" as versions. */
function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * Which overlays are missing and where each would come from: the existing
 * overlay of the cluster with the newest Kubernetes version (later clusters in
 * platform.yaml win ties), else any other existing overlay folder.
 */
export async function planOverlays(
  root: string,
  platform: PlatformDefinition,
): Promise<{ plans: OverlayPlan[]; problems: OverlayProblem[] }> {
  const plans: OverlayPlan[] = [];
  const problems: OverlayProblem[] = [];
  for (const service of platform.services) {
    const existing = await existingOverlays(root, service);
    const missing = platform.clusters.filter((cluster) => !existing.includes(cluster.name));
    if (missing.length === 0) continue;
    const source = newestOverlay(existing, platform.clusters);
    if (!source) {
      // The file to create is named from where kaji runs (manifests/apps/… in a kaji init platform), as kustomize's errors are.
      const kustomization = displayPath(join(root, overlayPath(service.name, missing[0]!.name), 'kustomization.yaml'));
      problems.push({
        service: service.name,
        path: `apps/${service.name}/overlays/`,
        message: `no overlay to deploy ${service.name} from: create ${kustomization} (resources: [../../base])`,
      });
      continue;
    }
    for (const cluster of missing) {
      plans.push({ service: service.name, cluster: cluster.name, path: overlayPath(service.name, cluster.name), from: overlayPath(service.name, source) });
    }
  }
  return { plans, problems };
}

export async function createOverlays(root: string, plans: readonly OverlayPlan[]): Promise<void> {
  for (const plan of plans) {
    await cp(join(root, plan.from), join(root, plan.path), { recursive: true, errorOnExist: true, force: false });
  }
}

async function existingOverlays(root: string, service: ServiceDefinition): Promise<string[]> {
  const directory = join(root, 'apps', service.name, 'overlays');
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    if (kustomizationFile(join(directory, entry.name))) names.push(entry.name);
  }
  return names.sort();
}

function newestOverlay(existing: readonly string[], clusters: readonly ClusterDefinition[]): string | undefined {
  const known = clusters
    .map((cluster, order) => ({ cluster, order }))
    .filter(({ cluster }) => existing.includes(cluster.name))
    .sort((a, b) => compareVersions(b.cluster.kubernetesVersion, a.cluster.kubernetesVersion) || b.order - a.order);
  return known[0]?.cluster.name ?? existing[0];
}
