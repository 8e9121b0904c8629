import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kaji } from '../support/cli.js';

describe('kaji synth --help', () => {
  test('--out names everything written there and that it is relative to the current folder, not DIR', async () => {
    const help = (await kaji(['synth', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(help, /--out <dir> where rendered manifests, summary\.json and cdk\.out\/ go \(relative to the current folder, not DIR\) \(default: "out"\)/);
  });

  test("a file synth did not write in a folder Argo CD applies is named among the failures", async () => {
    const help = (await kaji(['synth', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(help, /those in a cluster's argocd\/, tenants\/ or platform\/, which Argo CD applies with the platform's rights, are problems/);
    assert.match(help, /Exit codes: 1 a danger \(policy or tenant boundary\), a service that could not be rendered, or a file under clusters\/ that synth did not write where Argo CD applies it;/);
  });
});
