// Posting a fleet's roll-up: the one PR comment, the job summary, and a failed check run for
// each target whose report is missing (a matrix job that died), so a required check never
// waits for a job that will not come. The action and `kube-drift summarize --post` share it.
import type { Redactor } from '../redaction.ts';
import { FLEET_FULL_REPORT_HINT, renderFleetMarkdown } from '../report/fleet.ts';
import { createOctokit, type GitHubClient, messageOf, type PublishLog } from './client.ts';
import { fileUrl, type RunContext } from './context.ts';
import { writeJobSummary } from './job-summary.ts';
import { FLEET_MARKER, type FleetRollUp, publishFleetComment } from './publish-fleet.ts';
import { Publisher } from './publisher.ts';
import type { PublishSettings } from './publishing.ts';

const SUMMARY_BUDGET = 1024 * 1024 - 4096;

export interface RollUpPost {
  token: string;
  /** Post the comment (on a pull request). */
  comment: boolean;
  /** Targets whose check run the roll-up completes: those without a report. */
  checkRunsFor: string[];
  /** Write the job summary (GITHUB_STEP_SUMMARY). */
  jobSummary: boolean;
}

export interface RollUpDeps {
  redactor: Redactor;
  log: PublishLog;
  octokit?: GitHubClient;
}

/** A target's publishing with what the run's options say (no settings of its own). */
export function basicPublishSettings(
  token: string,
  target: string,
  extra: Partial<PublishSettings> = {},
): PublishSettings {
  return {
    token,
    target,
    comment: false,
    checkRun: true,
    failOnDrift: true,
    issue: false,
    issueLabels: [],
    webhookFormat: 'json',
    ...extra,
  };
}

export async function postRollUp(
  context: RunContext,
  post: RollUpPost,
  deps: RollUpDeps,
  rollUp: FleetRollUp,
): Promise<{ commentUrl?: string }> {
  const { redactor, log } = deps;
  const octokit = deps.octokit ?? createOctokit(post.token, { apiUrl: context.apiUrl, log, redactor });
  for (const report of rollUp.reports.filter((r) => post.checkRunsFor.includes(r.target))) {
    const publisher = new Publisher(context, basicPublishSettings(post.token, report.target), {
      redactor,
      log,
      octokit,
    });
    await publisher.finish(report);
  }
  let commentUrl: string | undefined;
  const pr = context.pullRequest;
  if (pr && post.comment) {
    try {
      const settings = basicPublishSettings(post.token, FLEET_MARKER, { comment: true, checkRun: false });
      commentUrl = (
        await publishFleetComment({ context, settings, octokit, log, redactor }, rollUp, pr.number)
      ).url;
    } catch (error) {
      log.warning(`Could not write the pull request roll-up comment: ${messageOf(error)}.`);
    }
  }
  if (post.jobSummary) {
    const markdown = renderFleetMarkdown(rollUp.reports, {
      budgetBytes: SUMMARY_BUDGET,
      fileUrl: (file, line) => fileUrl(context, file, line),
      fullReportHint: FLEET_FULL_REPORT_HINT,
      notes: rollUp.notes,
    });
    await writeJobSummary(markdown, redactor);
  }
  return { commentUrl };
}
