import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { isUrl, urlCredentials } from '../gitops/git.js';
import { makeFolders, shellWord, writeFileAtomically } from '../kube/index.js';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../platform/index.js';
import { UsageError, type Io } from './common.js';
import type { Outcome } from './program.js';

/** This kaji's package folder (the checkout), which the scaffold's infra/package.json installs kaji from. */
const KAJI_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The scaffold `kaji init` copies: shipped in the package under templates/init/. */
const TEMPLATE = join(KAJI_ROOT, 'templates', 'init');

/** Placeholder in template files replaced by the platform name. */
const NAME_PLACEHOLDER = /__PLATFORM_NAME__/g;

/** Placeholder replaced by the newest Kubernetes version kaji supports: a version in the template would go stale. */
const KUBERNETES_VERSION_PLACEHOLDER = /__KUBERNETES_VERSION__/g;

/** Template files written under another name: npm leaves every .gitignore out of a package it packs. */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/** Written from kaji's own package.json rather than copied: the versions and the kaji dependency. */
const INFRA_PACKAGE = 'infra/package.json';

/** Files a freshly created repository often has: an existing one is kept (README.md) or completed (.gitignore), never a reason to refuse. */
const README = 'README.md';
const GITIGNORE = '.gitignore';

/** Where kaji's guide for the platform team goes when the folder has a README.md of its own. */
const GUIDE_BESIDE_README = 'PLATFORM.md';

/** How infra/package.json names kaji, and why that name may not install beyond this machine. */
export interface KajiDependency {
  readonly spec: string;
  readonly warning?: string;
}

/** What scaffold wrote: new files, the rules it added to an existing .gitignore, the files it left as they were, the team guide's file. */
export interface Scaffolded {
  readonly created: string[];
  readonly ignoreRulesAdded: string[];
  readonly kept: string[];
  /** README.md, or PLATFORM.md when a README.md was there. */
  readonly guide: string;
}

export function registerInit(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('init')
    .summary('scaffold a new platform: platform.yaml, polaris.yaml, a manifest repository with one sample service, the CDK app')
    .description(
      'Create a new platform in DIR: platform.yaml (with editor completion through its JSON Schema), polaris.yaml ' +
        '(the policy), manifests/ (the manifest repository, with one sample service), infra/ (the CDK app of the AWS ' +
        'side, with a package.json installing kaji from --kaji SPEC, else from the git remote origin of this checkout ' +
        'at its HEAD commit), a .gitignore (out/, node_modules/, infra/cdk.out/; an existing one gets the lines it lacks) ' +
        `and a README for the platform team (in ${GUIDE_BESIDE_README} when DIR has a README.md, which is kept). DIR must not hold a platform.yaml already; nothing is overwritten.`,
    )
    .argument('<dir>', 'folder to create the platform in')
    .option('--name <name>', 'platform name (a DNS label); default: the folder name made one: lowercased, each run of other characters than a-z, 0-9 and - made one -, none at either end ("My Shop" gives my-shop)')
    .option('--kaji <spec>', "how infra/package.json installs kaji, as npm takes it: a git URL with a ref, a tarball's URL, a version")
    .addHelpText(
      'after',
      '\nExit codes: 0 created; 2 bad flags, a NAME (or a folder name) that makes no DNS label, a DIR that holds a platform.yaml or ' +
        'another file kaji init writes (README.md and .gitignore excepted), or a folder or file that cannot be written ' +
        '(a folder that cannot be made stops it before any file is written).\n\nExamples:\n' +
        '  kaji init ../my-platform\n' +
        '  kaji init . --kaji git+https://github.com/OWNER/kaji.git#v0.1.0\n',
    )
    .action(async (directory: string, flags: { name?: string; kaji?: string }) => {
      const target = resolve(io.cwd, directory);
      const name = flags.name ?? platformNameOf(basename(target));
      if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
        throw new UsageError(
          flags.name === undefined
            ? `the folder name "${basename(target)}" makes no platform name (a DNS label: lowercase letters, digits and '-', at most 63): give one with --name NAME`
            : `"${name}" is not a valid platform name: a DNS label, lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 (--name NAME)`,
        );
      }
      if (flags.kaji !== undefined && !/^\S+$/.test(flags.kaji)) {
        throw new UsageError(`--kaji "${flags.kaji}" is not an npm package spec: give one word, such as git+https://github.com/OWNER/kaji.git#v0.1.0`);
      }
      if (flags.kaji !== undefined && HTTP_USERINFO.test(flags.kaji)) {
        // Not echoed: the part before @ is most often a token.
        throw new UsageError(
          '--kaji carries credentials (user:token@ in its URL), which infra/package.json would commit for everyone to read: give the URL without them; npm install then uses git\'s credential helper',
        );
      }
      const kaji: KajiDependency = flags.kaji === undefined ? await kajiDependency() : { spec: flags.kaji };
      const { created, ignoreRulesAdded, kept, guide } = await scaffold(target, name, kaji.spec);
      const named = flags.name === undefined && name !== basename(target) ? ` (platform name ${name}, from the folder name; --name NAME gives another)` : '';
      io.out(`kaji init: created ${created.length} files in ${directory}${named}\n`);
      for (const file of created) io.out(`  ${file}\n`);
      if (ignoreRulesAdded.length > 0) io.out(`  ${GITIGNORE} was there: added ${ignoreRulesAdded.join(' ')}\n`);
      for (const file of kept) io.out(`  ${file} was there: left as it was${file === README && guide !== README ? `; kaji's guide for the platform team is in ${guide}` : ''}\n`);
      io.out(`infra/package.json installs kaji from ${kaji.spec}\n`);
      if (kaji.warning !== undefined) io.err(`kaji init: warning: ${kaji.warning}\n`);
      // From the platform's folder: kaji synth writes out/ in the current folder, which the .gitignore covers there.
      const into = (folder: string) => (folder === '.' ? '' : `cd ${shellWord(folder)} && `);
      const read = guide === README ? '' : `read ${join(directory, guide)}, `;
      io.out(`\nNext: ${read}edit ${join(directory, 'platform.yaml')}, then run: ${into(directory)}kaji synth\n`);
      io.out(`For the CDK app: ${into(join(directory, 'infra'))}npm install && npx cdk synth\n`);
      outcome.exitCode = 0;
    });
}

