import { containersOf, findPodSpec, type FoundPodSpec, type KubeObject } from '../kube/index.js';
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
  type Result,
  type ResultMessage,
  type ResultSet,
  type Target,
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
    .map((id) => config.customChecks[id] ?? BUILTIN_CHECKS.get(id))
    .filter((check): check is CheckDefinition => check !== undefined);
}

/** Audits objects with a configuration: one Result per object, in input order, and the score. */
export function auditObjects(objects: readonly KubeObject[], config: PolicyConfig, options: AuditOptions = {}): AuditData {
  const plan = planChecks(enabledChecks(config, options.onlyChecks));
  const related = indexRelated(objects);
  const now = (options.now ?? new Date()).toISOString();
  const results = objects.map((object) => auditObject(object, plan, config, related, now));
  const namespaces = new Set(objects.map((object) => object.namespace).filter(Boolean));
  return {
    PolarisOutputVersion: '1.0',
    AuditTime: now,
    SourceType: options.sourceType ?? 'Path',
    SourceName: options.sourceName ?? '',
    DisplayName: options.sourceName ?? '',
    ClusterInfo: {
      Version: 'unknown',
      Nodes: 0,
      Pods: objects.filter((object) => object.kind === 'Pod').length,
      Namespaces: namespaces.size,
      Controllers: results.filter((result) => result.PodResult).length,
    },
    Results: results,
    Score: scoreOf(countResults(results)),
  };
}

/** A check and the step it runs at. */
interface PlannedCheck {
  readonly check: CheckDefinition;
  readonly step: Step;
}

/** Which checks run where, per kind, worked out once per kind rather than once per object. */
export interface CheckPlan {
  /** Object-level checks (Controller target for workloads, plus kind targets), in ID order. */
  topLevel(kind: string, isWorkload: boolean): readonly PlannedCheck[];
  pod(kind: string): readonly PlannedCheck[];
  container(kind: string, isInit: boolean): readonly PlannedCheck[];
  /**
   * The shared, frozen message for a plain pass or fail of a check: every object
   * gets the same one, which saves an allocation per check per object.
   */
  verdict(check: CheckDefinition, success: boolean, make: () => ResultMessage): ResultMessage;
  /** The shared, frozen failure of a check with mutations, anchored at one place of the object (such as one container). */
  mutationVerdict(check: CheckDefinition, pointer: string, make: () => ResultMessage): ResultMessage;
  /**
   * The result set of one step from its planned checks' messages (undefined:
   * exempt). A set made only of shared verdicts is interned: objects with the
   * same outcomes (most objects of a kind) share one frozen set, which saves
   * memory and lets a report print each distinct set once.
   */
  resultSet(planned: readonly PlannedCheck[], messages: readonly (ResultMessage | undefined)[]): ResultSet;
}

export function planChecks(checks: readonly CheckDefinition[]): CheckPlan {
  // Plans by kind, one map per place (no key built per object).
  const cache = new Map<string, Map<string, PlannedCheck[]>>();
  const select = (place: string, steps: readonly Step[], kind: string, isInit: boolean) => {
    let byKind = cache.get(place);
    if (!byKind) cache.set(place, (byKind = new Map()));
    let planned = byKind.get(kind);
    if (!planned) {
      // Checks outermost, so results come in ID order, as Polaris's JSON (a Go map) lists them.
      planned = checks.flatMap((check) =>
        steps
          .filter((step) => appliesTo(check, { step, input: { object: { kind }, isInitContainer: isInit } }))
          .map((step) => ({ check, step })),
      );
      byKind.set(kind, planned);
    }
    return planned;
  };
  return {
    ...shareResults(),
    topLevel: (kind, isWorkload) => (isWorkload ? select('workload', ['Controller', ''], kind, false) : select('object', [''], kind, false)),
    pod: (kind) => select('pod', ['PodSpec'], kind, false),
    container: (kind, isInit) => (isInit ? select('initContainer', ['Container'], kind, true) : select('container', ['Container'], kind, false)),
  };
}

// Bounds on what a plan shares: the webhook keeps one plan per configuration
// for as long as it runs, so odd input (a pod with 10,000 containers) must not
// grow it for good. Past them, messages and sets are made per object.
const MAX_SHARED_MESSAGES = 4096;
const MAX_INTERNED_SETS = 4096;

