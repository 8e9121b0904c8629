// kaji capacity --from: a snapshot that kubectl wrote, as a file (JSON or YAML) or on standard input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { kaji } from '../support/cli.js';
import type { JsonObject } from '../../src/kube/index.js';
import { tempTree } from '../support/files.js';
import { platformYaml } from '../support/platform.js';
import { BIG_MESSAGE, EXPECTED, NODES, snapshotList } from './cluster.js';

const snapshot = `${JSON.stringify(snapshotList(), null, 4)}\n`;

// What a platform team reads for the fixture cluster; every number follows from cluster.ts's hand-worked requests.
const TABLE = `CAPACITY TYPE  NODES  PODS  CPU ALLOC  CPU REQ  CPU %  MEM ALLOC  MEM REQ  MEM %
spot               2     3       5.85      2.6    44%     20.7Gi      3Gi    15%
on-demand          2     3       3.86     1.13    29%     13.8Gi    1.1Gi     8%
total              4     6       9.71     3.73    38%     34.5Gi    4.1Gi    12%

Spot: 50% of nodes (2 of 4), 60% of allocatable cpu (5.85 of 9.71 cores)

NODE POOL                        NODES  SPOT  PODS  CPU ALLOC  CPU REQ  CPU %  MEM ALLOC  MEM REQ  MEM %
default                              3     2     5       7.78     3.63    47%     27.6Gi      4Gi    15%
SystemNodes-4f8c2a (node group)      1     0     1       1.93      0.1     5%      6.9Gi     70Mi     1%

INSTANCE TYPE  NODES  SPOT  PODS  CPU ALLOC  CPU REQ  CPU %  MEM ALLOC  MEM REQ  MEM %
m6a.large          1     1     2       1.93      1.5    78%      6.9Gi    2.4Gi    35%
m6i.large          2     0     3       3.86     1.13    29%     13.8Gi    1.1Gi     8%
m6i.xlarge         1     1     1       3.92      1.1    28%     13.8Gi    640Mi     5%

ZONE        NODES  SPOT  PODS  CPU ALLOC  CPU REQ  CPU %  MEM ALLOC  MEM REQ  MEM %
eu-west-1a      2     1     2       5.85      1.2    21%     20.7Gi    710Mi     3%
eu-west-1b      1     1     2       1.93      1.5    78%      6.9Gi    2.4Gi    35%
eu-west-1c      1     0     2       1.93     1.03    53%      6.9Gi      1Gi    15%

Unschedulable pods: 1, requesting cpu 8, memory 32Gi
  NAMESPACE  POD    CPU  MEMORY  WHY
  shop       big-0    8    32Gi  ${BIG_MESSAGE}

Headroom (PriorityClass kaji-headroom): 1 running (cpu 1, memory 2Gi), 1 pending (cpu 1, memory 2Gi)
`;

/** A node and a pod requesting `cpu`, as kubectl writes them without indentation. */
function compactSnapshot(cpu: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ip-1' }, status: { allocatable: { cpu: '2', memory: '4Gi' } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' }, spec: { nodeName: 'ip-1', containers: [{ name: 'web', resources: { requests: { cpu } } }] } },
    ],
  };
}

describe('kaji capacity --from', () => {
  test('a JSON snapshot file: the table', async () => {
    const tree = tempTree({ 'snapshot.json': snapshot });
    try {
      const { code, stdout, stderr } = await kaji(['capacity', '--from', tree.path('snapshot.json')]);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(stdout, TABLE);
    } finally {
      tree.cleanup();
    }
  });

  test('standard input (-), JSON output: exact millicores and bytes', async () => {
    const { code, stdout, stderr } = await kaji(['capacity', '--from', '-', '--output', 'json'], { stdin: snapshot });
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const summary = JSON.parse(stdout);
    assert.deepEqual(Object.keys(summary), ['total', 'spotShare', 'capacityTypes', 'nodePools', 'instanceTypes', 'zones', 'unschedulable', 'notSchedulableNodes', 'headroom', 'eksClusters']);
    assert.deepEqual(summary.total.cpuMillicores, { allocatable: 9710, requested: 3725, utilisation: 0.3836, free: 9710 - 3725 });
    const allocatableMemory = EXPECTED.allocatable.xlarge.memory + 3 * EXPECTED.allocatable.large.memory;
    assert.deepEqual(summary.total.memoryBytes, { allocatable: allocatableMemory, requested: 4198 * EXPECTED.MiB, utilisation: 0.1189, free: allocatableMemory - 4198 * EXPECTED.MiB });
    assert.deepEqual(summary.total.notSchedulable, { nodes: 0, cpuMillicores: 0, memoryBytes: 0 });
    assert.deepEqual(summary.spotShare, { nodes: 0.5, cpu: 0.6025 });
    assert.equal(summary.unschedulable.list[0].message, BIG_MESSAGE);
    assert.deepEqual(summary.headroom.pending, { pods: 1, cpuMillicores: 1000, memoryBytes: 2 * EXPECTED.GiB });
  });

  test('a YAML snapshot (kubectl get -o yaml) reads as the JSON one does', async () => {
    const tree = tempTree({ 'snapshot.yaml': stringify(snapshotList()) });
    try {
      const { code, stdout, stderr } = await kaji(['capacity', '--from', tree.path('snapshot.yaml')]);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(stdout, TABLE);
    } finally {
      tree.cleanup();
    }
  });

  test('no headroom pods: said plainly', async () => {
    const list = { apiVersion: 'v1', kind: 'List', items: NODES.map((node) => ({ apiVersion: 'v1', kind: 'Node', ...node })) };
    const { code, stdout } = await kaji(['capacity', '--from', '-'], { stdin: JSON.stringify(list) });
    assert.equal(code, 0);
    assert.match(stdout, /\nUnschedulable pods: none\n/);
    assert.match(
      stdout,
      /\nHeadroom: none\. No pod of PriorityClass kaji-headroom is running or pending: no spare capacity is kept ready, so a new pod may wait for a node to be launched\.\n$/,
    );
  });
});

