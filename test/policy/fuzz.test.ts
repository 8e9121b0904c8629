// Property tests: whatever the manifests or configuration, the engine answers
// with results or a ConfigError, never an uncaught error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { addStream, type JsonObject, type JsonValue } from '../../src/kube/index.js';
import { auditObjects, ConfigError, defaultPolicyConfig, parsePolicyConfig } from '../../src/policy/index.js';

const workload: JsonObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: {} },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        securityContext: { runAsNonRoot: true, capabilities: { add: ['NET_ADMIN'] } },
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          {
            name: 'app',
            image: 'registry.example.com/web:1.0',
            env: [{ name: 'PASSWORD', value: 'x' }],
            ports: [{ containerPort: 80, hostPort: 80 }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1 } },
            securityContext: { privileged: false, capabilities: { drop: ['ALL'] } },
          },
        ],
        volumes: [{ name: 'v', hostPath: { path: '/' } }],
      },
    },
  },
};
const kinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicationController', 'Ingress', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'ConfigMap', 'ClusterRole', 'Role', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'];

/** Replaces the value at a random path of a copy of `value` with `replacement`. */
function mutate(value: JsonValue, path: number[], replacement: JsonValue): JsonValue {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [step, ...rest] = path;
  if (Array.isArray(value)) {
    if (value.length === 0) return [replacement];
    const index = step! % value.length;
    return value.map((item, i) => (i === index ? mutate(item, rest, replacement) : item));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return { x: replacement };
  const key = keys[step! % keys.length]!;
  return { ...value, [key]: mutate(value[key]!, rest, replacement) };
}

const jsonValue = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>;

function audit(documents: JsonValue[]) {
  const result = { objects: [], problems: [] };
  addStream(result, documents.map((d) => dump(d, { skipInvalid: true })).join('---\n'), 'fuzz.yaml');
  return auditObjects(result.objects, defaultPolicyConfig());
}

describe('fuzz', () => {
  test('mutated workloads of every kind never make the engine throw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.array(fc.nat(20), { maxLength: 7 }),
        jsonValue,
        fc.array(fc.tuple(fc.array(fc.nat(20), { maxLength: 7 }), jsonValue), { maxLength: 3 }),
        (kind, path, replacement, more) => {
          let object = mutate({ ...workload, kind }, path, replacement);
          for (const [p, r] of more) object = mutate(object, p, r);
          const data = audit([object, workload]);
          assert.ok(data.Score >= 0 && data.Score <= 100);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('random documents are either audited or reported, never thrown', () => {
    fc.assert(
      fc.property(fc.array(jsonValue, { maxLength: 4 }), (documents) => {
        audit(documents);
      }),
      { numRuns: 300 },
    );
  });

  test('random YAML text is either audited or reported', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', '{', '"', '#', 'kind', 'apiVersion: v1', 'metadata:', '---', '\t', '&a', '*a') }), (text) => {
        const result = { objects: [], problems: [] };
        addStream(result, text, 'fuzz.yaml');
        auditObjects(result.objects, defaultPolicyConfig());
      }),
      { numRuns: 500 },
    );
  });

  test('random configurations load or are refused with a ConfigError', () => {
    const config = fc.record(
      {
        checks: fc.dictionary(fc.constantFrom('hostIPCSet', 'tagNotSpecified', 'custom', 'nope'), fc.oneof(fc.constantFrom('ignore', 'warning', 'danger', 'bad'), jsonValue)),
        customChecks: fc.dictionary(
          fc.constantFrom('custom', 'other'),
          fc.record(
            {
              target: fc.oneof(fc.constantFrom('Container', 'PodSpec', 'Controller', 'Pod', 'apps/Deployment', 'Bogus'), jsonValue),
              successMessage: fc.string(),
              failureMessage: fc.string(),
              schema: fc.oneof(fc.constant({ type: 'object', required: ['image'] }), jsonValue),
              schemaString: fc.oneof(fc.constant('{"type": "object", "properties": {"name": {"const": "{{ .metadata.name }}"}}}'), fc.string()),
              containers: jsonValue,
            },
            { requiredKeys: [] },
          ),
        ),
        exemptions: jsonValue,
        mutations: jsonValue,
        disallowExemptions: jsonValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, (raw) => {
        try {
          const loaded = parsePolicyConfig(JSON.stringify(raw), 'fuzz.yaml');
          const result = { objects: [], problems: [] };
          addStream(result, dump(workload), 'w.yaml');
          auditObjects(result.objects, loaded);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
        }
      }),
      { numRuns: 400 },
    );
  });
});
