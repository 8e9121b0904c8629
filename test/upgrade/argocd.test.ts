// The Argo CD reader against an Argo CD REST API on 127.0.0.1: its messages
// name the settings of the command that reads (kaji upgrade's by default, the
// dashboard's when it says so), and only Applications in kaji's namespace
// count, whatever else an Argo CD with "apps in any namespace" lists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { argoCdServerUrl, ArgoCdRefusedError, getApplication, listApplications, syncVerdict, type ArgoCdNames } from '../../src/upgrade/argocd.js';
import { StepFailedError } from '../../src/upgrade/errors.js';

const TOKEN = 'argocd-reader-test-token';
const COMMIT = 'a'.repeat(40);

const application = (namespace: string, name: string, sync: string, health: string) => ({
  metadata: { name, namespace },
  status: { sync: { status: sync, revision: COMMIT }, health: { status: health } },
});

/**
 * kaji's shop is OutOfSync; a tenant's own Application of the same name in
 * its namespace is Synced and Healthy, and so is its cart, which kaji has not
 * (yet) generated.
 */
const ITEMS = [application('argocd', 'shop', 'OutOfSync', 'Progressing'), application('team-x', 'shop', 'Synced', 'Healthy'), application('team-x', 'cart', 'Synced', 'Healthy')];

/** The dashboard's names for its settings, as it passes them. */
const DASHBOARD_NAMES: ArgoCdNames = { server: (value) => `--argocd blue=${value}`, token: '$ARGOCD_AUTH_TOKEN_BLUE' };

describe('the Argo CD reader', () => {
  let server: Server;
  let url: string;

  before(async () => {
    // GET /api/v1/applications as Argo CD answers it (every namespace it serves), /html/… a web page, anything else 404.
    server = createServer((request, response) => {
      if (request.url === '/html/api/v1/applications') return void response.end('<html>a login page</html>');
      // One Application: the token first; none is there, and Argo CD answers 403 for one it does not have (unless asked with its project: then 404).
      if (request.url?.startsWith('/api/v1/applications/')) {
        if (request.headers.authorization !== `Bearer ${TOKEN}`) return void response.writeHead(401).end('{"error":"invalid session: token is invalid"}');
        if (request.url === '/api/v1/applications/hidden') return void response.writeHead(403).end('{"error":"permission denied","code":7,"message":"permission denied"}');
      }
      if (request.url !== '/api/v1/applications') return void response.writeHead(404).end('{}');
      if (request.headers.authorization !== `Bearer ${TOKEN}`) return void response.writeHead(401).end('{"error":"invalid session: token is invalid"}');
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ metadata: {}, items: ITEMS }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("only Applications in kaji's namespace (argocd): a tenant's of the same name is not taken for kaji's", async () => {
    const applications = await listApplications({ server: url, token: TOKEN });
    assert.deepEqual(
      applications.map((listed) => [listed.namespace, listed.name, listed.sync]),
      [['argocd', 'shop', 'OutOfSync']],
    );
    assert.deepEqual(syncVerdict(['shop', 'cart'], applications).waiting, ['shop: OutOfSync, Progressing', 'cart: no such Application yet']);
  });

  test('an Application fetched after a listing and not there (404, or the 403 Argo CD answers for one it does not have) was deleted meanwhile: not a refusal', async () => {
    const gone = await getApplication({ server: url, token: TOKEN }, 'gone').catch((error: unknown) => error);
    assert.ok(gone instanceof StepFailedError && !(gone instanceof ArgoCdRefusedError), String(gone));
    assert.equal(gone.message, `Argo CD at ${url} no longer has the Application gone it listed a moment ago (HTTP 404): it was deleted meanwhile`);
    const hidden = await getApplication({ server: url, token: TOKEN }, 'hidden').catch((error: unknown) => error);
    assert.ok(hidden instanceof StepFailedError && !(hidden instanceof ArgoCdRefusedError), String(hidden));
    assert.equal(hidden.message, `Argo CD at ${url} no longer has the Application hidden it listed a moment ago (HTTP 403): it was deleted meanwhile, or the token's account may no longer get it`);
    // A refused token is still a refusal.
    await assert.rejects(getApplication({ server: url, token: 'wrong' }, 'shop'), (error: unknown) => error instanceof ArgoCdRefusedError && /refused the token \(HTTP 401\)/.test(error.message));
  });

  test("messages name kaji upgrade's settings unless the connection names its own", async () => {
    // Named with the reader account kaji gives every cluster's Argo CD, and the command that makes its token.
    const refused = 'refused the token (HTTP 401): set';
    const advice = "to an API token of its kaji-reader account, which an admin makes with argocd account generate-token --account kaji-reader (each cluster's Argo CD signs its own; an expired or deleted token is refused too)";
    await assert.rejects(listApplications({ server: url, token: 'wrong' }), {
      message: `Argo CD at ${url} ${refused} ARGOCD_AUTH_TOKEN ${advice}`,
    });
    await assert.rejects(listApplications({ server: url, token: 'wrong', names: DASHBOARD_NAMES }), {
      message: `Argo CD at ${url} ${refused} $ARGOCD_AUTH_TOKEN_BLUE ${advice}`,
    });
    await assert.rejects(listApplications({ server: `${url}/elsewhere`, token: TOKEN }), {
      message: `Argo CD at ${url} has no /elsewhere/api/v1/applications (HTTP 404): is --argocd-server (or $ARGOCD_SERVER) ${url}/elsewhere the Argo CD server?`,
    });
    await assert.rejects(listApplications({ server: `${url}/elsewhere`, token: TOKEN, names: DASHBOARD_NAMES }), {
      message: `Argo CD at ${url} has no /elsewhere/api/v1/applications (HTTP 404): is --argocd blue=${url}/elsewhere the Argo CD server?`,
    });
    await assert.rejects(listApplications({ server: `${url}/html`, token: TOKEN, names: DASHBOARD_NAMES }), {
      message: `Argo CD at ${url} did not answer JSON: is --argocd blue=${url}/html the Argo CD server?`,
    });

    assert.throws(() => argoCdServerUrl('argo cd'), {
      message: '--argocd-server (or $ARGOCD_SERVER) argo cd is neither a URL nor host[:port] (e.g. https://argocd.example.com)',
    });
    assert.throws(() => argoCdServerUrl('argo cd', DASHBOARD_NAMES), { message: '--argocd blue=argo cd is neither a URL nor host[:port] (e.g. https://argocd.example.com)' });
    assert.throws(() => argoCdServerUrl('ftp://argocd', DASHBOARD_NAMES), { message: '--argocd blue=ftp://argocd: use an https:// URL' });
    assert.throws(() => argoCdServerUrl('http://argocd.example.com'), {
      message: '--argocd-server (or $ARGOCD_SERVER) http://argocd.example.com: the API token would cross the network unencrypted; use https:// (http:// only to this machine, e.g. a port-forward)',
    });
  });
});