describe("kaji capacity --platform: platform.yaml's capacity.capacityTypes decides the no-spot hint", () => {
  // Karpenter launched one node, on-demand.
  const onDemandOnly = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'ip-1', labels: { 'karpenter.sh/capacity-type': 'on-demand', 'karpenter.sh/nodepool': 'default' } }, status: { allocatable: { cpu: '2', memory: '4Gi' } } }],
  });
  const capacity = (platformYaml: string) => async () => {
    const tree = tempTree({ 'platform/platform.yaml': platformYaml });
    try {
      return await kaji(['capacity', '--from', '-', '--platform', 'platform'], { stdin: onDemandOnly, cwd: tree.root });
    } finally {
      tree.cleanup();
    }
  };

  test('capacityTypes without spot: no hint', async () => {
    const { code, stdout, stderr } = await capacity(`${platformYaml([{ name: 'shop' }])}capacity: {capacityTypes: [on-demand]}\n`)();
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.match(stdout, /^Spot: 0% of nodes \(0 of 1\)/m);
    assert.doesNotMatch(stdout, /No spot node/);
  });

  test('capacityTypes left to its default (spot first): the hint, as without --platform', async () => {
    const { code, stdout } = await capacity(platformYaml([{ name: 'shop' }]))();
    assert.equal(code, 0);
    assert.match(stdout, /^ {2}No spot node, though Karpenter launched 1: /m);
    assert.match((await kaji(['capacity', '--from', '-'], { stdin: onDemandOnly })).stdout, /^ {2}No spot node, though Karpenter launched 1: /m);
  });

  test('a folder without platform.yaml: exit 2, the folder named, nothing printed', async () => {
    const tree = tempTree({});
    try {
      const { code, stdout, stderr } = await kaji(['capacity', '--from', '-', '--platform', 'nowhere'], { stdin: onDemandOnly, cwd: tree.root });
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.equal(stderr, "kaji: no platform.yaml in nowhere: run kaji in the platform's folder or give its folder (DIR / --platform)\n");
    } finally {
      tree.cleanup();
    }
  });
});

/** The fixture's nodes and its pods as two kubectl runs write them, one after the other into one file. */
const twoRuns = (['Node', 'Pod'] as const)
  .map((kind) => `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: (snapshotList().items as JsonObject[]).filter((item) => item.kind === kind) }, null, 4)}\n`)
  .join('');
/** The line the pods' List starts on. */
const twoRunsSecond = twoRuns.split('\n').indexOf('{', 1) + 1;

