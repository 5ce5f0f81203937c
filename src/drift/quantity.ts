// Resource quantities as the API server stores them: the string a value written in Git
// (`cpu: 0.5`, `memory: 1024Mi`) comes back as (`500m`, `1Gi`), following apimachinery's
// resource.ParseQuantity and Quantity.MarshalJSON exactly, or undefined where that is not certain.

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX = new Map(Object.entries(DECIMAL).map(([suffix, exponent]) => [exponent, suffix]));
const BINARY_SUFFIX = new Map([[0, ''], ...Object.entries(BINARY).map(([s, e]) => [e / 10, s] as const)]);
const INT64_MAX = 2n ** 63n - 1n;
const NANO = 10n ** 9n;

/**
 * The string the API server stores for a quantity written as `input` (a JSON string, or a
 * number as JSON writes it), or undefined when the input is no quantity or the result is not
 * certain (exponents past the suffix table).
 */
export function storedQuantity(input: string | number): string | undefined {
  // UnmarshalJSON trims the string (strings.TrimSpace), and the trimmed text is what it keeps.
  const text = typeof input === 'number' ? jsonNumber(input) : input.trim();
  if (text === undefined || text.length === 0) return undefined;
  if (text === '0') return '0';
  const parsed = parseQuantityString(text);
  if (!parsed) return undefined;
  const { positive, num, denom, suffix } = parsed;
  const interpreted = interpretSuffix(suffix);
  if (!interpreted) return undefined;
  const { base, exponent } = interpreted;
  let format = interpreted.format;
  // The exact value, as nanos rounded up (away from zero), as ParseQuantity's inf.Dec path does.
  const digits = BigInt(num + denom);
  const scaled =
    base === 10
      ? ceilDiv(
          digits * 10n ** BigInt(Math.max(0, exponent - denom.length + 9)),
          10n ** BigInt(Math.max(0, denom.length - exponent - 9)),
        )
      : ceilDiv(digits * 2n ** BigInt(exponent) * NANO, 10n ** BigInt(denom.length));
  // Finer than milli: resource lists (limits, requests, quotas) are rounded up to milli by the
  // server's defaulting (SetDefaults_ResourceList), other quantities are not; so not certain.
  if (scaled % 1_000_000n !== 0n) return undefined;
  if (keepsInput(num, denom, base, exponent, format)) return text;
  let nanos = scaled;
  if (format === 'BinarySI' && nanos > INT64_MAX * NANO) nanos = INT64_MAX * NANO;
  if (format === 'BinarySI' && nanos > 0n && nanos < NANO) format = 'DecimalSI';
  return canonical(positive ? nanos : -nanos, format);
}

/** JSON's text of a number, which the server parses: only finite numbers. */
function jsonNumber(value: number): string | undefined {
  return Number.isFinite(value) ? JSON.stringify(value) : undefined;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

interface Parts {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** apimachinery's parseQuantityString: sign, digits (leading zeros dropped), fraction, suffix. */
function parseQuantityString(text: string): Parts | undefined {
  const match = /^([+-]?)0*([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*)([-+]?[0-9]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, num, denom = '', letters, exponent] = match;
  // The scanner takes a sign and digits after the suffix letters only as an exponent.
  if (exponent !== '' && letters === '') return undefined;
  if (exponent !== '' && !/[0-9]/.test(exponent)) return undefined;
  return { positive: sign !== '-', num: num === '' ? '0' : num, denom, suffix: letters + exponent };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: Format } | undefined {
  if (Object.hasOwn(DECIMAL, suffix)) return { base: 10, exponent: DECIMAL[suffix], format: 'DecimalSI' };
  if (Object.hasOwn(BINARY, suffix)) return { base: 2, exponent: BINARY[suffix], format: 'BinarySI' };
  const e = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
  if (!e) return undefined;
  const exponent = Number(e[1]);
  return Number.isSafeInteger(exponent) ? { base: 10, exponent, format: 'DecimalExponent' } : undefined;
}

/**
 * ParseQuantity's int64 fast path keeps the input string when it is already in canonical form
 * by its own test, and MarshalJSON then writes that string back verbatim (sign and all).
 */
function keepsInput(num: string, denom: string, base: number, exponent: number, format: Format): boolean {
  let precision: number;
  if (format === 'BinarySI') {
    if (exponent < 0 || denom.length > 0) return false;
    precision = 15 - num.length - Math.trunc(Math.fround((exponent * 3) / 10)) - 1;
  } else precision = 18 - (num.length + denom.length);
  if (precision < 0) return false;
  const scale = (base === 10 ? exponent : 0) - denom.length;
  if (scale < -9) return false;
  const shifted = num + denom;
  const value = BigInt(shifted);
  if (value > INT64_MAX) return false;
  const mantissa = base === 2 ? 1n << BigInt(exponent) : 1n;
  if (value * mantissa > INT64_MAX) return false;
  if (format === 'BinarySI') return exponent % 10 === 0 && (value & 7n) !== 0n;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

/** Quantity.CanonicalizeBytes of a value given in nanos. */
function canonical(nanos: bigint, format: Format): string | undefined {
  if (nanos === 0n) return '0';
  const sign = nanos < 0n ? '-' : '';
  const magnitude = nanos < 0n ? -nanos : nanos;
  if (format === 'BinarySI' && (magnitude < 1024n * NANO || magnitude % NANO !== 0n)) format = 'DecimalSI';
  if (format === 'BinarySI') {
    let amount = magnitude / NANO;
    let times = 0;
    while (amount % 1024n === 0n) {
      amount /= 1024n;
      times++;
    }
    const suffix = BINARY_SUFFIX.get(times);
    return suffix === undefined ? undefined : `${sign}${amount}${suffix}`;
  }
  let amount = magnitude;
  let exponent = -9;
  while (amount % 10n === 0n) {
    amount /= 10n;
    exponent++;
  }
  const rest = ((exponent % 3) + 3) % 3;
  amount *= 10n ** BigInt(rest);
  exponent -= rest;
  if (format === 'DecimalExponent') return `${sign}${amount}${exponent === 0 ? '' : `e${exponent}`}`;
  const suffix = DECIMAL_SUFFIX.get(exponent);
  return suffix === undefined ? undefined : `${sign}${amount}${suffix}`;
}
