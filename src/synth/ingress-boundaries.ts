// What a tenant's Ingresses and Services may ask of what tenants share: the
// ALBs of an IngressGroup (the AWS Load Balancer Controller merges every
// Ingress with the same `group.name` into one load balancer) and the
// platform's DNS zone (external-dns publishes the names Ingresses and Services
// claim).
//
// Hosts keep tenants apart on a shared ALB: every rule has a host declared for
// its service, so it can only match that host's requests. What applies to the
// whole load balancer (its attributes, access logs, WAF, TLS policy, allowed
// source addresses...) is for a group a service has to itself.
import { isObject, objectsAt, stringAt, stringsAt, type JsonValue, type KubeObject } from '../kube/index.js';
import type { BoundaryFinding } from './boundaries.js';

const ALB = 'alb.ingress.kubernetes.io/';
const EXTERNAL_DNS = 'external-dns.alpha.kubernetes.io/';
/** external-dns annotations whose comma-separated names it publishes. */
const DNS_NAME_ANNOTATIONS = [`${EXTERNAL_DNS}hostname`, `${EXTERNAL_DNS}internal-hostname`];

/** ALB annotations that shape only the annotated Ingress's own rules and target groups. */
const PER_INGRESS = new Set([
  'group.name',
  'group.order',
  'target-type',
  'backend-protocol',
  'backend-protocol-version',
  'target-group-attributes',
  'target-node-labels',
  'success-codes',
]);
const PER_INGRESS_PREFIXES = ['healthcheck-', 'auth-', 'conditions.', 'actions.'];
/** Load-balancer-wide settings the controller merges across a group (listeners, certificates, tags). */
const GROUP_MERGED = new Set(['listen-ports', 'certificate-arn', 'tags']);
/** Load-balancer-wide settings every Ingress of a group must give alike, or the controller cannot build the group. */
const GROUP_AGREED = new Set(['scheme', 'ip-address-type', 'ssl-redirect']);
/**
 * What an Ingress that leaves an agreed setting out means by it: one member
 * setting `scheme: internet-facing` would otherwise make the others' hosts
 * public, since the controller takes a setting given by one member alone.
 */
const GROUP_DEFAULTS: Readonly<Record<string, string>> = { scheme: 'internal' };


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

/** An Ingress of a service in the cluster, for the cross-service group rules. */
interface GroupMember {
  readonly service: string;
  readonly object: KubeObject;
}

/** A violation of the group rules: which service and object, and why. */
export interface GroupFinding extends BoundaryFinding {
  readonly service: string;
  readonly object: KubeObject;
}

/**
 * Load-balancer-wide settings in IngressGroups that several services share:
 * refused, except those the controller merges and those every member must
 * give alike (which then must agree). A group of one service's Ingresses, or
 * an Ingress without `group.name` (a load balancer of its own), may set
 * anything.
 */
export function sharedGroupFindings(objectsByService: ReadonlyMap<string, readonly KubeObject[]>): GroupFinding[] {
  const groups = new Map<string, GroupMember[]>();
  for (const [service, objects] of [...objectsByService].sort(([a], [b]) => a.localeCompare(b))) {
    for (const object of objects) {
      const group = object.kind === 'Ingress' ? albAnnotations(object).get('group.name') : undefined;
      if (typeof group !== 'string' || group === '') continue;
      const members = groups.get(group) ?? [];
      members.push({ service, object });
      groups.set(group, members);
    }
  }
  const findings: GroupFinding[] = [];
  for (const [group, members] of groups) {
    const services = [...new Set(members.map((member) => member.service))];
    if (services.length < 2) continue;
    const agreed = new Map<string, { value: string; service: string }>();
    for (const member of members) findings.push(...memberFindings(member, group, services, agreed));
  }
  return findings;
}

/** One Ingress's findings in a shared group; `agreed` holds the first value of each setting the members must agree on. */
function memberFindings(member: GroupMember, group: string, services: readonly string[], agreed: Map<string, { value: string; service: string }>): GroupFinding[] {
  const findings: GroupFinding[] = [];
  const finding = (message: string) => findings.push({ rule: 'ingress', service: member.service, object: member.object, message });
  const others = services.filter((service) => service !== member.service).join(', ');
  const settings = albAnnotations(member.object);
  for (const [key, value] of Object.entries(GROUP_DEFAULTS)) if (!settings.has(key)) settings.set(key, value);
  for (const [key, value] of settings) {
    if (PER_INGRESS.has(key) || PER_INGRESS_PREFIXES.some((prefix) => key.startsWith(prefix)) || GROUP_MERGED.has(key)) continue;
    if (!GROUP_AGREED.has(key)) {
      finding(`${ALB}${key} applies to the whole load balancer of group "${group}", which ${others} share; set it in a group of the service's own (another group.name), or ask the platform team`);
      continue;
    }
    const first = agreed.get(key);
    if (first === undefined) agreed.set(key, { value, service: member.service });
    else if (first.value !== value) {
      finding(`${ALB}${key} is "${value}" but "${first.value}" for ${first.service} in group "${group}"${key in GROUP_DEFAULTS ? ` (unset means "${GROUP_DEFAULTS[key]}")` : ''}: the Ingresses of a group must agree on it, or the controller builds none of the group's changes`);
    }
  }
  return findings;
}

/** The Ingress's ALB annotations by name without the prefix (`group.name` → value). */
function albAnnotations(object: KubeObject): Map<string, string> {
  const annotations = object.metadata.annotations;
  const found = new Map<string, string>();
  if (!isObject(annotations)) return found;
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(ALB) && typeof value === 'string') found.set(key.slice(ALB.length), value.trim());
  }
  return found;
}

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
      ([key, inner]) => ((key === 'targetGroupARN' || key === 'targetGroupName') && typeof inner === 'string' && inner !== '') || visit(inner),
    );
  };
  return visit(action);
}
