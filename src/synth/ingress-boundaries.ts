// The IngressGroup rules across services: what applies to the whole load
// balancer (its attributes, access logs, WAF, TLS policy, allowed source
// addresses...) is for a group a service has to itself, and every tenant ALB
// is internet-facing. They compare the Ingresses of several services, so only
// `kaji synth` runs them (the per-object Ingress rules are in
// platform/boundaries/ingress.ts). Here too, the Ingresses and Services that
// can never work on the platform (no class a controller serves, node ports the
// tenant quota forbids, actions the controller cannot read): the API server or
// the controller refuses those in the cluster anyway, so the admission webhook
// leaves them alone; synth says so before merge.
import { isObject, objectAt, objectsAt, stringAt, type JsonObject, type JsonValue, type KubeObject } from '../kube/index.js';
import { ALB, albAnnotations, goFields, type BoundaryFinding } from '../platform/boundaries/index.js';
import { GUARDRAIL_NAMES } from '../platform/index.js';

/**
 * ALB annotations that shape only the annotated Ingress's own rules and
 * target groups. The hosts a `conditions.*` annotation adds to its rules are
 * host claims, held to the service's hosts like its rules' (claimedHosts).
 */
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
const DEFAULT_SCHEME = 'internal';
const GROUP_DEFAULTS: Readonly<Record<string, string>> = { scheme: DEFAULT_SCHEME };

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
  for (const member of membersWhere(objectsByService, (object) => object.kind === 'Ingress')) {
    const group = albAnnotations(member.object).get('group.name');
    if (group === undefined || group === '') continue;
    groups.set(group, [...(groups.get(group) ?? []), member]);
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

/**
 * The IngressClass the AWS Load Balancer Controller serves, and what it takes
 * for an Ingress that sets no target type: its Helm chart's defaults, which
 * kaji keeps. The chart marks no IngressClass the cluster's default, so an
 * Ingress without a class is no controller's. The chart is kaji's only
 * Ingress controller, installed outside the manifests: another class is
 * served only if the cluster's manifests install it (see clusterClasses).
 */
const ALB_CLASS = 'alb';
/** What an IngressClass of the AWS Load Balancer Controller's has as spec.controller. */
const ALB_CONTROLLER = 'ingress.k8s.aws/alb';
const DEFAULT_TARGET_TYPE = 'instance';
const IP_TARGETS = 'ip';
const INTERNET_FACING = 'internet-facing';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** The Ingress's class: spec.ingressClassName, or the annotation from before it; undefined when it sets neither. */
function ingressClass(object: KubeObject): string | undefined {
  const className = stringAt(object.raw.spec, 'ingressClassName') || undefined;
  return className ?? (stringAt(object.metadata.annotations, LEGACY_CLASS_ANNOTATION) || undefined);
}

/**
 * The IngressClasses of the cluster, by name, each with whether it is the AWS
 * Load Balancer Controller's: the chart's "alb", and those among the
 * services' rendered objects (synth renders nothing else of the cluster).
 */
export function clusterClasses(objectsByService: ReadonlyMap<string, readonly KubeObject[]>): Map<string, boolean> {
  const classes = new Map([[ALB_CLASS, true]]);
  for (const object of [...objectsByService.values()].flat()) {
    if (object.kind === 'IngressClass' && !classes.has(object.name)) classes.set(object.name, stringAt(object.raw.spec, 'controller') === ALB_CONTROLLER);
  }
  return classes;
}

/** Whether the AWS Load Balancer Controller builds an ALB for the object: an Ingress of one of its classes that it reads as such. */
function servedByAlb(classes: ReadonlyMap<string, boolean>): (object: KubeObject) => boolean {
  return (object) => object.kind === 'Ingress' && albClassOf(object, classes)?.read === true;
}

/**
 * The Ingress's class when it is one of the AWS Load Balancer Controller's,
 * and whether the controller reads it so. The older annotation is matched by
 * the controller against its own class name ("alb") only, never against
 * IngressClass objects: an annotation naming an ALB IngressClass under
 * another name is no controller's.
 */
function albClassOf(object: KubeObject, classes: ReadonlyMap<string, boolean>): { readonly className: string; readonly read: boolean } | undefined {
  const className = ingressClass(object);
  if (className === undefined || classes.get(className) !== true) return undefined;
  return { className, read: className === ALB_CLASS || Boolean(stringAt(object.raw.spec, 'ingressClassName')) };
}

/** Every service's objects that `keep` selects, each with its service, services in name order. */
function membersWhere(objectsByService: ReadonlyMap<string, readonly KubeObject[]>, keep: (object: KubeObject) => boolean): GroupMember[] {
  return [...objectsByService]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([service, objects]) => objects.filter(keep).map((object): GroupMember => ({ service, object })));
}

