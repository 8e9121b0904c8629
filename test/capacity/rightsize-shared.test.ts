// kaji rightsize where one written value is not one container's alone: a YAML anchor another
// container's alias repeats, a patch that also sets a workload with no VerticalPodAutoscaler; where an
// overlay renames the workload (namePrefix), so each cluster's VPA names it differently; and a VPA
// recommending a native sidecar (an init container); a request only a limit sets. Real manifest
// repositories, rendered by kubectl.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kaji } from '../support/cli.js';
import { hasKubectl, tempTree } from '../support/files.js';
import type { BumpFixture } from '../gitops/bump-fixture.js';
import { BLUE_VPAS, blueOverlay, commitToRemote, createRightsizeFixture, GREEN_VPAS, list, rightsizeArgs, SHOP_BASE, vpaObject } from './rightsize-fixture.js';

interface PlannedChange {
  workload: { name: string };
  clusters: string[];
  container: string;
  resource: string;
  file: string | null;
  decision: string;
  skipped: string | null;
  vpa: { source: string; target: string }[];
  proposed: string;
}

describe('kaji rightsize: values shared, workloads renamed', { skip: !hasKubectl && 'needs kubectl' }, () => {
  let fixture: BumpFixture;
  let snapshots: ReturnType<typeof tempTree>;
  const plan = async (blue: object[] = BLUE_VPAS, green: object[] = GREEN_VPAS) => {
    snapshots = tempTree({ 'blue.json': list(blue), 'green.json': list(green) });
    const { code, stdout, stderr } = await kaji([...rightsizeArgs(snapshots, fixture), '--dry-run', '-o', 'json']);
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout) as { changes: PlannedChange[]; notes: { vpa?: string; message: string }[]; diff: string };
  };

  beforeEach(() => {
    fixture = createRightsizeFixture();
  });
  afterEach(() => {
    snapshots?.cleanup();
    fixture.cleanup();
  });

  test("resources under an anchor the log shipper's alias repeats: neither is edited, and the plan says why", async () => {
    const anchored = SHOP_BASE.replace(/( {10}resources:)\n( {12}requests: \{cpu: 200m)/, '$1 &shared\n$2').replace(/( {10}resources:)\n {12}requests: \{cpu: 20m, memory: 32Mi\}\n/, '$1 *shared\n');
    assert.match(anchored, /resources: \*shared\n$/);
    commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': anchored }, 'shop: one set of resources for both containers');
    const { changes, diff } = await plan();
    const base = 'apps/shop/base/deployment.yaml';
    const why = (what: string, container: string) =>
      `${what} (${base}), so an edit of it would change more than this value: write ${container}'s resources out without the anchor or alias for kaji to edit it`;
    const anchor = why('it is written under the anchor &shared, which *shared repeats elsewhere in the document', 'app');
    const alias = why('it is written through the alias *shared', 'log-shipper');
    // One row per written value, naming the clusters that render it, edited or not: the base's anchor once for blue and green.
    assert.deepEqual(changes.map((c) => `${c.container} ${c.resource} ${c.clusters.join()} ${c.file} ${c.decision}: ${c.skipped}`), [
      `app cpu blue,green null change: ${anchor}`,
      'app memory blue apps/shop/overlays/blue/requests.yaml change: null',
      `app memory green null change: ${anchor}`,
      `log-shipper cpu blue,green null change: ${alias}`,
      `log-shipper memory blue,green null change: ${alias}`,
    ]);
    // Sized on both clusters' numbers, as an edited base value is.
    assert.deepEqual(changes[0]!.vpa.map((v) => v.source.replace(/.*\//, '')), ['blue.json', 'green.json']);
    const table = await kaji([...rightsizeArgs(snapshots, fixture), '--dry-run']);
    assert.deepEqual(
      table.stdout.split('\n').filter((line) => line.startsWith('not changed: shop Deployment/shop app cpu')),
      [`not changed: shop Deployment/shop app cpu in blue, green: ${anchor}`],
    );
    // Only blue's own patch is edited; the base (and with it the log shipper) stays as it is.
    assert.doesNotMatch(diff, /deployment\.yaml/);
    assert.match(diff, /^\+ {14}memory: 150Mi$/m);
  });

  test('a patch that also sets the request of a workload with no VerticalPodAutoscaler: the render shows it, and nothing of the service is edited', async () => {
    commitToRemote(
      fixture,
      {
        'apps/shop/base/kustomization.yaml': 'resources: [deployment.yaml, job.yaml]\npatches:\n  - path: cpu.yaml\n    target: {name: "shop|migrate"}\n',
        'apps/shop/base/job.yaml': 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: app, image: migrate:1}]\n',
        'apps/shop/base/cpu.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          resources:\n            requests: {cpu: 200m}\n',
      },
      'shop: one cpu request for the app and its migration job',
    );
    const { changes, diff } = await plan();
    const reason =
      'the edit would also change what kaji did not propose (blue: Job/migrate app requests.cpu; green: Job/migrate app requests.cpu): the edited text is shared (a YAML anchor or a patch of several workloads); nothing of shop was changed';
    const cpu = changes.find((c) => c.container === 'app' && c.resource === 'cpu')!;
    assert.deepEqual([cpu.file, cpu.proposed, cpu.skipped], ['apps/shop/base/cpu.yaml', '300m', reason]);
    assert.deepEqual(
      changes.filter((c) => c.decision === 'change').map((c) => c.skipped),
      changes.filter((c) => c.decision === 'change').map(() => reason),
      'every edit of the service is left out',
    );
    assert.equal(diff, '');
  });

  test("blue's overlay renames the workload (namePrefix b-): each cluster's VPA is matched to the value by its own name", async () => {
    commitToRemote(fixture, { 'apps/shop/overlays/blue/kustomization.yaml': `namePrefix: b-\n${blueOverlay()}` }, 'shop: b- in blue');
    const blue = [vpaObject('blue', 'shop', 'b-shop', { app: { cpu: '320m', memory: '157286400' }, 'log-shipper': { cpu: '21m', memory: '31457280' } })];
    const { changes, notes, diff } = await plan(blue);
    const cpu = changes.find((c) => c.container === 'app' && c.resource === 'cpu')!;
    // The base runs in both: judged on both numbers (410m from green, capped at blue's limit).
    assert.deepEqual(
      [cpu.workload.name, cpu.skipped, cpu.proposed, cpu.vpa.map((v) => `${v.source.replace(/.*\//, '')}: ${v.target}`)],
      ['b-shop', null, '300m', ['blue.json: 320m', 'green.json: 410m']],
    );
    assert.deepEqual(notes.filter((note) => note.vpa?.startsWith('shop/')), []);
    assert.match(diff, /^\+ {12}requests: \{cpu: 300m, memory: 256Mi\} {2}# see the capacity review$/m);
    assert.match(diff, /^\+ {14}memory: 150Mi$/m);
  });

  test("a container that sets only a limit: its request is the limit (the API server's default), not the LimitRange's", async () => {
    const limitOnly = SHOP_BASE.replace('          resources:\n            requests: {cpu: 20m, memory: 32Mi}\n', '          resources:\n            limits: {cpu: 50m}\n');
    commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': limitOnly }, 'shop: the log shipper sets a cpu limit only');
    const blue = [vpaObject('blue', 'shop', 'shop', { app: { cpu: '320m', memory: '157286400' }, 'log-shipper': { cpu: '40m', memory: '64Mi' } })];
    const { changes } = await plan(blue);
    const byLimit = "no manifest sets this request (the API server sets it to the container's limit, 50m): add resources.requests to the container for kaji to right-size it";
    const byDefault = 'no manifest sets this request (the LimitRange default applies): add resources.requests to the container for kaji to right-size it';
    assert.deepEqual(
      changes.filter((c) => c.container === 'log-shipper').map((c) => `${c.resource} ${c.clusters.join()} ${c.decision}: ${c.skipped}`),
      [`cpu blue no request: ${byLimit}`, `cpu green no request: ${byLimit}`, `memory blue no request: ${byDefault}`, `memory green no request: ${byDefault}`],
    );
  });

  test('a VPA recommending a native sidecar (an init container): a note, not a silent drop', async () => {
    const sidecar = SHOP_BASE.replace('      containers:\n', `      initContainers:\n        - name: migrate\n          image: migrate:1\n        - name: proxy\n          image: proxy:1\n          restartPolicy: Always\n          resources:\n            requests: {cpu: 50m, memory: 64Mi}\n      containers:\n`);
    commitToRemote(fixture, { 'apps/shop/base/deployment.yaml': sidecar }, 'shop: a proxy sidecar');
    const green = [vpaObject('green', 'shop', 'shop', { app: { cpu: '410m', memory: '300Mi' }, 'log-shipper': { cpu: '21m', memory: '30Mi' }, proxy: { cpu: '500m', memory: '1Gi' }, migrate: { cpu: '100m', memory: '64Mi' } })];
    const { changes, notes } = await plan(BLUE_VPAS, green);
    assert.deepEqual(changes.filter((c) => c.container === 'proxy'), []);
    assert.deepEqual(
      notes.filter((note) => note.vpa === 'shop/kaji-deployment-shop').map((note) => note.message),
      [
        'container proxy of Deployment/shop is a sidecar (an init container that keeps running), not an app container: left out; kaji rightsize edits the requests of spec.containers only, so size it by hand',
        'container migrate of Deployment/shop is an init container, not an app container: left out; kaji rightsize edits the requests of spec.containers only, so size it by hand',
      ],
    );
  });
});
