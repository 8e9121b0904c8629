// Runs kaji's command line in-process with captured output.
import { run } from '../../src/cli/program.js';
import type { Io } from '../../src/cli/common.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function kaji(argv: string[], options: { stdin?: string; cwd?: string; color?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    readStdin: async () => options.stdin ?? '',
    colorOut: options.color ?? false,
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** An Io for a long-running command (kaji webhook) whose stdout is JSON lines: each line parsed into `lines`, stderr into `stderr`. */
export function jsonLinesIo(): { io: Io; lines: Record<string, unknown>[]; stderr: string[] } {
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const io: Io = {
    out: (text) => void lines.push(...text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)),
    err: (text) => void stderr.push(text),
    readStdin: async () => '',
    colorOut: false,
    cwd: process.cwd(),
  };
  return { io, lines, stderr };
}
