// Where `kaji capacity` gets the cluster's Node and Pod objects: from the
// cluster through kubectl (its configuration, contexts and credential plugins
// are the user's own), or from a snapshot file that kubectl wrote.
import { stat } from 'node:fs/promises';
import { addStream, readInputs, runStoppable, STDIN_NAME, StoppableRunError, type InputProblem, type JsonObject, type KubeObject, type LoadSink, type StoppableRun } from '../kube/index.js';
import { CapacityError } from './requests.js';

export interface ClusterObjects {
  readonly nodes: JsonObject[];
  readonly pods: JsonObject[];
}

/** Input that could not be read as Node and Pod objects: each problem with its file (or kubectl command) and line. */
export class CapacityInputError extends Error {
  override readonly name = 'CapacityInputError';
  constructor(readonly problems: readonly InputProblem[]) {
    super(problems.map((problem) => `${problem.file}: ${problem.message}`).join('\n'));
  }
}

/** How the snapshot is written, for messages. */
export const SNAPSHOT_COMMAND = 'kubectl get nodes,pods -A -o json';

/** How long kubectl waits for each API request (kubectl --request-timeout). */
const REQUEST_TIMEOUT = '60s';

/** A whole cluster's pods list is large: more than this is refused rather than exhausting memory. */
const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** Reads a snapshot (a JSON or YAML List of Nodes and Pods) from a file, or standard input for `-`. */
export async function readSnapshot(file: string, options: { readonly readStdin?: () => Promise<string> } = {}): Promise<ClusterObjects> {
  if (file !== '-' && (await stat(file).catch(() => undefined))?.isDirectory()) {
    throw new CapacityInputError([{ file, message: `is a folder; give the file that ${SNAPSHOT_COMMAND} wrote` }]);
  }
  const objects: KubeObject[] = [];
  const sink: LoadSink = { objects, problems: [] };
  await readInputs([file], sink, { readStdin: options.readStdin, maxFileBytes: MAX_INPUT_BYTES, dump: SNAPSHOT_COMMAND });
  const found = clusterObjects(objects);
  const name = file === '-' ? STDIN_NAME : file;
  if (sink.problems.length === 0) {
    if (found.nodes.length > 0) return found;
    throw new CapacityInputError([{ file: name, message: `holds no Node objects; write the snapshot with ${SNAPSHOT_COMMAND}` }]);
  }
  // Problems in the content (they have a line) of a file with no Node in it: maybe another file given by
  // mistake (platform.yaml, a manifest), so say what a snapshot is too, unless a problem says it already
  // (two JSON values in the file: one run of the command is the remedy).
  const inContent = sink.problems.some((problem) => problem.line !== undefined);
  const told = sink.problems.some((problem) => problem.message.includes(SNAPSHOT_COMMAND));
  const notSnapshot = inContent && !told && found.nodes.length === 0 ? [{ file: name, message: `no Node object could be read from it; a snapshot is what ${SNAPSHOT_COMMAND} writes` }] : [];
  throw new CapacityInputError([...sink.problems, ...notSnapshot]);
}

export interface KubectlOptions {
  /** The kubeconfig context (kubectl --context); default: the current context. */
  readonly context?: string;
  /** The kubeconfig file (kubectl --kubeconfig); default: KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  /** The kubectl program. @default KAJI_KUBECTL or kubectl */
  readonly kubectl?: string;
}

/** Reads the cluster's nodes and all namespaces' pods with two `kubectl get`, run side by side. */
export async function readCluster(options: KubectlOptions = {}): Promise<ClusterObjects> {
  const [nodes, pods] = await Promise.allSettled([kubectlGet(['nodes'], options), kubectlGet(['pods', '--all-namespaces'], options)]);
  // Both fail alike when the cluster cannot be reached: the nodes' failure is the one told.
  if (nodes.status === 'rejected') throw nodes.reason;
  if (pods.status === 'rejected') throw pods.reason;
  return { nodes: clusterObjects(nodes.value).nodes, pods: clusterObjects(pods.value).pods };
}

/** `kubectl get RESOURCES -o json` with the options' context and kubeconfig: the objects, or a CapacityError with kubectl's own reason. */
export async function kubectlGet(resources: readonly string[], options: KubectlOptions): Promise<KubeObject[]> {
  const kubectl = options.kubectl ?? process.env.KAJI_KUBECTL ?? 'kubectl';
  const command = `kubectl get ${resources.join(' ')}`;
  // A cluster endpoint that drops packets would otherwise keep kubectl (and kaji) waiting without end.
  const args = ['get', ...resources, '-o', 'json', '--request-timeout', REQUEST_TIMEOUT];
  if (options.context !== undefined) args.push('--context', options.context);
  if (options.kubeconfig !== undefined) args.push('--kubeconfig', options.kubeconfig);
  let run: StoppableRun;
  try {
    run = await runStoppable(kubectl, args, { maxOutputBytes: MAX_INPUT_BYTES });
  } catch (error) {
    if (!(error instanceof StoppableRunError)) throw error;
    if (error.errorCode === 'ENOENT') {
      throw new CapacityError(`"${kubectl}" was not found: install kubectl (or set KAJI_KUBECTL to it), or read a snapshot with --from FILE (${SNAPSHOT_COMMAND} > FILE)`);
    }
    throw new CapacityError(`${command} failed: ${error.message}`);
  }
  if (run.code !== 0) {
    // kubectl's last line is its own summary ("error: You must be logged in to the server (Unauthorized)"); earlier ones are retries.
    const reason = run.stderr.trim().split('\n').filter(Boolean).pop() ?? (run.signal ? `stopped by ${run.signal}` : `exit code ${run.code}`);
    throw new CapacityError(
      `${command} failed: ${reason.trim()} (check the context: --context, or kubectl config current-context; the kubeconfig: --kubeconfig or KUBECONFIG; and that your credentials are valid and may list ${resources[0]})`,
    );
  }
  const objects: KubeObject[] = [];
  const sink: LoadSink = { objects, problems: [] };
  addStream(sink, run.stdout, command, { dump: command });
  if (sink.problems.length > 0) throw new CapacityInputError(sink.problems);
  return objects;
}

/** The core API's Nodes and Pods among the objects read; other kinds are left out. */
function clusterObjects(objects: readonly KubeObject[]): ClusterObjects {
  const of = (kind: string) => objects.filter((object) => object.kind === kind && object.apiVersion === 'v1').map((object) => object.raw);
  return { nodes: of('Node'), pods: of('Pod') };
}
