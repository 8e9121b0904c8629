// What the platform definition derives for each cluster: the files under
// `clusters/<cluster>/` of the manifest repository, and the DNS annotations
// synth applies to what it renders.
export { deriveClusterFiles, bootstrapObjects, DeriveError } from './cluster.js';
export type { DeriveOptions } from './cluster.js';
export { GENERATED_MARKER, isGeneratedFile } from './yaml.js';
export type { GeneratedFile } from './yaml.js';
export { dnsAnnotations, annotateIngresses, DNS_TTL_SECONDS } from './dns.js';
export { PLATFORM_COMPONENTS } from './components.js';
export type { PlatformComponent, ComponentContext } from './components.js';
export {
  webhookComponent,
  WEBHOOK_NAME,
  WEBHOOK_PORT,
  WEBHOOK_RULES,
  MUTATE_RULES,
  WEBHOOK_EXCLUDED_NAMESPACES,
  SERVING_CERTIFICATE,
  POLICY_CONFIGMAP,
  POLICY_KEY,
  TENANTS_CONFIGMAP,
  TENANTS_KEY,
  BOUNDARY_RULES,
} from './components/webhook.js';
export { TENANT_BLACKLIST, argoCdHost, argoCdConfigMaps, argoCdUrl, ARGOCD_READER_ACCOUNT, SSO_CLIENT_SECRET } from './argocd.js';
export {
  recommendedWorkloads,
  verticalPodAutoscalerObject,
  vpaFilePath,
  vpaName,
  RECOMMENDED_KINDS,
  VPA_API_VERSION,
  VPA_KIND,
} from './vpa.js';
export type { WorkloadRef, RecommendedKind } from './vpa.js';
export type { GroupKind, ArgoCdConfigMaps } from './argocd.js';
export { GUARDRAIL_NAMES, POD_IDENTITY_AGENT, INSTANCE_METADATA_ADDRESSES } from './tenant.js';
export {
  teamGroup,
  clusterFolder,
  SYSTEM_NODE_LABEL,
  SYSTEM_NODE_TAINT,
  RESERVED_ARGOCD_NAMES,
  ROOT_APP,
  TENANTS_APP,
  PLATFORM_APP,
  ARGOCD_NAMESPACE,
  MANAGED_BY_LABEL,
  TEAM_LABEL,
  SERVICE_LABEL,
} from './names.js';
