import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The file names kustomize accepts for a kustomization, in its order of preference. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The kustomization file of a directory, if it has one. */
export function kustomizationFile(directory: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(directory, name)).find((file) => existsSync(file));
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
