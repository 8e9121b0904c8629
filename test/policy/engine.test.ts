import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { auditObjects, startAudit } from '../../src/policy/engine.js';
import { exemptionsFor } from '../../src/policy/exemptions.js';
import { defaultPolicyConfig, parsePolicyConfig } from '../../src/policy/index.js';
import type { KubeObject } from '../../src/kube/index.js';
import type { CheckDefinition, PolicyConfig, Severity } from '../../src/policy/types.js';
import { objectsFrom } from '../support/inputs.js';

// GIVEN checks defined in the test (the engine treats built-in and custom checks alike)
const check = (id: string, target: string, test: CheckDefinition['test'], extra: Partial<CheckDefinition> = {}): CheckDefinition => ({
  id,
  target,
  category: 'Test',
  successMessage: `${id} ok`,
  failureMessage: `${id} failed`,
  test,
  ...extra,
});

const hasImageTag = check('hasTag', 'Container', (input) => String(input.container?.image).includes(':'), {
  mutations: [{ op: 'replace', path: '/image', value: 'fixed:1' }],
});
const notHostNetwork = check('noHostNetwork', 'PodSpec', (input) => input.podSpec?.hostNetwork !== true, {
  mutations: [{ op: 'remove', path: '/hostNetwork' }],
});
const hasReplicas = check('hasReplicas', 'Controller', (input) => typeof (input.object.raw.spec as { replicas?: number })?.replicas === 'number', {
  controllers: { include: ['Deployment'] },
});
const podsNamed = check('podNamed', 'Pod', (input) => input.object.name.startsWith('pod-'));
const deploymentKind = check('deploymentKind', 'apps/Deployment', () => false);
const initOnly = check('initOnly', 'Container', () => false, { containers: { exclude: ['container'] } });

function config(severities: Record<string, Severity>, extra: Partial<PolicyConfig> = {}): PolicyConfig {
  const all = [hasImageTag, notHostNetwork, hasReplicas, podsNamed, deploymentKind, initOnly];
  return {
    checks: severities,
    customChecks: Object.fromEntries(all.map((c) => [c.id, c])),
    exemptions: [],
    disallowExemptions: false,
    disallowConfigExemptions: false,
    disallowAnnotationExemptions: false,
    mutations: [],
    source: 'test',
    ...extra,
  };
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, annotations: {}}
spec:
  template:
    spec:
      hostNetwork: true
      initContainers: [{name: setup, image: "busybox:1"}]
      containers: [{name: app, image: "shop"}, {name: sidecar, image: "proxy:2"}]
