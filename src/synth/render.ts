// Renders every service for every cluster as Argo CD will deploy it: the
// overlay through kustomize, then the DNS annotations the generated
// Application adds to Ingresses. An overlay building on a remote entry is
// refused instead of rendered (RemoteLoadsError; remote-bases.ts words it).
import { cpus } from 'node:os';
import { join } from 'node:path';
import { addStream, KubectlNotFoundError, RemoteLoadsError, renderKustomization, toKubeObject, type InputProblem, type KubeObject } from '../kube/index.js';
import { annotateIngresses, dnsAnnotations, type ClusterDefinition, type PlatformDefinition, type ServiceDefinition } from '../platform/index.js';
import { remoteLoadProblems } from './remote-bases.js';

export interface RenderJob {
  readonly service: ServiceDefinition;
  readonly cluster: ClusterDefinition;
  /** The overlay folder to render, relative to the manifest folder. */
  readonly overlay: string;
}

export interface RenderedService {
  readonly job: RenderJob;
  readonly objects: KubeObject[];
  readonly problems: InputProblem[];
}

export interface RenderOptions {
  readonly kubectl?: string;
  /** Renders at once. @default twice the number of cores */
  readonly concurrency?: number;
  /** Called after each render, for progress. */
  readonly onRendered?: (done: number, total: number, rendered: RenderedService) => void;
}

/** Renders all jobs with bounded concurrency; results come back in job order. */
export async function renderAll(
  root: string,
  platform: PlatformDefinition,
  jobs: readonly RenderJob[],
  options: RenderOptions = {},
): Promise<RenderedService[]> {
  const results: RenderedService[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await renderOne(root, platform, jobs[index]!, options.kubectl);
      options.onRendered?.(++done, jobs.length, results[index]!);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? cpus().length * 2, jobs.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

async function renderOne(root: string, platform: PlatformDefinition, job: RenderJob, kubectl?: string): Promise<RenderedService> {
  const directory = join(root, job.overlay);
  const source = join(directory, 'kustomization.yaml');
  const loaded = { objects: [] as KubeObject[], problems: [] as InputProblem[] };
  try {
    addStream(loaded, await renderKustomization(directory, kubectl), source, { fixedLine: 1 });
  } catch (error) {
    // The same for every service: one line and exit 2, not a problem per service and cluster.
    if (error instanceof KubectlNotFoundError) throw error;
    if (error instanceof RemoteLoadsError) loaded.problems.push(...remoteLoadProblems(root, error.remote));
    else loaded.problems.push({ file: source, message: (error as Error).message });
  }
  const annotations = dnsAnnotations(platform, job.cluster);
  const objects = loaded.objects.map((object) =>
    object.kind === 'Ingress' ? toKubeObject(annotateIngresses([object.raw], annotations)[0]!, object.source) : object,
  );
  return { job, objects, problems: loaded.problems };
}
