import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { argoCdIngressValues, argoCdValues, ArgoCdValuesError, type ArgoCdServerIngress } from '../../src/infra/addons/argocd.js';
import { systemPlacement } from '../../src/infra/addons/system-nodes.js';
import { CHARTS } from '../../src/infra/versions.js';

// GIVEN kaji's pinned Argo CD chart and the settings of argocd.ingress and
// argocd.sso as ArgoCdBootstrap hands them over, WHEN argoCdValues merges
// a cluster stack's `argoCdValues` overrides over kaji's values.
const pin = CHARTS.argoCd;
const HOST = 'argocd.blue.labs.example.com';
const ingress: ArgoCdServerIngress = { host: HOST, certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/0a1b', scheme: 'internal', inboundCidrs: ['10.0.0.0/16'] };
const signIn = { cm: { url: `https://${HOST}`, 'oidc.config': 'name: Okta' }, rbac: { 'policy.default': '' } };

interface Values {
  global?: Record<string, unknown>;
  server?: Record<string, unknown>;
  configs?: { cm?: Record<string, unknown> };
}

describe('argoCdValues: global.domain, from which the chart derives argocd-cm\'s url', () => {
  test('with argocd.ingress and no sign-in, global.domain is Argo CD\'s host (not the chart\'s argocd.example.com)', () => {
    const values = argoCdValues(pin, {}, undefined, ingress) as Values;
    assert.equal(values.global?.domain, HOST);
    // The chart's argocd-cm `url` is https://<global.domain> unless configs.cm.url is set: nothing of kaji's sets it here.
    assert.equal(values.configs?.cm, undefined);
  });

  test('with sign-in and no ingress, global.domain is Argo CD\'s host, the same as sign-in\'s url', () => {
    const values = argoCdValues(pin, {}, signIn, undefined, HOST) as Values;
    assert.equal(values.global?.domain, HOST);
    assert.equal(values.configs?.cm?.url, `https://${values.global?.domain as string}`);
  });

  test('without either, no global.domain: the chart\'s default stays, as before', () => {
    assert.equal((argoCdValues(pin) as Values).global?.domain, undefined);
    assert.equal((argoCdValues(pin, { global: { logging: { format: 'json' } } }) as Values).global?.domain, undefined);
  });

  test('a global of the overrides keeps its keys, gets the domain and the pinned image tag; a domain of its own wins', () => {
    const kajiGlobal = argoCdValues(pin, {}, undefined, ingress).global as Record<string, unknown>;
    const mirror = { global: { image: { repository: 'mirror/argocd' }, logging: { format: 'json' } } };
    assert.deepEqual(argoCdValues(pin, mirror, undefined, ingress).global, {
      ...kajiGlobal,
      domain: HOST,
      image: { repository: 'mirror/argocd', tag: pin.imageTag },
      logging: { format: 'json' },
    });
    assert.deepEqual(argoCdValues(pin, { global: { domain: 'cd.example.org' } }, undefined, ingress).global, { ...kajiGlobal, domain: 'cd.example.org', image: { tag: pin.imageTag } });
    // An image that is not a map is left as given, as before; the domain is still added.
    assert.deepEqual(argoCdValues(pin, { global: { image: 'mirror/argocd:v3.4.99' } }, undefined, ingress).global, { ...kajiGlobal, domain: HOST, image: 'mirror/argocd:v3.4.99' });
  });
});

describe('argoCdValues: a global of the overrides keeps Argo CD on the system nodes with its NetworkPolicies', () => {
  const SYSTEM_SELECTOR = { 'kaji.dev/node-role': 'system' };

  test('a global for logging keeps kaji\'s nodeSelector, tolerations and networkPolicy: the application controller (cluster admin) and the repo server (repository credentials) stay off tenant spot nodes', () => {
    const global = argoCdValues(pin, { global: { logging: { format: 'json' } } }).global as Record<string, unknown>;
    assert.deepEqual(global.nodeSelector, SYSTEM_SELECTOR);
    assert.deepEqual(global.tolerations, systemPlacement().tolerations);
    assert.deepEqual(global.networkPolicy, { create: true });
    assert.deepEqual(global.logging, { format: 'json' });
  });

  test('its nodeSelector and networkPolicy keys merge over kaji\'s; a tolerations list of its own replaces kaji\'s, and a key set to null is there for Helm to drop', () => {
    const global = argoCdValues(pin, {
      global: {
        nodeSelector: { 'kubernetes.io/arch': 'arm64' },
        networkPolicy: { defaultDenyIngress: true },
        tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      },
    }).global as Record<string, unknown>;
    assert.deepEqual(global.nodeSelector, { ...SYSTEM_SELECTOR, 'kubernetes.io/arch': 'arm64' });
    assert.deepEqual(global.networkPolicy, { create: true, defaultDenyIngress: true });
    assert.deepEqual(global.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
    const unselected = argoCdValues(pin, { global: { nodeSelector: { 'kaji.dev/node-role': null }, networkPolicy: { create: false } } }).global as Record<string, unknown>;
    assert.deepEqual(unselected.nodeSelector, { 'kaji.dev/node-role': null });
    assert.deepEqual(unselected.networkPolicy, { create: false });
  });
});

describe('argoCdValues: a global of the overrides that is not a map', () => {
  test('is refused, naming the field and what it held: it would drop Argo CD\'s host and the pinned image tag', () => {
    const cases: [unknown, string][] = [
      [null, 'null'],
      ['mirror', 'the string "mirror"'],
      [['a'], 'a list'],
      [3, 'the number 3'],
    ];
    for (const [global, said] of cases) {
      assert.throws(
        () => argoCdValues(pin, { global }, undefined, ingress),
        (error: unknown) =>
          error instanceof ArgoCdValuesError &&
          error.field === 'global' &&
          error.message === `global is ${said}, not a map: kaji merges it over Argo CD's host (global.domain), the pinned image tag, the system-node placement and the NetworkPolicies; give a map of the chart's global keys, or leave global out`,
      );
    }
  });

  test('an undefined global is no global: kaji\'s stays whole (a spread of undefined would have dropped it)', () => {
    assert.deepEqual(argoCdValues(pin, { global: undefined }, undefined, ingress).global, argoCdValues(pin, {}, undefined, ingress).global);
  });
});

describe('argoCdValues: a configs of the overrides that is not a map', () => {
  test('is refused, naming the field and what it held, rather than ignored: kaji\'s reader account, sign-in and RBAC live there', () => {
    const cases: [unknown, string][] = [
      [null, 'null'],
      ['cm', 'the string "cm"'],
      [[{ cm: {} }], 'a list'],
      [false, 'the boolean false'],
    ];
    for (const [configs, said] of cases) {
      assert.throws(
        () => argoCdValues(pin, { configs }, signIn, ingress),
        (error: unknown) =>
          error instanceof ArgoCdValuesError &&
          error.field === 'configs' &&
          error.message ===
            `configs is ${said}, not a map: kaji merges it section by section over its own argocd-cm and argocd-rbac-cm entries (the kaji-reader account, sign-in, RBAC) and the repo server's parallelism; give a map of the chart's configs sections, or leave configs out`,
      );
    }
    // Refused without sign-in too: the parallelism limit is kaji's as well.
    assert.throws(() => argoCdValues(pin, { configs: null }), ArgoCdValuesError);
  });

  test('an undefined configs is no configs: kaji\'s stays whole', () => {
    assert.deepEqual(argoCdValues(pin, { configs: undefined }, signIn).configs, argoCdValues(pin, {}, signIn).configs);
  });
});

describe('argoCdValues: a server of the overrides keeps kaji\'s Ingress', () => {
  test('server.resources (or any other server key) is added beside kaji\'s server.ingress, not instead of it', () => {
    const resources = { requests: { cpu: '100m', memory: '128Mi' } };
    const values = argoCdValues(pin, { server: { resources, replicas: 2 } }, undefined, ingress) as Values;
    assert.deepEqual(values.server, { ingress: argoCdIngressValues(ingress), resources, replicas: 2 });
  });

  test('a server.ingress of the overrides merges into kaji\'s key by key, its annotations and aws too: one more annotation keeps the certificate, scheme and inbound CIDRs', () => {
    const kaji = argoCdIngressValues(ingress);
    const kajiAnnotations = kaji.annotations as Record<string, string>;
    const values = argoCdValues(
      pin,
      { server: { ingress: { annotations: { 'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=120' }, labels: { team: 'platform' } } } },
      undefined,
      ingress,
    ) as Values;
    assert.deepEqual(values.server, {
      ingress: { ...kaji, labels: { team: 'platform' }, annotations: { ...kajiAnnotations, 'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=120' } },
    });
    assert.equal(kajiAnnotations['alb.ingress.kubernetes.io/inbound-cidrs'], '10.0.0.0/16', 'the CIDRs the merged map kept');
  });

  test('a key of the overrides\' server.ingress wins over kaji\'s, at any depth; null removes one, as Helm reads it', () => {
    const scheme = 'alb.ingress.kubernetes.io/scheme';
    const values = argoCdValues(
      pin,
      { server: { ingress: { hostname: 'cd.example.org', annotations: { [scheme]: 'internet-facing', 'alb.ingress.kubernetes.io/ssl-redirect': null }, aws: { serviceType: 'NodePort' } } } },
      undefined,
      ingress,
    ) as { server: { ingress: Record<string, unknown> & { annotations: Record<string, unknown>; aws: Record<string, unknown> } } };
    const merged = values.server.ingress;
    assert.equal(merged.hostname, 'cd.example.org');
    assert.equal(merged.controller, 'aws', 'kaji\'s other keys stay');
    assert.equal(merged.annotations[scheme], 'internet-facing');
    assert.equal(merged.annotations['alb.ingress.kubernetes.io/ssl-redirect'], null);
    assert.equal(merged.annotations['alb.ingress.kubernetes.io/certificate-arn'], ingress.certificateArn);
    assert.deepEqual(merged.aws, { serviceType: 'NodePort', backendProtocolVersion: 'GRPC' });
    // Not a map: it replaces kaji's (false, or null to remove the Ingress), as any other override does.
    assert.deepEqual((argoCdValues(pin, { server: { ingress: null } }, undefined, ingress) as Values).server, { ingress: null });
  });

  test('without argocd.ingress, a server of the overrides is given as it is', () => {
    assert.deepEqual((argoCdValues(pin, { server: { replicas: 2 } }) as Values).server, { replicas: 2 });
    assert.equal((argoCdValues(pin) as Values).server, undefined);
  });
});
