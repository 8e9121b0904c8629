// The GitHub Action (action.yml) and the example workflows are valid: the keys
// GitHub requires, every input the action uses is declared, and every input a
// workflow passes to kaji's action exists there.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { tempTree } from '../support/files.js';

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

// Every workflow file kaji ships (examples and what `kaji init` scaffolds), and the action.
function workflowFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(new URL(dir, ROOT), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry.name) && (dir.includes('workflows') || dir.startsWith('examples/labs/workflows'))) found.push(path);
    }
  };
  walk('examples/labs/workflows');
  walk('templates/init');
  return found;
}

/** Every step of every job of a workflow, or the steps of a composite action. */
function stepsOf(document: Map): Map[] {
  if (isMap(document.runs)) return (document.runs.steps as Map[] | undefined) ?? [];
  return Object.values((document.jobs ?? {}) as Record<string, Map>).flatMap((job) => (job.steps as Map[] | undefined) ?? []);
}

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
    for (const name of ['service', 'tag', 'digest', 'clusters', 'manifests-repository', 'base', 'mode', 'github-token', 'source-repo', 'source-commit', 'platform-dir']) {
      assert.ok(isMap(inputs[name]), `input ${name}`);
    }
    // kaji runs from the action's own commit; an input naming a version to fetch
    // from a registry would bring the unpinned install back.
    assert.equal(inputs['kaji-version'], undefined, 'no kaji-version input');
    for (const [name, input] of Object.entries(inputs)) {
      assert.equal(typeof input.description, 'string', `${name} has a description`);
      if (input.required === true) assert.equal(input.default, undefined, `${name} is required and has no default`);
    }
    assert.equal(inputs['source-repo']!.default, '${{ github.repository }}');
    assert.equal(inputs['source-commit']!.default, '${{ github.sha }}');
  });

  test('every ${{ inputs.X }} it uses is declared; Node 24 (a Node.js in support); kaji is built from the action\'s own commit with no token, then run with it', () => {
    const used = expressionsOf(read('action.yml'))
      .flatMap((expression) => [...expression.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!));
    assert.ok(used.length > 0);
    for (const name of used) assert.ok(name in inputs, `inputs.${name} is declared`);
    const steps = (action.runs as Map).steps as Map[];
    const node = steps.find((step) => typeof step.uses === 'string' && step.uses.startsWith('actions/setup-node@'));
    assert.equal(String((node!.with as Map)['node-version']), '24');

    assert.doesNotMatch(read('action.yml').replace(/^\s*#.*$/gm, ''), /\bnpx\b/, 'nothing is run through npx');
    const install = steps.findIndex((step) => typeof step.run === 'string' && step.run.includes('npm ci'));
    const bump = steps.findIndex((step) => typeof step.run === 'string' && step.run.includes('args=(bump '));
    assert.ok(install >= 0 && bump > install, 'kaji is installed and built before the bump step');
    const installStep = steps[install]!;
    const installRun = installStep.run as string;
    assert.match(installRun, /cd "\$GITHUB_ACTION_PATH"/, 'installed in the action\'s own checkout');
    assert.match(installRun, /npm ci --ignore-scripts --no-audit --no-fund/, 'from the lock file, no install scripts');
    assert.match(installRun, /npm run build/);
    assert.match(installRun, /env -i /, 'npm and the build run with an emptied environment');
    assert.equal(installStep.env, undefined, 'the install step sets no environment (no token)');
    assert.doesNotMatch(installRun, /token|secret|inputs\./i, 'no token in the install step');

    const bumpStep = steps[bump]!;
    assert.equal((bumpStep.env as Map).GITHUB_TOKEN, '${{ inputs.github-token }}');
    assert.match(bumpStep.run as string, /node "\$GITHUB_ACTION_PATH\/dist\/cli\/main\.js" "\$\{args\[@\]\}"/);
    const withToken = steps.filter((step) => JSON.stringify(step).includes('inputs.github-token'));
    assert.deepEqual(withToken, [bumpStep], 'only the bump step gets the token');
    for (const step of steps) {
      if (typeof step.run === 'string') assert.doesNotMatch(step.run, /\$\{\{/, 'inputs reach the script through env, never pasted into it');
    }
  });
  test('the install step, run by bash as a runner would, hands npm PATH, HOME, TMPDIR, CI and the proxy and CA settings only: no token', () => {
    const installRun = ((action.runs as Map).steps as Map[]).map((step) => step.run).find((run) => typeof run === 'string' && run.includes('npm ci')) as string;
    // A stand-in npm, first on PATH, that records each call in $HOME/calls.jsonl (HOME is kept).
    const stub = `#!${process.execPath}\nconst { appendFileSync } = require('node:fs');\nappendFileSync(process.env.HOME + '/calls.jsonl', JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env }) + '\\n');\n`;
    const tree = tempTree({ 'bin/npm': stub, 'action/.keep': '', 'tmp/.keep': '' });
    try {
      chmodSync(tree.path('bin/npm'), 0o755);
      const path = `${tree.path('bin')}:${process.env.PATH ?? ''}`;
      execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', installRun], {
        env: {
          PATH: path,
          HOME: tree.root,
          GITHUB_ACTION_PATH: tree.path('action'),
          RUNNER_TEMP: tree.path('tmp'),
          // What a workflow's or job's env may hold, and the runner's own secrets: none of it reaches npm.
          GITHUB_TOKEN: 'ghs_not_for_npm',
          ACTIONS_RUNTIME_TOKEN: 'runtime-token',
          NODE_OPTIONS: '--require /somewhere/hook.js',
          NPM_CONFIG_USERCONFIG: '/somewhere/.npmrc',
          HTTPS_PROXY: 'http://proxy.example:3128',
          NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem',
        },
      });
      const calls = readFileSync(tree.path('calls.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { argv: string[]; cwd: string; env: Record<string, string> });
      assert.deepEqual(calls.map((call) => call.argv.join(' ')), ['ci --ignore-scripts --no-audit --no-fund --include=dev', 'run build']);
      for (const call of calls) {
        assert.equal(call.cwd, tree.path('action'), 'in the action\'s own checkout');
        const kept = { PATH: path, HOME: tree.root, TMPDIR: tree.path('tmp'), CI: 'true', HTTPS_PROXY: 'http://proxy.example:3128', NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem' };
        assert.deepEqual(call.env, kept);
      }
    } finally {
      tree.cleanup();
    }
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
        assert.match(expression, /^(always\(\)|[a-z_]+(\.[\w-]+)+( \|\| [a-z_]+(\.[\w-]+)+)*|always\(\) && .+)$/, `expression ${expression}`);
      }
    });
  }

  test('app-release: job image (OIDC to the CI role, ECR login, Buildx push unless pushed), job pin (kaji, the token), nothing shared', () => {
    const workflow = parseStrict('examples/labs/workflows/app-release.yml');
    assert.deepEqual(workflow.on, { push: { branches: ['main'] } });
    assert.deepEqual(workflow.permissions, {}, 'nothing granted workflow-wide');
    const jobs = workflow.jobs as Record<string, Map>;
    assert.deepEqual(Object.keys(jobs), ['image', 'pin']);
    assert.deepEqual(jobs.image!.permissions, { contents: 'read', 'id-token': 'write' });
    assert.deepEqual(jobs.pin!.permissions, { contents: 'read' }, 'the job with the manifest token gets no OIDC token');
    assert.equal(jobs.pin!.needs, 'image');

    const steps = jobs.image!.steps as Map[];
    const uses = steps.map((step) => String(step.uses ?? '').replace(/@.*/, ''));
    const order = ['actions/checkout', 'aws-actions/configure-aws-credentials', 'aws-actions/amazon-ecr-login', 'docker/setup-qemu-action', 'docker/setup-buildx-action', 'docker/build-push-action'];
    let last = -1;
    for (const name of order) {
      const at = uses.indexOf(name, last + 1);
      assert.ok(at > last, `${name} after the previous steps`);
      last = at;
    }
    const aws = steps[uses.indexOf('aws-actions/configure-aws-credentials')]!.with as Map;
    assert.equal(aws['role-to-assume'], '${{ env.CI_ROLE }}');
    assert.match(String((workflow.env as Map).CI_ROLE), /^arn:aws:iam::\d{12}:role\/labs-antenna-ci$/);
    const pushed = steps.findIndex((step) => step.id === 'pushed');
    const build = steps.findIndex((step) => String(step.uses).startsWith('docker/build-push-action'));
    assert.ok(pushed >= 0 && pushed < build, 'the pushed-already check runs before the build');
    assert.equal(steps[build]!.id, 'build');
    assert.equal(steps[build]!.if, "steps.pushed.outputs.digest == ''", 'built only when not pushed yet');
    assert.equal((steps[build]!.with as Map).push, true);
    assert.match(String((steps[build]!.with as Map).tags), /\$\{\{ steps\.ecr\.outputs\.registry \}\}\/\$\{\{ env\.SERVICE \}\}:\$\{\{ github\.sha \}\}/);
    assert.equal(String((steps[pushed]!.env as Map).IMAGE), String((steps[build]!.with as Map).tags), 'the check looks for the tag the build pushes');
    // The runners are amd64: every other platform built needs its QEMU emulation registered, from a binfmt image pinned by digest.
    const qemu = steps[uses.indexOf('docker/setup-qemu-action')]!.with as Map;
    const foreign = String((steps[build]!.with as Map).platforms).split(',').map((platform) => platform.replace(/^linux\//, '')).filter((arch) => arch !== 'amd64');
    assert.deepEqual(foreign, ['arm64']);
    assert.deepEqual(String(qemu.platforms).split(','), foreign);
    assert.match(String(qemu.image), /^docker\.io\/tonistiigi\/binfmt:[\w.-]+@sha256:[0-9a-f]{64}$/);
    assert.equal((jobs.image!.outputs as Map).digest, '${{ steps.pushed.outputs.digest || steps.build.outputs.digest }}');

    const pinSteps = jobs.pin!.steps as Map[];
    const kaji = pinSteps.find((step) => /^example-labs\/kaji@[0-9a-f]{40}$/.test(String(step.uses)));
    assert.ok(kaji, 'the workflow uses kaji\'s action pinned to a full commit SHA');
    const given = kaji.with as Map;
    for (const name of Object.keys(given)) assert.ok(name in inputs, `input ${name} exists in action.yml`);
    for (const [name, input] of Object.entries(inputs)) if (input.required === true) assert.ok(name in given, `required input ${name} is given`);
    assert.equal(given.digest, '${{ needs.image.outputs.digest }}');
    // The write token never sits in a job that runs the build's actions, and within its job only kaji gets it:
    // the platform repository is read with a read-only token. An environment restricted to main holds it.
    assert.doesNotMatch(JSON.stringify(jobs.image), /MANIFESTS_TOKEN/);
    assert.deepEqual(pinSteps.filter((step) => JSON.stringify(step).includes('MANIFESTS_TOKEN')), [kaji]);
    const platformCheckout = pinSteps.find((step) => String(step.uses).startsWith('actions/checkout@'))!.with as Map;
    assert.equal(platformCheckout.token, '${{ secrets.PLATFORM_READ_TOKEN }}');
    assert.equal(jobs.pin!.environment, 'manifests');
    for (const step of pinSteps) assert.match(String(step.uses), /^(actions\/checkout@[0-9a-f]{40}|example-labs\/kaji@[0-9a-f]{40})$/, `only pinned checkout and kaji in the token's job: ${String(step.uses)}`);
  });

  describe('app-release: the already-pushed check, run by bash with a stand-in docker', () => {
    const script = String(((parseStrict('examples/labs/workflows/app-release.yml').jobs as Record<string, Map>).image!.steps as Map[]).find((step) => step.id === 'pushed')!.run);
    const IMAGE = '111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/antenna:0123abcd';
    // A stand-in docker: prints STDOUT, writes STDERR and exits with CODE, recording its arguments.
    const run = (docker: { stdout?: string; stderr?: string; code: number }) => {
      const stub = `#!/bin/sh\necho "$*" > "$HOME/argv"\nprintf '%s' '${docker.stdout ?? ''}'\nprintf '%s\\n' '${docker.stderr ?? ''}' >&2\nexit ${docker.code}\n`;
      const tree = tempTree({ 'bin/docker': stub, 'tmp/.keep': '', 'output': '' });
      try {
        chmodSync(tree.path('bin/docker'), 0o755);
        const env = { PATH: `${tree.path('bin')}:${process.env.PATH ?? ''}`, HOME: tree.root, RUNNER_TEMP: tree.path('tmp'), GITHUB_OUTPUT: tree.path('output'), IMAGE };
        let code = 0;
        let stderr = '';
        let stdout = '';
        try {
          stdout = execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (error) {
          const failed = error as { status: number; stderr: string; stdout: string };
          code = failed.status;
          stderr = failed.stderr;
          stdout = failed.stdout;
        }
        return { code, stdout, stderr, output: readFileSync(tree.path('output'), 'utf8'), argv: readFileSync(tree.path('argv'), 'utf8').trim() };
      } finally {
        tree.cleanup();
      }
    };

    test('pushed before (a re-run): its digest is the output, so the build is skipped', () => {
      const result = run({ stdout: 'sha256:' + 'a'.repeat(64), code: 0 });
      assert.equal(result.code, 0);
      assert.equal(result.output, `digest=sha256:${'a'.repeat(64)}\n`);
      assert.equal(result.argv, `buildx imagetools inspect ${IMAGE} --format {{.Manifest.Digest}}`);
      assert.match(result.stdout, /is already in ECR/);
    });

    test('not in the repository yet: no output, so the build runs', () => {
      const result = run({ stderr: `ERROR: ${IMAGE}: not found`, code: 1 });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.output, '');
      assert.match(result.stdout, /not in ECR yet: building it/);
    });

    test('any other failure (no access, no network) fails the step and shows why: never taken for "not pushed"', () => {
      const result = run({ stderr: 'ERROR: failed to authorize: 403 Forbidden', code: 1 });
      assert.equal(result.code, 1);
      assert.equal(result.output, '');
      assert.match(result.stderr, /403 Forbidden/);
    });
  });

  test('manifests-ci: synth --check-only, check to SARIF uploaded to code scanning, a Markdown comment', () => {
    const workflow = parseStrict('examples/labs/workflows/manifests-ci.yml');
    assert.ok(isMap(workflow.on) && 'pull_request' in workflow.on);
    assert.equal((workflow.permissions as Map)['security-events'], 'write');
    assert.equal((workflow.permissions as Map)['pull-requests'], 'write');
    const steps = (workflow.jobs as Record<string, Map>).check!.steps as Map[];
    const runs = steps.map((step) => String(step.run ?? ''));
    // examples/labs has two repositories: the platform one in platform/, the pull request's in platform/manifests.
    const checkouts = steps.filter((step) => String(step.uses).startsWith('actions/checkout@')).map((step) => step.with as Map);
    assert.ok(checkouts.some((w) => w.repository === 'example-labs/platform' && w.path === 'platform'));
    assert.ok(checkouts.some((w) => w.repository === undefined && w.path === 'platform/manifests'));
    assert.ok(runs.some((run) => /synth platform --check-only/.test(run)));
    assert.ok(runs.every((run) => !/--config polaris\.yaml/.test(run)), 'the policy is the platform repository\'s');
    assert.ok(runs.some((run) => /--config platform\/polaris\.yaml/.test(run)));
    assert.ok(runs.some((run) => /check .* --format sarif -o kaji\.sarif/.test(run)));
    assert.ok(runs.some((run) => /check .* --format markdown .*-o kaji\.md/.test(run)));
    assert.ok(runs.some((run) => /gh pr comment "\$PR" --edit-last --body-file kaji\.md \|\| gh pr comment/.test(run)));
    const upload = steps.find((step) => String(step.uses).startsWith('github/codeql-action/upload-sarif@'))!;
    assert.equal((upload.with as Map).sarif_file, 'kaji.sarif');
    assert.equal(String((steps.find((step) => String(step.uses).startsWith('actions/setup-node'))!.with as Map)['node-version']), '24');
  });
});

describe('supply chain: what runs with the tokens', () => {
  const files = ['action.yml', ...workflowFiles()];

  test('the workflows are found (examples; kaji init scaffolds none today)', () => {
    for (const path of WORKFLOWS) assert.ok(files.includes(path), path);
  });

  for (const path of files) {
    test(`${path}: every action pinned to a full commit SHA with its version in a comment`, () => {
      const text = read(path);
      const steps = stepsOf(parseStrict(path));
      for (const step of steps) {
        if (typeof step.uses !== 'string' || step.uses.startsWith('./')) continue;
        assert.match(step.uses, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${step.uses} is pinned to a commit SHA`);
        const line = text.split('\n').find((l) => l.includes(`uses: ${step.uses}`));
        assert.match(String(line), /@[0-9a-f]{40} # \S/, `${step.uses} says which version (or what) the SHA is`);
      }
      const actions = steps.map((step) => String(step.uses ?? '')).filter((uses) => !uses.startsWith('example-labs/kaji@'));
      for (const uses of actions) if (/@[0-9a-f]{40}$/.test(uses)) assert.match(text, new RegExp(`${uses} # v\\d`), `${uses} has its version in a comment`);
    });

    test(`${path}: no kaji from a registry by name, no expression pasted into a script`, () => {
      const code = read(path).replace(/^\s*#.*$/gm, '');
      assert.doesNotMatch(code, /\bkaji@(?![0-9a-f]{40}\b)/, 'kaji is never taken by a version or tag (npx kaji@…, uses: …/kaji@v0)');
      assert.doesNotMatch(code, /\bnpx\b[^\n]*\bkaji\b/, 'kaji is never run through npx');
      for (const step of stepsOf(parseStrict(path))) {
        if (typeof step.run === 'string') assert.doesNotMatch(step.run, /\$\{\{/, `run: gets values through env, never \${{ }}: ${step.run}`);
      }
    });

    test(`${path}: every checkout keeps no credentials (persist-credentials: false)`, () => {
      for (const step of stepsOf(parseStrict(path))) {
        if (typeof step.uses !== 'string' || !step.uses.startsWith('actions/checkout@')) continue;
        // None of kaji's workflows pushes with the checkout's credentials: kaji
        // bump clones and pushes with its own token (src/gitops/git.ts).
        assert.equal((step.with as Map | undefined)?.['persist-credentials'], false, `${String(step.name)} sets persist-credentials: false`);
      }
    });
  }

  test('manifests-ci runs kaji built from the same pinned commit as the action, before any kaji command', () => {
    const workflow = parseStrict('examples/labs/workflows/manifests-ci.yml');
    assert.equal((workflow.env as Map).KAJI, 'node .kaji/dist/cli/main.js');
    const steps = stepsOf(workflow);
    const checkout = steps.findIndex((step) => String(step.uses).startsWith('actions/checkout@') && (step.with as Map | undefined)?.repository === 'example-labs/kaji');
    assert.ok(checkout >= 0, 'kaji is checked out');
    const ref = (steps[checkout]!.with as Map).ref;
    assert.equal(typeof ref, 'string', 'the ref is quoted (an all-digit SHA would be read as a number)');
    assert.match(String(ref), /^[0-9a-f]{40}$/, 'at a full commit SHA');
    assert.equal((steps[checkout]!.with as Map).path, '.kaji');
    const release = stepsOf(parseStrict('examples/labs/workflows/app-release.yml')).find((step) => String(step.uses).startsWith('example-labs/kaji@'))!;
    assert.equal(String(release.uses), `example-labs/kaji@${String(ref)}`, 'the same kaji commit as the app repositories\' action');
    const install = steps.findIndex((step) => typeof step.run === 'string' && step.run.includes('npm ci'));
    assert.ok(install > checkout, 'installed after the checkout');
    assert.equal(steps[install]!['working-directory'], '.kaji');
    assert.match(String(steps[install]!.run), /npm ci --ignore-scripts --no-audit --no-fund/);
    assert.match(String(steps[install]!.run), /npm run build/);
    assert.equal(steps[install]!.env, undefined, 'no token in the install step');
    const firstKaji = steps.findIndex((step) => typeof step.run === 'string' && step.run.includes('$KAJI'));
    assert.ok(firstKaji > install, 'kaji runs after it is built');
  });
});
