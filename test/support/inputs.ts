// Builds check inputs from YAML written in a test, so a check can be tested on its own,
// reading it with kaji's own loader (normalisation included).
import { addStream, containersOf, findPodSpec, type KubeObject, type LoadResult } from '../../src/kube/index.js';
import { indexRelated } from '../../src/policy/related.js';
import type { CheckDefinition, CheckInput, RelatedObjects } from '../../src/policy/types.js';

/** Reads YAML written in a test the way kaji reads a file (source: test.yaml, the document's line), failing on any problem. */
export function objectsFrom(yamlText: string): KubeObject[] {
  const result: LoadResult = { objects: [], problems: [] };
  addStream(result, yamlText, 'test.yaml');
  if (result.problems.length > 0) throw new Error(`test YAML: ${result.problems.map((p) => `${p.line}: ${p.message}`).join('; ')}`);
  return result.objects;
}

/** A check's input, with the related objects (every document of the test YAML) its related verdicts are decided against. */
export interface TestInput extends CheckInput {
  readonly related: RelatedObjects;
}

/**
 * Every input a check of the given target would see for the FIRST object of the
 * YAML; the other documents are its related objects. Container targets give one
 * input per container (init containers first).
 */
export function inputsFor(check: Pick<CheckDefinition, 'target'>, yamlText: string): TestInput[] {
  const objects = objectsFrom(yamlText);
  const object = objects[0];
  if (!object) throw new Error('no object in test YAML');
  const related = indexRelated(objects);
  const found = findPodSpec(object.raw);
  const base = { object, related, isInitContainer: false, podSpec: found?.spec, podTemplate: found?.template };
  if (check.target === 'Container') {
    if (!found) return [];
    return containersOf(found.spec).map(({ container, isInit }) => ({ ...base, container, isInitContainer: isInit }));
  }
  return [base];
}

/** Runs a check on every input for the first object: true only if all inputs pass. */
export function passes(check: CheckDefinition, yamlText: string): boolean {
  const inputs = inputsFor(check, yamlText);
  if (inputs.length === 0) throw new Error(`no ${check.target} input in test YAML`);
  return inputs.every((input) => verdictOf(check, input));
}

/** A check's verdict on one input, a related verdict decided against the input's related objects. */
export function verdictOf(check: CheckDefinition, input: TestInput): boolean {
  const verdict = check.test(input);
  return typeof verdict === 'function' ? verdict(input.related) : verdict;
}
