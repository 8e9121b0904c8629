// A small strict XML reader for the JUnit report's tests.
import assert from 'node:assert/strict';

export interface XmlElement {
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
export function parseXml(xml: string): XmlElement {
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
