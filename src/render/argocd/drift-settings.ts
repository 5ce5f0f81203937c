// What Argo CD Applications say about drift of the objects they deploy: `ignoreDifferences`
// (jsonPointers, managedFieldsManagers) for their own objects, and that kube-drift reports their drift but leaves
// correcting it to Argo CD (unless argocd-remediate says otherwise).
import type { IgnoreRule, IgnoreTarget } from '../../drift/ignore.ts';
import { ignoreRulesOf } from '../../drift/ignore.ts';
import type { PlanError } from '../../model.ts';
import type { ArgoGroup } from './types.ts';

export interface ArgoDriftSettings {
  reportOnlyGroups: Map<string, string>;
  groupIgnoreRules: Map<string, IgnoreRule[]>;
  errors: PlanError[];
  /** What of the rules kube-drift does not apply (jq expressions, managers), once per Application. */
  notes: string[];
}

interface IgnoreDifference {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  jsonPointers?: string[];
  jqPathExpressions?: string[];
  managedFieldsManagers?: string[];
}

/** A literal (or `*` glob) as the anchored regular expression ignore targets hold. */
function pattern(text: string): string {
  return text
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
}

/** `ignoreDifferences` with jsonPointers as ignore rules; what else they hold, as notes. */
/** `ignoreDifferences` as ignore rules: jsonPointers as paths, managedFieldsManagers by manager; jq, as notes. */
export function ignoreDifferencesRules(
  list: unknown,
  origin: string,
): { rules: IgnoreRule[]; managed: IgnoreRule[]; notes: string[] } {
  const rules: IgnoreRule[] = [];
  const managed: IgnoreRule[] = [];
  const notes: string[] = [];
  if (!Array.isArray(list)) return { rules, managed, notes };
  for (const item of list as IgnoreDifference[]) {
    const target: IgnoreTarget = { group: pattern(item.group ?? ''), kind: pattern(item.kind ?? '*') };
    if (item.name) target.name = pattern(item.name);
    if (item.namespace) target.namespace = pattern(item.namespace);
    if (item.jsonPointers?.length) rules.push({ paths: item.jsonPointers, target });
    if (item.managedFieldsManagers?.length)
      managed.push({ paths: [], target, managers: item.managedFieldsManagers });
    const kind = `${item.group ? `${item.group}/` : ''}${item.kind ?? '*'}`;
    if (item.jqPathExpressions?.length)
      notes.push(
        `${origin}: jqPathExpressions for ${kind} are not applied by kube-drift (jsonPointers and managedFieldsManagers are)`,
      );
  }
  return { rules, managed, notes };
}

export function argoDriftSettings(groups: readonly ArgoGroup[], remediate: boolean): ArgoDriftSettings {
  const result: ArgoDriftSettings = {
    reportOnlyGroups: new Map(),
    groupIgnoreRules: new Map(),
    errors: [],
    notes: [],
  };
  for (const group of groups) {
    if (group.skipped) continue;
    if (!remediate)
      result.reportOnlyGroups.set(
        group.name,
        `not corrected: managed by Argo CD ${group.name} (set argocd-remediate: true to let kube-drift apply it)`,
      );
    const origin = `${group.name} spec.ignoreDifferences`;
    const { rules, managed, notes } = ignoreDifferencesRules(group.ignoreDifferences, origin);
    result.notes.push(...notes);
    try {
      // Checked as every ignore rule is: a pointer that is not one is an error for this Application.
      ignoreRulesOf(rules, origin);
      if (rules.length + managed.length > 0) result.groupIgnoreRules.set(group.name, [...rules, ...managed]);
    } catch (error) {
      result.errors.push({
        message: error instanceof Error ? error.message : String(error),
        object: group.name,
      });
    }
  }
  return result;
}
