// A release with platform.yaml outside the manifest checkout (two repositories):
// its edit is made in place once the push has landed, a clone, kaji synth and
// a push after platform.yaml was read. An edit someone made to the file
// meanwhile must survive it. The edit is made from the release's own
// checkBranch hook, which runs in the clone before the push.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl } from '../support/files.js';
import { loadPlatform } from '../../src/platform/index.js';
import { StepFailedError } from '../../src/upgrade/index.js';
import { setClusterWeights } from '../../src/upgrade/platform-edit.js';
import { releasePlatformChange, type ReleaseOptions } from '../../src/upgrade/release.js';
import { createFixture, ECR, type Fixture } from './fixture.js';

const WEIGHTS = { blue: 229, green: 26 };
const TITLE = 'upgrade blue → green: weight 10% (blue 229, green 26)';

/** A weight step's release, as the runbook makes it; `meanwhile` runs once, in the first clone, before the edit. */
async function releaseWeights(fixture: Fixture, meanwhile: (file: string) => void): Promise<ReturnType<typeof releasePlatformChange>> {
  const platform = await loadPlatform(join(fixture.platformDir, 'platform.yaml'));
  let ran = false;
  const options: ReleaseOptions = {
    platformFile: platform.file,
    edit: (text) => setClusterWeights(text, WEIGHTS, 'platform.yaml'),
    expected: { what: 'the aws-weight annotations', allows: (_file, changed) => changed.every((line) => /^[-+]\s*external-dns\.alpha\.kubernetes\.io\/aws-weight: /.test(line)) },
    checkBranch: async () => {
      if (!ran) meanwhile(platform.file);
      ran = true;
    },
    title: TITLE,
    trailers: { 'Kaji-Upgrade': 'blue -> green' },
    author: { name: 'kaji', email: 'kaji@example.com' },
  };
  return releasePlatformChange(platform, options);
}

describe('platform.yaml edited in place', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test('an edit made to it while the release ran is kept, and the weights are set in it too', async () => {
    const fixture = await createFixture();
    try {
      const before = fixture.tip();
      // A colleague onboards a service in their editor while the release clones and regenerates.
      const service = `  - {name: basket, team: web, image: ${ECR}/basket, quota: {cpu: "1", memory: 1Gi, pods: 10}}\n`;
      const result = await releaseWeights(fixture, (file) => writeFileSync(file, fixture.readPlatform() + service));
      assert.equal(result.pushed, true);
      assert.notEqual(fixture.tip(), before);
      assert.equal(result.platformEdited, 'in-place');
      const text = fixture.readPlatform();
      assert.ok(text.endsWith(service), "the colleague's service is still there");
      assert.match(text, /- name: blue\n {4}kubernetesVersion: "1\.32"\n {4}weight: 229 # all traffic today\n/);
      assert.match(text, /- name: green\n {4}kubernetesVersion: "1\.35"\n {4}weight: 26\n/);
      // The release itself was made from platform.yaml as it was read: the new service is not in it.
      assert.equal(fixture.show('clusters/green/argocd/apps/basket.yaml'), undefined);
      assert.match(fixture.show('clusters/green/argocd/apps/shop.yaml')!, /aws-weight: '26'/);
    } finally {
      fixture.cleanup();
    }
  });

  test('an edit the weights no longer apply to: the file is left as the colleague made it, and the message names it, the commit pushed and the change to make by hand', async () => {
    const fixture = await createFixture();
    try {
      // Green renamed meanwhile: setClusterWeights finds no cluster named green.
      let edited = '';
      const failure = await releaseWeights(fixture, (file) => {
        edited = fixture.readPlatform().replace('- name: green', '- name: green-2');
        writeFileSync(file, edited);
      }).then(
        () => assert.fail('the release should stop'),
        (error: unknown) => error,
      );
      assert.ok(failure instanceof StepFailedError, String(failure));
      const pushed = fixture.tip().slice(0, 12);
      assert.equal(
        failure.message,
        `the release landed (main of the manifest repository has it at ${pushed}), but ${join(fixture.platformDir, 'platform.yaml')} was changed while the release ran ` +
          `and the edit no longer applies to it (platform.yaml: clusters has no cluster named green), so it was left as it is: make the change in it by hand (${TITLE}), then commit it in its repository`,
      );
      assert.match(fixture.show('clusters/green/argocd/apps/shop.yaml')!, /aws-weight: '26'/);
      assert.equal(fixture.readPlatform(), edited);

      // Made by hand (green's name put back, the weights set), the same release pushes nothing again.
      writeFileSync(join(fixture.platformDir, 'platform.yaml'), setClusterWeights(edited.replace('- name: green-2', '- name: green'), WEIGHTS, 'platform.yaml'));
      const tip = fixture.tip();
      const again = await releaseWeights(fixture, () => undefined);
      assert.deepEqual([again.pushed, again.commit, fixture.tip()], [false, tip, tip]);
    } finally {
      fixture.cleanup();
    }
  });
});
