// Workspace against real git: a bare repository on disk as the remote, real clones.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BranchMovedError, ForeignCommitsError, GitError, Workspace, redact, remoteProblem, urlCredentials } from '../../src/gitops/git.js';
import { closedPort, gitRecorder, startGitHttpServer } from './git-http-server.js';
import { pathFirst, withEnv } from '../support/env.js';

const ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'seed', GIT_AUTHOR_EMAIL: 'seed@example.com', GIT_COMMITTER_NAME: 'seed', GIT_COMMITTER_EMAIL: 'seed@example.com' };

function git(cwd: string, ...args: string[]): string {
  // stderr captured (a failure's error carries it), not printed into the test run's output.
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** GIVEN a bare remote seeded with a manifest file, and a user's checkout of it. */
function fixture(files: Record<string, string> = { 'apps/antenna/kustomization.yaml': 'images:\n  - name: antenna\n    newTag: 1.4.2\n', 'README.md': 'manifests\n' }) {
  const dir = mkdtempSync(join(tmpdir(), 'kaji-git-test-'));
  const remote = join(dir, 'remote.git');
  const seed = join(dir, 'seed');
  git(dir, 'init', '--quiet', '--bare', remote);
  git(dir, 'init', '--quiet', seed);
  for (const [path, content] of Object.entries(files)) {
    execFileSync('mkdir', ['-p', join(seed, path, '..')]);
    writeFileSync(join(seed, path), content);
  }
  git(seed, 'add', '-A');
  git(seed, 'commit', '--quiet', '-m', 'seed');
  git(seed, 'push', '--quiet', remote, 'HEAD:refs/heads/main');
  const checkout = join(dir, 'checkout');
  git(dir, 'clone', '--quiet', remote, checkout);
  return {
    dir,
    remote,
    checkout,
    url: pathToFileURL(remote).href,
    log: (ref = 'main') => git(remote, 'log', '--format=%H %P %s', ref).split('\n'),
    show: (path: string, ref = 'main') => git(remote, 'show', `${ref}:${path}`),
    tip: (ref = 'main') => git(remote, 'rev-parse', ref),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const KUSTOMIZATION = 'apps/antenna/kustomization.yaml';

describe('Workspace.open', () => {
  test('from a file:// URL: a shallow temporary clone at the tip of the default branch', async () => {
    const f = fixture();
    try {
      const ws = await Workspace.open({ source: f.url });
      try {
        assert.equal(ws.base, 'main');
        assert.equal(ws.baseCommit, f.tip());
        assert.ok(!ws.root.startsWith(f.dir), 'the tree is outside the fixture');
        assert.equal(await ws.readFile(KUSTOMIZATION), 'images:\n  - name: antenna\n    newTag: 1.4.2\n');
        assert.equal(git(ws.root, 'rev-parse', '--is-shallow-repository'), 'true');
        assert.equal(await ws.hasChanges(), false);
      } finally {
        await ws.dispose();
      }
    } finally {
      f.cleanup();
    }
  });

  test('from a local path (a working copy): a clone, the checkout untouched', async () => {
    const f = fixture();
    try {
      writeFileSync(join(f.checkout, 'README.md'), 'local edit, not committed\n');
      const status = git(f.checkout, 'status', '--porcelain');
      const head = git(f.checkout, 'rev-parse', 'HEAD');
      const ws = await Workspace.open({ source: f.checkout });
      try {
        assert.equal(ws.base, 'main');
        assert.equal(ws.baseCommit, head);
        assert.equal(await ws.readFile('README.md'), 'manifests\n', 'the clone has the committed content, not the local edit');
        await ws.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
        await ws.commit('antenna: 1.4.2 → 1.5.0');
        await ws.pushBranch('kaji/bump/antenna');
      } finally {
        await ws.dispose();
      }
      assert.equal(git(f.checkout, 'status', '--porcelain'), status);
      assert.equal(git(f.checkout, 'rev-parse', 'HEAD'), head);
      assert.equal(readFileSync(join(f.checkout, 'README.md'), 'utf8'), 'local edit, not committed\n');
      assert.match(git(f.checkout, 'show', 'kaji/bump/antenna:' + KUSTOMIZATION), /newTag: 1\.5\.0/, 'the branch was pushed back to the source');
      assert.equal(git(f.checkout, 'worktree', 'list').split('\n').length, 1, 'no worktree registered in the user repository');
    } finally {
      f.cleanup();
    }
  });

  test('a folder inside a repository is refused, not taken for the whole enclosing repository', async () => {
    const f = fixture();
    try {
      const folder = join(f.checkout, 'apps');
      await assert.rejects(Workspace.open({ source: folder }), {
        name: 'GitError',
        message: `${folder} is a folder inside the git repository ${f.checkout}, not a repository of its own: give the manifest repository's own checkout or its clone URL`,
      });
    } finally {
      f.cleanup();
    }
  });

  test('from a bare repository path, with an explicit base branch', async () => {
    const f = fixture();
    try {
      git(f.remote, 'branch', 'release', 'main');
      const ws = await Workspace.open({ source: f.remote, base: 'release', shallow: true, author: { name: 'Robot', email: 'robot@example.com' } });
      try {
        assert.equal(ws.base, 'release');
        assert.equal(git(ws.root, 'rev-parse', '--is-shallow-repository'), 'true');
        await ws.writeFile('new/file.txt', 'x\n');
        await ws.commit('add a file');
        await ws.pushToBase();
      } finally {
        await ws.dispose();
      }
      assert.equal(git(f.remote, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'release'), 'Robot <robot@example.com>|Robot <robot@example.com>');
      assert.equal(f.show('new/file.txt', 'release'), 'x');
      assert.equal(f.log('main').length, 1, 'main is unchanged');
    } finally {
      f.cleanup();
    }
  });

  // git refuses a repository another user owns (unless listed in safe.directory); only root can make one here.
  test('a checkout owned by another user: the message says so and gives the safe.directory fix', { skip: process.getuid?.() !== 0 && 'needs root to chown a repository' }, async () => {
    const f = fixture();
    try {
      const quoted = join(f.dir, "team's manifests"); // the fix is a shell command: this path needs quoting in it
      git(f.dir, 'clone', '--quiet', f.remote, quoted);
      const fix = (path: string, word: string) =>
        `${path} belongs to another user, and git refuses to read it (its safe.directory check); if you trust it, run: git config --global --add safe.directory ${word}`;
      // From its top and from a folder inside: git names the repository's top either way.
      const cases = [
        [f.checkout, fix(f.checkout, f.checkout)],
        [join(f.checkout, 'apps'), fix(f.checkout, f.checkout)],
        [quoted, fix(quoted, `'${f.dir}/team'\\''s manifests'`)],
      ];
      execFileSync('chown', ['-R', 'nobody', f.checkout, quoted]);
      for (const [source, message] of cases) {
        await assert.rejects(Workspace.open({ source: source! }), (e: unknown) => e instanceof GitError && e.message === message);
      }
    } finally {
      f.cleanup();
    }
  });

  test('bad sources and branches are GitErrors that say what was wrong', async () => {
    const f = fixture();
    try {
      await assert.rejects(Workspace.open({ source: join(f.dir, 'nope') }), (e: unknown) => e instanceof GitError && /is not a directory/.test(e.message));
      await assert.rejects(Workspace.open({ source: f.dir }), (e: unknown) => e instanceof GitError && /not inside a git repository/.test(e.message));
      await assert.rejects(Workspace.open({ source: f.url, base: 'no-such-branch' }), (e: unknown) => {
        assert.ok(e instanceof GitError);
        // What kaji was doing (the source, the branch), git's subcommand and its reason: not git's
        // arguments, which name the temporary clone (gone by now) among flags.
        assert.ok(e.message.startsWith(`cloning ${f.url} (branch no-such-branch): git clone failed: `), e.message);
        assert.ok(e.message.endsWith('fatal: Remote branch no-such-branch not found in upstream origin'), e.message);
        assert.doesNotMatch(e.message, /kaji-ws-|--single-branch/);
        assert.ok(e.command.includes('--single-branch'), 'the arguments are kept in command');
        assert.equal(remoteProblem(e), 'no-branch');
        return true;
      });
      await assert.rejects(Workspace.open({ source: f.url, base: '--upload-pack=evil' }), (e: unknown) => e instanceof GitError && /not a valid branch name/.test(e.message));
      // platform.yaml's rule (isGitBranchName): HEAD and a .lock component are git's, not branches
      for (const base of ['HEAD', 'a.lock/b']) {
        await assert.rejects(Workspace.open({ source: f.url, base }), (e: unknown) => e instanceof GitError && /not a valid branch name/.test(e.message), base);
      }
    } finally {
      f.cleanup();
    }
  });

  test('an unreachable URL: the message names it and has git\'s reason, not the temporary clone', async () => {
    const source = `http://127.0.0.1:${await closedPort()}/acme/manifests.git`;
    await assert.rejects(Workspace.open({ source }), (e: unknown) => {
      assert.ok(e instanceof GitError);
      assert.ok(e.message.startsWith(`cloning ${source}: git clone failed: fatal: unable to access '${source}/': `), e.message);
      assert.match(e.message, /Failed to connect|Connection refused/);
      assert.doesNotMatch(e.message, /kaji-ws-|--depth/);
      assert.equal(remoteProblem(e), 'unreachable');
      return true;
    });
  });
});

describe('edits and commits', () => {
  test('diff shows uncommitted changes (new files too); commit appends trailers', async () => {
    const f = fixture();
    const ws = await Workspace.open({ source: f.url });
    try {
      await ws.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
      await ws.writeFile('apps/antenna/extra.yaml', 'a: 1\n');
      assert.equal(await ws.hasChanges(), true);
      const diff = await ws.diff();
      assert.match(diff, /^- {4}newTag: 1\.4\.2$/m);
      assert.match(diff, /^\+ {4}newTag: 1\.5\.0$/m);
      assert.match(diff, /^\+\+\+ b\/apps\/antenna\/extra\.yaml$/m);
      const sha = await ws.commit('antenna: 1.4.2 → 1.5.0\n\nBumped by kaji.', { 'Source-Commit': 'acme/antenna@0123abc', 'Kaji-Service': 'antenna' });
      assert.match(sha, /^[0-9a-f]{40}$/);
      assert.equal(await ws.hasChanges(), false);
      assert.equal(git(ws.root, 'log', '-1', '--format=%B'), 'antenna: 1.4.2 → 1.5.0\n\nBumped by kaji.\n\nSource-Commit: acme/antenna@0123abc\nKaji-Service: antenna');
      assert.equal(git(ws.root, 'log', '-1', '--format=%(trailers:key=Source-Commit,valueonly)'), 'acme/antenna@0123abc');
      assert.equal(git(ws.root, 'log', '-1', '--format=%an <%ae>'), 'kaji <kaji@kaji.invalid>');
      await assert.rejects(ws.commit('again'), (e: unknown) => e instanceof GitError && /nothing to commit/.test(e.message));
      await assert.rejects(ws.writeFile('../escape.txt', 'x'), (e: unknown) => e instanceof GitError && /outside/.test(e.message));
      await assert.rejects(ws.writeFile('.git/config', 'x'), (e: unknown) => e instanceof GitError && /outside/.test(e.message));
    } finally {
      await ws.dispose();
      f.cleanup();
    }
  });

  test('a failed commit says what kaji was doing and git\'s reason, naming files by their path in the repository', async () => {
    const f = fixture();
    const ws = await Workspace.open({ source: f.url });
    try {
      await ws.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
      writeFileSync(join(ws.root, '.git', 'index.lock'), ''); // as another git at work, or one that crashed, leaves it
      await assert.rejects(ws.commit('antenna: 1.4.2 → 1.5.0'), (e: unknown) => {
        assert.ok(e instanceof GitError);
        // Not the lock in the temporary clone, nor git's advice after its reason ("Another git process seems to be running…").
        assert.equal(e.message, `committing in the clone of ${f.url}: git add failed: fatal: Unable to create '.git/index.lock': File exists.`);
        assert.match(e.stderr, /Another git process seems to be running/, 'stderr is kept whole');
        return true;
      });
    } finally {
      await ws.dispose();
      f.cleanup();
    }
  });

  test('repositoryPaths: a path into the tree becomes its path in the repository, the tree itself "the temporary clone"', async () => {
    const f = fixture();
    const ws = await Workspace.open({ source: f.url });
    try {
      const text = `open ${join(ws.root, KUSTOMIZATION)}: no such file; cannot create '${ws.root}': no space left`;
      assert.equal(ws.repositoryPaths(text), `open ${KUSTOMIZATION}: no such file; cannot create 'the temporary clone': no space left`);
    } finally {
      await ws.dispose();
      f.cleanup();
    }
  });

  test('dispose removes the temporary tree, even after a failure, and may be called twice', async () => {
    const f = fixture();
    const ws = await Workspace.open({ source: f.url });
    const root = ws.root;
    assert.ok(existsSync(root));
    await assert.rejects(ws.pushBranch('main'), GitError);
    await ws.dispose();
    await ws.dispose();
    assert.equal(existsSync(root), false);
    assert.equal(existsSync(join(root, '..')), false, 'the kaji-ws-* parent is gone too');
    f.cleanup();
  });
});

describe('pushBranch (PR mode)', () => {
  test('force-updates the branch, rebuilt from base each time; the base is untouched', async () => {
    const f = fixture();
    try {
      for (const tag of ['1.5.0', '1.6.0']) {
        const ws = await Workspace.open({ source: f.url });
        try {
          await ws.writeFile(KUSTOMIZATION, `images:\n  - name: antenna\n    newTag: ${tag}\n`);
          await ws.commit(`antenna: → ${tag}`, { 'Kaji-Service': 'antenna' });
          await ws.pushBranch('kaji/bump/antenna');
        } finally {
          await ws.dispose();
        }
      }
      const branch = f.log('kaji/bump/antenna');
      assert.equal(branch.length, 2, 'seed + one bump commit: the previous bump was replaced, not stacked');
      assert.match(branch[0]!, /antenna: → 1\.6\.0$/);
      assert.match(f.show(KUSTOMIZATION, 'kaji/bump/antenna'), /newTag: 1\.6\.0/);
      assert.equal(f.log('main').length, 1);
    } finally {
      f.cleanup();
    }
  });
});

describe('pushBranch: only over a branch that is kaji\'s own, only over the tip kaji read', () => {
  const BRANCH = 'kaji/bump/antenna';
  /** A kaji run: a workspace of main with `tag` pinned and committed as kaji commits it (a Kaji-Service trailer). */
  const kajiEdit = async (source: string, tag: string) => {
    const ws = await Workspace.open({ source });
    await ws.writeFile(KUSTOMIZATION, `images:\n  - name: antenna\n    newTag: ${tag}\n`);
    await ws.commit(`antenna: → ${tag}`, { 'Kaji-Service': 'antenna' });
    return ws;
  };
  /** kaji bump's PR-mode steps: read the branch, then push over it. */
  const kajiRun = async (source: string, tag: string) => {
    const ws = await kajiEdit(source, tag);
    try {
      await ws.remoteTipLikeHead(BRANCH);
      await ws.pushBranch(BRANCH);
    } finally {
      await ws.dispose();
    }
  };
  /** Someone (not kaji) pushes a commit onto `branch` from the user's checkout; returns its sha. */
  const pushAs = (f: ReturnType<typeof fixture>, who: string, branch: string, subject: string, file = 'NOTES.md') => {
    const env = { ...ENV, GIT_AUTHOR_NAME: who, GIT_COMMITTER_NAME: who };
    const run = (...args: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: f.checkout, env, encoding: 'utf8' }).trim();
    run('fetch', '--quiet', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`);
    run('checkout', '--quiet', '-B', 'work', `origin/${branch}`);
    writeFileSync(join(f.checkout, file), `${subject}\n`);
    run('add', '-A');
    run('commit', '--quiet', '-m', subject);
    run('push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
    return run('rev-parse', 'HEAD');
  };
  /** main moves by `count` commits of others (merged pull requests). */
  let moves = 0;
  const mainMoves = (f: ReturnType<typeof fixture>, count: number) => {
    for (let i = 0; i < count; i++, moves++) pushAs(f, 'Someone Else', 'main', `elsewhere ${moves}`, `elsewhere-${moves}.md`);
  };
  /** main grows by `count` commits of others at once (git fast-import into the remote): years of history. */
  const longHistory = (f: ReturnType<typeof fixture>, count: number) => {
    const commits = Array.from({ length: count }, (_, i) =>
      [`commit refs/heads/main`, `committer Someone Else <else@example.com> ${1_600_000_000 + i * 3600} +0000`, `data <<EOF`, `change ${i}`, `EOF`, ...(i === 0 ? [`from ${f.tip('main')}`] : []), `M 644 inline history/${i % 40}.md`, `data <<EOF`, `${i}`, `EOF`, ''].join('\n'),
    );
    execFileSync('git', ['fast-import', '--quiet'], { cwd: f.remote, input: commits.join('\n') });
  };
  /** Git configuration (environment variables) for a remote whose upload-pack speaks protocol v0 without `capability`. */
  const uploadPackWithout = (f: ReturnType<typeof fixture>, capability: string) => {
    // An upload-pack that speaks protocol v0 and does not advertise `capability`, as an older or other server.
    const wrapper = join(f.dir, `upload-pack-without-${capability}.mjs`);
    writeFileSync(
      wrapper,
      `#!${process.execPath}
import { spawn } from 'node:child_process';
const env = { ...process.env };
delete env.GIT_PROTOCOL;
const child = spawn('git', ['upload-pack', ...process.argv.slice(2)], { env, stdio: ['inherit', 'pipe', 'inherit'] });
let head = Buffer.alloc(0);
let done = false;
child.stdout.on('data', (chunk) => {
  if (done) return void process.stdout.write(chunk);
  head = Buffer.concat([head, chunk]);
  if (head.length < 4) return;
  const length = parseInt(head.subarray(0, 4).toString(), 16);
  if (head.length < length) return;
  const line = head.subarray(4, length).toString('latin1').replace(' ${capability}', '');
  process.stdout.write((line.length + 4).toString(16).padStart(4, '0') + line, 'latin1');
  process.stdout.write(head.subarray(length));
  done = true;
});
child.on('exit', (code) => { process.exitCode = code ?? 1; });
`,
      { mode: 0o755 },
    );
    const count = Number(process.env.GIT_CONFIG_COUNT ?? '0') || 0;
    return { GIT_CONFIG_COUNT: String(count + 1), [`GIT_CONFIG_KEY_${count}`]: 'remote.origin.uploadpack', [`GIT_CONFIG_VALUE_${count}`]: wrapper };
  };
  // A shallow clone (a URL: --depth 1) and a full one (a local path): the walk from the branch to the base works in both.
  const sources = (f: ReturnType<typeof fixture>) => [
    { name: 'shallow clone', source: f.url },
    { name: 'full clone', source: f.remote },
  ];

  test('a reviewer\'s commit on the branch: refused, naming the branch, the commit and what to do; nothing pushed; once the branch is deleted, rebuilt', async () => {
    for (const kind of ['shallow clone', 'full clone']) {
      const f = fixture();
      try {
        const source = sources(f).find((s) => s.name === kind)!.source;
        await kajiRun(source, '1.5.0');
        mainMoves(f, 3); // the pull request stays open while main moves on: those commits are the base's, not foreign
        const fixup = pushAs(f, 'Rita Reviewer', BRANCH, 'fix the probe path');
        const ws = await kajiEdit(source, '1.6.0');
        try {
          assert.equal(await ws.remoteTipLikeHead(BRANCH), undefined);
          await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => {
            assert.ok(e instanceof ForeignCommitsError, String(e));
            assert.equal(e.branch, BRANCH);
            assert.deepEqual(e.commits.map((c) => [fixup.startsWith(c.sha), c.author, c.subject]), [[true, 'Rita Reviewer', 'fix the probe path']], kind);
            assert.equal(
              e.message,
              `${BRANCH} of ${ws.source} holds a commit kaji did not make (no Kaji-* trailer, or changed by someone else): ${e.commits[0]!.sha} by Rita Reviewer "fix the probe path"; ` +
                'kaji rebuilds the branch from the base and would throw it away, so nothing was pushed. ' +
                `Merge the pull request, or close it and delete the branch ${BRANCH}, to let kaji rebuild it`,
            );
            return true;
          });
        } finally {
          await ws.dispose();
        }
        assert.equal(f.tip(BRANCH), fixup, `${kind}: the reviewer's commit is still there`);

        git(f.remote, 'branch', '-D', BRANCH);
        await kajiRun(source, '1.6.0');
        assert.equal(f.log(BRANCH).length, 5, `${kind}: rebuilt as one commit on the base (seed + 3 + 1)`);
        assert.equal(git(f.remote, 'rev-parse', `${BRANCH}~1`), f.tip('main'));
      } finally {
        f.cleanup();
      }
    }
  });

  test('kaji\'s own branch is rebuilt whatever happened on the base: main moved, the branch stands on a newer base than the clone, or it was merged', async () => {
    for (const kind of ['shallow clone', 'full clone']) {
      const f = fixture();
      try {
        const source = sources(f).find((s) => s.name === kind)!.source;
        await kajiRun(source, '1.5.0');
        mainMoves(f, 2);
        await kajiRun(source, '1.6.0'); // the branch's commit stands on an older base: rebuilt
        assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.6\.0/, kind);

        // A slower run cloned main before it moved again and a faster run rebuilt the branch on the new tip.
        const slow = await kajiEdit(source, '1.7.0');
        try {
          mainMoves(f, 1);
          await kajiRun(source, '1.8.0');
          await slow.remoteTipLikeHead(BRANCH);
          await slow.pushBranch(BRANCH); // the new base commit on the branch is the base's, not foreign
          assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.7\.0/, kind);
        } finally {
          await slow.dispose();
        }

        // The pull request is merged (a merge commit on main) with the reviewer's fix-up; the branch is left behind.
        pushAs(f, 'Rita Reviewer', BRANCH, 'fix the probe path');
        git(f.checkout, 'fetch', '--quiet', 'origin');
        git(f.checkout, 'checkout', '--quiet', '-B', 'merge', 'origin/main');
        git(f.checkout, 'merge', '--quiet', '--no-ff', '-m', 'Merge pull request #1', `origin/${BRANCH}`);
        git(f.checkout, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
        await kajiRun(source, '1.9.0'); // every commit of the branch is on the base now: nothing to lose
        assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.9\.0/, kind);
        assert.equal(git(f.remote, 'rev-parse', `${BRANCH}~1`), f.tip('main'));
      } finally {
        f.cleanup();
      }
    }
  });

  test('a clean merge of main into the branch ("Update branch") is kaji\'s to rebuild; a merge edited by hand or of anything but the base is refused; a commit with a Kaji-* trailer of another command is kaji\'s', async () => {
    /** Someone merges `what` into the branch (as GitHub's "Update branch" does for main), `edit` changing the result before it is committed. */
    const mergeInto = (f: ReturnType<typeof fixture>, what: string, edit?: () => void) => {
      git(f.checkout, 'fetch', '--quiet', 'origin');
      git(f.checkout, 'checkout', '--quiet', '-B', 'update', `origin/${BRANCH}`);
      git(f.checkout, 'merge', '--quiet', '--no-ff', '--no-commit', what);
      edit?.();
      git(f.checkout, 'commit', '--quiet', '-am', `Merge branch '${what}' into ${BRANCH}`);
      git(f.checkout, 'push', '--quiet', 'origin', `HEAD:refs/heads/${BRANCH}`);
      return git(f.checkout, 'rev-parse', 'HEAD');
    };
    const refused = async (f: ReturnType<typeof fixture>, source: string, merge: string, subjects: string[], kind: string) => {
      const ws = await kajiEdit(source, '1.9.0');
      try {
        await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => {
          assert.ok(e instanceof ForeignCommitsError, String(e));
          assert.ok(merge.startsWith(e.commits[0]!.sha), kind);
          assert.deepEqual(e.commits.map((c) => c.subject), subjects, kind);
          return true;
        });
      } finally {
        await ws.dispose();
      }
      assert.equal(f.tip(BRANCH), merge, kind);
    };
    for (const kind of ['shallow clone', 'full clone']) {
      const f = fixture();
      try {
        const source = sources(f).find((s) => s.name === kind)!.source;
        await kajiRun(source, '1.5.0');
        mainMoves(f, 1);
        mergeInto(f, 'origin/main');
        mainMoves(f, 1);
        await kajiRun(source, '1.6.0'); // the merge's second parent is on main, its tree git's own: nothing to lose
        assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.6\.0/, kind);
        assert.equal(git(f.remote, 'rev-parse', `${BRANCH}~1`), f.tip('main'), kind);

        mainMoves(f, 1);
        await refused(f, source, mergeInto(f, 'origin/main', () => writeFileSync(join(f.checkout, 'README.md'), 'changed in the merge\n')), [`Merge branch 'origin/main' into ${BRANCH}`], `${kind}: an edited merge`);
        git(f.remote, 'update-ref', `refs/heads/${BRANCH}`, f.tip('main'));
        await kajiRun(source, '1.7.0');
        git(f.checkout, 'push', '--quiet', 'origin', 'origin/main:refs/heads/feature');
        pushAs(f, 'Rita Reviewer', 'feature', 'not on main');
        await refused(f, source, mergeInto(f, 'origin/feature'), [`Merge branch 'origin/feature' into ${BRANCH}`, 'not on main'], `${kind}: a merge of another branch`);
      } finally {
        f.cleanup();
      }
    }
    const f = fixture();
    try {
      await kajiRun(f.url, '1.5.0');
      git(f.remote, 'update-ref', `refs/heads/${BRANCH}`, f.tip('main'));
      const upgrade = await Workspace.open({ source: f.url });
      try {
        await upgrade.writeFile('NOTES.md', 'weights\n');
        await upgrade.commit('upgrade blue → green', { 'Kaji-Upgrade': 'blue -> green' });
        await upgrade.pushBranch(BRANCH);
      } finally {
        await upgrade.dispose();
      }
      await kajiRun(f.url, '1.6.0');
      assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.6\.0/, 'a Kaji-Upgrade commit is overwritten like a Kaji-Service one');
    } finally {
      f.cleanup();
    }
  });

  test('a subject holding a unit separator (0x1f, the old field separator) is read whole: the reviewer\'s commit is refused, not taken for kaji\'s', async () => {
    const f = fixture();
    try {
      await kajiRun(f.url, '1.5.0');
      const fixup = pushAs(f, 'Rita Reviewer', BRANCH, 'fix\x1fthing');
      const ws = await kajiEdit(f.url, '1.6.0');
      try {
        await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => e instanceof ForeignCommitsError && e.commits.length === 1 && e.commits[0]!.subject === 'fix\x1fthing' && e.commits[0]!.author === 'Rita Reviewer');
      } finally {
        await ws.dispose();
      }
      assert.equal(f.tip(BRANCH), fixup);
    } finally {
      f.cleanup();
    }
  });

  test('kaji\'s commit amended by a reviewer (its trailer kept) is the reviewer\'s: refused, naming who committed it; one kaji re-made with its own identity is kaji\'s', async () => {
    for (const kind of ['shallow clone', 'full clone']) {
      const f = fixture();
      try {
        const source = sources(f).find((s) => s.name === kind)!.source;
        await kajiRun(source, '1.5.0');
        const env = { ...ENV, GIT_COMMITTER_NAME: 'Rita Reviewer', GIT_COMMITTER_EMAIL: 'rita@example.com' };
        const run = (...args: string[]) => execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: f.checkout, env, encoding: 'utf8' }).trim();
        run('fetch', '--quiet', 'origin', `+refs/heads/${BRANCH}:refs/remotes/origin/${BRANCH}`);
        run('checkout', '--quiet', '-B', 'amend', `origin/${BRANCH}`);
        writeFileSync(join(f.checkout, 'NOTES.md'), 'probe path fixed\n');
        run('add', '-A');
        run('commit', '--quiet', '--amend', '--no-edit');
        assert.match(run('log', '-1', '--format=%an|%cn|%(trailers:only)'), /^kaji\|Rita Reviewer\|Kaji-Service: antenna/);
        run('push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${BRANCH}`);
        const amended = run('rev-parse', 'HEAD');
        const ws = await kajiEdit(source, '1.6.0');
        try {
          await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => {
            assert.ok(e instanceof ForeignCommitsError, String(e));
            assert.deepEqual(e.commits.map((c) => [amended.startsWith(c.sha), c.author, c.committer, c.subject]), [[true, 'kaji', 'Rita Reviewer', 'antenna: → 1.5.0']], kind);
            assert.match(e.message, new RegExp(`\\(no Kaji-\\* trailer, or changed by someone else\\): ${e.commits[0]!.sha} by kaji \\(committed by Rita Reviewer\\) "antenna: → 1\\.5\\.0"; `));
            return true;
          });
        } finally {
          await ws.dispose();
        }
        assert.equal(f.tip(BRANCH), amended, `${kind}: the amended commit is still there`);
      } finally {
        f.cleanup();
      }
    }
    // kaji's identity wins over one in the environment: author and committer stay one, so its own commit stays its own.
    const f = fixture();
    try {
      await withEnv({ GIT_COMMITTER_NAME: 'CI Runner', GIT_COMMITTER_EMAIL: 'ci@example.com' }, async () => {
        await kajiRun(f.url, '1.5.0');
        await kajiRun(f.url, '1.6.0');
      });
      assert.equal(git(f.remote, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', BRANCH), 'kaji <kaji@kaji.invalid>|kaji <kaji@kaji.invalid>');
      assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.6\.0/);
    } finally {
      f.cleanup();
    }
  });

  test('the server loses the race to lock the branch (a push lands after kaji\'s lease was checked): "moved while kaji was working", not a bare push failure', async () => {
    const f = fixture();
    try {
      await kajiRun(f.url, '1.5.0');
      const read = f.tip(BRANCH);
      // Another push lands while the server handles kaji's: the branch moves before the server locks it.
      writeFileSync(join(f.remote, 'hooks', 'pre-receive'), `#!/bin/sh\nunset GIT_QUARANTINE_PATH\ngit update-ref refs/heads/${BRANCH} refs/heads/main\n`, { mode: 0o755 });
      const ws = await kajiEdit(f.url, '1.6.0');
      try {
        await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => {
          assert.ok(e instanceof BranchMovedError, String(e));
          assert.equal(e.message, `${BRANCH} of ${ws.source} moved while kaji was working (it was at ${read.slice(0, 12)} when kaji read it, and has changed since): nothing was pushed; re-run`);
          return true;
        });
      } finally {
        await ws.dispose();
      }
      assert.equal(f.tip(BRANCH), f.tip('main'), 'the other push stands');
    } finally {
      f.cleanup();
    }
  });

  test('a server that cannot exclude the base from a shallow fetch (no deepen-not): the branch and base are fetched whole, and the guard still tells kaji\'s commits from others\'', async () => {
    const f = fixture();
    const config = uploadPackWithout(f, 'deepen-not');
    try {
      await withEnv(config, async () => {
        await kajiRun(f.url, '1.5.0');
        mainMoves(f, 2);
        await kajiRun(f.url, '1.6.0'); // kaji's own commit on an older base: rebuilt
        assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.6\.0/);
        const fixup = pushAs(f, 'Rita Reviewer', BRANCH, 'fix the probe path');
        const ws = await kajiEdit(f.url, '1.7.0');
        try {
          assert.equal(git(ws.root, 'rev-parse', '--is-shallow-repository'), 'true');
          await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => e instanceof ForeignCommitsError && e.commits.length === 1 && fixup.startsWith(e.commits[0]!.sha));
        } finally {
          await ws.dispose();
        }
        git(f.remote, 'branch', '-D', BRANCH);
        await kajiRun(f.url, '1.8.0'); // no such branch: created
        assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.8\.0/);
      });
    } finally {
      f.cleanup();
    }
  });

  test('many foreign commits: the five newest named, the rest counted', async () => {
    const f = fixture();
    try {
      await kajiRun(f.url, '1.5.0');
      const subjects = Array.from({ length: 7 }, (_, i) => `fix-up ${i}`);
      for (const subject of subjects) pushAs(f, 'Rita Reviewer', BRANCH, subject, `${subject.replace(' ', '-')}.md`);
      const ws = await kajiEdit(f.url, '1.6.0');
      try {
        await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => {
          assert.ok(e instanceof ForeignCommitsError);
          assert.deepEqual(e.commits.map((c) => c.subject), [...subjects].reverse(), 'every one, newest first; not kaji\'s own below them');
          assert.match(e.message, /holds commits kaji did not make \(no Kaji-\* trailer, or changed by someone else\): \w+ by Rita Reviewer "fix-up 6", (\w+ by Rita Reviewer "fix-up [5432]", ){3}\w+ by Rita Reviewer "fix-up 2", and 2 more; kaji rebuilds the branch from the base and would throw them away/);
          return true;
        });
      } finally {
        await ws.dispose();
      }
    } finally {
      f.cleanup();
    }
  });

  test('a push that lands between kaji reading the branch and pushing is not overwritten: "moved while kaji was working; re-run"', async () => {
    for (const kind of ['shallow clone', 'full clone']) {
      const f = fixture();
      try {
        const source = sources(f).find((s) => s.name === kind)!.source;
        // The branch does not exist when kaji reads it, and someone creates it before kaji pushes.
        const ws = await kajiEdit(source, '1.5.0');
        try {
          assert.equal(await ws.remoteTipLikeHead(BRANCH), undefined);
          git(f.checkout, 'push', '--quiet', 'origin', `HEAD:refs/heads/${BRANCH}`);
          const created = pushAs(f, 'Rita Reviewer', BRANCH, 'started by hand');
          await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => {
            assert.ok(e instanceof BranchMovedError, String(e));
            assert.equal(e.message, `${BRANCH} of ${ws.source} moved while kaji was working (it did not exist when kaji read it, and has changed since): nothing was pushed; re-run`);
            return true;
          });
          assert.equal(f.tip(BRANCH), created, kind);
        } finally {
          await ws.dispose();
        }

        // The branch is kaji's when read; another kaji run rebuilds it before this one pushes.
        git(f.remote, 'branch', '-D', BRANCH);
        await kajiRun(source, '1.5.0');
        const read = f.tip(BRANCH);
        const slow = await kajiEdit(source, '1.6.0');
        try {
          assert.equal(await slow.remoteTipLikeHead(BRANCH), undefined);
          await kajiRun(source, '1.7.0');
          const faster = f.tip(BRANCH);
          await assert.rejects(slow.pushBranch(BRANCH), (e: unknown) => e instanceof BranchMovedError && e.message.includes(`it was at ${read.slice(0, 12)} when kaji read it`));
          assert.equal(f.tip(BRANCH), faster, `${kind}: the other run's push stands`);
        } finally {
          await slow.dispose();
        }
      } finally {
        f.cleanup();
      }
    }
  });

  test('over https (smart HTTP, as GitHub serves it), from a shallow clone: a reviewer\'s commit refused, kaji\'s own commit rebuilt', async () => {
    const secret = 'ghp_GuardSecret0123456789abcdef';
    const f = fixture();
    const server = await startGitHttpServer({ root: f.dir, username: 'x-access-token', password: secret });
    try {
      await withEnv(server.clientEnv, async () => {
        const source = `${server.origin}/remote.git`;
        const open = async (tag: string) => {
          const ws = await Workspace.open({ source, token: secret });
          await ws.writeFile(KUSTOMIZATION, `images:\n  - name: antenna\n    newTag: ${tag}\n`);
          await ws.commit(`antenna: → ${tag}`, { 'Kaji-Service': 'antenna' });
          return ws;
        };
        for (const [tag, fixupFirst] of [['1.5.0', false], ['1.6.0', false], ['1.7.0', true]] as const) {
          if (fixupFirst) pushAs(f, 'Rita Reviewer', BRANCH, 'fix the probe path');
          else mainMoves(f, 1);
          const ws = await open(tag);
          try {
            assert.equal(git(ws.root, 'rev-parse', '--is-shallow-repository'), 'true');
            await ws.remoteTipLikeHead(BRANCH);
            if (fixupFirst) await assert.rejects(ws.pushBranch(BRANCH), (e: unknown) => e instanceof ForeignCommitsError && e.commits.map((c) => c.author).join() === 'Rita Reviewer');
            else await ws.pushBranch(BRANCH);
          } finally {
            await ws.dispose();
          }
        }
      });
      assert.match(f.show(KUSTOMIZATION, BRANCH), /newTag: 1\.6\.0/);
      assert.match(f.log(BRANCH)[0]!, /fix the probe path$/);
    } finally {
      await server.close();
      f.cleanup();
    }
  });

  const hasBranch = (f: ReturnType<typeof fixture>, branch: string) => git(f.remote, 'branch', '--list', branch) !== '';

  test("deleteBranch: kaji's own branch (the base moved on under it) is deleted, at the tip kaji read; no branch, nothing to delete", async () => {
    for (const kind of ['shallow clone', 'full clone']) {
      const f = fixture();
      try {
        const source = sources(f).find((s) => s.name === kind)!.source;
        await kajiRun(source, '1.5.0');
        mainMoves(f, 2);
        const tip = f.tip(BRANCH);
        const ws = await Workspace.open({ source });
        try {
          assert.deepEqual(await ws.foreignCommits(BRANCH), [], kind);
          assert.equal(await ws.deleteBranch(BRANCH), tip);
          assert.equal(hasBranch(f, BRANCH), false, kind);
          assert.equal(await ws.deleteBranch(BRANCH), undefined, 'gone: nothing to delete');
          assert.equal(await ws.deleteBranch('kaji/bump/never'), undefined);
        } finally {
          await ws.dispose();
        }
      } finally {
        f.cleanup();
      }
    }
  });

  test("deleteBranch over a reviewer's commit: refused as pushBranch refuses, naming it; foreignCommits lists it; the branch stays", async () => {
    for (const kind of ['shallow clone', 'full clone']) {
      const f = fixture();
      try {
        const source = sources(f).find((s) => s.name === kind)!.source;
        await kajiRun(source, '1.5.0');
        const fixup = pushAs(f, 'Rita Reviewer', BRANCH, 'fix the probe path');
        const ws = await Workspace.open({ source });
        try {
          const foreign = await ws.foreignCommits(BRANCH);
          assert.deepEqual(foreign.map((c) => [fixup.startsWith(c.sha), c.author, c.subject]), [[true, 'Rita Reviewer', 'fix the probe path']], kind);
          await assert.rejects(ws.deleteBranch(BRANCH), (e: unknown) => {
            assert.ok(e instanceof ForeignCommitsError, String(e));
            assert.equal(
              e.message,
              `${BRANCH} of ${ws.source} holds a commit kaji did not make (no Kaji-* trailer, or changed by someone else): ${foreign[0]!.sha} by Rita Reviewer "fix the probe path"; ` +
                'deleting the branch would lose it, so nothing was deleted',
            );
            return true;
          });
        } finally {
          await ws.dispose();
        }
        assert.equal(f.tip(BRANCH), fixup, kind);
      } finally {
        f.cleanup();
      }
    }
  });

  test('deleteBranch after a push landed on the branch since kaji read it: "moved while kaji was working", the push stands', async () => {
    const f = fixture();
    try {
      await kajiRun(f.url, '1.5.0');
      const read = f.tip(BRANCH);
      const ws = await Workspace.open({ source: f.url });
      try {
        assert.deepEqual(await ws.foreignCommits(BRANCH), []);
        await kajiRun(f.url, '1.6.0');
        const moved = f.tip(BRANCH);
        await assert.rejects(ws.deleteBranch(BRANCH), (e: unknown) => {
          assert.ok(e instanceof BranchMovedError, String(e));
          assert.equal(e.message, `${BRANCH} of ${ws.source} moved while kaji was working (it was at ${read.slice(0, 12)} when kaji read it, and has changed since): nothing was deleted`);
          return true;
        });
        assert.equal(f.tip(BRANCH), moved);
      } finally {
        await ws.dispose();
      }
    } finally {
      f.cleanup();
    }
  });

  test("branchChanges: the files the branch changes against where it left the base (the base moved on), its commits' trailers, its tip; none for no branch", async () => {
    for (const kind of ['shallow clone', 'full clone']) {
      const f = fixture();
      try {
        const source = sources(f).find((s) => s.name === kind)!.source;
        await kajiRun(source, '1.5.0');
        mainMoves(f, 2);
        const ws = await Workspace.open({ source });
        try {
          assert.deepEqual(await ws.branchChanges(BRANCH), { tip: f.tip(BRANCH), files: [KUSTOMIZATION], trailers: ['Kaji-Service: antenna'] }, kind);
          assert.equal(await ws.branchChanges('kaji/bump/never'), undefined);
        } finally {
          await ws.dispose();
        }
      } finally {
        f.cleanup();
      }
    }
  });

  test('branchChanges from a shallow clone of a long history: fetched back to where the branch left the base, not whole', async () => {
    const f = fixture();
    try {
      longHistory(f, 400);
      await kajiRun(f.url, '1.5.0');
      mainMoves(f, 3);
      const ws = await Workspace.open({ source: f.url });
      try {
        assert.deepEqual(await ws.branchChanges(BRANCH), { tip: f.tip(BRANCH), files: [KUSTOMIZATION], trailers: ['Kaji-Service: antenna'] });
        assert.equal(git(ws.root, 'rev-parse', '--is-shallow-repository'), 'true');
        const fetched = Number(git(ws.root, 'rev-list', '--count', '--all'));
        assert.ok(fetched < 20, `${fetched} of the remote's ${git(f.remote, 'rev-list', '--count', '--all')} commits fetched`);
      } finally {
        await ws.dispose();
      }
    } finally {
      f.cleanup();
    }
  });

  test('a server that cannot deepen a shallow clone (no deepen-relative): what the branch changes is read from the whole history instead', async () => {
    const f = fixture();
    try {
      await kajiRun(f.url, '1.5.0');
      mainMoves(f, 2);
      await withEnv(uploadPackWithout(f, 'deepen-relative'), async () => {
        const ws = await Workspace.open({ source: f.url });
        try {
          assert.deepEqual(await ws.branchChanges(BRANCH), { tip: f.tip(BRANCH), files: [KUSTOMIZATION], trailers: ['Kaji-Service: antenna'] });
          assert.equal(git(ws.root, 'rev-parse', '--is-shallow-repository'), 'false');
        } finally {
          await ws.dispose();
        }
      });
    } finally {
      f.cleanup();
    }
  });

  test('branches under the name (or the name under a branch) refuse the push: a message naming every one of them and what to do, not "moved"', async () => {
    const f = fixture();
    try {
      // An earlier naming: one branch per service under kaji/rightsize/.
      git(f.remote, 'branch', 'kaji/rightsize/shop', 'main');
      git(f.remote, 'branch', 'kaji/rightsize/cart', 'main');
      git(f.remote, 'branch', 'kaji/bump', 'main');
      for (const [branch, taken] of [
        ['kaji/rightsize', 'the branches kaji/rightsize/cart, kaji/rightsize/shop are there'],
        ['kaji/bump/antenna', 'the branch kaji/bump is there'],
      ] as const) {
        const ws = await kajiEdit(f.url, '1.5.0');
        try {
          assert.equal(await ws.remoteTipLikeHead(branch), undefined);
          await assert.rejects(ws.pushBranch(branch), (e: unknown) => {
            assert.ok(e instanceof GitError && !(e instanceof BranchMovedError), String(e));
            const names = taken.replace(/^the branch(es)? (.*) (is|are) there$/, '$2').split(', ');
            assert.equal(
              e.message,
              `${branch} cannot be pushed to ${ws.source}: ${taken}, and git cannot hold a branch and branches under its name. ` +
                `Delete ${names.length === 1 ? 'it' : 'them'} (git push origin --delete ${names.join(' ')}) and close ${names.length === 1 ? 'its pull request' : 'their pull requests'}, if any (deleting a branch need not close one), then re-run; nothing was pushed`,
            );
            return true;
          });
        } finally {
          await ws.dispose();
        }
      }
      assert.equal(hasBranch(f, 'kaji/rightsize/shop'), true, 'never deleted by kaji');
    } finally {
      f.cleanup();
    }
  });
});

