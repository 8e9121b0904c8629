// The whole example platform (shared stack + two clusters, 30 services)
// synthesised with kaji's constructs into OUTDIR; prints the in-process
// synthesis time (from before loadPlatform to after app.synth(), imports
// excluded) as JSON. Run by run.ts in a fresh process:
//   node --import tsx kaji.mjs src OUTDIR   kaji's TypeScript sources through tsx
//   node kaji.mjs dist OUTDIR               the compiled JS (npm run build), plain node
// With REPEAT (a number), the same synthesis runs REPEAT times in the process,
// into OUTDIR/1... (all the same), and `last` is the last one's time.
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const [from, outdir, repeat = '1'] = process.argv.slice(2);
if (outdir === undefined || (from !== 'src' && from !== 'dist') || !(Number(repeat) >= 1)) {
  console.error('usage: node [--import tsx] kaji.mjs src|dist OUTDIR [REPEAT]');
  process.exit(2);
}
const { buildPlatformApp } = await import(`../../${from}/infra/index.js`);
const { loadPlatform } = await import(`../../${from}/platform/index.js`);

async function synthesise(into) {
  const started = performance.now();
  const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));
  // Like for like: the Blueprints side's aws-cdk-lib (2.261) predates the built-in
  // CloudFormation validation, and runs no cdk-nag.
  const assembly = buildPlatformApp(platform, { outdir: into, nag: false, cloudFormationValidation: false }).app.synth();
  return { seconds: (performance.now() - started) / 1000, stacks: assembly.stacks.map((stack) => stack.stackName) };
}

const first = await synthesise(outdir);
let last = first.seconds;
for (let round = 1; round < Number(repeat); round++) last = (await synthesise(join(outdir, String(round)))).seconds;
console.log(JSON.stringify({ ...first, last }));
