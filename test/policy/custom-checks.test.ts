import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { compileCustomCheck, type CustomCheckDefinition } from '../../src/policy/custom/index.js';
import { ConfigError } from '../../src/policy/errors.js';
import { inputsFor, passes, verdictOf } from '../support/inputs.js';

/** Compiles a check written as YAML, as it would appear under customChecks.<id>. */
function check(yamlText: string, id = 'myCheck'): CustomCheckDefinition {
  return compileCustomCheck(id, load(yamlText), `customChecks.${id}`);
}

/** Outcomes for every input of the first object (one per container for Container checks). */
function outcomes(definition: CustomCheckDefinition, yamlText: string) {
  return inputsFor(definition, yamlText).map((input) => definition.evaluate(input, input.related));
}

function deployment(options: { name?: string; namespace?: string; labels?: string; containers?: string; extra?: string } = {}): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${options.name ?? 'web'}
  namespace: ${options.namespace ?? 'shop'}
  labels: ${options.labels ?? '{app: web}'}
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web-sa
      initContainers:
      - name: init
        image: busybox
      containers: ${options.containers ?? `
      - name: app
        image: shop/web:1.0
        resources: {limits: {cpu: 500m, memory: 256Mi}}`}
${options.extra ?? ''}`;
}

describe('custom checks: definition fields', () => {
  test('GIVEN a full entry WHEN compiled THEN messages, category, target and filters are kept', () => {
    const definition = check(`
successMessage: ok
failureMessage: bad
category: Security
target: Container
controllers: {include: [Deployment], exclude: [Job]}
containers: {exclude: [initContainer]}
schema: {type: object}
mutations:
- {op: add, path: /securityContext/runAsNonRoot, value: true, comment: set by policy}
`);
    assert.equal(definition.id, 'myCheck');
    assert.equal(definition.successMessage, 'ok');
    assert.equal(definition.failureMessage, 'bad');
    assert.equal(definition.category, 'Security');
    assert.equal(definition.target, 'Container');
    assert.deepEqual(definition.controllers, { include: ['Deployment'], exclude: ['Job'] });
    assert.deepEqual(definition.containers, { exclude: ['initContainer'] });
    assert.deepEqual(definition.mutations, [{ op: 'add', path: '/securityContext/runAsNonRoot', value: true, comment: 'set by policy' }]);
  });

  test('GIVEN no category WHEN compiled THEN the category is empty, as in Polaris', () => {
    assert.equal(check('target: Controller\nschema: {}').category, '');
  });
});

describe('custom checks: what each target validates', () => {
  test('Controller validates the whole object', () => {
    const definition = check('target: Controller\nschema: {required: [kind], properties: {spec: {required: [replicas]}}}');
    assert.ok(passes(definition, deployment()));
  });

  test('a kind target (apps/Deployment, Pod) validates the whole object', () => {
    const definition = check('target: apps/Deployment\nschema: {properties: {metadata: {properties: {namespace: {const: shop}}}}}');
    assert.equal(definition.target, 'apps/Deployment');
    assert.ok(passes(definition, deployment()));
    assert.ok(!passes(definition, deployment({ namespace: 'other' })));
  });

  test('PodSpec validates the pod spec', () => {
    const definition = check('target: PodSpec\nschema: {required: [serviceAccountName], properties: {serviceAccountName: {pattern: "-sa$"}}}');
    assert.ok(passes(definition, deployment()));
    const [outcome] = outcomes(definition, deployment().replace('web-sa', 'web-account'));
    assert.equal(outcome?.passed, false);
    assert.match(outcome?.details.join() ?? '', /serviceAccountName/);
  });

  test('PodTemplate validates the pod template (metadata + spec)', () => {
    const definition = check('target: PodTemplate\nschema: {required: [metadata, spec], properties: {metadata: {required: [labels]}}}');
    assert.ok(passes(definition, deployment()));
  });

  test('Container validates each container, init containers included', () => {
    const definition = check('target: Container\nschema: {required: [resources]}');
    assert.deepEqual(
      outcomes(definition, deployment()).map((o) => o.passed),
      [false, true],
    );
  });

  test('schemaTarget PodSpec validates a pod spec holding only the current container', () => {
    const definition = check(`
