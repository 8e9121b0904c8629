// cert-manager renews the serving certificate by updating the mounted Secret in
// place; the server must pick the new pair up without a restart. Handshakes
// after a valid change use the new pair; a half-written or mismatched pair is
// refused and the old one kept.
import { X509Certificate, createPrivateKey } from 'node:crypto';
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

/** Reloads the server's certificate and key when either file changes. */
export function reloadTlsOnChange(
  server: Server,
  files: TlsFiles,
  initial: { cert: string; key: string },
  onReload: (result: { readonly fingerprint: string } | { readonly error: string }) => void,
  options: { interval?: number } = {},
): ConfigWatcher {
  const pair = { ...initial };
  const apply = () => {
    const problem = tlsPairProblem(pair.cert, pair.key);
    if (problem) return onReload({ error: problem });
    server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
    onReload({ fingerprint: new X509Certificate(pair.cert).fingerprint256 });
  };
  const watchPart = (file: string, part: 'cert' | 'key') =>
    watchFileText(
      file,
      (change) => {
        if ('error' in change) return onReload({ error: change.error.message });
        pair[part] = change.text;
        apply();
      },
      { ...options, initialText: initial[part] },
    );
  const watchers = [watchPart(files.certFile, 'cert'), watchPart(files.keyFile, 'key')];
  return { close: () => watchers.forEach((watcher) => watcher.close()) };
}
