// What Flux objects say about drift of the objects they apply: suspended Kustomizations and
// HelmReleases, HelmRelease `spec.driftDetection.mode`, and the ignore rules of Kustomization
// `spec.ignore` and HelmRelease `spec.driftDetection.ignore`, each for its own objects only.
import { type IgnoreRule, ignoreRulesOf } from '../../drift/ignore.ts';
import type { PlanError } from '../../model.ts';
import type { FluxGroup } from './index.ts';

export interface FluxDriftSettings {
  /** Group name → why its objects are skipped. */
  skippedGroups: Map<string, string>;
  /** Group name → why its drift is reported and not corrected. */
  reportOnlyGroups: Map<string, string>;
  /** Group name → ignore rules for its objects. */
  groupIgnoreRules: Map<string, IgnoreRule[]>;
  /** Ignore rules that cannot be read: an error for that group. */
  errors: PlanError[];
}

/**
 * `mode: warn` is reported and, as helm-controller does, never corrected by apply.
 * helm-controller reads an absent `driftDetection` as disabled; kube-drift diffs those
 * releases all the same, because finding drift is what it is run for, and only an explicit
 * `mode: disabled` (someone decided drift does not matter there) skips the release.
 */
export function fluxDriftSettings(groups: readonly FluxGroup[]): FluxDriftSettings {
  const result: FluxDriftSettings = {
    skippedGroups: new Map(),
    reportOnlyGroups: new Map(),
    groupIgnoreRules: new Map(),
    errors: [],
  };
  for (const group of groups) {
    if (group.suspended) result.skippedGroups.set(group.name, `${group.name} is suspended`);
    else if (group.kind === 'HelmRelease' && group.driftDetection === 'disabled')
      result.skippedGroups.set(group.name, `${group.name} has spec.driftDetection.mode: disabled`);
    else if (group.kind === 'HelmRelease' && group.driftDetection === 'warn')
      result.reportOnlyGroups.set(
        group.name,
        `not corrected: ${group.name} has spec.driftDetection.mode: warn (drift is reported, not corrected)`,
      );
    if (!group.ignore) continue;
    try {
      const rules = ignoreRulesOf(group.ignore, group.ignoreOrigin ?? group.name, {
        wholeObject: group.kind === 'HelmRelease',
      });
      if (rules.length > 0) result.groupIgnoreRules.set(group.name, rules);
    } catch (error) {
      result.errors.push({
        message: error instanceof Error ? error.message : String(error),
        object: group.name,
      });
    }
  }
  return result;
}
