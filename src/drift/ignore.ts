// Ignore rules in Flux's shape, per-object opt-out annotations, and default rules for noise
// that Git cannot avoid (an autoscaler owning `spec.replicas`).

import { parse } from 'yaml';
import { InputError } from '../errors.ts';
import { type KubeObject, refOf } from '../model.ts';
import { removePointers } from './fieldsets.ts';
import { escapeToken, isPlainObject, parsePointer, pointerProblem } from './jsondiff.ts';

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
}

/** Annotation (or label) whose value `disabled` skips diff and remediation of an object. */
export const SKIP_ANNOTATION = 'kube-drift.dev/reconcile';
/** Flux's equivalent, honoured so repositories shared with Flux behave the same. */
export const FLUX_SKIP_ANNOTATION = 'kustomize.toolkit.fluxcd.io/reconcile';
const SKIP_VALUE = 'disabled';

// ---------------------------------------------------------------------------------------------
// Label selectors (Kubernetes syntax: `a=b,c!=d,e in (x,y),f notin (z),!g,h`)

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

// ---------------------------------------------------------------------------------------------
// Rules

interface CompiledRule {
  paths: string[];
  group?: RegExp;
  version?: RegExp;
  kind?: RegExp;
  name?: RegExp;
  namespace?: RegExp;
  labels?: LabelSelector;
  annotations?: LabelSelector;
}

const compiledRules = new WeakMap<IgnoreRule, CompiledRule>();

/** Flux's selectors take regular expressions for these, matched against the whole value. */
function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

function compile(rule: IgnoreRule, where: string, wholeObject = false): CompiledRule {
  const compiled: CompiledRule = { paths: rule.paths };
  for (const path of rule.paths) {
    const problem = pointerProblem(path);
    if (problem || (path === '' && !wholeObject)) {
      throw new Error(
        `${where}: path "${path}" is not a JSON pointer: ${problem ?? 'it would remove the whole object'}`,
      );
    }
  }
  const t = rule.target;
  if (t) {
    for (const field of ['group', 'version', 'kind', 'name', 'namespace'] as const) {
      const pattern = t[field];
      if (pattern === undefined) continue;
      try {
        compiled[field] = anchored(pattern);
      } catch (error) {
        throw new Error(
          `${where}: target.${field} "${pattern}" is not a regular expression: ${(error as Error).message}`,
        );
      }
    }
    for (const [field, into] of [
      ['labelSelector', 'labels'],
      ['annotationSelector', 'annotations'],
    ] as const) {
      const text = t[field];
      if (text === undefined) continue;
      try {
        compiled[into] = parseLabelSelector(text);
      } catch (error) {
        throw new Error(`${where}: target.${field} "${text}": ${(error as Error).message}`);
      }
    }
  }
  return compiled;
}

function compiledOf(rule: IgnoreRule): CompiledRule {
  let compiled = compiledRules.get(rule);
  if (!compiled) {
    compiled = compile(rule, 'ignore rule');
    compiledRules.set(rule, compiled);
  }
  return compiled;
}

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
      compiledRules.set(rule, compile(rule, where, options.wholeObject));
    } catch (error) {
      throw new InputError((error as Error).message, { file: origin });
    }
    return rule;
  });
}

function ruleMatches(rule: CompiledRule, object: KubeObject): boolean {
  const ref = refOf(object);
  if (rule.group && !rule.group.test(ref.group)) return false;
  if (rule.version && !rule.version.test(ref.version)) return false;
  if (rule.kind && !rule.kind.test(ref.kind)) return false;
  if (rule.name && !rule.name.test(ref.name)) return false;
  if (rule.namespace && !rule.namespace.test(ref.namespace ?? '')) return false;
  if (rule.labels && !matchesSelector(rule.labels, object.metadata?.labels)) return false;
  if (rule.annotations && !matchesSelector(rule.annotations, object.metadata?.annotations)) return false;
  return true;
}

interface RuleIndex {
  /** Rules whose target name is a literal (as the default rules are), by that name. */
  byName: Map<string, { order: number; rule: CompiledRule }[]>;
  others: { order: number; rule: CompiledRule }[];
}

const ruleIndexes = new WeakMap<readonly IgnoreRule[], RuleIndex>();
const LITERAL = /^(?:[^\\.*+?^${}()|[\]]|\\[.*+?^${}()|[\]\\/-])*$/;