describe('kaji capacity --from: input it cannot use (exit 2, the file named, no stack trace)', () => {
  const cases: { name: string; files: Record<string, string>; args: (path: (p: string) => string) => string[]; stderr: string | RegExp }[] = [
    { name: 'a missing file', files: {}, args: (path) => ['--from', path('gone.json')], stderr: /^kaji: .*gone\.json: no such file or directory\n$/ },
    { name: 'a folder', files: { 'd/x.json': '{}' }, args: (path) => ['--from', path('d')], stderr: /^kaji: .*d: is a folder; give the file that kubectl get nodes,pods -A -o json wrote\n$/ },
    {
      name: 'broken JSON, with its line',
      files: { 's.json': '{\n  "kind": "List",\n  "items": [\n    {"kind": "Node",,}\n  ]\n}\n' },
      args: (path) => ['--from', path('s.json')],
      stderr: /^kaji: .*s\.json:4: invalid YAML: .*\nkaji: .*s\.json: no Node object could be read from it; a snapshot is what kubectl get nodes,pods -A -o json writes\n$/s,
    },
    {
      // `kubectl get nodes -o json; kubectl get pods -A -o json` into one file: one line, not "no Node object".
      name: 'two JSON values, as two kubectl runs write them into one file: where the second starts, and the one command to use',
      files: { 's.json': twoRuns },
      args: (path) => ['--from', path('s.json')],
      stderr: new RegExp(
        `^kaji: .*s\\.json:${twoRunsSecond}: a second JSON value starts at line ${twoRunsSecond}, column 1, after the one that ends at line ${twoRunsSecond - 1}: ` +
          'give the output of one command, `kubectl get nodes,pods -A -o json`, rather than of several one after the other\n$',
      ),
    },
    {
      name: 'platform.yaml given by mistake: its problem, then what a snapshot is',
      files: { 'platform.yaml': 'platform:\n  name: labs\n' },
      args: (path) => ['--from', path('platform.yaml')],
      stderr: /^kaji: .*platform\.yaml:1: missing "kind": every object needs a kind such as Deployment\nkaji: .*platform\.yaml: no Node object could be read from it; a snapshot is what kubectl get nodes,pods -A -o json writes\n$/,
    },
    {
      name: 'a file without nodes',
      files: { 's.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }) },
      args: (path) => ['--from', path('s.json')],
      stderr: /^kaji: .*s\.json: holds no Node objects; write the snapshot with kubectl get nodes,pods -A -o json\n$/,
    },
    {
      name: 'a node listed twice (a snapshot put together by hand)',
      files: {
        's.json': JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [1, 2].map(() => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'ip-1' }, status: { allocatable: { cpu: '2', memory: '4Gi' } } })),
        }),
      },
      args: (path) => ['--from', path('s.json')],
      stderr: /^kaji: .*s\.json: Node ip-1 is listed twice; write the snapshot with one kubectl get nodes,pods -A -o json\n$/,
    },
    {
      name: "a node's allocatable that is not a quantity",
      files: { 's.json': JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'ip-1' }, status: { allocatable: { cpu: 'two' } } }) },
      args: (path) => ['--from', path('s.json')],
      stderr: /^kaji: .*s\.json: Node ip-1: status\.allocatable\.cpu must be a Kubernetes quantity such as 500m, found "two"\n$/,
    },
    {
      // Compact JSON puts every object on line 1: the pod is named, as kaji capacity names one it cannot count.
      name: "a pod's request that is not a quantity, in compact JSON: the pod is named",
      files: { 's.json': JSON.stringify(compactSnapshot('abc')) },
      args: (path) => ['--from', path('s.json')],
      stderr: /^kaji: .*s\.json:1: Pod shop\/web-1: spec\.containers\[0\]\.resources\.requests\.cpu must be a Kubernetes quantity such as 500m or 2, found "abc"\n$/,
    },
    {
      name: 'a request larger than Kubernetes counts: the value as the file writes it, not as Kubernetes would print it ("1E")',
      files: { 's.json': JSON.stringify(compactSnapshot('1e18')) },
      args: (path) => ['--from', path('s.json')],
      stderr: /^kaji: .*s\.json: Pod shop\/web-1: spec\.containers\[0\]\.resources\.requests\.cpu is larger than Kubernetes counts, found "1e18"\n$/,
    },
    {
      name: '--from with --context',
      files: {},
      args: () => ['--from', '-', '--context', 'green'],
      stderr: 'kaji: --context and --kubeconfig choose the cluster kubectl reads; --from reads a file instead: give one or the other\n',
    },
  ];
  for (const { name, files, args, stderr } of cases) {
    test(name, async () => {
      const tree = tempTree(files);
      try {
        const result = await kaji(['capacity', ...args(tree.path)], { cwd: tree.root });
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stdout, '');
        if (typeof stderr === 'string') assert.equal(result.stderr, stderr);
        else assert.match(result.stderr, stderr);
      } finally {
        tree.cleanup();
      }
    });
  }

  test('an unknown --output', async () => {
    const { code, stderr } = await kaji(['capacity', '--from', '-', '-o', 'yaml']);
    assert.equal(code, 2);
    assert.match(stderr, /option '-o, --output <format>' argument 'yaml' is invalid\. Allowed choices are table, json\./);
  });
});
