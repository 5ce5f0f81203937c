// ApplicationSet `matrix` and `merge` generators, as the ApplicationSet controller combines
// the parameter sets of their child generators (argo-cd applicationset/generators/matrix.go,
// merge.go): matrix the product of two children, the second interpolated with each set of the
// first; merge the first child's sets overridden by the others' that share their mergeKeys.
import { join } from 'node:path';
import { fillGoTemplate } from './go-template.ts';

export type ParamSet = Record<string, unknown>;

/** What combining needs: the mode, how a child generator's parameters are found, scratch for Go templates. */
export interface CombineContext {
  go: boolean;
  params: (generator: Record<string, unknown>) => Promise<ParamSet[] | string>;
  /** fasttemplate `{{param}}` replacement of a child generator. */
  fill: (generator: unknown, params: ParamSet) => unknown;
  scratch: string;
  counter: { next: number };
  helm?: string;
}

type Children = { generators?: Record<string, unknown>[] };

/** mergo.Merge with override: maps merged key by key, any other value replaced. */
export function deepMerge(base: ParamSet, over: ParamSet): ParamSet {
  const out: ParamSet = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const was = out[key];
    const isMap = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    out[key] = isMap(was) && isMap(value) ? deepMerge(was as ParamSet, value as ParamSet) : value;
  }
  return out;
}

/** utils.CombineStringMaps: the union, a key both hold with different values an error. */
function combineStrings(a: ParamSet, b: ParamSet): ParamSet | string {
  for (const [key, value] of Object.entries(b))
    if (key in a && a[key] !== value)
      return `found duplicate key ${key} with different value, a: ${a[key]} ,b: ${value}`;
  return { ...a, ...b };
}

/** The second child with the first child's parameters put in, as Argo CD interpolates it. */
async function interpolate(
  generator: Record<string, unknown>,
  params: ParamSet,
  ctx: CombineContext,
): Promise<Record<string, unknown>> {
  if (!JSON.stringify(generator).includes('{{')) return generator;
  if (!ctx.go) return ctx.fill(generator, params) as Record<string, unknown>;
  const dir = join(ctx.scratch, `interpolate-${ctx.counter.next++}`);
  const [filled] = await fillGoTemplate(generator, [params], dir, ctx.helm);
  return filled as Record<string, unknown>;
}

export async function matrixParams(matrix: Children, ctx: CombineContext): Promise<ParamSet[] | string> {
  const children = matrix.generators ?? [];
  if (children.length !== 2)
    return `matrix needs exactly two child generators, it has ${children.length}: skipped`;
  const first = await ctx.params(children[0]);
  if (typeof first === 'string') return `matrix child 0 ${first}`;
  const out: ParamSet[] = [];
  for (const a of first) {
    let second: Record<string, unknown>;
    try {
      second = await interpolate(children[1], a, ctx);
    } catch (error) {
      return `matrix child 1 does not interpolate: ${error instanceof Error ? error.message : String(error)}`;
    }
    const b = await ctx.params(second);
    if (typeof b === 'string') return `matrix child 1 ${b}`;
    for (const set of b) {
      // goTemplate: the first child's values win (mergo, override); fasttemplate: a conflict is an error.
      const combined = ctx.go ? deepMerge(deepMerge({}, set), a) : combineStrings(a, set);
      if (typeof combined === 'string') return `matrix: ${combined}: skipped`;
      out.push(combined);
    }
  }
  return out;
}

/** A merge key's value: the parameter of that name, or (goTemplate) a dotted path into nested ones. */
function keyValue(set: ParamSet, key: string, go: boolean): unknown {
  if (key in set || !go) return set[key] ?? null;
  let at: unknown = set;
  for (const part of key.split('.')) at = at && typeof at === 'object' ? (at as ParamSet)[part] : undefined;
  return at ?? null;
}

function byMergeKey(keys: string[], sets: ParamSet[], go: boolean): Map<string, ParamSet> | string {
  const out = new Map<string, ParamSet>();
  for (const set of sets) {
    const key = JSON.stringify(Object.fromEntries(keys.map((k) => [k, keyValue(set, k, go)])));
    if (out.has(key)) return `holds two parameter sets with the same merge keys ${key}`;
    out.set(key, set);
  }
  return out;
}

export async function mergeParams(
  merge: Children & { mergeKeys?: string[] },
  ctx: CombineContext,
): Promise<ParamSet[] | string> {
  const keys = [...new Set(merge.mergeKeys ?? [])].sort();
  const children = merge.generators ?? [];
  if (keys.length === 0) return 'merge has no mergeKeys: skipped';
  if (children.length < 2)
    return `merge needs at least two child generators, it has ${children.length}: skipped`;
  const sets: ParamSet[][] = [];
  for (const [i, child] of children.entries()) {
    const params = await ctx.params(child);
    if (typeof params === 'string') return `merge child ${i} ${params}`;
    sets.push(params);
  }
  const base = byMergeKey(keys, sets[0], ctx.go);
  if (typeof base === 'string') return `merge child 0 ${base}: skipped`;
  for (const [i, others] of sets.slice(1).entries()) {
    const by = byMergeKey(keys, others, ctx.go);
    if (typeof by === 'string') return `merge child ${i + 1} ${by}: skipped`;
    for (const [key, set] of base) {
      const over = by.get(key);
      if (over) base.set(key, ctx.go ? deepMerge(set, over) : { ...set, ...over });
    }
  }
  return [...base.values()];
}
