// An independent oracle for check mutations: fast-json-patch plus the two
// liberties Polaris's applier takes (missing parents are created, a removal of
// something absent is skipped, `*` stands for every list index).
import fastJsonPatch from 'fast-json-patch';
import type { JsonObject, JsonValue } from '../../src/kube/index.js';
import type { CheckDefinition } from '../../src/policy/types.js';

const { applyPatch } = fastJsonPatch;

/** Polaris expands `*` in a mutation path to every list index that has the rest of the path. */
export function expandWildcard(target: JsonObject, path: string): string[] {
  const star = path.indexOf('/*/');
  if (star < 0) return [path];
  const listPath = path.slice(0, star);
  const rest = path.slice(star + 2);
  const list = listPath.split('/').slice(1).reduce<JsonValue | undefined>((node, key) => (node as JsonObject | undefined)?.[key], target);
  return Array.isArray(list) ? list.map((_, index) => `${listPath}/${index}${rest}`) : [];
}

/** Applies a check's mutations to a copy of its target (pod spec or container), creating missing parents as Polaris's applier does. */
export function mutate(definition: CheckDefinition, target: JsonObject): JsonObject {
  const copy = structuredClone(target);
  for (const { op, path: pattern, value } of definition.mutations ?? []) {
    for (const path of expandWildcard(copy, pattern)) {
      const keys = path.split('/').slice(1);
      let parent: JsonValue = copy;
      for (const key of keys.slice(0, -1)) {
        const holder = parent as JsonObject;
        if (typeof holder[key] !== 'object' || holder[key] === null) holder[key] = {};
        parent = holder[key];
      }
      if (op === 'remove' && !(keys.at(-1)! in (parent as JsonObject))) continue;
      applyPatch(copy, [op === 'remove' ? { op, path } : { op: op as 'add', path, value: value ?? null }]);
    }
  }
  return copy;
}
