// kaji as a real process: the built bin (dist/cli/main.js), as npm installs it. A child started
// through tsx compiles src/ again in every process (about half a second of CPU each, and some tests
// start dozens); `npm test` builds dist/ first. Run alone, a file that uses it fails at once when
// src/ changed after the last build, rather than testing old code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KAJI_ROOT } from './files.js';

export const KAJI_BIN = join(KAJI_ROOT, 'dist/cli/main.js');

/** The newest file under src/ and its modification time. */
function newestSource(): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  for (const file of readdirSync(join(KAJI_ROOT, 'src'), { recursive: true, encoding: 'utf8' })) {
    const { mtimeMs } = statSync(join(KAJI_ROOT, 'src', file));
    if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

/** KAJI_BIN, once it is known to be built from the src/ of this checkout. */
export function builtBin(): string {
  if (!existsSync(KAJI_BIN)) throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test builds it first)');
  const source = newestSource();
  if (source.mtimeMs > statSync(KAJI_BIN).mtimeMs) {
    throw new Error(`src/${source.file} changed after the last build: run \`npm run build\` (npm test builds it first)`);
  }
  return KAJI_BIN;
}
