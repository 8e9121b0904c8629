// cert-manager renews the serving certificate by updating the mounted Secret in
// place; the server must pick the new pair up without a restart. Handshakes
// after a valid change use the new pair; a half-written or mismatched pair is
// refused and the old one kept.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import { watchFileText, type ConfigWatcher } from './config-watch.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Why a certificate and key cannot serve together, or undefined when they can. */
export function tlsPairProblem(cert: string, key: string): string | undefined {
  try {
    const certificate = new X509Certificate(cert);
    return certificate.checkPrivateKey(createPrivateKey(key)) ? undefined : 'the key does not belong to the certificate';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Reloads the server's certificate and key when either file changes. Either change rereads both:
 * a Secret volume swaps them together (one rename of its ..data link), and the new certificate
 * read with the old key would be reported as a mismatch before the key's own change came.
 */
export function reloadTlsOnChange(
  server: Server,
  files: TlsFiles,
  initial: { cert: string; key: string },
  onReload: (result: { readonly fingerprint: string } | { readonly error: string }) => void,
  options: { interval?: number } = {},
): ConfigWatcher {
  let served = { ...initial };
  // The last pair refused, so the second file's change event does not report it again.
  let refused: { cert: string; key: string } | undefined;
  let closed = false;
  let running = Promise.resolve();
  const same = (a: { cert: string; key: string } | undefined, b: { cert: string; key: string }) => a?.cert === b.cert && a.key === b.key;
  const reload = async () => {
    let pair: { cert: string; key: string };
    try {
      const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
      pair = { cert, key };
    } catch (error) {
      if (!closed) onReload({ error: `cannot read ${(error as NodeJS.ErrnoException).path ?? 'the certificate'}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      return;
    }
    if (closed || same(served, pair) || same(refused, pair)) return;
    const problem = tlsPairProblem(pair.cert, pair.key);
    if (problem) {
      refused = pair;
      return onReload({ error: problem });
    }
    server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
    served = pair;
    onReload({ fingerprint: new X509Certificate(pair.cert).fingerprint256 });
  };
  // Reloads never overlap, so the last one read is the one served.
  const changed = () => {
    running = running.then(reload);
  };
  const watchers = [watchFileText(files.certFile, changed, { ...options, initialText: initial.cert }), watchFileText(files.keyFile, changed, { ...options, initialText: initial.key })];
  return {
    close: () => {
      closed = true;
      watchers.forEach((watcher) => watcher.close());
    },
  };
}
