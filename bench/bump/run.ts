// Benchmark of `kaji bump` against local servers: a bare git repository as the
// manifest repository's remote and the fake GitHub API on 127.0.0.1.
//   1. median time of one bump in pr mode (in-process: clone, render and policy
//      before/after for 2 clusters, commit, force-push, upsert the pull request);
//   2. total time of 30 `kaji bump --mode push` processes for 30 services
//      started at once (each a real `node --import tsx src/cli/main.ts` process).
// Usage: npm run bench:bump [-- --runs N]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bump } from '../../src/gitops/bump.js';
import { startGitHubServer } from '../../test/support/github-server.js';
import { createBumpFixture } from '../../test/gitops/bump-fixture.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function prMode(): Promise<void> {
  const fixture = createBumpFixture([{ name: 'antenna' }]);
  const github = await startGitHubServer({ repositories: ['acme/manifests'] });
  try {
    const times: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const started = performance.now();
      const result = await bump({
        service: 'antenna',
        tag: `1.${run}.0`,
        platformDirectory: fixture.platformDir,
        manifests: fixture.remote,
        mode: 'pr',
        githubRepository: 'acme/manifests',
        githubApiUrl: github.url,
        token: github.token,
        sourceRepo: 'acme/antenna',
      });
      times.push(performance.now() - started);
      if (result.status !== 'pull-request') throw new Error(`run ${run}: ${result.status}`);
    }
    const pulls = github.pulls.get('acme/manifests')!.length;
    console.log(`pr mode, one bump (2 clusters, in-process): median ${median(times).toFixed(0)} ms over ${RUNS} runs (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); ${pulls} pull request, updated ${RUNS - 1} times`);
  } finally {
    await github.close();
    fixture.cleanup();
  }
}

async function concurrentPush(): Promise<void> {
  const names = Array.from({ length: 30 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
  const fixture = createBumpFixture(names.map((name) => ({ name })));
  try {
    const seed = fixture.head();
    const started = performance.now();
    const results = await Promise.all(
      names.map(
        (name, i) =>
          new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'bump', name, `2.0.${i}`, '--mode', 'push', '--manifests', fixture.remote, '--platform', fixture.platformDir], {
              cwd: ROOT,
              env: { ...process.env, GITHUB_TOKEN: '' },
            });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
            child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
            child.on('close', (code) => resolve({ code, stdout, stderr }));
          }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((result) => result.code !== 0);
    const attempts = results.map((result) => Number(/(\d+) attempt\(s\)/.exec(result.stdout)?.[1] ?? 0));
    const landed = Number(fixture.git('rev-list', '--count', `${seed}..main`));
    const merges = fixture.git('rev-list', '--merges', 'main');
    console.log(
      `push mode, 30 services at once (30 processes): ${seconds.toFixed(1)} s total; ${landed}/30 commits landed, ${failed.length} failed, ` +
        `history ${merges === '' ? 'linear' : 'has merges'}; push attempts per bump: median ${median(attempts)}, max ${Math.max(...attempts)}`,
    );
    for (const result of failed) console.log(result.stderr.trim());
  } finally {
    fixture.cleanup();
  }
}

await prMode();
await concurrentPush();
