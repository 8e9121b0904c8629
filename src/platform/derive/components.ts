// The extension point for the platform's own in-cluster pieces that belong to
// GitOps rather than CDK (the admission webhook, the headroom pods; the NodePools
// are the cluster stack's, src/infra/karpenter.ts): each is a component that
// derives files under `clusters/<cluster>/platform/`, synced by the
// `kaji-platform` application.
//
// A later issue registers a component by adding it to PLATFORM_COMPONENTS
// (a constant list; nothing registers itself at run time).
import type { ClusterDefinition, PlatformDefinition } from '../types.js';
import type { GroupKind } from './argocd.js';
import type { GeneratedFile } from './yaml.js';
import { headroomComponent } from './components/headroom.js';
import { webhookComponent } from './components/webhook.js';

/** What a component gets besides the definition: inputs synth reads from disk next to platform.yaml. */
export interface ComponentContext {
  /** The text of the platform's policy file (`policy` in platform.yaml); undefined when the caller did not read it. */
  readonly policyText?: string;
}

export interface PlatformComponent {
  /** DNS-1123 label; its files go under `clusters/<cluster>/platform/<name>/`. */
  readonly name: string;
  /**
   * Cluster-scoped kinds the component's files hold (e.g. karpenter.sh
   * NodePool): the `kaji-platform` AppProject allows exactly these and
   * Namespace, nothing else cluster-wide.
   */
  readonly clusterScopedKinds: readonly GroupKind[];
  /** Namespaces the component's namespaced objects go to (kaji-system is always allowed). */
  readonly namespaces: readonly string[];
  /**
   * The component's files for one cluster, each `path` relative to the
   * component's folder (`nodepools.yaml`, not `clusters/blue/...`); content
   * without the generated marker (derive adds it). Pure: same input, same
   * bytes.
   */
  readonly derive: (platform: PlatformDefinition, cluster: ClusterDefinition, context: ComponentContext) => readonly GeneratedFile[];
}

/** The registered components, in the order their files are derived. */
export const PLATFORM_COMPONENTS: readonly PlatformComponent[] = [webhookComponent, headroomComponent];
