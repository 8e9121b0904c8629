// A platform on disk for `kaji bump` tests and benches: platform.yaml and
// polaris.yaml in a folder, and the manifest repository as a bare git
// repository (the remote) seeded with apps/<service>/base and overlays per
// cluster, each pinning its image in a kustomize `images:` entry.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deploymentYaml, ECR } from '../support/platform.js';

export { ECR };
export const CLUSTERS = ['blue', 'green'] as const;

/** The policy: a tag is required, and a custom check refuses `-debug` images. */
export const BUMP_POLICY = `checks:
  tagNotSpecified: danger
  noDebugImages: danger
customChecks:
  noDebugImages:
    successMessage: not a debug image
    failureMessage: debug images are not for production
    category: Security
    target: Container
    schema:
      type: object
      properties:
        image: {type: string, not: {pattern: "-debug$"}}
`;

export interface FixtureService {
  readonly name: string;
  /** The overlay's kustomization per cluster; default: an images: entry pinning "1.0.0". */
  readonly overlay?: (cluster: string) => string;
  /** The container image of the base; default: the service's repository (no tag). */
  readonly baseImage?: string;
  /** Extra files of the overlay per cluster (name → text). */
  readonly overlayFiles?: (cluster: string) => Record<string, string>;
}

export interface BumpFixture {
  /** The folder holding platform.yaml and polaris.yaml. */
  readonly platformDir: string;
  /** The bare repository (the remote). */
  readonly remote: string;
  readonly root: string;
  /** `git --git-dir <remote> ...` output, trimmed. */
  git(...args: string[]): string;
  /** The sha of the remote's main. */
  head(): string;
  /** A file at the remote's main. */
  show(path: string): string;
  cleanup(): void;
}

export function kustomization(service: string, tag = '1.0.0'): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
# The ${service} overlay.
resources:
  - ../../base
images:
  - name: ${ECR}/${service}
    newTag: "${tag}" # pinned by kaji bump
`;
}

export function platformYaml(services: readonly FixtureService[]): string {
  return `platform: {name: shop, region: eu-west-1, account: "111122223333", domain: shop.example.com}
manifests: {url: https://github.com/acme/manifests.git, localPath: manifests}
clusters:
${CLUSTERS.map((name, i) => `  - {name: ${name}, kubernetesVersion: "1.3${2 + i}", weight: ${i === 0 ? 255 : 0}}`).join('\n')}
teams:
  - {name: web, identity: "arn:aws:iam::111122223333:role/web"}
services:
${services.map((s) => `  - {name: ${s.name}, team: web, image: ${ECR}/${s.name}, quota: {cpu: "2", memory: 2Gi, pods: 20}}`).join('\n')}
`;
}

export function createBumpFixture(services: readonly FixtureService[]): BumpFixture {
  const root = mkdtempSync(join(tmpdir(), 'kaji-bump-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const platformDir = join(root, 'platform');
  write('platform/platform.yaml', platformYaml(services));
  write('platform/polaris.yaml', BUMP_POLICY);
  for (const service of services) {
    write(`seed/apps/${service.name}/base/kustomization.yaml`, 'resources: [deployment.yaml]\n');
    write(`seed/apps/${service.name}/base/deployment.yaml`, deploymentYaml({ name: service.name, image: service.baseImage }));
    for (const cluster of CLUSTERS) {
      write(`seed/apps/${service.name}/overlays/${cluster}/kustomization.yaml`, service.overlay?.(cluster) ?? kustomization(service.name));
      for (const [file, text] of Object.entries(service.overlayFiles?.(cluster) ?? {})) write(`seed/apps/${service.name}/overlays/${cluster}/${file}`, text);
    }
  }
  const remote = join(root, 'manifests.git');
  const run = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=seed', '-c', 'user.email=seed@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();
  run(root, 'init', '--quiet', '--bare', remote);
  const seed = join(root, 'seed');
  run(seed, 'init', '--quiet');
  run(seed, 'add', '.');
  run(seed, 'commit', '--quiet', '-m', 'seed');
  run(seed, 'push', '--quiet', remote, 'HEAD:refs/heads/main');
  const git = (...args: string[]) => run(root, '--git-dir', remote, ...args);
  return {
    platformDir,
    remote,
    root,
    git,
    head: () => git('rev-parse', 'refs/heads/main'),
    show: (path) => execFileSync('git', ['--git-dir', remote, 'show', `main:${path}`], { encoding: 'utf8' }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
