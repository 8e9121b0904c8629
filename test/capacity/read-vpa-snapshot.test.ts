// A snapshot (`kubectl get vpa -A -o json`) holds every VPA of the cluster; only kaji's size the requests,
// as with --context (selector managed-by=kaji): a tenant's VPA must not choose what rightsize proposes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CapacityInputError, readSnapshotRecommendations } from '../../src/capacity/index.js';
import { list, vpaObject } from './rightsize-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'kaji-vpa-snapshot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tenantVpa(namespace: string, workload: string) {
  const vpa = vpaObject('blue', namespace, workload, { app: { cpu: '4', memory: '8Gi' } });
  return { ...vpa, metadata: { name: `tenant-${workload}`, namespace } };
}

describe('readSnapshotRecommendations: only the VPAs kaji synth wrote', () => {
  test("a tenant's VPA in the snapshot is ignored; kaji's is read", async () => {
    const file = join(dir, 'mixed.json');
    writeFileSync(file, list([vpaObject('blue', 'shop', 'web', { app: { cpu: '250m', memory: '150Mi' } }), tenantVpa('shop', 'worker')]));
    const found = await readSnapshotRecommendations(file);
    assert.deepEqual(found.map((r) => `${r.namespace}/${r.name} -> ${r.targetRef.name}`), ['shop/kaji-deployment-web -> web'], "nothing from the tenant's VPA");
  });

  test("a snapshot with only a tenant's VPA: the error says it holds none kaji wrote", async () => {
    const file = join(dir, 'tenant.json');
    writeFileSync(file, list([tenantVpa('shop', 'worker')]));
    await assert.rejects(readSnapshotRecommendations(file), (error: unknown) => {
      assert.ok(error instanceof CapacityInputError);
      assert.match(error.message, /holds no VerticalPodAutoscaler kaji synth wrote \(label app\.kubernetes\.io\/managed-by=kaji\)/);
      return true;
    });
  });
});
