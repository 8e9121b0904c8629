import type { KubeObject } from '../kube/index.js';
import type { RelatedObjects } from './types.js';

function push(map: Map<string, KubeObject[]>, key: string, object: KubeObject): void {
  const list = map.get(key);
  if (list) list.push(object);
  else map.set(key, [object]);
}

/**
 * Indexes the objects of one audit by kind and namespace, for cross-resource
 * checks. With `keptKinds`, the objects are only those of these kinds (what an
 * audit kept), and a lookup of any other kind throws: a check that does not
 * list a kind in `relatedKinds` would otherwise silently see none.
 */
export function indexRelated(objects: readonly KubeObject[], keptKinds?: ReadonlySet<string>): RelatedObjects {
  const byKind = new Map<string, KubeObject[]>();
  const byKindAndNamespace = new Map<string, Map<string, KubeObject[]>>();
  for (const object of objects) {
    push(byKind, object.kind, object);
    let byNamespace = byKindAndNamespace.get(object.kind);
    if (!byNamespace) byKindAndNamespace.set(object.kind, (byNamespace = new Map()));
    push(byNamespace, object.namespace, object);
  }
  const kept = (kind: string) => {
    if (keptKinds && !keptKinds.has(kind)) throw new Error(`objects of kind ${kind} were not kept for this audit: the check must name ${kind} in relatedKinds`);
  };
  const derivations = new Map<string, unknown>();
  return {
    ofKind: (kind) => {
      kept(kind);
      return byKind.get(kind) ?? [];
    },
    inNamespace: (kind, namespace) => {
      kept(kind);
      return byKindAndNamespace.get(kind)?.get(namespace) ?? [];
    },
    derived<T>(key: string, compute: () => T): T {
      if (!derivations.has(key)) derivations.set(key, compute());
      return derivations.get(key) as T;
    },
  };
}