/** What is wrong with an ALB setting the controller needs one value of: unset (and its default is not that value), the wrong one, or none it knows. */
interface SettingProblem {
  readonly key: string;
  readonly value: string | undefined;
  /** How "not set" reads: the setting itself, or that of a whole group. */
  readonly unset: string;
  /** The value the controller takes when unset, which is a value it knows. */
  readonly fallback: string;
  /** What the setting is called in "which is not a … the controller knows". */
  readonly noun: string;
  readonly why: string;
  readonly fix: string;
}

function settingMessage({ key, value, unset, fallback, noun, why, fix }: SettingProblem): string {
  if (value === undefined) return `${unset}, and the AWS Load Balancer Controller's default is "${fallback}": ${why}; ${fix}`;
  if (value === fallback) return `${ALB}${key} is "${value}": ${why}; ${fix}`;
  return `${ALB}${key} is "${value}", which is not a ${noun} the AWS Load Balancer Controller knows; ${fix}`;
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
export function internalSchemeFindings(objectsByService: ReadonlyMap<string, readonly KubeObject[]>, classes = clusterClasses(objectsByService)): GroupFinding[] {
  const members = membersWhere(objectsByService, servedByAlb(classes));
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
    const message = settingMessage({
      key: 'scheme',
      value: scheme,
      unset: group === undefined ? `${ALB}scheme is not set` : `no Ingress of group "${group}" sets ${ALB}scheme`,
      fallback: DEFAULT_SCHEME,
      noun: 'scheme',
      why: "an internal ALB takes its addresses in the node subnets, which the namespace's network policy does not let in (it would let every pod in), so no request or health check would reach the pods",
      fix: `set ${ALB}scheme: ${INTERNET_FACING} on ${scheme === undefined && group !== undefined ? 'every Ingress of the group' : 'it'} (in apps/${service}/)`,
    });
    return [{ rule: 'ingress', service, object, message }];
  });
}

/**
 * Tenant Ingresses of no class the cluster has. The platform's only Ingress
 * controller is the AWS Load Balancer Controller, which serves the class
 * "alb"; no IngressClass is the cluster's default (see ALB_CLASS), so the API
 * server gives an Ingress without a class none, and one of a class no
 * controller serves (nginx, say) waits for a controller that never comes:
 * no load balancer is ever built for either.
 */
export function ingressClassFindings(objectsByService: ReadonlyMap<string, readonly KubeObject[]>, classes = clusterClasses(objectsByService)): GroupFinding[] {
  return membersWhere(objectsByService, (object) => object.kind === 'Ingress').flatMap(({ service, object }): GroupFinding[] => {
    const className = ingressClass(object);
    const alb = albClassOf(object, classes);
    if (alb?.read === false) return [{ rule: 'ingress', service, object, message: annotatedAlbClassMessage(alb.className, service) }];
    if (className !== undefined && classes.has(className)) return [];
    const message = className === undefined ? unclassedMessage(service) : unservedClassMessage(object, className, service);
    return [{ rule: 'ingress', service, object, message }];
  });
}

function unclassedMessage(service: string): string {
  return (
    `neither spec.ingressClassName nor the ${LEGACY_CLASS_ANNOTATION} annotation is set, and no IngressClass is the clusters' default, so no controller builds a load balancer for it; ` +
    `set spec.ingressClassName: ${ALB_CLASS} (the AWS Load Balancer Controller's) on it (in apps/${service}/)`
  );
}

function unservedClassMessage(object: KubeObject, className: string, service: string): string {
  const byAnnotation = !stringAt(object.raw.spec, 'ingressClassName');
  const where = byAnnotation ? `the ${LEGACY_CLASS_ANNOTATION} annotation` : 'spec.ingressClassName';
  return (
    `${where} is "${className}", and no IngressClass "${className}" is among the cluster's rendered manifests: the platform's only Ingress controller is the AWS Load Balancer Controller, of class "${ALB_CLASS}", so no controller builds a load balancer for it; ` +
    `set spec.ingressClassName: ${ALB_CLASS} on it${byAnnotation ? ' in place of the annotation' : ''} (in apps/${service}/)`
  );
}

function annotatedAlbClassMessage(className: string, service: string): string {
  return (
    `the ${LEGACY_CLASS_ANNOTATION} annotation is "${className}", an IngressClass of the AWS Load Balancer Controller, but the controller reads that annotation only as "${ALB_CLASS}" (IngressClass objects count for spec.ingressClassName alone), so no controller builds a load balancer for it; ` +
    `set spec.ingressClassName: ${className} on it in place of the annotation (in apps/${service}/)`
  );
}

