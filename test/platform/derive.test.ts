import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadAll } from 'js-yaml';
import { renderKustomization, type JsonObject } from '../../src/kube/index.js';
import { cidrContains, parseCidr } from '../../src/platform/cidr.js';
import { loadPlatform } from '../../src/platform/index.js';
import type { ArgoCdTeamAction, ClusterDefinition, PlatformDefinition, ServiceDefinition } from '../../src/platform/types.js';
import {
  annotateIngresses,
  argoCdConfigMaps,
  bootstrapObjects,
  deriveClusterFiles,
  dnsAnnotations,
  DeriveError,
  GENERATED_MARKER,
  isGeneratedFile,
  recommendedWorkloads,
  type GeneratedFile,
  type WorkloadRef,
  type PlatformComponent,
} from '../../src/platform/derive/index.js';
import { definePlatform } from '../support/platform.js';

const REPO = 'https://github.com/example/labs-manifests.git';

const service = (overrides: Partial<ServiceDefinition> & Pick<ServiceDefinition, 'name' | 'team'>): ServiceDefinition => ({
  namespace: overrides.name,
  image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${overrides.name}`,
  quota: { cpu: '4', memory: '8Gi', pods: 30, storage: '0', persistentVolumeClaims: 0 },
  defaults: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  hosts: [],
  podSecurity: 'restricted',
  allowFrom: [],
  egress: [],
  ...overrides,
});

const blue: ClusterDefinition = { name: 'blue', kubernetesVersion: '1.32', weight: 255, retiring: false };
const green: ClusterDefinition = { name: 'green', kubernetesVersion: '1.35', weight: 0, retiring: false };

const SERVICES: readonly ServiceDefinition[] = [
  service({ name: 'antenna', team: 'feeds', hosts: ['antenna.labs.example.com'], quota: { cpu: '6', memory: '12Gi', pods: 40, storage: '0', persistentVolumeClaims: 0 } }),
  service({
    name: 'diary',
    team: 'writers',
    namespace: 'anon-diary',
    hosts: ['diary.labs.example.com'],
    podSecurity: 'baseline',
    defaults: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    // antenna and feed-crawler call the diary (in its namespace anon-diary).
    allowFrom: ['feed-crawler', 'antenna'],
  }),
  service({
    name: 'feed-crawler',
    team: 'feeds',
    quota: { cpu: '2', memory: '2Gi', pods: 10, storage: '20Gi', persistentVolumeClaims: 25 },
    egress: [
      { kind: 'internet' },
      { kind: 'cidr', cidr: '10.0.16.0/20', ports: [443] },
      { kind: 'cidr', cidr: '10.0.32.0/20', ports: [] },
    ],
  }),
];

// No platform component writes files here (webhook off, no headroom): they have tests of their own.
const PLATFORM: PlatformDefinition = definePlatform({
  webhook: { ...definePlatform().webhook, enabled: false },
  capacity: { ...definePlatform().capacity, headroom: { kind: 'percent', percent: 0, image: 'registry.k8s.io/pause:3.10.2' } },
  file: '/work/labs/platform.yaml',
  platform: { name: 'labs', region: 'eu-west-1', account: '111122223333', domain: 'labs.example.com' },
  manifests: { url: REPO, branch: 'main', path: '.', localPath: 'manifests' },
  clusters: [blue, green],
  teams: [
    { name: 'feeds', identity: 'arn:aws:iam::111122223333:role/feeds' },
    { name: 'writers', identity: 'arn:aws:iam::111122223333:role/writers' },
  ],
  services: SERVICES,
});

/** The file at the path, or a failed assertion naming what exists. */
function file(files: readonly GeneratedFile[], path: string): GeneratedFile {
  const found = files.find((f) => f.path === path);
  assert.ok(found, `no file ${path}; files: ${files.map((f) => f.path).join(', ')}`);
  return found;
}

/** The YAML documents of a file. */
function docs(files: readonly GeneratedFile[], path: string): JsonObject[] {
  return loadAll(file(files, path).content) as JsonObject[];
}

function only(files: readonly GeneratedFile[], path: string): JsonObject {
  const all = docs(files, path);
  assert.equal(all.length, 1, `${path} holds one document`);
  return all[0] as JsonObject;
}

/** The value at a path of keys and indexes. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function byName(objects: readonly JsonObject[], name: string): JsonObject {
  const found = objects.find((o) => at(o, 'metadata', 'name') === name);
  assert.ok(found, `no object named ${name}`);
  return found;
}

const blueFiles = deriveClusterFiles(PLATFORM, blue);
const greenFiles = deriveClusterFiles(PLATFORM, green);

describe('generated files', () => {
  test('every file starts with the marker, parses as YAML and carries the managed-by label', () => {
    for (const f of [...blueFiles, ...greenFiles]) {
      assert.ok(f.content.startsWith(`${GENERATED_MARKER}\n`), f.path);
      assert.ok(isGeneratedFile(f.content), f.path);
      const objects = loadAll(f.content) as JsonObject[];
      assert.ok(objects.length > 0, f.path);
      for (const object of objects) {
        assert.equal(at(object, 'metadata', 'labels', 'app.kubernetes.io/managed-by'), 'kaji', `${f.path} ${String(at(object, 'kind'))}`);
        assert.deepEqual(Object.keys(object).slice(0, 3), ['apiVersion', 'kind', 'metadata'], f.path);
      }
    }
  });

  test('isGeneratedFile tells generated files from hand-written ones', () => {
    assert.equal(isGeneratedFile(`${GENERATED_MARKER}\napiVersion: v1\n`), true);
    assert.equal(isGeneratedFile(`\uFEFF${GENERATED_MARKER}\r\napiVersion: v1\r\n`), true);
    assert.equal(isGeneratedFile('# Generated by kaji synth (an older wording)\nkind: X\n'), true);
    assert.equal(isGeneratedFile('apiVersion: v1\nkind: ConfigMap\n'), false);
    assert.equal(isGeneratedFile(`apiVersion: v1\n${GENERATED_MARKER}\n`), false);
    assert.equal(isGeneratedFile(''), false);
  });

  test('no path leaves clusters/<cluster>/ and no path repeats', () => {
    for (const [cluster, files] of [
      ['blue', blueFiles],
      ['green', greenFiles],
    ] as const) {
      for (const f of files) {
        assert.ok(f.path.startsWith(`clusters/${cluster}/`), f.path);
        assert.ok(f.path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'), f.path);
      }
      assert.equal(new Set(files.map((f) => f.path)).size, files.length);
    }
  });

  test('the layout: argocd/ for Argo CD objects, tenants/<service>/ for guardrails, kaji-platform for kaji-system\'s Namespace even with both components off', () => {
    const paths = blueFiles.map((f) => f.path);
    assert.deepEqual(paths, [...paths].sort());
    assert.deepEqual(
      paths.filter((p) => p.startsWith('clusters/blue/argocd/')),
      [
        'clusters/blue/argocd/apps/antenna.yaml',
        'clusters/blue/argocd/apps/diary.yaml',
        'clusters/blue/argocd/apps/feed-crawler.yaml',
        'clusters/blue/argocd/kaji-platform.yaml',
        'clusters/blue/argocd/kaji-tenants.yaml',
        'clusters/blue/argocd/projects/antenna.yaml',
        'clusters/blue/argocd/projects/diary.yaml',
        'clusters/blue/argocd/projects/feed-crawler.yaml',
        'clusters/blue/argocd/projects/kaji-platform.yaml',
        'clusters/blue/argocd/projects/kaji-root.yaml',
        'clusters/blue/argocd/root.yaml',
      ],
    );
    assert.deepEqual(
      paths.filter((p) => p.startsWith('clusters/blue/tenants/diary/')),
      ['limitrange.yaml', 'namespace.yaml', 'networkpolicies.yaml', 'rbac.yaml', 'resourcequota.yaml'].map(
        (name) => `clusters/blue/tenants/diary/${name}`,
      ),
    );
    assert.deepEqual(paths.filter((p) => p.startsWith('clusters/blue/platform/')), ['clusters/blue/platform/headroom/namespace.yaml']);
  });
});

describe('determinism', () => {
  test('deriving twice gives identical bytes', () => {
    assert.deepEqual(deriveClusterFiles(PLATFORM, blue), blueFiles);
    assert.deepEqual(deriveClusterFiles(PLATFORM, green), greenFiles);
  });

  test('the order of services, teams and clusters in platform.yaml does not change a byte', () => {
    const shuffled: PlatformDefinition = {
      ...PLATFORM,
      services: [SERVICES[2], SERVICES[0], SERVICES[1]] as ServiceDefinition[],
      teams: [...PLATFORM.teams].reverse(),
      clusters: [green, blue],
    };
    assert.deepEqual(deriveClusterFiles(shuffled, blue), blueFiles);
    assert.deepEqual(deriveClusterFiles({ ...PLATFORM, services: [...SERVICES].reverse() }, green), greenFiles);
  });

  test('the clusters differ only where the cluster name and weight do', () => {
    assert.equal(blueFiles.length, greenFiles.length);
    for (const [index, f] of blueFiles.entries()) {
      const other = greenFiles[index] as GeneratedFile;
      assert.equal(other.path, f.path.replace('clusters/blue/', 'clusters/green/'));
      const expected = f.content
        .replaceAll('clusters/blue', 'clusters/green')
        .replaceAll('overlays/blue', 'overlays/green')
        .replaceAll("aws-weight: '255'", "aws-weight: '0'")
        .replaceAll('set-identifier: blue', 'set-identifier: green');
      assert.equal(other.content, expected, f.path);
    }
  });
});

describe('tenant AppProject', () => {
  for (const s of SERVICES) {
    test(`${s.name}: its namespace on this cluster only, the manifest repository only, no cluster-scoped kinds, no guardrails`, () => {
      const project = only(blueFiles, `clusters/blue/argocd/projects/${s.name}.yaml`);
      assert.equal(project.apiVersion, 'argoproj.io/v1alpha1');
      assert.equal(project.kind, 'AppProject');
      assert.equal(at(project, 'metadata', 'name'), s.name);
      assert.equal(at(project, 'metadata', 'namespace'), 'argocd');
      assert.equal(at(project, 'metadata', 'labels', 'kaji.dev/team'), s.team);
      assert.equal(at(project, 'metadata', 'labels', 'kaji.dev/service'), s.name);
      assert.deepEqual(at(project, 'spec', 'sourceRepos'), [REPO]);
      assert.deepEqual(at(project, 'spec', 'destinations'), [{ server: 'https://kubernetes.default.svc', namespace: s.namespace }]);
      assert.deepEqual(at(project, 'spec', 'clusterResourceWhitelist'), []);
      assert.equal(at(project, 'spec', 'clusterResourceBlacklist'), undefined);
      assert.equal(at(project, 'spec', 'namespaceResourceWhitelist'), undefined, 'a whitelist would not be narrower than the blacklist');
      assert.deepEqual(at(project, 'spec', 'namespaceResourceBlacklist'), [
        { group: '', kind: 'LimitRange' },
        { group: '', kind: 'ResourceQuota' },
        { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
        // The VPC CNI's agent enforces every PolicyEndpoint in the namespace: a tenant's own would open the NetworkPolicies.
        { group: 'networking.k8s.aws', kind: 'PolicyEndpoint' },
        // Hand-written endpoints send a Service's (and an Ingress's) traffic to any pod (CVE-2021-25740).
        { group: '', kind: 'Endpoints' },
        { group: 'discovery.k8s.io', kind: 'EndpointSlice' },
        // The load balancer controller would register the tenant's pods in any target group of the account it names.
        { group: 'elbv2.k8s.aws', kind: 'TargetGroupBinding' },
        // kaji generates one per workload; a tenant's own on the same workload would compete with it.
        { group: 'autoscaling.k8s.io', kind: 'VerticalPodAutoscaler' },
      ]);
      assert.equal(at(project, 'spec', 'sourceNamespaces'), undefined, 'Applications only in the argocd namespace');
      const roles = at(project, 'spec', 'roles') as JsonObject[];
      assert.equal(roles.length, 1);
      assert.deepEqual(at(roles[0], 'groups'), [`kaji:team:${s.team}`]);
      const policies = at(roles[0], 'policies') as string[];
      for (const policy of policies) {
        assert.match(policy, new RegExp(`^p, proj:${s.name}:team, (applications|logs), (get|sync), ${s.name}/\\*, allow$`));
      }
      assert.deepEqual(
        policies.map((p) => p.split(', ').slice(2, 4).join(' ')),
        ['applications get', 'applications sync', 'logs get'],
      );
    });
  }
});

describe('Argo CD sign-in (argocd.sso)', () => {
  const CLAIM = 'https://labs.example.com/groups';
  const withSso: PlatformDefinition = {
    ...PLATFORM,
    argocd: {
      sso: {
        name: 'Okta',
        issuer: 'https://example.okta.com',
        clientID: '0oa1b2c3',
        clientSecretName: 'kaji/labs/argocd-sso',
        scopes: ['openid', 'email', 'groups'],
        groupsClaim: CLAIM,
        adminGroups: ['platform-team', 'Platform On Call'],
        readonlyGroups: ['auditors', 'Support Desk'],
        teamGroups: { feeds: ['feeds-developers', 'Feeds On Call'] },
      },
    },
  };

  test('without the block: only the reader account, its role and no default role; no url, oidc.config or scopes (the team roles\' groups: see tenant AppProject)', () => {
    assert.deepEqual(argoCdConfigMaps(PLATFORM, blue), {
      cm: { 'accounts.kaji-reader': 'apiKey' },
      rbac: { 'policy.kaji.csv': 'p, role:kaji-reader, applications, get, */*, allow\ng, kaji-reader, role:kaji-reader\n', 'policy.default': '' },
    });
  });

  test('with sign-in, a team\'s project role holds exactly its mapped provider groups: not kaji:team:<team>, which anyone could name a group at some providers', () => {
    const files = deriveClusterFiles(withSso, blue);
    for (const name of ['antenna', 'feed-crawler']) {
      const roles = at(only(files, `clusters/blue/argocd/projects/${name}.yaml`), 'spec', 'roles') as JsonObject[];
      assert.deepEqual(at(roles[0], 'groups'), ['feeds-developers', 'Feeds On Call'], name);
    }
    // An unmapped team has no one in its role.
    const diary = at(only(files, 'clusters/blue/argocd/projects/diary.yaml'), 'spec', 'roles') as JsonObject[];
    assert.deepEqual(at(diary[0], 'groups'), []);
    // A team named like an Object method maps nothing unless listed.
    const odd = deriveClusterFiles({ ...withSso, services: [service({ name: 'odd', team: 'constructor' })] }, blue);
    assert.deepEqual(at((at(only(odd, 'clusters/blue/argocd/projects/odd.yaml'), 'spec', 'roles') as JsonObject[])[0], 'groups'), []);
    // Only the services' projects change (their team roles): every other file is as without sign-in.
    const without = new Map(blueFiles.map((f) => [f.path, f.content]));
    const changed = files.filter((f) => without.get(f.path) !== f.content).map((f) => f.path);
    assert.deepEqual(changed.sort(), withSso.services.map((s) => `clusters/blue/argocd/projects/${s.name}.yaml`).sort());
  });

  test('oidc.config names the CLI\'s public client when cliClientID is given, and only then', () => {
    const oidc = (platform: PlatformDefinition): JsonObject => load(argoCdConfigMaps(platform, blue).cm['oidc.config'] ?? '') as JsonObject;
    assert.equal(oidc(withSso).cliClientID, undefined);
    const withCli: PlatformDefinition = { ...withSso, argocd: { sso: { ...withSso.argocd!.sso!, cliClientID: '0oa-cli' } } };
    assert.equal(oidc(withCli).cliClientID, '0oa-cli');
    assert.equal(oidc(withCli).clientID, '0oa1b2c3');
  });

  test('argocd-cm: the cluster\'s URL and an oidc.config that refers to the client secret by name, never holding it', () => {
    for (const cluster of [blue, green]) {
      const signIn = argoCdConfigMaps(withSso, cluster);
      assert.deepEqual(Object.keys(signIn.cm), ['accounts.kaji-reader', 'url', 'oidc.config']);
      assert.equal(signIn.cm['accounts.kaji-reader'], 'apiKey', 'API tokens only: no login, so no password to set or leak');
      assert.equal(signIn.cm.url, `https://argocd.${cluster.name}.labs.example.com`);
      assert.deepEqual(loadAll(signIn.cm['oidc.config'] as string), [
        {
          name: 'Okta',
          issuer: 'https://example.okta.com',
          clientID: '0oa1b2c3',
          clientSecret: '$kaji-argocd-sso:clientSecret',
          requestedScopes: ['openid', 'email', 'groups'],
          requestedIDTokenClaims: { [CLAIM]: { essential: true } },
        },
      ]);
    }
  });

  test('argocd-rbac-cm: in policy.kaji.csv (policy.csv stays the user\'s) the reader, admin groups with role:admin, readonly groups with role:readonly; nobody else gets a default role, and groups are read from the claim', () => {
    const signIn = argoCdConfigMaps(withSso, blue);
    assert.deepEqual(signIn.rbac, {
      'policy.kaji.csv': [
        'p, role:kaji-reader, applications, get, */*, allow',
        'g, kaji-reader, role:kaji-reader',
        'g, platform-team, role:admin',
        'g, Platform On Call, role:admin',
        'g, auditors, role:readonly',
        'g, Support Desk, role:readonly',
        '',
      ].join('\n'),
      'policy.default': '',
      scopes: `["${CLAIM}"]`,
    });
    // Argo CD reads scopes as a YAML list.
    assert.deepEqual(loadAll(signIn.rbac.scopes as string), [[CLAIM]]);
    const noGroups = argoCdConfigMaps({ ...withSso, argocd: { sso: { ...withSso.argocd!.sso!, adminGroups: [], readonlyGroups: [] } } }, blue);
    assert.equal(noGroups.rbac['policy.kaji.csv'], 'p, role:kaji-reader, applications, get, */*, allow\ng, kaji-reader, role:kaji-reader\n');
    assert.equal(noGroups.rbac['policy.csv'], undefined);
  });
});

