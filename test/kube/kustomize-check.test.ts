// kaji check, the CI gate, given a kustomization that would fetch from elsewhere:
// an input problem naming each value, and nothing fetched (an HTTP server on
// 127.0.0.1 stands for the remote location and counts requests).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';

const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: "registry.example.com/web:1.0"}]\n';

describe('kaji check and remote kustomize values', () => {
  test('an overlay whose base fetches a file and a patch: exit 1, each named with file and line, nothing fetched, the rest still checked', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.writeHead(200).end(DEPLOYMENT.replace('name: web', 'name: fetched'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tree = tempTree({
      'apps/web/overlays/blue/kustomization.yaml': 'resources: [../../base]\n',
      'apps/web/base/kustomization.yaml': `resources:\n  - deployment.yaml\n  - ${url}/more.yaml\npatches:\n  - path: ${url}/patch.yaml\n`,
      'apps/web/base/deployment.yaml': DEPLOYMENT,
      'plain/deployment.yaml': DEPLOYMENT.replace('name: web', 'name: plain'),
    });
    try {
      const result = await kaji(['check', '--format', 'json', tree.root], { cwd: tree.root });
      assert.equal(result.code, 1, result.stderr);
      const base = `${tree.path('apps/web/base/kustomization.yaml')}`;
      assert.equal(
        result.stderr,
        `kaji: apps/web/overlays/blue/kustomization.yaml: not rendered, as kustomize would fetch from outside the repository (kaji fetches nothing, so that it checks what the repository holds): ` +
          `${base}:3: resources entry "${url}/more.yaml" (vendor its files into the repository and name them by a local path); ` +
          `${base}:5: patches[0].path "${url}/patch.yaml" (vendor the file into the repository and name it by a local path)\n`,
      );
      assert.deepEqual(requests, []);
      assert.deepEqual(
        (JSON.parse(result.stdout) as { Results: { Name: string }[] }).Results.map((entry) => entry.Name),
        ['plain'],
      );
    } finally {
      tree.cleanup();
      server.close();
    }
  });
});
