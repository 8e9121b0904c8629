// Kustomize fetches a resource, base or component named by a URL or a git
// reference when it renders, and so does Argo CD: what comes from there is
// deployed past the AppProject's source repositories and past the manifest
// repository's review and CI. Synth refuses such entries in every kustomization
// an overlay builds on, before rendering it (so nothing is fetched either).
import { resolve } from 'node:path';
import { displayPath, kustomizationFile, readKustomization, YamlLines, type InputProblem } from '../kube/index.js';

/**
 * The shapes kustomize (kubectl's and Argo CD's, old and new) takes for a remote
 * file or repository. It tries a git reference before a local folder of the same
 * name, so an entry is judged by its shape, never by what exists on disk.
 */
const REMOTE_SHAPES: readonly RegExp[] = [
  /^[a-z][a-z0-9+.-]*:\/\//i, // https://, ssh://, git://, file://
  /^git::/i, // git's forced protocol
  /^[^/@:]+@[^/:]+:/, // scp-like: git@github.com:org/repo
  /^(github\.com|gitlab\.com|bitbucket\.org)([/:]|$)/i, // hosts cloned without a scheme
  /[?&](ref|version)=/, // a git ref
  /\/\/|\.git(\/|$)|(^|\/)_git\//, // repository//path, repo.git, Azure's _git/
];

export function isRemoteEntry(entry: string): boolean {
  return REMOTE_SHAPES.some((shape) => shape.test(entry.trim()));
}

/**
 * Every remote entry of the kustomization in `directory` and of the local
 * kustomizations it builds on, followed through `resources`, `bases` and
 * `components`; each problem names the file (relative to `root`), the line and
 * the entry. A kustomization that cannot be read or parsed is left to kubectl,
 * which reports it when it renders.
 */
export async function remoteEntryProblems(root: string, directory: string): Promise<InputProblem[]> {
  const problems: InputProblem[] = [];
  const pending = [resolve(directory)];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const current = pending.shift()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const file = kustomizationFile(current);
    if (!file) continue; // a manifest file, or a missing folder kubectl reports
    const kustomization = await readKustomization(file);
    if (!kustomization) continue;
    const lines = new YamlLines(kustomization.text);
    for (const { field, index, entry } of kustomization.entries) {
      if (!isRemoteEntry(entry)) {
        pending.push(resolve(current, entry));
        continue;
      }
      const line = lines.lineOf([field, index]);
      problems.push({
        file,
        line,
        message: `${displayPath(file, root)}${line ? `:${line}` : ''}: ${field} entry "${entry}" is fetched from outside the manifest repository when rendered, past the AppProject's source repositories and this repository's review; vendor its files into the repository and name them by a local path`,
      });
    }
  }
  return problems;
}
