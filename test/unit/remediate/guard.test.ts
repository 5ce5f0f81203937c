import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeRef, remediationRefusal } from '../../../src/remediate/guard.ts';

describe('remediationRefusal', () => {
  const cases: {
    name: string;
    event: { eventName: string; ref: string; defaultBranch?: string };
    allowed: string[];
    refused: RegExp | undefined;
  }[] = [
    {
      name: 'push to the default branch',
      event: { eventName: 'push', ref: 'refs/heads/main', defaultBranch: 'main' },
      allowed: [],
      refused: undefined,
    },
    {
      name: 'schedule on the default branch',
      event: { eventName: 'schedule', ref: 'refs/heads/main', defaultBranch: 'main' },
      allowed: [],
      refused: undefined,
    },
    {
      name: 'pull_request always',
      event: { eventName: 'pull_request', ref: 'refs/heads/main', defaultBranch: 'main' },
      allowed: ['main'],
      refused: /refused on pull_request events/,
    },
    {
      name: 'pull_request_target always',
      event: { eventName: 'pull_request_target', ref: 'refs/heads/main', defaultBranch: 'main' },
      allowed: ['refs/heads/main'],
      refused: /pull_request_target/,
    },
    {
      name: 'push to another branch',
      event: { eventName: 'push', ref: 'refs/heads/feature', defaultBranch: 'main' },
      allowed: [],
      refused: /refs\/heads\/feature: allowed-refs is refs\/heads\/main/,
    },
    {
      name: 'short form in allowed-refs',
      event: { eventName: 'workflow_dispatch', ref: 'refs/heads/prod' },
      allowed: ['prod'],
      refused: undefined,
    },
    {
      name: 'full form in allowed-refs',
      event: { eventName: 'push', ref: 'refs/heads/prod' },
      allowed: ['refs/heads/prod'],
      refused: undefined,
    },
    {
      name: 'allowed-refs replaces the default branch',
      event: { eventName: 'push', ref: 'refs/heads/main', defaultBranch: 'main' },
      allowed: ['prod'],
      refused: /allowed-refs is refs\/heads\/prod/,
    },
    {
      name: 'tags as full refs',
      event: { eventName: 'push', ref: 'refs/tags/v1' },
      allowed: ['refs/tags/v1'],
      refused: undefined,
    },
    {
      name: 'no default branch known and no allowed-refs',
      event: { eventName: 'push', ref: 'refs/heads/main' },
      allowed: [],
      refused: /Set allowed-refs/,
    },
    {
      name: 'a PR merge ref on a non-PR event',
      event: { eventName: 'workflow_dispatch', ref: 'refs/pull/7/merge', defaultBranch: 'main' },
      allowed: [],
      refused: /refs\/pull\/7\/merge/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const refusal = remediationRefusal(c.event, c.allowed);
      if (c.refused) assert.match(refusal ?? '', c.refused);
      else assert.equal(refusal, undefined);
    });
  }

  it('normalizes short branch names', () => {
    assert.equal(normalizeRef('main'), 'refs/heads/main');
    assert.equal(normalizeRef(' refs/heads/main '), 'refs/heads/main');
  });
});
