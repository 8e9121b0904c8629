// RBAC checks: roles that allow `pods/exec` or `pods/attach`, and bindings to
// roles with cluster-admin-like wildcard permissions.
//
// A binding check passes only if the role it names is among the related objects
// (same namespace, or no namespace) and is safe: Polaris reads "role not found"
// as a failure. Default objects (names starting with "system:" and a few others)
// are not reported. Where Polaris's schema always asks for at least one role of
// the kind to exist (clusterrolebindingPodExecAttach, rolebindingClusterAdminRole),
// kaji asks the same.
import { isObject, splitGroupKind, type JsonObject, type JsonValue, type KubeObject } from '../../kube/index.js';
import type { CheckDefinition, RelatedVerdict } from '../types.js';
import { goTemplateText, hasKey, relatedVisibleFrom, valueAt } from './fields.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const CLUSTER_ROLE = `${RBAC_GROUP}/ClusterRole`;
const ROLE = `${RBAC_GROUP}/Role`;
const GCE_CALICO = 'gce:podsecuritypolicy:calico-sa';

type RuleTest = (rule: JsonObject) => boolean;

/** True when the list is an array holding one of the strings (JSON Schema `contains` + `const`). */
function listContains(value: JsonValue | undefined, wanted: readonly string[]): boolean {
  return Array.isArray(value) && value.some((item) => typeof item === 'string' && wanted.includes(item));
}

function hasRuleFields(rule: JsonObject): boolean {
  return hasKey(rule, 'apiGroups') && hasKey(rule, 'resources') && hasKey(rule, 'verbs');
}

const CORE_GROUPS = ['', '*'];
const EXEC_RESOURCES = ['*', 'pods/exec', 'pods/attach'];
const EXEC_VERBS = ['*', 'get', 'create'];
const ANY = ['*'];

/** A rule that lets its subject exec into or attach to pods (a `get` on the websocket is enough). */
const allowsExecOrAttach: RuleTest = (rule) =>
  hasRuleFields(rule) &&
  listContains(rule.apiGroups, CORE_GROUPS) &&
  listContains(rule.resources, EXEC_RESOURCES) &&
  listContains(rule.verbs, EXEC_VERBS);

const ALL_WRITE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Items compared as JSON values, for `uniqueItems`. */
function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Verbs of a wildcard rule: distinct, and either "*" or every one of the seven common verbs (and nothing else). */
function isAllVerbs(verbs: JsonValue | undefined): boolean {
  if (!Array.isArray(verbs)) return false;
  if (new Set(verbs.map(canonicalJson)).size !== verbs.length) return false;
  if (listContains(verbs, ANY)) return true;
  return verbs.length >= 7 && verbs.every((verb) => typeof verb === 'string' && ALL_WRITE_VERBS.includes(verb));
}

/** A rule granting everything on everything, as cluster-admin does. */
const grantsEverything: RuleTest = (rule) =>
  hasRuleFields(rule) && listContains(rule.apiGroups, ANY) && listContains(rule.resources, ANY) && isAllVerbs(rule.verbs);

/** True when `rules` is a list of objects none of which is dangerous. */
function rulesAvoid(rules: JsonValue | undefined, dangerous: RuleTest): boolean {
  return Array.isArray(rules) && rules.every((rule) => isObject(rule) && !dangerous(rule));
}

/** True when the object's name is a string that starts with "system:" or is one of the others. */
function hasDefaultName(object: KubeObject, others: readonly string[]): boolean {
  const name = valueAt(object.raw, 'metadata', 'name');
  return typeof name === 'string' && (name.startsWith('system:') || others.includes(name));
}

const roleMessages = (kind: string) => ({
  successMessage: `The ${kind} does not allow pods/exec or pods/attach`,
  failureMessage: `The ${kind} allows Pods/exec or pods/attach`,
});

const clusterrolePodExecAttach: CheckDefinition = {
  id: 'clusterrolePodExecAttach',
  category: 'Security',
  target: CLUSTER_ROLE,
  ...roleMessages('ClusterRole'),
  test: ({ object }) =>
    hasKey(object.raw, 'rules') &&
    (hasDefaultName(object, ['admin', 'cluster-admin', 'edit', GCE_CALICO]) ||
      rulesAvoid(object.raw.rules, allowsExecOrAttach)),
};

const rolePodExecAttach: CheckDefinition = {
  id: 'rolePodExecAttach',
  category: 'Security',
  target: ROLE,
  ...roleMessages('Role'),
  test: ({ object }) =>
    hasKey(object.raw, 'rules') &&
    (hasDefaultName(object, [GCE_CALICO]) ||
      (typeof valueAt(object.raw, 'metadata', 'name') === 'string' && rulesAvoid(object.raw.rules, allowsExecOrAttach))),
};

// ---- bindings ----

