// The IngressGroup rules across services: what applies to the whole load
// balancer (its attributes, access logs, WAF, TLS policy, allowed source
// addresses...) is for a group a service has to itself, and every tenant ALB
// is internet-facing. They compare the Ingresses of several services, so only
// `kaji synth` runs them (the per-object Ingress rules are in
// platform/boundaries/ingress.ts).
import { isObject, type KubeObject } from '../kube/index.js';
import { ALB, albAnnotations, type BoundaryFinding } from '../platform/boundaries/index.js';

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

/** The IngressClass the AWS Load Balancer Controller serves (its Helm chart's default, which kaji keeps). */
const ALB_CLASS = 'alb';
const INTERNET_FACING = 'internet-facing';

/** Whether the AWS Load Balancer Controller builds an ALB for the object: an Ingress of its class (by ingressClassName, or the annotation from before it). */
function servedByAlb(object: KubeObject): boolean {
  if (object.kind !== 'Ingress') return false;
  const className = isObject(object.raw.spec) ? object.raw.spec.ingressClassName : undefined;
  const annotations = isObject(object.metadata.annotations) ? object.metadata.annotations : {};
  return (className ?? annotations['kubernetes.io/ingress.class']) === ALB_CLASS;
}

/**
 * Tenant ALBs that are not internet-facing. An internal ALB takes its
 * addresses in the subnets tagged for internal load balancers, the node
 * subnets, where every pod has an address too: the tenant's network policy
 * lets in the public load balancer subnets only, so an internal ALB's requests
 * and health checks would be dropped, silently. The scheme is the whole load
 * balancer's: in a group the controller takes the one a member gives for all
 * of them (the shared-group rule above makes the members agree), and
 * "internal" when none gives one.
 */
export function internalSchemeFindings(objectsByService: ReadonlyMap<string, readonly KubeObject[]>): GroupFinding[] {
  const members = [...objectsByService]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([service, objects]) => objects.filter(servedByAlb).map((object): GroupMember => ({ service, object })));
  const groupSchemes = new Map<string, string>();
  for (const { object } of members) {
    const settings = albAnnotations(object);
    const [group, scheme] = [settings.get('group.name'), settings.get('scheme')];
    if (group && scheme !== undefined && !groupSchemes.has(group)) groupSchemes.set(group, scheme);
  }
  return members.flatMap(({ service, object }): GroupFinding[] => {
    const settings = albAnnotations(object);
    const group = settings.get('group.name') || undefined;
    const scheme = settings.get('scheme') ?? (group === undefined ? undefined : groupSchemes.get(group));
    if (scheme === INTERNET_FACING) return [];
    const fix = `set ${ALB}scheme: ${INTERNET_FACING} on ${scheme === undefined && group !== undefined ? 'every Ingress of the group' : 'it'} (in apps/${service}/)`;
    const why =
      "an internal ALB takes its addresses in the node subnets, which the namespace's network policy does not let in (it would let every pod in), so no request or health check would reach the pods";
    let message: string;
    if (scheme === undefined) {
      const unset = group === undefined ? `${ALB}scheme is not set` : `no Ingress of group "${group}" sets ${ALB}scheme`;
      message = `${unset}, and the AWS Load Balancer Controller's default is "${GROUP_DEFAULTS.scheme}": ${why}; ${fix}`;
    } else if (scheme === GROUP_DEFAULTS.scheme) {
      message = `${ALB}scheme is "${scheme}": ${why}; ${fix}`;
    } else {
      message = `${ALB}scheme is "${scheme}", which is not a scheme the AWS Load Balancer Controller knows; ${fix}`;
    }
    return [{ rule: 'ingress', service, object, message }];
  });
}
