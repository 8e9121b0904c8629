// Where `kaji rightsize` gets the VerticalPodAutoscalers: from each cluster
// through kubectl (the same runner as `kaji capacity`: contexts, credential
// plugins and KAJI_KUBECTL work alike), or from snapshot files kubectl wrote.
import { stat } from 'node:fs/promises';
import { readInputs, stringAt, STDIN_NAME, type KubeObject, type LoadSink } from '../kube/index.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../platform/derive/names.js';
import { CapacityError } from './requests.js';
import { CapacityInputError, kubectlGet, type KubectlOptions } from './read.js';
import { recommendationsOf, type WorkloadRecommendation } from './recommendations.js';

/** How a snapshot is written, for messages. */
export const VPA_SNAPSHOT_COMMAND = 'kubectl get vpa -A -o json';

const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * What to check when a source holds no VerticalPodAutoscaler of kaji's: a run that read none would
 * say "nothing to change" for ever (a nightly job staying green), so it is an error, not a plan.
 */
const NO_KAJI_VPA = `no VerticalPodAutoscaler kaji synth wrote (label ${MANAGED_BY_LABEL}=${MANAGED_BY})`;
const SYNCED = "Argo CD has synced kaji synth's clusters/ folder";

/** Every namespace's VerticalPodAutoscalers of one cluster (the context's, or the current one) that kaji synth wrote; none is an error. */
export async function readClusterRecommendations(options: KubectlOptions = {}): Promise<WorkloadRecommendation[]> {
  // Only kaji's: a VPA a tenant slipped in (or another tool's) does not size the platform's requests.
  const objects = await kubectlGet(['verticalpodautoscalers.autoscaling.k8s.io', '--all-namespaces', '--selector', `${MANAGED_BY_LABEL}=${MANAGED_BY}`], options);
  const source = options.context === undefined ? 'the current context' : `context ${options.context}`;
  const found = recommendationsOf(objects.map((object) => object.raw), source);
  if (found.length === 0) throw new CapacityError(`${source} has ${NO_KAJI_VPA}: check that it is the cluster meant (--context per cluster) and that ${SYNCED} there`);
  return found;
}

/** The VerticalPodAutoscalers of a snapshot file (a List, JSON or YAML), or standard input for `-`. */
export async function readSnapshotRecommendations(file: string, options: { readonly readStdin?: () => Promise<string> } = {}): Promise<WorkloadRecommendation[]> {
  if (file !== '-' && (await stat(file).catch(() => undefined))?.isDirectory()) {
    throw new CapacityInputError([{ file, message: `is a folder; give the file that ${VPA_SNAPSHOT_COMMAND} wrote` }]);
  }
  const objects: KubeObject[] = [];
  const sink: LoadSink = { objects, problems: [] };
  await readInputs([file], sink, { readStdin: options.readStdin, maxFileBytes: MAX_INPUT_BYTES });
  if (sink.problems.length > 0) throw new CapacityInputError(sink.problems);
  const name = file === '-' ? STDIN_NAME : file;
  const vpas = objects.filter((object) => object.kind === 'VerticalPodAutoscaler');
  if (vpas.length === 0) {
    throw new CapacityInputError([{ file: name, message: `holds no VerticalPodAutoscaler; write the snapshot with ${VPA_SNAPSHOT_COMMAND}, of a cluster where ${SYNCED}` }]);
  }
  // The same rule as readClusterRecommendations' selector: `kubectl get vpa -A` wrote every VPA, a tenant's too.
  const kajis = vpas.filter((object) => stringAt(object.raw, 'metadata', 'labels', MANAGED_BY_LABEL) === MANAGED_BY);
  if (kajis.length === 0) {
    throw new CapacityInputError([{ file: name, message: `holds ${NO_KAJI_VPA}: write it with ${VPA_SNAPSHOT_COMMAND} of a cluster where ${SYNCED}` }]);
  }
  try {
    return recommendationsOf(kajis.map((object) => object.raw), name);
  } catch (error) {
    // A bad quantity names the VerticalPodAutoscaler; the file is named here, as one of several --from.
    if (error instanceof CapacityError) throw new CapacityInputError([{ file: name, message: error.message }]);
    throw error;
  }
}
