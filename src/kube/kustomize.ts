import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { isObject } from './podspec.js';
import type { JsonObject, JsonValue } from './types.js';

/** The file names kustomize accepts for a kustomization, in its order of preference. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The kustomization file of a directory, if it has one. */
export function kustomizationFile(directory: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(directory, name)).find((file) => existsSync(file));
}

/** The fields whose entries kustomize loads as files or kustomizations: local paths, or URLs and git references. */
const KUSTOMIZATION_ENTRY_FIELDS = ['resources', 'bases', 'components'] as const;

/** One string entry of a KUSTOMIZATION_ENTRY_FIELDS field, with where it stands. */
export interface KustomizationEntry {
  readonly field: (typeof KUSTOMIZATION_ENTRY_FIELDS)[number];
  readonly index: number;
  readonly entry: string;
}

/**
 * A kustomization file's text and its entries; undefined when it
 * cannot be read or is not a YAML mapping (kubectl reports that when it renders).
 */
export async function readKustomization(file: string): Promise<{ text: string; entries: KustomizationEntry[] } | undefined> {
  let text: string;
  let kustomization: JsonValue;
  try {
    text = await readFile(file, 'utf8');
    kustomization = load(text) as JsonValue;
  } catch {
    return undefined;
  }
  if (!isObject(kustomization)) return undefined;
  return { text, entries: entriesOf(kustomization) };
}

function entriesOf(kustomization: JsonObject): KustomizationEntry[] {
  return KUSTOMIZATION_ENTRY_FIELDS.flatMap((field) => {
    const values = kustomization[field];
    if (!Array.isArray(values)) return [];
    return values.flatMap((entry, index) => (typeof entry === 'string' ? [{ field, index, entry }] : []));
  });
}

/** A failure to render a kustomization, with a message a user can act on. */
export class KustomizeError extends Error {}

/**
 * Renders a kustomization directory with `kubectl kustomize` (the kustomize
 * built into kubectl, which is what Argo CD users have at hand).
 */
export function renderKustomization(directory: string, kubectl = process.env.KAJI_KUBECTL ?? 'kubectl'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(kubectl, ['kustomize', directory], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new KustomizeError(
            `cannot render the kustomization: "${kubectl}" was not found. Install kubectl (it includes kustomize) or pass the rendered YAML instead (kubectl kustomize DIR | kaji check -).`,
          ),
        );
      }
      const reason = stderr.trim().split('\n').filter(Boolean).pop() ?? error.message;
      reject(new KustomizeError(`kubectl kustomize failed: ${reason}`));
    });
  });
}