target: Container
schemaTarget: PodSpec
schema:
  type: object
  required: [serviceAccountName]
  not: {required: [initContainers]}
  properties:
    containers: {type: array, minItems: 1, maxItems: 1, items: {required: [name]}}
`);
    assert.equal(definition.schemaTarget, 'PodSpec');
    assert.deepEqual(
      outcomes(definition, deployment({ containers: '[{name: a, image: x}, {name: b, image: z}]' })).map((o) => o.passed),
      [true, true, true],
    );
  });
});

describe('custom checks: templates', () => {
  test('{{ .metadata.name }} in a schema object is rendered per object', () => {
    const definition = check(`
target: Controller
schema:
  properties:
    metadata:
      properties:
        labels:
          required: [app]
          properties:
            app: {const: "{{ .metadata.name }}"}
`);
    assert.ok(passes(definition, deployment({ name: 'web', labels: '{app: web}' })));
    assert.ok(!passes(definition, deployment({ name: 'api', labels: '{app: web}' })));
  });

  test('schemaString with range over labels (the Polaris documentation example)', () => {
    const definition = check(`
target: Controller
schemaString: |
  type: object
  properties:
    spec:
      properties:
        template:
          properties:
            metadata:
              properties:
                labels:
                  anyOf:
                  {{ range $key, $value := .metadata.labels }}
                  - required: ["{{ $key }}"]
                    properties: {"{{ $key }}": {const: "{{ $value }}"}}
                  {{ end }}
`);
    assert.ok(passes(definition, deployment({ labels: '{app: web, team: a}' })));
    assert.ok(!passes(definition, deployment({ labels: '{app: other}' })));
  });

  test('.Polaris.PodSpec and .Polaris.PodTemplate are there for PodSpec checks', () => {
    const definition = check(`
target: PodSpec
schemaString: |
  properties:
    serviceAccountName: {const: "{{ .Polaris.PodSpec.serviceAccountName }}"}
    containers: {minItems: {{ len .Polaris.PodSpec.containers }}}
  required: ["{{ if .Polaris.PodTemplate.metadata.labels.app }}serviceAccountName{{ else }}missing{{ end }}"]
`);
    assert.ok(passes(definition, deployment()));
  });

  test('.Polaris.Container is the container under check, and the pod is there too', () => {
    const definition = check(`
target: Container
containers: {exclude: [initContainer]}
schemaString: |
  properties:
    image: {pattern: "^{{ .metadata.namespace }}/{{ .Polaris.Container.name | printf "%.1s" }}"}
`);
    const results = outcomes(definition, deployment({ containers: '[{name: web, image: shop/web:1}, {name: api, image: shop/web:1}]' }));
    assert.deepEqual(
      results.map((o) => o.passed),
      [false, true, false],
      'init (busybox) fails, web matches shop/w, api does not match shop/a',
    );
  });

  test('Controller checks get no Polaris key', () => {
    const definition = check('target: Controller\nschemaString: \'{"const": "{{ .Polaris }}"}\'');
    const [outcome] = outcomes(definition, deployment());
    assert.equal(outcome?.passed, false);
    assert.match(outcome?.details.join() ?? '', /constant/);
  });

  test('an error while rendering fails the check with the reason instead of throwing', () => {
    const definition = check('target: Controller\nschemaString: "{{ .metadata.name.first }}"');
    const [outcome] = outcomes(definition, deployment());
    assert.equal(outcome?.passed, false);
    assert.match(outcome?.details[0] ?? '', /customChecks\.myCheck\.schemaString: line 1: can't evaluate field first/);
    assert.equal(verdictOf(definition, inputsFor(definition, deployment())[0]!), false);
  });

  test('a schema that renders to invalid YAML, or to nothing, fails the check', () => {
    const broken = check('target: Controller\nschemaString: "type: [{{ .metadata.name }}"');
    assert.match(outcomes(broken, deployment())[0]?.details[0] ?? '', /not valid YAML/);
    const empty = check('target: Controller\nschemaString: "{{ if false }}type: object{{ end }}"');
    assert.match(outcomes(empty, deployment())[0]?.details[0] ?? '', /rendered schema is empty/);
  });
});

describe('custom checks: resourceMinimum and resourceMaximum', () => {
  const range = check(`
