import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceDefinition } from '../../src/platform/index.js';
import { planOverlays } from '../../src/synth/overlays.js';
import { tempTree } from '../support/files.js';
import { definePlatform } from '../support/platform.js';

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
