import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kaji } from '../support/cli.js';

/** The lines of `text` from the one starting with `first` up to (not including) the next line indented no deeper than it. */
function item(text: string, first: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(first));
  assert.ok(start >= 0, `no line starting with ${JSON.stringify(first)} in:\n${text}`);
  const end = lines.findIndex((line, index) => index > start && !/^ {3,}\S/.test(line));
  return lines.slice(start, end);
}

describe('--help', () => {
  test("an indented list item of a command's description wraps under its own text, within 80 columns", async () => {
    const bump = await kaji(['bump', '--help']);
    assert.equal(bump.code, 0);
    const modePr = item(bump.stdout, '  --mode pr    ');
    assert.ok(modePr.length > 1, 'the item is long enough to wrap');
    for (const line of modePr.slice(1)) assert.match(line, /^ {15}\S/, `continued under the item's text: ${JSON.stringify(line)}`);
    assert.ok(modePr.every((line) => line.length <= 80), modePr.join('\n'));
    const upgrade = await kaji(['upgrade', '--help']);
    const next = item(upgrade.stdout, '  next      ');
    assert.ok(next.length > 1);
    for (const line of next.slice(1)) assert.match(line, /^ {12}\S/, JSON.stringify(line));
  });

  test('plain description paragraphs and option descriptions still wrap as before', async () => {
    const bump = await kaji(['bump', '--help']);
    // A paragraph's second line starts at column 0.
    assert.match(bump.stdout, /^Pin TAG for SERVICE in the manifest repository: .*\n\S/m);
    // An option's description continues in the description column.
    assert.match(bump.stdout, /^ {2}--cluster <name> +only these clusters \(comma-separated,\n {36}repeatable\)/m);
  });

  test('kaji webhook --help lists its exit codes', async () => {
    const webhook = await kaji(['webhook', '--help']);
    assert.equal(webhook.code, 0);
    assert.match(webhook.stdout, /Exit codes: 0 stopped by SIGTERM or SIGINT.*; 2 bad flags/);
  });

  test('every kaji upgrade subcommand --help lists its exit codes (1 only where a step can be not done)', async () => {
    for (const subcommand of ['plan', 'start', 'status', 'next', 'rollback', 'finish']) {
      const help = await kaji(['upgrade', subcommand, '--help']);
      assert.equal(help.code, 0, help.stderr);
      const codes = /^Exit codes: (.*)$/m.exec(help.stdout)?.[1];
      assert.ok(codes, `kaji upgrade ${subcommand} --help has an Exit codes line:\n${help.stdout}`);
      assert.match(codes, /^0 .*; 2 bad flags, /, subcommand);
      assert.equal(/; 1 /.test(codes), subcommand !== 'status', `${subcommand}: ${codes}`);
    }
  });
});

/** The long options a `--help` output lists under Options: (-h, --help left out). */
function optionNames(help: string): string[] {
  const section = help.split(/^Options:$/m)[1]?.split('\n\n')[0] ?? '';
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((match) => match[1]!).filter((name) => name !== '--help');
}

/** The README's synopsis of each `kaji upgrade` subcommand: the long options its lines name (`-o` is --output). */
function readmeUpgradeSynopses(): Map<string, Set<string>> {
  const readme = readFileSync('README.md', 'utf8');
  const block = readme.split('## `kaji upgrade`\n\n```\n')[1]!.split('\n```')[0]!;
  const synopses = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of block.split('\n')) {
    const command = /^kaji upgrade (\w+)/.exec(line)?.[1];
    if (command !== undefined) synopses.set(command, (current = new Set()));
    for (const match of line.matchAll(/(?<![\w-])(--[a-z-]+|-o)\b/g)) current!.add(match[1] === '-o' ? '--output' : match[1]!);
    if (line.includes('(the flags of next')) for (const flag of synopses.get('next')!) current!.add(flag);
  }
  return synopses;
}

describe("the README's synopses", () => {
  test('each kaji upgrade subcommand names exactly the options its --help lists', async () => {
    const synopses = readmeUpgradeSynopses();
    assert.deepEqual([...synopses.keys()].sort(), ['finish', 'next', 'plan', 'rollback', 'start', 'status']);
    for (const [subcommand, named] of synopses) {
      const help = await kaji(['upgrade', subcommand, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.deepEqual([...named].sort(), optionNames(help.stdout).sort(), `kaji upgrade ${subcommand}`);
    }
  });
});

/** The command names a `--help` output lists under Commands: (none for a command without subcommands). */
function commandNames(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((match) => match[1]!).filter((name) => name !== 'help');
}

describe('--help examples', () => {
  test('every command shows examples, and each example uses only options its command lists', async () => {
    const commands = commandNames((await kaji(['--help'])).stdout);
    assert.ok(commands.includes('webhook') && commands.length >= 10, commands.join(' '));
    for (const command of commands) {
      const help = (await kaji([command, '--help'])).stdout;
      const examples = [...(help.split(/^Examples:$/m)[1] ?? '').matchAll(/^ {2}kaji (.*)$/gm)].map((match) => match[1]!.replace(/#.*/, ''));
      assert.ok(examples.length > 0, `kaji ${command} --help shows examples:\n${help}`);
      const subcommands = commandNames(help);
      for (const example of examples) {
        const words = example.split(/\s+/).filter(Boolean);
        const sub = subcommands.includes(words[1] ?? '') ? [words[1]!] : [];
        const options = (await kaji([command, ...sub, '--help'])).stdout;
        for (const flag of example.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)) {
          assert.ok(new RegExp(`^ +(-\\w, )?${flag[1]}\\b`, 'm').test(options), `kaji ${example}: ${flag[1]} is not an option of kaji ${[command, ...sub].join(' ')}`);
        }
      }
    }
  });
});