interface RoleRefRule {
  readonly kind: 'Role' | 'ClusterRole';
  /** apiGroup, kind and name must all be given, apiGroup being rbac.authorization.k8s.io. */
  readonly complete?: boolean;
  /** name must be a non-empty string (other than `forbiddenName`). */
  readonly named?: boolean;
  readonly forbiddenName?: string;
}

/**
 * Polaris's roleRef conditions. As in JSON Schema, they constrain roleRef only
 * when it is an object: a binding whose roleRef is, say, a string passes them.
 */
function roleRefIs(binding: KubeObject, rule: RoleRefRule): boolean {
  if (!hasKey(binding.raw, 'roleRef')) return false;
  const ref = binding.raw.roleRef;
  if (!isObject(ref)) return true;
  if (!hasKey(ref, 'kind') || ref.kind !== rule.kind) return false;
  if (rule.complete && !(hasKey(ref, 'apiGroup') && hasKey(ref, 'name') && ref.apiGroup === RBAC_GROUP)) return false;
  if (rule.named && !(typeof ref.name === 'string' && ref.name !== '' && ref.name !== rule.forbiddenName)) return false;
  return true;
}

function roleRefField(binding: KubeObject, key: 'kind' | 'name'): JsonValue | undefined {
  return valueAt(binding.raw, 'roleRef', key);
}

/** True when a role the binding can see (its namespace, or none) has the binding's roleRef name and only rules that are not dangerous. */
function referencedRoleIsSafe(binding: KubeObject, groupKind: string, dangerous: RuleTest): RelatedVerdict {
  const wantedName = goTemplateText(roleRefField(binding, 'name'));
  const namespace = binding.namespace;
  return (related) =>
    relatedVisibleFrom(related, groupKind, namespace).some(
      (role) =>
        hasKey(role.raw, 'metadata') &&
        hasKey(role.raw, 'rules') &&
        valueAt(role.raw, 'metadata', 'name') === wantedName &&
        rulesAvoid(role.raw.rules, dangerous),
    );
}

/** True when the binding can see some role of the kind. */
function someRoleVisible(binding: KubeObject, groupKind: string): RelatedVerdict {
  const namespace = binding.namespace;
  return (related) => relatedVisibleFrom(related, groupKind, namespace).length > 0;
}

interface BindingCheckSpec {
  readonly id: string;
  readonly target: string;
  readonly successMessage: string;
  readonly failureMessage: string;
  /** Bindings passing any of these need no role lookup (Polaris's top-level anyOf). */
  readonly passes: (binding: KubeObject) => boolean;
  /** Whether the referenced role must be looked up (else Polaris's templated schema is empty). */
  readonly needsRole: (binding: KubeObject) => boolean;
  readonly roleKind: string;
  readonly dangerous: RuleTest;
  /** Polaris's schema asks for at least one role of the kind even when it needs no particular one. */
  readonly alwaysNeedsSomeRole?: boolean;
}

function bindingCheck(spec: BindingCheckSpec): CheckDefinition {
  return {
    id: spec.id,
    category: 'Security',
    target: spec.target,
    successMessage: spec.successMessage,
    failureMessage: spec.failureMessage,
    relatedKinds: [splitGroupKind(spec.roleKind).kind],
    test: ({ object }) => {
      if (!spec.passes(object)) return false;
      if (spec.needsRole(object)) return referencedRoleIsSafe(object, spec.roleKind, spec.dangerous);
      return !spec.alwaysNeedsSomeRole || someRoleVisible(object, spec.roleKind);
    },
  };
}

const CLUSTER_BINDING_DEFAULTS = ['cluster-admin', GCE_CALICO];
const BINDING_DEFAULTS = [GCE_CALICO];

const clusterrolebindingPodExecAttach = bindingCheck({
  id: 'clusterrolebindingPodExecAttach',
  target: `${RBAC_GROUP}/ClusterRoleBinding`,
  successMessage: 'The ClusterRoleBinding does not reference a ClusterRole allowing pods/exec or pods/attach',
  failureMessage:
    'The ClusterRoleBinding references a ClusterRole that allows Pods/exec, allows pods/attach, or that does not exist',
  passes: (binding) =>
    hasDefaultName(binding, CLUSTER_BINDING_DEFAULTS) ||
    roleRefIs(binding, { kind: 'ClusterRole', complete: true, named: true }),
  needsRole: (binding) => roleRefField(binding, 'name') !== 'view' && !hasDefaultName(binding, CLUSTER_BINDING_DEFAULTS),
  roleKind: CLUSTER_ROLE,
  dangerous: allowsExecOrAttach,
  alwaysNeedsSomeRole: true,
});

