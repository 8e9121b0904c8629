// Where a service's image is pinned, and byte-exact edits of the pin: the
// kustomize `images:` entry of an overlay (with `kustomize edit set image`
// semantics), or plain `image:` fields of containers. Only the tag (or digest) bytes change; comments, quoting, key
// order, indentation and blank lines stay (the edits go through
// `applyPatchToYaml`).
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import { applyPatchToYaml, YamlEditError, type YamlPatchOperation } from '../kube/index.js';
import type { ImageVersion } from './types.js';

/** A tag, digest or pin that cannot be used; the message says why. */
export class ImageEditError extends Error {}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Checks a digest (`sha256:` and 64 lowercase hex digits) and returns it. */
export function validateDigest(digest: string): string {
  if (!DIGEST.test(digest)) {
    throw new ImageEditError(`"${digest}" is not an image digest: use sha256: followed by 64 lowercase hex digits`);
  }
  return digest;
}

/**
 * Checks a tag to pin and splits `tag@sha256:…`. Docker's tag grammar
 * (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`); `latest` is refused: it moves, so
 * the manifest repository would no longer say what runs.
 */
export function validateTag(tag: string, digest?: string): ImageVersion {
  const at = tag.indexOf('@');
  const name = at < 0 ? tag : tag.slice(0, at);
  const inline = at < 0 ? undefined : tag.slice(at + 1);
  if (tag === '') throw new ImageEditError('the tag is empty: give the version to pin (e.g. 1.4.2, or 1.4.2@sha256:…)');
  if (name === '') throw new ImageEditError(`"${tag}" has no tag before the digest: give tag@sha256:…`);
  if (!TAG.test(name)) {
    throw new ImageEditError(
      `"${name}" is not a valid image tag: up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`,
    );
  }
  if (name === 'latest') {
    throw new ImageEditError('refusing to pin "latest": it moves, so the manifest repository would no longer say what runs; pin a version or a digest');
  }
  if (inline !== undefined) validateDigest(inline);
  if (digest !== undefined) validateDigest(digest);
  if (inline !== undefined && digest !== undefined && inline !== digest) {
    throw new ImageEditError(`the tag says ${inline} but --digest says ${digest}`);
  }
  const pinned = inline ?? digest;
  return pinned ? { tag: name, digest: pinned } : { tag: name };
}

/** `tag` or `tag@sha256:…`. */
export function formatVersion(version: Partial<ImageVersion>): string {
  if (version.tag && version.digest) return `${version.tag}@${version.digest}`;
  return version.tag ?? version.digest ?? '(none)';
}

