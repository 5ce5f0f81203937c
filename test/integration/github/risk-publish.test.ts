// The risk review as GitHub shows it, through the publisher against the local GitHub emulator
// (which refuses what GitHub refuses): the PR comment's Review, the check run failed by
// fail-on-risk with the reason in its title, and one annotation per finding, level by severity.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createOctokit } from '../../../src/github/client.ts';
import type { RunContext } from '../../../src/github/context.ts';
import { Publisher } from '../../../src/github/publisher.ts';
import type { RiskSeverity } from '../../../src/model.ts';
import { Redactor } from '../../../src/redaction.ts';
import { buildReport, type Report } from '../../../src/report/model.ts';
import { judgeRisks } from '../../../src/report/risk-verdict.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../support/github-emulator.ts';
import { THREE_WAY_META } from '../../unit/report/fixtures.ts';
import { manyRisksChangeSet, riskChangeSet } from '../../unit/report/risk-fixtures.ts';

const OWNER = 'acme';
const REPO = 'platform';
const PR = 9;
const HEAD = 'c'.repeat(40);

let emulator: GitHubEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function prContext(url: string): RunContext {
  return {
    eventName: 'pull_request',
    owner: OWNER,
    repo: REPO,
    sha: 'f'.repeat(40),
    ref: `refs/pull/${PR}/merge`,
    serverUrl: 'https://github.com',
    apiUrl: url,
    runUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/1`,
    pullRequest: { number: PR, headSha: HEAD, baseSha: 'b'.repeat(40), isFork: false },
  };
}

/** Publishes as the action does after the flow: fail-on-risk judged, drift not failing. */
async function publish(gh: GitHubEmulator, report: Report, failOn: RiskSeverity | 'none'): Promise<string[]> {
  const verdict = judgeRisks(report.risks, failOn);
  if (verdict) report.riskVerdict = verdict;
  const warnings: string[] = [];
  const log = { info: () => {}, warning: (message: string) => warnings.push(message) };
  const redactor = new Redactor();
  const octokit = createOctokit(gh.token, { apiUrl: gh.url, fast: true, log, redactor });
  const publisher = new Publisher(
    prContext(gh.url),
    {
      token: 'test-token',
      target: 'production',
      comment: true,
      checkRun: true,
      failOnDrift: false,
      issue: false,
      issueLabels: [],
      webhookFormat: 'json',
    },
    { octokit, log, redactor },
  );
  await publisher.begin();
  await publisher.finish(report, { reportJsonPath: 'kube-drift-report.json' });
  return warnings;
}

describe('risk review on GitHub', () => {
  it('fail-on-risk warning: the check run fails with the reason; findings are annotations by severity', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    const warnings = await publish(emulator, buildReport(riskChangeSet(), THREE_WAY_META), 'warning');
    assert.deepEqual(warnings, []);
    const [check] = emulator.state.checkRuns;
    assert.equal(check.conclusion, 'failure');
    assert.equal(
      check.output.title,
      'Drift: 1 to create, 2 to configure, 0 to delete; risk review failed: 4 risk findings at or above warning; 2 accepted not counted; 1 rule could not be checked (fail-on-risk: warning)',
    );
    assert.match(check.output.summary ?? '', /^\*\*⛔ Risk review failed: 4 risk findings/m);
    const risks = check.annotations
      .filter((a) => /^(Accepted risk|Risk) /.test(a.title ?? ''))
      .map((a) => [a.annotation_level, a.title]);
    assert.deepEqual(risks, [
      ['failure', 'Risk immutable-field (danger): Deployment/web/api'],
      ['warning', 'Risk config-without-rollout (warning): ConfigMap/web/cache'],
      ['notice', 'Accepted risk rbac-escalation (warning): ClusterRole/ci-deployer'],
      ['warning', 'Risk exposure (warning): Service/web/api'],
      ['notice', 'Risk image-change (info): Deployment/web/api'],
      ['notice', 'Risk exposure (info): Ingress/web/shop'],
      ['notice', 'Risk image-change (info): Deployment/web/worker'],
    ]);
    const [comment] = emulator.state.comments;
    const review = comment.body.indexOf('### Review: 2 danger · 2 warning · 3 info · 2 accepted');
    assert.ok(review > 0 && review < comment.body.indexOf('| Objects'), 'the Review is above the counts');
    assert.ok(
      comment.body.includes(
        `[\`deploy/web/api.yaml:12\`](https://github.com/${OWNER}/${REPO}/blob/${HEAD}/deploy/web/api.yaml#L12)`,
      ),
      'manifest lines link to the PR head',
    );
  });

  it('fail-on-risk none: drift without fail-on-drift stays neutral, the Review is still shown', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    await publish(emulator, buildReport(riskChangeSet(), THREE_WAY_META), 'none');
    const [check] = emulator.state.checkRuns;
    assert.equal(check.conclusion, 'neutral');
    assert.equal(check.output.title, 'Drift: 1 to create, 2 to configure, 0 to delete');
    assert.match(emulator.state.comments[0].body, /### Review: 2 danger/);
    assert.doesNotMatch(emulator.state.comments[0].body, /Risk review (failed|passed)/);
  });

  it('500 findings: comment and check summary under 65,536 characters, every annotation sent', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    await publish(emulator, buildReport(manyRisksChangeSet(500), THREE_WAY_META), 'danger');
    const body = emulator.state.comments[0].body;
    assert.ok(body.length < 65_536, `comment is ${body.length} characters`);
    assert.match(body, /\d+ of 500 risk findings are not shown/);
    const [check] = emulator.state.checkRuns;
    assert.equal(check.conclusion, 'failure');
    assert.ok((check.output.summary ?? '').length < 65_536);
    // 500 drifted objects and 500 findings, each on a manifest line.
    assert.equal(check.annotations.length, 1000);
  });
});