describe('what teams may do beyond get, sync and logs (argocd.teamActions)', () => {
  test('restart adds the Deployment restart action, delete-pod the deletion of Pods, in each team role and only for its project; in a fixed order whatever the order written', () => {
    const files = deriveClusterFiles({ ...PLATFORM, argocd: { teamActions: ['delete-pod', 'restart'] } }, blue);
    for (const s of SERVICES) {
      const [role] = at(only(files, `clusters/blue/argocd/projects/${s.name}.yaml`), 'spec', 'roles') as JsonObject[];
      assert.deepEqual(at(role, 'policies'), [
        `p, proj:${s.name}:team, applications, get, ${s.name}/*, allow`,
        `p, proj:${s.name}:team, applications, sync, ${s.name}/*, allow`,
        `p, proj:${s.name}:team, logs, get, ${s.name}/*, allow`,
        `p, proj:${s.name}:team, applications, action/apps/Deployment/restart, ${s.name}/*, allow`,
        `p, proj:${s.name}:team, applications, delete/*/Pod/*/*, ${s.name}/*, allow`,
      ]);
      assert.equal(at(role, 'description'), `Members of team ${s.team} see and sync the service's applications, restart its Deployments and delete its Pods`);
    }
    // Only the services' projects change (their team roles).
    const without = new Map(blueFiles.map((f) => [f.path, f.content]));
    const changed = files.filter((f) => without.get(f.path) !== f.content).map((f) => f.path);
    assert.deepEqual(changed.sort(), SERVICES.map((s) => `clusters/blue/argocd/projects/${s.name}.yaml`).sort());
  });

  test('one action alone adds its line alone; an empty list is as none', () => {
    const policies = (teamActions: readonly ArgoCdTeamAction[]) => {
      const [role] = at(only(deriveClusterFiles({ ...PLATFORM, argocd: { teamActions } }, blue), 'clusters/blue/argocd/projects/antenna.yaml'), 'spec', 'roles') as JsonObject[];
      return (at(role, 'policies') as string[]).map((p) => p.split(', ').slice(2, 4).join(' '));
    };
    assert.deepEqual(policies(['restart']), ['applications get', 'applications sync', 'logs get', 'applications action/apps/Deployment/restart']);
    assert.deepEqual(policies(['delete-pod']), ['applications get', 'applications sync', 'logs get', 'applications delete/*/Pod/*/*']);
    assert.deepEqual(policies([]), ['applications get', 'applications sync', 'logs get']);
  });
});

