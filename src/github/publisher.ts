// Publishes one target's report where people look: the sticky PR comment, the check run,
// the drift issue and a webhook; everything it sends is redacted first (the types demand it).
// A publishing failure never hides the verdict: it becomes a warning, and the caller still
// sets outputs and the exit status from the report.
//
// Check run conclusion: `failure` when the report has errors (it could not look) and when
// drift is found with failOnDrift; `neutral` when drift is found without failOnDrift;
// `success` when in sync, and after a remediation that left no errors.

import { createHash } from 'node:crypto';
import type { Redactor } from '../redaction.ts';
import { type Annotation, buildAnnotations } from '../report/annotations.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { Report } from '../report/model.ts';
import { trimMarkdown } from '../report/trim.ts';
import { type CheckAnnotation, type CheckConclusion, completeCheckRun, createCheckRun } from './check-run.ts';
import { createOctokit, type GitHubClient, messageOf, type PublishLog, statusOf } from './client.ts';
import { fileUrl, type RunContext, reportSha } from './context.ts';
import { closeDriftIssue, findDriftIssue, openDriftIssue, updateDriftIssue } from './drift-issue.ts';
import { workflowAnnotations } from './job-summary.ts';
import {
  type DriftState,
  digestMarker,
  readDigest,
  readState,
  stateMarker,
  targetMarker,
} from './markers.ts';
import { findStickyComment, ownLogins, writeStickyComment } from './sticky-comment.ts';
import {
  type Notification,
  notificationEvent,
  sendWebhook,
  type WebhookFormat,
  webhookPayload,
} from './webhook.ts';

export { workflowAnnotations, writeJobSummary } from './job-summary.ts';

export interface PublishSettings {
  token: string;
  target: string;
  /** Sticky PR comment on pull_request events. */
  comment: boolean;
  checkRun: boolean;
  /** Default `kube-drift / ${target}`. */
  checkName?: string;
  failOnDrift: boolean;
  /** A drift issue for runs without a pull request. */
  issue: boolean;
  issueLabels: string[];
  webhookUrl?: string;
  webhookFormat: WebhookFormat;
  /** Logins besides the token's own whose comments are ours; default ['github-actions[bot]']. */
  stickyAuthors?: string[];
}

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

/** GitHub refuses comment and issue bodies over 65,536 characters; bytes ≥ characters, so a byte budget is safe. */
export const COMMENT_LIMIT_CHARS = 65_536;
const COMMENT_BUDGET_BYTES = 65_000;
const CHECK_SUMMARY_BUDGET_BYTES = 65_000;

export class Publisher {
  private readonly context: RunContext;
  private readonly settings: PublishSettings;
  private readonly octokit: GitHubClient;
  private readonly fetchImpl: typeof fetch;
  private readonly log: PublishLog;
  private readonly redactor: Redactor;
  private readonly warnings: string[] = [];
  private checkRunId: number | undefined;
  private checkRunUrl: string | undefined;
  /** Set when GitHub refused to create the check run: later steps fall back instead of retrying. */
  private checkRunRefused = false;

  constructor(context: RunContext, settings: PublishSettings, deps: PublisherDeps) {
    this.context = context;
    this.settings = settings;
    this.log = deps.log;
    this.redactor = deps.redactor;
    this.fetchImpl = deps.fetch ?? fetch;
    this.octokit =
      deps.octokit ??
      createOctokit(settings.token, { apiUrl: context.apiUrl, log: this.log, redactor: deps.redactor });
  }

  private get checkName(): string {
    return this.settings.checkName ?? `kube-drift / ${this.settings.target}`;
  }

  private get where() {
    return { owner: this.context.owner, repo: this.context.repo };
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.log.warning(message);
  }

