// The check run of one target: created in_progress when the run begins, completed with the
// conclusion, title, summary and annotations; where the token may not write checks, the
// annotations go to the workflow log instead.
//
// Conclusion: `failure` when the report has errors (it could not look), when fail-on-risk
// failed the risk review, and when drift is found with failOnDrift; `neutral` when drift is
// found without failOnDrift; `success` when in sync, and after a remediation that left no errors.
import { type Annotation, buildAnnotations } from '../report/annotations.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { Report } from '../report/model.ts';
import { riskFailure } from '../report/risk-verdict.ts';
import { trimMarkdown } from '../report/trim.ts';
import { type CheckAnnotation, type CheckConclusion, completeCheckRun, createCheckRun } from './check-run.ts';
import { messageOf, statusOf } from './client.ts';
import { reportSha } from './context.ts';
import { workflowAnnotations } from './job-summary.ts';
import { type Publishing, type ReportLinks, repositoryOf } from './publishing.ts';

const CHECK_SUMMARY_BUDGET_BYTES = 65_000;

export interface CheckVerdict {
  remediated: boolean;
  failOnDrift: boolean;
}

export class CheckRunPublisher {
  private readonly p: Publishing;
  private readonly warn: (message: string) => void;
  private id: number | undefined;
  /** Set when GitHub refused to create the check run: later steps fall back instead of retrying. */
  private refused = false;

  constructor(p: Publishing, warn: (message: string) => void) {
    this.p = p;
    this.warn = warn;
  }

  private get name(): string {
    return this.p.settings.checkName ?? `kube-drift / ${this.p.settings.target}`;
  }

  private get enabled(): boolean {
    return this.p.settings.checkRun && !this.refused;
  }

  async begin(): Promise<void> {
    if (!this.enabled || this.id !== undefined) return;
    try {
      const run = await createCheckRun(this.p.octokit, repositoryOf(this.p), {
        name: this.name,
        headSha: reportSha(this.p.context),
        detailsUrl: this.p.context.runUrl,
        externalId: this.p.settings.target,
      });
      this.id = run.id;
    } catch (error) {
      this.failedToWrite(error);
    }
  }

  /** Completes the check run with the report; its URL when GitHub took it. */
  async complete(report: Report, links: ReportLinks, verdict: CheckVerdict): Promise<string | undefined> {
    const annotations = this.redactAnnotations(buildAnnotations(report));
    let completed: string | undefined;
    if (this.enabled) {
      try {
        const summary = renderMarkdown(report, {
          budgetBytes: CHECK_SUMMARY_BUDGET_BYTES,
          fileUrl: links.fileUrl,
          fullReportHint: links.fullReportHint,
        });
        const run = await completeCheckRun(this.p.octokit, repositoryOf(this.p), {
          id: this.id,
          name: this.name,
          headSha: reportSha(this.p.context),
          detailsUrl: this.p.context.runUrl,
          externalId: this.p.settings.target,
          conclusion: checkConclusion(report, verdict),
          title: this.p.redactor.redact(checkTitle(report, verdict.remediated)),
          summary: this.p.redactor.redact(summary),
          annotations,
        });
        this.id = run.id;
        completed = run.url;
      } catch (error) {
        this.failedToWrite(error);
      }
    }
    if (this.p.settings.checkRun && this.refused) workflowAnnotations(annotations);
    return completed;
  }

  /** Completes a begun check run as failed when the run could not produce a report. */
  async failed(error: unknown): Promise<void> {
    if (!this.enabled || this.id === undefined) return;
    const message = error instanceof Error ? error.message : String(error);
    try {
      await completeCheckRun(this.p.octokit, repositoryOf(this.p), {
        id: this.id,
        name: this.name,
        headSha: reportSha(this.p.context),
        externalId: this.p.settings.target,
        conclusion: 'failure',
        title: this.p.redactor.redact('kube-drift could not finish'),
        summary: this.p.redactor.redact(
          trimMarkdown(
            `**kube-drift failed for ${this.p.settings.target}:**\n\n\`\`\`text\n${message}\n\`\`\`\n`,
            CHECK_SUMMARY_BUDGET_BYTES,
            'The error message was cut; the whole message is in the workflow log.',
          ),
        ),
        annotations: [],
      });
    } catch (caught) {
      this.failedToWrite(caught);
    }
  }

  private failedToWrite(error: unknown): void {
    if (statusOf(error) === 403 || statusOf(error) === 404) {
      this.refused = true;
      this.warn(
        `Could not create the check run "${this.name}": ${messageOf(error)}. ` +
          'The token needs the `checks: write` permission (pull requests from forks only get a read-only token); ' +
          'the drift is reported as workflow annotations and in the job summary instead.',
      );
    } else {
      this.warn(`Could not write the check run "${this.name}": ${messageOf(error)}.`);
    }
  }

  private redactAnnotations(annotations: Annotation[]): CheckAnnotation[] {
    return annotations.map((a) => ({
      path: a.path,
      start_line: a.start_line,
      end_line: a.end_line,
      annotation_level: a.annotation_level,
      title: this.p.redactor.redact(a.title),
      message: this.p.redactor.redact(a.message),
    }));
  }
}

export function checkConclusion(report: Report, verdict: CheckVerdict): CheckConclusion {
  if (report.errors.length > 0 || report.riskVerdict?.failed) return 'failure';
  if (!report.driftDetected || verdict.remediated) return 'success';
  return verdict.failOnDrift ? 'failure' : 'neutral';
}

export function checkTitle(report: Report, remediated: boolean): string {
  const risk = riskFailure(report);
  const title = countsTitle(report, remediated);
  return risk ? `${title}; risk review ${risk}` : title;
}

function countsTitle(report: Report, remediated: boolean): string {
  const { created, configured, deleted, unchanged, errors } = report.summary;
  const errorText = errors > 0 ? `, ${errors} ${errors === 1 ? 'error' : 'errors'}` : '';
  if (remediated && report.driftDetected) {
    return `Remediated: ${created} created, ${configured} configured, ${deleted} deleted${errorText}`;
  }
  if (!report.driftDetected) return `No drift: ${unchanged} objects in sync${errorText}`;
  return `Drift: ${created} to create, ${configured} to configure, ${deleted} to delete${errorText}`;
}
