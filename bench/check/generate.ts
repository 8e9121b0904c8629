// Generates a realistic manifest tree for the `kaji check` benchmark: 30
// namespaces, each with a mix of Deployments (two containers), Services,
// Ingresses, ConfigMaps, HPAs, PDBs and Roles, 100 objects per file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NAMESPACES = 30;

function deployment(name: string, namespace: string, i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/instance: ${name}
spec:
  replicas: ${1 + (i % 3)}
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      securityContext:
        runAsNonRoot: ${i % 4 !== 0}
      containers:
        - name: app
          image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/${name}:1.${i % 10}.0
          imagePullPolicy: ${i % 2 ? 'Always' : 'IfNotPresent'}
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: ${i % 5 ? '250m' : '0.5'}
              memory: 256Mi
            limits:
              memory: 512Mi
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: ${i % 3 !== 0}
            capabilities:
              drop: [ALL]
        - name: proxy
          image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/envoy:1.30
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            requests: {cpu: 50m, memory: 64Mi}
`;
}

const service = (name: string, namespace: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - port: 80
      targetPort: 8080
`;

const ingress = (name: string, namespace: string, i: number) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${i % 2 ? `  tls:\n    - hosts: [${name}.example.com]\n` : ''}  rules:
    - host: ${name}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: ${name}, port: {number: 80}}
`;

const configMap = (name: string, namespace: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  namespace: ${namespace}
data:
  LOG_FORMAT: json
  FEATURE_FLAGS: "a,b,c"
`;

const hpa = (name: string, namespace: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${name}}
  minReplicas: 2
  maxReplicas: 10
`;

const pdb = (name: string, namespace: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
`;

const role = (name: string, namespace: string, i: number) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}-reader
  namespace: ${namespace}
rules:
  - apiGroups: [""]
    resources: [${i % 7 ? 'pods, configmaps' : 'pods, pods/exec'}]
    verbs: [get, list, watch${i % 7 ? '' : ', create'}]
`;

/** The generators in the order they repeat: 7 objects per service. */
const PER_SERVICE = [deployment, service, ingress, configMap, hpa, pdb, role] as const;

/** Writes `count` objects into `directory` (100 per file) and returns the number of files. */
export function generateManifests(directory: string, count: number): number {
  mkdirSync(directory, { recursive: true });
  const documents: string[] = [];
  for (let i = 0; documents.length < count; i++) {
    const namespace = `team-${i % NAMESPACES}`;
    const name = `svc-${i}`;
    for (const make of PER_SERVICE) {
      if (documents.length < count) documents.push(make(name, namespace, i));
    }
  }
  let files = 0;
  for (let start = 0; start < documents.length; start += 100) {
    writeFileSync(join(directory, `part-${String(files).padStart(4, '0')}.yaml`), documents.slice(start, start + 100).join('---\n'));
    files++;
  }
  return files;
}