describe('service Application', () => {
  for (const [cluster, files] of [
    [blue, blueFiles],
    [green, greenFiles],
  ] as const) {
    for (const s of SERVICES) {
      test(`${s.name} on ${cluster.name}: its overlay, namespace and project, automated sync, DNS weight ${cluster.weight}`, () => {
        const app = only(files, `clusters/${cluster.name}/argocd/apps/${s.name}.yaml`);
        assert.equal(app.kind, 'Application');
        assert.equal(at(app, 'metadata', 'namespace'), 'argocd');
        assert.deepEqual(at(app, 'metadata', 'finalizers'), ['resources-finalizer.argocd.argoproj.io']);
        assert.equal(at(app, 'spec', 'project'), s.name);
        assert.equal(at(app, 'spec', 'source', 'repoURL'), REPO);
        assert.equal(at(app, 'spec', 'source', 'targetRevision'), 'main');
        assert.equal(at(app, 'spec', 'source', 'path'), `apps/${s.name}/overlays/${cluster.name}`);
        assert.deepEqual(at(app, 'spec', 'destination'), { server: 'https://kubernetes.default.svc', namespace: s.namespace });
        assert.deepEqual(at(app, 'spec', 'syncPolicy', 'automated'), { prune: true, selfHeal: true });
        const options = at(app, 'spec', 'syncPolicy', 'syncOptions') as string[];
        assert.ok(options.includes('CreateNamespace=false'));
        assert.ok(options.includes('FailOnSharedResource=true'));
        assert.ok(!options.includes('CreateNamespace=true'));

        const patches = at(app, 'spec', 'source', 'kustomize', 'patches') as JsonObject[];
        assert.equal(patches.length, 1);
        assert.deepEqual(at(patches[0], 'target'), { group: 'networking.k8s.io', kind: 'Ingress' });
        const patch = loadAll(at(patches[0], 'patch') as string) as JsonObject[];
        assert.equal(patch.length, 1);
        assert.equal(at(patch[0], 'kind'), 'Ingress');
        assert.deepEqual(at(patch[0], 'metadata', 'annotations'), {
          'external-dns.alpha.kubernetes.io/aws-weight': String(cluster.weight),
          'external-dns.alpha.kubernetes.io/set-identifier': cluster.name,
          'external-dns.alpha.kubernetes.io/ttl': '60',
        });
      });
    }
  }

  test('paths are under manifests.path when the manifests are not at the repository root', () => {
    const files = deriveClusterFiles({ ...PLATFORM, manifests: { ...PLATFORM.manifests, path: './deploy/k8s/', branch: 'release' } }, green);
    const app = only(files, 'clusters/green/argocd/apps/antenna.yaml');
    assert.equal(at(app, 'spec', 'source', 'path'), 'deploy/k8s/apps/antenna/overlays/green');
    assert.equal(at(app, 'spec', 'source', 'targetRevision'), 'release');
    assert.equal(at(only(files, 'clusters/green/argocd/root.yaml'), 'spec', 'source', 'path'), 'deploy/k8s/clusters/green/argocd');
    assert.equal(at(only(files, 'clusters/green/argocd/kaji-tenants.yaml'), 'spec', 'source', 'path'), 'deploy/k8s/clusters/green/tenants');
    assert.ok(files.every((f) => f.path.startsWith('clusters/green/')), 'file paths stay relative to the manifest folder');
  });
});

