// kaji-system, the namespace of kaji's own pods in every cluster (the admission
// webhook, the headroom pods), and which component writes its Namespace.
//
// The Namespace must be in the kaji-platform application exactly once: Argo CD
// refuses to sync an application whose files hold the same object twice, and
// with none the components' objects would have nowhere to go. The webhook
// writes it while it is enabled (it is then always deployed); otherwise the
// headroom component does, when it has pods to run. Each component asks
// `kajiNamespaceWriter` instead of guessing what the other one writes.
import type { JsonObject } from '../../../kube/index.js';
import { KAJI_NAMESPACE, type PlatformDefinition } from '../../types.js';
import { platformLabels } from '../names.js';
import { sortedMap } from '../yaml.js';

/** The sync wave of the Namespace (and of what must exist before any pod there: network policies, priority classes). */
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

/**
 * The securityContext of every container kaji runs in kaji-system: what Pod
 * Security `restricted` requires, plus a read-only root file system and no
 * privileged mode, which kaji's own policy asks of every container.
 */
export const RESTRICTED_CONTAINER_SECURITY: JsonObject = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The component whose folder holds kaji-system's Namespace: the webhook's while it is enabled, else headroom's. */
export function kajiNamespaceWriter(platform: PlatformDefinition): 'webhook' | 'headroom' {
  return platform.webhook.enabled ? 'webhook' : 'headroom';
}
