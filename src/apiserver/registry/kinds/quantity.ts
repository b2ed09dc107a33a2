/**
 * resource.Quantity: parsing, exact comparison and the canonical string form upstream serializes ("0.5" → "500m",
 * "1000m" → "1", "1.5Gi" → "1536Mi", "2000" → "2k"). Values are held as integer nano-units (BigInt); like upstream,
 * anything finer than a nano is rounded up (away from zero).
 */
import { StatusError } from '../../../apimachinery/status.ts';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** the value × 10^9 */
  nanos: bigint;
  format: QuantityFormat;
}

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const NANO = 10n ** 9n;
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = new Map(Object.entries(DECIMAL).map(([s, e]) => [e, s]));

export class QuantityError extends Error {}

/** Ceiling division away from zero. */
function divUp(num: bigint, den: bigint): bigint {
  const neg = num < 0n !== den < 0n;
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  const q = (a + b - 1n) / b;
  return neg ? -q : q;
}

/** upstream ParseQuantity; accepts JSON numbers too (they decode to their decimal text). */
export function parseQuantity(input: unknown): Quantity {
  const s = typeof input === 'number' ? String(input) : input;
  if (typeof s !== 'string' || s.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '') || !/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(m[4]!)) {
    throw new QuantityError(QUANTITY_FORMAT_ERROR);
  }
  const [, sign, whole, frac = '', suffix] = m as unknown as [string, string, string, string | undefined, string];
  let mantissa = BigInt((whole || '0') + frac);
  if (sign === '-') mantissa = -mantissa;
  let num = mantissa * NANO;
  let den = 10n ** BigInt(frac.length);
  let format: QuantityFormat;
  if (suffix in BINARY) {
    format = 'BinarySI';
    num *= 1024n ** BigInt(BINARY[suffix]!);
  } else if (suffix in DECIMAL) {
    format = 'DecimalSI';
    const e = DECIMAL[suffix]!;
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  } else {
    const ex = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
    if (!ex) throw new QuantityError(QUANTITY_SUFFIX_ERROR);
    format = 'DecimalExponent';
    const e = Number(ex[1]);
    if (!Number.isSafeInteger(e) || Math.abs(e) > 1000) throw new QuantityError(QUANTITY_SUFFIX_ERROR);
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  }
  return { nanos: divUp(num, den), format };
}

export const compareQuantity = (a: Quantity, b: Quantity): number => (a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0);

/** Quantity.RoundUp(-3) (SetDefaults_ResourceList): to milli precision, away from zero. */
export function roundUpMilli(q: Quantity): Quantity {
  const step = 10n ** 6n;
  return { ...q, nanos: divUp(q.nanos, step) * step };
}

/** Quantity.String(): the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  const sign = neg ? '-' : '';
  if (q.format === 'BinarySI' && abs >= 1024n * NANO && abs % NANO === 0n) {
    let v = abs / NANO;
    let k = 0;
    while (k < 6 && v % 1024n === 0n) {
      v /= 1024n;
      k++;
    }
    return sign + v.toString() + ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][k];
  }
  // Decimal: the largest exponent (a multiple of 3, from -9 to 18) that leaves an integer mantissa.
  let e = -9;
  let v = abs;
  while (e < 18 && v % 1000n === 0n) {
    v /= 1000n;
    e += 3;
  }
  const suffix = q.format === 'DecimalExponent' ? (e === 0 ? '' : `e${e}`) : DECIMAL_SUFFIX.get(e)!;
  return sign + v.toString() + suffix;
}

export function canonicalQuantity(input: unknown, milli = false): string {
  const q = parseQuantity(input);
  return formatQuantity(milli ? roundUpMilli(q) : q);
}

/**
 * Canonicalizes every quantity of a ResourceList in place (rounded to milli, as SetDefaults_ResourceList does).
 * A value that is not a quantity is a decode error upstream: 400 "<Kind> in version ... cannot be handled".
 */
export function canonicalizeResourceList(list: unknown, kind: string, apiVersion: string, milli = true): void {
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return;
  const l = list as Record<string, unknown>;
  for (const [name, value] of Object.entries(l)) l[name] = canonicalOrThrow(value, kind, apiVersion, milli);
}

export function canonicalOrThrow(value: unknown, kind: string, apiVersion: string, milli = false): string {
  try {
    return canonicalQuantity(value, milli);
  } catch (err) {
    if (!(err instanceof QuantityError)) throw err;
    throw decodeError(kind, apiVersion, err.message);
  }
}

/** The 400 upstream answers when a body does not decode into the kind's Go type. */
export function decodeError(kind: string, apiVersion: string, why: string): StatusError {
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`,
    reason: 'BadRequest',
    code: 400,
  });
}
