// The kubectl provider's layer zips are staged as hard links to the installed
// packages' files: same names, same bytes, every asset the manifests name is
// in the assembly, nothing else is left there, and aws-cdk-lib copies as
// before wherever a link is not possible or not expected.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cdk from 'aws-cdk-lib/core';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { buildPlatformApp } from '../../src/infra/app.js';
import { awsCliLayerAsset, kubectlLayerAsset, linkLayerZips, stagedAssetPath } from '../../src/infra/private/layer-staging.js';
import { loadPlatform } from '../../src/platform/index.js';
import { testApp } from './helpers.js';

const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));

function withOutdir(run: (outdir: string) => void): void {
  const outdir = mkdtempSync(join(tmpdir(), 'kaji-layer-staging-'));
  try {
    run(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The file assets every stack's asset manifest names, as paths in the assembly. */
function manifestFiles(outdir: string): string[] {
  return readdirSync(outdir)
    .filter((name) => name.endsWith('.assets.json'))
    .flatMap((name) => {
      const manifest = JSON.parse(readFileSync(join(outdir, name), 'utf8')) as { files?: Record<string, { source: { path: string } }> };
      return Object.values(manifest.files ?? {}).map((file) => join(outdir, file.source.path));
    });
}

function sameFile(a: string, b: string): boolean {
  const [left, right] = [statSync(a), statSync(b)];
  return left.dev === right.dev && left.ino === right.ino;
}

describe('layer zips staged as hard links', () => {
  const layers = [kubectlLayerAsset(KubectlV32Layer), kubectlLayerAsset(KubectlV35Layer), awsCliLayerAsset()];

  test('the layer packages expose their zips and asset hashes', () => {
    for (const layer of layers) {
      assert.ok(layer, 'found');
      assert.ok(existsSync(layer.file), layer.file);
      assert.match(layer.assetHash, /^[0-9a-f]{32,64}$/);
    }
  });

  test('stagedAssetPath is where aws-cdk-lib stages a file asset with a given hash', () => {
    withOutdir((outdir) => {
      // GIVEN a small zip and an explicit asset hash, as the layer packages give
      const zip = join(outdir, 'source.zip');
      writeFileSync(zip, 'PK\u0005\u0006'.padEnd(22, '\u0000'));
      const assembly = join(outdir, 'cdk.out');
      const stack = new cdk.Stack(testApp({ outdir: assembly }), 'Layer');
      // WHEN aws-cdk-lib stages it
      new lambda.LayerVersion(stack, 'Layer', { code: lambda.Code.fromAsset(zip, { assetHash: 'kaji-test-hash' }) });
      const staging = stack.node.findAll().find((construct): construct is cdk.AssetStaging => construct instanceof cdk.AssetStaging);
      // THEN at the path kaji predicts
      assert.equal(staging?.absoluteStagedPath, stagedAssetPath(assembly, { file: zip, assetHash: 'kaji-test-hash' }));
    });
  });

  test('the whole platform: every asset in the manifests is in the assembly, the layer zips are links to the packages\' files', () => {
    withOutdir((outdir) => {
      // WHEN the example platform is synthesised
      buildPlatformApp(platform, { outdir, nag: false, cloudFormationValidation: false }).app.synth();
      // THEN each asset the manifests name exists
      const files = manifestFiles(outdir);
      for (const file of files) assert.ok(existsSync(file), `${file} is staged`);
      // AND the three layer zips are the packages' files, under the names the manifests use
      for (const layer of layers) {
        const staged = stagedAssetPath(outdir, layer!);
        assert.ok(files.includes(staged), `${staged} is in a manifest`);
        assert.ok(sameFile(staged, layer!.file), `${staged} is a link to ${layer!.file}`);
      }
      // AND no other asset file is left in the assembly
      const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.')).map((name) => join(outdir, name));
      assert.deepEqual(assets.sort(), [...new Set(files.filter((file) => file.startsWith(join(outdir, 'asset.'))))].sort());
    });
  });

  test('a second synthesis into the same folder finds the zips staged', () => {
    withOutdir((outdir) => {
      buildPlatformApp(platform, { outdir, nag: false, cloudFormationValidation: false }).app.synth();
      const before = manifestFiles(outdir).map((file) => [file, statSync(file).size] as const);
      buildPlatformApp(platform, { outdir, nag: false, cloudFormationValidation: false }).app.synth();
      assert.deepEqual(manifestFiles(outdir).map((file) => [file, statSync(file).size] as const), before);
    });
  });

  test('a link aws-cdk-lib did not stage at is removed again', () => {
    withOutdir((outdir) => {
      // GIVEN a link under a name no asset is staged at (as if aws-cdk-lib named staged files differently)
      const stack = new cdk.Stack(testApp({ outdir }), 'Layers');
      const stray = { file: layers[0]!.file, assetHash: 'not-the-layer-hash' };
      const links = linkLayerZips(stack, [stray]);
      assert.ok(existsSync(stagedAssetPath(outdir, stray)));
      new KubectlV32Layer(stack, 'KubectlLayer');
      // WHEN kept to what was staged
      links.keepStaged(stack);
      // THEN the stray link is gone, the layer's own staged zip is there
      assert.equal(existsSync(stagedAssetPath(outdir, stray)), false);
      assert.ok(existsSync(stagedAssetPath(outdir, layers[0]!)));
    });
  });

  test('nothing is linked when the app disables asset staging', () => {
    withOutdir((outdir) => {
      const stack = new cdk.Stack(testApp({ outdir, context: { [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true } }), 'Layers');
      // (checked before keepStaged, which would remove any link again: no layer stages here)
      const links = linkLayerZips(stack, layers);
      assert.deepEqual(readdirSync(outdir).filter((name) => name.startsWith('asset.')), []);
      links.keepStaged(stack);
    });
  });

  // A second file system to stage from, if the machine has one (tmpfs at /dev/shm on Linux).
  const otherDevice = ['/dev/shm'].find((dir) => existsSync(dir) && statSync(dir).dev !== statSync(tmpdir()).dev);

  test('a zip on another file system is not linked: aws-cdk-lib copies it as usual', { skip: otherDevice === undefined ? 'no second file system to stage from' : false }, () => {
    const source = mkdtempSync(join(otherDevice!, 'kaji-layer-source-'));
    try {
      withOutdir((outdir) => {
        // GIVEN a zip on another file system than the assembly
        const zip = join(source, 'layer.zip');
        writeFileSync(zip, 'PK\u0005\u0006'.padEnd(22, '\u0000'));
        const asset = { file: zip, assetHash: 'kaji-test-hash' };
        const stack = new cdk.Stack(testApp({ outdir }), 'Layer');
        // WHEN kaji tries to link it and the layer stages it
        const links = linkLayerZips(stack, [asset]);
        assert.equal(existsSync(stagedAssetPath(outdir, asset)), false, 'no link across file systems');
        new lambda.LayerVersion(stack, 'Layer', { code: lambda.Code.fromAsset(zip, { assetHash: asset.assetHash }) });
        links.keepStaged(stack);
        // THEN the assembly holds a copy, under the same name
        const staged = stagedAssetPath(outdir, asset);
        assert.equal(sameFile(staged, zip), false);
        assert.deepEqual(readFileSync(staged), readFileSync(zip));
      });
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  });

  test('a class that is not from a kubectl layer package has no known asset', () => {
    assert.equal(kubectlLayerAsset(class NotALayer {}), undefined);
    assert.equal(kubectlLayerAsset(lambda.LayerVersion), undefined);
  });
});
