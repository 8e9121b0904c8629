import { containersOf, findPodSpec, setOwn, type KubeObject } from '../kube/index.js';
import { BUILTIN_CHECKS } from './checks/index.js';
import { exemptionsFor, type ExemptionTest } from './exemptions.js';
import { indexRelated } from './related.js';
import { countResults, scoreOf } from './score.js';
import {
  HANDLED_TARGETS,
  type AuditData,
  type CheckDefinition,
  type CheckInput,
  type PatchOperation,
  type PolicyConfig,
  type RelatedObjects,
  type ContainerResult,
  type PodResult,
  type RelatedVerdict,
  type Result,
  type ResultMessage,
  type ResultSet,
  type Target,
  type Verdict,
} from './types.js';

export interface AuditOptions {
  /** What was audited, for the report header (a path, "stdin", an admission request). */
  readonly sourceName?: string;
  readonly sourceType?: string;
  /** Run only these check IDs (they must still be enabled by the configuration). */
  readonly onlyChecks?: readonly string[];
  readonly now?: Date;
}

/** The part of an object a check runs against. `''` is the object itself, matched by kind. */
type Step = 'Controller' | 'PodSpec' | 'Container' | '';


/** The enabled checks of a configuration, in ID order, as Polaris runs them. */
export function enabledChecks(config: PolicyConfig, onlyChecks?: readonly string[]): CheckDefinition[] {
  return Object.keys(config.checks)
    .filter((id) => config.checks[id] !== 'ignore' && (!onlyChecks || onlyChecks.includes(id)))
    .sort()
    .map((id) => (Object.hasOwn(config.customChecks, id) ? config.customChecks[id] : BUILTIN_CHECKS.get(id)))
    .filter((check): check is CheckDefinition => check !== undefined);
}

/** Audits objects with a configuration: one Result per object, in input order, and the score. */
export function auditObjects(objects: readonly KubeObject[], config: PolicyConfig, options: AuditOptions = {}): AuditData {
  const audit = startAudit(config, options);
  for (const object of objects) audit.add(object);
  return audit.finish();
}

/**
 * An audit fed one object at a time. Each object is checked when it is added;
 * what its cross-resource checks still need is a few values in their related
 * verdicts, and the audit keeps only objects of the kinds those look up. So a
 * caller can read, add and forget objects file by file: `kaji check` never
 * holds all parsed manifests at once, which also spares the garbage collector
 * from copying them.
 */
export interface StreamingAudit {
  add(object: KubeObject): void;
  /** Decides the related verdicts against everything added, and returns the audit. */
  finish(): AuditData;
}

export function startAudit(config: PolicyConfig, options: AuditOptions = {}): StreamingAudit {
  const checks = enabledChecks(config, options.onlyChecks);
  const plan = planChecks(checks);
  const keptKinds = new Set(checks.flatMap((check) => check.relatedKinds ?? []));
  const kept: KubeObject[] = [];
  const results: Result[] = [];
  const undecided: UndecidedStep[] = [];
  const namespaces = new Set<string>();
  const now = (options.now ?? new Date()).toISOString();
  let pods = 0;
  let controllers = 0;
  return {
    add(object) {
      if (keptKinds.has(object.kind)) kept.push(object);
      if (object.namespace) namespaces.add(object.namespace);
      if (object.kind === 'Pod') pods += 1;
      const result = checkObject(object, plan, config, undecided, now);
      if (result.PodResult) controllers += 1;
      results.push(result);
    },
    finish() {
      decideSteps(undecided.splice(0), indexRelated(kept, keptKinds), config, plan);
      return {
        PolarisOutputVersion: '1.0',
        AuditTime: now,
        SourceType: options.sourceType ?? 'Path',
        SourceName: options.sourceName ?? '',
        DisplayName: options.sourceName ?? '',
        ClusterInfo: {
          Version: 'unknown',
          Nodes: 0,
          Pods: pods,
          Namespaces: namespaces.size,
          Controllers: controllers,
        },
        Results: results,
        Score: scoreOf(countResults(results)),
      };
    },
  };
}