target: Container
containers: {exclude: [initContainer]}
schema:
  properties:
    resources:
      properties:
        limits:
          required: [cpu, memory]
          properties:
            cpu: {resourceMinimum: 100m, resourceMaximum: "2"}
            memory: {resourceMinimum: 100Mi, resourceMaximum: 6G}
`);
  const withLimits = (cpu: string, memory: string) =>
    deployment({ containers: `[{name: app, image: x, resources: {limits: {cpu: ${cpu}, memory: ${memory}}}}]` });
  const appPasses = (text: string) => outcomes(range, text)[1];

  test('quantities given as strings', () => {
    assert.equal(appPasses(withLimits('"500m"', '"256Mi"'))?.passed, true);
    assert.equal(appPasses(withLimits('"100m"', '"100Mi"'))?.passed, true, 'the limits themselves pass');
    assert.equal(appPasses(withLimits('"2"', '"6G"'))?.passed, true);
    assert.match(appPasses(withLimits('"50m"', '"256Mi"'))?.details.join() ?? '', /50m is below the minimum 100m/);
    assert.match(appPasses(withLimits('"2001m"', '"256Mi"'))?.details.join() ?? '', /above the maximum 2/);
    assert.equal(appPasses(withLimits('"500m"', '"7Gi"'))?.passed, false);
  });

  test('quantities given as numbers are read as Go %f would print them', () => {
    assert.equal(appPasses(withLimits('1.5', '104857600'))?.passed, true);
    assert.equal(appPasses(withLimits('0.05', '104857600'))?.passed, false);
    assert.equal(appPasses(withLimits('1', '104857599'))?.passed, false);
  });

  test('a value that is not a quantity fails', () => {
    // Where the API server validates quantities such a value is an input problem (test/kube/quantities.test.ts); a custom resource's reaches the check.
    const storage = check('target: storage.example.com/Bucket\nschema: {properties: {spec: {properties: {size: {resourceMinimum: 1Gi}}}}}');
    const bucket = (value: string) => `apiVersion: storage.example.com/v1\nkind: Bucket\nmetadata: {name: data, namespace: shop}\nspec: {size: ${value}}\n`;
    assert.equal(outcomes(storage, bucket('"2Gi"'))[0]?.passed, true);
    assert.match(outcomes(storage, bucket('"lots"'))[0]?.details.join() ?? '', /could not parse resource quantity: lots/);
    assert.match(outcomes(storage, bucket('[1]'))[0]?.details.join() ?? '', /is not a string/);
  });
});

describe('custom checks: keys named like Object members (toString, valueOf, constructor, __proto__) are data', () => {
  const container = (fields: string) => deployment({ containers: `[{name: app, image: x, ${fields}}]` });
  const appOutcome = (definition: CustomCheckDefinition, text: string) => outcomes(definition, text)[1];

  // (Ajv skips a __proto__ under properties by design: such a schema is refused, see proto-schema-keys.test.ts.)
  test('required and properties see the object\'s own keys only', () => {
    const required = check('target: Container\nschema: {required: [constructor]}');
    assert.equal(appOutcome(required, container('env: []'))?.passed, false, 'no constructor key: required fails');
    assert.equal(appOutcome(required, container('constructor: x'))?.passed, true);
    const typed = check('target: Container\nschema: {properties: {toString: {type: string}, constructor: {type: string}}}');
    assert.equal(appOutcome(typed, container('env: []'))?.passed, true, 'neither key present: nothing to check');
    assert.deepEqual(appOutcome(typed, container('toString: 1'))?.details, ['/toString: must be string']);
  });

  test('a __proto__ key in a schema is an unknown keyword, not the prototype of the copy kaji compiles', () => {
    const proto = check('target: Container\nschema: {__proto__: {type: string}}');
    assert.deepEqual(appOutcome(proto, container('env: []')), { passed: true, details: [] });
  });

  test('uniqueItems, const and enum compare such mappings as data, without failing to run', () => {
    const unique = check('target: Container\nschema: {properties: {env: {uniqueItems: true}}}');
    const env = (items: string) => appOutcome(unique, container(`env: [${items}]`));
    assert.deepEqual(env('{name: A, valueOf: 1}, {name: B, valueOf: 1}'), { passed: true, details: [] });
    assert.deepEqual(env('{name: A, toString: x}, {name: B, toString: x}'), { passed: true, details: [] });
    assert.deepEqual(env('{name: A, constructor: {a: 1}}, {name: A, constructor: {a: 1}}'), {
      passed: false,
      details: ['/env: must NOT have duplicate items (items ## 0 and 1 are identical)'],
    });
    const uniqueArgs = check('target: Container\nschema: {properties: {args: {uniqueItems: true}}}');
    assert.equal(appOutcome(uniqueArgs, container('args: [__proto__, a, __proto__]'))?.passed, false, 'a repeated "__proto__" string is found');
    const constant = check('target: Container\nschema: {properties: {env: {items: {not: {const: {name: A}}}}}}');
    assert.deepEqual(appOutcome(constant, container('env: [{name: A, valueOf: 1}]')), { passed: true, details: [] });
    assert.equal(appOutcome(constant, container('env: [{name: A}]'))?.passed, false);
    const allowed = check('target: Container\nschema: {properties: {env: {items: {enum: [{name: A, toString: x}, 1]}}}}');
    assert.deepEqual(appOutcome(allowed, container('env: [{toString: x, name: A}]')), { passed: true, details: [] });
    assert.deepEqual(appOutcome(allowed, container('env: [{name: A, toString: y}]'))?.details, ['/env/0: must be equal to one of the allowed values']);
  });
});

describe('custom checks: Go regex patterns', () => {
  // JavaScript's RegExp refuses (?i) here: passing shows that Ajv compiles the schemas' patterns with goRegExp
  test('(?i) in the middle of a pattern', () => {
    const definition = check('target: Container\nschema: {properties: {image: {not: {pattern: "^(docker\\\\.io/)?(?i)library/"}}}}');
    const images = (image: string) => deployment({ containers: `[{name: app, image: "${image}"}]` });
    assert.equal(outcomes(definition, images('LIBRARY/nginx'))[1]?.passed, false);
    assert.equal(outcomes(definition, images('docker.io/Library/nginx'))[1]?.passed, false);
    assert.equal(outcomes(definition, images('DOCKER.IO/library/nginx'))[1]?.passed, true, 'the prefix stays case-sensitive');
  });
});

describe('custom checks: additional schemas', () => {
  const pdbCheck = () =>
    check(`
