// The CDK CLI, run in the platform's CDK app folder (infra/ beside
// platform.yaml, `bin/app.mts` around buildPlatformApp), with its output
// streamed as it comes. Its standard input stays the terminal's, so the CLI
// can ask for approval of security-sensitive changes; Ctrl-C reaches it too.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { atExit } from '../kube/index.js';
import { isArgoCdTokenVariable } from './argocd.js';
import { StepFailedError, UpgradeError } from './errors.js';

/** The CDK app folder of a platform: `infra/` next to platform.yaml (what `kaji init` scaffolds). */
export function cdkAppFolder(platformFile: string, override?: string): string {
  return override ?? join(dirname(platformFile), 'infra');
}

export interface CdkRun {
  /** The CDK CLI. @default the app's own node_modules/.bin/cdk (the version its package pins), else "cdk" from PATH */
  readonly cdk?: string;
  readonly folder: string;
  readonly args: readonly string[];
  /** Its output, as it comes. @default not shown: a failure's message ends with its last lines of standard error instead */
  readonly onOutput?: (text: string) => void;
}

/** How much of a quiet run's standard error a failure's message keeps: the CLI's own account of it is at the end. */
const ERROR_TAIL_LINES = 15;

/**
 * Runs the CDK CLI to its end and returns its standard output; a failure names
 * the command and its exit code, and the CLI's own account of it: in the
 * output above, or the last lines of its standard error when not shown. Its
 * environment is kaji's without the Argo CD tokens: the CDK app and its
 * plugins have no use for them.
 */
export async function runCdk(run: CdkRun): Promise<string> {
  const own = join(run.folder, 'node_modules', '.bin', 'cdk');
  const cdk = run.cdk ?? (existsSync(own) ? own : 'cdk');
  if (!existsSync(join(run.folder, 'cdk.json'))) {
    throw new UpgradeError(`${run.folder} has no cdk.json: it is not the platform's CDK app (kaji init scaffolds it as infra/ beside platform.yaml); pass --cdk-app DIR`);
  }
  const command = `${cdk} ${run.args.join(' ')}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !isArgoCdTokenVariable(name)));
  let stdout = '';
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const child = spawn(cdk, run.args, { cwd: run.folder, env, stdio: ['inherit', 'pipe', 'pipe'] });
    // A SIGTERM to kaji alone would leave the deploy running for nobody.
    const forget = atExit('stop processes', () => void child.kill('SIGTERM'));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      run.onOutput?.(chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (run.onOutput) run.onOutput(chunk.toString('utf8'));
      else stderr = lastLines(stderr + chunk.toString('utf8'), ERROR_TAIL_LINES);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      forget();
      reject(
        error.code === 'ENOENT'
          ? new UpgradeError(`cannot run ${cdk}: no such program; install the AWS CDK CLI (npm install -g aws-cdk) or pass --cdk PATH`)
          : new StepFailedError(`cannot run ${command}: ${error.message}`),
      );
    });
    child.on('close', (code, signal) => {
      forget();
      const output = run.onOutput ? 'see its output above' : stderr.trim() ? `it said:\n${stderr.trimEnd().replace(/^/gm, '  ')}` : 'it printed no error';
      if (code !== 0) reject(new StepFailedError(`${command} failed (${signal ? `stopped by ${signal}` : `exit code ${code}`}) in ${run.folder}: ${output}`));
      else resolve();
    });
  });
  return stdout;
}

/** The last `count` lines of `text` (a partial last line counts as one). */
function lastLines(text: string, count: number): string {
  const lines = text.split('\n');
  return lines.slice(-count - (text.endsWith('\n') ? 1 : 0)).join('\n');
}
