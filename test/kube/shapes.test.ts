// Lists and mappings the checks read, of a shape the API server refuses
// (volumes: 5, a LimitRange's limits: {}): kaji reports the field at its line
// with the shape it must have, and does not check the object as if the field
// were absent (hostPathSet "passed" on volumes: 5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addStream, type LoadResult } from '../../src/kube/index.js';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

/** A Deployment whose pod spec holds `podSpec` (lines under `spec:`, indented there) and whose one container holds `container`. */
function deployment(name: string, podSpec: string[], container: string[] = [], templateMetadata = '{labels: {app: web}}'): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}, namespace: shop}`,
    'spec:',
    '  template:',
    `    metadata: ${templateMetadata}`,
    '    spec:',
    ...podSpec.map((line) => `      ${line}`),
    '      containers:',
    '        - name: app',
    '          image: registry.example.com/app:1.0',
    ...container.map((line) => `          ${line}`),
  ].join('\n');
}

/** An object of a kind and API version with the given lines under it. */
function object(apiVersion: string, kind: string, name: string, body: string[]): string {
  return [`apiVersion: ${apiVersion}`, `kind: ${kind}`, `metadata: {name: ${name}, namespace: shop}`, ...body].join('\n');
}

/** Each case is one document; `# <-` marks the line its problem is reported at. */
const BAD: readonly [document: string, problem: string][] = [
  [deployment('volumes-number', ['volumes: 5 # <-']), 'Deployment spec.template.spec.volumes must be a list of volumes, found 5'],
  [deployment('volume-text', ['volumes:', '  - cache # <-']), 'Deployment spec.template.spec.volumes[0] must be a volume (a mapping with a name), found "cache"'],
  [deployment('volume-null', ['volumes:', '  - name: a', '    emptyDir: {}', '  - null # <-']), 'Deployment spec.template.spec.volumes[1] must be a volume (a mapping with a name), found null'],
  [
    deployment('host-path-text', ['volumes:', '  - name: logs', '    hostPath: /var/log # <-']),
    'Deployment spec.template.spec.volumes[0].hostPath must be a mapping with a path, found "/var/log"',
  ],
  [deployment('empty-dir-list', ['volumes: [{name: a, emptyDir: [] }] # <-']), 'Deployment spec.template.spec.volumes[0].emptyDir must be a mapping (such as {} or with a sizeLimit), found a list'],
  [deployment('mounts', [], ['volumeMounts: 7 # <-']), 'Deployment spec.template.spec.containers[0].volumeMounts must be a list of volume mounts, found 7'],
  [deployment('ports', [], ['ports: {http: 80} # <-']), 'Deployment spec.template.spec.containers[0].ports must be a list of ports, found a mapping'],
  [deployment('env-item', [], ['env:', '  - name: A', '    value: b', '  - LOG_LEVEL # <-']), 'Deployment spec.template.spec.containers[0].env[1] must be an environment variable (a mapping with a name), found "LOG_LEVEL"'],
  [deployment('value-from', [], ['env:', '  - name: TOKEN', '    valueFrom: token # <-']), 'Deployment spec.template.spec.containers[0].env[0].valueFrom must be a mapping (such as secretKeyRef), found "token"'],
  [deployment('env-from', [], ['envFrom: {configMapRef: {name: web}} # <-']), 'Deployment spec.template.spec.containers[0].envFrom must be a list of sources (configMapRef or secretRef), found a mapping'],
  [deployment('context', [], ['securityContext: restricted # <-']), 'Deployment spec.template.spec.containers[0].securityContext must be a mapping (a security context), found "restricted"'],
  [
    deployment('capabilities', [], ['securityContext:', '  capabilities: [NET_ADMIN] # <-']),
    'Deployment spec.template.spec.containers[0].securityContext.capabilities must be a mapping with add and drop, found a list',
  ],
  [
    deployment('add', [], ['securityContext:', '  capabilities:', '    add: ALL # <-']),
    'Deployment spec.template.spec.containers[0].securityContext.capabilities.add must be a list of capability names, found "ALL"',
  ],
  [
    deployment('drop', [], ['securityContext:', '  capabilities:', '    drop:', '      - ALL', '      - 5 # <-']),
    'Deployment spec.template.spec.containers[0].securityContext.capabilities.drop[1] must be a capability name (a text), found 5',
  ],
  [deployment('probe', [], ['readinessProbe: /healthz # <-']), 'Deployment spec.template.spec.containers[0].readinessProbe must be a probe (a mapping), found "/healthz"'],
  [
    deployment('init', ['initContainers:', '  - name: init', '    image: registry.example.com/init:1', '    env: 5 # <-']),
    'Deployment spec.template.spec.initContainers[0].env must be a list of environment variables, found 5',
  ],
  [
    deployment('ephemeral', ['ephemeralContainers:', '  - name: debug', '    image: registry.example.com/debug:1', '    ports: 5 # <-']),
    'Deployment spec.template.spec.ephemeralContainers[0].ports must be a list of ports, found 5',
  ],
  [deployment('tolerations', ['tolerations: {key: gpu} # <-']), 'Deployment spec.template.spec.tolerations must be a list of tolerations, found a mapping'],
  [deployment('spread', ['topologySpreadConstraints: [5] # <-']), 'Deployment spec.template.spec.topologySpreadConstraints[0] must be a topology spread constraint (a mapping), found 5'],
  [deployment('pod-context', ['securityContext: [] # <-']), 'Deployment spec.template.spec.securityContext must be a mapping (a security context), found a list'],
  [
    deployment('seccomp', ['securityContext:', '  seccompProfile: RuntimeDefault # <-']),
    'Deployment spec.template.spec.securityContext.seccompProfile must be a mapping with a type, found "RuntimeDefault"',
  ],
  [deployment('template-labels', [], [], '{labels: [app] } # <-'), 'Deployment spec.template.metadata.labels must be a mapping of names to texts, found a list'],
  [
    deployment('template-label-value', [], [], '{labels: {app: web, version: 1.5} } # <-'),
    'Deployment spec.template.metadata.labels.version must be a text (in quotes), found 1.5',
  ],
  [
    ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: annotated', '  annotations:', '    polaris.fairwinds.com/exempt: true # <-'].join('\n'),
    'ConfigMap metadata.annotations.polaris.fairwinds.com/exempt must be a text (in quotes), found true',
  ],
  [
    object('batch/v1', 'CronJob', 'nightly', [
      'spec:',
      '  jobTemplate:',
      '    spec:',
      '      template:',
      '        spec:',
      '          containers: [{name: job, image: registry.example.com/job:1, env: 5}] # <-',
    ]),
    'CronJob spec.jobTemplate.spec.template.spec.containers[0].env must be a list of environment variables, found 5',
  ],
  [object('v1', 'Pod', 'bare', ['spec:', '  containers: [{name: app, image: registry.example.com/app:1}]', '  volumes: 5 # <-']), 'Pod spec.volumes must be a list of volumes, found 5'],
  [
    object('apps/v1', 'StatefulSet', 'claims-text', ['spec:', '  template: {spec: {containers: [{name: db, image: registry.example.com/db:1}]}}', '  volumeClaimTemplates: x # <-']),
    'StatefulSet spec.volumeClaimTemplates must be a list of claim templates (PersistentVolumeClaims), found "x"',
  ],
  [
    object('apps/v1', 'StatefulSet', 'claim-number', ['spec:', '  volumeClaimTemplates:', '    - 5 # <-']),
    'StatefulSet spec.volumeClaimTemplates[0] must be a claim template (a mapping with metadata and spec), found 5',
  ],
  [object('v1', 'LimitRange', 'limits', ['spec:', '  limits: {} # <-']), 'LimitRange spec.limits must be a list of limits, found a mapping'],
  [object('v1', 'LimitRange', 'limit-item', ['spec:', '  limits: [Container] # <-']), 'LimitRange spec.limits[0] must be a limit (a mapping with a type), found "Container"'],
  [object('networking.k8s.io/v1', 'Ingress', 'tls', ['spec:', '  tls: [web-tls] # <-']), 'Ingress spec.tls[0] must be a TLS setting (a mapping with hosts and secretName), found "web-tls"'],
  [
    object('policy/v1', 'PodDisruptionBudget', 'pdb', ['spec:', '  minAvailable: 1', '  selector:', '    matchLabels: [app] # <-']),
    'PodDisruptionBudget spec.selector.matchLabels must be a mapping of names to texts, found a list',
  ],
  [object('policy/v1', 'PodDisruptionBudget', 'pdb-spec', ['spec: 1 # <-']), 'PodDisruptionBudget spec must be a mapping, found 1'],
  [
    object('autoscaling/v2', 'HorizontalPodAutoscaler', 'hpa', ['spec:', '  scaleTargetRef: web # <-', '  maxReplicas: 3']),
    'HorizontalPodAutoscaler spec.scaleTargetRef must be a mapping with kind and name, found "web"',
  ],
  [
    object('networking.k8s.io/v1', 'NetworkPolicy', 'policy', ['spec:', '  podSelector: {}', '  ingress: {from: []} # <-']),
    'NetworkPolicy spec.ingress must be a list of rules, found a mapping',
  ],
  [
    object('networking.k8s.io/v1', 'NetworkPolicy', 'types', ['spec:', '  podSelector: {}', '  policyTypes: Ingress # <-']),
    'NetworkPolicy spec.policyTypes must be a list of policy types (Ingress, Egress), found "Ingress"',
  ],
  [object('v1', 'ConfigMap', 'settings', ['data:', '  name: web', '  port: 8080 # <-']), 'ConfigMap data.port must be a text (in quotes), found 8080'],
  [object('v1', 'Service', 'external', ['spec:', '  externalIPs: 203.0.113.7 # <-']), 'Service spec.externalIPs must be a list of IP addresses, found "203.0.113.7"'],
  [object('rbac.authorization.k8s.io/v1', 'Role', 'rules', ['rules: [not-a-rule] # <-']), 'Role rules[0] must be a rule (a mapping with apiGroups, resources and verbs), found "not-a-rule"'],
  [
    object('rbac.authorization.k8s.io/v1', 'ClusterRole', 'verbs', ['rules:', '  - apiGroups: [""]', '    resources: [pods]', '    verbs: get # <-']),
    'ClusterRole rules[0].verbs must be a list of texts, found "get"',
  ],
  [object('rbac.authorization.k8s.io/v1', 'RoleBinding', 'ref', ['roleRef: admin # <-']), 'RoleBinding roleRef must be a mapping with apiGroup, kind and name, found "admin"'],
  [
    object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'subjects', ['roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}', 'subjects: {kind: User, name: ann} # <-']),
    'ClusterRoleBinding subjects must be a list of subjects, found a mapping',
  ],
];

