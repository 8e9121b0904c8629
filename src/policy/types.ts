import type { JsonObject, JsonValue, KubeObject } from '../kube/index.js';

export type Severity = 'ignore' | 'warning' | 'danger';

/** Polaris's fixed targets; any other target string names a kind ("Pod", "networking.k8s.io/Ingress"). */
export const HANDLED_TARGETS = ['Controller', 'PodSpec', 'PodTemplate', 'Container'] as const;
export type HandledTarget = (typeof HANDLED_TARGETS)[number];
export type Target = HandledTarget | string;

export interface IncludeExclude {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

/** One JSON Patch operation; `path` is relative to the check's target (pod spec or container) until the engine prefixes it. */
export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  readonly value?: JsonValue;
  readonly from?: string;
  /** Polaris's `comment`: a note attached to the changed node when a mutation is applied to a file. */
  readonly comment?: string;
}

/** Everything a check may look at for one target. */
export interface CheckInput {
  /** The object under audit. */
  readonly object: KubeObject;
  /** The pod spec of a workload (absent for other objects). */
  readonly podSpec?: JsonObject;
  /** The pod template (`metadata` + `spec`) of a workload; for a bare Pod, the Pod itself. */
  readonly podTemplate?: JsonObject;
  /** The container under audit, for container targets. */
  readonly container?: JsonObject;
  readonly isInitContainer: boolean;
}

/**
 * What a check says about one target: pass (true) or fail (false), or, from a
 * check that looks at other objects of the input (a PodDisruptionBudget for a
 * Deployment), a function that says it once all of them have been read. Such a
 * function keeps only the few values it needs, not the object, so an audit can
 * let each object go as soon as it is checked.
 */
export type Verdict = boolean | RelatedVerdict;
export type RelatedVerdict = (related: RelatedObjects) => boolean;

/** Lookup of the other objects of one audit, by kind (as in `kind`) and namespace. */
export interface RelatedObjects {
  /** Objects of `kind` in `namespace` ("" matches objects with no namespace). */
  inNamespace(kind: string, namespace: string): readonly KubeObject[];
  /** All objects of `kind`, any namespace. */
  ofKind(kind: string): readonly KubeObject[];
  /**
   * A value derived from the related objects, computed once per audit (an index
   * a cross-resource check needs for every object). `key` names the derivation.
   */
  derived<T>(key: string, compute: () => T): T;
}

/** A check as the engine runs it: built-in checks and compiled custom checks share this shape. */
export interface CheckDefinition {
  readonly id: string;
  readonly category: string;
  readonly target: Target;
  /** For Container checks that are validated against a pod spec holding only that container. */
  readonly schemaTarget?: Target;
  readonly successMessage: string;
  readonly failureMessage: string;
  readonly controllers?: IncludeExclude;
  readonly containers?: IncludeExclude;
  /** Whether the target passes. Must not throw on odd shapes: a missing field is simply absent. */
  test(input: CheckInput): Verdict;
  /**
   * The kinds (`kind`, no group) of other objects this check's related verdicts
   * look up. An audit keeps only objects of these kinds until its end; asking
   * for another kind is an error. @default none
   */
  readonly relatedKinds?: readonly string[];
  readonly mutations?: readonly PatchOperation[];
}

/** One check's verdict, in Polaris's JSON shape. */
export interface ResultMessage {
  ID: string;
  Message: string;
  Details: string[] | null;
  Success: boolean;
  Severity: Severity;
  Category: string;
  Mutations?: PatchOperation[] | null;
}

export type ResultSet = Record<string, ResultMessage>;

export interface ContainerResult {
  Name: string;
  Results: ResultSet;
}

export interface PodResult {
  Name: string;
  Results: ResultSet;
  ContainerResults: ContainerResult[];
}

/** The result for one object, in Polaris's JSON shape, plus where it came from (not part of Polaris's JSON). */
export interface Result {
  Name: string;
  Namespace: string;
  Kind: string;
  Results: ResultSet;
  PodResult?: PodResult;
  CreatedTime: string;
  /** kaji's addition: file and line of the object's document. */
  Source?: { File: string; Line: number };
}

/** One entry of Polaris's `exemptions`: every listed field must match (names are prefixes). */
export interface Exemption {
  readonly namespace?: string;
  readonly controllerNames?: readonly string[];
  readonly containerNames?: readonly string[];
  readonly rules?: readonly string[];
}

/** A loaded, validated policy configuration (Polaris's format). */
export interface PolicyConfig {
  /** Check ID → severity; a check runs when its severity is not `ignore`. No prototype: any ID ("__proto__", "constructor") is a plain key. */
  readonly checks: Readonly<Record<string, Severity>>;
  /** Custom checks compiled from `customChecks`, by ID; no prototype, as `checks`. */
  readonly customChecks: Readonly<Record<string, CheckDefinition>>;
  readonly exemptions: readonly Exemption[];
  readonly disallowExemptions: boolean;
  readonly disallowConfigExemptions: boolean;
  /** undefined when the file leaves it out: annotations exempt, as Polaris' default (false) has it. */
  readonly disallowAnnotationExemptions: boolean | undefined;
  /** IDs of checks whose mutations `kaji fix` and the mutating webhook apply. */
  readonly mutations: readonly string[];
  /** Where the configuration came from, for messages. */
  readonly source: string;
}

export interface ClusterInfo {
  Version: string;
  Nodes: number;
  Pods: number;
  Namespaces: number;
  Controllers: number;
}

/** A whole audit, in the shape of Polaris's audit JSON. */
export interface AuditData {
  PolarisOutputVersion: string;
  AuditTime: string;
  SourceType: string;
  SourceName: string;
  DisplayName: string;
  ClusterInfo: ClusterInfo;
  Results: Result[];
  Score: number;
}