target: Controller
schema: {}
additionalSchemaStrings:
  policy/PodDisruptionBudget: |
    properties:
      spec:
        properties:
          selector:
            properties:
              matchLabels:
                required: [app]
                properties: {app: {const: "{{ .metadata.labels.app }}"}}
`);
  const pdb = (namespace: string, app: string, apiVersion = 'policy/v1') => `
---
apiVersion: ${apiVersion}
kind: PodDisruptionBudget
metadata: {name: pdb-${app}, namespace: ${namespace}}
spec: {selector: {matchLabels: {app: ${app}}}}`;

  test('passes when an object of the kind in the same namespace validates', () => {
    assert.ok(passes(pdbCheck(), deployment() + pdb('shop', 'other') + pdb('shop', 'web')));
  });

  test('fails when the only matching object is in another namespace, saying what is missing', () => {
    const [outcome] = outcomes(pdbCheck(), deployment() + pdb('elsewhere', 'web'));
    assert.equal(outcome?.passed, false);
    assert.deepEqual(outcome?.details, ['no policy/PodDisruptionBudget in namespace shop']);
    const [mismatch] = outcomes(pdbCheck(), deployment() + pdb('shop', 'api'));
    assert.match(mismatch?.details[0] ?? '', /no policy\/PodDisruptionBudget in namespace shop matches/);
  });

  test('the group must match: policy/PodDisruptionBudget does not match another group', () => {
    assert.ok(!passes(pdbCheck(), deployment() + pdb('shop', 'web', 'example.com/v1')));
  });

  test('for a Namespace, objects in the namespace it names count', () => {
    const definition = check(`
