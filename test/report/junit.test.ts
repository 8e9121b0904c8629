import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAudit, formatJunit } from '../../src/report/index.js';
import { escapeXmlAttribute, escapeXmlText } from '../../src/report/junit.js';
import { parseXml } from '../support/xml.js';
import { sampleAudit } from './fixture.js';

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

  test('inputs that could not be read are erroring testcases in an "inputs" testsuite, counted as errors', () => {
    const problems = [
      { file: 'deploy/bad.yaml', line: 4, message: 'invalid YAML: bad <indentation> & more' },
      { file: 'deploy/gone', message: 'no such file or directory' },
    ];
    const root = parseXml(formatAudit(sampleAudit(), 'junit', { problems }));
    assert.deepEqual(root.attributes, { name: 'kaji', tests: '11', failures: '5', errors: '2' });
    const [inputs, ...objects] = root.children;
    assert.deepEqual(inputs?.attributes, { name: 'inputs', tests: '2', failures: '0', errors: '2', skipped: '0' });
    assert.deepEqual(objects.map((suite) => [suite.attributes.name, suite.attributes.errors]), [
      ['Deployment/shop/web', '0'],
      ['Service/shop/web', '0'],
    ]);
    const [bad, gone] = inputs!.children;
    assert.deepEqual(bad?.attributes, { classname: 'inputs', name: 'deploy/bad.yaml:4', file: 'deploy/bad.yaml', line: '4' });
    assert.equal(bad?.children.length, 1);
    assert.equal(bad?.children[0]?.name, 'error');
    assert.deepEqual(bad?.children[0]?.attributes, { message: 'invalid YAML: bad <indentation> & more', type: 'input' });
    assert.equal(bad?.children[0]?.text, 'deploy/bad.yaml:4: invalid YAML: bad <indentation> & more');
    assert.deepEqual(gone?.attributes, { classname: 'inputs', name: 'deploy/gone', file: 'deploy/gone' });
    assert.equal(gone?.children[0]?.text, 'deploy/gone: no such file or directory');
  });

  test('input problems are kept under onlyFailed and when nothing was audited; none leaves the report as it was', () => {
    const problems = [{ file: 'a.yaml', line: 1, message: 'invalid YAML' }];
    const onlyFailed = parseXml(formatAudit(sampleAudit(), 'junit', { onlyFailed: true, problems }));
    assert.deepEqual([onlyFailed.attributes.tests, onlyFailed.attributes.errors, onlyFailed.children[0]?.attributes.name], ['6', '1', 'inputs']);
    const nothingRead = parseXml(formatJunit({ ...sampleAudit(), Results: [] }, problems));
    assert.deepEqual(nothingRead.attributes, { name: 'kaji', tests: '1', failures: '0', errors: '1' });
    assert.equal(nothingRead.children.length, 1);
    assert.equal(formatAudit(sampleAudit(), 'junit', { problems: [] }), formatJunit(sampleAudit()));
  });
});
