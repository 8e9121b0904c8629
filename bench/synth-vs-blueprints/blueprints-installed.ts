// Both synth-vs-blueprints benches run EKS Blueprints, installed only in
// ./blueprints so that the main install stays lean.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Exits (status 2, saying what to run) when EKS Blueprints is not installed in bench/synth-vs-blueprints/blueprints. */
export function refuseMissingBlueprints(): void {
  const here = fileURLToPath(new URL('.', import.meta.url));
  if (existsSync(`${here}blueprints/node_modules/@aws-quickstart/eks-blueprints`)) return;
  console.error('EKS Blueprints is not installed: run `npm ci` in bench/synth-vs-blueprints/blueprints first');
  process.exit(2);
}
