import type { KubeObject } from '../kube/index.js';
import type { Exemption, PolicyConfig } from './types.js';

export const EXEMPT_ANNOTATION = 'polaris.fairwinds.com/exempt';


function matchesPrefix(prefixes: readonly string[] | undefined, name: string): boolean {
  return !prefixes || prefixes.length === 0 || prefixes.some((prefix) => name.startsWith(prefix));
}

/** Whether the configured exemptions exempt every object and container from a check: it then never runs. */
export function exemptEverywhere(checkId: string, config: PolicyConfig): boolean {
  if (config.disallowExemptions || config.disallowConfigExemptions) return false;
  return config.exemptions.some(
    (exemption) =>
      !exemption.namespace && !exemption.controllerNames?.length && !exemption.containerNames?.length && (!exemption.rules?.length || exemption.rules.includes(checkId)),
  );
}

/** Says whether a check is exempt for one object (and container, "" for object- and pod-level checks). */
export type ExemptionTest = (checkId: string, containerName: string) => boolean;

const NEVER_EXEMPT: ExemptionTest = () => false;

/**
 * The exemptions of one object, worked out once: its annotations and the
 * configured exemptions whose namespace and controller names match it. Most
 * objects have neither, and then every check is answered without a lookup.
 */
export function exemptionsFor(object: KubeObject, config: PolicyConfig): ExemptionTest {
  const annotated = annotationExemptions(object, config);
  if (annotated === 'all') return () => true;
  const configured = config.disallowExemptions || config.disallowConfigExemptions ? [] : configuredExemptions(object, config);
  if (annotated.size === 0 && configured.length === 0) return NEVER_EXEMPT;
  return (checkId, containerName) =>
    annotated.has(checkId) ||
    configured.some(
      (exemption) =>
        (!exemption.rules || exemption.rules.length === 0 || exemption.rules.includes(checkId)) &&
        matchesPrefix(exemption.containerNames, containerName),
    );
}

/** The configured exemptions that can apply in one namespace, split by whether they name controllers. */
interface NamespaceExemptions {
  /** Exemptions for every controller of the namespace. */
  readonly always: readonly Exemption[];
  /** Exemptions naming controllers (by prefix), and one test for "does any of their prefixes start the name?". */
  readonly named: readonly Exemption[];
  readonly anyNamed?: RegExp;
}

// Worked out once per configuration and namespace: most objects match no
// exemption, and then one regular expression test settles it. Only the
// namespaces that exemptions name get their own entry; every other namespace
// shares one (`undefined`), so what the webhook keeps for its configuration
// does not grow with the namespaces it is asked about.
const exemptionIndex = new WeakMap<PolicyConfig, { named: ReadonlySet<string>; byNamespace: Map<string | undefined, NamespaceExemptions> }>();

function namespaceExemptions(config: PolicyConfig, namespace: string): NamespaceExemptions {
  let index = exemptionIndex.get(config);
  if (!index) {
    const named = new Set(config.exemptions.flatMap((exemption) => (exemption.namespace ? [exemption.namespace] : [])));
    exemptionIndex.set(config, (index = { named, byNamespace: new Map() }));
  }
  const key = index.named.has(namespace) ? namespace : undefined;
  let found = index.byNamespace.get(key);
  if (!found) {
    const applicable = config.exemptions.filter((exemption) => !exemption.namespace || exemption.namespace === key);
    const named = applicable.filter((exemption) => exemption.controllerNames?.length);
    const names = new Set(named.flatMap((exemption) => exemption.controllerNames ?? []));
    const prefixes = [...names].map((prefix) => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    found = {
      always: applicable.filter((exemption) => !exemption.controllerNames?.length),
      named,
      ...(prefixes.length ? { anyNamed: new RegExp(`^(?:${prefixes.join('|')})`, 'u') } : {}),
    };
    index.byNamespace.set(key, found);
  }
  return found;
}

/** The configured exemptions whose namespace and controller names match the object. */
function configuredExemptions(object: KubeObject, config: PolicyConfig): readonly Exemption[] {
  const { always, named, anyNamed } = namespaceExemptions(config, object.namespace);
  if (!anyNamed?.test(object.name)) return always;
  return [...always, ...named.filter((exemption) => matchesPrefix(exemption.controllerNames, object.name))];
}

const NO_IDS: ReadonlySet<string> = new Set();

/** 'all' when the object is exempt from every check by annotation, else the IDs it is exempt from. */
function annotationExemptions(object: KubeObject, config: PolicyConfig): 'all' | ReadonlySet<string> {
  if (config.disallowExemptions || config.disallowAnnotationExemptions) return NO_IDS;
  const annotations = object.metadata.annotations;
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return NO_IDS;
  let ids: Set<string> | undefined;
  for (const [key, value] of Object.entries(annotations)) {
    if (typeof value !== 'string' || value.toLowerCase() !== 'true') continue;
    if (key === EXEMPT_ANNOTATION) return 'all';
    const match = /^polaris\.fairwinds\.com\/(.+)-exempt$/.exec(key);
    if (match) (ids ??= new Set()).add(match[1]!);
  }
  return ids ?? NO_IDS;
}
