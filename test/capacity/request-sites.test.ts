// Where a container's request is written (base, overlay patch, or somewhere kaji does not
// edit), and the edit of that one value: comments, layout and the other containers stay.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { editRequest, findRequestSite, type SiteSearch } from '../../src/capacity/index.js';
import { changedRequests, siteWorkload, type RequestSite } from '../../src/capacity/request-sites.js';
import { renderKustomization } from '../../src/kube/index.js';
import { hasKubectl, tempTree } from '../support/files.js';

const BASE_DEPLOYMENT = `# web: the shop's front end.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: api
          image: example/web
          resources:
            requests: {cpu: 250m, memory: 256Mi}   # sized in March
            limits: {cpu: "1", memory: 512Mi}
        - name: proxy
          image: example/proxy
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
---
# the worker keeps its own requests
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers: [{name: api, image: example/worker, resources: {requests: {cpu: 100m}}}]
`;

const OVERLAY_PATCH = `# blue needs more memory for the api
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: api
          resources:
            requests:
              memory: "384Mi" # blue's traffic
`;

function tree() {
  return tempTree({
    'apps/shop/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
    'apps/shop/base/deployment.yaml': BASE_DEPLOYMENT,
    'apps/shop/overlays/blue/kustomization.yaml': 'resources: [../../base]\npatches:\n  - path: requests.yaml\n',
    'apps/shop/overlays/blue/requests.yaml': OVERLAY_PATCH,
    'apps/shop/overlays/green/kustomization.yaml': [
      'namePrefix: green-',
      'resources: [../../base]',
      'patches:',
      '  - target: {kind: Deployment, name: worker}',
      '    patch: |-',
      '      - op: replace',
      '        path: /spec/template/spec/containers/0/resources/requests/cpu',
      '        value: 300m',
      '  - patch: |-',
      '      apiVersion: apps/v1',
      '      kind: Deployment',
      '      metadata: {name: web}',
      '      spec: {template: {spec: {containers: [{name: proxy, resources: {requests: {memory: 80Mi}}}]}}}',
      '',
    ].join('\n'),
  });
}

const where = (search: SiteSearch, root: string) =>
  search.kind === 'found' ? `${search.site.file.slice(root.length + 1)}#${search.site.document}${search.site.pointer}=${search.site.written}` : search.kind === 'unsupported' ? `unsupported: ${search.reason}` : 'none';

