// kaji synth's note on a policy that lets annotations exempt objects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { runSynth } from '../../src/synth/index.js';
import { hasKubectl } from '../support/files.js';
import { platformTree } from '../support/platform.js';

const CHECKS = 'checks:\n  pullPolicyNotAlways: warning\n';

describe('kaji synth: the note on annotation exemptions', { skip: !hasKubectl }, () => {
  test("noted when disallowAnnotationExemptions is left out (Polaris' default allows them), not when the policy sets it, false included", async () => {
    const tree = platformTree([{ name: 'shop' }]);
    try {
      const notesWith = async (policy: string) => {
        writeFileSync(tree.path('polaris.yaml'), policy);
        return (await runSynth({ directory: tree.root, checkOnly: true })).notes;
      };
      const [left] = await notesWith(CHECKS);
      assert.match(left ?? '', /polaris\.yaml allows annotation exemptions: a tenant can annotate its own objects/);
      assert.deepEqual(await notesWith(`${CHECKS}disallowAnnotationExemptions: false\n`), []);
      assert.deepEqual(await notesWith(`${CHECKS}disallowAnnotationExemptions: true\n`), []);
      assert.equal((await notesWith(`${CHECKS}disallowAnnotationExemptions:\n`)).length, 1, 'an empty value is the default too');
    } finally {
      tree.cleanup();
    }
  });
});
