import { parseQuantity } from '../../kube/index.js';

const MIB = 1024n * 1024n;

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
