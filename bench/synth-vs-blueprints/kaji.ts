// The whole example platform (shared stack + two clusters, 30 services)
// synthesised once with kaji's constructs; prints the synthesis time as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlatformApp } from '../../src/infra/index.js';
import { loadPlatform } from '../../src/platform/index.js';

const outdir = mkdtempSync(join(tmpdir(), 'kaji-bench-cdk-'));
try {
  const started = performance.now();
  const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));
  // Like for like: the Blueprints side's aws-cdk-lib (2.261) predates the built-in CloudFormation validation.
  const assembly = buildPlatformApp(platform, { outdir, nag: false, cloudFormationValidation: false }).app.synth();
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, stacks: assembly.stacks.map((stack) => stack.stackName) }));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
