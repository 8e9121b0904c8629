// Three tables name Kubernetes versions: the EKS release calendar (which
// versions a platform.yaml may use), the add-on pins and the Karpenter pins.
// A version added to one and not the others would pass the definition check
// and then fail at synthesis (or the other way round), so they must agree.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KARPENTER_PINS } from '../../src/infra/karpenter.js';
import { PINNED_KUBERNETES_VERSIONS } from '../../src/infra/versions.js';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../src/platform/index.js';

describe('Kubernetes version tables', () => {
  test('the add-on pins and the Karpenter pins cover exactly the versions the definition accepts', () => {
    const supported = [...SUPPORTED_KUBERNETES_VERSIONS];
    assert.deepEqual([...PINNED_KUBERNETES_VERSIONS], supported, 'src/infra/versions.ts VERSION_TABLE');
    assert.deepEqual(
      KARPENTER_PINS.map((pin) => pin.kubernetesVersion),
      supported,
      'src/infra/private/karpenter-pins.ts KARPENTER_PINS',
    );
  });
});
