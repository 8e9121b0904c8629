import type { CheckDefinition } from '../types.js';

export const controllerChecks: readonly CheckDefinition[] = [];
