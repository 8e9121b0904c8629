// `--format json`: the audit exactly as `polaris audit --format json` prints it
// (Go's json.MarshalIndent with two spaces), plus kaji's `Source` on each result,
// which Go's decoder and other consumers of Polaris's JSON ignore.
import type {
  AuditData,
  ContainerResult,
  PatchOperation,
  PodResult,
  Result,
  ResultMessage,
  ResultSet,
} from '../policy/types.js';
import { compareCodePoints } from './summary.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON Patch operation as Polaris's Go type (gomodules jsonpatch.Operation) prints it. */
function operationJson(op: PatchOperation): Json {
  return {
    op: op.op,
    path: op.path,
    ...(op.value !== undefined ? { value: op.value as Json } : {}),
    ...(op.from !== undefined ? { from: op.from } : {}),
  };
}

/** Polaris's ResultMessage: every field always present, absent slices as null. */
function messageJson(message: ResultMessage): Json {
  return {
    ID: message.ID,
    Message: message.Message,
    Details: message.Details ?? null,
    Success: message.Success,
    Severity: message.Severity,
    Category: message.Category,
    Mutations: message.Mutations ? message.Mutations.map(operationJson) : null,
    // Polaris's mutation comments (find/comment pairs for `polaris fix`); kaji keeps comments on the operations.
    Comments: null,
  };
}

/** A Go map: keys in sorted order, as encoding/json writes them. */
function resultSetJson(set: ResultSet | null | undefined): Json {
  if (!set) return null;
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(set).sort(compareCodePoints)) out[key] = messageJson(set[key] as ResultMessage);
  return out;
}

function containerJson(container: ContainerResult): Json {
  return { Name: container.Name, Results: resultSetJson(container.Results) };
}

function podJson(pod: PodResult | undefined): Json {
  if (!pod) return null;
  return {
    Name: pod.Name,
    Results: resultSetJson(pod.Results),
    ContainerResults: pod.ContainerResults ? pod.ContainerResults.map(containerJson) : null,
  };
}

function resultJson(result: Result): Json {
  return {
    Name: result.Name,
    Namespace: result.Namespace,
    Kind: result.Kind,
    Results: resultSetJson(result.Results),
    PodResult: podJson(result.PodResult),
    CreatedTime: result.CreatedTime,
    ...(result.Source ? { Source: { File: result.Source.File, Line: result.Source.Line } } : {}),
  };
}

/**
 * The audit as a plain JSON value with Polaris's field order, nulls and sorted
 * check maps; the YAML format dumps the same value.
 */
export function polarisJsonValue(audit: AuditData): Json {
  const info = audit.ClusterInfo;
  return {
    PolarisOutputVersion: audit.PolarisOutputVersion,
    AuditTime: audit.AuditTime,
    SourceType: audit.SourceType,
    SourceName: audit.SourceName,
    DisplayName: audit.DisplayName,
    ClusterInfo: {
      Version: info.Version,
      Nodes: info.Nodes,
      Pods: info.Pods,
      Namespaces: info.Namespaces,
      Controllers: info.Controllers,
    },
    Results: audit.Results ? audit.Results.map(resultJson) : null,
    Score: audit.Score,
  };
}

/** Go's encoding/json escapes these even inside strings (HTML safety); they only ever occur inside strings. */
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Applies Go's escapes; most reports have none of these characters, and a plain scan is far cheaper than a replace. */
function goEscape(text: string): string {
  if (!Object.keys(GO_ESCAPES).some((character) => text.includes(character))) return text;
  return text.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/** `polaris audit --format json`: two-space indentation, Go's escaping; ends with a newline. */
export function formatJson(audit: AuditData): string {
  const text = goEscape(JSON.stringify(polarisJsonValue(audit), null, 2));
  return `${text}\n`;
}
