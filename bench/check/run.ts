// Benchmark of `kaji check --format json` over 10,000 generated objects.
// Prints objects/s, peak RSS, and the ratio of the whole run to parsing the same
// files alone with the same YAML library (js-yaml) in the same process.
//
// Both sides are measured alike: one untimed run each first (the JIT and the
// file cache warmed, as for the other side), then ROUNDS timed runs each,
// interleaved so that a busy moment of the machine hits both; the best of each
// is compared, so the ratio compares steady states. Ten rounds, because kaji's
// code is far larger than the parser's: measured, its best run came at rounds
// 5-7 while parsing alone settled after one or two. Every round and the first
// (cold) kaji check run are printed too. kaji runs as
// shipped: the compiled JS in dist/ (tsx's transform of src/ adds a few
// percent, e.g. a name-keeping call per closure it creates).
// Usage: npm run build && npm run bench:check [-- --objects N]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { importBuilt, refuseStaleBuild } from '../stale-build.js';
import { generateManifests } from './generate.js';

refuseStaleBuild();
const { KUBERNETES_YAML_SCHEMA } = await importBuilt<typeof import('../../src/kube/index.js')>('kube/index.js');
const { run } = await importBuilt<typeof import('../../src/cli/program.js')>('cli/program.js');

const objectsArg = process.argv.indexOf('--objects');
const OBJECTS = objectsArg > 0 ? Number(process.argv[objectsArg + 1]) : 10_000;
const ROUNDS = 10;

function parseOnly(directory: string): number {
  let documents = 0;
  for (const file of readdirSync(directory)) {
    documents += yaml.loadAll(readFileSync(join(directory, file), 'utf8'), undefined, { schema: KUBERNETES_YAML_SCHEMA }).length;
  }
  return documents;
}

async function checkOnce(directory: string, output: string): Promise<number> {
  const started = performance.now();
  const code = await run(['check', directory, '--format', 'json', '--output-file', output], {
    out: () => {},
    err: (text) => process.stderr.write(text),
    readStdin: async () => '',
    colorOut: false,
    cwd: process.cwd(),
  });
  if (code !== 0) throw new Error(`kaji check exited ${code}`);
  return performance.now() - started;
}

function timed(fn: () => unknown): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

const work = mkdtempSync(join(tmpdir(), 'kaji-bench-'));
try {
  const manifests = join(work, 'manifests');
  const files = generateManifests(manifests, OBJECTS);
  const output = join(work, 'report.json');
  const parsed = parseOnly(manifests); // the untimed first run of parsing; also warms the file cache
  if (parsed !== OBJECTS) throw new Error(`generated ${parsed} objects, wanted ${OBJECTS}`);
  const cold = await checkOnce(manifests, output); // the untimed first run of kaji check

  const checkTimes: number[] = [];
  const parseTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    checkTimes.push(await checkOnce(manifests, output));
    parseTimes.push(timed(() => parseOnly(manifests)));
  }
  const report = JSON.parse(readFileSync(output, 'utf8')) as { Results: unknown[]; Score: number };
  if (report.Results.length !== OBJECTS) throw new Error(`report has ${report.Results.length} results`);

  const check = Math.min(...checkTimes);
  const parse = Math.min(...parseTimes);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`objects:        ${OBJECTS} in ${files} files (score ${report.Score})`);
  console.log(`kaji check:     ${check.toFixed(0)} ms (best of ${ROUNDS}: ${checkTimes.map((t) => t.toFixed(0)).join(', ')}; first, cold run ${cold.toFixed(0)} ms)`);
  console.log(`parse only:     ${parse.toFixed(0)} ms (best of ${ROUNDS}; js-yaml, same files, same process)`);
  console.log(`objects/s:      ${Math.round(OBJECTS / (check / 1000))}   (target >= 20000)`);
  console.log(`ratio:          ${(check / parse).toFixed(2)}   (target <= 2.0)`);
  console.log(`peak RSS:       ${peakRssMb.toFixed(0)} MB   (target <= 500)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
