import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastJsonPatch from 'fast-json-patch';
import { parsePolicyConfig, type PolicyConfig } from '../../src/policy/index.js';
import { watchConfig, type ConfigWatcher } from '../../src/webhook/index.js';
import { admit, call, podSpec, review, startWebhook, TEST_CONFIG_YAML, waitFor, workload, WORKLOAD_KINDS, type Running } from './helpers.js';

const { applyPatch } = fastJsonPatch;

describe('kaji webhook: validate', () => {
  let running: Running;
  before(async () => {
    running = await startWebhook();
  });
  after(() => running.close());

  it('allows a good Pod, with the request uid', async () => {
    const body = review(workload('Pod', podSpec()), { uid: 'abc-123' });
    const answer = await admit(running, '/validate', body);
    assert.deepEqual(answer, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'abc-123', allowed: true } });
  });

  for (const kind of WORKLOAD_KINDS) {
    it(`denies a ${kind} with failed dangers, listing each check and its message; allows the good one`, async () => {
      const bad = workload(kind, podSpec({ image: 'nginx', securityContext: { runAsNonRoot: true, privileged: true } }, { hostNetwork: true }));
      const { response } = await admit(running, '/validate', review(bad));
      assert.equal(response.allowed, false);
      assert.equal(response.status?.code, 403);
      for (const id of ['hostNetworkSet', 'runAsPrivileged', 'tagNotSpecified']) assert.match(response.status!.message, new RegExp(`${id}`), id);
      assert.match(response.status!.message, /tagNotSpecified \(container app\): Image tag should be specified/);
      const good = await admit(running, '/validate', review(workload(kind, podSpec())));
      assert.equal(good.response.allowed, true, kind);
    });
  }

  it('returns failed warnings as AdmissionReview warnings and still allows', async () => {
    const object = workload('Deployment', podSpec({ imagePullPolicy: 'IfNotPresent', securityContext: {} }));
    const { response } = await admit(running, '/validate', review(object));
    assert.equal(response.allowed, true);
    assert.equal(response.warnings?.length, 2);
    assert.match(response.warnings![0]!, /^pullPolicyNotAlways \(container app\): /);
    assert.match(response.warnings![1]!, /^runAsRootAllowed \(container app\): /);
  });

  it('an object of many containers: the answer lists 20 findings of each kind and counts the rest, so it stays small', async () => {
    const container = (i: number, extra: Record<string, unknown>) => ({ ...podSpec(extra).containers[0], name: `c${i}` });
    const many = (extra: Record<string, unknown>) => workload('Deployment', { containers: Array.from({ length: 500 }, (_, i) => container(i, extra)) });
    const warned = await admit(running, '/validate', review(many({ imagePullPolicy: 'IfNotPresent' })));
    assert.equal(warned.response.allowed, true);
    assert.equal(warned.response.warnings?.length, 21);
    assert.match(warned.response.warnings![0]!, /^pullPolicyNotAlways \(container c0\): /);
    assert.equal(warned.response.warnings![20], '… and 480 more (kaji check lists them all)');
    const denied = await admit(running, '/validate', review(many({ image: 'nginx' })));
    assert.equal(denied.response.allowed, false);
    assert.equal(denied.response.status!.message.match(/tagNotSpecified \(container c\d+\)/g)?.length, 20);
    assert.match(denied.response.status!.message, /; … and 480 more \(kaji check lists them all\)$/);
  });

  it('applies config exemptions (the namespace from the object or the request)', async () => {
    const object = workload('Deployment', podSpec({}, { hostNetwork: true }), { namespace: 'legacy' });
    assert.equal((await admit(running, '/validate', review(object))).response.allowed, true);
    const noNamespace = workload('Deployment', podSpec({}, { hostNetwork: true }), { namespace: undefined });
    assert.equal((await admit(running, '/validate', review(noNamespace, { namespace: 'legacy' }))).response.allowed, true);
    assert.equal((await admit(running, '/validate', review(noNamespace, { namespace: 'apps' }))).response.allowed, false);
  });

  it('applies annotation exemptions', async () => {
    const spec = podSpec({}, { hostNetwork: true });
    const perCheck = workload('Deployment', spec, { annotations: { 'polaris.fairwinds.com/hostNetworkSet-exempt': 'true' } });
    assert.equal((await admit(running, '/validate', review(perCheck))).response.allowed, true);
    const all = workload('Deployment', spec, { annotations: { 'polaris.fairwinds.com/exempt': 'true' } });
    assert.equal((await admit(running, '/validate', review(all))).response.allowed, true);
  });

  it('answers v1beta1 in kind', async () => {
    const bad = workload('Pod', podSpec({}, { hostNetwork: true }));
    const answer = await admit(running, '/validate', review(bad, { apiVersion: 'admission.k8s.io/v1beta1', uid: 'beta' }));
    assert.equal(answer.apiVersion, 'admission.k8s.io/v1beta1');
    assert.equal(answer.kind, 'AdmissionReview');
    assert.equal(answer.response.uid, 'beta');
    assert.equal(answer.response.allowed, false);
  });

  it('allows DELETE and CONNECT, what Kubernetes makes for a controller, unknown kinds; judges dry runs the same', async () => {
    const bad = workload('Pod', podSpec({}, { hostNetwork: true }));
    assert.equal((await admit(running, '/validate', review(undefined, { operation: 'DELETE', uid: 'd' }))).response.allowed, true);
    assert.equal((await admit(running, '/validate', review(bad, { operation: 'DELETE' }))).response.allowed, true);
    assert.equal((await admit(running, '/validate', review(bad, { operation: 'CONNECT' }))).response.allowed, true);
    const owned = structuredClone(bad) as { metadata: Record<string, unknown> };
    owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }];
    const byKubernetes = ['system:serviceaccount:kube-system:replicaset-controller', 'system:node:ip-10-0-64-10.ap-northeast-1.compute.internal', 'eks:fargate-scheduler'];
    for (const username of byKubernetes) assert.equal((await admit(running, '/validate', review(owned, { username }))).response.allowed, true, username);
    owned.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u' }];
    const byController = review(owned, { username: 'system:serviceaccount:kube-system:replicaset-controller' });
    assert.equal((await admit(running, '/validate', byController)).response.allowed, false, 'a non-controller owner does not exempt');
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { hostNetwork: true } };
    assert.equal((await admit(running, '/validate', review(unknown))).response.allowed, true);
    const dry = review(bad);
    dry.request.dryRun = true;
    assert.equal((await admit(running, '/validate', dry)).response.allowed, false);
  });

  it('judges an object with a controller owner that anyone but Kubernetes made: an ownerReference is no proof', async () => {
    // GIVEN a Pod that fails a danger check and claims a ReplicaSet as its controller
    const owned = workload('Pod', podSpec({}, { hostNetwork: true }));
    (owned.metadata as Record<string, unknown>).ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }];
    // WHEN a tenant, another namespace's controller, an anonymous or an unnamed caller sends it
    const others = ['tenant-shop', 'system:serviceaccount:shop:builder', 'system:serviceaccount:argo:workflow-controller', 'system:anonymous', ''];
    for (const username of others) {
      const answer = await admit(running, '/validate', review(owned, { username }));
      // THEN the policy judges it as it judges any Pod
      assert.equal(answer.response.allowed, false, username);
      assert.match(answer.response.status!.message, /hostNetworkSet/, username);
    }
  });

  it('logs one structured line per decision, without object contents', async () => {
    running.logs.length = 0;
    const bad = workload('Deployment', podSpec({ env: [{ name: 'PASSWORD', value: 's3cret' }] }, { hostNetwork: true }));
    await admit(running, '/validate', review(bad, { uid: 'log-1' }));
    assert.equal(running.logs.length, 1);
    const line = running.logs[0] as Record<string, unknown>;
    assert.equal(line.uid, 'log-1');
    assert.equal(line.kind, 'Deployment');
    assert.equal(line.namespace, 'apps');
    assert.equal(line.name, 'deployment-x');
    assert.equal(line.operation, 'CREATE');
    assert.equal(line.path, '/validate');
    assert.equal(line.allowed, false);
    assert.deepEqual(line.dangers, ['hostNetworkSet']);
    assert.equal(typeof line.durationMs, 'number');
    assert.equal(typeof line.time, 'string');
    assert.doesNotMatch(JSON.stringify(line), /s3cret|PASSWORD/);
  });

  it('answers 400 with the reason, 413 over the limit, 404 and 405', async () => {
    const malformed = await call(running, '/validate', '{"apiVersion":');
    assert.equal(malformed.status, 400);
    assert.match(malformed.text, /malformed JSON/);
    const noRequest = await call(running, '/validate', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }));
    assert.equal(noRequest.status, 400);
    assert.match(noRequest.text, /no request/);
    const noUid = review(workload('Pod', podSpec())) as { request: Record<string, unknown> };
    delete noUid.request.uid;
    assert.match((await call(running, '/validate', JSON.stringify(noUid))).text, /uid is missing/);
    assert.equal((await call(running, '/nope', '{}')).status, 404);
    const get = await call(running, '/validate', undefined, { method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal((await call(running, '/healthz', '{}')).status, 405);
  });

  it('denies an object the policy cannot judge, naming the problem: a 400 would leave it to failurePolicy (Ignore admits it); /mutate lets it on unpatched', async () => {
    // GIVEN a webhook of its own, so the metrics count only these requests
    const own = await startWebhook();
    try {
      // Rollouts a CRD schema may let through, though the API server refuses the like in a Deployment
      const negative = workload('Rollout', podSpec({ imagePullPolicy: 'IfNotPresent', resources: { limits: { cpu: '-7331m' } } }));
      const fractional = workload('Rollout', podSpec());
      (fractional.spec as Record<string, unknown>).replicas = 2.5;
      const cases = [
        { object: negative, problem: 'Rollout spec.template.spec.containers[0].resources.limits.cpu must not be negative, found "-7331m"', field: 'spec.template.spec.containers[0].resources.limits.cpu' },
        { object: fractional, problem: 'Rollout spec.replicas must be a whole number from 0 to 2147483647 (or left out), found 2.5', field: 'spec.replicas' },
      ];
      for (const { object, problem, field } of cases) {
        // WHEN /validate gets it
        own.logs.length = 0;
        const answer = await call(own, '/validate', JSON.stringify(review(object, { uid: 'unjudged' })));
        // THEN a valid AdmissionReview denies it, with kaji check's wording of the problem
        assert.equal(answer.status, 200, answer.text);
        const { response } = JSON.parse(answer.text) as { response: { uid: string; allowed: boolean; status?: { code: number; message: string } } };
        assert.deepEqual(response, { uid: 'unjudged', allowed: false, status: { code: 403, message: `kaji denied Rollout apps/rollout-x: the policy cannot judge it: ${problem}` } });
        // and the log line says so, naming the field but not its value
        assert.equal(own.logs.length, 1);
        const line = own.logs[0] as Record<string, unknown>;
        assert.equal(line.verdict, 'denied');
        assert.equal(line.kind, 'Rollout');
        assert.equal(line.name, 'rollout-x');
        assert.equal(line.reason, `the policy cannot judge ${field}`);
        assert.doesNotMatch(JSON.stringify(line), /7331/);
        // /mutate, which never denies, leaves it to the validating webhook: no patch for what it cannot read
        const mutated = await admit(own, '/mutate', review(object, { uid: 'unpatched' }));
        assert.deepEqual(mutated.response, { uid: 'unpatched', allowed: true });
      }
      // Even what is no object at all is denied, not left to failurePolicy
      const notObject = await admit(own, '/validate', review('a string' as unknown as object));
      assert.equal(notObject.response.allowed, false);
      assert.equal(notObject.response.status?.message, 'kaji denied the object: the policy cannot judge it: expected a Kubernetes object (a mapping), found a string');
      const samples = parseExposition((await call(own, '/metrics')).text);
      assert.equal(samples.get('kaji_webhook_requests_total{path="/validate",verdict="denied"}'), 3);
      assert.equal(samples.get('kaji_webhook_requests_total{path="/mutate",verdict="allowed"}'), 2);
      assert.equal(samples.get('kaji_webhook_requests_total{path="/validate",verdict="bad_request"}'), undefined);
      // A review with no object at all says so
      const none = await admit(own, '/validate', review(undefined));
      assert.equal(none.response.status?.message, 'kaji denied the object: the policy cannot judge it: expected a Kubernetes object (a mapping), found nothing');
    } finally {
      await own.close();
    }
  });

  it('answers 413 for a declared or streamed body over the limit, and keeps serving', async () => {
    const small = await startWebhook({ maxBodyBytes: 1024 });
    try {
      const big = JSON.stringify(review(workload('Pod', podSpec({ args: ['x'.repeat(5000)] }))));
      assert.equal((await call(small, '/validate', big, { agent: false })).status, 413);
      const streamed = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: small.port, path: '/validate', method: 'POST', ca: small.ca, agent: false, headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write('x'.repeat(800));
        req.write('x'.repeat(800));
        // Never ends: the server must answer without waiting for the rest.
      });
      assert.equal(streamed, 413);
      assert.equal((await admit(small, '/validate', review(workload('Pod', podSpec())))).response.allowed, true);
    } finally {
      await small.close();
    }
  });

  it('refuses TLS 1.1', async () => {
    await assert.rejects(
      new Promise<void>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: running.port, ca: running.ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, () => {
          socket.end();
          resolve();
        });
        socket.on('error', reject);
      }),
    );
  });

  it('serves /healthz, /readyz and /metrics in the Prometheus text format', async () => {
    assert.equal((await call(running, '/healthz')).status, 200);
    for (const path of ['/scan-1', '/scan-2', '/admin?x=1']) assert.equal((await call(running, path)).status, 404);
    const ready = await call(running, '/readyz');
    assert.equal(ready.status, 200);
    assert.match(ready.text, /config: current/);
    const metrics = await call(running, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(metrics.text);
    assert.ok(samples.get('kaji_webhook_requests_total{path="/validate",verdict="denied"}')! >= 1);
    assert.ok(samples.get('kaji_webhook_requests_total{path="/validate",verdict="bad_request"}')! >= 1);
    assert.equal(samples.get('kaji_webhook_config_valid'), 1);
    assert.equal(samples.get('kaji_webhook_config_reloads_total{result="error"}'), 0);
    // Paths the server does not serve share one series, so a scanner cannot grow the metrics.
    assert.ok(samples.get('kaji_webhook_requests_total{path="other",verdict="not_found"}')! >= 3);
    assert.ok(![...samples.keys()].some((key) => key.includes('scan-') || key.includes('/admin')));
    const count = samples.get('kaji_webhook_request_duration_seconds_count{path="/validate"}')!;
    assert.equal(samples.get('kaji_webhook_request_duration_seconds_bucket{path="/validate",le="+Inf"}'), count);
    let previous = 0;
    for (const [name, value] of samples) {
      if (!name.startsWith('kaji_webhook_request_duration_seconds_bucket{path="/validate"')) continue;
      assert.ok(value >= previous, 'buckets are cumulative');
      previous = value;
    }
  });
});

