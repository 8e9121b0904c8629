// out/summary.json as `kaji synth` writes it (synthSummary in src/synth), read
// back for the dashboard: its shape checked field by field, and whether it
// still describes the platform definition and the manifest files it is shown
// beside.
import { readFile } from 'node:fs/promises';
import type { InputProblem } from '../kube/index.js';
import type { PlatformDefinition } from '../platform/index.js';
import { renderedState, type BoundaryViolation, type ClusterReport, type FailedCheck, type ManifestState, type RenderedImage, type ServiceReport } from '../synth/index.js';
import { DashboardInputError } from './errors.js';

/** One service in one cluster, as summary.json has it. */
export type SummaryService = Pick<ServiceReport, 'service' | 'namespace' | 'objects' | 'dangers' | 'warnings' | 'rendered' | 'score'> & {
  readonly boundaryViolations: readonly Pick<BoundaryViolation, 'rule' | 'object' | 'message'>[];
  readonly problems: readonly Pick<InputProblem, 'file' | 'message'>[];
  readonly images: readonly RenderedImage[];
  /** Every failed policy check, dangers and warnings; null in a summary.json of a kaji synth before `failedChecks` (counts only). */
  readonly failedChecks: readonly FailedCheck[] | null;
};

/**
 * One cluster, as summary.json has it; `score` is the audit score of what rendered there (null: nothing did).
 * Its `notRenderedWhole` is not read: the dashboard counts its cells, which an older summary.json has too.
 */
export type SummaryCluster = Pick<ClusterReport, 'cluster' | 'kubernetesVersion' | 'weight'> & {
  readonly score: number | null;
  readonly services: readonly SummaryService[];
};

/** The parts of summary.json the dashboard shows. */
export interface SynthSummary {
  readonly platform: string;
  /** The manifest files the results describe. */
  readonly manifests: ManifestState;
  readonly dangers: number;
  readonly warnings: number;
  readonly problems: number;
  readonly clusters: readonly SummaryCluster[];
}


const HOW_TO_WRITE = 'run `kaji synth` (its --out folder holds summary.json) and try again';

/** Reads and checks summary.json; `shown` is how messages name it. */
export async function readSummary(file: string, shown: string): Promise<SynthSummary> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DashboardInputError(`${shown} does not exist: ${HOW_TO_WRITE}, or give its path with --summary`);
    if (code === 'EISDIR') throw new DashboardInputError(`${shown} is a folder: give the summary.json file in it with --summary`);
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DashboardInputError(`${shown} is not valid JSON (${(error as Error).message}): ${HOW_TO_WRITE}`);
  }
  return parseSummary(value, shown);
}

