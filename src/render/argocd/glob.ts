// Argo CD's globs for `directory.include` and `directory.exclude` (gobwas/glob without
// separators, as Argo CD compiles them): `*` and `?` match `/` too, `{a,b}` alternates, `[...]` classes.

/** The glob as an anchored regular expression; with `segments`, `*` and `?` stop at `/` (Go's path.Match). */
export function globRegExp(pattern: string, segments = false): RegExp {
  const any = segments ? '[^/]' : '.';
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) out += escapeChar(pattern[++i]);
    else if (c === '*') out += `${any}*`;
    else if (c === '?') out += any;
    else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else out += escapeChar(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeChar(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Whether a path (relative, `/` separators) is matched by the glob. */
export function globMatch(pattern: string, path: string, segments = false): boolean {
  return globRegExp(pattern, segments).test(path);
}
