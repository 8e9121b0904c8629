import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/kube/index.js';
import { violation } from '../../src/synth/boundaries.js';
import { actionFindings, ingressClassFindings, internalSchemeFindings, nodePortFindings, type GroupFinding } from '../../src/synth/ingress-boundaries.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { objectsFrom } from '../support/inputs.js';
import { platformTree } from '../support/platform.js';

const ALB = 'alb.ingress.kubernetes.io/';
const WHY =
  "an internal ALB takes its addresses in the node subnets, which the namespace's network policy does not let in (it would let every pod in), so no request or health check would reach the pods";
const NO_NODE_PORTS =
  "instance targets are the node ports of a NodePort Service, and the namespace's ResourceQuota kaji-quota allows none (services.nodeports: 0), so the ALB would get no target to send requests to";

/** An Ingress whose one rule sends everything to the Service named `backend` (by default, its own name). */
function ingress(namespace: string, name: string, annotations: Record<string, string>, className: string | null = 'alb', backend = name): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${namespace}
  annotations: ${JSON.stringify(annotations)}
spec:
${className === null ? '' : `  ingressClassName: ${className}\n`}  rules:
    - host: ${name}.${namespace}.shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${backend}, port: {number: 80}}}}]}
`;
}

/** The Ingress YAML with its backend sending to the action annotation of the backend's name, not to a Service. */
function viaAction(yaml: string): string {
  return yaml.replace('port: {number: 80}', 'port: {name: use-annotation}');
}

/** A cluster-scoped IngressClass `name` of `controller`. */
function ingressClass(name: string, controller: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${name}}
spec: {controller: ${controller}}
`;
}

function service(namespace: string, name: string, { type, annotations = {} }: { type?: string; annotations?: Record<string, string> } = {}): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}, annotations: ${JSON.stringify(annotations)}}
spec:
${type === undefined ? '' : `  type: ${type}\n`}  selector: {app: ${name}}
  ports: [{port: 80}]
`;
}

type Rule = (objectsByService: ReadonlyMap<string, readonly KubeObject[]>) => GroupFinding[];

/** What `rule` finds in the objects given per service as YAML, as `service: rule object: message`. */
function violations(rule: Rule, byService: Record<string, readonly string[]>): string[] {
  const objects = new Map(Object.entries(byService).map(([name, documents]) => [name, objectsFrom(documents.join('---\n'))]));
  return rule(objects).map(({ service: name, object, ...finding }) => {
    const found = violation(name, object, finding);
    return `${found.service}: ${found.rule} ${found.object}: ${found.message}`;
  });
}

describe('tenant Ingresses are internet-facing', () => {
  test('an ALB Ingress without a scheme (the controller\'s default is internal), or with scheme internal, is refused, saying what to set', () => {
    assert.deepEqual(
      violations(internalSchemeFindings, {
        shop: [ingress('shop', 'web', {}), ingress('shop', 'admin', { [`${ALB}scheme`]: 'internal' }), ingress('shop', 'api', { [`${ALB}scheme`]: 'internet-facing' })],
      }),
      [
        `shop: ingress Ingress/shop/web: ${ALB}scheme is not set, and the AWS Load Balancer Controller's default is "internal": ${WHY}; set ${ALB}scheme: internet-facing on it (in apps/shop/)`,
        `shop: ingress Ingress/shop/admin: ${ALB}scheme is "internal": ${WHY}; set ${ALB}scheme: internet-facing on it (in apps/shop/)`,
      ],
    );
  });

  test('in a group, one member\'s scheme is the whole load balancer\'s; a group where none sets it is internal', () => {
    const group = (name: string) => ({ [`${ALB}group.name`]: name });
    // The controller applies the scheme one member gives to every Ingress of the group.
    assert.deepEqual(violations(internalSchemeFindings, { shop: [ingress('shop', 'web', group('shop-public')), ingress('shop', 'api', { ...group('shop-public'), [`${ALB}scheme`]: 'internet-facing' })] }), []);
    assert.deepEqual(violations(internalSchemeFindings, { shop: [ingress('shop', 'web', group('shop-private'))], cart: [ingress('cart', 'web', group('shop-private'))] }), [
      `cart: ingress Ingress/cart/web: no Ingress of group "shop-private" sets ${ALB}scheme, and the AWS Load Balancer Controller's default is "internal": ${WHY}; set ${ALB}scheme: internet-facing on every Ingress of the group (in apps/cart/)`,
      `shop: ingress Ingress/shop/web: no Ingress of group "shop-private" sets ${ALB}scheme, and the AWS Load Balancer Controller's default is "internal": ${WHY}; set ${ALB}scheme: internet-facing on every Ingress of the group (in apps/shop/)`,
    ]);
  });

  test('a scheme the controller does not know is refused too; Ingresses of another class (or none) are not the ALB\'s', () => {
    assert.deepEqual(violations(internalSchemeFindings, { shop: [ingress('shop', 'web', { [`${ALB}scheme`]: 'public' })] }), [
      `shop: ingress Ingress/shop/web: ${ALB}scheme is "public", which is not a scheme the AWS Load Balancer Controller knows; set ${ALB}scheme: internet-facing on it (in apps/shop/)`,
    ]);
    assert.deepEqual(violations(internalSchemeFindings, { shop: [ingress('shop', 'web', {}, 'nginx'), ingress('shop', 'api', {}, null)] }), []);
    // The class annotation Kubernetes had before ingressClassName is the controller's too.
    assert.equal(violations(internalSchemeFindings, { shop: [ingress('shop', 'web', { 'kubernetes.io/ingress.class': 'alb' }, null)] }).length, 1);
  });
});

