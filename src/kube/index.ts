export type { JsonValue, JsonObject, Source, KubeObject, InputProblem } from './types.js';
export { findPodSpec, containersOf, isObject } from './podspec.js';
export type { FoundPodSpec, PodSpecPath } from './podspec.js';
export { objectProblem, toKubeObject } from './object.js';
