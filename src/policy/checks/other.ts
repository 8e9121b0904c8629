import type { CheckDefinition } from '../types.js';

export const otherChecks: readonly CheckDefinition[] = [];
