// Loads platform.yaml: YAML → JSON Schema validation → the checks a schema
// cannot express (uniqueness, references, quantities, DNS) → a
// PlatformDefinition with every default filled. Every problem is collected
// and thrown together as PlatformErrors, each naming file:line:column and the
// field path. A definition without problems is read without positions, which
// is faster; a text with any problem is read again with them
// (yaml-readers.ts).

import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode } from 'yaml';
import { canonicalQuantity, ceilToScale, compareQuantities, exceedsInt64, parseQuantity } from '../../kube/index.js';
import type { Quantity } from '../../kube/index.js';
import { didYouMean, fileErrorReason, OVER_EXPANDED_MESSAGE, overExpandedPath } from '../../kube/index.js';
import { parseCidr } from '../cidr.js';
import { SHARED_STACK_PART } from '../stack-name.js';
import { argoCdHost } from '../derive/argocd.js';
import { RESERVED_NAMESPACES, RESERVED_SERVICE_NAMES } from '../types.js';
import type {
  Architecture,
  ArgoCdIngress,
  ArgoCdIngressScheme,
  ArgoCdSso,
  ArgoCdTeamAction,
  CapacityType,
  DisruptionBudget,
  EgressDestination,
  Headroom,
  NetworkDefinition,
  NodeDisruption,
  PlatformDefinition,
  PodSecurityLevel,
  ResourceAmounts,
  ServiceDefinition,
  WebhookFailurePolicy,
} from '../types.js';
import { apiEndpointCidrProblem, arnPartitionProblem, availabilityZonesProblem, defaultAvailabilityZones } from './aws-network.js';
import { cronScheduleProblem } from './cron.js';
import { defaultLoadBalancerCidrs, parseVpcCidr, planSubnets, type SubnetPlanInput } from './subnet-plan.js';
import { eksVersion, EKS_VERSIONS_CHECKED_ON, SUPPORTED_KUBERNETES_VERSIONS } from './eks-versions.js';
import { PlatformError, PlatformErrors } from './errors.js';
import { headroomShare, headroomSplit } from './headroom-share.js';
import { positionedData, readPlainYaml, readPositionedYaml } from './yaml-readers.js';
import { validate as generatedValidator } from './platform-validator.generated.js';
import { AVAILABILITY_ZONE, AWS_REGION, CRON_SCHEDULE, defaultSsoClientSecretName, defaultWebhookImage, DNS_LABEL, IMAGE_REPOSITORY, INTERNET, PATTERN_MESSAGES, PLATFORM_DEFAULTS, QUANTITY } from './schema.js';

type Segment = string | number;
type Raw = Record<string, unknown>;

/** A problem before it has a position: the field, and whether to point at its key or its value. */
interface Problem {
  readonly path: readonly Segment[];
  readonly message: string;
  readonly at?: 'key' | 'value';
  /** Where to point, when not at `path` itself (a missing key, a defaulted value). */
  readonly locate?: readonly Segment[];
}

/** Refuses bytes that are not UTF-8, rather than reading them as U+FFFD; a BOM is dropped. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and validates a platform definition. Throws PlatformErrors listing every problem. */
export async function loadPlatform(file: string): Promise<PlatformDefinition> {
  let text: string;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new PlatformErrors([new PlatformError(`cannot read the platform definition: ${fileErrorReason(error as NodeJS.ErrnoException)}`, '', file)]);
  }
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new PlatformErrors([new PlatformError('the platform definition is not UTF-8 text (is it the right file?); save it as UTF-8 YAML', '', file)]);
  }
  return parsePlatform(text, file);
}

/**
 * Validates a platform definition from its YAML text; `file` names it in
 * messages and, resolved, becomes the definition's `file`. Throws
 * PlatformErrors listing every problem.
 */
export function parsePlatform(text: string, file: string): PlatformDefinition {
  // A definition without a problem needs no positions: read it fast (yaml-readers.ts says why both readers agree).
  const plain = readPlainYaml(text);
  if (isRecord(plain) && overExpandedPath(plain) === undefined && platformValidator(plain)) {
    const { problems, quantities } = checkDefinition(plain);
    if (problems.size === 0) return buildDefinition(plain, resolve(file), quantities);
  }
  return parseWithPositions(text, file);
}

/** yaml's own words for a second document name one of its functions; this one says what to do, at the second document's line. */
const MULTIPLE_DOCUMENTS_MESSAGE =
  'a second YAML document starts here, but the platform definition is a single document; merge them into one, or remove this --- and all that follows it';

/** parsePlatform's reading with every node's position, which its messages need (exported for the tests that compare both ways). */
export function parseWithPositions(text: string, file: string): PlatformDefinition {
  const { document, lineCounter } = readPositionedYaml(text);
  const at = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // One report per message and line: running out of stack is reported at each level it unwinds.
  const seen = new Set<string>();
  const yamlProblems = [...document.errors, ...document.warnings].filter((problem) => {
    const key = `${at(problem.pos[0]).line}\0${problem.message}`;
    return !seen.has(key) && seen.add(key) !== undefined;
  });
  if (yamlProblems.length > 0) {
    throw new PlatformErrors(
      yamlProblems.map((error) => {
        const { line, column } = at(error.pos[0]);
        if (error.code === 'MULTIPLE_DOCS') return new PlatformError(MULTIPLE_DOCUMENTS_MESSAGE, '', file, line, column);
        // yaml reports running out of stack as an error at the collection it was reading
        const message = error.message.includes('Maximum call stack size exceeded') ? 'collections nested too deeply to read' : error.message;
        return new PlatformError(`invalid YAML: ${message}`, '', file, line, column);
      }),
    );
  }
  const dangling = danglingAliases(document);
  if (dangling.length > 0) {
    throw new PlatformErrors(
      dangling.map((alias) => {
        const { line, column } = at(rangeStart(alias) ?? 0);
        const message = `invalid YAML: alias *${alias.source} names no anchor set before it; write &${alias.source} on an earlier value, or correct the name`;
        return new PlatformError(message, '', file, line, column);
      }),
    );
  }
  const data = positionedData(document);
  if (!isRecord(data)) {
    const found = data === null || data === undefined ? 'the file is empty' : `found ${describeValue(data)}`;
    throw new PlatformErrors([
      new PlatformError(`the platform definition must be a mapping with platform, manifests, clusters, teams and services; ${found}`, '', file, 1, 1),
    ]);
  }
  const overExpanded = overExpandedPath(data);
  if (overExpanded !== undefined) {
    const position = at(aliasOffsetOnPath(document, overExpanded) ?? offsetOf(document, overExpanded, 'value') ?? 0);
    throw new PlatformErrors([new PlatformError(OVER_EXPANDED_MESSAGE, formatPath(overExpanded), file, position.line, position.column)]);
  }

  const schemaProblems = platformValidator(data) ? [] : (platformValidator.errors ?? []).map((error) => translateSchemaError(error, data, text, document));
  const { problems, quantities } = checkDefinition(data, schemaProblems);

  if (problems.size > 0) {
    const errors = problems.list().map((problem) => {
      const offset = offsetOf(document, problem.locate ?? problem.path, problem.at ?? 'value');
      const position = offset === undefined ? undefined : at(offset);
      return new PlatformError(problem.message, formatPath(problem.path), file, position?.line, position?.column);
    });
    throw new PlatformErrors(sortByPosition(errors));
  }
  return buildDefinition(data, resolve(file), quantities);
}

/**
 * The problems a schema cannot find (uniqueness, references, quantities, DNS),
 * after those it found, and the quantities read.
 */
function checkDefinition(data: Raw, schemaProblems: readonly (Problem | undefined)[] = []): { problems: ProblemList; quantities: Quantities } {
  const problems = new ProblemList();
  for (const problem of schemaProblems) if (problem) problems.add(problem);
  checkClusters(data, problems);
  checkAccessEntryRoles(data, problems);
  checkTeamsAndServices(data, problems);
  checkImageAllowlist(data, problems);
  checkNetwork(data, problems);
  checkPlatformAccess(data, problems);
  checkDisruption(data, problems);
  checkArgoCdSso(data, problems);
  checkArgoCdIngress(data, problems);
  const quantities = checkQuantities(data, problems);
  return { problems, quantities };
}

