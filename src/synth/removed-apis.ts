// Removed APIs per cluster: each service's rendered objects judged against the
// Kubernetes version of the cluster they are rendered for. A blue/green
// upgrade may skip minor versions; an object whose apiVersion the new cluster
// no longer serves would fail to sync there, so it is a danger of its service
// like a tenant boundary it crosses.
import { removedApiFindings } from '../apis/index.js';
import { displayPath, type KubeObject } from '../kube/index.js';
import type { ClusterDefinition, ServiceDefinition } from '../platform/index.js';
import { violation, type BoundaryViolation } from './boundaries.js';

/** The objects of a service, rendered for `cluster`, whose apiVersion the cluster's Kubernetes version no longer serves. */
export function removedApiViolations(cluster: ClusterDefinition, service: ServiceDefinition, objects: readonly KubeObject[]): BoundaryViolation[] {
  return removedApiFindings(cluster.kubernetesVersion, objects).map((finding) =>
    violation(service.name, finding.object, {
      rule: 'removedApi',
      message: `rendered by ${displayPath(finding.object.source.file)}: ${finding.message}`,
    }),
  );
}