/** A check and the step it runs at. */
interface PlannedCheck {
  readonly check: CheckDefinition;
  readonly step: Step;
  /** What every run of the check shares: one object per check, whatever the kind and step. */
  readonly shared: SharedVerdicts;
}

/**
 * A check's shared, frozen messages for a plain pass and fail, made on first
 * use, and their numbers in the plan's interning of result sets.
 */
interface SharedVerdicts {
  pass?: ResultMessage;
  passCode: number;
  fail?: ResultMessage;
  failCode: number;
  /** Whether the check's failures carry its mutations (the configuration lists it, and it has some); known after its first failure. */
  mutates?: boolean;
}

/** The checks that run on objects of one kind, at each step, in ID order. */
interface KindPlan {
  /** Object-level checks of a workload: Controller target, plus kind targets. */
  readonly workload: readonly PlannedCheck[];
  /** Object-level checks of an object without a pod spec: kind targets. */
  readonly object: readonly PlannedCheck[];
  readonly pod: readonly PlannedCheck[];
  readonly container: readonly PlannedCheck[];
  readonly initContainer: readonly PlannedCheck[];
}

/** Which checks run where, per kind, worked out once per kind rather than once per object. */
export interface CheckPlan {
  forKind(kind: string): KindPlan;
  /**
   * The shared, frozen message for a plain pass or fail of a check: every object
   * gets the same one, which saves an allocation per check per object.
   */
  verdict(planned: PlannedCheck, success: boolean, config: PolicyConfig): ResultMessage;
  /** The shared, frozen failure of a check with mutations, anchored at one place of the object (such as one container). */
  mutationVerdict(check: CheckDefinition, pointer: string, make: () => ResultMessage): ResultMessage;
  /**
   * The result set of one step from its planned checks' messages (undefined:
   * exempt), one per planned check (what `messages` holds past them is not
   * read). A set made only of shared verdicts is interned: objects with the
   * same outcomes (most objects of a kind) share one frozen set, which saves
   * memory and lets a report print each distinct set once. `messages` is
   * read, never kept.
   */
  resultSet(planned: readonly PlannedCheck[], messages: readonly (ResultMessage | undefined)[]): ResultSet;
}

/**
 * The plan of a set of checks. A plan serves one configuration: the messages
 * it shares carry that configuration's severities and mutations.
 */
export function planChecks(checks: readonly CheckDefinition[]): CheckPlan {
  const shared = new Map(checks.map((check): [CheckDefinition, SharedVerdicts] => [check, { passCode: 0, failCode: 0 }]));
  // Checks outermost, so results come in ID order, as Polaris's JSON (a Go map) lists them.
  const select = (steps: readonly Step[], kind: string, isInit: boolean): PlannedCheck[] =>
    checks.flatMap((check) =>
      steps
        .filter((step) => appliesTo(check, { step, input: { object: { kind }, isInitContainer: isInit } }))
        .map((step) => ({ check, step, shared: shared.get(check)! })),
    );
  const kinds = new Map<string, KindPlan>();
  return {
    ...shareResults(),
    forKind(kind) {
      let plan = kinds.get(kind);
      if (!plan) {
        plan = {
          workload: select(['Controller', ''], kind, false),
          object: select([''], kind, false),
          pod: select(['PodSpec'], kind, false),
          container: select(['Container'], kind, false),
          initContainer: select(['Container'], kind, true),
        };
        kinds.set(kind, plan);
      }
      return plan;
    },
  };
}

// Bounds on what a plan shares: the webhook keeps one plan per configuration
// for as long as it runs, so odd input (a pod with 10,000 containers) must not
// grow it for good. Past them, messages and sets are made per object.
const MAX_SHARED_MESSAGES = 4096;
const MAX_INTERNED_SETS = 4096;

