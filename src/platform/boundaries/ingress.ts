// What one tenant Ingress or Service may ask of what tenants share: the ALBs
// of an IngressGroup (the AWS Load Balancer Controller merges every Ingress
// with the same `group.name` into one load balancer) and the platform's DNS
// zone (external-dns publishes the names Ingresses and Services claim).
//
// Hosts keep tenants apart on a shared ALB: every rule has a host declared for
// its service, so it can only match that host's requests. These checks need
// no other object, so `kaji synth` and the admission webhook both run them;
// the rules that compare the Ingresses of several services stay with synth.
import { isObject, objectsAt, stringAt, stringsAt, type JsonValue, type KubeObject } from '../../kube/index.js';
import type { BoundaryFinding } from './objects.js';

/** The prefix of the AWS Load Balancer Controller's Ingress annotations. */
export const ALB = 'alb.ingress.kubernetes.io/';
const EXTERNAL_DNS = 'external-dns.alpha.kubernetes.io/';
/** external-dns annotations whose comma-separated names it publishes. */
const DNS_NAME_ANNOTATIONS = [`${EXTERNAL_DNS}hostname`, `${EXTERNAL_DNS}internal-hostname`];

/**
 * The names an object claims in the platform's DNS zone: an Ingress's rule
 * and TLS hosts, and the names external-dns's hostname annotations publish
 * for an Ingress or a Service.
 */
export function claimedHosts(object: KubeObject): string[] {
  if (object.kind !== 'Ingress' && object.kind !== 'Service') return [];
  const hosts: string[] = [];
  const annotations = isObject(object.metadata.annotations) ? object.metadata.annotations : {};
  for (const key of DNS_NAME_ANNOTATIONS) {
    const value = annotations[key];
    if (typeof value === 'string') hosts.push(...value.split(',').map((name) => name.trim().replace(/\.$/, '')));
  }
  const spec = object.raw.spec;
  if (object.kind === 'Ingress' && isObject(spec)) {
    for (const rule of objectsAt(spec.rules)) hosts.push(stringAt(rule, 'host') ?? '');
    for (const entry of objectsAt(spec.tls)) hosts.push(...stringsAt(entry, 'hosts'));
  }
  return [...new Set(hosts.filter((host) => host !== ''))];
}

/** What one Ingress asks of a shared ALB that no tenant may: rules without a host, a default backend, target groups outside the cluster. */
export function ingressFindings(object: KubeObject): BoundaryFinding[] {
  if (object.kind !== 'Ingress' || !isObject(object.raw.spec)) return [];
  const spec = object.raw.spec;
  const findings: BoundaryFinding[] = [];
  const finding = (message: string) => findings.push({ rule: 'ingress', message });
  if (spec.defaultBackend !== undefined && spec.defaultBackend !== null) {
    finding('spec.defaultBackend answers every request no rule matches, on a shared ALB other services\' hosts too; route with a rule for one of the service\'s hosts instead');
  }
  objectsAt(spec.rules).forEach((rule, index) => {
    if (typeof rule.host !== 'string' || rule.host === '') {
      finding(`spec.rules[${index}] has no host: on a shared ALB it would match every host's requests; give it one of the service's hosts`);
    }
  });
  for (const [key, value] of albAnnotations(object)) {
    if (key.startsWith('actions.') && forwardsToTargetGroup(value)) {
      finding(`${ALB}${key} forwards to a target group named by ARN or name, which can be any target group in the account; forward to a Service of the service instead`);
    }
  }
  return findings;
}

/**
 * A Service's `externalIPs`: kube-proxy on every node sends traffic for those
 * addresses to the Service's pods, whoever it was meant for (another
 * service's pod or load balancer, an AWS endpoint: CVE-2020-8554, which
 * Kubernetes leaves to admission control).
 */
export function serviceFindings(object: KubeObject): BoundaryFinding[] {
  if (object.kind !== 'Service' || !isObject(object.raw.spec)) return [];
  const externalIPs = stringsAt(object.raw.spec, 'externalIPs');
  if (externalIPs.length === 0) return [];
  return [
    {
      rule: 'service',
      message: `spec.externalIPs (${externalIPs.join(', ')}) would take every pod's traffic to those addresses, in all namespaces; publish the service through an Ingress`,
    },
  ];
}

/** The Ingress's ALB annotations by name without the prefix (`group.name` → value). */
export function albAnnotations(object: KubeObject): Map<string, string> {
  const annotations = object.metadata.annotations;
  const found = new Map<string, string>();
  if (!isObject(annotations)) return found;
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(ALB) && typeof value === 'string') found.set(key.slice(ALB.length), value.trim());
  }
  return found;
}

/**
 * The keys that name a target group by ARN or name, lower-cased: the
 * controller decodes actions with Go's encoding/json, which takes a key of
 * any case (`TargetGroupArn`, as its older examples write it) when none
 * matches exactly.
 */
const TARGET_GROUP_KEYS = new Set(['targetgrouparn', 'targetgroupname']);

/** Whether an `actions.*` annotation's JSON forwards to a target group by ARN or name (anywhere in it: forwardConfig.targetGroups[], the legacy top level). */
function forwardsToTargetGroup(json: string): boolean {
  let action: JsonValue;
  try {
    action = JSON.parse(json) as JsonValue;
  } catch {
    return false; // the controller refuses it; not a boundary matter
  }
  const visit = (value: JsonValue): boolean => {
    if (Array.isArray(value)) return value.some(visit);
    if (!isObject(value)) return false;
    return Object.entries(value).some(
      ([key, inner]) => (TARGET_GROUP_KEYS.has(key.toLowerCase()) && typeof inner === 'string' && inner !== '') || visit(inner),
    );
  };
  return visit(action);
}
