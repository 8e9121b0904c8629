// The admission webhook (`kaji webhook`) in every cluster: the same policy file
// CI checks with, enforced by the API server on Pods and workloads, and the
// per-object tenant boundaries enforced in tenant namespaces.
//
// Files under clusters/<cluster>/platform/webhook/:
//   namespace.yaml     kaji-system (Pod Security restricted), written here while the webhook is enabled
//                      (kaji-namespace.ts; headroom writes it when the webhook is off)
//   networkpolicies.yaml  default deny; ingress to the serving port only, no egress
//   policy.yaml        ConfigMap with the platform's policy file, verbatim (the server watches it:
//                      a change in git reaches the pods without a restart)
//   tenants.yaml       ConfigMap with the tenants file (platform/boundaries/tenants.ts), watched likewise
//   certificates.yaml  cert-manager: self-signed Issuer → CA Certificate → CA Issuer → serving Certificate
//   deployment.yaml    Deployment (2 replicas, spread over zones) and PodDisruptionBudget
//   service.yaml       Service 443 → 9876
//   webhooks.yaml      ValidatingWebhookConfiguration and MutatingWebhookConfiguration
//
// Certificates: cert-manager, not a CA kaji creates and rotates itself.
// - Rotation and the caBundle are solved problems there: cert-manager renews the
//   serving certificate before it expires (new key each time), and its CA
//   injector keeps both webhook configurations' caBundle equal to the CA that
//   signed the certificate being served (`cert-manager.io/inject-ca-from`).
// - The webhook then needs no Kubernetes credentials at all (no token, no RBAC to
//   write Secrets or patch webhook configurations): the pods mount a Secret and
//   only serve; a self-rotating kaji would need cluster-wide write access to
//   admission configuration, the very thing an attacker wants.
// - Everything is namespaced Issuers: no ClusterIssuer, so the kaji-platform
//   project gains no cluster-scoped kind beyond the two webhook configurations.
// The price: cert-manager (and its CRDs) must be installed in every cluster
// before kaji-platform syncs (an EKS add-on or the cluster's CDK stack).
// Argo CD is told to ignore the injected caBundle (see argocd.ts), so selfHeal
// does not undo the injection.
import type { JsonObject } from '../../../kube/index.js';
import { tenantsDocument } from '../../boundaries/index.js';
import { KAJI_NAMESPACE, type ClusterDefinition, type PlatformDefinition } from '../../types.js';
import type { GroupKind } from '../argocd.js';
import type { ComponentContext, PlatformComponent } from '../components.js';
import { DeriveError } from '../errors.js';
import { CDK_NAMESPACES, platformLabels, SERVICE_LABEL } from '../names.js';
import { GUARDRAIL_NAMES } from '../tenant.js';
import { generatedFile, sortedMap, type GeneratedFile } from '../yaml.js';
import { KAJI_NAMESPACE_WAVE, kajiNamespaceObject, RESTRICTED_CONTAINER_SECURITY } from './kaji-namespace.js';

export const WEBHOOK_NAME = 'kaji-webhook';
/** The port the server listens on in the container (`kaji webhook --port`). */
export const WEBHOOK_PORT = 9876;
/** The serving certificate's Certificate (and Secret): what the CA injector reads. */
export const SERVING_CERTIFICATE = `${WEBHOOK_NAME}-tls`;
export const POLICY_CONFIGMAP = `${WEBHOOK_NAME}-policy`;
/** The key of the policy file in the ConfigMap, and so its file name in the pod. */
export const POLICY_KEY = 'polaris.yaml';
const POLICY_DIR = '/etc/kaji/policy';
export const TENANTS_CONFIGMAP = `${WEBHOOK_NAME}-tenants`;
/** The key of the tenants file in its ConfigMap, and so its file name in the pod. */
export const TENANTS_KEY = 'tenants.json';
const TENANTS_DIR = '/etc/kaji/tenants';
const TLS_DIR = '/etc/kaji/tls';

