import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import {
  kajiVersion,
  loadPlatform,
  parsePlatform,
  platformSchemaJson,
  PlatformError,
  PlatformErrors,
  SUPPORTED_KUBERNETES_VERSIONS,
  type PlatformDefinition,
} from '../../src/platform/index.js';
import { fillTemplate } from '../../src/cli/init.js';
import { validate as generatedValidator } from '../../src/platform/definition/platform-validator.generated.js';
import { compilePlatformValidator, platformValidatorSource } from '../../src/platform/definition/validator-source.js';
import { runBounded } from '../support/bounded.js';
import { tempTree } from '../support/files.js';

const FILE = 'platform.yaml';

// Line numbers matter: tests edit single lines of this text, so every error's
// line and column below can be read off it.
const MINIMAL = `platform:
  name: labs
  region: eu-west-1
  account: "111122223333"
  domain: labs.example.com
manifests:
  url: https://github.com/labs/manifests.git
clusters:
  - name: blue
    kubernetesVersion: "1.32"
    weight: 255
teams:
  - name: blog
    identity: arn:aws:iam::111122223333:role/team-blog
services:
  - name: antenna
    team: blog
    image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna
    quota: {cpu: 2, memory: 4Gi, pods: 20}
`;

/** MINIMAL with one exact piece of text replaced (which must occur). */
function edit(from: string, to: string, text = MINIMAL): string {
  assert.ok(text.includes(from), `fixture does not contain ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** MINIMAL with more services appended (from line 20 on). */
function withServices(lines: string, text = MINIMAL): string {
  return text + lines;
}

/** The lines `kaji synth` would print for a definition, or [] when it is valid. */
function problems(text: string): string[] {
  try {
    parsePlatform(text, FILE);
    return [];
  } catch (error) {
    assert.ok(error instanceof PlatformErrors, `expected PlatformErrors, got ${String(error)}`);
    return error.describe().split('\n');
  }
}

function assertProblems(text: string, expected: string[]): void {
  assert.deepEqual(problems(text), expected);
}

const MINIMAL_RESULT: PlatformDefinition = {
  file: resolve(FILE),
  platform: { name: 'labs', region: 'eu-west-1', account: '111122223333', domain: 'labs.example.com', adminRoles: [], apiEndpointCidrs: [] },
  manifests: { url: 'https://github.com/labs/manifests.git', branch: 'main', path: '.', localPath: 'manifests' },
  clusters: [{ name: 'blue', kubernetesVersion: '1.32', weight: 255, retiring: false }],
  capacity: {
    capacityTypes: ['spot', 'on-demand'],
    instanceCategories: ['c', 'm', 'r'],
    instanceFamilies: [],
    architectures: ['amd64'],
    headroom: { kind: 'percent', percent: 10, image: 'registry.k8s.io/pause:3.10.2' },
    limits: { cpu: '256', memory: '1024Gi' },
    expireAfter: '720h',
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m', budgets: [{ nodes: '10%' }] },
  },
  network: { vpcCidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], loadBalancerCidrs: ['10.0.0.0/20'], awsEndpoints: [] },
  policy: 'polaris.yaml',
  imageAllowlist: [],
  webhook: { enabled: true, failurePolicy: 'Fail', timeoutSeconds: 5, image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/kaji:${kajiVersion()}` },
  teams: [{ name: 'blog', identity: 'arn:aws:iam::111122223333:role/team-blog' }],
  services: [
    {
      name: 'antenna',
      team: 'blog',
      namespace: 'antenna',
      image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna',
      quota: { cpu: '2', memory: '4Gi', pods: 20, storage: '0', persistentVolumeClaims: 0 },
      defaults: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      hosts: [],
      podSecurity: 'restricted',
      allowFrom: [],
      egress: [],
    },
  ],
};

describe('valid definitions', () => {
  test('GIVEN the minimal definition WHEN parsed THEN every default is filled', () => {
    assert.deepEqual(parsePlatform(MINIMAL, FILE), MINIMAL_RESULT);
  });

  test('GIVEN every key set WHEN parsed THEN the values are kept and quantities are canonical', () => {
    const text = `# yaml-language-server: $schema=../schema/platform.schema.json
platform:
  name: labs
  region: us-gov-west-1
  account: "011122223333"
  domain: labs.example.com
  adminRoles: [arn:aws-us-gov:iam::011122223333:role/platform-admins]
  apiEndpointCidrs: [203.0.113.0/24, 198.51.100.7/32]
  githubOidcProviderArn: arn:aws-us-gov:iam::011122223333:oidc-provider/token.actions.githubusercontent.com
  hostedZoneId: Z0123456789ABCDEFGHIJ
manifests:
  url: git@github.com:labs/manifests.git
  branch: release
  path: platform
  localPath: ../manifests
clusters:
  - name: blue
    kubernetesVersion: "1.32"
    weight: 255
  - name: green
    kubernetesVersion: "1.35"
    weight: 0
    retiring: true
capacity:
  capacityTypes: [on-demand]
  instanceCategories: [m]
  instanceFamilies: [m7g, c7g]
  architectures: [arm64, amd64]
  headroom: {cpu: 1.5, memory: 2048Mi}
  limits: {cpu: 64, memory: 0.25Ti}
  expireAfter: 168h
  disruption:
    consolidationPolicy: WhenEmpty
    consolidateAfter: 10m
    budgets:
      - {nodes: 2}
      - {nodes: "0", reasons: [Underutilized, Drifted], schedule: "0 9 * * mon-fri", duration: 8h30m}
network:
  vpcCidr: 10.1.0.0/16
  availabilityZones: [us-gov-west-1c, us-gov-west-1a, us-gov-west-1b]
  loadBalancerCidrs: [10.1.0.0/22, 10.1.4.0/22, "10.1.8.0/22"]
  awsEndpoints: [sqs, sts]
policy: policy/polaris.yaml
imageAllowlist: [public.ecr.aws/labs/]
webhook: {enabled: false, failurePolicy: Ignore, timeoutSeconds: 10, image: "registry.example.com:5000/platform/kaji@sha256:${'a'.repeat(64)}"}
teams:
  - name: blog
    identity: arn:aws-us-gov:iam::111122223333:role/team-blog
  - name: tools
    identity: arn:aws-us-gov:iam::111122223333:role/tools
services:
  - name: antenna
    team: blog
    namespace: feeds
    image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/labs/antenna
    sourceRepository: labs/antenna
    quota: {cpu: 0.5, memory: 1.5Gi, pods: 10, storage: 0.5Ti}
    defaults:
      requests: {cpu: 50m}
      limits: {cpu: 200m, memory: 1000Mi}
    hosts: [antenna.labs.example.com, labs.example.com]
    podSecurity: baseline
    allowFrom: [diary]
    egress:
      - internet
      - {cidr: 10.0.16.0/20, ports: [443, 3306]}
      - {cidr: "2600:1f18:abcd::/48"}
  - name: diary
    team: tools
    image: localhost:5000/diary
    quota: {cpu: "4", memory: 8e9, pods: 5}
`;
    const expected: PlatformDefinition = {
      file: resolve(FILE),
      platform: {
        name: 'labs',
        region: 'us-gov-west-1',
        account: '011122223333',
        domain: 'labs.example.com',
        adminRoles: ['arn:aws-us-gov:iam::011122223333:role/platform-admins'],
        apiEndpointCidrs: ['203.0.113.0/24', '198.51.100.7/32'],
        githubOidcProviderArn: 'arn:aws-us-gov:iam::011122223333:oidc-provider/token.actions.githubusercontent.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      },
      manifests: { url: 'git@github.com:labs/manifests.git', branch: 'release', path: 'platform', localPath: '../manifests' },
      clusters: [
        { name: 'blue', kubernetesVersion: '1.32', weight: 255, retiring: false },
        { name: 'green', kubernetesVersion: '1.35', weight: 0, retiring: true },
      ],
      capacity: {
        capacityTypes: ['on-demand'],
        instanceCategories: ['m'],
        instanceFamilies: ['m7g', 'c7g'],
        architectures: ['arm64', 'amd64'],
        headroom: { kind: 'units', cpu: '1500m', memory: '2Gi', image: 'registry.k8s.io/pause:3.10.2' },
        limits: { cpu: '64', memory: '256Gi' },
        expireAfter: '168h',
        disruption: {
          consolidationPolicy: 'WhenEmpty',
          consolidateAfter: '10m',
          budgets: [{ nodes: '2' }, { nodes: '0', reasons: ['Underutilized', 'Drifted'], schedule: '0 9 * * mon-fri', duration: '8h30m' }],
        },
      },
      network: {
        vpcCidr: '10.1.0.0/16',
        availabilityZones: ['us-gov-west-1c', 'us-gov-west-1a', 'us-gov-west-1b'],
        loadBalancerCidrs: ['10.1.0.0/22', '10.1.4.0/22', '10.1.8.0/22'],
        awsEndpoints: ['sqs', 'sts'],
      },
      policy: 'policy/polaris.yaml',
      imageAllowlist: ['public.ecr.aws/labs/'],
      webhook: { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10, image: `registry.example.com:5000/platform/kaji@sha256:${'a'.repeat(64)}` },
      teams: [
        { name: 'blog', identity: 'arn:aws-us-gov:iam::111122223333:role/team-blog' },
        { name: 'tools', identity: 'arn:aws-us-gov:iam::111122223333:role/tools' },
      ],
      services: [
        {
          name: 'antenna',
          team: 'blog',
          namespace: 'feeds',
          image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/labs/antenna',
          sourceRepository: 'labs/antenna',
          quota: { cpu: '500m', memory: '1536Mi', pods: 10, storage: '512Gi', persistentVolumeClaims: 10 },
          defaults: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '200m', memory: '1000Mi' } },
          hosts: ['antenna.labs.example.com', 'labs.example.com'],
          podSecurity: 'baseline',
          allowFrom: ['diary'],
          egress: [
            { kind: 'internet' },
            { kind: 'cidr', cidr: '10.0.16.0/20', ports: [443, 3306] },
            { kind: 'cidr', cidr: '2600:1f18:abcd::/48', ports: [] },
          ],
        },
        {
          name: 'diary',
          team: 'tools',
          namespace: 'diary',
          image: 'localhost:5000/diary',
          quota: { cpu: '4', memory: '8G', pods: 5, storage: '0', persistentVolumeClaims: 0 },
          defaults: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          hosts: [],
          podSecurity: 'restricted',
          allowFrom: [],
          egress: [],
        },
      ],
    };
    assert.deepEqual(parsePlatform(text, FILE), expected);
  });

  test('GIVEN headroom as a percent WHEN parsed THEN it is kept as a percent', () => {
    const text = edit('teams:\n', 'capacity:\n  headroom: {percent: 0}\nteams:\n');
    assert.deepEqual(parsePlatform(text, FILE).capacity.headroom, { kind: 'percent', percent: 0, image: 'registry.k8s.io/pause:3.10.2' });
  });

  test('GIVEN a headroom image (a mirror) WHEN parsed THEN the placeholders use it, with units or a percent', () => {
    const mirror = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/mirror/pause:3.10.2';
    const withPercent = edit('teams:\n', `capacity:\n  headroom: {percent: 5, image: ${mirror}}\nteams:\n`);
    assert.deepEqual(parsePlatform(withPercent, FILE).capacity.headroom, { kind: 'percent', percent: 5, image: mirror });
    const withUnits = edit('teams:\n', `capacity:\n  headroom: {cpu: 2, memory: 4Gi, image: ${mirror}}\nteams:\n`);
    assert.deepEqual(parsePlatform(withUnits, FILE).capacity.headroom, { kind: 'units', cpu: '2', memory: '4Gi', image: mirror });
  });

  test('GIVEN a YAML anchor WHEN parsed THEN the alias is read like the anchor', () => {
    const text = edit('quota: {cpu: 2, memory: 4Gi, pods: 20}', 'quota: &q {cpu: 2, memory: 4Gi, pods: 20}') +
      '  - {name: diary, team: blog, image: x/diary, quota: *q}\n';
    assert.deepEqual(parsePlatform(text, FILE).services[1]?.quota, { cpu: '2', memory: '4Gi', pods: 20, storage: '0', persistentVolumeClaims: 0 });
  });

  test('GIVEN a file WHEN loaded THEN its absolute path is recorded', async (t) => {
    const tree = tempTree({ 'platform.yaml': MINIMAL });
    t.after(tree.cleanup);
    const file = tree.path('platform.yaml');
    assert.deepEqual(await loadPlatform(file), { ...MINIMAL_RESULT, file });
  });
});

