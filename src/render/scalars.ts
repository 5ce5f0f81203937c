// The plain-scalar rules kubectl's YAML reader (go-yaml v2, YAML 1.1) follows, as the `yaml`
// package's 1.1 schema writes them, minus timestamps and base-60 numbers (go-yaml keeps
// those as strings). Both parsers here resolve scalars with these same rules.

/** Every null and boolean spelling of YAML 1.1; all of them start with a letter or `~`. */
const KEYWORDS = new Map<string, null | boolean>([
  ...['~', 'null', 'Null', 'NULL'].map((s) => [s, null] as const),
  ...['Y', 'y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['N', 'n', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(
    (s) => [s, false] as const,
  ),
]);

/**
 * The first characters of the null values (the empty scalar, whose first character is '' as
 * charAt gives it, and the keywords above), and of the booleans.
 */
export const NULL_FIRST_CHARS = ['', ...firstChars((value) => value === null)];
export const BOOL_FIRST_CHARS = firstChars((value) => typeof value === 'boolean');
/** Only these can start a number (resolve, below). */
export const NUMBER_FIRST_CHARS = [...'0123456789+-.eE'];

function firstChars(accept: (value: null | boolean) => boolean): string[] {
  return [...new Set([...KEYWORDS].filter(([, value]) => accept(value)).map(([key]) => key[0]))];
}

// The fast parser asks once per implicit tag (null, bool, float) for the same scalar.
let lastSource = '';
let lastValue: unknown = null;

/**
 * A float written with a dot and no exponent. A digit must follow the sign or the dot: go-yaml
 * reads `.`, `-.` and `+.` as strings (`path: .` in a Flux or Argo CD source), where YAML 1.1's
 * pattern alone, and the `yaml` package's, would make them NaN. manifests.ts gives the careful
 * parser this pattern too.
 */
export const DOTTED_FLOAT = /^[-+]?(?=\.?[0-9])(?:[0-9][0-9_]*)?\.[0-9_]*$/;

/** Resolves a plain (unquoted, untagged) scalar; strings that match no rule stay strings. */
export function resolvePlainScalar(source: string): unknown {
  if (source === lastSource) return lastValue;
  lastSource = source;
  lastValue = resolve(source);
  return lastValue;
}

function resolve(source: string): unknown {
  if (source === '') return null;
  // Most scalars are words (keys, names): only a digit, sign, dot or exponent can start a number.
  const first = source[0];
  if (!NUMBER_FIRST_CHARS.includes(first)) {
    const keyword = KEYWORDS.get(source);
    return keyword === undefined ? source : keyword;
  }
  if (/^[-+]?0b[0-1_]+$/.test(source)) return integer(source, 2, 2);
  if (/^[-+]?0[0-7_]+$/.test(source)) return integer(source, 1, 8);
  if (/^[-+]?[0-9][0-9_]*$/.test(source)) return integer(source, 0, 10);
  if (/^[-+]?0x[0-9a-fA-F_]+$/.test(source)) return integer(source, 2, 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source)) {
    if (source.slice(-3).toLowerCase() === 'nan') return Number.NaN;
    return source[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/.test(source))
    return parseFloat(source.replace(/_/g, ''));
  if (DOTTED_FLOAT.test(source)) return parseFloat(source.replace(/_/g, ''));
  return source;
}

function integer(source: string, prefix: number, radix: number): number {
  const sign = source[0];
  const offset = sign === '-' || sign === '+' ? prefix + 1 : prefix;
  const n = parseInt(source.substring(offset).replace(/_/g, ''), radix);
  return sign === '-' ? -1 * n : n;
}
