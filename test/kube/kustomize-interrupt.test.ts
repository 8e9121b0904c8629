// An interrupted kaji stops the kubectl kustomize it runs, and what that runs:
// a real kaji process (from the sources) renders through a fake kubectl that
// starts a child of its own and waits; kaji gets the signal, and neither may
// outlive it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtBin } from '../support/bin.js';
import { KAJI_ROOT, tempTree } from '../support/files.js';

/** Whether a process is running (a zombie, exited but not yet reaped by whoever adopted it, is not). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc: kill(0) is all there is
  }
}

async function waitFor(condition: () => boolean, milliseconds: number): Promise<boolean> {
  for (const end = Date.now() + milliseconds; Date.now() < end; await sleep(50)) if (condition()) return true;
  return condition();
}

describe('an interrupted kaji and its kubectl', { skip: process.platform === 'win32' && 'POSIX signals and process groups' }, () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    test(`${signal} while kaji check renders a kustomization: exit ${code}, kubectl and its child stopped too`, async () => {
      const tree = tempTree({
        'k/kustomization.yaml': 'resources: []\n',
        // Writes its pid and its child's (whole, by rename), then waits for the child, as kubectl waits for git.
        kubectl: '#!/bin/sh\nsleep 300 &\necho "$$ $!" > "$PIDS.tmp" && mv "$PIDS.tmp" "$PIDS"\nwait\n',
      });
      chmodSync(tree.path('kubectl'), 0o755);
      const pidsFile = tree.path('pids');
      let pids: number[] = [];
      try {
        const kaji = spawn(process.execPath, [builtBin(), 'check', tree.path('k')], {
          cwd: KAJI_ROOT,
          env: { ...process.env, KAJI_KUBECTL: tree.path('kubectl'), PIDS: pidsFile },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        kaji.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
        const exited = once(kaji, 'exit');
        assert.ok(await waitFor(() => existsSync(pidsFile), 60_000), `kubectl never ran: ${stderr}`);
        pids = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
        assert.equal(pids.length, 2);
        assert.ok(pids.every(isRunning), 'both run before the signal');
        kaji.kill(signal);
        const [exitCode] = await exited;
        assert.equal(exitCode, code, stderr);
        assert.ok(await waitFor(() => !pids.some(isRunning), 10_000), `still running after kaji exited: ${pids.filter(isRunning).join(', ')}`);
      } finally {
        for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
        tree.cleanup();
      }
    });
  }
});
