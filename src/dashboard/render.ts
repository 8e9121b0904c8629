// The dashboard as one self-contained HTML page: inline CSS, no script, no
// fetch of any kind (its Content-Security-Policy allows the one inline style
// sheet by hash and nothing else), so it reads the same from file://, as a CI
// artifact or served. Every value from the platform's files, and from Argo CD
// (health messages come from the tenants' objects), goes through text():
// control and bidirectional-text characters are shown as escapes (a name
// cannot reverse what follows it), then HTML-escaped.
import { createHash } from 'node:crypto';
import { printable } from '../report/index.js';
import type { FailedCheck } from '../synth/index.js';
import type { CapacityFigures } from './capacity.js';
import type { Dashboard, DashboardArgoCdCell, DashboardCell, DashboardCluster, DashboardService } from './model.js';

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --danger: #cf222e; --muted: #6e7781; --diff: #fff8c5; --line: #d0d7de; }
@media (prefers-color-scheme: dark) { :root { --diff: #3b2e00; --line: #30363d; } }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
p.meta { color: var(--muted); margin: 0 0 1rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: Canvas; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 13px ui-monospace, monospace; overflow-wrap: anywhere; }
.ok { color: var(--ok); } .warning { color: var(--warn); } .danger { color: var(--danger); } .muted, .missing, .retiring { color: var(--muted); }
td.cell { min-width: 11rem; border-left: 4px solid var(--ok); }
td.cell.warning { border-left-color: var(--warn); } td.cell.danger { border-left-color: var(--danger); } td.cell.missing, td.cell.retiring { border-left-color: var(--muted); }
tr.differs > * { background: var(--diff); }
td.cell.not-ready { box-shadow: inset 0 0 0 2px var(--danger); }
.badge { display: inline-block; font-size: 11px; padding: 0 .35rem; border-radius: .6rem; border: 1px solid currentColor; margin-left: .25rem; }
details { margin-top: .2rem; } summary { cursor: pointer; }
ul { margin: .2rem 0; padding-left: 1.1rem; }
`;

/** The Content-Security-Policy of the page: no script, no fetch, the one inline style sheet by its hash. */
export const DASHBOARD_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'`;

/** Text from the platform's files, safe in HTML text and in quoted attribute values. */
export function text(value: string): string {
  return printable(value).replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export interface RenderOptions {
  /**
   * Reload the page this often (a <meta http-equiv="refresh">: navigation,
   * which the Content-Security-Policy does not govern, so no script is needed).
   * For --serve with Argo CD. @default never
   */
  readonly refreshSeconds?: number;
}

export function renderDashboardHtml(dashboard: Dashboard, options: RenderOptions = {}): string {
  const { totals } = dashboard;
  const live = dashboard.clusters.some((cluster) => cluster.argocd !== null);
  const facts = [
    `${totals.services} services`,
    `${dashboard.clusters.length} clusters`,
    count(totals.dangers, 'danger', 'dangers'),
    count(totals.warnings, 'warning', 'warnings'),
    count(totals.problems, 'problem', 'problems'),
    `${totals.versionsDiffer} at different versions between clusters`,
    `${totals.missing} missing from a cluster`,
    ...retiringClusters(dashboard).map((name) => `<span class="retiring">${text(name)} retiring</span>`),
    ...(live ? [`<span class="${totals.argocdNotReady > 0 ? 'danger' : 'ok'}">${totals.argocdNotReady} not Synced and Healthy${dashboard.manifests.commit === null ? '' : ' at that commit'} in Argo CD</span>`] : []),
    ...(totals.argocdUnread > 0 ? [`<span class="danger">${count(totals.argocdUnread, "cluster's Argo CD", "clusters' Argo CD")} not read</span>`] : []),
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    ...(options.refreshSeconds === undefined ? [] : [`<meta http-equiv="refresh" content="${Math.max(1, Math.round(options.refreshSeconds))}">`]),
    `<title>${text(dashboard.platform)}: kaji dashboard</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${text(dashboard.platform)}</h1>`,
    `<p class="meta">kaji dashboard, generated ${text(dashboard.generatedAt)} from platform.yaml and kaji synth's summary.json of ${source(dashboard.manifests)} · ${facts.join(' · ')}</p>`,
    ...clustersSection(dashboard),
    ...servicesSection(dashboard),
    ...capacitySection(dashboard),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function clustersSection(dashboard: Dashboard): string[] {
  const live = dashboard.clusters.some((cluster) => cluster.argocd !== null);
  // Services not rendered whole come first, beside the name: the score covers only what rendered.
  const notWhole = (cluster: DashboardCluster) =>
    cluster.notRenderedWhole === 0 ? '' : `<span class="badge danger">${cluster.notRenderedWhole} of ${count(dashboard.services.length, 'service', 'services')} not rendered whole</span>`;
  const score = (cluster: DashboardCluster) =>
    cluster.score === null ? '<td class="num danger">— no service rendered</td>' : cluster.notRenderedWhole > 0 ? `<td class="num danger">${cluster.score} over what rendered</td>` : `<td class="num">${cluster.score}</td>`;
  const row = (cluster: DashboardCluster) =>
    `<tr><th scope="row">${text(cluster.name)}${cluster.retiring ? RETIRING_BADGE : ''}${notWhole(cluster)}</th><td>${text(cluster.kubernetesVersion)}</td>` +
    `<td class="num">${cluster.weight}${cluster.trafficShare === null ? '' : ` (${percent(cluster.trafficShare)})`}</td>` +
    `${score(cluster)}<td class="num${cluster.dangers > 0 ? ' danger' : ''}">${cluster.dangers}</td>` +
    `<td class="num${cluster.warnings > 0 ? ' warning' : ''}">${cluster.warnings}</td>${live ? argoCdClusterHtml(cluster, dashboard.services) : ''}</tr>`;
  return [
    '<h2>Clusters</h2>',
    '<table>',
    `<thead><tr><th scope="col">cluster</th><th scope="col">Kubernetes</th><th scope="col">DNS weight (traffic)</th><th scope="col">policy score</th><th scope="col">dangers</th><th scope="col">warnings</th>${live ? '<th scope="col">Argo CD</th>' : ''}</tr></thead>`,
    `<tbody>${dashboard.clusters.map(row).join('')}</tbody>`,
    '</table>',
  ];
}

/** When the cluster's Argo CD was read, and how many services it shows ready, or why it could not be read: said once, here. */
function argoCdClusterHtml(cluster: DashboardCluster, services: readonly DashboardService[]): string {
  const argocd = cluster.argocd;
  if (argocd === null) return '<td class="muted">not asked (<code>--argocd</code>)</td>';
  const read = `read ${text(argocd.readAt)} from <code>${text(argocd.server)}</code>`;
  if (argocd.error !== null) return `<td><span class="danger">could not be read: ${text(argocd.error)}</span><br><span class="muted">${read}</span></td>`;
  if (cluster.retiring) {
    // What the retirement waits for: the Applications going, not being ready.
    const left = services.filter((service) => service.cells.some((cell) => cell.cluster === cluster.name && cell.argocd?.found === true)).length;
    const pruned = left === 0 ? 'retiring: every service Application pruned' : `retiring: ${left} of ${count(services.length, 'service Application', 'service Applications')} still there, being pruned`;
    return `<td><span class="retiring">${pruned}</span><br><span class="muted">${read}</span></td>`;
  }
  const ready = `<span class="${argocd.ready < argocd.total ? 'danger' : 'ok'}">${argocd.ready}/${argocd.total} services Synced and Healthy</span>`;
  // Argo CD lists only the Applications the token's account may get: none of them at all is more often RBAC than a cluster not synced yet.
  const noneFound = argocd.total > 0 && services.every((service) => service.cells.every((cell) => cell.cluster !== cluster.name || cell.argocd?.found === false));
  const hint = noneFound ? `<br><span class="warning">it lists none of the services' Applications: is this ${text(cluster.name)}'s Argo CD, and may the token's account get its applications?</span>` : '';
  return `<td>${ready}${hint}<br><span class="muted">${read}</span></td>`;
}

function servicesSection(dashboard: Dashboard): string[] {
  const heads = dashboard.clusters.map(
    (cluster) => `<th scope="col">${text(cluster.name)}<br><span class="muted">Kubernetes ${text(cluster.kubernetesVersion)} · weight ${cluster.weight}${cluster.retiring ? ' · retiring' : ''}</span></th>`,
  );
  return [
    '<h2>Services × clusters</h2>',
    '<p class="meta">Each cell: the images its containers run in that cluster, as kaji synth rendered the overlay (what Argo CD deploys), and what kaji synth found there (policy score, dangers, warnings, the checks that failed, removed APIs, tenant boundaries). Highlighted: a service running different images in different clusters, or missing from one. Greyed: a retiring cluster, where kaji synth writes no Application for the services (its Argo CD prunes them); its overlays are still rendered and checked.' +
      (dashboard.clusters.some((cluster) => cluster.argocd !== null)
        ? ` With Argo CD read: its Application's sync status, health and revision; framed in red when not Synced, not Healthy or not at ${dashboard.manifests.commit === null ? 'the same commit' : `commit <code>${text(dashboard.manifests.commit.slice(0, 12))}</code>`}.`
        : '') +
      '</p>',
    '<table>',
    `<thead><tr><th scope="col">service</th><th scope="col">team</th><th scope="col">namespace</th>${heads.join('')}</tr></thead>`,
    '<tbody>',
    ...dashboard.services.map((service) => serviceRow(service, new Map(dashboard.clusters.map((cluster) => [cluster.name, cluster.argocd])), dashboard.manifests.commit)),
    '</tbody>',
    '</table>',
  ];
}

function serviceRow(service: DashboardService, clusters: ReadonlyMap<string, DashboardCluster['argocd']>, commit: string | null): string {
  const badges = [
    service.versionsDiffer ? '<span class="badge warning">versions differ</span>' : '',
    service.missingFrom.length > 0 ? `<span class="badge danger">missing from ${service.missingFrom.map(text).join(', ')}</span>` : '',
  ].join('');
  const differs = service.versionsDiffer || service.missingFrom.length > 0;
  return (
    `<tr${differs ? ' class="differs"' : ''}><th scope="row">${text(service.service)}${badges}</th>` +
    `<td>${text(service.team)}</td><td>${text(service.namespace)}</td>${service.cells.map((cell) => cellHtml(cell, clusters.get(cell.cluster) ?? null, commit)).join('')}</tr>`
  );
}

function cellHtml(cell: DashboardCell, argocd: DashboardCluster['argocd'], commit: string | null): string {
  const lines: string[] = [];
  const retiring = cell.status === 'retiring';
  if (retiring) lines.push('<span class="retiring">retiring: no Application for it here (its Argo CD prunes it)</span>');
  if (cell.argocd !== null) lines.push(retiring ? retiringArgoCdHtml(cell.argocd) : argoCdCellHtml(cell.argocd, commit));
  // Not read: the cluster's row says why, once.
  else if (argocd !== null) lines.push('<span class="muted">Argo CD not read</span>');
  if (cell.policy === null) lines.push('<span class="missing">not rendered by kaji synth: no overlay to deploy it from</span>');
  // Its render failed: nothing was checked, so no score (the problems below say why).
  else if (cell.policy.rendered === false) lines.push(`<span class="danger">not rendered by kaji synth (${count(cell.problems.length, 'problem', 'problems')})</span>`);
  // Part of it could not be read: its figures are those of the rest.
  else if (cell.policy.rendered === 'partial') lines.push(`<span class="danger">rendered in part by kaji synth (${count(cell.problems.length, 'problem', 'problems')})</span>`);
  else if (cell.images.length === 0) lines.push('<span class="warning">no container image rendered</span>');
  // Hovering an image names the containers running it.
  for (const { image, containers } of cell.images) lines.push(`<code title="${text(containers.join(', '))}">${text(image)}</code>`);
  if (cell.policy !== null && cell.policy.rendered !== false) {
    const { rendered, score, dangers, warnings } = cell.policy;
    lines.push(`score ${score}${rendered === 'partial' ? ' of what rendered' : ''} · <span class="${dangers > 0 ? 'danger' : 'muted'}">${count(dangers, 'danger', 'dangers')}</span> · <span class="${warnings > 0 ? 'warning' : 'muted'}">${count(warnings, 'warning', 'warnings')}</span>`);
    // A summary.json of an older kaji synth has the counts only.
    if (cell.failedChecks === null && dangers + warnings > 0) lines.push('<span class="muted">run kaji synth again to list the failed checks (this summary.json counts them only)</span>');
  }
  // As kaji synth lists them: `Deployment/shop/web: container app: hostNetworkSet: Host network should not be configured`.
  const failed = (severity: FailedCheck['severity']) =>
    (cell.failedChecks ?? []).filter((check) => check.severity === severity).map((check) => `${check.object}: ${check.container === null ? '' : `container ${check.container}: `}${check.check}: ${check.message}`);
  lines.push(...findings('failed danger check', 'failed danger checks', failed('danger')));
  lines.push(...findings('failed warning check', 'failed warning checks', failed('warning'), 'warning'));
  lines.push(...findings('removed API', 'removed APIs', cell.removedApis.map((finding) => `${finding.object}: ${finding.message}`)));
  lines.push(...findings('tenant boundary', 'tenant boundaries', cell.boundaryViolations.map((violation) => `${violation.rule} ${violation.object}: ${violation.message}`)));
  lines.push(...findings('problem', 'problems', cell.problems.map((problem) => `${problem.file}: ${problem.message}`)));
  const notReady = !retiring && cell.argocd !== null && !cell.argocd.ready ? ' not-ready' : '';
  return `<td class="cell ${cell.status}${notReady}">${lines.join('<br>')}</td>`;
}

/** "Argo CD: Synced · Healthy · at 3f2a…", each word coloured, with Argo CD's message when it is not Synced and Healthy. */
function argoCdCellHtml(argocd: DashboardArgoCdCell, commit: string | null): string {
  if (!argocd.found) return `<span class="danger">Argo CD: no Application <code>${text(argocd.application)}</code></span>`;
  const sync = `<span class="${argocd.sync === 'Synced' ? 'ok' : 'warning'}">${text(argocd.sync ?? '')}</span>`;
  const health = `<span class="${argocd.health === 'Healthy' ? 'ok' : argocd.health === 'Degraded' || argocd.health === 'Missing' ? 'danger' : 'warning'}">${text(argocd.health ?? '')}</span>`;
  const at = argocd.revisions.length === 0 ? 'no revision' : `at <code>${argocd.revisions.map((revision) => text(revision.slice(0, 12))).join(', ')}</code>`;
  const revision = argocd.atExpectedRevision === false ? `<span class="danger">${at}, not <code>${text((commit ?? '').slice(0, 12))}</code></span>` : `<span class="muted">${at}</span>`;
  const message = argocd.message === '' ? '' : `<br><span class="muted">${text(argocd.message)}</span>`;
  return `Argo CD: ${sync} · ${health} · ${revision}${message}`;
}

/** A retiring cluster's Application: pruned yet, or still there (and how Argo CD shows it, as it may be stuck deleting). */
function retiringArgoCdHtml(argocd: DashboardArgoCdCell): string {
  if (!argocd.found) return '<span class="muted">Argo CD: Application pruned</span>';
  const message = argocd.message === '' ? '' : `<br><span class="muted">${text(argocd.message)}</span>`;
  return `<span class="warning">Argo CD: <code>${text(argocd.application)}</code> still there, being pruned (${text(argocd.sync ?? '')} · ${text(argocd.health ?? '')})</span>${message}`;
}

/** A list that stays folded (no script needed to open it); a message of several lines keeps them. */
function findings(one: string, many: string, items: readonly string[], severity: 'danger' | 'warning' = 'danger'): string[] {
  if (items.length === 0) return [];
  const item = (message: string) => `<li>${message.split('\n').map(text).join('<br>')}</li>`;
  return [`<details><summary class="${severity}">${count(items.length, one, many)}</summary><ul>${items.map(item).join('')}</ul></details>`];
}

function capacitySection(dashboard: Dashboard): string[] {
  const { placeholders } = dashboard.headroom;
  const asked = dashboard.headroom.kind === 'units' ? `${text(dashboard.headroom.cpu)} cpu and ${text(dashboard.headroom.memory)} memory` : `${dashboard.headroom.percent}% of the services' quota`;
  const written =
    placeholders === null
      ? 'kaji synth writes no placeholder for it'
      : `kaji synth writes ${count(placeholders.pods, 'placeholder pod', 'placeholder pods')} for it, requesting ${cores(placeholders.cpuMillicores)} cores and ${gib(placeholders.memoryBytes)} GiB together`;
  const measured = dashboard.clusters.filter((cluster): cluster is DashboardCluster & { capacity: CapacityFigures } => cluster.capacity !== null);
  const retiring = retiringClusters(dashboard);
  const none = retiring.length === 0 ? '' : `, and none in ${retiring.map(text).join(', ')} (retiring: kaji synth writes no placeholders there)`;
  const intro = `<p class="meta">platform.yaml asks for headroom of ${asked} in every cluster${none}: ${written}.</p>`;
  if (measured.length === 0) return ['<h2>Capacity</h2>', intro, '<p class="muted">No capacity given: add <code>--capacity CLUSTER=FILE</code> (the output of <code>kaji capacity -o json</code>, or a <code>kubectl get nodes,pods -A -o json</code> snapshot).</p>'];
  // Each row: its label, the value of a cluster, and whether that value needs a look.
  type Row = readonly [string, (cluster: MeasuredCluster) => string, (cluster: MeasuredCluster) => boolean];
  const never = () => false;
  const rows: Row[] = [
    ['nodes by capacity type', ({ capacity: c }) => `${c.nodes}: ${c.capacityTypes.map((type) => `${type.name} ${type.nodes}`).join(', ')}`, never],
    ['spot share of nodes / of cpu', ({ capacity: c }) => `${percent(c.spotShare.nodes)} / ${percent(c.spotShare.cpu)}`, never],
    ['cpu requested / allocatable', ({ capacity: c }) => `${cores(c.cpuMillicores.requested)} / ${cores(c.cpuMillicores.allocatable)} cores (${percent(c.cpuMillicores.utilisation)})`, never],
    ['memory requested / allocatable', ({ capacity: c }) => `${gib(c.memoryBytes.requested)} / ${gib(c.memoryBytes.allocatable)} GiB (${percent(c.memoryBytes.utilisation)})`, never],
    ['not schedulable (cordoned, NotReady, being disrupted)', ({ capacity: c }) => notSchedulableText(c), ({ capacity: c }) => (c.notSchedulable?.nodes ?? 0) > 0],
    ['free for new pods (schedulable nodes)', ({ capacity: c }) => (c.cpuMillicores.free === null || c.memoryBytes.free === null ? NOT_IN_FILE : `${cores(c.cpuMillicores.free)} cores, ${gib(c.memoryBytes.free)} GiB`), never],
    ['headroom target (kaji synth\'s placeholders)', (cluster) => (cluster.retiring ? 'none (retiring)' : placeholders === null ? 'none' : amounts(placeholders)), never],
    ['headroom running (holding capacity)', (cluster) => `${runningText(cluster.capacity)}${belowTarget(cluster, placeholders) ? ': below the target' : ''}`, (cluster) => belowTarget(cluster, placeholders)],
    ['headroom pending (waiting for a node)', ({ capacity: c }) => amounts(c.headroom.pending), ({ capacity: c }) => c.headroom.pending.pods > 0],
    ['pods waiting for a node', ({ capacity: c }) => `${c.unschedulablePods}`, ({ capacity: c }) => c.unschedulablePods > 0],
  ];
  const cell = (value: string, warn: boolean) => `<td${warn ? ' class="warning"' : ''}>${text(value)}</td>`;
  return [
    '<h2>Capacity</h2>',
    intro,
    '<table>',
    `<thead><tr><th scope="col"></th>${measured.map((cluster) => `<th scope="col">${text(cluster.name)}${cluster.retiring ? RETIRING_BADGE : ''}</th>`).join('')}</tr></thead>`,
    // Every figure is escaped too: the capacity file is checked (capacity.ts), and the page does not rely on it.
    `<tbody>${rows.map(([label, value, warn]) => `<tr><th scope="row">${label}</th>${measured.map((cluster) => cell(value(cluster), warn(cluster))).join('')}</tr>`).join('')}` +
      `<tr><th scope="row">from</th>${measured.map((cluster) => `<td><code>${text(cluster.capacity.source)}</code></td>`).join('')}</tr></tbody>`,
    '</table>',
  ];
}

type MeasuredCluster = DashboardCluster & { readonly capacity: CapacityFigures };

/** A figure the capacity file lacks: the output of a kaji capacity before it counted it. */
const NOT_IN_FILE = '– (not in this file: run kaji capacity again)';

/** "3 pods, 3.0 cores, 12.0 GiB". */
function amounts(pods: { readonly pods: number; readonly cpuMillicores: number; readonly memoryBytes: number }): string {
  return `${count(pods.pods, 'pod', 'pods')}, ${cores(pods.cpuMillicores)} cores, ${gib(pods.memoryBytes)} GiB`;
}

function notSchedulableText(capacity: CapacityFigures): string {
  const nodes = capacity.notSchedulable;
  if (nodes === null) return NOT_IN_FILE;
  return nodes.nodes === 0 ? 'none' : `${count(nodes.nodes, 'node', 'nodes')}, ${cores(nodes.cpuMillicores)} cores, ${gib(nodes.memoryBytes)} GiB allocatable left out of the free room`;
}

/** The running placeholders, and those of them on a node no new pod lands on (they hold no room a pod could take). */
function runningText(capacity: CapacityFigures): string {
  const { running, stranded } = capacity.headroom;
  const note = stranded === null || stranded.pods === 0 ? '' : ` (${stranded.pods} of them on a node no new pod lands on)`;
  return `${amounts(running)}${note}`;
}

/** Fewer placeholders hold room than kaji synth writes, or they hold less cpu or memory: a new pod may wait for a node. */
function belowTarget(cluster: MeasuredCluster, placeholders: Dashboard['headroom']['placeholders']): boolean {
  if (cluster.retiring || placeholders === null) return false;
  const { running, stranded } = cluster.capacity.headroom;
  const holding = (key: 'pods' | 'cpuMillicores' | 'memoryBytes') => running[key] - (stranded?.[key] ?? 0);
  return holding('pods') < placeholders.pods || holding('cpuMillicores') < placeholders.cpuMillicores || holding('memoryBytes') < placeholders.memoryBytes;
}

/** The manifest checkout the page describes, and what makes it differ from what Argo CD deploys. */
function source({ commit, branch, dirty, followedBranch }: Dashboard['manifests']): string {
  if (commit === null) return 'the manifest folder (not a git checkout)';
  const onBranch = branch === null ? '' : ` on <code>${text(branch)}</code>`;
  const otherBranch = branch !== null && branch !== followedBranch ? ` <span class="warning">(Argo CD follows <code>${text(followedBranch)}</code>)</span>` : '';
  const uncommitted = dirty ? ' <span class="warning">with uncommitted changes</span>' : '';
  return `the manifest repository at commit <code>${text(commit.slice(0, 12))}</code>${onBranch}${otherBranch}${uncommitted}`;
}

const RETIRING_BADGE = '<span class="badge retiring">retiring</span>';

/** The names of the retiring clusters, in platform.yaml's order. */
function retiringClusters(dashboard: Dashboard): string[] {
  return dashboard.clusters.filter((cluster) => cluster.retiring).map((cluster) => cluster.name);
}

function count(value: number, one: string, many: string): string {
  return `${value} ${value === 1 ? one : many}`;
}

function percent(fraction: number | null): string {
  return fraction === null ? '–' : `${Math.round(fraction * 1000) / 10}%`;
}

function cores(millicores: number): string {
  return (millicores / 1000).toFixed(1);
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}