/**
 * Namespaces the API server never sends to the webhook: every one the CDK stack installs into
 * (kube-system, Argo CD's, cert-manager's...: the cluster and Argo CD can always repair, and
 * cert-manager can renew the webhook's certificate while the webhook is down) and the webhook's own.
 */
export const WEBHOOK_EXCLUDED_NAMESPACES: readonly string[] = [...Object.values(CDK_NAMESPACES), KAJI_NAMESPACE].sort();

/** Group/resource of the kinds whose pod spec is fixed at creation: mutated on CREATE only (MUTATE_RULES). */
const CREATE_ONLY_RESOURCES: ReadonlySet<string> = new Set(['/pods', 'batch/jobs']);

/** What the webhook judges: Pods and every workload kind that makes them (Argo Rollouts too), on CREATE and UPDATE. */
export const WEBHOOK_RULES: readonly JsonObject[] = [
  { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'replicationcontrollers'], scope: 'Namespaced' },
  {
    apiGroups: ['apps'],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
    scope: 'Namespaced',
  },
  { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['cronjobs', 'jobs'], scope: 'Namespaced' },
  // Argo Rollouts: tenants may create them (tenant.ts) and their pod template is judged like a
  // Deployment's. The API server checks a rule's syntax only and matches it against each request,
  // so in a cluster without the CRD the rule matches nothing; once the CRD is installed it applies.
  { apiGroups: ['argoproj.io'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: ['rollouts'], scope: 'Namespaced' },
];

/**
 * What /mutate is sent: WEBHOOK_RULES, but Pods and Jobs on CREATE only. The API server refuses to
 * change a Pod's spec or a Job's pod template after creation, so a patch on their UPDATE (a label,
 * an ownerReference, a finalizer's removal, of one created before the mutation applied) would make
 * it refuse the whole UPDATE.
 */
export const MUTATE_RULES: readonly JsonObject[] = WEBHOOK_RULES.flatMap((rule) => {
  const fixed = (rule.resources as string[]).filter((resource) => CREATE_ONLY_RESOURCES.has(`${String((rule.apiGroups as string[])[0])}/${resource}`));
  if (!fixed.length) return [rule];
  const rest = (rule.resources as string[]).filter((resource) => !fixed.includes(resource));
  return [{ ...rule, operations: ['CREATE'], resources: fixed }, ...(rest.length ? [{ ...rule, resources: rest }] : [])];
});

/**
 * What only the tenant boundaries judge, sent for tenant namespaces only (with WEBHOOK_RULES):
 * the objects that claim hosts (Ingresses; Services by external-dns annotations) and tenant RBAC.
 */
