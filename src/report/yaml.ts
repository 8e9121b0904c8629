// `--format yaml`: the same data as the JSON format, as `polaris audit --format yaml`
// prints it (Polaris converts its JSON with sigs.k8s.io/yaml, so every mapping's
// keys come out sorted and sequences are not indented under their key).
import { dump } from 'js-yaml';
import { setOwn } from '../kube/index.js';
import type { AuditData } from '../policy/types.js';
import { polarisJsonValue } from './json.js';
import { compareCodePoints } from './summary.js';

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort(compareCodePoints)) setOwn(out, key, sortKeysDeep(record[key]));
    return out;
  }
  return value;
}

/** The audit as YAML: keys sorted, two-space indentation, no line folding. */
export function formatYaml(audit: AuditData): string {
  return dump(sortKeysDeep(polarisJsonValue(audit)), {
    noArrayIndent: true,
    lineWidth: -1,
    noRefs: true,
    quotingType: '"',
  });
}