/** Service types that need what the tenant quota (services.nodeports and services.loadbalancers: 0) allows none of. */
const QUOTA_REFUSED_TYPES: ReadonlyMap<string, string> = new Map([
  ['NodePort', 'no node ports (services.nodeports: 0)'],
  ['LoadBalancer', 'no load balancers of its own (services.loadbalancers: 0)'],
]);
const NO_NODE_PORTS = `instance targets are the node ports of a NodePort Service, and the namespace's ResourceQuota ${GUARDRAIL_NAMES.quota} allows none (services.nodeports: 0), so the ALB would get no target to send requests to`;

/**
 * What needs node ports, which every tenant namespace's quota forbids (public
 * traffic enters through the ALBs only, see derive/tenant.ts): a Service of
 * type NodePort or LoadBalancer, which the API server refuses, and ALB
 * Ingresses with instance targets, the controller's default (see ALB_CLASS).
 * The target type of an Ingress's backend is its Service's annotation if it
 * has one, else the Ingress's: each finding names the object that decides.
 */
export function nodePortFindings(objectsByService: ReadonlyMap<string, readonly KubeObject[]>, classes = clusterClasses(objectsByService)): GroupFinding[] {
  const findings: GroupFinding[] = [];
  for (const { service, object } of membersWhere(objectsByService, (object) => object.kind === 'Service')) {
    const type = stringAt(object.raw.spec, 'type') ?? '';
    const refused = QUOTA_REFUSED_TYPES.get(type);
    if (refused === undefined) continue;
    const message = `spec.type is "${type}", and the namespace's ResourceQuota ${GUARDRAIL_NAMES.quota} allows ${refused}, so the API server refuses the Service; make it a ClusterIP Service behind an Ingress with ${ALB}target-type: ${IP_TARGETS} (in apps/${service}/)`;
    findings.push({ rule: 'service', service, object, message });
  }
  const reported = new Set<KubeObject>();
  for (const { service, object } of membersWhere(objectsByService, servedByAlb(classes))) {
    const services = objectsByService.get(service) ?? [];
    for (const decider of targetTypeDeciders(object, services)) {
      const value = albAnnotations(decider).get('target-type');
      if (value === IP_TARGETS || reported.has(decider)) continue;
      reported.add(decider);
      const message = settingMessage({
        key: 'target-type',
        value,
        unset: `${ALB}target-type is not set`,
        fallback: DEFAULT_TARGET_TYPE,
        noun: 'target type',
        why: NO_NODE_PORTS,
        fix: `set ${ALB}target-type: ${IP_TARGETS} on it (in apps/${service}/)`,
      });
      findings.push({ rule: decider.kind === 'Service' ? 'service' : 'ingress', service, object: decider, message });
    }
  }
  return findings;
}

/**
 * The objects whose target-type annotation decides an Ingress's target
 * groups: per Service it sends to (see targetServices), that Service when it
 * sets one (among the service's objects, in the Ingress's namespace), else
 * the Ingress itself.
 */
function targetTypeDeciders(ingress: KubeObject, objects: readonly KubeObject[]): Set<KubeObject> {
  const deciders = new Set<KubeObject>();
  for (const name of targetServices(ingress)) {
    const backend = objects.find((object) => object.kind === 'Service' && object.name === name && object.namespace === ingress.namespace);
    deciders.add(backend !== undefined && albAnnotations(backend).has('target-type') ? backend : ingress);
  }
  return deciders;
}

/**
 * The port name by which a backend sends to the action in the annotation
 * `actions.<backend service name>` rather than to a Service: the AWS Load
 * Balancer Controller reads an action only when a backend names it so.
 */
const USE_ANNOTATION = 'use-annotation';

interface Backend {
  /** The Service's name, or for an action, the action's. */
  readonly name: string;
  readonly action: boolean;
}

function backendsOf(ingress: KubeObject): Backend[] {
  const spec = ingress.raw.spec;
  const services = [...objectsAt(spec, 'rules').flatMap((rule) => objectsAt(rule, 'http', 'paths').map((path) => objectAt(path, 'backend', 'service'))), objectAt(spec, 'defaultBackend', 'service')];
  return services.flatMap((service) => {
    const name = stringAt(service, 'name');
    return name === undefined ? [] : [{ name, action: stringAt(service, 'port', 'name') === USE_ANNOTATION }];
  });
}

