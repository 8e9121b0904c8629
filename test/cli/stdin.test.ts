// kaji check - as a pipe feeds it: the source run by node, real bytes on standard input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { builtBin } from '../support/bin.js';
import { KAJI_ROOT, tempTree } from '../support/files.js';
import { readStandardInput, StandardInputError } from '../../src/kube/load.js';

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop${extra}
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/${name}:1.0
`;

/** kaji check with these bytes on standard input, to its end. */
function checkWithStdin(args: string[], stdin: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtBin(), 'check', ...args], { cwd: KAJI_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr'] as const) child[name].on('data', (chunk: Buffer) => void (output[name] += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...output }));
    child.stdin.end(stdin);
  });
}

// "café" in Latin-1: read as UTF-8 it would be "caf\uFFFD".
const latin1 = Buffer.from(deployment('latin1', '\n  labels: {owner: café}'), 'latin1');

test('kaji check -: standard input that is not UTF-8 is an input problem naming it (exit 1), the files given beside it still checked', async () => {
  const tree = tempTree({ 'a.yaml': deployment('from-file') });
  try {
    const { code, stdout, stderr } = await checkWithStdin(['-', tree.path('a.yaml'), '--format', 'json'], latin1);
    assert.equal(code, 1, stderr);
    assert.equal(stderr, 'kaji: <stdin>: standard input is not UTF-8 text (another encoding, or not a text file); convert it to UTF-8\n');
    const names = (JSON.parse(stdout) as { Results: { Name: string }[] }).Results.map((result) => result.Name);
    assert.deepEqual(names, ['from-file'], 'nothing of standard input is checked, the file is');
  } finally {
    tree.cleanup();
  }
});

test('kaji check -: UTF-8 with a BOM on standard input is checked, as in a file', async () => {
  const { code, stdout, stderr } = await checkWithStdin(['-', '--format', 'json'], Buffer.from(`\uFEFF${deployment('with-bom')}`));
  assert.equal(code, 0, stderr);
  assert.deepEqual((JSON.parse(stdout) as { Results: { Name: string }[] }).Results.map((result) => result.Name), ['with-bom']);
});

test('readStandardInput: UTF-8 split across chunks is whole; other bytes are a StandardInputError', async () => {
  const bytes = Buffer.from(deployment('split', '\n  labels: {owner: café}'));
  const at = bytes.indexOf(0xa9); // the second byte of é: the first chunk ends inside the character
  assert.equal(await readStandardInput(Readable.from([bytes.subarray(0, at), bytes.subarray(at)])), bytes.toString('utf8'));
  await assert.rejects(readStandardInput(Readable.from([latin1])), StandardInputError);
});
