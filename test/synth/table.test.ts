import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { formatSynthTable, runSynth } from '../../src/synth/index.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { platformTree, type TestService } from '../support/platform.js';
import { setEnv } from '../support/env.js';

const cart: TestService = { name: 'cart' };
const hello: TestService = { name: 'hello' };

/** The table's line for a service in a cluster, spaces squeezed. */
function row(stdout: string, cluster: string, service: string): string | undefined {
  const block = stdout.split('\n\n').find((part) => part.startsWith(`cluster ${cluster} `)) ?? '';
  return block
    .split('\n')
    .map((line) => line.trim().replace(/ {2,}/g, ' '))
    .find((line) => line.startsWith(`${service} `));
}

describe('kaji synth table: services that do not render', { skip: !hasKubectl }, () => {
  test('a service whose YAML is broken has no figures and no score, and the cluster score says what it covers', async () => {
    const tree = platformTree([cart, hello]);
    try {
      writeFileSync(tree.path('manifests/apps/hello/base/resources.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n  bad: [\n');
      const { code, stdout } = await kaji(['synth', tree.root, '--check-only', '--no-color']);
      assert.equal(code, 1, stdout); // a service that could not be rendered
      assert.equal(row(stdout, 'blue', 'cart'), 'cart cart 1 0 1 80');
      assert.equal(row(stdout, 'blue', 'hello'), 'hello hello — — — — not rendered (1 problem)');
      assert.match(stdout, /^cluster blue \(Kubernetes 1\.32, DNS weight 255, score \d+ over what rendered: 1 of 2 services not rendered whole\)$/m);
      assert.doesNotMatch(stdout, /^ *hello +hello +0 /m);
      // The render error leads with the file and line and the reason, without klog's prefix.
      const problem = stdout.split('\n').find((line) => line.startsWith('✗ blue/hello: '));
      assert.ok(problem, stdout);
      assert.doesNotMatch(problem, /E\d{4} |run\.go|command failed|err=/);
      assert.match(problem, /^✗ blue\/hello: kubectl kustomize failed: \/.*\/apps\/hello\/base\/resources\.yaml:2: did not find expected ',' or '}'/);
    } finally {
      tree.cleanup();
    }
  });

  test('a service whose overlay is missing has a row saying so, and a cluster with nothing rendered has no score', async () => {
    const tree = platformTree([hello]);
    try {
      rmSync(tree.path('manifests/apps/hello/overlays'), { recursive: true });
      const { code, stdout } = await kaji(['synth', tree.root, '--check-only', '--no-color']);
      assert.equal(code, 1, stdout);
      assert.equal(row(stdout, 'green', 'hello'), 'hello hello — — — — not rendered (overlay problem)');
      assert.match(stdout, /^cluster green \(Kubernetes 1\.34, DNS weight 0, score —: no service rendered\)$/m);
    } finally {
      tree.cleanup();
    }
  });

  test('services that render keep their figures and the plain cluster score; one rendered in part has the score of what rendered, and says so', async () => {
    const tree = platformTree([cart]);
    try {
      const { stdout } = await kaji(['synth', tree.root, '--check-only', '--no-color']);
      assert.equal(row(stdout, 'blue', 'cart'), 'cart cart 1 0 1 80');
      assert.match(stdout, /^cluster blue \(Kubernetes 1\.32, DNS weight 255, score \d+\)$/m);
      assert.match(stdout, /^ {2}SERVICE +NAMESPACE +OBJECTS +DANGERS +WARNINGS +SCORE$/m);
      // kubectl kustomize does not print a document kaji cannot read, so the part is given to the table.
      const result = await runSynth({ directory: tree.root, checkOnly: true });
      const [blue, ...others] = result.clusters;
      const partial = { ...blue!.services[0]!, rendered: 'partial' as const, problems: [{ file: 'out.yaml', line: 9, message: 'kind must be a string' }] };
      const text = formatSynthTable({ ...result, clusters: [{ ...blue!, services: [partial] }, ...others] }, { checkOnly: true });
      assert.equal(row(text, 'blue', 'cart'), 'cart cart 1 0 1 80 rendered in part (1 problem)');
      assert.match(text, /^cluster blue \(Kubernetes 1\.32, DNS weight 255, score \d+ over what rendered: 1 of 1 services not rendered whole\)$/m);
      assert.equal(row(text, 'green', 'cart'), 'cart cart 1 0 1 80');
    } finally {
      tree.cleanup();
    }
  });
});

describe('kaji synth table: which checks failed', { skip: !hasKubectl }, () => {
  test('each failed danger is a line naming the service, object, container and check; a few warnings are listed too, and summary.json has them all', async () => {
    const tree = platformTree([cart, hello]);
    try {
      const resources = tree.path('manifests/apps/hello/base/resources.yaml');
      writeFileSync(resources, readFileSync(resources, 'utf8').replace('        - name: app\n', '        - name: app\n          securityContext: {privileged: true}\n'));
      const { code, stdout } = await kaji(['synth', tree.root, '--out', tree.path('out'), '--no-color']);
      assert.equal(code, 1, stdout);
      const marked = stdout.split('\n').filter((line) => /^[✗⚠] /.test(line));
      assert.deepEqual(marked, [
        '✗ blue/hello: Deployment/hello/hello: container app: runAsPrivileged: Should not be running as privileged',
        '✗ green/hello: Deployment/hello/hello: container app: runAsPrivileged: Should not be running as privileged',
        '⚠ blue/cart: Deployment/cart/cart: container app: livenessProbeMissing: Liveness probe should be configured',
        '⚠ blue/hello: Deployment/hello/hello: container app: livenessProbeMissing: Liveness probe should be configured',
        '⚠ green/cart: Deployment/cart/cart: container app: livenessProbeMissing: Liveness probe should be configured',
        '⚠ green/hello: Deployment/hello/hello: container app: livenessProbeMissing: Liveness probe should be configured',
      ]);
      assert.match(stdout, /^2 dangers, 4 warnings, 0 problems$/m);
      const summary = JSON.parse(readFileSync(tree.path('out/summary.json'), 'utf8'));
      const blueHello = summary.clusters[0].services.find((service: { service: string }) => service.service === 'hello');
      assert.deepEqual(blueHello.failedChecks, [
        { object: 'Deployment/hello/hello', container: 'app', check: 'livenessProbeMissing', severity: 'warning', message: 'Liveness probe should be configured' },
        { object: 'Deployment/hello/hello', container: 'app', check: 'runAsPrivileged', severity: 'danger', message: 'Should not be running as privileged' },
      ]);
      assert.equal(blueHello.dangers, 1);
    } finally {
      tree.cleanup();
    }
  });

  test('many warnings are a count per cluster with the kaji check command that lists them; names and messages are printed escaped', async () => {
    const tree = platformTree([cart]);
    try {
      const result = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      const warning = { object: 'Deployment/cart/cart', container: 'app', check: 'livenessProbeMissing', severity: 'warning' as const, message: 'Liveness probe should be configured' };
      const danger = { object: 'Deployment/cart/c\u001b[2Jart', container: null, check: 'custom\u202eCheck', severity: 'danger' as const, message: 'bad\nline' };
      const [blue, green] = result.clusters;
      const many = { ...blue!.services[0]!, dangers: 1, warnings: 21, failedChecks: [danger, ...Array.from({ length: 21 }, () => warning)] };
      const text = formatSynthTable({ ...result, dangers: 1, warnings: 22, clusters: [{ ...blue!, services: [many] }, green!] });
      const marked = text.split('\n').filter((line) => /^[✗⚠] /.test(line));
      const policy = tree.path('polaris.yaml');
      assert.deepEqual(marked, [
        '✗ blue/cart: Deployment/cart/c\\x1b[2Jart: custom\\u202eCheck: bad\\x0aline',
        `⚠ blue: 21 warnings, not listed here: kaji check ${tree.path('out/blue')} --config ${policy} --only-show-failed-tests lists them`,
        `⚠ green: 1 warning, not listed here: kaji check ${tree.path('out/green')} --config ${policy} --only-show-failed-tests lists it`,
      ]);
      const checkOnly = formatSynthTable({ ...result, clusters: [{ ...blue!, services: [many] }, green!] }, { checkOnly: true });
      assert.match(checkOnly, /^⚠ blue: 21 warnings, not listed here: kaji synth \(without --check-only\) writes .*out\/blue, then kaji check .*out\/blue --config .*polaris\.yaml --only-show-failed-tests lists them$/m);
    } finally {
      tree.cleanup();
    }
  });
});

describe('kaji synth table: many changed files', { skip: !hasKubectl }, () => {
  test('beyond 20, a count names the summary.json of --out that lists them; with --check-only, which writes none, the run that does', async () => {
    const tree = platformTree([cart, hello]);
    try {
      const out = tree.path('elsewhere');
      const more = /^ {2}… and (\d+) more \((.*)\)$/m;
      const checkOnly = await kaji(['synth', tree.root, '--check-only', '--out', out, '--no-color']);
      assert.equal(checkOnly.code, 3, checkOnly.stdout + checkOnly.stderr);
      assert.equal(checkOnly.stdout.match(more)?.[2], `kaji synth without --check-only makes them all and lists them in ${out}/summary.json`);
      const written = await kaji(['synth', tree.root, '--out', out, '--no-color']);
      assert.equal(written.code, 0, written.stdout + written.stderr);
      const [, count, where] = written.stdout.match(more) ?? [];
      assert.equal(where, `all in ${out}/summary.json`);
      const summary = JSON.parse(readFileSync(`${out}/summary.json`, 'utf8')) as { generatedFiles: unknown[] };
      assert.equal(summary.generatedFiles.length, 20 + Number(count), 'the 20 listed and the rest');
    } finally {
      tree.cleanup();
    }
  });
});

describe('kaji synth without kubectl', () => {
  test('one line naming where kubectl was looked for, exit 2, not a problem per service and cluster', async () => {
    const tree = platformTree([cart, hello]);
    const restoreEnv = setEnv({ KAJI_KUBECTL: tree.path('no-such-kubectl') });
    try {
      const { code, stdout, stderr } = await kaji(['synth', tree.root, '--check-only', '--no-color']);
      assert.equal(code, 2, stdout + stderr);
      const mentions = (stdout + stderr).split('\n').filter((line) => line.includes('kubectl not found'));
      assert.deepEqual(mentions, [
        `kaji: kubectl not found: there is no program ${JSON.stringify(tree.path('no-such-kubectl'))} (KAJI_KUBECTL); set KAJI_KUBECTL to kubectl's path, or unset it to use kubectl from PATH`,
      ]);
    } finally {
      restoreEnv();
      tree.cleanup();
    }
  });
});
