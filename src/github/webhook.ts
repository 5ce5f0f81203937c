// Chat and generic notifications on a change of drift state: Slack incoming webhooks
// ({text, blocks}), Microsoft Teams workflows (an Adaptive Card message), or plain JSON.
// Built from the report's counts and names; sent only as Redacted JSON.

import type { ChangeSummary } from '../model.ts';
import type { Redacted } from '../redaction.ts';

export type WebhookFormat = 'slack' | 'teams' | 'json';
export type NotificationEvent = 'drift-found' | 'drift-resolved' | 'remediated';

export interface Notification {
  event: NotificationEvent;
  target: string;
  repository: string;
  sha: string;
  summary: ChangeSummary;
  /** Where to look: the comment, issue, check run or workflow run. */
  url?: string;
}

const HEADLINE: Record<NotificationEvent, string> = {
  'drift-found': 'Drift found',
  'drift-resolved': 'Drift resolved',
  remediated: 'Drift remediated',
};

function countsText(notification: Notification): string {
  const { created, configured, deleted, unchanged, errors } = notification.summary;
  const verbs =
    notification.event === 'remediated'
      ? `${created} created, ${configured} configured, ${deleted} deleted`
      : `${created} to create, ${configured} to configure, ${deleted} to delete`;
  return `${verbs}, ${unchanged} unchanged${errors > 0 ? `, ${errors} errors` : ''}`;
}

function headline(notification: Notification): string {
  return `${HEADLINE[notification.event]} in ${notification.target} (${notification.repository}@${notification.sha.slice(0, 7)})`;
}

/** Slack's mrkdwn treats `&`, `<` and `>` as control characters. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webhookPayload(format: WebhookFormat, notification: Notification): unknown {
  const title = headline(notification);
  const counts = countsText(notification);
  if (format === 'slack') {
    const link = notification.url ? `\n<${notification.url}|Open the report>` : '';
    return {
      text: `${title}: ${counts}`,
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `*${slackEscape(title)}*\n${slackEscape(counts)}${link}` },
        },
      ],
    };
  }
  if (format === 'teams') {
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: counts, wrap: true },
            ],
            actions: notification.url
              ? [{ type: 'Action.OpenUrl', title: 'Open the report', url: notification.url }]
              : [],
          },
        },
      ],
    };
  }
  return {
    event: notification.event,
    target: notification.target,
    repository: notification.repository,
    sha: notification.sha,
    summary: notification.summary,
    url: notification.url ?? null,
  };
}

/** The previous and current state decide the event; none when nothing changed. */
export function notificationEvent(
  previous: 'drifted' | 'in-sync' | undefined,
  current: { drifted: boolean; clean: boolean; remediated: boolean },
): NotificationEvent | undefined {
  if (current.remediated) return 'remediated';
  if (current.drifted) return previous === 'drifted' ? undefined : 'drift-found';
  // Errors hide what the cluster holds: "resolved" only on a clean run.
  if (current.clean && previous === 'drifted') return 'drift-resolved';
  return undefined;
}

/** Posts a payload that went through the Redactor (`redactor.redactJson(webhookPayload(...))`). */
export async function sendWebhook(
  url: string,
  body: Redacted,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) {
    // The URL itself is a credential for Slack and Teams: name only its host.
    throw new Error(`the webhook at ${new URL(url).host} answered HTTP ${response.status}`);
  }
}
