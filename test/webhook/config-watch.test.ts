import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchFileText } from '../../src/webhook/config-watch.js';

describe('watchFileText', () => {
  it('given the text the caller read, a change that landed before the watch began is still delivered', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kaji-watch-')), 'polaris.yaml');
    writeFileSync(file, 'second'); // the caller read "first"; the file changed before the watch started
    const seen = await new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        watcher.close();
        reject(new Error('the change was never delivered'));
      }, 3000);
      const watcher = watchFileText(
        file,
        (change) => {
          clearTimeout(timeout);
          watcher.close();
          resolve(change);
        },
        { initialText: 'first', interval: 50 },
      );
    });
    assert.deepEqual(seen, { text: 'second' });
  });

  it('given the text the file still holds, nothing is delivered', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kaji-watch-')), 'polaris.yaml');
    writeFileSync(file, 'same');
    const changes: unknown[] = [];
    const watcher = watchFileText(file, (change) => changes.push(change), { initialText: 'same', interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    watcher.close();
    assert.deepEqual(changes, []);
  });
});
