// Kustomize fetches what a kustomization names by a URL or a git reference when
// it renders (a resource, base or component, a generator's or transformer's
// configuration, a patch, a generator's file, a schema, a Helm chart from its
// repository), and so does Argo CD: what comes from there is deployed past the
// AppProject's source repositories and past the manifest repository's review
// and CI. Synth refuses such values in every kustomization an overlay builds on,
// before rendering it (so nothing is fetched either).
import { displayPath, type InputProblem } from '../kube/index.js';
import { remoteLoads, remoteLoadText, VENDOR_ADVICE } from '../kube/kustomize.js';

/**
 * Every remote value of the kustomization in `directory` and of the local
 * kustomizations and configurations it builds on (see remoteLoads); each
 * problem names the file (relative to `root`), the line, the field and the
 * value, and says what to do.
 */
export async function remoteEntryProblems(root: string, directory: string): Promise<InputProblem[]> {
  return (await remoteLoads(directory)).map((remote) => ({
    file: remote.file,
    line: remote.line,
    message: `${displayPath(remote.file, root)}${remote.line ? `:${remote.line}` : ''}: ${remoteLoadText(remote)}, past the AppProject's source repositories and this repository's review; ${VENDOR_ADVICE[remote.loads]}`,
  }));
}
