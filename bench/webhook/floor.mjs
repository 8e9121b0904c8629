// The floor for bench/webhook: the least an HTTPS admission endpoint can do —
// read the body and answer one fixed "allowed" AdmissionReview — with the same
// kind of certificate `kaji webhook --self-signed` makes. Prints
// {"event":"listening","port":N} on stdout. Plain JavaScript, run by node
// without a loader, so its RSS is that of a bare Node HTTPS server.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:https';
import { generate } from 'selfsigned';

const pems = await generate([{ name: 'commonName', value: 'floor' }], {
  keyType: 'ec',
  algorithm: 'sha256',
  extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
});
const ANSWER = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'fixed', allowed: true } });

const server = createServer({ cert: pems.cert, key: pems.private, minVersion: 'TLSv1.2' }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ANSWER) });
    res.end(ANSWER);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') console.log(JSON.stringify({ event: 'listening', port: address.port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
