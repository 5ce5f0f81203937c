// `fail-on-risk` as a verdict: how many findings, accepted ones left out, reach the threshold,
// and the one sentence every output (log, check run, comment, terminal) gives as the reason.

import { type RiskFinding, type RiskSeverity, severityAtLeast } from '../model.ts';
import { plural } from './format.ts';
import type { Report, RiskVerdict } from './model.ts';

/** The verdict on `findings` for `failOn`; undefined when the setting is `none`. */
export function judgeRisks(findings: RiskFinding[], failOn: RiskSeverity | 'none'): RiskVerdict | undefined {
  if (failOn === 'none') return undefined;
  const failing = findings.filter(
    (finding) => !finding.accepted && severityAtLeast(finding.severity, failOn),
  ).length;
  return { failOn, failing, failed: failing > 0 };
}

type Reviewed = Pick<Report, 'risks' | 'risksUnchecked'>;

/**
 * "failed: 2 risk findings at or above warning (fail-on-risk: warning)", or "passed: …"; the
 * accepted findings that did not count and the rules that could not be checked are said too,
 * so a pass is never read as more than it is.
 */
export function riskVerdictText(verdict: RiskVerdict, report: Reviewed): string {
  const accepted = report.risks.filter(
    (finding) => finding.accepted && severityAtLeast(finding.severity, verdict.failOn),
  ).length;
  const unchecked = report.risksUnchecked?.length ?? 0;
  const extra = [
    accepted > 0 ? `${accepted} accepted not counted` : '',
    unchecked > 0 ? `${plural(unchecked, 'rule')} could not be checked` : '',
  ].filter(Boolean);
  const tail = `${extra.map((text) => `; ${text}`).join('')} (fail-on-risk: ${verdict.failOn})`;
  if (verdict.failed)
    return `failed: ${plural(verdict.failing, 'risk finding')} at or above ${verdict.failOn}${tail}`;
  return `passed: no risk finding at or above ${verdict.failOn}${tail}`;
}

/** The reason a report fails on its risks, or undefined when it does not. */
export function riskFailure(report: Reviewed & Pick<Report, 'riskVerdict'>): string | undefined {
  return report.riskVerdict?.failed ? riskVerdictText(report.riskVerdict, report) : undefined;
}

/** The exit status with the risk verdict applied: a failing review turns 0 into 1; 2 (error) stays. */
export function statusWithRisks(status: 0 | 1 | 2, verdict: RiskVerdict | undefined): 0 | 1 | 2 {
  return status === 0 && verdict?.failed ? 1 : status;
}
