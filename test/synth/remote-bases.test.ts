// Remote kustomize entries: what an overlay would fetch when rendered is refused,
// in real kustomization files, and in a real `kaji synth` run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { formatSynthTable, runSynth } from '../../src/synth/index.js';
import { isRemoteEntry, remoteLoads } from '../../src/kube/kustomize.js';
import { remoteLoadProblems } from '../../src/synth/remote-bases.js';
import { hasKubectl, tempTree } from '../support/files.js';
import { platformTree } from '../support/platform.js';

const remoteEntryProblems = async (root: string, directory: string) => remoteLoadProblems(root, await remoteLoads(directory));

const VENDOR = "is fetched from outside the manifest repository when rendered, past the AppProject's source repositories and this repository's review; vendor its files into the repository and name them by a local path";

describe('remote kustomize entries', () => {
  test('URLs and git references are remote; local paths are not', () => {
    for (const entry of [
      'github.com/org/repo//deploy?ref=v1',
      'github.com:org/repo',
      'https://github.com/org/repo//deploy?ref=v1',
      'https://raw.githubusercontent.com/org/repo/v1/deploy.yaml',
      'http://example.com/deploy.yaml',
      'ssh://git@example.com/org/repo.git',
      'git::https://example.com/org/repo',
      'git@github.com:org/repo.git//deploy',
      'gitlab.com/org/repo',
      'example.com/org/repo.git',
      'example.com/org/repo?ref=main',
      'dev.azure.com/org/project/_git/repo',
      'file:///srv/git/repo',
    ]) {
      assert.equal(isRemoteEntry(entry), true, entry);
    }
    for (const entry of ['../../base', 'deployment.yaml', './service.yml', '../components/probes', 'config.d/settings.yaml', 'github']) {
      assert.equal(isRemoteEntry(entry), false, entry);
    }
  });

  test('every kustomization an overlay builds on is read: each remote entry named with file, line and field', async () => {
    const tree = tempTree({
      'apps/shop/overlays/blue/kustomization.yaml': 'resources:\n  - ../../base\ncomponents:\n  - ../../../../components/probes\n',
      'apps/shop/base/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - github.com/org/repo//deploy?ref=v1\nbases: [https://example.com/org/base.git]\n',
      'apps/shop/base/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\n',
      // Components outside apps/ are followed too; a kustomization reached twice is read once.
      'components/probes/kustomization.yml': 'kind: Component\nresources:\n  - ../../apps/shop/base\ncomponents:\n\n  - git@github.com:org/components.git//probes\n',
    });
    try {
      const problems = await remoteEntryProblems(tree.root, tree.path('apps/shop/overlays/blue'));
      assert.deepEqual(
        problems.map(({ file, line, message }) => ({ file, line, message })),
        [
          {
            file: tree.path('apps/shop/base/kustomization.yaml'),
            line: 5,
            message: `apps/shop/base/kustomization.yaml:5: resources entry "github.com/org/repo//deploy?ref=v1" ${VENDOR}`,
          },
          {
            file: tree.path('apps/shop/base/kustomization.yaml'),
            line: 6,
            message: `apps/shop/base/kustomization.yaml:6: bases entry "https://example.com/org/base.git" ${VENDOR}`,
          },
          {
            file: tree.path('components/probes/kustomization.yml'),
            line: 6,
            message: `components/probes/kustomization.yml:6: components entry "git@github.com:org/components.git//probes" ${VENDOR}`,
          },
        ],
      );
    } finally {
      tree.cleanup();
    }
  });

  test('local entries only, a broken kustomization or a missing folder: nothing to report (kubectl reports what does not render)', async () => {
    const tree = tempTree({
      'overlay/kustomization.yaml': 'resources: [../base, ../missing, extra.yaml]\n',
      'overlay/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      'base/kustomization.yaml': 'resources: [: not yaml\n',
    });
    try {
      assert.deepEqual(await remoteEntryProblems(tree.root, tree.path('overlay')), []);
    } finally {
      tree.cleanup();
    }
  });

  test('kaji synth refuses an overlay whose patch, generator file or transformer configuration is fetched, and says where and what to do', { skip: !hasKubectl }, async () => {
    const tree = platformTree([{ name: 'shop' }, { name: 'cart' }]);
    try {
      writeFileSync(
        tree.path('manifests/apps/cart/overlays/blue/kustomization.yaml'),
        'resources:\n  - ../../base\npatches:\n  - path: https://example.com/patch.yaml\nconfigMapGenerator:\n  - name: settings\n    envs: [settings.env]\ntransformers: [labels.yaml]\n',
      );
      writeFileSync(tree.path('manifests/apps/cart/overlays/blue/settings.env'), 'A=B\n');
      writeFileSync(tree.path('manifests/apps/cart/overlays/blue/labels.yaml'), 'apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata: {name: h}\nname: chart\nrepo: https://charts.example.com\n');
      const result = await runSynth({ directory: tree.root, checkOnly: true });
      const blue = result.clusters.find((cluster) => cluster.cluster === 'blue')!;
      const cart = blue.services.find((service) => service.service === 'cart')!;
      const past = "past the AppProject's source repositories and this repository's review";
      assert.deepEqual(cart.problems.map((problem) => problem.message), [
        `apps/cart/overlays/blue/kustomization.yaml:4: patches[0].path "https://example.com/patch.yaml" is fetched from outside the manifest repository when rendered, ${past}; vendor the file into the repository and name it by a local path`,
        `apps/cart/overlays/blue/labels.yaml:5: HelmChartInflationGenerator repo "https://charts.example.com" is a chart repository kustomize pulls the chart from when rendered with Helm enabled (as Argo CD can be set up), outside the manifest repository, ${past}; vendor the chart into the repository (helm pull --untar into the chart home, charts/ by default) and remove this field`,
      ]);
      assert.equal(cart.objects, 0, 'not rendered');
      assert.equal(blue.services.find((service) => service.service === 'shop')!.problems.length, 0);
    } finally {
      tree.cleanup();
    }
  });

  test('kaji synth refuses an overlay with a remote base instead of rendering it, and says where', { skip: !hasKubectl }, async () => {
    const tree = platformTree([{ name: 'shop' }, { name: 'cart' }]);
    try {
      writeFileSync(tree.path('manifests/apps/cart/overlays/blue/kustomization.yaml'), 'resources:\n  - ../../base\n  - https://github.com/org/repo//deploy?ref=v1\n');
      const result = await runSynth({ directory: tree.root, checkOnly: true });
      const blue = result.clusters.find((cluster) => cluster.cluster === 'blue')!;
      const cart = blue.services.find((service) => service.service === 'cart')!;
      const expected = `apps/cart/overlays/blue/kustomization.yaml:3: resources entry "https://github.com/org/repo//deploy?ref=v1" ${VENDOR}`;
      assert.deepEqual(cart.problems.map((problem) => problem.message), [expected]);
      assert.equal(cart.objects, 0, 'not rendered');
      assert.equal(blue.services.find((service) => service.service === 'shop')!.problems.length, 0);
      assert.ok(result.problems > 0);
      assert.ok(formatSynthTable(result, { checkOnly: true }).includes(`✗ blue/cart: ${expected}\n`));
    } finally {
      tree.cleanup();
    }
  });
});
