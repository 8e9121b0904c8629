import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scaffold } from '../../src/cli/init.js';
import { loadPlatform } from '../../src/platform/index.js';
import { tempTree } from '../support/files.js';

// GIVEN the platform.yaml `kaji init` writes, WHEN a newcomer uncomments its
// optional argocd block as it stands, THEN the loader takes it and it shows
// every group setting of argocd.sso.

/** The `# argocd:` block (to the next blank line), uncommented; the rest of the file as written. */
function uncommentArgoCd(text: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf('# argocd:');
  assert.ok(start >= 0, 'the scaffold has a commented argocd block');
  for (let index = start; index < lines.length && lines[index] !== ''; index += 1) lines[index] = lines[index]!.replace(/^# /, '');
  return lines.join('\n');
}

describe('kaji init: the commented argocd block of platform.yaml', () => {
  test('uncommented, it loads and names admin, readonly and team groups', async () => {
    const tree = tempTree({});
    try {
      const target = join(tree.root, 'acme');
      await scaffold(target, 'acme');
      const file = join(target, 'platform.yaml');
      writeFileSync(file, uncommentArgoCd(readFileSync(file, 'utf8')));
      const sso = (await loadPlatform(file)).argocd?.sso;
      assert.deepEqual(sso?.adminGroups, ['platform-team']);
      assert.deepEqual(sso?.readonlyGroups, ['auditors']);
      assert.deepEqual(sso?.teamGroups, { web: ['web-developers'] });
    } finally {
      tree.cleanup();
    }
  });
});