describe('findRequestSite', () => {
  test('the overlay patch that sets a value wins over the base; what it does not set comes from the base', async () => {
    const t = tree();
    try {
      const blue = t.path('apps/shop/overlays/blue');
      const web = { kind: 'Deployment', name: 'web' };
      assert.equal(where(await findRequestSite(blue, web, 'api', 'memory', t.root, t.path('apps/shop')), t.root), 'apps/shop/overlays/blue/requests.yaml#0/spec/template/spec/containers/0/resources/requests/memory=384Mi');
      assert.equal(where(await findRequestSite(blue, web, 'api', 'cpu', t.root, t.path('apps/shop')), t.root), 'apps/shop/base/deployment.yaml#0/spec/template/spec/containers/0/resources/requests/cpu=250m');
      assert.equal(where(await findRequestSite(blue, web, 'proxy', 'memory', t.root, t.path('apps/shop')), t.root), 'apps/shop/base/deployment.yaml#0/spec/template/spec/containers/1/resources/requests/memory=64Mi');
      // The second document of the base, and a request nobody writes.
      const worker = { kind: 'Deployment', name: 'worker' };
      assert.equal(where(await findRequestSite(blue, worker, 'api', 'cpu', t.root, t.path('apps/shop')), t.root), 'apps/shop/base/deployment.yaml#1/spec/template/spec/containers/0/resources/requests/cpu=100m');
      assert.equal(where(await findRequestSite(blue, worker, 'api', 'memory', t.root, t.path('apps/shop')), t.root), 'none');
    } finally {
      t.cleanup();
    }
  });

  test('names seen through namePrefix; a JSON 6902 patch or an inline patch is named, not edited', async () => {
    const t = tree();
    try {
      const green = t.path('apps/shop/overlays/green');
      assert.equal(
        where(await findRequestSite(green, { kind: 'Deployment', name: 'green-worker' }, 'api', 'cpu', t.root, t.path('apps/shop')), t.root),
        'unsupported: a JSON 6902 patch written in apps/shop/overlays/green/kustomization.yaml may set it: edit it there by hand',
      );
      assert.equal(
        where(await findRequestSite(green, { kind: 'Deployment', name: 'green-web' }, 'proxy', 'memory', t.root, t.path('apps/shop')), t.root),
        'unsupported: it is set by a patch written in apps/shop/overlays/green/kustomization.yaml: move the patch into a file of its own (patches: - path: FILE) for kaji to edit it',
      );
      assert.equal(
        where(await findRequestSite(green, { kind: 'Deployment', name: 'green-web' }, 'api', 'cpu', t.root, t.path('apps/shop')), t.root),
        'apps/shop/base/deployment.yaml#0/spec/template/spec/containers/0/resources/requests/cpu=250m',
      );
    } finally {
      t.cleanup();
    }
  });

  test('patches are searched in the reverse of the order kustomize applies them: patchesJson6902 last, after patches', async () => {
    const t = tree();
    try {
      const blue = t.path('apps/shop/overlays/blue');
      writeFileSync(
        join(blue, 'kustomization.yaml'),
        [
          'resources: [../../base]',
          'patchesJson6902:',
          '  - target: {group: apps, version: v1, kind: Deployment, name: web}',
          '    path: memory.json',
          'patches:',
          '  - path: requests.yaml',
          '',
        ].join('\n'),
      );
      writeFileSync(join(blue, 'memory.json'), '[{"op": "replace", "path": "/spec/template/spec/containers/0/resources/requests/memory", "value": "1Gi"}]\n');
      // The JSON 6902 patch is applied after requests.yaml, so it has the last word on the value.
      assert.equal(
        where(await findRequestSite(blue, { kind: 'Deployment', name: 'web' }, 'api', 'memory', t.root, t.path('apps/shop')), t.root),
        'unsupported: the JSON 6902 patch apps/shop/overlays/blue/memory.json may set it: edit it there by hand',
      );
    } finally {
      t.cleanup();
    }
  });

  test("a value in another service's folder is reported, not found: one service's numbers never rewrite another's files", async () => {
    const t = tree();
    try {
      writeFileSync(t.path('apps/shop/overlays/blue/kustomization.yaml'), 'resources: [../../base]\n');
      const evil = t.path('apps/evil/overlays/blue');
      mkdirSync(evil, { recursive: true });
      writeFileSync(join(evil, 'kustomization.yaml'), 'resources: [../../../shop/base]\n');
      const web = { kind: 'Deployment', name: 'web' };
      assert.equal(
        where(await findRequestSite(evil, web, 'api', 'cpu', t.root, t.path('apps/evil')), t.root),
        "unsupported: it is written in apps/shop/base/deployment.yaml, outside apps/evil/: kaji edits only the service's own files; change it there by hand",
      );
      // The service that owns the file still edits it.
      assert.equal(where(await findRequestSite(t.path('apps/shop/overlays/blue'), web, 'api', 'cpu', t.root, t.path('apps/shop')), t.root), 'apps/shop/base/deployment.yaml#0/spec/template/spec/containers/0/resources/requests/cpu=250m');
    } finally {
      t.cleanup();
    }
  });

  test("a patch's target label and annotation selectors are evaluated on the workload's labels, not taken as matching everything", async () => {
    const t = tree();
    try {
      const blue = t.path('apps/shop/overlays/blue');
      const overlay = (selectors: string) => writeFileSync(join(blue, 'kustomization.yaml'), `resources: [../../base]\npatches:\n  - path: requests.yaml\n    target: {kind: Deployment, ${selectors}}\n`);
      const web = { kind: 'Deployment', name: 'web', labels: { app: 'web', tier: 'front' }, annotations: { team: 'shop' } };
      const memory = async () => where(await findRequestSite(blue, web, 'api', 'memory', t.root, t.path('apps/shop')), t.root);
      const patched = 'apps/shop/overlays/blue/requests.yaml#0/spec/template/spec/containers/0/resources/requests/memory=384Mi';
      const base = 'apps/shop/base/deployment.yaml#0/spec/template/spec/containers/0/resources/requests/memory=256Mi';
      for (const [selectors, expected] of [
        ['labelSelector: app=db', base],
        ['labelSelector: "app=web,tier!=back"', patched],
        ['labelSelector: "app in (db, web)"', patched],
        ['labelSelector: "app notin (web)"', base],
        ['labelSelector: "!canary,tier"', patched],
        ['labelSelector: canary', base],
        ['labelSelector: app=web, annotationSelector: team=cart', base],
        ['annotationSelector: team==shop', patched],
      ] as const) {
        overlay(selectors);
        assert.equal(await memory(), expected, selectors);
      }
    } finally {
      t.cleanup();
    }
  });

  test("a patch's target name is a Go (RE2) pattern over the whole name, as kustomize reads it; one RE2 rejects is reported", async () => {
    const t = tree();
    try {
      const blue = t.path('apps/shop/overlays/blue');
      const overlay = (name: string) => writeFileSync(join(blue, 'kustomization.yaml'), `resources: [../../base]\npatches:\n  - path: requests.yaml\n    target: {kind: Deployment, name: '${name}'}\n`);
      const memory = async (workload: string) => where(await findRequestSite(blue, { kind: 'Deployment', name: workload }, 'api', 'memory', t.root, t.path('apps/shop')), t.root);
      const patched = 'apps/shop/overlays/blue/requests.yaml#0/spec/template/spec/containers/0/resources/requests/memory=384Mi';
      // Go syntax a JavaScript RegExp rejects: a named group (?P<...>) and a flag group (?i).
      overlay('(?P<app>w)eb');
      assert.equal(await memory('web'), patched);
      overlay('(?i)WEB');
      assert.equal(await memory('web'), patched);
      // Anchored at both ends, as kustomize anchors it.
      overlay('we');
      assert.equal(await memory('web'), 'apps/shop/base/deployment.yaml#0/spec/template/spec/containers/0/resources/requests/memory=256Mi');
      // Backtracking would take minutes here; RE2 is linear in the name.
      overlay('(a+)+b');
      assert.equal(await memory('a'.repeat(40)), 'none');
      overlay('web(');
      assert.match(await memory('web'), /^unsupported: the target name of a patch \(apps\/shop\/overlays\/blue\/requests\.yaml\) is no pattern kustomize reads \(error parsing regexp: missing closing \): .*\): fix it, then run kaji rightsize again$/);
    } finally {
      t.cleanup();
    }
  });
});

