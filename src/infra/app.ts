// The whole AWS side of a platform as one CDK app: the shared stack and one
// stack per cluster, all from platform.yaml. The example's bin/app.ts, a user's
// own CDK app and `kaji synth` (in-process, into out/cdk.out) all build it here.
import * as cdk from 'aws-cdk-lib';
import type { PlatformDefinition } from '../platform/index.js';
import { ClusterStack, type ClusterStackProps } from './cluster-stack.js';
import { applyKajiNag, NAG_DISABLED_CONTEXT } from './nag.js';
import { SharedStack, type SharedStackProps } from './shared-stack.js';

export interface PlatformAppOptions {
  /**
   * Where the cloud assembly is written.
   * @default the CDK default (cdk.out, or what the CDK CLI passes)
   */
  readonly outdir?: string;
  /**
   * Run cdk-nag's AwsSolutions checks over every stack.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * aws-cdk-lib's built-in validation of the templates against the
   * CloudFormation resource schemas (slow: seconds per stack). `kaji synth`
   * turns it off; `cdk synth` of the app runs it.
   * @default true
   */
  readonly cloudFormationValidation?: boolean;
  /** Passed to the shared stack (e.g. an existing hosted zone). @default none */
  readonly shared?: Partial<Omit<SharedStackProps, 'platform'>>;
  /** Passed to every cluster stack (e.g. platform admin roles). @default none */
  readonly clusters?: Partial<Omit<ClusterStackProps, 'platform' | 'cluster' | 'vpc' | 'hostedZone'>>;
}

export interface PlatformApp {
  readonly app: cdk.App;
  readonly shared: SharedStack;
  readonly clusters: readonly ClusterStack[];
}

/** Stack names: `<platform>-shared` and `<platform>-<cluster>`. */
export function stackName(platform: PlatformDefinition, part: string): string {
  return `${platform.platform.name}-${part}`;
}

export function buildPlatformApp(platform: PlatformDefinition, options: PlatformAppOptions = {}): PlatformApp {
  const app = new cdk.App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    builtinCloudFormationValidation: options.cloudFormationValidation ?? true,
    // The cluster stacks import the shared VPC and zone: keep CloudFormation's protection of the producer's exports.
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', [NAG_DISABLED_CONTEXT]: options.nag === false },
  });
  const env = { account: platform.platform.account, region: platform.platform.region };
  const shared = new SharedStack(app, stackName(platform, 'shared'), { ...options.shared, platform, env });
  const clusters = platform.clusters.map(
    (cluster) =>
      new ClusterStack(app, stackName(platform, cluster.name), {
        ...options.clusters,
        platform,
        cluster,
        vpc: shared.vpc,
        hostedZone: shared.hostedZone,
        env,
      }),
  );
  if (options.nag ?? true) applyKajiNag(app);
  return { app, shared, clusters };
}
