// Environment variables a test sets for kaji (tokens, credentials, paths) and
// puts back afterwards: tests share one process, so a variable left behind
// would reach every test that runs after it.
import { delimiter } from 'node:path';

/** Variables to change: a string sets one, undefined unsets it. */
export type EnvChanges = Readonly<Record<string, string | undefined>>;

/** Changes the variables now; the function returned puts each back as it was (unset if it was). */
export function setEnv(changes: EnvChanges): () => void {
  const saved = Object.keys(changes).map((name) => [name, process.env[name]] as const);
  for (const [name, value] of Object.entries(changes)) assign(name, value);
  return () => {
    for (const [name, value] of saved) assign(name, value);
  };
}

/** Runs `body` with the variables changed, then puts them back, also when it throws. */
export async function withEnv<T>(changes: EnvChanges, body: () => Promise<T>): Promise<T> {
  const restore = setEnv(changes);
  try {
    return await body();
  } finally {
    restore();
  }
}

/** PATH with `folder` first: its programs stand in for the installed ones. */
export function pathFirst(folder: string): EnvChanges {
  return { PATH: `${folder}${delimiter}${process.env.PATH ?? ''}` };
}

function assign(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
