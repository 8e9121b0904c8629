import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { argoCdValues } from '../../src/infra/addons/argocd.js';
import { CHARTS } from '../../src/infra/versions.js';
import { argoCdConfigMaps } from '../../src/platform/derive/index.js';
import { parsePlatform } from '../../src/platform/index.js';

// GIVEN a platform with Argo CD sign-in and an admin group.
const platform = parsePlatform(
  `platform: {name: labs, region: eu-west-1, account: "111122223333", domain: labs.example.com}
manifests: {url: "https://github.com/labs/manifests.git"}
clusters: [{name: blue, kubernetesVersion: "1.32", weight: 255}]
teams: [{name: blog, identity: "arn:aws:iam::111122223333:role/team-blog"}]
services: [{name: antenna, team: blog, image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna, quota: {cpu: 2, memory: 4Gi, pods: 20}}]
argocd:
  sso: {issuer: "https://login.example.com", clientID: abc, adminGroups: [platform-team], readonlyGroups: [auditors]}
`,
  'platform.yaml',
);
const configMaps = argoCdConfigMaps(platform, platform.clusters[0]!);
const KAJI_POLICY = 'p, role:kaji-reader, applications, get, */*, allow\ng, kaji-reader, role:kaji-reader\ng, platform-team, role:admin\ng, auditors, role:readonly\n';

type Rbac = Record<string, string>;
const rbacOf = (values: Record<string, unknown>): Rbac => (values.configs as { rbac: Rbac }).rbac;

describe('Argo CD RBAC with a policy.csv of the user\'s (argoCdValues)', () => {
  test('WHEN argoCdValues sets configs.rbac policy.csv (a role, an API account) THEN the reader, admin and readonly groups stay: kaji\'s lines are in policy.kaji.csv, which Argo CD appends to policy.csv', () => {
    const own = 'p, role:deployer, applications, sync, */*, allow\ng, ci, role:deployer\n';
    const rbac = rbacOf(argoCdValues(CHARTS.argoCd, { configs: { rbac: { 'policy.csv': own } } }, configMaps));
    assert.equal(rbac['policy.csv'], own);
    assert.equal(rbac['policy.kaji.csv'], KAJI_POLICY);
    assert.equal(rbac['policy.default'], '', 'still no default role');
  });

  test('WHEN nothing is overridden THEN policy.csv is left to the chart (kaji writes none)', () => {
    const rbac = rbacOf(argoCdValues(CHARTS.argoCd, {}, configMaps));
    assert.equal('policy.csv' in rbac, false);
    assert.equal(rbac['policy.kaji.csv'], KAJI_POLICY);
  });
});

describe('kaji\'s reader account in argocd-cm, with a cm of the user\'s (argoCdValues)', () => {
  test('WHEN argoCdValues adds argocd-cm entries (an account of its own) THEN kaji-reader and sign-in stay beside them', () => {
    const cm = (argoCdValues(CHARTS.argoCd, { configs: { cm: { 'accounts.ci': 'apiKey' } } }, configMaps).configs as { cm: Record<string, string> }).cm;
    assert.equal(cm['accounts.ci'], 'apiKey');
    assert.equal(cm['accounts.kaji-reader'], 'apiKey');
    assert.equal(cm.url, 'https://argocd.blue.labs.example.com');
  });

  test('WHEN argoCdValues sets accounts.kaji-reader.enabled: "false" (README\'s way to turn the reader off) THEN it reaches argocd-cm beside kaji\'s entry', () => {
    const cm = (argoCdValues(CHARTS.argoCd, { configs: { cm: { 'accounts.kaji-reader.enabled': 'false' } } }, configMaps).configs as { cm: Record<string, string> }).cm;
    assert.equal(cm['accounts.kaji-reader.enabled'], 'false');
    assert.equal(cm['accounts.kaji-reader'], 'apiKey');
  });
});
