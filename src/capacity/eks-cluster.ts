// Which EKS cluster a snapshot's pods say they run in. A node names no cluster
// (kaji's kaji.dev/cluster is a tag on the EC2 instance, not a node label),
// but two controllers kaji installs in kube-system are given the EKS
// cluster's name (src/infra: karpenter.ts, addons/load-balancer-controller.ts):
// Karpenter's chart passes settings.clusterName to its controller as the
// CLUSTER_NAME variable, the AWS Load Balancer Controller's chart its
// clusterName as --cluster-name.
import { objectsAt, stringAt, stringsAt, type JsonObject } from '../kube/index.js';

/** A pod that names the EKS cluster it runs in, and where it does. */
export interface EksClusterEvidence {
  readonly name: string;
  /** The pod, `namespace/name`. */
  readonly pod: string;
  /** Where the pod names it: `env CLUSTER_NAME` or `arg --cluster-name`. */
  readonly field: string;
}

/** kube-system's controllers by their chart's `app.kubernetes.io/name`, and how each is told the cluster's name. */
const NAMED_BY: ReadonlyMap<string, 'env' | 'arg'> = new Map([
  ['karpenter', 'env'],
  ['aws-load-balancer-controller', 'arg'],
]);
const NAMESPACE = 'kube-system';
const ENV = 'CLUSTER_NAME';
const ARG = '--cluster-name=';

/** The EKS cluster names the pods give, each once with the first pod that gives it (by pod name); empty when none does. */
export function eksClustersOf(pods: readonly JsonObject[]): EksClusterEvidence[] {
  const found = new Map<string, EksClusterEvidence>();
  const sorted = pods
    .filter((pod) => stringAt(pod, 'metadata', 'namespace') === NAMESPACE)
    .map((pod) => ({ pod, name: stringAt(pod, 'metadata', 'name') ?? '' }))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const { pod, name } of sorted) {
    const how = NAMED_BY.get(stringAt(pod, 'metadata', 'labels', 'app.kubernetes.io/name') ?? '');
    if (how === undefined) continue;
    for (const container of objectsAt(pod, 'spec', 'containers')) {
      const given =
        how === 'env'
          ? objectsAt(container, 'env').find((variable) => variable.name === ENV && typeof variable.value === 'string')?.value
          : stringsAt(container, 'args').find((arg) => arg.startsWith(ARG))?.slice(ARG.length);
      if (typeof given === 'string' && given !== '' && !found.has(given)) {
        found.set(given, { name: given, pod: `${NAMESPACE}/${name}`, field: how === 'env' ? `env ${ENV}` : `arg ${ARG.slice(0, -1)}` });
      }
    }
  }
  return [...found.values()];
}
