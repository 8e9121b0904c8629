// Where the platform's own pods run: the small on-demand managed node group
// for system pods, tainted so that tenant pods (which Karpenter places on its
// own nodes) never land there.

import { SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT } from '../../platform/index.js';

/**
 * Where a platform pod goes, as Helm values of most charts take it: selecting
 * the system nodes (away from spot interruptions and consolidation) and
 * tolerating their taint.
 */
export function systemPlacement(): { nodeSelector: Record<string, string>; tolerations: Record<string, string>[] } {
  return {
    nodeSelector: { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value },
    tolerations: [{ key: SYSTEM_NODE_TAINT.key, operator: 'Exists', effect: SYSTEM_NODE_TAINT.effect }],
  };
}