export const BOUNDARY_RULES: readonly JsonObject[] = [
  { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'], scope: 'Namespaced' },
  { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'], scope: 'Namespaced' },
  { apiGroups: ['rbac.authorization.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['roles', 'rolebindings'], scope: 'Namespaced' },
];

/**
 * Sync waves inside kaji-platform: the namespace and its network policies (before any pod runs
 * there), then the certificates, the server, and the registrations only once the server is healthy.
 */
const WAVE = { namespace: KAJI_NAMESPACE_WAVE, issuers: '-2', certificates: '-1', server: '0', registration: '1' } as const;

function labels(): Record<string, string> {
  return sortedMap({ ...platformLabels(), 'app.kubernetes.io/name': WEBHOOK_NAME, 'app.kubernetes.io/instance': WEBHOOK_NAME, 'app.kubernetes.io/component': 'admission-webhook' });
}

function metadata(name: string, wave: string, namespaced = true, annotations: Record<string, string> = {}): JsonObject {
  const meta: JsonObject = { name };
  if (namespaced) meta.namespace = KAJI_NAMESPACE;
  meta.labels = labels();
  meta.annotations = sortedMap({ 'argocd.argoproj.io/sync-wave': wave, ...annotations });
  return meta;
}

const SELECTOR = { 'app.kubernetes.io/name': WEBHOOK_NAME };

/**
 * kaji-system's network policies: like a tenant namespace, all traffic denied, then only what the
 * server needs.
 *
 * - `kaji-default-deny`: every pod of the namespace, ingress and egress.
 * - `kaji-webhook`: ingress to the webhook's pods on the serving port, from any source. The API
 *   server calls it from the EKS control plane's network interfaces, which take addresses in the
 *   cluster's subnets: the node subnets by default, where the VPC CNI also gives every pod its
 *   address, so no ipBlock tells the API server from a pod, and platform.yaml does not know those
 *   subnets anyway (they are the CDK app's). A guessed block that missed the control plane would
 *   make every call fail, and with failurePolicy Fail that refuses every Pod and workload outside
 *   the excluded namespaces. A tenant pod reaches this port only if platform.yaml opens it an
 *   egress block that holds the webhook's pods; nothing else in the namespace is reachable. Kubelet
 *   probes come from the node, which the VPC CNI always lets in.
 * - no egress at all: the server only answers (its policy, tenants file and certificate are mounted
 *   files; no API token, no DNS lookup), so a pod taken over through a crafted object reaches
 *   neither the instance metadata service, nor tenants, nor the internet. The replies to the API
 *   server still pass: a policy allows connections, and their replies with them.
 */
function networkPolicyObjects(): JsonObject[] {
  const policy = (name: string, spec: JsonObject): JsonObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(name, WAVE.namespace), spec });
  return [
    policy(GUARDRAIL_NAMES.defaultDeny, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy(WEBHOOK_NAME, { podSelector: { matchLabels: SELECTOR }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: WEBHOOK_PORT }] }] }),
  ];
}

function policyConfigMap(policyText: string): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(POLICY_CONFIGMAP, WAVE.server), data: { [POLICY_KEY]: policyText } };
}

/** The tenants file: what the boundary checks need from platform.yaml (no secrets: names, repositories, hosts). */
function tenantsConfigMap(platform: PlatformDefinition): JsonObject {
  const text = `${JSON.stringify(tenantsDocument(platform), null, 2)}\n`;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(TENANTS_CONFIGMAP, WAVE.server), data: { [TENANTS_KEY]: text } };
}

/** The service's DNS names the API server may call it by. */
export function serviceDnsNames(): string[] {
  const base = `${WEBHOOK_NAME}.${KAJI_NAMESPACE}`;
  return [WEBHOOK_NAME, base, `${base}.svc`, `${base}.svc.cluster.local`];
}

function certificateObjects(): JsonObject[] {
  const selfSigned = `${WEBHOOK_NAME}-selfsigned`;
  const ca = `${WEBHOOK_NAME}-ca`;
  return [
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: metadata(selfSigned, WAVE.issuers), spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: metadata(ca, WAVE.issuers),
      spec: {
        isCA: true,
        commonName: `${WEBHOOK_NAME} CA`,
        secretName: ca,
        duration: '43800h', // 5 years
        renewBefore: '8760h',
        // The renewed CA keeps its key: cert-manager does not reissue the serving certificate when
        // the CA renews (cert-manager#2478), so the one being served, signed by the old CA, must
        // still verify against the caBundle, whichever CA certificate that holds.
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
        issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: selfSigned },
      },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: metadata(ca, WAVE.certificates), spec: { ca: { secretName: ca } } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: metadata(SERVING_CERTIFICATE, WAVE.certificates),
      spec: {
        secretName: SERVING_CERTIFICATE,
        dnsNames: serviceDnsNames(),
        duration: '2160h', // 90 days
        renewBefore: '720h',
        usages: ['server auth', 'digital signature', 'key encipherment'],
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: ca },
      },
    },
  ];
}

function probe(path: string, periodSeconds: number, failureThreshold: number): JsonObject {
  return { httpGet: { path, port: 'https', scheme: 'HTTPS' }, periodSeconds, timeoutSeconds: 2, failureThreshold };
}

