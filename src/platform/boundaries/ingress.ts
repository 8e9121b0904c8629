// What one tenant Ingress or Service may ask of what tenants share: the ALBs
// of an IngressGroup (the AWS Load Balancer Controller merges every Ingress
// with the same `group.name` into one load balancer) and the platform's DNS
// zone (external-dns publishes the names Ingresses and Services claim).
//
// Hosts keep tenants apart on a shared ALB: every rule has a host declared for
// its service, so it can only match that host's requests. These checks need
// no other object, so `kaji synth` and the admission webhook both run them;
// the rules that compare the Ingresses of several services stay with synth.
import { isObject, objectsAt, stringAt, stringsAt, type JsonObject, type JsonValue, type KubeObject } from '../../kube/index.js';
import type { BoundaryFinding } from './objects.js';

/** The prefix of the AWS Load Balancer Controller's Ingress annotations. */
export const ALB = 'alb.ingress.kubernetes.io/';
const EXTERNAL_DNS = 'external-dns.alpha.kubernetes.io/';
/** external-dns annotations whose comma-separated names it publishes. */
const DNS_NAME_ANNOTATIONS = [`${EXTERNAL_DNS}hostname`, `${EXTERNAL_DNS}internal-hostname`];

/** A host an object claims, and the ALB condition annotation that claims it, if one does (said in messages: it is not where hosts usually are). */
export interface HostClaim {
  readonly host: string;
  readonly annotation?: string;
}

/** How a message names a claim: `host "x"`, and where when an annotation makes it. */
export function describeClaim({ host, annotation }: HostClaim): string {
  return `host "${host}"${annotation === undefined ? '' : ` in ${annotation}`}`;
}

/**
 * The hosts an object claims: the names it takes in the platform's DNS zone
 * (an Ingress's rule and TLS hosts, and the names external-dns's hostname
 * annotations publish for an Ingress or a Service), and the hosts an
 * Ingress's rules match on its ALB, which include those its `conditions.*`
 * annotations name: the controller adds them to the rule's host list, so a
 * rule for one host would also take another service's requests.
 */
export function claimedHosts(object: KubeObject): HostClaim[] {
  if (object.kind !== 'Ingress' && object.kind !== 'Service') return [];
  const claims: HostClaim[] = [];
  const annotations = isObject(object.metadata.annotations) ? object.metadata.annotations : {};
  for (const key of DNS_NAME_ANNOTATIONS) {
    const value = annotations[key];
    if (typeof value === 'string') claims.push(...value.split(',').map((name) => ({ host: name.trim().replace(/\.$/, '') })));
  }
  const spec = object.raw.spec;
  if (object.kind === 'Ingress' && isObject(spec)) {
    for (const rule of objectsAt(spec.rules)) claims.push({ host: stringAt(rule, 'host') ?? '' });
    for (const entry of objectsAt(spec.tls)) claims.push(...stringsAt(entry, 'hosts').map((host) => ({ host })));
    for (const [key, conditions] of conditionAnnotations(object)) claims.push(...conditions.hosts.map((host) => ({ host, annotation: `${ALB}${key}` })));
  }
  // One claim per host, the first: a host of a rule stays the rule's when a condition names it too.
  const byHost = new Map<string, HostClaim>();
  for (const claim of claims) if (claim.host !== '' && !byHost.has(claim.host)) byHost.set(claim.host, claim);
  return [...byHost.values()];
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
  for (const [key, { problem }] of conditionAnnotations(object)) {
    if (problem !== undefined) {
      finding(`${ALB}${key} ${problem}, so kaji cannot tell which hosts its rules match on a shared ALB; name the hosts as ${CONDITION_EXAMPLE}, each one of the service's hosts`);
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
 * The keys that name a target group by ARN or name, folded as Go's
 * encoding/json folds them (goFold): the controller decodes actions with it,
 * which takes a key of any case (`TargetGroupArn`, as its older examples
 * write it) when none matches exactly.
 */
const TARGET_GROUP_KEYS = new Set(['targetGroupArn', 'targetGroupName'].map(goFold));

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
      ([key, inner]) => (TARGET_GROUP_KEYS.has(goFold(key)) && typeof inner === 'string' && inner !== '') || visit(inner),
    );
  };
  return visit(action);
}

