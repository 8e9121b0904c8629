import { closeSync, openSync, writeSync } from 'node:fs';
import { chmod, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Content produced in chunks: calls `write` for each chunk, in order. */
export type ChunkedContent = (write: (chunk: string) => void) => void;

/**
 * Writes through a temporary file in the same directory and a rename, so a
 * reader (or a crash) never sees a half-written file. An existing file keeps
 * its mode; missing parent directories are created. Chunked content is
 * written as it is produced, so a large report is never one string in memory.
 */
export async function writeFileAtomically(file: string, content: string | ChunkedContent): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${basename(file)}.kaji-${process.pid}.tmp`);
  const mode = await stat(file).then(
    (info) => info.mode & 0o7777,
    () => 0o644,
  );
  try {
    if (typeof content === 'string') await writeFile(temporary, content, { mode });
    else writeChunks(temporary, content, mode);
    await chmod(temporary, mode);
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

function writeChunks(file: string, content: ChunkedContent, mode: number): void {
  const fd = openSync(file, 'w', mode);
  try {
    content((chunk) => {
      const bytes = Buffer.from(chunk, 'utf8');
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    });
  } finally {
    closeSync(fd);
  }
}