function deploymentObject(platform: PlatformDefinition): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(WEBHOOK_NAME, WAVE.server),
    spec: {
      replicas: 2,
      revisionHistoryLimit: 5,
      selector: { matchLabels: SELECTOR },
      // Never fewer than 2 ready during a rollout: the API server keeps a backend.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels() },
        spec: {
          // cert-manager writes the Secret; the server needs no API access.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: SELECTOR } },
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: SELECTOR } },
          ],
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'webhook',
              image: platform.webhook.image,
              imagePullPolicy: 'Always',
              // The image's entrypoint is `kaji webhook`.
              args: [
                '--config',
                `${POLICY_DIR}/${POLICY_KEY}`,
                '--tenants',
                `${TENANTS_DIR}/${TENANTS_KEY}`,
                '--port',
                String(WEBHOOK_PORT),
                '--tls-cert',
                `${TLS_DIR}/tls.crt`,
                '--tls-key',
                `${TLS_DIR}/tls.key`,
                '--validate',
                '--mutate',
                // The API server gives up after timeoutSeconds; a request still open 5 s later is a stuck or hostile client.
                '--request-timeout',
                String(platform.webhook.timeoutSeconds + 5),
              ],
              ports: [{ name: 'https', containerPort: WEBHOOK_PORT, protocol: 'TCP' }],
              env: [{ name: 'TMPDIR', value: '/tmp' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: probe('/readyz', 5, 2),
              livenessProbe: probe('/healthz', 10, 3),
              // Endpoints drop the pod before SIGTERM reaches it (the server then finishes what is in flight).
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              securityContext: RESTRICTED_CONTAINER_SECURITY,
              volumeMounts: [
                { name: 'policy', mountPath: POLICY_DIR, readOnly: true },
                { name: 'tenants', mountPath: TENANTS_DIR, readOnly: true },
                { name: 'tls', mountPath: TLS_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'policy', configMap: { name: POLICY_CONFIGMAP } },
            { name: 'tenants', configMap: { name: TENANTS_CONFIGMAP } },
            { name: 'tls', secret: { secretName: SERVING_CERTIFICATE } },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          ],
        },
      },
    },
  };
}

function podDisruptionBudget(): JsonObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(WEBHOOK_NAME, WAVE.server),
    spec: { minAvailable: 1, selector: { matchLabels: SELECTOR } },
  };
}

function serviceObject(): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(WEBHOOK_NAME, WAVE.server),
    spec: { type: 'ClusterIP', selector: SELECTOR, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
  };
}

/**
 * One webhook entry of a configuration: the rules, the exclusions and platform.yaml's failure
 * policy and timeout; `tenants` limits it to the tenant namespaces or to the others.
 */
function webhookEntry(
  platform: PlatformDefinition,
  name: string,
  path: string,
  rules: readonly JsonObject[] = WEBHOOK_RULES,
  tenants?: 'tenant namespaces' | 'other namespaces',
): JsonObject {
  const matchExpressions: JsonObject[] = [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...WEBHOOK_EXCLUDED_NAMESPACES] }];
  if (tenants) matchExpressions.push({ key: SERVICE_LABEL, operator: tenants === 'tenant namespaces' ? 'Exists' : 'DoesNotExist' });
  return {
    name,
    admissionReviewVersions: ['v1', 'v1beta1'],
    clientConfig: { service: { name: WEBHOOK_NAME, namespace: KAJI_NAMESPACE, path, port: 443 } },
    rules: rules.map((rule) => ({ ...rule })),
    matchPolicy: 'Equivalent',
    namespaceSelector: { matchExpressions },
    failurePolicy: platform.webhook.failurePolicy,
    timeoutSeconds: platform.webhook.timeoutSeconds,
    sideEffects: 'None',
  };
}

