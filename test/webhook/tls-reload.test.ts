import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { reloadTlsOnChange, tlsPairProblem } from '../../src/webhook/index.js';
import { tempTree } from '../support/files.js';
import { certificatePair, servedFingerprint, startWebhook, waitFor } from './helpers.js';

describe('TLS certificate reload', () => {
  test('a renewed certificate is served without a restart; a mismatched pair is refused and the old one kept', async () => {
    const running = await startWebhook();
    const tree = tempTree({});
    try {
      const original = await certificatePair('renewed');
      writeFileSync(tree.path('tls.crt'), original.cert);
      writeFileSync(tree.path('tls.key'), original.key);
      const events: object[] = [];
      const watcher = reloadTlsOnChange(running.server, { certFile: tree.path('tls.crt'), keyFile: tree.path('tls.key') }, original, (e) => events.push(e), { interval: 50 });
      try {
        assert.equal(await servedFingerprint(running.port), new X509Certificate(running.ca).fingerprint256);
        // WHEN cert-manager renews: both files replaced (as a Secret volume swaps them)
        const renewed = await certificatePair('renewed');
        writeFileSync(tree.path('tls.key.new'), renewed.key);
        renameSync(tree.path('tls.key.new'), tree.path('tls.key'));
        writeFileSync(tree.path('tls.crt.new'), renewed.cert);
        renameSync(tree.path('tls.crt.new'), tree.path('tls.crt'));
        // THEN new handshakes get the renewed certificate
        const expected = new X509Certificate(renewed.cert).fingerprint256;
        await waitFor(async () => (await servedFingerprint(running.port)) === expected);
        // WHEN only the key changes to one that does not match
        const errorsBefore = events.filter((e) => 'error' in e).length;
        writeFileSync(tree.path('tls.key'), (await certificatePair('renewed')).key);
        await waitFor(async () => events.filter((e) => 'error' in e).length > errorsBefore);
        assert.equal(await servedFingerprint(running.port), expected, 'the last good pair is still served');
      } finally {
        watcher.close();
      }
    } finally {
      tree.cleanup();
      await running.close();
    }
  });

  test('a Secret volume swapping both files at once: one reload, no mismatch reported on the way', async () => {
    const running = await startWebhook();
    const tree = tempTree({});
    // The kubelet's layout: tls.crt -> ..data/tls.crt, ..data -> a timestamped folder, replaced by one rename.
    const version = (name: string, pair: { cert: string; key: string }) => {
      mkdirSync(tree.path(name));
      writeFileSync(tree.path(`${name}/tls.crt`), pair.cert);
      writeFileSync(tree.path(`${name}/tls.key`), pair.key);
    };
    try {
      const original = await certificatePair('renewed');
      version('..v1', original);
      symlinkSync('..v1', tree.path('..data'));
      symlinkSync('..data/tls.crt', tree.path('tls.crt'));
      symlinkSync('..data/tls.key', tree.path('tls.key'));
      const events: object[] = [];
      const watcher = reloadTlsOnChange(running.server, { certFile: tree.path('tls.crt'), keyFile: tree.path('tls.key') }, original, (e) => events.push(e), { interval: 50 });
      try {
        // WHEN cert-manager renews the certificate
        const renewed = await certificatePair('renewed');
        version('..v2', renewed);
        symlinkSync('..v2', tree.path('..data_tmp'));
        renameSync(tree.path('..data_tmp'), tree.path('..data'));
        // THEN the renewed pair is served, and nothing before it said the key did not match
        const expected = new X509Certificate(renewed.cert).fingerprint256;
        await waitFor(() => events.length > 0);
        assert.deepEqual(events[0], { fingerprint: expected });
        assert.equal(await servedFingerprint(running.port), expected);
      } finally {
        watcher.close();
      }
    } finally {
      tree.cleanup();
      await running.close();
    }
  });

  test('tlsPairProblem names a mismatch and unreadable input', async () => {
    const a = await certificatePair('renewed');
    const b = await certificatePair('renewed');
    assert.equal(tlsPairProblem(a.cert, a.key), undefined);
    assert.match(tlsPairProblem(a.cert, b.key)!, /does not belong/);
    assert.ok(tlsPairProblem('not a certificate', a.key));
  });
});