/** Parses the exposition text strictly: comments are HELP or TYPE, every other line `name{labels} number`. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  assert.ok(text.endsWith('\n'));
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('#')) {
      assert.match(line, /^# (HELP|TYPE) [a-z_:][a-z0-9_:]* \S/);
      continue;
    }
    const match = /^([a-z_:][a-z0-9_:]*(?:\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})?) (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const value = Number(match[2]);
    assert.ok(!Number.isNaN(value), line);
    samples.set(match[1]!, value);
  }
  return samples;
}

describe('kaji webhook: mutate', () => {
  let running: Running;
  let config: PolicyConfig;
  before(async () => {
    running = await startWebhook();
    config = parsePolicyConfig(TEST_CONFIG_YAML, 'test.yaml');
  });
  after(() => running.close());

  for (const kind of WORKLOAD_KINDS) {
    it(`patches a ${kind} at its pod spec; the patch applies strictly and the mutated checks then pass`, async () => {
      // No securityContext at all: the patch must create it before adding runAsNonRoot.
      const object = workload(kind, podSpec({ imagePullPolicy: 'IfNotPresent', securityContext: undefined }));
      const { response } = await admit(running, '/mutate', review(object));
      assert.equal(response.allowed, true);
      assert.equal(response.patchType, 'JSONPatch');
      const patch = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8')) as fastJsonPatch.Operation[];
      const patched = applyPatch(structuredClone(object), patch, true, false).newDocument;
      const again = await admit(running, '/validate', review(patched));
      assert.equal(again.response.allowed, true);
      assert.equal(again.response.warnings, undefined, `${kind}: ${JSON.stringify(again.response.warnings)}`);
      const second = await admit(running, '/mutate', review(patched));
      assert.equal(second.response.patch, undefined, 'nothing left to mutate');
      void config;
    });
  }

  it('patches a pod of 2,000 containers in one answer, every container at its own index', async () => {
    const containers = Array.from({ length: 2000 }, (_, index) => ({ ...podSpec({ imagePullPolicy: 'IfNotPresent', securityContext: undefined }).containers[0], name: `c${index}` }));
    const object = workload('Deployment', { containers });
    const { response } = await admit(running, '/mutate', review(object));
    const patch = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8')) as fastJsonPatch.Operation[];
    const patched = applyPatch(structuredClone(object), patch, true, false).newDocument as { spec: { template: { spec: { containers: typeof containers } } } };
    patched.spec.template.spec.containers.forEach((container, index) => {
      assert.equal(container.name, `c${index}`);
      assert.equal(container.imagePullPolicy, 'Always', `container ${index}`);
    });
  });

  it('patches a Pod claiming a controller owner unless Kubernetes sent it, as /validate judges it', async () => {
    const object = workload('Pod', podSpec({ imagePullPolicy: 'IfNotPresent', securityContext: undefined }));
    (object.metadata as Record<string, unknown>).ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }];
    const byTenant = (await admit(running, '/mutate', review(object, { username: 'tenant-shop' }))).response;
    assert.equal(byTenant.patchType, 'JSONPatch');
    const byKubernetes = (await admit(running, '/mutate', review(object, { username: 'system:serviceaccount:kube-system:replicaset-controller' }))).response;
    assert.deepEqual(Object.keys(byKubernetes).sort(), ['allowed', 'uid']);
  });

  it('answers a good object with no patch', async () => {
    const { response } = await admit(running, '/mutate', review(workload('Deployment', podSpec())));
    assert.deepEqual(Object.keys(response).sort(), ['allowed', 'uid']);
  });

  it('only serves the endpoints it was started with', async () => {
    const validateOnly = await startWebhook({ mutate: false });
    try {
      assert.equal((await call(validateOnly, '/mutate', '{}')).status, 404);
      assert.equal((await admit(validateOnly, '/validate', review(workload('Pod', podSpec())))).response.allowed, true);
    } finally {
      await validateOnly.close();
    }
    const mutateOnly = await startWebhook({ validate: false });
    try {
      for (const path of ['/validate', '/validate-tenant']) assert.equal((await call(mutateOnly, path, '{}')).status, 404, path);
      assert.equal((await admit(mutateOnly, '/mutate', review(workload('Pod', podSpec())))).response.allowed, true);
    } finally {
      await mutateOnly.close();
    }
  });
});

describe('kaji webhook: Argo Rollouts', () => {
  let running: Running;
  before(async () => {
    running = await startWebhook();
  });
  after(() => running.close());

  // `kaji check` judges any pod template at spec.template.spec; the webhook must agree.
  const cases = {
    danger: podSpec({ image: 'nginx' }, { hostNetwork: true }),
    warnings: podSpec({ imagePullPolicy: 'IfNotPresent', securityContext: {} }),
    good: podSpec(),
  };
  for (const [name, spec] of Object.entries(cases)) {
    it(`answers a Rollout as it answers the same Deployment: ${name}`, async () => {
      for (const path of ['/validate', '/mutate'] as const) {
        const rollout = (await admit(running, path, review(workload('Rollout', spec), { uid: 'r' }))).response;
        const deployment = (await admit(running, path, review(workload('Deployment', spec), { uid: 'r' }))).response;
        if (rollout.status) rollout.status.message = rollout.status.message.replace('Rollout apps/rollout-x', 'Deployment apps/deployment-x');
        assert.deepEqual(rollout, deployment, path);
      }
    });
  }

  it('denies on a failed danger, warns, and patches the pod template at /spec/template/spec', async () => {
    const denied = (await admit(running, '/validate', review(workload('Rollout', cases.danger)))).response;
    assert.equal(denied.allowed, false);
    assert.match(denied.status!.message, /^kaji denied Rollout apps\/rollout-x: hostNetworkSet: .*tagNotSpecified \(container app\)/);
    const warned = (await admit(running, '/validate', review(workload('Rollout', cases.warnings)))).response;
    assert.equal(warned.allowed, true);
    assert.deepEqual(warned.warnings?.map((w) => w.split(' ')[0]), ['pullPolicyNotAlways', 'runAsRootAllowed']);

    const object = workload('Rollout', cases.warnings);
    const { response } = await admit(running, '/mutate', review(object));
    const patch = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8')) as fastJsonPatch.Operation[];
    assert.ok(patch.length > 0);
    for (const operation of patch) assert.match(operation.path, /^\/spec\/template\/spec\/containers\/0\//);
    const patched = applyPatch(structuredClone(object), patch, true, false).newDocument as { spec: Record<string, unknown> };
    assert.deepEqual(patched.spec.strategy, (object.spec as Record<string, unknown>).strategy, 'the canary strategy is left alone');
    const again = (await admit(running, '/validate', review(patched))).response;
    assert.deepEqual(again, { uid: again.uid, allowed: true });
  });
});

describe('kaji webhook: config reload', () => {
  let dir: string;
  let running: Running;
  let watcher: ConfigWatcher;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaji-webhook-'));
  });
  after(async () => {
    watcher?.close();
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uses a valid new config for the next request; refuses an invalid one and shows it', async () => {
    const file = join(dir, 'polaris.yaml');
    await writeFile(file, TEST_CONFIG_YAML);
    let current = parsePolicyConfig(TEST_CONFIG_YAML, file);
    running = await startWebhook({ config: () => current });
    const changes: string[] = [];
    watcher = watchConfig(
      file,
      (change) => {
        if ('config' in change) current = change.config;
        running.server.configReloaded('error' in change ? change.error : undefined);
        changes.push('config' in change ? 'ok' : 'error');
      },
      { interval: 100 },
    );
    const hostNetwork = workload('Deployment', podSpec({}, { hostNetwork: true }));
    assert.equal((await admit(running, '/validate', review(hostNetwork))).response.allowed, false);

    // A valid change, written by rename as a ConfigMap volume does.
    await writeFile(join(dir, 'next.yaml'), TEST_CONFIG_YAML.replace('hostNetworkSet: danger', 'hostNetworkSet: warning'));
    await rename(join(dir, 'next.yaml'), file);
    await waitFor(() => changes.length === 1);
    assert.deepEqual(changes, ['ok']);
    const relaxed = await admit(running, '/validate', review(hostNetwork));
    assert.equal(relaxed.response.allowed, true);
    assert.match(relaxed.response.warnings!.join('\n'), /hostNetworkSet/);

    // An invalid change: refused, the old config kept, readyz and metrics say so.
    await writeFile(file, 'checks:\n  hostNetworkSet: fatal\n');
    await waitFor(() => changes.length === 2);
    assert.deepEqual(changes, ['ok', 'error']);
    assert.equal((await admit(running, '/validate', review(hostNetwork))).response.allowed, true, 'the last good config still applies');
    const ready = await call(running, '/readyz');
    assert.equal(ready.status, 200);
    assert.match(ready.text, /config: stale \(.*fatal.*\)/);
    const metrics = (await call(running, '/metrics')).text;
    assert.match(metrics, /^kaji_webhook_config_valid 0$/m);
    assert.match(metrics, /^kaji_webhook_config_reloads_total\{result="error"\} 1$/m);
    assert.match(metrics, /^kaji_webhook_config_reloads_total\{result="ok"\} 1$/m);
    assert.ok(running.logs.some((line) => (line as { event?: string; result?: string }).event === 'config-reload' && (line as { result?: string }).result === 'error'));

    // Fixed again: current.
    await writeFile(file, TEST_CONFIG_YAML);
    await waitFor(() => changes.length === 3);
    assert.match((await call(running, '/readyz')).text, /config: current/);
    assert.equal((await admit(running, '/validate', review(hostNetwork))).response.allowed, false);
  });
});

describe('kaji webhook: internal errors', () => {
  it('answers a valid AdmissionReview, with the uid, and keeps serving: /validate denies, /mutate allows unpatched (validation judges after it)', async () => {
    const running = await startWebhook({
      config: () => {
        throw new Error('boom');
      },
    });
    try {
      const { response: validated } = await admit(running, '/validate', review(workload('Pod', podSpec()), { uid: 'err-validate' }));
      assert.deepEqual(validated, { uid: 'err-validate', allowed: false, status: { code: 500, message: 'kaji webhook internal error' } });
      const { response: mutated } = await admit(running, '/mutate', review(workload('Pod', podSpec()), { uid: 'err-mutate' }));
      assert.deepEqual(mutated, { uid: 'err-mutate', allowed: true });
      assert.equal((await call(running, '/healthz')).status, 200);
      assert.match((await call(running, '/metrics')).text, /path="\/mutate",verdict="error"\} 1/);
    } finally {
      await running.close();
    }
  });

  it('an object nested deeper than the engine can copy (the API server takes 10,000 levels): /mutate lets it on unpatched', async () => {
    const running = await startWebhook();
    try {
      // Written as text: JSON.stringify itself cannot go that deep here.
      const pod = workload('Pod', { ...podSpec({ imagePullPolicy: 'IfNotPresent' }), x: 'DEEP' });
      const text = JSON.stringify(review(pod, { uid: 'deep' })).replace('"DEEP"', `${'['.repeat(5_000)}${']'.repeat(5_000)}`);
      const answer = await call(running, '/mutate', text);
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.text).response, { uid: 'deep', allowed: true });
    } finally {
      await running.close();
    }
  });
});

describe('kaji webhook: shutdown', () => {
  it('finishes in-flight requests, then refuses new connections', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const config = parsePolicyConfig(TEST_CONFIG_YAML, 'test.yaml');
    const running = await startWebhook({ config: () => config });
    // Slow requests: bodies sent in two parts, the second after shutdown began.
    const inFlight = Array.from({ length: 5 }, () =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: running.port, path: '/validate', method: 'POST', ca: running.ca, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        const body = JSON.stringify(review(workload('Pod', podSpec())));
        req.write(body.slice(0, 10), () => {
          started++;
          void gate.then(() => req.end(body.slice(10)));
        });
      }),
    );
    await waitFor(() => started === 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = running.server.shutdown(5000);
    await assert.rejects(call(running, '/healthz', undefined, { agent: false }), 'new connections are refused');
    release();
    assert.deepEqual(await Promise.all(inFlight), [200, 200, 200, 200, 200]);
    await closed;
  });
});
