// One AdmissionReview in, one decision out: the policy engine run on request.object,
// and in a tenant namespace the tenant boundaries too. /validate-tenant is /validate for
// what the webhook configuration sends from tenant namespaces only: a namespace missing
// from the tenants file is denied there rather than let through unbounded.
import { apiGroupOf, isObject, normalizeObject, objectProblem, objectProblemAt, pathText, toKubeObject, type JsonObject, type JsonValue, type KubeObject, type ObjectProblem } from '../kube/index.js';
import { bareNodeNameFinding, objectBoundaryFindings, type BoundaryFinding, type TenantBoundary } from '../platform/boundaries/index.js';
import { mutationsOf, safePatch, type PolicyConfig, type Result, type ResultMessage } from '../policy/index.js';
import { auditObject, enabledChecks, planChecks, type CheckPlan } from '../policy/engine.js';

export const ADMISSION_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionVersion = (typeof ADMISSION_VERSIONS)[number];
export type Endpoint = 'validate' | 'validate-tenant' | 'mutate';

/** A body that is not a usable AdmissionReview: answered 400 with the reason (a usable one whose object the policy cannot judge is denied). */
export class BadReview extends Error {}

/** The parts of an admission request the webhook reads. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly operation: string;
  readonly object: JsonValue | undefined;
  /** The stored object an UPDATE changes. */
  readonly oldObject?: JsonValue;
  readonly namespace: string;
  readonly dryRun: boolean;
  /** Who sent the request (userInfo.username); '' when the review does not say. */
  readonly username: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
  patchType?: 'JSONPatch';
  patch?: string;
}

/** What was decided, for the log line and the metrics (no object contents). */
export interface Decision {
  readonly response: AdmissionResponse;
  readonly verdict: 'allowed' | 'denied' | 'patched' | 'error';
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly operation: string;
  readonly dangers: readonly string[];
  readonly warnings: readonly string[];
  readonly reason?: string;
}

