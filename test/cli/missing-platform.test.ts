// kaji run from the wrong folder: every command that reads platform.yaml says
// which folder it looked in and how to name the right one, in one line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

const ADVICE = "run kaji in the platform's folder or give its folder (DIR / --platform)";

describe('no platform.yaml where a command looks for it', () => {
  test('each command names the folder, once, exit 2', async () => {
    const tree = tempTree({ 'snapshot.json': '{"apiVersion": "v1", "kind": "List", "items": []}\n' });
    try {
      mkdirSync(tree.path('elsewhere'));
      const commands = [
        ['synth', tree.path('elsewhere'), '--out', tree.path('out')],
        ['synth', '--platform', tree.path('elsewhere'), '--out', tree.path('out')],
        ['bump', 'hello', 'v2', '--platform', tree.path('elsewhere')],
        ['upgrade', 'plan', '--platform', tree.path('elsewhere')],
        ['upgrade', 'start', '--platform', tree.path('elsewhere')],
        ['dashboard', '--platform', tree.path('elsewhere')],
        ['rightsize', '--from', tree.path('snapshot.json'), '--platform', tree.path('elsewhere')],
      ];
      for (const argv of commands) {
        const { code, stderr } = await kaji(argv);
        assert.equal(code, 2, `${argv.join(' ')}: ${stderr}`);
        assert.match(stderr, new RegExp(`(^|\\n)kaji: no platform\\.yaml in ${tree.path('elsewhere')}: ${ADVICE.replace(/[()/]/g, '\\$&')}\\n$`), argv.join(' '));
        assert.doesNotMatch(stderr, /invalid platform definition/);
      }
    } finally {
      tree.cleanup();
    }
  });

  test('synth given its folder twice, as DIR and as --platform: exit 2, nothing read or written', async () => {
    const tree = tempTree({});
    try {
      const { code, stderr } = await kaji(['synth', tree.path('a'), '--platform', tree.path('b'), '--out', tree.path('out')]);
      assert.equal(code, 2, stderr);
      assert.equal(stderr, `kaji: DIR (${tree.path('a')}) and --platform (${tree.path('b')}) both name the platform's folder: give one or the other\n`);
      assert.ok(!existsSync(tree.path('out')), 'no --out folder made');
    } finally {
      tree.cleanup();
    }
  });

  test('a folder that is not there either gets the same line', async () => {
    const tree = tempTree({});
    try {
      const { code, stderr } = await kaji(['upgrade', 'plan', '--platform', tree.path('no/such/folder')]);
      assert.equal(code, 2, stderr);
      assert.equal(stderr, `kaji: no platform.yaml in ${tree.path('no/such/folder')}: ${ADVICE}\n`);
    } finally {
      tree.cleanup();
    }
  });

  test('a platform.yaml that is there but cannot be read (a folder, a link to nothing) is still an invalid platform definition, naming the file', async () => {
    const made: [(path: string, tree: string) => void, RegExp][] = [
      [(path) => mkdirSync(path), /illegal operation on a directory/],
      [(path, tree) => symlinkSync(join(tree, 'gone.yaml'), path), /no such file or directory/],
    ];
    for (const [make, reason] of made) {
      const tree = tempTree({});
      try {
        make(join(tree.root, 'platform.yaml'), tree.root);
        const { code, stderr } = await kaji(['upgrade', 'plan', '--platform', tree.root]);
        assert.equal(code, 2, stderr);
        assert.match(stderr, new RegExp(`kaji: invalid platform definition:\\n\\S+platform\\.yaml: cannot read the platform definition: ${reason.source}`));
      } finally {
        tree.cleanup();
      }
    }
  });

  test('platform.yaml itself given for the folder: named as a file, with the folder to give', async () => {
    const tree = tempTree({ 'platform.yaml': 'platform: {name: shop}\n' });
    try {
      const { code, stderr } = await kaji(['synth', tree.path('platform.yaml'), '--out', tree.path('out')]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, new RegExp(`\nkaji: ${tree.path('platform.yaml')} is a file: give the platform's folder, the one holding platform\\.yaml \\(DIR / --platform\\)\n$`));
      assert.ok(!existsSync(tree.path('out')), 'no --out folder made');
    } finally {
      tree.cleanup();
    }
  });
});