target: Namespace
schema: {}
additionalSchemas:
  monitoring.coreos.com/AlertmanagerConfig: {}
`);
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
    const config = (ns: string) => `---\napiVersion: monitoring.coreos.com/v1alpha1\nkind: AlertmanagerConfig\nmetadata: {name: am, namespace: ${ns}}\n`;
    assert.ok(passes(definition, namespace + config('shop')));
    assert.ok(!passes(definition, namespace + config('other')));
  });

  test('an additional schema that renders to nothing is dropped, as Polaris does', () => {
    const definition = check(`
target: Controller
schema: {}
additionalSchemaStrings:
  Service: "{{ if eq .metadata.name \\"needs-service\\" }}type: object{{ end }}"
`);
    assert.ok(passes(definition, deployment({ name: 'web' })));
    assert.ok(!passes(definition, deployment({ name: 'needs-service' })));
  });
});

describe('custom checks: configuration errors', () => {
  const cases: [string, string, RegExp][] = [
    ['target: Controller', 'customChecks.myCheck.schema', /missing schema/],
    ['schema: {}', 'customChecks.myCheck.target', /missing target/],
    ['target: container\nschema: {}', 'customChecks.myCheck.target', /did you mean "Container"/],
    ['target: "not a kind"\nschema: {}', 'customChecks.myCheck.target', /unknown target/],
    ['target: Container\nschemaTarget: Container\nschema: {}', 'customChecks.myCheck.schemaTarget', /only combination/],
    ['target: PodSpec\nschemaTarget: PodSpec\nschema: {}', 'customChecks.myCheck.schemaTarget', /only combination/],
    ['target: Controller\nschema: {type: strnig}', 'customChecks.myCheck.schema', /invalid schema/],
    ['target: Controller\nschema: {pattern: "(?=x)"}', 'customChecks.myCheck.schema', /invalid pattern: error parsing regexp: invalid or unsupported Perl syntax: `\(\?=` in `\(\?=x\)`/],
    ['target: Controller\nschema: {resourceMinimum: lots}', 'customChecks.myCheck.schema', /not a Kubernetes quantity/],
    ['target: Controller\nschema: {resourceMinimum: 2}', 'customChecks.myCheck.schema', /invalid schema/],
    ['target: Controller\nschemaString: "{{ if .a }}"', 'customChecks.myCheck.schemaString', /Go template does not parse: line 1/],
    ['target: Controller\nschemaString: "a: b\\n{{ toYaml . }}"', 'customChecks.myCheck.schemaString', /line 2: function "toYaml" not defined/],
    ['target: Controller\nschemaString: "type: [object"', 'customChecks.myCheck.schemaString', /not valid YAML/],
    ['target: Controller\nschemaString: "{\\"type\\": }"', 'customChecks.myCheck.schemaString', /not valid JSON/],
    ['target: Controller\nschema: {}\nschemaString: "{}"', 'customChecks.myCheck.schemaString', /either schema or schemaString/],
    ['target: Controller\nschema: []', 'customChecks.myCheck.schema', /JSON Schema mapping/],
    ['target: Controller\nschema: {}\nadditionalSchemas: {policy/PodDisruptionBudget: {type: nope}}', 'customChecks.myCheck.additionalSchemas.policy/PodDisruptionBudget', /invalid schema/],
    ['target: Controller\nschema: {}\nadditionalSchemaStrings: {pdb: "{}"}', 'customChecks.myCheck.additionalSchemaStrings.pdb', /not a kind/],
    ['target: Controller\nschema: {}\nmutations: [{op: upsert, path: /a}]', 'customChecks.myCheck.mutations[0].op', /op must be one of/],
    ['target: Controller\nschema: {}\nmutations: [{op: add, path: a, value: 1}]', 'customChecks.myCheck.mutations[0].path', /JSON Pointer/],
    ['target: Controller\nschema: {}\ncontrollers: {include: Deployment}', 'customChecks.myCheck.controllers.include', /list of strings/],
    ['target: Controller\nschema: {}\nsucessMessage: hi', 'customChecks.myCheck.sucessMessage', /unknown key/],
    // A keyword Ajv does not know would check nothing (Polaris's validator ignores it): refused, with the likely one.
    ['target: Container\nschema: {properties: {image: {patern: "^ecr"}}}', 'customChecks.myCheck.schema', /^unknown schema keyword "patern" \(did you mean "pattern"\?\): a misspelt keyword would check nothing/],
    ['target: Controller\nschema: {requried: [spec]}', 'customChecks.myCheck.schema', /unknown schema keyword "requried" \(did you mean "required"\?\)/],
    ['target: Container\nschema: {}\ncontainers: {exclude: [container, initcontainer]}', 'customChecks.myCheck.containers.exclude[1]', /^"initcontainer" is not a container type \(did you mean "initContainer"\?\): use container or initContainer$/],
    ['- a list', 'customChecks.myCheck', /must be a mapping/],
  ];
  for (const [yamlText, path, reason] of cases) {
    test(`${JSON.stringify(yamlText)} → ${path}`, () => {
      assert.throws(
        () => check(yamlText),
        (error: unknown) => error instanceof ConfigError && error.path === path && reason.test(error.message),
      );
    });
  }

  test('a templated schema is checked per object, not at load time', () => {
    const definition = check('target: Controller\nschemaString: "type: {{ .metadata.name }}"');
    const [outcome] = outcomes(definition, deployment());
    assert.equal(outcome?.passed, false);
    assert.match(outcome?.details[0] ?? '', /invalid schema/);
  });

  test("schemas Polaris takes stay valid: keywords Ajv's strict mode would only ignore, $anchor and x- extensions", () => {
    const schema = [
      'target: Container',
      'schema:',
      '  $anchor: container',
      '  x-owner: platform-team',
      '  properties:',
      '    args: {type: array, items: {type: string}, additionalItems: false, maxContains: 3}',
      '    image: {then: {pattern: "^ecr"}}',
    ].join('\n');
    const [outcome] = outcomes(check(schema), deployment());
    assert.equal(outcome?.passed, true);
  });

  test('a templated schema with an unknown keyword fails the object, naming the keyword, rather than passing it', () => {
    const definition = check('target: Controller\nschemaString: "{{ if .metadata.name }}minProperties: 1\\nrequried: [nope]{{ end }}"');
    const [outcome] = outcomes(definition, deployment());
    assert.equal(outcome?.passed, false);
    assert.match(outcome?.details[0] ?? '', /unknown schema keyword "requried" \(did you mean "required"\?\)/);
  });
});