/** The sharing half of a plan: shared verdicts and interned result sets (see CheckPlan). */
function shareResults(): Pick<CheckPlan, 'verdict' | 'mutationVerdict' | 'resultSet'> {
  let internedSets = 0;
  const verdictIds = new Map<ResultMessage, number>();
  const share = (message: ResultMessage) => {
    verdictIds.set(message, verdictIds.size + 1);
    return Object.freeze(message);
  };
  // Interned sets by planned list, then by a hash of their messages' numbers.
  const sets = new Map<readonly PlannedCheck[], Map<number, InternedSet[]>>();
  const mutationVerdicts = new Map<CheckDefinition, Map<string, ResultMessage>>();
  return {
    verdict({ check, shared }, success, config) {
      if (success) {
        if (!shared.pass) {
          shared.pass = share(verdict(check, true, config));
          shared.passCode = verdictIds.size;
        }
        return shared.pass;
      }
      if (!shared.fail) {
        shared.fail = share(verdict(check, false, config));
        shared.failCode = verdictIds.size;
      }
      return shared.fail;
    },
    mutationVerdict(check, pointer, make) {
      let byPointer = mutationVerdicts.get(check);
      if (!byPointer) mutationVerdicts.set(check, (byPointer = new Map()));
      let shared = byPointer.get(pointer);
      if (shared) return shared;
      if (verdictIds.size >= MAX_SHARED_MESSAGES) return make();
      byPointer.set(pointer, (shared = share(make())));
      return shared;
    },
    resultSet(planned, messages) {
      // A hash of the messages' numbers (0 when exempt) finds the candidates, and
      // the messages themselves pick one: a set met before costs no allocation.
      let hash = 0;
      for (let index = 0; index < planned.length; index++) {
        const message = messages[index];
        const { shared } = planned[index]!;
        // A plain pass or fail (most messages) knows its number; other shared messages are looked up.
        const id = message === undefined ? 0 : message === shared.pass ? shared.passCode : message === shared.fail ? shared.failCode : verdictIds.get(message);
        // A message of its own (an error, or past the bound) is not shared: nor is its set.
        if (id === undefined) return collectSet(planned, messages);
        hash = (Math.imul(hash, 31) + id) & 0x3fffffff; // a small integer, which V8 keeps unboxed
      }
      let byHash = sets.get(planned);
      if (!byHash) sets.set(planned, (byHash = new Map()));
      const candidates = byHash.get(hash);
      if (candidates) {
        for (const candidate of candidates) if (sameMessages(candidate.messages, messages)) return candidate.set;
      }
      if (internedSets >= MAX_INTERNED_SETS) return collectSet(planned, messages);
      internedSets += 1;
      const interned = { messages: messages.slice(0, planned.length), set: Object.freeze(collectSet(planned, messages)) };
      if (candidates) candidates.push(interned);
      else byHash.set(hash, [interned]);
      return interned.set;
    },
  };
}

/** An interned result set, and the messages it holds, one per planned check (undefined: exempt). */
interface InternedSet {
  readonly messages: readonly (ResultMessage | undefined)[];
  readonly set: ResultSet;
}

/** Whether `messages` begins with the same messages as an interned set. */
function sameMessages(interned: readonly (ResultMessage | undefined)[], messages: readonly (ResultMessage | undefined)[]): boolean {
  for (let index = 0; index < interned.length; index++) if (interned[index] !== messages[index]) return false;
  return true;
}

/**
 * Audits one object with a plan of checks, its related verdicts decided against `related`. Without
 * `related` (an admission, where the API server sends one object), a verdict that needs other
 * objects (a Deployment's PodDisruptionBudget, the Role a RoleBinding names) is left out, as an
 * exempt check is: judged on the object alone it would refuse what the whole set passes. What a
 * check decides from the object itself (a binding of cluster-admin) is judged as ever.
 */
export function auditObject(
  object: KubeObject,
  plan: CheckPlan,
  config: PolicyConfig,
  related: RelatedObjects | undefined,
  createdTime = '0001-01-01T00:00:00Z',
): Result {
  const undecided: UndecidedStep[] = [];
  const result = checkObject(object, plan, config, undecided, createdTime);
  decideSteps(undecided, related, config, plan);
  return result;
}

