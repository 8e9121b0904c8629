// runSynth({ infrastructure: false }): what kaji upgrade's releases run. The generated files are
// the same; the CDK app is not synthesised.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runSynth } from '../../src/synth/index.js';
import { hasKubectl } from '../support/files.js';
import { platformTree } from '../support/platform.js';

/** Every file under `folder`, by path, with its text. */
function filesUnder(folder: string): Record<string, string> {
  const paths = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((path) => statSync(join(folder, path)).isFile());
  return Object.fromEntries(paths.sort().map((path) => [path, readFileSync(join(folder, path), 'utf8')]));
}

describe('kaji synth without the CDK app', { skip: !hasKubectl }, () => {
  test('writes the same generated files, lists no stacks and writes no cdk.out/', async () => {
    const services = [{ name: 'shop' }, { name: 'cart' }];
    const withCdk = platformTree(services);
    const without = platformTree(services);
    try {
      const full = await runSynth({ directory: withCdk.root, outDirectory: withCdk.path('out') });
      const lean = await runSynth({ directory: without.root, outDirectory: without.path('out'), infrastructure: false });
      assert.ok(full.infrastructure.stacks.length > 0, 'the default synthesises the CDK app');
      assert.ok(existsSync(withCdk.path('out/cdk.out')));
      assert.deepEqual(lean.infrastructure, { stacks: [] });
      assert.ok(!existsSync(without.path('out/cdk.out')));
      assert.deepEqual(lean.fileChanges, full.fileChanges);
      assert.deepEqual(filesUnder(without.path('manifests/clusters')), filesUnder(withCdk.path('manifests/clusters')));
    } finally {
      withCdk.cleanup();
      without.cleanup();
    }
  });
});
