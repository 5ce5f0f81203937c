// The risk review: every rule of the table over the plan, accepted findings marked, most severe first, gaps listed.

import type { Plan } from '../drift/plan.ts';
import {
  type ChangeSet,
  type ChangeSetEntry,
  identityOf,
  type RiskFinding,
  type RiskReview,
  type RiskSeverity,
  subjectOf,
} from '../model.ts';
import { type AnnotationAcceptances, acceptFinding, annotationOf, parseAcceptAnnotation } from './accept.ts';
import type { DeletionView, ObjectView, RiskContext, RiskDraft, RiskReviewSettings } from './context.ts';
import { type RiskCluster, RiskReader } from './reader.ts';
import { RISK_RULES, type RiskRule } from './rules.ts';

export { consumerReadsAhead } from './config.ts';
export type { RiskReviewSettings } from './context.ts';
export { type RiskCluster, RiskReader, riskClusterOf } from './reader.ts';
export { RISK_RULES } from './rules.ts';

export interface RiskReviewInput {
  plan: Pick<Plan, 'objects' | 'deletions'>;
  /** The change set reported (three-way classed in a preview): its entries give each finding's origin. */
  changeSet: ChangeSet;
  /** True when the change set was classed against a base commit. */
  threeWay: boolean;
  settings: RiskReviewSettings;
  cluster: RiskCluster;
  /** Told about accept-risk annotations that could not be read (unknown rule, no reason). */
  onWarning?: (message: string) => void;
  /** The reader of `cluster` that reads ahead were started with (consumerReadsAhead); else a new one. */
  reader?: RiskReader;
}

export async function reviewRisks(input: RiskReviewInput): Promise<RiskReview> {
  const context = contextOf(input);
  const reader = input.reader ?? new RiskReader(input.cluster);
  const annotations = new Map<string, AnnotationAcceptances>();
  for (const view of context.objects) {
    const value = annotationOf(view.desired);
    if (value === undefined) continue;
    const parsed = parseAcceptAnnotation(value);
    for (const problem of parsed.problems)
      input.onWarning?.(
        `${view.subject} (${view.source.file}:${view.source.line}): kube-drift.dev/accept-risk: ${problem}`,
      );
    annotations.set(view.subject, parsed);
  }
  const failed: { rule: RiskRule; error: unknown }[] = [];
  const results = await Promise.all(
    RISK_RULES.map(async (rule) => {
      try {
        return (await rule.check(context, reader.for(rule.id))).map((draft) => findingOf(rule, draft));
      } catch (error) {
        failed.push({ rule, error });
        return [];
      }
    }),
  );
  const findings = results
    .flat()
    .map((f) => acceptFinding(f, annotations.get(f.subject), input.settings.accepted))
    .sort(compareFindings);
  const unchecked = [
    ...reader.gaps,
    ...failed.map(({ rule, error }) => ({
      rule: rule.id,
      reason: `the check failed: ${error instanceof Error ? error.message : String(error)}`,
    })),
  ].sort((a, b) => ruleIndex(a.rule) - ruleIndex(b.rule));
  return { findings, unchecked };
}

function contextOf(input: RiskReviewInput): RiskContext {
  const entries = new Map<string, ChangeSetEntry>();
  for (const entry of input.changeSet.entries) entries.set(identityOf(entry.ref), entry);
  const objects: ObjectView[] = input.plan.objects.map((p) => {
    const entry = entries.get(identityOf(p.ref)) ?? p.entry;
    const view: ObjectView = {
      ref: p.ref,
      subject: subjectOf(p.ref),
      source: p.desired.source,
      desired: p.applyObject,
      live: p.live,
      entry,
      changes: entry.action === 'created' ? [{ path: '', after: p.applyObject }] : entry.changes,
    };
    if (p.refusal) view.refusal = p.refusal;
    return view;
  });
  const deletions: DeletionView[] = input.plan.deletions.map((d) => ({
    ref: d.ref,
    subject: subjectOf(d.ref),
    live: d.live,
    entry: entries.get(identityOf(d.ref)) ?? d.entry,
    origin: d.origin,
  }));
  return { objects, deletions, settings: input.settings, threeWay: input.threeWay };
}

function findingOf(rule: RiskRule, draft: RiskDraft): RiskFinding {
  const finding: RiskFinding = {
    rule: rule.id,
    severity: draft.severity ?? rule.severity,
    subject: draft.subject,
    message: draft.message,
  };
  if (draft.source) finding.source = draft.source;
  if (draft.predicted) finding.predicted = true;
  if (draft.origin) finding.origin = draft.origin;
  if (draft.image) finding.image = draft.image;
  return finding;
}

const RANK: Record<RiskSeverity, number> = { danger: 0, warning: 1, info: 2 };

function ruleIndex(rule: string): number {
  return RISK_RULES.findIndex((r) => r.id === rule);
}

/** Most severe first, then by subject, then in the table's order of rules. */
export function compareFindings(a: RiskFinding, b: RiskFinding): number {
  return (
    RANK[a.severity] - RANK[b.severity] ||
    (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0) ||
    ruleIndex(a.rule) - ruleIndex(b.rule) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
