// The links of a bump's pull request body go to the GitHub whose API kaji uses,
// not always to github.com (GitHub Enterprise Server, GHE.com, Actions there).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pullRequestBody } from '../../src/gitops/bump.js';
import { githubWebUrl } from '../../src/gitops/github.js';

describe('githubWebUrl', () => {
  const manifests = 'https://github.com/acme/manifests.git';
  test('github.com by default, and for api.github.com', () => {
    assert.equal(githubWebUrl(undefined, manifests, {}), 'https://github.com');
    assert.equal(githubWebUrl('https://api.github.com/', manifests, {}), 'https://github.com');
  });

  test('GitHub Enterprise Server (https://HOST/api/v3) and GHE.com (https://api.NAME): the web host of that API', () => {
    assert.equal(githubWebUrl('https://ghe.acme.example/api/v3', manifests, {}), 'https://ghe.acme.example');
    assert.equal(githubWebUrl('https://api.acme.ghe.com', manifests, {}), 'https://acme.ghe.com');
  });

  test("in Actions, GITHUB_SERVER_URL when the API in use is Actions' own GITHUB_API_URL, not otherwise", () => {
    const actions = { GITHUB_SERVER_URL: 'https://git.acme.example/', GITHUB_API_URL: 'https://git.acme.example/api/v3' };
    assert.equal(githubWebUrl('https://git.acme.example/api/v3', manifests, actions), 'https://git.acme.example');
    assert.equal(githubWebUrl('https://proxy.acme.example/github', manifests, actions), 'https://github.com', 'another API: not that server');
  });

  test('an API URL of no known shape: the host of an https manifests URL (no credentials), else github.com', () => {
    const proxy = 'http://127.0.0.1:8080/github';
    assert.equal(githubWebUrl(proxy, 'https://x-access-token:secret@git.acme.example/acme/manifests.git', {}), 'https://git.acme.example');
    assert.equal(githubWebUrl(proxy, '/srv/manifests.git', {}), 'https://github.com');
  });
});

describe('pullRequestBody links', () => {
  const base = { service: 'antenna', version: { tag: '1.5.0' }, policy: [], sourceRepo: 'acme/antenna' };
  test('the compare link (one old tag) and the source link (several) on the web URL given; github.com by default', () => {
    const one = [{ cluster: 'blue', file: 'apps/antenna/overlays/blue/kustomization.yaml', from: { tag: '1.4.0' }, to: { tag: '1.5.0' } }];
    assert.match(pullRequestBody({ ...base, changes: one, webUrl: 'https://ghe.acme.example' }), /\nChanges: https:\/\/ghe\.acme\.example\/acme\/antenna\/compare\/1\.4\.0\.\.\.1\.5\.0\n/);
    assert.match(pullRequestBody({ ...base, changes: one }), /\nChanges: https:\/\/github\.com\/acme\/antenna\/compare\/1\.4\.0\.\.\.1\.5\.0\n/);
    const two = [...one, { ...one[0]!, cluster: 'green', from: { tag: '1.3.0' } }];
    assert.match(pullRequestBody({ ...base, changes: two, webUrl: 'https://ghe.acme.example' }), /\nSource: https:\/\/ghe\.acme\.example\/acme\/antenna\/tree\/1\.5\.0\n/);
  });
});
