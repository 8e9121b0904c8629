import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

async function pems(name: string): Promise<{ cert: string; key: string }> {
  const pair = await generate([{ name: 'commonName', value: name }], { keyType: 'ec', algorithm: 'sha256' });
  return { cert: pair.cert, key: pair.private };
}

describe('kaji webhook (command line)', () => {
  it('needs a certificate: --tls-cert and --tls-key, or --self-signed, not both', async () => {
    const none = await kaji(['webhook']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--tls-cert FILE and --tls-key FILE \(or --self-signed\)/);
    const both = await kaji(['webhook', '--self-signed', '--tls-cert', 'a.pem', '--tls-key', 'b.pem']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --tls-cert and --tls-key, or --self-signed/);
  });

  it('refuses an invalid configuration at start, and a bad port', async () => {
    const config = await kaji(['webhook', '--self-signed', '--config', 'no-such-file.yaml']);
    assert.equal(config.code, 2);
    assert.match(config.stderr, /invalid configuration/);
    assert.equal((await kaji(['webhook', '--self-signed', '--port', '70000'])).code, 2);
  });

  it('refuses a certificate and key that cannot serve together at start, with the files named (not a crash)', async () => {
    const [a, b] = [await pems('a'), await pems('b')];
    const tree = tempTree({ 'junk.pem': 'not a certificate\n', 'a.crt': a.cert, 'a.key': a.key, 'b.key': b.key });
    try {
      const junk = await kaji(['webhook', '--tls-cert', tree.path('junk.pem'), '--tls-key', tree.path('junk.pem'), '--host', '127.0.0.1', '--port', '0']);
      assert.equal(junk.code, 2, junk.stderr);
      assert.match(junk.stderr, /junk\.pem .*cannot serve HTTPS/);
      assert.doesNotMatch(junk.stderr, /unexpected error/);
      const mismatched = await kaji(['webhook', '--tls-cert', tree.path('a.crt'), '--tls-key', tree.path('b.key'), '--host', '127.0.0.1', '--port', '0']);
      assert.equal(mismatched.code, 2, mismatched.stderr);
      assert.match(mismatched.stderr, /the key does not belong to the certificate/);
    } finally {
      tree.cleanup();
    }
  });

  it('says which address it cannot listen on (a busy port), not a crash', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = busy.address() as AddressInfo;
      const result = await kaji(['webhook', '--self-signed', '--host', '127.0.0.1', '--port', String(port)]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1 port ${port}: EADDRINUSE`));
    } finally {
      busy.close();
    }
  });

  it('is listed in the help', async () => {
    const help = await kaji(['webhook', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--self-signed/);
    assert.match(help.stdout, /--validate/);
  });
});
