// Mutations: the JSON Patch operations failed checks carry, collected per object and applied to objects.
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
  return paths.map((path) => ({ ...operation, path: path.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('') }));
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