describe('the platform admins and the AWS keys in the example and in kaji init\'s scaffold', () => {
  const text = (path: string): Promise<string> => readFile(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');

  test('the example names its admin role', async () => {
    const example = parsePlatform(await text('examples/labs/platform.yaml'), 'platform.yaml');
    assert.deepEqual(example.platform.adminRoles, ['arn:aws:iam::111122223333:role/labs-platform-admins']);
  });

  test('the scaffold shows adminRoles as a comment (a placeholder role would fail the deploy); uncommented, its placeholder is one admin role', async () => {
    const scaffold = fillTemplate(await text('templates/init/platform.yaml'), 'acme');
    assert.deepEqual(parsePlatform(scaffold, 'platform.yaml').platform.adminRoles, []);
    const uncommented = scaffold.replace(/^ {2}# (adminRoles:\n) {2}# ( {2}- )/m, '  $1  $2');
    assert.notEqual(uncommented, scaffold, 'the scaffold has a commented adminRoles list');
    assert.deepEqual(parsePlatform(uncommented, 'platform.yaml').platform.adminRoles, ['arn:aws:iam::123456789012:role/acme-platform-admins']);
  });

  test('the scaffold\'s commented AWS keys (API networks, OIDC provider, hosted zone, VPC), uncommented, load as written', async () => {
    const scaffold = fillTemplate(await text('templates/init/platform.yaml'), 'acme');
    const uncommented = scaffold
      .replace(/^ {2}# ((apiEndpointCidrs|githubOidcProviderArn|hostedZoneId): )/gm, '  $1')
      .replace(/^# (network:\n)# ( {2}vpcCidr: .*\n)# ( {2}availabilityZones: .*\n)/m, '$1$2$3');
    const parsed = parsePlatform(uncommented, 'platform.yaml');
    assert.deepEqual(
      { ...parsed.platform, network: parsed.network },
      {
        ...parsePlatform(scaffold, 'platform.yaml').platform,
        apiEndpointCidrs: ['203.0.113.0/24'],
        githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        network: { vpcCidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], loadBalancerCidrs: ['10.0.0.0/20'], awsEndpoints: [] },
      },
    );
    assert.match(uncommented, /^network:\n {2}vpcCidr/m, 'the network block was uncommented');
  });
});

describe('errors: reading and YAML', () => {
  test('a missing file', async () => {
    const file = join(tmpdir(), 'kaji-no-such-dir', 'platform.yaml');
    await assert.rejects(loadPlatform(file), (error: unknown) => {
      assert.ok(error instanceof PlatformErrors);
      assert.equal(error.describe(), `${file}: cannot read the platform definition: no such file or directory; check the path`);
      return true;
    });
  });

  test('a folder given as the file: the reason in words and what to do', async (t) => {
    const { root: dir, cleanup } = tempTree({});
    t.after(cleanup);
    await assert.rejects(loadPlatform(dir), (error: unknown) => {
      assert.ok(error instanceof PlatformErrors);
      assert.equal(error.describe(), `${dir}: cannot read the platform definition: illegal operation on a directory; it is a folder: give the path of a file`);
      return true;
    });
  });

  test("a second YAML document is named at its line, in kaji's words (not yaml's 'use parseAllDocuments()')", () => {
    const line = MINIMAL.split('\n').length;
    const second = 'a second YAML document starts here, but the platform definition is a single document; merge them into one, or remove this --- and all that follows it';
    assertProblems(`${MINIMAL.trimEnd()}\n---\nteams: []\n`, [`platform.yaml:${line}:1: ${second}`]);
    assertProblems(`${MINIMAL.trimEnd()}\n---\n`, [`platform.yaml:${line}:1: ${second}`]);
  });

  test('invalid YAML names the line and column', () => {
    assertProblems(edit('  region: eu-west-1', '  region: [eu-west-1'), [
      'platform.yaml:4:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('a key written twice', () => {
    assertProblems(edit('  domain: labs.example.com', '  domain: labs.example.com\n  name: labs2'), [
      'platform.yaml:6:3: invalid YAML: Map keys must be unique',
    ]);
  });

  test('an empty file and a file that is not a mapping', () => {
    assertProblems('', [
      'platform.yaml:1:1: the platform definition must be a mapping with platform, manifests, clusters, teams and services; the file is empty',
    ]);
    assertProblems('- a\n', [
      'platform.yaml:1:1: the platform definition must be a mapping with platform, manifests, clusters, teams and services; found a list',
    ]);
    // AND a long text is shortened in the message
    assert.match(problems(`${'x'.repeat(500)}\n`)[0]!, /; found "x{77}\.\.\."$/);
  });

  test('collections nested past what can be read are named as such', () => {
    // In a fresh process: how often yaml reports the overflow depends on how much stack is left
    const lines = runBounded(
      `import { parsePlatform } from './src/platform/index.ts';
       try { parsePlatform('a: ' + '['.repeat(100000) + ']'.repeat(100000) + '\\n', 'platform.yaml'); } catch (error) { console.log(error.describe()); }`,
      60,
    ).split('\n');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^platform\.yaml:1:\d+: invalid YAML: collections nested too deeply to read$/);
  });

  test('an unknown tag is refused, not read as if it were absent; YAML 1.1 tags too', () => {
    assertProblems(edit('  name: labs', '  name: !labs labs'), ['platform.yaml:2:9: invalid YAML: Unresolved tag: !labs']);
    assertProblems(edit('  name: labs', '  name: !!binary bGFicw=='), ['platform.yaml:2:9: invalid YAML: Unresolved tag: tag:yaml.org,2002:binary']);
  });

  test('a missing key quotes its description with acronyms and names as written, other first words in lowercase', () => {
    assertProblems(edit('  region: eu-west-1\n', '').replace('    weight: 255\n', ''), [
      'platform.yaml:1:1: platform.region: is required (AWS region the clusters run in, e.g. eu-west-1)',
      "platform.yaml:8:5: clusters[0].weight: is required (Route 53 weight of this cluster's records, 0-255: the share of traffic is weight / sum of weights)",
    ]);
    assertProblems(edit('    kubernetesVersion: "1.32"\n', ''), [
      'platform.yaml:9:5: clusters[0].kubernetesVersion: is required (Kubernetes minor version as EKS names it, quoted (e.g. "1.32"; unquoted YAML reads 1.30 as the number 1.3))',
    ]);
    assertProblems(edit('    identity: arn:aws:iam::111122223333:role/team-blog\n', ''), [
      'platform.yaml:13:5: teams[0].identity: is required (the IAM role whose members act as this team in the clusters (an EKS access entry), e.g. arn:aws:iam::111122223333:role/team-blog)',
    ]);
  });

  test('a long key or value is shortened in messages, by whole characters', () => {
    const [line] = problems(edit('  name: labs', `  name: labs\n  ${'k'.repeat(300)}: 1`));
    assert.ok(line!.length < 400, line);
    assert.match(problems(edit('  name: labs', `  name: "${'😀'.repeat(100)}"`))[0]!, new RegExp(`found "${'😀'.repeat(77)}\\.\\.\\."$`, 'u'));
  });

  test('a file that is not UTF-8 text (binary, or another encoding) is named as such', async (t) => {
    const tree = tempTree({});
    t.after(tree.cleanup);
    const file = tree.path('platform.yaml');
    await writeFile(file, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x70, 0x6c, 0x61]));
    await assert.rejects(loadPlatform(file), (error: unknown) => {
      assert.ok(error instanceof PlatformErrors);
      assert.equal(error.describe(), `${file}: the platform definition is not UTF-8 text (is it the right file?); save it as UTF-8 YAML`);
      return true;
    });
    // AND a BOM is no problem
    await writeFile(file, `\uFEFF${MINIMAL}`);
    assert.equal((await loadPlatform(file)).platform.name, 'labs');
  });
});

describe('errors: schema', () => {
  test('unknown keys, with "did you mean"', () => {
    assertProblems(edit('teams:', 'team:'), [
      'platform.yaml:1:1: teams: is required (the teams that own services)',
      'platform.yaml:12:1: team: unknown key "team" (did you mean "teams"?); allowed: platform, manifests, clusters, capacity, network, policy, imageAllowlist, webhook, argocd, teams, services',
    ]);
    assertProblems(edit('    quota: {', '    quta: {'), [
      "platform.yaml:16:5: services[0].quota: is required (the most the service's namespace may use in total (a ResourceQuota))",
      'platform.yaml:19:5: services[0].quta: unknown key "quta" (did you mean "quota"?); allowed: name, team, namespace, image, sourceRepository, quota, defaults, hosts, podSecurity, allowFrom, egress',
    ]);
  });

  test('a missing key is reported at the mapping that lacks it', () => {
    assertProblems(edit(', pods: 20}', '}'), [
      'platform.yaml:19:5: services[0].quota.pods: is required (most pods the namespace may run, up to 150000)',
    ]);
  });

  test('numbers where strings are expected say how to quote them', () => {
    assertProblems(edit('account: "111122223333"', 'account: 011122223333').replace('"1.32"', '1.30'), [
      'platform.yaml:4:12: platform.account: must be a string, found 11122223333; quote it: "011122223333"',
      'platform.yaml:10:24: clusters[0].kubernetesVersion: must be a string, found 1.3; quote it: "1.30"',
    ]);
  });

  test('a quoted number or boolean where one is expected says to unquote it; a quoted value that is none unquoted does not', () => {
    assertProblems(edit('weight: 255', 'weight: "255"'), ['platform.yaml:11:13: clusters[0].weight: must be a whole number, found "255"; unquote it: 255']);
    assertProblems(edit('    weight: 255\n', '    weight: 255\n    retiring: "true"\n'), ['platform.yaml:12:15: clusters[0].retiring: must be true or false, found "true"; unquote it: true']);
    assertProblems(edit('weight: 255', 'weight: "2.5"'), ['platform.yaml:11:13: clusters[0].weight: must be a whole number, found "2.5"']);
  });

  test('a mapping or list where the Kubernetes version goes is reported by its type, even with a key named toString', () => {
    assertProblems(edit('"1.32"', '{toString: 1}'), ['platform.yaml:10:24: clusters[0].kubernetesVersion: must be a string, found a mapping']);
    assertProblems(edit('"1.32"', '[{valueOf: 1}]'), ['platform.yaml:10:24: clusters[0].kubernetesVersion: must be a string, found a list']);
  });

  test('enums list what is allowed', () => {
    assertProblems(edit('teams:\n', 'capacity:\n  capacityTypes: [spot, ondemand]\n  architectures: [x86]\nteams:\n'), [
      'platform.yaml:13:25: capacity.capacityTypes[1]: must be one of spot, on-demand; found "ondemand" (did you mean "on-demand"?)',
      'platform.yaml:14:19: capacity.architectures[0]: must be one of amd64, arm64; found "x86"',
    ]);
    assertProblems(withServices('    podSecurity: strict\n'), [
      'platform.yaml:20:18: services[0].podSecurity: must be one of restricted, baseline, privileged; found "strict"',
    ]);
  });

  test('patterns say what a value must look like', () => {
    const text = edit('name: labs', 'name: Labs')
      .replace('eu-west-1\n', 'Ireland\n')
      .replace('"111122223333"', '"1111"')
      .replace('domain: labs.example.com', 'domain: https://labs.example.com')
      .replace('url: https://github.com/labs/manifests.git', 'url: github.com/labs/manifests')
      .replace('role/team-blog', 'user/blog');
    assertProblems(withServices('    sourceRepository: https://github.com/labs/antenna\n', text), [
      'platform.yaml:2:9: platform.name: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; found "Labs"',
      'platform.yaml:3:11: platform.region: must be an AWS region such as eu-west-1 or us-east-2; found "Ireland"',
      'platform.yaml:4:12: platform.account: must be a 12-digit AWS account ID such as "111122223333" (quote it, so YAML keeps leading zeros); found "1111"',
      'platform.yaml:5:11: platform.domain: must be a lowercase DNS name such as labs.example.com (labels of at most 63 letters, digits and "-", separated by dots); found "https://labs.example.com"',
      'platform.yaml:7:8: manifests.url: must be a git URL Argo CD can clone: https://..., ssh://... or git@host:owner/repo.git; found "github.com/labs/manifests"',
      'platform.yaml:14:15: teams[0].identity: must be an IAM role ARN such as arn:aws:iam::111122223333:role/team-blog; found "arn:aws:iam::111122223333:user/blog"',
      'platform.yaml:20:23: services[0].sourceRepository: must be a GitHub repository as owner/name, such as labs/antenna (an owner of at most 39 characters, a name of at most 100); found "https://github.com/labs/antenna"',
    ]);
  });

  test('a DNS label past 63 characters and a GitHub owner or repository name past GitHub\'s lengths are refused here, not by the shared stack', () => {
    const label = 'a'.repeat(64);
    assertProblems(edit('domain: labs.example.com', `domain: ${label}.example.com`), [
      `platform.yaml:5:11: platform.domain: must be a lowercase DNS name such as labs.example.com (labels of at most 63 letters, digits and "-", separated by dots); found "${label}.example.com"`,
    ]);
    assertProblems(withServices(`    sourceRepository: ${'o'.repeat(40)}/antenna\n`), [
      `platform.yaml:20:23: services[0].sourceRepository: must be a GitHub repository as owner/name, such as labs/antenna (an owner of at most 39 characters, a name of at most 100); found "${'o'.repeat(40)}/antenna"`,
    ]);
    // AND GitHub's longest names are kept
    const longest = `${'o'.repeat(39)}/${'n'.repeat(100)}`;
    assert.equal(parsePlatform(withServices(`    sourceRepository: ${longest}\n`), FILE).services[0]!.sourceRepository, longest);
    assert.equal(parsePlatform(edit('domain: labs.example.com', `domain: ${'a'.repeat(63)}.example.com`), FILE).platform.domain, `${'a'.repeat(63)}.example.com`);
  });

  test('the branch is a git branch name and the path a folder inside the repository (never an option, never outside)', () => {
    const manifests = (branch: string, path: string) => edit('  url: https://github.com/labs/manifests.git', `  url: https://github.com/labs/manifests.git\n  branch: "${branch}"\n  path: "${path}"`);
    assertProblems(manifests('--force', '../../..'), [
      'platform.yaml:8:11: manifests.branch: must be a git branch name such as main or release/2026 (no spaces or ~^:?*[\\, no ".." or "@{"; not starting with "-" or ".", not ending with "/", "." or ".lock"; not HEAD); found "--force"',
      'platform.yaml:9:9: manifests.path: must be a folder inside the repository, such as . or deploy/platform (relative, no ".." segment); found "../../.."',
    ]);
    assert.equal(problems(manifests('HEAD', 'deploy/../..')).length, 2);
    // AND what git and a folder path allow is kept
    for (const [branch, path] of [['release/2026', 'deploy/platform'], ['fix/#123', './deploy'], ['dependabot/npm_and_yarn/lodash-4.17.21', 'deploy/'], ['Feature+ü', '.'], ['main', 'déploiement/a b']]) {
      assert.deepEqual(problems(manifests(branch!, path!)), [], `${branch} ${path}`);
    }
  });

  test('a weight out of range', () => {
    assertProblems(edit('weight: 255', 'weight: 256'), ['platform.yaml:11:13: clusters[0].weight: must be between 0 and 255; found 256']);
    assertProblems(edit('weight: 255', 'weight: 1.5'), ['platform.yaml:11:13: clusters[0].weight: must be a whole number, found 1.5']);
  });

  test('a quota of pods or claims past what a cluster can hold (150,000 pods), as a typo or a number YAML already rounded', () => {
    const pods = 'quota: {cpu: 2, memory: 4Gi, pods: 20}';
    assertProblems(edit(pods, 'quota: {cpu: 2, memory: 4Gi, pods: 9007199254740993}'), ['platform.yaml:19:40: services[0].quota.pods: must be between 1 and 150000; found 9007199254740992']);
    assertProblems(edit(pods, 'quota: {cpu: 2, memory: 4Gi, pods: 150001}'), ['platform.yaml:19:40: services[0].quota.pods: must be between 1 and 150000; found 150001']);
    assertProblems(edit(pods, 'quota: {cpu: 2, memory: 4Gi, pods: 150000, storage: 1Ti, persistentVolumeClaims: 1e23}'), [
      'platform.yaml:19:86: services[0].quota.persistentVolumeClaims: must be between 0 and 150000; found 1e+23',
    ]);
  });

  test('no clusters', () => {
    assertProblems(edit('clusters:\n  - name: blue\n    kubernetesVersion: "1.32"\n    weight: 255\n', 'clusters: []\n'), [
      'platform.yaml:8:1: clusters: must list at least 1 item',
    ]);
  });
});

describe('errors: names and references', () => {
  test('cluster names must be DNS labels', () => {
    const long = 'a'.repeat(64);
    const text = withServices('', edit('  - name: blue\n', `  - name: Blue\n    kubernetesVersion: "1.32"\n    weight: 1\n  - name: blue_1\n    kubernetesVersion: "1.32"\n    weight: 1\n  - name: ${long}\n`));
    assertProblems(text, [
      'platform.yaml:9:11: clusters[0].name: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; found "Blue"',
      'platform.yaml:12:11: clusters[1].name: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; found "blue_1"',
      `platform.yaml:15:11: clusters[2].name: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters (it has 64 characters, at most 63 allowed); found "${long}"`,
    ]);
  });

  test('duplicate cluster, team and service names', () => {
    const text = edit('teams:\n', '  - name: blue\n    kubernetesVersion: "1.35"\n    weight: 0\nteams:\n')
      .replace('services:\n', '  - name: blog\n    identity: arn:aws:iam::111122223333:role/other\nservices:\n');
    assertProblems(withServices('  - name: antenna\n    team: blog\n    namespace: antenna2\n    image: x/antenna\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n', text), [
      'platform.yaml:12:11: clusters[1].name: cluster "blue" is already defined (clusters[0]); cluster names must be unique',
      'platform.yaml:18:11: teams[1].name: team "blog" is already defined (teams[0]); team names must be unique',
      'platform.yaml:25:11: services[1].name: service "antenna" is already defined (services[0]); service names must be unique',
    ]);
  });

  test('a cluster named "shared" is refused: its stack would be the shared stack\'s', () => {
    assertProblems(edit('  - name: blue', '  - name: shared'), [
      'platform.yaml:9:11: clusters[0].name: "shared" names the shared stack (<platform>-shared: VPC, DNS zone, ECR), so a cluster\'s stack cannot take it; name the cluster otherwise, e.g. blue',
    ]);
  });

  test('platform admin roles: IAM role ARNs (a path allowed), each once, none a team\'s identity too; a bad one named by file, line and field', () => {
    const admins = (list: string): string => edit('  domain: labs.example.com', `  domain: labs.example.com\n  adminRoles: ${list}`);
    assert.deepEqual(parsePlatform(admins('[arn:aws:iam::111122223333:role/admins, arn:aws:iam::111122223333:role/ops/break-glass]'), FILE).platform.adminRoles, [
      'arn:aws:iam::111122223333:role/admins',
      'arn:aws:iam::111122223333:role/ops/break-glass',
    ]);
    assertProblems(admins('[arn:aws:iam::111122223333:role/team-blog]'), [
      'platform.yaml:15:15: teams[0].identity: arn:aws:iam::111122223333:role/team-blog is already platform.adminRoles[0]: one IAM role has one access entry per cluster, so give each team and the platform admins roles of their own',
    ]);
    assertProblems(admins('[arn:aws:iam::111122223333:role/admins, arn:aws:iam::111122223333:user/alice]'), [
      'platform.yaml:6:55: platform.adminRoles[1]: must be an IAM role ARN such as arn:aws:iam::111122223333:role/team-blog; found "arn:aws:iam::111122223333:user/alice"',
    ]);
    assert.match(problems(admins('platform-admins')).join('\n'), /^platform\.yaml:6:\d+: platform\.adminRoles: /);
    assert.match(problems(admins('[arn:aws:iam::111122223333:role/a, arn:aws:iam::111122223333:role/a]')).join('\n'), /^platform\.yaml:6:\d+: platform\.adminRoles/);
  });

  test('a service whose team is not defined', () => {
    assertProblems(edit('    team: blog', '    team: blgo'), [
      'platform.yaml:17:11: services[0].team: team "blgo" is not defined (did you mean "blog"?); add it under teams (defined: blog)',
    ]);
  });

  test('duplicate namespaces, written or defaulted from the name', () => {
    const text = withServices(
      '  - name: diary\n    namespace: antenna\n    team: blog\n    image: x/diary\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n' +
        '  - name: feeds\n    team: blog\n    image: x/feeds\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n' +
        '  - name: reader\n    namespace: feeds\n    team: blog\n    image: x/reader\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n',
    );
    assertProblems(text, [
      'platform.yaml:21:16: services[1].namespace: namespace "antenna" is already used by service "antenna" (services[0]); each service needs its own namespace',
      'platform.yaml:30:16: services[3].namespace: namespace "feeds" is already used by service "feeds" (services[2]); each service needs its own namespace',
    ]);
    // The defaulted namespace of a later service collides with an earlier explicit one: reported at the name.
    const defaulted = withServices('  - name: diary\n    namespace: reader\n    team: blog\n    image: x/diary\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n' +
      '  - name: reader\n    team: blog\n    image: x/reader\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n');
    assertProblems(defaulted, [
      'platform.yaml:25:11: services[2].namespace: namespace "reader" (the service name; set namespace to choose another) is already used by service "diary" (services[1]); each service needs its own namespace',
    ]);
  });

  test('reserved namespaces', () => {
    const text = withServices(
      '  - name: diary\n    namespace: default\n    team: blog\n    image: x/diary\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n' +
        '  - name: argocd\n    team: blog\n    image: x/argocd\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n' +
        '  - name: feeds\n    namespace: kube-feeds\n    team: blog\n    image: x/feeds\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n' +
        '  - name: vault\n    namespace: external-secrets\n    team: blog\n    image: x/vault\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n',
    );
    const reserved =
      'is reserved for the system; tenants may not use kube-system, kube-public, kube-node-lease, default, argocd, kaji-system, cert-manager, external-dns, external-secrets or any name starting with "kube-"';
    assertProblems(text, [
      `platform.yaml:21:16: services[1].namespace: namespace "default" ${reserved}`,
      `platform.yaml:25:11: services[2].namespace: namespace "argocd" (the service name; set namespace to choose another) ${reserved}`,
      `platform.yaml:30:16: services[3].namespace: namespace "kube-feeds" ${reserved}`,
      `platform.yaml:35:16: services[4].namespace: namespace "external-secrets" ${reserved}`,
    ]);
  });
});

describe('errors: quantities', () => {
  test('malformed quantities in quota, defaults and headroom', () => {
    const text = edit('memory: 4Gi', 'memory: 4Gx').replace('teams:\n', 'capacity:\n  headroom: {cpu: -1, memory: 1Gb}\nteams:\n');
    assertProblems(withServices('    defaults:\n      limits: {cpu: lots}\n', text), [
      'platform.yaml:13:19: capacity.headroom.cpu: must be at least 0; found -1',
      'platform.yaml:13:31: capacity.headroom.memory: must be a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"; found "1Gb"',
      'platform.yaml:21:29: services[0].quota.memory: must be a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"; found "4Gx"',
      'platform.yaml:23:21: services[0].defaults.limits.cpu: must be a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"; found "lots"',
    ]);
  });

  test('a quantity the pattern allows but Kubernetes cannot hold', () => {
    assertProblems(edit('cpu: 2,', 'cpu: "1e9999999999",'), [
      'platform.yaml:19:18: services[0].quota.cpu: must be a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"; found "1e9999999999"',
    ]);
  });

  test('a quantity more than Kubernetes can count is refused, naming the field, and never expanded', () => {
    const cpu = (found: string) =>
      `${found} is more CPU than Kubernetes can count: at most 9223372036854775807m (about 9.2e15 cores), as it counts CPU in millicores in 64 bits; write the amount meant, such as "64"`;
    const memory = (found: string) =>
      `${found} is more memory than Kubernetes can count: at most 9223372036854775807 bytes (just under 8Ei), as it counts memory in bytes in 64 bits; write the amount meant, such as "256Gi"`;
    assertProblems(edit('cpu: 2,', 'cpu: "1e999999",'), [`platform.yaml:19:18: services[0].quota.cpu: ${cpu('"1e999999"')}`]);
    // Within int32 (kaji's exponent limit), where expanding it would take gigabytes.
    assertProblems(edit('cpu: 2,', 'cpu: "1e2147483647",'), [`platform.yaml:19:18: services[0].quota.cpu: ${cpu('"1e2147483647"')}`]);
    // A binary suffix the API server would silently cap at 2^63-1.
    assertProblems(edit('memory: 4Gi', 'memory: 10Ei'), [`platform.yaml:19:29: services[0].quota.memory: ${memory('"10Ei"')}`]);
    const text = edit('teams:\n', 'capacity:\n  headroom: {cpu: "1e19", memory: "8Ei"}\nteams:\n');
    assertProblems(withServices('    defaults:\n      requests: {cpu: "9223372036854775808m"}\n', text), [
      `platform.yaml:13:19: capacity.headroom.cpu: ${cpu('"1e19"')}`,
      `platform.yaml:13:35: capacity.headroom.memory: ${memory('"8Ei"')}`,
      `platform.yaml:23:23: services[0].defaults.requests.cpu: ${cpu('"9223372036854775808m"')}`,
    ]);
  });

  test('quantities up to what Kubernetes counts are kept, and compared exactly', () => {
    // (No headroom: 10 % of such quotas would be far above the NodePool's limits.)
    const largest = edit('quota: {cpu: 2, memory: 4Gi, pods: 20}', 'quota: {cpu: "9223372036854775807m", memory: 7Ei, pods: 20, storage: "9223372036854775807"}').replace(
      'teams:\n',
      'capacity: {headroom: {percent: 0}}\nteams:\n',
    );
    assert.deepEqual(parsePlatform(largest, FILE).services[0]?.quota, { cpu: '9223372036854775807m', memory: '7Ei', pods: 20, storage: '9223372036854775807', persistentVolumeClaims: 20 });
    // A request just above its limit, both near the bound: the comparison is exact.
    assertProblems(withServices('    defaults:\n      requests: {cpu: "9223372036854775807m"}\n      limits: {cpu: "9223372036854775806m"}\n', largest), [
      'platform.yaml:22:23: services[0].defaults.requests.cpu: the default cpu request 9223372036854775807m is above the default cpu limit 9223372036854775806m; a request may not exceed its limit',
    ]);
    // A limit of 6Ei is below a quota of 7Ei; one of 7.5Ei is above it.
    assert.equal(problems(withServices('    defaults:\n      limits: {memory: 6Ei}\n', largest)).length, 0);
    assertProblems(withServices('    defaults:\n      limits: {memory: 7.5Ei}\n', largest), [
      "platform.yaml:22:24: services[0].defaults.limits.memory: the default memory limit 7680Pi is above the memory quota 7Ei: a single container would exceed the namespace's quota; raise the quota or lower the default",
    ]);
  });

  test('a quota of zero', () => {
    assertProblems(edit('cpu: 2,', 'cpu: 0,'), ['platform.yaml:19:18: services[0].quota.cpu: must be above 0']);
    // Storage may be zero: no PersistentVolumeClaims, the default.
    assert.equal(parsePlatform(edit('pods: 20}', 'pods: 20, storage: 0}'), FILE).services[0]?.quota.storage, '0');
  });

  test('a storage quota: malformed, negative or beyond 64 bits is refused, naming services[i].quota.storage', () => {
    assertProblems(edit('pods: 20}', 'pods: 20, storage: 50GB}'), [
      'platform.yaml:19:53: services[0].quota.storage: must be a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"; found "50GB"',
    ]);
    assertProblems(edit('pods: 20}', 'pods: 20, storage: -1Gi}'), [
      'platform.yaml:19:53: services[0].quota.storage: must be a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"; found "-1Gi"',
    ]);
    assertProblems(edit('pods: 20}', 'pods: 20, storage: 8Ei}'), [
      'platform.yaml:19:53: services[0].quota.storage: "8Ei" is more storage than Kubernetes can count: at most 9223372036854775807 bytes (just under 8Ei), as it counts storage in bytes in 64 bits; write the amount meant, such as "500Gi"',
    ]);
  });

  test('claims: by default one per pod with storage and none without; a count written is kept', () => {
    const quota = (text: string) => parsePlatform(text, FILE).services[0]?.quota;
    assert.equal(quota(MINIMAL)?.persistentVolumeClaims, 0);
    assert.equal(quota(edit('pods: 20}', 'pods: 20, storage: 0Gi}'))?.persistentVolumeClaims, 0);
    assert.deepEqual(quota(edit('pods: 20}', 'pods: 20, storage: 50Gi}')), { cpu: '2', memory: '4Gi', pods: 20, storage: '50Gi', persistentVolumeClaims: 20 });
    // Pods that mount two claims each: more claims than pods, without raising the pods quota.
    assert.equal(quota(edit('pods: 20}', 'pods: 20, storage: 50Gi, persistentVolumeClaims: 40}'))?.persistentVolumeClaims, 40);
    assert.equal(quota(edit('pods: 20}', 'pods: 20, storage: 50Gi, persistentVolumeClaims: 3}'))?.persistentVolumeClaims, 3);
    assert.equal(quota(edit('pods: 20}', 'pods: 20, storage: 0, persistentVolumeClaims: 0}'))?.persistentVolumeClaims, 0);
  });

  test('claims without storage, or storage without claims, are refused at services[i].quota.persistentVolumeClaims', () => {
    assertProblems(edit('pods: 20}', 'pods: 20, persistentVolumeClaims: 2}'), [
      `platform.yaml:19:68: services[0].quota.persistentVolumeClaims: allows 2 claims but the storage quota is 0 (kaji's default): each claim must request some storage, so none could be created; set storage to the total the claims need, such as "20Gi", or persistentVolumeClaims to 0`,
    ]);
    assertProblems(edit('pods: 20}', 'pods: 20, storage: 0, persistentVolumeClaims: 1}'), [
      'platform.yaml:19:80: services[0].quota.persistentVolumeClaims: allows 1 claim but the storage quota is 0: each claim must request some storage, so none could be created; set storage to the total the claims need, such as "20Gi", or persistentVolumeClaims to 0',
    ]);
    const storageNobodyClaims =
      'is 0 but the storage quota is 10Gi: no claim could use that storage; allow the claims the service makes (leave persistentVolumeClaims out for as many as pods), or set storage to 0';
    assertProblems(edit('pods: 20}', 'pods: 20, storage: 10Gi, persistentVolumeClaims: 0}'), [
      `platform.yaml:19:83: services[0].quota.persistentVolumeClaims: ${storageNobodyClaims}`,
    ]);
    // A block mapping in a later service: its own line.
    const diary = '  - name: diary\n    team: blog\n    image: x/diary\n    quota:\n      cpu: 1\n      memory: 1Gi\n      pods: 5\n      storage: 10240Mi\n      persistentVolumeClaims: 0\n';
    assertProblems(withServices(diary), [`platform.yaml:28:31: services[1].quota.persistentVolumeClaims: ${storageNobodyClaims}`]);
  });

  test('claims must be a whole number of at least 0; a malformed storage is reported alone', () => {
    assertProblems(edit('pods: 20}', 'pods: 20, storage: 1Gi, persistentVolumeClaims: -1}'), [
      'platform.yaml:19:82: services[0].quota.persistentVolumeClaims: must be between 0 and 150000; found -1',
    ]);
    assertProblems(edit('pods: 20}', 'pods: 20, storage: 1Gi, persistentVolumeClaims: 1.5}'), [
      'platform.yaml:19:82: services[0].quota.persistentVolumeClaims: must be a whole number, found 1.5',
    ]);
    // No claims check against a storage that could not be read.
    assertProblems(edit('pods: 20}', 'pods: 20, storage: 50GB, persistentVolumeClaims: 2}'), [
      'platform.yaml:19:53: services[0].quota.storage: must be a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"; found "50GB"',
    ]);
  });

  test('requests above limits', () => {
    assertProblems(withServices('    defaults:\n      requests: {cpu: 1500m}\n      limits: {cpu: 1}\n'), [
      'platform.yaml:21:23: services[0].defaults.requests.cpu: the default cpu request 1500m is above the default cpu limit 1; a request may not exceed its limit',
    ]);
    assertProblems(withServices('    defaults:\n      requests: {memory: 1Gi}\n'), [
      "platform.yaml:21:26: services[0].defaults.requests.memory: the default memory request 1Gi is above the default memory limit 512Mi (kaji's default; set defaults.limits.memory); a request may not exceed its limit",
    ]);
  });

  test('defaults above the quota', () => {
    assertProblems(withServices('    defaults:\n      limits: {memory: 8Gi}\n'), [
      "platform.yaml:21:24: services[0].defaults.limits.memory: the default memory limit 8Gi is above the memory quota 4Gi: a single container would exceed the namespace's quota; raise the quota or lower the default",
    ]);
    assertProblems(edit('cpu: 2,', 'cpu: 50m,'), [
      "platform.yaml:19:18: services[0].quota.cpu: the default cpu request 100m (kaji's default; set defaults.requests.cpu) is above the cpu quota 50m: a single container would exceed the namespace's quota; raise the quota or lower the default",
    ]);
    assertProblems(withServices('    defaults:\n      requests: {cpu: 3}\n      limits: {cpu: 4}\n'), [
      "platform.yaml:21:23: services[0].defaults.requests.cpu: the default cpu request 3 is above the cpu quota 2: a single container would exceed the namespace's quota; raise the quota or lower the default",
    ]);
  });

  test('the quota bounds cpu requests, not cpu limits: a default cpu limit above the cpu quota is fine', () => {
    // The ResourceQuota holds requests.cpu, requests.memory, limits.memory and pods; no limits.cpu.
    const text = withServices('    defaults:\n      limits: {cpu: 4}\n', edit('cpu: 2,', 'cpu: 500m,'));
    const [service] = parsePlatform(text, FILE).services;
    assert.deepEqual(service?.quota, { cpu: '500m', memory: '4Gi', pods: 20, storage: '0', persistentVolumeClaims: 0 });
    assert.deepEqual(service?.defaults.limits, { cpu: '4', memory: '512Mi' });
  });

  test('a default memory request above the memory quota is reported with the limit above it', () => {
    assertProblems(withServices('    defaults:\n      requests: {memory: 5Gi}\n      limits: {memory: 6Gi}\n'), [
      "platform.yaml:22:24: services[0].defaults.limits.memory: the default memory limit 6Gi is above the memory quota 4Gi: a single container would exceed the namespace's quota; raise the quota or lower the default",
    ]);
  });
});

describe('errors: clusters', () => {
  test('a Kubernetes version this kaji has no pins for, or one EKS retired, lists the supported ones', () => {
    const supported = `kaji supports ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')} (EKS versions as of 2026-11-28)`;
    assert.deepEqual(SUPPORTED_KUBERNETES_VERSIONS, ['1.32', '1.33', '1.34', '1.35']);
    assertProblems(edit('"1.32"', '"1.29"'), [`platform.yaml:10:24: clusters[0].kubernetesVersion: Kubernetes "1.29" is not a version this kaji has pinned add-ons, charts, a kubectl layer and an AMI for; ${supported}`]);
    assertProblems(edit('"1.32"', '"1.31"'), [
      `platform.yaml:10:24: clusters[0].kubernetesVersion: Kubernetes 1.31 is no longer offered by EKS (extended support ended on 2026-11-26); ${supported}`,
    ]);
    // A version newer than the table is not called one EKS lacks: kaji lacks its pins
    assertProblems(edit('"1.32"', '"1.36"'), [`platform.yaml:10:24: clusters[0].kubernetesVersion: Kubernetes "1.36" is not a version this kaji has pinned add-ons, charts, a kubectl layer and an AMI for; ${supported}`]);
    assertProblems(edit('"1.32"', '"latest"'), [`platform.yaml:10:24: clusters[0].kubernetesVersion: Kubernetes "latest" is not a version this kaji has pinned add-ons, charts, a kubectl layer and an AMI for; ${supported}`]);
  });

  test('a retiring cluster with a weight, or a retiring that is not true or false: each names its field', () => {
    const green = '  - name: green\n    kubernetesVersion: "1.35"\n';
    assertProblems(edit('    weight: 255\n', `    weight: 200\n    retiring: true\n${green}    weight: 55\n`), [
      'platform.yaml:11:13: clusters[0].weight: must be 0 while the cluster is retiring (its services are being pruned), not 200: give its weight to another cluster, or remove retiring: true',
    ]);
    assertProblems(edit('    weight: 255\n', `    weight: 0\n    retiring: true\n${green}    weight: 255\n    retiring: true\n`), [
      'platform.yaml:15:13: clusters[1].weight: must be 0 while the cluster is retiring (its services are being pruned), not 255: give its weight to another cluster, or remove retiring: true',
      'platform.yaml:16:15: clusters[1].retiring: every cluster is retiring: nothing would run the services; keep at least one cluster that is not retiring',
    ]);
    assertProblems(edit('    weight: 255\n', '    weight: 255\n    retiring: yes\n'), ['platform.yaml:12:15: clusters[0].retiring: must be true or false, found "yes"']);
  });

  test('every cluster retiring: at least one must stay to run the services', () => {
    const text = edit('    weight: 255\n', '    weight: 0\n    retiring: true\n  - name: green\n    kubernetesVersion: "1.35"\n    weight: 10\n    retiring: false\n');
    assert.deepEqual(problems(text), []);
    assertProblems(text.replace('retiring: false', 'retiring: true').replace('weight: 10', 'weight: 0'), [
      'platform.yaml:8:1: clusters: every cluster has weight 0: Route 53 would then split traffic evenly; give at least one cluster a weight above 0',
      'platform.yaml:16:15: clusters[1].retiring: every cluster is retiring: nothing would run the services; keep at least one cluster that is not retiring',
    ]);
  });

  test('weights that are all 0', () => {
    const text = edit('    weight: 255\n', '    weight: 0\n  - name: green\n    kubernetesVersion: "1.35"\n    weight: 0\n');
    assertProblems(text, [
      'platform.yaml:8:1: clusters: every cluster has weight 0: Route 53 would then split traffic evenly; give at least one cluster a weight above 0',
    ]);
  });
});

describe('errors: hosts and images', () => {
  test('hosts outside the platform domain, or claimed twice', () => {
    const text = withServices(
      '    hosts: [antenna.labs.example.com, antenna.example.org, labs.example.com.evil.io]\n' +
        '  - name: diary\n    team: blog\n    image: x/diary\n    quota: {cpu: 1, memory: 1Gi, pods: 1}\n    hosts:\n      - diary.labs.example.com\n      - antenna.labs.example.com\n      - diary.labs.example.com\n',
    );
    assertProblems(text, [
      'platform.yaml:20:39: services[0].hosts[1]: host "antenna.example.org" is not under the platform domain labs.example.com; use a name ending in ".labs.example.com"',
      'platform.yaml:20:60: services[0].hosts[2]: host "labs.example.com.evil.io" is not under the platform domain labs.example.com; use a name ending in ".labs.example.com"',
      'platform.yaml:27:9: services[1].hosts[1]: host "antenna.labs.example.com" is already claimed by service "antenna" (services[0]); a host routes to one service only',
      'platform.yaml:28:9: services[1].hosts[2]: repeats "diary.labs.example.com" (already item 0); list each once',
    ]);
  });

  test('images with a tag or a digest', () => {
    const text = edit('/antenna\n', '/antenna:1.4.2\n');
    assertProblems(
      withServices(
        '  - {name: diary, team: blog, image: "x/diary@sha256:0123", quota: {cpu: 1, memory: 1Gi, pods: 1}}\n' +
          '  - {name: feeds, team: blog, image: "localhost:5000/feeds:v1", quota: {cpu: 1, memory: 1Gi, pods: 1}}\n' +
          '  - {name: tools, team: blog, image: "Not An Image", quota: {cpu: 1, memory: 1Gi, pods: 1}}\n',
        text.replace('teams:\n', 'imageAllowlist: ["public.ecr.aws/labs/base:latest"]\nteams:\n'),
      ),
      [
        'platform.yaml:12:18: imageAllowlist[0]: "public.ecr.aws/labs/base:latest" has a tag: give the repository only ("public.ecr.aws/labs/base"); the tag is pinned in each overlay\'s kustomization.yaml images:',
        'platform.yaml:19:12: services[0].image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna:1.4.2" has a tag: give the repository only ("111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna"); the tag is pinned in each overlay\'s kustomization.yaml images:',
        'platform.yaml:21:38: services[1].image: "x/diary@sha256:0123" has a digest: give the repository only ("x/diary"); the tag is pinned in each overlay\'s kustomization.yaml images:',
        'platform.yaml:22:38: services[2].image: "localhost:5000/feeds:v1" has a tag: give the repository only ("localhost:5000/feeds"); the tag is pinned in each overlay\'s kustomization.yaml images:',
        'platform.yaml:23:38: services[3].image: must be an image repository without tag or digest, such as 111122223333.dkr.ecr.eu-west-1.amazonaws.com/antenna; found "Not An Image"',
      ],
    );
  });
});

describe('errors: network', () => {
  // MINIMAL's services start on line 15; withServices appends from line 20.
  const twoServices = (antenna: string, diary = ''): string =>
    withServices(`${antenna}  - name: diary\n    team: blog\n    image: x/diary\n    quota: {cpu: 1, memory: 1Gi, pods: 5}\n${diary}`);

  test('allowFrom names other defined services, each once', () => {
    assertProblems(twoServices('    allowFrom: [diray, antenna, diary, diary]\n'), [
      'platform.yaml:20:17: services[0].allowFrom[0]: service "diray" is not defined (did you mean "diary"?); allowFrom names services listed under services',
      'platform.yaml:20:24: services[0].allowFrom[1]: "antenna" is this service: its own pods always reach each other (kaji-allow-same-namespace); remove it',
      'platform.yaml:20:40: services[0].allowFrom[3]: repeats "diary" (already item 2); list each once',
    ]);
    assertProblems(twoServices('', '    allowFrom: [Antenna]\n'), [
      'platform.yaml:24:17: services[1].allowFrom[0]: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; found "Antenna"',
    ]);
  });

  test('egress entries: "internet" or {cidr, ports}, with what was probably meant', () => {
    assertProblems(
      withServices(
        '    egress:\n' +
          '      - internt\n' +
          '      - 10.0.16.0/20:443\n' +
          '      - 443\n' +
          '      - {cidr: 10.0.16.0/20, port: 443}\n' +
          '      - {ports: [443]}\n' +
          '      - {cidr: 10.0.16.0/20, ports: [0, 70000, https]}\n' +
          '      - {cidr: 10.0.16.0/20, ports: []}\n' +
          '      - internet\n' +
          '      - internet\n',
      ),
      [
        'platform.yaml:21:9: services[0].egress[0]: must be "internet" or a mapping {cidr, ports} such as {cidr: 10.0.16.0/20, ports: [443]}; found "internt" (did you mean "internet"?)',
        'platform.yaml:22:9: services[0].egress[1]: must be "internet" or a mapping {cidr, ports} such as {cidr: 10.0.16.0/20, ports: [443]}; found "10.0.16.0/20:443": write a CIDR as a mapping, {cidr: 10.0.16.0/20, ports: [443]}',
        'platform.yaml:23:9: services[0].egress[2]: must be "internet" or a mapping {cidr, ports} such as {cidr: 10.0.16.0/20, ports: [443]}, found 443',
        'platform.yaml:24:30: services[0].egress[3].port: unknown key "port" (did you mean "ports"?); allowed: cidr, ports',
        'platform.yaml:25:9: services[0].egress[4].cidr: is required (an IPv4 or IPv6 CIDR without host bits, e.g. 10.0.16.0/20 or 2600:1f18:abcd::/56)',
        'platform.yaml:26:38: services[0].egress[5].ports[0]: must be between 1 and 65535; found 0',
        'platform.yaml:26:41: services[0].egress[5].ports[1]: must be between 1 and 65535; found 70000',
        'platform.yaml:26:48: services[0].egress[5].ports[2]: must be a whole number, found "https"',
        'platform.yaml:27:30: services[0].egress[6].ports: must list at least 1 item',
        'platform.yaml:29:9: services[0].egress[8]: repeats "internet" (already item 7); list each once',
      ],
    );
  });

  test('CIDRs in egress and loadBalancerCidrs must be canonical IPv4 or IPv6 blocks', () => {
    const text = withServices(
      '    egress:\n' +
        '      - {cidr: 10.0.16.1/20}\n' +
        '      - {cidr: 10.0.16.0}\n' +
        '      - {cidr: 10.0.256.0/24}\n' +
        '      - {cidr: 10.0.16.0/33}\n' +
        '      - {cidr: "2600:1f18:abcd::1/48"}\n' +
        '      - {cidr: "2600:1f18:abcd::/129"}\n' +
        '      - {cidr: vpc-endpoints}\n' +
        '      - {cidr: "2600:1f18:abcd::/48", ports: [443]}\n',
      edit('teams:\n', 'network:\n  loadBalancerCidrs: [10.0.0.0/20, 10.0.0.0/20, 10.0.4.0/20]\nteams:\n'),
    );
    assertProblems(text, [
      'platform.yaml:13:36: network.loadBalancerCidrs[1]: repeats "10.0.0.0/20" (already item 0); list each once',
      'platform.yaml:13:49: network.loadBalancerCidrs[2]: "10.0.4.0/20" has host bits set: the block it names is 10.0.0.0/20; write that',
      'platform.yaml:23:16: services[0].egress[0].cidr: "10.0.16.1/20" has host bits set: the block it names is 10.0.16.0/20; write that',
      'platform.yaml:24:16: services[0].egress[1].cidr: must be a CIDR such as 10.0.16.0/20 or 2600:1f18:abcd::/56; found "10.0.16.0", an address without a prefix length (write 10.0.16.0/32 for this one address)',
      'platform.yaml:25:16: services[0].egress[2].cidr: must be a CIDR such as 10.0.16.0/20 or 2600:1f18:abcd::/56; found "10.0.256.0/24"',
      'platform.yaml:26:16: services[0].egress[3].cidr: must be a CIDR such as 10.0.16.0/20 or 2600:1f18:abcd::/56; found "10.0.16.0/33": an IPv4 prefix length is 0-32',
      'platform.yaml:27:16: services[0].egress[4].cidr: "2600:1f18:abcd::1/48" has host bits set: the block it names is 2600:1f18:abcd::/48; write that',
      'platform.yaml:28:16: services[0].egress[5].cidr: must be a CIDR such as 10.0.16.0/20 or 2600:1f18:abcd::/56; found "2600:1f18:abcd::/129": an IPv6 prefix length is 0-128',
      'platform.yaml:29:16: services[0].egress[6].cidr: must be a CIDR such as 10.0.16.0/20 or 2600:1f18:abcd::/56; found "vpc-endpoints"',
    ]);
    assertProblems(edit('teams:\n', 'network:\n  loadBalancerCidrs: []\n  subnets: []\nteams:\n'), [
      'platform.yaml:13:3: network.loadBalancerCidrs: must list at least 1 item',
      'platform.yaml:14:3: network.subnets: unknown key "subnets"; allowed: vpcCidr, availabilityZones, loadBalancerCidrs, awsEndpoints',
    ]);
  });
});

describe('errors: webhook', () => {
  test('GIVEN a timeout over 30 s and an unknown failure policy WHEN parsed THEN both are reported at their column', () => {
    assertProblems(`${MINIMAL}webhook: {timeoutSeconds: 31, failurePolicy: Retry}\n`, [
      'platform.yaml:20:27: webhook.timeoutSeconds: must be between 1 and 30; found 31',
      'platform.yaml:20:46: webhook.failurePolicy: must be one of Fail, Ignore; found "Retry"',
    ]);
  });

  test('GIVEN a webhook image without tag or digest WHEN parsed THEN it is refused (never an implicit latest)', () => {
    assertProblems(`${MINIMAL}webhook: {image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/kaji}\n`, [
      'platform.yaml:20:18: webhook.image: must be an image with its tag or digest, such as 111122223333.dkr.ecr.eu-west-1.amazonaws.com/kaji:0.1.0; found "111122223333.dkr.ecr.eu-west-1.amazonaws.com/kaji"',
    ]);
  });
});

describe('errors: headroom', () => {
  test('an image without a tag or digest is refused at its line', () => {
    const text = edit('teams:\n', 'capacity:\n  headroom: {percent: 5, image: mirror/pause}\nteams:\n');
    assert.throws(
      () => parsePlatform(text, FILE),
      (error: unknown) => error instanceof PlatformErrors && /^platform\.yaml:13:\d+: capacity\.headroom\.image: .*an image with its tag or digest/m.test(error.describe()),
    );
  });

  test('units and a percent together, or units without memory', () => {
    assertProblems(edit('teams:\n', 'capacity:\n  headroom: {cpu: 1, percent: 10}\nteams:\n'), [
      'platform.yaml:13:14: capacity.headroom.cpu: cannot be combined with percent: give headroom either as cpu and memory (fixed units) or as percent (a share of the quota of all services)',
    ]);
    assertProblems(edit('teams:\n', 'capacity:\n  headroom:\n    cpu: 1\nteams:\n'), [
      'platform.yaml:13:3: capacity.headroom.memory: is required: give headroom either as cpu and memory (fixed units) or as percent (a share of the quota of all services)',
    ]);
  });
});

describe('errors: NodePool limits, node lifetime and disruption', () => {
  /** MINIMAL with a capacity section (from line 12) before teams. */
  const withCapacity = (lines: string, text = MINIMAL): string => edit('teams:\n', `capacity:\n${lines}teams:\n`, text);

  test('limits: a malformed quantity, a zero, or more than Kubernetes counts, naming capacity.limits.<resource>', () => {
    assertProblems(withCapacity('  limits: {cpu: lots, memory: 0}\n'), [
      'platform.yaml:13:17: capacity.limits.cpu: must be a Kubernetes quantity: cpu such as "500m" or 2, memory such as "512Mi" or "4Gi"; found "lots"',
      'platform.yaml:13:31: capacity.limits.memory: must be above 0',
    ]);
    assertProblems(withCapacity('  headroom: {percent: 0}\n  limits: {cpu: 1e20}\n'), [
      'platform.yaml:14:17: capacity.limits.cpu: 100000000000000000000 is more CPU than Kubernetes can count: at most 9223372036854775807m (about 9.2e15 cores), as it counts CPU in millicores in 64 bits; write the amount meant, such as "64"',
    ]);
    // AND one key alone keeps the other's default, canonical as every quantity
    assert.deepEqual(parsePlatform(withCapacity('  limits: {memory: 2048Gi}\n'), FILE).capacity.limits, { cpu: '256', memory: '2Ti' });
  });

  test('durations: expireAfter and consolidateAfter in s, m and h or Never; a zero lifetime is refused', () => {
    assertProblems(withCapacity('  expireAfter: 30d\n  disruption:\n    consolidateAfter: 1 minute\n    consolidationPolicy: WhenUnderutilized\n'), [
      'platform.yaml:13:16: capacity.expireAfter: must be a duration of whole s, m and h such as 720h, 30m or 1h30m, or Never; found "30d"',
      'platform.yaml:15:23: capacity.disruption.consolidateAfter: must be a duration of whole s, m and h such as 720h, 30m or 1h30m, or Never; found "1 minute"',
      'platform.yaml:16:26: capacity.disruption.consolidationPolicy: must be one of WhenEmptyOrUnderutilized, WhenEmpty; found "WhenUnderutilized"',
    ]);
    assertProblems(withCapacity('  expireAfter: 0h\n'), [
      'platform.yaml:13:16: capacity.expireAfter: is 0h: every node would be replaced as soon as it started; write a lifetime such as 720h, or Never to keep nodes until they are consolidated',
    ]);
    assertProblems(withCapacity('  expireAfter: 720\n'), ['platform.yaml:13:16: capacity.expireAfter: must be a string, found 720; quote it: "720"']);
    // AND Never, and a consolidation that waits for ever, are kept
    const never = parsePlatform(withCapacity('  expireAfter: Never\n  disruption: {consolidateAfter: Never}\n'), FILE).capacity;
    assert.equal(never.expireAfter, 'Never');
    assert.equal(never.disruption.consolidateAfter, 'Never');
  });

  test('budgets: nodes a count or a percent, known reasons, a cron schedule only with a duration', () => {
    const budgets = [
      '      - nodes: 110%',
      '      - nodes: ten',
      '      - nodes: -1',
      '      - {nodes: 1, reasons: [Expired]}',
      '      - {nodes: "0", schedule: "0 9 * * mon-fri"}',
      '      - {nodes: "0", duration: 1d}',
      '      - {nodes: "0", schedule: daily, duration: 8h}',
      '      - {reasons: [Empty]}',
    ];
    assertProblems(withCapacity(`  disruption:\n    budgets:\n${budgets.join('\n')}\n`), [
      'platform.yaml:15:16: capacity.disruption.budgets[0].nodes: must be a node count such as "1" or a percent of the nodes such as "10%" (0-100%); found "110%"',
      'platform.yaml:16:16: capacity.disruption.budgets[1].nodes: must be a node count such as "1" or a percent of the nodes such as "10%" (0-100%); found "ten"',
      'platform.yaml:17:16: capacity.disruption.budgets[2].nodes: must be at least 0; found -1',
      'platform.yaml:18:30: capacity.disruption.budgets[3].reasons[0]: must be one of Empty, Drifted, Underutilized; found "Expired"',
      'platform.yaml:19:22: capacity.disruption.budgets[4].schedule: needs duration too: a scheduled budget starts at each schedule (cron, UTC) and lasts its duration, such as {nodes: "0", schedule: "0 9 * * mon-fri", duration: 8h}; give both, or neither for a budget that always holds',
      'platform.yaml:20:32: capacity.disruption.budgets[5].duration: must be hours and minutes such as 8h, 30m or 1h30m; found "1d"',
      'platform.yaml:21:32: capacity.disruption.budgets[6].schedule: must be a cron schedule of five fields such as "0 9 * * mon-fri" (UTC), or @daily, @weekly...; found "daily"',
      'platform.yaml:22:9: capacity.disruption.budgets[7].nodes: is required (nodes disrupted at once at most: a count such as "1" or a percent such as "10%"; "0" blocks the reasons listed)',
    ]);
    assertProblems(withCapacity('  disruption:\n    budgets: []\n'), ['platform.yaml:14:5: capacity.disruption.budgets: must list at least 1 item']);
    // AND a duration alone is refused too, and a macro schedule with hours and minutes is fine
    assert.match(problems(withCapacity('  disruption:\n    budgets: [{nodes: "0", duration: 8h}]\n'))[0]!, /budgets\[0\]\.duration: needs schedule too/);
    assert.deepEqual(parsePlatform(withCapacity('  disruption:\n    budgets: [{nodes: 100%, schedule: "@daily", duration: 1h30m}]\n'), FILE).capacity.disruption.budgets, [
      { nodes: '100%', schedule: '@daily', duration: '1h30m' },
    ]);
  });

  test('a schedule Karpenter could not read is refused, naming the field and the bad part', () => {
    const schedules = ['0 9 * * mon-fry', '61 25 * * *', '0 9 0 * *', '0 9 * 13 *', '0 9 * * 7', '0 9 * * fri-mon', '*/0 * * * *', '0 9,,12 * * *', '0 9 * * 1-2-3', 'x * * * *'];
    const budgets = schedules.map((schedule) => `      - {nodes: "0", schedule: "${schedule}", duration: 1h}`);
    const fix = (field: string, allowed: string) =>
      `Karpenter cannot read such a schedule and then lets no node of the pool be disrupted; write the ${field} as ${allowed} (or *), in lists a,b, ranges a-b and steps /n, such as "0 9 * * mon-fri" (UTC)`;
    const at = (index: number, message: string) => `platform.yaml:${15 + index}:32: capacity.disruption.budgets[${index}].schedule: ${message}`;
    assertProblems(withCapacity(`  disruption:\n    budgets:\n${budgets.join('\n')}\n`), [
      at(0, `the day of the week "mon-fry" has "fry", which is none of 0-6 or sun-sat; ${fix('day of the week', '0-6 or sun-sat')}`),
      at(1, `the minute "61" has "61", which is none of 0-59; ${fix('minute', '0-59')}`),
      at(2, `the day of the month "0" has "0", which is none of 1-31; ${fix('day of the month', '1-31')}`),
      at(3, `the month "13" has "13", which is none of 1-12 or jan-dec; ${fix('month', '1-12 or jan-dec')}`),
      at(4, `the day of the week "7" has "7", which is none of 0-6 or sun-sat; ${fix('day of the week', '0-6 or sun-sat')}`),
      at(5, `the day of the week "fri-mon" has the range "fri-mon", which ends before it starts; ${fix('day of the week', '0-6 or sun-sat')}`),
      at(6, `the minute "*/0" has the step "/0": a step must be 1 or more; ${fix('minute', '0-59')}`),
      at(7, `the hour "9,,12" has an empty item; ${fix('hour', '0-23')}`),
      at(8, `the day of the week "1-2-3" has "1-2-3", which is no value, range a-b or step /n; ${fix('day of the week', '0-6 or sun-sat')}`),
      at(9, `the minute "x" has "x", which is none of 0-59; ${fix('minute', '0-59')}`),
    ]);
    // AND the hour is checked once the minute is fine
    assert.match(problems(withCapacity('  disruption:\n    budgets: [{nodes: "0", schedule: "0 25 * * *", duration: 1h}]\n'))[0]!, /the hour "25" has "25", which is none of 0-23/);
    // AND what Karpenter reads is kept: names in any case, lists, ranges, steps, ? and every macro
    const fine = ['0 9 * * MON-Fri', '*/15 0-6,22-23 1,15 jan-MAR/2 sun', '30 7/2 ? * 0-6', '0 0 31 12 sat', '5 4 * * *', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
    const kept = fine.map((schedule) => `      - {nodes: "0", schedule: "${schedule}", duration: 1h}`);
    assert.deepEqual(
      parsePlatform(withCapacity(`  disruption:\n    budgets:\n${kept.join('\n')}\n`), FILE).capacity.disruption.budgets.map((budget) => budget.schedule),
      fine,
    );
  });

  test('headroom above the NodePool limits is refused, naming both fields', () => {
    // GIVEN fixed units above kaji's default limit, or above limits written
    assertProblems(withCapacity('  headroom: {cpu: 300, memory: 4Gi}\n'), [
      "platform.yaml:13:19: capacity.headroom.cpu: 300 is above the NodePool's cpu limit 256 (capacity.limits.cpu, kaji's default): Karpenter launches no node past its limits, so the placeholders could never all run; lower the headroom, or raise capacity.limits.cpu",
    ]);
    assertProblems(withCapacity('  headroom: {cpu: 3, memory: 8Gi}\n  limits: {cpu: 2, memory: 4Gi}\n'), [
      "platform.yaml:13:19: capacity.headroom.cpu: 3 is above the NodePool's cpu limit 2 (capacity.limits.cpu): Karpenter launches no node past its limits, so the placeholders could never all run; lower the headroom, or raise capacity.limits.cpu",
      "platform.yaml:13:30: capacity.headroom.memory: 8Gi is above the NodePool's memory limit 4Gi (capacity.limits.memory): Karpenter launches no node past its limits, so the placeholders could never all run; lower the headroom, or raise capacity.limits.memory",
    ]);
    // AND a percent of the quotas (2 cpu) above them, written or kaji's default (10 % of 3000 cpu)
    assertProblems(withCapacity('  headroom: {percent: 50}\n  limits: {cpu: 0.5}\n'), [
      "platform.yaml:13:23: capacity.headroom.percent: 50 % of the services' cpu quotas comes to 1, above the NodePool's cpu limit 500m (capacity.limits.cpu): Karpenter launches no node past its limits, so the placeholders could never all run; lower the headroom, or raise capacity.limits.cpu",
    ]);
    assertProblems(edit('quota: {cpu: 2,', 'quota: {cpu: 3000,'), [
      "platform.yaml:1:1: capacity.headroom.percent: 10 % (kaji's default headroom) of the services' cpu quotas comes to 300, above the NodePool's cpu limit 256 (capacity.limits.cpu, kaji's default): Karpenter launches no node past its limits, so the placeholders could never all run; lower the headroom, or raise capacity.limits.cpu",
    ]);
    // AND memory as the placeholders ask for it, rounded up to the Mi: 10 % of 4Gi is 429496730 bytes, 410Mi asked
    assertProblems(withCapacity('  limits: {memory: 429496730}\n'), [
      "platform.yaml:13:3: capacity.headroom.percent: 10 % (kaji's default headroom) of the services' memory quotas comes to 410Mi, above the NodePool's memory limit 429496730 (capacity.limits.memory): Karpenter launches no node past its limits, so the placeholders could never all run; lower the headroom, or raise capacity.limits.memory",
    ]);
    assert.equal(problems(withCapacity('  limits: {memory: 410Mi}\n')).length, 0);
    // AND what the placeholders really hold: 250 cpu takes 250 pods, each holding 32Mi at least (8000Mi, not the 1Gi asked)
    assertProblems(withCapacity('  headroom: {cpu: 250, memory: 1Gi}\n  limits: {memory: 4Gi}\n'), [
      "platform.yaml:13:32: capacity.headroom.memory: 1Gi asked, the headroom takes 250 placeholder pods of 1 cpu and 32Mi memory (a placeholder holds at most 1 cpu and 4Gi, and at least 32Mi), which hold 8000Mi of memory, above the NodePool's memory limit 4Gi (capacity.limits.memory): Karpenter launches no node past its limits, so the placeholders could never all run; lower the headroom, or raise capacity.limits.memory",
    ]);
    assert.equal(problems(withCapacity('  headroom: {cpu: 250, memory: 1Gi}\n  limits: {memory: 8000Mi}\n')).length, 0);
    // AND headroom equal to the limits, or quotas whose share fits, pass
    assert.equal(problems(withCapacity('  headroom: {cpu: 2, memory: 4Gi}\n  limits: {cpu: 2, memory: 4Gi}\n')).length, 0);
    assert.equal(problems(withCapacity('  limits: {cpu: 300}\n', edit('quota: {cpu: 2,', 'quota: {cpu: 3000,'))).length, 0);
  });
});

describe('Argo CD sign-in (argocd.sso)', () => {
  test('GIVEN only issuer and client ID WHEN parsed THEN the defaults are filled; without the block there is none', () => {
    const text = `${MINIMAL}argocd:\n  sso: {issuer: "https://login.example.com/oauth2/default", clientID: 0oa1b2c3}\n`;
    assert.deepEqual(parsePlatform(text, FILE).argocd, {
      sso: {
        name: 'SSO',
        issuer: 'https://login.example.com/oauth2/default',
        clientID: '0oa1b2c3',
        clientSecretName: 'kaji/labs/argocd-sso',
        scopes: ['openid', 'profile', 'email', 'groups'],
        groupsClaim: 'groups',
        adminGroups: [],
        readonlyGroups: [],
        teamGroups: {},
      },
    });
    assert.equal('argocd' in parsePlatform(MINIMAL, FILE), false);
    assert.equal('argocd' in parsePlatform(`${MINIMAL}argocd: {}\n`, FILE), false);
  });

  test('GIVEN every key set WHEN parsed THEN the values are kept', () => {
    const text = `${MINIMAL}argocd:
  sso:
    name: Okta
    issuer: https://example.okta.com
    clientID: 0oa1b2c3
    cliClientID: 0oa-cli
    clientSecretName: labs/okta-client
    scopes: [openid, email, groups]
    groupsClaim: "https://labs.example.com/groups"
    adminGroups: [platform-team, "Platform On Call"]
    readonlyGroups: [auditors, "Support Desk"]
    teamGroups: {blog: [blog-developers, blog-oncall]}
`;
    assert.deepEqual(parsePlatform(text, FILE).argocd?.sso, {
      name: 'Okta',
      issuer: 'https://example.okta.com',
      clientID: '0oa1b2c3',
      cliClientID: '0oa-cli',
      clientSecretName: 'labs/okta-client',
      scopes: ['openid', 'email', 'groups'],
      groupsClaim: 'https://labs.example.com/groups',
      adminGroups: ['platform-team', 'Platform On Call'],
      readonlyGroups: ['auditors', 'Support Desk'],
      teamGroups: { blog: ['blog-developers', 'blog-oncall'] },
    });
  });

  test('a missing client ID, a bad issuer URL and secret name, a mapping of an unknown team: each named at its field', () => {
    const text = `${MINIMAL}argocd:
  sso:
    issuer: http://login.example.com
    clientSecretName: arn:aws:secretsmanager:eu-west-1:111122223333:secret:x
    teamGroups: {blgo: [blog-developers]}
`;
    assertProblems(text, [
      'platform.yaml:21:3: argocd.sso.clientID: is required (the client ID of Argo CD\'s application at the provider, e.g. 0oa1b2c3d4e5f6g7h8i9)',
      'platform.yaml:22:13: argocd.sso.issuer: must be an https URL without query or fragment, such as https://login.example.com/oauth2/default (the issuer exactly as the provider\'s discovery document names it); found "http://login.example.com"',
      'platform.yaml:23:23: argocd.sso.clientSecretName: must be a Secrets Manager secret name such as kaji/labs/argocd-sso (letters, digits and /_+=.@-; the name, not an ARN); found "arn:aws:secretsmanager:eu-west-1:111122223333:secret:x"',
      'platform.yaml:24:18: argocd.sso.teamGroups.blgo: team "blgo" is not defined (did you mean "blog"?); teamGroups maps teams listed under teams (defined: blog)',
    ]);
  });

  test('team names with terminal escapes are quoted where they are refused, and never listed or suggested raw', () => {
    const teams = edit(
      '    identity: arn:aws:iam::111122223333:role/team-blog\n',
      '    identity: arn:aws:iam::111122223333:role/team-blog\n  - name: "blog\\e[2J"\n    identity: arn:aws:iam::111122223333:role/team-x\n',
    );
    const text = `${teams}argocd:\n  sso:\n    issuer: https://login.example.com\n    clientID: abc\n    teamGroups: {"\\e]0;owned\\a": [blog-developers], blgo: [blog-developers]}\n`;
    const found = problems(text);
    assert.deepEqual(found, [
      'platform.yaml:15:11: teams[1].name: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; found "blog\\u001b[2J"',
      'platform.yaml:26:18: argocd.sso.teamGroups."\\u001b]0;owned\\u0007": team "\\u001b]0;owned\\u0007" is not defined; teamGroups maps teams listed under teams (defined: blog)',
      'platform.yaml:26:53: argocd.sso.teamGroups.blgo: team "blgo" is not defined (did you mean "blog"?); teamGroups maps teams listed under teams (defined: blog)',
    ]);
    assert.equal(found.some((line) => [...line].some((character) => character < ' ')), false, 'no control character printed');
    // A service's team: the schema refuses the name first, quoted.
    const service = problems(edit('    team: blog\n', '    team: "\\e[2Jblog"\n'));
    assert.deepEqual(service, [
      'platform.yaml:17:11: services[0].team: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; found "\\u001b[2Jblog"',
    ]);
  });

  test('groups Argo CD could not read as CSV (admin, team or readonly), a repeated group, scopes without openid, an empty client ID, an issuer with a query', () => {
    const text = `${MINIMAL}argocd:
  sso:
    issuer: https://login.example.com/?tenant=labs
    clientID: ""
    scopes: [profile, groups]
    adminGroups: ["admins, ops"]
    teamGroups: {blog: [" blog"], nobody: []}
    readonlyGroups: [auditors, "audit\\"ors", auditors]
`;
    assertProblems(text, [
      'platform.yaml:22:13: argocd.sso.issuer: must be an https URL without query or fragment, such as https://login.example.com/oauth2/default (the issuer exactly as the provider\'s discovery document names it); found "https://login.example.com/?tenant=labs"',
      'platform.yaml:23:15: argocd.sso.clientID: must not be empty',
      'platform.yaml:24:13: argocd.sso.scopes: must include openid: without it the provider answers with no ID token, and Argo CD signs no one in; add openid to the list',
      'platform.yaml:25:19: argocd.sso.adminGroups[0]: must be a group name as the identity provider sends it, such as platform-team (no comma or double quote, no space at either end); found "admins, ops"',
      'platform.yaml:26:25: argocd.sso.teamGroups.blog[0]: must be a group name as the identity provider sends it, such as platform-team (no comma or double quote, no space at either end); found " blog"',
      'platform.yaml:26:35: argocd.sso.teamGroups.nobody: must list at least 1 item',
      'platform.yaml:27:32: argocd.sso.readonlyGroups[1]: must be a group name as the identity provider sends it, such as platform-team (no comma or double quote, no space at either end); found "audit\\"ors"',
      'platform.yaml:27:46: argocd.sso.readonlyGroups[2]: repeats "auditors" (already item 0); list each once',
    ]);
  });
});

describe('What teams may do in Argo CD beyond get, sync and logs (argocd.teamActions)', () => {
  test('GIVEN teamActions WHEN parsed THEN they are kept; none given, an empty list or an empty argocd block add nothing', () => {
    assert.deepEqual(parsePlatform(`${MINIMAL}argocd:\n  teamActions: [delete-pod, restart]\n`, FILE).argocd, { teamActions: ['delete-pod', 'restart'] });
    assert.equal('argocd' in parsePlatform(`${MINIMAL}argocd:\n  teamActions: []\n`, FILE), false);
    const withSso = parsePlatform(`${MINIMAL}argocd:\n  teamActions: [restart]\n  sso: {issuer: "https://login.example.com", clientID: abc}\n`, FILE).argocd;
    assert.deepEqual(withSso?.teamActions, ['restart']);
    assert.equal(withSso?.sso?.clientID, 'abc');
    assert.equal(parsePlatform(`${MINIMAL}argocd:\n  sso: {issuer: "https://login.example.com", clientID: abc}\n`, FILE).argocd?.teamActions, undefined);
  });

  test('an entry outside the closed list, a repeated one, or not a list: each named at its field with what is allowed', () => {
    assertProblems(`${MINIMAL}argocd:\n  teamActions: [restart, exec, delete-pods, restart]\n`, [
      'platform.yaml:21:26: argocd.teamActions[1]: must be one of restart, delete-pod; found "exec"',
      'platform.yaml:21:32: argocd.teamActions[2]: must be one of restart, delete-pod; found "delete-pods" (did you mean "delete-pod"?)',
      'platform.yaml:21:45: argocd.teamActions[3]: repeats "restart" (already item 0); list each once',
    ]);
    assertProblems(`${MINIMAL}argocd:\n  teamActions: restart\n`, ['platform.yaml:21:16: argocd.teamActions: must be a list, found "restart"']);
  });
});

describe('Argo CD served at its URL (argocd.ingress)', () => {
  test('GIVEN an empty ingress WHEN parsed THEN Argo CD is internal, reached from the VPC; CIDRs and internet-facing are kept; without it there is none', () => {
    assert.deepEqual(parsePlatform(`${MINIMAL}argocd:\n  ingress: {}\n`, FILE).argocd, { ingress: { scheme: 'internal' } });
    const text = `${MINIMAL}argocd:\n  ingress: {scheme: internet-facing, allowedCidrs: [203.0.113.0/24, 198.51.100.7/32]}\n`;
    assert.deepEqual(parsePlatform(text, FILE).argocd, { ingress: { scheme: 'internet-facing', allowedCidrs: ['203.0.113.0/24', '198.51.100.7/32'] } });
    const withSso = `${MINIMAL}argocd:\n  ingress: {allowedCidrs: [10.20.0.0/16]}\n  sso: {issuer: "https://login.example.com", clientID: abc}\n`;
    const both = parsePlatform(withSso, FILE).argocd;
    assert.deepEqual(both?.ingress, { scheme: 'internal', allowedCidrs: ['10.20.0.0/16'] });
    assert.equal(both?.sso?.issuer, 'https://login.example.com');
    assert.equal(parsePlatform(MINIMAL, FILE).argocd?.ingress, undefined);
  });

  test('internet-facing without allowedCidrs, a bad or IPv6 CIDR, an empty list, an unknown scheme: each named at its field', () => {
    assertProblems(`${MINIMAL}argocd:\n  ingress: {scheme: internet-facing}\n`, [
      'platform.yaml:21:21: argocd.ingress.scheme: is internet-facing but allowedCidrs is missing: name the networks that may reach Argo CD, such as allowedCidrs: ["203.0.113.0/24"] (an office or VPN egress), or use scheme: internal to reach it from the VPC only',
    ]);
    assertProblems(`${MINIMAL}argocd:\n  ingress:\n    scheme: internet-facing\n    allowedCidrs: [203.0.113.0/33, 10.0.0.1/16, 2001:db8::/32, office]\n`, [
      'platform.yaml:23:20: argocd.ingress.allowedCidrs[0]: must be an IPv4 CIDR such as 203.0.113.0/24; found "203.0.113.0/33": an IPv4 prefix length is 0-32',
      'platform.yaml:23:36: argocd.ingress.allowedCidrs[1]: "10.0.0.1/16" has host bits set: the block it names is 10.0.0.0/16; write that',
      'platform.yaml:23:49: argocd.ingress.allowedCidrs[2]: "2001:db8::/32" is IPv6: Argo CD\'s ALB has IPv4 addresses only; write IPv4 CIDRs such as 203.0.113.0/24',
      'platform.yaml:23:64: argocd.ingress.allowedCidrs[3]: must be an IPv4 CIDR such as 203.0.113.0/24; found "office"',
    ]);
    // An IPv6 address without its prefix length is IPv6 too: no advice to write it as a /128.
    assertProblems(`${MINIMAL}argocd:\n  ingress: {allowedCidrs: [203.0.113.7, "2001:db8::1"]}\n`, [
      'platform.yaml:21:28: argocd.ingress.allowedCidrs[0]: must be an IPv4 CIDR such as 203.0.113.0/24; found "203.0.113.7", an address without a prefix length (write 203.0.113.7/32 for this one address)',
      'platform.yaml:21:41: argocd.ingress.allowedCidrs[1]: "2001:db8::1" is IPv6: Argo CD\'s ALB has IPv4 addresses only; write IPv4 CIDRs such as 203.0.113.0/24',
    ]);
    assertProblems(`${MINIMAL}argocd:\n  ingress: {scheme: public, allowedCidrs: []}\n`, [
      'platform.yaml:21:21: argocd.ingress.scheme: must be one of internal, internet-facing; found "public"',
      'platform.yaml:21:29: argocd.ingress.allowedCidrs: must list at least 1 item',
    ]);
  });

  test('a cluster whose Argo CD host is longer than an ACM certificate\'s domain name (64 characters) is refused at its name, with the ingress only', () => {
    // argocd.<40 characters>.labs.example.com is 64 characters, one more is 65.
    const longest = 'c'.repeat(40);
    const tooLong = 'c'.repeat(41);
    const clusters = (first: string): string =>
      edit('  - name: blue\n', `  - name: ${first}\n    kubernetesVersion: "1.32"\n    weight: 0\n  - name: blue\n`);
    assertProblems(`${clusters(tooLong)}argocd:\n  ingress: {}\n`, [
      `platform.yaml:9:11: clusters[0].name: Argo CD's host argocd.${tooLong}.labs.example.com is 65 characters, but the ACM certificate of argocd.ingress takes at most 64 for its domain name; shorten the cluster name (or platform.domain)`,
    ]);
    assert.equal(parsePlatform(`${clusters(longest)}argocd:\n  ingress: {}\n`, FILE).clusters[0]?.name, longest);
    // Without the ingress there is no certificate: the long name is fine.
    assert.equal(parsePlatform(`${clusters(tooLong)}argocd:\n  sso: {issuer: "https://login.example.com", clientID: abc}\n`, FILE).clusters[0]?.name, tooLong);
  });

  test('the schema does not promise peered or on-premises networks a way in by default: only Client VPN arrives from the VPC\'s own addresses', () => {
    const ingress = (JSON.parse(platformSchemaJson()) as { properties: { argocd: { properties: { ingress: { properties: Record<string, { description: string }> } } } } })
      .properties.argocd.properties.ingress.properties;
    for (const key of ['scheme', 'allowedCidrs']) assert.doesNotMatch(ingress[key]!.description, /\(VPN, peering, Direct Connect\)/, key);
    assert.match(ingress.allowedCidrs!.description, /Client VPN/);
    assert.match(ingress.allowedCidrs!.description, /peering, Site-to-Site VPN, Direct Connect or a transit gateway .*list/);
  });

  test('a service may not take a cluster\'s Argo CD host, with or without the ingress', () => {
    const text = withServices(`  - name: sneaky
    team: blog
    image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/sneaky
    quota: {cpu: 1, memory: 1Gi, pods: 5}
    hosts: [argocd.blue.labs.example.com, argocd.labs.example.com]
`);
    assertProblems(text, [
      'platform.yaml:24:13: services[1].hosts[0]: host "argocd.blue.labs.example.com" is where cluster blue\'s Argo CD is served (the URL its sign-in returns to); choose another name',
    ]);
  });
});

describe('reporting', () => {
  test('every problem at once, in file order, one per line', () => {
    const text = edit('name: labs', 'name: Labs').replace('    team: blog', '    team: nobody').replace('weight: 255', 'weight: 0');
    assert.deepEqual(problems(text), [
      'platform.yaml:2:9: platform.name: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters; found "Labs"',
      'platform.yaml:8:1: clusters: every cluster has weight 0: Route 53 would then split traffic evenly; give at least one cluster a weight above 0',
      'platform.yaml:17:11: services[0].team: team "nobody" is not defined; add it under teams (defined: blog)',
    ]);
  });

  test('each error carries its file, line, column and path', () => {
    try {
      parsePlatform(edit('memory: 4Gi', 'memory: 4Gx'), 'labs/platform.yaml');
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof PlatformErrors);
      const [first] = error.errors;
      assert.ok(first instanceof PlatformError);
      assert.deepEqual(
        { file: first.file, line: first.line, column: first.column, path: first.path },
        { file: 'labs/platform.yaml', line: 19, column: 29, path: 'services[0].quota.memory' },
      );
      assert.equal(first.describe(), `labs/platform.yaml:19:29: services[0].quota.memory: ${first.message}`);
    }
  });
});

describe('the shipped JSON Schema', () => {
  test('schema/platform.schema.json is what `npm run schema` writes from the schema constant', async () => {
    const file = fileURLToPath(new URL('../../schema/platform.schema.json', import.meta.url));
    assert.equal(await readFile(file, 'utf8'), platformSchemaJson(), 'the schema file is stale: run `npm run schema` and commit the result');
  });
});

describe('the schema compiled ahead of time', () => {
  test('platform-validator.generated.ts is what `npm run schema` writes from the schema constant', async () => {
    const file = fileURLToPath(new URL('../../src/platform/definition/platform-validator.generated.ts', import.meta.url));
    assert.equal(await readFile(file, 'utf8'), platformValidatorSource(), 'the generated validator is stale: run `npm run schema` and commit the result');
  });

  test('mappings with keys named like Object methods in a list of unique items: the unknown keys are reported, nothing throws', () => {
    for (const key of ['toString', 'valueOf', 'constructor']) {
      const text = `${MINIMAL}    egress: [{cidr: 10.0.0.0/8, ports: [443], ${key}: 1}, {cidr: 10.0.0.0/8, ports: [443], ${key}: 1}]\n`;
      assert.throws(
        () => parsePlatform(text, 'platform.yaml'),
        (error: unknown) => error instanceof PlatformErrors && error.errors.some((problem) => problem.message.startsWith(`unknown key "${key}"`)),
        key,
      );
    }
  });

  test('the generated validator reports exactly what Ajv compiling the schema at run time reports', async () => {
    const compiled = compilePlatformValidator();
    const generated = generatedValidator as unknown as ValidateFunction;
    const example = parseYaml(await readFile(fileURLToPath(new URL('../../examples/labs/platform.yaml', import.meta.url)), 'utf8')) as unknown;
    const minimal = parseYaml(MINIMAL) as unknown;
    const verdict = (validate: ValidateFunction, data: unknown): unknown => (validate(data) ? 'valid' : validate.errors);
    const values = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('1.31', '1.32', 'spot', 'internet', '10.0.0.0/8', '4Gi', -1, 0, 65536, ''));
    // A definition with a few fields replaced, removed or added at random.
    const mutation = fc.record({
      base: fc.constantFrom(example, minimal),
      edits: fc.array(fc.tuple(fc.nat(), fc.oneof(values, fc.constant(undefined)), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(mutation, ({ base, edits }) => {
        const data = structuredClone(base);
        for (const [pick, value, key] of edits) mutate(data, pick, value, key);
        let expected: unknown;
        try {
          expected = verdict(compiled, data);
        } catch {
          // Ajv's run-time deep equality throws on a key such as toString: the generated validator uses kaji's (kube/json-equal.ts).
          assert.notEqual(verdict(generated, data), 'valid');
          return;
        }
        assert.deepEqual(verdict(generated, data), expected);
      }),
      { numRuns: 300 },
    );
  });
});

/** Replaces (or removes, for undefined) the pick-th node of a JSON value in place, or adds `key` to a mapping. */
function mutate(data: unknown, pick: number, value: unknown, key: string): void {
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) {
        slots.push({ parent: node, key: index });
        walk(item);
      }
    } else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      slots.push({ parent: record, key: key || 'extra' });
      for (const [name, item] of Object.entries(record)) {
        slots.push({ parent: record, key: name });
        walk(item);
      }
    }
  };
  walk(data);
  const slot = slots[pick % slots.length];
  if (slot === undefined) return;
  if (value === undefined && !Array.isArray(slot.parent)) delete slot.parent[slot.key as string];
  else (slot.parent as Record<string | number, unknown>)[slot.key] = value ?? null;
}

