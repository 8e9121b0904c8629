// The tenant boundaries at admission: a real webhook on 127.0.0.1 given the
// tenants file derive generates, judging AdmissionReviews as the API server sends them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toKubeObject, type JsonObject } from '../../src/kube/index.js';
import { parsePolicyConfig } from '../../src/policy/index.js';
import { parseTenants, tenantsDocument } from '../../src/platform/boundaries/index.js';
import type { PlatformDefinition } from '../../src/platform/index.js';
import { serviceBoundaryViolations } from '../../src/synth/index.js';
import { watchTenants, type ConfigWatcher, type TenantBoundaries } from '../../src/webhook/index.js';
import { ECR, sharedNamespacePlatform } from '../support/platform.js';
import { admit, call, podSpec, review, startWebhook, waitFor, workload, type Running } from './helpers.js';

const PLATFORM = sharedNamespacePlatform();
const tenantsText = (platform: PlatformDefinition) => JSON.stringify(tenantsDocument(platform), null, 2);
const TENANTS = parseTenants(tenantsText(PLATFORM), 'tenants.json');

function ingress(namespace: string, spec: object, annotations: Record<string, string> = {}) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace, annotations }, spec };
}
const backend = { service: { name: 'web', port: { number: 80 } } };
const rule = (host?: string) => ({ ...(host ? { host } : {}), http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } });

/** A container good for the test policy, from `image`. */
const container = (image: string) => ({ image, securityContext: { runAsNonRoot: true } });
const tolerating = { tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }] };

async function validate(
  running: Running,
  object: Record<string, unknown>,
  namespace: string,
  options: { operation?: string; oldObject?: object; path?: '/validate' | '/validate-tenant'; username?: string } = {},
) {
  const { path = '/validate', ...request } = options;
  return (await admit(running, path, review(object, { namespace, ...request }))).response;
}

