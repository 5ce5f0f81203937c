// Publishes one target's report where people look: the check run, the sticky PR comment or the
// drift issue, and a webhook; everything it sends is redacted first (the types demand it).
// A publishing failure never hides the verdict: it becomes a warning, and the caller still
// sets outputs and the exit status from the report.
import type { Redactor } from '../redaction.ts';
import type { Report } from '../report/model.ts';
import { createOctokit, type GitHubClient, messageOf, type PublishLog, statusOf } from './client.ts';
import { fileUrl, type RunContext } from './context.ts';
import type { DriftState } from './markers.ts';
import { CheckRunPublisher } from './publish-check.ts';
import { type Published, publishComment } from './publish-comment.ts';
import { publishIssue } from './publish-issue.ts';
import { notify } from './publish-notify.ts';
import type { Publishing, PublishSettings, ReportLinks } from './publishing.ts';

export { workflowAnnotations, writeJobSummary } from './job-summary.ts';
export { checkTitle } from './publish-check.ts';
export type { PublishSettings } from './publishing.ts';
export { COMMENT_LIMIT_CHARS } from './report-body.ts';

export interface PublishResult {
  commentUrl?: string;
  checkRunUrl?: string;
  issueUrl?: string;
  warnings: string[];
}

export interface PublisherDeps {
  /** Every body, title, annotation and payload passes through it before it is sent. */
  redactor: Redactor;
  log: PublishLog;
  octokit?: GitHubClient;
  fetch?: typeof fetch;
}

export interface FinishOptions {
  reportJsonPath?: string;
  remediated?: boolean;
  /** Overrides the setting for this report (fail-on may let drift pass). */
  failOnDrift?: boolean;
}

export class Publisher {
  private readonly p: Publishing;
  private readonly fetchImpl: typeof fetch;
  private readonly warnings: string[] = [];
  private readonly checkRun: CheckRunPublisher;

  constructor(context: RunContext, settings: PublishSettings, deps: PublisherDeps) {
    const octokit =
      deps.octokit ??
      createOctokit(settings.token, { apiUrl: context.apiUrl, log: deps.log, redactor: deps.redactor });
    this.p = { context, settings, octokit, log: deps.log, redactor: deps.redactor };
    this.fetchImpl = deps.fetch ?? fetch;
    this.checkRun = new CheckRunPublisher(this.p, (message) => this.warn(message));
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.p.log.warning(message);
  }

  /** Creates the check run in_progress, so the pull request shows kube-drift is looking. */
  begin(): Promise<void> {
    return this.checkRun.begin();
  }

  async finish(report: Report, extra: FinishOptions = {}): Promise<PublishResult> {
    const { settings, context } = this.p;
    const remediated = extra.remediated === true;
    const links: ReportLinks = {
      fileUrl: (file, line) => fileUrl(context, file, line),
      fullReportHint: extra.reportJsonPath
        ? `the full report is in the job summary and in the JSON report \`${extra.reportJsonPath}\``
        : 'the full report is in the job summary',
    };
    const current: DriftState = report.driftDetected && !remediated ? 'drifted' : 'in-sync';
    const result: PublishResult = { warnings: this.warnings };
    if (settings.checkRun) {
      const url = await this.checkRun.complete(report, links, {
        remediated,
        failOnDrift: extra.failOnDrift ?? settings.failOnDrift,
      });
      if (url) result.checkRunUrl = url;
    }
    const recorded = await this.publishThread(report, links, current);
    if (recorded?.url) result[context.pullRequest ? 'commentUrl' : 'issueUrl'] = recorded.url;
    if (settings.webhookUrl) {
      await notify(
        this.p,
        settings.webhookUrl,
        report,
        {
          previous: recorded?.previous,
          current,
          remediated,
          url: result.commentUrl ?? result.issueUrl ?? context.runUrl ?? result.checkRunUrl,
        },
        { fetchImpl: this.fetchImpl, warn: (message) => this.warn(message) },
      );
    }
    return result;
  }

  /** Completes a begun check run as failed when no report could be made. */
  failed(error: unknown): Promise<void> {
    return this.checkRun.failed(error);
  }

  /**
   * The sticky comment on a pull request, else the drift issue; undefined when neither is
   * enabled or writing failed (then nothing is known about the previous state either).
   */
  private async publishThread(
    report: Report,
    links: ReportLinks,
    current: DriftState,
  ): Promise<Published | undefined> {
    const { settings, context } = this.p;
    const pr = context.pullRequest;
    if (pr && settings.comment) {
      try {
        return await publishComment(this.p, report, links, pr.number, current);
      } catch (error) {
        this.warn(
          `Could not write the pull request comment for ${settings.target}: ${messageOf(error)}.` +
            (statusOf(error) === 403 ? ' The token needs the `pull-requests: write` permission.' : ''),
        );
      }
    } else if (!pr && settings.issue) {
      try {
        return await publishIssue(this.p, report, links, current);
      } catch (error) {
        this.warn(
          `Could not write the drift issue for ${settings.target}: ${messageOf(error)}.` +
            (statusOf(error) === 403 ? ' The token needs the `issues: write` permission.' : ''),
        );
      }
    }
    return undefined;
  }
}
