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

describe('the dependencies that decide what a cluster stack installs or refuses', () => {
  // GIVEN package.json and package-lock.json as committed.
  const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as {
    packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
  };
  const decisive = Object.keys(manifest.dependencies).filter((name) => name.startsWith('@aws-cdk/lambda-layer-kubectl-') || name === 'cdk-nag');

  test('the kubectl/helm layers and cdk-nag are pinned to the exact version the lock installs: a later install (kaji init\'s infra/ too, which takes kaji\'s ranges) cannot change kubectl, helm or the nag rules', () => {
    // THEN
    assert.ok(decisive.includes('cdk-nag') && decisive.some((name) => name.endsWith('-v35')), decisive.join(', '));
    for (const name of decisive) {
      const range = manifest.dependencies[name]!;
      assert.match(range, /^\d+\.\d+\.\d+$/, `${name}: ${range} is a range`);
      assert.equal(lock.packages[`node_modules/${name}`]?.version, range, `${name}: the lock installs another version`);
      assert.equal(lock.packages['']?.dependencies?.[name], range, `${name}: the lock's own copy of package.json differs`);
    }
  });
});