describe('a retiring cluster', () => {
  test('no service Application and no headroom placeholders; every other file byte for byte as before (root, projects, platform Applications, tenants, components)', () => {
    // The webhook and the headroom on: their other files, and kaji-platform, stay.
    const platform = { ...PLATFORM, webhook: definePlatform().webhook, capacity: definePlatform().capacity };
    const retiring = deriveClusterFiles(platform, { ...green, retiring: true }, { policyText: 'checks: {}\n' });
    const serving = deriveClusterFiles(platform, green, { policyText: 'checks: {}\n' });
    assert.ok(retiring.some((f) => f.path.startsWith('clusters/green/platform/webhook/')) && retiring.some((f) => f.path.startsWith('clusters/green/platform/headroom/')));
    const apps = (path: string) => path.startsWith('clusters/green/argocd/apps/');
    const placeholders = (path: string) => path === 'clusters/green/platform/headroom/deployment.yaml';
    assert.deepEqual(
      serving.filter((f) => apps(f.path)).map((f) => f.path),
      SERVICES.map((s) => `clusters/green/argocd/apps/${s.name}.yaml`).sort(),
    );
    assert.ok(serving.some((f) => placeholders(f.path)));
    assert.deepEqual(retiring.filter((f) => apps(f.path) || placeholders(f.path)), []);
    assert.deepEqual(retiring, serving.filter((f) => !apps(f.path) && !placeholders(f.path)));
    for (const kept of ['root.yaml', 'kaji-tenants.yaml', 'kaji-platform.yaml', 'projects/kaji-root.yaml', 'projects/kaji-platform.yaml', 'projects/antenna.yaml']) {
      assert.ok(retiring.some((f) => f.path === `clusters/green/argocd/${kept}`), kept);
    }
  });
});

