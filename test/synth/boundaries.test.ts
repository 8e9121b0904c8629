import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlatform } from '../../src/platform/index.js';
import { imageAllowed, serviceBoundaryViolations, sharedHostViolations } from '../../src/synth/index.js';
import { objectsFrom } from '../support/inputs.js';
import { ECR, platformYaml } from '../support/platform.js';

const platform = parsePlatform(
  platformYaml([{ name: 'shop', hosts: ['www.shop.example.com'] }, { name: 'cart' }]).replace(
    'manifests:',
    `imageAllowlist: ["${ECR}/mirror/"]\nmanifests:`,
  ),
  'platform.yaml',
);
const shop = platform.services[0]!;
const cart = platform.services[1]!;

describe('tenant boundaries', () => {

  for (const [image, allowed] of [
    [`${ECR}/shop:1.2.3`, true],
    [`${ECR}/shop@sha256:${'a'.repeat(64)}`, true],
    [`${ECR}/mirror/busybox:1.36`, true],
    [`${ECR}/shop-evil:1.0`, false],
    [`${ECR}/shop`, false],
    ['nginx:1.27', false],
    ['docker.io/library/nginx:1.27', false],
    [`${ECR}.evil.io/shop:1.0`, false],
  ] as const) {
    test(`image ${image} is ${allowed ? 'allowed' : 'refused'}`, () => {
      assert.equal(imageAllowed(image, shop, platform), allowed);
    });
  }

  test('objects outside the namespace, cluster-scoped kinds and foreign hosts are violations', () => {
    const objects = objectsFrom(`apiVersion: v1
kind: ConfigMap
metadata: {name: ok, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: no-namespace}
---
apiVersion: v1
kind: Secret
metadata: {name: stolen, namespace: cart}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: mine-first}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules: [{host: www.shop.example.com}, {host: api.shop.example.com}]
  tls: [{hosts: [shop.example.org]}]
`);
    const violations = serviceBoundaryViolations(platform, shop, objects).map((v) => `${v.rule} ${v.object}: ${v.message}`);
    assert.deepEqual(violations, [
      `namespace Secret/cart/stolen: namespace "cart" is not the service's namespace "shop"`,
      'clusterScoped PriorityClass/-/mine-first: PriorityClass is cluster-scoped; tenants may only create objects in their namespace "shop"',
      'host Ingress/shop/web: host "api.shop.example.com" is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
      'host Ingress/shop/web: host "shop.example.org" is not under the platform domain shop.example.com',
    ]);
  });

  test('a host declared by one service cannot be taken by another', () => {
    const ingress = (namespace: string) =>
      objectsFrom(`apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: ${namespace}}\nspec:\n  rules: [{host: www.shop.example.com}]\n`);
    const violations = sharedHostViolations(platform, new Map([['cart', ingress('cart')], ['shop', ingress('shop')]]));
    assert.deepEqual(violations.map((v) => [v.service, v.message]), [['cart', 'host "www.shop.example.com" is already claimed by shop']]);
    assert.equal(cart.hosts.length, 0);
  });
});
