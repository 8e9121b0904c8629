import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, string>; bin: Record<string, string> };

describe('the npm package', { skip: !existsSync(`${root}dist`) && 'dist/ is built by npm test' }, () => {
  test('every export and the bin point at a built file', () => {
    for (const [name, target] of [...Object.entries(pkg.exports), ...Object.entries(pkg.bin)]) {
      assert.ok(existsSync(`${root}${target}`), `${name} -> ${target} does not exist`);
    }
  });
});
