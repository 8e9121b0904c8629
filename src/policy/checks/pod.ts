import type { CheckDefinition } from '../types.js';

export const podChecks: readonly CheckDefinition[] = [];
