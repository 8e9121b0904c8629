// Where a container's request is written in the manifest repository, so that
// `kaji rightsize` edits that one value and nothing else. An overlay renders a
// workload from its resources (a base, files) and then applies its patches; so
// the value a cluster runs comes from the last patch that sets it, on the
// outermost kustomization that has one, else from the resource file that
// defines the workload. Searched in that order, from the overlay inwards:
//
//   the kustomization's patches (patches, patchesStrategicMerge), last first:
//     a strategic-merge patch file for the workload (by kind and name, or by
//     its target) whose container sets the request;
//   its components, then its resources (and bases), last first: a folder is
//     searched the same way (names seen without its namePrefix/nameSuffix), a
//     file's document of that kind and name is the definition.
//
// What kaji cannot edit in place is reported, with where it is: a JSON 6902
// patch of the container's resources, a patch written inline in a
// kustomization, a patch whose target name is no RE2 pattern, a value written
// under a YAML anchor that an alias repeats (the edit would change the other
// value too) or through an alias or merge key, and a file outside
// the service's own folder (apps/<service>/): an overlay may pull in another
// service's base, but the service's recommendations must not rewrite it. Every
// edit is then checked by rendering again (rightsize.ts).
import { readFile, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { isMap, isSeq, parseAllDocuments } from 'yaml';
import { goRegExp, type GoRegex } from '../policy/custom/goregex.js';
import { applyPatchToYaml, findPodSpec, isInside, isObject, kustomizationFile, sharedValueReason, type JsonObject, type JsonValue } from '../kube/index.js';
import { RESOURCE_NAMES, type ResourceName } from './recommendations.js';

/** A request as written in a file: the document and the JSON Pointer of the value. */
export interface RequestSite {
  /** Absolute path. */
  readonly file: string;
  /** 0-based index of the document, as applyPatchToYaml counts them. */
  readonly document: number;
  readonly pointer: string;
  /** The value as written (a string, or a number YAML read). */
  readonly written: JsonValue;
}

export type SiteSearch =
  | { readonly kind: 'found'; readonly site: RequestSite }
  /** Written somewhere kaji does not edit; `reason` names it, `site` is where, when it is one value of one file. */
  | { readonly kind: 'unsupported'; readonly reason: string; readonly site?: RequestSite }
  /** No manifest sets it: the namespace's LimitRange default applies. */
  | { readonly kind: 'none' };

export interface WorkloadName {
  readonly kind: string;
  readonly name: string;
  /** Its labels and annotations as rendered, for patches that select by them. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

const NONE: SiteSearch = { kind: 'none' };

/**
 * Finds where `resources.requests.<resource>` of `container` in the workload (as named in the
 * rendered overlay) is written. `root` bounds the search: files outside it (the repository) are
 * not followed. A value written outside `editable` (the service's folder) is reported, not found.
 */
export async function findRequestSite(overlay: string, workload: WorkloadName, container: string, resource: ResourceName, root: string, editable: string): Promise<SiteSearch> {
  const search: Search = { workload, container, resource, root, seen: new Set() };
  const found = await searchKustomization(search, overlay, [workload.name]);
  if (found.kind !== 'found' || isInside(editable, found.site.file)) return found;
  return {
    kind: 'unsupported',
    site: found.site,
    reason: `it is written in ${relative(root, found.site.file)}, outside ${relative(root, editable) || '.'}/: kaji edits only the service's own files; change it there by hand`,
  };
}

/** Sets the value at a site; the rest of the file stays byte for byte. */
export function editRequest(text: string, site: RequestSite, value: string): string {
  return applyPatchToYaml(text, site.document, [{ op: 'replace', path: site.pointer, value }]);
}

/** A request as one version of a file writes it: in the document of a kind and name (as written there), at the container of a name. */
export interface WrittenRequest {
  readonly workload: { readonly kind: string; readonly name: string };
  readonly container: string;
  readonly resource: ResourceName;
  readonly written: JsonValue;
}

/** The kind and name of the document a site is in, in `text` (the version of its file the site was found in). */
export function siteWorkload(text: string, site: RequestSite): { kind: string; name: string } | undefined {
  const document = documentsOf(text)[site.document]?.value;
  const name = isObject(document) ? nameOf(document) : undefined;
  return isObject(document) && typeof document.kind === 'string' && name !== undefined ? { kind: document.kind, name } : undefined;
}

/**
 * The requests two versions of a file write differently (one a version does not write, or a missing
 * version, counts as different), each as `after` writes it, else as `before` did. A request is named
 * by its document's kind and name and its container's name, so a document or a container moved is
 * not a change.
 */
export function changedRequests(before: string | undefined, after: string | undefined): WrittenRequest[] {
  const key = (request: WrittenRequest) => `${request.workload.kind}/${request.workload.name}\u0000${request.container}\u0000${request.resource}`;
  const old = new Map(writtenRequests(before ?? '').map((request) => [key(request), request]));
  const now = new Map(writtenRequests(after ?? '').map((request) => [key(request), request]));
  return [
    ...[...now].filter(([name, request]) => old.get(name)?.written !== request.written).map(([, request]) => request),
    ...[...old].filter(([name]) => !now.has(name)).map(([, request]) => request),
  ];
}

/** Every request a file writes, in a workload's definition or a strategic-merge patch of one. */
export function writtenRequests(text: string): WrittenRequest[] {
  return documentsOf(text).flatMap(({ value }) => {
    const name = isObject(value) ? nameOf(value) : undefined;
    const pod = isObject(value) ? findPodSpec(value) : undefined;
    if (!isObject(value) || typeof value.kind !== 'string' || name === undefined || !pod || !Array.isArray(pod.spec.containers)) return [];
    const workload = { kind: value.kind, name };
    return pod.spec.containers.flatMap((entry) => {
      const container = isObject(entry) && typeof entry.name === 'string' ? entry.name : undefined;
      if (container === undefined) return [];
      return RESOURCE_NAMES.flatMap((resource) => {
        const written = requestPointer(value, container, resource)?.written;
        return written === undefined ? [] : [{ workload, container, resource, written }];
      });
    });
  });
}

interface Search {
  readonly workload: WorkloadName;
  readonly container: string;
  readonly resource: ResourceName;
  readonly root: string;
  readonly seen: Set<string>;
}

async function searchKustomization(search: Search, directory: string, names: readonly string[]): Promise<SiteSearch> {
  const file = kustomizationFile(directory);
  if (!file || search.seen.has(directory) || !isInside(search.root, directory)) return NONE;
  search.seen.add(directory);
  const kustomization = documentsOf(await readFile(file, 'utf8').catch(() => ''))[0]?.value;
  if (!isObject(kustomization)) return NONE;
  const own = withoutAffixes(names, stringOf(kustomization.namePrefix), stringOf(kustomization.nameSuffix));
  const seenNames = [...new Set([...names, ...own])];

  for (const patch of patchesOf(kustomization).reverse()) {
    const found = await searchPatch(search, directory, file, patch, seenNames);
    if (found.kind !== 'none') return found;
  }
  const entries = [...listOf(kustomization.resources), ...listOf(kustomization.bases)];
  for (const entry of [...listOf(kustomization.components).reverse(), ...entries.reverse()]) {
    const path = resolve(directory, entry);
    if (!isInside(search.root, path)) continue;
    const info = await stat(path).catch(() => undefined);
    const found = info?.isDirectory() ? await searchKustomization(search, path, own) : info?.isFile() ? await searchDefinition(search, path, own) : NONE;
    if (found.kind !== 'none') return found;
  }
  return NONE;
}

interface Patch {
  /** A file, or undefined for a patch written in the kustomization. */
  readonly file?: string;
  readonly text?: string;
  readonly target?: JsonObject;
}

/** Patches in the order kustomize applies them: patchesStrategicMerge, patches, then patchesJson6902. */
function patchesOf(kustomization: JsonObject): Patch[] {
  const patches: Patch[] = [];
  for (const entry of kustomization.patchesStrategicMerge instanceof Array ? kustomization.patchesStrategicMerge : []) {
    if (typeof entry === 'string') patches.push(entry.includes('\n') ? { text: entry } : { file: entry });
  }
  for (const field of ['patches', 'patchesJson6902']) {
    const list = kustomization[field];
    for (const entry of Array.isArray(list) ? list : []) {
      if (!isObject(entry)) continue;
      const target = isObject(entry.target) ? entry.target : undefined;
      if (typeof entry.path === 'string') patches.push({ file: entry.path, ...(target ? { target } : {}) });
      else if (typeof entry.patch === 'string') patches.push({ text: entry.patch, ...(target ? { target } : {}) });
    }
  }
  return patches;
}

async function searchPatch(search: Search, directory: string, kustomizationPath: string, patch: Patch, names: readonly string[]): Promise<SiteSearch> {
  const file = patch.file === undefined ? undefined : resolve(directory, patch.file);
  if (file !== undefined && !isInside(search.root, file)) return NONE;
  const text = file === undefined ? (patch.text ?? '') : await readFile(file, 'utf8').catch(() => '');
  const where = file === undefined ? `written in ${relative(search.root, kustomizationPath)}` : relative(search.root, file);
  const pattern = namePattern(patch.target);
  if (pattern instanceof Error) {
    return { kind: 'unsupported', reason: `the target name of a patch (${where}) is no pattern kustomize reads (${pattern.message}): fix it, then run kaji rightsize again` };
  }
  const documents = documentsOf(text);
  // A JSON 6902 patch is a list of operations: kaji does not rewrite its values.
  const operations = documents.length === 1 && Array.isArray(documents[0]!.value) ? documents[0]!.value : undefined;
  if (operations !== undefined) {
    const touches = operations.some((operation) => isObject(operation) && typeof operation.path === 'string' && /\/resources(\/|$)/.test(operation.path));
    return touches && targets(patch.target, pattern, undefined, search.workload, names)
      ? { kind: 'unsupported', reason: `${file === undefined ? `a JSON 6902 patch ${where}` : `the JSON 6902 patch ${where}`} may set it: edit it there by hand` }
      : NONE;
  }
  for (const [index, { value }] of [...documents.entries()].reverse()) {
    if (!isObject(value) || !targets(patch.target, pattern, value, search.workload, names)) continue;
    const pointer = requestPointer(value, search.container, search.resource);
    if (pointer === undefined) continue;
    if (file === undefined) return { kind: 'unsupported', reason: `it is set by a patch ${where}: move the patch into a file of its own (patches: - path: FILE) for kaji to edit it` };
    return siteSearch(search, text, { file, document: index, pointer: pointer.pointer, written: pointer.written });
  }
  return NONE;
}

async function searchDefinition(search: Search, file: string, names: readonly string[]): Promise<SiteSearch> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const documents = documentsOf(text);
  for (const [index, { value }] of documents.entries()) {
    if (!isObject(value) || value.kind !== search.workload.kind || !names.includes(nameOf(value) ?? '')) continue;
    const pointer = requestPointer(value, search.container, search.resource);
    // The definition is the last word: below it there is nothing to look at.
    return pointer === undefined ? NONE : siteSearch(search, text, { file, document: index, pointer: pointer.pointer, written: pointer.written });
  }
  return NONE;
}

/**
 * A site found in `text`, or unsupported where the value is not written there alone: an anchor
 * another container's alias repeats would change that container too, and an alias or merge key
 * cannot be edited in place.
 */
function siteSearch(search: Search, text: string, site: RequestSite): SiteSearch {
  const shared = sharedValueReason(text, site.document, site.pointer);
  if (shared === undefined) return { kind: 'found', site };
  return {
    kind: 'unsupported',
    site,
    reason: `${shared} (${relative(search.root, site.file)}), so an edit of it would change more than this value: write ${search.container}'s resources out without the anchor or alias for kaji to edit it`,
  };
}

/** Whether a patch applies to the workload: by its target (kind, name pattern, label and annotation selectors), or by its own kind and name. */
function targets(target: JsonObject | undefined, pattern: GoRegex | undefined, document: JsonObject | undefined, workload: WorkloadName, names: readonly string[]): boolean {
  if (target !== undefined) {
    if (typeof target.kind === 'string' && target.kind !== workload.kind) return false;
    if (typeof target.labelSelector === 'string' && !selects(target.labelSelector, workload.labels ?? {})) return false;
    if (typeof target.annotationSelector === 'string' && !selects(target.annotationSelector, workload.annotations ?? {})) return false;
    return pattern === undefined || names.some((name) => pattern.test(name));
  }
  return document !== undefined && document.kind === workload.kind && names.includes(nameOf(document) ?? '');
}

/**
 * Whether a Kubernetes label selector (`app=web,tier!=db`, `env in (a,b)`, `!canary`) selects the
 * labels; one kaji cannot read selects nothing (the value is then reported, not edited: kustomize
 * itself would refuse it).
 */
function selects(selector: string, labels: Readonly<Record<string, string>>): boolean {
  const requirements = selector.match(/(?:[^,(]|\([^)]*\))+/g) ?? [];
  return requirements.every((written) => {
    const requirement = written.trim();
    const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(requirement);
    if (set) {
      const values = set[3]!.split(',').map((value) => value.trim());
      const has = Object.hasOwn(labels, set[1]!) && values.includes(labels[set[1]!]!);
      return set[2] === 'in' ? has : !has;
    }
    const compare = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(requirement);
    if (compare) {
      const equal = Object.hasOwn(labels, compare[1]!) && labels[compare[1]!] === compare[3];
      return compare[2] === '!=' ? !equal : equal;
    }
    if (/^![^=!\s]+$/.test(requirement)) return !Object.hasOwn(labels, requirement.slice(1));
    if (/^[^=!\s(),]+$/.test(requirement)) return Object.hasOwn(labels, requirement);
    return false;
  });
}

function requestPointer(object: JsonObject, container: string, resource: ResourceName): { pointer: string; written: JsonValue } | undefined {
  const found = findPodSpec(object);
  if (!found || !Array.isArray(found.spec.containers)) return undefined;
  const index = found.spec.containers.findIndex((entry) => isObject(entry) && entry.name === container);
  const entry = found.spec.containers[index];
  if (!isObject(entry) || !isObject(entry.resources) || !isObject(entry.resources.requests)) return undefined;
  const written = entry.resources.requests[resource];
  if (written === undefined || written === null) return undefined;
  return { pointer: `${found.path}/containers/${index}/resources/requests/${resource}`, written };
}

/** The documents of a YAML stream as applyPatchToYaml counts them (comment-only documents too); unreadable text has none. */
function documentsOf(text: string): { value: JsonValue }[] {
  try {
    // A broken document keeps its place (as null), so the indexes stay applyPatchToYaml's.
    return parseAllDocuments(text, { version: '1.1' }).map((document) => ({
      value: (document.errors.length === 0 && (isMap(document.contents) || isSeq(document.contents)) ? document.toJS() : null) as JsonValue,
    }));
  } catch {
    return [];
  }
}

/** Names as the kustomization's own resources have them, before its namePrefix and nameSuffix. */
function withoutAffixes(names: readonly string[], prefix: string, suffix: string): string[] {
  return names.map((name) =>
    name.length >= prefix.length + suffix.length && name.startsWith(prefix) && name.endsWith(suffix) ? name.slice(prefix.length, name.length - suffix.length) : name,
  );
}

/**
 * A patch target's name as kustomize matches it: a Go (RE2) regular expression over the whole
 * name. RE2 runs in linear time; a JavaScript RegExp would backtrack, and the pattern is a
 * tenant's. An Error for one RE2 rejects.
 */
function namePattern(target: JsonObject | undefined): GoRegex | Error | undefined {
  if (target === undefined || typeof target.name !== 'string') return undefined;
  try {
    return goRegExp(`^(?:${target.name})$`);
  } catch (error) {
    return error as Error;
  }
}

function nameOf(object: JsonObject): string | undefined {
  return isObject(object.metadata) && typeof object.metadata.name === 'string' ? object.metadata.name : undefined;
}

function stringOf(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function listOf(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

