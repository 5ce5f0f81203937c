// The plain-scalar rules kubectl's YAML reader (go-yaml v2, YAML 1.1) follows, as the `yaml`
// package's 1.1 schema writes them, minus timestamps and base-60 numbers (go-yaml keeps
// those as strings). Both parsers here resolve scalars with these same rules.

/** Resolves a plain (unquoted, untagged) scalar; strings that match no rule stay strings. */
export function resolvePlainScalar(source: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(source)) return null;
  if (/^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/.test(source)) return true;
  if (/^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/.test(source)) return false;
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
  if (/^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/.test(source)) return parseFloat(source.replace(/_/g, ''));
  return source;
}

function integer(source: string, prefix: number, radix: number): number {
  const sign = source[0];
  const offset = sign === '-' || sign === '+' ? prefix + 1 : prefix;
  const n = parseInt(source.substring(offset).replace(/_/g, ''), radix);
  return sign === '-' ? -1 * n : n;
}
