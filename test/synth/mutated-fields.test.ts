import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { toKubeObject, type JsonObject } from '../../src/kube/index.js';
import { auditObjects, parsePolicyConfig } from '../../src/policy/index.js';
import { parsePlatform, type PlatformDefinition } from '../../src/platform/index.js';
import { runSynth } from '../../src/synth/index.js';
import { mutatedFieldViolations } from '../../src/synth/mutated-fields.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { ECR, platformTree, platformYaml } from '../support/platform.js';

const POLICY = `checks:
  pullPolicyNotAlways: warning
  hostPortSet: warning
  hostNetworkSet: danger
  runAsRootAllowed: warning
mutations: [pullPolicyNotAlways, hostPortSet, hostNetworkSet, runAsRootAllowed]
`;
const OVERLAY = '/m/apps/shop/overlays/blue/kustomization.yaml';

function deployment(container: JsonObject, pod: JsonObject = {}, kind = 'Deployment'): JsonObject {
  const spec = { ...pod, containers: [{ name: 'app', image: `${ECR}/shop:1.0.0`, ...container }] };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name: 'shop', namespace: 'shop' }, spec };
  const template = { metadata: { labels: { app: 'shop' } }, spec };
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'shop', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'shop' } }, template } };
}

function violationsOf(raw: JsonObject, platform: PlatformDefinition = parsePlatform(platformYaml([{ name: 'shop' }]), 'platform.yaml')) {
  const objects = [toKubeObject(raw, { file: OVERLAY, line: 1 })];
  const results = auditObjects(objects, parsePolicyConfig(POLICY, 'polaris.yaml')).Results;
  return mutatedFieldViolations(platform, platform.services[0]!, objects, results);
}

describe('fields the webhook would mutate, in kaji synth', () => {
  test('a value the manifest sets and a mutation changes is a danger naming the field, both values and the fix', () => {
    const [found, ...more] = violationsOf(deployment({ imagePullPolicy: 'IfNotPresent' }));
    assert.deepEqual(more, []);
    assert.deepEqual([found!.rule, found!.object, found!.service], ['mutatedField', 'Deployment/shop/shop', 'shop']);
    assert.equal(
      found!.message,
      `rendered by ${OVERLAY}: the admission webhook's mutation for pullPolicyNotAlways (container app) changes spec.template.spec.containers[0].imagePullPolicy from "IfNotPresent" to "Always", which the manifest sets, ` +
        'so Argo CD would find it changed after every sync and never in sync; set spec.template.spec.containers[0].imagePullPolicy to "Always" in the manifest, as the policy wants',
    );
  });

  test('removed fields and changed values are named; what a mutation only adds is not', () => {
    const messages = violationsOf(
      deployment({ imagePullPolicy: 'Never', ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { runAsNonRoot: false } }, { hostNetwork: true }),
    ).map((found) => found.message);
    assert.equal(messages.length, 4, messages.join('\n'));
    assert.ok(messages.some((message) => message.includes('mutation for hostNetworkSet removes spec.template.spec.hostNetwork (true)') && message.includes('; remove spec.template.spec.hostNetwork from the manifest')));
    assert.ok(messages.some((message) => message.includes('mutation for hostPortSet (container app) removes spec.template.spec.containers[0].ports[0].hostPort (80)')));
    assert.ok(messages.some((message) => message.includes('changes spec.template.spec.containers[0].securityContext.runAsNonRoot from false to true')));
    assert.ok(messages.some((message) => message.includes('imagePullPolicy from "Never" to "Always"')));
    // Left out, the same fields are only added (imagePullPolicy, runAsNonRoot): Argo CD does not compare them.
    assert.deepEqual(violationsOf(deployment({})), []);
  });

  test('not judged without the webhook, nor for kinds /mutate is not sent; a Pod is (its CREATE is patched)', () => {
    const offPlatform = parsePlatform(`${platformYaml([{ name: 'shop' }])}webhook: {enabled: false}\n`, 'platform.yaml');
    assert.deepEqual(violationsOf(deployment({ imagePullPolicy: 'IfNotPresent' }), offPlatform), []);
    const podTemplate = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'shop', namespace: 'shop' }, template: { spec: { containers: [{ name: 'app', image: `${ECR}/shop:1.0.0`, imagePullPolicy: 'IfNotPresent' }] } } };
    assert.deepEqual(violationsOf(podTemplate), []);
    assert.equal(violationsOf(deployment({ imagePullPolicy: 'IfNotPresent' }, {}, 'Pod')).length, 1);
  });

  test('kaji synth counts it as a danger of the service, and setting the value the policy wants clears it (and notes a policy allowing annotation exemptions)', { skip: !hasKubectl }, async () => {
    const pinned = `${ECR}/shop`;
    const tree = platformTree([{ name: 'shop' }]);
    try {
      writeFileSync(tree.path('polaris.yaml'), 'checks:\n  pullPolicyNotAlways: warning\nmutations: [pullPolicyNotAlways]\n');
      const base = tree.path('manifests/apps/shop/base/resources.yaml');
      writeFileSync(base, readFileSync(base, 'utf8').replace(`image: ${pinned}\n`, `image: ${pinned}\n          imagePullPolicy: IfNotPresent\n`));
      const { code, stdout, stderr } = await kaji(['synth', tree.root, '--out', tree.path('out')]);
      assert.equal(code, 1, stdout);
      assert.match(
        stderr,
        /^kaji synth: note: \S*polaris\.yaml allows annotation exemptions: a tenant can annotate its own objects \(polaris\.fairwinds\.com\/exempt: "true"\) out of every check, in CI and at the webhook; add disallowAnnotationExemptions: true and list exemptions under exemptions:$/m,
      );
      assert.match(stdout, /✗ blue\/shop: Deployment\/shop\/shop: rendered by .*overlays\/blue\/kustomization\.yaml: the admission webhook's mutation for pullPolicyNotAlways \(container app\) changes spec\.template\.spec\.containers\[0\]\.imagePullPolicy from "IfNotPresent" to "Always"/);
      const summary = JSON.parse(readFileSync(tree.path('out/summary.json'), 'utf8'));
      assert.deepEqual(summary.clusters[0].services[0].boundaryViolations.map((v: { rule: string }) => v.rule), ['mutatedField']);
      writeFileSync(base, readFileSync(base, 'utf8').replace('imagePullPolicy: IfNotPresent', 'imagePullPolicy: Always'));
      writeFileSync(tree.path('polaris.yaml'), `${readFileSync(tree.path('polaris.yaml'), 'utf8')}disallowAnnotationExemptions: true\n`);
      const fixed = await runSynth({ directory: tree.root, checkOnly: true });
      assert.equal(fixed.dangers, 0);
      assert.deepEqual(fixed.notes, []);
    } finally {
      tree.cleanup();
    }
  });
});
