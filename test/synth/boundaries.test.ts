import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlatform } from '../../src/platform/index.js';
import { imageAllowed, serviceBoundary, serviceBoundaryViolations, sharedGroupViolations, sharedHostViolations } from '../../src/synth/index.js';
import { objectsFrom } from '../support/inputs.js';
import { ECR, platformYaml } from '../support/platform.js';

const platform = parsePlatform(platformYaml([{ name: 'shop', hosts: ['www.shop.example.com'] }, { name: 'cart' }], { imageAllowlist: [`${ECR}/mirror/`] }), 'platform.yaml');
const shop = platform.services[0]!;
const cart = platform.services[1]!;
const KAJI_VPAS =
  'kaji generates one per workload, and kaji rightsize proposes requests from its recommendations: written by a tenant, they (or their status) say what the tenant chose, and a second one on the same workload leaves the recommender choosing between them';
const INGRESSES_FROM_GIT =
  "an Ingress joins the ALB of its IngressGroup, whose other services' hosts and load-balancer-wide settings only kaji synth, seeing every service's Ingresses, can hold it to (the webhook sees one object at a time); commit the Ingress to the service's manifests instead";
const HAND_WRITTEN =
  "Kubernetes fills a Service's endpoints from its selector; written by hand they send the Service's traffic, and an Ingress's, to any address, another namespace's pods too (CVE-2021-25740); use a selector, or an ExternalName Service for an outside host";

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
      assert.equal(imageAllowed(image, serviceBoundary(platform, shop)), allowed);
    });
  }

  test('an allowlist entry matches at a path boundary: one ending in / the repositories under it; any other that repository and those under it', () => {
    const boundary = { ...serviceBoundary(platform, shop), imageAllowlist: ['ghcr.io/acme', 'public.ecr.aws/labs/'] };
    for (const image of ['ghcr.io/acme:1.0', `ghcr.io/acme@sha256:${'a'.repeat(64)}`, 'ghcr.io/acme', 'ghcr.io/acme/base:1.0', 'public.ecr.aws/labs/base:1.0']) {
      assert.equal(imageAllowed(image, boundary), true, image);
    }
    // A longer name is another owner's repository (GitHub user acme-evil), not one under the entry.
    for (const image of ['ghcr.io/acme-evil/miner:1', 'ghcr.io/acmes:1.0', 'public.ecr.aws/labs-evil/base:1.0', 'public.ecr.aws/labs:1.0']) {
      assert.equal(imageAllowed(image, boundary), false, image);
    }
  });

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

  test('cluster-scoped kinds of the add-ons the platform runs (the ALB controller, Karpenter) and of the API are refused, namespace or not', () => {
    const kinds = [
      ['elbv2.k8s.aws/v1beta1', 'IngressClassParams'],
      ['karpenter.sh/v1', 'NodeClaim'],
      ['gateway.networking.k8s.io/v1', 'GatewayClass'],
      ['certificates.k8s.io/v1', 'CertificateSigningRequest'],
      ['flowcontrol.apiserver.k8s.io/v1', 'FlowSchema'],
    ];
    const objects = objectsFrom(kinds.map(([apiVersion, kind]) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: mine, namespace: shop}\n`).join('---\n'));
    assert.deepEqual(
      serviceBoundaryViolations(platform, shop, objects).map((v) => `${v.rule} ${v.message}`),
      kinds.map(([, kind]) => `clusterScoped ${kind} is cluster-scoped; tenants may only create objects in their namespace "shop"`),
    );
  });

  test("the guardrails' kinds, TargetGroupBindings and VerticalPodAutoscalers are refused in the service's own namespace too", () => {
    const objects = objectsFrom(`apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata: {name: steal, namespace: shop}
spec:
  serviceRef: {name: web, port: 80}
  targetGroupARN: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/cart/1
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: shop}
spec: {podSelector: {}, ingress: [{}]}
---
apiVersion: v1
kind: LimitRange
metadata: {name: big, namespace: shop}
---
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: mine, namespace: shop}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  updatePolicy: {updateMode: Auto}
---
apiVersion: networking.k8s.aws/v1alpha1
kind: PolicyEndpoint
metadata: {name: open, namespace: shop}
spec:
  podSelector: {}
  egress: [{cidr: 0.0.0.0/0}]
---
apiVersion: example.com/v1
kind: NetworkPolicy
metadata: {name: same-kind-other-group, namespace: shop}
`);
    assert.deepEqual(serviceBoundaryViolations(platform, shop, objects).map((v) => `${v.rule} ${v.object}: ${v.message}`), [
      "kind TargetGroupBinding/shop/steal: tenants may not create kind TargetGroupBinding: the AWS Load Balancer Controller registers the pods it selects in the target group it names, any in the account (another service's, behind its load balancer); publish the service through an Ingress",
      "kind NetworkPolicy/shop/allow-all: tenants may not create kind NetworkPolicy: the platform's guardrail in every tenant namespace, generated by kaji from platform.yaml; ask for the change there",
      "kind LimitRange/shop/big: tenants may not create kind LimitRange: the platform's guardrail in every tenant namespace, generated by kaji from platform.yaml; ask for the change there",
      'kind VerticalPodAutoscaler/shop/mine: tenants may not create kind VerticalPodAutoscaler: kaji generates one per workload (recommendations only, read by kaji rightsize); a second one on the same workload leaves the recommender choosing between them',
      "kind PolicyEndpoint/shop/open: tenants may not create kind PolicyEndpoint: the VPC CNI's network policy agent enforces every PolicyEndpoint in the namespace, whoever wrote it, so one would open what the platform's NetworkPolicies close; its controller writes them from the NetworkPolicies",
    ]);
  });

  test('endpoints are Kubernetes\' to fill: no Endpoints or EndpointSlices of a tenant\'s, no Role that writes them', () => {
    assert.deepEqual(
      shopViolations(`apiVersion: v1
kind: Endpoints
metadata: {name: argocd-redis, namespace: shop}
subsets: [{addresses: [{ip: 10.0.70.12}], ports: [{port: 6379}]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: argocd-redis-1, namespace: shop, labels: {kubernetes.io/service-name: argocd-redis}}
addressType: IPv4
endpoints: [{addresses: [10.0.70.12]}]
ports: [{port: 6379}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: shop}
rules:
  - {apiGroups: [""], resources: [endpoints, services], verbs: [get, list, watch]}
  - {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [create]}
  - {apiGroups: [""], resources: [endpoints], verbs: [patch]}
`),
      [
        `kind Endpoints/shop/argocd-redis: tenants may not create kind Endpoints: ${HAND_WRITTEN}`,
        `kind EndpointSlice/shop/argocd-redis-1: tenants may not create kind EndpointSlice: ${HAND_WRITTEN}`,
        `rbac Role/shop/r: rules[1] may change endpointslices: ${HAND_WRITTEN}`,
        `rbac Role/shop/r: rules[2] may change endpoints: ${HAND_WRITTEN}`,
      ],
    );
  });

  test('a host declared by one service cannot be taken by another', () => {
    const ingress = (namespace: string) =>
      objectsFrom(`apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: ${namespace}}\nspec:\n  rules: [{host: www.shop.example.com}]\n`);
    const violations = sharedHostViolations(platform, new Map([['cart', ingress('cart')], ['shop', ingress('shop')]]));
    assert.deepEqual(violations.map((v) => [v.service, v.message]), [['cart', 'host "www.shop.example.com" is already claimed by shop']]);
    assert.equal(cart.hosts.length, 0);
  });

  /** `rule object: message` of every violation of shop's objects. */
  const shopViolations = (yamlText: string) => serviceBoundaryViolations(platform, shop, objectsFrom(yamlText)).map((v) => `${v.rule} ${v.object}: ${v.message}`);

  test("no tenant object may claim a cluster's Argo CD host (argocd.<cluster>.<domain>), nor a wildcard that covers it", () => {
    // platform.yaml may not declare an Argo CD host (load.ts) nor a wildcard (hosts are DNS names), so every such claim is undeclared.
    assert.deepEqual(
      shopViolations(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {external-dns.alpha.kubernetes.io/hostname: argocd.green.shop.example.com}
spec:
  rules: [{host: www.shop.example.com}, {host: argocd.blue.shop.example.com}, {host: "*.blue.shop.example.com"}, {host: "*.shop.example.com"}]
  tls: [{hosts: ["*.green.shop.example.com"]}]
`),
      [
        'host Ingress/shop/web: host "argocd.green.shop.example.com" is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
        'host Ingress/shop/web: host "argocd.blue.shop.example.com" is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
        'host Ingress/shop/web: host "*.blue.shop.example.com" is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
        'host Ingress/shop/web: host "*.shop.example.com" is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
        'host Ingress/shop/web: host "*.green.shop.example.com" is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
      ],
    );
  });

  test('the images of init and ephemeral containers are checked like the others', () => {
    assert.deepEqual(
      shopViolations(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  initContainers: [{name: init, image: "busybox:1.36"}]
  containers: [{name: app, image: ${ECR}/shop:1.0}]
  ephemeralContainers: [{name: debug, image: "nicolaka/netshoot:v0.13"}]
`),
      [
        `image Pod/shop/web: image "busybox:1.36" is not from ${ECR}/shop or the allowlist (${ECR}/mirror/)`,
        `image Pod/shop/web: image "nicolaka/netshoot:v0.13" is not from ${ECR}/shop or the allowlist (${ECR}/mirror/)`,
      ],
    );
  });

  test('the images of image volumes are checked like containers\'', () => {
    assert.deepEqual(
      shopViolations(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: ${ECR}/shop:1.0}]
      volumes:
        - {name: tools, image: {reference: "docker.io/evil/tools:latest", pullPolicy: Always}}
        - {name: models, image: {reference: ${ECR}/mirror/models:2024}}
        - {name: own, image: {reference: ${ECR}/shop:data-1}}
        - {name: scratch, emptyDir: {}}
`),
      [`image Deployment/shop/web: image "docker.io/evil/tools:latest" of volume "tools" is not from ${ECR}/shop or the allowlist (${ECR}/mirror/)`],
    );
  });

  test('an Ingress may not catch other hosts: no rule without a host, no default backend', () => {
    assert.deepEqual(
      shopViolations(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  rules:
    - host: www.shop.example.com
    - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`),
      [
        "ingress Ingress/shop/web: spec.defaultBackend answers every request no rule matches, on a shared ALB other services' hosts too; route with a rule for one of the service's hosts instead",
        "ingress Ingress/shop/web: spec.rules[1] has no host: on a shared ALB it would match every host's requests; give it one of the service's hosts",
      ],
    );
  });

  test('an ALB action may not forward to a target group by ARN or name; other actions are the service\'s own', () => {
    const ingress = (action: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/actions.go: '${action}'
spec:
  rules: [{host: www.shop.example.com}]
`;
    const forward = (json: string) => shopViolations(ingress(json)).map((v) => v.split(': ')[1]);
    assert.deepEqual(forward('{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupARN":"arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/db/1"}]}}'), [
      'alb.ingress.kubernetes.io/actions.go forwards to a target group named by ARN or name, which can be any target group in the account; forward to a Service of the service instead',
    ]);
    assert.equal(forward('{"type":"forward","targetGroupARN":"arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/db/1"}').length, 1);
    assert.equal(forward('{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupName":"internal-admin"}]}}').length, 1);
    // The controller reads keys of any case, as Go's encoding/json does: the older capitalised ones too.
    assert.equal(forward('{"Type":"forward","TargetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/db/1"}').length, 1);
    assert.equal(forward('{"Type":"forward","ForwardConfig":{"TargetGroups":[{"TARGETGROUPNAME":"internal-admin"}]}}').length, 1);
    assert.deepEqual(forward('{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"web","servicePort":"80"}]}}'), []);
    assert.deepEqual(forward('{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"503"}}'), []);
  });

  describe('ALB conditions', () => {
    /** shop's violations of an Ingress for its host whose backend web has the conditions `json`. */
    const withConditions = (json: string) =>
      shopViolations(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/conditions.web: '${json}'
spec:
  rules: [{host: www.shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`);
    const hostHeader = (values: readonly string[]) => JSON.stringify([{ field: 'host-header', hostHeaderConfig: { values } }]);

    test("the hosts of a host-header condition are the rule's too: each must be declared for the service, no wildcard", () => {
      assert.deepEqual(withConditions(hostHeader(['www.shop.example.com', 'cart.shop.example.com', '*.shop.example.com', '*'])), [
        'host Ingress/shop/web: host "cart.shop.example.com" in alb.ingress.kubernetes.io/conditions.web is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
        'host Ingress/shop/web: host "*.shop.example.com" in alb.ingress.kubernetes.io/conditions.web is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
        'host Ingress/shop/web: host "*" in alb.ingress.kubernetes.io/conditions.web is not under the platform domain shop.example.com',
      ]);
      assert.deepEqual(withConditions(hostHeader(['www.shop.example.com'])), []);
    });

    test('keys of any case count, as the controller reads them, and every spelling of one', () => {
      const json = '[{"Field":"host-header","HostHeaderConfig":{"Values":["cart.shop.example.com"]},"hostheaderconfig":{"VALUES":["api.shop.example.com"]}}]';
      assert.deepEqual(
        withConditions(json).map((v) => v.split(' in ')[0]),
        ['host Ingress/shop/web: host "cart.shop.example.com"', 'host Ingress/shop/web: host "api.shop.example.com"'],
      );
      // Go folds case the Unicode way: a long s (ſ) is an s to it.
      assert.deepEqual(
        withConditions('[{"field":"host-header","hoſtHeaderConfig":{"valueſ":["*"]}}]').map((v) => v.split(' in ')[0]),
        ['host Ingress/shop/web: host "*"'],
      );
      assert.equal(withConditions('[{"field":"host-header","hostHeaderConfig":{"regexValueſ":[".*"]}}]').length, 1);
    });

    test('conditions that only narrow the rule are the service\'s own', () => {
      const narrowing = [
        { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Canary', values: ['*'] } },
        { field: 'path-pattern', pathPatternConfig: { regexValues: ['^/api/.*'] } },
        { field: 'query-string', queryStringConfig: { values: [{ key: 'v', value: '2' }] } },
        { field: 'source-ip', sourceIPConfig: { values: ['0.0.0.0/0'] } },
        { field: 'http-request-method', httpRequestMethodConfig: { values: ['GET'] } },
      ];
      assert.deepEqual(withConditions(JSON.stringify(narrowing)), []);
    });

    test('host regexes and conditions kaji cannot read are refused, naming the annotation', () => {
      const refusal = (problem: string) =>
        `ingress Ingress/shop/web: alb.ingress.kubernetes.io/conditions.web ${problem}, so kaji cannot tell which hosts its rules match on a shared ALB; name the hosts as [{"field":"host-header","hostHeaderConfig":{"values":["<host>"]}}], each one of the service's hosts`;
      assert.deepEqual(withConditions('[{"field":"host-header","hostHeaderConfig":{"regexValues":["^(www|cart)[.]shop[.]example[.]com$"]}}]'), [
        refusal('matches hosts by hostHeaderConfig.regexValues, which may match any host'),
      ]);
      assert.deepEqual(withConditions('[{"field":"host-header",'), [refusal('is not valid JSON')]);
      assert.deepEqual(withConditions('{"field":"host-header"}'), [refusal('is not a JSON list of conditions')]);
      assert.deepEqual(withConditions('[{"field":"host-header","hostHeaderConfig":["*"]}]'), [refusal('has a hostHeaderConfig that is not an object')]);
      assert.deepEqual(withConditions('[{"field":"host-header","hostHeaderConfig":{"values":"*"}}]'), [refusal('has a hostHeaderConfig.values that is not a list of host names')]);
      // An empty list of regexes matches nothing more.
      assert.deepEqual(withConditions('[{"field":"host-header","hostHeaderConfig":{"values":["www.shop.example.com"],"regexValues":[]}}]'), []);
    });

    test("a condition host declared for another service is that service's", () => {
      const cartIngress = objectsFrom(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: cart
  annotations:
    alb.ingress.kubernetes.io/conditions.web: '${hostHeader(['www.shop.example.com'])}'
spec:
  rules: [{host: cart.shop.example.com}]
`);
      assert.deepEqual(
        sharedHostViolations(platform, new Map([['cart', cartIngress], ['shop', []]])).map((v) => [v.service, v.message]),
        [['cart', 'host "www.shop.example.com" in alb.ingress.kubernetes.io/conditions.web is already claimed by shop']],
      );
    });
  });

  test("a Service may not take other addresses' traffic: no externalIPs, no status written by a tenant Role", () => {
    const service = (spec: string) => shopViolations(`apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: ${spec}\n`);
    assert.deepEqual(service('{selector: {app: web}, ports: [{port: 80}], externalIPs: [10.0.32.15, 169.254.170.23]}'), [
      "service Service/shop/web: spec.externalIPs (10.0.32.15, 169.254.170.23) would take every pod's traffic to those addresses, in all namespaces; publish the service through an Ingress",
    ]);
    assert.deepEqual(service('{selector: {app: web}, ports: [{port: 80}], externalIPs: []}'), []);
    assert.deepEqual(service('{selector: {app: web}, ports: [{port: 80}]}'), []);
    assert.deepEqual(shopViolations('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules: [{apiGroups: [""], resources: [services, services/status], verbs: [patch]}]\n'), [
      "rbac Role/shop/r: rules[0] may change services/status: kube-proxy sends traffic for a Service's status.loadBalancer addresses to its pods, whoever it was meant for (CVE-2020-8554); the load balancer controller writes the status",
    ]);
  });

  test('names published through external-dns annotations are host claims, on Services too', () => {
    assert.deepEqual(
      shopViolations(`apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations: {external-dns.alpha.kubernetes.io/hostname: "www.shop.example.com, billing.shop.example.com."}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {external-dns.alpha.kubernetes.io/internal-hostname: shop.example.com}
spec:
  rules: [{host: www.shop.example.com}]
`),
      [
        'host Service/shop/web: host "billing.shop.example.com" is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
        'host Ingress/shop/web: host "shop.example.com" is not declared for shop in platform.yaml (hosts: www.shop.example.com)',
      ],
    );
    const cartService = objectsFrom(`apiVersion: v1
kind: Service
metadata: {name: web, namespace: cart, annotations: {external-dns.alpha.kubernetes.io/hostname: www.shop.example.com}}
`);
    assert.deepEqual(
      sharedHostViolations(platform, new Map([['cart', cartService], ['shop', []]])).map((v) => [v.service, v.message]),
      [['cart', 'host "www.shop.example.com" is already claimed by shop']],
    );
  });

  describe('ALB groups', () => {
    const ingress = (namespace: string, annotations: Record<string, string>) =>
      objectsFrom(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ${namespace}
  annotations: ${JSON.stringify(annotations)}
spec:
  rules: [{host: ${namespace}.shop.example.com}]
`);
    const groupViolations = (byService: Record<string, Record<string, string>>) =>
      sharedGroupViolations(new Map(Object.entries(byService).map(([service, annotations]) => [service, ingress(service, annotations)]))).map(
        (v) => `${v.service}: ${v.message}`,
      );
    const alb = (settings: Record<string, string>) =>
      Object.fromEntries(Object.entries(settings).map(([key, value]) => [`alb.ingress.kubernetes.io/${key}`, value]));

    test('a setting of the whole load balancer is refused in a group other services share', () => {
      assert.deepEqual(
        groupViolations({
          shop: alb({ 'group.name': 'public', 'load-balancer-attributes': 'access_logs.s3.enabled=true,access_logs.s3.bucket=mine' }),
          cart: alb({ 'group.name': 'public', 'healthcheck-path': '/ready', 'listen-ports': '[{"HTTPS": 443}]', 'group.order': '-1000' }),
        }),
        [
          'shop: alb.ingress.kubernetes.io/load-balancer-attributes applies to the whole load balancer of group "public", which cart share; set it in a group of the service\'s own (another group.name), or ask the platform team',
        ],
      );
    });

    test('settings every member must give alike have to agree', () => {
      assert.deepEqual(
        groupViolations({
          cart: alb({ 'group.name': 'public', scheme: 'internet-facing' }),
          shop: alb({ 'group.name': 'public', scheme: 'internal' }),
        }),
        [
          'shop: alb.ingress.kubernetes.io/scheme is "internal" but "internet-facing" for cart in group "public" (unset means "internal"): the Ingresses of a group must agree on it, or the controller builds none of the group\'s changes',
        ],
      );
      assert.deepEqual(groupViolations({ cart: alb({ 'group.name': 'public', scheme: 'internal' }), shop: alb({ 'group.name': 'public', scheme: 'internal' }) }), []);
      // One member alone making the load balancer public would publish the others' hosts: unset is "internal".
      assert.deepEqual(groupViolations({ cart: alb({ 'group.name': 'internal-apps' }), shop: alb({ 'group.name': 'internal-apps', scheme: 'internet-facing' }) }), [
        'shop: alb.ingress.kubernetes.io/scheme is "internet-facing" but "internal" for cart in group "internal-apps" (unset means "internal"): the Ingresses of a group must agree on it, or the controller builds none of the group\'s changes',
      ]);
      // ip-address-type and ssl-redirect are agreed on too, not refused as the whole load balancer's.
      const dualstack = { 'group.name': 'public', 'ip-address-type': 'dualstack', 'ssl-redirect': '443' };
      assert.deepEqual(groupViolations({ cart: alb(dualstack), shop: alb(dualstack) }), []);
      assert.deepEqual(groupViolations({ cart: alb(dualstack), shop: alb({ ...dualstack, 'ip-address-type': 'ipv4' }) }), [
        'shop: alb.ingress.kubernetes.io/ip-address-type is "ipv4" but "dualstack" for cart in group "public": the Ingresses of a group must agree on it, or the controller builds none of the group\'s changes',
      ]);
    });

    test('a group of one service, or no group, may set anything', () => {
      const settings = { 'inbound-cidrs': '203.0.113.0/24', 'ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06' };
      assert.deepEqual(groupViolations({ shop: alb({ 'group.name': 'shop-admin', ...settings }), cart: alb({ 'group.name': 'public' }) }), []);
      assert.deepEqual(groupViolations({ shop: alb(settings), cart: alb(settings) }), []);
    });
  });

  describe('RBAC', () => {
    test('a Role may not grant rights that make rights, nor change the guardrails', () => {
      assert.deepEqual(
        shopViolations(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: shop}
rules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate, bind]}
  - {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}
  - {apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [create]}
  - {apiGroups: ["*"], resources: ["*"], verbs: [delete]}
  - {apiGroups: [""], resources: [resourcequotas, limitranges, secrets], verbs: [get, list, watch]}
  - {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, create, update]}
`).map((v) => v.replace('rbac Role/shop/r: ', '')),
        [
          'rules[0] grants "escalate", which lets its holders give themselves or others rights the platform did not; list the verbs the workload needs',
          'rules[0] grants "bind", which lets its holders give themselves or others rights the platform did not; list the verbs the workload needs',
          'rules[1] grants "impersonate", which lets its holders give themselves or others rights the platform did not; list the verbs the workload needs',
          "rules[2] may change networkpolicies: the platform's guardrails and RBAC in the namespace are generated by kaji from platform.yaml; ask for the change there",
          "rules[3] may change resourcequotas, limitranges: the platform's guardrails and RBAC in the namespace are generated by kaji from platform.yaml; ask for the change there",
          "rules[3] may change networkpolicies: the platform's guardrails and RBAC in the namespace are generated by kaji from platform.yaml; ask for the change there",
          "rules[3] may change policyendpoints: the VPC CNI's network policy agent enforces every PolicyEndpoint in the namespace, whoever wrote it, so one would open what the platform's NetworkPolicies close; its controller writes them from the NetworkPolicies",
          "rules[3] may change roles, rolebindings: the platform's guardrails and RBAC in the namespace are generated by kaji from platform.yaml; ask for the change there",
          "rules[3] may change namespaces: a Role reaches its own Namespace, whose labels set its Pod Security level and send it to the tenant boundaries' webhook; the Namespace is generated by kaji from platform.yaml",
          "rules[3] may change services/status: kube-proxy sends traffic for a Service's status.loadBalancer addresses to its pods, whoever it was meant for (CVE-2020-8554); the load balancer controller writes the status",
          "rules[3] may change pods/ephemeralcontainers: containers added to a running pod go through a subresource the webhook is not sent, so their images would escape the service's repositories",
          "rules[3] may change pods/binding: a Binding puts a pod on a node of its choosing past the scheduler and the system nodes' taint",
          `rules[3] may change endpoints: ${HAND_WRITTEN}`,
          `rules[3] may change endpointslices: ${HAND_WRITTEN}`,
          'rules[3] may change targetgroupbindings: a TargetGroupBinding puts pods into any target group of the account it names, and the webhook does not see it; publish the service through an Ingress',
          `rules[3] may change verticalpodautoscalers: ${KAJI_VPAS}`,
          `rules[3] may change ingresses: ${INGRESSES_FROM_GIT}`,
        ],
      );
      assert.deepEqual(shopViolations('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules: [{apiGroups: [""], resources: [pods], verbs: ["*"]}]\n').length, 1);
    });

    test("a Role or RoleBinding named as the team's own (kaji-team) is refused from the service's manifests: it would take the platform's over", () => {
      const named = (kind: string, name: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata: {name: ${name}, namespace: shop}\n`;
      const role = `${named('Role', 'kaji-team')}rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]\n`;
      // Even the binding kaji itself writes, word for word (the webhook lets that one through: it cannot tell who sends it).
      const binding = `${named('RoleBinding', 'kaji-team')}roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: kaji-team}\nsubjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "kaji:team:web"}]\n`;
      assert.deepEqual(shopViolations(`${role}---\n${binding}`), [
        "rbac Role/shop/kaji-team: Role kaji-team is the platform's own in every tenant namespace (the team's rights, from platform.yaml); one from the service's manifests would take it over: name yours otherwise",
        "rbac RoleBinding/shop/kaji-team: RoleBinding kaji-team is the platform's own in every tenant namespace (the team's rights, from platform.yaml); one from the service's manifests would take it over: name yours otherwise",
      ]);
      assert.deepEqual(shopViolations(role.replace('name: kaji-team', 'name: reader')), [], 'another name is fine');
    });

    test('a Role may not change its own Namespace (its labels), nor a guardrail through a subresource', () => {
      const role = (rule: string) =>
        shopViolations(`apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules: [${rule}]\n`).map((v) => v.replace('rbac Role/shop/r: ', ''));
      const relabel =
        "rules[0] may change namespaces: a Role reaches its own Namespace, whose labels set its Pod Security level and send it to the tenant boundaries' webhook; the Namespace is generated by kaji from platform.yaml";
      assert.deepEqual(role('{apiGroups: [""], resources: [namespaces], verbs: [get, patch]}'), [relabel]);
      assert.deepEqual(role('{apiGroups: [""], resources: [namespaces/status], verbs: [update]}'), [relabel]);
      assert.deepEqual(role('{apiGroups: [""], resources: [namespaces], verbs: [get, list, watch]}'), []);
      assert.deepEqual(role('{apiGroups: [""], resources: [resourcequotas/status], verbs: [update]}'), [
        "rules[0] may change resourcequotas: the platform's guardrails and RBAC in the namespace are generated by kaji from platform.yaml; ask for the change there",
      ]);
      // Containers added to a running pod are not sent to the webhook.
      assert.deepEqual(role('{apiGroups: [""], resources: [pods, pods/ephemeralcontainers], verbs: [get, patch]}'), [
        "rules[0] may change pods/ephemeralcontainers: containers added to a running pod go through a subresource the webhook is not sent, so their images would escape the service's repositories",
      ]);
      assert.deepEqual(role('{apiGroups: [""], resources: [pods/binding], verbs: [create]}'), [
        "rules[0] may change pods/binding: a Binding puts a pod on a node of its choosing past the scheduler and the system nodes' taint",
      ]);
      // A subresource of another resource is not the guarded one.
      assert.deepEqual(role('{apiGroups: [""], resources: [pods/status, namespacesx], verbs: [update]}'), []);
    });

    test('a */<subresource> entry reaches that subresource of every resource, as RBAC matches it', () => {
      const role = (rule: string) =>
        shopViolations(`apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules: [${rule}]\n`).map((v) => v.replace('rbac Role/shop/r: ', ''));
      assert.deepEqual(role('{apiGroups: [""], resources: ["*/status"], verbs: [update]}'), [
        "rules[0] may change services/status: kube-proxy sends traffic for a Service's status.loadBalancer addresses to its pods, whoever it was meant for (CVE-2020-8554); the load balancer controller writes the status",
      ]);
      assert.deepEqual(role('{apiGroups: ["*"], resources: ["*/ephemeralcontainers"], verbs: [patch]}'), [
        "rules[0] may change pods/ephemeralcontainers: containers added to a running pod go through a subresource the webhook is not sent, so their images would escape the service's repositories",
      ]);
      assert.deepEqual(role('{apiGroups: [""], resources: ["*/binding"], verbs: [create]}'), [
        "rules[0] may change pods/binding: a Binding puts a pod on a node of its choosing past the scheduler and the system nodes' taint",
      ]);
      // Other subresources reach none of them; RBAC reads */* as the subresource named "*", which no resource has.
      assert.deepEqual(role('{apiGroups: ["*"], resources: ["*/scale", "*/log", "*/*"], verbs: [update]}'), []);
      assert.deepEqual(role('{apiGroups: [""], resources: ["*/status"], verbs: [get, list]}'), []);
    });

    test("a Role may not write VerticalPodAutoscalers (kaji's own per workload, which rightsize reads), only read them", () => {
      const role = (verbs: string) =>
        shopViolations(`apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules: [{apiGroups: [autoscaling.k8s.io], resources: [verticalpodautoscalers], verbs: ${verbs}}]\n`).map((v) =>
          v.replace('rbac Role/shop/r: ', ''),
        );
      assert.deepEqual(role('[get, patch]'), [`rules[0] may change verticalpodautoscalers: ${KAJI_VPAS}`]);
      assert.deepEqual(role('[get, list, watch]'), []);
    });

    test('a Role may not write Ingresses (they come from git, where synth holds them to the other services\' in their group), only read them', () => {
      const role = (rule: string) =>
        shopViolations(`apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules: [${rule}]\n`).map((v) => v.replace('rbac Role/shop/r: ', ''));
      const refused = [`rules[0] may change ingresses: ${INGRESSES_FROM_GIT}`];
      assert.deepEqual(role('{apiGroups: [networking.k8s.io], resources: [ingresses], verbs: [get, create, update]}'), refused);
      assert.deepEqual(role('{apiGroups: [networking.k8s.io], resources: [ingresses/status], verbs: [patch]}'), refused);
      assert.deepEqual(role('{apiGroups: ["*"], resources: [ingresses], verbs: [patch]}'), refused);
      assert.deepEqual(role('{apiGroups: [networking.k8s.io], resources: [ingresses], verbs: [get, list, watch]}'), []);
    });

    test("a RoleBinding may give the namespace's own service accounts a Role or view, nothing else to anyone else", () => {
      const binding = (roleRef: string, subjects: string) =>
        shopViolations(`apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: shop}
roleRef: ${roleRef}
subjects: ${subjects}
`).map((v) => v.replace('rbac RoleBinding/shop/b: ', ''));
      const role = '{apiGroup: rbac.authorization.k8s.io, kind: Role, name: leader-election}';
      assert.deepEqual(binding(role, '[{kind: ServiceAccount, name: web}, {kind: ServiceAccount, name: worker, namespace: shop}]'), []);
      assert.deepEqual(binding('{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}', '[{kind: ServiceAccount, name: web}]'), []);
      assert.deepEqual(binding('{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}', '[{kind: ServiceAccount, name: web}]'), [
        'binds the ClusterRole "edit"; tenants may bind their own Roles and the ClusterRole view only',
      ]);
      assert.deepEqual(
        binding(role, '[{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "kaji:team:web"}, {kind: ServiceAccount, name: default, namespace: cart}, {kind: User, name: mallory}]'),
        [
          `subjects[0] is Group "kaji:team:web": a tenant may grant rights to the service accounts of its namespace "shop" only (what people may do comes from the platform's Role for kaji:team:web)`,
          `subjects[1] is ServiceAccount "default" in cart: a tenant may grant rights to the service accounts of its namespace "shop" only (what people may do comes from the platform's Role for kaji:team:web)`,
          `subjects[2] is User "mallory": a tenant may grant rights to the service accounts of its namespace "shop" only (what people may do comes from the platform's Role for kaji:team:web)`,
        ],
      );
      // Malformed fields are named as written (String() threw on a mapping with a toString key); a list holding "view" is not view.
      assert.deepEqual(binding('{kind: ClusterRole, name: [view]}', '[{kind: Group, name: {toString: x}}, {kind: [User]}]'), [
        'binds the ClusterRole "["view"]"; tenants may bind their own Roles and the ClusterRole view only',
        `subjects[0] is Group "{"toString":"x"}": a tenant may grant rights to the service accounts of its namespace "shop" only (what people may do comes from the platform's Role for kaji:team:web)`,
        `subjects[1] is ["User"] "nothing": a tenant may grant rights to the service accounts of its namespace "shop" only (what people may do comes from the platform's Role for kaji:team:web)`,
      ]);
    });
  });

  test("pods may not tolerate the system nodes' taint nor take a system priority", () => {
    const deployment = (podSpecExtra: string) =>
      shopViolations(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: ${ECR}/shop:1.0}]
${podSpecExtra}`).map((v) => v.replace('scheduling Deployment/shop/web: ', ''));
    const tolerating = "tolerates the system nodes' taint CriticalAddonsOnly: tenant pods run on the nodes Karpenter launches for them, not beside the platform's components; remove it";
    assert.deepEqual(deployment('      priorityClassName: system-cluster-critical\n'), [
      'priorityClassName "system-cluster-critical" is for the cluster\'s own components (it would preempt them); leave it out',
    ]);
    assert.deepEqual(deployment('      priorityClassName: batch-low\n'), []);
    // The kubelet runs a pod bound to its node whatever NoSchedule taints say.
    const pinned = 'nodeName "ip-10-0-1-23.ec2.internal" binds the pods to that node past the scheduler and the system nodes\' taint; leave it out (nodeSelector or affinity choose among the service\'s nodes)';
    assert.deepEqual(deployment('      nodeName: ip-10-0-1-23.ec2.internal\n'), [pinned]);
    assert.deepEqual(
      shopViolations(`apiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: shop}\nspec:\n  nodeName: ip-10-0-1-23.ec2.internal\n  containers: [{name: app, image: ${ECR}/shop:1.0}]\n`),
      [`scheduling Pod/shop/debug: ${pinned}`],
    );
    for (const [toleration, refused] of [
      ['{key: CriticalAddonsOnly, operator: Exists}', true],
      ['{key: CriticalAddonsOnly, value: "true", effect: NoSchedule}', true],
      ['{operator: Exists}', true],
      ['{operator: Exists, effect: NoSchedule}', true],
      ['{key: CriticalAddonsOnly, value: "false"}', false],
      ['{key: CriticalAddonsOnly, operator: Exists, effect: NoExecute}', false],
      ['{operator: Exists, effect: NoExecute}', false],
      ['{key: karpenter.sh/disrupted, operator: Exists}', false],
    ] as const) {
      assert.deepEqual(deployment(`      tolerations: [${toleration}]\n`), refused ? [`tolerations[0] ${tolerating}`] : [], toleration);
    }
  });
});

