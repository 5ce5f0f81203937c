// The drift issue for runs without a pull request: opened on drift, updated while it lasts,
// closed with a comment after a clean run that found none. Each run that could look adds a
// point to the "drift over time" chart the issue keeps (a closed issue hands it to the next).
import type { Report } from '../report/model.ts';
import { driftedCount, historySection, readHistory, withPoint } from './drift-history.ts';
import { closeDriftIssue, findDriftIssue, openDriftIssue, updateDriftIssue } from './drift-issue.ts';
import { writeJobSummary } from './job-summary.ts';
import { type DriftState, readState } from './markers.ts';
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
  const target = p.settings.target;
  const found = await findDriftIssue(p.octokit, where, target, labels);
  const previous = found
    ? (readState(found.body) ?? (found.state === 'open' ? 'drifted' : 'in-sync'))
    : undefined;
  const open = found?.state === 'open' ? found : undefined;
  // Errors hide what the cluster holds: such a run is no point on the chart, and an open issue stays open.
  if (report.errors.length > 0 && current !== 'drifted') return { url: open?.htmlUrl, previous };
  // The open issue's history, or the last closed one's, which the next issue carries on.
  const history = withPoint(readHistory(found?.body), {
    at: report.generatedAt,
    drifted: driftedCount(report),
  });
  const suffix = historySection(target, history);
  const body = reportBody(p, report, links, { state: current, suffix });
  let url: string | undefined;
  if (current === 'drifted' && open) url = await updateDriftIssue(p.octokit, where, open.number, body);
  else if (current === 'drifted') {
    url = await openDriftIssue(p.octokit, where, {
      title: p.redactor.redact(`Drift detected: ${target}`),
      body,
      labels,
    });
    p.log.info(`Opened the drift issue: ${url}`);
  } else if (open) {
    const run = p.context.runUrl ? ` ([run](${p.context.runUrl}))` : '';
    const comment = `✅ No drift any more: the cluster matched Git at ${report.generatedAt}, commit \`${p.context.sha.slice(0, 7)}\`${run}. Closing.`;
    url = await closeDriftIssue(p.octokit, where, open.number, { comment: p.redactor.redact(comment), body });
    p.log.info(`Closed the drift issue: ${url}`);
  } else if (found) {
    // In sync and already closed: the closed issue keeps counting runs until the next one opens.
    await updateDriftIssue(p.octokit, where, found.number, body);
  }
  if (found || current === 'drifted') await chartInSummary(p, target, suffix);
  return { url, previous };
}

/** The chart at the end of the job summary too; a summary that cannot be written is a warning. */
async function chartInSummary(p: Publishing, target: string, section: string): Promise<void> {
  try {
    await writeJobSummary(
      section.replace('### Drift over time', `### Drift over time: ${target}`),
      p.redactor,
    );
  } catch (error) {
    p.log.warning(`Could not add the drift chart to the job summary: ${(error as Error).message}`);
  }
}
