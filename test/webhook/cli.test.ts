import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kaji } from '../support/cli.js';

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

  it('is listed in the help', async () => {
    const help = await kaji(['webhook', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--self-signed/);
    assert.match(help.stdout, /--validate/);
  });
});