describe('kaji webhook: tenant boundaries', () => {
  let running: Running;
  before(async () => {
    running = await startWebhook({ tenants: TENANTS });
  });
  after(() => running.close());

  it('denies an Ingress claiming a host not declared for the namespace\'s services, with synth\'s message', async () => {
    const object = ingress('shop', { rules: [rule('www.shop.example.com'), rule('api.shop.example.com')] });
    const response = await validate(running, object, 'shop');
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 403);
    assert.equal(
      response.status?.message,
      'kaji denied Ingress shop/web: tenant boundary (host): host "api.shop.example.com" is not declared for cart, shop in platform.yaml (hosts: cart.shop.example.com, www.shop.example.com)',
    );
  });

  it('admits an Ingress whose hosts are declared for a service of its namespace (either of the two sharing it)', async () => {
    const object = ingress('shop', { rules: [rule('www.shop.example.com'), rule('cart.shop.example.com')], tls: [{ hosts: ['www.shop.example.com'] }] });
    const response = await validate(running, object, 'shop');
    assert.deepEqual(response, { uid: response.uid, allowed: true });
    // cart's host is not billing's.
    assert.equal((await validate(running, ingress('billing', { rules: [rule('cart.shop.example.com')] }), 'billing')).allowed, false);
  });

  it('denies a hostless rule and a defaultBackend (they would take other services\' traffic on a shared ALB)', async () => {
    const hostless = await validate(running, ingress('shop', { rules: [rule('www.shop.example.com'), rule()] }), 'shop');
    assert.equal(hostless.allowed, false);
    assert.match(hostless.status!.message, /tenant boundary \(ingress\): spec\.rules\[1\] has no host: on a shared ALB it would match every host's requests/);
    const fallback = await validate(running, ingress('shop', { defaultBackend: backend, rules: [rule('www.shop.example.com')] }), 'shop');
    assert.equal(fallback.allowed, false);
    assert.match(fallback.status!.message, /spec\.defaultBackend answers every request no rule matches/);
  });

  it('denies an Ingress whose ALB conditions add a host no service of its namespace declares, or a wildcard, to its rule, and one whose conditions it cannot read', async () => {
    const conditions = (json: string) => ingress('shop', { rules: [rule('www.shop.example.com')] }, { 'alb.ingress.kubernetes.io/conditions.web': json });
    const hostHeader = (values: string[]) => JSON.stringify([{ field: 'host-header', hostHeaderConfig: { values } }]);
    const judged = async (json: string) => validate(running, conditions(json), 'shop', { path: '/validate-tenant' });
    const taken = await judged(hostHeader(['admin.shop.example.com', '*']));
    assert.equal(taken.allowed, false);
    assert.equal(
      taken.status?.message,
      'kaji denied Ingress shop/web: tenant boundary (host): host "admin.shop.example.com" in alb.ingress.kubernetes.io/conditions.web is not declared for cart, shop in platform.yaml (hosts: cart.shop.example.com, www.shop.example.com); ' +
        'tenant boundary (host): host "*" in alb.ingress.kubernetes.io/conditions.web is not under the platform domain shop.example.com',
    );
    const regex = await judged('[{"field":"host-header","hostHeaderConfig":{"regexValues":[".*"]}}]');
    assert.equal(regex.allowed, false);
    assert.match(regex.status!.message, /tenant boundary \(ingress\): alb\.ingress\.kubernetes\.io\/conditions\.web matches hosts by hostHeaderConfig\.regexValues/);
    const unreadable = await judged('[{"field":');
    assert.equal(unreadable.allowed, false);
    assert.match(unreadable.status!.message, /conditions\.web is not valid JSON, so kaji cannot tell which hosts its rules match/);
    // The hosts of the namespace's services, and conditions that only narrow the rule, are admitted.
    assert.equal((await judged(hostHeader(['www.shop.example.com', 'cart.shop.example.com']))).allowed, true);
    assert.equal((await judged(JSON.stringify([{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Canary', values: ['1'] } }]))).allowed, true);
  });

  it('denies an external-dns hostname on a Service outside the declared hosts', async () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', namespace: 'billing', annotations: { 'external-dns.alpha.kubernetes.io/hostname': 'www.shop.example.com' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
    };
    const response = await validate(running, service, 'billing');
    assert.equal(response.allowed, false);
    assert.match(response.status!.message, /host "www\.shop\.example\.com" is not declared for billing/);
  });

  for (const kind of ['Pod', 'Deployment'] as const) {
    it(`denies a ${kind} tolerating the system nodes' taint CriticalAddonsOnly`, async () => {
      const object = workload(kind, podSpec(container(`${ECR}/billing:1.0.0`), tolerating), { namespace: 'billing' });
      const response = await validate(running, object, 'billing');
      assert.equal(response.allowed, false);
      assert.match(response.status!.message, /tenant boundary \(scheduling\): tolerations\[0\] tolerates the system nodes' taint CriticalAddonsOnly/);
      // Without the toleration the same object is admitted: the denial is the boundary's.
      const fine = workload(kind, podSpec(container(`${ECR}/billing:1.0.0`)), { namespace: 'billing' });
      assert.equal((await validate(running, fine, 'billing')).allowed, true);
    });
  }

  it('denies an image from another service\'s repository; its own, the other repository of its namespace and the allowlist pass', async () => {
    const foreign = workload('Deployment', podSpec(container(`${ECR}/shop:1.0.0`)), { namespace: 'billing' });
    const response = await validate(running, foreign, 'billing');
    assert.equal(response.allowed, false);
    // The message kaji synth gives for the same object of billing.
    const [synth] = serviceBoundaryViolations(PLATFORM, PLATFORM.services.find((s) => s.name === 'billing')!, [toKubeObject(foreign as JsonObject, { file: 'x.yaml', line: 1 })]);
    assert.equal(response.status!.message, `kaji denied Deployment billing/deployment-x: tenant boundary (image): ${synth!.message}`);
    for (const image of [`${ECR}/shop:1.0.0`, `${ECR}/cart@sha256:${'a'.repeat(64)}`, `${ECR}/mirror/busybox:1.36`]) {
      assert.equal((await validate(running, workload('Deployment', podSpec(container(image)), { namespace: 'shop' }), 'shop')).allowed, true, image);
    }
  });

  it("denies an image volume from outside the namespace's repositories, as it does a container's image", async () => {
    const withVolume = (reference: string) =>
      workload('Deployment', podSpec(container(`${ECR}/billing:1.0.0`), { volumes: [{ name: 'tools', image: { reference } }] }), { namespace: 'billing' });
    const response = await validate(running, withVolume('docker.io/evil/tools:latest'), 'billing', { path: '/validate-tenant' });
    assert.equal(response.allowed, false);
    assert.match(response.status!.message, /tenant boundary \(image\): image "docker\.io\/evil\/tools:latest" of volume "tools" is not from /);
    assert.equal((await validate(running, withVolume(`${ECR}/mirror/tools:1.0`), 'billing', { path: '/validate-tenant' })).allowed, true);
  });

  it('lists boundary and policy dangers together in one denial', async () => {
    const object = workload('Pod', podSpec({ ...container(`${ECR}/shop:1.0.0`), securityContext: { runAsNonRoot: true, privileged: true } }, tolerating), { namespace: 'shop' });
    const response = await validate(running, object, 'shop');
    assert.equal(response.allowed, false);
    assert.match(response.status!.message, /tenant boundary \(scheduling\): .*; runAsPrivileged/);
  });

  it('holds what Kubernetes makes for a controller to the boundaries too, which the policy lets through', async () => {
    const owned = workload('Pod', podSpec(container(`${ECR}/billing:1.0.0`), tolerating), {
      namespace: 'billing',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }],
    });
    const response = await validate(running, owned, 'billing', { username: 'system:serviceaccount:kube-system:replicaset-controller' });
    assert.equal(response.allowed, false);
    assert.match(response.status!.message, /tenant boundary \(scheduling\)/);
  });

  it('denies a Pod created with nodeName by a tenant (the kubelet runs it past the system nodes\' taint), not its later UPDATEs or a node\'s mirror Pod', async () => {
    const node = 'ip-10-0-1-23.ec2.internal';
    const pinned = workload('Pod', podSpec(container(`${ECR}/billing:1.0.0`), { nodeName: node }), { namespace: 'billing' });
    const tenant = 'system:serviceaccount:billing:deployer';
    for (const path of ['/validate', '/validate-tenant'] as const) {
      const response = await validate(running, pinned, 'billing', { username: tenant, path });
      assert.equal(response.allowed, false, path);
      // The message kaji synth gives for the same Pod in git.
      const [synth] = serviceBoundaryViolations(PLATFORM, PLATFORM.services.find((s) => s.name === 'billing')!, [toKubeObject(pinned as JsonObject, { file: 'x.yaml', line: 1 })]);
      assert.equal(response.status!.message, `kaji denied Pod billing/pod-x: tenant boundary (scheduling): ${synth!.message}`);
    }
    // The scheduler's Binding set nodeName: every later UPDATE of the Pod carries it.
    const scheduled = await validate(running, { ...pinned, metadata: { ...(pinned.metadata as object), labels: { debug: 'on' } } }, 'billing', {
      username: tenant,
      operation: 'UPDATE',
      oldObject: pinned,
    });
    assert.equal(scheduled.allowed, true);
    // A node creates the mirror of its static Pod bound to itself.
    const mirror = workload('Pod', podSpec(container(`${ECR}/billing:1.0.0`), { nodeName: node }), {
      namespace: 'billing',
      annotations: { 'kubernetes.io/config.mirror': 'abc' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: 'n', controller: true }],
    });
    assert.equal((await validate(running, mirror, 'billing', { username: `system:node:${node}` })).allowed, true);
    // Without nodeName the tenant's Pod is admitted: the denial is the boundary's.
    const unpinned = workload('Pod', podSpec(container(`${ECR}/billing:1.0.0`)), { namespace: 'billing' });
    assert.equal((await validate(running, unpinned, 'billing', { username: tenant })).allowed, true);
  });

  it('lets an UPDATE of an object being deleted through when it crosses nothing its old version did not (a finalizer removed)', async () => {
    const deleting = { deletionTimestamp: '2025-01-01T00:00:00Z' };
    const old = ingress('shop', { rules: [rule('api.shop.example.com')] });
    Object.assign(old.metadata, deleting, { finalizers: ['ingress.k8s.aws/resources'] });
    const released = ingress('shop', { rules: [rule('api.shop.example.com')] });
    Object.assign(released.metadata, deleting);
    assert.equal((await validate(running, released, 'shop', { operation: 'UPDATE', oldObject: old })).allowed, true);
    // The same object, not being deleted, is denied.
    assert.equal((await validate(running, ingress('shop', { rules: [rule('api.shop.example.com')] }), 'shop', { operation: 'UPDATE', oldObject: old })).allowed, false);
  });

  it('denies what an UPDATE adds to an object being deleted: a finalizer of the tenant\'s own would keep it (and what external-dns and RBAC do with it) forever', async () => {
    const service = (annotations: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'held', namespace: 'billing', deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['billing.example.com/hold'], annotations },
      spec: { type: 'ClusterIP', ports: [{ port: 80 }] },
    });
    const claimed = service({ 'external-dns.alpha.kubernetes.io/hostname': 'www.shop.example.com' });
    const response = await validate(running, claimed, 'billing', { operation: 'UPDATE', oldObject: service({}) });
    assert.equal(response.allowed, false);
    assert.match(response.status!.message, /tenant boundary \(host\): host "www\.shop\.example\.com" is not declared for billing/);
    // Without the old object to compare with, every crossing counts.
    assert.equal((await validate(running, claimed, 'billing', { operation: 'UPDATE' })).allowed, false);
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'held', namespace: 'billing', deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['billing.example.com/hold'] },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'app' }],
    };
    const widened = { ...binding, subjects: [...binding.subjects, { kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' }] };
    const denied = await validate(running, widened, 'billing', { operation: 'UPDATE', oldObject: binding });
    assert.equal(denied.allowed, false);
    assert.match(denied.status!.message, /tenant boundary \(rbac\): subjects\[1\] is Group "system:authenticated"/);
  });

  it('judges a CREATE whatever its deletionTimestamp says (the API server clears it; the webhook does not count on that)', async () => {
    const object = ingress('shop', { rules: [rule('api.shop.example.com')] });
    Object.assign(object.metadata, { deletionTimestamp: '2025-01-01T00:00:00Z' });
    assert.equal((await validate(running, object, 'shop')).allowed, false);
  });

  it('leaves objects outside tenant namespaces alone, and /mutate never denies for a boundary', async () => {
    const objects = [
      ingress('monitoring', { rules: [rule('api.shop.example.com'), rule()] }),
      workload('Pod', podSpec(container('quay.io/prometheus/prometheus:v3.0.0'), tolerating), { namespace: 'monitoring' }),
      workload('Deployment', podSpec(container(`${ECR}/shop:1.0.0`), tolerating), { namespace: 'monitoring' }),
    ];
    for (const object of objects) {
      assert.equal((await validate(running, object, 'monitoring')).allowed, true, String(object.kind));
      // The same object in a tenant namespace crosses its boundary.
      const inTenant = { ...object, metadata: { ...(object.metadata as object), namespace: 'shop' } };
      assert.equal((await validate(running, inTenant, 'shop')).allowed, false, `${String(object.kind)} in shop`);
      assert.equal((await admit(running, '/mutate', review(inTenant, { namespace: 'shop' }))).response.allowed, true, `mutate ${String(object.kind)}`);
    }
  });
});

