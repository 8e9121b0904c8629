// The guardrails of one tenant service in one cluster: its Namespace, quota,
// default requests/limits, network isolation and the owning team's RBAC. The
// platform (Argo CD application `kaji-tenants`) owns all of them. The service's
// own AppProject refuses the Namespace (cluster-scoped) and the guardrail kinds
// (TENANT_FORBIDDEN_KINDS); Roles and RoleBindings are kinds a service may have,
// so the team's are held by FailOnSharedResource (no application takes over
// another's object) and the tenant boundaries (kaji synth and the webhook: no
// tenant Role may write Roles or RoleBindings).
import type { JsonObject } from '../../kube/index.js';
import { cidrContains, parseCidr } from '../cidr.js';
import { INTERNET_EXCEPT, INTERNET_PORTS, type EgressDestination, type ServiceDefinition } from '../types.js';
import { serviceLabels, teamGroup } from './names.js';
import { sortedMap } from './yaml.js';

/** Names of the guardrail objects in every tenant namespace (prefixed so a team sees the platform owns them). */
export const GUARDRAIL_NAMES = {
  quota: 'kaji-quota',
  systemPriority: 'kaji-no-system-priority',
  limitRange: 'kaji-defaults',
  defaultDeny: 'kaji-default-deny',
  sameNamespace: 'kaji-allow-same-namespace',
  dns: 'kaji-allow-dns',
  loadBalancer: 'kaji-allow-load-balancer',
  podIdentity: 'kaji-allow-pod-identity',
  fromServices: 'kaji-allow-from-services',
  toServices: 'kaji-allow-to-services',
  egress: 'kaji-allow-egress',
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
 * The quota: what the whole namespace may reserve of CPU, memory, pods (VPC
 * addresses) and volumes, so one tenant cannot take the others' share of
 * them or scale the node bill without a change to platform.yaml.
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
 * - `requests.storage` = the storage quota, and `persistentvolumeclaims` = the
 *   claims quota (by default the pods quota, or 0 when the storage quota is
 *   0, the default): each claim is an EBS volume the platform pays for (at
 *   least 1 GiB, however small the claim) and pins the pods that mount it to
 *   its zone, so both the total size and the number need a bound.
 *
 * Not bounded: ephemeral storage (writable layers, logs, an emptyDir without
 * a sizeLimit) and object counts (ConfigMaps, Secrets, Services...). A quota
 * on ephemeral storage makes every container declare it, so it needs a
 * LimitRange default, and a default limit made up here would evict the pods
 * that use more today; platform.yaml has no field for it yet.
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
        'requests.storage': service.quota.storage,
        persistentvolumeclaims: String(service.quota.persistentVolumeClaims),
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      }),
    },
  };
}

/**
 * No pods at the cluster's own priority classes: a pod at
 * `system-cluster-critical` or `system-node-critical` would preempt the
 * platform's components (Argo CD, Karpenter, CoreDNS...) when the nodes are
 * full. Kubernetes lets any namespace use them unless a quota says otherwise;
 * this one does, for whatever creates the pod (synth's boundaries only see
 * what is in git).
 */
