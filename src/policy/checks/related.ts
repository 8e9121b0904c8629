// Checks that look at the other objects of the same input: PodDisruptionBudgets,
// NetworkPolicies and HorizontalPodAutoscalers that belong to a workload.
//
// Polaris decides "belongs to" in ways that are not Kubernetes label selection,
// and kaji keeps them, because the results must be the same:
// - missingPodDisruptionBudget: a PDB whose `matchLabels` shares at least one
//   label with the pod template (matchExpressions are ignored), in the same
//   namespace or with no namespace.
// - missingNetworkPolicy: a NetworkPolicy whose `podSelector.matchLabels` shares
//   exactly one label with the pod template and that has ingress and egress rules.
// - pdbMinAvailableGreaterThanHPAMinReplicas: the first PDB sharing a label and
//   the first HPA naming the Deployment, in any namespace.
// Label values are compared as Polaris's templated schemas see them: a value
// that YAML reads as a number or boolean ("1", "true") never matches.
//
// A related verdict keeps the pod template's labels mapping as read and builds
// what it compares only when it decides: what a verdict keeps lives until the
// end of the audit, through every collection of the garbage collector.
import { isObject, type JsonObject, type JsonValue, type KubeObject } from '../../kube/index.js';
import type { CheckDefinition, RelatedObjects } from '../types.js';
import {
  asYamlPlainString,
  goTemplateText,
  hasKey,
  objectAt,
  perNamespace,
  relatedOfGroupKind,
  relatedVisibleFrom,
  valueAt,
} from './fields.js';

const PDB = 'policy/PodDisruptionBudget';
const NETWORK_POLICY = 'networking.k8s.io/NetworkPolicy';
const HPA = 'autoscaling/HorizontalPodAutoscaler';

const metadataAndInstanceMismatched: CheckDefinition = {
  id: 'metadataAndInstanceMismatched',
  category: 'Reliability',
  target: 'Controller',
  successMessage: 'Label app.kubernetes.io/instance matches metadata.name',
  failureMessage: 'Label app.kubernetes.io/instance must match metadata.name',
  test: ({ object }) => {
    const labels = objectAt(object.raw, 'metadata', 'labels');
    if (!labels || !hasKey(labels, 'app.kubernetes.io/instance')) return false;
    return labels['app.kubernetes.io/instance'] === goTemplateText(valueAt(object.raw, 'metadata', 'name'));
  },
};

/** The labels as Polaris's schema templates paste them; values YAML would not read back as strings are left out. */
function templatedLabels(labels: JsonObject): Map<string, string> {
  const result = new Map<string, string>();
  for (const [key, value] of Object.entries(labels)) {
    const text = typeof value === 'string' ? asYamlPlainString(value) : undefined;
    if (text !== undefined) result.set(key, text);
  }
  return result;
}

/** How many of the labels `matchLabels` repeats with the same (string) value. */
function sharedLabelCount(matchLabels: JsonValue | undefined, labels: Map<string, string>): number {
  if (!isObject(matchLabels)) return 0;
  let count = 0;
  for (const [key, value] of labels) if (hasKey(matchLabels, key) && matchLabels[key] === value) count++;
  return count;
}

/**
 * Polaris's PDB schema, for the PDBs visible from one namespace: a PDB
 * without `spec` covers every pod; otherwise one whose `selector.matchLabels`
 * shares a label (a string value) with the pod template. Built once per
 * namespace and audit, so each Deployment costs a lookup per label instead of
 * a look at every PDB.
 */
function pdbCoverage(related: RelatedObjects, namespace: string): (labels: Map<string, string>) => boolean {
  return perNamespace(related, 'pdbCoverage', namespace, () => {
    let coversAll = false;
    const valuesByKey = new Map<string, Set<string>>();
    for (const pdb of relatedVisibleFrom(related, PDB, namespace)) {
      if (!hasKey(pdb.raw, 'spec')) coversAll = true;
      const matchLabels = valueAt(pdb.raw, 'spec', 'selector', 'matchLabels');
      if (!isObject(matchLabels)) continue;
      for (const key of Object.keys(matchLabels)) {
        const value = matchLabels[key];
        if (typeof value !== 'string') continue;
        let values = valuesByKey.get(key);
        if (!values) valuesByKey.set(key, (values = new Set()));
        values.add(value);
      }
    }
    return (labels) => {
      if (coversAll) return true;
      for (const [key, value] of labels) if (valuesByKey.get(key)?.has(value) === true) return true;
      return false;
    };
  });
}

const missingPodDisruptionBudget: CheckDefinition = {
  id: 'missingPodDisruptionBudget',
  category: 'Reliability',
  target: 'Controller',
  controllers: { include: ['Deployment'] },
  successMessage: 'A PodDisruptionBudget is attached',
  failureMessage: 'Should have a PodDisruptionBudget',
  relatedKinds: ['PodDisruptionBudget'],
  test: ({ object }) => {
    const labels = objectAt(object.raw, 'spec', 'template', 'metadata', 'labels');
    if (!labels || Object.keys(labels).length === 0) return false;
    const namespace = object.namespace;
    return (related) => pdbCoverage(related, namespace)(templatedLabels(labels));
  },
};