/** The Services an Ingress sends requests to: its backends', and those its backends' forward actions name (a redirect or fixed response names none). */
function targetServices(ingress: KubeObject): Set<string> {
  const names = new Set<string>();
  for (const backend of backendsOf(ingress)) {
    if (!backend.action) names.add(backend.name);
    else for (const name of actionOf(ingress, backend.name)?.services ?? []) names.add(name);
  }
  return names;
}

/** An action annotation as the controller reads it: the Services its forward config names, or why it cannot be read. */
type ActionReading = { readonly services: readonly string[]; readonly problem?: undefined } | { readonly services?: undefined; readonly problem: string };

/** The Ingress's action `name`; undefined when it has no such annotation. */
function actionOf(ingress: KubeObject, name: string): ActionReading | undefined {
  const json = albAnnotations(ingress).get(`actions.${name}`);
  return json === undefined ? undefined : readAction(json);
}

/**
 * An action's JSON as the controller documents it: `{"type": "forward",
 * "forwardConfig": {"targetGroups": [{"serviceName": …, "servicePort": …}]}}`
 * names Services; redirects, fixed responses and target groups by ARN or name
 * (which the per-Ingress rules refuse) name none.
 */
function readAction(json: string): ActionReading {
  let action: JsonValue;
  try {
    action = JSON.parse(json) as JsonValue;
  } catch {
    return { problem: 'is not valid JSON' };
  }
  if (!isObject(action)) return { problem: 'is not a JSON object' };
  const forward = goField(action, 'forwardConfig');
  if (forward === undefined || forward === null) return { services: [] };
  if (!isObject(forward)) return { problem: 'has a forwardConfig that is not an object' };
  const groups = goField(forward, 'targetGroups');
  if (groups === undefined || groups === null) return { services: [] };
  if (!Array.isArray(groups) || !groups.every(isObject)) return { problem: 'has a forwardConfig.targetGroups that is not a list of objects' };
  const names = groups.map((group) => goField(group, 'serviceName'));
  if (names.some((name) => name !== undefined && name !== null && typeof name !== 'string')) return { problem: 'has a forwardConfig.targetGroups[].serviceName that is not a string' };
  return { services: names.filter((name): name is string => typeof name === 'string' && name !== '') };
}

/**
 * A field of JSON the controller decodes with Go's encoding/json, which takes
 * a key of any case when none matches exactly: its documentation shows both
 * `forwardConfig` and the older `ForwardConfig`.
 */
function goField(object: JsonObject, name: string): JsonValue | undefined {
  return Object.hasOwn(object, name) ? object[name] : goFields(object, name)[0];
}

/**
 * ALB Ingresses with an action that a rule sends to and the controller cannot
 * use. One it cannot read fails the Ingress's load balancer model, so the
 * controller changes nothing of that load balancer (the whole group's, in a
 * group) until the annotation is fixed; one the Ingress does not have at all
 * the controller answers, with its default --tolerate-non-existent-backend-action,
 * by a fixed 503 for every request of the rule. An action no backend names is never read.
 */
export function actionFindings(objectsByService: ReadonlyMap<string, readonly KubeObject[]>, classes = clusterClasses(objectsByService)): GroupFinding[] {
  const findings: GroupFinding[] = [];
  for (const { service, object } of membersWhere(objectsByService, servedByAlb(classes))) {
    const actions = new Set(backendsOf(object).flatMap((backend) => (backend.action ? [backend.name] : [])));
    for (const name of actions) {
      const reading = actionOf(object, name);
      if (reading === undefined) findings.push({ rule: 'ingress', service, object, message: missingActionMessage(name, service) });
      else if (reading.problem !== undefined) findings.push({ rule: 'ingress', service, object, message: unreadableActionMessage(name, reading.problem, service) });
    }
  }
  return findings;
}

function unreadableActionMessage(name: string, problem: string, service: string): string {
  return `${ALB}actions.${name} ${problem}, so the AWS Load Balancer Controller cannot read the action a rule sends to and changes nothing of the Ingress's load balancer; write it as the controller documents, e.g. ${ACTION_EXAMPLE} (in apps/${service}/)`;
}

function missingActionMessage(name: string, service: string): string {
  return `a rule sends to the action "${name}" (port name ${USE_ANNOTATION}), and the Ingress has no ${ALB}actions.${name} annotation, so the AWS Load Balancer Controller answers every request of that rule with a fixed 503 ("Backend action does not exist"); add the annotation, e.g. ${ACTION_EXAMPLE}, or send the rule to a Service and port (in apps/${service}/)`;
}

const ACTION_EXAMPLE = '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"<Service>","servicePort":"<port>"}]}}';
