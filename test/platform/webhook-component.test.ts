import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { JsonObject } from '../../src/kube/index.js';
import { auditObjects, countResults, loadPolicyConfig, messagesOf } from '../../src/policy/index.js';
import { parseTenants, tenantsDocument } from '../../src/platform/boundaries/index.js';
import {
  BOUNDARY_RULES,
  deriveClusterFiles,
  DeriveError,
  GENERATED_MARKER,
  MUTATE_RULES,
  SERVICE_LABEL,
  SERVING_CERTIFICATE,
  WEBHOOK_EXCLUDED_NAMESPACES,
  WEBHOOK_RULES,
  webhookComponent,
  type GeneratedFile,
} from '../../src/platform/index.js';
import { PLATFORM_SCHEMA } from '../../src/platform/definition/schema.js';
import { definePlatform, ECR, sharedNamespacePlatform } from '../support/platform.js';
import { objectsFrom } from '../support/inputs.js';

const LABS_POLICY = fileURLToPath(new URL('../../examples/labs/polaris.yaml', import.meta.url));
const POLICY_TEXT = 'checks:\n  runAsRootAllowed: danger\n';
const blue = { name: 'blue', kubernetesVersion: '1.32', weight: 255, retiring: false };
const PLATFORM = definePlatform({
  platform: { name: 'labs', region: 'ap-northeast-1', account: '111122223333', domain: 'labs.example.com' },
  webhook: { enabled: true, failurePolicy: 'Ignore', timeoutSeconds: 7, image: '111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/kaji:0.1.0' },
});

function webhookFiles(platform = PLATFORM, policyText: string | undefined = POLICY_TEXT): GeneratedFile[] {
  return deriveClusterFiles(platform, blue, { components: [webhookComponent], policyText });
}

function objectsOf(files: readonly GeneratedFile[]): JsonObject[] {
  return files.filter((f) => f.path.startsWith('clusters/blue/platform/webhook/')).flatMap((f) => loadAll(f.content) as JsonObject[]);
}

function find(objects: readonly JsonObject[], kind: string, name?: string): JsonObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || (o.metadata as JsonObject).name === name));
  assert.ok(found, `no ${kind} ${name ?? ''}`);
  return found;
}

const files = webhookFiles();
const objects = objectsOf(files);

