import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { relatedChecks } from '../../src/policy/checks/related.js';
import type { CheckDefinition } from '../../src/policy/types.js';
import { passes } from '../support/inputs.js';

function check(id: string): CheckDefinition {
  const found = relatedChecks.find((candidate) => candidate.id === id);
  assert.ok(found, id);
  return found;
}

/** A Deployment "shop" (namespace "web" unless null) whose pod template has the given labels. */
function deployment(labels: Record<string, string> | null, namespace: string | null = 'web'): string {
  const labelLines = labels
    ? `      labels:\n${Object.entries(labels).map(([key, value]) => `        ${key}: "${value}"`).join('\n')}\n`
    : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
${namespace === null ? '' : `  namespace: ${namespace}\n`}spec:
  template:
    metadata:
${labelLines || '      annotations: {}\n'}    spec:
      containers:
        - name: app
          image: shop:1.0
`;
}

function pdb(matchLabels: string, options: { namespace?: string; minAvailable?: string } = {}): string {
  return `---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: budget
${options.namespace === undefined ? '  namespace: web\n' : options.namespace ? `  namespace: ${options.namespace}\n` : ''}spec:
  minAvailable: ${options.minAvailable ?? '1'}
  selector:
${matchLabels}
`;
}

describe('metadataAndInstanceMismatched', () => {
  const instance = check('metadataAndInstanceMismatched');
  const pod = (labels: string) => `apiVersion: v1
kind: Pod
metadata:
  name: cart
${labels}spec:
  containers: [{ name: app, image: cart:1.0 }]
`;

  test('passes when the instance label equals the name', () => {
    assert.equal(passes(instance, pod('  labels:\n    app.kubernetes.io/instance: cart\n')), true);
  });
  test('fails when the label names something else', () => {
    assert.equal(passes(instance, pod('  labels:\n    app.kubernetes.io/instance: basket\n')), false);
  });
  test('fails when the label or all labels are missing', () => {
    assert.equal(passes(instance, pod('  labels:\n    app: cart\n')), false);
    assert.equal(passes(instance, pod('')), false);
  });
  test('a numeric label is an input problem (the API server refuses it), not compared with the name', () => {
    const numeric = pod('  labels:\n    app.kubernetes.io/instance: 7\n').replace('name: cart', 'name: "7"');
    assert.throws(() => passes(instance, numeric), /metadata\.labels\.app\.kubernetes\.io\/instance must be a text \(in quotes\), found 7/);
  });
  test('is a Reliability check on controllers', () => {
    assert.equal(instance.target, 'Controller');
    assert.equal(instance.category, 'Reliability');
  });
});

describe('missingPodDisruptionBudget', () => {
  const budget = check('missingPodDisruptionBudget');
  const selector = (labels: Record<string, string>) =>
    `    matchLabels:\n${Object.entries(labels).map(([key, value]) => `      ${key}: "${value}"`).join('\n')}`;

  test('applies to Deployments only', () => {
    assert.deepEqual(budget.controllers, { include: ['Deployment'] });
  });
  test('passes when a PDB in the namespace shares a pod label', () => {
    assert.equal(passes(budget, deployment({ app: 'shop', tier: 'web' }) + pdb(selector({ app: 'shop' }))), true);
  });
  test('one shared label is enough, even if the PDB asks for more', () => {
    const yaml = deployment({ app: 'shop' }) + pdb(selector({ app: 'shop', tier: 'other' }));
    assert.equal(passes(budget, yaml), true);
  });
  test('fails with no PDB, or a PDB selecting other pods', () => {
    assert.equal(passes(budget, deployment({ app: 'shop' })), false);
    assert.equal(passes(budget, deployment({ app: 'shop' }) + pdb(selector({ app: 'cart' }))), false);
  });
  test('fails when the PDB is in another namespace', () => {
    assert.equal(passes(budget, deployment({ app: 'shop' }) + pdb(selector({ app: 'shop' }), { namespace: 'other' })), false);
  });
  test('a PDB without a namespace is seen from every namespace', () => {
    assert.equal(passes(budget, deployment({ app: 'shop' }) + pdb(selector({ app: 'shop' }), { namespace: '' })), true);
  });
  test('fails when the pod template has no labels, even if the Deployment itself does', () => {
    assert.equal(passes(budget, deployment(null) + pdb(selector({ app: 'shop' }))), false);
    assert.equal(passes(budget, deployment({}) + pdb(selector({ app: 'shop' }))), false);
  });
  test('matchExpressions alone do not attach a PDB (Polaris reads matchLabels only)', () => {
    const expressions = '    matchExpressions:\n      - { key: app, operator: In, values: [shop] }';
    assert.equal(passes(budget, deployment({ app: 'shop' }) + pdb(expressions)), false);
  });
  test('label values that YAML reads as numbers or booleans never match', () => {
    assert.equal(passes(budget, deployment({ version: '2' }) + pdb(selector({ version: '2' }))), false);
    assert.equal(passes(budget, deployment({ canary: 'true' }) + pdb(selector({ canary: 'true' }))), false);
    assert.equal(passes(budget, deployment({ version: 'v2' }) + pdb(selector({ version: 'v2' }))), true);
  });
  test('ignores PDBs of another API group', () => {
    const wrongGroup = pdb(selector({ app: 'shop' })).replace('policy/v1', 'example.com/v1');
    assert.equal(passes(budget, deployment({ app: 'shop' }) + wrongGroup), false);
  });
  test('a label is its key and value, never the two run together (a NUL inside either)', () => {
    // Pod label app = "x\0y"; the PDB asks for "app\0x" = "y": no label is shared.
    assert.equal(passes(budget, deployment({ app: 'x\\0y' }) + pdb('    matchLabels:\n      "app\\0x": "y"')), false);
    assert.equal(passes(budget, deployment({ app: 'x\\0y' }) + pdb('    matchLabels:\n      app: "x\\0y"')), true);
  });
});

describe('missingNetworkPolicy', () => {
  const network = check('missingNetworkPolicy');
  function policy(matchLabels: string, extra = '  policyTypes: [Ingress, Egress]\n', namespace = 'web'): string {
    return `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: shop-policy
  namespace: ${namespace}
spec:
  podSelector:
    matchLabels: ${matchLabels}
  ingress: [{ from: [{ podSelector: {} }] }]
  egress: [{ to: [{ podSelector: {} }] }]
${extra}`;
  }

  test('passes with a policy selecting the pods that has ingress and egress rules', () => {
    assert.equal(passes(network, deployment({ app: 'shop' }) + policy('{ app: shop }')), true);
  });
  test('policyTypes are matched case-insensitively and may be left out', () => {
    assert.equal(passes(network, deployment({ app: 'shop' }) + policy('{ app: shop }', '  policyTypes: [ingress, EGRESS]\n')), true);
    assert.equal(passes(network, deployment({ app: 'shop' }) + policy('{ app: shop }', '')), true);
  });
  test('fails when a policy type is not enabled', () => {
    assert.equal(passes(network, deployment({ app: 'shop' }) + policy('{ app: shop }', '  policyTypes: [Ingress]\n')), false);
  });
  test('fails without egress or ingress rules', () => {
    const noEgress = policy('{ app: shop }').replace('  egress: [{ to: [{ podSelector: {} }] }]\n', '');
    const emptyIngress = policy('{ app: shop }').replace('ingress: [{ from: [{ podSelector: {} }] }]', 'ingress: []');
    assert.equal(passes(network, deployment({ app: 'shop' }) + noEgress), false);
    assert.equal(passes(network, deployment({ app: 'shop' }) + emptyIngress), false);
  });
  test('fails when the selector names other pods, or none', () => {
    assert.equal(passes(network, deployment({ app: 'shop' }) + policy('{ app: cart }')), false);
    assert.equal(passes(network, deployment({ app: 'shop' })), false);
  });
  test('exactly one pod label must be repeated (Polaris uses oneOf)', () => {
    const labels = { app: 'shop', tier: 'web' };
    assert.equal(passes(network, deployment(labels) + policy('{ app: shop }')), true);
    assert.equal(passes(network, deployment(labels) + policy('{ app: shop, tier: web }')), false);
  });
  test('fails when the policy is in another namespace', () => {
    assert.equal(passes(network, deployment({ app: 'shop' }) + policy('{ app: shop }', undefined, 'other')), false);
  });
  test('checks the pod template of a bare Pod too', () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: shop
  namespace: web
  labels: { app: shop }
spec:
  containers: [{ name: app, image: shop:1.0 }]
`;
    assert.equal(passes(network, pod + policy('{ app: shop }')), true);
  });
});