/** Well-shaped, partial (a patch), null (absent) or not Kubernetes' kind: none is a problem. */
const GOOD: readonly string[] = [
  deployment('full', ['volumes: [{name: logs, hostPath: {path: /var/log}}, {name: cache, emptyDir: {}}]', 'tolerations: [{key: gpu, operator: Exists}]', 'securityContext: {seccompProfile: {type: RuntimeDefault}}'], [
    'ports: [{containerPort: 80}]',
    'env: [{name: A, value: b}, {name: T, valueFrom: {secretKeyRef: {name: s, key: t}}}]',
    'envFrom: [{configMapRef: {name: web}}]',
    'volumeMounts: [{name: logs, mountPath: /logs}]',
    'securityContext: {capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}}',
    'readinessProbe: {httpGet: {path: /, port: 80}}',
  ]),
  deployment('empty', ['volumes: []', 'tolerations: []'], ['env: []', 'ports: []']),
  deployment('nulls', ['volumes: null', 'securityContext: ~'], ['env:', 'securityContext: {capabilities: {add: null}}'], '{labels: {app: web, empty: null}}'),
  // a kustomization's strategic-merge patch: its directives are neither volumes nor labels
  deployment('patch', ['volumes: [{name: cache, $patch: delete}]', '$setElementOrder/volumes: [{name: logs}]'], [], '{labels: {$patch: replace, app: web}}'),
  deployment('quoted', [], [], '{labels: {version: "1.5"}, annotations: {polaris.fairwinds.com/exempt: "true"}}'),
  object('example.com/v1', 'Deployment', 'not-kubernetes', ['spec: {template: {spec: {containers: [], volumes: 5}}}']),
  object('example.com/v1', 'ConfigMap', 'not-kubernetes', ['data: {port: 8080}']),
  object('v1', 'LimitRange', 'limits', ['spec: {limits: [{type: Container, max: {cpu: "2"}}]}']),
  object('rbac.authorization.k8s.io/v1', 'Role', 'reader', ['rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]']),
  // a null item where the API server takes the empty item it reads: an ingress rule {} allows all
  object('networking.k8s.io/v1', 'NetworkPolicy', 'allow-all', ['spec: {podSelector: {}, ingress: [~], egress: [{}]}']),
  object('networking.k8s.io/v1', 'Ingress', 'tls', ['spec: {tls: [~], rules: [~]}']),
];

