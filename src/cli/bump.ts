import { Command, Option } from 'commander';
import { refusalText, type BumpResult, type NotDeployed } from '../gitops/bump.js';
import { formatVersion } from '../gitops/image-edit.js';
import { fileLine } from '../kube/index.js';
import { printable } from '../report/index.js';
import { branchName, commaList, wholeNumber, type Io } from './common.js';
import type { Outcome } from './program.js';

interface BumpFlags {
  digest?: string;
  cluster?: string[];
  manifests?: string;
  base?: string;
  mode: 'pr' | 'push';
  sourceRepo?: string;
  sourceCommit?: string;
  dryRun?: boolean;
  platform: string;
  githubRepository?: string;
  githubApiUrl?: string;
  attempts: number;
}

/** Exit codes of `kaji bump`. */
export const BUMP_EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

export function registerBump(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('bump')
    .summary('pin a new image version of a service in the manifest repository (pull request or push)')
    .description(
      "Pin TAG for SERVICE in the manifest repository: the kustomize images: entry of each overlay (name or newName " +
        "equal to the service's image repository; added when the overlay has none) or plain image: fields of the overlay's " +
        'files. Only the tag (or digest) bytes change. No Helm values: kustomize reads them only through helmCharts, ' +
        'which kaji renders without (no --enable-helm).\n\n' +
        'The edit happens in a temporary clone (your checkout is never touched), is rendered with kustomize and checked ' +
        "with the platform's policy: a change that adds a danger, or after which the overlay would not run TAG, is refused. Then:\n" +
        '  --mode pr    (default) force-push the branch kaji/bump/SERVICE, rebuilt from the base each time (left as it ' +
        'is when it already holds the same change on the same base; its pins of the same TAG on clusters left out by ' +
        '--cluster are kept, of another tag refused), and open or update its pull request (label kaji/bump); needs GITHUB_TOKEN.\n' +
        '  --mode push  commit straight to the base branch; when another push got there first, the edit is redone on ' +
        'the new tip and pushed again (bounded retries, never forced), unless that push pinned another tag of SERVICE.\n\n' +
        'TAG is a Docker tag (not "latest"), optionally with a digest: 1.5.0 or 1.5.0@sha256:<64 hex>.',
    )
    .argument('<service>', 'the service (as named in platform.yaml)')
    .argument('<tag>', 'the image tag to pin (tag or tag@sha256:…)')
    .option('--digest <sha256:hex>', 'also pin this digest')
    .option('--cluster <name>', 'only these clusters (comma-separated, repeatable); default: every cluster with an overlay', commaList)
    .option('--manifests <path-or-url>', "the manifest repository: a local path or a git URL (default: platform.yaml's manifests.url, the repository Argo CD pulls from)")
    .option('--base <branch>', "the base branch (default: platform.yaml's manifests.branch)", branchName)
    .addOption(new Option('--mode <mode>', 'open a pull request or push to the base branch').choices(['pr', 'push']).default('pr'))
    .option('--source-repo <owner/name>', "the app repository, for the compare link (default: the service's sourceRepository)")
    .option('--source-commit <sha>', 'the app commit the image was built from (a Source-Commit: trailer)')
    .option('--dry-run', 'print the diff (and the policy verdict); change nothing')
    .option('--platform <dir>', 'the folder holding platform.yaml', '.')
    .option('--github-repository <owner/name>', 'the manifest repository on GitHub, where --mode pr opens the pull request (default: from the URL the branch is pushed to; needed with a local path)')
    .option('--github-api-url <url>', 'the GitHub API (GitHub Enterprise: https://HOST/api/v3)', process.env.GITHUB_API_URL)
    .option('--attempts <n>', 'push attempts in push mode (bounded retries with backoff)', wholeNumber(1, 100), 20)
    .addHelpText(
      'after',
      `\nExit codes: ${BUMP_EXIT.ok} pinned (or already pinned: nothing to do); ${BUMP_EXIT.failed} git or GitHub failed ` +
        `(push still rejected after the retries, a conflict, a refused token; in push mode, another release of the service landed meanwhile; in PR mode, the branch holds someone else's commit, ` +
        `pins another tag on a cluster left out by --cluster, or moved meanwhile: nothing pushed); ${BUMP_EXIT.usage} bad flags, an invalid tag, ` +
        `an unknown service or cluster, an image that is not pinned anywhere, a --manifests that is no repository of its own (or, with --mode push, a checkout that refuses pushes to its checked-out branch), an invalid platform.yaml or policy, in PR mode a --manifests path (or URL with no OWNER/NAME) without --github-repository; ` +
        `${BUMP_EXIT.refused} the change adds a danger, or a changed overlay renders an object kaji cannot read, or would not run TAG in every container of ` +
        "the service's image (an edited file the kustomization does not load; nothing pushed).\n\n" +
        'Examples:\n' +
        '  kaji bump antenna 1.5.0                          # pull request on every cluster\n' +
        '  kaji bump antenna 1.5.0 --cluster green --dry-run\n' +
        '  kaji bump antenna 1.5.0@sha256:4f1c…  --mode push --manifests https://github.com/example-labs/manifests.git\n' +
        '  GITHUB_TOKEN=… kaji bump antenna "$GITHUB_SHA" --source-repo example-labs/antenna --source-commit "$GITHUB_SHA"\n',
    )
    .action(async (service: string, tag: string, flags: BumpFlags) => {
      // Octokit and the git work load only when a bump runs, not with every kaji command.
      const [{ bump, BumpConflictError, BumpError }, { GitError, redact, SourceNotRepositoryError }, { GitHubError }] = await Promise.all([
        import('../gitops/bump.js'),
        import('../gitops/git.js'),
        import('../gitops/github.js'),
      ]);
      const token = process.env.GITHUB_TOKEN;
      // Credentials written in the manifests URL are redacted where they are known: by bump (its
      // progress) and git.ts (every GitError); the token by the line below.
      const oneLine = (text: string) => redact(text, token ? [token] : []).replace(/\s*\n\s*/g, ' ').trim();
      try {
        const result = await bump({
          service,
          tag,
          digest: flags.digest,
          clusters: flags.cluster,
          manifests: flags.manifests,
          base: flags.base,
          mode: flags.mode,
          sourceRepo: flags.sourceRepo,
          sourceCommit: flags.sourceCommit,
          dryRun: flags.dryRun,
          platformDirectory: flags.platform,
          githubRepository: flags.githubRepository,
          githubApiUrl: flags.githubApiUrl,
          attempts: flags.attempts,
          onProgress: (message) => io.err(`kaji bump: ${oneLine(message)}\n`),
        });
        io.out(formatBumpResult(result));
        if (result.status === 'refused') outcome.exitCode = BUMP_EXIT.refused;
      } catch (error) {
        // Messages quote the manifest repository (commit subjects, author names): escaped, as the diff is.
        // Another release of the service in the way (a BumpError, but not a mistake in the command): as a git conflict.
        if (error instanceof BumpConflictError) {
          io.err(`kaji: ${printable(oneLine(error.message))}\n`);
          outcome.exitCode = BUMP_EXIT.failed;
        } else if (error instanceof BumpError || error instanceof SourceNotRepositoryError) {
          io.err(`kaji: ${printable(oneLine(error.message))}\n`);
          outcome.exitCode = BUMP_EXIT.usage;
        } else if (error instanceof GitError || error instanceof GitHubError) {
          io.err(`kaji: ${printable(oneLine(error.message))}\n`);
          outcome.exitCode = BUMP_EXIT.failed;
        } else {
          throw error;
        }
      }
    });
}