describe('the AWS side in platform.yaml: the VPC, its zones, the API endpoint, an existing OIDC provider and hosted zone', () => {
  const network = (lines: string, text = MINIMAL): string => edit('teams:\n', `network:\n${lines}teams:\n`, text);
  const region = (name: string): string => edit('region: eu-west-1', `region: ${name}`);

  test('GIVEN network.vpcCidr alone WHEN parsed THEN the load balancer subnets default to its first /20', () => {
    const parsed = parsePlatform(network('  vpcCidr: 172.20.0.0/16\n'), FILE).network;
    assert.equal(parsed.vpcCidr, '172.20.0.0/16');
    assert.deepEqual(parsed.loadBalancerCidrs, ['172.20.0.0/20']);
  });

  test('GIVEN a region WHEN no zones are named THEN its three usual zones are filled in, named without a lookup', () => {
    assert.deepEqual(parsePlatform(region('ap-northeast-1'), FILE).network.availabilityZones, ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d']);
    assert.deepEqual(parsePlatform(region('us-east-2'), FILE).network.availabilityZones, ['us-east-2a', 'us-east-2b', 'us-east-2c']);
  });

  test('network.vpcCidr must be a private IPv4 /16 or /17, and hold the load balancer subnets', () => {
    assertProblems(network('  vpcCidr: 10.1.0.0/24\n'), [
      'platform.yaml:13:12: network.vpcCidr: must be a /16 or /17 block (AWS allows /16 at most; kaji places the endpoint, data and node subnets at VPC base + 16.0/20, 32.0/20 and 64.0/18); found 10.1.0.0/24',
    ]);
    assertProblems(network('  vpcCidr: 8.8.0.0/16\n'), [
      'platform.yaml:13:12: network.vpcCidr: must be inside a private range (10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16), which the services\' "internet" egress excludes; found 8.8.0.0/16',
    ]);
    assertProblems(network('  vpcCidr: "2600:1f18:abcd::/56"\n'), [
      'platform.yaml:13:12: network.vpcCidr: must be an IPv4 CIDR such as 10.0.0.0/16 (the VPC is IPv4); found "2600:1f18:abcd::/56"',
    ]);
    assertProblems(network('  vpcCidr: 10.1.0.1/16\n'), ['platform.yaml:13:12: network.vpcCidr: "10.1.0.1/16" has host bits set: the block it names is 10.1.0.0/16; write that']);
    assertProblems(network('  vpcCidr: 10.1.0.0/16\n  loadBalancerCidrs: [10.1.0.0/20, 10.0.0.0/20, 10.1.48.0/20]\n'), [
      'platform.yaml:14:36: network.loadBalancerCidrs[1]: 10.0.0.0/20 is not inside the VPC, 10.1.0.0/16 (network.vpcCidr): the load balancer subnets are the VPC\'s public subnets; name blocks inside it, or change vpcCidr',
    ]);
    // AND clear of the endpoint, data and node subnets kaji places in the VPC (no field of platform.yaml moves them)
    assertProblems(network('  vpcCidr: 10.1.0.0/16\n  loadBalancerCidrs: [10.1.0.0/20, 10.1.48.0/20, 10.1.96.0/24]\n'), [
      'platform.yaml:14:50: network.loadBalancerCidrs[2]: 10.1.96.0/24 overlaps the VPC\'s node subnets, 10.1.64.0/18: kaji places its endpoint, data and node subnets at VPC base + 16.0/20, 32.0/20 and 64.0/18 (endpoint 10.1.16.0/20, data 10.1.32.0/20, node 10.1.64.0/18); name blocks clear of those, such as the VPC\'s first /20, 10.1.0.0/20',
    ]);
    // One block (cut into four: /26 at least) or one per zone, IPv4, apart from each other.
    assertProblems(network('  loadBalancerCidrs: [10.0.0.0/21, 10.0.8.0/21]\n'), [
      'platform.yaml:13:22: network.loadBalancerCidrs: must hold one block (cut into one subnet per availability zone) or 3 blocks (one per zone, in zone order); found 2',
    ]);
    assertProblems(network('  loadBalancerCidrs: [10.0.0.0/27]\n'), [
      'platform.yaml:13:23: network.loadBalancerCidrs[0]: 10.0.0.0/27, cut into 4 for the zones, gives /29 subnets: smaller than /28, the smallest subnet AWS allows; give a larger block',
    ]);
    assertProblems(network('  loadBalancerCidrs: [10.0.0.0/24, 10.0.1.0/29, 10.0.0.128/25]\n'), [
      'platform.yaml:13:36: network.loadBalancerCidrs[1]: 10.0.1.0/29: smaller than /28, the smallest subnet AWS allows; give a larger block',
      'platform.yaml:13:49: network.loadBalancerCidrs[2]: 10.0.0.128/25 overlaps network.loadBalancerCidrs[0], 10.0.0.0/24: give each zone its own block',
    ]);
    assertProblems(network('  loadBalancerCidrs: ["fd00::/64"]\n'), ['platform.yaml:13:23: network.loadBalancerCidrs[0]: must be an IPv4 CIDR such as 10.0.0.0/20 (the VPC is IPv4); found "fd00::/64"']);
    assertProblems(network('  loadBalancerCidrs: [10.0.0.0]\n'), [
      'platform.yaml:13:23: network.loadBalancerCidrs[0]: must be an IPv4 CIDR such as 10.0.0.0/20; found "10.0.0.0", an address without a prefix length (write 10.0.0.0/32 for this one address)',
    ]);
    assertProblems(network('  loadBalancerCidrs: [10.0.0.0/26]\n'), []);
    assertProblems(network('  loadBalancerCidrs: [10.0.0.0/18]\n'), [
      'platform.yaml:13:23: network.loadBalancerCidrs[0]: 10.0.0.0/18 overlaps the VPC\'s endpoint subnets, 10.0.16.0/20: kaji places its endpoint, data and node subnets at VPC base + 16.0/20, 32.0/20 and 64.0/18 (endpoint 10.0.16.0/20, data 10.0.32.0/20, node 10.0.64.0/18); name blocks clear of those, such as the VPC\'s first /20, 10.0.0.0/20',
    ]);
    // The default VPC, 10.0.0.0/16, holds the load balancer subnets as they were before vpcCidr existed, and no others.
    assertProblems(network('  loadBalancerCidrs: [10.1.0.0/20]\n'), [
      'platform.yaml:13:23: network.loadBalancerCidrs[0]: 10.1.0.0/20 is not inside the VPC, 10.0.0.0/16 (network.vpcCidr): the load balancer subnets are the VPC\'s public subnets; name blocks inside it, or change vpcCidr',
    ]);
  });

  test('network.availabilityZones names three different zones of the region; us-west-1, whose names differ per account, needs them', () => {
    assertProblems(network('  availabilityZones: [eu-west-1a, eu-west-1b]\n'), [
      'platform.yaml:13:22: network.availabilityZones: must name three different zones (the VPC has one subnet of each group and a NAT gateway in each); found ["eu-west-1a","eu-west-1b"]',
    ]);
    assertProblems(network('  availabilityZones: [eu-west-1a, eu-west-1b, eu-west-2c]\n'), [
      'platform.yaml:13:47: network.availabilityZones[2]: must be a zone of eu-west-1 (the platform\'s region) such as eu-west-1a; found "eu-west-2c"',
    ]);
    assertProblems(network('  availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1a]\n'), [
      'platform.yaml:13:47: network.availabilityZones[2]: repeats "eu-west-1a" (already item 0); list each once',
    ]);
    assertProblems(network('  availabilityZones: [eu-west-1a, eu-west-1b, west]\n'), [
      'platform.yaml:13:47: network.availabilityZones[2]: must be an availability zone name such as eu-west-1a; found "west"',
    ]);
    // Reported at the region, which is what makes the list needed.
    assertProblems(region('us-west-1'), [
      'platform.yaml:3:11: network.availabilityZones: is required in us-west-1, whose zone names differ between accounts: name three zones of the account for the VPC (aws ec2 describe-availability-zones --region us-west-1); most accounts have only two zones in us-west-1: run the platform in a region with three',
    ]);
    assertProblems(network('  availabilityZones: [us-west-1b, us-west-1c]\n', region('us-west-1')), [
      'platform.yaml:13:22: network.availabilityZones: must name three different zones (the VPC has one subnet of each group and a NAT gateway in each); found ["us-west-1b","us-west-1c"]; most accounts have only two zones in us-west-1: run the platform in a region with three',
    ]);
    const threeZones = parsePlatform(network('  availabilityZones: [us-west-1a, us-west-1b, us-west-1c]\n', region('us-west-1')), FILE);
    assert.deepEqual(threeZones.network.availabilityZones, ['us-west-1a', 'us-west-1b', 'us-west-1c']);
  });

  test('platform.apiEndpointCidrs are IPv4 networks, not every address; the OIDC provider is one of the platform\'s account; the zone id is an id', () => {
    const text = edit(
      '  domain: labs.example.com\n',
      '  domain: labs.example.com\n' +
        '  apiEndpointCidrs: [203.0.113.0/24, 0.0.0.0/0, "2001:db8::/32", office]\n' +
        '  githubOidcProviderArn: arn:aws:iam::999988887777:oidc-provider/token.actions.githubusercontent.com\n' +
        '  hostedZoneId: /hostedzone/Z0123456789ABCDEFGHIJ\n',
    );
    assertProblems(text, [
      'platform.yaml:6:38: platform.apiEndpointCidrs[1]: is 0.0.0.0/0, every address: name the networks that may reach the API, or leave the list empty for a private endpoint',
      'platform.yaml:6:49: platform.apiEndpointCidrs[2]: is 2001:db8::/32, an IPv6 block, but the cluster is an IPv4 cluster, whose public endpoint EKS opens to IPv4 CIDRs only: name the IPv4 addresses of those networks',
      'platform.yaml:6:66: platform.apiEndpointCidrs[3]: must be an IPv4 CIDR such as 203.0.113.0/24; found "office"',
      'platform.yaml:7:26: platform.githubOidcProviderArn: is in account 999988887777, but the CI roles that trust it are in platform.account 111122223333, and a role trusts an OIDC provider of its own account only; name that account\'s provider, or leave it out for the shared stack to create one',
      'platform.yaml:8:17: platform.hostedZoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without "/hostedzone/"); found "/hostedzone/Z0123456789ABCDEFGHIJ"',
    ]);
    // A provider of another partition than the region's: IAM would refuse the trust only at deployment.
    assertProblems(edit('  domain: labs.example.com\n', '  domain: labs.example.com\n  githubOidcProviderArn: arn:aws-cn:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\n'), [
      "platform.yaml:6:26: platform.githubOidcProviderArn: is in partition aws-cn, but the platform's region eu-west-1 is in aws, whose roles cannot trust it: name the provider of the platform's account there (arn:aws:iam::…)",
    ]);
    // Roles too: EKS refuses an access entry for a role of another partition, at deployment.
    assertProblems(edit('  domain: labs.example.com\n', '  domain: labs.example.com\n  adminRoles: [arn:aws-cn:iam::111122223333:role/admins]\n'), [
      "platform.yaml:6:16: platform.adminRoles[0]: is in partition aws-cn, but the platform's region eu-west-1 is in aws, whose clusters cannot give it an access entry: name a role of that partition (arn:aws:iam::…)",
    ]);
    assertProblems(edit('arn:aws:iam::111122223333:role/team-blog', 'arn:aws-us-gov:iam::111122223333:role/team-blog'), [
      "platform.yaml:14:15: teams[0].identity: is in partition aws-us-gov, but the platform's region eu-west-1 is in aws, whose clusters cannot give it an access entry: name a role of that partition (arn:aws:iam::…)",
    ]);
    assertProblems(edit('  domain: labs.example.com\n', '  domain: labs.example.com\n  githubOidcProviderArn: arn:aws:iam::111122223333:oidc-provider/accounts.google.com\n'), [
      'platform.yaml:6:26: platform.githubOidcProviderArn: must be the ARN of a GitHub Actions OIDC provider, such as arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com; found "arn:aws:iam::111122223333:oidc-provider/accounts.google.com"',
    ]);
  });
});
