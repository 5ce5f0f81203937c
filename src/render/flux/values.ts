// helm-controller's rules for a HelmRelease's values and release name, as pure functions.
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';

export type Values = Record<string, unknown>;

function isMap(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge as Flux's MergeMaps: maps merge key by key, anything else in `over` replaces. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isMap(value) && isMap(out[key]) ? mergeValues(out[key] as Values, value) : value;
  }
  return out;
}

/** A `--set`-style scalar: Helm's strvals reads ints, booleans and null, the rest as strings. */
function typedScalar(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (/^(0|-?[1-9][0-9]*)$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  return value;
}

/** Splits a dot path, honouring `\.` for keys that contain dots (as Helm's strvals). */
function pathSegments(path: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '\\' && path[i + 1] === '.') {
      current += '.';
      i++;
    } else if (path[i] === '.') {
      segments.push(current);
      current = '';
    } else current += path[i];
  }
  segments.push(current);
  return segments;
}

/**
 * Sets one flat value at a `targetPath` (`a.b.c`, `list[0].x`) as `--set` would, or with
 * `literal` as `--set-literal` would: the string as it is, never read as a number or boolean.
 */
export function setAtPath(values: Values, targetPath: string, value: string, literal = false): Values {
  const leaf = literal ? value : typedScalar(value);
  const out = mergeValues({}, values);
  let node: Values | unknown[] = out;
  const segments = pathSegments(targetPath.trim());
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    const indexed = /^(.*?)\[(\d+)\]$/.exec(segment);
    const key = indexed ? indexed[1] : segment;
    if (!key && !indexed) throw new Error(`targetPath "${targetPath}" has an empty segment`);
    const container = node as Values;
    if (indexed) {
      const list = Array.isArray(container[key]) ? [...(container[key] as unknown[])] : [];
      container[key] = list;
      const at = Number(indexed[2]);
      while (list.length <= at) list.push(null);
      if (last) list[at] = leaf;
      else {
        list[at] = isMap(list[at]) ? { ...(list[at] as Values) } : {};
        node = list[at] as Values;
      }
      return;
    }
    if (last) container[key] = leaf;
    else {
      container[key] = isMap(container[key]) ? { ...(container[key] as Values) } : {};
      node = container[key] as Values;
    }
  });
  return out;
}

export interface ValuesReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  valuesKey?: string;
  targetPath?: string;
  optional?: boolean;
  /** With targetPath: the value verbatim (helm-controller 1.6, Flux 2.9). */
  literal?: boolean;
}

/** Reads a ConfigMap's or Secret's data as Kubernetes would serve it (Secret stringData folded in). */
export function dataOf(object: {
  kind: string;
  data?: unknown;
  stringData?: unknown;
}): Record<string, string> {
  const data: Record<string, string> = {};
  if (isMap(object.data)) {
    for (const [key, value] of Object.entries(object.data)) {
      data[key] =
        object.kind === 'Secret' ? Buffer.from(String(value), 'base64').toString('utf8') : String(value);
    }
  }
  if (object.kind === 'Secret' && isMap(object.stringData)) {
    for (const [key, value] of Object.entries(object.stringData)) data[key] = String(value);
  }
  return data;
}

/**
 * The values helm-controller hands to Helm: each `valuesFrom` in order (merged at the root,
 * or set at `targetPath`), then the inline `values` over them. `lookup` returns the data of
 * a ConfigMap/Secret in the release's namespace, or undefined when there is none.
 */
export function composeValues(
  valuesFrom: ValuesReference[],
  inline: Values | undefined,
  lookup: (kind: string, name: string) => Record<string, string> | undefined,
): Values {
  let result: Values = {};
  for (const ref of valuesFrom) {
    const data = lookup(ref.kind, ref.name);
    const key = ref.valuesKey || 'values.yaml';
    if (data === undefined) {
      if (ref.optional) continue;
      throw new Error(`could not find ${ref.kind} '${ref.name}' for valuesFrom`);
    }
    if (!Object.hasOwn(data, key)) {
      if (ref.optional) continue;
      throw new Error(`missing key '${key}' in ${ref.kind} '${ref.name}'`);
    }
    if (ref.targetPath) {
      result = setAtPath(result, ref.targetPath, data[key], ref.literal === true);
      continue;
    }
    const parsed = parseYaml(data[key]) ?? {};
    if (!isMap(parsed)) throw new Error(`key '${key}' in ${ref.kind} '${ref.name}' is not a YAML map`);
    result = mergeValues(result, parsed);
  }
  return inline ? mergeValues(result, inline) : result;
}

/** Helm release names are at most 53 characters; helm-controller shortens longer ones with a hash. */
export function shortenReleaseName(name: string): string {
  if (name.length <= 53) return name;
  const hash = createHash('sha256').update(name).digest('hex');
  return `${name.slice(0, 53 - 13)}-${hash.slice(0, 12)}`;
}

/** `spec.releaseName`, else `[targetNamespace-]name`, shortened as helm-controller does. */
export function releaseNameOf(release: {
  name: string;
  releaseName?: string;
  targetNamespace?: string;
}): string {
  const full =
    release.releaseName ||
    (release.targetNamespace ? `${release.targetNamespace}-${release.name}` : release.name);
  return shortenReleaseName(full);
}