`;

const everything = { hasTag: 'danger', noHostNetwork: 'warning', hasReplicas: 'warning', podNamed: 'danger', deploymentKind: 'warning', initOnly: 'warning' } as const;

describe('auditObjects', () => {
  test('runs each check at its target: controller, pod spec, every container (init first), kinds', () => {
    const audit = auditObjects(objectsFrom(deployment), config(everything));
    const result = audit.Results[0]!;
    assert.deepEqual(Object.keys(result.Results), ['deploymentKind', 'hasReplicas']);
    assert.equal(result.Results.hasReplicas!.Success, false);
    assert.deepEqual(Object.keys(result.PodResult!.Results), ['noHostNetwork']);
    assert.deepEqual(
      result.PodResult!.ContainerResults.map((c) => [c.Name, Object.keys(c.Results).join(','), c.Results.hasTag?.Success]),
      [
        ['setup', 'hasTag,initOnly', true],
        ['app', 'hasTag', false],
        ['sidecar', 'hasTag', true],
      ],
    );
  });

  test('takes severity from the configuration and never runs ignored checks', () => {
    const audit = auditObjects(objectsFrom(deployment), config({ hasTag: 'warning', noHostNetwork: 'ignore' }));
    const pod = audit.Results[0]!.PodResult!;
    assert.deepEqual(pod.Results, {});
    assert.equal(pod.ContainerResults[1]!.Results.hasTag!.Severity, 'warning');
    assert.equal(pod.ContainerResults[1]!.Results.hasTag!.Message, 'hasTag failed');
  });

  test('objects without a pod spec get only kind-targeted checks and no PodResult', () => {
    const yaml = `apiVersion: v1\nkind: Pod\nmetadata: {name: lonely}\nspec: {containers: [{name: c, image: "x:1"}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\n`;
    const audit = auditObjects(objectsFrom(yaml), config(everything));
    const [pod, service] = audit.Results;
    assert.equal(pod!.Results.podNamed!.Success, false);
    assert.equal(pod!.Results.hasReplicas, undefined, 'include: [Deployment] keeps it off Pods');
    assert.deepEqual(service!.Results, {});
    assert.equal(service!.PodResult, undefined);
    assert.equal(audit.ClusterInfo.Controllers, 1);
  });

  test('config exemptions match namespace, controller and container names by prefix, per rule', () => {
    const exempt = (exemption: PolicyConfig['exemptions'][number]) =>
      auditObjects(objectsFrom(deployment), config(everything, { exemptions: [exemption] })).Results[0]!;
    assert.equal(exempt({ controllerNames: ['we'], rules: ['hasReplicas'] }).Results.hasReplicas, undefined);
    assert.ok(exempt({ controllerNames: ['other'], rules: ['hasReplicas'] }).Results.hasReplicas);
    assert.ok(exempt({ namespace: 'elsewhere', rules: ['hasReplicas'] }).Results.hasReplicas);
    const byContainer = exempt({ containerNames: ['ap'], rules: ['hasTag'] });
    assert.equal(byContainer.PodResult!.ContainerResults[1]!.Results.hasTag, undefined);
    assert.ok(byContainer.PodResult!.ContainerResults[2]!.Results.hasTag);
    assert.ok(byContainer.Results.hasReplicas, 'a container exemption does not cover object-level checks');
    const allRules = exempt({ namespace: 'shop', controllerNames: ['web'] });
    assert.deepEqual(allRules.Results, {});
  });

  test('controller name prefixes are plain text, and exemptions with and without names combine', () => {
    const audit = (exemptions: PolicyConfig['exemptions']) =>
      auditObjects(objectsFrom(deployment), config(everything, { exemptions })).Results[0]!.Results;
    assert.ok(audit([{ controllerNames: ['w.b', 'web(', '.*'], rules: ['hasReplicas'] }]).hasReplicas, 'no prefix is a pattern');
    assert.equal(audit([{ controllerNames: ['x', 'we'], rules: ['hasReplicas'] }]).hasReplicas, undefined);
    const both = audit([
      { namespace: 'shop', rules: ['deploymentKind'] },
      { controllerNames: ['nope'], rules: ['hasReplicas'] },
    ]);
    assert.deepEqual(Object.keys(both), ['hasReplicas']);
  });

  test('what a configuration keeps for its exemptions does not grow with the namespaces it is asked about (the webhook keeps one configuration)', () => {
    const cfg = defaultPolicyConfig();
    const [object] = objectsFrom(deployment);
    const ask = (from: number) => {
      for (let i = from; i < from + 20_000; i++) exemptionsFor({ ...object!, namespace: `team-${i}` }, cfg)('hostNetworkSet', 'app');
    };
    ask(0);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    ask(20_000);
    collectGarbage();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 2_000_000, `grew by ${grown} bytes for 20,000 namespaces`);
    const certManager = { ...object!, name: 'cert-manager-webhook', namespace: 'team-x' };
    assert.equal(exemptionsFor(certManager, cfg)('missingNetworkPolicy', ''), true, 'a controller-name exemption still applies in every namespace');
  });

  test('annotation exemptions, in any case of "true", unless disallowed', () => {
    const annotated = (annotations: string, extra: Partial<PolicyConfig> = {}) =>
      auditObjects(objectsFrom(deployment.replace('annotations: {}', `annotations: {${annotations}}`)), config(everything, extra)).Results[0]!;
    assert.deepEqual(annotated('"polaris.fairwinds.com/exempt": "TRUE"').Results, {});
    const one = annotated('"polaris.fairwinds.com/hasReplicas-exempt": "True"');
    assert.equal(one.Results.hasReplicas, undefined);
    assert.ok(one.Results.deploymentKind);
    assert.ok(annotated('"polaris.fairwinds.com/exempt": "yes"').Results.hasReplicas);
    assert.ok(annotated('"polaris.fairwinds.com/exempt": "true"', { disallowAnnotationExemptions: true }).Results.hasReplicas);
    assert.ok(annotated('"polaris.fairwinds.com/exempt": "true"', { disallowExemptions: true }).Results.hasReplicas);
  });

  test('disallowConfigExemptions turns config exemptions off', () => {
    const audit = auditObjects(
      objectsFrom(deployment),
      config(everything, { exemptions: [{ controllerNames: ['web'] }], disallowConfigExemptions: true }),
    );
    assert.ok(audit.Results[0]!.Results.hasReplicas);
  });

  test('attaches mutations of failed checks listed in mutations, anchored at the target', () => {
    const cronjob = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          hostNetwork: true
          containers: [{name: a, image: "x:1"}, {name: b, image: "y"}]
`;
    const audit = auditObjects(objectsFrom(cronjob), config(everything, { mutations: ['hasTag', 'noHostNetwork'] }));
    const pod = audit.Results[0]!.PodResult!;
    assert.deepEqual(pod.Results.noHostNetwork!.Mutations, [{ op: 'remove', path: '/spec/jobTemplate/spec/template/spec/hostNetwork' }]);
    assert.equal(pod.ContainerResults[0]!.Results.hasTag!.Mutations, undefined, 'passed checks carry no mutations');
    assert.deepEqual(pod.ContainerResults[1]!.Results.hasTag!.Mutations, [
      { op: 'replace', path: '/spec/jobTemplate/spec/template/spec/containers/1/image', value: 'fixed:1' },
    ]);
    const withoutList = auditObjects(objectsFrom(cronjob), config(everything));
    assert.equal(withoutList.Results[0]!.PodResult!.Results.noHostNetwork!.Mutations, undefined);
  });

  test('objects with the same outcomes share one frozen result set; past the sharing bound results are still right', () => {
    const two = auditObjects(objectsFrom(`${deployment}---\n${deployment.replace('name: web', 'name: api')}`), config(everything));
    assert.equal(two.Results[0]!.PodResult!.ContainerResults[1]!.Results, two.Results[1]!.PodResult!.ContainerResults[1]!.Results);
    assert.ok(Object.isFrozen(two.Results[0]!.Results));
    // 5,000 containers without a tag: each failure carries a mutation at its own index, beyond the 4,096 shared ones.
    const containers = Array.from({ length: 5000 }, (_, index) => `{name: c${index}, image: "shop"}`).join(', ');
    const big = `apiVersion: v1\nkind: Pod\nmetadata: {name: pod-big}\nspec:\n  containers: [${containers}]\n`;
    const audit = auditObjects(objectsFrom(big), config(everything, { mutations: ['hasTag'] }));
    const results = audit.Results[0]!.PodResult!.ContainerResults;
    assert.equal(results.length, 5000);
    results.forEach((container, index) => {
      assert.equal(container.Name, `c${index}`);
      assert.deepEqual(container.Results.hasTag!.Mutations, [{ op: 'replace', path: `/spec/containers/${index}/image`, value: 'fixed:1' }]);
    });
  });

  test('result sets whose outcomes hash alike are still told apart', () => {
    // Interned sets are found by a hash of their verdicts' numbers (h = 31h + n,
    // numbered 1, 2, ... as first met). Checks a and b on ConfigMaps get a pass 1,
    // b pass 2, a fail 3; 60 checks on a Secret take 4..63, so b's fail is 64:
    // a fail + b pass and a pass + b fail both hash to 31 * 3 + 2 = 31 * 1 + 64.
    const byName = (index: number) => (input: { object: KubeObject }) => input.object.name.split('-')[index] === 'pass';
    const checks = [check('a', '/ConfigMap', byName(0)), check('b', '/ConfigMap', byName(1))];
    for (let index = 0; index < 60; index++) checks.push(check(`filler${String(index).padStart(2, '0')}`, '/Secret', () => true));
    const cfg: PolicyConfig = {
      ...config({}),
      checks: Object.fromEntries(checks.map((c) => [c.id, 'warning' as const])),
      customChecks: Object.fromEntries(checks.map((c) => [c.id, c])),
    };
    const objects = ['ConfigMap pass-pass', 'ConfigMap fail-pass', 'Secret filler', 'ConfigMap pass-fail'].map((kindAndName) => {
      const [kind, name] = kindAndName.split(' ');
      return `apiVersion: v1\nkind: ${kind}\nmetadata: {name: ${name}}\n`;
    });
    const results = auditObjects(objectsFrom(objects.join('---\n')), cfg).Results;
    const outcomes = results.map((result) => [result.Name, result.Results.a?.Success, result.Results.b?.Success]);
    assert.deepEqual(outcomes, [
      ['pass-pass', true, true],
      ['fail-pass', false, true],
      ['filler', undefined, undefined],
      ['pass-fail', true, false],
    ]);
  });

  test('init container mutations point into initContainers', () => {
    const audit = auditObjects(objectsFrom(deployment.replace('"busybox:1"', '"busybox"')), config(everything, { mutations: ['hasTag'] }));
    assert.equal(audit.Results[0]!.PodResult!.ContainerResults[0]!.Results.hasTag!.Mutations![0]!.path, '/spec/template/spec/initContainers/0/image');
  });

  test("scores as Polaris: passes weigh 2, warnings 1, dangers 2, truncated", () => {
    const audit = auditObjects(objectsFrom(deployment), config(everything));
    // passes: hasTag x2 = 2; warnings: deploymentKind, hasReplicas, noHostNetwork, initOnly = 4; dangers: hasTag(app) = 1
    assert.equal(audit.Score, Math.trunc((4 / (4 + 4 + 2)) * 100));
    assert.equal(audit.Score, 40);
  });

  test('with nothing checked the score is 100, as the README says (Polaris would divide by zero)', () => {
    const audit = auditObjects(objectsFrom('apiVersion: v1\nkind: Service\nmetadata: {name: svc}\n'), config(everything));
    assert.deepEqual(audit.Results[0]!.Results, {});
    assert.equal(audit.Score, 100);
  });

  test('a check that throws is a failure with the reason in Details, not a crash', () => {
    const broken = check('broken', 'PodSpec', () => {
      throw new Error('boom');
    });
    const cfg = config({ broken: 'danger' });
    const audit = auditObjects(objectsFrom(deployment), { ...cfg, customChecks: { broken } });
    const message = audit.Results[0]!.PodResult!.Results.broken!;
    assert.equal(message.Success, false);
    assert.deepEqual(message.Details, ['check failed to run: boom']);
  });
});

