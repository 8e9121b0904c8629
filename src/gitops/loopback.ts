// Where a token may travel over plain http: only to this machine (a test
// server, a port-forward), never across a network.
import { isIP } from 'node:net';

/** Whether a URL's hostname (URL.hostname: IPv6 in brackets) names this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
