// The example platform at admission: what kaji synth generated for labs, sent to a real webhook
// with labs' policy and tenants file, as Argo CD applies it. What synth passes, admission allows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { parseTenants } from '../../src/platform/boundaries/index.js';
import { BOUNDARY_RULES, WEBHOOK_RULES } from '../../src/platform/derive/components/webhook.js';
import { parsePolicyConfig } from '../../src/policy/index.js';
import { admit, review, startWebhook, type Running } from './helpers.js';

const LABS = fileURLToPath(new URL('../../examples/labs/', import.meta.url));
const CLUSTERS = join(LABS, 'manifests', 'clusters');
const ARGOCD_CONTROLLER = 'system:serviceaccount:argocd:argocd-application-controller';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

/** Whether /validate-tenant is sent the object: a rule of tenants.kaji.dev names its group and resource. */
function sentToWebhook(object: Manifest): boolean {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const kind = object.kind.toLowerCase();
  const resource = kind.endsWith('s') ? `${kind}es` : `${kind}s`;
  return [...WEBHOOK_RULES, ...BOUNDARY_RULES].some((rule) => (rule.apiGroups as string[]).includes(group!) && (rule.resources as string[]).includes(resource));
}

function manifestsUnder(folder: string): { file: string; object: Manifest }[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => (loadAll(readFileSync(join(folder, file), 'utf8')) as Manifest[]).filter(Boolean).map((object) => ({ file, object })));
}

const tenantRoleBinding = (subjects: object[], roleRef: object = { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'reader', namespace: 'antenna' },
  roleRef,
  subjects,
});

describe('kaji webhook: the example platform as synth generated it', () => {
  const runs = new Map<string, Running>();
  before(async () => {
    const config = parsePolicyConfig(readFileSync(join(LABS, 'polaris.yaml'), 'utf8'), 'polaris.yaml');
    for (const cluster of readdirSync(CLUSTERS)) {
      const tenantsFile = join(CLUSTERS, cluster, 'platform', 'webhook', 'tenants.yaml');
      runs.set(cluster, await startWebhook({ config, tenants: parseTenants(readFileSync(tenantsFile, 'utf8'), tenantsFile) }));
    }
  });
  after(async () => {
    for (const running of runs.values()) await running.close();
  });
  const blue = () => runs.get('blue')!;
  const validateTenant = async (running: Running, object: object, namespace = 'antenna') =>
    (await admit(running, '/validate-tenant', review(object, { namespace, username: ARGOCD_CONTROLLER }))).response;

  it('allows every object of clusters/*/tenants/* the webhook is sent (kaji-team Roles and RoleBindings), without warnings', async () => {
    let sent = 0;
    for (const [cluster, running] of runs) {
      for (const { file, object } of manifestsUnder(join(CLUSTERS, cluster, 'tenants'))) {
        if (!sentToWebhook(object)) continue;
        sent += 1;
        const response = await validateTenant(running, object, object.metadata.namespace);
        assert.deepEqual(response, { uid: response.uid, allowed: true }, `${cluster}/tenants/${file}: ${object.kind} ${object.metadata.name}`);
      }
    }
    assert.ok(sent >= 4 * runs.size, `only ${sent} objects were sent`);
  });

  it("allows a tenant's RoleBinding of its own Role to its service account (the Role is not seen at admission)", async () => {
    const response = await validateTenant(blue(), tenantRoleBinding([{ kind: 'ServiceAccount', name: 'default' }]));
    assert.deepEqual(response, { uid: response.uid, allowed: true });
  });

  it('still denies a binding of cluster-admin, which needs no other object to judge', async () => {
    const binding = tenantRoleBinding([{ kind: 'ServiceAccount', name: 'default' }], { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    const response = await validateTenant(blue(), binding);
    assert.equal(response.allowed, false);
    assert.match(response.status!.message, /tenant boundary \(rbac\): binds the ClusterRole "cluster-admin".*; rolebindingClusterAdminClusterRole: /);
  });

  it("denies a copy of kaji's team binding that gives the Role to anyone else, or another team's group", async () => {
    const [, binding] = manifestsUnder(join(CLUSTERS, 'blue', 'tenants', 'antenna')).filter(({ object }) => object.kind.startsWith('Role')).map(({ object }) => object);
    assert.equal(binding!.kind, 'RoleBinding');
    const subject = (binding!.subjects as object[])[0]!;
    const widened = { ...binding, subjects: [subject, { kind: 'ServiceAccount', name: 'ci', namespace: 'billing' }] };
    const widenedAnswer = await validateTenant(blue(), widened);
    assert.equal(widenedAnswer.allowed, false);
    assert.match(widenedAnswer.status!.message, /subjects\[0\] is Group "kaji:team:feeds".*; tenant boundary \(rbac\): subjects\[1\] is ServiceAccount "ci" in billing/);
    const otherTeam = { ...binding, subjects: [{ ...subject, name: 'kaji:team:payments' }] };
    assert.match((await validateTenant(blue(), otherTeam)).status!.message, /subjects\[0\] is Group "kaji:team:payments"/);
    const renamed = { ...binding, metadata: { ...binding!.metadata, name: 'people' } };
    assert.match((await validateTenant(blue(), renamed)).status!.message, /subjects\[0\] is Group "kaji:team:feeds"/);
  });

  it('gives no warning for a check that needs another object (the PodDisruptionBudget of a Deployment)', async () => {
    const base = manifestsUnder(join(LABS, 'manifests', 'apps', 'antenna', 'base')).find(({ object }) => object.kind === 'Deployment')!.object;
    // The tag the blue overlay sets (kustomize's images:), as Argo CD applies it.
    const deployment = JSON.parse(JSON.stringify(base).replace('.amazonaws.com/antenna"', '.amazonaws.com/antenna:1.5.0"')) as Manifest;
    const response = await validateTenant(blue(), { ...deployment, metadata: { ...deployment.metadata, namespace: 'antenna' } });
    assert.equal(response.allowed, true, response.status?.message);
    assert.ok(!(response.warnings ?? []).some((warning) => warning.startsWith('missingPodDisruptionBudget')), String(response.warnings));
  });
});