/** Checks one object; steps with related verdicts get their result set later, from decideSteps. */
function checkObject(object: KubeObject, plan: CheckPlan, config: PolicyConfig, undecided: UndecidedStep[], createdTime: string): Result {
  const found = findPodSpec(object.raw);
  const kindPlan = plan.forKind(object.kind);
  const context: StepContext = { config, exempt: exemptionsFor(object, config), plan, undecided };
  // Every input has the same fields in the same order: checks then see one shape.
  const base: CheckInput = { object, podSpec: found?.spec, podTemplate: found?.template, container: undefined, isInitContainer: false };
  const result: Result = {
    Name: object.name,
    Namespace: object.namespace,
    Kind: object.kind,
    Results: NOT_YET_DECIDED,
    CreatedTime: createdTime,
    Source: { File: object.source.file, Line: object.source.line },
  };
  runChecks(found ? kindPlan.workload : kindPlan.object, { input: base, pointer: '', containerName: '' }, result, context);
  if (!found) return result;
  const containers = containersOf(found.spec);
  const holders = containers.map(({ container }): ContainerResult => ({ Name: typeof container.name === 'string' ? container.name : '', Results: NOT_YET_DECIDED }));
  const pod: PodResult = { Name: '', Results: NOT_YET_DECIDED, ContainerResults: holders };
  result.PodResult = pod;
  runChecks(kindPlan.pod, { input: base, pointer: found.path, containerName: '' }, pod, context);
  for (let position = 0; position < containers.length; position++) {
    const { container, isInit, index } = containers[position]!;
    const holder = holders[position]!;
    const target = {
      input: { object, podSpec: found.spec, podTemplate: found.template, container, isInitContainer: isInit },
      pointer: `${found.path}/${isInit ? 'initContainers' : 'containers'}/${index}`,
      containerName: holder.Name,
    };
    runChecks(isInit ? kindPlan.initContainer : kindPlan.container, target, holder, context);
  }
  return result;
}

/** The placeholder of a result set whose related verdicts are not decided yet. */
const NOT_YET_DECIDED: ResultSet = Object.freeze({});

/** What a step's checks run against, and where in the object it is (to anchor mutations). */
interface StepTarget {
  readonly input: CheckInput;
  readonly pointer: string;
  readonly containerName: string;
}

/** A check's message for one step (undefined: exempt), or its related verdict, which decideSteps turns into the message. */
type Judgement = ResultMessage | undefined | RelatedVerdict;

/** Where a step's result set goes: a Result, its PodResult or one of its ContainerResults. */
interface SetHolder {
  Results: ResultSet;
}

/** A step whose messages include related verdicts, where it is in its object (to anchor mutations), and where its result set goes. */
interface UndecidedStep {
  readonly planned: readonly PlannedCheck[];
  readonly judgements: readonly Judgement[];
  readonly pointer: string;
  readonly holder: SetHolder;
}

/** What every step of one object shares. */
interface StepContext {
  readonly config: PolicyConfig;
  readonly exempt: ExemptionTest;
  readonly plan: CheckPlan;
  readonly undecided: UndecidedStep[];
}

// One list of judgements reused by every step, written from its start (what
// lies past a step's checks is an earlier step's, and not read): a result set
// copies what it keeps, so only an undecided step needs its own copy.
const stepJudgements: Judgement[] = [];

/** Runs a step's checks and puts its result set in the holder, or leaves that to decideSteps when a verdict is related. */
function runChecks(planned: readonly PlannedCheck[], target: StepTarget, holder: SetHolder, context: StepContext): void {
  const { config, exempt, plan } = context;
  const judgements = stepJudgements;
  let decided = true;
  for (let index = 0; index < planned.length; index++) {
    const entry = planned[index]!;
    if (exempt(entry.check.id, target.containerName)) {
      judgements[index] = undefined;
      continue;
    }
    const outcome = judge(entry.check, target.input);
    if (typeof outcome === 'function') {
      judgements[index] = outcome;
      decided = false;
    } else {
      judgements[index] = messageOf(entry, outcome, target.pointer, config, plan);
    }
  }
  if (decided) holder.Results = plan.resultSet(planned, judgements as (ResultMessage | undefined)[]);
  else context.undecided.push({ planned, judgements: judgements.slice(0, planned.length), pointer: target.pointer, holder });
}