/** Aliases with no anchor of their name before them (yaml reports none of them, and cannot convert such a document). */
function danglingAliases(document: Document): Alias[] {
  const dangling: Alias[] = [];
  visit(document, {
    Alias(_key, alias) {
      if (alias.resolve(document) === undefined) dangling.push(alias);
    },
  });
  return dangling;
}

/** Where the first alias on `path` is written (the use that expands), or undefined when the path has none. */
function aliasOffsetOnPath(document: Document, path: readonly Segment[]): number | undefined {
  let node: unknown = document.contents;
  for (const segment of path) {
    if (isAlias(node)) break;
    if (isMap(node)) node = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment))?.value;
    else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return isAlias(node) ? rangeStart(node) : undefined;
}

// ---------------------------------------------------------------------------
// Schema validation

/**
 * PLATFORM_SCHEMA compiled by Ajv ahead of time (`npm run schema` writes
 * platform-validator.generated.ts, see validator-source.ts): compiling it here
 * would cost about 80 ms per process.
 */
const platformValidator = generatedValidator as unknown as ValidateFunction;

function translateSchemaError(error: ErrorObject, data: Raw, text: string, document: Document): Problem | undefined {
  const path = pointerToPath(error.instancePath, data);
  const schema = (error.parentSchema ?? {}) as Raw;
  const last = path[path.length - 1];
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys((schema.properties ?? {}) as Raw);
      return { path: [...path, key], at: 'key', message: `unknown key ${JSON.stringify(shortened(key))}${didYouMean(key, allowed)}; allowed: ${allowed.join(', ')}` };
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      const property = ((schema.properties ?? {}) as Raw)[key] as Raw | undefined;
      const what =
        typeof property?.description === 'string'
          ? ` (${firstSentence(property.description)})`
          : error.schemaPath.endsWith('/else/required')
            ? `: ${HEADROOM_CHOICE}`
            : '';
      // Reported at the mapping that lacks the key.
      return { path: [...path, key], locate: path, at: 'key', message: `is required${what}` };
    }
    case 'false schema':
      // The schema's only false subschemas: cpu and memory of a headroom given as a percent.
      return { path, at: 'key', message: `cannot be combined with percent: ${HEADROOM_CHOICE}` };
    case 'if':
      return undefined; // the failing then/else branch reports what is wrong
    case 'type': {
      if (isEgressEntry(path)) return { path, message: `${EGRESS_ENTRY_WORDS}, found ${describeValue(error.data)}` };
      const types = String(error.params.type).split(',');
      const words = types.includes('string') && schema.pattern === QUANTITY ? QUANTITY_WORDS : types.map(typeWord).join(' or ');
      const hint =
        types.length === 1 && types[0] === 'string' && typeof error.data === 'number'
          ? `; quote it: "${sourceOf(document, path, text) ?? String(error.data)}"`
          : typeof error.data === 'string' && readsUnquotedAs(error.data, types)
            ? `; unquote it: ${error.data}`
            : '';
      return { path, message: `must be ${words}, found ${describeValue(error.data)}${hint}` };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      // Only a string: any other value fails `type` too, and String() throws on a mapping with a toString key.
      if (last === 'kubernetesVersion' && typeof error.data === 'string') return { path, message: kubernetesVersionMessage(error.data) };
      if (isEgressEntry(path) && typeof error.data === 'string') return { path, message: egressWordMessage(error.data) };
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : '';
      return { path, message: `must be one of ${allowed.join(', ')}; found ${describeValue(error.data)}${suggestion}` };
    }
    case 'pattern':
    case 'maxLength': {
      const pattern = String(schema.pattern ?? '');
      if (pattern === IMAGE_REPOSITORY && typeof error.data === 'string') {
        const untagged = withoutTagOrDigest(error.data);
        if (untagged !== error.data) return { path, message: tagMessage(error.data, untagged) };
      }
      const expected = PATTERN_MESSAGES[pattern];
      const tooLong = error.keyword === 'maxLength' ? ` (it has ${String(error.data).length} characters, at most ${String(schema.maxLength)} allowed)` : '';
      return { path, message: `must be ${expected ?? `a string matching ${pattern}`}${tooLong}; found ${describeValue(error.data)}` };
    }
    case 'minimum':
    case 'maximum': {
      const range = schema.maximum === undefined ? `at least ${String(schema.minimum)}` : `between ${String(schema.minimum)} and ${String(schema.maximum)}`;
      return { path, message: `must be ${range}; found ${describeValue(error.data)}` };
    }
    case 'minItems':
      return { path, at: 'key', message: `must list at least ${String(error.params.limit)} item${error.params.limit === 1 ? '' : 's'}` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'uniqueItems': {
      // Ajv names the two items i and j, in either order depending on the item type.
      const [first, second] = [Math.min(Number(error.params.i), Number(error.params.j)), Math.max(Number(error.params.i), Number(error.params.j))];
      return { path: [...path, second], message: `repeats ${describeValue((error.data as unknown[])[second])} (already item ${first}); list each once` };
    }
    default:
      return { path, message: error.message ?? `does not match the schema (${error.keyword})` };
  }
}

const EGRESS_ENTRY_WORDS = `must be "${INTERNET}" or a mapping {cidr, ports} such as {cidr: 10.0.16.0/20, ports: [443]}`;

/** True for the path of one item of a service's egress list. */
function isEgressEntry(path: readonly Segment[]): boolean {
  return path.length === 4 && path[0] === 'services' && path[2] === 'egress' && typeof path[3] === 'number';
}

/** A string egress entry other than "internet": say how to write what was probably meant. */
function egressWordMessage(value: string): string {
  const match = /^(.*\/\d+)(?::(\d+))?$/.exec(value);
  if (match) {
    const ports = match[2] === undefined ? '' : `, ports: [${match[2]}]`;
    return `${EGRESS_ENTRY_WORDS}; found ${JSON.stringify(value)}: write a CIDR as a mapping, {cidr: ${match[1]}${ports}}`;
  }
  return `${EGRESS_ENTRY_WORDS}; found ${JSON.stringify(value)}${didYouMean(value, [INTERNET])}`;
}

/** The schema's only if/then/else: headroom as units or as a percent. */
const HEADROOM_CHOICE = 'give headroom either as cpu and memory (fixed units) or as percent (a share of the quota of all services)';

function kubernetesVersionMessage(version: string): string {
  const supported = `kaji supports ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')} (EKS versions as of ${EKS_VERSIONS_CHECKED_ON})`;
  const row = eksVersion(version);
  if (row) return `Kubernetes ${version} is no longer offered by EKS (extended support ended on ${row.endOfExtendedSupport}); ${supported}`;
  // Not "EKS does not offer it": EKS may well offer a newer version than this
  // kaji knows. What kaji lacks is its pins (add-ons, charts, kubectl layer, AMI).
  return `Kubernetes "${version}" is not a version this kaji has pinned add-ons, charts, a kubectl layer and an AMI for; ${supported}`;
}

// ---------------------------------------------------------------------------
// Checks beyond the schema. Each looks only at values of the right type, so
// that a field the schema already rejected is not reported twice.

function checkClusters(data: Raw, problems: ProblemList): void {
  const clusters = records(data.clusters);
  reportDuplicates(clusters, 'clusters', 'name', 'cluster', problems);
  for (const { value: cluster, index } of clusters) {
    if (cluster.name !== SHARED_STACK_PART) continue;
    problems.add({
      path: ['clusters', index, 'name'],
      message: `"${SHARED_STACK_PART}" names the shared stack (<platform>-${SHARED_STACK_PART}: VPC, DNS zone, ECR), so a cluster's stack cannot take it; name the cluster otherwise, e.g. blue`,
    });
  }
  const weights = clusters.map(({ value }) => value.weight);
  if (clusters.length > 0 && weights.every((weight) => weight === 0)) {
    problems.add({
      path: ['clusters'],
      at: 'key',
      message: 'every cluster has weight 0: Route 53 would then split traffic evenly; give at least one cluster a weight above 0',
    });
  }
  checkRetiring(clusters, problems);
}

