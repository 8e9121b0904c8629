import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAudit, formatJunit } from '../../src/report/index.js';
import { escapeXmlAttribute, escapeXmlText } from '../../src/report/junit.js';
import { sampleAudit } from './fixture.js';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  assert.ok(!/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(text), `bare & in ${JSON.stringify(text)}`);
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (_, ref: string) =>
    ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : (ENTITIES[ref] as string),
  );
}

/** A small strict XML parser: enough to prove the document is well-formed and to read it back. */
function parseXml(xml: string): XmlElement {
  let pos = 0;
  const declaration = /^<\?xml [^?]*\?>\n/.exec(xml);
  assert.ok(declaration, 'XML declaration');
  pos = declaration[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < xml.length) {
    const next = xml.indexOf('<', pos);
    const text = xml.slice(pos, next === -1 ? xml.length : next);
    assert.ok(!text.includes('>'), `raw > in text ${JSON.stringify(text)}`);
    if (stack.length > 0) (stack[stack.length - 1] as XmlElement).text += decode(text);
    else assert.equal(text.trim(), '', 'nothing outside the root');
    if (next === -1) break;
    const close = /^<\/([A-Za-z]+)>/.exec(xml.slice(next));
    if (close) {
      const open = stack.pop();
      assert.equal(open?.name, close[1], 'tags balance');
      pos = next + close[0].length;
      continue;
    }
    const tag = /^<([A-Za-z]+)((?:\s+[A-Za-z]+="[^"<]*")*)\s*(\/?)>/.exec(xml.slice(next));
    assert.ok(tag, `a well-formed tag at ${xml.slice(next, next + 40)}`);
    const attributes: Record<string, string> = {};
    for (const [, name, value] of (tag[2] ?? '').matchAll(/([A-Za-z]+)="([^"]*)"/g)) {
      assert.ok(!(name! in attributes), `attribute ${name} once`);
      attributes[name!] = decode(value!);
    }
    const element: XmlElement = { name: tag[1]!, attributes, children: [], text: '' };
    if (stack.length > 0) (stack[stack.length - 1] as XmlElement).children.push(element);
    else {
      assert.equal(root, undefined, 'one root');
      root = element;
    }
    if (tag[3] !== '/') stack.push(element);
    pos = next + tag[0].length;
  }
  assert.equal(stack.length, 0, 'every tag closed');
  assert.ok(root);
  return root;
}

describe('formatJunit', () => {
  test('is well-formed, one testsuite per object and one testcase per check result', () => {
    const root = parseXml(formatJunit(sampleAudit()));
    assert.equal(root.name, 'testsuites');
    assert.deepEqual(root.attributes, { name: 'kaji', tests: '9', failures: '5', errors: '0' });
    assert.deepEqual(
      root.children.map((s) => [s.attributes.name, s.attributes.tests, s.attributes.failures, s.children.length]),
      [
        ['Deployment/shop/web', '7', '4', 7],
        ['Service/shop/web', '2', '1', 2],
      ],
    );
    const cases = root.children[0]!.children;
    assert.deepEqual(
      cases.map((c) => `${c.attributes.classname} ${c.attributes.name}`),
      [
        'Deployment/shop/web deploymentMissingReplicas',
        'Deployment/shop/web hostIPCSet',
        'Deployment/shop/web hostNetworkSet',
        'Deployment/shop/web/app cpuLimitsMissing',
        'Deployment/shop/web/app runAsRootAllowed',
        'Deployment/shop/web/sidecar livenessProbeMissing',
        'Deployment/shop/web/sidecar tagNotSpecified',
      ],
    );
    assert.equal(cases[0]!.attributes.file, 'deploy/web.yaml');
    assert.equal(cases[0]!.attributes.line, '3');
  });

  test('failed checks are <failure> with message and severity as type; passed ones are empty', () => {
    const cases = parseXml(formatJunit(sampleAudit())).children.flatMap((s) => s.children);
    const byName = new Map(cases.map((c) => [`${c.attributes.classname} ${c.attributes.name}`, c]));
    const root = byName.get('Deployment/shop/web/app runAsRootAllowed')!;
    assert.equal(root.children[0]?.name, 'failure');
    assert.deepEqual(root.children[0]?.attributes, { message: 'Should not be allowed to run as root', type: 'danger' });
    assert.match(root.children[0]?.text ?? '', /^Security: Should not be allowed to run as root\nat deploy\/web\.yaml:3$/);
    assert.equal(byName.get('Deployment/shop/web/sidecar livenessProbeMissing')!.children[0]?.attributes.type, 'warning');
    assert.deepEqual(byName.get('Deployment/shop/web hostIPCSet')!.children, []);
  });

  test('escapes <&"\'> in attributes and text, and reads them back', () => {
    const xml = formatJunit(sampleAudit());
    assert.ok(xml.includes('message="Bad &lt;&amp;&quot;&apos;&gt; characters"'));
    assert.ok(xml.includes('Custom: Bad &lt;&amp;"\'&gt; characters'));
    const note = parseXml(xml).children[1]!.children.find((c) => c.attributes.name === 'customNote')!;
    assert.equal(note.children[0]?.attributes.message, 'Bad <&"\'> characters');
    assert.ok(note.children[0]?.text.startsWith('Custom: Bad <&"\'> characters'));
  });

  test('line breaks survive in attributes; characters XML cannot hold are replaced', () => {
    assert.equal(escapeXmlAttribute('a\nb\tc'), 'a&#10;b&#9;c');
    assert.equal(escapeXmlText('bell\u0007 and \ud800 lone'), 'bell\ufffd and \ufffd lone');
    assert.equal(escapeXmlText('😀 ok'), '😀 ok');
  });

  test('onlyFailed leaves the passed testcases out', () => {
    const root = parseXml(formatAudit(sampleAudit(), 'junit', { onlyFailed: true }));
    assert.equal(root.attributes.tests, '5');
    assert.equal(root.attributes.failures, '5');
    for (const testcase of root.children.flatMap((s) => s.children)) assert.equal(testcase.children[0]?.name, 'failure');
  });

  test('an empty audit is an empty <testsuites/>', () => {
    const root = parseXml(formatJunit({ ...sampleAudit(), Results: [] }));
    assert.deepEqual([root.attributes.tests, root.children.length], ['0', 0]);
  });
});