describe('tenant Ingresses have a class', () => {
  test('an Ingress of no class is refused, saying which class to set; a class by ingressClassName or the older annotation is one, whichever', () => {
    assert.deepEqual(violations(ingressClassFindings, { shop: [ingress('shop', 'web', {}, null), ingress('shop', 'api', {}, "''")], cart: [ingress('cart', 'web', {}, null)] }), [
      'cart: ingress Ingress/cart/web: neither spec.ingressClassName nor the kubernetes.io/ingress.class annotation is set, and no IngressClass is the clusters\' default, so no controller builds a load balancer for it; set spec.ingressClassName: alb (the AWS Load Balancer Controller\'s) on it (in apps/cart/)',
      'shop: ingress Ingress/shop/web: neither spec.ingressClassName nor the kubernetes.io/ingress.class annotation is set, and no IngressClass is the clusters\' default, so no controller builds a load balancer for it; set spec.ingressClassName: alb (the AWS Load Balancer Controller\'s) on it (in apps/shop/)',
      'shop: ingress Ingress/shop/api: neither spec.ingressClassName nor the kubernetes.io/ingress.class annotation is set, and no IngressClass is the clusters\' default, so no controller builds a load balancer for it; set spec.ingressClassName: alb (the AWS Load Balancer Controller\'s) on it (in apps/shop/)',
    ]);
    assert.deepEqual(
      violations(ingressClassFindings, {
        shop: [ingress('shop', 'web', {}), ingress('shop', 'api', { 'kubernetes.io/ingress.class': 'alb' }, null), service('shop', 'web')],
      }),
      [],
    );
  });

  test('an Ingress of a class no IngressClass of the cluster has (nginx: kaji installs no such controller) is refused, saying to use alb', () => {
    const unserved = (where: string, fix: string) =>
      `${where} is "nginx", and no IngressClass "nginx" is among the cluster's rendered manifests: the platform's only Ingress controller is the AWS Load Balancer Controller, of class "alb", so no controller builds a load balancer for it; set spec.ingressClassName: alb on it${fix} (in apps/shop/)`;
    assert.deepEqual(violations(ingressClassFindings, { shop: [ingress('shop', 'web', {}, 'nginx'), ingress('shop', 'old', { 'kubernetes.io/ingress.class': 'nginx' }, null)] }), [
      `shop: ingress Ingress/shop/web: ${unserved('spec.ingressClassName', '')}`,
      `shop: ingress Ingress/shop/old: ${unserved('the kubernetes.io/ingress.class annotation', ' in place of the annotation')}`,
    ]);
    // An IngressClass among any service's rendered objects of the cluster is a class some controller may serve.
    assert.deepEqual(
      violations(ingressClassFindings, {
        shop: [ingress('shop', 'web', {}, 'nginx'), ingress('shop', 'old', { 'kubernetes.io/ingress.class': 'nginx' }, null)],
        edge: [ingressClass('nginx', 'k8s.io/ingress-nginx')],
      }),
      [],
    );
  });

  test("an IngressClass of the AWS Load Balancer Controller under another name is the ALB's: its Ingresses are checked as ALB Ingresses", () => {
    const objects = { shop: [ingress('shop', 'web', {}, 'public'), ingressClass('public', 'ingress.k8s.aws/alb')] };
    assert.deepEqual(violations(ingressClassFindings, objects), []);
    assert.deepEqual(violations(internalSchemeFindings, objects), [
      `shop: ingress Ingress/shop/web: ${ALB}scheme is not set, and the AWS Load Balancer Controller's default is "internal": ${WHY}; set ${ALB}scheme: internet-facing on it (in apps/shop/)`,
    ]);
    assert.equal(violations(nodePortFindings, objects).length, 1);
    // Another controller's class is not the ALB's.
    assert.deepEqual(violations(internalSchemeFindings, { shop: [ingress('shop', 'web', {}, 'public'), ingressClass('public', 'k8s.io/ingress-nginx')] }), []);
  });

  test('the older annotation naming an ALB IngressClass under another name is no controller\'s: the controller reads the annotation only as alb', () => {
    const objects = { shop: [ingress('shop', 'old', { 'kubernetes.io/ingress.class': 'public' }, null), ingressClass('public', 'ingress.k8s.aws/alb')] };
    assert.deepEqual(violations(ingressClassFindings, objects), [
      'shop: ingress Ingress/shop/old: the kubernetes.io/ingress.class annotation is "public", an IngressClass of the AWS Load Balancer Controller, but the controller reads that annotation only as "alb" (IngressClass objects count for spec.ingressClassName alone), so no controller builds a load balancer for it; set spec.ingressClassName: public on it in place of the annotation (in apps/shop/)',
    ]);
    // Not an ALB Ingress, so the ALB's own checks do not judge it.
    assert.deepEqual(violations(internalSchemeFindings, objects), []);
    assert.deepEqual(violations(nodePortFindings, objects), []);
  });
});

