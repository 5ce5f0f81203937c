// Which ignore rules select an object: rules compiled once into an immutable set, indexed by
// literal target name, so thousands of rules are not tried on every object.

import { type FieldsV1, type KubeObject, refOf } from '../model.ts';
import { fieldPointers } from './fieldset-keys.ts';
import type { IgnoreRule } from './ignore.ts';
import { pointerProblem } from './jsondiff.ts';
import { type LabelSelector, matchesSelector, parseLabelSelector } from './selector.ts';

interface CompiledRule {
  paths: readonly string[];
  managers?: ReadonlySet<string>;
  group?: RegExp;
  version?: RegExp;
  kind?: RegExp;
  name?: RegExp;
  namespace?: RegExp;
  labels?: LabelSelector;
  annotations?: LabelSelector;
}

/** Flux's selectors take regular expressions for these, matched against the whole value. */
function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/**
 * The rule with its patterns and selectors compiled; throws an Error naming `where` and the
 * bad pointer, expression or selector. `wholeObject` allows the path `""` (whole object).
 */
export function compileRule(rule: IgnoreRule, where: string, wholeObject = false): CompiledRule {
  const compiled: CompiledRule = { paths: [...rule.paths] };
  if (rule.managers?.length) compiled.managers = new Set(rule.managers);
  for (const path of rule.paths) {
    const problem = pointerProblem(path);
    if (problem || (path === '' && !wholeObject)) {
      throw new Error(
        `${where}: path "${path}" is not a JSON pointer: ${problem ?? 'it would remove the whole object'}`,
      );
    }
  }
  const t = rule.target;
  if (!t) return compiled;
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
  return compiled;
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

/** The pointers of the fields `managers` own in `object` (by its `metadata.managedFields`). */
function managedBy(object: KubeObject, managers: ReadonlySet<string>): string[] {
  return (object.metadata?.managedFields ?? [])
    .filter((entry) => entry.manager !== undefined && managers.has(entry.manager) && entry.fieldsV1)
    .flatMap((entry) => fieldPointers(object, entry.fieldsV1 as FieldsV1));
}

interface Ranked {
  order: number;
  rule: CompiledRule;
}

const LITERAL = /^(?:[^\\.*+?^${}()|[\]]|\\[.*+?^${}()|[\]\\/-])*$/;

/**
 * Ignore rules compiled once (for one plan, or one group of it). The set copies what it needs,
 * so changing the rules afterwards does not change it. Rules were validated when parsed;
 * the whole-object path `""` is allowed here, as group rules may hold it.
 */
export class IgnoreRuleSet {
  /** Rules whose target name is a literal (as the default rules are), by that name. */
  private readonly byName = new Map<string, Ranked[]>();
  private readonly others: Ranked[] = [];

  constructor(rules: readonly IgnoreRule[]) {
    rules.forEach((rule, order) => {
      const compiled = compileRule(rule, `ignore rule ${order}`, true);
      const name = rule.target?.name;
      if (name !== undefined && LITERAL.test(name)) {
        const literal = name.replace(/\\(.)/g, '$1');
        const list = this.byName.get(literal);
        if (list) list.push({ order, rule: compiled });
        else this.byName.set(literal, [{ order, rule: compiled }]);
      } else this.others.push({ order, rule: compiled });
    });
  }

  /** The pointers of every rule whose target selects `object`, in rule order, without duplicates. */
  pathsFor(object: KubeObject): string[] {
    const named = this.byName.get(object.metadata?.name ?? '');
    const candidates = named ? [...named, ...this.others].sort((a, b) => a.order - b.order) : this.others;
    const out = new Set<string>();
    for (const { rule } of candidates) {
      if (!ruleMatches(rule, object)) continue;
      for (const path of rule.paths) out.add(path);
      if (rule.managers) for (const path of managedBy(object, rule.managers)) out.add(path);
    }
    return [...out];
  }
}

/** The pointers of every rule in `rules` that selects `object` (compiles them; for one-off use). */
export function rulesFor(object: KubeObject, rules: readonly IgnoreRule[]): string[] {
  return new IgnoreRuleSet(rules).pathsFor(object);
}

/**
 * The rule sets of one plan: the rules for every object, and for each group those plus the
 * group's own. Each set is compiled once, on first use, and kept by group name.
 */
export class PlanIgnoreRules {
  private readonly common: IgnoreRuleSet;
  private readonly commonRules: readonly IgnoreRule[];
  private readonly groupRules: ReadonlyMap<string, readonly IgnoreRule[]>;
  private readonly combined = new Map<string, IgnoreRuleSet>();
  private readonly own = new Map<string, IgnoreRuleSet>();

  constructor(rules: readonly IgnoreRule[], groupRules?: ReadonlyMap<string, readonly IgnoreRule[]>) {
    this.commonRules = [...rules];
    this.common = new IgnoreRuleSet(this.commonRules);
    this.groupRules = new Map(groupRules ?? []);
  }

  /** The rules for an object of `group`: every object's, then the group's own. */
  forGroup(group: string | undefined): IgnoreRuleSet {
    const own = group === undefined ? undefined : this.groupRules.get(group);
    if (group === undefined || !own) return this.common;
    let set = this.combined.get(group);
    if (!set) {
      set = new IgnoreRuleSet([...this.commonRules, ...own]);
      this.combined.set(group, set);
    }
    return set;
  }

  /** The group's own rules only (where a whole-object rule may stand), or undefined when it has none. */
  groupOnly(group: string | undefined): IgnoreRuleSet | undefined {
    const own = group === undefined ? undefined : this.groupRules.get(group);
    if (group === undefined || !own) return undefined;
    let set = this.own.get(group);
    if (!set) {
      set = new IgnoreRuleSet(own);
      this.own.set(group, set);
    }
    return set;
  }
}
