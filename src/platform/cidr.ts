// CIDR blocks as platform.yaml writes them (network policies' ipBlocks):
// parsing IPv4 and IPv6, the canonical form, and whether a block holds an
// address. Pure functions, no dependencies.
import { isIPv6 } from 'node:net';

export interface Cidr {
  readonly family: 4 | 6;
  /** The address as a number (32 or 128 bits). */
  readonly address: bigint;
  readonly prefix: number;
}

export type CidrParse = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly problem: string };

const IPV4 = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function parseIpv4(text: string): bigint | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  if (text.includes('%') || !isIPv6(text)) return undefined;
  let groups = text;
  // An embedded IPv4 address (::ffff:10.0.0.1) becomes two groups.
  const lastColon = groups.lastIndexOf(':');
  const tail = groups.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (v4 === undefined) return undefined;
    groups = `${groups.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = groups.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - left.length - right.length;
  const all = rest === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right];
  if (all.length !== 8) return undefined;
  return all.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n);
}

/** An address in its usual text form (IPv6 compressed, lowercase). */
export function formatAddress(family: 4 | 6, address: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, index) => Number((address >> BigInt((7 - index) * 16)) & 0xffffn));
  // Compress the longest run of two or more zero groups (the first, on a tie).
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > best.length && length >= 2) best = { start, length };
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.start === -1) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** "10.0.0.0/20" from a Cidr. */
export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.family, cidr.address)}/${cidr.prefix}`;
}

function hostMask(family: 4 | 6, prefix: number): bigint {
  return (1n << BigInt(bits(family) - prefix)) - 1n;
}

/**
 * Parses a CIDR as a network policy's ipBlock takes it: an IPv4 or IPv6
 * address, "/", a prefix length, and no host bits set (so the text says what
 * the block is). Problems are worded to follow "must be ..." or to stand alone;
 * `example` is what they say to write (a field taking one family names it).
 */
export function parseCidr(text: string, example = 'a CIDR such as 10.0.16.0/20 or 2600:1f18:abcd::/56'): CidrParse {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const family: 4 | 6 | undefined = parseIpv4(addressText) !== undefined ? 4 : parseIpv6(addressText) !== undefined ? 6 : undefined;
  if (family === undefined) return { ok: false, problem: `must be ${example}; found ${JSON.stringify(text)}` };
  const address = (family === 4 ? parseIpv4(addressText) : parseIpv6(addressText)) as bigint;
  if (slash === -1) {
    return { ok: false, problem: `must be ${example}; found ${JSON.stringify(text)}, an address without a prefix length (write ${text}/${bits(family)} for this one address)` };
  }
  const prefixText = text.slice(slash + 1);
  const prefix = PREFIX.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits(family))) {
    return { ok: false, problem: `must be ${example}; found ${JSON.stringify(text)}: an IPv${family} prefix length is 0-${bits(family)}` };
  }
  const cidr: Cidr = { family, address, prefix };
  if ((address & hostMask(family, prefix)) !== 0n) {
    const network = formatCidr({ family, address: address & ~hostMask(family, prefix), prefix });
    return { ok: false, problem: `${JSON.stringify(text)} has host bits set: the block it names is ${network}; write that` };
  }
  return { ok: true, cidr };
}

/** True when the block holds the address (given as text; false across families). */
export function cidrContains(cidr: Cidr, addressText: string): boolean {
  const address = cidr.family === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  if (address === undefined) return false;
  const mask = hostMask(cidr.family, cidr.prefix);
  return (address & ~mask) === (cidr.address & ~mask);
}

/** True when `outer` holds the whole block `inner` (false across families). */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && cidrContains(outer, formatAddress(inner.family, inner.address));
}

/** True when the blocks share an address: one holds the other (CIDR blocks never partly overlap). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrCovers(a, b) || cidrCovers(b, a);
}

/** The block cut into `parts` equal blocks (a power of two), in address order. */
export function splitCidr(cidr: Cidr, parts: number): Cidr[] {
  const prefix = cidr.prefix + Math.log2(parts);
  const size = 1n << BigInt(bits(cidr.family) - prefix);
  return Array.from({ length: parts }, (_, index) => ({ family: cidr.family, address: cidr.address + BigInt(index) * size, prefix }));
}
