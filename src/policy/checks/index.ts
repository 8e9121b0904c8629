import type { CheckDefinition } from '../types.js';
import { controllerChecks } from './controller.js';
import { podChecks } from './pod.js';
import { containerChecks } from './container.js';
import { relatedChecks } from './related.js';
import { rbacChecks } from './rbac.js';
import { otherChecks } from './other.js';

/** Polaris's 44 built-in checks, by ID. */
export const BUILTIN_CHECKS: ReadonlyMap<string, CheckDefinition> = new Map(
  [...controllerChecks, ...podChecks, ...containerChecks, ...relatedChecks, ...rbacChecks, ...otherChecks].map(
    (check) => [check.id, check],
  ),
);
