import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { kajiDependency, scaffold } from '../../src/cli/init.js';
import { loadPlatform, SUPPORTED_KUBERNETES_VERSIONS } from '../../src/platform/index.js';
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

  test('the scaffold\'s cluster runs the newest Kubernetes version kaji supports, and no placeholder is left', async () => {
    const tree = tempTree({});
    try {
      const target = join(tree.root, 'acme');
      const { created } = await scaffold(target, 'acme', 'kaji@0.0.0');
      const platform = await loadPlatform(join(target, 'platform.yaml'));
      assert.deepEqual(platform.clusters.map((cluster) => cluster.kubernetesVersion), [SUPPORTED_KUBERNETES_VERSIONS.at(-1)]);
      for (const file of created) assert.doesNotMatch(readFileSync(join(target, file), 'utf8'), /__[A-Z_]+__/, file);
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

  test("kaji synth's --out under a file is one line naming that file, exit 2", { skip: !hasKubectl }, async () => {
    const tree = tempTree({ taken: 'a file\n' });
    try {
      const platform = join(tree.root, 'acme');
      await scaffold(platform, 'acme');
      const { code, stderr } = await kaji(['synth', platform, '--out', tree.path('taken/out')]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /\nkaji: cannot create the folder \S*\/taken: file already exists; a file is in the way: choose another path\n$/);
    } finally {
      tree.cleanup();
    }
  });

  test("infra/package.json installs kaji as --kaji says, with what cdk.json runs, at kaji's own versions", async () => {
    const tree = tempTree({});
    try {
      const platform = join(tree.root, 'deep', 'acme');
      const spec = 'git+https://github.com/acme/kaji.git#v0.1.0';
      const init = await kaji(['init', platform, '--kaji', spec]);
      assert.equal(init.code, 0, init.stderr);
      assert.equal(init.stderr, '', 'a spec given is not warned about');
      assert.ok(init.stdout.includes(`infra/package.json installs kaji from ${spec}\n`), init.stdout);
      const infra = join(platform, 'infra');
      const manifest = JSON.parse(readFileSync(join(infra, 'package.json'), 'utf8')) as Record<string, unknown>;
      const dependencies = manifest.dependencies as Record<string, string>;
      const devDependencies = manifest.devDependencies as Record<string, string>;
      assert.deepEqual([manifest.name, manifest.private, manifest.type], ['acme-infra', true, 'module']);
      assert.equal(dependencies.kaji, spec);
      const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
      const exact = (range: string | undefined) => range?.replace(/^[\^~]/, '');
      assert.equal(dependencies['aws-cdk-lib'], exact(own.dependencies!['aws-cdk-lib']));
      assert.equal(dependencies.constructs, exact(own.dependencies!.constructs));
      assert.equal(devDependencies['aws-cdk'], exact(own.devDependencies!['aws-cdk']));
      assert.match(dependencies['aws-cdk-lib']!, /^\d+\.\d+\.\d+$/);
      // cdk.json's app runs through tsx: it must be installed there too.
      const { app } = JSON.parse(readFileSync(join(infra, 'cdk.json'), 'utf8')) as { app: string };
      assert.match(app, /--import tsx /);
      assert.equal(devDependencies.tsx, exact(own.devDependencies!.tsx));
      // npm reads overrides and allowScripts from the project it installs only: kaji's are repeated there.
      assert.ok(own.overrides && own.allowScripts, "kaji's package.json has both");
      assert.deepEqual(manifest.overrides, own.overrides);
      assert.deepEqual(manifest.allowScripts, own.allowScripts);
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
      const long = await kaji(['init', join(tree.root, 'x'), '--name', 'a'.repeat(64)]);
      assert.equal(long.code, 2);
      assert.match(long.stderr, /is not a valid platform name: a DNS label, .*at most 63 \(--name NAME\)\n$/);
      const fromFolder = await kaji(['init', join(tree.root, '___')]);
      assert.equal(fromFolder.code, 2);
      assert.equal(fromFolder.stderr, `kaji: the folder name "___" makes no platform name (a DNS label: lowercase letters, digits and '-', at most 63): give one with --name NAME\n`);
      assert.ok(!existsSync(join(tree.root, '___')), 'nothing made');
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

  test('without --kaji, the spec is the one kajiDependency finds for this checkout, and its warning goes to stderr', async () => {
    const tree = tempTree({});
    try {
      const init = await kaji(['init', join(tree.root, 'acme')]);
      assert.equal(init.code, 0, init.stderr);
      const expected = await kajiDependency();
      assert.match(expected.spec, /^(git\+\S+#[0-9a-f]{40}|file:\/\S+)$/);
      const manifest = JSON.parse(readFileSync(join(tree.root, 'acme', 'infra', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      assert.equal(manifest.dependencies.kaji, expected.spec);
      assert.equal(init.stderr, expected.warning === undefined ? '' : `kaji init: warning: ${expected.warning}\n`);
    } finally {
      tree.cleanup();
    }
  });

  test('--kaji that is not one word is one line, exit 2, and nothing is written', async () => {
    const tree = tempTree({});
    try {
      const { code, stderr } = await kaji(['init', join(tree.root, 'acme'), '--kaji', 'kaji 0.1.0']);
      assert.equal(code, 2);
      assert.match(stderr, /^kaji: --kaji "kaji 0\.1\.0" is not an npm package spec: give one word, such as git\+https:\/\/\S+\n$/);
      assert.ok(!existsSync(join(tree.root, 'acme')));
    } finally {
      tree.cleanup();
    }
  });

  test('kajiDependency: a checkout with an origin gives git+URL#HEAD, never with credentials, and warns when HEAD is not on origin', async () => {
    const tree = tempTree({});
    try {
      const checkout = tree.path('kaji');
      const head = commitAll(checkout);
      const cases: [origin: string, spec: string][] = [
        ['https://x-access-token:s3cret-token@github.com/acme/kaji.git', 'git+https://github.com/acme/kaji.git'],
        ['git@github.com:acme/kaji.git', 'git+ssh://git@github.com:acme/kaji.git'],
        ['ssh://git@git.example.com:2222/acme/kaji.git', 'git+ssh://git@git.example.com:2222/acme/kaji.git'],
        ['git+ssh://git@github.com/acme/kaji.git', 'git+ssh://git@github.com/acme/kaji.git'],
      ];
      git(checkout, 'remote', 'add', 'origin', 'https://example.com/placeholder.git');
      for (const [origin, spec] of cases) {
        git(checkout, 'remote', 'set-url', 'origin', origin);
        const unpushed = await kajiDependency(checkout);
        assert.equal(unpushed.spec, `${spec}#${head}`);
        assert.match(unpushed.warning ?? '', new RegExp(`^commit ${head.slice(0, 12)} of the kaji checkout is on no branch of origin that it knows of: push it before anyone installs, or give --kaji SPEC$`));
        assert.doesNotMatch(JSON.stringify(unpushed), /s3cret/);
      }
      git(checkout, 'update-ref', 'refs/remotes/origin/main', head);
      assert.deepEqual(await kajiDependency(checkout), { spec: `git+ssh://git@github.com/acme/kaji.git#${head}` });
    } finally {
      tree.cleanup();
    }
  });

  test('kajiDependency: an origin that is a folder gives git+file:// at HEAD, which git can fetch, with a warning', async () => {
    const tree = tempTree({});
    try {
      const head = commitAll(tree.path('work'));
      git(tree.root, 'clone', '--quiet', '--bare', tree.path('work'), tree.path('kaji.git'));
      git(tree.root, 'clone', '--quiet', tree.path('kaji.git'), tree.path('kaji'));
      const { spec, warning } = await kajiDependency(tree.path('kaji'));
      const url = `file://${realpathSync(tree.path('kaji.git'))}`;
      assert.equal(spec, `git+${url}#${head}`);
      assert.match(warning ?? '', /is a folder on this machine: only this machine can install git\+file:\/\/\S+; give --kaji SPEC/);
      // What npm does with it first: fetch that commit from that URL.
      git(tree.path('work'), 'fetch', '--quiet', url, head);
    } finally {
      tree.cleanup();
    }
  });

  test('kajiDependency: no git checkout, a checkout with no origin, a kaji inside another repository: file: of the absolute path, with a warning', async () => {
    const tree = tempTree({ 'plain/package.json': '{}\n', 'platform/infra/node_modules/kaji/package.json': '{}\n' });
    try {
      commitAll(tree.path('lonely'));
      git(tree.path('platform'), 'init', '--quiet');
      for (const folder of ['plain', 'lonely', 'platform/infra/node_modules/kaji']) {
        const { spec, warning } = await kajiDependency(tree.path(folder));
        const absolute = realpathSync(tree.path(folder));
        assert.equal(spec, `file:${absolute}`);
        assert.match(warning ?? '', /works on this machine only .*; give --kaji SPEC \(a git URL with a tag or commit, a tarball\)/);
      }
    } finally {
      tree.cleanup();
    }
  });

  test('a fresh repository (.gitignore, README.md, LICENSE): init . adds the ignore rules it lacks and keeps the rest as it was', async () => {
    const gitignore = 'node_modules/\n*.log'; // no newline at the end, as an editor may leave it
    const tree = tempTree({ '.gitignore': gitignore, 'README.md': '# acme\n', LICENSE: 'MIT\n' });
    try {
      const init = await kaji(['init', '.', '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1'], { cwd: tree.root });
      assert.equal(init.code, 0, init.stderr);
      const ignores = readFileSync(tree.path('.gitignore'), 'utf8');
      assert.ok(ignores.startsWith(`${gitignore}\n`), ignores);
      assert.deepEqual(ignores.split('\n').filter((line) => line !== '' && !line.startsWith('#')), ['node_modules/', '*.log', '/out/', '/infra/cdk.out/']);
      assert.match(init.stdout, /\n {2}\.gitignore was there: added \/out\/ \/infra\/cdk\.out\/\n {2}README\.md was there: left as it was; kaji's guide for the platform team is in PLATFORM\.md\n/);
      assert.doesNotMatch(init.stdout, /^ {2}(\.gitignore|README\.md)\n/m);
      assert.match(init.stdout, /^ {2}PLATFORM\.md\n/m);
      // From the platform's own folder there is nothing to cd into.
      assert.match(init.stdout, /\nNext: read PLATFORM\.md, edit platform\.yaml, then run: kaji synth\nFor the CDK app: cd infra && npm install && npx cdk synth\n$/);
      assert.equal(readFileSync(tree.path('README.md'), 'utf8'), '# acme\n');
      // The guide is written beside it, the same as a README it would have written.
      const guide = readFileSync(tree.path('PLATFORM.md'), 'utf8');
      assert.equal(guide, readFileSync(join(root, 'templates/init/README.md'), 'utf8').replace(/__PLATFORM_NAME__/g, 'acme'));
      assert.match(guide, /^# The acme platform\n/);
      assert.equal(readFileSync(tree.path('LICENSE'), 'utf8'), 'MIT\n');
      assert.ok(existsSync(tree.path('platform.yaml')));
    } finally {
      tree.cleanup();
    }
    const complete = tempTree({ '.gitignore': '/out/\nnode_modules/\n/infra/cdk.out/\n' });
    try {
      const init = await kaji(['init', complete.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.equal(init.code, 0, init.stderr);
      assert.equal(readFileSync(complete.path('.gitignore'), 'utf8'), '/out/\nnode_modules/\n/infra/cdk.out/\n');
      assert.doesNotMatch(init.stdout, /gitignore/);
    } finally {
      complete.cleanup();
    }
  });

  test('--help lists the exit codes, as every command\'s does, and how NAME is made from the folder name', async () => {
    const help = await kaji(['init', '--help']);
    assert.equal(help.code, 0);
    const text = help.stdout.replace(/\s+/g, ' ');
    assert.match(text, /Exit codes: 0 created; 2 bad flags, a NAME \(or a folder name\) that makes no DNS label, a DIR that holds a platform\.yaml/);
    assert.match(text, /default: the folder name made one: lowercased, each run of other characters than a-z, 0-9 and - made one -/);
  });

  test('a folder name that is no DNS label names the platform by the slug rule, and the output says so', async () => {
    const tree = tempTree({});
    try {
      const init = await kaji(['init', join(tree.root, 'My  Shop!'), '--kaji', 'git+https://github.com/acme/kaji.git#v1'], { cwd: tree.root });
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /^kaji init: created \d+ files in \S+My {2}Shop! \(platform name my-shop, from the folder name; --name NAME gives another\)\n/);
      assert.match(readFileSync(join(tree.root, 'My  Shop!', 'platform.yaml'), 'utf8'), /^ {2}name: my-shop\b/m);
      const plain = await kaji(['init', join(tree.root, 'acme'), '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.match(plain.stdout, /^kaji init: created \d+ files in \S+acme\n/, 'a folder name that is a DNS label already needs no word');
    } finally {
      tree.cleanup();
    }
  });

  test('a .gitignore entry written with or without a leading or trailing slash counts as there: no second node_modules', async () => {
    const tree = tempTree({ '.gitignore': 'node_modules\nout/\n' });
    try {
      const init = await kaji(['init', tree.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.equal(init.code, 0, init.stderr);
      const rules = readFileSync(tree.path('.gitignore'), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      assert.deepEqual(rules, ['node_modules', 'out/', '/infra/cdk.out/']);
      assert.match(init.stdout, /\n {2}\.gitignore was there: added \/infra\/cdk\.out\/\n/);
    } finally {
      tree.cleanup();
    }
  });

  test('with README.md there, a PLATFORM.md there too refuses before anything is written: the guide is never written over a file', async () => {
    const tree = tempTree({ 'README.md': '# acme\n', 'PLATFORM.md': '# ours\n' });
    try {
      const { code, stdout, stderr } = await kaji(['init', tree.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, /PLATFORM\.md already exists \(kaji init writes its guide for the platform team there, as README\.md is there\); move it away or choose another folder\n$/);
      assert.deepEqual(readdirSync(tree.root).sort(), ['PLATFORM.md', 'README.md']);
      assert.equal(readFileSync(tree.path('PLATFORM.md'), 'utf8'), '# ours\n');
    } finally {
      tree.cleanup();
    }
    // Without a README.md, a PLATFORM.md is no file of init's: it stays, and the guide is README.md.
    const alone = tempTree({ 'PLATFORM.md': '# ours\n' });
    try {
      const init = await kaji(['init', alone.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.equal(init.code, 0, init.stderr);
      assert.equal(readFileSync(alone.path('PLATFORM.md'), 'utf8'), '# ours\n');
      assert.match(readFileSync(alone.path('README.md'), 'utf8'), /^# The acme platform\n/);
      assert.match(init.stdout, /\nNext: edit \S*platform\.yaml, then run: /);
    } finally {
      alone.cleanup();
    }
  });

  test('a file init writes that is there already (not README.md or .gitignore) refuses before anything is written', async () => {
    const tree = tempTree({ '.gitignore': 'node_modules/\n', 'infra/cdk.json': '{}\n' });
    try {
      const { code, stderr } = await kaji(['init', tree.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.equal(code, 2);
      assert.match(stderr, /infra\/cdk\.json already exists; move it away or choose another folder\n$/);
      assert.equal(readFileSync(tree.path('.gitignore'), 'utf8'), 'node_modules/\n');
      assert.deepEqual(readdirSync(tree.root).sort(), ['.gitignore', 'infra']);
    } finally {
      tree.cleanup();
    }
  });

  test('a link to nothing where init writes a file refuses before anything is written, as a file there does', async () => {
    const tree = tempTree({});
    try {
      symlinkSync(tree.path('nowhere'), tree.path('polaris.yaml'));
      const { code, stderr } = await kaji(['init', tree.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.equal(code, 2);
      assert.match(stderr, /polaris\.yaml already exists; move it away or choose another folder\n$/);
      assert.deepEqual(readdirSync(tree.root), ['polaris.yaml']);
    } finally {
      tree.cleanup();
    }
  });

  test('a .gitignore line counts only when it ignores as much as the rule init adds: /node_modules (the top folder only) does not', async () => {
    const tree = tempTree({ '.gitignore': '/node_modules\nout\n# infra/cdk.out/\ninfra/cdk.out\n' });
    try {
      const init = await kaji(['init', tree.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.equal(init.code, 0, init.stderr);
      // out (any depth, files too) covers /out/; infra/cdk.out (anchored by its slash) covers /infra/cdk.out/
      assert.match(init.stdout, /\n {2}\.gitignore was there: added node_modules\/\n/);
      execFileSync('git', ['init', '--quiet'], { cwd: tree.root });
      mkdirSync(tree.path('infra/node_modules/x'), { recursive: true });
      writeFileSync(tree.path('infra/node_modules/x/a.js'), '\n');
      assert.equal(execFileSync('git', ['check-ignore', 'infra/node_modules/x/a.js'], { cwd: tree.root, encoding: 'utf8' }), 'infra/node_modules/x/a.js\n');
    } finally {
      tree.cleanup();
    }
  });

  test('.gitignore lines as git reads them: a later ! line undoes one, **/ and a bare name match at any depth', async () => {
    const added = async (gitignore: string) => {
      const tree = tempTree({ '.gitignore': gitignore });
      try {
        const init = await kaji(['init', tree.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
        assert.equal(init.code, 0, init.stderr);
        return /\.gitignore was there: added (.*)\n/.exec(init.stdout)?.[1] ?? '';
      }  finally {
        tree.cleanup();
      }
    };
    assert.equal(await added('node_modules/\n!node_modules/\nout/\ncdk.out\n'), 'node_modules/');
    assert.equal(await added('**/node_modules\n/out\ninfra/cdk.out/\n'), '');
    assert.equal(await added('node_modules/\ncdk.out/\n/out/\n!/out/\n'), '/out/');
  });

  test('a .gitignore or README.md that is a link to nothing refuses before anything is written', async () => {
    const tree = tempTree({});
    try {
      symlinkSync(tree.path('nowhere'), tree.path('.gitignore'));
      const { code, stderr } = await kaji(['init', tree.root, '--name', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1']);
      assert.equal(code, 2);
      assert.match(stderr, /\.gitignore is there but is no file kaji init can read \(a link to nothing, a folder\)/);
      assert.deepEqual(readdirSync(tree.root), ['.gitignore']);
    } finally {
      tree.cleanup();
    }
  });

  test('--kaji with credentials in its URL is refused without printing them, exit 2, and nothing is written', async () => {
    const tree = tempTree({});
    try {
      const { code, stdout, stderr } = await kaji(['init', join(tree.root, 'acme'), '--kaji', 'git+https://rita:ghp_secret123@github.com/acme/kaji.git#v1']);
      assert.equal(code, 2);
      assert.match(stderr, /^kaji: --kaji carries credentials \(user:token@ in its URL\).*give the URL without them/);
      assert.doesNotMatch(stdout + stderr, /ghp_secret123/);
      assert.ok(!existsSync(join(tree.root, 'acme')));
    } finally {
      tree.cleanup();
    }
  });

  test("the Next: line's kaji synth writes out/ where the .gitignore ignores it; the CDK line goes to infra/", { skip: !hasKubectl }, async () => {
    const tree = tempTree({});
    try {
      const init = await kaji(['init', 'acme', '--kaji', 'git+https://github.com/acme/kaji.git#v1'], { cwd: tree.root });
      assert.equal(init.code, 0, init.stderr);
      const folder = /\nNext: edit acme\/platform\.yaml, then run: cd (\S+) && kaji synth\n/.exec(init.stdout)?.[1];
      assert.equal(folder, 'acme', init.stdout);
      assert.match(init.stdout, /\nFor the CDK app: cd acme\/infra && npm install && npx cdk synth\n/);
      const platform = join(tree.root, folder);
      git(platform, 'init', '--quiet');
      // The bin (built by npm test), as the user runs it: synth resolves its folders from the process's own.
      const synth = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'synth'], { cwd: platform, encoding: 'utf8' });
      assert.equal(synth.status, 0, synth.stdout + synth.stderr);
      assert.ok(existsSync(join(platform, 'out')), 'kaji synth wrote out/ in the folder the Next: line goes to');
      const untracked = git(platform, 'status', '--porcelain', '--untracked-files=all').toString().split('\n');
      assert.ok(untracked.some((line) => line.includes('manifests/clusters/blue/')), 'generated manifests are to be committed');
      assert.deepEqual(untracked.filter((line) => line.includes('out/')), [], 'nothing under out/ is to be committed');
    } finally {
      tree.cleanup();
    }
  });
});

/** git with a fixed identity, in `cwd`. */
function git(cwd: string, ...args: string[]): Buffer {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A new repository at `folder` (made if missing) with one commit; its HEAD. */
function commitAll(folder: string): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), '{"name":"kaji"}\n');
  git(folder, 'init', '--quiet');
  git(folder, 'add', '.');
  git(folder, 'commit', '--quiet', '-m', 'kaji');
  return git(folder, 'rev-parse', 'HEAD').toString().trim();
}
