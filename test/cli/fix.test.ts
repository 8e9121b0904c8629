import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { run } from '../../src/cli/program.js';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

const manifest = `# web: the shop front
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # owned by team-a
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: 'registry.example.com/web:1.0' # pinned
          imagePullPolicy: IfNotPresent
        - name: sidecar
          image: "registry.example.com/side:2.1"
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 80}]
`;

const fixed = manifest
  .replace('imagePullPolicy: IfNotPresent\n', 'imagePullPolicy: Always\n          securityContext:\n            readOnlyRootFilesystem: true\n')
  .replace(
    'image: "registry.example.com/side:2.1"\n',
    'image: "registry.example.com/side:2.1"\n          securityContext:\n            readOnlyRootFilesystem: true\n          imagePullPolicy: Always\n',
  );

const policy = `checks:
  pullPolicyNotAlways: warning
  notReadOnlyRootFilesystem: warning
  tagNotSpecified: warning
mutations:
  - pullPolicyNotAlways
  - notReadOnlyRootFilesystem
`;

describe('kaji fix', () => {
  test('a file that is not UTF-8 is named and left as it is, not written back with U+FFFD; the others are fixed, exit 1', async () => {
    const tree = tempTree({ 'apps/web.yaml': manifest, 'polaris.yaml': policy });
    try {
      const latin1 = Buffer.from(manifest.replace('# web: the shop front', '# web: the café front'), 'latin1');
      writeFileSync(tree.path('apps/cafe.yaml'), latin1);
      const { code, stderr } = await kaji(['fix', tree.path('apps'), '--config', tree.path('polaris.yaml')]);
      assert.equal(code, 1);
      assert.match(stderr, /^kaji: \S*cafe\.yaml: not UTF-8 text \(another encoding, or not a text file\); save it as UTF-8$/m);
      assert.deepEqual(readFileSync(tree.path('apps/cafe.yaml')), latin1);
      assert.equal(readFileSync(tree.path('apps/web.yaml'), 'utf8'), fixed);
    } finally {
      tree.cleanup();
    }
  });

  test('applies the mutations byte-exactly, and a second run changes nothing', async () => {
    const tree = tempTree({ 'apps/web.yaml': manifest, 'polaris.yaml': policy });
    try {
      const first = await kaji(['fix', tree.path('apps'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(first.stderr, '');
      assert.equal(first.code, 0);
      const after = readFileSync(tree.path('apps/web.yaml'), 'utf8');
      assert.equal(after, fixed);
      assert.match(first.stdout, /fixed apps\/web.yaml: 4 mutations \(notReadOnlyRootFilesystem 2, pullPolicyNotAlways 2\)/);
      assert.match(first.stdout, /kaji fix: changed 1 file, 4 mutations/);
      const second = await kaji(['fix', tree.path('apps'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(second.code, 0);
      assert.equal(second.stdout, 'kaji fix: nothing to fix\n');
      assert.equal(readFileSync(tree.path('apps/web.yaml'), 'utf8'), after);
    } finally {
      tree.cleanup();
    }
  });

  test('a container anchored (&c) and merged into another (<<: *c) is fixed in one run, both; a second run changes nothing', async () => {
    const anchored = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - &c
          name: web   # main
          image: "registry.example.com/web:1.0"
        - <<: *c
          name: worker
`;
    const tree = tempTree({ 'web.yaml': anchored, 'polaris.yaml': policy });
    try {
      const first = await kaji(['fix', tree.path('web.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(first.stderr, '');
      assert.equal(first.code, 0);
      assert.match(first.stdout, /kaji fix: changed 1 file, 4 mutations \(notReadOnlyRootFilesystem 2, pullPolicyNotAlways 2\)/);
      const fields = 'securityContext:\n            readOnlyRootFilesystem: true\n          imagePullPolicy: Always\n';
      const after = readFileSync(tree.path('web.yaml'), 'utf8');
      assert.equal(after, anchored.replace('"registry.example.com/web:1.0"\n', `"registry.example.com/web:1.0"\n          ${fields}`).replace('name: worker\n', `name: worker\n          ${fields}`));
      const second = await kaji(['fix', tree.path('web.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(second.stdout, 'kaji fix: nothing to fix\n');
      assert.equal(readFileSync(tree.path('web.yaml'), 'utf8'), after);
      // When the other container must not change (exempt from the check), the edit is refused, saying why.
      writeFileSync(tree.path('web.yaml'), anchored);
      writeFileSync(tree.path('exempt.yaml'), `${policy}exemptions:\n  - containerNames: [worker]\n    rules: [pullPolicyNotAlways]\n`);
      const refused = await kaji(['fix', tree.path('web.yaml'), '--config', tree.path('exempt.yaml'), '--checks', 'pullPolicyNotAlways'], { cwd: tree.root });
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /web\.yaml:1: pullPolicyNotAlways \(Deployment\/shop\/web, container web\): cannot apply the mutation: the place it edits is anchored \(&name\) and used again through an alias \(\*name, or a merge <<: \*name\), so the edit would change the other place too; it was left unchanged: write the anchored part out in each place\n/,
      );
      assert.doesNotMatch(refused.stderr, /please report/);
      assert.equal(readFileSync(tree.path('web.yaml'), 'utf8'), anchored);
      // Refused is not clean: the summary counts it, whether nothing else was fixed, or something was.
      assert.equal(refused.stdout, 'kaji fix: nothing fixed; 1 mutation could not be applied (above)\n');
      const dryRun = await kaji(['fix', tree.path('web.yaml'), '--config', tree.path('exempt.yaml'), '--checks', 'pullPolicyNotAlways', '--dry-run'], { cwd: tree.root });
      assert.equal(dryRun.code, 1);
      assert.equal(dryRun.stdout, '');
      assert.match(dryRun.stderr, /^kaji: web\.yaml:1: pullPolicyNotAlways \(Deployment\/shop\/web, container web\): cannot apply the mutation: [^\n]+\nkaji fix: nothing fixed; 1 mutation could not be applied \(above\)\n$/);
      const partly = await kaji(['fix', tree.path('web.yaml'), '--config', tree.path('exempt.yaml')], { cwd: tree.root });
      assert.equal(partly.code, 1);
      assert.match(partly.stdout, /^kaji fix: changed 1 file, 2 mutations \(notReadOnlyRootFilesystem 2\); 1 mutation could not be applied \(above\)$/m);
    } finally {
      tree.cleanup();
    }
  });

  test('insecureCapabilities on containers with no capabilities (or no securityContext) sets drop: [ALL], and kaji check then passes them', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: shell, namespace: shop}
spec:
  containers:
    - name: bare   # no securityContext
      image: "registry.example.com/shell:1.0"
    - name: nonroot
      image: "registry.example.com/shell:1.0"
      securityContext:
        runAsNonRoot: true
    - name: some
      image: "registry.example.com/shell:1.0"
      securityContext:
        capabilities:
          drop: [NET_RAW]
`;
    const tree = tempTree({ 'pod.yaml': pod, 'policy.yaml': 'checks:\n  insecureCapabilities: warning\nmutations:\n  - insecureCapabilities\n' });
    try {
      const args = [tree.path('pod.yaml'), '--config', tree.path('policy.yaml')];
      const fixed = await kaji(['fix', ...args], { cwd: tree.root });
      assert.equal(fixed.stderr, '');
      assert.equal(fixed.code, 0);
      assert.match(fixed.stdout, /^kaji fix: changed 1 file, 3 mutations \(insecureCapabilities 3\)$/m);
      // Sequences indented under their key, as the file writes them.
      const drop = '        capabilities:\n          drop:\n            - ALL\n';
      assert.equal(
        readFileSync(tree.path('pod.yaml'), 'utf8'),
        pod
          .replace('image: "registry.example.com/shell:1.0"\n    - name: nonroot', `image: "registry.example.com/shell:1.0"\n      securityContext:\n${drop}    - name: nonroot`)
          .replace('runAsNonRoot: true\n', `runAsNonRoot: true\n${drop}`)
          .replace('drop: [NET_RAW]\n', 'drop:\n            - ALL\n'),
      );
      const check = await kaji(['check', ...args, '--format', 'json'], { cwd: tree.root });
      assert.equal(check.code, 0);
      const containers = JSON.parse(check.stdout).Results[0].PodResult.ContainerResults;
      assert.deepEqual(containers.map((c: { Name: string; Results: Record<string, { Success: boolean }> }) => [c.Name, c.Results.insecureCapabilities?.Success]), [
        ['bare', true],
        ['nonroot', true],
        ['some', true],
      ]);
      const again = await kaji(['fix', ...args], { cwd: tree.root });
      assert.deepEqual([again.code, again.stdout], [0, 'kaji fix: nothing to fix\n']);
    } finally {
      tree.cleanup();
    }
  });

  test('a file of many documents: each is fixed in place, the others kept byte for byte, with Windows line endings and %YAML directives too', async () => {
    const [deployment, service] = manifest.split('---\n') as [string, string];
    const [fixedDeployment] = fixed.split('---\n') as [string];
    const renamed = (text: string, name: string) => text.replaceAll('name: web   #', `name: ${name}   #`);
    // Windows line endings throughout: each --- line ends with \r.
    const crlf = (text: string) => text.replaceAll('\n', '\r\n');
    const windows = crlf([deployment, service, renamed(deployment, 'api')].join('---\n'));
    // A document ended with ... and the next one read under a %YAML directive.
    const directives = `${deployment}...\n%YAML 1.1\n---\n${service}---\n${renamed(deployment, 'api')}`;
    const tree = tempTree({ 'windows.yaml': windows, 'directives.yaml': directives, 'polaris.yaml': policy });
    try {
      const { code, stdout, stderr } = await kaji(['fix', tree.path('windows.yaml'), tree.path('directives.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.match(stdout, /kaji fix: changed 2 files, 16 mutations \(notReadOnlyRootFilesystem 8, pullPolicyNotAlways 8\)/);
      assert.equal(readFileSync(tree.path('windows.yaml'), 'utf8'), crlf([fixedDeployment, service, renamed(fixedDeployment, 'api')].join('---\n')));
      assert.equal(readFileSync(tree.path('directives.yaml'), 'utf8'), `${fixedDeployment}...\n%YAML 1.1\n---\n${service}---\n${renamed(fixedDeployment, 'api')}`);
    } finally {
      tree.cleanup();
    }
  });

  test('a --- line with a comment on it, the first line of the file or between documents, is a document start like any other', async () => {
    const [deployment] = manifest.split('---\n') as [string];
    const [fixedDeployment] = fixed.split('---\n') as [string];
    const api = (text: string) => text.replaceAll('name: web   #', 'name: api   #');
    const tree = tempTree({ 'commented.yaml': `--- # web\n${deployment}--- # api\n${api(deployment)}`, 'polaris.yaml': policy });
    try {
      const { code, stdout, stderr } = await kaji(['fix', tree.path('commented.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.match(stdout, /kaji fix: changed 1 file, 8 mutations/);
      assert.equal(readFileSync(tree.path('commented.yaml'), 'utf8'), `--- # web\n${fixedDeployment}--- # api\n${api(fixedDeployment)}`);
    } finally {
      tree.cleanup();
    }
  });

  test('a file edited while kaji fix runs is left with the edit, named, exit 1; the others are fixed', async () => {
    const tree = tempTree({ 'apps/web.yaml': manifest, 'apps/api.yaml': manifest, 'apps/notes.yaml': 'title: not a manifest\n', 'polaris.yaml': policy });
    try {
      const edited = `${manifest}# edited meanwhile\n`;
      let stdout = '';
      let stderr = '';
      const io = {
        out: (text: string) => void (stdout += text),
        err: (text: string) => {
          stderr += text;
          // The note on notes.yaml comes after the files are read and before any is written: the edit lands between.
          if (text.includes('left out 1 file')) writeFileSync(tree.path('apps/web.yaml'), edited);
        },
        readStdin: async () => '',
        colorOut: false,
        cwd: tree.root,
      };
      const code = await run(['fix', tree.path('apps'), '--config', tree.path('polaris.yaml')], io);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^kaji: apps\/web\.yaml: changed since kaji fix read it, so it was left as it is; run kaji fix again$/m);
      assert.equal(readFileSync(tree.path('apps/web.yaml'), 'utf8'), edited);
      assert.equal(readFileSync(tree.path('apps/api.yaml'), 'utf8'), fixed);
      assert.deepEqual(readdirSync(tree.path('apps')).sort(), ['api.yaml', 'notes.yaml', 'web.yaml'], 'no temporary file is left');
      assert.match(stdout, /^kaji fix: changed 1 file, 4 mutations/m);
      assert.doesNotMatch(stdout, /fixed apps\/web\.yaml/);
    } finally {
      tree.cleanup();
    }
  });

  test('a JSON manifest with mutations to apply is named and counted, exit 1, not "nothing to fix"; the YAML beside it is fixed', async () => {
    const object = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { template: { spec: { containers: [{ name: 'api', image: 'registry.example.com/api:1.0' }, { name: 'side', image: 'registry.example.com/side:2.1' }] } } },
    };
    const json = `${JSON.stringify(object, null, 2)}\n`;
    const tree = tempTree({ 'apps/api.json': json, 'polaris.yaml': policy });
    try {
      const flags = ['--config', tree.path('polaris.yaml'), '--checks', 'pullPolicyNotAlways', '--dry-run'];
      const alone = await kaji(['fix', tree.path('apps'), ...flags], { cwd: tree.root });
      assert.equal(alone.code, 1);
      assert.equal(alone.stdout, '');
      assert.equal(
        alone.stderr,
        'kaji: apps/api.json: 2 mutations not applied: kaji fix edits YAML files only; write it as YAML, or apply them by hand\n' +
          'kaji fix: nothing fixed; 2 mutations left in 1 file that is not YAML (above)\n',
      );
      writeFileSync(tree.path('apps/web.yaml'), manifest);
      const beside = await kaji(['fix', tree.path('apps'), '--config', tree.path('polaris.yaml'), '--checks', 'pullPolicyNotAlways'], { cwd: tree.root });
      assert.equal(beside.code, 1);
      assert.match(beside.stdout, /^kaji fix: changed 1 file, 2 mutations \(pullPolicyNotAlways 2\); 2 mutations left in 1 file that is not YAML \(above\)$/m);
      assert.equal(readFileSync(tree.path('apps/api.json'), 'utf8'), json);
      assert.notEqual(readFileSync(tree.path('apps/web.yaml'), 'utf8'), manifest);
    } finally {
      tree.cleanup();
    }
  });

  test('a check under mutations: that never runs (ignored, or exempted for every object) gets a note beside "nothing to fix"', async () => {
    const tree = tempTree({ 'web.yaml': fixed });
    const fix = async (config: string) => {
      writeFileSync(tree.path('polaris.yaml'), config);
      return kaji(['fix', tree.path('web.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
    };
    const note = (id: string, why: string) => `kaji fix: note: ${id} is under \`mutations:\` but ${why}, so its mutation is never applied\n`;
    try {
      const ignored = await fix(policy.replace('pullPolicyNotAlways: warning', 'pullPolicyNotAlways: ignore'));
      assert.deepEqual(ignored, { code: 0, stdout: 'kaji fix: nothing to fix\n', stderr: note('pullPolicyNotAlways', 'set to ignore under `checks:`') });
      const exempted = await fix(`${policy}exemptions:\n  - rules: [notReadOnlyRootFilesystem]\n`);
      assert.equal(exempted.stderr, note('notReadOnlyRootFilesystem', 'an entry under `exemptions:` exempts every object from it'));
      // Exempt in one namespace only, or exemptions disallowed: the mutation runs elsewhere, and no note.
      assert.equal((await fix(`${policy}exemptions:\n  - namespace: shop\n    rules: [notReadOnlyRootFilesystem]\n`)).stderr, '');
      assert.equal((await fix(`${policy}disallowExemptions: true\nexemptions:\n  - rules: [notReadOnlyRootFilesystem]\n`)).stderr, '');
    } finally {
      tree.cleanup();
    }
  });

  test('--checks selects mutations; --dry-run prints a diff and writes nothing', async () => {
    const tree = tempTree({ 'web.yaml': manifest, 'polaris.yaml': policy });
    try {
      const { code, stdout, stderr } = await kaji(
        ['fix', tree.path('web.yaml'), '--config', tree.path('polaris.yaml'), '--checks', 'pullPolicyNotAlways', '--dry-run'],
        { cwd: tree.root },
      );
      assert.equal(code, 0);
      assert.equal(readFileSync(tree.path('web.yaml'), 'utf8'), manifest);
      assert.equal(
        stdout,
        [
          '--- a/web.yaml',
          '+++ b/web.yaml',
          '@@ -11,9 +11,10 @@',
          '       containers:',
          '         - name: web',
          "           image: 'registry.example.com/web:1.0' # pinned",
          '-          imagePullPolicy: IfNotPresent',
          '+          imagePullPolicy: Always',
          '         - name: sidecar',
          '           image: "registry.example.com/side:2.1"',
          '+          imagePullPolicy: Always',
          ' ---',
          ' apiVersion: v1',
          ' kind: Service',
          '',
        ].join('\n'),
      );
      assert.match(stderr, /would fix web.yaml: 2 mutations \(pullPolicyNotAlways 2\)/);
    } finally {
      tree.cleanup();
    }
  });

  test('--checks removedApiVersion is refused: it runs only in kaji check, and has no mutation', async () => {
    const tree = tempTree({ 'web.yaml': manifest, 'polaris.yaml': policy });
    try {
      const run = await kaji(['fix', tree.path('web.yaml'), '--config', tree.path('polaris.yaml'), '--checks', 'removedApiVersion']);
      assert.equal(run.code, 2);
      assert.equal(
        run.stderr,
        'kaji: --checks: "removedApiVersion" runs only in kaji check with --kubernetes-version 1.N; ' +
          "the configuration's checks: notReadOnlyRootFilesystem, pullPolicyNotAlways, tagNotSpecified\n",
      );
      assert.equal(readFileSync(tree.path('web.yaml'), 'utf8'), manifest);
    } finally {
      tree.cleanup();
    }
  });

  test("the closing hint's kaji check command carries the fix's --config and --merge-config, each path a shell word", async () => {
    const tree = tempTree({
      "it's blue/kustomization.yaml": 'resources: [web.yaml]\n',
      "it's blue/web.yaml": manifest,
      'my policy.yaml': policy,
    });
    try {
      const run = await kaji(['fix', tree.path("it's blue"), '--config', tree.path('my policy.yaml'), '--merge-config', '--dry-run'], { cwd: tree.root });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /^kaji fix: a kustomization's patches may set again what would be fixed; to judge what it renders, run: kaji check 'it'\\''s blue' --config 'my policy\.yaml' --merge-config$/m,
      );
    } finally {
      tree.cleanup();
    }
  });

  test('--checks naming a check that is not under mutations: is refused, exit 2, rather than "nothing to fix"', async () => {
    const tree = tempTree({ 'web.yaml': manifest, 'polaris.yaml': policy });
    try {
      const run = await kaji(['fix', tree.path('web.yaml'), '--config', tree.path('polaris.yaml'), '--checks', 'tagNotSpecified,pullPolicyNotAlways'], { cwd: tree.root });
      assert.equal(run.code, 2);
      assert.equal(run.stderr, 'kaji: --checks: "tagNotSpecified" is not under `mutations:` in polaris.yaml; list it there\n');
      assert.equal(run.stdout, '');
      assert.equal(readFileSync(tree.path('web.yaml'), 'utf8'), manifest, 'nothing is fixed');
      // Polaris's defaults list pullPolicyNotAlways only.
      const defaults = await kaji(['fix', tree.path('web.yaml'), '--checks', 'notReadOnlyRootFilesystem'], { cwd: tree.root });
      assert.equal(defaults.code, 2);
      assert.match(defaults.stderr, /^kaji: --checks: "notReadOnlyRootFilesystem" is not under `mutations:` in Polaris's built-in defaults \(give --config FILE and list it there\)\n$/);
    } finally {
      tree.cleanup();
    }
  });

  test('refuses standard input', async () => {
    const tree = tempTree({ 'polaris.yaml': policy });
    try {
      const stdin = await kaji(['fix', '-', '--config', tree.path('polaris.yaml')]);
      assert.equal(stdin.code, 2);
      assert.match(stdin.stderr, /cannot read standard input/);
    } finally {
      tree.cleanup();
    }
  });

  test('a kustomization stands for the files it lists: an overlay fixes its base, once; patches, unlisted files and remote entries stay', async () => {
    const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          imagePullPolicy: IfNotPresent\n';
    const remote = 'https://github.com/example/shared//deploy?ref=v1';
    const tree = tempTree({
      'apps/web/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'apps/web/base/deployment.yaml': manifest,
      'apps/web/base/unlisted.yaml': manifest,
      'apps/web/overlays/blue/kustomization.yaml': `resources: [../../base, "${remote}"]\npatches:\n  - path: patch.yaml\n`,
      'apps/web/overlays/blue/patch.yaml': patch,
      'polaris.yaml': policy,
    });
    try {
      const overlay = await kaji(['fix', tree.path('apps/web/overlays/blue'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(overlay.code, 0, overlay.stderr);
      assert.equal(
        overlay.stderr,
        'kaji: note: apps/web/base (resources of apps/web/overlays/blue/kustomization.yaml) is outside apps/web/overlays/blue: ' +
          'fixing its files changes every kustomization that builds on it\n' +
          `kaji: skipping ${remote} (resources of apps/web/overlays/blue/kustomization.yaml): it is remote, so there is no file here to fix\n`,
      );
      assert.match(overlay.stdout, /^fixed apps\/web\/base\/deployment\.yaml: 4 mutations/m);
      // The fix is judged on the base's objects; the overlay's patch sets imagePullPolicy back, which kaji check on the overlay would show.
      assert.match(overlay.stdout, /\nkaji fix: a kustomization's patches may set again what was fixed; to judge what it renders, run: kaji check apps\/web\/overlays\/blue --config polaris\.yaml\n$/);
      assert.equal(readFileSync(tree.path('apps/web/base/deployment.yaml'), 'utf8'), fixed);
      assert.equal(readFileSync(tree.path('apps/web/base/unlisted.yaml'), 'utf8'), manifest, 'kustomize does not read a file its kustomization does not list');
      assert.equal(readFileSync(tree.path('apps/web/overlays/blue/patch.yaml'), 'utf8'), patch);

      // The whole tree: the base is listed by its own kustomization and by the overlay's, and fixed once.
      writeFileSync(tree.path('apps/web/base/deployment.yaml'), manifest);
      const all = await kaji(['fix', tree.path('apps'), tree.path('apps/web/base/deployment.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /\nkaji fix: changed 1 file, 4 mutations/);
      assert.doesNotMatch(all.stderr, /note:/, 'the base is inside the PATH given');
      assert.equal(readFileSync(tree.path('apps/web/base/deployment.yaml'), 'utf8'), fixed);
    } finally {
      tree.cleanup();
    }
  });

  test('a resource a kustomization lists that is not there, or a kustomization that cannot be read, is named; the rest is fixed, exit 1', async () => {
    const tree = tempTree({
      'k/kustomization.yaml': 'resources: [web.yaml, gone.yaml]\n',
      'k/web.yaml': manifest,
      'broken/kustomization.yaml': 'resources: [web.yaml\n',
      'broken/web.yaml': manifest,
      'polaris.yaml': policy,
    });
    try {
      const { code, stderr } = await kaji(['fix', tree.path('k'), tree.path('broken'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(code, 1);
      assert.match(stderr, /^kaji: k\/gone\.yaml: no such file or directory/m);
      assert.match(stderr, /^kaji: broken\/kustomization\.yaml: cannot read this kustomization \(kubectl kustomize on its folder says why\), so the files it lists were not fixed$/m);
      assert.equal(readFileSync(tree.path('k/web.yaml'), 'utf8'), fixed);
      assert.equal(readFileSync(tree.path('broken/web.yaml'), 'utf8'), manifest);
    } finally {
      tree.cleanup();
    }
  });

  test('a kustomization entry is followed as kustomize builds it: a folder only through its kustomization, a file only inside its folder', async () => {
    const tree = tempTree({
      'teamA/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'teamA/base/deployment.yaml': manifest,
      'teamA/base/loose.yaml': manifest,
      'teamA/overlays/staging/kustomization.yaml': 'resources: [../../base, ../../../teamB, ../../base/loose.yaml, plain]\n',
      'teamA/overlays/staging/plain/web.yaml': manifest,
      'teamB/web.yaml': manifest,
      'polaris.yaml': policy,
    });
    try {
      const run = await kaji(['fix', tree.path('teamA/overlays/staging'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(run.code, 1, run.stderr);
      const kustomization = 'teamA/overlays/staging/kustomization.yaml';
      assert.match(run.stderr, new RegExp(`^kaji: ${kustomization}: resources entry "\\.\\./\\.\\./\\.\\./teamB": the folder has no kustomization\\.yaml, so kustomize cannot build it; nothing in it was fixed$`, 'm'));
      assert.match(run.stderr, new RegExp(`^kaji: ${kustomization}: resources entry "plain": the folder has no kustomization\\.yaml`, 'm'));
      assert.match(
        run.stderr,
        new RegExp(`^kaji: ${kustomization}: resources entry "\\.\\./\\.\\./base/loose\\.yaml" is outside the kustomization's folder, which kustomize refuses to load; list it in a kustomization of its own folder \\(as a resource there\\) and that kustomization here$`, 'm'),
      );
      assert.match(run.stderr, /^kaji: note: teamA\/base \(resources of teamA\/overlays\/staging\/kustomization\.yaml\) is outside teamA\/overlays\/staging: fixing its files changes every kustomization that builds on it$/m);
      assert.equal(readFileSync(tree.path('teamA/base/deployment.yaml'), 'utf8'), fixed, 'the base is built by kustomize, so it is fixed');
      for (const untouched of ['teamB/web.yaml', 'teamA/base/loose.yaml', 'teamA/overlays/staging/plain/web.yaml']) {
        assert.equal(readFileSync(tree.path(untouched), 'utf8'), manifest, `${untouched} is not built by kustomize`);
      }
      assert.match(run.stdout, /^kaji fix: a kustomization's patches may set again what was fixed; to judge what it renders, run: kaji check teamA\/overlays\/staging --config polaris\.yaml$/m);
    } finally {
      tree.cleanup();
    }
  });

  test('an absolute entry: a file inside the kustomization\'s folder is fixed, a folder is refused as kustomize refuses it', async () => {
    const tree = tempTree({ 'k/web.yaml': manifest, 'base/kustomization.yaml': 'resources: [web.yaml]\n', 'base/web.yaml': manifest, 'polaris.yaml': policy });
    try {
      writeFileSync(tree.path('k/kustomization.yaml'), `resources: ["${tree.path('k/web.yaml')}", "${tree.path('base')}"]\n`);
      const run = await kaji(['fix', tree.path('k'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(run.code, 1, run.stderr);
      assert.equal(
        run.stderr,
        `kaji: k/kustomization.yaml: resources entry "${tree.path('base')}" is an absolute path to a folder, which kustomize refuses; write it relative to the kustomization's folder\n`,
      );
      assert.equal(readFileSync(tree.path('k/web.yaml'), 'utf8'), fixed);
      assert.equal(readFileSync(tree.path('base/web.yaml'), 'utf8'), manifest);
    } finally {
      tree.cleanup();
    }
  });

  test('a file entry reached through a symbolic link is judged where it leads, as kustomize does: outside the folder it is refused, inside it is fixed', async () => {
    const tree = tempTree({
      'shared/web.yaml': manifest,
      'k/kustomization.yaml': 'resources: [out.yaml, in.yaml, linked/web.yaml]\n',
      'k/real/web.yaml': manifest,
      'base/kustomization.yaml': 'resources: [web.yaml]\n',
      'base/web.yaml': manifest,
      'ov/kustomization.yaml': 'resources: [b]\n',
      'polaris.yaml': policy,
    });
    try {
      symlinkSync('../shared/web.yaml', tree.path('k/out.yaml'));
      symlinkSync('../shared', tree.path('k/linked'));
      symlinkSync('real/web.yaml', tree.path('k/in.yaml'));
      symlinkSync('../base', tree.path('ov/b'));
      const run = await kaji(['fix', tree.path('k'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(run.code, 1, run.stderr);
      const outside = "outside the kustomization's folder, which kustomize refuses to load; list that file in a kustomization of its own folder (as a resource there) and that kustomization here";
      assert.equal(
        run.stderr,
        `kaji: k/kustomization.yaml: resources entry "out.yaml" leads through a symbolic link to shared/web.yaml, ${outside}\n` +
          `kaji: k/kustomization.yaml: resources entry "linked/web.yaml" leads through a symbolic link to shared/web.yaml, ${outside}\n`,
      );
      assert.equal(readFileSync(tree.path('shared/web.yaml'), 'utf8'), manifest, 'a file outside the kustomization is not written through a link');
      assert.equal(readFileSync(tree.path('k/real/web.yaml'), 'utf8'), fixed);
      assert.ok(lstatSync(tree.path('k/in.yaml')).isSymbolicLink(), 'the link stays a link');
      assert.match(run.stdout, /^fixed k\/in\.yaml: 4 mutations/m);

      // One file reached by two paths is fixed once; so is a base reached through a linked folder and by its own path.
      writeFileSync(tree.path('k/real/web.yaml'), manifest);
      writeFileSync(tree.path('k/kustomization.yaml'), 'resources: [in.yaml]\n');
      const twice = await kaji(['fix', ...['k', 'k/real/web.yaml', 'ov', 'base'].map(tree.path), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(twice.code, 0, twice.stderr);
      assert.match(twice.stdout, /\nkaji fix: changed 2 files, 8 mutations/);
      // The linked folder's files are outside the PATH given, wherever the link stands.
      assert.match(twice.stderr, /^kaji: note: ov\/b \(resources of ov\/kustomization\.yaml\) is outside ov: fixing its files changes every kustomization that builds on it$/m);
      assert.equal(readFileSync(tree.path('base/web.yaml'), 'utf8'), fixed);
    } finally {
      tree.cleanup();
    }
  });

  test('a components entry is followed as kustomize builds it: a folder whose kustomization is kind: Component, never a file; a Component is no resource', async () => {
    const component = 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [web.yaml]\n';
    const tree = tempTree({
      'k/kustomization.yaml': 'resources: [web.yaml]\ncomponents: [comp, file.yaml, plain]\n',
      'k/web.yaml': manifest,
      'k/file.yaml': manifest,
      'k/comp/kustomization.yaml': component,
      'k/comp/web.yaml': manifest,
      'k/plain/kustomization.yaml': 'resources: [web.yaml]\n',
      'k/plain/web.yaml': manifest,
      'r/kustomization.yaml': 'resources: [comp]\n',
      'r/comp/kustomization.yaml': component,
      'r/comp/web.yaml': manifest,
      'polaris.yaml': policy,
    });
    try {
      const run = await kaji(['fix', tree.path('k'), tree.path('r'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(run.code, 1, run.stderr);
      assert.equal(
        run.stderr,
        'kaji: k/kustomization.yaml: components entry "file.yaml" is a file, which kustomize refuses: a component is a folder whose kustomization is kind: Component\n' +
          'kaji: k/kustomization.yaml: components entry "plain": its kustomization is not kind: Component, so kustomize refuses it as a component; nothing in it was fixed\n' +
          'kaji: r/kustomization.yaml: resources entry "comp": its kustomization is kind: Component, which kustomize takes under components only; nothing in it was fixed\n',
      );
      assert.equal(readFileSync(tree.path('k/web.yaml'), 'utf8'), fixed);
      assert.equal(readFileSync(tree.path('k/comp/web.yaml'), 'utf8'), fixed, 'the component is built by kustomize, so it is fixed');
      for (const untouched of ['k/file.yaml', 'k/plain/web.yaml', 'r/comp/web.yaml']) {
        assert.equal(readFileSync(tree.path(untouched), 'utf8'), manifest, `${untouched} is not built by kustomize`);
      }
    } finally {
      tree.cleanup();
    }
  });

  test("a remote entry and its kustomization's path are shown with their control characters as \\xNN", async () => {
    const tree = tempTree({
      'm/k\x1b]0;t\x07/kustomization.yaml': 'resources: [web.yaml, "https://example.com/\\x1b]0;t\\x07.yaml"]\n',
      'm/k\x1b]0;t\x07/web.yaml': manifest,
      'polaris.yaml': policy,
    });
    try {
      const run = await kaji(['fix', tree.path('m'), '--config', tree.path('polaris.yaml')], { cwd: tree.path('m') });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^kaji: skipping https:\/\/example\.com\/\\x1b\]0;t\\x07\.yaml \(resources of k\\x1b\]0;t\\x07\/kustomization\.yaml\): it is remote/m);
      assert.doesNotMatch(run.stderr, /(?!\n)\p{Cc}/u);
      assert.equal(readFileSync(tree.path('m/k\x1b]0;t\x07/web.yaml'), 'utf8'), fixed);
    } finally {
      tree.cleanup();
    }
  });

  test('a Deployment whose replicas is .nan is named at its line and left as it is, not given replicas: 3; the others are fixed, exit 1', async () => {
    const replicasPolicy = 'checks:\n  deploymentMissingReplicas: warning\nmutations:\n  - deploymentMissingReplicas\n';
    const nan = manifest.replace('replicas: 2', 'replicas: .nan');
    const one = manifest.replace('  replicas: 2\n', '');
    const tree = tempTree({ 'nan.yaml': nan, 'one.yaml': one, 'polaris.yaml': replicasPolicy });
    try {
      const { code, stderr } = await kaji(['fix', tree.path('nan.yaml'), tree.path('one.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(code, 1, stderr);
      assert.equal(stderr, 'kaji: nan.yaml:8: Deployment spec.replicas must be a whole number from 0 to 2147483647 (or left out), found .nan\n');
      assert.equal(readFileSync(tree.path('nan.yaml'), 'utf8'), nan);
      assert.equal(readFileSync(tree.path('one.yaml'), 'utf8'), one.replace('---\n', '  replicas: 3\n---\n'), 'the mutation applies to an absent replicas');
    } finally {
      tree.cleanup();
    }
  });

  test('a file that cannot be written is named and left as it is; the files after it are still fixed, exit 1', async () => {
    const tree = tempTree({ 'a.yaml': manifest, 'b.yaml': manifest, 'c.yaml': manifest, 'polaris.yaml': policy });
    try {
      // b.yaml's temporary file (kaji fix runs in this process) cannot be made: a folder holds its name.
      // A read-only file or folder would do for other users, but not for root, whom tests may run as.
      mkdirSync(tree.path(`.b.yaml.kaji-${process.pid}.tmp`));
      const { code, stdout, stderr } = await kaji(['fix', ...['a.yaml', 'b.yaml', 'c.yaml'].map(tree.path), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^kaji: b\.yaml: cannot be written, so it was left as it is: .*$/m);
      assert.equal(readFileSync(tree.path('b.yaml'), 'utf8'), manifest);
      for (const file of ['a.yaml', 'c.yaml']) assert.notEqual(readFileSync(tree.path(file), 'utf8'), manifest, file);
      assert.match(stdout + stderr, /kaji fix: changed 2 files, /);
    } finally {
      tree.cleanup();
    }
  });

  test('an unreadable input exits 1 and the rest is still fixed', async () => {
    const tree = tempTree({ 'web.yaml': manifest, 'polaris.yaml': policy });
    try {
      const { code, stderr } = await kaji(['fix', tree.path('missing.yaml'), tree.path('web.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(code, 1);
      assert.match(stderr, /missing.yaml: no such file or directory/);
      assert.notEqual(readFileSync(tree.path('web.yaml'), 'utf8'), manifest);
      // Alone, it leaves nothing fixed, which is not "nothing to fix".
      const alone = await kaji(['fix', tree.path('missing.yaml'), '--config', tree.path('polaris.yaml')], { cwd: tree.root });
      assert.equal(alone.code, 1);
      assert.match(alone.stdout + alone.stderr, /kaji fix: nothing fixed\n/);
    } finally {
      tree.cleanup();
    }
  });
});
