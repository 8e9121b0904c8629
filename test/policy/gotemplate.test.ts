import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatValue,
  goSprintf,
  GoTemplateError,
  GoTemplateExecError,
  parseGoTemplate,
  renderGoTemplate,
} from '../../src/policy/custom/gotemplate.js';

const data = {
  metadata: { name: 'web', namespace: 'shop', labels: { tier: 'front', app: 'web' }, annotations: null },
  spec: { replicas: 3, ratio: 0.25, paused: false, ports: [80, 443], empty: [] },
};

const render = (text: string, value: unknown = data) => renderGoTemplate(text, value);

describe('Go templates: fields and printing', () => {
  const cases: [string, string, unknown?][] = [
    ['{{ .metadata.name }}', 'web'],
    ['{{.metadata.name}}-{{.metadata.namespace}}', 'web-shop'],
    ['{{ .missing }}', '<no value>'],
    ['{{ .metadata.missing.deeper }}', '<no value>'],
    ['{{ .metadata.annotations }}', '<nil>'],
    ['{{ .spec.replicas }} {{ .spec.ratio }} {{ .spec.paused }}', '3 0.25 false'],
    ['{{ .spec.ports }}', '[80 443]'],
    ['{{ .metadata.labels }}', 'map[app:web tier:front]'],
    ['{{ . }}', 'map[a:[1 x <nil>] b:map[]]', { b: {}, a: [1, 'x', null] }],
    ['{{ $ }}', 'x', 'x'],
    ['{{ 1.5 }} {{ 0.00001 }} {{ 1234567.5 }} {{ -7 }} {{ 0x1F }} {{ \'a\' }} {{ true }} {{ "q\\n" }} {{ `raw` }}', '1.5 1e-05 1.2345675e+06 -7 31 97 true q\n raw'],
  ];
  for (const [text, expected, value] of cases) {
    test(text, () => assert.equal(render(text, value ?? data), expected));
  }
});

describe('Go templates: variables, pipelines and control flow', () => {
  test('variables, assignment and $ inside with', () => {
    assert.equal(render('{{ $n := .metadata.name }}{{ $n = printf "%s!" $n }}{{ $n }}'), 'web!');
    assert.equal(render('{{ with .metadata.labels }}{{ .tier }}/{{ $.metadata.name }}{{ end }}'), 'front/web');
    assert.equal(render('{{ with .nothing }}x{{ else }}none{{ end }}'), 'none');
    assert.equal(render('{{ with .nothing }}a{{ else with .metadata.name }}{{ . }}{{ end }}'), 'web');
  });

  test('pipelines pass the value as the last argument', () => {
    assert.equal(render('{{ .metadata.name | printf "%s-%s" "x" }}'), 'x-web');
    assert.equal(render('{{ .spec.ports | len }}'), '2');
    assert.equal(render('{{ (index .spec.ports 1) }} {{ (index . "metadata").name }}'), '443 web');
  });

  test('if / else if / else with Go truthiness', () => {
    const pick = '{{ if .a }}a{{ else if .b }}b{{ else }}none{{ end }}';
    assert.equal(render(pick, { a: 1 }), 'a');
    assert.equal(render(pick, { a: 0, b: 'x' }), 'b');
    for (const falsy of [0, '', false, null, [], {}]) assert.equal(render(pick, { a: falsy, b: falsy }), 'none');
    assert.equal(render('{{ if $x := .metadata.name }}{{ $x }}{{ end }}'), 'web');
  });

  test('range over a map visits keys in sorted order; over a list with index', () => {
    assert.equal(render('{{ range $k, $v := .metadata.labels }}{{ $k }}={{ $v }};{{ end }}'), 'app=web;tier=front;');
    assert.equal(render('{{ range $i, $p := .spec.ports }}{{ $i }}:{{ $p }} {{ end }}'), '0:80 1:443 ');
    assert.equal(render('{{ range $p := .spec.ports }}{{ $p }},{{ end }}'), '80,443,');
    assert.equal(render('{{ range .spec.ports }}[{{ . }}]{{ end }}'), '[80][443]');
    assert.equal(render('{{ range .spec.empty }}x{{ else }}empty{{ end }}'), 'empty');
    assert.equal(render('{{ range .missing }}x{{ else }}missing{{ end }}'), 'missing');
    assert.equal(render('{{ range $i, $_ := .spec.ports }}{{ if eq $i 0 }}{{ continue }}{{ end }}{{ $i }}{{ break }}{{ end }}'), '1');
  });

  test('trim markers and comments', () => {
    assert.equal(render('a  \n {{- .metadata.name -}} \n  b'), 'awebb');
    assert.equal(render('a {{/* note */}} b'), 'a  b');
    assert.equal(render('a \n{{- /* note */ -}}\n b'), 'ab');
    assert.equal(render('{{ -3 }}'), '-3');
  });
});