/**
 * A retiring cluster's services are being pruned (kaji synth writes no
 * Application for them), so it must serve nothing: weight 0, and some other
 * cluster left to serve.
 */
function checkRetiring(clusters: readonly IndexedRecord[], problems: ProblemList): void {
  const retiring = clusters.filter(({ value }) => value.retiring === true);
  for (const { value: cluster, index } of retiring) {
    if (typeof cluster.weight !== 'number' || cluster.weight === 0) continue;
    problems.add({
      path: ['clusters', index, 'weight'],
      message: `must be 0 while the cluster is retiring (its services are being pruned), not ${cluster.weight}: give its weight to another cluster, or remove retiring: true`,
    });
  }
  if (clusters.length > 0 && retiring.length === clusters.length) {
    const last = retiring.at(-1)!;
    problems.add({
      path: ['clusters', last.index, 'retiring'],
      message: 'every cluster is retiring: nothing would run the services; keep at least one cluster that is not retiring',
    });
  }
}

/** One IAM role, one EKS access entry per cluster: a platform admin role cannot also be a team's identity, nor one role two teams'; each in the platform's partition. */
function checkAccessEntryRoles(data: Raw, problems: ProblemList): void {
  const seen = new Map<string, string>();
  const admins = isRecord(data.platform) && Array.isArray(data.platform.adminRoles) ? data.platform.adminRoles : [];
  // A role listed twice in adminRoles is the schema's to report (uniqueItems).
  const region = isRecord(data.platform) && typeof data.platform.region === 'string' ? data.platform.region : undefined;
  const checkPartition = (arn: string, path: Segment[]) => {
    const problem = region === undefined ? undefined : arnPartitionProblem(arn, region, 'role');
    if (problem !== undefined) problems.add({ path, message: problem });
  };
  for (const [index, arn] of admins.entries()) {
    if (typeof arn !== 'string') continue;
    checkPartition(arn, ['platform', 'adminRoles', index]);
    if (!seen.has(arn)) seen.set(arn, formatPath(['platform', 'adminRoles', index]));
  }
  for (const { value: team, index } of records(data.teams)) {
    if (typeof team.identity !== 'string') continue;
    checkPartition(team.identity, ['teams', index, 'identity']);
    const first = seen.get(team.identity);
    if (first === undefined) seen.set(team.identity, formatPath(['teams', index, 'identity']));
    else problems.add({ path: ['teams', index, 'identity'], message: `${team.identity} is already ${first}: one IAM role has one access entry per cluster, so give each team and the platform admins roles of their own` });
  }
}

function checkTeamsAndServices(data: Raw, problems: ProblemList): void {
  const teams = records(data.teams);
  reportDuplicates(teams, 'teams', 'name', 'team', problems);
  const teamNames = teams.map(({ value }) => value.name).filter((name): name is string => typeof name === 'string');
  const listedTeams = wellFormedNames(teamNames);
  const services = records(data.services);
  reportDuplicates(services, 'services', 'name', 'service', problems);
  const serviceNames = [...new Set(services.map(({ value }) => value.name).filter((name): name is string => typeof name === 'string'))];

  const namespaces = new Map<string, { service: string; index: number }>();
  const hosts = new Map<string, { service: string; index: number }>();
  const domain = isRecord(data.platform) && typeof data.platform.domain === 'string' ? data.platform.domain : undefined;
  // Each cluster's argocd.<cluster>.<domain>: a service there would take Argo CD's DNS record and its sign-in callback.
  const argoCdHosts = new Map<string, string>();
  for (const { value: cluster } of records(data.clusters)) {
    if (domain !== undefined && typeof cluster.name === 'string') argoCdHosts.set(argoCdHost({ platform: { domain } }, { name: cluster.name }), cluster.name);
  }
  for (const { value: service, index } of services) {
    const name = typeof service.name === 'string' ? service.name : `#${index}`;
    if (typeof service.team === 'string' && Array.isArray(data.teams) && !teamNames.includes(service.team)) {
      problems.add({
        path: ['services', index, 'team'],
        message: `team ${describeValue(service.team)} is not defined${didYouMean(service.team, listedTeams)}; add it under teams${listedTeams.length > 0 ? ` (defined: ${listedTeams.join(', ')})` : ''}`,
      });
    }
    if ((RESERVED_SERVICE_NAMES as readonly string[]).includes(name)) {
      problems.add({
        path: ['services', index, 'name'],
        message: `service name "${name}" is taken by kaji or Argo CD (${RESERVED_SERVICE_NAMES.join(', ')}); choose another name`,
      });
    }
    checkNamespace(service, index, name, namespaces, problems);
    checkAllowFrom(service, index, serviceNames, problems);
    checkEgress(service, index, problems);
    if (Array.isArray(service.hosts)) {
      service.hosts.forEach((host, hostIndex) => {
        if (typeof host !== 'string') return;
        const path = ['services', index, 'hosts', hostIndex];
        if (domain !== undefined && host !== domain && !host.endsWith(`.${domain}`)) {
          problems.add({ path, message: `host "${host}" is not under the platform domain ${domain}; use a name ending in ".${domain}"` });
        }
        const argoCdOf = argoCdHosts.get(host);
        if (argoCdOf !== undefined) {
          problems.add({ path, message: `host "${host}" is where cluster ${argoCdOf}'s Argo CD is served (the URL its sign-in returns to); choose another name` });
        }
        const owner = hosts.get(host);
        if (owner && owner.index !== index) {
          problems.add({ path, message: `host "${host}" is already claimed by service "${owner.service}" (services[${owner.index}]); a host routes to one service only` });
        } else if (!owner) {
          hosts.set(host, { service: name, index });
        }
      });
    }
  }
}

function checkNamespace(
  service: Raw,
  index: number,
  name: string,
  namespaces: Map<string, { service: string; index: number }>,
  problems: ProblemList,
): void {
  const explicit = typeof service.namespace === 'string';
  const namespace = explicit ? (service.namespace as string) : typeof service.name === 'string' ? service.name : undefined;
  if (namespace === undefined || (service.namespace !== undefined && !explicit)) return;
  // A defaulted namespace is reported at the service's name, where it comes from.
  const path: Segment[] = ['services', index, 'namespace'];
  const where = explicit ? {} : { at: 'value' as const, locate: ['services', index, 'name'] };
  const origin = explicit ? '' : ' (the service name; set namespace to choose another)';
  if ((RESERVED_NAMESPACES as readonly string[]).includes(namespace) || namespace.startsWith('kube-')) {
    problems.add({
      path,
      ...where,
      message: `namespace "${namespace}"${origin} is reserved for the system; tenants may not use ${RESERVED_NAMESPACES.join(', ')} or any name starting with "kube-"`,
    });
    return;
  }
  const owner = namespaces.get(namespace);
  if (owner) {
    problems.add({
      path,
      ...where,
      message: `namespace "${namespace}"${origin} is already used by service "${owner.service}" (services[${owner.index}]); each service needs its own namespace`,
    });
  } else {
    namespaces.set(namespace, { service: name, index });
  }
}

function checkAllowFrom(service: Raw, index: number, serviceNames: readonly string[], problems: ProblemList): void {
  if (!Array.isArray(service.allowFrom)) return;
  service.allowFrom.forEach((caller, callerIndex) => {
    if (typeof caller !== 'string') return;
    const path = ['services', index, 'allowFrom', callerIndex];
    if (caller === service.name) {
      problems.add({ path, message: `"${caller}" is this service: its own pods always reach each other (kaji-allow-same-namespace); remove it` });
    } else if (!serviceNames.includes(caller)) {
      problems.add({ path, message: `service "${caller}" is not defined${didYouMean(caller, serviceNames)}; allowFrom names services listed under services` });
    }
  });
}

