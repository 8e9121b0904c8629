// Helpers for tests of kaji synth's --out folder.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { platformYaml, type TestService } from './platform.js';

/** Every entry below `root` by relative path: a file as the SHA-256 of its bytes, a folder as '/'. */
export function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    entries[path.slice(root.length + 1)] = entry.isDirectory() ? '/' : createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return entries;
}

/** The test platform's platform.yaml after its blue/green switch: blue removed, all traffic on green. */
export function greenOnly(services: readonly TestService[]): string {
  const both = platformYaml(services);
  const blue = '  - {name: blue, kubernetesVersion: "1.32", weight: 255}\n';
  assert.ok(both.includes(blue) && both.includes('weight: 0}'), 'the test platform has changed: update greenOnly');
  return both.replace(blue, '').replace('weight: 0}', 'weight: 255}');
}

/** The staging folders kaji synth left in `out`. */
export const stagingIn = (out: string): string[] => readdirSync(out).filter((name) => name.startsWith('.kaji-'));