/** Parses a body as an AdmissionReview. Throws BadReview with the reason. */
export function parseReview(body: string): { apiVersion: AdmissionVersion; request: AdmissionRequest } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new BadReview(`malformed JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed as JsonValue)) throw new BadReview('the body is not a JSON object (expected an AdmissionReview)');
  const review = parsed as JsonObject;
  if (review.kind !== 'AdmissionReview') throw new BadReview('kind must be AdmissionReview');
  if (!(ADMISSION_VERSIONS as readonly unknown[]).includes(review.apiVersion)) {
    throw new BadReview(`apiVersion must be one of ${ADMISSION_VERSIONS.join(', ')}`);
  }
  const request = review.request;
  if (!isObject(request)) throw new BadReview('the AdmissionReview has no request');
  if (typeof request.uid !== 'string' || request.uid === '') throw new BadReview('request.uid is missing');
  if (typeof request.operation !== 'string' || request.operation === '') throw new BadReview('request.operation is missing');
  if (request.namespace !== undefined && typeof request.namespace !== 'string') throw new BadReview('request.namespace must be a string');
  return {
    apiVersion: review.apiVersion as AdmissionVersion,
    request: {
      uid: request.uid,
      operation: request.operation,
      object: request.object ?? undefined,
      oldObject: request.oldObject ?? undefined,
      namespace: (request.namespace as string | undefined) ?? '',
      dryRun: request.dryRun === true,
      username: isObject(request.userInfo) && typeof request.userInfo.username === 'string' ? request.userInfo.username : '',
    },
  };
}

const plans = new WeakMap<PolicyConfig, CheckPlan>();

/** The check plan of a configuration, worked out once per configuration (a reload makes a new one). */
function planFor(config: PolicyConfig): CheckPlan {
  let plan = plans.get(config);
  if (!plan) plans.set(config, (plan = planChecks(enabledChecks(config))));
  return plan;
}

/** Tenant namespace → what its objects may hold (from the tenants file). */
export type TenantBoundaries = ReadonlyMap<string, TenantBoundary>;

/**
 * Decides one request. Dry-run requests are judged the same: deciding has no side
 * effects anyway (nothing is stored, nothing is written but the log line).
 * With `tenants`, /validate also denies an object of a tenant namespace that
 * crosses its boundary; /validate-tenant does the same and denies objects of
 * namespaces the tenants file does not list.
 */
export function decide(endpoint: Endpoint, request: AdmissionRequest, config: PolicyConfig, tenants?: TenantBoundaries): Decision {
  const operation = request.operation;
  const base = { kind: '', namespace: request.namespace, name: '', operation, dangers: [], warnings: [] };
  const allow = (reason: string, extra: Partial<Decision> = {}): Decision => ({
    ...base,
    ...extra,
    response: { uid: request.uid, allowed: true },
    verdict: 'allowed',
    reason,
  });
  if (operation === 'DELETE' || operation === 'CONNECT') return allow(`${operation} is not judged`);
  const problem = objectProblemAt(request.object);
  if (problem) return unjudgeable(endpoint, request, problem);
  const raw = request.object as JsonObject;
  const object = toKubeObject(raw, { file: `admission:${request.uid}`, line: 0 });
  // The request's namespace applies when the object does not say (namespace exemptions need it).
  const namespace = object.namespace || request.namespace;
  const { kind, name } = object;
  const who = { kind, name, namespace };
  const boundary = endpoint === 'mutate' ? undefined : tenants?.get(namespace);
  if (endpoint === 'validate-tenant' && !boundary) {
    return deny(request.uid, { ...who, operation, dangers: [UNKNOWN_TENANT], warnings: [] }, [unknownTenant(namespace, tenants !== undefined)], {});
  }
  // Unlike the policy, the boundaries hold for what Kubernetes makes for a controller too.
  const crossed = boundary ? boundaryCrossings({ ...object, namespace }, request, boundary) : [];
  if (ownedByController(object.metadata) && madeByKubernetes(request.username)) {
    if (crossed.length === 0) return allow('made by Kubernetes for a controller (the owner was admitted)', who);
    return deny(request.uid, { ...who, operation, dangers: boundaryIds(crossed), warnings: [] }, crossed.map(describeCrossing), {});
  }

  // Normalising leaves metadata as it is, so the names above still hold.
  const judged = { ...object, raw: normalizeObject(raw), namespace };
  // The API server sends this object alone: verdicts that need others are left out (kaji check judges them).
  const result = auditObject(judged, planFor(config), config, undefined);
  const failed = failedChecks(result);
  const dangerFailures = newOnUpdateOfDeleted(failed.filter((f) => f.message.Severity === 'danger'), judged, request, config);
  const warningFailures = failed.filter((f) => f.message.Severity === 'warning');
  const dangers = unique([...boundaryIds(crossed), ...dangerFailures.map((f) => f.message.ID)]);
  const decided = { ...who, operation, dangers, warnings: unique(warningFailures.map((f) => f.message.ID)) };

  if (endpoint === 'mutate') {
    const unpatched = operation === 'UPDATE' ? unpatchedUpdate(object) : undefined;
    if (unpatched) return { ...decided, response: { uid: request.uid, allowed: true }, verdict: 'allowed', reason: unpatched };
    const patch = safePatch(raw, mutationsOf(result));
    if (!patch.length) return { ...decided, response: { uid: request.uid, allowed: true }, verdict: 'allowed' };
    return {
      ...decided,
      response: { uid: request.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') },
      verdict: 'patched',
    };
  }
  const warnings = listed(warningFailures.map(describeFailure));
  if (dangers.length) return deny(request.uid, decided, listed([...crossed.map(describeCrossing), ...dangerFailures.map(describeFailure)]), warnings.length ? { warnings } : {});
  const response: AdmissionResponse = { uid: request.uid, allowed: true };
  if (warnings.length) response.warnings = warnings;
  return { ...decided, response, verdict: 'allowed' };
}

/**
 * The answer for an object the policy cannot judge: kaji check's input problems (a pod spec of
 * the wrong shape, replicas of 2.5, a negative cpu). /validate and /validate-tenant deny it, as the
 * server does an object the engine failed on: a 400 would leave it to failurePolicy, and under
 * Ignore the API server would admit it unjudged, tenant boundaries included. Its own validation
 * refuses such built-in objects before the validating webhooks, but a custom resource's schema
 * (an Argo Rollout's) may let them through. /mutate allows it without a patch, as it never denies:
 * the validating webhooks run after every mutation and judge the object as it would be stored
 * (which a later mutating webhook may yet have made readable); for a built-in kind the API
 * server's validation, also after the mutations, then refuses it with its own message.
 */
function unjudgeable(endpoint: Endpoint, request: AdmissionRequest, problem: ObjectProblem): Decision {
  const raw = isObject(request.object) ? request.object : {};
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : '');
  const namespace = text(metadata.namespace) || request.namespace;
  const who = { kind: text(raw.kind), name: text(metadata.name), namespace, operation: request.operation, dangers: [], warnings: [] };
  // The log line's reason names the field, not its value: no object contents there (and a
  // resource name, which a custom resource does not bound, is cut short).
  const field = (pathText(problem.path) || 'the object').slice(0, 200);
  if (endpoint === 'mutate') {
    const reason = `not patched: the policy cannot judge ${field} (the validating webhook denies it)`;
    return { ...who, response: { uid: request.uid, allowed: true }, verdict: 'allowed', reason };
  }
  return deny(request.uid, { ...who, reason: `the policy cannot judge ${field}` }, [`the policy cannot judge it: ${problem.message}`], {});
}

/**
 * The boundaries an object crosses. An UPDATE of an object being deleted is held only to what
 * its old version did not already cross, so a controller can still remove its finalizer after
 * platform.yaml changed under it; but nothing may be added, since a finalizer of the tenant's
 * own keeps such an object, and what external-dns and RBAC make of it, for as long as it likes.
 */
function boundaryCrossings(object: KubeObject, request: AdmissionRequest, boundary: TenantBoundary): BoundaryFinding[] {
  const found = objectBoundaryFindings(object, boundary);
  const pinned = request.operation === 'CREATE' ? createdNodeNameFinding(object, request.username) : undefined;
  if (pinned) found.push(pinned);
  const old = found.length ? oldOfDeletingUpdate(object, request) : undefined;
  if (!old) return found;
  const before = new Set(objectBoundaryFindings(old, boundary).map(crossingKey));
  return found.filter((finding) => !before.has(crossingKey(finding)));
}

/**
 * The policy's danger failures an UPDATE is denied for. As with the boundaries, an UPDATE of an
 * object being deleted is held only to what its old version did not already fail: one admitted
 * before the policy tightened must still lose its finalizers (the garbage collector removes
 * foregroundDeletion, which Argo CD's foreground prune sets), or it stays Terminating for good.
 * Allowing such UPDATEs outright would let a tenant whose own finalizer holds the object change it
 * into anything; denying only new failures lets the finalizers go and nothing new in.
 */
function newOnUpdateOfDeleted(failures: Failure[], object: KubeObject, request: AdmissionRequest, config: PolicyConfig): Failure[] {
  const old = failures.length ? oldOfDeletingUpdate(object, request) : undefined;
  if (!old) return failures;
  const before = new Set(failedChecks(auditObject(old, planFor(config), config, undefined)).map(failureKey));
  return failures.filter((failure) => !before.has(failureKey(failure)));
}

/**
 * The old version of an object an UPDATE is for, when the object is being deleted (and the old
 * version reads): what the boundaries and the policy hold such an UPDATE against. In the new
 * version's namespace, as the API server judges the request there.
 */
function oldOfDeletingUpdate(object: KubeObject, request: AdmissionRequest): KubeObject | undefined {
  if (request.operation !== 'UPDATE' || !beingDeleted(object) || objectProblem(request.oldObject)) return undefined;
  const raw = request.oldObject as JsonObject;
  return { ...toKubeObject(raw, object.source), raw: normalizeObject(raw), namespace: object.namespace };
}

function beingDeleted(object: KubeObject): boolean {
  return object.metadata.deletionTimestamp != null;
}

/**
 * Why /mutate leaves an UPDATE unpatched, if it does. A Pod's spec and a Job's pod template cannot
 * change after creation (but for a few fields): a patch on an UPDATE of one (a label, an
 * ownerReference, a finalizer's removal) would make the API server refuse the whole UPDATE. The
 * generated MutatingWebhookConfiguration sends them on CREATE only; this covers any other. An
 * object being deleted is on its way out: the UPDATE that removes a finalizer should change nothing else.
 */
function unpatchedUpdate(object: KubeObject): string | undefined {
  if (beingDeleted(object)) return 'not patched: the object is being deleted';
  const group = apiGroupOf(object.apiVersion);
  const fixed = (object.kind === 'Pod' && group === '') || (object.kind === 'Job' && group === 'batch');
  return fixed ? `not patched: a ${object.kind}'s pod spec cannot change after creation` : undefined;
}