describe('kaji webhook: /validate-tenant, where the generated configuration sends tenant namespaces', () => {
  const tenantPath = { path: '/validate-tenant' } as const;
  const hostClaim = ingress('shop', { rules: [rule('api.shop.example.com')] });
  const systemPod = workload('Pod', podSpec(container(`${ECR}/shop:1`), tolerating), { namespace: 'shop' });
  const newcomer = workload('Pod', podSpec(container(`${ECR}/newcomer:1`)), { namespace: 'newcomer' });
  let running: Running;
  before(async () => {
    running = await startWebhook({ tenants: TENANTS });
  });
  after(() => running.close());

  it('judges a namespace the tenants file lists as /validate does', async () => {
    for (const object of [hostClaim, systemPod, ingress('shop', { rules: [rule('www.shop.example.com')] })]) {
      const { uid: _tenantUid, ...tenant } = await validate(running, object, 'shop', tenantPath);
      const { uid: _uid, ...plain } = await validate(running, object, 'shop');
      assert.deepEqual(tenant, plain);
    }
    assert.equal((await validate(running, hostClaim, 'shop', tenantPath)).allowed, false);
    assert.equal((await validate(running, systemPod, 'shop', tenantPath)).allowed, false);
  });

  it('denies a Role that reaches a guarded subresource through */<subresource>', async () => {
    const role = (resources: string[]) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'lb', namespace: 'shop' },
      rules: [{ apiGroups: [''], resources, verbs: ['update'] }],
    });
    const status = await validate(running, role(['*/status']), 'shop', tenantPath);
    assert.equal(status.allowed, false);
    assert.match(status.status!.message, /^kaji denied Role shop\/lb: tenant boundary \(rbac\): rules\[0\] may change services\/status: /);
    assert.equal((await validate(running, role(['*/scale']), 'shop', tenantPath)).allowed, true);
  });

  it("denies a Role that would let the namespace's pods write Ingresses, which come from git only", async () => {
    const role = (verbs: string[]) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'ingress-writer', namespace: 'shop' },
      rules: [{ apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs }],
    });
    const writer = await validate(running, role(['get', 'create', 'update']), 'shop', tenantPath);
    assert.equal(writer.allowed, false);
    assert.match(writer.status!.message, /^kaji denied Role shop\/ingress-writer: tenant boundary \(rbac\): rules\[0\] may change ingresses: .*commit the Ingress to the service's manifests instead$/);
    assert.equal((await validate(running, role(['get', 'list', 'watch']), 'shop', tenantPath)).allowed, true);
  });

  it('matches an allowlist entry without a trailing / at a path boundary: a longer repository name is not under it', async () => {
    const tenants = parseTenants(JSON.stringify({ ...tenantsDocument(PLATFORM), imageAllowlist: [`${ECR}/mirror`] }), 'tenants.json');
    const own = await startWebhook({ tenants });
    try {
      const pulling = (image: string) => validate(own, workload('Deployment', podSpec(container(image)), { namespace: 'shop' }), 'shop', tenantPath);
      assert.equal((await pulling(`${ECR}/mirror/busybox:1.36`)).allowed, true);
      const lookalike = await pulling(`${ECR}/mirror-evil/miner:1`);
      assert.equal(lookalike.allowed, false);
      assert.match(lookalike.status!.message, /tenant boundary \(image\): image ".*\/mirror-evil\/miner:1" is not from .* or the allowlist \(.*\/mirror\)/);
    } finally {
      await own.close();
    }
  });

  it('denies a tenant\'s object the policy cannot judge, with the problem, before its boundaries: a 400 would leave it to failurePolicy', async () => {
    // A Rollout from another service's repository, with a negative cpu limit its CRD schema may let through
    const rollout = workload('Rollout', podSpec({ ...container(`${ECR}/billing:1`), resources: { limits: { cpu: '-1' } } }), { namespace: 'shop' });
    for (const path of ['/validate-tenant', '/validate'] as const) {
      const denied = await validate(running, rollout, 'shop', { path });
      assert.equal(denied.allowed, false, path);
      assert.equal(
        denied.status?.message,
        'kaji denied Rollout shop/rollout-x: the policy cannot judge it: Rollout spec.template.spec.containers[0].resources.limits.cpu must not be negative, found "-1"',
        path,
      );
    }
  });

  it('denies objects of a namespace the tenants file does not list (yet), which /validate admits; DELETE is not judged', async () => {
    const denied = await validate(running, newcomer, 'newcomer', tenantPath);
    assert.equal(denied.allowed, false);
    assert.equal(
      denied.status?.message,
      'kaji denied Pod newcomer/pod-x: tenant boundary (namespace): "newcomer" is sent to /validate-tenant as a tenant namespace, but the webhook\'s tenants file does not list it (yet: the kaji-webhook-tenants ConfigMap reaches the webhook a minute or so after a sync; retry then)',
    );
    assert.ok(running.logs.some((line) => JSON.stringify((line as Record<string, unknown>).dangers) === '["tenantBoundary.unknownNamespace"]'));
    assert.equal((await validate(running, newcomer, 'newcomer')).allowed, true);
    for (const operation of ['DELETE', 'CONNECT']) assert.equal((await validate(running, newcomer, 'newcomer', { ...tenantPath, operation })).allowed, true, operation);
  });

  it('denies them on UPDATE and when Kubernetes makes them for a controller too: /validate trusts the owner, but an owner was never judged here', async () => {
    const owned = { ...newcomer, metadata: { ...(newcomer.metadata as object), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }] } };
    const byKubernetes = { username: 'system:serviceaccount:kube-system:replicaset-controller' };
    assert.equal((await validate(running, newcomer, 'newcomer', { ...tenantPath, operation: 'UPDATE', oldObject: newcomer })).allowed, false);
    assert.equal((await validate(running, owned, 'newcomer', { ...tenantPath, ...byKubernetes })).allowed, false);
    assert.equal((await validate(running, owned, 'newcomer', byKubernetes)).allowed, true);
  });

  it('without --tenants, denies everything it judges, saying why', async () => {
    const running = await startWebhook();
    try {
      const good = ingress('shop', { rules: [rule('www.shop.example.com')] });
      const denied = await validate(running, good, 'shop', tenantPath);
      assert.equal(denied.allowed, false);
      assert.match(denied.status!.message, /"shop" is sent to \/validate-tenant as a tenant namespace, but the webhook runs without --tenants$/);
      assert.equal((await validate(running, good, 'shop')).allowed, true);
      assert.match((await call(running, '/metrics')).text, /^kaji_webhook_requests_total\{path="\/validate-tenant",verdict="denied"\} 1$/m);
    } finally {
      await running.close();
    }
  });
});

