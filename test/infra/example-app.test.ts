// The example's CDK app as a user runs it: `npx cdk synth` in examples/labs/infra,
// with no AWS credentials or configuration anywhere (README: "works with no AWS
// account"). The AWS CDK CLI runs the app the way cdk.json says, through the
// package's own kaji/infra (dist/, built by npm test before the tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CDK = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

test('examples/labs/infra: npx cdk synth works with no AWS account, one template per stack', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kaji-cdk-home-'));
  try {
    const output = join(home, 'cdk.out');
    // No AWS_* variables and an empty HOME (no ~/.aws); IMDS off so nothing waits on a metadata service.
    const env = { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: tmpdir(), AWS_EC2_METADATA_DISABLED: 'true', CI: 'true' };
    await promisify(execFile)(process.execPath, [CDK, 'synth', '--quiet', '--no-notices', '--output', output], {
      cwd: join(ROOT, 'examples', 'labs', 'infra'),
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    const templates = readdirSync(output).filter((file) => file.endsWith('.template.json')).sort();
    assert.deepEqual(templates, ['labs-blue.template.json', 'labs-green.template.json', 'labs-shared.template.json']);
    const blue = JSON.parse(readFileSync(join(output, 'labs-blue.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    assert.equal(Object.values(blue.Resources).filter((resource) => resource.Type === 'AWS::EKS::Cluster').length, 1);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
