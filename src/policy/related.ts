import type { KubeObject } from '../kube/index.js';
import type { RelatedObjects } from './types.js';

/** Indexes the objects of one audit by kind and namespace, for cross-resource checks. */
export function indexRelated(objects: readonly KubeObject[]): RelatedObjects {
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
  const derivations = new Map<string, unknown>();
  return {
    ofKind: (kind) => byKind.get(kind) ?? [],
    inNamespace: (kind, namespace) => byKindAndNamespace.get(`${kind}\u0000${namespace}`) ?? [],
    derived<T>(key: string, compute: () => T): T {
      if (!derivations.has(key)) derivations.set(key, compute());
      return derivations.get(key) as T;
    },
  };
}
