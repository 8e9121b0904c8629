import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { internalSchemeViolations } from '../../src/synth/index.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { objectsFrom } from '../support/inputs.js';
import { platformTree } from '../support/platform.js';

const ALB = 'alb.ingress.kubernetes.io/';
const WHY =
  "an internal ALB takes its addresses in the node subnets, which the namespace's network policy does not let in (it would let every pod in), so no request or health check would reach the pods";

function ingress(namespace: string, name: string, annotations: Record<string, string>, className: string | null = 'alb'): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${namespace}
  annotations: ${JSON.stringify(annotations)}
spec:
${className === null ? '' : `  ingressClassName: ${className}\n`}  rules: [{host: ${name}.${namespace}.shop.example.com}]
`;
}

/** The violations of Ingresses given per service as YAML, as `service: object: message`. */
function violations(byService: Record<string, readonly string[]>): string[] {
  const objects = new Map(Object.entries(byService).map(([service, documents]) => [service, objectsFrom(documents.join('---\n'))]));
  return internalSchemeViolations(objects).map((v) => `${v.service}: ${v.object}: ${v.message}`);
}

describe('tenant Ingresses are internet-facing', () => {
  test('an ALB Ingress without a scheme (the controller\'s default is internal), or with scheme internal, is refused, saying what to set', () => {
    assert.deepEqual(
      violations({
        shop: [ingress('shop', 'web', {}), ingress('shop', 'admin', { [`${ALB}scheme`]: 'internal' }), ingress('shop', 'api', { [`${ALB}scheme`]: 'internet-facing' })],
      }),
      [
        `shop: Ingress/shop/web: ${ALB}scheme is not set, and the AWS Load Balancer Controller's default is "internal": ${WHY}; set ${ALB}scheme: internet-facing on it (in apps/shop/)`,
        `shop: Ingress/shop/admin: ${ALB}scheme is "internal": ${WHY}; set ${ALB}scheme: internet-facing on it (in apps/shop/)`,
      ],
    );
  });

  test('in a group, one member\'s scheme is the whole load balancer\'s; a group where none sets it is internal', () => {
    const group = (name: string) => ({ [`${ALB}group.name`]: name });
    // The controller applies the scheme one member gives to every Ingress of the group.
    assert.deepEqual(violations({ shop: [ingress('shop', 'web', group('shop-public')), ingress('shop', 'api', { ...group('shop-public'), [`${ALB}scheme`]: 'internet-facing' })] }), []);
    assert.deepEqual(violations({ shop: [ingress('shop', 'web', group('shop-private'))], cart: [ingress('cart', 'web', group('shop-private'))] }), [
      `cart: Ingress/cart/web: no Ingress of group "shop-private" sets ${ALB}scheme, and the AWS Load Balancer Controller's default is "internal": ${WHY}; set ${ALB}scheme: internet-facing on every Ingress of the group (in apps/cart/)`,
      `shop: Ingress/shop/web: no Ingress of group "shop-private" sets ${ALB}scheme, and the AWS Load Balancer Controller's default is "internal": ${WHY}; set ${ALB}scheme: internet-facing on every Ingress of the group (in apps/shop/)`,
    ]);
  });

  test('a scheme the controller does not know is refused too; Ingresses of another class (or none) are not the ALB\'s', () => {
    assert.deepEqual(violations({ shop: [ingress('shop', 'web', { [`${ALB}scheme`]: 'public' })] }), [
      `shop: Ingress/shop/web: ${ALB}scheme is "public", which is not a scheme the AWS Load Balancer Controller knows; set ${ALB}scheme: internet-facing on it (in apps/shop/)`,
    ]);
    assert.deepEqual(violations({ shop: [ingress('shop', 'web', {}, 'nginx'), ingress('shop', 'api', {}, null)] }), []);
    // The class annotation Kubernetes had before ingressClassName is the controller's too.
    assert.equal(violations({ shop: [ingress('shop', 'web', { 'kubernetes.io/ingress.class': 'alb' }, null)] }).length, 1);
  });
});

describe('kaji synth: an internal tenant ALB', { skip: !hasKubectl }, () => {
  test("a service's Ingress with scheme internal is a danger: synth --check-only fails and names it", async () => {
    const www = ingress('shop', 'www', { [`${ALB}scheme`]: 'internal' }).replace('www.shop.shop.example.com', 'www.shop.example.com');
    const tree = platformTree([{ name: 'shop', hosts: ['www.shop.example.com'], extra: www }]);
    try {
      const run = await kaji(['synth', tree.root, '--check-only']);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stdout, /✗ blue\/shop: Ingress\/shop\/www: alb\.ingress\.kubernetes\.io\/scheme is "internal": an internal ALB/);
      assert.match(run.stdout, /✗ green\/shop: Ingress\/shop\/www: /);
      assert.match(run.stdout, /2 dangers, /);
    } finally {
      tree.cleanup();
    }
  });
});
