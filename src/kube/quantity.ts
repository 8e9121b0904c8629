// Kubernetes resource quantities ("500m", "1.5Gi", "1e3"), parsed, compared and
// printed the way Kubernetes' typed model (k8s.io/apimachinery resource.Quantity)
// does it, with exact arithmetic: a value is a BigInt mantissa times a power of
// ten, never a floating-point number.
//
// Grammar (as Kubernetes scans it):
//   quantity := sign? number suffix
//   number   := digits | digits "." digits? | "." digits?   (digits may be absent: "." and "Gi" are 0)
//   suffix   := "" | n u m k M G T P E | Ki Mi Gi Ti Pi Ei | (e|E) sign? digits
// No spaces anywhere ("1 " is rejected; see normalize.ts for the JSON decoder's trimming).
//
// What parsing keeps, as Kubernetes does:
// - values finer than 1n are rounded away from zero to a whole nano ("0.1n" → 1n);
// - binary-suffixed values are capped at 2^63-1 in magnitude ("9Ei" → 9223372036854775807);
//   decimal ones are not capped, however large ("1e999999" stays 10^999999);
// - the written text itself, when Kubernetes would reuse it as the quantity's
//   string form: "100m", "+1", "1.500", "01Gi" print as written; "1.5", "1000",
//   "1024Mi" print canonically ("1500m", "1k", "1Gi"). See `Quantity.text`.
// kaji decision: quantities written with an exponent ("1e3", "5E-3") print in
// SI form ("1k", "5m"), where Kubernetes would print "1e3" and "5e-3".
// kaji decision: text over 1,000 characters is not a quantity. No real one is
// that long, and the digits of such text (the webhook gets any a tenant sends)
// would cost seconds of exact arithmetic.