describe('kaji webhook: the policy on what only the tenants entry sends', () => {
  it('judges a tenant Role by the policy too, next to the boundaries', async () => {
    const running = await startWebhook({ tenants: TENANTS, config: parsePolicyConfig('checks:\n  rolePodExecAttach: danger\n', 'policy.yaml') });
    try {
      const role = (resources: string[], verbs: string[]) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'debug', namespace: 'billing' },
        rules: [{ apiGroups: [''], resources, verbs }],
      });
      const exec = await validate(running, role(['pods/exec'], ['create']), 'billing', { path: '/validate-tenant' });
      assert.equal(exec.status?.message, 'kaji denied Role billing/debug: rolePodExecAttach: The Role allows Pods/exec or pods/attach');
      const both = await validate(running, role(['pods/exec'], ['create', 'bind']), 'billing', { path: '/validate-tenant' });
      assert.match(both.status!.message, /^kaji denied Role billing\/debug: tenant boundary \(rbac\): rules\[0\] grants "bind".*; rolePodExecAttach: /);
      assert.equal((await validate(running, role(['configmaps'], ['get']), 'billing', { path: '/validate-tenant' })).allowed, true);
    } finally {
      await running.close();
    }
  });
});

describe('kaji webhook: without tenants', () => {
  it('judges the policy alone, as before: what the boundaries deny is admitted', async () => {
    const [plain, bounded] = [await startWebhook(), await startWebhook({ tenants: TENANTS })];
    try {
      const objects = [
        ingress('shop', { rules: [rule('api.shop.example.com'), rule()] }),
        workload('Pod', podSpec(container(`${ECR}/shop:1.0.0`), tolerating), { namespace: 'shop' }),
      ];
      for (const object of objects) {
        assert.equal((await validate(plain, object, 'shop')).allowed, true, String(object.kind));
        assert.equal((await validate(bounded, object, 'shop')).allowed, false, String(object.kind));
      }
    } finally {
      await plain.close();
      await bounded.close();
    }
  });
});

