// Label and annotation selectors in Kubernetes syntax (`a=b,c!=d,e in (x,y),f notin (z),!g,h`),
// parsed once and matched against an object's labels or annotations.

type Requirement =
  | { op: 'exists' | 'absent'; key: string }
  | { op: 'in' | 'notin'; key: string; values: Set<string> };

export type LabelSelector = Requirement[];

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
// Label values are at most 63 characters of this; annotation values may be anything without
// commas, parentheses or spaces in selector syntax.
const VALUE = /^[^\s,()=!]*$/;

/** Parses a label selector; throws an Error whose message names the bad part. */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    const term = part.trim();
    if (term === '') throw new Error('empty requirement (two commas, or a trailing comma?)');
    let m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(term);
    if (m) {
      const values = m[3].split(',').map((v) => v.trim());
      checkKey(m[1], term);
      for (const v of values) checkValue(v, term);
      requirements.push({ op: m[2] as 'in' | 'notin', key: m[1], values: new Set(values) });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (m) {
      checkKey(m[1], term);
      checkValue(m[3], term);
      requirements.push({ op: m[2] === '!=' ? 'notin' : 'in', key: m[1], values: new Set([m[3]]) });
      continue;
    }
    m = /^(!?)\s*([^=!\s()]+)$/.exec(term);
    if (m) {
      checkKey(m[2], term);
      requirements.push({ op: m[1] ? 'absent' : 'exists', key: m[2] });
      continue;
    }
    throw new Error(
      `cannot read "${term}" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`,
    );
  }
  return requirements;
}

function splitTopLevel(text: string): string[] {
  if (text.trim() === '') return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new Error('unbalanced ")"');
  }
  if (depth !== 0) throw new Error('unbalanced "("');
  parts.push(text.slice(start));
  return parts;
}

function checkKey(key: string, term: string): void {
  if (!KEY.test(key)) throw new Error(`"${key}" in "${term}" is not a valid label or annotation key`);
}

function checkValue(value: string, term: string): void {
  if (!VALUE.test(value)) throw new Error(`"${value}" in "${term}" is not a valid value`);
}

export function matchesSelector(selector: LabelSelector, map: Record<string, string> | undefined): boolean {
  for (const r of selector) {
    const has = map !== undefined && Object.hasOwn(map, r.key);
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'absent':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.has(map[r.key])) return false;
        break;
      case 'notin':
        if (has && r.values.has(map[r.key])) return false;
        break;
    }
  }
  return true;
}
