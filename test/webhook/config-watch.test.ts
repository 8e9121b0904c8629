import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { watchFileText } from '../../src/webhook/config-watch.js';
import { tempTree } from '../support/files.js';

describe('watchFileText', () => {
  it('given the text the caller read, a change that landed before the watch began is still delivered', async (t) => {
    const tree = tempTree({ 'polaris.yaml': 'second' }); // the caller read "first"; the file changed before the watch started
    t.after(tree.cleanup);
    const file = tree.path('polaris.yaml');
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

  it('given the text the file still holds, nothing is delivered', async (t) => {
    const tree = tempTree({ 'polaris.yaml': 'same' });
    t.after(tree.cleanup);
    const file = tree.path('polaris.yaml');
    const changes: unknown[] = [];
    const watcher = watchFileText(file, (change) => changes.push(change), { initialText: 'same', interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    watcher.close();
    assert.deepEqual(changes, []);
  });
});
