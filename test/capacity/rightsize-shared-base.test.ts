// kaji rightsize and a base another service's overlay builds from too: an edit there would change
// that service's pods, whose numbers, limits and quota the run does not judge, so it is left alone,
// said why; the service's own overlay files are still sized.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { withToken } from '../support/github-server.js';
import type { BumpFixture } from '../gitops/bump-fixture.js';
import { BLUE_VPAS, commitToRemote, createRightsizeFixture, GREEN_VPAS, list, rightsizeArgs } from './rightsize-fixture.js';

interface PlannedChange {
  readonly file: string | null;
  readonly decision: string;
  readonly skipped: string | null;
}

describe("kaji rightsize: a base another service's overlay builds from", { skip: !hasKubectl && 'needs kubectl' }, () => {
  let fixture: BumpFixture;
  let snapshots: ReturnType<typeof tempTree>;
  before(() => {
    fixture = createRightsizeFixture();
    // cart's green overlay brings in shop's base too, into cart's namespace.
    commitToRemote(
      fixture,
      { 'apps/cart/overlays/green/kustomization.yaml': 'namespace: cart\nresources:\n  - ../../base\n  - ../../../shop/base\n' },
      "cart: runs shop's base too",
    );
    snapshots = tempTree({ 'blue.json': list(BLUE_VPAS), 'green.json': list(GREEN_VPAS) });
  });
  after(() => {
    snapshots.cleanup();
    fixture.cleanup();
  });

  test("values written in shop's base are left, naming cart; the value in shop's own overlay patch is sized as ever", async () => {
    const { code, stdout, stderr } = await withToken(undefined, () => kaji([...rightsizeArgs(snapshots, fixture), '--dry-run', '-o', 'json', '--service', 'shop', '--threshold', '0']));
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout) as { changes: PlannedChange[]; diff: string };
    const changes = plan.changes;
    const inBase = changes.filter((change) => change.skipped?.startsWith('it is written in apps/shop/base/deployment.yaml'));
    assert.ok(inBase.length >= 2, stdout); // cpu on both clusters, green's memory: each value the base writes
    for (const change of inBase) {
      assert.equal(change.file, null, 'not edited');
      assert.match(change.skipped!, /which the overlays of cart build from too: an edit would change their pods as well, which this run does not judge; change it by hand$/);
    }
    assert.doesNotMatch(plan.diff, /apps\/shop\/base/);
    assert.match(plan.diff, /apps\/shop\/overlays\/blue\/requests\.yaml/);
    const patched = changes.find((change) => change.file === 'apps/shop/overlays/blue/requests.yaml');
    assert.equal(patched?.skipped, null, JSON.stringify(patched));
    assert.equal(patched?.decision, 'change');
  });
});
