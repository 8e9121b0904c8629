// The dashboard page with hostile values in every place a file can put text:
// each is shown as text, never as markup, and bidirectional controls cannot
// reorder what the reader sees.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  buildDashboard,
  DASHBOARD_CSP,
  DashboardInputError,
  parseSummary,
  readCapacityFile,
  renderDashboardHtml,
  type CapacityFigures,
  type Dashboard,
} from '../../src/dashboard/index.js';
import { parsePlatform } from '../../src/platform/index.js';
import { ECR, platformYaml } from '../support/platform.js';
import { tempTree } from '../support/files.js';

const HOSTILE = [`<script>alert("x")</script>`, `"><img src=x onerror=alert(1)>`, `' onmouseover='alert(1)`, 'R\u202eLO\u2066x\u2069', 'bell\u0007 & more'];
const hostile = (where: string) => `${where} ${HOSTILE.join(' ')}`;
/** hostile(where) as the page shows it. */
const escapedHostile = (where: string) =>
  `${where} &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &#39; onmouseover=&#39;alert(1) R\\u202eLO\\u2066x\\u2069 bell\\x07 &amp; more`;

function hostileDashboard(capacity?: CapacityFigures): Dashboard {
  const platform = parsePlatform(platformYaml([{ name: 'shop' }, { name: 'cart' }]), 'platform.yaml');
  const summary = parseSummary(
    {
      platform: 'shop',
      manifests: { commit: hostile('commit'), branch: hostile('branch'), dirty: true, fingerprint: 'sha256:0' },
      dangers: 2,
      warnings: 0,
      problems: 1,
      clusters: platform.clusters.map((cluster) => ({
        cluster: cluster.name,
        kubernetesVersion: cluster.kubernetesVersion,
        weight: cluster.weight,
        score: 50,
        services: [
          {
            service: 'shop',
            namespace: 'shop',
            objects: 2,
            dangers: 2,
            warnings: 0,
            score: 50,
            boundaryViolations: [
              { rule: 'removedApi', object: hostile('object'), message: hostile('removed') },
              { rule: hostile('rule'), object: hostile('object'), message: hostile('boundary') },
            ],
            problems: [{ file: hostile('file'), message: hostile('problem') }, { file: 'kustomization.yaml', message: 'first line\nsecond <line>' }],
            failedChecks: [
              { object: hostile('check object'), container: hostile('check container'), check: hostile('check id'), severity: 'danger', message: hostile('check message') },
              { object: 'Deployment/shop/shop', container: null, check: 'hostNetworkSet', severity: 'danger', message: 'Host network should not be configured' },
              { object: 'Deployment/shop/shop', container: 'proxy', check: 'cpuLimitsMissing', severity: 'warning', message: 'CPU limits should be set' },
            ],
            images: [
              { object: 'Deployment/shop/shop', container: hostile('container'), image: cluster.name === 'blue' ? hostile('image') : `${ECR}/shop:1.0.0` },
              { object: 'Deployment/shop/shop', container: 'proxy', image: `${ECR}/mirror/envoy:1.31.0` },
              { object: 'CronJob/shop/report', container: 'report', image: `${ECR}/mirror/envoy:1.31.0` },
            ],
          },
        ],
      })),
    },
    'summary.json',
  );
  const figures: CapacityFigures = {
    source: hostile('capacity.json'),
    nodes: 2,
    spotNodes: 1,
    onDemandNodes: 1,
    capacityTypes: [{ name: 'spot', nodes: 1 }, { name: 'on-demand', nodes: 1 }],
    spotShare: { nodes: 0.5, cpu: 0.5 },
    cpuMillicores: { allocatable: 4000, requested: 1000, utilisation: 0.25, free: 3000 },
    memoryBytes: { allocatable: 8 * 2 ** 30, requested: 2 ** 30, utilisation: 0.125, free: 7 * 2 ** 30 },
    notSchedulable: { nodes: 0, cpuMillicores: 0, memoryBytes: 0 },
    headroom: {
      priorityClass: 'kaji-headroom',
      running: { pods: 1, cpuMillicores: 1000, memoryBytes: 2 ** 31 },
      pending: { pods: 0, cpuMillicores: 0, memoryBytes: 0 },
      stranded: { pods: 0, cpuMillicores: 0, memoryBytes: 0 },
    },
    unschedulablePods: 0,
  };
  return buildDashboard({ platform, summary, capacity: new Map([['blue', capacity ?? figures]]), now: new Date(0) });
}