describe('root and platform applications', () => {
  test('the root application syncs the cluster argocd folder recursively, under a project limited to Argo CD objects', () => {
    const root = only(blueFiles, 'clusters/blue/argocd/root.yaml');
    assert.equal(at(root, 'metadata', 'name'), 'kaji-root');
    assert.equal(at(root, 'spec', 'project'), 'kaji-root');
    assert.equal(at(root, 'spec', 'source', 'path'), 'clusters/blue/argocd');
    assert.deepEqual(at(root, 'spec', 'source', 'directory'), { recurse: true });
    assert.deepEqual(at(root, 'spec', 'destination'), { server: 'https://kubernetes.default.svc', namespace: 'argocd' });
    assert.deepEqual(at(root, 'spec', 'syncPolicy', 'automated'), { prune: true, selfHeal: true });
    assert.equal(at(root, 'metadata', 'finalizers'), undefined, 'deleting the root must not cascade');

    const project = only(blueFiles, 'clusters/blue/argocd/projects/kaji-root.yaml');
    assert.deepEqual(at(project, 'spec', 'sourceRepos'), [REPO]);
    assert.deepEqual(at(project, 'spec', 'destinations'), [{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }]);
    assert.deepEqual(at(project, 'spec', 'clusterResourceWhitelist'), []);
    assert.deepEqual(at(project, 'spec', 'namespaceResourceWhitelist'), [
      { group: 'argoproj.io', kind: 'AppProject' },
      { group: 'argoproj.io', kind: 'Application' },
    ]);
    assert.deepEqual(bootstrapObjects(PLATFORM, blue), [project, root]);
  });

  test('kaji-tenants syncs the guardrails under kaji-platform: tenant namespaces and kaji-system; Namespace and the components\' kinds, also while they are off', () => {
    const app = only(blueFiles, 'clusters/blue/argocd/kaji-tenants.yaml');
    assert.equal(at(app, 'spec', 'project'), 'kaji-platform');
    assert.equal(at(app, 'spec', 'source', 'path'), 'clusters/blue/tenants');
    assert.deepEqual(at(app, 'spec', 'source', 'directory'), { recurse: true });
    assert.equal(at(app, 'metadata', 'finalizers'), undefined, 'deleting it must not delete every tenant namespace');
    const wave = (path: string) => Number(at(only(blueFiles, path), 'metadata', 'annotations', 'argocd.argoproj.io/sync-wave'));
    assert.ok(wave('clusters/blue/argocd/projects/antenna.yaml') < wave('clusters/blue/argocd/kaji-tenants.yaml'));
    assert.ok(wave('clusters/blue/argocd/kaji-tenants.yaml') < wave('clusters/blue/argocd/apps/antenna.yaml'));

    const project = only(blueFiles, 'clusters/blue/argocd/projects/kaji-platform.yaml');
    assert.deepEqual(at(project, 'spec', 'sourceRepos'), [REPO]);
    assert.deepEqual(
      (at(project, 'spec', 'destinations') as JsonObject[]).map((d) => [d.server, d.namespace]),
      ['anon-diary', 'antenna', 'feed-crawler', 'kaji-system'].map((ns) => ['https://kubernetes.default.svc', ns]),
    );
    // The webhook and headroom are off (only kaji-system's Namespace is written), yet their kinds stay allowed: Argo CD prunes only what the project permits.
    assert.deepEqual(at(project, 'spec', 'clusterResourceWhitelist'), [
      { group: '', kind: 'Namespace' },
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
      { group: 'scheduling.k8s.io', kind: 'PriorityClass' },
    ]);
    assert.deepEqual(blueFiles.filter((file) => file.path.startsWith('clusters/blue/platform/')).map((file) => file.path), ['clusters/blue/platform/headroom/namespace.yaml']);
  });
});

