// Synthesises the platform's CDK app in-process, from the same definition the
// manifests come from, so a change of platform.yaml that breaks the AWS side
// fails `kaji synth` before it reaches `cdk deploy`.
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { PlatformDefinition } from '../platform/index.js';
import { temporaryFolder } from './output.js';

export interface InfrastructureResult {
  /** The synthesised stacks' names. */
  readonly stacks: readonly string[];
  /** Where the cloud assembly was written (absent when only checked). */
  readonly outdir?: string;
  /** Why the app did not synthesise, if it did not. */
  readonly problem?: string;
}

/**
 * Synthesises into `outdir`, or into a temporary folder that is removed again
 * when `outdir` is undefined. An app that does not synthesise leaves nothing in
 * `outdir`: its assets may be staged already, but an assembly without its
 * templates is nothing to deploy.
 */
export async function synthesizeInfrastructure(platform: PlatformDefinition, outdir: string | undefined): Promise<InfrastructureResult> {
  // aws-cdk-lib is large: loaded only when a synthesis runs, not by every kaji command.
  const { buildPlatformApp } = await import('../infra/index.js');
  const temporary = outdir === undefined ? temporaryFolder(join(tmpdir(), 'kaji-cdk-')) : undefined;
  const target = outdir ?? temporary!.path;
  try {
    // CloudFormation schema validation is left to `cdk synth` (seconds per stack); cdk-nag still runs.
    // An assembly that is removed again needs no construct tree (tree.json).
    const assembly = buildPlatformApp(platform, { outdir: target, cloudFormationValidation: false, treeMetadata: outdir !== undefined }).app.synth();
    const stacks = assembly.stacks.map((stack) => stack.stackName);
    const problem = assemblyProblem(assembly);
    return { stacks, ...(outdir ? { outdir } : {}), ...(problem ? { problem } : {}) };
  } catch (error) {
    if (outdir) await rm(outdir, { recursive: true, force: true });
    return { stacks: [], problem: `the CDK app does not synthesise: ${(error as Error).message}` };
  } finally {
    temporary?.remove();
  }
}

/**
 * Why a synthesised assembly is not ready to deploy: error annotations
 * (cdk-nag findings, construct errors arrive as those, not as exceptions), or
 * a context lookup. A lookup is a value the CDK CLI would fetch from AWS and
 * synthesise again with; kaji synthesises once, offline, so the templates it
 * checked would not be the deployed ones.
 */
export function assemblyProblem(assembly: CloudAssembly): string | undefined {
  const errors = assembly.stacks.flatMap((stack) =>
    stack.messages.filter((message) => message.level === 'error').map((message) => `${message.id}: ${String(message.entry.data)}`),
  );
  if (errors.length > 0) return `the CDK app has ${errors.length} error(s), e.g. ${errors.slice(0, 3).join('; ')}`;
  const lookups = (assembly.manifest.missing ?? []).map((missing) => missing.key);
  if (lookups.length === 0) return undefined;
  return (
    `the CDK app looks values up in AWS at synthesis (${lookups.join(', ')}): cdk synth would need credentials for them, ` +
    "and the templates kaji checked offline would not be the ones cdk deploy makes; kaji's constructs should make no lookup (a fault in kaji, not in platform.yaml)"
  );
}