export function systemPriorityQuotaObject(service: ServiceDefinition): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: metadata(service, GUARDRAIL_NAMES.systemPriority),
    spec: {
      hard: { pods: '0' },
      scopeSelector: {
        matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-cluster-critical', 'system-node-critical'] }],
      },
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
 * The EKS Pod Identity agent (a DaemonSet on every node, host network) where
 * AWS SDKs get a pod's credentials: its IPv4 link-local address, port 80.
 * IPv4 only, like the clusters kaji builds: the agent's IPv6 address
 * (fd00:ec2::23) is left out because older VPC CNI network policy agents fail
 * a whole policy whose rules mix IP families with the cluster's.
 */
export const POD_IDENTITY_AGENT = { cidrs: ['169.254.170.23/32'], port: 80 } as const;

/** The instance metadata service (node credentials): never reachable from a tenant pod. */
export const INSTANCE_METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'] as const;

/** The peer that selects every pod of a namespace, by the label Kubernetes sets on every namespace. */
function namespacePeer(namespace: string): JsonObject {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

function tcpPorts(ports: readonly number[]): JsonObject[] {
  return ports.map((port) => ({ protocol: 'TCP', port }));
}

/**
 * An ipBlock for a CIDR the service asked for. A block that holds an instance
 * metadata address (0.0.0.0/0, 169.254.0.0/16...) excepts it, so no entry
 * opens the node's credentials to a pod.
 */
function ipBlock(cidr: string): JsonObject {
  const parsed = parseCidr(cidr);
  const except = parsed.ok
    ? INSTANCE_METADATA_ADDRESSES.filter((address) => cidrContains(parsed.cidr, address)).map((address) => `${address}/${address.includes(':') ? 128 : 32}`)
    : [];
  return { ipBlock: except.length > 0 ? { cidr, except } : { cidr } };
}

/** One egress rule per destination, in the order platform.yaml lists them. */
function egressRule(destination: EgressDestination): JsonObject {
  if (destination.kind === 'internet') {
    return { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...INTERNET_EXCEPT] } }], ports: tcpPorts(INTERNET_PORTS) };
  }
  return { to: [ipBlock(destination.cidr)], ...(destination.ports.length > 0 ? { ports: tcpPorts(destination.ports) } : {}) };
}

/** The namespaces of other services, sorted and each once. */
function namespacesOf(services: readonly ServiceDefinition[]): string[] {
  return [...new Set(services.map((other) => other.namespace))].sort();
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
 * 4. Pod Identity: egress to the EKS Pod Identity agent (TCP 80), so AWS SDKs
 *    get the service's credentials; the instance metadata service
 *    (169.254.169.254) stays denied;
 * 5. load balancer (services with public hosts only): ingress from the ALB
 *    subnets, `network.loadBalancerCidrs`. The AWS Load Balancer Controller
 *    with `target-type: ip` sends requests straight to pod IPs from the ALB's
 *    network interfaces; the ALB is not a pod, so only an ipBlock matches it —
 *    the load balancer subnets only, never the whole VPC (with the VPC CNI
 *    every pod has a VPC address, so the VPC would let every tenant in).
 *    Internet-facing ALBs only: an internal one takes addresses in the node
 *    subnets, so synth refuses tenant Ingresses that are not internet-facing;
 * 6. from services (when `allowFrom` names any): ingress from those services'
 *    namespaces, any port;
 * 7. to services (when other services name this one in `allowFrom`): egress to
 *    their namespaces — default deny covers egress too, so a call needs both
 *    the callee's ingress (6, in its namespace) and this;
 * 8. egress (when `egress` lists any): one rule per destination.
 *
 * Namespaces are matched by `kubernetes.io/metadata.name`, which the API
 * server sets on every namespace and nobody can change.
 */
export function networkPolicyObjects(
  service: ServiceDefinition,
  services: readonly ServiceDefinition[],
  loadBalancerCidrs: readonly string[],
): JsonObject[] {
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
              ...namespacePeer('kube-system'),
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
    networkPolicy(service, GUARDRAIL_NAMES.podIdentity, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: POD_IDENTITY_AGENT.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcpPorts([POD_IDENTITY_AGENT.port]) }],
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
  const callers = services.filter((other) => other.name !== service.name && service.allowFrom.includes(other.name));
  if (callers.length > 0) {
    policies.push(
      networkPolicy(service, GUARDRAIL_NAMES.fromServices, {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: namespacesOf(callers).map(namespacePeer) }],
      }),
    );
  }
  const callees = services.filter((other) => other.name !== service.name && other.allowFrom.includes(service.name));
  if (callees.length > 0) {
    policies.push(
      networkPolicy(service, GUARDRAIL_NAMES.toServices, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: namespacesOf(callees).map(namespacePeer) }],
      }),
    );
  }
  if (service.egress.length > 0) {
    policies.push(
      networkPolicy(service, GUARDRAIL_NAMES.egress, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: service.egress.map(egressRule),
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
  // The recommendations kaji rightsize reads, so the team sees them too.
  { apiGroup: 'autoscaling.k8s.io', resources: ['verticalpodautoscalers'] },
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