/**
 * Copies the template into `target`, naming the platform and installing kaji from `kajiSpec`. It refuses when a
 * file it writes exists, except a README.md (left as it was: the guide goes to PLATFORM.md) and a .gitignore (the
 * rules it lacks are added).
 */
export async function scaffold(target: string, name: string, kajiSpec?: string): Promise<Scaffolded> {
  if (await exists(join(target, 'platform.yaml'))) {
    throw new UsageError(`${join(target, 'platform.yaml')} already exists; kaji init never overwrites a platform`);
  }
  const templates = await listTemplate(TEMPLATE);
  const files = [...templates.map(targetName), INFRA_PACKAGE].sort((a, b) => a.localeCompare(b));
  const present = new Set<string>();
  for (const file of files) {
    if (!(await exists(join(target, file)))) continue;
    if (file !== README && file !== GITIGNORE) throw new UsageError(`${join(target, file)} already exists; move it away or choose another folder`);
    // Kept (README.md) or completed (.gitignore), so it must be read: a link to nothing would stop init half-way.
    if (!(await stat(join(target, file)).then((found) => found.isFile(), () => false))) {
      throw new UsageError(`${join(target, file)} is there but is no file kaji init can read (a link to nothing, a folder); make it a file, or move it away`);
    }
    present.add(file);
  }
  const guide = present.has(README) ? GUIDE_BESIDE_README : README;
  if (guide !== README && (await exists(join(target, guide)))) {
    throw new UsageError(`${join(target, guide)} already exists (kaji init writes its guide for the platform team there, as ${README} is there); move it away or choose another folder`);
  }
  const spec = kajiSpec ?? (await kajiDependency()).spec;
  // Every folder first, each on its own: no file is written where a folder cannot be made.
  for (const folder of new Set(['.', ...files.map((file) => dirname(file))])) makeFolders(join(target, folder));
  let ignoreRulesAdded: string[] = [];
  for (const file of templates) {
    const written = targetName(file) === README ? guide : targetName(file);
    const text = fillTemplate(await readFile(join(TEMPLATE, file), 'utf8'), name);
    if (written === GITIGNORE && present.has(written)) {
      const completed = withIgnoreRules(await readFile(join(target, GITIGNORE), 'utf8'), text);
      ignoreRulesAdded = completed.added;
      if (completed.added.length > 0) await writeFileAtomically(join(target, GITIGNORE), completed.text);
    } else {
      await writeFileAtomically(join(target, written), text);
    }
  }
  await writeFileAtomically(join(target, INFRA_PACKAGE), await infraPackage(name, spec));
  const created = files.map((file) => (file === README ? guide : file)).filter((file) => !present.has(file));
  return { created: created.sort((a, b) => a.localeCompare(b)), ignoreRulesAdded, kept: present.has(README) ? [README] : [], guide };
}

