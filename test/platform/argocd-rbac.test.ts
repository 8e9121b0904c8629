import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { argoCdValues } from '../../src/infra/addons/argocd.js';
import { CHARTS } from '../../src/infra/versions.js';
import { argoCdSignIn } from '../../src/platform/derive/index.js';
import { parsePlatform } from '../../src/platform/index.js';

// GIVEN a platform with Argo CD sign-in and an admin group.
const platform = parsePlatform(
  `platform: {name: labs, region: eu-west-1, account: "111122223333", domain: labs.example.com}
manifests: {url: "https://github.com/labs/manifests.git"}
clusters: [{name: blue, kubernetesVersion: "1.32", weight: 255}]
teams: [{name: blog, identity: "arn:aws:iam::111122223333:role/team-blog"}]
services: [{name: antenna, team: blog, image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna, quota: {cpu: 2, memory: 4Gi, pods: 20}}]
argocd:
  sso: {issuer: "https://login.example.com", clientID: abc, adminGroups: [platform-team]}
`,
  'platform.yaml',
);
const signIn = argoCdSignIn(platform, platform.clusters[0]!);

type Rbac = Record<string, string>;
const rbacOf = (values: Record<string, unknown>): Rbac => (values.configs as { rbac: Rbac }).rbac;

describe('Argo CD RBAC with a policy.csv of the user\'s (argoCdValues)', () => {
  test('WHEN argoCdValues sets configs.rbac policy.csv (a role, an API account) THEN the admin groups stay: kaji\'s lines are in policy.kaji.csv, which Argo CD appends to policy.csv', () => {
    const own = 'p, role:deployer, applications, sync, */*, allow\ng, ci, role:deployer\n';
    const rbac = rbacOf(argoCdValues(CHARTS.argoCd, { configs: { rbac: { 'policy.csv': own } } }, signIn));
    assert.equal(rbac['policy.csv'], own);
    assert.equal(rbac['policy.kaji.csv'], 'g, platform-team, role:admin\n');
    assert.equal(rbac['policy.default'], '', 'still no default role');
  });

  test('WHEN nothing is overridden THEN policy.csv is left to the chart (kaji writes none)', () => {
    const rbac = rbacOf(argoCdValues(CHARTS.argoCd, {}, signIn));
    assert.equal('policy.csv' in rbac, false);
    assert.equal(rbac['policy.kaji.csv'], 'g, platform-team, role:admin\n');
  });
});