function checkEgress(service: Raw, index: number, problems: ProblemList): void {
  if (!Array.isArray(service.egress)) return;
  service.egress.forEach((entry, entryIndex) => {
    if (isRecord(entry) && typeof entry.cidr === 'string') checkCidr(['services', index, 'egress', entryIndex, 'cidr'], entry.cidr, problems);
  });
}

function checkNetwork(data: Raw, problems: ProblemList): void {
  const network = isRecord(data.network) ? data.network : {};
  const vpcText = network.vpcCidr ?? PLATFORM_DEFAULTS.vpcCidr;
  const vpc = typeof vpcText === 'string' ? parseVpcCidr(vpcText) : undefined;
  if (vpc?.ok === false) problems.add({ path: ['network', 'vpcCidr'], message: vpc.problem });
  // Items that are no string are the schema's to report.
  const given = network.loadBalancerCidrs;
  if (vpc?.ok && (given === undefined || (Array.isArray(given) && given.every((item) => typeof item === 'string')))) {
    checkSubnetPlan(vpcText as string, (given as string[] | undefined) ?? defaultLoadBalancerCidrs(vpc.cidr), problems);
  }
  checkAvailabilityZones(data, network, problems);
}

/** platform.yaml's side of the fields the subnet plan names: the endpoint, data and node subnets are at their default places. */
const SUBNET_PLAN_FIELDS: SubnetPlanInput['fields'] = {
  vpc: 'network.vpcCidr',
  public: 'network.loadBalancerCidrs',
  endpoints: 'network.vpcCidr',
  data: 'network.vpcCidr',
  nodes: 'network.vpcCidr',
};

/** The shared stack's subnet plan (subnet-plan.ts) of the load balancer blocks in the VPC, its problems at their fields. */
function checkSubnetPlan(vpcCidr: string, loadBalancerCidrs: readonly string[], problems: ProblemList): void {
  const planned = planSubnets({ vpcCidr, groups: { public: loadBalancerCidrs, endpoints: undefined, data: undefined, nodes: undefined }, fields: SUBNET_PLAN_FIELDS });
  if (planned.ok) return;
  for (const { field, index, message } of planned.problems) {
    // The other groups are at kaji's places in the VPC: only the VPC CIDR moves them.
    const path: Segment[] = field === 'public' ? ['network', 'loadBalancerCidrs'] : ['network', 'vpcCidr'];
    problems.add({ path: index === undefined ? path : [...path, index], message });
  }
}

/** The zones the VPC spans: three of platform.region, named where the region's cannot be known offline. */
function checkAvailabilityZones(data: Raw, network: Raw, problems: ProblemList): void {
  const region = isRecord(data.platform) ? data.platform.region : undefined;
  const zones = network.availabilityZones;
  if (typeof region !== 'string' || !AWS_REGION_SHAPE.test(region)) return;
  // Repeats and malformed names are the schema's to report.
  if (zones !== undefined && !(Array.isArray(zones) && zones.every((zone) => typeof zone === 'string' && ZONE_SHAPE.test(zone)) && new Set(zones).size === zones.length)) return;
  const problem = availabilityZonesProblem(region, zones as string[] | undefined);
  if (problem === undefined) return;
  const path: Segment[] = ['network', 'availabilityZones', ...(problem.index === undefined ? [] : [problem.index])];
  // A missing list is needed because of the region: point there.
  problems.add(zones === undefined ? { path, locate: ['platform', 'region'], message: problem.message } : { path, message: problem.message });
}

const AWS_REGION_SHAPE = new RegExp(AWS_REGION);
const ZONE_SHAPE = new RegExp(AVAILABILITY_ZONE);

/** What the schema cannot say of the platform's API endpoint networks and its GitHub OIDC provider. */
function checkPlatformAccess(data: Raw, problems: ProblemList): void {
  const platform = isRecord(data.platform) ? data.platform : {};
  if (Array.isArray(platform.apiEndpointCidrs)) {
    platform.apiEndpointCidrs.forEach((cidr, index) => {
      const problem = typeof cidr === 'string' ? apiEndpointCidrProblem(cidr) : undefined;
      if (problem !== undefined) problems.add({ path: ['platform', 'apiEndpointCidrs', index], message: problem });
    });
  }
  const arn = platform.githubOidcProviderArn;
  const account = typeof arn === 'string' ? /^arn:[^:]+:iam::(\d{12}):oidc-provider\//.exec(arn)?.[1] : undefined;
  const partitionProblem = account !== undefined && typeof platform.region === 'string' ? arnPartitionProblem(arn as string, platform.region) : undefined;
  if (partitionProblem !== undefined) problems.add({ path: ['platform', 'githubOidcProviderArn'], message: partitionProblem });
  if (account !== undefined && typeof platform.account === 'string' && account !== platform.account) {
    problems.add({
      path: ['platform', 'githubOidcProviderArn'],
      message: `is in account ${account}, but the CI roles that trust it are in platform.account ${platform.account}, and a role trusts an OIDC provider of its own account only; name that account's provider, or leave it out for the shared stack to create one`,
    });
  }
}

const CRON_SHAPE = new RegExp(CRON_SCHEDULE);

/** What the schema cannot say of a node's lifetime and the disruption budgets. */
function checkDisruption(data: Raw, problems: ProblemList): void {
  const capacity = isRecord(data.capacity) ? data.capacity : {};
  if (typeof capacity.expireAfter === 'string' && /^(0+[smh])+$/.test(capacity.expireAfter)) {
    problems.add({
      path: ['capacity', 'expireAfter'],
      message: `is ${capacity.expireAfter}: every node would be replaced as soon as it started; write a lifetime such as 720h, or Never to keep nodes until they are consolidated`,
    });
  }
  const budgets = isRecord(capacity.disruption) ? capacity.disruption.budgets : undefined;
  for (const { value: budget, index } of records(budgets)) {
    // Karpenter refuses one without the other: a schedule says when a budget starts, the duration how long it lasts.
    const [present, missing] = budget.schedule !== undefined ? ['schedule', 'duration'] : ['duration', 'schedule'];
    if (budget[present] !== undefined && budget[missing] === undefined) {
      problems.add({
        path: ['capacity', 'disruption', 'budgets', index, present],
        at: 'key',
        message: `needs ${missing} too: a scheduled budget starts at each schedule (cron, UTC) and lasts its duration, such as {nodes: "0", schedule: "0 9 * * mon-fri", duration: 8h}; give both, or neither for a budget that always holds`,
      });
    }
    // The schema checks the shape (five fields or a macro); this, what each field says.
    const schedule = budget.schedule;
    const wrong = typeof schedule === 'string' && CRON_SHAPE.test(schedule) ? cronScheduleProblem(schedule) : undefined;
    if (wrong !== undefined) problems.add({ path: ['capacity', 'disruption', 'budgets', index, 'schedule'], message: wrong });
  }
}

/** What the schema cannot say of Argo CD's ALB: who may reach one on the internet, in CIDRs the ALB takes, and a host its certificate can name. */
function checkArgoCdIngress(data: Raw, problems: ProblemList): void {
  const ingress = isRecord(data.argocd) && isRecord(data.argocd.ingress) ? data.argocd.ingress : undefined;
  if (ingress === undefined) return;
  checkArgoCdHostLengths(data, problems);
  if (ingress.scheme === 'internet-facing' && ingress.allowedCidrs === undefined) {
    problems.add({
      path: ['argocd', 'ingress', 'scheme'],
      message:
        'is internet-facing but allowedCidrs is missing: name the networks that may reach Argo CD, such as allowedCidrs: ["203.0.113.0/24"] (an office or VPN egress), or use scheme: internal to reach it from the VPC only',
    });
  }
  if (!Array.isArray(ingress.allowedCidrs)) return;
  ingress.allowedCidrs.forEach((cidr, index) => {
    if (typeof cidr !== 'string') return;
    const path = ['argocd', 'ingress', 'allowedCidrs', index];
    const parsed = parseCidr(cidr, `an IPv4 CIDR such as ${IPV4_CIDR_EXAMPLE}`);
    // The ALB kaji makes has IPv4 addresses only; the controller refuses IPv6 inbound CIDRs on it. An IPv6 address without its prefix is IPv6 too.
    if (parsed.ok ? parsed.cidr.family === 6 : isIPv6(cidr.split('/')[0] ?? '')) {
      problems.add({ path, message: `${JSON.stringify(cidr)} is IPv6: Argo CD's ALB has IPv4 addresses only; write IPv4 CIDRs such as ${IPV4_CIDR_EXAMPLE}` });
    } else if (!parsed.ok) {
      problems.add({ path, message: parsed.problem });
    }
  });
}

