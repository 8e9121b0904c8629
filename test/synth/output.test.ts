// kaji synth's --out folder holds one run's output, whole: a run that fails
// leaves the previous one as it was, a run that completes replaces all of it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parsePlatform } from '../../src/platform/index.js';
import { runSynth } from '../../src/synth/index.js';
import { synthesizeInfrastructure } from '../../src/synth/infrastructure.js';
import { stageOutput } from '../../src/synth/output.js';
import { hasKubectl, KAJI_ROOT, tempTree } from '../support/files.js';
import { platformTree, platformYaml, type TestService } from '../support/platform.js';
import { greenOnly, snapshot, stagingIn } from '../support/synth-output.js';
import { kaji } from '../support/cli.js';

const shop: TestService = { name: 'shop' };
const cart: TestService = { name: 'cart' };
/** This machine's id, which kaji records in a staging folder's owner.json: without one, no staging folder is taken for a gone run's. */
const machineId = existsSync('/etc/machine-id') ? /^[0-9a-f]{32}$/.exec(readFileSync('/etc/machine-id', 'utf8').trim())?.[0] : undefined;
const noMachineId = !machineId && 'needs /etc/machine-id';

/**
 * Runs kaji synth in a child process that kills itself with SIGKILL just before
 * its publish renames the entry (a path relative to `out`) that `killBefore`
 * matches, as a kill or a crash of the machine may land there: nothing of its
 * cleanup runs. The child lists every folder with summary.json last, so that its
 * output's other entries move into `out` before its summary.json, whatever the
 * file system's order.
 */
