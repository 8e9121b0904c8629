// bench/synth-vs-blueprints, what a fresh process pays once: runs each side's
// synthesis once with V8's function event log and counts, inside the timed
// window of measure (i), the JavaScript functions run for the first time (each
// one parsed and compiled to bytecode on that first call) and the CommonJS
// modules loaded, with V8's own parse and compile times for them, per package.
//
// Why: measure (iii) shows kaji's repeated work at ~0.4 of Blueprints', but
// (i) stays above 0.5 because of what a fresh process pays once. This shows
// how much of it there is on each side and where it comes from. The counts are
// the same from run to run; the times are V8's, inflated by the logging, and
// for comparing the sides only.
//
// Usage: (cd bench/synth-vs-blueprints/blueprints && npm ci) && npm run build && npm run bench:synth-first-run
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { refuseStaleBuild } from '../stale-build.js';
import { refuseMissingBlueprints } from './blueprints-installed.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The function both sides' scripts time: its first call opens the window. */
const WINDOW_FUNCTION = 'synthesise';
/** V8's events for parsing and compiling a function or a module wrapper. */
const COMPILE_EVENTS = new Set(['parse-function', 'full-parse', 'preparse-resolution', 'interpreter', 'parse-eval']);

interface Tally {
  firstRuns: number;
  modules: number;
  compileMs: number;
}

interface FirstRunWork {
  readonly total: Tally;
  readonly byPackage: Map<string, Tally>;
}

/** "aws-cdk-lib/aws-ec2", "js-yaml", "kaji", "node" for a script URL. */
function packageOf(url: string): string {
  // The last node_modules/ names the package: aws-cdk-lib bundles some of its own.
  const inModules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/([^/]+))?/.exec(url);
  if (inModules) return inModules[1] === 'aws-cdk-lib' && inModules[2] ? `aws-cdk-lib/${inModules[2]}` : inModules[1]!;
  if (url.startsWith('node:')) return 'node';
  return url.includes('/dist/') ? 'kaji' : url || '(unnamed)';
}

/**
 * Reads a V8 log written with --log-function-events --log-source-code. Lines used:
 *   script-details,<script id>,<url>,...
 *   function,<event>,<script id>,<start>,<end>,<ms>,<timestamp µs>,<function name>
 */
async function readLog(file: string): Promise<FirstRunWork> {
  const urls = new Map<string, string>();
  const total: Tally = { firstRuns: 0, modules: 0, compileMs: 0 };
  const byPackage = new Map<string, Tally>();
  let windowOpen = false;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (line.startsWith('script-details,')) {
      const [, id, url] = line.split(',');
      urls.set(id!, url ?? '');
      continue;
    }
    if (!line.startsWith('function,')) continue;
    const [, event, scriptId, , , ms, , ...name] = line.split(',');
    if (!windowOpen) windowOpen = event === 'first-execution' && name.join(',') === WINDOW_FUNCTION;
    if (!windowOpen) continue;
    const key = packageOf(urls.get(scriptId!) ?? '');
    const tally = byPackage.get(key) ?? { firstRuns: 0, modules: 0, compileMs: 0 };
    byPackage.set(key, tally);
    for (const target of [tally, total]) {
      if (event === 'first-execution') target.firstRuns++;
      if (event === 'parse-eval') target.modules++; // Node compiles each CommonJS module's wrapper this way
      if (COMPILE_EVENTS.has(event!)) target.compileMs += Number(ms);
    }
  }
  if (!windowOpen) throw new Error(`${file}: no first call of ${WINDOW_FUNCTION}() in the log`);
  return { total, byPackage };
}

async function measure(script: readonly string[], cwd: string): Promise<FirstRunWork> {
  const scratch = mkdtempSync(join(tmpdir(), 'kaji-bench-first-run-'));
  try {
    const log = join(scratch, 'v8.log');
    const flags = ['--log-function-events', '--log-source-code', `--logfile=${log}`, '--no-logfile-per-isolate'];
    const child = spawnSync(process.execPath, [...flags, ...script, join(scratch, 'out')], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    if (child.status !== 0) throw new Error(`node ${script.join(' ')} exited with ${child.status ?? child.signal}`);
    return await readLog(log);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

refuseMissingBlueprints();
refuseStaleBuild();

const sides = {
  '(a) kaji': await measure(['kaji.mjs', 'dist'], here),
  '(b) EKS Blueprints': await measure(['cluster.mjs'], `${here}blueprints`),
};
const row = (label: string, tally: Tally): string =>
  `${label.padEnd(34)} ${String(tally.firstRuns).padStart(6)} ${String(tally.modules).padStart(8)} ${tally.compileMs.toFixed(0).padStart(11)}`;
console.log('Inside the timed window of (i), one fresh process each:');
console.log(`${''.padEnd(34)} ${'first'.padStart(6)} ${'CommonJS'.padStart(8)} ${'V8 parse +'.padStart(11)}`);
console.log(`${''.padEnd(34)} ${'runs'.padStart(6)} ${'modules'.padStart(8)} ${'compile ms'.padStart(11)}`);
for (const [side, work] of Object.entries(sides)) {
  console.log(row(side, work.total));
  const biggest = [...work.byPackage].sort(([, a], [, b]) => b.compileMs - a.compileMs).slice(0, 8);
  for (const [name, tally] of biggest) console.log(row(`    ${name}`, tally));
}
console.log('first runs: functions called for the first time (parsed and compiled then); modules: loaded in the window.');
