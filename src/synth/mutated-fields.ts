// Fields a service's manifest sets that the admission webhook's mutations would change. Argo CD
// compares the live object with the manifest: it would find the field changed after every sync,
// and with selfHeal apply the manifest again, which the webhook patches again, so the application
// is never in sync. A danger of its service, like an apiVersion its cluster no longer serves; the
// fix is in the manifest: the value the policy wants. Fields the manifest leaves out are no
// matter: Argo CD does not compare what the manifest does not set.
import { apiGroupOf, displayPath, pathText, resourceOfKind, valueText, type JsonValue, type KubeObject } from '../kube/index.js';
import { MUTATE_RULES, WEBHOOK_EXCLUDED_NAMESPACES, type PlatformDefinition, type ServiceDefinition } from '../platform/index.js';
import { applyMutations, checkMutationsOf, safePatch, type CheckMutation, type Result } from '../policy/index.js';
import { violation, type BoundaryViolation } from './boundaries.js';

/** A field of the manifest a mutation changes: its path, and its value before and after (undefined: removed). */
interface ChangedField {
  readonly path: readonly (string | number)[];
  readonly before: JsonValue;
  readonly after: JsonValue | undefined;
}

/**
 * The objects of a service (with their audit results, in the same order) whose manifest sets a
 * field the webhook's /mutate would change when Argo CD applies them.
 */
export function mutatedFieldViolations(
  platform: PlatformDefinition,
  service: ServiceDefinition,
  objects: readonly KubeObject[],
  results: readonly Result[],
): BoundaryViolation[] {
  if (!platform.webhook.enabled) return [];
  return objects.flatMap((object, index) => {
    if (!sentToMutate(object, service)) return [];
    return checkMutationsOf(results[index]!).flatMap((mutation) =>
      changedFields(object.raw, mutation).map((field) =>
        violation(service.name, object, { rule: 'mutatedField', message: describe(object, mutation, field) }),
      ),
    );
  });
}

/** Whether the generated MutatingWebhookConfiguration sends the object to /mutate (its kind, outside the excluded namespaces). */
function sentToMutate(object: KubeObject, service: ServiceDefinition): boolean {
  if (WEBHOOK_EXCLUDED_NAMESPACES.includes(object.namespace || service.namespace)) return false;
  const group = apiGroupOf(object.apiVersion);
  const resource = resourceOfKind(object.kind);
  return MUTATE_RULES.some((rule) => (rule.apiGroups as string[]).includes(group) && (rule.resources as string[]).includes(resource));
}

/** The fields the manifest sets that the webhook's patch for one check would change or remove. */
function changedFields(raw: JsonValue, mutation: CheckMutation): ChangedField[] {
  const patch = safePatch(raw, mutation.operations);
  return patch.length ? differences(raw, applyMutations(raw, patch), []) : [];
}

/**
 * Where `after` no longer holds what `before` set: a scalar changed, a key removed, a list of
 * another length (Argo CD compares a list whole). What `after` adds beside `before`'s keys is not a difference.
 */
function differences(before: JsonValue, after: JsonValue | undefined, path: (string | number)[]): ChangedField[] {
  if (Array.isArray(before)) {
    if (!Array.isArray(after) || after.length !== before.length) return [{ path, before, after }];
    return before.flatMap((item, index) => differences(item, after[index], [...path, index]));
  }
  if (typeof before === 'object' && before !== null) {
    if (typeof after !== 'object' || after === null || Array.isArray(after)) return [{ path, before, after }];
    return Object.entries(before).flatMap(([key, value]) => differences(value, Object.hasOwn(after, key) ? after[key] : undefined, [...path, key]));
  }
  return before === after ? [] : [{ path, before, after }];
}

function describe(object: KubeObject, mutation: CheckMutation, { path, before, after }: ChangedField): string {
  const field = pathText(path);
  const change = after === undefined ? `removes ${field} (${valueText(before)})` : `changes ${field} from ${valueText(before)} to ${valueText(after)}`;
  const fix = after === undefined ? `remove ${field} from the manifest` : `set ${field} to ${valueText(after)} in the manifest`;
  const container = mutation.container ? ` (container ${mutation.container})` : '';
  return (
    `rendered by ${displayPath(object.source.file)}: the admission webhook's mutation for ${mutation.check}${container} ${change}, which the manifest sets, ` +
    `so Argo CD would find it changed after every sync and never in sync; ${fix}, as the policy wants`
  );
}
