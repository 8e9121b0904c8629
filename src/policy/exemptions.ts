import type { KubeObject } from '../kube/index.js';
import type { Exemption, PolicyConfig } from './types.js';

export const EXEMPT_ANNOTATION = 'polaris.fairwinds.com/exempt';

/** The per-check exemption annotation, `polaris.fairwinds.com/<checkID>-exempt`. */
export function checkExemptAnnotation(checkId: string): string {
  return `polaris.fairwinds.com/${checkId}-exempt`;
}

/** True when the object's annotations exempt it from the check (value "true" in any case). */
export function exemptByAnnotation(object: KubeObject, checkId: string, config: PolicyConfig): boolean {
  if (config.disallowExemptions || config.disallowAnnotationExemptions) return false;
  const annotations = object.metadata.annotations;
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return false;
  const isTrue = (value: unknown) => typeof value === 'string' && value.toLowerCase() === 'true';
  return isTrue(annotations[EXEMPT_ANNOTATION]) || isTrue(annotations[checkExemptAnnotation(checkId)]);
}

/**
 * True when a configured exemption covers this check for this object (and
 * container: "" for object- and pod-level checks). Every field an exemption
 * names must match; names match as prefixes; an exemption without rules covers
 * every check.
 */
export function exemptByConfig(object: KubeObject, checkId: string, containerName: string, config: PolicyConfig): boolean {
  if (config.disallowExemptions || config.disallowConfigExemptions) return false;
  return config.exemptions.some((exemption) => exemptionMatches(exemption, object, checkId, containerName));
}

function exemptionMatches(exemption: Exemption, object: KubeObject, checkId: string, containerName: string): boolean {
  if (exemption.namespace && exemption.namespace !== object.namespace) return false;
  if (exemption.rules && exemption.rules.length > 0 && !exemption.rules.includes(checkId)) return false;
  return matchesPrefix(exemption.controllerNames, object.name) && matchesPrefix(exemption.containerNames, containerName);
}

function matchesPrefix(prefixes: readonly string[] | undefined, name: string): boolean {
  return !prefixes || prefixes.length === 0 || prefixes.some((prefix) => name.startsWith(prefix));
}
