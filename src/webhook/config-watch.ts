// Watches files the webhook reads at start (the policy, the tenants file, the TLS
// certificate) and hands over their new content when they change.
import { readFile } from 'node:fs/promises';
import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { parseTenants } from '../platform/boundaries/index.js';
import { parsePolicyFile, type PolicyConfig } from '../policy/index.js';
import type { TenantBoundaries } from './admission.js';

export type ConfigChange = { readonly config: PolicyConfig } | { readonly error: Error };

export interface ConfigWatcher {
  close(): void;
}

/**
 * Calls `onText` with a file's content each time it changes, or with the error
 * when it cannot be read. fs.watch gives the change at once; fs.watchFile
 * (polling every second) catches what fs.watch misses: a file replaced by
 * rename, or a Kubernetes ConfigMap or Secret volume, whose files are symlinks
 * swapped as a whole.
 */
export interface WatchOptions {
  /** Polling interval (ms). @default 1000 */
  readonly interval?: number;
  /**
   * The text the caller has already read and is using. The file is read once
   * more at once, so a change that landed between the caller's read and the
   * watch is still delivered. @default read here
   */
  readonly initialText?: string;
}

export interface ConfigWatchOptions extends WatchOptions {
  /** Read the file over the built-in defaults, as `--merge-config` does. @default false: the file alone */
  readonly merge?: boolean;
}

export function watchFileText(
  file: string,
  onText: (change: { readonly text: string } | { readonly error: Error }) => void,
  options: WatchOptions = {},
): ConfigWatcher {
  let last = options.initialText;
  let closed = false;
  let running = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const reread = async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (closed || last === `\u0000${code}`) return;
      last = `\u0000${code}`;
      onText({ error: new Error(`cannot read ${file}: ${code}`) });
      return;
    }
    if (closed || text === last) return;
    last = text;
    onText({ text });
  };
  // Several events come for one write: wait a little, then read once; reads never overlap.
  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(reread);
    }, 50);
  };
  if (options.initialText === undefined) {
    void readFile(file, 'utf8').then(
      (text) => {
        last ??= text;
      },
      () => undefined,
    );
  } else {
    schedule();
  }
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(file, { persistent: false }, schedule);
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  const poll = () => schedule();
  watchFile(file, { interval: options.interval ?? 1000, persistent: false }, poll);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      unwatchFile(file, poll);
    },
  };
}

/**
 * Calls `onChange` with the parsed configuration each time the file's content
 * changes, or with the error when the new content is not a valid configuration.
 */
export function watchConfig(file: string, onChange: (change: ConfigChange) => void, options: ConfigWatchOptions = {}): ConfigWatcher {
  return watchParsed(file, (text) => ({ config: parsePolicyFile(text, file, options.merge) }), onChange, options);
}

export type TenantsChange = { readonly tenants: TenantBoundaries } | { readonly error: Error };

/**
 * Calls `onChange` with the tenant boundaries each time the tenants file's
 * content changes, or with the error when the new content is not a valid
 * tenants file.
 */
export function watchTenants(file: string, onChange: (change: TenantsChange) => void, options: WatchOptions = {}): ConfigWatcher {
  return watchParsed(file, (text) => ({ tenants: parseTenants(text, file) }), onChange, options);
}

/** watchFileText with each new text parsed: `onChange` gets what `parse` returns, or the error it (or the read) threw. */
function watchParsed<Parsed>(
  file: string,
  parse: (text: string) => Parsed,
  onChange: (change: Parsed | { readonly error: Error }) => void,
  options: WatchOptions,
): ConfigWatcher {
  return watchFileText(
    file,
    (change) => {
      if ('error' in change) return onChange(change);
      try {
        onChange(parse(change.text));
      } catch (error) {
        onChange({ error: error as Error });
      }
    },
    options,
  );
}
