// Mutations: the JSON Patch operations failed checks carry, collected per object, applied to objects,
// and made into a patch valid against the object (safePatch: what /mutate answers, what synth compares).
import { nestUnderMissingParents, parseJsonPointer, type JsonValue } from '../kube/index.js';
import type { PatchOperation, Result, ResultSet } from './types.js';

/** The mutation of one failed check at one target (the object, its pod spec, or one container). */
export interface CheckMutation {
  readonly check: string;
  /** The container's name for container checks, else empty. */
  readonly container: string;
  readonly operations: readonly PatchOperation[];
}

/** Every mutation of one object's result, in a stable order: object checks, pod checks, then containers in order; checks by ID. */
export function checkMutationsOf(result: Result): CheckMutation[] {
  const fromSet = (set: ResultSet, container: string): CheckMutation[] =>
    Object.keys(set)
      .sort()
      .map((id) => set[id]!)
      .filter((message) => !message.Success && message.Mutations?.length)
      .map((message) => ({ check: message.ID, container, operations: message.Mutations! }));
  return [
    ...fromSet(result.Results, ''),
    ...(result.PodResult ? fromSet(result.PodResult.Results, '') : []),
    ...(result.PodResult?.ContainerResults ?? []).flatMap((container) => fromSet(container.Results, container.Name)),
  ];
}

/** The operations of `checkMutationsOf`, flattened. */
export function mutationsOf(result: Result): PatchOperation[] {
  return checkMutationsOf(result).flatMap((mutation) => mutation.operations);
}

/** A mutation that cannot be applied: a missing path, a failed `test`. */
export class PatchError extends Error {}

/**
 * Applies JSON Patch operations to a copy of a value and returns it (the input is
 * not changed). As in `applyPatchToYaml`, `add` creates missing parents (mappings,
 * or lists where the next segment is `-` or `0`), as Polaris's mutations expect.
 */
export function applyMutations(value: JsonValue, operations: readonly PatchOperation[]): JsonValue {
  return applyMutationsInPlace(structuredClone(value), operations);
}

/**
 * applyMutations without the copy: changes `document` itself and returns it
 * (or the new root, when an operation replaces the whole document). A single
 * concrete operation that throws a PatchError has changed nothing, except a
 * `move`, whose removal may already have happened.
 */
export function applyMutationsInPlace(document: JsonValue, operations: readonly PatchOperation[]): JsonValue {
  let result = document;
  for (const operation of operations) {
    for (const concrete of expandWildcards(result, operation)) result = applyOne(result, concrete);
  }
  return result;
}

/**
 * Polaris's wildcard paths: a `*` segment stands for every item of a list (or
 * key of a mapping) in the document (hostPortSet removes `hostPort` from every port so). `remove`,
 * `replace` and `test` expand to the paths that exist; `add` to every item.
 * Removals come last-first so list indexes stay valid. Paths without `*` are returned as they are.
 */
export function expandWildcards(document: JsonValue, operation: PatchOperation): PatchOperation[] {
  const segments = parseJsonPointer(operation.path);
  if (!segments.includes('*')) return [operation];
  const paths: string[][] = [];
  const walk = (node: JsonValue | undefined, done: string[], rest: readonly string[]): void => {
    const [head, ...tail] = rest;
    if (head === undefined) {
      if (operation.op === 'add' || node !== undefined) paths.push(done);
    } else if (head === '*') {
      if (isContainer(node)) for (const key of Object.keys(node)) walk((node as Record<string, JsonValue>)[key], [...done, key], tail);
    } else {
      walk(isContainer(node) ? (node as Record<string, JsonValue>)[head] : undefined, [...done, head], tail);
    }
  };
  walk(document, [], segments);
  if (operation.op === 'remove') paths.reverse();
  return paths.map((path) => ({ ...operation, path: pointer(path) }));
}

/**
 * Turns the engine's mutations into a JSON Patch (RFC 6902) that is valid against
 * `object` as the apiserver holds it: wildcards expanded, missing parents created
 * with explicit `add` of `{}` (or `[]`), `replace` of a missing path made an `add`,
 * and operations that still cannot apply (a `remove` of a missing path, a failed
 * `test`, an index out of range) dropped. Each kept operation is applied to a
 * working copy, so later operations are checked against the patched document.
 */
export function safePatch(object: JsonValue, operations: readonly PatchOperation[]): PatchOperation[] {
  // One working copy, changed in place: a copy per operation made a pod with
  // thousands of containers cost seconds. A failed operation changes nothing;
  // a `move` (a removal, then an add) and a group of adds are undone from a snapshot.
  let document = structuredClone(object);
  const patch: PatchOperation[] = [];
  const tryApply = (operation: PatchOperation): boolean => {
    const snapshot = operation.op === 'move' ? structuredClone(document) : undefined;
    try {
      document = applyMutationsInPlace(document, [operation]);
      // Only RFC 6902 members (the engine's operations may carry a comment for `kaji fix`).
      const { op, path, value, from } = operation;
      patch.push({ op, path, ...(value !== undefined ? { value } : {}), ...(from !== undefined ? { from } : {}) });
      return true;
    } catch (error) {
      if (snapshot !== undefined) document = snapshot;
      if (error instanceof PatchError) return false;
      throw error;
    }
  };
  for (const operation of operations) {
    for (const concrete of expandWildcards(document, operation)) {
      let step = concrete;
      step = replaceMissingAsAdd(document, step);
      if (step.op === 'add') {
        const steps = withParents(document, step);
        if (steps === undefined) continue;
        if (steps.length === 1) {
          tryApply(steps[0]!);
          continue;
        }
        const before = { document: structuredClone(document), length: patch.length };
        if (!steps.every(tryApply)) {
          document = before.document;
          patch.length = before.length;
        }
        continue;
      }
      tryApply(step);
    }
  }
  return patch;
}