describe('nothing of a tenant needs node ports', () => {
  const targetType = (value: string) => ({ [`${ALB}target-type`]: value });

  test('an ALB Ingress without a target type (the controller\'s default is instance), or with instance, is refused: instance targets need node ports', () => {
    assert.deepEqual(
      violations(nodePortFindings, {
        shop: [ingress('shop', 'web', {}), ingress('shop', 'admin', targetType('instance')), ingress('shop', 'api', targetType('ip')), ingress('shop', 'odd', targetType('pod'))],
      }),
      [
        `shop: ingress Ingress/shop/web: ${ALB}target-type is not set, and the AWS Load Balancer Controller's default is "instance": ${NO_NODE_PORTS}; set ${ALB}target-type: ip on it (in apps/shop/)`,
        `shop: ingress Ingress/shop/admin: ${ALB}target-type is "instance": ${NO_NODE_PORTS}; set ${ALB}target-type: ip on it (in apps/shop/)`,
        `shop: ingress Ingress/shop/odd: ${ALB}target-type is "pod", which is not a target type the AWS Load Balancer Controller knows; set ${ALB}target-type: ip on it (in apps/shop/)`,
      ],
    );
    // Another class's Ingress has no ALB target groups; one with no backend has none either.
    const noBackend = ingress('shop', 'redirect', {}).replace(/ {6}http: .*\n/, '');
    assert.deepEqual(violations(nodePortFindings, { shop: [ingress('shop', 'web', {}, 'nginx'), noBackend] }), []);
  });

  test("a backend Service's own target type decides for it: the Service is named when it is instance, once; elsewhere the Ingress's counts", () => {
    assert.deepEqual(
      violations(nodePortFindings, {
        shop: [
          // web's Service says ip: the Ingress's unset target type does not matter for it.
          ingress('shop', 'web', {}),
          service('shop', 'web', { annotations: targetType('ip') }),
          // Two ip Ingresses send to api, whose Service says instance: the Service is reported, once.
          ingress('shop', 'api', targetType('ip')),
          ingress('shop', 'api-v2', targetType('ip'), 'alb', 'api'),
          service('shop', 'api', { annotations: targetType('instance') }),
        ],
        // A Service of the same name in another namespace is not the Ingress's backend.
        cart: [ingress('cart', 'web', {}), service('shop', 'web', { annotations: targetType('ip') })],
      }),
      [
        `cart: ingress Ingress/cart/web: ${ALB}target-type is not set, and the AWS Load Balancer Controller's default is "instance": ${NO_NODE_PORTS}; set ${ALB}target-type: ip on it (in apps/cart/)`,
        `shop: service Service/shop/api: ${ALB}target-type is "instance": ${NO_NODE_PORTS}; set ${ALB}target-type: ip on it (in apps/shop/)`,
      ],
    );
  });

  test('a Service named only in a forward action (backend port use-annotation) decides its target type like a backend; a redirect sends to none', () => {
    const forward = (...services: string[]) => JSON.stringify({ type: 'forward', forwardConfig: { targetGroups: services.map((name) => ({ serviceName: name, servicePort: '80', weight: 50 })) } });
    assert.deepEqual(
      violations(nodePortFindings, {
        shop: [
          // The Ingress says ip, but its action sends to api, whose Service says instance.
          viaAction(ingress('shop', 'web', { ...targetType('ip'), [`${ALB}actions.canary`]: forward('web', 'api') }, 'alb', 'canary')),
          service('shop', 'api', { annotations: targetType('instance') }),
          // The older capitalised keys the controller's documentation shows name Services too.
          viaAction(
            ingress('shop', 'old', { [`${ALB}actions.split`]: JSON.stringify({ Type: 'forward', ForwardConfig: { TargetGroups: [{ ServiceName: 'legacy', ServicePort: '80' }] } }) }, 'alb', 'split'),
          ),
          service('shop', 'legacy', { annotations: targetType('instance') }),
        ],
      }),
      [
        `shop: service Service/shop/api: ${ALB}target-type is "instance": ${NO_NODE_PORTS}; set ${ALB}target-type: ip on it (in apps/shop/)`,
        `shop: service Service/shop/legacy: ${ALB}target-type is "instance": ${NO_NODE_PORTS}; set ${ALB}target-type: ip on it (in apps/shop/)`,
      ],
    );
    // A redirect sends to no Service, so no target group needs a target type; an ip Service behind an action decides for itself.
    const redirect = JSON.stringify({ type: 'redirect', redirectConfig: { host: 'www.shop.example.com', statusCode: 'HTTP_301' } });
    assert.deepEqual(
      violations(nodePortFindings, {
        shop: [
          viaAction(ingress('shop', 'moved', { [`${ALB}actions.moved`]: redirect }, 'alb', 'moved')),
          viaAction(ingress('shop', 'web', { [`${ALB}actions.canary`]: forward('web') }, 'alb', 'canary')),
          service('shop', 'web', { annotations: targetType('ip') }),
        ],
      }),
      [],
    );
  });

  test('a Service of type NodePort or LoadBalancer is refused, as the quota would; ClusterIP and ExternalName are fine', () => {
    assert.deepEqual(
      violations(nodePortFindings, {
        shop: [service('shop', 'debug', { type: 'NodePort' }), service('shop', 'public', { type: 'LoadBalancer' }), service('shop', 'web'), service('shop', 'db', { type: 'ClusterIP' })],
        cart: [service('cart', 'payments', { type: 'ExternalName' })],
      }),
      [
        `shop: service Service/shop/debug: spec.type is "NodePort", and the namespace's ResourceQuota kaji-quota allows no node ports (services.nodeports: 0), so the API server refuses the Service; make it a ClusterIP Service behind an Ingress with ${ALB}target-type: ip (in apps/shop/)`,
        `shop: service Service/shop/public: spec.type is "LoadBalancer", and the namespace's ResourceQuota kaji-quota allows no load balancers of its own (services.loadbalancers: 0), so the API server refuses the Service; make it a ClusterIP Service behind an Ingress with ${ALB}target-type: ip (in apps/shop/)`,
      ],
    );
  });
});

