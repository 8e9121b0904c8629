export {
  createWebhookServer,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_INFLIGHT_BODY_BYTES,
  DEFAULT_TIMEOUTS,
  type WebhookOptions,
  type WebhookServer,
  type WebhookTimeouts,
} from './server.js';
export { watchConfig, watchTenants, type ConfigChange, type TenantsChange, type ConfigWatcher, type WatchOptions } from './config-watch.js';
export { decide, parseReview, BadReview, ADMISSION_VERSIONS, type AdmissionResponse, type Decision, type TenantBoundaries } from './admission.js';
export { WebhookMetrics, DURATION_BUCKETS } from './metrics.js';
export { reloadTlsOnChange, tlsPairProblem, type TlsFiles } from './tls-reload.js';
export { selfSignedLoopbackCertificate, type SelfSignedCertificate } from './self-signed.js';
export { gracefulClose, type GracefulClose } from './graceful-close.js';
