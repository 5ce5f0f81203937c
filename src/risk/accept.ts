// Accepted findings: the kube-drift.dev/accept-risk annotation in Git and accept-risk entries in the settings.

import type { KubeObject, RiskFinding, RiskRuleId } from '../model.ts';
import { RISK_RULE_IDS, type RiskAcceptance } from '../settings/risk.ts';

export const ACCEPT_RISK_ANNOTATION = 'kube-drift.dev/accept-risk';

export interface AnnotationAcceptances {
  /** Rule → reason. */
  accepted: Map<RiskRuleId, string>;
  /** Lines that name no rule, or give no reason: said back to the user, never silently dropped. */
  problems: string[];
}

/** The annotation's value, line by line: `rule-id: reason`. */
export function parseAcceptAnnotation(value: string | undefined): AnnotationAcceptances {
  const accepted = new Map<RiskRuleId, string>();
  const problems: string[] = [];
  for (const raw of (value ?? '').split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    const rule = (colon === -1 ? line : line.slice(0, colon)).trim();
    const reason = colon === -1 ? '' : line.slice(colon + 1).trim();
    if (!RISK_RULE_IDS.includes(rule as RiskRuleId)) problems.push(`unknown rule "${rule}"`);
    else if (reason === '') problems.push(`"${rule}" gives no reason (write "${rule}: why it is safe")`);
    else accepted.set(rule as RiskRuleId, reason);
  }
  return { accepted, problems };
}

export function annotationOf(object: KubeObject): string | undefined {
  return object.metadata.annotations?.[ACCEPT_RISK_ANNOTATION];
}

/** Whether a settings pattern (`Kind/ns/name`, `*` any characters) names the subject. */
export function matchesObject(pattern: string, subject: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(subject);
}

/** Marks a finding accepted: by the object's annotation first, else by a settings entry. */
export function acceptFinding(
  finding: RiskFinding,
  annotation: AnnotationAcceptances | undefined,
  settings: readonly RiskAcceptance[],
): RiskFinding {
  const byAnnotation = annotation?.accepted.get(finding.rule);
  if (byAnnotation) return { ...finding, accepted: { reason: byAnnotation, by: 'annotation' } };
  const entry = settings.find((a) => a.rule === finding.rule && matchesObject(a.object, finding.subject));
  if (entry) return { ...finding, accepted: { reason: entry.reason, by: 'settings' } };
  return finding;
}
