import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { formatSynthTable, runSynth } from '../../src/synth/index.js';
import { kaji } from '../support/cli.js';
import { hasKubectl } from '../support/files.js';
import { platformTree, platformYaml, type TestService } from '../support/platform.js';
import { snapshot } from '../support/synth-output.js';

const shop: TestService = { name: 'shop', hosts: ['www.shop.example.com'], extra: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop, annotations: {alb.ingress.kubernetes.io/scheme: internet-facing}}
spec:
  ingressClassName: alb
  rules: [{host: www.shop.example.com}]
` };
const cart: TestService = { name: 'cart' };

describe('kaji synth --out', () => {
  test('an --out where no folder can be made is one line before any work: no overlay, no clusters/ written', async () => {
    const tree = platformTree([cart]);
    try {
      writeFileSync(tree.path('taken'), 'a file\n');
      // The file in the way is named, --out itself or the folder above it that is a file.
      for (const out of ['taken', 'taken/out']) {
        const { code, stdout, stderr } = await kaji(['synth', tree.root, '--out', tree.path(out)]);
        assert.equal(code, 2, stderr);
        assert.equal(stdout, '');
        assert.equal(stderr, `kaji synth: reading platform.yaml\nkaji: cannot create the folder ${tree.path('taken')}: file already exists; a file is in the way: choose another path\n`);
      }
      if (existsSync('/proc/self')) {
        // A file system that takes no folders (denied permissions too, which root never meets) fails as early.
        const { code, stderr } = await kaji(['synth', tree.root, '--out', '/proc/kaji-out']);
        assert.equal(code, 2, stderr);
        assert.equal(stderr, 'kaji synth: reading platform.yaml\nkaji: cannot create the folder /proc/kaji-out: /proc takes no new folders (is it a special file system, such as /proc?); choose another path\n');
      }
      assert.ok(!existsSync(tree.path('manifests/apps/cart/overlays/green')), 'no overlay created');
      assert.ok(!existsSync(tree.path('manifests/clusters')), 'no clusters/ written');
      assert.equal(readFileSync(tree.path('taken'), 'utf8'), 'a file\n');
    } finally {
      tree.cleanup();
    }
  });
});

describe('kaji synth', { skip: !hasKubectl }, () => {
  test('each cluster reports as itself, also with no service rendered on it', async () => {
    const tree = platformTree([cart]);
    try {
      rmSync(tree.path('manifests/apps/cart/overlays'), { recursive: true }); // nothing to render cart from
      const result = await runSynth({ directory: tree.root, checkOnly: true });
      assert.deepEqual(result.clusters.map((c) => [c.cluster, c.services.length]), [['blue', 0], ['green', 0]]);
    } finally {
      tree.cleanup();
    }
  });

  test('creates missing overlays, generates clusters/, renders and checks every service per cluster', async () => {
    const tree = platformTree([shop, cart]);
    try {
      const blueOverlay = tree.path('manifests/apps/shop/overlays/blue/kustomization.yaml');
      const blueBefore = readFileSync(blueOverlay, 'utf8');
      const result = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      assert.equal(readFileSync(blueOverlay, 'utf8'), blueBefore, 'existing files under apps/ are never changed');
      assert.deepEqual(result.overlays.map((o) => [o.path, o.from]), [
        ['apps/shop/overlays/green', 'apps/shop/overlays/blue'],
        ['apps/cart/overlays/green', 'apps/cart/overlays/blue'],
      ]);
      assert.ok(existsSync(tree.path('manifests/apps/shop/overlays/green/kustomization.yaml')));
      assert.ok(result.fileChanges.length > 0 && result.fileChanges.every((c) => c.action === 'create'));
      assert.ok(existsSync(tree.path('manifests/clusters/blue/argocd/apps/shop.yaml')));
      assert.deepEqual(result.clusters.map((c) => [c.cluster, c.services.map((s) => `${s.service}:${s.objects}`)]), [
        ['blue', ['shop:2', 'cart:1']],
        ['green', ['shop:2', 'cart:1']],
      ]);
      // The rendered Ingress carries the cluster's DNS weight.
      const greenShop = readFileSync(tree.path('out/green/shop.yaml'), 'utf8');
      assert.match(greenShop, /external-dns\.alpha\.kubernetes\.io\/aws-weight: '0'/);
      assert.match(readFileSync(tree.path('out/blue/shop.yaml'), 'utf8'), /aws-weight: '255'/);
      const summary = JSON.parse(readFileSync(tree.path('out/summary.json'), 'utf8'));
      assert.equal(summary.clusters[0].services[0].service, 'shop');
      // The CDK app is synthesised from the same definition into out/cdk.out.
      assert.deepEqual(result.infrastructure.stacks, ['shop-shared', 'shop-blue', 'shop-green']);
      assert.equal(result.infrastructure.problem, undefined);
      assert.deepEqual(summary.cdk.stacks, ['shop-shared', 'shop-blue', 'shop-green']);
      assert.ok(formatSynthTable(result).includes(`\nCDK app: 3 stacks (shop-shared, shop-blue, shop-green) in ${tree.path('out/cdk.out')}\n`), formatSynthTable(result));
      const green = JSON.parse(readFileSync(tree.path('out/cdk.out/shop-green.template.json'), 'utf8'));
      const clusters = Object.values(green.Resources as Record<string, { Type: string; Properties: { Version?: string } }>).filter((r) => r.Type === 'AWS::EKS::Cluster');
      assert.deepEqual(clusters.map((c) => c.Properties.Version), ['1.34']);
      // A kept assembly has its construct tree (the CDK CLI filters notices by it).
      assert.ok(existsSync(tree.path('out/cdk.out/tree.json')));
      assert.equal(result.dangers, 0);
    } finally {
      tree.cleanup();
    }
  });

  test('a second run writes nothing; a removed service loses its generated files but hand-written files stay', async () => {
    const tree = platformTree([shop, cart]);
    try {
      await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      const generated = tree.path('manifests/clusters/blue/argocd/apps/cart.yaml');
      const before = statSync(generated).mtimeMs;
      const again = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      assert.deepEqual(again.fileChanges, []);
      assert.deepEqual(again.overlays, []);
      assert.equal(statSync(generated).mtimeMs, before, 'an unchanged file is not rewritten');

      const handWritten = tree.path('manifests/clusters/blue/argocd/notes.yaml');
      writeFileSync(handWritten, '# kept by the platform team\n');
      writeFileSync(tree.path('platform.yaml'), platformYaml([shop]));
      const removed = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      const deleted = removed.fileChanges.filter((c) => c.action === 'delete').map((c) => c.path);
      assert.ok(deleted.includes('clusters/blue/argocd/apps/cart.yaml'));
      assert.ok(deleted.includes('clusters/green/tenants/cart/namespace.yaml'));
      assert.ok(deleted.every((path) => path.includes('cart')), `only cart's files go: ${deleted.join(', ')}`);
      assert.ok(!existsSync(generated));
      assert.ok(!existsSync(tree.path('manifests/clusters/blue/tenants/cart')), 'emptied folders are removed');
      assert.equal(readFileSync(handWritten, 'utf8'), '# kept by the platform team\n');
      assert.ok(existsSync(tree.path('manifests/apps/cart/base/kustomization.yaml')), "a team's apps/ folder is never deleted");
    } finally {
      tree.cleanup();
    }
  });

  test('--check-only writes nothing and exits 3 when generated files or overlays are out of date', async () => {
    const tree = platformTree([cart]);
    try {
      const stale = await kaji(['synth', tree.root, '--check-only', '--out', tree.path('out')]);
      assert.equal(stale.code, 3, stale.stderr);
      assert.match(stale.stdout, /generated files OUT OF DATE: \d+ to create/);
      assert.match(stale.stdout, /overlay missing: apps\/cart\/overlays\/green/);
      assert.ok(!existsSync(tree.path('manifests/clusters')));
      assert.ok(!existsSync(tree.path('manifests/apps/cart/overlays/green')));
      assert.ok(!existsSync(tree.path('out')));

      assert.equal((await kaji(['synth', tree.root, '--out', tree.path('out')])).code, 0);
      const fresh = await kaji(['synth', tree.root, '--check-only']);
      assert.equal(fresh.code, 0, fresh.stdout);
      assert.match(fresh.stdout, /generated files: up to date/);
      assert.match(fresh.stderr, /rendered 2\/2/, 'progress goes to standard error');
    } finally {
      tree.cleanup();
    }
  });

  test("a retiring cluster: synth deletes its service Applications and headroom placeholders and nothing else; --check-only then passes", async () => {
    const tree = platformTree([shop, cart]);
    try {
      assert.equal((await kaji(['synth', tree.root, '--out', tree.path('out')])).code, 0);
      const before = snapshot(tree.path('manifests'));
      const retiring = readFileSync(tree.path('platform.yaml'), 'utf8').replace('weight: 0}', 'weight: 0, retiring: true}');
      assert.match(retiring, /name: green, kubernetesVersion: "1.34", weight: 0, retiring: true/);
      writeFileSync(tree.path('platform.yaml'), retiring);

      const result = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      assert.deepEqual(result.fileChanges.map((change) => `${change.action} ${change.path}`), [
        'delete clusters/green/argocd/apps/cart.yaml',
        'delete clusters/green/argocd/apps/shop.yaml',
        'delete clusters/green/platform/headroom/deployment.yaml',
      ]);
      const gone = (path: string) => /^clusters\/green\/argocd\/apps(\/|$)/.test(path) || path === 'clusters/green/platform/headroom/deployment.yaml';
      const expected = Object.fromEntries(Object.entries(before).filter(([path]) => !gone(path)));
      assert.deepEqual(snapshot(tree.path('manifests')), expected, 'every other file (kaji-root, projects, tenants, platform) as it was; the empty apps/ folder gone');
      // Its overlays are still rendered and checked: they stay until the cluster is removed.
      assert.deepEqual(result.clusters.map((c) => [c.cluster, c.services.map((s) => s.rendered)]), [['blue', [true, true]], ['green', [true, true]]]);

      const check = await kaji(['synth', tree.root, '--check-only']);
      assert.equal(check.code, 0, check.stdout);
      assert.match(check.stdout, /generated files: up to date/);
    } finally {
      tree.cleanup();
    }
  });

  test('a tenant crossing its boundaries is reported as dangers and fails the run', async () => {
    const rogue: TestService = {
      name: 'rogue',
      image: 'nginx',
      namespace: 'shop',
      extra: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: rogue-admin}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: rogue, namespace: rogue}
spec:
  rules: [{host: www.shop.example.com}, {host: evil.example.org}]
`,
    };
    const tree = platformTree([shop, rogue]);
    try {
      const { code, stdout } = await kaji(['synth', tree.root, '--out', tree.path('out')]);
      assert.equal(code, 1);
      // Each service's row counts its own objects' results (one livenessProbe warning each) and its own violations.
      assert.match(stdout, /^\s+shop\s+shop\s+2\s+0\s+1\s+80$/m);
      assert.match(stdout, /^\s+rogue\s+rogue\s+3\s+7\s+1\s+80$/m);
      for (const expected of [
        /rogue: Deployment\/shop\/rogue: namespace "shop" is not the service's namespace "rogue"/,
        /rogue: ClusterRole\/-\/rogue-admin: ClusterRole is cluster-scoped/,
        /rogue: Deployment\/shop\/rogue: image "nginx:1\.0\.0" is not from 111122223333/,
        /rogue: Ingress\/rogue\/rogue: host "evil\.example\.org" is not under the platform domain/,
        /rogue: Ingress\/rogue\/rogue: host "www\.shop\.example\.com" is already claimed by shop/,
        /rogue: Ingress\/rogue\/rogue: neither spec\.ingressClassName nor the kubernetes\.io\/ingress\.class annotation is set/,
      ]) {
        assert.match(stdout, expected);
      }
    } finally {
      tree.cleanup();
    }
  });

  test("the table shows control characters from the manifests as \\xNN, never sends them to the terminal", async () => {
    const named: TestService = {
      name: 'cart',
      extra: `apiVersion: v1
kind: ConfigMap
metadata: {name: "cm\\e[2K\\r\\e[32mall good\\nfake", namespace: "other\\e]0;title\\a"}
`,
    };
    const tree = platformTree([named]);
    try {
      const text = formatSynthTable(await runSynth({ directory: tree.root, checkOnly: true }), { checkOnly: true });
      assert.doesNotMatch(text, /(?!\n)\p{Cc}/u, 'no control character but the line ends');
      assert.ok(text.includes('\nCDK app: 3 stacks (shop-shared, shop-blue, shop-green), synthesised and discarded\n'), text);
      assert.ok(
        text.includes('✗ blue/cart: ConfigMap/other\\x1b]0;title\\x07/cm\\x1b[2K\\x0d\\x1b[32mall good\\x0afake: namespace "other\\x1b]0;title\\x07" is not'),
        text,
      );
    } finally {
      tree.cleanup();
    }
  });

  test('an invalid platform.yaml is refused with file:line:column, exit 2', async () => {
    const tree = platformTree([cart]);
    try {
      writeFileSync(tree.path('platform.yaml'), platformYaml([cart]).replace('weight: 255', 'weight: 256'));
      const { code, stderr } = await kaji(['synth', tree.root]);
      assert.equal(code, 2);
      assert.match(stderr, /platform\.yaml:4:\d+: clusters\[0\]\.weight/);
    } finally {
      tree.cleanup();
    }
  });

  test('a manifests.localPath that is missing, a file, or a folder with neither apps/ nor clusters/ is refused before anything is written, exit 2', async () => {
    const tree = platformTree([cart]);
    try {
      const withLocalPath = (localPath: string) =>
        platformYaml([cart]).replace('manifests.git}', `manifests.git, localPath: ${localPath}}`);
      writeFileSync(tree.path('platform.yaml'), withLocalPath('manfests'));
      const missing = await kaji(['synth', tree.root, '--out', tree.path('out')]);
      assert.equal(missing.code, 2, missing.stderr);
      assert.match(missing.stderr, /platform\.yaml: manifests\.localPath: .*manfests does not exist: check out the manifest repository there/);
      assert.equal(existsSync(tree.path('manfests')), false, 'no new tree for a mistyped path');
      writeFileSync(tree.path('platform.yaml'), withLocalPath('polaris.yaml'));
      const file = await kaji(['synth', tree.root, '--out', tree.path('out')]);
      assert.equal(file.code, 2, file.stderr);
      assert.match(file.stderr, /manifests\.localPath: .*polaris\.yaml is not a folder/);
      assert.doesNotMatch(file.stderr, /unexpected error/);
      assert.equal(existsSync(tree.path('out')), false);
      // Some other folder (a typo that exists, an absolute path): not filled with clusters/.
      mkdirSync(tree.path('elsewhere'));
      writeFileSync(tree.path('elsewhere/notes.txt'), 'mine\n');
      writeFileSync(tree.path('platform.yaml'), withLocalPath('elsewhere'));
      const other = await kaji(['synth', tree.root, '--out', tree.path('out')]);
      assert.equal(other.code, 2, other.stderr);
      assert.match(other.stderr, /manifests\.localPath: .*elsewhere holds neither apps\/ \(the services' overlays\) nor clusters\/, so it is no manifest repository kaji synth would write clusters\/ into: check out the manifest repository there/);
      assert.deepEqual(readdirSync(tree.path('elsewhere')), ['notes.txt']);
      assert.equal(existsSync(tree.path('out')), false);
    } finally {
      tree.cleanup();
    }
  });

  test('a service whose overlay does not render is a problem, and the others are still checked', async () => {
    const tree = platformTree([shop, cart]);
    try {
      writeFileSync(tree.path('manifests/apps/cart/overlays/blue/kustomization.yaml'), 'resources: [../../missing]\n');
      const result = await runSynth({ directory: tree.root, outDirectory: tree.path('out') });
      const cartBlue = result.clusters[0]!.services.find((s) => s.service === 'cart')!;
      assert.match(cartBlue.problems[0]!.message, /kubectl kustomize failed/);
      assert.equal(result.clusters[0]!.services.find((s) => s.service === 'shop')!.objects, 2);
      assert.ok(result.problems > 0);
    } finally {
      tree.cleanup();
    }
  });
});