  private checkRunFailed(error: unknown): void {
    if (statusOf(error) === 403 || statusOf(error) === 404) {
      this.checkRunRefused = true;
      this.warn(
        `Could not create the check run "${this.checkName}": ${messageOf(error)}. ` +
          'The token needs the `checks: write` permission (pull requests from forks only get a read-only token); ' +
          'the drift is reported as workflow annotations and in the job summary instead.',
      );
    } else {
      this.warn(`Could not write the check run "${this.checkName}": ${messageOf(error)}.`);
    }
  }

  async begin(): Promise<void> {
    if (!this.settings.checkRun || this.checkRunId !== undefined || this.checkRunRefused) return;
    try {
      const run = await createCheckRun(this.octokit, this.where, {
        name: this.checkName,
        headSha: reportSha(this.context),
        detailsUrl: this.context.runUrl,
        externalId: this.settings.target,
      });
      this.checkRunId = run.id;
      this.checkRunUrl = run.url;
    } catch (error) {
      this.checkRunFailed(error);
    }
  }

  async finish(
    report: Report,
    extra: {
      reportJsonPath?: string;
      remediated?: boolean;
      /** Overrides the setting for this report (fail-on may let drift pass). */
      failOnDrift?: boolean;
    } = {},
  ): Promise<PublishResult> {
    const result: PublishResult = { warnings: this.warnings };
    const linkOf = (file: string, line: number) => fileUrl(this.context, file, line);
    const fullReportHint = extra.reportJsonPath
      ? `the full report is in the job summary and in the JSON report \`${extra.reportJsonPath}\``
      : 'the full report is in the job summary';
    const annotations = this.redactAnnotations(buildAnnotations(report));
    const current: DriftState = report.driftDetected && !extra.remediated ? 'drifted' : 'in-sync';
    const clean = report.errors.length === 0;
    let previous: DriftState | undefined;
    let stateKnown = false;

    if (this.settings.checkRun && !this.checkRunRefused) {
      try {
        const summary = renderMarkdown(report, {
          budgetBytes: CHECK_SUMMARY_BUDGET_BYTES,
          fileUrl: linkOf,
          fullReportHint,
        });
        const run = await completeCheckRun(this.octokit, this.where, {
          id: this.checkRunId,
          name: this.checkName,
          headSha: reportSha(this.context),
          detailsUrl: this.context.runUrl,
          externalId: this.settings.target,
          conclusion: this.conclusion(
            report,
            extra.remediated === true,
            extra.failOnDrift ?? this.settings.failOnDrift,
          ),
          title: this.redactor.redact(checkTitle(report, extra.remediated === true)),
          summary: this.redactor.redact(summary),
          annotations,
        });
        this.checkRunId = run.id;
        this.checkRunUrl = run.url;
        result.checkRunUrl = run.url;
      } catch (error) {
        this.checkRunFailed(error);
      }
    }
    if (this.settings.checkRun && this.checkRunRefused) workflowAnnotations(annotations);

    const pr = this.context.pullRequest;
    if (pr && this.settings.comment) {
      try {
        const outcome = await this.publishComment(report, pr.number, current, linkOf, fullReportHint);
        result.commentUrl = outcome.url;
        previous = outcome.previous;
        stateKnown = true;
      } catch (error) {
        this.warn(
          `Could not write the pull request comment for ${this.settings.target}: ${messageOf(error)}.` +
            (statusOf(error) === 403 ? ' The token needs the `pull-requests: write` permission.' : ''),
        );
      }
    } else if (!pr && this.settings.issue) {
      try {
        const outcome = await this.publishIssue(report, current, clean, linkOf, fullReportHint);
        result.issueUrl = outcome.url;
        previous = outcome.previous;
        stateKnown = true;
      } catch (error) {
        this.warn(
          `Could not write the drift issue for ${this.settings.target}: ${messageOf(error)}.` +
            (statusOf(error) === 403 ? ' The token needs the `issues: write` permission.' : ''),
        );
      }
    }

    if (this.settings.webhookUrl) {
      const event = notificationEvent(stateKnown ? previous : undefined, {
        drifted: current === 'drifted',
        clean,
        remediated: extra.remediated === true && report.driftDetected,
      });
      if (event) {
        const notification: Notification = {
          event,
          target: this.settings.target,
          repository: `${this.context.owner}/${this.context.repo}`,
          sha: reportSha(this.context),
          summary: report.summary,
          url: result.commentUrl ?? result.issueUrl ?? this.context.runUrl ?? result.checkRunUrl,
        };
        try {
          await sendWebhook(
            this.settings.webhookUrl,
            this.redactor.redactJson(webhookPayload(this.settings.webhookFormat, notification)),
            this.fetchImpl,
          );
          this.log.info(`Sent the ${event} notification for ${this.settings.target}.`);
        } catch (error) {
          this.warn(
            `Could not send the ${event} notification: ${error instanceof Error ? error.message : error}.`,
          );
        }
      }
    }
    return result;
  }