/**
 * Scalars of another type than the API server decodes (each case one
 * document, `# <-` marking the line of its problem): a check would read them
 * as absent, or a lenient reader "true" as set and "false" too.
 */
const BAD_SCALARS: readonly [document: string, problem: string][] = [
  [deployment('host-network', ['hostNetwork: "true" # <-']), 'Deployment spec.template.spec.hostNetwork must be true or false, found "true"'],
  [deployment('host-pid', ['hostPID: 1 # <-']), 'Deployment spec.template.spec.hostPID must be true or false, found 1'],
  [deployment('host-ipc', ["hostIPC: 'false' # <-"]), 'Deployment spec.template.spec.hostIPC must be true or false, found "false"'],
  [deployment('automount', ['automountServiceAccountToken: "no" # <-']), 'Deployment spec.template.spec.automountServiceAccountToken must be true or false, found "no"'],
  [deployment('account', ['serviceAccountName: 7 # <-']), 'Deployment spec.template.spec.serviceAccountName must be a text (in quotes), found 7'],
  [deployment('priority', ['priorityClassName: 100 # <-']), 'Deployment spec.template.spec.priorityClassName must be a text (in quotes), found 100'],
  [deployment('node', ['nodeName: 0x1F # <-']), 'Deployment spec.template.spec.nodeName must be a text (in quotes), found 31'],
  [deployment('toleration', ['tolerations:', '  - key: gpu', '    effect: true # <-']), 'Deployment spec.template.spec.tolerations[0].effect must be a text (in quotes), found true'],
  [deployment('pod-non-root', ['securityContext:', '  runAsNonRoot: "true" # <-']), 'Deployment spec.template.spec.securityContext.runAsNonRoot must be true or false, found "true"'],
  [deployment('pod-user', ['securityContext: {runAsUser: "1000"} # <-']), 'Deployment spec.template.spec.securityContext.runAsUser must be a user ID (a whole number), found "1000"'],
  [
    deployment('host-process', ['securityContext:', '  windowsOptions:', '    hostProcess: "false" # <-']),
    'Deployment spec.template.spec.securityContext.windowsOptions.hostProcess must be true or false, found "false"',
  ],
  [
    deployment('seccomp-type', ['securityContext:', '  seccompProfile:', '    type: 1 # <-']),
    'Deployment spec.template.spec.securityContext.seccompProfile.type must be a text (in quotes), found 1',
  ],
  [
    deployment('selinux', ['securityContext:', '  seLinuxOptions: {level: 0} # <-']),
    'Deployment spec.template.spec.securityContext.seLinuxOptions.level must be a text (in quotes), found 0',
  ],
  [deployment('privileged', [], ['securityContext:', '  privileged: "false" # <-']), 'Deployment spec.template.spec.containers[0].securityContext.privileged must be true or false, found "false"'],
  [
    deployment('escalation', [], ['securityContext:', '  allowPrivilegeEscalation: 0 # <-']),
    'Deployment spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation must be true or false, found 0',
  ],
  [
    deployment('read-only', [], ['securityContext:', '  readOnlyRootFilesystem: "yes" # <-']),
    'Deployment spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem must be true or false, found "yes"',
  ],
  [deployment('user', [], ['securityContext:', '  runAsUser: 1000.5 # <-']), 'Deployment spec.template.spec.containers[0].securityContext.runAsUser must be a user ID (a whole number), found 1000.5'],
  [deployment('user-nan', [], ['securityContext:', '  runAsUser: .nan # <-']), 'Deployment spec.template.spec.containers[0].securityContext.runAsUser must be a user ID (a whole number), found .nan'],
  [deployment('non-root', [], ['securityContext: {runAsNonRoot: [true]} # <-']), 'Deployment spec.template.spec.containers[0].securityContext.runAsNonRoot must be true or false, found a list'],
  [deployment('proc-mount', [], ['securityContext:', '  procMount: 0 # <-']), 'Deployment spec.template.spec.containers[0].securityContext.procMount must be a text (in quotes), found 0'],
  [deployment('container-port', [], ['ports:', '  - containerPort: "8080" # <-']), 'Deployment spec.template.spec.containers[0].ports[0].containerPort must be a port number (a whole number), found "8080"'],
  [deployment('host-port', [], ['ports:', '  - containerPort: 80', '    hostPort: 80.5 # <-']), 'Deployment spec.template.spec.containers[0].ports[0].hostPort must be a port number (a whole number), found 80.5'],
  [
    deployment('port-overflow', [], ['ports: [{containerPort: 4294967376}] # <-']),
    'Deployment spec.template.spec.containers[0].ports[0].containerPort must be a port number (a whole number) from -2147483648 to 2147483647, found 4294967376',
  ],
  [deployment('image', [], ['image: 1.5 # <-']).replace('          image: registry.example.com/app:1.0\n', ''), 'Deployment spec.template.spec.containers[0].image must be a text (in quotes), found 1.5'],
  // YAML 1.1, as Kubernetes reads it: `yes` is the boolean true, not a text
  [deployment('pull-policy', [], ['imagePullPolicy: yes # <-']), 'Deployment spec.template.spec.containers[0].imagePullPolicy must be a text (in quotes), found true'],
  [deployment('env-value', [], ['env:', '  - name: DB_PASSWORD', '    value: 12345 # <-']), 'Deployment spec.template.spec.containers[0].env[0].value must be a text (in quotes), found 12345'],
  [deployment('env-name', [], ['env: [{name: 5, value: x}] # <-']), 'Deployment spec.template.spec.containers[0].env[0].name must be a text (in quotes), found 5'],
  [
    deployment('init-privileged', ['initContainers:', '  - name: init', '    image: registry.example.com/init:1', '    securityContext: {privileged: "true"} # <-']),
    'Deployment spec.template.spec.initContainers[0].securityContext.privileged must be true or false, found "true"',
  ],
  [deployment('template-name', [], [], '{name: 5, labels: {app: web}} # <-'), 'Deployment spec.template.metadata.name must be a text (in quotes), found 5'],
  [object('v1', 'ConfigMap', 'named', []).replace('{name: named, namespace: shop}', '{name: 2024, namespace: shop} # <-'), 'ConfigMap metadata.name must be a text (in quotes), found 2024'],
  [
    object('batch/v1', 'CronJob', 'nightly', ['spec:', '  jobTemplate:', '    spec:', '      template:', '        spec:', '          hostNetwork: "true" # <-', '          containers: []']),
    'CronJob spec.jobTemplate.spec.template.spec.hostNetwork must be true or false, found "true"',
  ],
  [object('v1', 'Pod', 'bare', ['spec:', '  hostPID: "false" # <-', '  containers: []']), 'Pod spec.hostPID must be true or false, found "false"'],
  [object('v1', 'ServiceAccount', 'web', ['automountServiceAccountToken: "false" # <-']), 'ServiceAccount automountServiceAccountToken must be true or false, found "false"'],
  [
    object('autoscaling/v2', 'HorizontalPodAutoscaler', 'hpa-target', ['spec:', '  scaleTargetRef: {kind: Deployment, name: 5} # <-', '  maxReplicas: 3']),
    'HorizontalPodAutoscaler spec.scaleTargetRef.name must be a text (in quotes), found 5',
  ],
  [object('networking.k8s.io/v1', 'Ingress', 'host', ['spec:', '  rules:', '    - host: 1 # <-']), 'Ingress spec.rules[0].host must be a text (in quotes), found 1'],
];

