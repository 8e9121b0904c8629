// A self-signed certificate for a server that listens on this machine only
// (kaji webhook --self-signed for trying it out, kaji dashboard --serve): EC
// P-256, named localhost, 127.0.0.1 and ::1. Its SHA-256 fingerprint is what
// the user compares with what the browser or client shows.
import { X509Certificate } from 'node:crypto';

export interface SelfSignedCertificate {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 fingerprint of the certificate, as `AB:CD:...`. */
  readonly fingerprint: string;
}

export async function selfSignedLoopbackCertificate(commonName: string): Promise<SelfSignedCertificate> {
  // Loaded on use: only these servers need it.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}