describe('kaji synth: Ingresses and Services that can never work', { skip: !hasKubectl }, () => {
  test('each is a danger: synth --check-only fails and names it, in every cluster', async () => {
    const host = (yaml: string) => yaml.replace(/host: \S+/, 'host: www.shop.example.com');
    const documents = [
      host(ingress('shop', 'www', { [`${ALB}scheme`]: 'internal', [`${ALB}target-type`]: 'ip' })),
      host(ingress('shop', 'old', { [`${ALB}scheme`]: 'internet-facing', [`${ALB}target-type`]: 'ip' }, null)),
      host(ingress('shop', 'api', { [`${ALB}scheme`]: 'internet-facing' })),
      service('shop', 'debug', { type: 'NodePort' }),
      host(ingress('shop', 'nginx', { [`${ALB}scheme`]: 'internet-facing', [`${ALB}target-type`]: 'ip' }, 'nginx')),
      viaAction(host(ingress('shop', 'split', { [`${ALB}scheme`]: 'internet-facing', [`${ALB}target-type`]: 'ip', [`${ALB}actions.split`]: '{"type":"forward",' }, 'alb', 'split'))),
    ];
    const tree = platformTree([{ name: 'shop', hosts: ['www.shop.example.com'], extra: documents.join('---\n') }]);
    try {
      const run = await kaji(['synth', tree.root, '--check-only']);
      assert.equal(run.code, 1, run.stdout);
      for (const cluster of ['blue', 'green']) {
        assert.match(run.stdout, new RegExp(`✗ ${cluster}/shop: Ingress/shop/www: alb\\.ingress\\.kubernetes\\.io/scheme is "internal": an internal ALB`));
        assert.match(run.stdout, new RegExp(`✗ ${cluster}/shop: Ingress/shop/old: neither spec\\.ingressClassName nor`));
        assert.match(run.stdout, new RegExp(`✗ ${cluster}/shop: Ingress/shop/api: alb\\.ingress\\.kubernetes\\.io/target-type is not set`));
        assert.match(run.stdout, new RegExp(`✗ ${cluster}/shop: Service/shop/debug: spec\\.type is "NodePort"`));
        assert.match(run.stdout, new RegExp(`✗ ${cluster}/shop: Ingress/shop/nginx: spec\\.ingressClassName is "nginx", and no IngressClass "nginx"`));
        assert.match(run.stdout, new RegExp(`✗ ${cluster}/shop: Ingress/shop/split: alb\\.ingress\\.kubernetes\\.io/actions\\.split is not valid JSON`));
      }
      assert.match(run.stdout, /^12 dangers, /m);
    } finally {
      tree.cleanup();
    }
  });
});