describe('Go templates: functions', () => {
  const cases: [string, string][] = [
    ['{{ eq .metadata.name "api" "web" }} {{ eq .spec.replicas 3 }} {{ ne .metadata.name "web" }}', 'true true false'],
    ['{{ eq .missing "x" }} {{ eq .metadata.annotations nil }}', 'false true'],
    ['{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }}', 'true true true false'],
    ['{{ not .spec.paused }} {{ and 1 "x" }} {{ and 1 0 "x" }} {{ or 0 "" "z" }} {{ or 0 "" }}', 'true x 0 z '],
    ['{{ len "héllo" }} {{ len .metadata.labels }} {{ len .spec.ports }}', '6 2 2'],
    ['{{ index .metadata.labels "tier" }} {{ index .metadata.labels "nope" }} {{ index . "spec" "ports" 0 }}', 'front <nil> 80'],
    ['{{ hasPrefix .metadata.name "we" }} {{ hasSuffix .metadata.name "x" }}', 'true false'],
    ['{{ print 1 2 "a" 3 "b" "c" }}', '1 2a3bc'],
    ['{{ println "a" 1 }}', 'a 1\n'],
  ];
  for (const [text, expected] of cases) test(text, () => assert.equal(render(text), expected));

  test('and/or stop at the first deciding argument', () => {
    assert.equal(render('{{ or .metadata.name (index .missing "x") }}'), 'web');
    assert.equal(render('{{ and .missing (index .missing "x") }}'), '<no value>');
  });

  test('printf verbs, widths and Go\'s error strings', () => {
    assert.equal(goSprintf('%s|%d|%v|%5.2f|%q|%x|%05d|%-4s|%t|%%', ['a', 7, [1, 'b'], 2.5, 'a"b', 255, 42, 'ab', true]), 'a|7|[1 b]| 2.50|"a\\"b"|ff|00042|ab  |true|%');
    assert.equal(goSprintf('%d %s', ['x', 3]), '%!d(string=x) %!s(int=3)');
    assert.equal(goSprintf('%s', []), '%!s(MISSING)');
    assert.equal(goSprintf('a', [1]), 'a%!(EXTRA int=1)');
    assert.equal(goSprintf('%e %g %.3g %v', [1.5, 0.5, 3.14159, null]), '1.500000e+00 0.5 3.14 <nil>');
  });

  test('formatValue prints as Go %v', () => {
    assert.equal(formatValue({ b: [1.5, true], a: { c: null } }), 'map[a:map[c:<nil>] b:[1.5 true]]');
  });
});

describe('Go templates: errors', () => {
  const parseErrors: [string, number, RegExp][] = [
    ['ok\n{{ if }}', 2, /missing value for if/],
    ['\n\n{{ toYaml . }}', 3, /function "toYaml" not defined/],
    ['{{ if .a }}\nx', 1, /no \{\{end\}\}/],
    ['a\n{{ end }}', 2, /unexpected \{\{end\}\}/],
    ['{{ else }}', 1, /unexpected \{\{else\}\}/],
    ['{{ .a | "x" }}', 1, /non executable command in pipeline stage 2/],
    ['{{ $nope }}', 1, /undefined variable "\$nope"/],
    ['{{ .a', 1, /unclosed action/],
    ['{{ "abc }}', 1, /unterminated quoted string/],
    ['x\n{{ .a ; }}', 2, /unrecognized character in action/],
    ['{{ break }}', 1, /outside \{\{range\}\}/],
    ['{{ template "x" }}', 1, /not supported/],
    ['{{ range .a }}{{ else if .b }}{{ end }}', 1, /unexpected if in else/],
  ];
  for (const [text, line, reason] of parseErrors) {
    test(`parse error: ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseGoTemplate(text),
        (error: unknown) => error instanceof GoTemplateError && error.line === line && reason.test(error.message) && error.message.startsWith(`line ${line}: `),
      );
    });
  }

  const execErrors: [string, RegExp][] = [
    ['{{ .metadata.annotations.x }}', /nil pointer evaluating interface \{\}\.x/],
    ['{{ .metadata.name.x }}', /can't evaluate field x in type string/],
    ['{{ eq .spec.replicas "3" }}', /incompatible types for comparison/],
    ['{{ lt .spec.ports 1 }}', /invalid type for comparison/],
    ['{{ hasPrefix .missing "x" }}', /invalid value; expected string/],
    ['{{ index .spec.ports 5 }}', /index out of range: 5/],
    ['{{ range .metadata.name }}{{ end }}', /range can't iterate over web/],
    ['{{ not 1 2 }}', /wrong number of args for not: want 1 got 2/],
  ];
  for (const [text, reason] of execErrors) {
    test(`execution error: ${text}`, () => {
      assert.throws(() => render(text), (error: unknown) => error instanceof GoTemplateExecError && reason.test(error.message));
    });
  }

  test('a parsed template renders many times with different data', () => {
    const template = parseGoTemplate('{{ .metadata.name }}');
    assert.equal(template.hasActions, true);
    assert.equal(template.render({ metadata: { name: 'a' } }), 'a');
    assert.equal(template.render({ metadata: { name: 'b' } }), 'b');
    assert.equal(parseGoTemplate('plain {{/* c */}}').hasActions, false);
  });
});