/** True when a list holds an item that is not a string or matches (Polaris's `contains` + `pattern`). */
function containsPattern(list: JsonValue[], pattern: RegExp): boolean {
  return list.some((item) => typeof item !== 'string' || pattern.test(item));
}

/** Polaris's NetworkPolicy schema: exactly one shared label, ingress and egress rules, both policy types. */
function networkPolicyCovers(policy: KubeObject, labels: Map<string, string>): boolean {
  if (!hasKey(policy.raw, 'spec')) return true;
  const spec = policy.raw.spec;
  if (!isObject(spec) || !['podSelector', 'egress', 'ingress'].every((key) => hasKey(spec, key))) return false;
  const selector = spec.podSelector;
  if (!isObject(selector) || !isObject(selector.matchLabels)) return false;
  if (sharedLabelCount(selector.matchLabels, labels) !== 1) return false;
  const hasRules = (value: JsonValue | undefined) => Array.isArray(value) && value.length > 0;
  if (!hasRules(spec.egress) || !hasRules(spec.ingress)) return false;
  if (!hasKey(spec, 'policyTypes')) return true;
  const types = spec.policyTypes;
  return Array.isArray(types) && containsPattern(types, /^egress$/iu) && containsPattern(types, /^ingress$/iu);
}

const missingNetworkPolicy: CheckDefinition = {
  id: 'missingNetworkPolicy',
  category: 'Security',
  target: 'PodTemplate',
  successMessage: 'A NetworkPolicy matches pod labels and contains egress and ingress rules',
  failureMessage: 'A NetworkPolicy should match pod labels and contain applied egress and ingress rules',
  relatedKinds: ['NetworkPolicy'],
  test: ({ object, podTemplate }) => {
    const metadata = valueAt(podTemplate, 'metadata');
    if (metadata !== undefined && !isObject(metadata)) return false;
    const labels = valueAt(metadata, 'labels');
    if (labels !== undefined && (!isObject(labels) || Object.keys(labels).length === 0)) return false;
    const namespace = object.namespace;
    return (related) => {
      const wanted = templatedLabels(isObject(labels) ? labels : {});
      return relatedVisibleFrom(related, NETWORK_POLICY, namespace).some((policy) => networkPolicyCovers(policy, wanted));
    };
  },
};

// ---- pdbMinAvailableGreaterThanHPAMinReplicas (Go code in Polaris, not a schema) ----

/** Thrown-free stand-in for Polaris's typed decoding: "odd" means Polaris would give up and pass the check. */
const ODD = Symbol('odd');
type Odd = typeof ODD;

/** Whether a value reads as a string map such as `labels` or `matchLabels`: absent, or a mapping of strings. */
function isStringMap(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  return isObject(value) && Object.values(value).every((item) => typeof item === 'string');
}

/** A string map; absent reads as empty. */
function stringMap(value: JsonValue | undefined): Map<string, string> | Odd {
  if (!isStringMap(value)) return ODD;
  return new Map(isObject(value) ? (Object.entries(value) as [string, string][]) : []);
}

/** An IntOrString field (`minAvailable`): a 32-bit integer or a string; absent is undefined. */
function intOrString(value: JsonValue | undefined): number | string | undefined | Odd {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 ? (value as number) : ODD;
}

/** An optional 32-bit integer field (`minReplicas`). */
function optionalInt(value: JsonValue | undefined): number | undefined | Odd {
  if (value === undefined || value === null) return undefined;
  return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 ? (value as number) : ODD;
}

interface AttachedPdb {
  readonly minAvailable: number | string | undefined;
}

/** The first PDB (any namespace) whose matchLabels shares one label with the pod template; Go compares a missing label as "". */
type ParsedPdb = Odd | { matchLabels: Map<string, string>; minAvailable: number | string | undefined; hasSelector: boolean };

/** A PDB as this check reads it, or ODD when a field has a shape Polaris's template chokes on. */
function parsePdb(pdb: KubeObject): ParsedPdb {
  const spec = valueAt(pdb.raw, 'spec');
  if (spec !== undefined && spec !== null && !isObject(spec)) return ODD;
  const selector = valueAt(spec, 'selector');
  if (selector !== undefined && selector !== null && !isObject(selector)) return ODD;
  const matchLabels = stringMap(valueAt(selector, 'matchLabels'));
  const minAvailable = intOrString(valueAt(spec, 'minAvailable'));
  if (matchLabels === ODD || minAvailable === ODD || intOrString(valueAt(spec, 'maxUnavailable')) === ODD) return ODD;
  return { matchLabels, minAvailable, hasSelector: isObject(selector) };
}

type PdbFinder = (podLabels: Map<string, string>) => AttachedPdb | undefined | Odd;

/**
 * Finds the first PDB of the input (any namespace, as Polaris looks) that is
 * odd or shares a label with the pod. Built once per audit: an index from
 * label pair to the first PDB holding it keeps this linear in the input size.
 */
