// One EKS Blueprints cluster with the ArgoCD, KarpenterV1, AwsLoadBalancerController
// and MetricsServer add-ons and 30 ApplicationTeams, synthesised into OUTDIR;
// prints the in-process synthesis time (imports excluded) as JSON. With
// REPEAT, the same synthesis runs REPEAT times (into OUTDIR/1...) and `last`
// is the last one's time.
// Run by ../run.ts in a fresh process (`node cluster.mjs OUTDIR`), with its own
// node_modules, so the main install stays lean.
import { join } from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as blueprints from '@aws-quickstart/eks-blueprints';

const [outdir, repeat = '1'] = process.argv.slice(2);
if (outdir === undefined || !(Number(repeat) >= 1)) {
  console.error('usage: node cluster.mjs OUTDIR [REPEAT]');
  process.exit(2);
}

async function synthesise(into) {
  const started = performance.now();
  const app = new cdk.App({ outdir: into });
  const teams = Array.from({ length: 30 }, (_, index) => new blueprints.ApplicationTeam({ name: `team-${index}` }));
  await blueprints.EksBlueprint.builder()
    .account('111122223333')
    .region('ap-northeast-1')
    .version(eks.KubernetesVersion.V1_32)
    .addOns(
      new blueprints.addons.ArgoCDAddOn(),
      new blueprints.addons.KarpenterV1AddOn(),
      new blueprints.addons.AwsLoadBalancerControllerAddOn(),
      new blueprints.addons.MetricsServerAddOn(),
    )
    .teams(...teams)
    .buildAsync(app, 'blueprints');
  const assembly = app.synth();
  return { seconds: (performance.now() - started) / 1000, stacks: assembly.stacks.map((stack) => stack.stackName) };
}

const first = await synthesise(outdir);
let last = first.seconds;
for (let round = 1; round < Number(repeat); round++) last = (await synthesise(join(outdir, String(round)))).seconds;
console.log(JSON.stringify({ ...first, last }));
