import type { CheckDefinition } from '../types.js';

export const relatedChecks: readonly CheckDefinition[] = [];
