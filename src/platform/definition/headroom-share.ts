import { parseQuantity } from '../../kube/index.js';

const MIB = 1024n * 1024n;
const GIB = 1024n * MIB;
/**
 * The most one placeholder holds: 1 cpu and 4Gi (the m family's ratio). A
 * pod preempts only the slices it needs, and Karpenter packs the pending
 * slices onto a node, so a bigger pod still finds several slices together.
 */
const SLICE = { cpuMilli: 1000n, memory: 4n * GIB } as const;
/** Two placeholders at least, spread over zones: a pod bound to a zone (an EBS volume) finds room there too. */
const MIN_REPLICAS = 2n;
/** A container needs some memory to start (runc's init runs inside its limit): no placeholder holds less. */
export const MIN_PLACEHOLDER_MEMORY = 32n * MIB;

/** How the headroom is split into placeholders, and what they hold together. */
export interface HeadroomSplit {
  readonly replicas: bigint;
  /** Each placeholder's request (and limit): millicores, and bytes in whole Mi. */
  readonly podCpuMilli: bigint;
  readonly podMemory: bigint;
  /** replicas × the pod's amounts: at least what was asked, more where rounding or the 32Mi minimum adds. */
  readonly heldCpuMilli: bigint;
  readonly heldMemory: bigint;
}

/**
 * The placeholders for `cpuMilli` and `memory` of headroom: slices of at most
 * 1 cpu and 4Gi (two at least), each an equal share rounded up (cpu to the
 * millicore, memory to the Mi, and 32Mi at least). One rule for the loader's
 * check against the NodePool's limits and for the placeholders themselves.
 */
export function headroomSplit(cpuMilli: bigint, memory: bigint): HeadroomSplit {
  const replicas = [MIN_REPLICAS, ceilDiv(cpuMilli, SLICE.cpuMilli), ceilDiv(memory, SLICE.memory)].reduce((a, b) => (a > b ? a : b));
  const podCpuMilli = ceilDiv(cpuMilli, replicas);
  const share = ceilDiv(ceilDiv(memory, replicas), MIB) * MIB;
  const podMemory = share > MIN_PLACEHOLDER_MEMORY ? share : MIN_PLACEHOLDER_MEMORY;
  return { replicas, podCpuMilli, podMemory, heldCpuMilli: podCpuMilli * replicas, heldMemory: podMemory * replicas };
}

/**
 * What `percent` of the services' quotas comes to, as the headroom's
 * placeholders ask for it: cpu in millicores, memory in bytes rounded up to
 * the Mi (as each placeholder's share is anyway: a byte count would be noise
 * in the generated file's comment). The percent is read as the decimal it is written as (12.5 is
 * 125/10), so no float rounding creeps in. One rule for the loader's check
 * against the NodePool's limits and for the placeholders themselves.
 */
export function headroomShare(resource: 'cpu' | 'memory', total: bigint, percent: number): bigint {
  const written = parseQuantity(String(percent));
  if (!written) throw new Error(`headroom percent ${String(percent)} is not a number`);
  const { mantissa, exponent } = written;
  const share = ceilDiv(total * mantissa * 10n ** BigInt(Math.max(exponent, 0)), 100n * 10n ** BigInt(Math.max(-exponent, 0)));
  return resource === 'memory' ? ceilDiv(share, MIB) * MIB : share;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