  async failed(error: unknown): Promise<void> {
    if (!this.settings.checkRun || this.checkRunRefused || this.checkRunId === undefined) return;
    const message = error instanceof Error ? error.message : String(error);
    try {
      await completeCheckRun(this.octokit, this.where, {
        id: this.checkRunId,
        name: this.checkName,
        headSha: reportSha(this.context),
        externalId: this.settings.target,
        conclusion: 'failure',
        title: this.redactor.redact('kube-drift could not finish'),
        summary: this.redactor.redact(
          trimMarkdown(
            `**kube-drift failed for ${this.settings.target}:**\n\n\`\`\`text\n${message}\n\`\`\`\n`,
            CHECK_SUMMARY_BUDGET_BYTES,
            'The error message was cut; the whole message is in the workflow log.',
          ),
        ),
        annotations: [],
      });
    } catch (caught) {
      this.checkRunFailed(caught);
    }
  }

  private redactAnnotations(annotations: Annotation[]): CheckAnnotation[] {
    return annotations.map((a) => ({
      path: a.path,
      start_line: a.start_line,
      end_line: a.end_line,
      annotation_level: a.annotation_level,
      title: this.redactor.redact(a.title),
      message: this.redactor.redact(a.message),
    }));
  }

  private conclusion(report: Report, remediated: boolean, failOnDrift: boolean): CheckConclusion {
    if (report.errors.length > 0) return 'failure';
    if (!report.driftDetected || remediated) return 'success';
    return failOnDrift ? 'failure' : 'neutral';
  }

  /** What a report says, without when it was made: two runs that found the same thing are one comment. */
  private digest(report: Report, remediated: boolean): string {
    const { generatedAt: _generatedAt, ...content } = report;
    return createHash('sha256')
      .update(JSON.stringify({ content, sha: reportSha(this.context), remediated }))
      .digest('hex')
      .slice(0, 32);
  }

  private body(parts: {
    report: Report;
    state: DriftState;
    markdown: string;
    preface?: string;
    remediated: boolean;
  }) {
    const head = [
      targetMarker(this.settings.target),
      stateMarker(parts.state),
      digestMarker(this.digest(parts.report, parts.remediated)),
    ].join('\n');
    return `${head}\n${parts.preface ?? ''}${parts.markdown}`;
  }

  private render(
    report: Report,
    linkOf: (file: string, line: number) => string,
    fullReportHint: string,
    prefaceBytes: number,
  ): string {
    return renderMarkdown(report, {
      budgetBytes: COMMENT_BUDGET_BYTES - prefaceBytes,
      fileUrl: linkOf,
      fullReportHint,
      title: `kube-drift: ${this.settings.target}`,
    });
  }