/**
 * A Pod created with nodeName (its own, not a template's): the kubelet runs it whatever the
 * system nodes' NoSchedule taint says. Judged on CREATE only, since the scheduler's Binding
 * sets nodeName on every Pod it places and each later UPDATE carries it; and not for
 * Kubernetes itself, whose nodes create their static Pods' mirrors bound to themselves.
 */
function createdNodeNameFinding(object: KubeObject, username: string): BoundaryFinding | undefined {
  return madeByKubernetes(username) ? undefined : bareNodeNameFinding(object);
}

/** The danger of an object /validate-tenant gets from a namespace the tenants file does not list. */
export const UNKNOWN_TENANT = 'tenantBoundary.unknownNamespace';

/**
 * Why such an object is denied. Usually a new service: its namespace is a tenant's from its
 * creation (by its label), the tenants ConfigMap reaches the webhook's pods a minute or so
 * later, and Argo CD retries the sync meanwhile.
 */
function unknownTenant(namespace: string, hasTenantsFile: boolean): string {
  const why = hasTenantsFile
    ? "the webhook's tenants file does not list it (yet: the kaji-webhook-tenants ConfigMap reaches the webhook a minute or so after a sync; retry then)"
    : 'the webhook runs without --tenants';
  return `tenant boundary (namespace): "${namespace}" is sent to /validate-tenant as a tenant namespace, but ${why}`;
}

