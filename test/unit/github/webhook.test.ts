import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readState, stateMarker, targetMarker } from '../../../src/github/markers.ts';
import { type Notification, notificationEvent, webhookPayload } from '../../../src/github/webhook.ts';

const notification: Notification = {
  event: 'drift-found',
  target: 'production',
  repository: 'acme/platform',
  sha: '0123456789abcdef',
  summary: { created: 1, configured: 2, deleted: 0, unchanged: 5, skipped: 0, errors: 0 },
  url: 'https://github.com/acme/platform/issues/1',
};

describe('notificationEvent', () => {
  const table: Array<
    [
      string,
      'drifted' | 'in-sync' | undefined,
      { drifted: boolean; clean: boolean; remediated: boolean },
      string | undefined,
    ]
  > = [
    ['first drift', undefined, { drifted: true, clean: true, remediated: false }, 'drift-found'],
    ['drift after sync', 'in-sync', { drifted: true, clean: true, remediated: false }, 'drift-found'],
    ['still drifted', 'drifted', { drifted: true, clean: true, remediated: false }, undefined],
    ['resolved', 'drifted', { drifted: false, clean: true, remediated: false }, 'drift-resolved'],
    ['errors hide the state', 'drifted', { drifted: false, clean: false, remediated: false }, undefined],
    ['still in sync', 'in-sync', { drifted: false, clean: true, remediated: false }, undefined],
    ['remediated', 'drifted', { drifted: false, clean: true, remediated: true }, 'remediated'],
  ];
  for (const [name, previous, current, expected] of table) {
    it(name, () => assert.equal(notificationEvent(previous, current), expected));
  }
});

describe('webhookPayload', () => {
  it('Slack: text and blocks, with escaped mrkdwn and a link', () => {
    const payload = webhookPayload('slack', { ...notification, target: 'a<b>&c' }) as {
      text: string;
      blocks: Array<{ text: { text: string } }>;
    };
    assert.equal(
      payload.text,
      'Drift found in a<b>&c (acme/platform@0123456): 1 to create, 2 to configure, 0 to delete, 5 unchanged',
    );
    assert.match(payload.blocks[0].text.text, /a&lt;b&gt;&amp;c/);
    assert.match(
      payload.blocks[0].text.text,
      /<https:\/\/github\.com\/acme\/platform\/issues\/1\|Open the report>/,
    );
  });

  it('Teams: an Adaptive Card message', () => {
    const payload = webhookPayload('teams', notification) as {
      type: string;
      attachments: Array<{ contentType: string; content: { type: string; actions: Array<{ url: string }> } }>;
    };
    assert.equal(payload.type, 'message');
    assert.equal(payload.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(payload.attachments[0].content.type, 'AdaptiveCard');
    assert.equal(payload.attachments[0].content.actions[0].url, notification.url);
  });

  it('JSON: event, target, summary, url', () => {
    assert.deepEqual(webhookPayload('json', notification), {
      event: 'drift-found',
      target: 'production',
      repository: 'acme/platform',
      sha: notification.sha,
      summary: notification.summary,
      url: notification.url,
    });
  });
});

describe('markers', () => {
  it('keep a target with dashes out of HTML comment syntax and read the state back', () => {
    assert.equal(targetMarker('prod--eu west'), '<!-- kube-drift:target=prod%2D%2Deu%20west -->');
    assert.equal(readState(`x\n${stateMarker('drifted')}\n`), 'drifted');
    assert.equal(readState('no marker'), undefined);
  });
});
