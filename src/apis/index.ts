// Kubernetes APIs by version: which apiVersions a Kubernetes release no longer
// serves, and what to write instead.
export {
  kubernetesMinor,
  removedApiFindings,
  removedApiVerdict,
  REMOVED_APIS_CHECKED_THROUGH,
  type RemovedApiFinding,
  type RemovedApiVerdict,
} from './removed.js';
