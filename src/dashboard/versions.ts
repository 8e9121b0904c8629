// Which version of its image the manifest repository releases a service at in
// each cluster, read as `kaji bump` finds the pin: the kustomize `images:`
// entry of the overlay (name or newName the service's repository), else an
// `image:` field in the overlay's other files (patches), else the base's
// `image:` field. Read from the files, not rendered: thirty services times
// two clusters of `kubectl kustomize` would make the page slow to refresh.
import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { containersOf, findPodSpec, KUSTOMIZATION_FILES, kustomizationFile, loadInputs } from '../kube/index.js';
import { ImageEditError, kustomizeImageEntries, parseImageReference } from '../gitops/index.js';
import type { PlatformDefinition, ServiceDefinition } from '../platform/index.js';
import { overlayPath } from '../synth/index.js';

/** Where a version was found: the overlay's kustomization, another overlay file, or the base. */
export type VersionSource = 'overlay images' | 'overlay file' | 'base';

/** A service's image version in one cluster. */
export interface ImageVersionFound {
  /** Whether the cluster has an overlay (apps/<service>/overlays/<cluster>/ with a kustomization). */
  readonly overlay: boolean;
  readonly tag: string | null;
  /** `sha256:…` when pinned by digest. */
  readonly digest: string | null;
  readonly source: VersionSource | null;
  /** The file it was read from, relative to the manifest folder. */
  readonly file: string | null;
  /** Why the version could not be read (a pin kaji bump would not edit either). */
  readonly problem: string | null;
}

/** Versions by service, then cluster; and every file read, for the staleness check. */
export interface VersionsRead {
  readonly versions: ReadonlyMap<string, ReadonlyMap<string, ImageVersionFound>>;
  readonly filesRead: readonly string[];
}

export async function readImageVersions(platform: PlatformDefinition, manifestRoot: string): Promise<VersionsRead> {
  const versions = new Map<string, Map<string, ImageVersionFound>>();
  const filesRead: string[] = [];
  for (const service of platform.services) {
    const byCluster = new Map<string, ImageVersionFound>();
    for (const cluster of platform.clusters) byCluster.set(cluster.name, await versionIn(manifestRoot, service, overlayPath(service.name, cluster.name), filesRead));
    versions.set(service.name, byCluster);
  }
  return { versions, filesRead };
}

async function versionIn(root: string, service: ServiceDefinition, overlay: string, filesRead: string[]): Promise<ImageVersionFound> {
  const none = { tag: null, digest: null, source: null, file: null, problem: null };
  const kustomization = kustomizationFile(join(root, overlay));
  if (kustomization === undefined) return { overlay: false, ...none };
  filesRead.push(kustomization);
  const relative = (file: string) => posix.join(overlay, file.slice(join(root, overlay).length + 1).replaceAll('\\', '/'));
  try {
    const entries = kustomizeImageEntries(await readFile(kustomization, 'utf8'), service.image);
    const pinned = entries.find((entry) => entry.newTag !== undefined || entry.digest !== undefined);
    if (pinned) return { overlay: true, tag: pinned.newTag ?? null, digest: pinned.digest ?? null, source: 'overlay images', file: relative(kustomization), problem: null };
  } catch (error) {
    if (!(error instanceof ImageEditError)) throw error;
    return { overlay: true, ...none, file: relative(kustomization), problem: error.message };
  }
  const patched = await imageInFiles(await yamlFiles(join(root, overlay)), service.image, filesRead);
  if (patched) return { overlay: true, ...patched, source: 'overlay file', file: relative(patched.file), problem: null };
  const baseFolder = join(root, `apps/${service.name}/base`);
  const base = await imageInFiles(await yamlFiles(baseFolder), service.image, filesRead);
  if (base) return { overlay: true, ...base, source: 'base', file: posix.join(`apps/${service.name}/base`, base.file.slice(baseFolder.length + 1)), problem: null };
  return { overlay: true, ...none };
}

/** The YAML files directly in a folder but its kustomization, sorted; none when it cannot be read. */
async function yamlFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name) && !(KUSTOMIZATION_FILES as readonly string[]).includes(entry.name))
    .map((entry) => join(folder, entry.name))
    .sort();
}

/** The first container (in file order) running the repository, with its tag and digest. */
async function imageInFiles(files: readonly string[], repository: string, filesRead: string[]): Promise<{ tag: string | null; digest: string | null; file: string } | undefined> {
  filesRead.push(...files);
  const { objects } = await loadInputs(files);
  for (const object of objects) {
    const found = findPodSpec(object.raw);
    if (!found) continue;
    for (const { container } of containersOf(found.spec)) {
      if (typeof container.image !== 'string') continue;
      const reference = parseImageReference(container.image);
      if (reference.repository === repository) return { tag: reference.tag ?? null, digest: reference.digest ?? null, file: object.source.file };
    }
  }
  return undefined;
}
