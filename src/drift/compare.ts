// Comparing: live against what applying Git would leave, as one change-set entry. Pure: the
// dry-run has already run, so these functions need no cluster and are tested from tables.

import type { ChangeSetEntry, KubeObject } from '../model.ts';
import { subjectOf } from '../model.ts';
import type { Prediction } from './dryrun.ts';
import { diffObjects } from './field-diff.ts';
import { attributeChanges } from './fieldsets.ts';
import { fluxApplySkip } from './flux-optouts.ts';
import { holdIgnored } from './hold-ignored.ts';
import { applyIgnore, isSkipped, WHOLE_OBJECT } from './ignore.ts';
import type { IgnoreRuleSet } from './ignore-match.ts';
import { deepEqual, unifiedDiff } from './jsondiff.ts';
import { BUILTIN_LIST_SEMANTICS, type ListSemantics } from './list-semantics.ts';
import { maskSecrets } from './mask.ts';
import { normalizeForDiff } from './normalize.ts';

export interface CompareInput {
  /** The entry as resolved: ref, source and group; its action is decided here. */
  entry: ChangeSetEntry;
  /** Git's object as it would be applied. */
  applyObject: KubeObject;
  prediction: Prediction;
  /** The ignore rules for the object's group. */
  rules: IgnoreRuleSet;
  /** Which lists are maps and by which keys; default: the built-in table. */
  lists?: ListSemantics;
}

export interface Comparison {
  entry: ChangeSetEntry;
  /** The object to apply: ignored fields take their live values, as Flux's apply leaves them. */
  applyObject: KubeObject;
  /** Fields only take-over managers own and Git does not set: what remediation takes over and removes. */
  manualFields: string[];
}

export function compareObject(input: CompareInput): Comparison {
  const { prediction, applyObject } = input;
  const title = subjectOf(input.entry.ref);
  const base: ChangeSetEntry = { ...input.entry, changes: [], diff: '' };
  if (prediction.mode) base.diffMode = prediction.mode;
  if (prediction.kind === 'would-create') {
    const entry: ChangeSetEntry = {
      ...base,
      action: 'created',
      diff: createdDiff(prediction.predicted, title),
    };
    if (prediction.pending === 'namespace')
      entry.note = `namespace ${input.entry.ref.namespace} is new in this change`;
    if (prediction.pending === 'kind')
      entry.note = 'its CustomResourceDefinition is new in this change and not installed yet';
    return { entry, applyObject, manualFields: [] };
  }
  const { live, adoption } = prediction;
  // Fields only take-over managers own (kubectl edit/label/set env/patch, helm install) that
  // Git does not set survive a dry-run; remediation takes them over and removes them, so the
  // preview must show that.
  const notes = [...adoption.notes];
  const ignored = input.rules.pathsFor(live);
  const held = ignored.length > 0 ? holdIgnored(applyObject, live, ignored) : applyObject;
  const result = { applyObject: held, manualFields: adoption.removed };
  // The in-sync proof predicts the live object itself, with nothing taken over: both sides of
  // the comparison below would be the same object, normalized and masked the same way.
  if (adoption.after === live)
    return { ...result, entry: withNotes({ ...base, action: 'unchanged' }, notes) };
  const masked = maskSecrets(
    normalizeForDiff(applyIgnore(live, ignored)),
    normalizeForDiff(applyIgnore(adoption.after, ignored)),
  );
  const before = masked.live as KubeObject;
  const after = masked.predicted as KubeObject;
  if (deepEqual(before, after)) {
    return { ...result, entry: withNotes({ ...base, action: 'unchanged' }, notes) };
  }
  if (!live.metadata.managedFields?.length)
    notes.push('attribution not available: the live object has no managed fields');
  if (prediction.defaultedPaths.length > 0) {
    notes.push(
      `client diff mode: the API server may default fields inside ${prediction.defaultedPaths.join(', ')}, which only a dry-run shows`,
    );
  }
  const entry: ChangeSetEntry = {
    ...base,
    action: 'configured',
    changes: attributeChanges(live, diffObjects(before, after, '', input.lists ?? BUILTIN_LIST_SEMANTICS)),
    diff: unifiedDiff(before, after, title),
  };
  return { ...result, entry: withNotes(entry, notes) };
}

function withNotes(entry: ChangeSetEntry, notes: string[]): ChangeSetEntry {
  return notes.length > 0 ? { ...entry, note: notes.join('; ') } : entry;
}

export interface SkipInput {
  applyObject: KubeObject;
  live: KubeObject | null;
  group?: string;
  /** Why the object's group is skipped (a suspended Flux Kustomization), if it is. */
  skippedGroup?: string;
  /** The group's own ignore rules: a path `""` among them leaves the whole object out. */
  groupRules?: IgnoreRuleSet;
}

/** Why the object is reported skipped and never dry-run, or undefined. */
export function skipReason(input: SkipInput): string | undefined {
  const { applyObject, live, group, groupRules } = input;
  if (input.skippedGroup) return input.skippedGroup;
  // helm-controller's way to leave an object out of drift detection.
  if (groupRules?.pathsFor(live ?? applyObject).includes(WHOLE_OBJECT))
    return `an ignore rule of ${group} ignores the whole object`;
  return isSkipped(applyObject) ?? (live ? (isSkipped(live) ?? fluxApplySkip(applyObject, live)) : undefined);
}

export function skippedEntry(entry: ChangeSetEntry, reason: string): ChangeSetEntry {
  return { ...entry, action: 'skipped', note: reason };
}

/** The diff of an object that would be created: every line added, Secret values masked. */
export function createdDiff(object: KubeObject, title: string): string {
  return unifiedDiff(null, maskSecrets(null, normalizeForDiff(object)).predicted, title);
}

/** The diff of an object that would be deleted: every line removed, Secret values masked. */
export function deletedDiff(object: KubeObject, title: string): string {
  return unifiedDiff(maskSecrets(normalizeForDiff(object), null).live, null, title);
}