/**
 * A `replace` of a path `document` does not have, as an `add` (which creates missing parents):
 * Polaris applies the two alike, and its insecureCapabilities replaces securityContext.capabilities
 * on containers that have none. Other operations as they are.
 */
export function replaceMissingAsAdd(document: JsonValue, operation: PatchOperation): PatchOperation {
  return operation.op === 'replace' && valueAt(document, operation.path) === undefined ? { ...operation, op: 'add' } : operation;
}

function pointer(segments: readonly string[]): string {
  return segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function valueAt(document: JsonValue, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = document;
  for (const segment of parseJsonPointer(path)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = Array.isArray(node) ? (/^(0|[1-9][0-9]*)$/.test(segment) ? node[Number(segment)] : undefined) : node[segment];
  }
  return node;
}

/**
 * An `add` preceded by the `add` operations that create its missing (or null) parents,
 * outermost first; undefined when a parent cannot be created (a scalar in the way, a
 * missing list item).
 */
function withParents(document: JsonValue, add: PatchOperation): PatchOperation[] | undefined {
  const segments = parseJsonPointer(add.path);
  const operations: PatchOperation[] = [];
  let node: JsonValue | undefined = document;
  for (let depth = 0; depth < segments.length - 1; depth++) {
    const segment = segments[depth]!;
    let child: JsonValue | undefined;
    if (node === undefined || node === null) {
      child = undefined;
    } else if (Array.isArray(node)) {
      child = /^(0|[1-9][0-9]*)$/.test(segment) ? node[Number(segment)] : undefined;
      if (child === undefined || child === null) return undefined;
    } else if (typeof node === 'object') {
      child = node[segment];
    } else {
      return undefined;
    }
    if (child === undefined || child === null) {
      const rest = segments.slice(depth + 1);
      if (rest.slice(0, -1).some((s) => s === '-' || s === '0')) {
        // A list would have to be created on the way: one `add` of the whole nested value
        // replaces the operation (`{ "a": [ { "b": 1 } ] }` rather than `add /a/-/b`).
        const nested = nestUnderMissingParents(rest, structuredClone(add.value ?? null));
        return [...operations, { op: 'add', path: pointer(segments.slice(0, depth + 1)), value: nested }];
      }
      const next = segments[depth + 1]!;
      operations.push({ op: 'add', path: pointer(segments.slice(0, depth + 1)), value: next === '-' || next === '0' ? [] : {} });
      node = undefined;
    } else {
      node = child;
    }
  }
  return [...operations, add];
}

type Container = JsonValue[] | { [key: string]: JsonValue };

function applyOne(document: JsonValue, operation: PatchOperation): JsonValue {
  const path = parseJsonPointer(operation.path);
  const fail = (why: string) => new PatchError(`${operation.op} ${operation.path || '""'}: ${why}`);
  if (operation.op === 'copy' || operation.op === 'move') {
    if (operation.from === undefined) throw fail('the operation has no "from"');
    const value = structuredClone(get(document, parseJsonPointer(operation.from), fail));
    const rest = operation.op === 'move' ? applyOne(document, { op: 'remove', path: operation.from }) : document;
    return applyOne(rest, { op: 'add', path: operation.path, value });
  }
  if (operation.op === 'test') {
    if (JSON.stringify(get(document, path, fail)) !== JSON.stringify(operation.value)) throw fail('the value differs');
    return document;
  }
  if (path.length === 0) {
    if (operation.op === 'remove') throw fail('cannot remove the whole document');
    return structuredClone(operation.value ?? null);
  }
  const key = path[path.length - 1]!;
  let parent: JsonValue = document;
  for (let depth = 0; depth < path.length - 1; depth++) {
    const segment = path[depth]!;
    const child = isContainer(parent) ? (parent as Record<string, JsonValue>)[segment] : undefined;
    const missing = child === null || (child === undefined && !Array.isArray(parent));
    if (operation.op === 'add' && missing && isContainer(parent)) {
      (parent as Record<string, JsonValue>)[segment] = nestUnderMissingParents(path.slice(depth + 1), structuredClone(operation.value ?? null));
      return document;
    }
    if (child === undefined || child === null || !isContainer(child)) throw fail(`${segment} does not exist`);
    parent = child;
  }
  if (!isContainer(parent)) throw fail('the parent is not a mapping or a list');
  const value = structuredClone(operation.value ?? null);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : NaN;
    const limit = operation.op === 'add' ? parent.length : parent.length - 1;
    if (!(index <= limit)) throw fail(`index ${key} is out of range`);
    if (operation.op === 'add') parent.splice(index, 0, value);
    else if (operation.op === 'remove') parent.splice(index, 1);
    else parent[index] = value;
    return document;
  }
  if (operation.op !== 'add' && !(key in parent)) throw fail(`${key} does not exist`);
  if (operation.op === 'remove') delete parent[key];
  else parent[key] = value;
  return document;
}

function isContainer(value: JsonValue | undefined): value is Container {
  return typeof value === 'object' && value !== null;
}

function get(document: JsonValue, path: readonly string[], fail: (why: string) => Error): JsonValue {
  let node: JsonValue | undefined = document;
  for (const segment of path) {
    node = isContainer(node) ? (node as Record<string, JsonValue>)[segment] : undefined;
    if (node === undefined) throw fail(`${segment} does not exist`);
  }
  return node;
}
