// The platform definition (`platform.yaml`): its types, and loading with validation.
export type * from './types.js';
export { RESERVED_NAMESPACES, KAJI_NAMESPACE } from './types.js';
