import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { otherChecks } from '../../src/policy/checks/other.js';
import { DEFAULT_CONFIG_YAML } from '../../src/policy/default-config.js';
import type { CheckDefinition } from '../../src/policy/types.js';
import { passes } from '../support/inputs.js';

function check(id: string): CheckDefinition {
  const found = otherChecks.find((candidate) => candidate.id === id);
  assert.ok(found, id);
  return found;
}

describe('tlsSettingsMissing', () => {
  const tls = check('tlsSettingsMissing');
  const ingress = (spec: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop }
spec:
  rules: [{ host: shop.example.com }]
${spec}`;

  test('passes with a tls list (even an empty one)', () => {
    assert.equal(passes(tls, ingress('  tls: [{ hosts: [shop.example.com], secretName: shop-tls }]\n')), true);
    assert.equal(passes(tls, ingress('  tls: []\n')), true);
  });
  test('fails without tls, with a null tls, or without a spec', () => {
    assert.equal(passes(tls, ingress('')), false);
    assert.equal(passes(tls, ingress('  tls:\n')), false);
    assert.equal(passes(tls, 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: bare }\n'), false);
  });
  test('a tls that is not a list is an input problem', () => {
    assert.throws(() => passes(tls, ingress('  tls: shop-tls\n')), /Ingress spec\.tls must be a list of TLS settings, found "shop-tls"/);
  });
  test('targets Ingress in networking.k8s.io', () => {
    assert.equal(tls.target, 'networking.k8s.io/Ingress');
  });
});

describe('pdbDisruptionsIsZero', () => {
  const zero = check('pdbDisruptionsIsZero');
  const budget = (spec: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: shop }
spec: ${spec}
`;

  test('fails when no pod may be evicted', () => {
    assert.equal(passes(zero, budget('{ minAvailable: "100%" }')), false);
    assert.equal(passes(zero, budget('{ maxUnavailable: 0 }')), false);
    assert.equal(passes(zero, budget('{ maxUnavailable: "0%" }')), false);
    assert.equal(passes(zero, budget('{ minAvailable: 1, maxUnavailable: 0 }')), false);
  });
  test('passes when some disruption is allowed, or nothing is said', () => {
    assert.equal(passes(zero, budget('{ minAvailable: 2 }')), true);
    assert.equal(passes(zero, budget('{ minAvailable: "99%", maxUnavailable: "10%" }')), true);
    assert.equal(passes(zero, budget('{}')), true);
  });
  test('fails without a spec', () => {
    assert.equal(passes(zero, 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: x }\n'), false);
  });
});

describe('sensitiveConfigmapContent', () => {
  const sensitive = check('sensitiveConfigmapContent');
  const configMap = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
${data}`;

  test('fails on credential-like keys, in any letter case', () => {
    for (const key of ['AWS_SECRET_ACCESS_KEY', 'google_application_credentials', 'AZURE_STORAGE_KEY', 'OCI_CLI_KEY_CONTENT', 'dbPassword', 'api_token', 'Bearer', 'client-secret']) {
      assert.equal(passes(sensitive, configMap(`data:\n  ${key}: x\n`)), false, key);
    }
  });
  test('fails on a private key in a value', () => {
    const pem = 'data:\n  id_rsa: |\n    -----BEGIN RSA PRIVATE KEY-----\n    abc\n    -----END RSA PRIVATE KEY-----\n';
    assert.equal(passes(sensitive, configMap(pem)), false);
  });
  test('passes on ordinary settings, no data, and keys that only look close', () => {
    assert.equal(passes(sensitive, configMap('data:\n  LOG_LEVEL: debug\n  AZURE_KEY: x\n  cert: "-----BEGIN CERTIFICATE-----"\n')), true);
    assert.equal(passes(sensitive, configMap('')), true);
  });
  test('data that is not a map of texts is an input problem', () => {
    assert.throws(() => passes(sensitive, configMap('data: [a, b]\n')), /ConfigMap data must be a mapping of names to texts, found a list/);
    assert.throws(() => passes(sensitive, configMap('data: {retries: 3}\n')), /ConfigMap data\.retries must be a text \(in quotes\), found 3/);
  });
  test('targets ConfigMaps of the core group', () => {
    assert.equal(sensitive.target, '/ConfigMap');
  });
});

describe('HPA availability', () => {
  const max = check('hpaMaxAvailability');
  const min = check('hpaMinAvailability');
  const hpa = (spec: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: shop }
spec:
  scaleTargetRef: { kind: Deployment, name: shop }
${spec}`;

  test('hpaMaxAvailability fails when maxReplicas does not exceed minReplicas', () => {
    assert.equal(passes(max, hpa('  minReplicas: 3\n  maxReplicas: 3\n')), false);
    assert.equal(passes(max, hpa('  minReplicas: 4\n  maxReplicas: 3\n')), false);
    assert.equal(passes(max, hpa('  minReplicas: 3\n  maxReplicas: 4\n')), true);
    assert.equal(passes(max, hpa('  maxReplicas: 1\n')), true);
  });
  test('hpaMaxAvailability fails on a missing or invalid maxReplicas', () => {
    assert.equal(passes(max, hpa('  minReplicas: 2\n')), false);
    assert.equal(passes(max, hpa('  maxReplicas: "5"\n')), false);
    assert.equal(passes(max, hpa('  minReplicas: 0\n  maxReplicas: 5\n')), false);
  });
  test('hpaMinAvailability wants minReplicas of 2 or more when it is set', () => {
    assert.equal(passes(min, hpa('  minReplicas: 1\n  maxReplicas: 5\n')), false);
    assert.equal(passes(min, hpa('  minReplicas: 2\n  maxReplicas: 5\n')), true);
    assert.equal(passes(min, hpa('  maxReplicas: 5\n')), true);
    assert.equal(passes(min, hpa('  minReplicas: two\n  maxReplicas: 5\n')), false);
  });
});

describe('DEFAULT_CONFIG_YAML', () => {
  const config = load(DEFAULT_CONFIG_YAML) as {
    checks: Record<string, string>;
    mutations: string[];
    exemptions: { namespace?: string; controllerNames: string[]; rules: string[] }[];
  };
  const ids = [
    'deploymentMissingReplicas', 'metadataAndInstanceMismatched', 'missingPodDisruptionBudget',
    'pdbMinAvailableGreaterThanHPAMinReplicas', 'hostIPCSet', 'hostPIDSet', 'hostNetworkSet', 'hostPathSet',
    'hostProcess', 'procMount', 'automountServiceAccountToken', 'priorityClassNotSet', 'topologySpreadConstraint',
    'missingNetworkPolicy', 'cpuRequestsMissing', 'memoryRequestsMissing', 'cpuLimitsMissing', 'memoryLimitsMissing',
    'readinessProbeMissing', 'livenessProbeMissing', 'pullPolicyNotAlways', 'tagNotSpecified', 'hostPortSet',
    'runAsRootAllowed', 'runAsPrivileged', 'notReadOnlyRootFilesystem', 'privilegeEscalationAllowed',
    'dangerousCapabilities', 'insecureCapabilities', 'linuxHardening', 'sensitiveContainerEnvVar',
    'tlsSettingsMissing', 'pdbDisruptionsIsZero', 'hpaMinAvailability', 'hpaMaxAvailability',
    'sensitiveConfigmapContent', 'clusterrolePodExecAttach', 'rolePodExecAttach', 'clusterrolebindingPodExecAttach',
    'rolebindingClusterRolePodExecAttach', 'rolebindingRolePodExecAttach', 'clusterrolebindingClusterAdmin',
    'rolebindingClusterAdminClusterRole', 'rolebindingClusterAdminRole',
  ];

  test('names exactly the 44 built-in checks, each with a valid severity', () => {
    assert.equal(ids.length, 44);
    assert.deepEqual(Object.keys(config.checks).sort(), [...ids].sort());
    for (const [id, severity] of Object.entries(config.checks)) assert.ok(['ignore', 'warning', 'danger'].includes(severity), id);
  });
  test('keeps Polaris severities for a sample of checks', () => {
    assert.equal(config.checks.tagNotSpecified, 'danger');
    assert.equal(config.checks.hostPathSet, 'warning');
    assert.equal(config.checks.missingPodDisruptionBudget, 'warning');
    assert.equal(config.checks.rolebindingClusterAdminRole, 'danger');
  });
  test('exemptions name only known checks and always list workloads', () => {
    assert.deepEqual(config.mutations, ['pullPolicyNotAlways']);
    for (const exemption of config.exemptions) {
      assert.ok(exemption.controllerNames.length > 0);
      for (const rule of exemption.rules) assert.ok(ids.includes(rule), rule);
    }
    const kubeSystem = config.exemptions.filter((exemption) => exemption.namespace === 'kube-system');
    assert.ok(kubeSystem.some((exemption) => exemption.controllerNames.includes('coredns')));
  });
});
