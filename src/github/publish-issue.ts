// The drift issue for runs without a pull request: opened on drift, updated while it lasts,
// closed with a comment after a clean run that found none.
import type { Report } from '../report/model.ts';
import { closeDriftIssue, findDriftIssue, openDriftIssue, updateDriftIssue } from './drift-issue.ts';
import { type DriftState, readDigest, readState } from './markers.ts';
import type { Published } from './publish-comment.ts';
import { type Publishing, type ReportLinks, repositoryOf } from './publishing.ts';
import { reportBody } from './report-body.ts';

export async function publishIssue(
  p: Publishing,
  report: Report,
  links: ReportLinks,
  current: DriftState,
): Promise<Published> {
  const where = repositoryOf(p);
  const labels = p.settings.issueLabels;
  const found = await findDriftIssue(p.octokit, where, p.settings.target, labels);
  const previous = found
    ? (readState(found.body) ?? (found.state === 'open' ? 'drifted' : 'in-sync'))
    : undefined;
  const open = found?.state === 'open' ? found : undefined;
  if (current === 'drifted') {
    const body = reportBody(p, report, links, { state: 'drifted' });
    if (open) {
      if (readDigest(open.body) === readDigest(body)) return { url: open.htmlUrl, previous };
      return { url: await updateDriftIssue(p.octokit, where, open.number, body), previous };
    }
    const url = await openDriftIssue(p.octokit, where, {
      title: p.redactor.redact(`Drift detected: ${p.settings.target}`),
      body,
      labels,
    });
    p.log.info(`Opened the drift issue: ${url}`);
    return { url, previous };
  }
  // Errors hide what the cluster holds: an open issue stays open until a clean run.
  if (!open || report.errors.length > 0) return { url: open?.htmlUrl, previous };
  const run = p.context.runUrl ? ` ([run](${p.context.runUrl}))` : '';
  const comment = `✅ No drift any more: the cluster matched Git at ${report.generatedAt}, commit \`${p.context.sha.slice(0, 7)}\`${run}. Closing.`;
  const url = await closeDriftIssue(p.octokit, where, open.number, {
    comment: p.redactor.redact(comment),
    body: reportBody(p, report, links, { state: 'in-sync' }),
  });
  p.log.info(`Closed the drift issue: ${url}`);
  return { url, previous };
}
