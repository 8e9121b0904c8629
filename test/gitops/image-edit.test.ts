import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ImageEditError,
  parseImageReference,
  setImageFields,
  setKustomizeImage,
  validateDigest,
  validateTag,
} from '../../src/gitops/image-edit.js';

const REPO = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna';
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

/** Asserts that `after` differs from `before` only by replacing `from` with `to` (once each, in order). */
function onlyTagBytes(before: string, after: string, replacements: [string, string][]): void {
  let expected = before;
  let offset = 0;
  for (const [from, to] of replacements) {
    const at = expected.indexOf(from, offset);
    assert.ok(at >= 0, `"${from}" is in the original`);
    expected = expected.slice(0, at) + to + expected.slice(at + from.length);
    offset = at + to.length;
  }
  assert.equal(after, expected);
}

describe('kustomize images: (kustomize edit set image semantics)', () => {
  const corpus: { name: string; text: string; from: string; to: string }[] = [
    {
      name: 'double-quoted tag with a trailing comment, indented list',
      text: `# overlay for blue\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n\nimages:\n  - name: ${REPO}   # the app\n    newTag: "1.4.2"   # bumped by CI\n\n# trailing comment\n`,
      from: '"1.4.2"',
      to: '"1.5.0"',
    },
    {
      name: 'single-quoted tag, list not indented',
      text: `resources:\n- ../../base\nimages:\n- name: ${REPO}\n  newTag: '1.4.2'\n`,
      from: "'1.4.2'",
      to: "'1.5.0'",
    },
    {
      name: 'plain tag, four-space indentation, keys in another order',
      text: `images:\n    -   newTag: 1.4.2\n        name: ${REPO}\nresources:\n    - ../../base\n`,
      from: '1.4.2',
      to: '1.5.0',
    },
    {
      name: 'matched by newName (renamed image), other images untouched',
      text: `images:\n  - name: nginx\n    newName: mirror/nginx\n    newTag: "1.25"\n  - name: app\n    newName: ${REPO}\n    newTag: "1.4.2"\n`,
      from: '"1.4.2"',
      to: '"1.5.0"',
    },
    {
      name: 'flow-style entry',
      text: `images:\n  - {name: ${REPO}, newTag: "1.4.2"}  # flow\nresources: [../../base]\n`,
      from: '"1.4.2"',
      to: '"1.5.0"',
    },
    {
      name: 'Windows line endings',
      text: `images:\r\n  - name: ${REPO}\r\n    newTag: "1.4.2"\r\n`,
      from: '"1.4.2"',
      to: '"1.5.0"',
    },
  ];
  for (const entry of corpus) {
    test(entry.name, () => {
      const result = setKustomizeImage(entry.text, REPO, { tag: '1.5.0' });
      onlyTagBytes(entry.text, result.text, [[entry.from, entry.to]]);
      assert.deepEqual(result.before, [{ tag: '1.4.2' }]);
      assert.equal(result.added, false);
    });
  }

  test('a plain tag that YAML would read as a number is quoted', () => {
    const text = `images:\n  - name: ${REPO}\n    newTag: v1\n`;
    assert.equal(setKustomizeImage(text, REPO, { tag: '1.5' }).text, `images:\n  - name: ${REPO}\n    newTag: "1.5"\n`);
  });

  test('setting a tag removes a digest left from before (its line and nothing else)', () => {
    const text = `images:\n  - name: ${REPO} # app\n    newTag: "1.4.2"\n    digest: ${A}\n  - name: other\n    newTag: "2"\n`;
    const result = setKustomizeImage(text, REPO, { tag: '1.5.0' });
    assert.equal(result.text, `images:\n  - name: ${REPO} # app\n    newTag: "1.5.0"\n  - name: other\n    newTag: "2"\n`);
    assert.deepEqual(result.before, [{ tag: '1.4.2', digest: A }]);
  });

  test('tag@digest replaces both in place', () => {
    const text = `images:\n  - name: ${REPO}\n    newTag: "1.4.2"\n    digest: ${A} # pinned\n`;
    const result = setKustomizeImage(text, REPO, { tag: '1.5.0', digest: B });
    onlyTagBytes(text, result.text, [['1.4.2', '1.5.0'], [A, B]]);
  });

  test('a digest is added under an entry that had none', () => {
    const text = `images:\n  - name: ${REPO}\n    newTag: "1.4.2"\n`;
    assert.equal(setKustomizeImage(text, REPO, { tag: '1.5.0', digest: B }).text, `images:\n  - name: ${REPO}\n    newTag: "1.5.0"\n    digest: ${B}\n`);
  });

  test('every matching entry is set', () => {
    const text = `images:\n  - name: ${REPO}\n    newTag: "1.4.2"\n  - name: sidecar\n    newName: ${REPO}\n    newTag: "1.4.1"\n`;
    const result = setKustomizeImage(text, REPO, { tag: '1.5.0' });
    onlyTagBytes(text, result.text, [['1.4.2', '1.5.0'], ['1.4.1', '1.5.0']]);
    assert.deepEqual(result.before, [{ tag: '1.4.2' }, { tag: '1.4.1' }]);
  });

  test('the same version is no change', () => {
    const text = `images:\n  - name: ${REPO}\n    newTag: "1.5.0"\n`;
    assert.equal(setKustomizeImage(text, REPO, { tag: '1.5.0' }).text, text);
  });

  test('no matching entry: unchanged, unless asked to add one', () => {
    const text = `# blue\nresources:\n  - ../../base\nimages:\n  - name: nginx\n    newTag: "1.25"\n`;
    assert.deepEqual(setKustomizeImage(text, REPO, { tag: '1.5.0' }), { text, before: [], added: false });
    const added = setKustomizeImage(text, REPO, { tag: '1.5.0' }, { add: true });
    assert.equal(added.text, `${text}  - name: ${REPO}\n    newTag: 1.5.0\n`);
    assert.equal(added.added, true);
  });

  test('images: that is not a list is refused rather than given a "-" key; an empty one gets the entry', () => {
    for (const images of [`{name: ${REPO}}`, 'x', '5']) {
      assert.throws(() => setKustomizeImage(`images: ${images}\n`, REPO, { tag: '1.5.0' }, { add: true }), /^Error: images: is not a list; kustomize reads a list/, images);
    }
    assert.equal(setKustomizeImage('images:\n', REPO, { tag: '1.5.0' }, { add: true }).text, `images:\n  - name: ${REPO}\n    newTag: 1.5.0\n`);
  });

  test('an entry hidden behind an alias or merge key, a pin with a YAML tag or an anchor, is refused, not duplicated or rewritten under its tag', () => {
    const refused: Array<[string, RegExp]> = [
      [`base: &b {name: ${REPO}, newTag: "1.4.2"}\nimages:\n  - *b\n`, /^Error: images\[0\] is an alias, which kaji bump does not edit/],
      [`base: &b {name: ${REPO}}\nimages:\n  - <<: *b\n    newTag: "1.4.2"\n`, /^Error: images\[0\] has a merge key \(<<\)/],
      [`repo: &r ${REPO}\nimages:\n  - name: *r\n    newTag: "1.4.2"\n`, /^Error: images\[0\]\.name is an alias/],
      [`list: &l [{name: ${REPO}}]\nimages: *l\n`, /^Error: images is an alias/],
      [`v: &v "1.4.2"\nimages:\n  - name: ${REPO}\n    newTag: *v\n`, /^Error: images\[0\]\.newTag is an alias/],
      [`images:\n  - name: ${REPO}\n    newTag: !!binary aGVsbG8=\n`, /^Error: images\[0\]\.newTag has the YAML tag tag:yaml\.org,2002:binary/],
      // The anchor of what another value repeats (a sidecar's tag, an annotation): the edit would change that too.
      [`images:\n  - name: ${REPO}\n    newTag: &release "1.4.2"\n  - name: mirror/envoy\n    newTag: *release\n`, /^Error: images\[0\]\.newTag has the anchor &release, which other values may repeat/],
    ];
    for (const [text, message] of refused) {
      for (const add of [false, true]) assert.throws(() => setKustomizeImage(text, REPO, { tag: '1.5.0' }, { add }), message, text);
    }
    // !!str keeps its meaning on the new value; another image's tagged pin is not bump's business.
    const str = `images:\n  - name: ${REPO}\n    newTag: !!str 1.4.2\n  - name: nginx\n    newTag: !!binary aGVsbG8=\n`;
    assert.equal(setKustomizeImage(str, REPO, { tag: '1.5.0' }).text, str.replace('!!str 1.4.2', '!!str 1.5.0'));
  });

  test('the images: key is added when the kustomization has none', () => {
    const text = `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base # the base\n`;
    const added = setKustomizeImage(text, REPO, { tag: '1.5', digest: B }, { add: true });
    assert.equal(added.text, `${text}images:\n- name: ${REPO}\n  newTag: "1.5"\n  digest: ${B}\n`);
  });
});

