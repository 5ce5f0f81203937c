// What every risk rule is handed (object and deletion views, settings) and returns (drafts); whose change a finding is.

import type { ApiRefusal } from '../kube/refusal.ts';
import type {
  ChangeClass,
  ChangeSetEntry,
  FieldChange,
  KubeObject,
  ObjectRef,
  RiskSeverity,
  SourceLocation,
} from '../model.ts';
import type { RiskAcceptance } from '../settings/risk.ts';
import type { RuleReads } from './reader.ts';

/** One object in Git as the plan left it, with the change set's (three-way classed) entry. */
export interface ObjectView {
  ref: ObjectRef;
  subject: string;
  source: SourceLocation;
  /** The object Git applies: namespace defaulted, owner labels added. */
  desired: KubeObject;
  live: KubeObject | null;
  entry: ChangeSetEntry;
  /** The entry's field changes; for an object to create, one change at the root holding all of it. */
  changes: FieldChange[];
  /** Why the dry-run was refused, when it was. */
  refusal?: ApiRefusal;
}

/** One object the plan would delete (kube-drift's prune, or Flux's). */
export interface DeletionView {
  ref: ObjectRef;
  subject: string;
  live: KubeObject;
  entry: ChangeSetEntry;
  origin: 'inventory' | 'flux';
}

/** The settings the review reads. */
export interface RiskReviewSettings {
  target: string;
  /** Whether remediation prunes: deletions happen only then (Flux's own prunes aside). */
  prune: boolean;
  maxDeletions: number;
  /** Whether remediation recreates objects whose immutable fields change. */
  force: boolean;
  accepted: readonly RiskAcceptance[];
}

export interface RiskContext {
  objects: ObjectView[];
  deletions: DeletionView[];
  settings: RiskReviewSettings;
  /** True in a three-way preview: findings carry whose change they come from. */
  threeWay: boolean;
}

/** What a rule's check returns; the review adds the rule id, its severity and any acceptance. */
export interface RiskDraft {
  subject: string;
  source?: SourceLocation;
  message: string;
  /** Overrides the rule's default severity. */
  severity?: RiskSeverity;
  predicted?: boolean;
  origin?: ChangeClass;
  image?: { container: string; from?: string; to?: string };
}

export type RiskCheck = (context: RiskContext, reads: RuleReads) => RiskDraft[] | Promise<RiskDraft[]>;

/** A draft for an object in Git: its subject, its manifest line, and whose change it is. */
export function draftFor(
  context: RiskContext,
  view: ObjectView,
  message: string,
  prefixes: string[],
): RiskDraft {
  const draft: RiskDraft = { subject: view.subject, source: view.source, message };
  const origin = originOf(context, view, prefixes);
  if (origin) draft.origin = origin;
  return draft;
}

/**
 * Whose change a finding on these fields is, in a three-way preview: the classes of the changes
 * at, under or above the pointers given. An object to create is the PR's when the PR adds it,
 * else drift (the merge would recreate what was removed by hand).
 */
export function originOf(
  context: RiskContext,
  view: ObjectView,
  prefixes: string[],
): ChangeClass | undefined {
  if (!context.threeWay) return undefined;
  if (view.entry.action === 'created') return view.entry.prStatus === 'added' ? 'pr' : 'drift';
  const classes = new Set<ChangeClass>();
  for (const change of view.entry.changes) {
    if (!change.class) continue;
    if (prefixes.some((p) => related(change.path, p))) classes.add(change.class);
  }
  if (classes.size === 0) return undefined;
  return classes.size === 1 ? [...classes][0] : 'both';
}

function related(path: string, prefix: string): boolean {
  return (
    path === prefix ||
    prefix === '' ||
    path.startsWith(`${prefix}/`) ||
    prefix.startsWith(`${path}/`) ||
    path === ''
  );
}

/** The origin of a deletion in a three-way preview: the PR removes it, or it left Git before. */
export function deletionOrigin(context: RiskContext, view: DeletionView): ChangeClass | undefined {
  if (!context.threeWay) return undefined;
  return view.entry.prStatus === 'removed' ? 'pr' : 'drift';
}
