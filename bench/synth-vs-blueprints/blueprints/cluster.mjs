// One EKS Blueprints cluster with the ArgoCD, KarpenterV1, AwsLoadBalancerController
// and MetricsServer add-ons and 30 ApplicationTeams, synthesised once into
// OUTDIR; prints the in-process synthesis time (imports excluded) as JSON.
// Run by ../run.ts in a fresh process (`node cluster.mjs OUTDIR`), with its own
// node_modules, so the main install stays lean.
import * as cdk from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as blueprints from '@aws-quickstart/eks-blueprints';

const outdir = process.argv[2];
if (outdir === undefined) {
  console.error('usage: node cluster.mjs OUTDIR');
  process.exit(2);
}

const started = performance.now();
const app = new cdk.App({ outdir });
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
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, stacks: assembly.stacks.map((stack) => stack.stackName) }));
