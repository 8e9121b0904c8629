// Tenant boundaries that need one object and its tenant's boundary only: the
// public face both `kaji synth` and the admission webhook import.
export {
  objectBoundaryFindings,
  serviceBoundary,
  imageAllowed,
  CLUSTER_SCOPED_KINDS,
  TENANT_FORBIDDEN_KINDS,
  type BoundaryRule,
  type BoundaryFinding,
  type TenantBoundary,
} from './objects.js';
export { claimedHosts, describeClaim, albAnnotations, goFields, ALB, type HostClaim } from './ingress.js';
export { bareNodeNameFinding, teamRoleNameFinding } from './workload.js';
export { tenantsDocument, parseTenants, type TenantsDocument, type TenantService } from './tenants.js';
