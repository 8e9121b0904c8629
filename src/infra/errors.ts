// Errors of kaji's CDK constructs: each names the construct (its path in the
// construct tree), the field that is wrong, and what to do about it; and how a
// CDK app reports them and platform.yaml's problems.
import { PlatformErrors } from '../platform/definition/errors.js';

const INFRA_ERROR = Symbol.for('kaji.infra.InfraError');

/** A construct was given props it cannot build from. */
export class InfraError extends Error {
  override readonly name = 'InfraError';
  /** The path of the construct that refused its props, e.g. "Labs/Shared". */
  readonly constructPath: string;
  /** The field at fault, as a path into the props, e.g. "platform.services[2].image". */
  readonly field: string;

  constructor(constructPath: string, field: string, message: string) {
    super(`${constructPath}: ${field} ${message}`);
    this.constructPath = constructPath;
    this.field = field;
    Object.defineProperty(this, INFRA_ERROR, { value: true });
  }

  /** True for an InfraError from any copy of kaji (no `instanceof` across package copies). */
  static isInfraError(value: unknown): value is InfraError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[INFRA_ERROR] === true;
  }
}

/**
 * For a CDK app's entry point (`bin/app.mts`): kaji's own errors, a
 * platform.yaml problem (PlatformErrors, each at file:line) or props a
 * construct refused (InfraError), are printed as their message, with no stack
 * trace, and end the process with exit code 1; anything else is thrown again.
 */
export function exitOnKajiError(error: unknown): never {
  if (error instanceof PlatformErrors) {
    process.stderr.write(`kaji: invalid platform definition:\n${error.describe()}\n`);
    process.exit(1);
  }
  if (InfraError.isInfraError(error)) {
    process.stderr.write(`kaji: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