describe('kaji webhook: tenants file reload', () => {
  let dir: string;
  let running: Running | undefined;
  let watcher: ConfigWatcher | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaji-tenants-'));
  });
  after(async () => {
    watcher?.close();
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uses a changed tenants file for the next request; keeps the last good one when a change is invalid, and shows it', async () => {
    const file = join(dir, 'tenants.json');
    await writeFile(file, tenantsText(PLATFORM));
    let current: TenantBoundaries = parseTenants(tenantsText(PLATFORM), file);
    const started = await startWebhook({ tenants: () => current });
    running = started;
    const changes: string[] = [];
    watcher = watchTenants(
      file,
      (change) => {
        if ('tenants' in change) current = change.tenants;
        started.server.configReloaded('error' in change ? change.error : undefined, 'tenants');
        changes.push('tenants' in change ? 'ok' : 'error');
      },
      { interval: 100 },
    );
    const api = ingress('shop', { rules: [rule('api.shop.example.com')] });
    assert.equal((await validate(started, api, 'shop')).allowed, false);

    // platform.yaml declares the host: the regenerated file arrives by rename, as a ConfigMap volume's does.
    await writeFile(join(dir, 'next.json'), tenantsText(sharedNamespacePlatform(['www.shop.example.com', 'api.shop.example.com'])));
    await rename(join(dir, 'next.json'), file);
    await waitFor(() => changes.length === 1, 'the tenants reload');
    assert.deepEqual(changes, ['ok']);
    assert.equal((await validate(started, api, 'shop')).allowed, true);

    // Not a tenants file: refused, the last good one kept, /readyz and the metrics say so.
    await writeFile(file, '{"version": 1, "domain": "shop.example.com", "imageAllowlist": [], "namespaces": {"shop": [{"name": "shop"}]}}');
    await waitFor(() => changes.length === 2, 'the invalid reload');
    assert.deepEqual(changes, ['ok', 'error']);
    assert.equal((await validate(started, api, 'shop')).allowed, true, 'the last good tenants still apply');
    const ready = (await call(started, '/readyz')).text;
    assert.match(ready, /config: stale \(.*tenants\.json: namespaces\.shop\[0\]\.team must be a non-empty string/);
    assert.match((await call(started, '/metrics')).text, /^kaji_webhook_config_valid 0$/m);
    assert.ok(started.logs.some((line) => (line as Record<string, unknown>).event === 'config-reload' && (line as Record<string, unknown>).file === 'tenants'));

    // A good policy reload does not hide the bad tenants file; a good tenants file clears it.
    started.server.configReloaded(undefined, 'policy');
    assert.match((await call(started, '/readyz')).text, /config: stale \(.*tenants\.json/);
    assert.match((await call(started, '/metrics')).text, /^kaji_webhook_config_valid 0$/m);
    await writeFile(file, tenantsText(PLATFORM));
    await waitFor(() => changes.length === 3, 'the good reload');
    assert.equal((await call(started, '/readyz')).text, 'ok\nconfig: current\n');
    assert.match((await call(started, '/metrics')).text, /^kaji_webhook_config_valid 1$/m);
    assert.equal((await validate(started, api, 'shop')).allowed, false, 'the host is no longer declared');
  });
});
