// The whole AWS side of a platform as one CDK app: the shared stack and one
// stack per cluster, all from platform.yaml. The example's bin/app.mts, a user's
// own CDK app and `kaji synth` (in-process, into out/cdk.out) all build it here.
import * as cdk from 'aws-cdk-lib/core';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { PlatformDefinition } from '../platform/index.js';
import { SHARED_STACK_PART, stackName } from '../platform/stack-name.js';
import { ClusterStack, type ClusterStackProps } from './cluster-stack.js';
import { InfraError } from './errors.js';
import { applyKajiNag, NAG_DISABLED_CONTEXT } from './nag.js';
import { failAt, validatePlatformInfo } from './private/platform-info.js';
import { SharedStack, type SharedStackProps } from './shared-stack.js';

export interface PlatformAppOptions {
  /**
   * Where the cloud assembly is written.
   * @default the CDK default (cdk.out, or what the CDK CLI passes)
   */
  readonly outdir?: string;
  /**
   * Run cdk-nag's AwsSolutions checks over every stack. With `false`, cdk-nag
   * is never loaded and kaji's constructs record no acknowledgements of its
   * findings (`kajiNagFindings` on such an app lists them all).
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
  /**
   * Record stack traces in the cloud assembly's metadata: where each
   * CloudFormation element and stack was created (`aws:cdk:creationStack`;
   * policy validation reports, such as a failing cdk-nag check's, use it to
   * point at the code) and the call stack of each warning, info and error
   * annotation (its `trace`; aws-cdk-lib records acknowledgements' traces
   * either way). Capturing them costs tens of milliseconds per synthesis; no
   * template changes. When off, `cdk synth --debug` still records creation
   * stacks (aws-cdk-lib does whenever CDK_DEBUG is set), and the context keys
   * `aws:cdk:disable-creation-stack-traces` and `aws:cdk:disable-stack-trace`
   * given to the CDK CLI (cdk.json, `-c`) take precedence over this option.
   * @default false
   */
  readonly stackTraces?: boolean;
  /**
   * Write the construct tree (`tree.json`) into the cloud assembly. The CDK
   * CLI reads it to show only the notices that concern the constructs the app
   * uses, and IDE explorers (the AWS Toolkit's CDK view) display it; writing
   * it costs tens of milliseconds per synthesis. `kaji synth --check-only`,
   * whose assembly is removed again, turns it off.
   * @default true
   */
  readonly treeMetadata?: boolean;
  /**
   * Passed to the shared stack, over what it reads from platform.yaml (e.g.
   * network.interfaceEndpoints; hostedZone, github.oidcProviderArn,
   * network.vpcCidr and network.availabilityZones replace platform.yaml's
   * fields). `kaji synth` builds the app without options: its out/cdk.out
   * has none of these.
   * @default none
   */
  readonly shared?: Partial<Omit<SharedStackProps, 'platform'>>;
  /**
   * Passed to every cluster stack, over what it reads from platform.yaml
   * (publicEndpointCidrs replaces platform.apiEndpointCidrs;
   * platformAdminRoleArns adds to platform.adminRoles). `kaji synth` builds
   * the app without options: its out/cdk.out has none of these.
   * @default none
   */
  readonly clusters?: Partial<Omit<ClusterStackProps, 'platform' | 'cluster' | 'vpc' | 'hostedZone'>>;
}

export interface PlatformApp {
  readonly app: cdk.App;
  readonly shared: SharedStack;
  readonly clusters: readonly ClusterStack[];
}

export { stackName };

export function buildPlatformApp(platform: PlatformDefinition, options: PlatformAppOptions = {}): PlatformApp {
  // Defaults: context given to the CDK CLI (cdk.json, -c) takes precedence.
  const stackTraces = options.stackTraces ?? false;
  const app = new cdk.App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    builtinCloudFormationValidation: options.cloudFormationValidation ?? true,
    treeMetadata: options.treeMetadata ?? true,
    context: {
      // The cluster stacks import the shared VPC and zone: keep CloudFormation's protection of the producer's exports.
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      [NAG_DISABLED_CONTEXT]: options.nag === false,
      ...(stackTraces ? {} : { [cxapi.DISABLE_CREATION_STACK_TRACES]: true, [cxapi.DISABLE_METADATA_STACK_TRACE]: true }),
    },
  });
  // A definition made by hand may lack what platform.yaml's loader guarantees: named before it is read here.
  validatePlatformInfo(platform, undefined, failAt('buildPlatformApp'));
  // platform.yaml's loader refuses the name too; this covers a definition made by hand.
  const sharedName = platform.clusters?.findIndex((cluster) => cluster.name === SHARED_STACK_PART) ?? -1;
  if (sharedName >= 0) {
    const name = stackName(platform, SHARED_STACK_PART);
    throw new InfraError('buildPlatformApp', `platform.clusters[${sharedName}].name`, `is "${SHARED_STACK_PART}": its stack would be ${name}, the shared stack's name; name the cluster otherwise, e.g. blue`);
  }
  const env = { account: platform.platform.account, region: platform.platform.region };
  const shared = new SharedStack(app, stackName(platform, SHARED_STACK_PART), { ...options.shared, platform, env });
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
