export type { JsonValue, JsonObject, Source, KubeObject, InputProblem } from './types.js';
export { findPodSpec, containersOf, isObject } from './podspec.js';
export type { FoundPodSpec, PodSpecPath } from './podspec.js';
export { objectProblem, toKubeObject } from './object.js';
export { loadInputs, addStream, displayPath, MANIFEST_EXTENSIONS, DEFAULT_MAX_FILE_BYTES } from './load.js';
export type { LoadOptions, LoadResult } from './load.js';
export { splitDocuments, parseDocument, YamlSyntaxError } from './documents.js';
export type { DocumentText } from './documents.js';
export { renderKustomization, kustomizationFile, KustomizeError, KUSTOMIZATION_FILES } from './kustomize.js';