describe('tenant guardrails', () => {
  test('Namespace: team and service labels, Pod Security Admission at the service level, audit and warn at restricted', () => {
    const antenna = only(blueFiles, 'clusters/blue/tenants/antenna/namespace.yaml');
    assert.equal(antenna.kind, 'Namespace');
    assert.equal(at(antenna, 'metadata', 'namespace'), undefined);
    assert.deepEqual(at(antenna, 'metadata', 'labels'), {
      'app.kubernetes.io/managed-by': 'kaji',
      'kaji.dev/service': 'antenna',
      'kaji.dev/team': 'feeds',
      'kubernetes.io/metadata.name': 'antenna',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const diary = only(blueFiles, 'clusters/blue/tenants/diary/namespace.yaml');
    assert.equal(at(diary, 'metadata', 'name'), 'anon-diary');
    assert.equal(at(diary, 'metadata', 'labels', 'kubernetes.io/metadata.name'), 'anon-diary');
    assert.equal(at(diary, 'metadata', 'labels', 'pod-security.kubernetes.io/enforce'), 'baseline');
    assert.equal(at(diary, 'metadata', 'labels', 'kaji.dev/team'), 'writers');
  });

  test('ResourceQuota: requests and memory limits from the quota, pods, storage, no load balancers or node ports, no pods at system priority', () => {
    const [quota, systemPriority, ...more] = docs(blueFiles, 'clusters/blue/tenants/antenna/resourcequota.yaml');
    assert.equal(more.length, 0);
    assert.equal(at(systemPriority, 'metadata', 'namespace'), 'antenna');
    assert.deepEqual(at(systemPriority, 'spec'), {
      hard: { pods: '0' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-cluster-critical', 'system-node-critical'] }] },
    });
    assert.equal(at(quota, 'metadata', 'namespace'), 'antenna');
    assert.deepEqual(at(quota, 'spec', 'hard'), {
      'limits.memory': '12Gi',
      persistentvolumeclaims: '0',
      pods: '40',
      'requests.cpu': '6',
      'requests.memory': '12Gi',
      'requests.storage': '0',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
    const [crawler] = docs(blueFiles, 'clusters/blue/tenants/feed-crawler/resourcequota.yaml');
    assert.equal(at(crawler, 'spec', 'hard', 'requests.cpu'), '2');
    assert.equal(at(crawler, 'spec', 'hard', 'pods'), '10');
    // The service's own count of claims, not its pods: each claim is an EBS volume, however small it asks to be.
    assert.equal(at(crawler, 'spec', 'hard', 'requests.storage'), '20Gi');
    assert.equal(at(crawler, 'spec', 'hard', 'persistentvolumeclaims'), '25');
  });

  test('LimitRange: default requests and limits for containers that do not say', () => {
    const range = only(blueFiles, 'clusters/blue/tenants/diary/limitrange.yaml');
    assert.equal(at(range, 'metadata', 'namespace'), 'anon-diary');
    assert.deepEqual(at(range, 'spec', 'limits'), [
      { type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '50m', memory: '64Mi' } },
    ]);
  });

  test('NetworkPolicy: default deny of both directions for every pod, then same namespace, DNS, Pod Identity, and the load balancer', () => {
    const policies = docs(blueFiles, 'clusters/blue/tenants/antenna/networkpolicies.yaml');
    for (const policy of policies) {
      assert.equal(policy.kind, 'NetworkPolicy');
      assert.equal(at(policy, 'metadata', 'namespace'), 'antenna');
      assert.deepEqual(at(policy, 'spec', 'podSelector'), {}, 'every policy selects every pod of the namespace');
    }
    assert.deepEqual(
      policies.map((p) => at(p, 'metadata', 'name')),
      ['kaji-default-deny', 'kaji-allow-same-namespace', 'kaji-allow-dns', 'kaji-allow-pod-identity', 'kaji-allow-load-balancer', 'kaji-allow-to-services'],
    );
    const deny = byName(policies, 'kaji-default-deny');
    assert.deepEqual(at(deny, 'spec'), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

    const same = byName(policies, 'kaji-allow-same-namespace');
    assert.deepEqual(at(same, 'spec', 'ingress'), [{ from: [{ podSelector: {} }] }]);
    assert.deepEqual(at(same, 'spec', 'egress'), [{ to: [{ podSelector: {} }] }]);

    const dns = byName(policies, 'kaji-allow-dns');
    assert.deepEqual(at(dns, 'spec', 'policyTypes'), ['Egress']);
    assert.deepEqual(at(dns, 'spec', 'egress'), [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);

    const podIdentity = byName(policies, 'kaji-allow-pod-identity');
    assert.deepEqual(at(podIdentity, 'spec'), {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    });

    const lb = byName(policies, 'kaji-allow-load-balancer');
    assert.deepEqual(at(lb, 'spec', 'policyTypes'), ['Ingress']);
    assert.deepEqual(at(lb, 'spec', 'ingress'), [{ from: [{ ipBlock: { cidr: '10.0.0.0/20' } }] }]);
    assert.equal(at(lb, 'spec', 'egress'), undefined);

    // antenna asked for no egress and nobody calls it: nothing to the internet, nothing in from other namespaces.
    for (const policy of policies) {
      const text = JSON.stringify(policy);
      assert.ok(!text.includes('0.0.0.0/0'), String(at(policy, 'metadata', 'name')));
      assert.ok(!/"namespaceSelector":\{\}/.test(text), String(at(policy, 'metadata', 'name')));
      assert.equal(at(policy, 'spec', 'ingress', 0, 'from', 0, 'namespaceSelector'), undefined, String(at(policy, 'metadata', 'name')));
    }
  });

  test('allowFrom: ingress from exactly the callers\' namespaces in the callee, egress to the callee in each caller', () => {
    const diary = docs(blueFiles, 'clusters/blue/tenants/diary/networkpolicies.yaml');
    const from = byName(diary, 'kaji-allow-from-services');
    assert.deepEqual(at(from, 'metadata', 'namespace'), 'anon-diary');
    assert.deepEqual(at(from, 'spec'), {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'antenna' } } },
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'feed-crawler' } } },
          ],
        },
      ],
    });
    // The diary calls nobody, so it gets no egress to other namespaces.
    assert.ok(!diary.some((p) => at(p, 'metadata', 'name') === 'kaji-allow-to-services'));

    for (const caller of ['antenna', 'feed-crawler']) {
      const policies = docs(blueFiles, `clusters/blue/tenants/${caller}/networkpolicies.yaml`);
      const to = byName(policies, 'kaji-allow-to-services');
      assert.equal(at(to, 'metadata', 'namespace'), caller);
      assert.deepEqual(at(to, 'spec'), {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'anon-diary' } } }] }],
      });
      // Nobody lists the callers in allowFrom: no ingress from other namespaces.
      assert.ok(!policies.some((p) => at(p, 'metadata', 'name') === 'kaji-allow-from-services'), caller);
    }
  });

  test('egress: the internet without private, shared or link-local ranges on 443 and 80; CIDRs on their ports', () => {
    const policies = docs(blueFiles, 'clusters/blue/tenants/feed-crawler/networkpolicies.yaml');
    assert.deepEqual(
      policies.map((p) => at(p, 'metadata', 'name')),
      ['kaji-default-deny', 'kaji-allow-same-namespace', 'kaji-allow-dns', 'kaji-allow-pod-identity', 'kaji-allow-to-services', 'kaji-allow-egress'],
    );
    const egress = byName(policies, 'kaji-allow-egress');
    assert.deepEqual(at(egress, 'spec', 'policyTypes'), ['Egress']);
    assert.equal(at(egress, 'spec', 'ingress'), undefined);
    assert.deepEqual(at(egress, 'spec', 'egress'), [
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } }],
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 80 },
        ],
      },
      { to: [{ ipBlock: { cidr: '10.0.16.0/20' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      // No ports: every port and protocol to the block.
      { to: [{ ipBlock: { cidr: '10.0.32.0/20' } }] },
    ]);
  });

  test('no egress rule reaches the instance metadata service: blocks that hold it except it', () => {
    const wide = service({
      name: 'wide',
      team: 'feeds',
      egress: [
        { kind: 'cidr', cidr: '0.0.0.0/0', ports: [443] },
        { kind: 'cidr', cidr: '169.254.0.0/16', ports: [] },
        { kind: 'cidr', cidr: '::/0', ports: [] },
        { kind: 'cidr', cidr: '10.0.0.0/8', ports: [] },
      ],
    });
    const files = deriveClusterFiles({ ...PLATFORM, services: [...SERVICES, wide] }, blue);
    const rules = byName(docs(files, 'clusters/blue/tenants/wide/networkpolicies.yaml'), 'kaji-allow-egress');
    assert.deepEqual(
      (at(rules, 'spec', 'egress') as JsonObject[]).map((rule) => at(rule, 'to', 0, 'ipBlock')),
      [
        { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] },
        { cidr: '169.254.0.0/16', except: ['169.254.169.254/32'] },
        { cidr: '::/0', except: ['fd00:ec2::254/128'] },
        { cidr: '10.0.0.0/8' },
      ],
    );

    // Over every generated policy: an allowed ipBlock never holds IMDS unless an except takes it out.
    for (const f of files.filter((x) => x.path.endsWith('/networkpolicies.yaml'))) {
      for (const policy of loadAll(f.content) as JsonObject[]) {
        for (const rule of (at(policy, 'spec', 'egress') ?? []) as JsonObject[]) {
          for (const peer of (rule.to ?? []) as JsonObject[]) {
            const block = peer.ipBlock as { cidr: string; except?: string[] } | undefined;
            if (!block) continue;
            const parsed = parseCidr(block.cidr);
            assert.ok(parsed.ok, block.cidr);
            for (const imds of ['169.254.169.254', 'fd00:ec2::254']) {
              if (!cidrContains(parsed.cidr, imds)) continue;
              const excepted = (block.except ?? []).some((except) => {
                const e = parseCidr(except);
                return e.ok && cidrContains(e.cidr, imds);
              });
              assert.ok(excepted, `${f.path} ${String(at(policy, 'metadata', 'name'))}: ${block.cidr} lets pods reach ${imds}`);
            }
          }
        }
      }
    }
  });

  test('a service without public hosts gets no load balancer ingress; the load balancer subnets come from network.loadBalancerCidrs', () => {
    const names = docs(blueFiles, 'clusters/blue/tenants/diary/networkpolicies.yaml').map((p) => at(p, 'metadata', 'name'));
    assert.ok(names.includes('kaji-allow-load-balancer'));
    const crawler = docs(blueFiles, 'clusters/blue/tenants/feed-crawler/networkpolicies.yaml').map((p) => at(p, 'metadata', 'name'));
    assert.ok(!crawler.includes('kaji-allow-load-balancer'));

    const files = deriveClusterFiles({ ...PLATFORM, network: { loadBalancerCidrs: ['10.1.4.0/24', '10.1.0.0/24', '10.1.4.0/24'], awsEndpoints: [] } }, blue);
    const lb = byName(docs(files, 'clusters/blue/tenants/antenna/networkpolicies.yaml'), 'kaji-allow-load-balancer');
    assert.deepEqual(at(lb, 'spec', 'ingress'), [{ from: [{ ipBlock: { cidr: '10.1.0.0/24' } }, { ipBlock: { cidr: '10.1.4.0/24' } }] }]);
  });

  test('RBAC: a Role in the namespace bound to the team group only, read-mostly, no secrets, exec or attach', () => {
    const [role, binding] = docs(blueFiles, 'clusters/blue/tenants/diary/rbac.yaml') as [JsonObject, JsonObject];
    assert.equal(role.kind, 'Role');
    assert.equal(at(role, 'metadata', 'namespace'), 'anon-diary');
    assert.equal(binding.kind, 'RoleBinding');
    assert.equal(at(binding, 'metadata', 'namespace'), 'anon-diary');
    assert.deepEqual(at(binding, 'roleRef'), { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: at(role, 'metadata', 'name') });
    assert.deepEqual(at(binding, 'subjects'), [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'kaji:team:writers' }]);

    const rules = at(role, 'rules') as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const granted = rules.flatMap((rule) =>
      rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`))),
    );
    for (const entry of granted) {
      assert.ok(!entry.includes('*'), entry);
      assert.ok(!/secrets|pods\/exec|pods\/attach|roles|rolebindings|networkpolicies:(create|update|patch|delete)/.test(entry), entry);
      const [, verb] = entry.split(':');
      if (!['get', 'list', 'watch'].includes(verb as string)) assert.ok(['/pods:delete', '/pods/portforward:create'].includes(entry), entry);
    }
    assert.ok(granted.includes('/pods/log:get'));
    assert.ok(granted.includes('apps/deployments:list'));
  });
});

describe('weighted DNS', () => {
  test('dnsAnnotations: set identifier = cluster, weight = the cluster weight, short TTL', () => {
    assert.deepEqual(dnsAnnotations(PLATFORM, blue), {
      'external-dns.alpha.kubernetes.io/aws-weight': '255',
      'external-dns.alpha.kubernetes.io/set-identifier': 'blue',
      'external-dns.alpha.kubernetes.io/ttl': '60',
    });
    assert.equal(dnsAnnotations(PLATFORM, green)['external-dns.alpha.kubernetes.io/aws-weight'], '0');
  });

  test('annotateIngresses annotates every Ingress (overriding the same keys), leaves other objects and the input alone', () => {
    const ingress: JsonObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', annotations: { 'external-dns.alpha.kubernetes.io/aws-weight': '7', 'alb.ingress.kubernetes.io/scheme': 'internet-facing' } },
    };
    const bare: JsonObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'bare' } };
    const service: JsonObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } };
    const before = JSON.stringify([ingress, bare, service]);
    const [a, b, c] = annotateIngresses([ingress, bare, service], dnsAnnotations(PLATFORM, green));
    assert.equal(JSON.stringify([ingress, bare, service]), before, 'input not modified');
    assert.deepEqual(at(a, 'metadata', 'annotations'), {
      'external-dns.alpha.kubernetes.io/aws-weight': '0',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'external-dns.alpha.kubernetes.io/set-identifier': 'green',
      'external-dns.alpha.kubernetes.io/ttl': '60',
    });
    assert.equal(at(b, 'metadata', 'annotations', 'external-dns.alpha.kubernetes.io/set-identifier'), 'green');
    assert.equal(at(b, 'metadata', 'name'), 'bare');
    assert.equal(c, service);
  });
});

describe('platform components and errors', () => {
  const nodePools: PlatformComponent = {
    name: 'karpenter',
    clusterScopedKinds: [{ group: 'karpenter.sh', kind: 'NodePool' }],
    namespaces: ['kube-system'],
    derive: (_platform, cluster) => [
      { path: 'nodepools.yaml', content: `apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: ${cluster.name}-spot\n` },
    ],
  };

  test('a component writes under platform/<name>/ with the marker, and gets the platform application and its kinds', () => {
    const files = deriveClusterFiles(PLATFORM, green, { components: [nodePools] });
    const nodepool = file(files, 'clusters/green/platform/karpenter/nodepools.yaml');
    assert.ok(isGeneratedFile(nodepool.content));
    assert.match(nodepool.content, /name: green-spot/);
    const app = only(files, 'clusters/green/argocd/kaji-platform.yaml');
    assert.equal(at(app, 'spec', 'project'), 'kaji-platform');
    assert.equal(at(app, 'spec', 'source', 'path'), 'clusters/green/platform');
    const project = only(files, 'clusters/green/argocd/projects/kaji-platform.yaml');
    assert.deepEqual(at(project, 'spec', 'clusterResourceWhitelist'), [
      { group: '', kind: 'Namespace' },
      { group: 'karpenter.sh', kind: 'NodePool' },
    ]);
    assert.ok((at(project, 'spec', 'destinations') as JsonObject[]).some((d) => d.namespace === 'kube-system'));
  });

  test('a component file that escapes its folder is refused', () => {
    for (const path of ['../../../apps/antenna/base/deployment.yaml', '/etc/x.yaml', 'a//b.yaml', './x.yaml']) {
      const bad: PlatformComponent = { ...nodePools, derive: () => [{ path, content: 'kind: X\n' }] };
      assert.throws(() => deriveClusterFiles(PLATFORM, blue, { components: [bad] }), DeriveError, path);
    }
  });

  test('allowFrom naming no other service of the platform is refused', () => {
    for (const caller of ['nobody', 'antenna']) {
      const platform = { ...PLATFORM, services: [service({ name: 'antenna', team: 'feeds', allowFrom: [caller] })] };
      assert.throws(() => deriveClusterFiles(platform, blue), (error: Error) => error instanceof DeriveError && error.message.includes(`"${caller}"`));
    }
  });

  test('a service named like a kaji application or Argo CD default project is refused', () => {
    for (const name of ['kaji-root', 'kaji-platform', 'kaji-tenants', 'default']) {
      const platform = { ...PLATFORM, services: [service({ name, team: 'feeds', namespace: `ns-${name}` })] };
      assert.throws(() => deriveClusterFiles(platform, blue), (error: Error) => error instanceof DeriveError && error.message.includes(`"${name}"`));
    }
  });
});

describe('the example platform', () => {
  const labs = new URL('../../examples/labs/', import.meta.url);

  test('its manifests hold exactly the generated files derive writes, byte for byte', async () => {
    const platform = await loadPlatform(fileURLToPath(new URL('platform.yaml', labs)));
    const policyText = await readFile(new URL('polaris.yaml', labs), 'utf8');
    const manifests = fileURLToPath(new URL('manifests/', labs));
    // The VerticalPodAutoscalers follow the workloads each overlay renders, as synth renders them.
    const derived = [];
    for (const cluster of platform.clusters) {
      const workloads = new Map<string, WorkloadRef[]>();
      for (const s of platform.services) {
        const rendered = await renderKustomization(join(manifests, 'apps', s.name, 'overlays', cluster.name));
        workloads.set(s.name, recommendedWorkloads(loadAll(rendered) as JsonObject[]));
      }
      derived.push(...deriveClusterFiles(platform, cluster, { policyText, workloads }));
    }
    const committed = (await readdir(join(manifests, 'clusters'), { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => relative(manifests, join(entry.parentPath, entry.name)));
    const generated = [];
    for (const path of committed) if (isGeneratedFile(await readFile(join(manifests, path), 'utf8'))) generated.push(path);
    const redo = 'npm run build && node dist/cli/main.js synth examples/labs';
    assert.deepEqual(generated.sort(), derived.map((f) => f.path).sort(), `generated files differ from derive's: ${redo}`);
    for (const file of derived) assert.equal(await readFile(join(manifests, file.path), 'utf8'), file.content, `${file.path} is out of date: ${redo}`);
  });
});
