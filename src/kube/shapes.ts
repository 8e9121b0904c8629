// The shapes of the lists, mappings and scalars that kaji's checks read, as
// the API server decodes them: a field of another shape (volumes: 5, a
// LimitRange's limits: {}, hostNetwork: "true") makes it refuse the object,
// while a check that reads the field safely (fields.ts) would see it as absent
// and pass, on data it never looked at. objectProblemAt (object.ts) reports
// such a field instead. What is absent or null is fine (null is absent to the
// API server too), and so is any field not listed here. Scalars are judged as
// kaji's YAML reader gives them (yaml-schema.ts: `yes` is already true, `80.0`
// the whole number 80, as for the API server). The walk allocates nothing for
// a well-shaped object: it runs for every object read.
import { isObject } from './podspec.js';
import { valueText } from './fields.js';
import type { JsonObject, JsonValue } from './types.js';
import type { PathSegment } from './yaml-lines.js';

/**
 * What is wrong inside a value, before it is placed in its object: the path
 * from the value to the field at fault, and the rest of the message ("must be
 * ..., found ..."). Made only for a problem.
 */
export interface Fault {
  readonly path: readonly PathSegment[];
  readonly text: string;
}

/**
 * A field's shape, with what it must be in words ("a list of volumes"). Every
 * shape has every property (one object layout): `fields` are the fields within
 * a mapping that have a shape of their own, by key; `item` the shape of a
 * list's items.
 */
export interface Shape {
  /**
   * A text map maps names to texts: labels, annotations, a ConfigMap's data.
   * int32 and int64 are whole numbers of Go's sizes (an int32 out of its range
   * is refused too; an int64 is past a JS number's precision before that).
   */
  readonly is: 'mapping' | 'list' | 'text' | 'text map' | 'boolean' | 'int32' | 'int64';
  readonly what: string;
  readonly fields: Fields;
  readonly item: Shape | undefined;
  /**
   * Of a list: whether the API server takes a null item. It reads one as an
   * empty item: a text "" or a mapping with nothing set, which it refuses
   * where an item needs a field (a volume its name), and takes elsewhere (a
   * NetworkPolicy's ingress rule {} allows all).
   */
  readonly nullItemTaken: boolean;
}
/** Fields by key, and their shapes. */
export type Fields = ReadonlyMap<string, Shape>;

const NO_FIELDS: Fields = new Map();
function fieldShapes(shapes: Readonly<Record<string, Shape>>): Fields {
  return new Map(Object.entries(shapes));
}
function mapping(what: string, within: Readonly<Record<string, Shape>> = {}): Shape {
  return { is: 'mapping', what, fields: fieldShapes(within), item: undefined, nullItemTaken: false };
}
/** A list; a null item is taken where the item is a text, or when `nullItem` says so. */
function listOf(what: string, item: Shape, nullItem: 'refused' | 'taken' = item.is === 'text' ? 'taken' : 'refused'): Shape {
  return { is: 'list', what, fields: NO_FIELDS, item, nullItemTaken: nullItem === 'taken' };
}
function text(what = 'a text'): Shape {
  return { is: 'text', what, fields: NO_FIELDS, item: undefined, nullItemTaken: false };
}
function scalar(is: 'boolean' | 'int32' | 'int64', what: string): Shape {
  return { is, what, fields: NO_FIELDS, item: undefined, nullItemTaken: false };
}
const BOOLEAN = scalar('boolean', 'true or false');
const PORT = scalar('int32', 'a port number (a whole number)');
const USER_ID = scalar('int64', 'a user ID (a whole number)');
const TEXTS = listOf('a list of texts', text());
const TEXT_MAP: Shape = { is: 'text map', what: 'a mapping of names to texts', fields: NO_FIELDS, item: undefined, nullItemTaken: false };
/** A value of a text map: what YAML reads as a number or boolean must be quoted. */
const MAP_VALUE_TEXT = 'a text (in quotes)';
/** A field of type string, where YAML may read a number or a boolean (`1.5`, `true`, `yes`) that must be quoted. */
const QUOTED_TEXT = text(MAP_VALUE_TEXT);