/**
 * Validation in two entries: tenant namespaces go to /validate-tenant, with their Ingresses,
 * Services and RBAC too, where a namespace the tenants file does not list (yet) is denied; the
 * others go to /validate for the policy alone. A tenant namespace is told by the service label
 * kaji-tenants gives it when it creates it, so a new service's namespace is a tenant's from its
 * first object on, whichever application syncs first; tenants cannot change a Namespace.
 */
function validatingEntries(platform: PlatformDefinition): JsonObject[] {
  return [
    webhookEntry(platform, 'validate.kaji.dev', '/validate', WEBHOOK_RULES, 'other namespaces'),
    webhookEntry(platform, 'tenants.kaji.dev', '/validate-tenant', [...WEBHOOK_RULES, ...BOUNDARY_RULES], 'tenant namespaces'),
  ];
}

function webhookConfigurations(platform: PlatformDefinition): JsonObject[] {
  const inject = { 'cert-manager.io/inject-ca-from': `${KAJI_NAMESPACE}/${SERVING_CERTIFICATE}` };
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: metadata(WEBHOOK_NAME, WAVE.registration, false, inject),
      webhooks: validatingEntries(platform),
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: metadata(WEBHOOK_NAME, WAVE.registration, false, inject),
      webhooks: [{ ...webhookEntry(platform, 'mutate.kaji.dev', '/mutate', MUTATE_RULES), reinvocationPolicy: 'Never' }],
    },
  ];
}

function deriveWebhook(platform: PlatformDefinition, _cluster: ClusterDefinition, context: ComponentContext): GeneratedFile[] {
  if (!platform.webhook.enabled) return [];
  if (context.policyText === undefined) {
    throw new DeriveError('platform component "webhook": the policy file\'s text is needed (DeriveOptions.policyText) to put it in the webhook\'s ConfigMap');
  }
  return [
    // kaji-system's Namespace is written once; while the webhook is enabled, here (kaji-namespace.ts).
    generatedFile('namespace.yaml', [kajiNamespaceObject()]),
    generatedFile('networkpolicies.yaml', networkPolicyObjects(), [
      `Default deny; the API server reaches the webhook on port ${WEBHOOK_PORT}, from any address (its network interfaces share the node subnets with the pods), and the webhook reaches nothing.`,
    ]),
    generatedFile('policy.yaml', [policyConfigMap(context.policyText)], [`The policy file (${platform.policy}) the webhook enforces, as CI does.`]),
    generatedFile('tenants.yaml', [tenantsConfigMap(platform)], ['What the webhook checks tenant boundaries with: per tenant namespace its services, image repositories and hosts (from platform.yaml).']),
    generatedFile('certificates.yaml', certificateObjects(), ['Needs cert-manager in the cluster: it issues and renews the serving certificate and injects the caBundle.']),
    generatedFile('deployment.yaml', [deploymentObject(platform), podDisruptionBudget()]),
    generatedFile('service.yaml', [serviceObject()]),
    generatedFile('webhooks.yaml', webhookConfigurations(platform), [
      `failurePolicy ${platform.webhook.failurePolicy}, timeoutSeconds ${platform.webhook.timeoutSeconds} (platform.yaml webhook:); never called for ${WEBHOOK_EXCLUDED_NAMESPACES.join(', ')}.`,
      `tenants.kaji.dev: namespaces labelled ${SERVICE_LABEL} (kaji-tenants creates them so), with their Ingresses, Services, Roles and RoleBindings, for the policy and the tenant boundaries; validate.kaji.dev: the other namespaces, for the policy.`,
    ]),
  ];
}

/** The kinds of kaji's admission webhook configurations (cluster-scoped; their caBundle is written in the cluster). */
export const WEBHOOK_KINDS: readonly GroupKind[] = [
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
];

export const webhookComponent: PlatformComponent = {
  name: 'webhook',
  clusterScopedKinds: WEBHOOK_KINDS,
  namespaces: [KAJI_NAMESPACE],
  derive: deriveWebhook,
};
