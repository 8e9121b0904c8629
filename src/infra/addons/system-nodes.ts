// Where the platform's own pods run: the small on-demand managed node group
// for system pods, tainted so that tenant pods (which Karpenter places on its
// own nodes) never land there.

/** The label every system node carries, and platform pods select. */
export const SYSTEM_NODE_LABEL = { key: 'kaji.dev/node-role', value: 'system' } as const;

/** The taint of the system nodes: the conventional `CriticalAddonsOnly`, which CoreDNS and Karpenter already tolerate. */
export const SYSTEM_NODE_TAINT = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' } as const;

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