describe('pdbMinAvailableGreaterThanHPAMinReplicas', () => {
  const pdbVsHpa = check('pdbMinAvailableGreaterThanHPAMinReplicas');
  function hpa(minReplicas: string | null, target = 'shop', namespace = 'web'): string {
    return `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: shop-hpa
  namespace: ${namespace}
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${target} }
${minReplicas === null ? '' : `  minReplicas: ${minReplicas}\n`}  maxReplicas: 20
`;
  }
  const app = deployment({ app: 'shop' });
  const selectsShop = '    matchLabels: { app: shop }';

  test('fails when the PDB keeps more pods than the HPA minimum', () => {
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '4' }) + hpa('3')), false);
  });
  test('passes when minAvailable is at most the HPA minimum', () => {
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '3' }) + hpa('3')), true);
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '1' }) + hpa('3')), true);
  });
  test('scales a percentage against the HPA minimum, rounding up', () => {
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '"101%"' }) + hpa('3')), false);
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '"100%"' }) + hpa('3')), true);
  });
  test('passes when either object is missing or does not belong to the Deployment', () => {
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '9' })), true);
    assert.equal(passes(pdbVsHpa, app + hpa('1')), true);
    assert.equal(passes(pdbVsHpa, app + pdb('    matchLabels: { app: cart }', { minAvailable: '9' }) + hpa('1')), true);
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '9' }) + hpa('1', 'cart')), true);
  });
  test('passes when the HPA has no minReplicas or the PDB uses maxUnavailable', () => {
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '9' }) + hpa(null)), true);
    const maxUnavailable = pdb(selectsShop).replace('minAvailable: 1', 'maxUnavailable: 1');
    assert.equal(passes(pdbVsHpa, app + maxUnavailable + hpa('1')), true);
  });
  test('like Polaris, looks for the PDB and HPA in every namespace', () => {
    const elsewhere = pdb(selectsShop, { minAvailable: '4', namespace: 'other' }) + hpa('3', 'shop', 'other');
    assert.equal(passes(pdbVsHpa, app + elsewhere), false);
  });
  test('does not throw on odd shapes; Polaris gives up and passes', () => {
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: '2.5' }) + hpa('1')), true);
    assert.equal(passes(pdbVsHpa, app + pdb(selectsShop, { minAvailable: 'lots' }) + hpa('1')), true);
  });
  test('a PDB whose matchLabels is not a mapping is an input problem', () => {
    assert.throws(() => passes(pdbVsHpa, app + pdb('    matchLabels: [app]', { minAvailable: '4' }) + hpa('1')), /PodDisruptionBudget spec\.selector\.matchLabels must be a mapping of names to texts, found a list/);
  });
});