describe('remoteTipLikeHead (PR mode re-runs)', () => {
  test('finds the branch tip that is HEAD made again (only its dates differ); not another tree, message or base, nor a missing branch', async () => {
    const f = fixture();
    const branch = 'kaji/bump/antenna';
    /** A shallow workspace of main (a URL source) with the 1.5.0 edit committed as `message` at `date`. */
    const edited = (message: string, date: string, tag = '1.5.0') =>
      withEnv({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }, async () => {
        const ws = await Workspace.open({ source: f.url });
        await ws.writeFile(KUSTOMIZATION, `images:\n  - name: antenna\n    newTag: ${tag}\n`);
        await ws.commit(message, { 'Kaji-Service': 'antenna' });
        return ws;
      });
    const open: Workspace[] = [];
    try {
      const first = await edited('antenna: → 1.5.0', '@1700000000 +0000');
      open.push(first);
      assert.equal(await first.remoteTipLikeHead(branch), undefined, 'no such branch yet');
      await first.pushBranch(branch);
      const pushed = f.tip(branch);

      const rerun = await edited('antenna: → 1.5.0', '@1700003600 +0000');
      open.push(rerun);
      assert.notEqual(await rerun.head(), pushed, 'a commit of its own');
      assert.equal(await rerun.remoteTipLikeHead(branch), pushed);

      const otherTag = await edited('antenna: → 1.5.0', '@1700003600 +0000', '1.6.0');
      const otherMessage = await edited('antenna: → 1.5.0 (again)', '@1700003600 +0000');
      open.push(otherTag, otherMessage);
      assert.equal(await otherTag.remoteTipLikeHead(branch), undefined, 'another tree');
      assert.equal(await otherMessage.remoteTipLikeHead(branch), undefined, 'another message');

      // main moves by a commit that changes no file: the same edit on the new tip has the same tree, but another parent.
      git(f.checkout, 'pull', '--quiet');
      git(f.checkout, 'commit', '--quiet', '--allow-empty', '-m', 'elsewhere');
      git(f.checkout, 'push', '--quiet', 'origin', 'HEAD:main');
      const onNewBase = await edited('antenna: → 1.5.0', '@1700003600 +0000');
      open.push(onNewBase);
      assert.equal(await onNewBase.remoteTipLikeHead(branch), undefined, 'another base');
      assert.equal(f.tip(branch), pushed, 'looking changed nothing on the remote');
    } finally {
      for (const ws of open) await ws.dispose();
      f.cleanup();
    }
  });
});

