// Real files in a fresh temporary directory for each test.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** This checkout: kaji's package root. */
export const KAJI_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What `npm install kaji ...` gives a platform repository, by symlinks: kaji itself (this
 * checkout, dist/ as built) and the named packages from kaji's own node_modules.
 */
export function installBeside(directory: string, packages: readonly string[] = []): void {
  mkdirSync(join(directory, 'node_modules'), { recursive: true });
  symlinkSync(KAJI_ROOT, join(directory, 'node_modules', 'kaji'), 'dir');
  for (const name of packages) symlinkSync(join(KAJI_ROOT, 'node_modules', name), join(directory, 'node_modules', name), 'dir');
}

/** Creates a temp directory (in `base`) with the given files (path → content); returns its path and a cleanup. */
export function tempTree(files: Record<string, string>, base = tmpdir()): { root: string; path: (p: string) => string; cleanup: () => void } {
  const root = mkdtempSync(join(base, 'kaji-test-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, path: (p) => join(root, p), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Whether kubectl (with kustomize) is on this machine. scripts/test.mjs asks once and passes the
 * answer to every test file's process ($KAJI_TEST_HAS_KUBECTL): ~100 files need it.
 */
export const hasKubectl = process.env.KAJI_TEST_HAS_KUBECTL !== undefined ? process.env.KAJI_TEST_HAS_KUBECTL === 'yes' : kubectlRuns();

function kubectlRuns(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
