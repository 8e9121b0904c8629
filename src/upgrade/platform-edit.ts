// Byte-exact edits of platform.yaml for a blue/green upgrade: the clusters'
// `weight:` values, the old cluster's `retiring: true`, and its removal at the
// end. Only the bytes of the values (or the added line, or the removed entry's
// lines) change; comments, quoting and layout stay, so the diff a reviewer sees
// is the change and nothing else.
import { parse } from 'yaml';
import { applyPatchToYaml, type YamlPatchOperation } from '../kube/index.js';
import { UpgradeError } from './errors.js';

/** The 0-based index of each cluster under `clusters:`, by name. */
function clusterIndexes(text: string, file: string): Map<string, number> {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UpgradeError(`${file}: not YAML kaji can edit: ${(error as Error).message}`);
  }
  const clusters = (document as { clusters?: unknown } | null)?.clusters;
  if (!Array.isArray(clusters)) throw new UpgradeError(`${file}: has no clusters: list to edit`);
  return new Map(clusters.map((cluster, index) => [String((cluster as { name?: unknown } | null)?.name), index]));
}

function indexOf(indexes: Map<string, number>, name: string, file: string): number {
  const index = indexes.get(name);
  if (index === undefined) throw new UpgradeError(`${file}: clusters has no cluster named ${name}`);
  return index;
}

/** `text` with each named cluster's weight set; clusters already at their weight keep their bytes. */
export function setClusterWeights(text: string, weights: Readonly<Record<string, number>>, file: string): string {
  const indexes = clusterIndexes(text, file);
  const current = parse(text) as { clusters: { weight?: unknown }[] };
  const operations: YamlPatchOperation[] = [];
  for (const [name, weight] of Object.entries(weights)) {
    const index = indexOf(indexes, name, file);
    if (current.clusters[index]?.weight === weight) continue;
    operations.push({ op: 'replace', path: `/clusters/${index}/weight`, value: weight });
  }
  return operations.length === 0 ? text : applyPatchToYaml(text, 0, operations);
}

/** `text` without the named cluster's entry (its lines and trailing comment); unchanged when it is already gone. */
export function removeCluster(text: string, name: string, file: string): string {
  const index = clusterIndexes(text, file).get(name);
  return index === undefined ? text : applyPatchToYaml(text, 0, [{ op: 'remove', path: `/clusters/${index}` }]);
}

/**
 * `text` with the named cluster marked `retiring: true` (kaji synth then
 * writes none of its service Applications); unchanged when it already is, or
 * is gone: removed, by a finish whose run stopped before recording it. Its weight is not looked at: a release edits a stale local copy too (when
 * platform.yaml lives in the manifest repository), and the loader refuses a
 * retiring cluster with weight.
 */
export function setClusterRetiring(text: string, name: string, file: string): string {
  const index = clusterIndexes(text, file).get(name);
  if (index === undefined) return text;
  const retiring = (parse(text) as { clusters: { retiring?: unknown }[] }).clusters[index]?.retiring;
  if (retiring === true) return text;
  return applyPatchToYaml(text, 0, [{ op: retiring === undefined ? 'add' : 'replace', path: `/clusters/${index}/retiring`, value: true }]);
}
