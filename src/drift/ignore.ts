// Ignore rules in Flux's shape (parsed and validated, then applied to an object) and the
// per-object opt-out annotations. Matching lives in ignore-match.ts, defaults in default-ignores.ts.

import { parse } from 'yaml';
import { InputError } from '../errors.ts';
import type { KubeObject } from '../model.ts';
import { removePointers } from './fieldsets.ts';
import { compileRule } from './ignore-match.ts';
import { escapeToken, isPlainObject, parsePointer } from './jsondiff.ts';

export interface IgnoreTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface IgnoreRule {
  /** JSON pointers; a `*` token stands for every element of an array or every key of a map. */
  paths: string[];
  /** Which objects the rule applies to; all objects when absent. */
  target?: IgnoreTarget;
  /** Also every field these field managers own in the live object (Argo CD's managedFieldsManagers). */
  managers?: string[];
}

/** Annotation (or label) whose value `disabled` skips diff and remediation of an object. */
export const SKIP_ANNOTATION = 'kube-drift.dev/reconcile';
/** Flux's equivalent, honoured so repositories shared with Flux behave the same. */
export const FLUX_SKIP_ANNOTATION = 'kustomize.toolkit.fluxcd.io/reconcile';
const SKIP_VALUE = 'disabled';

/**
 * Rules from a YAML or JSON document: a list of rules, or `{rules: [...]}`. Errors name
 * `origin`, the rule's index and the bad pointer, selector or expression.
 */
export function parseIgnoreRules(text: string, origin: string): IgnoreRule[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new InputError(`${origin}: ignore rules are not valid YAML or JSON: ${(error as Error).message}`, {
      file: origin,
      cause: error,
    });
  }
  if (document === null || document === undefined) return [];
  return ignoreRulesOf(isPlainObject(document) && 'rules' in document ? document.rules : document, origin);
}

/** The path that ignores a whole object (helm-controller's drift-detection rules allow it). */
export const WHOLE_OBJECT = '';

/**
 * Rules from a parsed list (as written in a Flux object). `wholeObject` allows the path `""`,
 * which helm-controller reads as: leave the whole object out of drift detection.
 */
export function ignoreRulesOf(
  list: unknown,
  origin: string,
  options: { wholeObject?: boolean } = {},
): IgnoreRule[] {
  if (!Array.isArray(list)) {
    throw new InputError(`${origin}: ignore rules must be a list of {paths, target} (or {rules: [...]})`, {
      file: origin,
      hint: 'For example:\n  - paths: ["/spec/replicas"]\n    target: {kind: Deployment, name: "web-.*"}',
    });
  }
  return list.map((item, i) => {
    const where = `${origin}: rule ${i}`;
    const fail = (message: string): never => {
      throw new InputError(`${where}: ${message}`, { file: origin });
    };
    if (!isPlainObject(item)) return fail('must be a map with "paths" and an optional "target"');
    for (const key of Object.keys(item))
      if (key !== 'paths' && key !== 'target') fail(`unknown field "${key}"`);
    const paths = item.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
      return fail('"paths" must be a non-empty list of JSON pointers such as "/spec/replicas"');
    }
    const rule: IgnoreRule = { paths: paths as string[] };
    if (item.target !== undefined) {
      if (!isPlainObject(item.target)) return fail('"target" must be a map');
      const target: IgnoreTarget = {};
      for (const [key, value] of Object.entries(item.target)) {
        if (
          !['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'].includes(
            key,
          )
        ) {
          fail(`unknown field "target.${key}"`);
        }
        if (typeof value !== 'string') fail(`"target.${key}" must be a string`);
        target[key as keyof IgnoreTarget] = value as string;
      }
      rule.target = target;
    }
    try {
      compileRule(rule, where, options.wholeObject);
    } catch (error) {
      throw new InputError((error as Error).message, { file: origin });
    }
    return rule;
  });
}

/**
 * A copy of `object` without the values at `pointers`. A pointer that does not exist is fine.
 * A `*` token is a wildcard for every element of an array or every key of a map
 * (`/spec/template/spec/containers/*\/image`); Kubernetes keys never contain `*`, so a
 * literal `*` key is not needed.
 */
export function applyIgnore<T>(object: T, pointers: readonly string[]): T {
  if (pointers.length === 0) return object;
  const concrete: string[] = [];
  for (const pointer of pointers) {
    const tokens = parsePointer(pointer);
    if (tokens.length === 0) continue;
    if (!tokens.includes('*')) concrete.push(pointer);
    else expandWildcards(object, tokens, 0, '', concrete);
  }
  return removePointers(object, concrete);
}

export function expandWildcards(
  value: unknown,
  tokens: string[],
  at: number,
  prefix: string,
  out: string[],
): void {
  if (at === tokens.length) {
    out.push(prefix);
    return;
  }
  const token = tokens[at];
  if (token === '*') {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) expandWildcards(value[i], tokens, at + 1, `${prefix}/${i}`, out);
    } else if (isPlainObject(value)) {
      for (const key of Object.keys(value)) {
        expandWildcards(value[key], tokens, at + 1, `${prefix}/${escapeToken(key)}`, out);
      }
    }
    return;
  }
  let child: unknown;
  if (Array.isArray(value)) child = /^\d+$/.test(token) ? value[Number(token)] : undefined;
  else if (isPlainObject(value) && Object.hasOwn(value, token)) child = value[token];
  if (child === undefined) return;
  expandWildcards(child, tokens, at + 1, `${prefix}/${escapeToken(token)}`, out);
}

/** Why `object` is skipped (its opt-out annotation or label), or undefined. */
export function isSkipped(object: KubeObject): string | undefined {
  for (const key of [SKIP_ANNOTATION, FLUX_SKIP_ANNOTATION]) {
    const annotation = object.metadata?.annotations?.[key];
    if (typeof annotation === 'string' && annotation.toLowerCase() === SKIP_VALUE) {
      return `annotation ${key}: ${annotation}`;
    }
    const label = object.metadata?.labels?.[key];
    if (typeof label === 'string' && label.toLowerCase() === SKIP_VALUE) return `label ${key}: ${label}`;
  }
  return undefined;
}
