// The policy files kaji ships (kaji init's, the example's) in a multi-tenant cluster: a tenant's own
// annotations must not exempt its objects, at admission or in CI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { auditObjects, countResults, parsePolicyConfig } from '../../src/policy/index.js';
import { objectsFrom } from '../support/inputs.js';
import { admit, podSpec, review, startWebhook, workload } from './helpers.js';

const SHIPPED = ['../../templates/init/polaris.yaml', '../../examples/labs/polaris.yaml'].map((path) => fileURLToPath(new URL(path, import.meta.url)));
const ECR_IMAGE = '111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/shop:1.0.0';

/** A Deployment with host PID and a privileged root container, annotated as a tenant would to opt out. */
function annotated(annotations: Record<string, string>) {
  const spec = podSpec({ image: ECR_IMAGE, securityContext: { privileged: true, runAsUser: 0 } }, { hostPID: true });
  return workload('Deployment', spec, { namespace: 'shop', annotations });
}

const OPT_OUTS: Record<string, string>[] = [
  { 'polaris.fairwinds.com/exempt': 'true' },
  { 'polaris.fairwinds.com/hostPIDSet-exempt': 'true', 'polaris.fairwinds.com/runAsPrivileged-exempt': 'true', 'polaris.fairwinds.com/runAsRootAllowed-exempt': 'true' },
];

describe('the shipped policy files refuse annotation exemptions', () => {
  for (const file of SHIPPED) {
    const config = parsePolicyConfig(readFileSync(file, 'utf8'), file);

    it(`${file.split('/').slice(-2).join('/')}: /validate denies an annotated dangerous object as it does an unannotated one`, async () => {
      const running = await startWebhook({ config });
      try {
        for (const annotations of OPT_OUTS) {
          const { response } = await admit(running, '/validate', review(annotated(annotations), { namespace: 'shop' }));
          assert.equal(response.allowed, false, JSON.stringify(annotations));
          for (const id of ['hostPIDSet', 'runAsPrivileged', 'runAsRootAllowed']) assert.match(response.status!.message, new RegExp(`${id}\\b`));
        }
      } finally {
        await running.close();
      }
    });

    it(`${file.split('/').slice(-2).join('/')}: kaji check counts the annotated object's dangers`, () => {
      const plain = countResults(auditObjects(objectsFrom(JSON.stringify(annotated({}))), config).Results).dangers;
      assert.ok(plain >= 3);
      for (const annotations of OPT_OUTS) assert.equal(countResults(auditObjects(objectsFrom(JSON.stringify(annotated(annotations))), config).Results).dangers, plain, JSON.stringify(annotations));
    });
  }
});

describe('the shipped policy files hold image volumes to their registry rule, as containers are', () => {
  /** A Deployment of an ECR image whose pods mount the image `reference` as a volume. */
  const mounting = (reference: string) => workload('Deployment', podSpec({ image: ECR_IMAGE }, { volumes: [{ name: 'tools', image: { reference } }] }), { namespace: 'shop' });
  const failedDangers = (object: Record<string, unknown>, config: ReturnType<typeof parsePolicyConfig>) =>
    auditObjects(objectsFrom(JSON.stringify(object)), config).Results.flatMap((result) =>
      Object.values(result.PodResult?.Results ?? {}).filter((message) => !message.Success && message.Severity === 'danger').map((message) => message.ID),
    );

  for (const file of SHIPPED) {
    const config = parsePolicyConfig(readFileSync(file, 'utf8'), file);

    it(`${file.split('/').slice(-2).join('/')}: an image volume from Docker Hub is a danger in CI and at admission; one from ECR is not`, async () => {
      const fromDockerHub = failedDangers(mounting('docker.io/evil/tools:latest'), config);
      assert.equal(fromDockerHub.length, 1, fromDockerHub.join(', '));
      assert.match(fromDockerHub[0]!, /^imageVolumeFrom/);
      assert.deepEqual(failedDangers(mounting('nginx:1.27'), config), fromDockerHub);
      assert.deepEqual(failedDangers(mounting(ECR_IMAGE), config), []);
      const running = await startWebhook({ config });
      try {
        const { response } = await admit(running, '/validate', review(mounting('docker.io/evil/tools:latest'), { namespace: 'shop' }));
        assert.equal(response.allowed, false);
        assert.match(response.status!.message, new RegExp(`${fromDockerHub[0]}\\b`));
      } finally {
        await running.close();
      }
    });
  }
});
