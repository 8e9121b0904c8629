import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

describe('kaji webhook at start', () => {
  test('a file it cannot read names the flag, the file, why and what to do, exit 2', async () => {
    const tree = tempTree({ 'key.pem': 'not read: the certificate fails first\n' });
    try {
      const missing = await kaji(['webhook', '--tls-cert', tree.path('no-such.pem'), '--tls-key', tree.path('key.pem')]);
      assert.equal(missing.code, 2);
      assert.equal(missing.stderr, `kaji: cannot read --tls-cert ${tree.path('no-such.pem')}: ENOENT, no such file or directory; check the path\n`);
      const folder = await kaji(['webhook', '--self-signed', '--tenants', tree.root]);
      assert.equal(folder.code, 2);
      assert.equal(folder.stderr, `kaji: cannot read --tenants ${tree.root}: EISDIR, illegal operation on a directory; it is a folder: give the path of a file\n`);
    } finally {
      tree.cleanup();
    }
  });
});