/** Scalars as Kubernetes takes them, and fields of int-or-string type or not read by a check: none is a problem. */
const GOOD_SCALARS: readonly string[] = [
  deployment(
    'typed',
    [
      'hostNetwork: false',
      'hostPID: null',
      'automountServiceAccountToken: false',
      'serviceAccountName: web',
      'priorityClassName: ""',
      'securityContext: {runAsUser: 0, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, windowsOptions: {hostProcess: false}}',
      'tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]',
    ],
    [
      'imagePullPolicy: Always',
      'securityContext: {privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 10001, procMount: Default}',
      'env: [{name: A, value: "1"}, {name: B, value: ""}, {name: C, value: ~}]',
      // int-or-string and quantities take a number or a text alike; probe ports are not read by a check
      'readinessProbe: {httpGet: {path: /, port: http}}',
      'livenessProbe: {tcpSocket: {port: 8080}}',
      'resources: {requests: {cpu: 1, memory: "1Gi"}, limits: {cpu: "1"}}',
    ],
  ),
  // YAML 1.1 as Kubernetes reads it: `yes`, `on`, `off` are booleans; `80.0`, `1e3`, `0x50` and `010` (octal) whole numbers
  deployment('yaml11', ['hostIPC: off', 'securityContext: {runAsNonRoot: on, runAsUser: 1e3}'], [
    'securityContext: {readOnlyRootFilesystem: yes, runAsUser: 010}',
    'ports: [{containerPort: 80.0}, {containerPort: 0x50, hostPort: 0}]',
  ]),
  // a user ID is an int64
  deployment('big-user', [], ['securityContext: {runAsUser: 4294967296}']),
  object('v1', 'Service', 'web', ['spec: {ports: [{port: 80, targetPort: http}, {port: 443, targetPort: 8443}]}']),
  object('policy/v1', 'PodDisruptionBudget', 'pdb', ['spec: {minAvailable: "50%", selector: {matchLabels: {app: web}}}']),
  object('policy/v1', 'PodDisruptionBudget', 'pdb-count', ['spec: {maxUnavailable: 1}']),
  object('v1', 'ServiceAccount', 'web', ['automountServiceAccountToken: false']),
  // a binding's scalars are not judged: what reads them takes one of another type as no match (test/synth/boundaries.test.ts)
  object('rbac.authorization.k8s.io/v1', 'RoleBinding', 'odd-ref', ['roleRef: {kind: ClusterRole, name: [view]}', 'subjects: [{kind: Group, name: 5}]']),
  object('example.com/v1', 'Deployment', 'not-kubernetes', ['spec: {template: {spec: {hostNetwork: "true", containers: [{name: 5}]}}}']),
  object('example.com/v1', 'ServiceAccount', 'not-kubernetes', ['automountServiceAccountToken: "false"']),
];