export function formatBumpResult(result: BumpResult): string {
  const version = formatVersion(result.version);
  switch (result.status) {
    case 'unchanged': {
      // The manifest repository's commit that already pins the version: the base tip, or what another run pushed first.
      const at = result.commit ? ` (manifests at ${result.commit.slice(0, 12)})` : '';
      return `${result.service} already runs ${version} on ${result.clusters.join(', ')}${at}: nothing to change.\n`;
    }
    case 'refused': {
      const lines = [
        ...result.addedDangers.map((d) => `  ${d.cluster}: ${d.object}: ${d.check}: ${d.message}`),
        ...result.uncheckedInputs.map((p) => `  ${p.cluster}: ${fileLine(p.file, p.line)}: ${p.message}`),
        ...result.notDeployed.map((gap) => `  ${gap.cluster}: ${notDeployedText(gap)}`),
      ];
      const where = result.refusedOnTip ? ` on the new tip ${result.refusedOnTip.slice(0, 12)} (another push got there first; nothing was pushed)` : '';
      return `refused: pinning ${version} for ${result.service} ${refusalText(result)}${where}:\n${lines.join('\n')}\n`;
    }
    case 'dry-run':
      // The diff shows the manifests' text: control and bidirectional characters escaped, line by line.
      return `${result.diff.split('\n').map(printable).join('\n')}${result.diff.endsWith('\n') || result.diff === '' ? '' : '\n'}dry run: ${changesLine(result)}; policy: no new dangers. Nothing was pushed.\n`;
    case 'pushed':
      return `${result.title}: pushed ${result.commit?.slice(0, 12)} (${changesLine(result)}; ${result.attempts} attempt(s)).\n`;
    case 'pull-request': {
      const done = result.pullRequest?.created ? 'opened' : result.alreadyPushed ? 'kept' : 'updated';
      const rewritten = result.pullRequest?.rewritten ? '; its title and body rewritten' : '';
      const kept = result.alreadyPushed ? ` (${result.branch} already had this change at ${result.commit?.slice(0, 12)}: nothing pushed${rewritten})` : '';
      return `${result.title}: pull request #${result.pullRequest?.number} ${done}${kept}: ${result.pullRequest?.url}\n`;
    }
  }
}

/** What a changed overlay would still run, and why kaji's edit does not reach it. */
function notDeployedText(gap: NotDeployed): string {
  const runs = gap.containers.length > 0 ? gap.containers.join(', ') : "no container runs the service's image";
  const why =
    gap.unrenderedEdits.length > 0
      ? `kaji edited ${gap.unrenderedEdits.join(', ')}, which the kustomization does not load (the edit changes nothing rendered): ` +
        "delete what is left over (kaji then pins the image with an images: entry of the kustomization), or load it from the kustomization"
      : "kaji's edits do not reach it: pin the image in the kustomization's images:";
  return `${gap.overlay} rendered after the edit: ${runs}; ${why}`;
}

function changesLine(result: BumpResult): string {
  return result.changes.map((c) => `${c.cluster} ${formatVersion(c.from)} → ${formatVersion(c.to)}`).join(', ');
}