const rolebindingClusterRolePodExecAttach = bindingCheck({
  id: 'rolebindingClusterRolePodExecAttach',
  target: `${RBAC_GROUP}/RoleBinding`,
  successMessage: 'The RoleBinding does not reference a ClusterRole allowing pods/exec or pods/attach',
  failureMessage:
    'The RoleBinding references a ClusterRole that allows Pods/exec, allows pods/attach, or that does not exist',
  passes: (binding) =>
    roleRefIs(binding, { kind: 'Role' }) ||
    hasDefaultName(binding, BINDING_DEFAULTS) ||
    roleRefIs(binding, { kind: 'ClusterRole', complete: true, named: true }),
  needsRole: (binding) => roleRefField(binding, 'kind') === 'ClusterRole' && !hasDefaultName(binding, BINDING_DEFAULTS),
  roleKind: CLUSTER_ROLE,
  dangerous: allowsExecOrAttach,
});

const rolebindingRolePodExecAttach = bindingCheck({
  id: 'rolebindingRolePodExecAttach',
  target: `${RBAC_GROUP}/RoleBinding`,
  successMessage: 'The RoleBinding does not reference a Role allowing Pod exec or attach',
  failureMessage: 'The RoleBinding references a Role that allows Pods/exec, allows pods/attach, or that does not exist',
  passes: (binding) =>
    roleRefIs(binding, { kind: 'ClusterRole', complete: true }) ||
    hasDefaultName(binding, BINDING_DEFAULTS) ||
    roleRefIs(binding, { kind: 'Role', complete: true, named: true }),
  needsRole: (binding) => roleRefField(binding, 'kind') === 'Role' && !hasDefaultName(binding, BINDING_DEFAULTS),
  roleKind: ROLE,
  dangerous: allowsExecOrAttach,
});

const clusterrolebindingClusterAdmin = bindingCheck({
  id: 'clusterrolebindingClusterAdmin',
  target: `${RBAC_GROUP}/ClusterRoleBinding`,
  successMessage:
    'The ClusterRoleBinding does not reference the default cluster-admin ClusterRole or one with wildcard permissions',
  failureMessage: 'The ClusterRoleBinding references the default cluster-admin ClusterRole or one with wildcard permissions',
  passes: (binding) =>
    hasDefaultName(binding, CLUSTER_BINDING_DEFAULTS) ||
    roleRefIs(binding, { kind: 'ClusterRole', complete: true, named: true, forbiddenName: 'cluster-admin' }),
  needsRole: (binding) => roleRefField(binding, 'name') !== 'view' && !hasDefaultName(binding, CLUSTER_BINDING_DEFAULTS),
  roleKind: CLUSTER_ROLE,
  dangerous: grantsEverything,
});

const rolebindingClusterAdminClusterRole = bindingCheck({
  id: 'rolebindingClusterAdminClusterRole',
  target: `${RBAC_GROUP}/RoleBinding`,
  successMessage: 'The RoleBinding does not reference the default cluster-admin ClusterRole or one with wildcard permissions',
  failureMessage: 'The RoleBinding references the default cluster-admin ClusterRole or one with wildcard permissions',
  passes: (binding) =>
    roleRefIs(binding, { kind: 'Role' }) ||
    hasDefaultName(binding, BINDING_DEFAULTS) ||
    roleRefIs(binding, { kind: 'ClusterRole', complete: true, named: true, forbiddenName: 'cluster-admin' }),
  needsRole: (binding) => roleRefField(binding, 'kind') === 'ClusterRole' && !hasDefaultName(binding, BINDING_DEFAULTS),
  roleKind: CLUSTER_ROLE,
  dangerous: grantsEverything,
});

const rolebindingClusterAdminRole = bindingCheck({
  id: 'rolebindingClusterAdminRole',
  target: `${RBAC_GROUP}/RoleBinding`,
  successMessage: 'The RoleBinding does not reference a Role with wildcard permissions',
  failureMessage: 'The RoleBinding references a Role with wildcard permissions',
  passes: (binding) =>
    roleRefIs(binding, { kind: 'ClusterRole' }) ||
    hasDefaultName(binding, BINDING_DEFAULTS) ||
    roleRefIs(binding, { kind: 'Role', complete: true, named: true }),
  needsRole: (binding) => roleRefField(binding, 'kind') === 'Role' && !hasDefaultName(binding, BINDING_DEFAULTS),
  roleKind: ROLE,
  dangerous: grantsEverything,
  alwaysNeedsSomeRole: true,
});

export const rbacChecks: readonly CheckDefinition[] = [
  clusterrolePodExecAttach,
  rolePodExecAttach,
  clusterrolebindingPodExecAttach,
  rolebindingClusterRolePodExecAttach,
  rolebindingRolePodExecAttach,
  clusterrolebindingClusterAdmin,
  rolebindingClusterAdminClusterRole,
  rolebindingClusterAdminRole,
];
