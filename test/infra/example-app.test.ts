// The CDK apps as a user runs them: `npx cdk synth` with no AWS credentials or
// configuration anywhere (README: "works with no AWS account"), in the example's
// infra/ and in the one `kaji init` scaffolds. The AWS CDK CLI runs each app the
// way its cdk.json says, through kaji's package exports (dist/, built by npm test
// before the tests).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { scaffold } from '../../src/cli/init.js';
import { installBeside, KAJI_ROOT as ROOT } from '../support/files.js';

const CDK = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** Runs `cdk synth` in `app` with an empty HOME and no AWS_* variables; the template file names and their resources. */
async function cdkSynth(app: string, home: string): Promise<Map<string, Resource[]>> {
  const output = join(home, 'cdk.out');
  // IMDS off, so that nothing waits on a metadata service for credentials.
  const env = { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: tmpdir(), AWS_EC2_METADATA_DISABLED: 'true', CI: 'true' };
  await promisify(execFile)(process.execPath, [CDK, 'synth', '--quiet', '--no-notices', '--output', output], { cwd: app, env, maxBuffer: 16 * 1024 * 1024 });
  const templates = readdirSync(output).filter((file) => file.endsWith('.template.json')).sort();
  return new Map(
    templates.map((file) => {
      const { Resources } = JSON.parse(readFileSync(join(output, file), 'utf8')) as { Resources: Record<string, Resource> };
      return [file, Object.values(Resources)];
    }),
  );
}

const clusters = (resources: readonly Resource[] = []) => resources.filter((resource) => resource.Type === 'AWS::EKS::Cluster').length;

/** The IAM roles named as cluster admins (AmazonEKSClusterAdminPolicy): the kubectl provider's own role, a reference, left out. */
const clusterAdmins = (resources: readonly Resource[] = []): unknown[] =>
  resources
    .filter((resource) => resource.Type === 'AWS::EKS::AccessEntry' && /AmazonEKSClusterAdminPolicy/.test(JSON.stringify(resource.Properties?.AccessPolicies)))
    .map((resource) => resource.Properties?.PrincipalArn)
    .filter((principal) => typeof principal === 'string');

describe('npx cdk synth with no AWS account', () => {
  test('examples/labs/infra: one template per stack', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kaji-cdk-home-'));
    try {
      const templates = await cdkSynth(join(ROOT, 'examples', 'labs', 'infra'), home);
      assert.deepEqual([...templates.keys()], ['labs-blue.template.json', 'labs-green.template.json', 'labs-shared.template.json']);
      assert.equal(clusters(templates.get('labs-blue.template.json')), 1);
      // The platform admins are platform.yaml's platform.adminRoles; bin/app.mts names none.
      for (const cluster of ['labs-blue', 'labs-green']) {
        assert.deepEqual(clusterAdmins(templates.get(`${cluster}.template.json`)), ['arn:aws:iam::111122223333:role/labs-platform-admins']);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('the app kaji init scaffolds, with kaji and tsx installed beside it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kaji-cdk-home-'));
    try {
      const platform = join(home, 'acme');
      await scaffold(platform, 'acme');
      installBeside(platform, ['tsx']);
      const templates = await cdkSynth(join(platform, 'infra'), home);
      assert.deepEqual([...templates.keys()], ['acme-blue.template.json', 'acme-shared.template.json']);
      assert.equal(clusters(templates.get('acme-blue.template.json')), 1);
      // Its adminRoles are a comment to fill in: no admin until then (a placeholder role would fail the deploy).
      assert.deepEqual(clusterAdmins(templates.get('acme-blue.template.json')), []);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('the scaffolded app on bad input', () => {
  /** Runs the app as its cdk.json says (node --import tsx bin/app.mts) after `edit` of its platform.yaml (and `editApp` of bin/app.mts); its exit code and standard error. */
  async function runApp(edit: (text: string) => string, editApp = (text: string) => text): Promise<{ code: number; stderr: string }> {
    const home = mkdtempSync(join(tmpdir(), 'kaji-app-'));
    try {
      const platform = join(home, 'acme');
      await scaffold(platform, 'acme');
      installBeside(platform, ['tsx']);
      writeFileSync(join(platform, 'platform.yaml'), edit(readFileSync(join(platform, 'platform.yaml'), 'utf8')));
      const app = join(platform, 'infra', 'bin', 'app.mts');
      writeFileSync(app, editApp(readFileSync(app, 'utf8')));
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/app.mts'], { cwd: join(platform, 'infra'), env: { PATH: process.env.PATH ?? '', HOME: home } });
      const failure = await run.then(
        () => assert.fail('the app accepted a bad platform.yaml'),
        (error: { code: number; stderr: string }) => error,
      );
      return { code: failure.code, stderr: failure.stderr };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }

  test('a platform.yaml problem: its file:line and field, exit 1, no stack trace', async () => {
    const { code, stderr } = await runApp((text) => text.replace(/^(platform:\n)/m, '$1  apiEndpointCidrs: [0.0.0.0/0]\n'));
    assert.equal(code, 1);
    assert.match(stderr, /^kaji: invalid platform definition:\n.*platform\.yaml:\d+:\d+: platform\.apiEndpointCidrs\[0\]: is 0\.0\.0\.0\/0, every address/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  test('props a construct refuses: the construct and field, exit 1, no stack trace', async () => {
    // A prop given in the app (not platform.yaml, which the loader checks): an endpoint open to every address.
    const opened = (text: string) => {
      const edited = text.replace(/buildPlatformApp\((await loadPlatform\([^;]*\))\);/, "buildPlatformApp($1, { clusters: { publicEndpointCidrs: ['0.0.0.0/0'] } });");
      assert.notEqual(edited, text, 'the app calls buildPlatformApp(await loadPlatform(...))');
      return edited;
    };
    const { code, stderr } = await runApp((text) => text, opened);
    assert.equal(code, 1);
    assert.match(stderr, /^kaji: acme-blue: publicEndpointCidrs\[0\] is 0\.0\.0\.0\/0, every address/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});
