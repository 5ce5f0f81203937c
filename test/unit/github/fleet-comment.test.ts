// The roll-up comment's body: hidden markers first, then the roll-up, under GitHub's 65,536
// characters however many targets drifted however much; its digest ignores when reports were made.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunContext } from '../../../src/github/context.ts';
import { readDigest, targetMarker } from '../../../src/github/markers.ts';
import { FLEET_MARKER, fleetCommentBody } from '../../../src/github/publish-fleet.ts';
import type { Publishing } from '../../../src/github/publishing.ts';
import { Redactor } from '../../../src/redaction.ts';
import { buildReport } from '../../../src/report/model.ts';
import { largeDriftChangeSet, META } from '../report/fixtures.ts';

const CONTEXT: RunContext = {
  eventName: 'pull_request',
  owner: 'acme',
  repo: 'platform',
  sha: 'f'.repeat(40),
  ref: 'refs/pull/7/merge',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  pullRequest: { number: 7, headSha: 'a'.repeat(40), baseSha: 'b'.repeat(40), isFork: false },
};

function publishing(): Publishing {
  return {
    context: CONTEXT,
    settings: {
      token: 't',
      target: FLEET_MARKER,
      comment: true,
      checkRun: false,
      failOnDrift: true,
      issue: false,
      issueLabels: [],
      webhookFormat: 'json',
    },
    octokit: undefined as never,
    log: { info: () => undefined, warning: () => undefined },
    redactor: new Redactor(),
  };
}

describe('fleetCommentBody', () => {
  it('stays under GitHub’s limit with ten targets of 150 drifted objects each, every target named', () => {
    const reports = Array.from({ length: 10 }, (_, i) =>
      buildReport(largeDriftChangeSet(150), { ...META, target: `cluster-${i}` }),
    );
    const body = fleetCommentBody(publishing(), { reports, notes: [] });
    assert.ok(body.length <= 65_536, String(body.length));
    assert.ok(body.startsWith(`${targetMarker(FLEET_MARKER)}\n<!-- kube-drift:state=drifted -->\n`));
    for (const report of reports) assert.ok(body.includes(`## kube-drift: ${report.target}`), report.target);
  });

  it('has the same digest for the same findings made at another time', () => {
    const report = buildReport(largeDriftChangeSet(3), META);
    const later = { ...report, generatedAt: '2030-01-01T00:00:00Z' };
    const one = readDigest(fleetCommentBody(publishing(), { reports: [report], notes: [] }));
    const two = readDigest(fleetCommentBody(publishing(), { reports: [later], notes: [] }));
    assert.ok(one);
    assert.equal(one, two);
  });
});