/** Decides the related verdicts of undecided steps (left out without `related`) and puts their result sets in place. */
function decideSteps(steps: readonly UndecidedStep[], related: RelatedObjects | undefined, config: PolicyConfig, plan: CheckPlan): void {
  for (const { planned, judgements, pointer, holder } of steps) {
    const messages = judgements.map((judgement, index) => {
      if (typeof judgement !== 'function') return judgement;
      if (related === undefined) return undefined;
      let success: boolean | Error;
      try {
        success = judgement(related);
      } catch (error) {
        success = asError(error);
      }
      return messageOf(planned[index]!, success, pointer, config, plan);
    });
    holder.Results = plan.resultSet(planned, messages);
  }
}

/** The set of a step's messages by check ID, in plan order (exempt checks left out). */
function collectSet(planned: readonly PlannedCheck[], messages: readonly (ResultMessage | undefined)[]): ResultSet {
  const results: ResultSet = {};
  planned.forEach(({ check }, index) => {
    const message = messages[index];
    if (message) setOwn(results, check.id, message);
  });
  return results;
}

/** Polaris's rule for whether a check runs at a step: target, controller kinds, container kinds. */
export function appliesTo(
  check: CheckDefinition,
  step: { step: Step; input: { object: { kind: string }; isInitContainer: boolean } },
): boolean {
  const kind = step.input.object.kind;
  if (!targetMatches(check.target, step.step, kind)) return false;
  const controllers = check.controllers;
  if (controllers?.include?.length && !controllers.include.includes(kind)) return false;
  if (controllers?.exclude?.includes(kind)) return false;
  if (check.target === 'Container') {
    const type = step.input.isInitContainer ? 'initContainer' : 'container';
    const containers = check.containers;
    if (containers?.include?.length && !containers.include.includes(type)) return false;
    if (containers?.exclude?.includes(type)) return false;
  }
  return true;
}

function targetMatches(target: Target, step: Step, kind: string): boolean {
  if (step === '') {
    // Object-level step: only checks that name a kind ("Pod", "apps/Deployment").
    if ((HANDLED_TARGETS as readonly string[]).includes(target)) return false;
    return target === kind || target.endsWith(`/${kind}`);
  }
  if (step === 'PodSpec') return target === 'PodSpec' || target === 'PodTemplate';
  return target === step;
}

/** A check's outcome for one input; a check that throws gives the error. */
function judge(check: CheckDefinition, input: CheckInput): Verdict | Error {
  try {
    return check.test(input);
  } catch (error) {
    return asError(error);
  }
}

/** A check that throws fails with the reason; it does not stop the audit. */
function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** The message for a check's outcome at one place: shared for a plain pass or fail, anchored mutations when it fails. */
function messageOf(planned: PlannedCheck, success: boolean | Error, pointer: string, config: PolicyConfig, plan: CheckPlan): ResultMessage {
  const { check, shared } = planned;
  if (success instanceof Error) return { ...verdict(check, false, config), Details: [`check failed to run: ${success.message}`] };
  if (success) return plan.verdict(planned, true, config);
  shared.mutates ??= config.mutations.includes(check.id) && (check.mutations?.length ?? 0) > 0;
  if (!shared.mutates) return plan.verdict(planned, false, config);
  const mutations = check.mutations!;
  return plan.mutationVerdict(check, pointer, () => ({ ...verdict(check, false, config), Mutations: mutations.map((operation) => anchor(operation, pointer)) }));
}

function verdict(check: CheckDefinition, success: boolean, config: PolicyConfig): ResultMessage {
  return {
    ID: check.id,
    Message: success ? check.successMessage : check.failureMessage,
    Details: null,
    Success: success,
    Severity: config.checks[check.id] ?? 'warning',
    Category: check.category,
  };
}

function anchor(operation: PatchOperation, pointer: string): PatchOperation {
  return { ...operation, path: pointer + operation.path, ...(operation.from ? { from: pointer + operation.from } : {}) };
}