/** Checks summary.json's shape; a field that is missing or of another type is named with its path. */
export function parseSummary(value: unknown, shown: string): SynthSummary {
  const fail = (path: string, expected: string): never => {
    throw new DashboardInputError(`${shown}: ${path} is not ${expected}; it was not written by this kaji synth: ${HOW_TO_WRITE}`);
  };
  const record = (candidate: unknown, path: string): Record<string, unknown> =>
    typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate) ? (candidate as Record<string, unknown>) : fail(path, 'an object');
  const list = (candidate: unknown, path: string): unknown[] => (Array.isArray(candidate) ? candidate : fail(path, 'a list'));
  const text = (from: Record<string, unknown>, key: string, path: string): string =>
    typeof from[key] === 'string' ? (from[key] as string) : fail(`${path}.${key}`.replace(/^\./, ''), 'a string');
  const number = (from: Record<string, unknown>, key: string, path: string): number =>
    typeof from[key] === 'number' && Number.isFinite(from[key]) ? (from[key] as number) : fail(`${path}.${key}`.replace(/^\./, ''), 'a number');
  const score = (from: Record<string, unknown>, path: string): number | null => (from.score === null ? null : number(from, 'score', path));
  const nullable = <T>(from: Record<string, unknown>, key: string, path: string, type: 'string' | 'boolean'): T | null =>
    from[key] === null || typeof from[key] === type ? (from[key] as T | null) : fail(`${path}.${key}`, `a ${type} or null`);

  const root = record(value, 'the file');
  // First: what a summary.json of an older kaji synth lacks, so that is what its message names.
  const manifests = record(root.manifests, 'manifests');
  const clusters = list(root.clusters, 'clusters').map((candidate, c): SummaryCluster => {
    const at = `clusters[${c}]`;
    const cluster = record(candidate, at);
    return {
      cluster: text(cluster, 'cluster', at),
      kubernetesVersion: text(cluster, 'kubernetesVersion', at),
      weight: number(cluster, 'weight', at),
      score: score(cluster, at),
      services: list(cluster.services, `${at}.services`).map((serviceCandidate, s): SummaryService => {
        const where = `${at}.services[${s}]`;
        const service = record(serviceCandidate, where);
        const objects = number(service, 'objects', where);
        const problems = list(service.problems, `${where}.problems`).map((entry, p) => {
          const path = `${where}.problems[${p}]`;
          const problem = record(entry, path);
          return { file: text(problem, 'file', path), message: text(problem, 'message', path) };
        });
        // An older kaji synth wrote no `rendered` (and score 100 for a service with problems and no objects), then
        // true for one rendered in part: what it rendered and its problems tell, as kaji synth tells now.
        if (![undefined, true, false, 'partial'].includes(service.rendered as string)) fail(`${where}.rendered`, 'true, false or "partial"');
        const rendered = renderedState(objects, problems.length);
        return {
          service: text(service, 'service', where),
          namespace: text(service, 'namespace', where),
          objects,
          dangers: number(service, 'dangers', where),
          warnings: number(service, 'warnings', where),
          rendered,
          score: rendered === false ? null : number(service, 'score', where),
          boundaryViolations: list(service.boundaryViolations, `${where}.boundaryViolations`).map((entry, v) => {
            const path = `${where}.boundaryViolations[${v}]`;
            const violation = record(entry, path);
            return { rule: text(violation, 'rule', path) as BoundaryViolation['rule'], object: text(violation, 'object', path), message: text(violation, 'message', path) };
          }),
          problems,
          images: list(service.images, `${where}.images`).map((entry, i) => {
            const path = `${where}.images[${i}]`;
            const image = record(entry, path);
            return { object: text(image, 'object', path), container: text(image, 'container', path), image: text(image, 'image', path) };
          }),
          failedChecks:
            service.failedChecks === undefined
              ? null
              : list(service.failedChecks, `${where}.failedChecks`).map((entry, f): FailedCheck => {
                  const path = `${where}.failedChecks[${f}]`;
                  const failed = record(entry, path);
                  if (failed.severity !== 'danger' && failed.severity !== 'warning') fail(`${path}.severity`, '"danger" or "warning"');
                  return {
                    object: text(failed, 'object', path),
                    container: nullable<string>(failed, 'container', path, 'string'),
                    check: text(failed, 'check', path),
                    severity: failed.severity as FailedCheck['severity'],
                    message: text(failed, 'message', path),
                  };
                }),
        };
      }),
    };
  });
  return {
    platform: text(root, 'platform', ''),
    manifests: {
      commit: nullable<string>(manifests, 'commit', 'manifests', 'string'),
      branch: nullable<string>(manifests, 'branch', 'manifests', 'string'),
      dirty: nullable<boolean>(manifests, 'dirty', 'manifests', 'boolean'),
      fingerprint: text(manifests, 'fingerprint', 'manifests'),
    },
    dangers: number(root, 'dangers', ''),
    warnings: number(root, 'warnings', ''),
    problems: number(root, 'problems', ''),
    clusters,
  };
}

/**
 * Why the summary does not describe the platform as it is now, or undefined
 * when it does: another platform, other clusters (a version or a weight
 * changed), a service no longer defined, or files that changed since it was
 * written (`fingerprint`, inputsFingerprint's now, differs from the one
 * kaji synth wrote; `inputs` names them).
 */
export function staleness(summary: SynthSummary, platform: PlatformDefinition, fingerprint: string, inputs: string): string | undefined {
  if (summary.platform !== platform.platform.name) return `it was written for the platform "${summary.platform}", not "${platform.platform.name}"`;
  const describe = (clusters: readonly Pick<SummaryCluster, 'cluster' | 'kubernetesVersion' | 'weight'>[]) =>
    clusters.map((cluster) => `${cluster.cluster} (Kubernetes ${cluster.kubernetesVersion}, weight ${cluster.weight})`).join(', ') || 'none';
  const written = describe(summary.clusters);
  const defined = describe(platform.clusters.map((cluster) => ({ cluster: cluster.name, kubernetesVersion: cluster.kubernetesVersion, weight: cluster.weight })));
  if (written !== defined) return `it lists the clusters ${written}; platform.yaml defines ${defined}`;
  const services = new Set(platform.services.map((service) => service.name));
  const gone = [...new Set(summary.clusters.flatMap((cluster) => cluster.services.map((service) => service.service)))].filter((name) => !services.has(name));
  if (gone.length > 0) return `it lists ${gone.join(', ')}, which platform.yaml no longer defines`;
  return summary.manifests.fingerprint === fingerprint ? undefined : `${inputs} changed after it was written`;
}

/** The message for a stale summary. */
export function staleMessage(shown: string, reason: string): string {
  return `${shown} is out of date: ${reason}; ${HOW_TO_WRITE}`;
}
