import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { scaffold } from '../../src/cli/init.js';
import { kaji } from '../support/cli.js';
import { hasKubectl, installBeside, KAJI_ROOT as root, tempTree } from '../support/files.js';

describe('kaji init', () => {
  test('scaffolds a platform that kaji synth accepts with no danger', { skip: !hasKubectl }, async () => {
    const tree = tempTree({});
    try {
      const target = join(tree.root, 'acme');
      const init = await kaji(['init', target]);
      assert.equal(init.code, 0, init.stderr);
      for (const file of ['platform.yaml', 'polaris.yaml', 'README.md', 'manifests/apps/hello/overlays/blue/kustomization.yaml']) {
        assert.ok(existsSync(join(target, file)), `${file} created`);
      }
      assert.match(readFileSync(join(target, 'platform.yaml'), 'utf8'), /name: acme\n/);
      const synth = await kaji(['synth', target, '--out', join(tree.root, 'out')]);
      assert.equal(synth.code, 0, synth.stdout + synth.stderr);
      assert.match(synth.stdout, /0 dangers, \d+ warnings?, 0 problems/);
    } finally {
      tree.cleanup();
    }
  });

  test('--help names every top-level file and folder it creates', async () => {
    const tree = tempTree({});
    try {
      const target = join(tree.root, 'acme');
      await scaffold(target, 'acme');
      const help = (await kaji(['init', '--help'])).stdout.replace(/\s+/g, ' ');
      for (const entry of readdirSync(target, { withFileTypes: true })) {
        const named = entry.isDirectory() ? `${entry.name}/` : entry.name === 'README.md' ? 'a README' : entry.name;
        assert.ok(help.includes(named), `kaji init --help names ${named}`);
      }
    } finally {
      tree.cleanup();
    }
  });

  test('never overwrites an existing platform', async () => {
    const tree = tempTree({ 'platform.yaml': 'platform: {name: mine}\n' });
    try {
      const { code, stderr } = await kaji(['init', tree.root]);
      assert.equal(code, 2);
      assert.match(stderr, /platform\.yaml already exists; kaji init never overwrites a platform/);
      assert.equal(readFileSync(tree.path('platform.yaml'), 'utf8'), 'platform: {name: mine}\n');
    } finally {
      tree.cleanup();
    }
  });

  test('a DIR that is a file, or lies under one, is one line naming it, exit 2', async () => {
    const tree = tempTree({ taken: 'a file\n' });
    try {
      for (const target of [tree.path('taken'), tree.path('taken/acme')]) {
        const { code, stderr } = await kaji(['init', target]);
        assert.equal(code, 2, stderr);
        assert.match(stderr, /^kaji: cannot create the folder \S*taken(\/acme)?: [a-z ]+; a file is in the way: choose another path\n$/);
      }
      assert.equal(readFileSync(tree.path('taken'), 'utf8'), 'a file\n');
    } finally {
      tree.cleanup();
    }
  });

  test("kaji synth's --out under a file is one line naming it, exit 2", { skip: !hasKubectl }, async () => {
    const tree = tempTree({ taken: 'a file\n' });
    try {
      const platform = join(tree.root, 'acme');
      await scaffold(platform, 'acme');
      const { code, stderr } = await kaji(['synth', platform, '--out', tree.path('taken/out')]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /\nkaji: cannot create the folder \S*taken\/out\S*: [a-z ]+; a file is in the way: choose another path\n$/);
    } finally {
      tree.cleanup();
    }
  });

  test("infra/package.json installs kaji from this checkout, with what cdk.json runs, at kaji's own versions", async () => {
    const tree = tempTree({});
    try {
      const platform = join(tree.root, 'deep', 'acme');
      await scaffold(platform, 'acme');
      const infra = join(platform, 'infra');
      const manifest = JSON.parse(readFileSync(join(infra, 'package.json'), 'utf8')) as Record<string, unknown>;
      const dependencies = manifest.dependencies as Record<string, string>;
      const devDependencies = manifest.devDependencies as Record<string, string>;
      assert.deepEqual([manifest.name, manifest.private, manifest.type], ['acme-infra', true, 'module']);
      const kajiPath = /^file:(\.\.\/.+)$/.exec(dependencies.kaji ?? '')?.[1];
      assert.ok(kajiPath, `kaji from a relative file: path, got ${dependencies.kaji}`);
      assert.equal(resolve(infra, kajiPath), resolve(root));
      const kaji = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
      const exact = (range: string | undefined) => range?.replace(/^[\^~]/, '');
      assert.equal(dependencies['aws-cdk-lib'], exact(kaji.dependencies!['aws-cdk-lib']));
      assert.equal(dependencies.constructs, exact(kaji.dependencies!.constructs));
      assert.equal(devDependencies['aws-cdk'], exact(kaji.devDependencies!['aws-cdk']));
      assert.match(dependencies['aws-cdk-lib']!, /^\d+\.\d+\.\d+$/);
      // cdk.json's app runs through tsx: it must be installed there too.
      const { app } = JSON.parse(readFileSync(join(infra, 'cdk.json'), 'utf8')) as { app: string };
      assert.match(app, /--import tsx /);
      assert.equal(devDependencies.tsx, exact(kaji.devDependencies!.tsx));
      assert.doesNotMatch(readFileSync(join(infra, 'README.md'), 'utf8'), /npm install kaji/);
    } finally {
      tree.cleanup();
    }
  });

  test(".gitignore keeps kaji synth's out/, node_modules and cdk.out out of git, and nothing the team writes", async () => {
    const tree = tempTree({});
    try {
      const platform = join(tree.root, 'acme');
      await scaffold(platform, 'acme');
      execFileSync('git', ['init', '--quiet', platform]);
      const ignored = (path: string) => {
        try {
          execFileSync('git', ['-C', platform, 'check-ignore', '--quiet', path]);
          return true;
        } catch {
          return false;
        }
      };
      for (const path of ['out/summary.json', 'node_modules/x/index.js', 'infra/node_modules/kaji', 'infra/cdk.out/manifest.json']) {
        assert.ok(ignored(path), `${path} is ignored`);
      }
      for (const path of ['platform.yaml', 'infra/package.json', 'infra/bin/app.mts', 'manifests/apps/hello/base/out/x.yaml', 'manifests/clusters/blue/x.yaml']) {
        assert.ok(!ignored(path), `${path} is not ignored`);
      }
    } finally {
      tree.cleanup();
    }
  });

  test('a DIR whose parent takes no new folders (/proc) is one line, exit 2, rather than a hang', { skip: !existsSync('/proc/self') }, async () => {
    for (const target of ['/proc/kaji-init-test/acme', '/proc']) {
      const { code, stdout, stderr } = await kaji(['init', target]);
      assert.equal(code, 2, stdout + stderr);
      assert.match(stderr, /^kaji: cannot create the folder \/proc\/[a-z-]+: \/proc takes no new folders \(is it a special file system, such as \/proc\?\); choose another path\n$/);
    }
  });

  test('folders are made one by one: a deep new DIR, and one that exists already, both work', async () => {
    const tree = tempTree({});
    try {
      mkdirSync(tree.path('empty'));
      for (const target of [tree.path('a/b/c/acme'), tree.path('empty')]) {
        const { code, stderr } = await kaji(['init', target, '--name', 'acme']);
        assert.equal(code, 0, stderr);
        assert.ok(existsSync(join(target, 'manifests/apps/hello/overlays/blue/kustomization.yaml')));
        assert.ok(existsSync(join(target, '.gitignore')));
      }
    } finally {
      tree.cleanup();
    }
  });

  test('refuses a name that is not a DNS label', async () => {
    const tree = tempTree({});
    try {
      const { code, stderr } = await kaji(['init', join(tree.root, 'x'), '--name', 'Not_Valid']);
      assert.equal(code, 2);
      assert.match(stderr, /"Not_Valid" is not a valid platform name/);
    } finally {
      tree.cleanup();
    }
  });

  test("platform.yaml's schema line names kaji's schema where npm install in infra/ puts it (and in the example)", async () => {
    const schemaOf = (file: string) => resolve(dirname(file), /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(file, 'utf8'))![1]!);
    const tree = tempTree({});
    try {
      const platform = join(tree.root, 'acme');
      await scaffold(platform, 'acme');
      installBeside(join(platform, 'infra'));
      assert.equal(schemaOf(join(platform, 'platform.yaml')), join(platform, 'infra', 'node_modules', 'kaji', 'schema', 'platform.schema.json'));
      assert.ok(existsSync(schemaOf(join(platform, 'platform.yaml'))));
      assert.equal(schemaOf(join(root, 'examples', 'labs', 'platform.yaml')), join(root, 'schema', 'platform.schema.json'));
    } finally {
      tree.cleanup();
    }
  });
});
