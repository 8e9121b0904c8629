// Applies check mutations to a manifest file's text, byte-exactly: only the
// bytes the patches touch change (comments, quoting and layout stay).
import { isDeepStrictEqual } from 'node:util';
import {
  applyPatchToYaml,
  lineEndingOf,
  listItems,
  parseDocument,
  sharedValueReason,
  partIndexAt,
  splitDocuments,
  splitStreamPieces,
  type DocumentText,
  type JsonValue,
  type KubeObject,
  type LineEnding,
  type StreamPiece,
} from '../kube/index.js';
import { applyMutations, expandWildcards, replaceMissingAsAdd, type CheckMutation } from './mutate.js';
import type { PatchOperation } from './types.js';

/** One object of a file whose failed checks carry mutations. */
export interface Fixable {
  readonly object: KubeObject;
  readonly mutations: readonly CheckMutation[];
}

export interface FileFix {
  readonly text: string;
  /** Check ID → number of mutations applied. */
  readonly applied: Map<string, number>;
  readonly failures: { readonly line: number; readonly message: string }[];
}

/**
 * Applies the mutations of a file's objects to its text. The file is cut once into
 * its documents (splitStreamPieces), and each document with something to fix is
 * edited on its own text, then the pieces are joined again: editing the whole file
 * for each mutation took time quadratic in its documents (minutes for a rendered
 * bundle of a few hundred). Each check's mutation is applied whole or not at all,
 * and only when the edited document reads back as the patched object.
 */
export function fixManifestText(original: string, fixables: readonly Fixable[]): FileFix {
  const fix: FileFix = { text: original, applied: new Map(), failures: [] };
  const eol = lineEndingOf(original);
  const pieces = splitStreamPieces(original);
  const texts = pieces.map((piece) => piece.text);
  const byPiece = new Map<number, Fixable[]>();
  for (const fixable of fixables) {
    const index = partIndexAt(pieces, fixable.object.source.line);
    byPiece.set(index, [...(byPiece.get(index) ?? []), fixable]);
  }
  // From the bottom up, as the failures have always been told.
  for (const index of [...byPiece.keys()].sort((a, b) => b - a)) texts[index] = fixPiece(pieces[index]!, byPiece.get(index)!, eol, fix);
  return { ...fix, text: texts.join('') };
}

/** One piece's text with its objects' mutations applied, counted in `fix`; lines are the file's in failures. */
function fixPiece(piece: StreamPiece, fixables: readonly Fixable[], eol: LineEnding, fix: FileFix): string {
  const toFile = piece.startLine - 1;
  // From the bottom up, so the documents above keep their lines.
  const lines = [...new Set(fixables.map((fixable) => fixable.object.source.line - toFile))].sort((a, b) => b - a);
  let text = piece.text;
  for (const line of lines) {
    const inDocument = fixables.filter((fixable) => fixable.object.source.line - toFile === line);
    const prefixes = itemPrefixes(documentAt(text, line), inDocument);
    let pending = inDocument.flatMap((fixable, index) => fixable.mutations.map((mutation) => ({ mutation, object: fixable.object, prefix: prefixes[index] ?? '' })));
    // A mutation refused because its edit shows through an alias (a container anchored and merged
    // into another) may apply once the other's own have: refused ones are tried again while a pass
    // applies any, so one run does what it can and a second finds nothing left.
    for (;;) {
      const refused: { mutation: CheckMutation; object: KubeObject; prefix: string; reason: string }[] = [];
      for (const { mutation, object, prefix } of pending) {
        try {
          const edited = applyMutation(text, line, mutation, prefix, eol);
          if (edited === undefined) continue;
          text = edited;
          fix.applied.set(mutation.check, (fix.applied.get(mutation.check) ?? 0) + 1);
        } catch (error) {
          refused.push({ mutation, object, prefix, reason: (error as Error).message });
        }
      }
      if (refused.length === 0 || refused.length === pending.length) {
        for (const { mutation, object, reason } of refused) {
          // The object too: a line of a List, or of a file of many documents, holds more than one.
          const where = `${objectName(object)}${mutation.container ? `, container ${mutation.container}` : ''}`;
          fix.failures.push({ line: line + toFile, message: `${mutation.check} (${where}): cannot apply the mutation: ${reason}` });
        }
        break;
      }
      pending = refused;
    }
  }
  return text;
}

/** "Deployment/shop/web", or "ClusterRole/admin" for a cluster-scoped object, as the reports name objects. */
function objectName(object: KubeObject): string {
  return object.namespace ? `${object.kind}/${object.namespace}/${object.name}` : `${object.kind}/${object.name}`;
}

/** The text with one check's mutation applied to the document at `line`; undefined when it has nothing to do. Throws why it cannot. */
function applyMutation(text: string, line: number, mutation: CheckMutation, prefix: string, eol: LineEnding): string | undefined {
  const current = documentAt(text, line);
  const operations = mutation.operations
    .map((operation) => prefixed(operation, prefix))
    .flatMap((operation) => expandWildcards(current, operation))
    .map((operation) => replaceMissingAsAdd(current, operation)); // as Polaris, and the webhook's safePatch, apply it
  if (operations.length === 0) return undefined;
  const edited = applyPatchToYaml(text, { line }, operations, eol);
  if (isDeepStrictEqual(documentAt(edited, line), applyMutations(current, operations))) return edited;
  // kube's rule for a value written in more than one place: only an alias on an edited path is the cause.
  if (operations.some((operation) => sharedValueReason(text, { line }, operation.path) !== undefined)) {
    throw new Error(
      'the place it edits is anchored (&name) and used again through an alias (*name, or a merge <<: *name), so the edit would change the other place too; ' +
        'it was left unchanged: write the anchored part out in each place',
    );
  }
  throw new Error('the edited YAML does not read back as the patched object, so it was left unchanged (please report this)');
}

/** The parsed document whose first content line is `line`, as `loadInputs` read it. */
function documentAt(text: string, line: number): JsonValue {
  return parseDocument(documentTextAt(text, line)) as JsonValue;
}

function documentTextAt(text: string, line: number): DocumentText {
  const document = splitDocuments(text).find((candidate) => candidate.contentLine === line);
  if (!document) throw new Error(`no document starts at line ${line}`);
  return document;
}

/**
 * The JSON Pointer prefix of each object within its document: "" for a plain
 * document, `/items/N` for the items of a `kind: List`, matched by kind, name and namespace.
 */
function itemPrefixes(document: JsonValue, fixables: readonly Fixable[]): string[] {
  const items = listItems(document);
  if (!items) return fixables.map(() => '');
  const used = new Set<number>();
  return fixables.map(({ object }) => {
    const index = items.findIndex((item, i) => !used.has(i) && sameObject(item, object));
    if (index < 0) return '/items/?';
    used.add(index);
    return `/items/${index}`;
  });
}

function sameObject(item: JsonValue, object: KubeObject): boolean {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const metadata = (typeof item.metadata === 'object' && item.metadata !== null ? item.metadata : {}) as Record<string, JsonValue>;
  return item.kind === object.kind && (metadata.name ?? '') === object.name && (metadata.namespace ?? '') === object.namespace;
}

function prefixed(operation: PatchOperation, prefix: string): PatchOperation {
  if (!prefix) return operation;
  return { ...operation, path: prefix + operation.path, ...(operation.from !== undefined ? { from: prefix + operation.from } : {}) };
}

