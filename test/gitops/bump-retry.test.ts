// `kaji bump --mode push` when another commit lands on the base between the
// first push and the retry: the edit is re-made on the new tip and the policy
// gate runs again there, against the new tip rendered before the edit. The race
// is made deterministic: the concurrent commit is pushed from the progress
// callback right before bump's first push (as git.test.ts pushes from a second
// workspace before pushToBase), so that push is rejected and the retry runs.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bump, BumpConflictError, type BumpResult } from '../../src/gitops/bump.js';
import { formatBumpResult } from '../../src/cli/bump.js';
import { run } from '../../src/cli/program.js';
import { hasKubectl } from '../support/files.js';
import { deploymentYaml } from '../support/platform.js';
import { BUMP_POLICY, createBumpFixture, kustomization, type BumpFixture } from './bump-fixture.js';

/** The fixture's policy plus a check that fails for tag 2.0.0 on objects labelled `hold`. */
const POLICY = `${BUMP_POLICY.replace('checks:\n', 'checks:\n  heldTag: danger\n')}  heldTag:
    successMessage: not a held tag
    failureMessage: 2.0.0 is on hold for objects labelled hold
    category: Reliability
    target: Container
    schemaString: |
      type: object
      {{ if .metadata.labels.hold }}
      properties:
        image: {type: string, not: {pattern: ':2\\.0\\.0$'}}
      {{ end }}
`;

const DEPLOYMENT = 'apps/antenna/base/deployment.yaml';
const held = deploymentYaml({ name: 'antenna' }).replace('  name: antenna\n', '  name: antenna\n  labels: {hold: "true"}\n');
const withDebugSidecar = `${deploymentYaml({ name: 'antenna' })}        - name: debug\n          image: busybox:1.36-debug\n`;

interface Concurrent {
  readonly sha: string;
  push(): void;
}

/** A commit on top of the remote's main, made in a clone of its own; `push` lands it. */
function concurrentCommit(fixture: BumpFixture, files: Record<string, string>): Concurrent {
  const clone = mkdtempSync(join(fixture.root, 'other-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=other', '-c', 'user.email=other@example.com', ...args], { cwd: clone, encoding: 'utf8' }).trim();
  git('clone', '--quiet', fixture.remote, '.');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(clone, path)), { recursive: true });
    writeFileSync(join(clone, path), text);
  }
  git('add', '-A');
  git('commit', '--quiet', '-m', 'someone else changes antenna');
  return { sha: git('rev-parse', 'HEAD'), push: () => git('push', '--quiet', 'origin', 'HEAD:main') };
}

/** Bumps antenna in push mode; the concurrent commit lands just before bump's first push. */
async function bumpRacing(fixture: BumpFixture, tag: string, concurrent: Concurrent, kubectl?: string): Promise<{ result: BumpResult; progress: string[] }> {
  const progress: string[] = [];
  const result = await bump({
    service: 'antenna',
    tag,
    mode: 'push',
    kubectl,
    manifests: fixture.remote,
    platformDirectory: fixture.platformDir,
    onProgress: (message) => {
      // Synchronous, so the base has moved before bump's push runs.
      if (message === 'pushing to main' && !progress.includes(message)) concurrent.push();
      progress.push(message);
    },
  });
  return { result, progress };
}

