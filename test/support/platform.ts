// A small platform on disk (platform.yaml, polaris.yaml, a manifest repository)
// for synth tests; services are written as kustomize bases plus a blue overlay.
import { kajiVersion, parsePlatform, type PlatformDefinition } from '../../src/platform/index.js';
import { tempTree } from './files.js';

export const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com';

export interface TestService {
  readonly name: string;
  readonly team?: string;
  readonly hosts?: string[];
  /** Extra YAML documents in the service's base. */
  readonly extra?: string;
  /** Image to run instead of the service's own repository. */
  readonly image?: string;
  readonly namespace?: string;
}

export function platformYaml(services: readonly TestService[], options: { imageAllowlist?: readonly string[] } = {}): string {
  const allowlist = options.imageAllowlist ? `imageAllowlist: ${JSON.stringify(options.imageAllowlist)}\n` : '';
  return `platform: {name: shop, region: eu-west-1, account: "111122223333", domain: shop.example.com}
${allowlist}manifests: {url: https://git.example.com/shop/manifests.git}
clusters:
  - {name: blue, kubernetesVersion: "1.32", weight: 255}
  - {name: green, kubernetesVersion: "1.34", weight: 0}
teams:
  - {name: web, identity: "arn:aws:iam::111122223333:role/web"}
services:
${services
  .map(
    (s) =>
      `  - {name: ${s.name}, team: ${s.team ?? 'web'}, image: ${ECR}/${s.name}, quota: {cpu: "2", memory: 2Gi, pods: 20}${s.hosts ? `, hosts: [${s.hosts.join(', ')}]` : ''}}`,
  )
  .join('\n')}
`;
}

/**
 * shop (with `shopHosts`) and cart share the namespace "shop", billing has its own, and images
 * under `${ECR}/mirror/` are allowlisted. platform.yaml gives each service a namespace of its
 * own, so cart is moved after loading: the tenants file still keeps a namespace's services as
 * a list, and the webhook allows what any of them may.
 */
export function sharedNamespacePlatform(shopHosts: readonly string[] = ['www.shop.example.com']): PlatformDefinition {
  const services = [{ name: 'shop', hosts: [...shopHosts] }, { name: 'cart', hosts: ['cart.shop.example.com'] }, { name: 'billing' }];
  const parsed = parsePlatform(platformYaml(services, { imageAllowlist: [`${ECR}/mirror/`] }), 'platform.yaml');
  return { ...parsed, services: parsed.services.map((service) => (service.name === 'cart' ? { ...service, namespace: 'shop' } : service)) };
}

export const POLICY = 'checks:\n  runAsPrivileged: danger\n  tagNotSpecified: danger\n  livenessProbeMissing: warning\n';

/** A two-replica Deployment of the service (its own repository unless `image` says otherwise). */
export function deploymentYaml(service: TestService): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${service.name}
  namespace: ${service.namespace ?? service.name}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${service.name}}}
  template:
    metadata: {labels: {app: ${service.name}}}
    spec:
      containers:
        - name: app
          image: ${service.image ?? `${ECR}/${service.name}`}
`;
}

export function serviceFiles(service: TestService): Record<string, string> {
  const base = `manifests/apps/${service.name}/base`;
  return {
    [`${base}/kustomization.yaml`]: `resources: [resources.yaml]\n`,
    [`${base}/resources.yaml`]: [deploymentYaml(service), service.extra].filter(Boolean).join('---\n'),
    [`manifests/apps/${service.name}/overlays/blue/kustomization.yaml`]: `resources: [../../base]\nimages:\n  - name: ${service.image ?? `${ECR}/${service.name}`}\n    newTag: "1.0.0"\n`,
  };
}

export function platformTree(services: readonly TestService[]) {
  return tempTree({
    'platform.yaml': platformYaml(services),
    'polaris.yaml': POLICY,
    ...Object.assign({}, ...services.map(serviceFiles)),
  });
}

/** A validated platform definition built in code, with the loader's defaults; override what a test needs. */
export function definePlatform(overrides: Partial<PlatformDefinition> = {}): PlatformDefinition {
  return {
    file: '/tmp/platform.yaml',
    platform: { name: 'shop', region: 'eu-west-1', account: '111122223333', domain: 'shop.example.com' },
    manifests: { url: 'https://git.example.com/shop/manifests.git', branch: 'main', path: '.', localPath: 'manifests' },
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
    network: { loadBalancerCidrs: ['10.0.0.0/20'], awsEndpoints: [] },
    policy: 'polaris.yaml',
    imageAllowlist: [],
    webhook: { enabled: true, failurePolicy: 'Fail', timeoutSeconds: 5, image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/kaji:${kajiVersion()}` },
    teams: [],
    services: [],
    ...overrides,
  };
}
