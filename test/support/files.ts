// Real files in a fresh temporary directory for each test.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

/** Creates a temp directory with the given files (path → content); returns its path and a cleanup. */
export function tempTree(files: Record<string, string>): { root: string; path: (p: string) => string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'kaji-test-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, path: (p) => join(root, p), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Whether kubectl (with kustomize) is on this machine. */
export const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
