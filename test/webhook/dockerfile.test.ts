// The kaji image definition, read structurally (no Docker daemon needed): a
// multi-stage build, a non-root final stage, no build-time secrets, and an
// entrypoint that runs `kaji webhook` as the generated Deployment expects.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { JsonObject } from '../../src/kube/index.js';

const ROOT = new URL('../../', import.meta.url);
const text = readFileSync(fileURLToPath(new URL('Dockerfile', ROOT)), 'utf8');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The instructions, with comments dropped and continuation lines joined. */
function instructions(dockerfile: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of dockerfile.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  if (current !== '') logical.push(current);
  return logical.map((line) => {
    const space = line.indexOf(' ');
    return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
  });
}

const all = instructions(text);
const stages: Instruction[][] = [];
for (const instruction of all) {
  if (instruction.keyword === 'FROM') stages.push([]);
  stages.at(-1)?.push(instruction);
}
const final = stages.at(-1) ?? [];

describe('Dockerfile', () => {
  test('multi-stage: every FROM names its stage, the runtime copies from the build stage', () => {
    const froms = all.filter((i) => i.keyword === 'FROM');
    assert.ok(froms.length >= 2, 'at least a build and a runtime stage');
    for (const from of froms) assert.match(from.args, /^\S+ AS [a-z][a-z0-9-]*$/i, from.args);
    assert.match(froms[0]!.args, /^node:20\b/);
    assert.match(froms.at(-1)!.args, /nodejs20|node:20/);
    const buildStage = /AS (\S+)$/i.exec(froms[0]!.args)![1]!;
    assert.ok(final.some((i) => i.keyword === 'COPY' && i.args.includes(`--from=${buildStage}`)));
    const build = stages[0]!.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' && ');
    for (const step of ['npm ci', 'npm run build', 'npm prune --omit=dev']) assert.ok(build.includes(step), step);
  });

  test('the final stage runs as a non-root user (by number, so runAsNonRoot can verify it)', () => {
    const users = final.filter((i) => i.keyword === 'USER');
    assert.equal(users.length, 1);
    const [user, group] = users[0]!.args.split(':');
    assert.match(user!, /^[0-9]+$/);
    assert.notEqual(Number(user), 0);
    if (group !== undefined) assert.notEqual(Number(group), 0);
    assert.ok(!final.some((i) => i.keyword === 'RUN'), 'nothing runs in the runtime stage (distroless has no shell)');
  });

  test('no secrets: no ARG or ENV that looks like a credential, no secret mounts', () => {
    for (const instruction of all) {
      if (instruction.keyword === 'ARG' || instruction.keyword === 'ENV') {
        assert.doesNotMatch(instruction.args, /token|secret|password|passwd|key|credential|auth/i, instruction.args);
      }
      assert.doesNotMatch(instruction.args, /--mount=type=secret|NPM_TOKEN|_authToken/i);
    }
  });

  test('ENTRYPOINT runs `kaji webhook` in exec form; the Deployment passes only flags', () => {
    const entrypoint = final.filter((i) => i.keyword === 'ENTRYPOINT');
    assert.equal(entrypoint.length, 1);
    const argv = JSON.parse(entrypoint[0]!.args) as string[];
    assert.ok(argv.some((arg) => arg.endsWith('dist/cli/main.js')));
    assert.equal(argv.at(-1), 'webhook');

    const deployment = (loadAll(readFileSync(fileURLToPath(new URL('examples/labs/manifests/clusters/blue/platform/webhook/deployment.yaml', ROOT)), 'utf8')) as JsonObject[])[0]!;
    const pod = ((deployment.spec as JsonObject).template as JsonObject).spec as JsonObject;
    const container = (pod.containers as JsonObject[])[0]!;
    assert.equal(container.command, undefined, 'the image entrypoint is used');
    assert.ok((container.args as string[]).every((arg) => arg !== 'webhook'));
    // The image's user is the Deployment's.
    const [user, group] = final.find((i) => i.keyword === 'USER')!.args.split(':');
    assert.equal((pod.securityContext as JsonObject).runAsUser, Number(user));
    assert.equal((pod.securityContext as JsonObject).runAsGroup, Number(group));
  });

  test('read-only root filesystem: TMPDIR points at /tmp, which the Deployment mounts as an emptyDir', () => {
    assert.ok(final.some((i) => i.keyword === 'ENV' && /TMPDIR=\/tmp\b/.test(i.args)));
    const deployment = (loadAll(readFileSync(fileURLToPath(new URL('examples/labs/manifests/clusters/blue/platform/webhook/deployment.yaml', ROOT)), 'utf8')) as JsonObject[])[0]!;
    const pod = ((deployment.spec as JsonObject).template as JsonObject).spec as JsonObject;
    const container = (pod.containers as JsonObject[])[0]!;
    assert.equal((container.securityContext as JsonObject).readOnlyRootFilesystem, true);
    assert.ok((container.volumeMounts as JsonObject[]).some((m) => m.mountPath === '/tmp'));
    assert.ok((pod.volumes as JsonObject[]).some((v) => v.name === 'tmp' && v.emptyDir !== undefined));
  });

  test('.dockerignore keeps git, node_modules and local output out of the build context', () => {
    const ignored = readFileSync(fileURLToPath(new URL('.dockerignore', ROOT)), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.git', 'node_modules', 'dist', 'out']) assert.ok(ignored.includes(entry), entry);
  });
});
