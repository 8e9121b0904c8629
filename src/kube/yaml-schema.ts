import yaml from 'js-yaml';

// Kubernetes reads manifests with sigs.k8s.io/yaml, which resolves plain
// scalars by YAML 1.1 rules: `yes`, `on`, `y` are booleans there but strings
// in YAML 1.2. js-yaml's core schema is YAML 1.2, so its boolean type is
// swapped for a YAML 1.1 one; null, int, float and merge keys (`<<`) stay.
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

const yaml11Bool = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string) => TRUE_WORDS.has(data) || FALSE_WORDS.has(data),
  construct: (data: string) => TRUE_WORDS.has(data),
  predicate: (value: unknown) => typeof value === 'boolean',
  represent: { lowercase: (value: object) => (value ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

// js-yaml exports its built-in types at run time; its type declarations omit them.
const { merge } = (yaml as unknown as { types: Record<string, yaml.Type> }).types;

/**
 * The schema kaji reads every manifest and configuration with: YAML 1.2 core
 * (whose booleans resolve first) plus YAML 1.1's other boolean words and merge keys.
 */
export const KUBERNETES_YAML_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [yaml11Bool, ...(merge ? [merge] : [])] });
