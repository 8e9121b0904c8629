// bench:webhook runs the built CLI (dist/): it must refuse a dist/ older than src/, as the
// other benches do, and not measure outdated code. Run in a copy of the bench's files with
// a src/ and dist/ of their own, so the real build is never touched.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

test('bench:webhook refuses a dist/ older than src/ before it starts anything', async () => {
  const root = mkdtempSync(join(tmpdir(), 'kaji-bench-'));
  try {
    const put = (path: string, text?: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      if (text === undefined) copyFileSync(join(REPO, path), join(root, path));
      else writeFileSync(join(root, path), text);
    };
    put('package.json', '{ "type": "module" }\n');
    put('bench/stale-build.ts');
    put('bench/webhook/run.ts');
    put('bench/webhook/floor.mjs');
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
    // The built CLI exists, but its source changed after the build.
    put('src/cli/main.ts', 'export {};\n');
    put('dist/cli/main.js', 'process.exit(0);\n');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, 'dist/cli/main.js'), hourAgo, hourAgo);

    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'bench/webhook/run.ts', '--seconds', '1', '--fuzz', '1'], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^dist\/ is missing or older than src\/ \(src\/cli\/main\.ts\): run `npm run build` first$/m);
    assert.doesNotMatch(result.stdout, /bench:webhook/, 'nothing was measured');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
