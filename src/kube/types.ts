/** A JSON-like value as it comes out of a YAML or JSON manifest. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Where an object was read from: the file (or kustomization directory) and the 1-based line of its document. */
export interface Source {
  readonly file: string;
  readonly line: number;
}

/** A Kubernetes object read from an input, normalised, with its source. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Empty string when the manifest does not say (as Polaris reports it). */
  readonly namespace: string;
  readonly metadata: JsonObject;
  /** The whole object after normalisation (quantities, booleans, ints). */
  readonly raw: JsonObject;
  readonly source: Source;
}

/** An input that could not be read or an object that could not be used; the rest of the input is still audited. */
export interface InputProblem {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}