const IPV4_CIDR_EXAMPLE = '203.0.113.0/24';

/** ACM takes at most 64 characters for a certificate's domain name, the Argo CD host with argocd.ingress; CDK's own error would name neither setting nor cluster. */
const CERTIFICATE_DOMAIN_LIMIT = 64;

function checkArgoCdHostLengths(data: Raw, problems: ProblemList): void {
  const domain = isRecord(data.platform) && typeof data.platform.domain === 'string' ? data.platform.domain : undefined;
  if (domain === undefined) return;
  for (const { value: cluster, index } of records(data.clusters)) {
    if (typeof cluster.name !== 'string') continue;
    const host = argoCdHost({ platform: { domain } }, { name: cluster.name });
    if (host.length <= CERTIFICATE_DOMAIN_LIMIT) continue;
    problems.add({
      path: ['clusters', index, 'name'],
      message: `Argo CD's host ${host} is ${host.length} characters, but the ACM certificate of argocd.ingress takes at most ${CERTIFICATE_DOMAIN_LIMIT} for its domain name; shorten the cluster name (or platform.domain)`,
    });
  }
}

/** What the schema cannot say of Argo CD's sign-in: the teams it maps exist, and the scopes make it OpenID Connect. */
function checkArgoCdSso(data: Raw, problems: ProblemList): void {
  const sso = isRecord(data.argocd) && isRecord(data.argocd.sso) ? data.argocd.sso : undefined;
  if (sso === undefined) return;
  if (Array.isArray(sso.scopes) && sso.scopes.every((scope) => typeof scope === 'string') && !sso.scopes.includes('openid')) {
    problems.add({
      path: ['argocd', 'sso', 'scopes'],
      message: 'must include openid: without it the provider answers with no ID token, and Argo CD signs no one in; add openid to the list',
    });
  }
  if (!isRecord(sso.teamGroups) || !Array.isArray(data.teams)) return;
  const teamNames = records(data.teams)
    .map(({ value }) => value.name)
    .filter((name): name is string => typeof name === 'string');
  const listedTeams = wellFormedNames(teamNames);
  for (const team of Object.keys(sso.teamGroups)) {
    if (teamNames.includes(team)) continue;
    problems.add({
      path: ['argocd', 'sso', 'teamGroups', team],
      at: 'key',
      message: `team ${describeValue(team)} is not defined${didYouMean(team, listedTeams)}; teamGroups maps teams listed under teams${listedTeams.length > 0 ? ` (defined: ${listedTeams.join(', ')})` : ''}`,
    });
  }
}

/** Names as messages list or suggest them: a malformed one is refused at its own field, quoted, and would print here raw. */
function wellFormedNames(names: readonly string[]): string[] {
  return names.filter((name) => WELL_FORMED_NAME.test(name));
}

const WELL_FORMED_NAME = new RegExp(DNS_LABEL);

function checkCidr(path: Segment[], text: string, problems: ProblemList): void {
  const parsed = parseCidr(text);
  if (!parsed.ok) problems.add({ path, message: parsed.problem });
}

function checkImageAllowlist(data: Raw, problems: ProblemList): void {
  if (!Array.isArray(data.imageAllowlist)) return;
  data.imageAllowlist.forEach((entry, index) => {
    if (typeof entry !== 'string') return;
    const untagged = withoutTagOrDigest(entry);
    if (untagged !== entry) problems.add({ path: ['imageAllowlist', index], message: tagMessage(entry, untagged) });
  });
}

/** Canonical quantity strings by field path, for the definition. */
type Quantities = Map<string, string>;

