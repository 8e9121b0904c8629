import { chmod, mkdir, open, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
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
    else await writeChunks(temporary, content, mode);
    await chmod(temporary, mode);
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * Writes each chunk at its place in the file as soon as it is produced: the
 * writes run on libuv's threads while the producer goes on with the next chunk.
 */
async function writeChunks(file: string, content: ChunkedContent, mode: number): Promise<void> {
  const handle = await open(file, 'w', mode);
  const writes: Promise<void>[] = [];
  try {
    let position = 0;
    try {
      content((chunk) => {
        const bytes = Buffer.from(chunk, 'utf8');
        writes.push(writeAt(handle, bytes, position));
        position += bytes.length;
      });
    } finally {
      await Promise.allSettled(writes); // never close the file under a write still running
    }
    await Promise.all(writes);
  } finally {
    await handle.close();
  }
}

async function writeAt(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let written = 0; written < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}
