// The kubectl provider's Lambda layer zips, staged into the cloud assembly as
// hard links to the installed packages' files instead of copies.
//
// Each cluster stack's kubectl provider carries two layers: kubectl and helm
// for the cluster's Kubernetes version (~35 MB) and the AWS CLI (~22 MB).
// aws-cdk-lib stages a file asset by copying it to
// `<outdir>/asset.<hash>.<ext>` unless that file already exists, and the layer
// packages give an explicit asset hash (their Dockerfile's, or the AWS CLI
// layer's source folder fingerprint), so the staged name is known before the
// layer exists. Linking the package's zip there first makes aws-cdk-lib find
// it staged: the assembly holds the same bytes under the same name (a copy of
// the folder, a tar or an upload carries them like any file), without copying
// ~90 MB on every synthesis of a two-cluster platform.
//
// Where a link cannot be made (another file system, a file the user may not
// link, a package that no longer exposes its hash), nothing is linked and
// aws-cdk-lib copies as before. After the layers exist, a link aws-cdk-lib did
// not stage under that name (its naming changed) is removed again.
import { createHash } from 'node:crypto';
import { linkSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, resolve } from 'node:path';
import { AssetStaging, FileSystem, Stage } from 'aws-cdk-lib/core';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';

/** A file asset whose asset hash is given (AssetHashType.CUSTOM), as the layer packages create theirs. */
export interface HashedFileAsset {
  /** The file to stage. */
  readonly file: string;
  /** The `assetHash` the layer passes to `Code.fromAsset`. */
  readonly assetHash: string;
}

const requireHere = createRequire(import.meta.url);
const JSII_RTTI = Symbol.for('jsii.rtti');

/**
 * The zip and asset hash of a kubectl layer class from one of the
 * `@aws-cdk/lambda-layer-kubectl-vNN` packages (named by the class's jsii
 * type name), as its constructor computes them; undefined when the package
 * does not expose them.
 */
export function kubectlLayerAsset(layerClass: object): HashedFileAsset | undefined {
  const fqn = (layerClass as { [JSII_RTTI]?: { fqn?: unknown } })[JSII_RTTI]?.fqn;
  if (typeof fqn !== 'string' || !fqn.startsWith('@aws-cdk/lambda-layer-kubectl-v')) return undefined;
  return packageAsset(() => {
    const asset = requireHere(`${fqn.slice(0, fqn.lastIndexOf('.'))}/lib/_asset.js`) as { ASSET_FILE?: unknown; assetHash?: () => unknown };
    const assetHash = asset.assetHash?.();
    return typeof asset.ASSET_FILE === 'string' && typeof assetHash === 'string' ? { file: asset.ASSET_FILE, assetHash } : undefined;
  });
}

/** The zip and asset hash of aws-cdk-lib's AwsCliLayer (from its `@aws-cdk/asset-awscli-v1` package), as its constructor computes them. */
export function awsCliLayerAsset(): HashedFileAsset | undefined {
  return packageAsset(() => {
    const requireFromLayer = createRequire(requireHere.resolve('aws-cdk-lib/lambda-layer-awscli'));
    const asset = requireFromLayer('@aws-cdk/asset-awscli-v1') as { ASSET_FILE?: unknown; LAYER_SOURCE_DIR?: unknown };
    if (typeof asset.ASSET_FILE !== 'string' || typeof asset.LAYER_SOURCE_DIR !== 'string') return undefined;
    return { file: asset.ASSET_FILE, assetHash: FileSystem.fingerprint(asset.LAYER_SOURCE_DIR) };
  });
}

function packageAsset(read: () => HashedFileAsset | undefined): HashedFileAsset | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The path aws-cdk-lib stages a file asset with a given `assetHash` at (no bundling): `asset.<sha256 of the hash><ext>`. */
export function stagedAssetPath(outdir: string, asset: HashedFileAsset): string {
  const hash = createHash('sha256').update(asset.assetHash).digest('hex');
  return resolve(outdir, `asset.${hash}${extname(asset.file)}`);
}

/** Hard links made before the layers that stage them; `keepStaged` removes those that were not staged. */
export interface LayerLinks {
  /**
   * Removes each link no asset under `scope` was staged at (it would be a
   * stray file in the assembly); call once the layers exist.
   */
  keepStaged(scope: IConstruct): void;
}

/**
 * Links each asset's file into `scope`'s assembly folder under the name
 * aws-cdk-lib will stage it at. A name that exists already is left alone (a
 * previous synthesis staged it; aws-cdk-lib reuses it as well). Nothing is
 * linked when the app disables asset staging.
 */
export function linkLayerZips(scope: IConstruct, assets: readonly (HashedFileAsset | undefined)[]): LayerLinks {
  const made: string[] = [];
  const stage = Stage.of(scope);
  if (stage !== undefined && scope.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT) !== true) {
    for (const asset of assets) {
      if (asset === undefined) continue;
      const target = stagedAssetPath(stage.assetOutdir, asset);
      try {
        linkSync(asset.file, target);
        made.push(target);
      } catch {
        // EEXIST: staged already. EXDEV, EPERM...: aws-cdk-lib copies the file.
      }
    }
  }
  return {
    keepStaged(root: IConstruct): void {
      if (made.length === 0) return;
      const staged = new Set(
        root.node
          .findAll()
          .filter((construct): construct is AssetStaging => construct instanceof AssetStaging)
          .map((staging) => resolve(staging.absoluteStagedPath)),
      );
      for (const link of made) {
        if (!staged.has(link)) unlinkSync(link);
      }
    },
  };
}