/** `kaji bump antenna TAG --mode push` in-process; the concurrent commit (if any) lands just before its first push. */
async function kajiBumpRacing(fixture: BumpFixture, tag: string, concurrent?: Concurrent): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let raced = false;
  const code = await run(['bump', 'antenna', tag, '--mode', 'push', '--manifests', fixture.remote, '--platform', fixture.platformDir], {
    out: (text) => void (stdout += text),
    err: (text) => {
      if (concurrent && !raced && text === 'kaji bump: pushing to main\n') {
        raced = true;
        concurrent.push();
      }
      stderr += text;
    },
    readStdin: async () => '',
    colorOut: false,
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

describe('kaji bump: the push retry checks the policy again on the new tip', { skip: !hasKubectl }, () => {
  // A fresh repository per test: each one starts from antenna at 1.0.0 with no concurrent commit.
  let fixture: BumpFixture;
  beforeEach(() => {
    fixture = createBumpFixture([{ name: 'antenna' }]);
    writeFileSync(join(fixture.platformDir, 'polaris.yaml'), POLICY);
  });
  afterEach(() => fixture.cleanup());

  test('a concurrent commit makes the new tag a danger: the retry refuses, main keeps that commit only', async () => {
    const start = fixture.head();
    const concurrent = concurrentCommit(fixture, { [DEPLOYMENT]: held });
    const { result, progress } = await bumpRacing(fixture, '2.0.0', concurrent);

    assert.equal(result.status, 'refused');
    assert.equal(result.refusedOnTip, concurrent.sha, 'refused on the new tip, not the first one');
    assert.match(formatBumpResult(result), new RegExp(`adds 2 danger\\(s\\) on the new tip ${concurrent.sha.slice(0, 12)} \\(another push got there first; nothing was pushed\\)`));
    assert.deepEqual(
      result.addedDangers.map((d) => `${d.cluster} ${d.object} ${d.check}`),
      ['blue Deployment/antenna/antenna container app heldTag', 'green Deployment/antenna/antenna container app heldTag'],
    );
    assert.deepEqual(result.policy.map((p) => [p.cluster, p.dangersBefore, p.dangersAfter]), [['blue', 0, 1], ['green', 0, 1]]);
    assert.ok(progress.some((m) => /adds 2 danger\(s\) on the new tip/.test(m)), progress.join('\n'));

    assert.equal(fixture.head(), concurrent.sha, 'nothing pushed on top of the concurrent commit');
    assert.equal(fixture.git('rev-parse', 'main~1'), start);
    assert.equal(fixture.show('apps/antenna/overlays/blue/kustomization.yaml'), kustomization('antenna', '1.0.0'));
  });

  test('a harmless concurrent commit: pushed after a retry, the gate judged against the new tip', async () => {
    const start = fixture.head();
    // A danger the concurrent commit brings in (a debug sidecar) is on the new tip before the
    // edit, so it is not the bump's: a gate comparing with the old tip would refuse.
    const concurrent = concurrentCommit(fixture, { [DEPLOYMENT]: withDebugSidecar });
    const { result, progress } = await bumpRacing(fixture, '2.1.0', concurrent);

    assert.equal(result.status, 'pushed', JSON.stringify(result.addedDangers));
    assert.equal(result.attempts, 2);
    assert.deepEqual(result.addedDangers, []);
    assert.deepEqual(result.policy.map((p) => [p.cluster, p.dangersBefore, p.dangersAfter]), [['blue', 1, 1], ['green', 1, 1]], 'the report is the new tip\'s');
    assert.equal(progress.filter((m) => m.startsWith('checking the policy')).length, 2, progress.join('\n'));

    assert.equal(fixture.git('rev-parse', 'main~1'), concurrent.sha);
    assert.equal(fixture.git('rev-parse', 'main~2'), start);
    assert.equal(result.commit, fixture.head());
    assert.equal(fixture.show(DEPLOYMENT), withDebugSidecar);
    for (const cluster of ['blue', 'green']) assert.equal(fixture.show(`apps/antenna/overlays/${cluster}/kustomization.yaml`), kustomization('antenna', '2.1.0'));
  });

  test("the retry renders again with kubectl only the overlays whose files the concurrent commit changed", async () => {
    // A kubectl that logs each run (its own, so no other test's renders are kept for it), then runs the real one.
    const real = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    const kubectl = join(fixture.root, 'kubectl');
    writeFileSync(kubectl, `#!/bin/sh\necho "$2" >> '${join(fixture.root, 'runs.log')}'\nexec '${real}' "$@"\n`);
    chmodSync(kubectl, 0o755);
    const runs = () => (existsSync(join(fixture.root, 'runs.log')) ? readFileSync(join(fixture.root, 'runs.log'), 'utf8').trim().split('\n').length : 0);

    // Elsewhere in the repository: the new tip renders antenna's overlays from the same files, before and after the edit.
    const elsewhere = await bumpRacing(fixture, '2.1.0', concurrentCommit(fixture, { 'docs/notes.md': 'a note\n' }), kubectl);
    assert.equal(elsewhere.result.status, 'pushed');
    assert.equal(elsewhere.result.attempts, 2);
    // One run before the edit and one after (green's overlay is a copy of blue's: rendered once), none for the retry.
    assert.equal(runs(), 2);
    // antenna's base: every overlay renders again, so the gate judges what the new tip holds.
    const base = await bumpRacing(fixture, '2.2.0', concurrentCommit(fixture, { [DEPLOYMENT]: withDebugSidecar }), kubectl);
    assert.equal(base.result.status, 'pushed');
    assert.deepEqual(base.result.policy.map((p) => [p.cluster, p.dangersBefore, p.dangersAfter]), [['blue', 1, 1], ['green', 1, 1]], 'judged on the new base');
    // The first attempt renders after its edit only (before it, the tip is what the last bump left, kept); the retry, both.
    assert.equal(runs(), 2 + 1 + 2);
  });

  test('the concurrent commit already made the bump: unchanged (not pushed), with the commit that pins it', async () => {
    const start = fixture.head();
    const bumped = Object.fromEntries(['blue', 'green'].map((c) => [`apps/antenna/overlays/${c}/kustomization.yaml`, kustomization('antenna', '2.2.0')]));
    const concurrent = concurrentCommit(fixture, bumped);
    const { result, progress } = await bumpRacing(fixture, '2.2.0', concurrent);

    // Nothing of ours was pushed: the outcome is the one of a tag already pinned, not `pushed` with another run's commit.
    assert.equal(result.status, 'unchanged');
    assert.equal(result.commit, concurrent.sha, 'the commit that pins the tag: the other run\'s');
    assert.equal(result.attempts, 1, 'one push, rejected');
    assert.deepEqual(result.changes, []);
    assert.equal(result.diff, '');
    assert.equal(result.title, undefined);
    assert.deepEqual(result.pins.map((p) => `${p.file} ${p.tag}`), ['apps/antenna/overlays/blue/kustomization.yaml 2.2.0', 'apps/antenna/overlays/green/kustomization.yaml 2.2.0'], 'the pins as the new tip has them');
    assert.equal(formatBumpResult(result), `antenna already runs 2.2.0 on blue, green (manifests at ${concurrent.sha.slice(0, 12)}): nothing to change.\n`);
    assert.ok(progress.some((m) => m === `the new tip ${concurrent.sha.slice(0, 12)} of main already pins 2.2.0: nothing to push`), progress.join('\n'));

    assert.equal(fixture.head(), concurrent.sha, 'nothing pushed on top of the concurrent commit');
    assert.equal(fixture.git('rev-parse', 'main~1'), start);
    assert.equal(fixture.git('log', '-1', '--format=%an', 'main'), 'other');

    // The same as a bump that finds the tag pinned before pushing: the commit that pins it, no push attempted.
    const plain = await bump({ service: 'antenna', tag: '2.2.0', mode: 'push', manifests: fixture.remote, platformDirectory: fixture.platformDir });
    assert.deepEqual({ ...plain, attempts: 1 }, result);
    assert.equal(plain.attempts, undefined);
  });

  test('another release of the service lands first: the older run does not replace it (exit 1, naming the tag that landed), main keeps it', async () => {
    const start = fixture.head();
    const newer = Object.fromEntries(['blue', 'green'].map((c) => [`apps/antenna/overlays/${c}/kustomization.yaml`, kustomization('antenna', '1.8.0')]));
    const concurrent = concurrentCommit(fixture, newer);
    await assert.rejects(
      bumpRacing(fixture, '1.7.0', concurrent),
      (error: unknown) =>
        error instanceof BumpConflictError &&
        error.message ===
          `another release of antenna landed on main while kaji worked: ${concurrent.sha.slice(0, 12)} pins 1.8.0 (blue, green), where kaji read 1.0.0; ` +
            'nothing was pushed, so as not to replace it with 1.7.0. If 1.7.0 is the newer release, run the bump again',
    );
    assert.equal(fixture.head(), concurrent.sha, 'nothing pushed on top of the other release');
    assert.equal(fixture.git('rev-parse', 'main~1'), start);
    for (const cluster of ['blue', 'green']) assert.equal(fixture.show(`apps/antenna/overlays/${cluster}/kustomization.yaml`), kustomization('antenna', '1.8.0'));

    // The command line: exit 1, the message on one line.
    const later = concurrentCommit(fixture, { 'apps/antenna/overlays/green/kustomization.yaml': kustomization('antenna', '1.9.0') });
    const raced = await kajiBumpRacing(fixture, '1.7.1', later);
    assert.equal(raced.code, 1, raced.stderr);
    assert.equal(raced.stdout, '');
    assert.equal(
      raced.stderr.trim().split('\n').at(-1),
      `kaji: another release of antenna landed on main while kaji worked: ${later.sha.slice(0, 12)} pins 1.9.0 (green), where kaji read 1.8.0; ` +
        'nothing was pushed, so as not to replace it with 1.7.1. If 1.7.1 is the newer release, run the bump again',
    );
    assert.equal(fixture.head(), later.sha);
  });

  test('the command line: a bump another run already pushed exits and prints as a tag already pinned', async () => {
    const bumped = Object.fromEntries(['blue', 'green'].map((c) => [`apps/antenna/overlays/${c}/kustomization.yaml`, kustomization('antenna', '2.3.0')]));
    const concurrent = concurrentCommit(fixture, bumped);
    const raced = await kajiBumpRacing(fixture, '2.3.0', concurrent);
    assert.match(raced.stderr, /already pins 2\.3\.0: nothing to push/, 'the race did happen');
    assert.equal(fixture.head(), concurrent.sha);

    const plain = await kajiBumpRacing(fixture, '2.3.0');
    assert.doesNotMatch(plain.stderr, /pushing to main/, 'the plain run found nothing to change before pushing');
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(raced, { ...plain, stderr: raced.stderr }, 'same exit code and output as a normal unchanged');
    assert.equal(raced.stdout, `antenna already runs 2.3.0 on blue, green (manifests at ${concurrent.sha.slice(0, 12)}): nothing to change.\n`);
    assert.doesNotMatch(raced.stdout, /pushed/);
  });
});
