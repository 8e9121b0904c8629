// One EKS Blueprints cluster with the ArgoCD, KarpenterV1, AwsLoadBalancerController
// and MetricsServer add-ons and 30 ApplicationTeams, synthesised once; prints the
// synthesis time as JSON. Run by ../run.ts in its own process (its own
// node_modules, so the main install stays lean).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as blueprints from '@aws-quickstart/eks-blueprints';

const outdir = mkdtempSync(join(tmpdir(), 'kaji-bench-blueprints-'));
try {
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
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