/** Thousands of rules (one per autoscaled workload) must not be tried on every object. */
function indexRules(rules: readonly IgnoreRule[]): RuleIndex {
  let index = ruleIndexes.get(rules);
  if (index) return index;
  index = { byName: new Map(), others: [] };
  rules.forEach((rule, order) => {
    const compiled = compiledOf(rule);
    const name = rule.target?.name;
    if (name !== undefined && LITERAL.test(name)) {
      const literal = name.replace(/\\(.)/g, '$1');
      const list = index.byName.get(literal);
      if (list) list.push({ order, rule: compiled });
      else index.byName.set(literal, [{ order, rule: compiled }]);
    } else index.others.push({ order, rule: compiled });
  });
  ruleIndexes.set(rules, index);
  return index;
}

/** The pointers of every rule whose target selects `object`, in rule order, without duplicates. */
export function rulesFor(object: KubeObject, rules: readonly IgnoreRule[]): string[] {
  const index = indexRules(rules);
  const named = index.byName.get(object.metadata?.name ?? '');
  const candidates = named ? [...named, ...index.others].sort((a, b) => a.order - b.order) : index.others;
  const out = new Set<string>();
  for (const { rule } of candidates) {
    if (ruleMatches(rule, object)) for (const path of rule.paths) out.add(path);
  }
  return [...out];
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || apiVersion === '') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function exactTarget(
  apiVersion: unknown,
  kind: string,
  name: string,
  namespace: string | undefined,
): IgnoreTarget | undefined {
  const target: IgnoreTarget = { kind: escapeRegExp(kind), name: escapeRegExp(name) };
  const group = groupOf(apiVersion);
  if (group !== undefined) target.group = escapeRegExp(group);
  if (namespace) target.namespace = escapeRegExp(namespace);
  return target;
}

const CA_INJECTION_ANNOTATIONS = [
  'cert-manager.io/inject-ca-from',
  'cert-manager.io/inject-ca-from-secret',
  'cert-manager.io/inject-apiserver-ca',
];

/**
 * Known noise, derived from the desired set:
 * - `/spec/replicas` of every workload a HorizontalPodAutoscaler or a KEDA ScaledObject
 *   scales: the autoscaler rewrites it, so Git's value is always "drifted" (Flux documents
 *   the same ignore rule).
 * - the CA bundle cert-manager's cainjector writes into webhook configurations, CRD conversion
 *   webhooks and APIServices that ask for it by annotation: charts ship a placeholder there.
 * Nothing else: a server-side dry-run already keeps live values of fields Git does not set.
 */
export function defaultIgnoreRules(desired: readonly KubeObject[]): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const object of desired) {
    const group = groupOf(object.apiVersion);
    const spec = isPlainObject(object.spec) ? object.spec : undefined;
    const scaled =
      (object.kind === 'HorizontalPodAutoscaler' && group === 'autoscaling') ||
      (object.kind === 'ScaledObject' && group === 'keda.sh');
    if (scaled && spec && isPlainObject(spec.scaleTargetRef)) {
      const ref = spec.scaleTargetRef;
      // KEDA defaults the target to an apps/v1 Deployment.
      const kind = typeof ref.kind === 'string' ? ref.kind : group === 'keda.sh' ? 'Deployment' : undefined;
      const apiVersion = ref.apiVersion ?? (group === 'keda.sh' ? 'apps/v1' : undefined);
      if (kind && typeof ref.name === 'string') {
        rules.push({
          paths: ['/spec/replicas'],
          target: exactTarget(apiVersion, kind, ref.name, object.metadata?.namespace),
        });
      }
    }
    const annotations = object.metadata?.annotations;
    if (annotations && CA_INJECTION_ANNOTATIONS.some((a) => Object.hasOwn(annotations, a))) {
      const paths =
        object.kind === 'MutatingWebhookConfiguration' || object.kind === 'ValidatingWebhookConfiguration'
          ? ['/webhooks/*/clientConfig/caBundle']
          : object.kind === 'CustomResourceDefinition'
            ? ['/spec/conversion/webhook/clientConfig/caBundle']
            : object.kind === 'APIService'
              ? ['/spec/caBundle']
              : [];
      if (paths.length > 0) {
        rules.push({
          paths,
          target: exactTarget(object.apiVersion, object.kind, object.metadata.name, undefined),
        });
      }
    }
  }
  return rules;
}
