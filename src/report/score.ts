// `--format score`: the score alone, as `polaris audit --format score` prints it.
import type { AuditData } from '../policy/types.js';

/** The audit's score and a newline. */
export function formatScore(audit: AuditData): string {
  return `${audit.Score}\n`;
}
