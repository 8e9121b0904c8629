import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { FILE_CHANGED, isInside, makeFolders, shellWord, writeFileAtomically } from '../../src/kube/index.js';
import { describeFileError } from '../../src/cli/common.js';
import { tempTree } from '../support/files.js';

/** An empty temporary folder, removed when the test ends. */
function scratch(t: TestContext): string {
  const { root, cleanup } = tempTree({});
  t.after(cleanup);
  return root;
}

describe('writeFileAtomically', () => {
  test('writes a string, creating missing directories', async (t) => {
    const file = join(scratch(t), 'a', 'b', 'report.json');
    await writeFileAtomically(file, 'héllo\n');
    assert.equal(readFileSync(file, 'utf8'), 'héllo\n');
  });

  test('unchangedFrom: a file that no longer holds what was read is left as it is (FILE_CHANGED), no temporary file beside it; one that does is replaced', async (t) => {
    const directory = scratch(t);
    const file = join(directory, 'web.yaml');
    writeFileSync(file, 'kind: Pod\n# edited meanwhile\n');
    const read = Buffer.from('kind: Pod\n');
    await assert.rejects(writeFileAtomically(file, 'kind: Pod\nfixed: true\n', { unchangedFrom: read }), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, FILE_CHANGED);
      assert.equal(error.path, file);
      return true;
    });
    assert.equal(readFileSync(file, 'utf8'), 'kind: Pod\n# edited meanwhile\n');
    assert.deepEqual(readdirSync(directory), ['web.yaml']);
    writeFileSync(file, read); // the same bytes again: nothing was lost
    await writeFileAtomically(file, 'kind: Pod\nfixed: true\n', { unchangedFrom: read });
    assert.equal(readFileSync(file, 'utf8'), 'kind: Pod\nfixed: true\n');
  });

  test('a write that fails names the file asked for, not kaji\'s temporary file beside it', async (t) => {
    const directory = scratch(t);
    const file = join(directory, 'report.json');
    mkdirSync(join(directory, `.report.json.kaji-${process.pid}.tmp`)); // the temporary file cannot be created
    await assert.rejects(writeFileAtomically(file, 'x'), (error: NodeJS.ErrnoException) => {
      assert.equal(error.path, file);
      assert.ok(error.message.includes(file) && !error.message.includes('.tmp'), error.message);
      return true;
    });
    assert.equal(existsSync(file), false);
  });

  test('writes chunked content in order, multi-byte characters intact, and keeps the mode of the file it replaces', async (t) => {
    const directory = scratch(t);
    const file = join(directory, 'report.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    const shared = Buffer.from('ü'.repeat(70_000));
    await writeFileAtomically(file, (write) => {
      write('{"a": "');
      write([shared, Buffer.from('💥'), shared]); // pieces of bytes, one buffer given twice
      write('"}\n');
    });
    assert.equal(readFileSync(file, 'utf8'), `{"a": "${'ü'.repeat(70_000)}💥${'ü'.repeat(70_000)}"}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(directory), ['report.json'], 'no temporary file left');
  });

  test('a large report lands byte for byte: many batches, those past the bytes in flight written synchronously', async (t) => {
    // 48 MB in 3,072 numbered chunks of 16 KB: 12 batches of 4 MB, the last 4 past the 32 MB in flight
    const file = join(scratch(t), 'large.json');
    const chunk = (index: number) => Buffer.alloc(16 * 1024, `${index % 251},`);
    await writeFileAtomically(file, (write) => {
      for (let index = 0; index < 3_072; index++) write([chunk(index)]);
    });
    const written = readFileSync(file);
    assert.equal(written.length, 3_072 * 16 * 1024);
    for (let index = 0; index < 3_072; index++) {
      assert.ok(written.subarray(index * 16 * 1024, (index + 1) * 16 * 1024).equals(chunk(index)), `chunk ${index} at its place`);
    }
  });

  test('an async producer is waited for: every chunk lands, and one written late is refused', async (t) => {
    const directory = scratch(t);
    const file = join(directory, 'report.json');
    await writeFileAtomically(file, async (write) => {
      write('first ');
      await new Promise((resolve) => setTimeout(resolve, 20));
      write('second\n');
    });
    assert.equal(readFileSync(file, 'utf8'), 'first second\n');
    let late: ((chunk: string) => void) | undefined;
    await writeFileAtomically(file, (write) => void (late = write));
    assert.throws(() => late!('too late'), /came after the content was complete/);
    assert.equal(readFileSync(file, 'utf8'), '');
  });

  test('a producer that fails leaves the old file as it was and no temporary file', async (t) => {
    const directory = scratch(t);
    const file = join(directory, 'report.json');
    writeFileSync(file, 'old report');
    await assert.rejects(
      writeFileAtomically(file, (write) => {
        write('half a rep');
        throw new Error('printer failed');
      }),
      /printer failed/,
    );
    assert.equal(readFileSync(file, 'utf8'), 'old report');
    assert.deepEqual(readdirSync(directory), ['report.json']);
  });

  test('a full disk (a short write, then an error) leaves the old file as it was and no temporary file', { skip: process.platform === 'win32' }, (t) => {
    // A child limited to 4 KiB files (ulimit -f; Node ignores SIGXFSZ): writes past it are cut short, then fail with EFBIG.
    const directory = scratch(t);
    const file = join(directory, 'report.json');
    writeFileSync(file, 'old report');
    const script = join(directory, 'write.mts');
    writeFileSync(
      script,
      `import { writeFileAtomically } from ${JSON.stringify(resolve('src/kube/index.ts'))};
const outcome = async (content) => writeFileAtomically(${JSON.stringify(file)}, content).then(() => 'written', (error) => error.code);
console.log(await outcome((write) => { write('a'.repeat(1000)); write([Buffer.alloc(3000, 98), Buffer.alloc(5000, 99)]); }));
console.log(await outcome('x'.repeat(9000)));
`,
    );
    const output = execFileSync('bash', ['-c', `ulimit -f 4 && exec "${process.execPath}" --import tsx "${script}"`], { encoding: 'utf8' });
    assert.deepEqual(output.trim().split('\n'), ['EFBIG', 'EFBIG']);
    assert.equal(readFileSync(file, 'utf8'), 'old report');
    assert.deepEqual(readdirSync(directory).sort(), ['report.json', 'write.mts']);
  });

  test('a symbolic link stays a link: the file it points to is written', async (t) => {
    const directory = scratch(t);
    writeFileSync(join(directory, 'real.html'), 'old');
    chmodSync(join(directory, 'real.html'), 0o640);
    symlinkSync('real.html', join(directory, 'link.html'));
    await writeFileAtomically(join(directory, 'link.html'), 'new');
    assert.ok(lstatSync(join(directory, 'link.html')).isSymbolicLink());
    assert.equal(readlinkSync(join(directory, 'link.html')), 'real.html');
    assert.equal(readFileSync(join(directory, 'real.html'), 'utf8'), 'new');
    assert.equal(statSync(join(directory, 'real.html')).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(directory).sort(), ['link.html', 'real.html']);
  });

  test('a device, a pipe or a link to nothing is refused, left as it was, with a message naming it', { skip: process.platform === 'win32' }, async (t) => {
    const directory = scratch(t);
    const pipe = join(directory, 'pipe');
    execFileSync('mkfifo', [pipe]);
    symlinkSync('nowhere', join(directory, 'dangling'));
    symlinkSync('/dev/null', join(directory, 'null'));
    for (const name of ['pipe', 'dangling', 'null']) {
      const error = await writeFileAtomically(join(directory, name), 'x').then(
        () => assert.fail(`${name} was written`),
        (failure: Error) => failure,
      );
      assert.equal(
        describeFileError(error, directory),
        `cannot write ${name}: not a regular file (a device, a pipe, a socket or a link to nothing), which kaji does not replace; give the path of a file`,
      );
    }
    assert.ok(statSync(pipe).isFIFO());
    assert.ok(statSync('/dev/null').isCharacterDevice());
    assert.equal(readlinkSync(join(directory, 'dangling')), 'nowhere');
    assert.deepEqual(readdirSync(directory).sort(), ['dangling', 'null', 'pipe'], 'no temporary file left');
  });
});

describe('makeFolders', () => {
  test('makes the missing folders and returns the first it made, as given; undefined when the folder is there', (t) => {
    const root = scratch(t);
    const relativeToRoot = join(relative(process.cwd(), root), 'a', 'b', 'c');
    assert.equal(makeFolders(relativeToRoot), join(relative(process.cwd(), root), 'a'));
    assert.ok(statSync(join(root, 'a', 'b', 'c')).isDirectory());
    assert.equal(makeFolders(join(root, 'a', 'b')), undefined);
  });

  test('a file in the way is EEXIST naming the file, and nothing is made below it', (t) => {
    const root = scratch(t);
    writeFileSync(join(root, 'taken'), 'x');
    assert.throws(() => makeFolders(join(root, 'taken', 'out')), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'EEXIST');
      assert.equal(error.path, join(root, 'taken'));
      return true;
    });
    assert.deepEqual(readdirSync(root), ['taken']);
  });

  test('under a folder that takes no new folders (/proc): an error naming the folder and its parent, not a hang', { skip: !existsSync('/proc/self') && 'needs /proc' }, () => {
    assert.throws(
      () => makeFolders('/proc/kaji-files-test/a'),
      (error: unknown) => {
        assert.equal(describeFileError(error, '/'), 'cannot create the folder proc/kaji-files-test: /proc takes no new folders (is it a special file system, such as /proc?); choose another path');
        return true;
      },
    );
  });
});

describe('shellWord', () => {
  test('a word the shell reads as is stays; anything else is single-quoted, and a quote inside survives a real shell', () => {
    assert.equal(shellWord('examples/labs/platform.yaml'), 'examples/labs/platform.yaml');
    assert.equal(shellWord('git@github.com:acme/manifests.git'), 'git@github.com:acme/manifests.git');
    for (const text of ['my platform', "it's", '$HOME;rm -rf x', 'a\nb', '']) {
      const quoted = shellWord(text);
      assert.notEqual(quoted, text);
      assert.equal(execFileSync('sh', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' }), text, quoted);
    }
  });
});

describe('isInside', () => {
  test('the folder and what is below it are inside; its parent, a sibling with a common prefix and another root are not', () => {
    assert.equal(isInside('/repo/apps', '/repo/apps'), true);
    assert.equal(isInside('/repo/apps', '/repo/apps/shop/base/deployment.yaml'), true);
    assert.equal(isInside('/repo/apps', '/repo/apps/..data/x.yaml'), true, 'a name that starts with two dots');
    assert.equal(isInside('/repo/apps', '/repo/apps/shop/../../apps-old/x.yaml'), false);
    assert.equal(isInside('/repo/apps', '/repo'), false);
    assert.equal(isInside('/repo/apps', '/repo/apps-old'), false);
    assert.equal(isInside('/repo/apps', '/elsewhere/apps'), false);
  });
});