/** The sharing half of a plan: shared verdicts and interned result sets (see CheckPlan). */
function shareResults(): Pick<CheckPlan, 'verdict' | 'mutationVerdict' | 'resultSet'> {
  const verdicts = new Map<CheckDefinition, { pass?: ResultMessage; fail?: ResultMessage }>();
  let internedSets = 0;
  const verdictIds = new Map<ResultMessage, number>();
  const share = (message: ResultMessage) => {
    verdictIds.set(message, verdictIds.size + 1);
    return Object.freeze(message);
  };
  const sets = new Map<readonly PlannedCheck[], Map<string, ResultSet>>();
  const mutationVerdicts = new Map<CheckDefinition, Map<string, ResultMessage>>();
  return {
    verdict(check, success, make) {
      let shared = verdicts.get(check);
      if (!shared) verdicts.set(check, (shared = {}));
      if (success) return (shared.pass ??= share(make()));
      return (shared.fail ??= share(make()));
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
      // The key: one character per planned check, its verdict's number (0 when exempt).
      const codes: number[] = [];
      for (const message of messages) {
        const id = message === undefined ? 0 : verdictIds.get(message);
        // A message of its own (an error, or past the bound) is not shared: nor is its set.
        if (id === undefined) return collectSet(planned, messages);
        codes.push(id);
      }
      const key = String.fromCharCode(...codes);
      let byKey = sets.get(planned);
      if (!byKey) sets.set(planned, (byKey = new Map()));
      const interned = byKey.get(key);
      if (interned) return interned;
      if (internedSets >= MAX_INTERNED_SETS) return collectSet(planned, messages);
      internedSets += 1;
      const set = Object.freeze(collectSet(planned, messages));
      byKey.set(key, set);
      return set;
    },
  };
}

/** Audits one object with a plan of checks. */
export function auditObject(
  object: KubeObject,
  plan: CheckPlan,
  config: PolicyConfig,
  related: RelatedObjects,
  createdTime = '0001-01-01T00:00:00Z',
): Result {
  const found = findPodSpec(object.raw);
  const exempt = exemptionsFor(object, config);
  const base: CheckInput = { object, related, isInitContainer: false, podSpec: found?.spec, podTemplate: found?.template };
  const topLevel = { input: base, pointer: '', containerName: '' };
  const result: Result = {
    Name: object.name,
    Namespace: object.namespace,
    Kind: object.kind,
    Results: runChecks(plan.topLevel(object.kind, found !== undefined), topLevel, config, exempt, plan),
    CreatedTime: createdTime,
    Source: { File: object.source.file, Line: object.source.line },
  };
  if (!found) return result;
  result.PodResult = {
    Name: '',
    Results: runChecks(plan.pod(object.kind), { input: base, pointer: found.path, containerName: '' }, config, exempt, plan),
    ContainerResults: containerTargets(base, found).map((target) => ({
      Name: target.containerName,
      Results: runChecks(plan.container(object.kind, target.input.isInitContainer), target, config, exempt, plan),
    })),
  };
  return result;
}

/** What a step's checks run against, and where in the object it is (to anchor mutations). */
interface StepTarget {
  readonly input: CheckInput;
  readonly pointer: string;
  readonly containerName: string;
}

function containerTargets(base: CheckInput, found: FoundPodSpec): StepTarget[] {
  return containersOf(found.spec).map(({ container, isInit, index }) => ({
    input: { ...base, container, isInitContainer: isInit },
    pointer: `${found.path}/${isInit ? 'initContainers' : 'containers'}/${index}`,
    containerName: typeof container.name === 'string' ? container.name : '',
  }));
}

function runChecks(planned: readonly PlannedCheck[], target: StepTarget, config: PolicyConfig, exempt: ExemptionTest, plan: CheckPlan): ResultSet {
  const messages = planned.map(({ check }) => (exempt(check.id, target.containerName) ? undefined : judge(check, target, config, plan)));
  return plan.resultSet(planned, messages);
}

/** The set of a step's messages by check ID, in plan order (exempt checks left out). */
function collectSet(planned: readonly PlannedCheck[], messages: readonly (ResultMessage | undefined)[]): ResultSet {
  const results: ResultSet = {};
  planned.forEach(({ check }, index) => {
    const message = messages[index];
    if (message) results[check.id] = message;
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

function judge(check: CheckDefinition, step: StepTarget, config: PolicyConfig, plan: CheckPlan): ResultMessage {
  let success: boolean;
  try {
    success = check.test(step.input);
  } catch (error) {
    return { ...verdict(check, false, config), Details: [`check failed to run: ${(error as Error).message}`] };
  }
  if (!success && config.mutations.includes(check.id) && check.mutations?.length) {
    const mutations = check.mutations;
    return plan.mutationVerdict(check, step.pointer, () => ({ ...verdict(check, false, config), Mutations: mutations.map((operation) => anchor(operation, step.pointer)) }));
  }
  return plan.verdict(check, success, () => verdict(check, success, config));
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
