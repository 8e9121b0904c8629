// kaji as a real process: the built bin (dist/cli/main.js), as npm installs it. A child started
// through tsx compiles src/ again in every process (about half a second of CPU each, and some tests
// start dozens); `npm test` builds dist/ first. Run alone, a file that uses it fails at once when
// src/ changed after the last build, rather than testing old code (the benches' check).
import { join } from 'node:path';
import { staleBuildProblem } from '../../bench/stale-build.js';
import { KAJI_ROOT } from './files.js';

export const KAJI_BIN = join(KAJI_ROOT, 'dist/cli/main.js');

/** Checked once per test process: src/ does not change while the tests run. */
let checked: string | undefined;

/** KAJI_BIN, once it is known to be built from the src/ of this checkout. */
export function builtBin(): string {
  checked ??= staleBuildProblem() ?? KAJI_BIN;
  if (checked !== KAJI_BIN) throw new Error(checked);
  return KAJI_BIN;
}
