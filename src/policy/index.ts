export type * from './types.js';
export { HANDLED_TARGETS } from './types.js';
export { ConfigError } from './errors.js';
export { loadPolicyConfig, parsePolicyConfig, defaultPolicyConfig, mergeMaps, SEVERITIES } from './config.js';
export { auditObjects, auditObject, enabledChecks, appliesTo } from './engine.js';
export { filterBySeverity, filterMessages } from './filter.js';
export { countResults, scoreOf, messagesOf, type Counts } from './score.js';
export { BUILTIN_CHECKS } from './checks/index.js';
export { exemptByAnnotation, exemptByConfig, EXEMPT_ANNOTATION, checkExemptAnnotation } from './exemptions.js';
