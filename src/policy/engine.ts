import { containersOf, findPodSpec, type FoundPodSpec, type KubeObject } from '../kube/index.js';
import { BUILTIN_CHECKS } from './checks/index.js';
import { exemptByAnnotation, exemptByConfig } from './exemptions.js';
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

interface StepInput {
  readonly step: Step;
  readonly input: CheckInput;
  /** JSON Pointer of the step's target within the object, to anchor mutations. */
  readonly pointer: string;
  readonly containerName: string;
}

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
  const checks = enabledChecks(config, options.onlyChecks);
  const related = indexRelated(objects);
  const now = (options.now ?? new Date()).toISOString();
  const results = objects.map((object) => auditObject(object, checks, config, related, now));
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

/** Audits one object against the given checks. */
export function auditObject(
  object: KubeObject,
  checks: readonly CheckDefinition[],
  config: PolicyConfig,
  related: RelatedObjects,
  createdTime = '0001-01-01T00:00:00Z',
): Result {
  const found = findPodSpec(object.raw);
  const base = { object, related, isInitContainer: false, podSpec: found?.spec, podTemplate: found?.template };
  const topLevel: StepInput[] = [{ step: '', input: base, pointer: '', containerName: '' }];
  const result: Result = {
    Name: object.name,
    Namespace: object.namespace,
    Kind: object.kind,
    Results: {},
    CreatedTime: createdTime,
    Source: { File: object.source.file, Line: object.source.line },
  };
  if (!found) {
    result.Results = runChecks(checks, topLevel, config);
    return result;
  }
  topLevel.unshift({ step: 'Controller', input: base, pointer: '', containerName: '' });
  result.Results = runChecks(checks, topLevel, config);
  result.PodResult = {
    Name: '',
    Results: runChecks(checks, [{ step: 'PodSpec', input: base, pointer: found.path, containerName: '' }], config),
    ContainerResults: containerSteps(base, found).map((step) => ({
      Name: step.containerName,
      Results: runChecks(checks, [step], config),
    })),
  };
  return result;
}

function containerSteps(base: CheckInput, found: FoundPodSpec): StepInput[] {
  return containersOf(found.spec).map(({ container, isInit, index }) => ({
    step: 'Container',
    input: { ...base, container, isInitContainer: isInit },
    pointer: `${found.path}/${isInit ? 'initContainers' : 'containers'}/${index}`,
    containerName: typeof container.name === 'string' ? container.name : '',
  }));
}

function runChecks(checks: readonly CheckDefinition[], steps: readonly StepInput[], config: PolicyConfig): ResultSet {
  // Checks outermost, so result keys come in ID order, as Polaris's JSON (a Go map) lists them.
  const results: ResultSet = {};
  for (const check of checks) {
    for (const step of steps) {
      if (!appliesTo(check, step) || isExempt(check, step, config)) continue;
      results[check.id] = judge(check, step, config);
    }
  }
  return results;
}

function isExempt(check: CheckDefinition, step: StepInput, config: PolicyConfig): boolean {
  const object = step.input.object;
  return exemptByAnnotation(object, check.id, config) || exemptByConfig(object, check.id, step.containerName, config);
}

/** Polaris's rule for whether a check runs at a step: target, controller kinds, container kinds. */
export function appliesTo(check: CheckDefinition, step: Pick<StepInput, 'step' | 'input'>): boolean {
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

function judge(check: CheckDefinition, step: StepInput, config: PolicyConfig): ResultMessage {
  let success: boolean;
  let details: string[] | null = null;
  try {
    success = check.test(step.input);
  } catch (error) {
    success = false;
    details = [`check failed to run: ${(error as Error).message}`];
  }
  const message: ResultMessage = {
    ID: check.id,
    Message: success ? check.successMessage : check.failureMessage,
    Details: details,
    Success: success,
    Severity: config.checks[check.id] ?? 'warning',
    Category: check.category,
  };
  if (!success && config.mutations.includes(check.id) && check.mutations?.length) {
    message.Mutations = check.mutations.map((operation) => anchor(operation, step.pointer));
  }
  return message;
}

function anchor(operation: PatchOperation, pointer: string): PatchOperation {
  return { ...operation, path: pointer + operation.path, ...(operation.from ? { from: pointer + operation.from } : {}) };
}
