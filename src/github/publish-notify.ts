// The webhook notification: sent only when the drift state changed (drift found, drift gone,
// remediated), judged from the state the comment or issue recorded last time.
import type { Report } from '../report/model.ts';
import { reportSha } from './context.ts';
import type { DriftState } from './markers.ts';
import type { Publishing } from './publishing.ts';
import { notificationEvent, sendWebhook, webhookPayload } from './webhook.ts';

export interface NotifyFacts {
  /** The state recorded before this run; undefined when nothing recorded one. */
  previous: DriftState | undefined;
  current: DriftState;
  remediated: boolean;
  /** Where people should look: the comment, the issue, the run or the check run. */
  url?: string;
}

/** Sends the notification the state change calls for, if any; a warning when it could not. */
export async function notify(
  p: Publishing,
  webhookUrl: string,
  report: Report,
  facts: NotifyFacts,
  send: { fetchImpl: typeof fetch; warn: (message: string) => void },
): Promise<void> {
  const event = notificationEvent(facts.previous, {
    drifted: facts.current === 'drifted',
    clean: report.errors.length === 0,
    remediated: facts.remediated && report.driftDetected,
  });
  if (!event) return;
  const payload = webhookPayload(p.settings.webhookFormat, {
    event,
    target: p.settings.target,
    repository: `${p.context.owner}/${p.context.repo}`,
    sha: reportSha(p.context),
    summary: report.summary,
    url: facts.url,
  });
  try {
    await sendWebhook(webhookUrl, p.redactor.redactJson(payload), send.fetchImpl);
    p.log.info(`Sent the ${event} notification for ${p.settings.target}.`);
  } catch (error) {
    send.warn(`Could not send the ${event} notification: ${error instanceof Error ? error.message : error}.`);
  }
}
