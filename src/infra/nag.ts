// cdk-nag for kaji's stacks: the AwsSolutions rule pack, run as a CDK
// validation plugin at synthesis, and acknowledgements that must say why.
//
// cdk-nag 3 runs as a policy validation plugin (`Validations.of(app)
// .addPlugins(...)`), no longer as an Aspect, and acknowledges findings with
// `Validations.of(construct).acknowledge(...)` instead of NagSuppressions. A
// rule that reports several findings on one resource (IAM5) is acknowledged
// per finding: `AwsSolutions-IAM5[Resource::*]`, never the bare rule id.
//
// cdk-nag is loaded on first use, not when kaji/infra is imported: loading it
// takes well over 100 ms (it requires the aws-cdk-lib modules of every service
// it has rules for), which an app built with `nag: false` does not need to pay.
import { createRequire } from 'node:module';
import { Stage, Validations, type IPolicyValidationPlugin, type PolicyValidationPluginReport, type PolicyViolation } from 'aws-cdk-lib/core';
import type { IConstruct } from 'constructs';
import { InfraError } from './errors.js';

type CdkNag = typeof import('cdk-nag');
let cdkNag: CdkNag | undefined;

/** cdk-nag's module, required on first use; `scope` names the construct in the error when it is not installed. */
function loadCdkNag(scope: IConstruct | undefined): CdkNag {
  try {
    cdkNag ??= createRequire(import.meta.url)('cdk-nag') as CdkNag;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !(error as Error).message.startsWith("Cannot find module 'cdk-nag'")) throw error;
    throw new InfraError(scope?.node.path ?? '', 'nag', 'needs the cdk-nag package, which is not installed: add it to the CDK app (npm install cdk-nag), or build the app with nag: false');
  }
  return cdkNag;
}

/** App context set to true by apps that run no cdk-nag, so constructs skip work done only for it. */
export const NAG_DISABLED_CONTEXT = 'kaji:nagDisabled';

/** Whether `scope`'s app says it runs no cdk-nag (`buildPlatformApp(platform, { nag: false })`). */
export function nagDisabled(scope: IConstruct): boolean {
  return scope.node.tryGetContext(NAG_DISABLED_CONTEXT) === true;
}

/** One acknowledged cdk-nag finding and why it is acceptable here. */
export interface NagSuppression {
  /** The rule id, or for rules with several findings the finding id, e.g. "AwsSolutions-IAM5[Resource::*]". */
  readonly id: string;
  /** Why the finding is acceptable: read by reviewers and auditors; required. */
  readonly reason: string;
}

/** A reason shorter than this says nothing ("ok", "n/a"). */
const MIN_REASON_LENGTH = 20;

/**
 * Acknowledges cdk-nag findings on a construct (and everything under it),
 * each with the reason it is acceptable. Throws an InfraError for a
 * suppression without an id or with no real reason. In an app that runs no
 * cdk-nag (context `kaji:nagDisabled`, set by `buildPlatformApp` with
 * `nag: false`) the suppressions are checked but not recorded: nothing would
 * read them, and recording one captures a stack trace.
 */
export function suppress(construct: IConstruct, suppressions: readonly NagSuppression[]): void {
  for (const [index, suppression] of suppressions.entries()) {
    if (!/^[A-Za-z0-9]+-[A-Za-z0-9]+(\[.+\])?$/.test(suppression.id)) {
      throw new InfraError(construct.node.path, `suppressions[${index}].id`, `must be a cdk-nag rule id such as "AwsSolutions-IAM5[Resource::*]"; found ${JSON.stringify(suppression.id)}`);
    }
    if (suppression.reason.trim().length < MIN_REASON_LENGTH) {
      throw new InfraError(
        construct.node.path,
        `suppressions[${index}].reason`,
        `must say why ${suppression.id} is acceptable here (at least ${MIN_REASON_LENGTH} characters); found ${JSON.stringify(suppression.reason)}`,
      );
    }
  }
  if (nagDisabled(construct)) return;
  Validations.of(construct).acknowledge(...suppressions.map(({ id, reason }) => ({ id, reason })));
}

let kajiNagChecks: (new (scope: IConstruct) => IPolicyValidationPlugin) | undefined;

function createKajiNagChecks(scope: IConstruct): IPolicyValidationPlugin {
  kajiNagChecks ??= kajiNagChecksClass(loadCdkNag(scope));
  return new kajiNagChecks(scope);
}

/**
 * AwsSolutions checks limited to one construct's subtree, failing synthesis
 * on errors only (warnings are reported, as cdk-nag's "warning" level means).
 * The class extends cdk-nag's, so it is made once cdk-nag is loaded.
 */
function kajiNagChecksClass({ AwsSolutionsChecks }: CdkNag): new (scope: IConstruct) => IPolicyValidationPlugin {
  return class KajiNagChecks extends AwsSolutionsChecks {
    constructor(private readonly scope: IConstruct) {
      super(scope, { verbose: true });
    }

    override validate(): PolicyValidationPluginReport {
      const report = this.validateScope(this.scope);
      return { ...report, success: !report.violations.some((violation) => violation.severity === 'error') };
    }
  };
}

/**
 * Runs cdk-nag's AwsSolutions pack (verbose) over `scope` at every synthesis
 * of its app: unacknowledged errors fail the synthesis with a report. Call
 * once per scope (a stack, a stage or the app).
 */
export function applyKajiNag(scope: IConstruct): void {
  const stage = Stage.isStage(scope) ? scope : Stage.of(scope);
  if (stage === undefined) {
    throw new InfraError(scope.node.path, 'scope', 'is not inside a CDK App or Stage: cdk-nag runs as a validation plugin of one; create the stack in an App first');
  }
  Validations.of(stage).addPlugins(createKajiNagChecks(scope));
}

/**
 * The cdk-nag AwsSolutions findings under `scope` that are not acknowledged
 * (no synthesis needed). In an app built with `nag: false` kaji acknowledges
 * nothing, so every finding is listed.
 */
export function kajiNagFindings(scope: IConstruct): readonly PolicyViolation[] {
  const { AwsSolutionsChecks } = loadCdkNag(scope);
  return new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(scope).violations;
}
