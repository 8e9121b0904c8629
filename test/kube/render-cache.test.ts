// renderKustomization runs kubectl once for the same files in one process:
// a kubectl that logs each run, then runs the real one, counts them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { renderKustomization, KustomizeError, RemoteLoadsError } from '../../src/kube/kustomize.js';
import { hasKubectl, tempTree } from '../support/files.js';

const CONFIG_MAP = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {key: value}\n`;

/** A service's base and blue overlay, and a kubectl (its own for each test, so no test reuses another's renders) logging each run. */
function platformTree(name: string) {
  const tree = tempTree({
    'apps/web/base/kustomization.yaml': 'resources: [config.yaml]\n',
    'apps/web/base/config.yaml': CONFIG_MAP(name),
    'apps/web/overlays/blue/kustomization.yaml': 'resources: [../../base]\nnamePrefix: blue-\n',
  });
  const real = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  const kubectl = tree.path('kubectl');
  writeFileSync(kubectl, `#!/bin/sh\necho "$2" >> '${tree.path('runs.log')}'\nexec '${real}' "$@"\n`);
  chmodSync(kubectl, 0o755);
  const runs = (): string[] => {
    try {
      return readFileSync(tree.path('runs.log'), 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  return { tree, kubectl, runs };
}

describe('renderKustomization keeps what it rendered', { skip: !hasKubectl && 'needs kubectl' }, () => {
  test('the same files, here or copied elsewhere (green\'s overlay a copy of blue\'s), run kubectl once', async () => {
    const { tree, kubectl, runs } = platformTree('copied');
    try {
      const blue = await renderKustomization(tree.path('apps/web/overlays/blue'), kubectl);
      assert.match(blue, /name: blue-copied/);
      cpSync(tree.path('apps/web/overlays/blue'), tree.path('apps/web/overlays/green'), { recursive: true });
      cpSync(tree.path('apps'), tree.path('elsewhere/apps'), { recursive: true });
      const [again, green, elsewhere] = await Promise.all([
        renderKustomization(tree.path('apps/web/overlays/blue'), kubectl),
        renderKustomization(tree.path('apps/web/overlays/green'), kubectl),
        renderKustomization(tree.path('elsewhere/apps/web/overlays/blue'), kubectl),
      ]);
      assert.deepEqual([again, green, elsewhere], [blue, blue, blue]);
      assert.deepEqual(runs(), [tree.path('apps/web/overlays/blue')]);
    } finally {
      tree.cleanup();
    }
  });

  test('a change in any folder it builds from, even one it does not list, renders again; another kubectl renders for itself', async () => {
    const { tree, kubectl, runs } = platformTree('changed');
    const overlay = tree.path('apps/web/overlays/blue');
    try {
      await renderKustomization(overlay, kubectl);
      writeFileSync(tree.path('apps/web/base/config.yaml'), CONFIG_MAP('renamed'));
      assert.match(await renderKustomization(overlay, kubectl), /name: blue-renamed/);
      writeFileSync(tree.path('apps/web/base/notes.txt'), 'not listed, but under the base\n');
      await renderKustomization(overlay, kubectl);
      writeFileSync(tree.path('apps/unrelated.yaml'), CONFIG_MAP('outside both folders'));
      await renderKustomization(overlay, kubectl);
      assert.equal(runs().length, 3, 'the base edited, then added to; a file outside the folders changes nothing');

      cpSync(kubectl, tree.path('other-kubectl'));
      await renderKustomization(overlay, tree.path('other-kubectl'));
      assert.equal(runs().length, 4);
    } finally {
      tree.cleanup();
    }
  });

  test('a failed render is not kept; a folder with a symbolic link is rendered each time', async () => {
    const { tree, kubectl, runs } = platformTree('failing');
    const overlay = tree.path('apps/web/overlays/blue');
    try {
      writeFileSync(tree.path('apps/web/base/kustomization.yaml'), 'resources: [missing.yaml]\n');
      await assert.rejects(renderKustomization(overlay, kubectl), KustomizeError);
      await assert.rejects(renderKustomization(overlay, kubectl), KustomizeError);
      assert.equal(runs().length, 2);

      writeFileSync(tree.path('apps/web/base/kustomization.yaml'), 'resources: [linked.yaml]\n');
      symlinkSync('config.yaml', tree.path('apps/web/base/linked.yaml'));
      const first = await renderKustomization(overlay, kubectl);
      assert.equal(await renderKustomization(overlay, kubectl), first);
      assert.equal(runs().length, 4);
    } finally {
      tree.cleanup();
    }
  });

  test('kustomizations as kustomize reads them: keys in any letter case, a key given twice, a second document (not even YAML); a folder reached through a link', async () => {
    const { tree, kubectl, runs } = platformTree('spelled');
    const overlay = tree.path('apps/web/overlays/blue');
    const editBase = (name: string) => writeFileSync(tree.path('apps/web/base/config.yaml'), CONFIG_MAP(name));
    try {
      for (const [i, text] of ['Resources: [../../base]\n', 'resources: []\nnamePrefix: x-\nresources: [../../base]\n', 'resources: [../../base]\n---\nnamePrefix: x-\n', 'resources: [../../base]\n---\n: [not yaml\n'].entries()) {
        writeFileSync(tree.path('apps/web/overlays/blue/kustomization.yaml'), text);
        editBase(`before-${i}`);
        await renderKustomization(overlay, kubectl);
        editBase(`after-${i}`);
        assert.match(await renderKustomization(overlay, kubectl), new RegExp(`name: (x-)?after-${i}`), text);
      }
      assert.equal(runs().length, 8, 'each edit of the base renders again');
      writeFileSync(tree.path('apps/web/overlays/blue/kustomization.yaml'), 'RESOURCES: [http://127.0.0.1:9/more.yaml]\n---\n: [not yaml\n');
      await assert.rejects(renderKustomization(overlay, kubectl), RemoteLoadsError);
      assert.equal(runs().length, 8, 'refused, not fetched');

      // kustomize climbs `..` from where a link leads, not from the link.
      writeFileSync(tree.path('apps/web/overlays/blue/kustomization.yaml'), 'resources: [../../base]\n');
      mkdirSync(tree.path('links'));
      symlinkSync(overlay, tree.path('links/blue'));
      await renderKustomization(tree.path('links/blue'), kubectl);
      editBase('through-the-link');
      assert.match(await renderKustomization(tree.path('links/blue'), kubectl), /name: through-the-link/);
    } finally {
      tree.cleanup();
    }
  });
});
