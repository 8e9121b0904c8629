import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { run } from '../../src/cli/program.js';
import { parseTenants } from '../../src/platform/boundaries/index.js';
import { jsonLinesIo, kaji } from '../support/cli.js';
import { tempTree } from '../support/files.js';
import { waitFor } from './helpers.js';

// The ConfigMap kaji synth generated for the example platform, as README's kaji webhook section names it.
const WEBHOOK = fileURLToPath(new URL('../../examples/labs/manifests/clusters/blue/platform/webhook/', import.meta.url));
const CONFIGMAP_FILE = `${WEBHOOK}tenants.yaml`;
const CONFIGMAP_TEXT = readFileSync(CONFIGMAP_FILE, 'utf8');
const TENANTS_JSON = (load(CONFIGMAP_TEXT) as { data: Record<string, string> }).data['tenants.json']!;

describe('kaji webhook --tenants: the ConfigMap synth writes, or its tenants.json', () => {
  it('reads the generated ConfigMap (YAML, or JSON as kubectl prints it) as the bare tenants.json', () => {
    const bare = parseTenants(TENANTS_JSON, 'tenants.json');
    assert.ok(bare.size > 1);
    assert.deepEqual(parseTenants(CONFIGMAP_TEXT, CONFIGMAP_FILE), bare);
    const asKubectlJson = JSON.stringify(load(CONFIGMAP_TEXT));
    assert.deepEqual(parseTenants(asKubectlJson, 'cm.json'), bare);
  });

  it('names the ConfigMap key in errors about what it holds', () => {
    const broken = CONFIGMAP_TEXT.replace('"version": 1,', '"version": 1');
    assert.throws(() => parseTenants(broken, 'tenants.yaml'), /^Error: tenants\.yaml: data\."tenants\.json": not JSON \(/);
    const wrongField = CONFIGMAP_TEXT.replace('"version": 1,', '"version": 2,');
    assert.throws(() => parseTenants(wrongField, 'tenants.yaml'), /^Error: tenants\.yaml: data\."tenants\.json": version must be 1 /);
  });

  it('refuses another ConfigMap, or a file that is neither JSON nor a ConfigMap, saying what to give', () => {
    assert.throws(
      () => parseTenants(readFileSync(`${WEBHOOK}policy.yaml`, 'utf8'), 'policy.yaml'),
      /^Error: policy\.yaml: the ConfigMap kaji-webhook-policy has no data\."tenants\.json"; give the kaji-webhook-tenants ConfigMap kaji synth generates \(clusters\/<cluster>\/platform\/webhook\/tenants\.yaml\)$/,
    );
    assert.throws(() => parseTenants('version: 1\ndomain: x\n', 't.yaml'), /^Error: t\.yaml: neither JSON \(.*\) nor a ConfigMap; give the kaji-webhook-tenants ConfigMap/);
    assert.throws(() => parseTenants('{"version": 1, [', 't.json'), /^Error: t\.json: neither JSON /);
  });

  it('a wrong ConfigMap stops the start with exit 2, naming the file', async () => {
    const result = await kaji(['webhook', '--self-signed', '--tenants', `${WEBHOOK}policy.yaml`]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--tenants: .*policy\.yaml: the ConfigMap kaji-webhook-policy has no data\."tenants\.json"/);
  });

  it('starts with the generated ConfigMap file, as README says', { timeout: 30_000 }, async () => {
    const tree = tempTree({ 'tenants.yaml': CONFIGMAP_TEXT });
    const { io, lines } = jsonLinesIo();
    const exited = run(['webhook', '--self-signed', '--tenants', tree.path('tenants.yaml'), '--host', '127.0.0.1', '--port', '0'], io);
    try {
      await waitFor(() => lines.some((line) => line.event === 'listening'), 'the listening line', 10_000);
      assert.equal(lines.find((line) => line.event === 'listening')!.tenantNamespaces, parseTenants(TENANTS_JSON, 'tenants.json').size);
    } finally {
      process.emit('SIGTERM');
      try {
        assert.equal(await exited, 0);
      } finally {
        tree.cleanup(); // also when the webhook did not start
      }
    }
  });
});
