/**
 * One problem in a platform definition. `path` is the field that is wrong, as
 * written in messages (`services[3].quota.memory`; empty for the whole file),
 * `file` the file as the caller named it, `line` and `column` (1-based) where
 * the problem is in it, when known.
 */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'PlatformError';
  }

  /** "platform.yaml:12:7: services[3].quota.memory: message", the one line the CLI prints. */
  describe(): string {
    const where = this.line === undefined ? this.file : `${this.file}:${this.line}:${this.column ?? 1}`;
    return `${where}: ${this.path ? `${this.path}: ` : ''}${this.message}`;
  }
}

/**
 * Every problem found in a platform definition, in the order they appear in the
 * file. Loading throws this (never a bare PlatformError), so that a user sees
 * all problems at once; `describe()` gives one line per problem.
 */
export class PlatformErrors extends Error {
  readonly errors: readonly PlatformError[];

  constructor(errors: readonly PlatformError[]) {
    super(errors.map((error) => error.describe()).join('\n'));
    this.name = 'PlatformErrors';
    this.errors = errors;
  }

  /** One line per problem, "file:line:column: path: message". */
  describe(): string {
    return this.message;
  }
}
