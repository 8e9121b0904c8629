import { fileLine } from '../kube/index.js';

/**
 * A policy configuration that cannot be used. `path` is the key that is wrong
 * (such as "customChecks.noDockerHub.schema"), `file` the configuration file,
 * `line` its line when known.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  /** "file:line: path: message", the one line the CLI prints. */
  describe(): string {
    const where = this.file ? `${fileLine(this.file, this.line)}: ` : '';
    return `${where}${this.path ? `${this.path}: ` : ''}${this.message}`;
  }
}
