import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { writeFileAtomically } from '../kube/index.js';
import { UsageError, type Io } from './common.js';
import type { Outcome } from './program.js';

/** The scaffold `kaji init` copies: shipped in the package under templates/init/. */
const TEMPLATE = fileURLToPath(new URL('../../templates/init/', import.meta.url));

/** Placeholder in template files replaced by the platform name. */
const NAME_PLACEHOLDER = /__PLATFORM_NAME__/g;

export function registerInit(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('init')
    .summary('scaffold a new platform: platform.yaml, polaris.yaml, a manifest repository with one sample service, the CDK app')
    .description(
      'Create a new platform in DIR: platform.yaml (with editor completion through its JSON Schema), polaris.yaml ' +
        '(the policy), manifests/ (the manifest repository, with one sample service), infra/ (the CDK app of the AWS ' +
        'side) and a README for the platform team. DIR must not hold a platform.yaml already; nothing is overwritten.',
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
      outcome.exitCode = 0;
    });
}

/** Copies the template into `target`, naming the platform; refuses to overwrite anything. */
export async function scaffold(target: string, name: string): Promise<string[]> {
  if (await exists(join(target, 'platform.yaml'))) {
    throw new UsageError(`${join(target, 'platform.yaml')} already exists; kaji init never overwrites a platform`);
  }
  const files = await listTemplate(TEMPLATE);
  for (const file of files) {
    if (await exists(join(target, file))) throw new UsageError(`${join(target, file)} already exists; move it away or choose another folder`);
  }
  await mkdir(target, { recursive: true });
  for (const file of files) {
    const text = await readFile(join(TEMPLATE, file), 'utf8');
    await writeFileAtomically(join(target, file), text.replace(NAME_PLACEHOLDER, name));
  }
  return files;
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