function crossingKey(finding: BoundaryFinding): string {
  return `${finding.rule}\n${finding.message}`;
}

/** A denial listing every reason. */
function deny(uid: string, decided: Omit<Decision, 'response' | 'verdict'>, lines: readonly string[], extra: Pick<AdmissionResponse, 'warnings'>): Decision {
  const { kind, namespace, name } = decided;
  const subject = kind ? `${kind} ${namespace ? `${namespace}/` : ''}${name}` : 'the object';
  const message = `kaji denied ${subject}: ${lines.join('; ')}`;
  return { ...decided, response: { uid, allowed: false, ...extra, status: { code: 403, message } }, verdict: 'denied' };
}

/** Boundary findings as the ids the log line and metrics show next to the policy's check ids. */
function boundaryIds(findings: readonly BoundaryFinding[]): string[] {
  return unique(findings.map((finding) => `tenantBoundary.${finding.rule}`));
}

/** A boundary finding with the message `kaji synth` gives for it. */
function describeCrossing(finding: BoundaryFinding): string {
  return `tenant boundary (${finding.rule}): ${finding.message}`;
}

/**
 * Answer for a request the engine could not judge. See the server for why a validation denies; a
 * mutation never does (the validating webhooks, which run after every mutation, judge the object).
 */
export function internalError(request: AdmissionRequest, endpoint: Endpoint): Decision {
  const response = endpoint === 'mutate' ? { uid: request.uid, allowed: true } : { uid: request.uid, allowed: false, status: { code: 500, message: 'kaji webhook internal error' } };
  return {
    kind: '',
    namespace: request.namespace,
    name: '',
    operation: request.operation,
    dangers: [],
    warnings: [],
    verdict: 'error',
    response,
  };
}

/**
 * Whether Kubernetes itself sent the request: its controllers (kube-controller-manager acts as
 * one kube-system service account per controller), nodes (mirror Pods), the control plane, and
 * EKS's own identities (EKS refuses access entries named system:… or eks:…). Only their objects
 * skip the policy for having a controller owner: whoever may create a Pod may also give it an
 * ownerReference, and a tenant's Pod must not pass as a ReplicaSet's. Every kube-system service
 * account counts, add-ons installed there too (the load balancer controller, metrics-server): none
 * makes Pods or workloads elsewhere, and one that made them from tenants' input would be a way past.
 */
function madeByKubernetes(username: string): boolean {
  if (username.startsWith('system:serviceaccount:')) return username.startsWith('system:serviceaccount:kube-system:');
  return (username.startsWith('system:') && username !== 'system:anonymous') || username.startsWith('eks:');
}

function ownedByController(metadata: JsonObject): boolean {
  const owners = metadata.ownerReferences;
  return Array.isArray(owners) && owners.some((owner) => isObject(owner) && owner.controller === true);
}

interface Failure {
  readonly message: ResultMessage;
  readonly container: string;
}

function failedChecks(result: Result): Failure[] {
  const failures: Failure[] = [];
  const collect = (set: Record<string, ResultMessage>, container: string) => {
    for (const id of Object.keys(set).sort()) {
      const message = set[id]!;
      if (!message.Success && message.Severity !== 'ignore') failures.push({ message, container });
    }
  };
  collect(result.Results, '');
  if (result.PodResult) {
    collect(result.PodResult.Results, '');
    for (const container of result.PodResult.ContainerResults) collect(container.Results, container.Name);
  }
  return failures;
}

function failureKey({ message, container }: Failure): string {
  return `${message.ID}\n${container}`;
}

function describeFailure({ message, container }: Failure): string {
  return `${message.ID}${container ? ` (container ${container})` : ''}: ${message.Message}`;
}

/**
 * The most findings an answer lists, each kind. One object's findings grow with its containers (a
 * Pod of 100,000 in a 3 MiB request made an answer of over 100 MB), and the API server keeps only
 * 4 KiB of warnings anyway: the rest is counted, and `kaji check` lists them all.
 */
const MOST_LISTED = 20;

function listed(lines: readonly string[]): string[] {
  if (lines.length <= MOST_LISTED) return [...lines];
  return [...lines.slice(0, MOST_LISTED), `… and ${lines.length - MOST_LISTED} more (kaji check lists them all)`];
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
