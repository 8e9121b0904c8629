// The manifests `kaji synth` writes to out/<cluster>/<service>.yaml are what
// a deploy applies: a string in them that Kubernetes would read as a number
// (`1_000`, `0755`) or a boolean must be written quoted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadInputs, type JsonObject } from '../../src/kube/index.js';
import { runSynth } from '../../src/synth/index.js';
import { hasKubectl } from '../support/files.js';
import { platformTree } from '../support/platform.js';

const data = { count: '1_000', mode: '0755', hex: '0x1F', octal: '0o10', size: '1_000.5', enabled: 'yes', plain: 'web' };

const configMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data:
${Object.entries(data)
  .map(([key, value]) => `  ${key}: "${value}"`)
  .join('\n')}
`;

describe('kaji synth: rendered manifests', { skip: !hasKubectl }, () => {
  test('quote the strings Kubernetes would read as numbers or booleans, and read back as the same strings', async () => {
    const tree = platformTree([{ name: 'shop', extra: configMap }]);
    try {
      await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      const written = readFileSync(tree.path('out/blue/shop.yaml'), 'utf8');
      for (const [key, value] of Object.entries(data)) {
        assert.ok(written.includes(value === 'web' ? `  ${key}: web\n` : `  ${key}: '${value}'\n`), `${key}: ${value} in:\n${written}`);
      }
      const { objects, problems } = await loadInputs([tree.path('out/blue/shop.yaml')]);
      assert.deepEqual(problems, []);
      assert.deepEqual(objects.find((object) => object.kind === 'ConfigMap')?.raw.data as JsonObject, data);
    } finally {
      tree.cleanup();
    }
  });
});
