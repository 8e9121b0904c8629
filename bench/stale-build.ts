// Benches that run kaji as shipped (dist/, plain JS) check first that the
// build is not older than the sources it comes from.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The .ts files under src/ whose compiled .js in dist/ is missing or older. */
function staleBuild(): string[] {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const compiled = join(root, 'dist', relative(join(root, 'src'), path)).replace(/\.ts$/, '.js');
        if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(path).mtimeMs) stale.push(relative(root, path));
      }
    }
  };
  walk(join(root, 'src'));
  return stale;
}

/**
 * Exits (status 2, saying what to run) when any of dist/ is missing or older
 * than its source: what a bench measures must be the code as it is. Benches
 * import dist/ only after this (a static import would fail first, unexplained).
 */
export function refuseStaleBuild(): void {
  const problem = staleBuildProblem();
  if (problem === undefined) return;
  console.error(problem);
  process.exit(2);
}

/** What is stale in dist/, as one line saying what to run; undefined when dist/ is as src/ is. */
export function staleBuildProblem(): string | undefined {
  const stale = staleBuild();
  if (stale.length === 0) return undefined;
  return `dist/ is missing or older than src/ (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', ...' : ''}): run \`npm run build\` first`;
}

/** The compiled module of a src/ path ("kube/index.js"), loaded after refuseStaleBuild. */
export function importBuilt<Module>(path: string): Promise<Module> {
  return import(new URL(`../dist/${path}`, import.meta.url).href) as Promise<Module>;
}