// A check that looks at other objects of the input: passes when a ConfigMap
// named after the pod's app label exists in its namespace.
const configMapForApp = check(
  'configMapForApp',
  'Controller',
  ({ object }) => {
    const app = String((object.raw.spec as { template?: { metadata?: { labels?: { app?: string } } } }).template?.metadata?.labels?.app);
    const namespace = object.namespace;
    return (related) => related.inNamespace('ConfigMap', namespace).some((map) => map.name === app);
  },
  { relatedKinds: ['ConfigMap'] },
);

const app = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec: {template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c, image: "i:1"}]}}}
`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: shop}\n`;

/** Collects garbage now (the test process is not started with --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('startAudit (objects added one at a time)', () => {
  const relatedConfig = () => ({ ...config({}), checks: { configMapForApp: 'warning' as const }, customChecks: { configMapForApp } });

  test('decides related verdicts against every object added, whatever the order', () => {
    const audit = startAudit(relatedConfig());
    for (const object of objectsFrom([app('web'), app('api'), configMap('web')].join('---\n'))) audit.add(object);
    const data = audit.finish();
    assert.deepEqual(
      data.Results.map((result) => [result.Name, result.Results.configMapForApp?.Success]),
      [
        ['web', true],
        ['api', false],
        ['web', undefined],
      ],
    );
  });

  test('gives the same audit as auditObjects', () => {
    const objects = objectsFrom([deployment, app('web'), configMap('web')].join('---\n'));
    const cfg = { ...config(everything), checks: { ...everything, configMapForApp: 'danger' as const }, customChecks: { ...config(everything).customChecks, configMapForApp } };
    const now = new Date('2026-01-02T03:04:05Z');
    const streamed = startAudit(cfg, { now, sourceName: 'x' });
    for (const object of objects) streamed.add(object);
    assert.deepEqual(streamed.finish(), auditObjects(objects, cfg, { now, sourceName: 'x' }));
  });

  test('keeps only objects of the kinds that related checks name', async () => {
    const audit = startAudit(relatedConfig());
    const refs: WeakRef<KubeObject>[] = [];
    // Added from a function, so that no local of this test holds the objects.
    const addAll = () => {
      for (const object of objectsFrom([app('web'), configMap('web')].join('---\n'))) {
        refs.push(new WeakRef(object));
        audit.add(object);
      }
    };
    addAll();
    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    assert.equal(refs[0]!.deref(), undefined, 'the Deployment is let go once checked');
    assert.equal(refs[1]!.deref()?.name, 'web', 'the ConfigMap is kept for the related verdict');
    assert.equal(audit.finish().Results[0]!.Results.configMapForApp!.Success, true);
  });

  test("the built-in checks' related verdicts let workloads go too, with the same results as auditObjects", async () => {
    const objects = () =>
      objectsFrom(
        [
          app('web').replace('spec: {template', 'spec: {replicas: 2, template'),
          'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec: {minAvailable: 3, selector: {matchLabels: {app: web}}}\n',
          'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec: {minReplicas: 2, maxReplicas: 4, scaleTargetRef: {kind: Deployment, name: web}}\n',
          'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n',
          'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]\n',
        ].join('---\n'),
      );
    const now = new Date('2026-01-02T03:04:05Z');
    const audit = startAudit(defaultPolicyConfig(), { now });
    let deploymentRef: WeakRef<KubeObject> | undefined;
    const addAll = () => {
      for (const object of objects()) {
        if (object.kind === 'Deployment') deploymentRef = new WeakRef(object);
        audit.add(object);
      }
    };
    addAll();
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    assert.equal(deploymentRef!.deref(), undefined);
    const streamed = audit.finish();
    assert.deepEqual(streamed, auditObjects(objects(), defaultPolicyConfig(), { now }));
    // The related verdicts were decided: the PDB asks for more pods than the HPA's minimum; the binding's Role allows exec.
    assert.equal(streamed.Results[0]!.Results.pdbMinAvailableGreaterThanHPAMinReplicas!.Success, false);
    assert.equal(streamed.Results[0]!.Results.missingPodDisruptionBudget!.Success, true);
    assert.equal(streamed.Results[3]!.Results.rolebindingRolePodExecAttach!.Success, false);
  });

  test("a custom check's additional schemas let the workload go too, rendered from it when it is checked", async () => {
    // The additional schema is templated from the Deployment, and the Namespace's check looks in the namespace it names.
    const cfg = parsePolicyConfig(
      `checks: {configFor: warning, nsHasConfig: danger}
customChecks:
  configFor:
    target: Controller
    schema: {}
    additionalSchemaStrings:
      ConfigMap: |
        properties:
          metadata:
            properties: {name: {const: "{{ .metadata.name }}-config"}}
  nsHasConfig:
    target: Namespace
    schema: {}
    additionalSchemas:
      ConfigMap: {}
`,
      'polaris.yaml',
    );
    const audit = startAudit(cfg);
    let deploymentRef: WeakRef<KubeObject> | undefined;
    const addAll = () => {
      const objects = objectsFrom(
        [app('web'), app('api'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n', configMap('web-config')].join('---\n'),
      );
      for (const object of objects) {
        if (object.name === 'web') deploymentRef = new WeakRef(object);
        audit.add(object);
      }
    };
    addAll();
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    assert.equal(deploymentRef!.deref(), undefined, 'the Deployment is let go once checked');
    const results = audit.finish().Results;
    assert.deepEqual(
      results.map((result) => [result.Name, result.Kind, result.Results.configFor?.Success ?? result.Results.nsHasConfig?.Success]),
      [
        ['web', 'Deployment', true],
        ['api', 'Deployment', false],
        ['shop', 'Namespace', true],
        ['web-config', 'ConfigMap', undefined],
      ],
    );
  });

  test('a related verdict that throws, or asks for a kind its check does not name, fails with the reason', () => {
    const throwing = check('throwing', 'Controller', () => () => {
      throw new Error('bad index');
    });
    const undeclared = check('undeclared', 'Controller', () => (related) => related.ofKind('Secret').length > 0);
    const cfg = { ...config({}), checks: { throwing: 'danger' as const, undeclared: 'warning' as const }, customChecks: { throwing, undeclared } };
    const audit = startAudit(cfg);
    for (const object of objectsFrom(app('web'))) audit.add(object);
    const results = audit.finish().Results[0]!.Results;
    assert.deepEqual(results.throwing!.Details, ['check failed to run: bad index']);
    assert.equal(results.undeclared!.Success, false);
    assert.match(results.undeclared!.Details![0]!, /kind Secret were not kept.*relatedKinds/);
  });
});