/** How a quantity was written, which decides how it is printed. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** An exact quantity: `mantissa × 10^exponent`. */
export interface Quantity {
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly format: QuantityFormat;
  /**
   * The text as written, when Kubernetes keeps it as the quantity's string
   * (it does so for text it considers already canonical, such as "100m" or
   * "+1"). Drop it when building a quantity with a different value.
   */
  readonly text?: string;
  /** Set when the written value was above 2^63-1 and capped there (binary suffixes only, as Kubernetes does). */
  readonly capped?: true;
}

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9], ['u', -6], ['m', -3], ['', 0], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18],
]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60],
]);
const DECIMAL_BY_EXPONENT: ReadonlyMap<number, string> = new Map([...DECIMAL_SUFFIXES].map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
/** Letters Kubernetes accepts at the start of a suffix. */
const SUFFIX_LETTERS = 'eEinumkKMGTP';
/** Smallest exponent kept: nano. */
const NANO = -9;
const MAX_BINARY = (1n << 63n) - 1n;
const EXPONENT_PATTERN = /^[eE][+-]?\d+$/;
const MAX_EXPONENT = 2 ** 31 - 1;
/** Longest text read as a quantity (see the top of this file). */
export const MAX_QUANTITY_LENGTH = 1000;

interface Scanned {
  readonly negative: boolean;
  /** Integer digits without leading zeros; "0" when there are none. */
  readonly whole: string;
  readonly fraction: string;
  readonly suffix: string;
}

interface Suffix {
  readonly base: 2 | 10;
  readonly power: number;
  readonly format: QuantityFormat;
}

function isDigit(text: string, pos: number): boolean {
  const code = text.charCodeAt(pos);
  return code >= 48 && code <= 57;
}

/** Splits the text into sign, number and suffix, following Kubernetes' scanner. */
function scan(text: string): Scanned | undefined {
  const end = text.length;
  let pos = 0;
  const negative = text[0] === '-';
  if (negative || text[0] === '+') pos = 1;
  while (pos < end && text[pos] === '0') pos++;
  if (pos === end) return { negative, whole: '0', fraction: '', suffix: '' };
  const wholeStart = pos;
  while (pos < end && isDigit(text, pos)) pos++;
  const whole = pos > wholeStart ? text.slice(wholeStart, pos) : '0';
  let fraction = '';
  if (text[pos] === '.') {
    const fractionStart = ++pos;
    while (pos < end && isDigit(text, pos)) pos++;
    fraction = text.slice(fractionStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_LETTERS.includes(text[pos] as string)) pos++;
  if (text[pos] === '+' || text[pos] === '-') pos++;
  while (pos < end && isDigit(text, pos)) pos++;
  if (pos < end) return undefined;
  return { negative, whole, fraction, suffix: text.slice(suffixStart) };
}

function interpretSuffix(suffix: string): Suffix | undefined {
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (decimal !== undefined) return { base: 10, power: decimal, format: 'DecimalSI' };
  const binary = BINARY_SUFFIXES.get(suffix);
  if (binary !== undefined) return { base: 2, power: binary, format: 'BinarySI' };
  if (!EXPONENT_PATTERN.test(suffix)) return undefined;
  const power = Number(suffix.slice(1));
  // Kubernetes truncates an exponent to 32 bits; kaji rejects one that does not fit.
  if (Math.abs(power) > MAX_EXPONENT) return undefined;
  return { base: 10, power, format: 'DecimalExponent' };
}

/**
 * Whether Kubernetes keeps the written text as the quantity's string: only on
 * its int64 fast path, for binary values whose number is not a multiple of 8
 * and for decimal values whose scale is a multiple of 3 with no leading zero
 * and no trailing "000". Exponent forms are never kept (kaji decision).
 */
function keepsText(text: string, scanned: Scanned, suffix: Suffix): boolean {
  if (text === '0') return true;
  const { whole, fraction } = scanned;
  if (suffix.format === 'BinarySI') {
    const precision = 14 - whole.length - Math.trunc((suffix.power * 3) / 10);
    // A number is a multiple of 8 exactly when its last three digits are.
    return fraction === '' && precision >= 0 && Number(whole.slice(-3)) % 8 !== 0;
  }
  if (suffix.format !== 'DecimalSI') return false;
  const scale = suffix.power - fraction.length;
  const digits = whole + fraction;
  return digits.length <= 18 && scale >= NANO && scale % 3 === 0 && !digits.endsWith('000') && digits[0] !== '0';
}

function digitCount(value: bigint): number {
  return (value < 0n ? -value : value).toString().length;
}

function pow10(power: number): bigint {
  return 10n ** BigInt(power);
}

/** Rounds a value finer than nano away from zero to a whole nano. */
function roundToNano(mantissa: bigint, exponent: number): [bigint, number] {
  if (exponent >= NANO || mantissa === 0n) return [mantissa, exponent];
  const sign = mantissa < 0n ? -1n : 1n;
  const magnitude = mantissa * sign;
  const drop = NANO - exponent;
  if (digitCount(magnitude) <= drop) return [sign, NANO];
  const divisor = pow10(drop);
  const quotient = magnitude / divisor;
  return [sign * (magnitude % divisor === 0n ? quotient : quotient + 1n), NANO];
}

/** Compares |a| and |b|, both non-zero, without expanding huge exponents. */
function compareMagnitudes(am: bigint, ae: number, bm: bigint, be: number): -1 | 0 | 1 {
  const a = am < 0n ? -am : am;
  const b = bm < 0n ? -bm : bm;
  const orderA = digitCount(a) + ae;
  const orderB = digitCount(b) + be;
  if (orderA !== orderB) return orderA < orderB ? -1 : 1;
  const left = ae > be ? a * pow10(ae - be) : a;
  const right = be > ae ? b * pow10(be - ae) : b;
  return left === right ? 0 : left < right ? -1 : 1;
}

/**
 * Parses a Kubernetes quantity, or returns undefined when Kubernetes would reject
 * it. The value is exact, rounded up to nano and capped for binary suffixes as
 * Kubernetes does (see the top of this file).
 */
export function parseQuantity(text: string): Quantity | undefined {
  if (text.length === 0 || text.length > MAX_QUANTITY_LENGTH) return undefined;
  const scanned = scan(text);
  if (!scanned) return undefined;
  const suffix = interpretSuffix(scanned.suffix);
  if (!suffix) return undefined;

  let mantissa = BigInt(scanned.whole + scanned.fraction);
  let exponent = scanned.fraction.length === 0 ? 0 : -scanned.fraction.length; // never -0
  if (suffix.base === 10) exponent += suffix.power;
  else mantissa <<= BigInt(suffix.power);
  if (scanned.negative) mantissa = -mantissa;
  [mantissa, exponent] = roundToNano(mantissa, exponent);

  let format = suffix.format;
  // A binary value has exponent <= 0 here, so |value| <= |mantissa|: the full
  // comparisons are needed only for long mantissas and for fractions.
  if (format === 'BinarySI' && mantissa !== 0n) {
    const magnitude = mantissa < 0n ? -mantissa : mantissa;
    if (magnitude > MAX_BINARY && compareMagnitudes(mantissa, exponent, MAX_BINARY, 0) > 0) {
      return { mantissa: mantissa < 0n ? -MAX_BINARY : MAX_BINARY, exponent: 0, format, capped: true };
    }
    if (exponent < 0 && compareMagnitudes(mantissa, exponent, 1n, 0) < 0) format = 'DecimalSI';
  }
  return keepsText(text, scanned, suffix) ? { mantissa, exponent, format, text } : { mantissa, exponent, format };
}

/**
 * Whether a quantity is beyond what Kubernetes' 64-bit views of a quantity
 * hold: |q| above (2^63-1) × 10^scale, with scale 0 for `Value()` (bytes) and
 * -3 for `MilliValue()` (millicores, as the scheduler and kubelet count CPU).
 * A binary value that parsing capped counts as beyond. Decided from the order
 * of magnitude first, so "1e999999" is never expanded.
 */
export function exceedsInt64(q: Quantity, scale = 0): boolean {
  return q.capped === true || (q.mantissa !== 0n && compareMagnitudes(q.mantissa, q.exponent, MAX_BINARY, scale) > 0);
}

/**
 * A quantity in units of 10^scale, rounded up as Kubernetes rounds its 64-bit
 * views: scale 0 for `Value()` (bytes), -3 for `MilliValue()` (millicores).
 * Exact (no bound: check exceedsInt64 first where that matters).
 */
export function ceilToScale(q: Quantity, scale: number): bigint {
  const shift = q.exponent - scale;
  if (shift >= 0) return q.mantissa * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  const whole = q.mantissa / divisor;
  // BigInt division truncates toward 0, which for a negative value is already up.
  return q.mantissa % divisor > 0n ? whole + 1n : whole;
}

/** Compares two quantities by value, whatever their suffixes: "1Gi" > "1G", "0.1" == "100m". */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const signA = a.mantissa === 0n ? 0 : a.mantissa < 0n ? -1 : 1;
  const signB = b.mantissa === 0n ? 0 : b.mantissa < 0n ? -1 : 1;
  if (signA !== signB) return signA < signB ? -1 : 1;
  if (signA === 0) return 0;
  const byMagnitude = compareMagnitudes(a.mantissa, a.exponent, b.mantissa, b.exponent);
  return (signA < 0 ? -byMagnitude : byMagnitude) as -1 | 0 | 1;
}

/**
 * The string Kubernetes prints for a parsed quantity (`Quantity.String()`): the
 * kept text when there is one, otherwise the canonical form. Canonical form:
 * "0" for zero; a binary-suffixed integer of magnitude 1024 or more uses the
 * largest binary suffix that keeps the number whole ("1024Mi" → "1Gi",
 * "1.5Gi" → "1536Mi"); anything else uses the largest decimal SI suffix whose
 * exponent is a multiple of 3 and keeps the number whole ("1.5" → "1500m",
 * "1000" → "1k"), falling back to "e" notation beyond E ("1000E" → "1e21").
 */
export function canonicalQuantity(q: Quantity): string {
  if (q.text !== undefined) return q.text;
  if (q.mantissa === 0n) return '0';
  if (q.format === 'BinarySI') {
    const binary = binaryForm(q.mantissa, q.exponent);
    if (binary !== undefined) return binary;
  }
  return decimalForm(q.mantissa, q.exponent);
}

function binaryForm(mantissa: bigint, exponent: number): string | undefined {
  let value = mantissa;
  if (exponent > 0) {
    // 10^22 is already beyond 1024^7, where no binary suffix fits.
    if (exponent > 21) return undefined;
    value = mantissa * pow10(exponent);
  } else if (exponent < 0) {
    // Not a whole number: no binary form (parsed quantities never take the digitCount branch).
    if (digitCount(mantissa) <= -exponent) return undefined;
    const divisor = pow10(-exponent);
    if (mantissa % divisor !== 0n) return undefined;
    value = mantissa / divisor;
  }
  const magnitude = value < 0n ? -value : value;
  // Below 1024 Kubernetes prints decimal; above 1024^7 (only for a quantity built by hand) no suffix fits.
  if (magnitude < 1024n || magnitude >= 1n << 70n) return undefined;
  let power = 0;
  while (power < BINARY_BY_POWER.length - 1 && (value & 1023n) === 0n) {
    value >>= 10n;
    power++;
  }
  return `${value}${BINARY_BY_POWER[power]}`;
}

function decimalForm(mantissa: bigint, exponent: number): string {
  let value = mantissa;
  let power = exponent;
  while (value % 10n === 0n) {
    value /= 10n;
    power++;
  }
  const shift = ((power % 3) + 3) % 3;
  value *= pow10(shift);
  power -= shift;
  const suffix = DECIMAL_BY_EXPONENT.get(power);
  return suffix === undefined ? `${value}e${power}` : `${value}${suffix}`;
}

/**
 * The string Kubernetes makes of a YAML/JSON number in a quantity field: the
 * number's JSON text parsed as a quantity (`cpu: 1.5` → "1500m",
 * `memory: 1000` → "1k"). JavaScript writes numbers as Go's JSON encoder does,
 * so the texts agree. Throws a RangeError for NaN and infinities, which JSON
 * cannot carry.
 */
export function quantityFromNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`${n} is not a quantity: expected a finite number`);
  const parsed = parseQuantity(String(n));
  if (!parsed) throw new RangeError(`${n} is not a quantity`);
  return canonicalQuantity(parsed);
}
