// The guardrails of one tenant service in one cluster: its Namespace, quota,
// default requests/limits, network isolation and the owning team's RBAC. The
// platform (Argo CD application `kaji-tenants`) owns all of them; the service's
// own AppProject forbids the service from creating or changing any of them.
import type { JsonObject } from '../../kube/index.js';
import type { ServiceDefinition } from '../types.js';
import { serviceLabels, teamGroup } from './names.js';
import { sortedMap } from './yaml.js';

/**
 * Where public traffic comes from: the AWS Load Balancer Controller with
 * `target-type: ip`. The ALB sends requests straight to pod IPs from its own
 * network interfaces in the VPC's public (load balancer) subnets; it is not a
 * pod, so no podSelector or namespaceSelector can match it, only an ipBlock.
 * The ipBlock is the load balancer subnets only, never the whole VPC: with the
 * VPC CNI every pod has a VPC address, so allowing the VPC would let every pod
 * of every tenant in.
 *
 * The platform definition does not name these subnets yet, so this is the
 * range the CDK VPC must give its public subnets (and nothing else); a
 * different range is passed as `DeriveOptions.loadBalancerCidrs`.
 */
export const DEFAULT_LOAD_BALANCER_CIDRS: readonly string[] = ['10.0.0.0/20'];

/** Names of the guardrail objects in every tenant namespace (prefixed so a team sees the platform owns them). */
export const GUARDRAIL_NAMES = {
  quota: 'kaji-quota',
  limitRange: 'kaji-defaults',
  defaultDeny: 'kaji-default-deny',
  sameNamespace: 'kaji-allow-same-namespace',
  dns: 'kaji-allow-dns',
  loadBalancer: 'kaji-allow-load-balancer',
  role: 'kaji-team',
} as const;

function metadata(service: ServiceDefinition, name: string): JsonObject {
  return { name, namespace: service.namespace, labels: sortedMap(serviceLabels(service)) };
}

/**
 * The service's Namespace. Pod Security Admission `enforce` at the service's
 * level rejects pods that break it (privileged containers, host namespaces,
 * running as root under `restricted`...); `audit` and `warn` stay at
 * `restricted`, so a service allowed a lower level still sees (in warnings and
 * the audit log) what keeps it from `restricted`, without being blocked.
 */
export function namespaceObject(service: ServiceDefinition): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: service.namespace,
      labels: sortedMap({
        ...serviceLabels(service),
        'kubernetes.io/metadata.name': service.namespace,
        'pod-security.kubernetes.io/enforce': service.podSecurity,
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      }),
    },
  };
}

/**
 * The quota: what the whole namespace may reserve, so one tenant cannot starve
 * the others or scale the node bill without a change to platform.yaml.
 *
 * - `requests.cpu` / `requests.memory`: the scheduler reserves requests, so
 *   they are what capacity (and cost) is planned on.
 * - `limits.memory` = the memory quota: memory cannot be taken back from a
 *   running container, so the sum of memory limits is bounded too (no
 *   overcommit beyond the tenant's share, the OOM killer stays in its lane).
 * - no `limits.cpu`: CPU is compressible (a busy container is throttled, not
 *   killed) and a CPU-limit quota would force every container to declare CPU
 *   limits and cap bursts into idle capacity; requests already bound the
 *   tenant's guaranteed share. (The LimitRange still gives a default CPU limit.)
 * - `pods`: bounds object churn and IP addresses (each pod takes a VPC IP).
 * - `services.loadbalancers` / `services.nodeports` = 0: public traffic enters
 *   only through Ingress (the ALB, with weighted DNS); a tenant cannot open its
 *   own load balancer or a port on every node.
 */
export function resourceQuotaObject(service: ServiceDefinition): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: metadata(service, GUARDRAIL_NAMES.quota),
    spec: {
      hard: sortedMap({
        'requests.cpu': service.quota.cpu,
        'requests.memory': service.quota.memory,
        'limits.memory': service.quota.memory,
        pods: String(service.quota.pods),
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      }),
    },
  };
}

/**
 * Defaults for containers that do not say: `defaultRequest` gives a pod
 * without requests sane ones (and the quota, which needs requests.* and
 * limits.memory on every container, then admits it); `default` gives limits.
 */