function synthKilledWhilePublishing(directory: string, out: string, killBefore: RegExp): void {
  const script = `
    import fs from 'node:fs';
    import { syncBuiltinESMExports } from 'node:module';
    import { relative } from 'node:path';
    const [directory, out, killBefore] = process.argv.slice(1);
    const rename = fs.renameSync;
    fs.renameSync = (from, to) => {
      if (new RegExp(killBefore).test(relative(out, String(from)))) process.kill(process.pid, 'SIGKILL');
      rename(from, to);
    };
    const readdir = fs.readdirSync;
    fs.readdirSync = (...args) => {
      const entries = readdir(...args);
      if (!entries.every((entry) => typeof entry === 'string')) return entries;
      return [...entries.filter((name) => name !== 'summary.json'), ...entries.filter((name) => name === 'summary.json')];
    };
    syncBuiltinESMExports();
    const { runSynth } = await import(${JSON.stringify(pathToFileURL(join(KAJI_ROOT, 'src/synth/index.ts')).href)});
    await runSynth({ directory, outDirectory: out });
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, directory, out, killBefore.source], { cwd: KAJI_ROOT, encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', `killed before renaming ${killBefore.source}: ${child.stderr}`);
}

describe('kaji synth output', { skip: !hasKubectl }, () => {
  test('a run that fails midway leaves the previous output byte for byte, and no staging folder', async () => {
    const tree = platformTree([shop, cart]);
    try {
      const out = tree.path('out');
      await runSynth({ directory: tree.root, outDirectory: out });
      const before = snapshot(out);
      assert.ok(before['cdk.out/shop-blue.template.json'] && before['blue/shop.yaml'] && before['summary.json']);

      // A changed platform, so that every part of the output would change; the run
      // fails once the CDK app is synthesised, before the manifests are written.
      writeFileSync(tree.path('platform.yaml'), greenOnly([shop]));
      const failing = runSynth({
        directory: tree.root,
        outDirectory: out,
        onProgress: (progress) => {
          if (progress.phase === 'write') throw new Error('provoked failure');
        },
      });
      await assert.rejects(failing, /provoked failure/);
      assert.deepEqual(snapshot(out), before);
      assert.deepEqual(stagingIn(out), []);
    } finally {
      tree.cleanup();
    }
  });

  test('a run that fails before any previous output leaves no --out folder behind', async () => {
    const tree = platformTree([shop]);
    try {
      const failing = runSynth({
        directory: tree.root,
        outDirectory: tree.path('new/out'),
        onProgress: (progress) => {
          if (progress.phase === 'write') throw new Error('provoked failure');
        },
      });
      await assert.rejects(failing, /provoked failure/);
      assert.equal(existsSync(tree.path('new')), false);
    } finally {
      tree.cleanup();
    }
  });

  test("a completed run replaces all a previous run wrote: a removed cluster's stacks and manifests and a removed service's go, other files stay", async () => {
    const tree = platformTree([shop, cart]);
    try {
      const out = tree.path('out');
      await runSynth({ directory: tree.root, outDirectory: out });
      assert.ok(existsSync(join(out, 'cdk.out/shop-blue.template.json')) && existsSync(join(out, 'green/cart.yaml')));
      writeFileSync(join(out, 'notes.txt'), 'not written by kaji\n');

      writeFileSync(tree.path('platform.yaml'), greenOnly([shop]));
      const result = await runSynth({ directory: tree.root, outDirectory: out });
      assert.equal(result.problems, 0);
      assert.equal(result.infrastructure.outdir, join(out, 'cdk.out'), 'reported where it is published');
      assert.deepEqual(readdirSync(out).sort(), ['cdk.out', 'green', 'notes.txt', 'summary.json']);
      assert.deepEqual(readdirSync(join(out, 'green')), ['shop.yaml']);
      assert.deepEqual(readdirSync(join(out, 'cdk.out')).filter((name) => name.includes('blue')), []);
      assert.ok(existsSync(join(out, 'cdk.out/shop-green.template.json')));
      assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'not written by kaji\n');
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { clusters: { cluster: string }[] };
      assert.deepEqual(summary.clusters.map((cluster) => cluster.cluster), ['green']);

      // The published assembly is complete and does not point into the staging folder.
      const assembly = join(out, 'cdk.out');
      for (const manifest of readdirSync(assembly).filter((name) => name.endsWith('.assets.json'))) {
        const { files } = JSON.parse(readFileSync(join(assembly, manifest), 'utf8')) as { files: Record<string, { source: { path: string } }> };
        for (const file of Object.values(files)) assert.ok(existsSync(join(assembly, file.source.path)), `${manifest}: ${file.source.path}`);
      }
      for (const [path, hash] of Object.entries(snapshot(out))) {
        if (hash !== '/' && statSync(join(out, path)).size < 10_000_000) assert.doesNotMatch(readFileSync(join(out, path), 'utf8'), /\.kaji-synth/, path);
      }
      // The kubectl layer zips are still hard links to node_modules' files where that is one file system.
      if (statSync(out).dev === statSync(join(KAJI_ROOT, 'node_modules')).dev) {
        const zips = readdirSync(assembly).filter((name) => name.endsWith('.zip'));
        assert.ok(zips.length >= 2 && zips.every((zip) => statSync(join(assembly, zip)).nlink > 1), zips.join(', '));
      }
      assert.deepEqual(stagingIn(out), []);
    } finally {
      tree.cleanup();
    }
  });

  test("a folder in --out named as a cluster that no earlier run wrote is someone's: refused before anything is written (exit 2), kept as it was", async () => {
    const tree = platformTree([shop]);
    try {
      // Say a cluster named like a folder of the platform's own, with --out at the platform's folder.
      const out = tree.path('out');
      mkdirSync(join(out, 'blue'), { recursive: true });
      writeFileSync(join(out, 'blue/notes.txt'), 'mine\n');
      const manifestsBefore = snapshot(tree.path('manifests'));
      const refused = await kaji(['synth', tree.root, '--out', out]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /\nkaji: \S*out\/blue is in the way: kaji synth writes each cluster's rendered manifests in a folder of its name in \S*out, .*Nothing was written: move it away, or give another --out\n$/);
      assert.deepEqual(readdirSync(out), ['blue']);
      assert.equal(readFileSync(join(out, 'blue/notes.txt'), 'utf8'), 'mine\n');
      assert.deepEqual(snapshot(tree.path('manifests')), manifestsBefore, 'the manifest repository as it was');

      // Once kaji's own (a run wrote it, and its summary.json names it), the next run replaces it.
      rmSync(join(out, 'blue'), { recursive: true });
      assert.equal((await kaji(['synth', tree.root, '--out', out])).code, 0);
      writeFileSync(join(out, 'blue/left-by-hand.txt'), 'x\n');
      assert.equal((await kaji(['synth', tree.root, '--out', out])).code, 0);
      assert.deepEqual(readdirSync(join(out, 'blue')), ['shop.yaml']);
    } finally {
      tree.cleanup();
    }
  });

  test("a run killed while it moved the previous output aside: the next completed run replaces all of it, the previous run's cluster folders included, and puts back nothing", { skip: noMachineId }, async () => {
    const tree = platformTree([shop]);
    try {
      const out = tree.path('out');
      await runSynth({ directory: tree.root, outDirectory: out });
      writeFileSync(join(out, 'notes.txt'), 'not written by kaji\n');
      writeFileSync(tree.path('platform.yaml'), greenOnly([shop]));

      // cdk.out/ and summary.json are moved aside, blue/ and green/ not yet:
      // nothing in out/ names blue/ any more.
      synthKilledWhilePublishing(tree.root, out, /^blue$/);
      assert.deepEqual(readdirSync(out).filter((name) => !name.startsWith('.')).sort(), ['blue', 'green', 'notes.txt']);
      assert.equal(stagingIn(out).length, 1);

      const result = await runSynth({ directory: tree.root, outDirectory: out });
      assert.equal(result.problems, 0);
      assert.deepEqual(readdirSync(out).sort(), ['cdk.out', 'green', 'notes.txt', 'summary.json']);
      assert.deepEqual(readdirSync(join(out, 'cdk.out')).filter((name) => name.includes('blue')), []);
      assert.ok(existsSync(join(out, 'cdk.out/shop-green.template.json')));
    } finally {
      tree.cleanup();
    }
  });

  test("a run killed while it moved its output in: the next completed run replaces all of it, the killed run's cluster folders included, and puts back nothing", { skip: noMachineId }, async () => {
    const tree = platformTree([shop]);
    try {
      const out = tree.path('out');
      writeFileSync(tree.path('platform.yaml'), greenOnly([shop]));
      await runSynth({ directory: tree.root, outDirectory: out });
      writeFileSync(join(out, 'notes.txt'), 'not written by kaji\n');
      writeFileSync(tree.path('platform.yaml'), platformYaml([shop]));

      // The previous output is aside and the killed run's blue/ moved in, its
      // summary.json not yet: nothing in out/ names blue/.
      synthKilledWhilePublishing(tree.root, out, /^\.kaji-synth-[0-9a-f]+\/run\/summary\.json$/);
      assert.deepEqual(readdirSync(out).filter((name) => !name.startsWith('.')).sort(), ['blue', 'cdk.out', 'green', 'notes.txt']);
      assert.equal(stagingIn(out).length, 1);

      writeFileSync(tree.path('platform.yaml'), greenOnly([shop]));
      const result = await runSynth({ directory: tree.root, outDirectory: out });
      assert.equal(result.problems, 0);
      assert.deepEqual(readdirSync(out).sort(), ['cdk.out', 'green', 'notes.txt', 'summary.json']);
      assert.deepEqual(readdirSync(join(out, 'cdk.out')).filter((name) => name.includes('blue')), []);
    } finally {
      tree.cleanup();
    }
  });

  test('--check-only leaves a previous output as it was', async () => {
    const tree = platformTree([shop]);
    try {
      const out = tree.path('out');
      await runSynth({ directory: tree.root, outDirectory: out });
      const before = snapshot(out);
      writeFileSync(tree.path('platform.yaml'), greenOnly([shop]));
      await runSynth({ directory: tree.root, outDirectory: out, checkOnly: true });
      assert.deepEqual(snapshot(out), before);
    } finally {
      tree.cleanup();
    }
  });
});

describe("a published output removes other staging folders whose runs are gone for certain, only those", { skip: noMachineId }, () => {
  const folder = '.kaji-synth-0123456789ab';

  /** Publishes an output into an out/ that holds a staging folder with this owner.json; whether that folder is still there. */
  function keptByPublish(owner: object): boolean {
    const tree = tempTree({});
    try {
      const out = tree.path('out');
      mkdirSync(join(out, folder, 'run'), { recursive: true });
      writeFileSync(join(out, folder, 'owner.json'), JSON.stringify(owner));
      stageOutput(out).publish();
      return existsSync(join(out, folder));
    } finally {
      tree.cleanup();
    }
  }
  /** This process: running, in this pid namespace, on this host. */
  const running = () => ({ pid: process.pid, host: hostname(), pidNamespace: readlinkSync('/proc/self/ns/pid') });

  test('one another machine of the same host name is writing (another boot id, its pid in use here too): kept', () => {
    for (const machine of [undefined, '0123456789abcdef0123456789abcdef']) {
      assert.equal(keptByPublish({ ...running(), machine, boot: 'another-machine-boot-id' }), true, `machine id ${machine}`);
    }
  });

  test("one of this machine before it restarted (another boot id): removed, though its pid is in use again", () => {
    assert.equal(keptByPublish({ ...running(), machine: machineId, boot: 'an-earlier-boot-id' }), false);
  });
});

describe('synthesizeInfrastructure into a folder', () => {
  test('an app that does not synthesise leaves no partial assembly there', async () => {
    // Past 500 resources in the shared stack: aws-cdk-lib throws after the layer assets are staged.
    const parsed = parsePlatform(platformYaml(Array.from({ length: 220 }, (_, index) => ({ name: `svc-${index}` }))), 'platform.yaml');
    const platform = { ...parsed, services: parsed.services.map((service) => ({ ...service, sourceRepository: `example-shop/${service.name}` })) };
    const tree = tempTree({});
    try {
      const result = await synthesizeInfrastructure(platform, tree.path('cdk.out'));
      assert.match(result.problem!, /^the CDK app does not synthesise: .*500/);
      assert.equal(result.outdir, undefined);
      assert.equal(existsSync(tree.path('cdk.out')), false);
    } finally {
      tree.cleanup();
    }
  });
});
