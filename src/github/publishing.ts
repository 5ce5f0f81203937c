// What every publishing step needs: the settings, the GitHub client, the run, the redactor, and
// how one report links to its files.
import type { Redactor } from '../redaction.ts';
import type { GitHubClient, PublishLog } from './client.ts';
import type { RunContext } from './context.ts';
import type { WebhookFormat } from './webhook.ts';

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

export interface Publishing {
  readonly context: RunContext;
  readonly settings: PublishSettings;
  readonly octokit: GitHubClient;
  readonly log: PublishLog;
  /** Every body, title, annotation and payload passes through it before it is sent. */
  readonly redactor: Redactor;
}

/** How the Markdown of one report points at files and at the full report. */
export interface ReportLinks {
  fileUrl: (file: string, line: number) => string;
  fullReportHint: string;
}

export function repositoryOf(p: Publishing): { owner: string; repo: string } {
  return { owner: p.context.owner, repo: p.context.repo };
}
