import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { makeFolders, writeFileAtomically } from '../kube/index.js';
import { UsageError, type Io } from './common.js';
import type { Outcome } from './program.js';

/** This kaji's package folder (the checkout), which the scaffold's infra/package.json installs kaji from. */
const KAJI_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The scaffold `kaji init` copies: shipped in the package under templates/init/. */
const TEMPLATE = join(KAJI_ROOT, 'templates', 'init');

/** Placeholder in template files replaced by the platform name. */
const NAME_PLACEHOLDER = /__PLATFORM_NAME__/g;

/** Template files written under another name: npm leaves every .gitignore out of a package it packs. */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/** Written from kaji's own package.json rather than copied: the versions and the path to this checkout. */
const INFRA_PACKAGE = 'infra/package.json';

export function registerInit(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('init')
    .summary('scaffold a new platform: platform.yaml, polaris.yaml, a manifest repository with one sample service, the CDK app')
    .description(
      'Create a new platform in DIR: platform.yaml (with editor completion through its JSON Schema), polaris.yaml ' +
        '(the policy), manifests/ (the manifest repository, with one sample service), infra/ (the CDK app of the AWS ' +
        'side, with a package.json installing kaji from this checkout), a .gitignore (out/, node_modules/, infra/cdk.out/) ' +
        'and a README for the platform team. DIR must not hold a platform.yaml already; nothing is overwritten.',
    )
    .argument('<dir>', 'folder to create the platform in')
    .option('--name <name>', 'platform name (a DNS label); default: the folder name')
    .action(async (directory: string, flags: { name?: string }) => {
      const target = resolve(io.cwd, directory);
      const name = flags.name ?? basename(target).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
      if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
        throw new UsageError(`"${name}" is not a valid platform name: use lowercase letters, digits and '-' (--name NAME)`);
      }
      const created = await scaffold(target, name);
      io.out(`kaji init: created ${created.length} files in ${directory}\n`);
      for (const file of created) io.out(`  ${file}\n`);
      io.out(`\nNext: edit ${join(directory, 'platform.yaml')}, then run: kaji synth ${directory}\n`);
      io.out(`For the CDK app: cd ${join(directory, 'infra')} && npm install && npx cdk synth\n`);
      outcome.exitCode = 0;
    });
}

/** Copies the template into `target`, naming the platform; refuses to overwrite anything. */
export async function scaffold(target: string, name: string): Promise<string[]> {
  if (await exists(join(target, 'platform.yaml'))) {
    throw new UsageError(`${join(target, 'platform.yaml')} already exists; kaji init never overwrites a platform`);
  }
  const templates = await listTemplate(TEMPLATE);
  const files = [...templates.map(targetName), INFRA_PACKAGE].sort((a, b) => a.localeCompare(b));
  for (const file of files) {
    if (await exists(join(target, file))) throw new UsageError(`${join(target, file)} already exists; move it away or choose another folder`);
  }
  // Every folder first, each on its own: no file is written where a folder cannot be made.
  for (const folder of new Set(['.', ...files.map((file) => dirname(file))])) makeFolders(join(target, folder));
  for (const file of templates) {
    const text = await readFile(join(TEMPLATE, file), 'utf8');
    await writeFileAtomically(join(target, targetName(file)), text.replace(NAME_PLACEHOLDER, name));
  }
  await writeFileAtomically(join(target, INFRA_PACKAGE), await infraPackage(join(target, 'infra'), name));
  return files;
}

function targetName(file: string): string {
  const folder = dirname(file);
  const renamed = RENAMED[basename(file)];
  return renamed === undefined ? file : folder === '.' ? renamed : `${folder}/${renamed}`;
}

/**
 * infra/package.json: what `npm install` there needs for `npx cdk synth` (cdk.json runs bin/app.mts
 * with tsx): kaji from this checkout (it is on no registry), and aws-cdk-lib, constructs, the CDK CLI
 * and tsx pinned at the versions kaji itself is built and tested with.
 */
async function infraPackage(infra: string, name: string): Promise<string> {
  const kaji = JSON.parse(await readFile(join(KAJI_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const pinned = (range: string | undefined, dependency: string): string => {
    if (range === undefined) throw new Error(`kaji's package.json names no ${dependency}`);
    return range.replace(/^[\^~](?=\d+\.\d+\.\d+$)/, '');
  };
  const kajiPath = relative(infra, KAJI_ROOT).split(sep).join('/');
  const manifest = {
    name: `${name}-infra`,
    private: true,
    type: 'module',
    dependencies: {
      'aws-cdk-lib': pinned(kaji.dependencies['aws-cdk-lib'], 'aws-cdk-lib'),
      constructs: pinned(kaji.dependencies.constructs, 'constructs'),
      kaji: `file:${kajiPath}`,
    },
    devDependencies: {
      'aws-cdk': pinned(kaji.devDependencies['aws-cdk'], 'aws-cdk'),
      tsx: pinned(kaji.devDependencies.tsx, 'tsx'),
    },
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

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

