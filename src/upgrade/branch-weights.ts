// The weights the manifest branch routes traffic by: the aws-weight annotation
// each generated Application of a cluster patches onto its Ingresses
// (clusters/<cluster>/argocd/ of the manifest folder, manifests.path in the
// repository). Read from the files as they are, without kaji synth, to tell
// whether someone moved traffic since the upgrade last did.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const AWS_WEIGHT = /^\s*external-dns\.alpha\.kubernetes\.io\/aws-weight:\s*['"]?(\d+)['"]?\s*$/gm;

/**
 * Each cluster's distinct aws-weight values on the branch checked out at
 * `root`, whose manifest folder is `manifestsPath` (platform.yaml's
 * manifests.path); none when it has no folder or no Ingress patch.
 */
export async function branchWeights(root: string, manifestsPath: string, clusters: readonly string[]): Promise<Record<string, number[]>> {
  const found: Record<string, number[]> = {};
  for (const cluster of clusters) {
    const folder = join(root, manifestsPath, 'clusters', cluster, 'argocd');
    const files = (await readdir(folder, { recursive: true }).catch(() => [] as string[])).filter((file) => /\.ya?ml$/.test(file));
    const weights = new Set<number>();
    for (const file of files) for (const match of (await readFile(join(folder, file), 'utf8')).matchAll(AWS_WEIGHT)) weights.add(Number(match[1]));
    found[cluster] = [...weights].sort((a, b) => a - b);
  }
  return found;
}

/** True when every weight found for a cluster is the one `weights` gives it. */
export function weightsAgree(found: Readonly<Record<string, readonly number[]>>, weights: Readonly<Record<string, number>>): boolean {
  return Object.entries(found).every(([cluster, values]) => values.every((value) => value === weights[cluster]));
}

/** "blue 255, green 0", or "green 0 and 26" where the Applications of a cluster disagree. */
export function describeFound(found: Readonly<Record<string, readonly number[]>>): string {
  return Object.entries(found)
    .filter(([, values]) => values.length > 0)
    .map(([cluster, values]) => `${cluster} ${values.join(' and ')}`)
    .join(', ');
}