/** Why a value does not have its shape, or undefined when it has (or is absent). */
export function shapeFault(shape: Shape, value: JsonValue | undefined): Fault | undefined {
  if (value === undefined || value === null) return undefined;
  switch (shape.is) {
    case 'text':
      return typeof value === 'string' ? undefined : mismatch(shape.what, value);
    case 'mapping':
      return isObject(value) ? fieldsFault(shape.fields, value) : mismatch(shape.what, value);
    case 'text map':
      return isObject(value) ? textValuesFault(value) : mismatch(shape.what, value);
    case 'list':
      return Array.isArray(value) ? itemsFault(shape, value) : mismatch(shape.what, value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : mismatch(shape.what, value);
    case 'int32':
      return !Number.isInteger(value) ? mismatch(shape.what, value) : outsideInt32(value as number) ? int32RangeFault(shape.what, value) : undefined;
    case 'int64':
      return Number.isInteger(value) ? undefined : mismatch(shape.what, value);
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const outsideInt32 = (value: number) => value < INT32_MIN || value > INT32_MAX;
function int32RangeFault(what: string, value: JsonValue): Fault {
  return { path: [], text: `must be ${what} from ${INT32_MIN} to ${INT32_MAX}, found ${foundText(value)}` };
}

/** The first field of a mapping that does not have its shape, in the mapping's order (the first written is named). */
export function fieldsFault(within: Fields, value: JsonObject): Fault | undefined {
  if (within.size === 0) return undefined;
  for (const key in value) {
    const shape = within.get(key);
    if (shape === undefined) continue;
    const fault = shapeFault(shape, value[key]);
    if (fault !== undefined) return { path: [key, ...fault.path], text: fault.text };
  }
  return undefined;
}

/** The first item of a list that does not have the item shape, or is null where the API server refuses that. */
function itemsFault(list: Shape, items: readonly JsonValue[]): Fault | undefined {
  const item = list.item!;
  for (let index = 0; index < items.length; index++) {
    const value = items[index]!;
    const fault = value === null ? (list.nullItemTaken ? undefined : mismatch(item.what, null)) : shapeFault(item, value);
    if (fault !== undefined) return { path: [index, ...fault.path], text: fault.text };
  }
  return undefined;
}

function textValuesFault(map: JsonObject): Fault | undefined {
  for (const name in map) {
    // A strategic-merge patch file may carry directives ($patch: replace, $retainKeys); no label name starts with $.
    if (name.charCodeAt(0) === 0x24) continue;
    const value = map[name]!;
    if (value !== null && typeof value !== 'string') return { path: [name], text: `must be ${MAP_VALUE_TEXT}, found ${foundText(value)}` };
  }
  return undefined;
}

function mismatch(what: string, value: JsonValue): Fault {
  return { path: [], text: `must be ${what}, found ${foundText(value)}` };
}

/** A scalar as written (valueText), a list or mapping by its shape. */
export function foundText(value: JsonValue): string {
  return typeof value === 'object' && value !== null ? describe(value) : valueText(value);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

// ---- The fields kaji's checks read ----

/** An object's metadata (or a pod template's): its names are texts, labels and annotations map names to texts. */
export const METADATA: Shape = mapping('a mapping', {
  name: QUOTED_TEXT,
  generateName: QUOTED_TEXT,
  namespace: QUOTED_TEXT,
  labels: TEXT_MAP,
  annotations: TEXT_MAP,
});

/** What a pod's and a container's security contexts share, of what the checks read. */
const SECURITY_CONTEXT_FIELDS = {
  seccompProfile: mapping('a mapping with a type', { type: QUOTED_TEXT }),
  seLinuxOptions: mapping('a mapping with user, role, type or level', { user: QUOTED_TEXT, role: QUOTED_TEXT, type: QUOTED_TEXT, level: QUOTED_TEXT }),
  windowsOptions: mapping('a mapping (such as hostProcess)', { hostProcess: BOOLEAN }),
  runAsUser: USER_ID,
  runAsNonRoot: BOOLEAN,
};
const CAPABILITY_NAMES = listOf('a list of capability names', text('a capability name (a text)'));
const PROBE = mapping('a probe (a mapping)');

/**
 * The fields of a container (an init or ephemeral one too) that the checks
 * read, besides its resources (object.ts judges their quantities).
 */
export const CONTAINER_FIELDS = fieldShapes({
  name: QUOTED_TEXT,
  image: QUOTED_TEXT,
  imagePullPolicy: QUOTED_TEXT,
  ports: listOf('a list of ports', mapping('a port (a mapping with containerPort)', { containerPort: PORT, hostPort: PORT })),
  env: listOf(
    'a list of environment variables',
    mapping('an environment variable (a mapping with a name)', { name: QUOTED_TEXT, value: QUOTED_TEXT, valueFrom: mapping('a mapping (such as secretKeyRef)') }),
  ),
  envFrom: listOf('a list of sources (configMapRef or secretRef)', mapping('a source (a mapping with configMapRef or secretRef)')),
  volumeMounts: listOf('a list of volume mounts', mapping('a volume mount (a mapping with name and mountPath)')),
  securityContext: mapping('a mapping (a security context)', {
    ...SECURITY_CONTEXT_FIELDS,
    privileged: BOOLEAN,
    allowPrivilegeEscalation: BOOLEAN,
    readOnlyRootFilesystem: BOOLEAN,
    procMount: QUOTED_TEXT,
    capabilities: mapping('a mapping with add and drop', { add: CAPABILITY_NAMES, drop: CAPABILITY_NAMES }),
  }),
  livenessProbe: PROBE,
  readinessProbe: PROBE,
  startupProbe: PROBE,
});

/** The fields of a pod spec that the checks read, besides its containers (object.ts walks them with CONTAINER_FIELDS). */
export const POD_SPEC_FIELDS = fieldShapes({
  hostNetwork: BOOLEAN,
  hostPID: BOOLEAN,
  hostIPC: BOOLEAN,
  automountServiceAccountToken: BOOLEAN,
  serviceAccountName: QUOTED_TEXT,
  priorityClassName: QUOTED_TEXT,
  nodeName: QUOTED_TEXT,
  volumes: listOf(
    'a list of volumes',
    mapping('a volume (a mapping with a name)', {
      hostPath: mapping('a mapping with a path'),
      emptyDir: mapping('a mapping (such as {} or with a sizeLimit)'),
    }),
  ),
  securityContext: mapping('a mapping (a security context)', SECURITY_CONTEXT_FIELDS),
  tolerations: listOf('a list of tolerations', mapping('a toleration (a mapping)', { key: QUOTED_TEXT, operator: QUOTED_TEXT, effect: QUOTED_TEXT })),
  topologySpreadConstraints: listOf('a list of topology spread constraints', mapping('a topology spread constraint (a mapping)')),
});

const LABEL_SELECTOR = mapping('a label selector (a mapping with matchLabels)', {
  matchLabels: TEXT_MAP,
  matchExpressions: listOf('a list of expressions', mapping('an expression (a mapping with key, operator and values)')),
});
/** A NetworkPolicy's ingress or egress rules: an empty rule ({}, or null) allows all. */
const RULES = listOf('a list of rules', mapping('a rule (a mapping)'), 'taken');

/** The API groups a kind is read in, and the shapes of its fields (from the object's root). */
export interface KindShape {
  readonly groups: readonly string[];
  readonly fields: Fields;
}

const RBAC = ['rbac.authorization.k8s.io'];
const ROLE: KindShape = {
  groups: RBAC,
  fields: fieldShapes({
    rules: listOf('a list of rules', mapping('a rule (a mapping with apiGroups, resources and verbs)', { apiGroups: TEXTS, resources: TEXTS, verbs: TEXTS })),
  }),
};
const BINDING: KindShape = {
  groups: RBAC,
  fields: fieldShapes({
    // Their scalars are not judged: the checks and the tenant boundaries read one of another type as no match, and fail.
    roleRef: mapping('a mapping with apiGroup, kind and name'),
    subjects: listOf('a list of subjects', mapping('a subject (a mapping with kind and name)')),
  }),
};

/**
 * Kinds whose fields outside a pod spec the checks read (the policy's, the
 * tenant boundaries', the quantities'), by kind. A kind of another API group
 * (a CRD named like one) is not judged.
 */
export const KIND_SHAPES: ReadonlyMap<string, KindShape> = new Map<string, KindShape>([
  [
    'StatefulSet',
    {
      groups: ['apps'],
      fields: fieldShapes({
        spec: mapping('a mapping', {
          volumeClaimTemplates: listOf(
            'a list of claim templates (PersistentVolumeClaims)',
            mapping('a claim template (a mapping with metadata and spec)', { metadata: METADATA, spec: mapping('a mapping') }),
          ),
        }),
      }),
    },
  ],
  ['LimitRange', { groups: [''], fields: fieldShapes({ spec: mapping('a mapping', { limits: listOf('a list of limits', mapping('a limit (a mapping with a type)')) }) }) }],
  ['ConfigMap', { groups: [''], fields: fieldShapes({ data: TEXT_MAP, binaryData: TEXT_MAP }) }],
  ['Service', { groups: [''], fields: fieldShapes({ spec: mapping('a mapping', { externalIPs: listOf('a list of IP addresses', text('an IP address (a text)')) }) }) }],
  [
    'Ingress',
    {
      groups: ['networking.k8s.io', 'extensions'],
      fields: fieldShapes({
        spec: mapping('a mapping', {
          // An empty TLS setting or rule is taken (a rule without a host is for every host).
          tls: listOf('a list of TLS settings', mapping('a TLS setting (a mapping with hosts and secretName)', { hosts: TEXTS }), 'taken'),
          rules: listOf('a list of rules', mapping('a rule (a mapping such as host and http)', { host: QUOTED_TEXT }), 'taken'),
        }),
      }),
    },
  ],
  ['PodDisruptionBudget', { groups: ['policy'], fields: fieldShapes({ spec: mapping('a mapping', { selector: LABEL_SELECTOR }) }) }],
  [
    'HorizontalPodAutoscaler',
    {
      groups: ['autoscaling'],
      fields: fieldShapes({ spec: mapping('a mapping', { scaleTargetRef: mapping('a mapping with kind and name', { kind: QUOTED_TEXT, name: QUOTED_TEXT }) }) }),
    },
  ],
  [
    'NetworkPolicy',
    {
      groups: ['networking.k8s.io', 'extensions'],
      fields: fieldShapes({
        spec: mapping('a mapping', {
          podSelector: LABEL_SELECTOR,
          ingress: RULES,
          egress: RULES,
          policyTypes: listOf('a list of policy types (Ingress, Egress)', text('a policy type (a text)')),
        }),
      }),
    },
  ],
  ['ServiceAccount', { groups: [''], fields: fieldShapes({ automountServiceAccountToken: BOOLEAN }) }],
  ['Role', ROLE],
  ['ClusterRole', ROLE],
  ['RoleBinding', BINDING],
  ['ClusterRoleBinding', BINDING],
]);
