// Kustomize fetches what a kustomization names by a URL or a git reference when
// it renders (a resource, base or component, a generator's or transformer's
// configuration, a patch, a generator's file, a schema, a Helm chart from its
// repository), and so does Argo CD: what comes from there is deployed past the
// AppProject's source repositories and past the manifest repository's review
// and CI. Rendering refuses such values in every kustomization an overlay
// builds on, before kubectl runs (so nothing is fetched either: see
// RemoteLoadsError); synth reports each of them as a problem of its own.
import { displayPath, fileLine, type InputProblem } from '../kube/index.js';
import { remoteLoadText, VENDOR_ADVICE, type RemoteLoad } from '../kube/kustomize.js';

/** One problem per remote value, naming the file (relative to `root`), the line, the field and the value, and saying what to do. */
export function remoteLoadProblems(root: string, remote: readonly RemoteLoad[]): InputProblem[] {
  return remote.map((load) => ({
    file: load.file,
    line: load.line,
    message: `${fileLine(displayPath(load.file, root), load.line)}: ${remoteLoadText(load)}, past the AppProject's source repositories and this repository's review; ${VENDOR_ADVICE[load.loads]}`,
  }));
}