describe('scalars of the wrong type', () => {
  test('each is an input problem at its line, naming the field path, what was found and the type it must have', () => {
    const text = BAD_SCALARS.map(([document]) => document).join('\n---\n');
    const result: LoadResult = { objects: [], problems: [] };
    addStream(result, text, 'bad.yaml');
    const lines = markedLines(text);
    assert.equal(lines.length, BAD_SCALARS.length, 'one marker per case');
    assert.deepEqual(
      result.problems,
      BAD_SCALARS.map(([, problem], index) => ({ file: 'bad.yaml', line: lines[index], message: problem })),
    );
    assert.deepEqual(result.objects, [], 'no object with a scalar of the wrong type is checked');
  });

  test('booleans, whole numbers and texts of their type (YAML 1.1 included), int-or-string fields and other kinds are no problem', () => {
    const result: LoadResult = { objects: [], problems: [] };
    addStream(result, GOOD_SCALARS.join('\n---\n'), 'good.yaml');
    assert.deepEqual(result.problems, []);
    assert.equal(result.objects.length, GOOD_SCALARS.length);
  });

  test('kaji check: hostNetwork: "true" is reported (exit 1), not passed as hostNetworkSet; `yes` is true and fails it', async () => {
    const tree = tempTree({
      'm.yaml': [deployment('text-flag', ['hostNetwork: "true"']), deployment('yes-flag', ['hostNetwork: yes']), deployment('false-flag', ['hostNetwork: false'])].join('\n---\n') + '\n',
    });
    try {
      const { code, stdout, stderr } = await kaji(['check', tree.path('m.yaml'), '--format', 'json', '--checks', 'hostNetworkSet']);
      assert.equal(code, 1);
      assert.equal(stderr, `kaji: ${tree.path('m.yaml')}:8: Deployment spec.template.spec.hostNetwork must be true or false, found "true"\n`);
      const results = (JSON.parse(stdout) as { Results: { Name: string; PodResult: { Results: Record<string, { Success: boolean }> } }[] }).Results;
      assert.deepEqual(
        results.map((result) => [result.Name, result.PodResult.Results.hostNetworkSet?.Success]),
        [
          ['yes-flag', false],
          ['false-flag', true],
        ],
      );
    } finally {
      tree.cleanup();
    }
  });
});

