import { chmod, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes through a temporary file in the same directory and a rename, so a
 * reader (or a crash) never sees a half-written file. An existing file keeps
 * its mode; missing parent directories are created.
 */
export async function writeFileAtomically(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${basename(file)}.kaji-${process.pid}.tmp`);
  const mode = await stat(file).then(
    (info) => info.mode & 0o7777,
    () => 0o644,
  );
  try {
    await writeFile(temporary, content, { mode });
    await chmod(temporary, mode);
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