/** The tags of a page, each name with its attributes' names; a tag that is not plain `<name attr="value">` markup fails the test. */
function tagsOf(html: string): { name: string; attributes: string[] }[] {
  const tags: { name: string; attributes: string[] }[] = [];
  for (const match of html.matchAll(/<[^>]*>?/g)) {
    const tag = match[0];
    const plain = /^<\/?([a-z0-9]+)((?: [a-z-]+(?:="[^"<>]*")?)*)>$/.exec(tag);
    assert.ok(plain || tag === '<!doctype html>', `not plain markup: ${tag}`);
    if (plain) tags.push({ name: plain[1]!, attributes: [...plain[2]!.matchAll(/ ([a-z-]+)(?:="[^"<>]*")?/g)].map((attribute) => attribute[1]!) });
  }
  return tags;
}

const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'code', 'br', 'details', 'summary', 'ul', 'li']);

/** Only the page's own markup: known tags, no event handler attribute, its four meta tags. */
function assertOnlyOwnMarkup(html: string): void {
  const tags = tagsOf(html);
  assert.deepEqual([...new Set(tags.map((tag) => tag.name))].filter((name) => !ALLOWED_TAGS.has(name)), []);
  assert.deepEqual(tags.flatMap((tag) => tag.attributes).filter((attribute) => attribute.startsWith('on')), []);
  assert.equal(tags.filter((tag) => tag.name === 'meta').length, 4, 'charset, viewport, CSP and referrer only');
}

describe('the dashboard page', () => {
  test('hostile names, tags, messages and file names are text, never markup', () => {
    const html = renderDashboardHtml(hostileDashboard());
    assertOnlyOwnMarkup(html);
    // Every hostile value is there, escaped, once per place it was put.
    for (const where of ['image', 'container', 'removed', 'boundary', 'rule', 'file', 'problem', 'capacity.json', 'branch', 'check object', 'check container', 'check id', 'check message']) {
      assert.ok(html.includes(escapedHostile(where)), where);
    }
    // Bidirectional and control characters are shown as escapes, never written.
    assert.ok(!['\u202e', '\u2066', '\u2069', '\u0007'].some((character) => html.includes(character)));
  });

  test('the page carries its CSP, and the CSP allows exactly its one style sheet', () => {
    const html = renderDashboardHtml(hostileDashboard());
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    assert.ok(DASHBOARD_CSP.startsWith(`default-src 'none'; style-src 'sha256-${hash}'`));
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_CSP}">`));
    assert.equal(html.match(/<style>/g)!.length, 1);
    assert.ok(!/ style="/.test(html), 'no inline style attribute: the CSP would block it');
  });

  test('a cell shows what it holds: the rendered images, with the containers running each, and the findings', () => {
    const dashboard = hostileDashboard();
    const [shop, cart] = dashboard.services;
    assert.equal(shop!.versionsDiffer, true);
    assert.deepEqual(shop!.cells.map((cell) => [cell.status, cell.removedApis.length, cell.boundaryViolations.length, cell.problems.length]), [
      ['danger', 1, 1, 2],
      ['danger', 1, 1, 2],
    ]);
    assert.deepEqual(shop!.cells[1]!.images, [
      { image: `${ECR}/shop:1.0.0`, containers: [`Deployment/shop/shop ${hostile('container')}`] },
      { image: `${ECR}/mirror/envoy:1.31.0`, containers: ['Deployment/shop/shop proxy', 'CronJob/shop/report report'] },
    ]);
    // cart was not rendered by kaji synth in either cluster: missing.
    assert.deepEqual(cart!.missingFrom, ['blue', 'green']);
    const html = renderDashboardHtml(dashboard);
    assert.ok(html.includes('<span class="badge danger">missing from blue, green</span>'));
    assert.ok(html.includes(`<br><code title="Deployment/shop/shop proxy, CronJob/shop/report report">${ECR}/mirror/envoy:1.31.0</code><br>`));
    assert.ok(html.includes('<td class="cell missing"><span class="missing">not rendered by kaji synth: no overlay to deploy it from</span></td>'));
    // The commit, shortened, its branch, not the one Argo CD follows, and that files differed from it.
    assert.ok(html.includes(`at commit <code>commit &lt;scri</code> on <code>${escapedHostile('branch')}</code> <span class="warning">(Argo CD follows <code>main</code>)</span> <span class="warning">with uncommitted changes</span>`));
  });

  test("a cell lists the checks that failed there, as kaji synth lists them: dangers, then warnings, each folded", () => {
    const dashboard = hostileDashboard();
    assert.deepEqual(
      dashboard.services[0]!.cells[0]!.failedChecks!.map((check) => [check.check, check.severity]),
      [[hostile('check id'), 'danger'], ['hostNetworkSet', 'danger'], ['cpuLimitsMissing', 'warning']],
    );
    assert.deepEqual(dashboard.services[1]!.cells[0]!.failedChecks, [], 'not rendered: nothing failed');
    const html = renderDashboardHtml(dashboard);
    assert.ok(
      html.includes(
        '<details><summary class="danger">2 failed danger checks</summary><ul>' +
          `<li>${escapedHostile('check object')}: container ${escapedHostile('check container')}: ${escapedHostile('check id')}: ${escapedHostile('check message')}</li>` +
          '<li>Deployment/shop/shop: hostNetworkSet: Host network should not be configured</li></ul></details>',
      ),
    );
    assert.ok(html.includes('<details><summary class="warning">1 failed warning check</summary><ul><li>Deployment/shop/shop: container proxy: cpuLimitsMissing: CPU limits should be set</li></ul></details>'));
    assert.ok(!html.includes('run kaji synth again'));
  });

  test('a summary.json of a kaji synth before failedChecks shows the counts, and says how to list the checks', () => {
    const platform = parsePlatform(platformYaml([{ name: 'shop' }]), 'platform.yaml');
    const service = (dangers: number) => ({ service: 'shop', namespace: 'shop', objects: 1, dangers, warnings: 0, score: 50, boundaryViolations: [], problems: [], images: [] });
    const summary = parseSummary(
      {
        platform: 'shop',
        manifests: { commit: null, branch: null, dirty: null, fingerprint: 'sha256:0' },
        dangers: 1,
        warnings: 0,
        problems: 0,
        clusters: platform.clusters.map((cluster, index) => ({
          cluster: cluster.name,
          kubernetesVersion: cluster.kubernetesVersion,
          weight: cluster.weight,
          score: 50,
          services: [service(1 - index)],
        })),
      },
      'summary.json',
    );
    const dashboard = buildDashboard({ platform, summary, capacity: new Map(), now: new Date(0) });
    assert.deepEqual(dashboard.services[0]!.cells.map((cell) => cell.failedChecks), [null, null]);
    const html = renderDashboardHtml(dashboard);
    assert.equal(html.split('run kaji synth again to list the failed checks').length - 1, 1, 'in the cell with a danger only');
    assert.ok(!html.includes('failed danger check'));
  });

  test('a failed check of another shape names its field', () => {
    const platform = parsePlatform(platformYaml([{ name: 'shop' }]), 'platform.yaml');
    const failedCheck = { object: 'Deployment/shop/shop', container: null, check: 'hostNetworkSet', severity: 'danger', message: 'Host network should not be configured' };
    const summaryWith = (failedChecks: unknown) => ({
      platform: 'shop',
      manifests: { commit: null, branch: null, dirty: null, fingerprint: 'sha256:0' },
      dangers: 1,
      warnings: 0,
      problems: 0,
      clusters: [{ cluster: platform.clusters[0]!.name, kubernetesVersion: '1.32', weight: 255, score: 50, services: [{ service: 'shop', namespace: 'shop', objects: 1, dangers: 1, warnings: 0, score: 50, boundaryViolations: [], problems: [], images: [], failedChecks }] }],
    });
    for (const [failedChecks, field, expected] of [
      [{}, 'failedChecks', 'a list'],
      [[{ ...failedCheck, severity: 'error' }], 'failedChecks[0].severity', '"danger" or "warning"'],
      [[{ ...failedCheck, container: 3 }], 'failedChecks[0].container', 'a string or null'],
      [[{ ...failedCheck, message: undefined }], 'failedChecks[0].message', 'a string'],
    ] as const) {
      assert.throws(
        () => parseSummary(summaryWith(failedChecks), 'summary.json'),
        (error: Error) => error instanceof DashboardInputError && error.message.startsWith(`summary.json: clusters[0].services[0].${field} is not ${expected};`),
        field,
      );
    }
  });

  test('a message of several lines keeps its lines; counts are singular for one', () => {
    const html = renderDashboardHtml(hostileDashboard());
    assert.ok(html.includes('<li>kustomization.yaml: first line<br>second &lt;line&gt;</li>'));
    assert.ok(html.includes('<summary class="danger">1 removed API</summary>'));
    assert.ok(html.includes('<summary class="danger">2 problems</summary>'));
  });

  test('capacity figures are escaped too, whatever reaches the page', () => {
    const meta = '<meta http-equiv="refresh" content="0;url=https://attacker.example/">';
    const figures = JSON.parse(JSON.stringify(hostileDashboard().clusters[0]!.capacity)) as Record<string, unknown> & { headroom: { running: Record<string, unknown> } };
    figures.nodes = meta;
    figures.unschedulablePods = meta;
    figures.headroom.running.pods = meta;
    const html = renderDashboardHtml(hostileDashboard(figures as unknown as CapacityFigures));
    assertOnlyOwnMarkup(html);
    assert.ok(html.includes('&lt;meta http-equiv=&quot;refresh&quot;'));
  });
});

describe("the capacity table's figures", () => {
  const base = hostileDashboard().clusters[0]!.capacity!;
  /** The first cluster's cell of the row `label`: its text, and whether it is marked for a look. */
  const cellIn = (dashboard: Dashboard, label: string) => {
    const html = renderDashboardHtml(dashboard);
    const match = new RegExp(`<tr><th scope="row">${label.replace(/[()]/g, '\\$&')}</th><td( class="warning")?>([^<]*)</td>`).exec(html);
    assert.ok(match, `${label} in\n${html}`);
    return { text: match[2], warning: match[1] !== undefined };
  };
  const cellOf = (figures: CapacityFigures, label: string) => cellIn(hostileDashboard(figures), label);

  test('the nodes add up: every capacity type with nodes is listed, not only spot and on-demand', () => {
    const figures: CapacityFigures = { ...base, nodes: 5, spotNodes: 2, onDemandNodes: 1, capacityTypes: [{ name: 'spot', nodes: 2 }, { name: 'on-demand', nodes: 1 }, { name: 'fargate', nodes: 1 }, { name: 'unknown', nodes: 1 }] };
    assert.deepEqual(cellOf(figures, 'nodes by capacity type'), { text: '5: spot 2, on-demand 1, fargate 1, unknown 1', warning: false });
  });

  test('nodes no new pod can land on are counted and marked, and what is free on the others shown; a file without those figures says so', () => {
    const draining: CapacityFigures = {
      ...base,
      notSchedulable: { nodes: 1, cpuMillicores: 2000, memoryBytes: 4 * 2 ** 30 },
      cpuMillicores: { ...base.cpuMillicores, free: 1500 },
      memoryBytes: { ...base.memoryBytes, free: 3 * 2 ** 30 },
    };
    assert.deepEqual(cellOf(draining, 'not schedulable (cordoned, NotReady, being disrupted)'), { text: '1 node, 2.0 cores, 4.0 GiB allocatable left out of the free room', warning: true });
    assert.deepEqual(cellOf(draining, 'free for new pods (schedulable nodes)'), { text: '1.5 cores, 3.0 GiB', warning: false });
    assert.deepEqual(cellOf(base, 'not schedulable (cordoned, NotReady, being disrupted)'), { text: 'none', warning: false });
    const older: CapacityFigures = { ...base, notSchedulable: null, cpuMillicores: { ...base.cpuMillicores, free: null } };
    assert.equal(cellOf(older, 'not schedulable (cordoned, NotReady, being disrupted)').text, '– (not in this file: run kaji capacity again)');
    assert.equal(cellOf(older, 'free for new pods (schedulable nodes)').text, '– (not in this file: run kaji capacity again)');
  });

  test("the headroom's target is kaji synth's placeholders; running below it is marked, placeholders on a node no pod lands on do not count, pending shows its requests", () => {
    const target = hostileDashboard().headroom.placeholders!;
    const held = { ...target };
    const amounts = (pods: typeof target) => `${pods.pods} ${pods.pods === 1 ? 'pod' : 'pods'}, ${(pods.cpuMillicores / 1000).toFixed(1)} cores, ${(pods.memoryBytes / 2 ** 30).toFixed(1)} GiB`;
    const withHeadroom = (headroom: Partial<CapacityFigures['headroom']>): CapacityFigures => ({ ...base, headroom: { ...base.headroom, ...headroom } });
    assert.deepEqual(cellOf(base, "headroom target (kaji synth's placeholders)"), { text: amounts(target), warning: false });
    assert.deepEqual(cellOf(withHeadroom({ running: held }), 'headroom running (holding capacity)'), { text: amounts(held), warning: false });
    const short = { pods: target.pods - 1, cpuMillicores: target.cpuMillicores - 1, memoryBytes: target.memoryBytes };
    assert.deepEqual(cellOf(withHeadroom({ running: short }), 'headroom running (holding capacity)'), { text: `${amounts(short)}: below the target`, warning: true });
    const one = { pods: 1, cpuMillicores: 1, memoryBytes: 1 };
    assert.deepEqual(cellOf(withHeadroom({ running: held, stranded: one }), 'headroom running (holding capacity)'), {
      text: `${amounts(held)} (1 of them on a node no new pod lands on): below the target`,
      warning: true,
    });
    const pending = { pods: 2, cpuMillicores: 1500, memoryBytes: 3 * 2 ** 30 };
    assert.deepEqual(cellOf(withHeadroom({ pending }), 'headroom pending (waiting for a node)'), { text: '2 pods, 1.5 cores, 3.0 GiB', warning: true });
  });

  test('no headroom asked, or a retiring cluster: the target is none, and no running count is below it', () => {
    const idle = { pods: 0, cpuMillicores: 0, memoryBytes: 0 };
    const dashboard = hostileDashboard({ ...base, headroom: { ...base.headroom, running: idle } });
    const none = { ...dashboard, headroom: { ...dashboard.headroom, placeholders: null } };
    assert.match(renderDashboardHtml(none), /in every cluster: kaji synth writes no placeholder for it\.<\/p>/);
    assert.deepEqual(cellIn(none, "headroom target (kaji synth's placeholders)"), { text: 'none', warning: false });
    assert.deepEqual(cellIn(none, 'headroom running (holding capacity)'), { text: '0 pods, 0.0 cores, 0.0 GiB', warning: false });
    const retiring = { ...dashboard, clusters: dashboard.clusters.map((cluster) => ({ ...cluster, retiring: true })) };
    assert.deepEqual(cellIn(retiring, "headroom target (kaji synth's placeholders)"), { text: 'none (retiring)', warning: false });
    assert.deepEqual(cellIn(retiring, 'headroom running (holding capacity)'), { text: '0 pods, 0.0 cores, 0.0 GiB', warning: false });
    // The same cluster not retiring, with headroom asked: below it.
    assert.deepEqual(cellIn(dashboard, 'headroom running (holding capacity)'), { text: '0 pods, 0.0 cores, 0.0 GiB: below the target', warning: true });
  });
});

describe('a capacity summary file', () => {
  const valid = {
    total: { nodes: 2, spotNodes: 1, pods: 3, cpuMillicores: { allocatable: 4000, requested: 1000, utilisation: 0.25 }, memoryBytes: { allocatable: 100, requested: 50, utilisation: null } },
    spotShare: { nodes: 0.5, cpu: null },
    capacityTypes: [{ name: 'spot', nodes: 1 }, { name: 'on-demand', nodes: 1 }],
    unschedulable: { pods: 0, cpuMillicores: 0, memoryBytes: 0, list: [] },
    headroom: { priorityClass: 'kaji-headroom', running: { pods: 1, cpuMillicores: 500, memoryBytes: 10 }, pending: { pods: 0, cpuMillicores: 0, memoryBytes: 0 } },
  };

  const newer = {
    ...valid,
    total: {
      ...valid.total,
      cpuMillicores: { ...valid.total.cpuMillicores, free: 3000 },
      memoryBytes: { ...valid.total.memoryBytes, free: 50 },
      notSchedulable: { nodes: 1, cpuMillicores: 1000, memoryBytes: 10 },
    },
    headroom: { ...valid.headroom, stranded: { pods: 1, cpuMillicores: 500, memoryBytes: 10 } },
  };

  test('every field the page shows is checked, and one that is wrong is named', async (t) => {
    /** The valid summary with the value at `path` replaced. */
    const broken = (path: (string | number)[], value: unknown) => {
      const summary = JSON.parse(JSON.stringify(valid)) as Record<string | number, unknown>;
      const parent = path.slice(0, -1).reduce((object, key) => object[key] as Record<string | number, unknown>, summary);
      parent[path.at(-1)!] = value;
      return JSON.stringify(summary);
    };
    const files = tempTree({
      'valid.json': JSON.stringify(valid),
      'headroom.json': broken(['headroom'], {}),
      'nodes.json': broken(['total', 'nodes'], '<meta http-equiv=refresh content=0>'),
      'spot.json': broken(['capacityTypes', 0, 'nodes'], '3'),
      'pods.json': broken(['unschedulable', 'pods'], -1),
      'share.json': broken(['spotShare', 'cpu'], 'all'),
      'newer.json': JSON.stringify(newer),
      'free.json': JSON.stringify({ ...newer, total: { ...newer.total, cpuMillicores: { ...newer.total.cpuMillicores, free: -1 } } }),
      'cordoned.json': JSON.stringify({ ...newer, total: { ...newer.total, notSchedulable: { nodes: 'one', cpuMillicores: 0, memoryBytes: 0 } } }),
      'stranded.json': JSON.stringify({ ...newer, headroom: { ...newer.headroom, stranded: null } }),
      'eks.json': JSON.stringify({ ...newer, eksClusters: [{ name: 'labs-blue', pod: 'kube-system/karpenter-1', field: 5 }] }),
      'eks-list.json': JSON.stringify({ ...newer, eksClusters: 'labs-blue' }),
    });
    t.after(files.cleanup);
    const figures = await readCapacityFile(files.path('valid.json'), 'valid.json');
    assert.deepEqual([figures.nodes, figures.spotNodes, figures.onDemandNodes, figures.spotShare, figures.memoryBytes.utilisation, figures.headroom.running.pods], [2, 1, 1, { nodes: 0.5, cpu: null }, null, 1]);
    // The output of a kaji capacity before it counted the nodes no pod can land on still reads: those figures are null.
    assert.deepEqual([figures.cpuMillicores.free, figures.memoryBytes.free, figures.notSchedulable, figures.headroom.stranded], [null, null, null, null]);
    const read = await readCapacityFile(files.path('newer.json'), 'newer.json');
    assert.deepEqual([read.cpuMillicores.free, read.notSchedulable, read.headroom.stranded], [3000, newer.total.notSchedulable, newer.headroom.stranded]);
    for (const [file, field, expected] of [
      ['headroom.json', 'headroom.priorityClass', 'a string'],
      ['nodes.json', 'total.nodes', 'a number (0 or more)'],
      ['spot.json', 'capacityTypes[0].nodes', 'a number (0 or more)'],
      ['pods.json', 'unschedulable.pods', 'a number (0 or more)'],
      ['share.json', 'spotShare.cpu', 'a number (0 or more)'],
      ['free.json', 'total.cpuMillicores.free', 'a number (0 or more)'],
      ['cordoned.json', 'total.notSchedulable.nodes', 'a number (0 or more)'],
      ['stranded.json', 'headroom.stranded', 'an object'],
      ['eks.json', 'eksClusters[0].field', 'a string'],
      ['eks-list.json', 'eksClusters', 'a list'],
    ]) {
      await assert.rejects(readCapacityFile(files.path(file!), file!), (error: Error) => {
        assert.ok(error instanceof DashboardInputError, error.stack);
        assert.equal(error.message, `${file}: ${field} is not ${expected}; give the output of \`kaji capacity -o json\` or of \`kubectl get nodes,pods -A -o json\``);
        return true;
      });
    }
  });
});
