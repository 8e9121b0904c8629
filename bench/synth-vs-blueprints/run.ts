// bench/synth-vs-blueprints: in one run, (a) synthesis of the whole example
// platform with kaji's constructs and (b) synthesis of one EKS Blueprints
// cluster with the ArgoCD, KarpenterV1, AwsLoadBalancerController and
// MetricsServer add-ons and 30 ApplicationTeams. Each runs in a fresh process,
// three times; the best time counts. Target: a/b <= 0.5.
// Usage: (cd bench/synth-vs-blueprints/blueprints && npm ci) && npm run bench:synth-vs-blueprints
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROUNDS = 3;

function best(command: string[], cwd: string): { seconds: number; stacks: string[] } {
  const runs = Array.from({ length: ROUNDS }, () => {
    const output = execFileSync(process.execPath, command, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(output.trim().split('\n').pop()!) as { seconds: number; stacks: string[] };
  });
  return runs.sort((a, b) => a.seconds - b.seconds)[0]!;
}

if (!existsSync(`${here}blueprints/node_modules/@aws-quickstart/eks-blueprints`)) {
  console.error('EKS Blueprints is not installed: run `npm ci` in bench/synth-vs-blueprints/blueprints first');
  process.exit(2);
}
const kaji = best(['--import', 'tsx', 'kaji.ts'], here);
const blueprints = best(['cluster.mjs'], `${here}blueprints`);
console.log(`(a) kaji, example platform (${kaji.stacks.join(', ')}): ${kaji.seconds.toFixed(2)} s`);
console.log(`(b) EKS Blueprints, one cluster, 4 add-ons, 30 teams (${blueprints.stacks.join(', ')}): ${blueprints.seconds.toFixed(2)} s`);
console.log(`a/b: ${(kaji.seconds / blueprints.seconds).toFixed(2)}   (target <= 0.5)`);
