import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rbacChecks } from '../../src/policy/checks/rbac.js';
import type { CheckDefinition } from '../../src/policy/types.js';
import { passes } from '../support/inputs.js';

function check(id: string): CheckDefinition {
  const found = rbacChecks.find((candidate) => candidate.id === id);
  assert.ok(found, id);
  return found;
}

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[] };

function role(kind: 'Role' | 'ClusterRole', name: string, rules: Rule[] | null, namespace?: string): string {
  return `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: "${name}"
${namespace ? `  namespace: ${namespace}\n` : ''}${rules === null ? '' : `rules: ${JSON.stringify(rules)}\n`}`;
}

function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  ref: { kind: string; name: string },
  namespace?: string,
): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: "${name}"
${namespace ? `  namespace: ${namespace}\n` : ''}roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ${ref.kind}, name: "${ref.name}" }
subjects: [{ kind: User, name: dana, apiGroup: rbac.authorization.k8s.io }]
`;
}

const execRule: Rule = { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] };
const readPods: Rule = { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] };
const everything: Rule = { apiGroups: ['*'], resources: ['*'], verbs: ['*'] };
const sevenVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

describe('clusterrolePodExecAttach and rolePodExecAttach', () => {
  const clusterRole = check('clusterrolePodExecAttach');
  const namespacedRole = check('rolePodExecAttach');
  const asDoc = (yaml: string) => yaml.replace(/^---\n/, '');

  test('targets ClusterRoles and Roles by group and kind', () => {
    assert.equal(clusterRole.target, 'rbac.authorization.k8s.io/ClusterRole');
    assert.equal(namespacedRole.target, 'rbac.authorization.k8s.io/Role');
  });
  test('fail on exec or attach through explicit names and wildcards', () => {
    const risky: Rule[] = [
      execRule,
      { apiGroups: [''], resources: ['pods/attach'], verbs: ['get'] },
      { apiGroups: ['*'], resources: ['pods/exec'], verbs: ['create'] },
      { apiGroups: [''], resources: ['*'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/attach'], verbs: ['*'] },
    ];
    for (const rule of risky) {
      assert.equal(passes(clusterRole, asDoc(role('ClusterRole', 'ops', [readPods, rule]))), false, JSON.stringify(rule));
      assert.equal(passes(namespacedRole, asDoc(role('Role', 'ops', [rule], 'web'))), false, JSON.stringify(rule));
    }
  });
  test('pass when the subresource is not reachable with a dangerous verb or group', () => {
    for (const rule of [readPods, { apiGroups: [''], resources: ['pods/exec'], verbs: ['list'] }, { apiGroups: ['apps'], resources: ['pods/exec'], verbs: ['create'] }]) {
      assert.equal(passes(clusterRole, asDoc(role('ClusterRole', 'ops', [rule]))), true, JSON.stringify(rule));
      assert.equal(passes(namespacedRole, asDoc(role('Role', 'ops', [rule], 'web'))), true, JSON.stringify(rule));
    }
  });
  test('default roles are not reported', () => {
    for (const name of ['admin', 'edit', 'cluster-admin', 'system:aggregate-to-edit', 'gce:podsecuritypolicy:calico-sa']) {
      assert.equal(passes(clusterRole, asDoc(role('ClusterRole', name, [everything]))), true, name);
    }
    assert.equal(passes(namespacedRole, asDoc(role('Role', 'system:leader', [everything], 'kube-system'))), true);
    assert.equal(passes(namespacedRole, asDoc(role('Role', 'admin', [everything], 'web'))), false);
  });
  test('a role without rules fails, as in Polaris', () => {
    assert.equal(passes(clusterRole, asDoc(role('ClusterRole', 'aggregated', null))), false);
    assert.equal(passes(clusterRole, asDoc(role('ClusterRole', 'empty', []))), true);
  });
});

describe('clusterrolebindingPodExecAttach', () => {
  const crb = check('clusterrolebindingPodExecAttach');
  const bind = (roleName: string, name = 'ops-binding') => binding('ClusterRoleBinding', name, { kind: 'ClusterRole', name: roleName });

  test('passes when the referenced ClusterRole is present and safe', () => {
    assert.equal(passes(crb, bind('reader') + role('ClusterRole', 'reader', [readPods])), true);
  });
  test('fails when the referenced ClusterRole allows exec', () => {
    assert.equal(passes(crb, bind('ops') + role('ClusterRole', 'reader', [readPods]) + role('ClusterRole', 'ops', [execRule])), false);
  });
  test('fails when the referenced ClusterRole is not in the input', () => {
    assert.equal(passes(crb, bind('missing') + role('ClusterRole', 'reader', [readPods])), false);
  });
  test('a binding to a system: ClusterRole is still checked', () => {
    assert.equal(passes(crb, bind('system:ops') + role('ClusterRole', 'system:ops', [everything])), false);
  });
  test('default bindings and bindings to "view" pass, given at least one ClusterRole', () => {
    const anyRole = role('ClusterRole', 'reader', [readPods]);
    assert.equal(passes(crb, bind('ops', 'system:masters') + anyRole), true);
    assert.equal(passes(crb, bind('view') + anyRole), true);
    assert.equal(passes(crb, bind('view')), false);
  });
  test('a ClusterRole in a namespace other than the binding\'s is not seen', () => {
    assert.equal(passes(crb, bind('reader') + role('ClusterRole', 'reader', [readPods], 'web')), false);
  });
  test('fails when roleRef points to a Role', () => {
    const toRole = binding('ClusterRoleBinding', 'x', { kind: 'Role', name: 'reader' });
    assert.equal(passes(crb, toRole + role('ClusterRole', 'reader', [readPods])), false);
  });
});

describe('RoleBinding exec/attach checks', () => {
  const toClusterRole = check('rolebindingClusterRolePodExecAttach');
  const toRole = check('rolebindingRolePodExecAttach');
  const bindCluster = (name: string, ns = 'web') => binding('RoleBinding', 'ops-binding', { kind: 'ClusterRole', name }, ns);
  const bindRole = (name: string, ns = 'web') => binding('RoleBinding', 'ops-binding', { kind: 'Role', name }, ns);

  test('a RoleBinding to a cluster-scoped ClusterRole finds it from any namespace', () => {
    assert.equal(passes(toClusterRole, bindCluster('reader') + role('ClusterRole', 'reader', [readPods])), true);
    assert.equal(passes(toClusterRole, bindCluster('ops') + role('ClusterRole', 'ops', [execRule])), false);
    assert.equal(passes(toClusterRole, bindCluster('missing')), false);
  });
  test('each check ignores bindings of the other kind', () => {
    assert.equal(passes(toClusterRole, bindRole('ops') + role('Role', 'ops', [execRule], 'web')), true);
    assert.equal(passes(toRole, bindCluster('ops') + role('ClusterRole', 'ops', [execRule])), true);
  });
  test('a RoleBinding to a Role needs that Role in its namespace', () => {
    assert.equal(passes(toRole, bindRole('reader') + role('Role', 'reader', [readPods], 'web')), true);
    assert.equal(passes(toRole, bindRole('ops') + role('Role', 'ops', [execRule], 'web')), false);
    assert.equal(passes(toRole, bindRole('reader') + role('Role', 'reader', [readPods], 'other')), false);
  });
  test('default RoleBindings are not reported', () => {
    const system = binding('RoleBinding', 'system:controller', { kind: 'Role', name: 'ops' }, 'kube-system');
    assert.equal(passes(toRole, system + role('Role', 'ops', [execRule], 'kube-system')), true);
  });
});

describe('cluster-admin checks', () => {
  const crbAdmin = check('clusterrolebindingClusterAdmin');
  const rbAdminCluster = check('rolebindingClusterAdminClusterRole');
  const rbAdminRole = check('rolebindingClusterAdminRole');

  test('a ClusterRoleBinding to cluster-admin fails unless it is a default binding', () => {
    assert.equal(passes(crbAdmin, binding('ClusterRoleBinding', 'ops-admin', { kind: 'ClusterRole', name: 'cluster-admin' })), false);
    assert.equal(passes(crbAdmin, binding('ClusterRoleBinding', 'cluster-admin', { kind: 'ClusterRole', name: 'cluster-admin' })), true);
  });
  test('wildcard verbs, or all seven verbs, on every resource count as admin', () => {
    const bind = binding('ClusterRoleBinding', 'ops', { kind: 'ClusterRole', name: 'ops' });
    assert.equal(passes(crbAdmin, bind + role('ClusterRole', 'ops', [everything])), false);
    assert.equal(passes(crbAdmin, bind + role('ClusterRole', 'ops', [{ apiGroups: ['*'], resources: ['*'], verbs: [...sevenVerbs].reverse() }])), false);
    assert.equal(passes(crbAdmin, bind + role('ClusterRole', 'ops', [{ apiGroups: ['*'], resources: ['*'], verbs: sevenVerbs.slice(1) }])), true);
    assert.equal(passes(crbAdmin, bind + role('ClusterRole', 'ops', [{ apiGroups: [''], resources: ['*'], verbs: ['*'] }])), true);
    assert.equal(passes(crbAdmin, bind + role('ClusterRole', 'ops', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*', '*'] }])), true);
  });
  test('a ClusterRoleBinding whose ClusterRole is missing fails; one to "view" passes', () => {
    assert.equal(passes(crbAdmin, binding('ClusterRoleBinding', 'ops', { kind: 'ClusterRole', name: 'gone' })), false);
    assert.equal(passes(crbAdmin, binding('ClusterRoleBinding', 'ops', { kind: 'ClusterRole', name: 'view' })), true);
  });
  test('RoleBindings to cluster-admin or a wildcard ClusterRole fail', () => {
    assert.equal(passes(rbAdminCluster, binding('RoleBinding', 'ops', { kind: 'ClusterRole', name: 'cluster-admin' }, 'web')), false);
    const toWildcard = binding('RoleBinding', 'ops', { kind: 'ClusterRole', name: 'ops' }, 'web');
    assert.equal(passes(rbAdminCluster, toWildcard + role('ClusterRole', 'ops', [everything])), false);
    assert.equal(passes(rbAdminCluster, toWildcard + role('ClusterRole', 'ops', [readPods])), true);
  });
  test('RoleBindings to a wildcard Role fail; the Role is looked up in the binding namespace', () => {
    const bind = binding('RoleBinding', 'ops', { kind: 'Role', name: 'ops' }, 'web');
    assert.equal(passes(rbAdminRole, bind + role('Role', 'ops', [everything], 'web')), false);
    assert.equal(passes(rbAdminRole, bind + role('Role', 'ops', [readPods], 'web')), true);
    assert.equal(passes(rbAdminRole, bind + role('Role', 'ops', [readPods], 'other')), false);
  });
  test('rolebindingClusterAdminRole, like Polaris, wants some Role in sight even for a ClusterRole binding', () => {
    const toClusterRole = binding('RoleBinding', 'ops', { kind: 'ClusterRole', name: 'reader' }, 'web');
    assert.equal(passes(rbAdminRole, toClusterRole), false);
    assert.equal(passes(rbAdminRole, toClusterRole + role('Role', 'anything', [readPods], 'web')), true);
  });
  test('odd rules read as absent and do not throw; rules of the wrong shape are an input problem', () => {
    const odd = (rules: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: odd, namespace: web }
roleRef: { kind: Role, name: ops }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: ops, namespace: web }
rules: ${rules}
`;
    for (const rbac of rbacChecks) assert.doesNotThrow(() => passes({ ...rbac, target: 'x' }, odd('[ {}, {verbs: null} ]')));
    assert.equal(passes(rbAdminRole, odd('[ {}, {verbs: null} ]')), false);
    assert.throws(() => passes(rbAdminRole, odd('[ "not-a-rule" ]')), /Role rules\[0\] must be a rule \(a mapping with apiGroups, resources and verbs\), found "not-a-rule"/);
  });
});
