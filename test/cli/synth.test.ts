import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kaji } from '../support/cli.js';

describe('kaji synth --help', () => {
  test('--out names everything written there and that it is relative to the current folder, not DIR', async () => {
    const help = (await kaji(['synth', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(help, /--out <dir> where rendered manifests, summary\.json and cdk\.out\/ go \(relative to the current folder, not DIR\) \(default: "out"\)/);
  });
});
