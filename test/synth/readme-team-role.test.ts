// README's account of what people on a team may do in their namespaces, against the
// team Role kaji generates: the example platform's, which "the example platform" test
// keeps byte for byte what kaji synth writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { KAJI_ROOT } from '../support/files.js';

const CLUSTERS = join(KAJI_ROOT, 'examples/labs/manifests/clusters');
const READS = new Set(['get', 'list', 'watch']);

interface Rule {
  readonly resources?: string[];
  readonly verbs?: string[];
}

/** "verb resource" for every write the generated team Roles grant, over every cluster and tenant. */
function teamRoleWrites(): string[] {
  const writes = new Set<string>();
  for (const cluster of readdirSync(CLUSTERS)) {
    const tenants = join(CLUSTERS, cluster, 'tenants');
    for (const tenant of readdirSync(tenants)) {
      for (const document of loadAll(readFileSync(join(tenants, tenant, 'rbac.yaml'), 'utf8')) as { kind?: string; metadata?: { name?: string }; rules?: Rule[] }[]) {
        if (document.kind !== 'Role' || document.metadata?.name !== 'kaji-team') continue;
        for (const rule of document.rules ?? []) {
          for (const verb of rule.verbs ?? []) if (!READS.has(verb)) for (const resource of rule.resources ?? []) writes.add(`${verb} ${resource}`);
        }
      }
    }
  }
  return [...writes].sort();
}

test('README says people on a team write what the generated team Role grants them: deleting pods and port-forward, no kubectl apply', () => {
  assert.deepEqual(teamRoleWrites(), ['create pods/portforward', 'delete pods']);
  const readme = readFileSync(join(KAJI_ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  assert.doesNotMatch(readme, /`kubectl apply` into their namespaces/);
  assert.match(readme, /People on a team do not write to their namespaces themselves: the generated team Role .* delete pods and port-forward, nothing else\./);
});
