// The whole example platform (shared stack + two clusters, 30 services)
// synthesised once with kaji's constructs into OUTDIR; prints the in-process
// synthesis time (from before loadPlatform to after app.synth(), imports
// excluded) as JSON. Run by run.ts in a fresh process:
//   node --import tsx kaji.mjs src OUTDIR   kaji's TypeScript sources through tsx
//   node kaji.mjs dist OUTDIR               the compiled JS (npm run build), plain node
import { fileURLToPath, URL } from 'node:url';

const [from, outdir] = process.argv.slice(2);
if (outdir === undefined || (from !== 'src' && from !== 'dist')) {
  console.error('usage: node [--import tsx] kaji.mjs src|dist OUTDIR');
  process.exit(2);
}
const { buildPlatformApp } = await import(`../../${from}/infra/index.js`);
const { loadPlatform } = await import(`../../${from}/platform/index.js`);

const started = performance.now();
const platform = await loadPlatform(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)));
// Like for like: the Blueprints side's aws-cdk-lib (2.261) predates the built-in
// CloudFormation validation, and runs no cdk-nag.
const assembly = buildPlatformApp(platform, { outdir, nag: false, cloudFormationValidation: false }).app.synth();
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, stacks: assembly.stacks.map((stack) => stack.stackName) }));