function pdbFinder(related: RelatedObjects): PdbFinder {
  return related.derived('pdbMinAvailable:pdbs', () => {
    const pdbs = relatedOfGroupKind(related, PDB).map(parsePdb);
    const firstOdd = pdbs.indexOf(ODD);
    // Label key → label value → the first PDB holding that pair.
    const firstWithPair = new Map<string, Map<string, number>>();
    // A selector value "" also matches pods without the label, so those pairs are checked one by one.
    const emptyValued: { index: number; key: string }[] = [];
    pdbs.forEach((pdb, index) => {
      if (pdb === ODD || !pdb.hasSelector) return;
      for (const [key, value] of pdb.matchLabels) {
        if (value === '') {
          emptyValued.push({ index, key });
          continue;
        }
        let byValue = firstWithPair.get(key);
        if (!byValue) firstWithPair.set(key, (byValue = new Map()));
        if (!byValue.has(value)) byValue.set(value, index);
      }
    });
    return (podLabels) => {
      let first = firstOdd === -1 ? Infinity : firstOdd;
      for (const [key, value] of podLabels) first = Math.min(first, firstWithPair.get(key)?.get(value) ?? Infinity);
      for (const { index, key } of emptyValued) if (index < first && (podLabels.get(key) ?? '') === '') first = index;
      if (first === Infinity) return undefined;
      const pdb = pdbs[first]!;
      return pdb === ODD ? ODD : { minAvailable: pdb.minAvailable };
    };
  });
}

type HpaFinder = (name: string) => number | null | undefined | Odd;

/** Finds the minReplicas of the first HPA (any namespace) scaling the named Deployment; ODD if an odd HPA comes first. */
function hpaFinder(related: RelatedObjects): HpaFinder {
  return related.derived('pdbMinAvailable:hpas', () => {
    const byName = new Map<string, number | null | Odd>();
    let oddSeen = false;
    for (const hpa of relatedOfGroupKind(related, HPA)) {
      const spec = valueAt(hpa.raw, 'spec');
      const target = valueAt(spec, 'scaleTargetRef');
      const kind = valueAt(target, 'kind') ?? '';
      const targetName = valueAt(target, 'name') ?? '';
      const minReplicas = optionalInt(valueAt(spec, 'minReplicas'));
      const odd =
        (spec !== undefined && spec !== null && !isObject(spec)) ||
        (target !== undefined && target !== null && !isObject(target)) ||
        typeof kind !== 'string' ||
        typeof targetName !== 'string' ||
        minReplicas === ODD;
      if (odd) oddSeen = true;
      else if (kind === 'Deployment' && !byName.has(targetName as string)) byName.set(targetName as string, oddSeen ? ODD : (minReplicas ?? null));
    }
    return (name) => (byName.has(name) ? byName.get(name) : oddSeen ? ODD : undefined);
  });
}

/** The PDB's minAvailable as a pod count, scaled (rounding up) against the HPA minimum when a percentage; undefined when unusable. */
function minAvailableCount(minAvailable: number | string, minReplicas: number): number | undefined {
  if (typeof minAvailable === 'number') return minAvailable;
  const percent = /^([+-]?\d+)%$/.exec(minAvailable);
  if (!percent) return undefined;
  return Math.ceil((Number(percent[1]) * minReplicas) / 100);
}

function pdbExceedsHpaMinimum(podLabels: Map<string, string>, name: string, related: RelatedObjects): boolean {
  const pdb = pdbFinder(related)(podLabels);
  const minReplicas = hpaFinder(related)(name);
  if (pdb === ODD || minReplicas === ODD || !pdb || minReplicas === undefined) return false;
  if (pdb.minAvailable === undefined || minReplicas === null) return false;
  const count = minAvailableCount(pdb.minAvailable, minReplicas);
  return count !== undefined && count > minReplicas;
}

const pdbMinAvailableGreaterThanHPAMinReplicas: CheckDefinition = {
  id: 'pdbMinAvailableGreaterThanHPAMinReplicas',
  category: 'Reliability',
  target: 'Controller',
  controllers: { include: ['Deployment'] },
  successMessage: 'PDB and HPA are correctly configured',
  failureMessage: 'PDB minAvailable is greater than HPA minReplicas',
  relatedKinds: ['PodDisruptionBudget', 'HorizontalPodAutoscaler'],
  test: ({ object }) => {
    const labels = valueAt(object.raw, 'spec', 'template', 'metadata', 'labels');
    const name = valueAt(object.raw, 'metadata', 'name') ?? '';
    if (!isStringMap(labels) || typeof name !== 'string') return true;
    return (related) => !pdbExceedsHpaMinimum(stringMap(labels) as Map<string, string>, name, related);
  },
};

export const relatedChecks: readonly CheckDefinition[] = [
  metadataAndInstanceMismatched,
  missingPodDisruptionBudget,
  missingNetworkPolicy,
  pdbMinAvailableGreaterThanHPAMinReplicas,
];