  private async publishComment(
    report: Report,
    issueNumber: number,
    current: DriftState,
    linkOf: (file: string, line: number) => string,
    fullReportHint: string,
  ): Promise<{ url: string; previous?: DriftState }> {
    const where = { ...this.where, issueNumber };
    const authors = await ownLogins(this.octokit, this.settings.stickyAuthors ?? ['github-actions[bot]']);
    const existing = await findStickyComment(this.octokit, where, this.settings.target, authors);
    const previous = readState(existing?.body);
    const digest = this.digest(report, false);
    if (existing && readDigest(existing.body) === digest) {
      this.log.info(`The pull request comment for ${this.settings.target} is up to date.`);
      return { url: existing.htmlUrl, previous };
    }
    const preface =
      previous === 'drifted' && current === 'in-sync' && report.errors.length === 0
        ? `### ✅ No drift any more\n\nThe cluster matched Git at ${report.generatedAt} (commit \`${reportSha(this.context).slice(0, 7)}\`).\n\n`
        : '';
    const markdown = this.render(report, linkOf, fullReportHint, Buffer.byteLength(preface) + 200);
    const body = this.redactor.redact(
      fitComment(this.body({ report, state: current, markdown, preface, remediated: false })),
    );
    const written = await writeStickyComment(this.octokit, where, existing, body);
    this.log.info(
      `${written.action === 'created' ? 'Created' : 'Updated'} the pull request comment: ${written.url}`,
    );
    return { url: written.url, previous };
  }

  private async publishIssue(
    report: Report,
    current: DriftState,
    clean: boolean,
    linkOf: (file: string, line: number) => string,
    fullReportHint: string,
  ): Promise<{ url?: string; previous?: DriftState }> {
    const labels = this.settings.issueLabels;
    const found = await findDriftIssue(this.octokit, this.where, this.settings.target, labels);
    const previous = found
      ? (readState(found.body) ?? (found.state === 'open' ? 'drifted' : 'in-sync'))
      : undefined;
    const open = found?.state === 'open' ? found : undefined;
    if (current === 'drifted') {
      const markdown = this.render(report, linkOf, fullReportHint, 200);
      const body = this.redactor.redact(
        fitComment(this.body({ report, state: 'drifted', markdown, remediated: false })),
      );
      if (open) {
        if (readDigest(open.body) === readDigest(body)) return { url: open.htmlUrl, previous };
        return { url: await updateDriftIssue(this.octokit, this.where, open.number, body), previous };
      }
      const url = await openDriftIssue(this.octokit, this.where, {
        title: this.redactor.redact(`Drift detected: ${this.settings.target}`),
        body,
        labels,
      });
      this.log.info(`Opened the drift issue: ${url}`);
      return { url, previous };
    }
    // Errors hide what the cluster holds: an open issue stays open until a clean run.
    if (!open || !clean) return { url: open?.htmlUrl, previous };
    const run = this.context.runUrl ? ` ([run](${this.context.runUrl}))` : '';
    const comment = `✅ No drift any more: the cluster matched Git at ${report.generatedAt}, commit \`${this.context.sha.slice(0, 7)}\`${run}. Closing.`;
    const markdown = this.render(report, linkOf, fullReportHint, 200);
    const body = this.redactor.redact(
      fitComment(this.body({ report, state: 'in-sync', markdown, remediated: false })),
    );
    const url = await closeDriftIssue(this.octokit, this.where, open.number, {
      comment: this.redactor.redact(comment),
      body,
    });
    this.log.info(`Closed the drift issue: ${url}`);
    return { url, previous };
  }
}

/** The last guard on GitHub's character limit, whatever the renderer did. */
function fitComment(body: string): string {
  if (body.length <= COMMENT_LIMIT_CHARS) return body;
  return trimMarkdown(body, COMMENT_BUDGET_BYTES, "_The report was cut to fit GitHub's comment size limit._");
}

export function checkTitle(report: Report, remediated: boolean): string {
  const { created, configured, deleted, unchanged, errors } = report.summary;
  const errorText = errors > 0 ? `, ${errors} ${errors === 1 ? 'error' : 'errors'}` : '';
  if (remediated && report.driftDetected) {
    return `Remediated: ${created} created, ${configured} configured, ${deleted} deleted${errorText}`;
  }
  if (!report.driftDetected) return `No drift: ${unchanged} objects in sync${errorText}`;
  return `Drift: ${created} to create, ${configured} to configure, ${deleted} to delete${errorText}`;
}