/** A template file's text with its placeholders filled in: the platform name, the newest supported Kubernetes version. */
export function fillTemplate(text: string, name: string): string {
  return text.replace(NAME_PLACEHOLDER, name).replace(KUBERNETES_VERSION_PLACEHOLDER, SUPPORTED_KUBERNETES_VERSIONS.at(-1)!);
}

/** A folder name made a DNS label: lowercased, each run of other characters than a-z, 0-9 and - made one -, none at either end. */
export function platformNameOf(folder: string): string {
  return folder.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** An http(s) URL (as npm takes a git one: `git+https://`) with a user, or user and password, before its host. */
const HTTP_USERINFO = /^(?:git\+)?https?:\/\/[^/?#]*@/i;

/** A .gitignore line as git reads it: a slash at its start or in its middle anchors it to the file's folder (but a leading `**` + `/`); one at its end matches folders only. */
interface IgnoreRule {
  readonly path: string;
  readonly anchored: boolean;
  readonly foldersOnly: boolean;
}

function ignoreRule(line: string): IgnoreRule {
  const text = line.trim();
  const body = text.replace(/\/$/, '').replace(/^\*\*\//, '');
  return { path: body.replace(/^\//, ''), anchored: body.includes('/'), foldersOnly: text.endsWith('/') };
}

/** Whether `existing` ignores all that `wanted` does: anchored only if `wanted` is (then the same path; else the same last name), folders only if `wanted` is. */
function covers(existing: IgnoreRule, wanted: IgnoreRule): boolean {
  const samePath = existing.anchored ? wanted.anchored && existing.path === wanted.path : existing.path === wanted.path.split('/').at(-1);
  return samePath && (!existing.foldersOnly || wanted.foldersOnly);
}

/**
 * `existing` with the template's rules it lacks appended under a comment. A line of `existing` counts when it
 * ignores at least what the template's rule does (`node_modules` for `node_modules/`, `cdk.out` for `/infra/cdk.out/`;
 * but `/node_modules`, the top folder's only, leaves infra/node_modules/ to be committed), unless a `!` line
 * of the same path follows it: a second line would only puzzle its reader.
 */
function withIgnoreRules(existing: string, template: string): { text: string; added: string[] } {
  const lines = existing.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const added = template
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .filter((line) => {
      const wanted = ignoreRule(line);
      // git reads the lines in order: the last one naming the path decides.
      const last = lines.findLast((other) => covers(ignoreRule(other.replace(/^!/, '')), wanted));
      return last === undefined || last.startsWith('!');
    });
  const before = existing.trim() === '' ? '' : `${existing}${existing.endsWith('\n') ? '' : '\n'}\n`;
  const text = `${before}# Added by kaji init: what kaji synth, the CDK and npm write.\n${added.join('\n')}\n`;
  return { text, added };
}

/**
 * The kaji dependency of a scaffold made by the kaji in `root`: when `root` is a git checkout with a remote
 * origin, that repository at the checkout's HEAD commit (pinned, so every install gets the same kaji; npm
 * builds it through kaji's prepare script); else `file:` of `root`, which installs on this machine only.
 */
export async function kajiDependency(root: string = KAJI_ROOT): Promise<KajiDependency> {
  const folder = await realpath(root);
  const git = (...args: string[]): Promise<string | undefined> =>
    promisify(execFile)('git', ['-C', folder, ...args], { encoding: 'utf8' }).then(
      ({ stdout }) => stdout.trim(),
      () => undefined,
    );
  const top = await git('rev-parse', '--show-toplevel');
  // A kaji installed under some other repository's node_modules is in a git work tree, but not its own.
  const checkout = top !== undefined && (await realpath(top).catch(() => undefined)) === folder;
  const origin = checkout ? await git('remote', 'get-url', 'origin') : undefined;
  const head = origin ? await git('rev-parse', 'HEAD') : undefined;
  const repository = origin && head ? gitRepositorySpec(origin, folder) : undefined;
  if (repository === undefined || head === undefined) {
    return {
      spec: `file:${folder}`,
      warning:
        `infra/package.json installs kaji from file:${folder}, which works on this machine only (${folder} is not a git checkout with a remote origin); ` +
        'give --kaji SPEC (a git URL with a tag or commit, a tarball) for a spec the team and CI can install',
    };
  }
  const spec = `${repository.url}#${head}`;
  if (repository.local) {
    return { spec, warning: `kaji's origin ${origin} is a folder on this machine: only this machine can install ${spec}; give --kaji SPEC for a spec the team can install` };
  }
  const onOrigin = (await git('branch', '--remotes', '--contains', head))?.split('\n').some((branch) => branch.trim().startsWith('origin/'));
  if (!onOrigin) {
    return { spec, warning: `commit ${head.slice(0, 12)} of the kaji checkout is on no branch of origin that it knows of: push it before anyone installs, or give --kaji SPEC` };
  }
  return { spec };
}

/** A git remote URL as npm installs from it: git+https://, git+ssh:// (also for scp-like user@host:path), git+file://; no credentials. */
function gitRepositorySpec(origin: string, folder: string): { url: string; local: boolean } | undefined {
  if (!isUrl(origin)) return { url: `git+${pathToFileURL(resolve(folder, origin)).href}`, local: true };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(origin)) return { url: `git+ssh://${origin}`, local: false };
  let url: string;
  try {
    url = urlCredentials(origin).url; // a token in an https origin must not end up in a committed package.json
  } catch {
    return undefined;
  }
  return { url: /^git[+:]/i.test(url) ? url : `git+${url}`, local: /^file:/i.test(url) };
}

function targetName(file: string): string {
  const folder = dirname(file);
  const renamed = RENAMED[basename(file)];
  return renamed === undefined ? file : folder === '.' ? renamed : `${folder}/${renamed}`;
}

/**
 * infra/package.json: what `npm install` there needs for `npx cdk synth` (cdk.json runs bin/app.mts
 * with tsx): kaji as `kajiSpec` says, and aws-cdk-lib, constructs, the CDK CLI and tsx pinned at the
 * versions kaji itself is built and tested with. kaji's own `overrides` and `allowScripts` come
 * along: npm reads them from the project installed, never from a dependency, and the same tree
 * needs them there (content-type 2.x, whose 3.x makes every install on Node 20 warn; esbuild's
 * install script, through tsx).
 */
async function infraPackage(name: string, kajiSpec: string): Promise<string> {
  const kaji = JSON.parse(await readFile(join(KAJI_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    overrides?: Record<string, string>;
    allowScripts?: Record<string, boolean>;
  };
  const pinned = (range: string | undefined, dependency: string): string => {
    if (range === undefined) throw new Error(`kaji's package.json names no ${dependency}`);
    return range.replace(/^[\^~](?=\d+\.\d+\.\d+$)/, '');
  };
  const manifest = {
    name: `${name}-infra`,
    private: true,
    type: 'module',
    dependencies: {
      'aws-cdk-lib': pinned(kaji.dependencies['aws-cdk-lib'], 'aws-cdk-lib'),
      constructs: pinned(kaji.dependencies.constructs, 'constructs'),
      kaji: kajiSpec,
    },
    devDependencies: {
      'aws-cdk': pinned(kaji.devDependencies['aws-cdk'], 'aws-cdk'),
      tsx: pinned(kaji.devDependencies.tsx, 'tsx'),
    },
    ...(kaji.overrides ? { overrides: kaji.overrides } : {}),
    ...(kaji.allowScripts ? { allowScripts: kaji.allowScripts } : {}),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}


async function listTemplate(directory: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(directory, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listTemplate(directory, path)));
    else files.push(path);
  }
  return files;
}

/** Whether anything is at `path`, a link to nothing too (writing there would fail half-way through the scaffold). */
async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
