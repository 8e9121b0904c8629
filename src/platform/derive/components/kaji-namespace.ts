// kaji-system, the namespace of kaji's own pods in every cluster: its Namespace
// object, in one place for every component that runs pods there.
import type { JsonObject } from '../../../kube/index.js';
import { KAJI_NAMESPACE } from '../../types.js';
import { platformLabels } from '../names.js';
import { sortedMap } from '../yaml.js';

/** The sync wave of the Namespace (and of what must exist before any pod there, such as network policies). */
export const KAJI_NAMESPACE_WAVE = '-3';

/** kaji-system: Pod Security `restricted` enforced, like a tenant namespace. */
export function kajiNamespaceObject(): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: KAJI_NAMESPACE,
      labels: sortedMap({
        ...platformLabels(),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      }),
      annotations: { 'argocd.argoproj.io/sync-wave': KAJI_NAMESPACE_WAVE },
    },
  };
}