export function limitRangeObject(service: ServiceDefinition): JsonObject {
  const { requests, limits } = service.defaults;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: metadata(service, GUARDRAIL_NAMES.limitRange),
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: limits.cpu, memory: limits.memory },
          defaultRequest: { cpu: requests.cpu, memory: requests.memory },
        },
      ],
    },
  };
}

function networkPolicy(service: ServiceDefinition, name: string, spec: JsonObject): JsonObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(service, name), spec };
}

/**
 * The network policies, additive on top of a default deny (policies only ever
 * allow; a packet passes if any policy selecting the pod allows it):
 *
 * 1. default deny: an empty podSelector selects every pod of the namespace and
 *    both policy types with no rules deny all ingress and egress — other
 *    tenants cannot reach the service, and a compromised pod cannot reach other
 *    tenants, the instance metadata service or the internet;
 * 2. same namespace: the service's own pods talk to each other;
 * 3. DNS: egress to kube-dns (UDP and TCP 53) in kube-system only;
 * 4. load balancer (services with public hosts only): ingress from the ALB
 *    subnets (see DEFAULT_LOAD_BALANCER_CIDRS for why an ipBlock).
 */
export function networkPolicyObjects(service: ServiceDefinition, loadBalancerCidrs: readonly string[]): JsonObject[] {
  const policies = [
    networkPolicy(service, GUARDRAIL_NAMES.defaultDeny, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy(service, GUARDRAIL_NAMES.sameNamespace, {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      // A bare podSelector in a peer means "pods of this policy's namespace".
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
    networkPolicy(service, GUARDRAIL_NAMES.dns, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          // namespaceSelector AND podSelector in one peer: kube-dns pods in kube-system, nothing else there.
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
  ];
  if (service.hosts.length > 0) {
    policies.push(
      networkPolicy(service, GUARDRAIL_NAMES.loadBalancer, {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [...new Set(loadBalancerCidrs)].sort().map((cidr) => ({ ipBlock: { cidr } })) }],
      }),
    );
  }
  return policies;
}

/** Read access to the namespaced kinds a team needs to see its service run (not Secrets). */
const READ_RULES: readonly { apiGroup: string; resources: string[] }[] = [
  {
    apiGroup: '',
    resources: [
      'configmaps',
      'endpoints',
      'events',
      'limitranges',
      'persistentvolumeclaims',
      'pods',
      'pods/log',
      'resourcequotas',
      'serviceaccounts',
      'services',
    ],
  },
  { apiGroup: 'apps', resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'] },
  { apiGroup: 'argoproj.io', resources: ['rollouts'] },
  { apiGroup: 'autoscaling', resources: ['horizontalpodautoscalers'] },
  { apiGroup: 'batch', resources: ['cronjobs', 'jobs'] },
  { apiGroup: 'discovery.k8s.io', resources: ['endpointslices'] },
  { apiGroup: 'metrics.k8s.io', resources: ['pods'] },
  { apiGroup: 'networking.k8s.io', resources: ['ingresses', 'networkpolicies'] },
  { apiGroup: 'policy', resources: ['poddisruptionbudgets'] },
];

/**
 * The owning team's rights, in its namespace only (a Role and a RoleBinding;
 * nothing cluster-wide). Not the built-in `edit` ClusterRole: changes go
 * through git and Argo CD, and `edit` would let a team change or delete its
 * NetworkPolicies, read Secrets and exec into pods (which kaji's own RBAC
 * check reports). The team reads its workloads, events and logs (not
 * Secrets), deletes a pod to restart it, and port-forwards to debug; no exec
 * or attach.
 */
export function rbacObjects(service: ServiceDefinition): JsonObject[] {
  const rules: JsonObject[] = READ_RULES.map((rule) => ({
    apiGroups: [rule.apiGroup],
    resources: [...rule.resources],
    verbs: ['get', 'list', 'watch'],
  }));
  rules.push(
    { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
    { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
  );
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(service, GUARDRAIL_NAMES.role),
      rules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(service, GUARDRAIL_NAMES.role),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: GUARDRAIL_NAMES.role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: teamGroup(service.team) }],
    },
  ];
}
