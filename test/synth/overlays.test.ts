import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceDefinition } from '../../src/platform/index.js';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { planOverlays } from '../../src/synth/overlays.js';
import { builtBin } from '../support/bin.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { definePlatform, platformTree } from '../support/platform.js';

const service = { name: 'antenna', team: 'blog', namespace: 'antenna' } as ServiceDefinition;
const clusters = [
  { name: 'green', kubernetesVersion: '1.35', weight: 0, retiring: false },
  { name: 'blue', kubernetesVersion: '1.32', weight: 255, retiring: false },
  { name: 'red', kubernetesVersion: '1.34', weight: 0, retiring: false },
];

describe('planOverlays', () => {
  test('a missing overlay is copied from the existing overlay of the newest Kubernetes version', async () => {
    const tree = tempTree({
      'apps/antenna/overlays/blue/kustomization.yaml': 'resources: [../../base]\n',
      'apps/antenna/overlays/red/kustomization.yaml': 'resources: [../../base]\n',
    });
    try {
      const { plans, problems } = await planOverlays(tree.root, definePlatform({ clusters, services: [service] }));
      assert.deepEqual(problems, []);
      assert.deepEqual(plans, [{ service: 'antenna', cluster: 'green', path: 'apps/antenna/overlays/green', from: 'apps/antenna/overlays/red' }]);
    } finally {
      tree.cleanup();
    }
  });

  test('an overlay is a folder with any kustomization file kustomize accepts (.yml, Kustomization)', async () => {
    const tree = tempTree({
      'apps/antenna/overlays/blue/kustomization.yml': 'resources: [../../base]\n',
      'apps/antenna/overlays/green/Kustomization': 'resources: [../../base]\n',
      'apps/antenna/overlays/red/notes.txt': 'not an overlay\n',
    });
    try {
      const { plans } = await planOverlays(tree.root, definePlatform({ clusters, services: [service] }));
      assert.deepEqual(plans, [{ service: 'antenna', cluster: 'red', path: 'apps/antenna/overlays/red', from: 'apps/antenna/overlays/green' }]);
    } finally {
      tree.cleanup();
    }
  });
});

describe('a missing overlay is named from where kaji runs', { skip: !hasKubectl }, () => {
  // In a kaji init platform the manifest checkout is manifests/: the file to create is under it, as
  // kustomize's own errors name it, not apps/… beside platform.yaml. A process of its own, run there.
  const kajiIn = (cwd: string, args: string[]) => spawnSync(process.execPath, [builtBin(), ...args], { cwd, encoding: 'utf8' });

  test('kaji synth names the kustomization to create under the manifest checkout', () => {
    const tree = platformTree([{ name: 'hello' }]);
    try {
      rmSync(tree.path('manifests/apps/hello/overlays'), { recursive: true });
      const { status, stdout, stderr } = kajiIn(tree.root, ['synth', '--check-only', '--no-color']);
      assert.equal(status, 1, stdout + stderr);
      assert.ok(
        stdout.includes('\n✗ hello: no overlay to deploy hello from: create manifests/apps/hello/overlays/blue/kustomization.yaml (resources: [../../base])\n'),
        stdout,
      );
    } finally {
      tree.cleanup();
    }
  });

  test('kaji upgrade plan names the overlay synth would create and the one it copies', () => {
    const tree = platformTree([{ name: 'hello' }]);
    try {
      const { status, stdout, stderr } = kajiIn(tree.root, ['upgrade', 'plan']);
      assert.equal(status, 1, stdout + stderr);
      assert.ok(
        stdout.includes('\n✗ hello: manifests/apps/hello/overlays/green does not exist: run kaji synth (it copies manifests/apps/hello/overlays/blue) and merge\n'),
        stdout,
      );
    } finally {
      tree.cleanup();
    }
  });
});