function checkQuantities(data: Raw, problems: ProblemList): Quantities {
  const found: Quantities = new Map();
  const read = (path: Segment[], value: unknown, positive: boolean): Quantity | undefined => {
    if (value === undefined || (typeof value !== 'string' && typeof value !== 'number')) return undefined;
    const parsed = parseQuantityValue(value);
    if (!parsed) {
      // The schema's pattern already reports most malformed texts; this catches the rest.
      problems.add({ path, message: `must be ${PATTERN_MESSAGES[QUANTITY]}; found ${describeValue(value)}` });
      return undefined;
    }
    if (parsed.mantissa < 0n) return undefined; // reported by the schema
    if (positive && parsed.mantissa === 0n) {
      problems.add({ path, message: 'must be above 0' });
      return undefined;
    }
    const resource = path[path.length - 1] as keyof typeof COUNTED_IN;
    if (exceedsInt64(parsed, COUNTED_IN[resource].scale)) {
      problems.add({ path, message: `${describeValue(value)} is more ${COUNTED_IN[resource].noun} than Kubernetes can count: ${COUNTED_IN[resource].words}; write the amount meant, such as ${COUNTED_IN[resource].example}` });
      return undefined;
    }
    found.set(formatPath(path), canonicalQuantity(parsed));
    return parsed;
  };

  const capacity = isRecord(data.capacity) ? data.capacity : {};
  const headroom = isRecord(capacity.headroom) ? capacity.headroom : undefined;
  const headroomUnits = {
    cpu: headroom ? read(['capacity', 'headroom', 'cpu'], headroom.cpu, false) : undefined,
    memory: headroom ? read(['capacity', 'headroom', 'memory'], headroom.memory, false) : undefined,
  };
  const nodePoolLimits = isRecord(capacity.limits) ? capacity.limits : {};
  const nodePoolLimit = (resource: 'cpu' | 'memory'): Quantity | undefined =>
    nodePoolLimits[resource] === undefined
      ? parseQuantity(PLATFORM_DEFAULTS.nodePoolLimits[resource])
      : read(['capacity', 'limits', resource], nodePoolLimits[resource], true);
  const limitValues = { cpu: nodePoolLimit('cpu'), memory: nodePoolLimit('memory') };
  const quotaTotals = { cpu: 0n, memory: 0n };

  for (const { value: service, index } of records(data.services)) {
    const base: Segment[] = ['services', index];
    const quota = isRecord(service.quota) ? service.quota : {};
    const defaults = isRecord(service.defaults) ? service.defaults : {};
    const requests = isRecord(defaults.requests) ? defaults.requests : {};
    const limits = isRecord(defaults.limits) ? defaults.limits : {};
    const storage = quota.storage === undefined ? parseQuantity(PLATFORM_DEFAULTS.storage) : read([...base, 'quota', 'storage'], quota.storage, false);
    if (storage) checkClaims(base, quota, storage, problems);
    for (const resource of ['cpu', 'memory'] as const) {
      const quotaPath = [...base, 'quota', resource];
      const requestPath = [...base, 'defaults', 'requests', resource];
      const limitPath = [...base, 'defaults', 'limits', resource];
      const quotaValue = read(quotaPath, quota[resource], true);
      if (quotaValue) quotaTotals[resource] += ceilToScale(quotaValue, COUNTED_IN[resource].scale);
      const request = requests[resource] === undefined ? parseQuantity(PLATFORM_DEFAULTS.requests[resource]) : read(requestPath, requests[resource], true);
      const limit = limits[resource] === undefined ? parseQuantity(PLATFORM_DEFAULTS.limits[resource]) : read(limitPath, limits[resource], true);
      const written = (path: Segment[], value: Quantity): string => `${canonicalQuantity(value)}${requestOrLimitIsDefault(path, requests, limits) ? ` (kaji's default; set ${formatPath(path.slice(2))})` : ''}`;
      if (request && limit && compareQuantities(request, limit) > 0) {
        const explicitRequest = requests[resource] !== undefined;
        problems.add({
          path: explicitRequest ? requestPath : limitPath,
          message: `the default ${resource} request ${written(requestPath, request)} is above the default ${resource} limit ${written(limitPath, limit)}; a request may not exceed its limit`,
        });
      } else if (quotaValue) {
        // The ResourceQuota bounds requests.cpu, requests.memory and
        // limits.memory (no limits.cpu: see derive/tenant.ts), so a single
        // container's defaults must fit: the cpu request, and the memory
        // limit (which is at least the memory request, checked above).
        const [kind, value, path, explicit] =
          resource === 'cpu'
            ? (['request', request, requestPath, requests.cpu !== undefined] as const)
            : (['limit', limit, limitPath, limits.memory !== undefined] as const);
        if (value && compareQuantities(value, quotaValue) > 0) {
          problems.add({
            path: explicit ? path : quotaPath,
            message: `the default ${resource} ${kind} ${written(path, value)} is above the ${resource} quota ${canonicalQuantity(quotaValue)}: a single container would exceed the namespace's quota; raise the quota or lower the default`,
          });
        }
      }
    }
  }
  checkHeadroomFits(headroom, headroomUnits, quotaTotals, limitValues, nodePoolLimits, problems);
  return found;
}

/**
 * Headroom the NodePool's limits cannot hold is refused: Karpenter stops
 * launching at the limits, so placeholders beyond them would stay Pending for
 * ever. The headroom is the placeholders' requests and the limits count the
 * nodes' whole capacity, so only a headroom plainly above them is certain to
 * be wrong; one just under them still leaves tenants little room. What the
 * placeholders hold is checked too: lopsided headroom (250 cpu, 1Gi) takes a
 * placeholder per cpu, each holding 32Mi at least, so more memory than asked.
 */
function checkHeadroomFits(
  headroom: Raw | undefined,
  units: Record<'cpu' | 'memory', Quantity | undefined>,
  quotaTotals: Record<'cpu' | 'memory', bigint>,
  limits: Record<'cpu' | 'memory', Quantity | undefined>,
  limitsWritten: Raw,
  problems: ProblemList,
): void {
  // No headroom written is kaji's default share.
  const percent = headroom === undefined ? PLATFORM_DEFAULTS.headroomPercent : headroom.percent;
  const share = typeof percent === 'number' && percent >= 0 && percent <= 100 ? percent : undefined;
  const byUnits = headroom !== undefined && headroom.percent === undefined;
  // What the placeholders will ask for, rounded as they round it.
  const asked = (resource: 'cpu' | 'memory'): bigint | undefined => {
    const unit = units[resource];
    if (byUnits) return unit ? ceilToScale(unit, COUNTED_IN[resource].scale) : undefined;
    return share === undefined ? undefined : headroomShare(resource, quotaTotals[resource], share);
  };
  const [cpu, memory] = [asked('cpu'), asked('memory')];
  const split = cpu !== undefined && memory !== undefined && cpu > 0n && memory > 0n ? headroomSplit(cpu, memory) : undefined;
  for (const resource of ['cpu', 'memory'] as const) {
    const limit = limits[resource];
    const amount = resource === 'cpu' ? cpu : memory;
    if (!limit || amount === undefined) continue;
    const ceiling = ceilToScale(limit, COUNTED_IN[resource].scale);
    const limitText = `${canonicalQuantity(limit)} (capacity.limits.${resource}${limitsWritten[resource] === undefined ? ", kaji's default" : ''})`;
    const why = `Karpenter launches no node past its limits, so the placeholders could never all run; lower the headroom, or raise capacity.limits.${resource}`;
    const where = byUnits
      ? { path: ['capacity', 'headroom', resource] }
      : { path: ['capacity', 'headroom', 'percent'], ...(headroom === undefined ? { locate: ['capacity'] } : {}) };
    const written = byUnits ? canonicalQuantity(units[resource]!) : `${String(percent)} %${headroom === undefined ? " (kaji's default headroom)" : ''} of the services' ${resource} quotas comes to ${amountText(resource, amount)},`;
    const held = split === undefined ? undefined : resource === 'cpu' ? split.heldCpuMilli : split.heldMemory;
    if (amount > ceiling) {
      problems.add({ ...where, message: `${written} ${byUnits ? 'is ' : ''}above the NodePool's ${resource} limit ${limitText}: ${why}` });
    } else if (held !== undefined && held > ceiling) {
      const pods = `${split!.replicas} placeholder pods of ${amountText('cpu', split!.podCpuMilli)} cpu and ${amountText('memory', split!.podMemory)} memory (a placeholder holds at most 1 cpu and 4Gi, and at least 32Mi)`;
      problems.add({ ...where, message: `${byUnits ? `${written} asked,` : written} the headroom takes ${pods}, which hold ${amountText(resource, held)} of ${resource}, above the NodePool's ${resource} limit ${limitText}: ${why}` });
    }
  }
}

/** An amount in millicores (cpu) or bytes (memory) as a quantity: memory with a binary suffix when it is whole Ki. */
function amountText(resource: 'cpu' | 'memory', amount: bigint): string {
  return canonicalQuantity({ mantissa: amount, exponent: COUNTED_IN[resource].scale, format: resource === 'memory' && amount % 1024n === 0n ? 'BinarySI' : 'DecimalSI' });
}

/**
 * Claims and storage go together: a claim must request some storage (the API
 * server refuses one asking for 0), so claims with no storage could never be
 * created, and storage with no claims could never be used. Either is a
 * platform.yaml that says two things at once, refused like a request above
 * its limit.
 */
function checkClaims(base: Segment[], quota: Raw, storage: Quantity, problems: ProblemList): void {
  const claims = quota.persistentVolumeClaims;
  if (typeof claims !== 'number' || !Number.isInteger(claims) || claims < 0) return; // absent (defaulted), or reported by the schema
  const path = [...base, 'quota', 'persistentVolumeClaims'];
  const noStorage = storage.mantissa === 0n;
  if (claims > 0 && noStorage) {
    const written = quota.storage === undefined ? "0 (kaji's default)" : '0';
    problems.add({
      path,
      message: `allows ${claims} claim${claims === 1 ? '' : 's'} but the storage quota is ${written}: each claim must request some storage, so none could be created; set storage to the total the claims need, such as "20Gi", or persistentVolumeClaims to 0`,
    });
  } else if (claims === 0 && !noStorage) {
    problems.add({
      path,
      message: `is 0 but the storage quota is ${canonicalQuantity(storage)}: no claim could use that storage; allow the claims the service makes (leave persistentVolumeClaims out for as many as pods), or set storage to 0`,
    });
  }
}

/**
 * The most of each resource kaji writes: what Kubernetes' 64-bit views of a
 * quantity hold (the scheduler and kubelet count CPU in millicores, memory in
 * bytes). The API server would take more, but caps a binary value ("10Ei")
 * at 2^63-1 and keeps a decimal one ("1e999999") as a big number that every
 * quota evaluation rescales, at a cost growing with its exponent.
 */
const COUNTED_IN = {
  cpu: { noun: 'CPU', scale: -3, words: 'at most 9223372036854775807m (about 9.2e15 cores), as it counts CPU in millicores in 64 bits', example: '"64"' },
  memory: { noun: 'memory', scale: 0, words: 'at most 9223372036854775807 bytes (just under 8Ei), as it counts memory in bytes in 64 bits', example: '"256Gi"' },
  storage: { noun: 'storage', scale: 0, words: 'at most 9223372036854775807 bytes (just under 8Ei), as it counts storage in bytes in 64 bits', example: '"500Gi"' },
} as const;

function requestOrLimitIsDefault(path: readonly Segment[], requests: Raw, limits: Raw): boolean {
  const [kind, resource] = path.slice(-2) as [string, string];
  return (kind === 'requests' ? requests : limits)[resource] === undefined;
}

function parseQuantityValue(value: string | number): Quantity | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? parseQuantity(String(value)) : undefined;
  return parseQuantity(value);
}

