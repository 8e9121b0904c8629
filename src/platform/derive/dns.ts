// Weighted DNS: every Ingress a service deploys to a cluster carries the
// external-dns annotations that make its Route 53 records weighted records of
// that cluster, so a weight change in platform.yaml moves traffic.
//
// The Ingresses belong to the service teams (apps/<service>/, never rewritten
// by synth), so the annotations reach them through the generated Application:
// an inline kustomize patch (`spec.source.kustomize.patches`, Argo CD ≥ 2.9).
// Every Ingress of the service is patched, public or internal: the weights then
// move internal names between clusters too, and a team cannot forget one.
import { isObject, type JsonObject } from '../../kube/index.js';
import type { ClusterDefinition, PlatformDefinition } from '../types.js';
import { toYaml } from './yaml.js';

/** Seconds resolvers cache a record: short, so a weight change takes effect within about a minute. */
export const DNS_TTL_SECONDS = 60;

const INGRESS_GROUP = 'networking.k8s.io';

/** The external-dns annotations of every Ingress in the cluster, keys sorted. */
export function dnsAnnotations(_platform: PlatformDefinition, cluster: ClusterDefinition): Record<string, string> {
  return {
    // Route 53 weights are 0-255; an all-zero set splits evenly (the loader rejects it).
    'external-dns.alpha.kubernetes.io/aws-weight': String(cluster.weight),
    // One weighted record per cluster for the same name: the set identifier tells them apart.
    'external-dns.alpha.kubernetes.io/set-identifier': cluster.name,
    'external-dns.alpha.kubernetes.io/ttl': String(DNS_TTL_SECONDS),
  };
}

function isIngress(object: JsonObject): boolean {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  return object.kind === 'Ingress' && apiVersion.startsWith(`${INGRESS_GROUP}/`);
}

/**
 * The objects with the annotations set on every Ingress (group
 * networking.k8s.io, as the Application's patch targets), overriding values
 * the Ingress had for the same keys, as the strategic-merge patch does. Other
 * objects are returned as they are; nothing is modified in place.
 */
export function annotateIngresses(objects: readonly JsonObject[], annotations: Readonly<Record<string, string>>): JsonObject[] {
  return objects.map((object) => {
    if (!isIngress(object)) return object;
    const metadata = isObject(object.metadata) ? object.metadata : {};
    const existing = isObject(metadata.annotations) ? metadata.annotations : {};
    return { ...object, metadata: { ...metadata, annotations: { ...existing, ...annotations } } };
  });
}

/**
 * The Argo CD inline kustomize patch that sets the annotations on every
 * Ingress. A strategic-merge patch (not a JSON patch) because it creates
 * `metadata.annotations` when an Ingress has none. With a `target`, kustomize
 * applies it to each matching object and ignores the patch's own name; a
 * target that matches nothing is not an error (a service without Ingress).
 */
export function ingressDnsPatch(annotations: Readonly<Record<string, string>>): JsonObject {
  const patch = toYaml({
    apiVersion: `${INGRESS_GROUP}/v1`,
    kind: 'Ingress',
    metadata: { name: 'kaji-dns-weight', annotations: { ...annotations } },
  });
  return { target: { group: INGRESS_GROUP, kind: 'Ingress' }, patch };
}
