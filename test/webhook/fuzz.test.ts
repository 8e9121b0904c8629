// Property tests: whatever the body, the webhook answers 400 or a valid AdmissionReview
// (with the request's uid, and a patch that applies strictly), and keeps serving.
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { BUILTIN_CHECKS, defaultPolicyConfig } from '../../src/policy/index.js';
import { call, podSpec, review, startWebhook, workload, WORKLOAD_KINDS, type Running } from './helpers.js';

const { applyPatch } = fastJsonPatch;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

describe('kaji webhook: fuzz', () => {
  let running: Running;
  let agent: Agent;
  before(async () => {
    // Every check that has a mutation mutates, so patches are fuzzed too.
    const mutations = [...BUILTIN_CHECKS.values()].filter((check) => check.mutations?.length).map((check) => check.id);
    running = await startWebhook({ config: { ...defaultPolicyConfig(), mutations } });
    agent = new Agent({ keepAlive: true, ca: running.ca, maxSockets: 4 });
  });
  after(async () => {
    agent.destroy();
    await running.close();
  });

  const post = (path: string, body: string) => call(running, path, body, { agent: agent as unknown as false });

  async function checkAnswer(path: string, body: string): Promise<void> {
    const answer = await post(path, body);
    if (answer.status === 400) return;
    assert.equal(answer.status, 200, answer.text);
    const parsed = JSON.parse(answer.text) as { apiVersion: string; kind: string; response: Record<string, unknown> };
    const sent = JSON.parse(body) as { apiVersion: string; request: { uid: string; object?: Json } };
    assert.equal(parsed.kind, 'AdmissionReview');
    assert.equal(parsed.apiVersion, sent.apiVersion);
    assert.equal(parsed.response.uid, sent.request.uid);
    assert.equal(typeof parsed.response.allowed, 'boolean');
    assert.notEqual(parsed.response.status && (parsed.response.status as { code: number }).code, 500, 'no internal error');
    if (parsed.response.warnings !== undefined) assert.ok((parsed.response.warnings as unknown[]).every((w) => typeof w === 'string'));
    if (parsed.response.patch !== undefined) {
      assert.equal(parsed.response.patchType, 'JSONPatch');
      const patch = JSON.parse(Buffer.from(parsed.response.patch as string, 'base64').toString('utf8')) as fastJsonPatch.Operation[];
      assert.ok(Array.isArray(patch) && patch.length > 0);
      // Strict RFC 6902: throws on a missing parent, a missing path to remove or replace.
      applyPatch(structuredClone(sent.request.object), patch, true, false);
    }
  }

  it('answers any string body with 400 or a valid AdmissionReview', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.constantFrom('', '{', 'null', '[]', '{"kind":"AdmissionReview"}')), async (body) => {
        await checkAnswer('/validate', body);
      }),
      { numRuns: 150 },
    );
  });

  it('answers mutated AdmissionReviews with 400 or a valid AdmissionReview, patches included', async () => {
    const seeds = WORKLOAD_KINDS.map((kind) =>
      review(
        workload(
          kind,
          podSpec(
            { imagePullPolicy: 'IfNotPresent', securityContext: { capabilities: { add: ['NET_ADMIN'] } }, ports: [{ containerPort: 80, hostPort: 80 }] },
            { hostNetwork: true },
          ),
        ),
      ),
    );
    const edit = fc.record({ at: fc.nat(), value: fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant(null), fc.constant({})) });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.constantFrom('/validate', '/mutate'), async (seed, edits, path) => {
        const body = structuredClone(seed) as unknown as Json;
        for (const { at, value } of edits) mutateAt(body, at, value as Json | undefined);
        await checkAnswer(path, JSON.stringify(body));
      }),
      { numRuns: 400 },
    );
    // Still serving.
    assert.equal((await call(running, '/healthz')).status, 200);
  });
});

/** Replaces (or deletes, for undefined) the value at the `at`-th place of the document, counting in document order. */
function mutateAt(document: Json, at: number, value: Json | undefined): void {
  const places: Array<{ parent: Json[] | { [key: string]: Json }; key: string | number }> = [];
  const walk = (node: Json) => {
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        places.push({ parent: node, key: index });
        walk(child);
      });
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        places.push({ parent: node, key });
        walk(child);
      }
    }
  };
  walk(document);
  if (!places.length) return;
  const { parent, key } = places[at % places.length]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (Array.isArray(parent)) parent[key as number] = value;
  else parent[key as string] = value;
}
