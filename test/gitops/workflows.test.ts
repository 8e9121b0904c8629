// The GitHub Action (action.yml) and the example workflows are valid: the keys
// GitHub requires, every input the action uses is declared, and every input a
// workflow passes to kaji's action exists there.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
type Map = Record<string, unknown>;

function isMap(value: unknown): value is Map {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStrict(path: string): Map {
  const value: unknown = parse(read(path), { strict: true, uniqueKeys: true });
  assert.ok(isMap(value), `${path} is a mapping`);
  return value;
}

function expressionsOf(text: string): string[] {
  return [...text.matchAll(/\$\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]!);
}

const action = parseStrict('action.yml');
const inputs = action.inputs as Record<string, Map>;
const WORKFLOWS = ['examples/labs/workflows/app-release.yml', 'examples/labs/workflows/manifests-ci.yml'];

describe('action.yml', () => {
  test('is a composite action with a name, a description, inputs and steps', () => {
    assert.equal(typeof action.name, 'string');
    assert.equal(typeof action.description, 'string');
    assert.ok(isMap(action.inputs));
    const runs = action.runs as Map;
    assert.equal(runs.using, 'composite');
    assert.ok(Array.isArray(runs.steps) && runs.steps.length > 0);
    for (const step of runs.steps as Map[]) {
      assert.ok(typeof step.uses === 'string' || typeof step.run === 'string', 'a step uses an action or runs a script');
      if (typeof step.run === 'string') assert.equal(typeof step.shell, 'string', 'a composite run step names its shell');
    }
  });

  test('declares the inputs of the deploy flow, each with a description; required ones have no default', () => {
    for (const name of ['service', 'tag', 'digest', 'clusters', 'manifests-repository', 'base', 'mode', 'github-token', 'source-repo', 'source-commit', 'platform-dir', 'kaji-version']) {
      assert.ok(isMap(inputs[name]), `input ${name}`);
    }
    for (const [name, input] of Object.entries(inputs)) {
      assert.equal(typeof input.description, 'string', `${name} has a description`);
      if (input.required === true) assert.equal(input.default, undefined, `${name} is required and has no default`);
    }
    assert.equal(inputs['source-repo']!.default, '${{ github.repository }}');
    assert.equal(inputs['source-commit']!.default, '${{ github.sha }}');
  });

  test('every ${{ inputs.X }} it uses is declared; the token reaches kaji as GITHUB_TOKEN; Node 20; kaji via npx', () => {
    const used = expressionsOf(read('action.yml'))
      .flatMap((expression) => [...expression.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!));
    assert.ok(used.length > 0);
    for (const name of used) assert.ok(name in inputs, `inputs.${name} is declared`);
    const steps = (action.runs as Map).steps as Map[];
    const node = steps.find((step) => typeof step.uses === 'string' && step.uses.startsWith('actions/setup-node@v4'));
    assert.equal(String((node!.with as Map)['node-version']), '20');
    const bump = steps.find((step) => typeof step.run === 'string' && step.run.includes('npx --yes'))!;
    assert.equal((bump.env as Map).GITHUB_TOKEN, '${{ inputs.github-token }}');
    assert.equal((bump.env as Map).KAJI_VERSION, '${{ inputs.kaji-version }}');
    assert.match(bump.run as string, /npx --yes "kaji@\$KAJI_VERSION" "\$\{args\[@\]\}"/);
    assert.match(bump.run as string, /args=\(bump /);
    assert.doesNotMatch(bump.run as string, /\$\{\{/, 'inputs reach the script through env, never pasted into it');
  });
});

describe('example workflows', () => {
  for (const path of WORKFLOWS) {
    test(`${path} has on, jobs, runs-on and steps`, () => {
      const workflow = parseStrict(path);
      assert.equal(typeof workflow.name, 'string');
      assert.ok(workflow.on !== undefined, 'on');
      assert.ok(isMap(workflow.jobs) && Object.keys(workflow.jobs).length > 0, 'jobs');
      for (const [id, job] of Object.entries(workflow.jobs as Record<string, Map>)) {
        assert.ok(/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id), `job id ${id}`);
        assert.equal(typeof job['runs-on'], 'string', `${id} runs-on`);
        assert.ok(Array.isArray(job.steps) && job.steps.length > 0, `${id} steps`);
        for (const step of job.steps as Map[]) {
          assert.ok((typeof step.uses === 'string') !== (typeof step.run === 'string'), `a step has uses or run, not both: ${JSON.stringify(step)}`);
          if (typeof step.uses === 'string') assert.match(step.uses, /^(\.\/.*|[\w.-]+\/[\w./-]+@[\w.-]+)$/, `${step.uses} is pinned to a ref`);
        }
      }
      for (const expression of expressionsOf(read(path))) {
        assert.match(expression, /^(always\(\)|[a-z_]+(\.[\w-]+)+|always\(\) && .+)$/, `expression ${expression}`);
      }
    });
  }

  test('app-release: OIDC to the CI role, ECR login, Buildx push, then kaji with inputs the action declares', () => {
    const workflow = parseStrict('examples/labs/workflows/app-release.yml');
    assert.deepEqual(workflow.on, { push: { branches: ['main'] } });
    assert.equal((workflow.permissions as Map)['id-token'], 'write');
    const steps = (workflow.jobs as Record<string, Map>).release!.steps as Map[];
    const uses = steps.map((step) => String(step.uses ?? '').replace(/@.*/, ''));
    const order = ['actions/checkout', 'aws-actions/configure-aws-credentials', 'aws-actions/amazon-ecr-login', 'docker/setup-buildx-action', 'docker/build-push-action'];
    let last = -1;
    for (const name of order) {
      const at = uses.indexOf(name, last + 1);
      assert.ok(at > last, `${name} after the previous steps`);
      last = at;
    }
    const aws = steps[uses.indexOf('aws-actions/configure-aws-credentials')]!.with as Map;
    assert.equal(aws['role-to-assume'], '${{ env.CI_ROLE }}');
    assert.match(String((workflow.env as Map).CI_ROLE), /^arn:aws:iam::\d{12}:role\/labs-antenna-ci$/);
    const build = steps.find((step) => String(step.uses).startsWith('docker/build-push-action'))!;
    assert.equal(build.id, 'build');
    assert.equal((build.with as Map).push, true);
    assert.match(String((build.with as Map).tags), /\$\{\{ steps\.ecr\.outputs\.registry \}\}\/\$\{\{ env\.SERVICE \}\}:\$\{\{ github\.sha \}\}/);

    const kaji = steps.find((step) => /\/kaji@v0$/.test(String(step.uses)));
    assert.ok(kaji, 'the workflow uses kaji@v0');
    assert.ok(steps.indexOf(kaji) > steps.indexOf(build), 'after the image is pushed');
    const given = kaji.with as Map;
    for (const name of Object.keys(given)) assert.ok(name in inputs, `input ${name} exists in action.yml`);
    for (const [name, input] of Object.entries(inputs)) if (input.required === true) assert.ok(name in given, `required input ${name} is given`);
    assert.equal(given.digest, '${{ steps.build.outputs.digest }}');
  });

  test('manifests-ci: synth --check-only, check to SARIF uploaded to code scanning, a Markdown comment', () => {
    const workflow = parseStrict('examples/labs/workflows/manifests-ci.yml');
    assert.ok(isMap(workflow.on) && 'pull_request' in workflow.on);
    assert.equal((workflow.permissions as Map)['security-events'], 'write');
    assert.equal((workflow.permissions as Map)['pull-requests'], 'write');
    const steps = (workflow.jobs as Record<string, Map>).check!.steps as Map[];
    const runs = steps.map((step) => String(step.run ?? ''));
    assert.ok(runs.some((run) => /synth \. --check-only/.test(run)));
    assert.ok(runs.some((run) => /check .* --format sarif -o kaji\.sarif/.test(run)));
    assert.ok(runs.some((run) => /check .* --format markdown .*-o kaji\.md/.test(run)));
    assert.ok(runs.some((run) => /gh pr comment "\$PR" --edit-last --body-file kaji\.md \|\| gh pr comment/.test(run)));
    const upload = steps.find((step) => String(step.uses).startsWith('github/codeql-action/upload-sarif@'))!;
    assert.equal((upload.with as Map).sarif_file, 'kaji.sarif');
    assert.equal(String((steps.find((step) => String(step.uses).startsWith('actions/setup-node'))!.with as Map)['node-version']), '20');
  });
});