describe('plain image: fields', () => {
  test('every container of the service in a multi-document file; other images stay', () => {
    const text = `# patch\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: antenna}\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          image: "${REPO}:1.4.2"\n      containers:\n        - name: app\n          image: ${REPO}:1.4.2 # app\n        - name: proxy\n          image: envoyproxy/envoy:v1.30\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: antenna-gc}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: gc, image: '${REPO}@${A}'}]}}}}}\n`;
    const result = setImageFields(text, REPO, { tag: '1.5.0' });
    onlyTagBytes(text, result.text, [[`${REPO}:1.4.2"`, `${REPO}:1.5.0"`], [`${REPO}:1.4.2 #`, `${REPO}:1.5.0 #`], [`${REPO}@${A}`, `${REPO}:1.5.0`]]);
    assert.deepEqual(result.before, [{ tag: '1.4.2' }, { tag: '1.4.2' }, { digest: A }]);
  });

  test('a registry with a port is not a tag', () => {
    assert.deepEqual(parseImageReference('localhost:5000/antenna:1.4.2@' + A), { repository: 'localhost:5000/antenna', tag: '1.4.2', digest: A });
    assert.deepEqual(parseImageReference('localhost:5000/antenna'), { repository: 'localhost:5000/antenna' });
  });
});

describe('validateTag', () => {
  test('accepts Docker tags and tag@digest', () => {
    assert.deepEqual(validateTag('1.5.0'), { tag: '1.5.0' });
    assert.deepEqual(validateTag('v1.5.0-rc.1_build'), { tag: 'v1.5.0-rc.1_build' });
    assert.deepEqual(validateTag('a'.repeat(128)), { tag: 'a'.repeat(128) });
    assert.deepEqual(validateTag(`1.5.0@${B}`), { tag: '1.5.0', digest: B });
    assert.deepEqual(validateTag('1.5.0', B), { tag: '1.5.0', digest: B });
    assert.deepEqual(validateTag(`1.5.0@${B}`, B), { tag: '1.5.0', digest: B });
  });

  test('refuses latest, saying why', () => {
    assert.throws(() => validateTag('latest'), (error: Error) => error instanceof ImageEditError && /refusing to pin "latest": it moves/.test(error.message));
  });

  test('refuses what is not a tag', () => {
    for (const bad of ['', '.hidden', '-x', 'a'.repeat(129), 'has space', 'a:b', 'a/b', 'ü']) {
      assert.throws(() => validateTag(bad), ImageEditError, bad);
    }
  });

  test('an empty tag is named as empty, not as a missing tag before a digest', () => {
    assert.throws(() => validateTag(''), { message: 'the tag is empty: give the version to pin (e.g. 1.4.2, or 1.4.2@sha256:…)' });
  });

  test('refuses bad digests and a digest that disagrees with the tag', () => {
    assert.throws(() => validateTag('1.5.0@sha256:abc'), /not an image digest/);
    assert.throws(() => validateTag(`1.5.0@${B.toUpperCase().replace('SHA256', 'sha256')}`), /not an image digest/);
    assert.throws(() => validateTag(`@${B}`), /no tag before the digest/);
    assert.throws(() => validateTag(`1.5.0@${A}`, B), /the tag says/);
    assert.throws(() => validateDigest('md5:abc'), /sha256/);
  });
});