function reportDuplicates(items: readonly IndexedRecord[], list: string, key: string, what: string, problems: ProblemList): void {
  const seen = new Map<string, number>();
  for (const { value, index } of items) {
    const name = value[key];
    if (typeof name !== 'string') continue;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else problems.add({ path: [list, index, key], message: `${what} "${name}" is already defined (${list}[${first}]); ${what} names must be unique` });
  }
}

/** The repository of an image reference: without ":tag" (after the last "/") or "@digest". */
function withoutTagOrDigest(image: string): string {
  const atDigest = image.indexOf('@');
  const withoutDigest = atDigest === -1 ? image : image.slice(0, atDigest);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', slash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

function tagMessage(image: string, repository: string): string {
  const what = image.includes('@') ? 'a digest' : 'a tag';
  return `"${image}" has ${what}: give the repository only ("${repository}"); the tag is pinned in each overlay's kustomization.yaml images:`;
}

// ---------------------------------------------------------------------------
// The definition, with defaults filled

function buildDefinition(data: Raw, file: string, quantities: Quantities): PlatformDefinition {
  const D = PLATFORM_DEFAULTS;
  const platform = data.platform as Raw;
  const manifests = data.manifests as Raw;
  const capacity = (data.capacity ?? {}) as Raw;
  const webhook = (data.webhook ?? {}) as Raw;
  const sso = (data.argocd as Raw | undefined)?.sso as Raw | undefined;
  const argoCdIngress = (data.argocd as Raw | undefined)?.ingress as Raw | undefined;
  // None written and an empty list alike: the team roles as without the key.
  const teamActions = ((data.argocd as Raw | undefined)?.teamActions as ArgoCdTeamAction[] | undefined) ?? [];
  const quantity = (path: Segment[]): string => quantities.get(formatPath(path)) as string;
  const capacityLimits = (capacity.limits ?? {}) as Raw;
  const headroomRaw = capacity.headroom as Raw | undefined;
  const image = (headroomRaw?.image as string | undefined) ?? D.headroomImage;
  let headroom: Headroom = { kind: 'percent', percent: D.headroomPercent, image };
  if (headroomRaw && headroomRaw.percent !== undefined) headroom = { kind: 'percent', percent: headroomRaw.percent as number, image };
  else if (headroomRaw) headroom = { kind: 'units', cpu: quantity(['capacity', 'headroom', 'cpu']), memory: quantity(['capacity', 'headroom', 'memory']), image };

  return {
    file,
    platform: {
      name: platform.name as string,
      region: platform.region as string,
      account: platform.account as string,
      domain: platform.domain as string,
      adminRoles: [...((platform.adminRoles as string[] | undefined) ?? [])],
      apiEndpointCidrs: [...((platform.apiEndpointCidrs as string[] | undefined) ?? [])],
      ...(platform.githubOidcProviderArn === undefined ? {} : { githubOidcProviderArn: platform.githubOidcProviderArn as string }),
      ...(platform.hostedZoneId === undefined ? {} : { hostedZoneId: platform.hostedZoneId as string }),
    },
    manifests: {
      url: manifests.url as string,
      branch: (manifests.branch as string | undefined) ?? D.branch,
      path: (manifests.path as string | undefined) ?? D.path,
      localPath: (manifests.localPath as string | undefined) ?? D.localPath,
    },
    clusters: (data.clusters as Raw[]).map((cluster) => ({
      name: cluster.name as string,
      kubernetesVersion: cluster.kubernetesVersion as string,
      weight: cluster.weight as number,
      retiring: (cluster.retiring as boolean | undefined) ?? false,
    })),
    capacity: {
      capacityTypes: (capacity.capacityTypes as CapacityType[] | undefined) ?? [...D.capacityTypes],
      instanceCategories: (capacity.instanceCategories as string[] | undefined) ?? [...D.instanceCategories],
      instanceFamilies: (capacity.instanceFamilies as string[] | undefined) ?? [...D.instanceFamilies],
      architectures: (capacity.architectures as Architecture[] | undefined) ?? [...D.architectures],
      headroom,
      limits: {
        cpu: capacityLimits.cpu === undefined ? D.nodePoolLimits.cpu : quantity(['capacity', 'limits', 'cpu']),
        memory: capacityLimits.memory === undefined ? D.nodePoolLimits.memory : quantity(['capacity', 'limits', 'memory']),
      },
      expireAfter: (capacity.expireAfter as string | undefined) ?? D.expireAfter,
      disruption: buildDisruption((capacity.disruption ?? {}) as Raw),
    },
    network: buildNetwork((data.network ?? {}) as Raw, platform.region as string),
    policy: (data.policy as string | undefined) ?? D.policy,
    imageAllowlist: (data.imageAllowlist as string[] | undefined) ?? [...D.imageAllowlist],
    webhook: {
      enabled: (webhook.enabled as boolean | undefined) ?? D.webhookEnabled,
      failurePolicy: (webhook.failurePolicy as WebhookFailurePolicy | undefined) ?? D.failurePolicy,
      timeoutSeconds: (webhook.timeoutSeconds as number | undefined) ?? D.timeoutSeconds,
      image: (webhook.image as string | undefined) ?? defaultWebhookImage(platform.account as string, platform.region as string),
    },
    teams: (data.teams as Raw[]).map((team) => ({ name: team.name as string, identity: team.identity as string })),
    services: (data.services as Raw[]).map((service, index) => buildService(service, index, quantity)),
    ...(sso === undefined && argoCdIngress === undefined && teamActions.length === 0
      ? {}
      : {
          argocd: {
            ...(sso === undefined ? {} : { sso: buildSso(sso, platform.name as string) }),
            ...(argoCdIngress === undefined ? {} : { ingress: buildArgoCdIngress(argoCdIngress) }),
            ...(teamActions.length === 0 ? {} : { teamActions: [...teamActions] }),
          },
        }),
  };
}

function buildNetwork(network: Raw, region: string): NetworkDefinition {
  const D = PLATFORM_DEFAULTS;
  const vpcCidr = (network.vpcCidr as string | undefined) ?? D.vpcCidr;
  const vpc = parseVpcCidr(vpcCidr);
  return {
    vpcCidr,
    // checkAvailabilityZones refused a region without default zones when none are named.
    availabilityZones: [...((network.availabilityZones as string[] | undefined) ?? defaultAvailabilityZones(region)!)],
    loadBalancerCidrs: (network.loadBalancerCidrs as string[] | undefined) ?? (vpc.ok ? defaultLoadBalancerCidrs(vpc.cidr) : [...D.loadBalancerCidrs]),
    awsEndpoints: (network.awsEndpoints as string[] | undefined) ?? [...D.awsEndpoints],
  };
}

function buildArgoCdIngress(ingress: Raw): ArgoCdIngress {
  const allowedCidrs = ingress.allowedCidrs as string[] | undefined;
  return {
    scheme: (ingress.scheme as ArgoCdIngressScheme | undefined) ?? PLATFORM_DEFAULTS.argoCdIngressScheme,
    ...(allowedCidrs === undefined ? {} : { allowedCidrs: [...allowedCidrs] }),
  };
}

function buildSso(sso: Raw, platformName: string): ArgoCdSso {
  const D = PLATFORM_DEFAULTS;
  return {
    name: (sso.name as string | undefined) ?? D.ssoName,
    issuer: sso.issuer as string,
    clientID: sso.clientID as string,
    ...(sso.cliClientID === undefined ? {} : { cliClientID: sso.cliClientID as string }),
    clientSecretName: (sso.clientSecretName as string | undefined) ?? defaultSsoClientSecretName(platformName),
    scopes: (sso.scopes as string[] | undefined) ?? [...D.ssoScopes],
    groupsClaim: (sso.groupsClaim as string | undefined) ?? D.ssoGroupsClaim,
    adminGroups: (sso.adminGroups as string[] | undefined) ?? [],
    readonlyGroups: (sso.readonlyGroups as string[] | undefined) ?? [],
    teamGroups: { ...((sso.teamGroups as Record<string, string[]> | undefined) ?? {}) },
  };
}

function buildDisruption(disruption: Raw): NodeDisruption {
  const D = PLATFORM_DEFAULTS;
  const budgets = (disruption.budgets as Raw[] | undefined)?.map(
    (budget): DisruptionBudget => ({
      // A count may be written as a number; Karpenter takes strings only.
      nodes: String(budget.nodes as string | number),
      ...(budget.reasons === undefined ? {} : { reasons: budget.reasons as DisruptionBudget['reasons'] }),
      ...(budget.schedule === undefined ? {} : { schedule: budget.schedule as string }),
      ...(budget.duration === undefined ? {} : { duration: budget.duration as string }),
    }),
  );
  return {
    consolidationPolicy: (disruption.consolidationPolicy as NodeDisruption['consolidationPolicy'] | undefined) ?? D.consolidationPolicy,
    consolidateAfter: (disruption.consolidateAfter as string | undefined) ?? D.consolidateAfter,
    budgets: budgets ?? D.disruptionBudgets.map((budget) => ({ ...budget })),
  };
}

function buildService(service: Raw, index: number, quantity: (path: Segment[]) => string): ServiceDefinition {
  const D = PLATFORM_DEFAULTS;
  const base: Segment[] = ['services', index];
  const defaults = (service.defaults ?? {}) as Raw;
  const amounts = (kind: 'requests' | 'limits'): ResourceAmounts => {
    const written = (defaults[kind] ?? {}) as Raw;
    const pick = (resource: 'cpu' | 'memory'): string =>
      written[resource] === undefined ? D[kind][resource] : quantity([...base, 'defaults', kind, resource]);
    return { cpu: pick('cpu'), memory: pick('memory') };
  };
  const quota = service.quota as Raw;
  const storage = quota.storage === undefined ? D.storage : quantity([...base, 'quota', 'storage']);
  // No storage, no claims; with storage, one claim per pod (the pods quota sizes the service at its largest) unless said otherwise.
  const claims = (quota.persistentVolumeClaims as number | undefined) ?? (parseQuantity(storage)?.mantissa === 0n ? 0 : (quota.pods as number));
  return {
    name: service.name as string,
    team: service.team as string,
    namespace: (service.namespace as string | undefined) ?? (service.name as string),
    image: service.image as string,
    ...(service.sourceRepository === undefined ? {} : { sourceRepository: service.sourceRepository as string }),
    quota: {
      cpu: quantity([...base, 'quota', 'cpu']),
      memory: quantity([...base, 'quota', 'memory']),
      pods: quota.pods as number,
      storage,
      persistentVolumeClaims: claims,
    },
    defaults: { requests: amounts('requests'), limits: amounts('limits') },
    hosts: (service.hosts as string[] | undefined) ?? [...D.hosts],
    podSecurity: (service.podSecurity as PodSecurityLevel | undefined) ?? D.podSecurity,
    allowFrom: (service.allowFrom as string[] | undefined) ?? [...D.allowFrom],
    egress: ((service.egress as unknown[] | undefined) ?? [...D.egress]).map(egressDestination),
  };
}

function egressDestination(entry: unknown): EgressDestination {
  if (entry === INTERNET) return { kind: 'internet' };
  const { cidr, ports } = entry as Raw;
  return { kind: 'cidr', cidr: cidr as string, ports: (ports as number[] | undefined) ?? [] };
}

// ---------------------------------------------------------------------------
// Paths and positions

/** Problems, at most one per field path (the first found), in the order found. */
class ProblemList {
  private readonly byPath = new Map<string, Problem>();

  add(problem: Problem): void {
    const key = formatPath(problem.path);
    if (!this.byPath.has(key)) this.byPath.set(key, problem);
  }

  get size(): number {
    return this.byPath.size;
  }

  list(): Problem[] {
    return [...this.byPath.values()];
  }
}

interface IndexedRecord {
  readonly value: Raw;
  readonly index: number;
}

function records(value: unknown): IndexedRecord[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index) => (isRecord(item) ? [{ value: item, index }] : []));
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `services[3].quota.memory` from ["services", 3, "quota", "memory"]. */
function formatPath(path: readonly Segment[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const key = /^[A-Za-z_][\w-]{0,79}$/.test(segment) ? segment : JSON.stringify(shortened(segment));
    return text ? `${text}.${key}` : key;
  }, '');
}