describe('pushToBase (push mode)', () => {
  test('fast-forward: one attempt', async () => {
    const f = fixture();
    const ws = await Workspace.open({ source: f.url });
    try {
      await ws.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
      const sha = await ws.commit('antenna: 1.4.2 → 1.5.0');
      assert.deepEqual(await ws.pushToBase(), { attempts: 1, commit: sha, pushed: true });
      assert.equal(f.tip(), sha);
    } finally {
      await ws.dispose();
      f.cleanup();
    }
  });

  test('a concurrent push makes the first attempt non-fast-forward: rebased and retried, both land, history linear', async () => {
    const f = fixture({ 'apps/antenna/kustomization.yaml': 'newTag: 1.4.2\n', 'apps/beacon/kustomization.yaml': 'newTag: 2.0.0\n' });
    const a = await Workspace.open({ source: f.url });
    const b = await Workspace.open({ source: f.url });
    try {
      await a.writeFile('apps/antenna/kustomization.yaml', 'newTag: 1.5.0\n');
      await a.commit('antenna: 1.4.2 → 1.5.0', { 'Source-Commit': 'aaa' });
      await b.writeFile('apps/beacon/kustomization.yaml', 'newTag: 2.1.0\n');
      await b.commit('beacon: 2.0.0 → 2.1.0');
      assert.equal((await b.pushToBase()).attempts, 1);
      const result = await a.pushToBase({ backoff: { minMs: 1, maxMs: 5 } });
      assert.equal(result.attempts, 2);
      assert.equal(f.tip(), result.commit);
      const log = f.log();
      assert.equal(log.length, 3);
      assert.equal(git(f.remote, 'rev-list', '--merges', '--count', 'main'), '0', 'no merge commits');
      assert.match(log[0]!, /antenna: 1\.4\.2 → 1\.5\.0$/);
      assert.equal(f.show('apps/antenna/kustomization.yaml'), 'newTag: 1.5.0');
      assert.equal(f.show('apps/beacon/kustomization.yaml'), 'newTag: 2.1.0');
      assert.equal(git(f.remote, 'log', '-1', '--format=%(trailers:key=Source-Commit,valueonly)', 'main'), 'aaa', 'the trailer survives the rebase');
    } finally {
      await a.dispose();
      await b.dispose();
      f.cleanup();
    }
  });

  test('with reapply: reset to the new base, the change re-made and committed with the original message', async () => {
    const f = fixture({ 'apps/antenna/kustomization.yaml': 'newTag: 1.4.2\n', 'apps/beacon/kustomization.yaml': 'newTag: 2.0.0\n' });
    const a = await Workspace.open({ source: f.url });
    const b = await Workspace.open({ source: f.url });
    try {
      const edit = async (ws: Workspace) => {
        const before = await ws.readFile('apps/antenna/kustomization.yaml');
        const after = before.replace('1.4.2', '1.5.0');
        if (after === before) return false;
        await ws.writeFile('apps/antenna/kustomization.yaml', after);
        return true;
      };
      await edit(a);
      await a.commit('antenna: 1.4.2 → 1.5.0', { 'Source-Commit': 'aaa' });
      await b.writeFile('apps/beacon/kustomization.yaml', 'newTag: 2.1.0\n');
      await b.commit('beacon');
      await b.pushToBase();
      let calls = 0;
      const result = await a.pushToBase({ backoff: { minMs: 1, maxMs: 5 }, reapply: async (ws) => (calls++, edit(ws)) });
      assert.equal(calls, 1);
      assert.equal(result.attempts, 2);
      assert.equal(result.pushed, true);
      assert.equal(result.commit, f.tip());
      assert.equal(f.log().length, 3);
      assert.equal(git(f.remote, 'log', '-1', '--format=%B', 'main'), 'antenna: 1.4.2 → 1.5.0\n\nSource-Commit: aaa');
      assert.equal(f.show('apps/beacon/kustomization.yaml'), 'newTag: 2.1.0');
    } finally {
      await a.dispose();
      await b.dispose();
      f.cleanup();
    }
  });

  test('with reapply returning false (someone already made the change): nothing pushed', async () => {
    const f = fixture();
    const a = await Workspace.open({ source: f.url });
    const b = await Workspace.open({ source: f.url });
    try {
      for (const ws of [a, b]) {
        await ws.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
        await ws.commit(`antenna → 1.5.0 (${ws === a ? 'a' : 'b'})`);
      }
      await b.pushToBase();
      const tip = f.tip();
      const result = await a.pushToBase({ backoff: { minMs: 1, maxMs: 5 }, reapply: async () => false });
      assert.deepEqual(result, { attempts: 1, commit: tip, pushed: false }, 'not pushed: the commit is the tip b pushed');
      assert.equal(f.tip(), tip);
    } finally {
      await a.dispose();
      await b.dispose();
      f.cleanup();
    }
  });

  test('a remote gone after the clone: the failed push and fetch name the branch and the source, with git\'s reason', async () => {
    const f = fixture();
    const ws = await Workspace.open({ source: f.remote });
    try {
      await ws.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
      await ws.commit('antenna: 1.4.2 → 1.5.0');
      assert.equal(await ws.remoteTipLikeHead('kaji/bump/antenna'), undefined, 'read before the remote goes: pushBranch pushes without reading again');
      rmSync(f.remote, { recursive: true, force: true });
      const gone = (start: string) => (e: unknown) => {
        assert.ok(e instanceof GitError);
        assert.ok(e.message.startsWith(start), e.message);
        assert.match(e.message, /: git (push|fetch) failed: fatal: '.*remote\.git' does not appear to be a git repository/);
        assert.doesNotMatch(e.message, /kaji-ws-|refs\/heads|--/, 'no temporary path, no refspec or flags');
        assert.equal(remoteProblem(e), 'no-repository');
        return true;
      };
      await assert.rejects(ws.pushToBase(), gone(`pushing to main of ${f.remote}: git push failed: `));
      await assert.rejects(ws.pushBranch('kaji/bump/antenna'), gone(`pushing kaji/bump/antenna to ${f.remote}: git push failed: `));
      await assert.rejects(ws.remoteTipLikeHead('kaji/bump/antenna'), gone(`fetching kaji/bump/antenna of ${f.remote}: git fetch failed: `));
      await assert.rejects(ws.resetToBase(), gone(`fetching main of ${f.remote}: git fetch failed: `));
    } finally {
      await ws.dispose();
      f.cleanup();
    }
  });

  test('a true conflict (both edit the same line): GitError "conflict", remote unchanged, never forced', async () => {
    const f = fixture();
    const a = await Workspace.open({ source: f.url });
    const b = await Workspace.open({ source: f.url });
    try {
      await a.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
      await a.commit('a');
      await b.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.6.0\n');
      await b.commit('b');
      await b.pushToBase();
      const tip = f.tip();
      await assert.rejects(a.pushToBase({ backoff: { minMs: 1, maxMs: 5 } }), (e: unknown) => {
        assert.ok(e instanceof GitError);
        assert.match(e.message, /^conflict: /);
        assert.match(e.message, /apps\/antenna\/kustomization\.yaml/);
        return true;
      });
      assert.equal(f.tip(), tip);
      assert.match(f.show(KUSTOMIZATION), /newTag: 1\.6\.0/);
      assert.equal(existsSync(join(a.root, '.git', 'rebase-merge')), false, 'the rebase was aborted');
    } finally {
      await a.dispose();
      await b.dispose();
      f.cleanup();
    }
  });

  test('the base moved back meanwhile (a bad commit taken out by a force-push): the push is leased to the tip it was made on, so the commit stays out', async () => {
    const f = fixture({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    // A bad commit lands, then kaji clones (a local path: a full clone, which holds it).
    git(f.checkout, 'pull', '--quiet');
    writeFileSync(join(f.checkout, 'b.txt'), 'bad\n');
    git(f.checkout, '-c', 'user.name=u', '-c', 'user.email=u@example.com', 'commit', '--quiet', '-am', 'bad release');
    git(f.checkout, 'push', '--quiet', 'origin', 'HEAD:main');
    const good = f.tip('main~1');
    for (const reapply of [false, true]) {
      const ws = await Workspace.open({ source: f.remote });
      try {
        const edit = async (w: Workspace) => (await w.writeFile('a.txt', `a ${reapply}\n`), true);
        await edit(ws);
        await ws.commit(`kaji's change (reapply ${reapply})`);
        git(f.remote, 'update-ref', 'refs/heads/main', good); // the bad release taken out
        const result = await ws.pushToBase({ backoff: { minMs: 1, maxMs: 5 }, ...(reapply ? { reapply: edit } : {}) });
        assert.equal(result.attempts, 2, `refused once, made again on the tip it is now (reapply ${reapply})`);
        assert.deepEqual(f.log().map((line) => line.split(' ').slice(2).join(' ')), [`kaji's change (reapply ${reapply})`, 'seed']);
        assert.equal(f.show('b.txt'), 'b', 'the bad release stays out');
      } finally {
        await ws.dispose();
      }
      // The next round starts from the bad release again.
      git(f.checkout, 'push', '--quiet', '--force', 'origin', 'HEAD:main');
    }
    f.cleanup();
  });

  test("the base's history fetched after a concurrent push (commitsAfter moves origin/<base>, not HEAD): the push is still leased to the tip the commit was made on, refused, and made again", async () => {
    for (const reapply of [true, false]) {
      const f = fixture({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
      const ws = await Workspace.open({ source: f.url });
      try {
        git(f.checkout, 'pull', '--quiet');
        writeFileSync(join(f.checkout, 'b.txt'), 'b, by someone else\n');
        git(f.checkout, '-c', 'user.name=u', '-c', 'user.email=u@example.com', 'commit', '--quiet', '-am', 'someone else');
        git(f.checkout, 'push', '--quiet', 'origin', 'HEAD:main');
        // The shallow clone's history is deepened from the remote, whose base has moved on meanwhile.
        await ws.commitsAfter({ time: '2000-01-01T00:00:00Z' }, 'Kaji-Upgrade');
        const edit = async (w: Workspace) => (await w.writeFile('a.txt', 'a, by kaji\n'), true);
        await edit(ws);
        await ws.commit('kaji');
        const result = await ws.pushToBase({ backoff: { minMs: 1, maxMs: 5 }, ...(reapply ? { reapply: edit } : {}) });
        assert.deepEqual([result.attempts, result.pushed], [2, true], `reapply ${reapply}`);
        assert.deepEqual(f.log().map((line) => line.split(' ').slice(2).join(' ')), ['kaji', 'someone else', 'seed']);
      } finally {
        await ws.dispose();
        f.cleanup();
      }
    }
  });

  test('a hook refusing the push is reported at once, whatever its words (non-fast-forward included): not retried as a race', async () => {
    const f = fixture();
    const hook = join(f.remote, 'hooks', 'pre-receive');
    writeFileSync(hook, `#!/bin/sh\necho run >> '${join(f.dir, 'hook.log')}'\necho 'non-fast-forward pushes are not allowed here; cannot lock ref' >&2\nexit 1\n`);
    chmodSync(hook, 0o755);
    const ws = await Workspace.open({ source: f.url });
    try {
      await ws.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
      await ws.commit('antenna: 1.4.2 → 1.5.0');
      await assert.rejects(ws.pushToBase({ attempts: 5, backoff: { minMs: 1, maxMs: 5 } }), (error: unknown) => {
        assert.ok(error instanceof GitError);
        assert.match(error.message, /pre-receive hook declined/);
        assert.doesNotMatch(error.message, /still rejected after/);
        return true;
      });
      assert.equal(readFileSync(join(f.dir, 'hook.log'), 'utf8'), 'run\n', 'one push');
    } finally {
      await ws.dispose();
      f.cleanup();
    }
  });

  test('bounded attempts: gives up with a GitError when the base keeps moving', async () => {
    const f = fixture({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const a = await Workspace.open({ source: f.url });
    try {
      await a.writeFile('a.txt', 'a2\n');
      await a.commit('a');
      let n = 0;
      const someoneElsePushes = async () => {
        const other = await Workspace.open({ source: f.url });
        try {
          await other.writeFile('b.txt', `b${++n}\n`);
          await other.commit(`other ${n}`);
          await other.pushToBase();
        } finally {
          await other.dispose();
        }
      };
      // The first push is stale, and every reapply loses the race again.
      await someoneElsePushes();
      const reapply = async (ws: Workspace) => {
        await someoneElsePushes();
        await ws.writeFile('a.txt', 'a2\n');
        return true;
      };
      await assert.rejects(a.pushToBase({ attempts: 3, backoff: { minMs: 1, maxMs: 2 }, reapply }), (e: unknown) => e instanceof GitError && /after 3 attempts/.test(e.message));
      assert.equal(f.show('a.txt'), 'a');
    } finally {
      await a.dispose();
      f.cleanup();
    }
  });

  test('many concurrent workspaces pushing to one base: all land, history linear', async () => {
    const services = Array.from({ length: 8 }, (_, i) => `svc${i}`);
    const f = fixture(Object.fromEntries(services.map((s) => [`apps/${s}/kustomization.yaml`, 'newTag: 1.0.0\n'])));
    try {
      const results = await Promise.all(
        services.map(async (s) => {
          const ws = await Workspace.open({ source: f.url });
          try {
            await ws.writeFile(`apps/${s}/kustomization.yaml`, 'newTag: 2.0.0\n');
            await ws.commit(`${s}: 1.0.0 → 2.0.0`);
            return await ws.pushToBase({ attempts: 20, backoff: { minMs: 20, maxMs: 300 } });
          } finally {
            await ws.dispose();
          }
        }),
      );
      assert.equal(f.log().length, services.length + 1);
      assert.equal(git(f.remote, 'rev-list', '--merges', '--count', 'main'), '0');
      for (const s of services) assert.equal(f.show(`apps/${s}/kustomization.yaml`), 'newTag: 2.0.0');
      assert.ok(results.some((r) => r.attempts > 1), 'some pushes were retried');
    } finally {
      f.cleanup();
    }
  });
});

describe('credentials', () => {
  test('a token goes in an http extraHeader (basic x-access-token), never in the URL or the error', async () => {
    const token = 'ghs_SecretToken1234567890';
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' });
      res.end('denied');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await assert.rejects(Workspace.open({ source: `http://127.0.0.1:${port}/acme/manifests.git`, token }), (e: unknown) => {
        assert.ok(e instanceof GitError);
        const all = `${e.message}\n${e.stack}\n${e.stderr}\n${e.command.join(' ')}`;
        assert.ok(!all.includes(token));
        assert.ok(!all.includes(Buffer.from(`x-access-token:${token}`).toString('base64')));
        return true;
      });
      assert.ok(seen.includes(`basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`), `headers seen: ${seen.join(', ')}`);
    } finally {
      server.close();
    }
  });

  test('redact removes URL userinfo and secrets', () => {
    assert.equal(redact('fatal: https://user:pw@github.com/a/b.git', []), 'fatal: https://***@github.com/a/b.git');
    assert.equal(redact('token abcdefgh and YWJj', ['abcdefgh']), 'token *** and YWJj');
    assert.equal(redact('https://u:p@ss@host/a.git and https://host/b@c', []), 'https://***@host/a.git and https://host/b@c', 'up to the last @ of the authority only');
  });

  test('urlCredentials takes the userinfo out of http(s) URLs, percent-decoded, and leaves other sources alone', () => {
    assert.deepEqual(urlCredentials('https://x-access-token:ghp_S3cret%2Fx@git.example.com:8443/a/b.git'), {
      url: 'https://git.example.com:8443/a/b.git',
      credentials: { username: 'x-access-token', password: 'ghp_S3cret/x' },
      secrets: ['ghp_S3cret/x', 'ghp_S3cret%2Fx', Buffer.from('x-access-token:ghp_S3cret/x').toString('base64')],
    });
    const raw = urlCredentials('https://u:p@ss@host/a.git');
    assert.equal(raw.url, 'https://host/a.git');
    assert.deepEqual(raw.credentials, { username: 'u', password: 'p@ss' });
    const tokenAsUser = urlCredentials('http://ghp_TokenAsUser@127.0.0.1:1/a.git');
    assert.deepEqual(tokenAsUser.credentials, { username: 'ghp_TokenAsUser', password: '' });
    assert.ok(tokenAsUser.secrets.includes('ghp_TokenAsUser'));
    for (const source of ['git@github.com:a/b.git', 'ssh://git@github.com/a/b.git', 'https://github.com/a/b.git', 'file:///tmp/x.git', '/tmp/x']) {
      assert.deepEqual(urlCredentials(source), { url: source, secrets: [] }, source);
    }
  });

  test('credentials in an https URL: taken out of it, sent as a header; never in git\'s arguments, the clone\'s .git/config or a message', async () => {
    const secret = 'ghp_UrlSecret0123456789abcdef';
    const base64 = Buffer.from(`x-access-token:${secret}`).toString('base64');
    const f = fixture();
    const server = await startGitHttpServer({ root: f.dir, username: 'x-access-token', password: secret });
    const recorder = gitRecorder();
    try {
      const leaks = (text: string) => text.includes(secret) || text.includes(base64);
      await withEnv({ ...server.clientEnv, ...pathFirst(recorder.bin) }, async () => {
        const ws = await Workspace.open({ source: `${server.origin.replace('https://', `https://x-access-token:${secret}@`)}/remote.git` });
        try {
          assert.equal(ws.source, `https://***@${server.origin.slice('https://'.length)}/remote.git`);
          const config = readFileSync(join(ws.root, '.git', 'config'), 'utf8');
          assert.match(config, new RegExp(`url = ${server.origin}/remote\\.git`));
          assert.ok(!leaks(config), config);
          await ws.writeFile(KUSTOMIZATION, 'images:\n  - name: antenna\n    newTag: 1.5.0\n');
          await ws.commit('antenna: 1.4.2 → 1.5.0');
          const pushed = await ws.pushToBase();
          assert.equal(f.tip(), pushed.commit, 'the push authenticated and landed');
        } finally {
          await ws.dispose();
        }
        // A wrong password: refused, and the error holds neither.
        const wrong = 'ghp_WrongSecret0123456789abc';
        await assert.rejects(Workspace.open({ source: `${server.origin.replace('https://', `https://x-access-token:${wrong}@`)}/remote.git` }), (e: unknown) => {
          assert.ok(e instanceof GitError);
          const all = `${e.message}\n${e.stack}\n${e.stderr}\n${e.stdout}\n${e.command.join(' ')}`;
          assert.ok(!all.includes(wrong) && !all.includes(Buffer.from(`x-access-token:${wrong}`).toString('base64')), all);
          return true;
        });
      });
      assert.ok(server.authorizations.includes(`basic ${base64}`), 'sent as basic authentication');
      assert.ok(server.served() > 0);
      assert.match(recorder.commands(), /^.*clone .*remote\.git/m, 'the wrapper saw the clone');
      assert.match(recorder.commands(), /\bpush (--force-with-lease=\S+ )?origin\b/m);
      assert.ok(!leaks(recorder.commands()), recorder.commands());
      assert.match(recorder.configs(), /\[remote "origin"\]/);
      assert.ok(!leaks(recorder.configs()), recorder.configs());
    } finally {
      recorder.cleanup();
      await server.close();
      f.cleanup();
    }
  });
});