/** A `conditions.*` annotation as far as hosts go: the hosts it adds to its rules, or why it cannot be read. */
interface ConditionHosts {
  readonly hosts: readonly string[];
  readonly problem?: string;
}

const CONDITION_EXAMPLE = '[{"field":"host-header","hostHeaderConfig":{"values":["<host>"]}}]';

/**
 * The Ingress's `conditions.<name>` annotations by name without the prefix,
 * each read for hosts. Every one counts, named by a backend or not: which
 * one a rule uses is the controller's business, the hosts are claims anyway.
 */
function conditionAnnotations(object: KubeObject): Map<string, ConditionHosts> {
  const found = new Map<string, ConditionHosts>();
  if (object.kind !== 'Ingress') return found;
  for (const [key, value] of albAnnotations(object)) if (key.startsWith('conditions.')) found.set(key, readConditionHosts(value));
  return found;
}

/**
 * The hosts of a conditions annotation's JSON, a list of conditions as the
 * controller documents it. Other fields (http-header, path-pattern,
 * query-string, source-ip, http-request-method) only narrow the rule, so
 * only `hostHeaderConfig` matters (read whatever the field says, which
 * costs nothing for the service's own hosts): its `values` are added to the
 * rule's hosts; its `regexValues` (a newer form) may match any host, so they
 * are refused. The controller's conditions have no top-level `values` (the
 * ELBv2 API's legacy form): it refuses a host-header condition without
 * `hostHeaderConfig`. Keys are read in any case, as the controller's Go
 * decoder does, and every spelling of one counts (the decoder keeps the last).
 */
function readConditionHosts(json: string): ConditionHosts {
  let conditions: JsonValue;
  try {
    conditions = JSON.parse(json) as JsonValue;
  } catch {
    return { hosts: [], problem: 'is not valid JSON' };
  }
  if (!Array.isArray(conditions) || !conditions.every(isObject)) return { hosts: [], problem: 'is not a JSON list of conditions' };
  const hosts: string[] = [];
  for (const config of conditions.flatMap((condition) => goFields(condition, 'hostHeaderConfig'))) {
    if (config === null) continue;
    if (!isObject(config)) return { hosts: [], problem: 'has a hostHeaderConfig that is not an object' };
    if (goFields(config, 'regexValues').some((regexes) => regexes !== null && !(Array.isArray(regexes) && regexes.length === 0))) {
      return { hosts: [], problem: 'matches hosts by hostHeaderConfig.regexValues, which may match any host' };
    }
    for (const values of goFields(config, 'values')) {
      if (values === null) continue;
      if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) return { hosts: [], problem: 'has a hostHeaderConfig.values that is not a list of host names' };
      hosts.push(...values);
    }
  }
  return { hosts };
}

/**
 * Every value of a JSON object's keys that Go's encoding/json decodes into
 * the field `name`: keys of any case (the controller's documentation shows
 * `forwardConfig` and the older `ForwardConfig`).
 */
export function goFields(object: JsonObject, name: string): JsonValue[] {
  const folded = goFold(name);
  return Object.entries(object).flatMap(([key, value]) => (goFold(key) === folded ? [value] : []));
}

/**
 * A key as Go's decoder compares it, case folded the Unicode way: `ſ` (long s)
 * is an s to it and the Kelvin sign a k, which `toLowerCase` alone misses
 * (`hoſtHeaderConfig` would pass unread). Upper-casing first folds both; what
 * else it joins only makes kaji read a key the controller would not.
 */
function goFold(key: string): string {
  return key.toUpperCase().toLowerCase();
}