/** Segments of an Ajv instance path ("/services/3/quota"), numbers where the data is a list. */
function pointerToPath(pointer: string, data: unknown): Segment[] {
  if (!pointer) return [];
  const path: Segment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      path.push(Number(key));
      current = current[Number(key)];
    } else {
      path.push(key);
      current = isRecord(current) ? current[key] : undefined;
    }
  }
  return path;
}

/**
 * The offset in the text of a field: its key (`at: "key"`) or its value. When
 * the field is missing, the deepest part of the path that exists.
 */
function offsetOf(document: Document, path: readonly Segment[], at: 'key' | 'value'): number | undefined {
  let node: unknown = document.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [depth, segment] of path.entries()) {
    node = resolveAlias(document, node);
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return offset;
      keyOffset = rangeStart(pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) return offset;
    } else {
      return offset;
    }
    const valueOffset = rangeStart(node);
    const last = depth === path.length - 1;
    offset = (last && at === 'key' ? keyOffset : undefined) ?? valueOffset ?? keyOffset ?? offset;
  }
  return offset;
}

function resolveAlias(document: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

function rangeStart(node: unknown): number | undefined {
  return (node as YamlNode | null | undefined)?.range?.[0];
}

/** The text a scalar was written as ("1.30" for a version YAML read as 1.3). */
function sourceOf(document: Document, path: readonly Segment[], text: string): string | undefined {
  const node = document.getIn(path as Segment[], true) as YamlNode | undefined;
  if (!isScalar(node) || !node.range) return undefined;
  return text.slice(node.range[0], node.range[1]);
}

function sortByPosition(errors: PlatformError[]): PlatformError[] {
  return errors
    .map((error, order) => ({ error, order }))
    .sort((a, b) => (a.error.line ?? 0) - (b.error.line ?? 0) || (a.error.column ?? 0) - (b.error.column ?? 0) || a.order - b.order)
    .map(({ error }) => error);
}

// ---------------------------------------------------------------------------
// Wording

const QUANTITY_WORDS = 'a Kubernetes quantity (a string such as "500m" or "512Mi", or a number)';

function typeWord(type: string): string {
  const words: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'a whole number',
    object: 'a mapping',
    array: 'a list',
    boolean: 'true or false',
    null: 'empty',
  };
  return words[type] ?? type;
}

/** Whether `text`, written without quotes, is YAML for a value of one of `types` (a quoted 255 or true asked for a number or a boolean). */
function readsUnquotedAs(text: string, types: readonly string[]): boolean {
  if (types.includes('string')) return false;
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return true;
  if (types.includes('integer') && /^-?[0-9]+$/.test(text)) return true;
  return types.includes('number') && /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(text);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(shortened(value));
  return String(value);
}

/** A text cut to 80 characters (whole code points, so no emoji is split). */
function shortened(text: string): string {
  const characters = Array.from(text);
  return characters.length > 80 ? `${characters.slice(0, 77).join('')}...` : text;
}

/** Names that keep their capital inside a sentence (acronyms such as AWS or EC2 keep theirs anyway). */
const PROPER_NAMES = /^(Kubernetes|Karpenter|Argo CD|GitHub|Route 53|Pod Security)\b/;

/** A description's first sentence, to quote after "is required": its first word in lowercase unless an acronym or a name. */
function firstSentence(description: string): string {
  const end = description.search(/(?<!\be\.g)\.(\s|$)/);
  const sentence = end === -1 ? description : description.slice(0, end);
  const ordinaryWord = /^[A-Z][a-z]*\b/.test(sentence) && !PROPER_NAMES.test(sentence);
  return ordinaryWord ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence;
}
