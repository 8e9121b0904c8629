import type { KubeObject } from '../kube/index.js';
import type { RelatedObjects } from './types.js';

/**
 * Indexes the objects of one audit by kind and namespace, for cross-resource
 * checks. With `keptKinds`, the objects are only those of these kinds (what an
 * audit kept), and a lookup of any other kind throws: a check that does not
 * list a kind in `relatedKinds` would otherwise silently see none.
 */
export function indexRelated(objects: readonly KubeObject[], keptKinds?: ReadonlySet<string>): RelatedObjects {
  const byKind = new Map<string, KubeObject[]>();
  const byKindAndNamespace = new Map<string, KubeObject[]>();
  const push = (map: Map<string, KubeObject[]>, key: string, object: KubeObject) => {
    const list = map.get(key);
    if (list) list.push(object);
    else map.set(key, [object]);
  };
  for (const object of objects) {
    push(byKind, object.kind, object);
    push(byKindAndNamespace, `${object.kind}\u0000${object.namespace}`, object);
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
      return byKindAndNamespace.get(`${kind}\u0000${namespace}`) ?? [];
    },
    derived<T>(key: string, compute: () => T): T {
      if (!derivations.has(key)) derivations.set(key, compute());
      return derivations.get(key) as T;
    },
  };
}