describe('changedRequests and siteWorkload: the requests two versions of a file write differently, named by workload and container', () => {
  const workerAt = (containers: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker, namespace: shop}\nspec:\n  template:\n    spec:\n      containers: ${containers}\n`;
  const names = (before: string | undefined, after: string | undefined) =>
    changedRequests(before, after).map(({ workload, container, resource, written }) => `${workload.kind}/${workload.name} ${container} ${resource}=${String(written)}`);

  test('the same text, or a document inserted before, containers reordered: nothing changed', () => {
    assert.deepEqual(names(BASE_DEPLOYMENT, BASE_DEPLOYMENT), []);
    const moved = `${workerAt('[{name: sidecar}]').replace('name: worker', 'name: batch')}---\n${BASE_DEPLOYMENT.replace('requests: {cpu: 250m, memory: 256Mi}', 'requests: {memory: 256Mi, cpu: 250m}')}`;
    assert.deepEqual(names(BASE_DEPLOYMENT, moved), []);
  });

  test("one value edited, one removed, one added: each named, as the later version writes it (else the earlier); a limit is not a request", () => {
    const edited = BASE_DEPLOYMENT.replace('cpu: 50m', 'cpu: 80m').replace('requests: {cpu: 100m}', 'requests: {memory: 32Mi}').replace('limits: {cpu: "1", memory: 512Mi}', 'limits: {cpu: "2", memory: 512Mi}');
    assert.deepEqual(names(BASE_DEPLOYMENT, edited), ['Deployment/web proxy cpu=80m', 'Deployment/worker api memory=32Mi', 'Deployment/worker api cpu=100m']);
  });

  test("a version that is not there (the file added or deleted) or unreadable: every request of the other changed; a patch's requests too", () => {
    const all = ['Deployment/web api cpu=250m', 'Deployment/web api memory=256Mi', 'Deployment/web proxy cpu=50m', 'Deployment/web proxy memory=64Mi', 'Deployment/worker api cpu=100m'];
    assert.deepEqual(names(undefined, BASE_DEPLOYMENT), all);
    assert.deepEqual(names(BASE_DEPLOYMENT, undefined), all);
    assert.deepEqual(names('{ not: yaml', BASE_DEPLOYMENT), all);
    assert.deepEqual(names(OVERLAY_PATCH, OVERLAY_PATCH.replace('384Mi', '400Mi')), ['Deployment/web api memory=400Mi']);
  });

  test("siteWorkload: the kind and name of a site's document in the version it was found in", () => {
    const site: RequestSite = { file: '/repo/apps/shop/base/deployment.yaml', document: 1, pointer: '/spec/template/spec/containers/0/resources/requests/cpu', written: '100m' };
    assert.deepEqual(siteWorkload(BASE_DEPLOYMENT, site), { kind: 'Deployment', name: 'worker' });
    assert.equal(siteWorkload(BASE_DEPLOYMENT, { ...site, document: 2 }), undefined);
  });
});

describe('editRequest', () => {
  test('only the value changes: the comment on its line, the flow style, the other container and document stay', async () => {
    const t = tree();
    try {
      const search = await findRequestSite(t.path('apps/shop/overlays/blue'), { kind: 'Deployment', name: 'web' }, 'api', 'cpu', t.root, t.path('apps/shop'));
      assert.equal(search.kind, 'found');
      const text = readFileSync(t.path('apps/shop/base/deployment.yaml'), 'utf8');
      const edited = editRequest(text, search.kind === 'found' ? search.site : assert.fail(), '587m');
      assert.equal(edited, BASE_DEPLOYMENT.replace('requests: {cpu: 250m, memory: 256Mi}   # sized in March', 'requests: {cpu: 587m, memory: 256Mi}   # sized in March'));

      const patch = await findRequestSite(t.path('apps/shop/overlays/blue'), { kind: 'Deployment', name: 'web' }, 'api', 'memory', t.root, t.path('apps/shop'));
      const patched = editRequest(OVERLAY_PATCH, patch.kind === 'found' ? patch.site : assert.fail(), '291Mi');
      assert.equal(patched, OVERLAY_PATCH.replace('memory: "384Mi" # blue\'s traffic', 'memory: "291Mi" # blue\'s traffic'), 'the quotes kept');
      // A whole number of cores is quoted, as Kubernetes would read a plain 2 as a number.
      const cores = editRequest(text, search.site, '2');
      assert.match(cores, /requests: \{cpu: "2", memory: 256Mi\}|requests: \{cpu: '2', memory: 256Mi\}/);
    } finally {
      t.cleanup();
    }
  });

  test('the rendered overlay runs the edited values', { skip: !hasKubectl }, async () => {
    const t = tree();
    try {
      const blue = t.path('apps/shop/overlays/blue');
      const web = { kind: 'Deployment', name: 'web' };
      for (const [container, resource, value] of [['api', 'cpu', '587m'], ['api', 'memory', '291Mi'], ['proxy', 'cpu', '20m']] as const) {
        const search = await findRequestSite(blue, web, container, resource, t.root, t.path('apps/shop'));
        if (search.kind !== 'found') assert.fail(`${container} ${resource}: ${search.kind}`);
        writeFileSync(search.site.file, editRequest(readFileSync(search.site.file, 'utf8'), search.site, value));
      }
      const [rendered] = (loadAll(await renderKustomization(blue)) as { metadata: { name: string }; spec: { template: { spec: { containers: { resources: { requests: object } }[] } } } }[]).filter(
        (d) => d.metadata.name === 'web',
      );
      assert.deepEqual(rendered!.spec.template.spec.containers.map((c) => c.resources.requests), [
        { cpu: '587m', memory: '291Mi' },
        { cpu: '20m', memory: '64Mi' },
      ]);
    } finally {
      t.cleanup();
    }
  });
});