describe('ALB actions the controller can read', () => {
  const fix =
    'write it as the controller documents, e.g. {"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"<Service>","servicePort":"<port>"}]}} (in apps/shop/)';
  const unreadable = (name: string, problem: string) =>
    `shop: ingress Ingress/shop/${name}: ${ALB}actions.${name} ${problem}, so the AWS Load Balancer Controller cannot read the action a rule sends to and changes nothing of the Ingress's load balancer; ${fix}`;
  const action = (name: string, json: string) => viaAction(ingress('shop', name, { [`${ALB}actions.${name}`]: json }, 'alb', name));

  test('an action a rule sends to that is not JSON, not an object, or whose forward config is not the documented shape is refused, naming the annotation', () => {
    assert.deepEqual(
      violations(actionFindings, {
        shop: [
          action('cut', '{"type":"forward","forwardConfig":'),
          action('list', '["forward"]'),
          action('odd', JSON.stringify({ type: 'forward', forwardConfig: 'web' })),
          action('flat', JSON.stringify({ type: 'forward', forwardConfig: { targetGroups: { serviceName: 'web' } } })),
          action('num', JSON.stringify({ type: 'forward', forwardConfig: { targetGroups: [{ serviceName: 80 }] } })),
          action('fine', JSON.stringify({ type: 'forward', forwardConfig: { targetGroups: [{ serviceName: 'web', servicePort: '80' }] } })),
        ],
      }),
      [
        unreadable('cut', 'is not valid JSON'),
        unreadable('list', 'is not a JSON object'),
        unreadable('odd', 'has a forwardConfig that is not an object'),
        unreadable('flat', 'has a forwardConfig.targetGroups that is not a list of objects'),
        unreadable('num', 'has a forwardConfig.targetGroups[].serviceName that is not a string'),
      ],
    );
  });

  test('an action a rule sends to that the Ingress does not have: every request of the rule gets a 503, named with the annotation to add', () => {
    assert.deepEqual(
      violations(actionFindings, {
        shop: [viaAction(ingress('shop', 'web', { [`${ALB}actions.other`]: '{"type":"fixed-response"}' }, 'alb', 'missing')), viaAction(ingress('shop', 'nginx-web', {}, 'nginx', 'missing'))],
      }),
      [
        `shop: ingress Ingress/shop/web: a rule sends to the action "missing" (port name use-annotation), and the Ingress has no ${ALB}actions.missing annotation, so the AWS Load Balancer Controller answers every request of that rule with a fixed 503 ("Backend action does not exist"); add the annotation, e.g. {"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"<Service>","servicePort":"<port>"}]}}, or send the rule to a Service and port (in apps/shop/)`,
      ],
    );
  });

  test('an action no rule sends to is never read, and another class\'s Ingress has no ALB actions', () => {
    assert.deepEqual(
      violations(actionFindings, {
        shop: [
          ingress('shop', 'web', { [`${ALB}actions.spare`]: '{not json' }),
          viaAction(ingress('shop', 'other', { [`${ALB}actions.other`]: '{not json' }, 'nginx', 'other')),
        ],
      }),
      [],
    );
  });
});
