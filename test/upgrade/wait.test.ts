// waitUntil on its own: what it throws when the timeout passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepFailedError } from '../../src/upgrade/errors.js';
import { waitUntil, type Probe } from '../../src/upgrade/wait.js';

const stuck: Probe = { done: false, summary: '1/2 ready \u001b[31m', waiting: ['b: not yet \u0007'] };
const options = { what: 'b', timeoutMs: 0, intervalMs: 1, onProgress: () => undefined };

test('past the timeout: the default message names what was missing; onTimeout makes the error from the last probe, made printable', async () => {
  await assert.rejects(
    waitUntil(async () => stuck, options),
    (error: unknown) => error instanceof StepFailedError && /^timed out after 0ms waiting for b: 1\/2 ready .*\n {2}b: not yet /.test(error.message),
  );
  let seen: Probe | undefined;
  const own = new StepFailedError('held back');
  await assert.rejects(
    waitUntil(async () => stuck, {
      ...options,
      onTimeout: (last) => {
        seen = last;
        return own;
      },
    }),
    (error: unknown) => error === own,
  );
  assert.deepEqual(seen, { done: false, summary: '1/2 ready \\x1b[31m', waiting: ['b: not yet \\x07'] }, 'control characters made printable');
});

test('a probe that is done returns at once, timeout or not', async () => {
  const done = { done: true, summary: 'all ready', waiting: [] };
  assert.equal(await waitUntil(async () => done, { ...options, onTimeout: () => new Error('not called') }), done);
});
