import type { CheckDefinition } from '../types.js';

export const containerChecks: readonly CheckDefinition[] = [];
