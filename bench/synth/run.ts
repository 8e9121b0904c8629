// Benchmark of `kaji synth`: the bundled example platform (examples/labs), and a
// generated platform of 300 services (copies of the example's services under
// new names). Target: the example in at most 5 s on a 2-core machine.
// Each run is a fresh `kaji synth` process from dist/ (npm run build), timed
// from spawn to exit, as a user or CI waits for it: a process keeps its
// kustomize renders, so runs in one process would time the later ones without
// kubectl. The example runs once untimed first (the file system's caches).
// Usage: npm run build && npm run bench:synth [-- --services N]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { parseSummary } from '../../src/dashboard/index.js';
import { refuseStaleBuild } from '../stale-build.js';

const servicesArg = process.argv.indexOf('--services');
const SERVICES = servicesArg > 0 ? Number(process.argv[servicesArg + 1]) : 300;
const EXAMPLE = new URL('../../examples/labs/', import.meta.url).pathname;
const KAJI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

interface Timed {
  readonly seconds: number;
  readonly services: number;
  readonly clusters: number;
  /** Dangers and problems found (one of them may be the CDK synthesis's): a timing of a failed synthesis says so. */
  readonly findings: string;
}

async function timeSynth(directory: string, out: string): Promise<Timed> {
  const started = performance.now();
  const child = spawn(process.execPath, [KAJI, 'synth', directory, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0 && code !== 1) throw new Error(`kaji synth ${directory} exited ${code}: ${stderr}`);
  const written: { cdk?: { problem?: string | null } } = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
  const summary = parseSummary(written, 'summary.json');
  const problem = written.cdk?.problem;
  const cdk = problem ? ` (one is the CDK app's: ${problem.slice(0, 160)})` : '';
  const findings = `${summary.dangers} dangers, ${summary.problems} problems${cdk}`;
  return { seconds, services: summary.clusters[0]?.services.length ?? 0, clusters: summary.clusters.length, findings };
}

/** A copy of the example whose services are cloned under new names until there are `count`. */
async function generatePlatform(target: string, count: number): Promise<void> {
  await cp(EXAMPLE, target, { recursive: true, filter: (source) => !source.includes('/clusters/') && !source.endsWith('/out') });
  const definition = yaml.load(await readFile(join(target, 'platform.yaml'), 'utf8')) as { services: Record<string, unknown>[] };
  const originals = definition.services;
  const apps = join(target, 'manifests', 'apps');
  const services: Record<string, unknown>[] = [];
  for (let index = 0; services.length < count; index++) {
    const original = originals[index % originals.length]!;
    const copy = Math.floor(index / originals.length);
    if (copy === 0) {
      services.push(original);
      continue;
    }
    const name = `${String(original.name)}-${copy}`;
    // Each copy needs its own name, namespace and hosts (the loader refuses
    // shared ones), and its own image repository and app repository, as the
    // renamed manifests and the shared stack's ECR repository expect.
    const namespace = typeof original.namespace === 'string' ? original.namespace : String(original.name);
    const hosts = (original.hosts as string[] | undefined) ?? [];
    const renames: [string, string][] = [
      ...hosts.map((host): [string, string] => [host, `c${copy}-${host}`]),
      [namespace, `${namespace}-${copy}`],
      [String(original.name), name],
    ];
    const rename = renamer(renames);
    const renamed = (field: string) => (typeof original[field] === 'string' ? { [field]: rename(original[field]) } : {});
    services.push({ ...original, name, namespace: `${namespace}-${copy}`, hosts: hosts.map((host) => `c${copy}-${host}`), ...renamed('image'), ...renamed('sourceRepository') });
    await copyRenamed(join(apps, String(original.name)), join(apps, name), rename);
  }
  definition.services = services;
  await writeFile(join(target, 'platform.yaml'), yaml.dump(definition, { lineWidth: -1, noRefs: true }));
}

/** One pass over the text (a name that is also the namespace must not be renamed twice), longest match first. */
function renamer(renames: readonly (readonly [string, string])[]): (text: string) => string {
  const to = new Map(renames);
  const pattern = new RegExp([...to.keys()].sort((a, b) => b.length - a.length).map((from) => from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, (from) => to.get(from)!);
}

async function copyRenamed(from: string, to: string, rename: (text: string) => string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory()) await copyRenamed(join(from, entry.name), join(to, entry.name), rename);
    else {
      await cp(join(from, entry.name), join(to, entry.name));
      await writeFile(join(to, entry.name), rename(await readFile(join(from, entry.name), 'utf8')));
    }
  }
}

refuseStaleBuild();
const work = await mkdtemp(join(tmpdir(), 'kaji-bench-synth-'));
try {
  const example = join(work, 'labs');
  await cp(EXAMPLE, example, { recursive: true });
  await timeSynth(example, join(work, 'out-warmup'));
  const labs = await timeSynth(example, join(work, 'out-labs'));
  console.log(`example (${labs.services} services x ${labs.clusters} clusters): ${labs.seconds.toFixed(2)} s   (target <= 5 s)  [${labs.findings}]`);
  const big = join(work, 'big');
  await generatePlatform(big, SERVICES);
  const first = await timeSynth(big, join(work, 'out-big'));
  console.log(`generated (${first.services} services x ${first.clusters} clusters): ${first.seconds.toFixed(2)} s (first run, creates overlays and clusters/)  [${first.findings}]`);
  const second = await timeSynth(big, join(work, 'out-big'));
  console.log(`generated, second run (nothing to write): ${second.seconds.toFixed(2)} s  [${second.findings}]`);
} finally {
  await rm(work, { recursive: true, force: true });
}