/** The 1-based line of the `# <-` marker in a stream's text. */
function markedLines(text: string): number[] {
  return text.split('\n').flatMap((line, index) => (line.includes('# <-') ? [index + 1] : []));
}

describe('lists and mappings of the wrong shape', () => {
  test('each is an input problem at its line, naming the field path and the shape it must have', () => {
    const text = BAD.map(([document]) => document).join('\n---\n');
    const result: LoadResult = { objects: [], problems: [] };
    addStream(result, text, 'bad.yaml');
    const lines = markedLines(text);
    assert.equal(lines.length, BAD.length, 'one marker per case');
    assert.deepEqual(
      result.problems,
      BAD.map(([, problem], index) => ({ file: 'bad.yaml', line: lines[index], message: problem })),
    );
    assert.deepEqual(result.objects, [], 'no object of the wrong shape is checked');
  });

  test('well-shaped, partial, null and non-Kubernetes fields are no problem', () => {
    const result: LoadResult = { objects: [], problems: [] };
    addStream(result, GOOD.join('\n---\n'), 'good.yaml');
    assert.deepEqual(result.problems, []);
    assert.equal(result.objects.length, GOOD.length);
  });

  test('kaji check: volumes: 5 is reported (exit 1) and not scored as passing hostPathSet', async () => {
    const tree = tempTree({ 'm.yaml': `${deployment('five', ['volumes: 5'])}\n---\n${deployment('fine', ['volumes: [{name: c, emptyDir: {}}]'])}\n` });
    try {
      const { code, stdout, stderr } = await kaji(['check', tree.path('m.yaml'), '--format', 'json', '--checks', 'hostPathSet']);
      assert.equal(code, 1);
      assert.equal(stderr, `kaji: ${tree.path('m.yaml')}:8: Deployment spec.template.spec.volumes must be a list of volumes, found 5\n`);
      const results = (JSON.parse(stdout) as { Results: { Name: string; PodResult: { Results: Record<string, { Success: boolean }> } }[] }).Results;
      assert.deepEqual(results.map((result) => [result.Name, result.PodResult.Results.hostPathSet?.Success]), [['fine', true]]);
    } finally {
      tree.cleanup();
    }
  });
});