export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `repo[:tag][@digest]` (a port in the registry host is not a tag). */
export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  const digest = at < 0 ? undefined : reference.slice(at + 1);
  const rest = at < 0 ? reference : reference.slice(0, at);
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  return {
    repository: hasTag ? rest.slice(0, colon) : rest,
    ...(hasTag ? { tag: rest.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** What an edit of one file found and did. */
export interface FileEdit {
  /** The new text (the same text when nothing changed). */
  readonly text: string;
  /** The versions pinned before, one per pin found (empty when an entry was added). */
  readonly before: readonly Partial<ImageVersion>[];
  /** Whether an `images:` entry was added because none matched. */
  readonly added: boolean;
}

// --- kustomize ---------------------------------------------------------------

interface KustomizeEntry {
  readonly index: number;
  readonly name?: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

/**
 * The `images:` entries of a kustomization that pin `repository` (its `name` or its `newName`).
 * Throws for an entry bump cannot read as written: an alias or merge key may hide whose
 * image it pins, and a tagged newTag or digest would keep its tag on the new value.
 */
export function kustomizeImageEntries(text: string, repository: string): KustomizeEntry[] {
  const root = singleDocument(text);
  const images = isMap(root) ? root.get('images', true) : undefined;
  if (isAlias(images)) throw notPlain('images', 'is an alias');
  if (!isSeq(images)) return [];
  const entries: KustomizeEntry[] = [];
  images.items.forEach((item, index) => {
    if (isAlias(item)) throw notPlain(`images[${index}]`, 'is an alias');
    if (!isMap(item)) return;
    if (item.items.some((pair) => isScalar(pair.key) && typeof pair.key.value === 'symbol')) throw notPlain(`images[${index}]`, 'has a merge key (<<)');
    for (const key of ['name', 'newName']) if (isAlias(item.get(key, true))) throw notPlain(`images[${index}].${key}`, 'is an alias');
    const field = (key: string) => scalarText(item.get(key, true));
    const entry = { index, name: field('name'), newName: field('newName'), newTag: field('newTag'), digest: field('digest') };
    if (entry.name !== repository && entry.newName !== repository) return;
    // Bump rewrites the pin's text only: it must be a plain value (or !!str).
    for (const key of ['newTag', 'digest']) checkPlainPin(item.get(key, true), `images[${index}].${key}`);
    entries.push(entry);
  });
  return entries;
}

/** `!!str`: the one explicit tag a new tag or digest may keep. */
const STRING_TAG = 'tag:yaml.org,2002:str';

/** Refuses a pin that is an alias or carries a YAML tag other than `!!str`. */
function checkPlainPin(value: unknown, where: string): void {
  if (isAlias(value)) throw notPlain(where, 'is an alias');
  // An anchored value may be repeated elsewhere (another image's tag, an annotation): editing it would change those too.
  if (isScalar(value) && value.anchor) throw notPlain(where, `has the anchor &${value.anchor}, which other values may repeat`);
  if (isScalar(value) && value.tag !== undefined && value.tag !== STRING_TAG) throw notPlain(where, `has the YAML tag ${value.tag}`);
}

function notPlain(where: string, what: string): ImageEditError {
  return new ImageEditError(`${where} ${what}, which kaji bump does not edit: write it out as a plain value`);
}

/**
 * `kustomize edit set image` for a service's repository: every matching
 * entry gets `newTag` (and `digest` when the version has one; a digest left
 * from before is removed otherwise). With `add`, an entry
 * `{name: repository, newTag}` (and the `images:` key) is added when none
 * matches; without it the text is returned unchanged with no `before`.
 */
export function setKustomizeImage(text: string, repository: string, version: ImageVersion, options: { add?: boolean } = {}): FileEdit {
  const entries = kustomizeImageEntries(text, repository);
  if (entries.length === 0) {
    if (!options.add) return { text, before: [], added: false };
    const root = singleDocument(text);
    if (root !== undefined && root !== null && !isMap(root)) throw new ImageEditError('the kustomization is not a mapping');
    const images = isMap(root) ? root.get('images', true) : undefined;
    // An add under a mapping would write a key "-" into it, and kustomize refuses anything but a list there.
    if (images !== undefined && !isSeq(images) && !(isScalar(images) && images.value === null)) {
      throw new ImageEditError('images: is not a list; kustomize reads a list of entries such as {name: REPOSITORY, newTag: TAG}');
    }
    const hasImages = images !== undefined;
    const value = { name: repository, newTag: version.tag, ...(version.digest ? { digest: version.digest } : {}) };
    const operation: YamlPatchOperation = hasImages ? { op: 'add', path: '/images/-', value } : { op: 'add', path: '/images', value: [value] };
    return { text: patch(text, [operation]), before: [], added: true };
  }
  const operations: YamlPatchOperation[] = [];
  for (const entry of entries) {
    const at = `/images/${entry.index}`;
    if (entry.newTag !== version.tag) operations.push({ op: entry.newTag === undefined ? 'add' : 'replace', path: `${at}/newTag`, value: version.tag });
    if (version.digest && entry.digest !== version.digest) {
      operations.push({ op: entry.digest === undefined ? 'add' : 'replace', path: `${at}/digest`, value: version.digest });
    } else if (!version.digest && entry.digest !== undefined) {
      operations.push({ op: 'remove', path: `${at}/digest` });
    }
  }
  return {
    text: patch(text, operations),
    before: entries.map((entry) => versionOf(entry.newTag, entry.digest)),
    added: false,
  };
}

// --- plain image: fields -----------------------------------------------------

/**
 * Sets every `image: <repository>[:tag][@digest]` field (of containers, init
 * containers, or anything else) in every document of a YAML stream to the new
 * version; other images are left alone.
 */
export function setImageFields(text: string, repository: string, version: ImageVersion): FileEdit {
  const docs = parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs)) return { text, before: [], added: false };
  const found: { doc: number; pointer: string; reference: ImageReference; value: string }[] = [];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) return;
    walk(doc.contents as Node | null, '', (pointer, key, node) => {
      if (key !== 'image' || !isScalar(node) || typeof node.value !== 'string') return;
      const reference = parseImageReference(node.value);
      if (reference.repository === repository) found.push({ doc: index, pointer, reference, value: node.value });
    });
  });
  const wanted = `${repository}:${version.tag}${version.digest ? `@${version.digest}` : ''}`;
  let result = text;
  for (const pin of found) {
    if (pin.value !== wanted) result = patchDocument(result, pin.doc, [{ op: 'replace', path: pin.pointer, value: wanted }]);
  }
  return { text: result, before: found.map((pin) => versionOf(pin.reference.tag, pin.reference.digest)), added: false };
}

function walk(node: Node | null, pointer: string, visitPair: (pointer: string, key: string, value: Node | null) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const path = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      visitPair(path, key, pair.value as Node | null);
      walk(pair.value as Node | null, path, visitPair);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => walk(item as Node | null, `${pointer}/${index}`, visitPair));
  }
}

// --- helpers -------------------------------------------------------------------

function versionOf(tag: string | undefined, digest: string | undefined): Partial<ImageVersion> {
  return { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null ? String(node.value) : undefined;
}

/** The root node of a one-document file (kustomization, values); undefined when empty. */
function singleDocument(text: string): Node | null | undefined {
  const docs = parseAllDocuments(text, { version: '1.1' });
  const contentful = Array.isArray(docs) ? docs.filter((doc) => doc.contents !== null) : [];
  if (contentful.length > 1) throw new ImageEditError('the file holds more than one YAML document');
  const doc = contentful[0];
  if (doc && doc.errors.length > 0) throw new ImageEditError(`the file is not valid YAML: ${doc.errors[0]!.message}`);
  return doc?.contents as Node | null | undefined;
}

function patch(text: string, operations: readonly YamlPatchOperation[]): string {
  if (operations.length === 0) return text;
  const docs = parseAllDocuments(text, { version: '1.1' });
  const index = Array.isArray(docs) ? Math.max(0, docs.findIndex((doc) => doc.contents !== null)) : 0;
  return patchDocument(text, index, operations);
}

function patchDocument(text: string, index: number, operations: readonly YamlPatchOperation[]): string {
  try {
    return applyPatchToYaml(text, index, operations);
  } catch (error) {
    if (error instanceof YamlEditError) throw new ImageEditError(`cannot edit the pin in place: ${error.message}`);
    throw error;
  }
}