describe('webhook component', () => {
  test('writes its files under platform/webhook/ with the marker', () => {
    const paths = files.filter((f) => f.path.includes('/platform/')).map((f) => f.path);
    assert.deepEqual(
      paths,
      ['certificates.yaml', 'deployment.yaml', 'namespace.yaml', 'networkpolicies.yaml', 'policy.yaml', 'service.yaml', 'tenants.yaml', 'webhooks.yaml'].map(
        (n) => `clusters/blue/platform/webhook/${n}`,
      ),
    );
    for (const f of files) assert.ok(f.content.startsWith(`${GENERATED_MARKER}\n`), f.path);
  });

  test('both configurations: the workload rules (Argo Rollouts too), CREATE and UPDATE (/mutate: Pods and Jobs on CREATE only), the three namespaces excluded, platform.yaml failurePolicy and timeout', () => {
    for (const [kind, path] of [
      ['ValidatingWebhookConfiguration', '/validate'],
      ['MutatingWebhookConfiguration', '/mutate'],
    ] as const) {
      const config = find(objects, kind);
      const hook = (config.webhooks as JsonObject[])[0]!;
      assert.equal(hook.failurePolicy, 'Ignore');
      assert.equal(hook.timeoutSeconds, 7);
      assert.equal(hook.sideEffects, 'None');
      assert.equal(hook.matchPolicy, 'Equivalent');
      assert.deepEqual(hook.admissionReviewVersions, ['v1', 'v1beta1']);
      assert.deepEqual(hook.clientConfig, { service: { name: 'kaji-webhook', namespace: 'kaji-system', path, port: 443 } });
      assert.deepEqual(hook.rules, path === '/mutate' ? MUTATE_RULES : WEBHOOK_RULES);
      const resources = (hook.rules as JsonObject[]).flatMap((rule) => rule.resources as string[]).sort();
      assert.deepEqual(resources, ['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'rollouts', 'statefulsets']);
      assert.deepEqual(
        (hook.rules as JsonObject[]).find((rule) => (rule.resources as string[]).includes('rollouts')),
        { apiGroups: ['argoproj.io'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: ['rollouts'], scope: 'Namespaced' },
      );
      // /mutate gets Pods and Jobs on CREATE only: the API server refuses a patched pod spec on their UPDATE.
      const createOnly = path === '/mutate' ? ['jobs', 'pods'] : [];
      for (const rule of hook.rules as JsonObject[]) {
        const fixed = (rule.resources as string[]).some((resource) => createOnly.includes(resource));
        assert.deepEqual(rule.operations, fixed ? ['CREATE'] : ['CREATE', 'UPDATE'], JSON.stringify(rule.resources));
        if (fixed) assert.equal((rule.resources as string[]).length, 1, 'nothing else shares their CREATE-only rule');
      }
      const expressions = (hook.namespaceSelector as JsonObject).matchExpressions as JsonObject[];
      // Every namespace the CDK stack installs into (test/infra/webhook-exclusions.test.ts), and the webhook's own.
      assert.deepEqual(expressions[0], { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['argocd', 'cert-manager', 'external-dns', 'external-secrets', 'kaji-system', 'kube-system'] });
      assert.deepEqual([...WEBHOOK_EXCLUDED_NAMESPACES], ['argocd', 'cert-manager', 'external-dns', 'external-secrets', 'kaji-system', 'kube-system']);
      // cert-manager keeps the caBundle in sync; none is written in git.
      assert.equal(((config.metadata as JsonObject).annotations as JsonObject)['cert-manager.io/inject-ca-from'], `kaji-system/${SERVING_CERTIFICATE}`);
      assert.equal((hook.clientConfig as JsonObject).caBundle, undefined);
    }
  });

  test('kaji-system denies all traffic but the API server\'s calls: ingress to the webhook pods on the port its Service sends to, from any address; no egress', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    assert.deepEqual(policies.map((p) => (p.metadata as JsonObject).name), ['kaji-default-deny', 'kaji-webhook']);
    for (const policy of policies) assert.equal((policy.metadata as JsonObject).namespace, 'kaji-system');
    // Every pod of the namespace, both directions, no rule.
    assert.deepEqual(find(objects, 'NetworkPolicy', 'kaji-default-deny').spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const allow = find(objects, 'NetworkPolicy', 'kaji-webhook').spec as JsonObject;
    assert.deepEqual(allow.policyTypes, ['Ingress']);
    assert.equal(allow.egress, undefined);
    // The API server calls the Service the configurations name; the pods it selects get the call on
    // the container port the Service's targetPort names: that port, and only it, is open, to every
    // source (no `from`: the control plane's addresses are not known here).
    const service = find(objects, 'Service', 'kaji-webhook');
    const hooks = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].flatMap((kind) => find(objects, kind).webhooks as JsonObject[]);
    for (const hook of hooks) {
      assert.deepEqual(((hook.clientConfig as JsonObject).service as JsonObject).name, (service.metadata as JsonObject).name);
    }
    const [servicePort] = (service.spec as JsonObject).ports as JsonObject[];
    const template = (find(objects, 'Deployment').spec as JsonObject).template as JsonObject;
    const containerPort = (((template.spec as JsonObject).containers as JsonObject[])[0]!.ports as JsonObject[]).find((p) => p.name === servicePort!.targetPort)!;
    assert.deepEqual(allow.ingress, [{ ports: [{ protocol: 'TCP', port: containerPort.containerPort }] }]);
    const selected = (allow.podSelector as JsonObject).matchLabels as Record<string, string>;
    const podLabels = (template.metadata as JsonObject).labels as Record<string, string>;
    assert.deepEqual(selected, (service.spec as JsonObject).selector);
    for (const [key, value] of Object.entries(selected)) assert.equal(podLabels[key], value, key);
    // In place before the first webhook pod starts.
    const wave = (o: JsonObject): number => Number(((o.metadata as JsonObject).annotations as JsonObject)['argocd.argoproj.io/sync-wave']);
    for (const policy of policies) assert.ok(wave(policy) < wave(find(objects, 'Deployment')), 'policies sync before the Deployment');
  });

  test("platform.yaml's schema names every excluded namespace where it says what escapes the webhook", () => {
    const webhook = (PLATFORM_SCHEMA.properties as Record<string, JsonObject>).webhook!;
    const failurePolicy = (webhook.properties as Record<string, JsonObject>).failurePolicy!;
    for (const description of [webhook.description, failurePolicy.description] as string[]) {
      for (const namespace of WEBHOOK_EXCLUDED_NAMESPACES) assert.ok(description.includes(namespace), `${namespace} in: ${description}`);
    }
  });

  test('the defaults from the loader: Fail, 5 s', () => {
    const defaults = objectsOf(webhookFiles(definePlatform()));
    const hook = (find(defaults, 'ValidatingWebhookConfiguration').webhooks as JsonObject[])[0]!;
    assert.equal(hook.failurePolicy, 'Fail');
    assert.equal(hook.timeoutSeconds, 5);
  });

  test('cert-manager: self-signed Issuer, CA Certificate, CA Issuer, serving Certificate for the service names', () => {
    const serving = find(objects, 'Certificate', SERVING_CERTIFICATE).spec as JsonObject;
    assert.deepEqual(serving.dnsNames, ['kaji-webhook', 'kaji-webhook.kaji-system', 'kaji-webhook.kaji-system.svc', 'kaji-webhook.kaji-system.svc.cluster.local']);
    assert.equal((serving.issuerRef as JsonObject).name, 'kaji-webhook-ca');
    assert.equal((find(objects, 'Issuer', 'kaji-webhook-ca').spec as JsonObject).ca !== undefined, true);
    const ca = find(objects, 'Certificate', 'kaji-webhook-ca').spec as JsonObject;
    assert.equal(ca.isCA, true);
    // A renewed CA keeps its key, so the serving certificate it signed before still verifies; the serving certificate gets a new key each time.
    assert.equal((ca.privateKey as JsonObject).rotationPolicy, 'Never');
    assert.equal((serving.privateKey as JsonObject).rotationPolicy, 'Always');
    assert.deepEqual(find(objects, 'Issuer', 'kaji-webhook-selfsigned').spec, { selfSigned: {} });
    assert.ok(!objects.some((o) => o.kind === 'ClusterIssuer'));
  });

  test('the Deployment mounts the policy ConfigMap (verbatim text) and the serving certificate, and probes over HTTPS', () => {
    assert.deepEqual(find(objects, 'ConfigMap').data, { 'polaris.yaml': POLICY_TEXT });
    const deployment = find(objects, 'Deployment');
    const spec = deployment.spec as JsonObject;
    assert.equal(spec.replicas, 2);
    const pod = (spec.template as JsonObject).spec as JsonObject;
    assert.equal(pod.automountServiceAccountToken, false);
    const zones = (pod.topologySpreadConstraints as JsonObject[]).map((c) => c.topologyKey);
    assert.ok(zones.includes('topology.kubernetes.io/zone'));
    const container = (pod.containers as JsonObject[])[0]!;
    assert.equal(container.image, PLATFORM.webhook.image);
    assert.deepEqual((container.readinessProbe as JsonObject).httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
    assert.deepEqual((container.livenessProbe as JsonObject).httpGet, { path: '/healthz', port: 'https', scheme: 'HTTPS' });
    const args = container.args as string[];
    assert.equal(args[args.indexOf('--config') + 1], '/etc/kaji/policy/polaris.yaml');
    assert.equal(args[args.indexOf('--tls-cert') + 1], '/etc/kaji/tls/tls.crt');
    // timeoutSeconds 7: the server holds a request at most 5 s longer than the API server waits for it.
    assert.equal(args[args.indexOf('--request-timeout') + 1], '12');
    const volumes = pod.volumes as JsonObject[];
    assert.deepEqual(volumes.find((v) => v.name === 'tls')?.secret, { secretName: SERVING_CERTIFICATE });
    assert.equal((find(objects, 'PodDisruptionBudget').spec as JsonObject).minAvailable, 1);
    assert.deepEqual((find(objects, 'Service').spec as JsonObject).ports, [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
  });

  test('everything it generates passes the example platform policy with no danger and no warning', async () => {
    const policy = await loadPolicyConfig({ file: LABS_POLICY });
    const text = files.filter((f) => f.path.includes('/platform/')).map((f) => f.content).join('---\n');
    const audit = auditObjects(objectsFrom(text), policy, { sourceName: 'webhook' });
    const failed = audit.Results.flatMap((result) => [...messagesOf(result)].filter((m) => !m.Success).map((m) => `${result.Kind}/${result.Name}: ${m.ID}`));
    assert.deepEqual(failed, []);
    assert.equal(countResults(audit.Results).dangers, 0);
  });

  test('the kaji-platform project allows the two webhook kinds and kaji-system; the platform application ignores the injected caBundle', () => {
    const project = loadAll(files.find((f) => f.path === 'clusters/blue/argocd/projects/kaji-platform.yaml')!.content)[0] as JsonObject;
    assert.deepEqual((project.spec as JsonObject).clusterResourceWhitelist, [
      { group: '', kind: 'Namespace' },
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
    ]);
    const app = loadAll(files.find((f) => f.path === 'clusters/blue/argocd/kaji-platform.yaml')!.content)[0] as JsonObject;
    const ignored = (app.spec as JsonObject).ignoreDifferences as JsonObject[];
    assert.deepEqual(ignored.map((entry) => entry.kind), ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    assert.ok((((app.spec as JsonObject).syncPolicy as JsonObject).syncOptions as string[]).includes('RespectIgnoreDifferences=true'));
  });

  test('the tenants ConfigMap: per tenant namespace its services\' names, teams, repositories and hosts, the domain and allowlist, nothing else', () => {
    const platform = sharedNamespacePlatform();
    const configMap = find(objectsOf(webhookFiles(platform)), 'ConfigMap', 'kaji-webhook-tenants');
    assert.equal((configMap.metadata as JsonObject).namespace, 'kaji-system');
    const text = (configMap.data as JsonObject)['tenants.json'] as string;
    assert.deepEqual(Object.keys(configMap.data as JsonObject), ['tenants.json']);
    assert.deepEqual(JSON.parse(text), {
      version: 1,
      domain: 'shop.example.com',
      imageAllowlist: [`${ECR}/mirror/`],
      namespaces: {
        billing: [{ name: 'billing', team: 'web', image: `${ECR}/billing`, hosts: [] }],
        shop: [
          { name: 'cart', team: 'web', image: `${ECR}/cart`, hosts: ['cart.shop.example.com'] },
          { name: 'shop', team: 'web', image: `${ECR}/shop`, hosts: ['www.shop.example.com'] },
        ],
      },
    });
    assert.deepEqual(JSON.parse(text), tenantsDocument(platform));
    // What the webhook reads back: a namespace shared by two services is their union.
    const shop = parseTenants(text, 'tenants.json').get('shop')!;
    assert.deepEqual(shop.repositories, [`${ECR}/cart`, `${ECR}/shop`]);
    assert.deepEqual(shop.hosts, ['cart.shop.example.com', 'www.shop.example.com']);
  });

  test('the Deployment mounts the tenants ConfigMap and passes the mounted file to --tenants', () => {
    const pod = ((find(objects, 'Deployment').spec as JsonObject).template as JsonObject).spec as JsonObject;
    const container = (pod.containers as JsonObject[])[0]!;
    const args = container.args as string[];
    const file = args[args.indexOf('--tenants') + 1]!;
    assert.equal(file, '/etc/kaji/tenants/tenants.json');
    const mount = (container.volumeMounts as JsonObject[]).find((m) => m.mountPath === '/etc/kaji/tenants')!;
    assert.deepEqual(mount, { name: 'tenants', mountPath: '/etc/kaji/tenants', readOnly: true });
    assert.deepEqual((pod.volumes as JsonObject[]).find((v) => v.name === mount.name)?.configMap, { name: 'kaji-webhook-tenants' });
    assert.ok(Object.keys(find(objects, 'ConfigMap', 'kaji-webhook-tenants').data as JsonObject).includes(file.split('/').at(-1)!));
  });

  test('tenant namespaces (by the label kaji-tenants gives them) go to /validate-tenant, with their Ingresses, Services, Roles and RoleBindings; the others to /validate', () => {
    const hooks = find(objects, 'ValidatingWebhookConfiguration').webhooks as JsonObject[];
    assert.deepEqual(hooks.map((hook) => hook.name), ['validate.kaji.dev', 'tenants.kaji.dev']);
    const [others, tenants] = hooks as [JsonObject, JsonObject];
    const selected = (hook: JsonObject) => (hook.namespaceSelector as JsonObject).matchExpressions;
    const path = (hook: JsonObject) => ((hook.clientConfig as JsonObject).service as JsonObject).path;
    // Every namespace but the excluded reaches exactly one of the two: none is judged twice, none escapes.
    const excluded = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['argocd', 'cert-manager', 'external-dns', 'external-secrets', 'kaji-system', 'kube-system'] };
    assert.deepEqual(selected(others), [excluded, { key: SERVICE_LABEL, operator: 'DoesNotExist' }]);
    assert.deepEqual(selected(tenants), [excluded, { key: SERVICE_LABEL, operator: 'Exists' }]);
    assert.deepEqual([path(others), path(tenants)], ['/validate', '/validate-tenant']);
    assert.deepEqual(others.rules, WEBHOOK_RULES);
    assert.deepEqual(tenants.rules, [...WEBHOOK_RULES, ...BOUNDARY_RULES]);
    assert.deepEqual((BOUNDARY_RULES as JsonObject[]).flatMap((rule) => rule.resources as string[]).sort(), ['ingresses', 'rolebindings', 'roles', 'services']);
    assert.equal(tenants.failurePolicy, 'Ignore', "platform.yaml's, as for the other entries");
    // Every tenant Namespace carries the label; the configuration does not change when a service comes or goes.
    const platform = sharedNamespacePlatform();
    const namespaces = webhookFiles(platform)
      .filter((f) => /^clusters\/blue\/tenants\/[^/]+\/namespace\.yaml$/.test(f.path))
      .flatMap((f) => loadAll(f.content) as JsonObject[]);
    const labelled = namespaces.filter((ns) => ((ns.metadata as JsonObject).labels as JsonObject)[SERVICE_LABEL] !== undefined);
    assert.deepEqual([...new Set(labelled.map((ns) => (ns.metadata as JsonObject).name))].sort(), ['billing', 'shop']);
    assert.equal(labelled.length, namespaces.length);
    const validating = (services: typeof platform.services) => find(objectsOf(webhookFiles({ ...platform, services })), 'ValidatingWebhookConfiguration');
    assert.deepEqual(validating(platform.services.slice(1)), validating(platform.services));
    // Mutation is the policy's alone.
    assert.equal((find(objects, 'MutatingWebhookConfiguration').webhooks as JsonObject[]).length, 1);
  });

  test('disabled: no files, but the webhook kinds stay in the project (so Argo CD prunes configurations left from before); enabled without the policy text: a DeriveError', () => {
    const off = webhookFiles(definePlatform({ webhook: { ...PLATFORM.webhook, enabled: false } }));
    assert.ok(!off.some((f) => f.path.includes('/platform/')));
    const project = off.find((f) => f.path.endsWith('projects/kaji-platform.yaml'))!;
    assert.ok(project.content.includes('kind: ValidatingWebhookConfiguration') && project.content.includes('kind: MutatingWebhookConfiguration'));
    assert.throws(() => deriveClusterFiles(PLATFORM, blue, { components: [webhookComponent] }), DeriveError);
  });

  test('the example platform: its committed webhook files pass its policy', async () => {
    const policy = await loadPolicyConfig({ file: LABS_POLICY });
    const folder = fileURLToPath(new URL('../../examples/labs/manifests/clusters/', import.meta.url));
    const files = (await readdir(folder, { recursive: true })).filter((path) => /^[^/]+\/platform\/webhook\/.*\.yaml$/.test(path));
    assert.equal(files.length, 2 * 8, 'eight files for each of the two clusters');
    for (const path of files) {
      assert.equal(countResults(auditObjects(objectsFrom(await readFile(join(folder, path), 'utf8')), policy).Results).dangers, 0, path);
    }
  });
});
