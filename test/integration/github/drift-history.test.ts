// "Drift over time" on scheduled runs, against the GitHub emulator: each run adds its drifted
// objects to the chart in the target's drift issue (a Mermaid xychart) and to the job summary;
// the history is kept in the issue's hidden state, survives the issue closing, and moves to
// the next issue the target opens; only the last 30 runs are kept.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { createOctokit } from '../../../src/github/client.ts';
import type { RunContext } from '../../../src/github/context.ts';
import { historyMarker } from '../../../src/github/drift-history.ts';
import { targetMarker } from '../../../src/github/markers.ts';
import { Publisher } from '../../../src/github/publisher.ts';
import { Redactor } from '../../../src/redaction.ts';
import type { Report } from '../../../src/report/model.ts';
import { makeReport } from '../../support/github/reports.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../support/github-emulator.ts';

const OWNER = 'acme';
const REPO = 'platform';

let emulator: GitHubEmulator | undefined;
let summaryDir: string;
let summaryFile: string;
before(() => {
  summaryDir = mkdtempSync(join(tmpdir(), 'kube-drift-summary-'));
  summaryFile = join(summaryDir, 'step-summary.md');
  writeFileSync(summaryFile, '');
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
});
after(() => {
  delete process.env.GITHUB_STEP_SUMMARY;
  rmSync(summaryDir, { recursive: true, force: true });
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function scheduleContext(url: string): RunContext {
  return {
    eventName: 'schedule',
    owner: OWNER,
    repo: REPO,
    sha: 'f'.repeat(40),
    ref: 'refs/heads/main',
    serverUrl: 'https://github.com',
    apiUrl: url,
    runUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/1`,
  };
}

/** One scheduled run's publishing; returns the job summary it wrote and its warnings. */
async function scheduledRun(gh: GitHubEmulator, report: Report) {
  writeFileSync(summaryFile, '');
  const warnings: string[] = [];
  const log = { info: () => {}, warning: (message: string) => warnings.push(message) };
  const redactor = new Redactor();
  const octokit = createOctokit(gh.token, { apiUrl: gh.url, fast: true, log, redactor });
  const settings = {
    token: 'test-token',
    target: 'production',
    comment: false,
    checkRun: false,
    failOnDrift: true,
    issue: true,
    issueLabels: ['kube-drift'],
    webhookFormat: 'json' as const,
  };
  const publisher = new Publisher(scheduleContext(gh.url), settings, { octokit, log, redactor });
  const result = await publisher.finish(report);
  assert.deepEqual(warnings, []);
  return { ...result, summary: readFileSync(summaryFile, 'utf8') };
}

/** The chart's bars and x-axis as a user reads them in the Markdown. */
function chartOf(text: string): { bars: number[]; labels: string[] } {
  const bars = /^ {4}bar \[(.*)\]$/m.exec(text)?.[1];
  const labels = /^ {4}x-axis \[(.*)\]$/m.exec(text)?.[1];
  assert.ok(bars !== undefined && labels !== undefined, `no chart in:\n${text}`);
  return {
    bars: bars === '' ? [] : bars.split(', ').map(Number),
    labels: labels === '' ? [] : labels.split(', ').map((l) => JSON.parse(l) as string),
  };
}

const at = (hour: number) =>
  `2026-12-0${1 + Math.floor(hour / 24)}T${String(hour % 24).padStart(2, '0')}:00:00Z`;

describe('drift over time (scheduled runs)', () => {
  it('charts drifted objects per run in the issue and the job summary, and hands the history to the next issue', async () => {
    emulator = await startGitHubEmulator();
    const first = await scheduledRun(emulator, makeReport({ drifted: 2, generatedAt: at(0) }));
    const [issue] = emulator.state.issues;
    assert.equal(first.issueUrl, `https://github.com/${OWNER}/${REPO}/issues/${issue.number}`);
    assert.deepEqual(chartOf(issue.body ?? ''), { bars: [2], labels: ['12-01 00:00'] });
    assert.match(
      issue.body ?? '',
      /### Drift over time\n\n```mermaid\nxychart-beta\n {4}title "Drifted objects per run: production"\n {4}x-axis \["12-01 00:00"\]\n {4}y-axis "Drifted objects" 0 --> 2\n {4}bar \[2\]\n {4}line \[2\]\n```\n/,
    );
    assert.match(first.summary, /^### Drift over time: production\n\n```mermaid\nxychart-beta\n/m);
    assert.deepEqual(chartOf(first.summary).bars, [2]);

    await scheduledRun(emulator, makeReport({ drifted: 3, generatedAt: at(6) }));
    assert.equal(emulator.state.issues.length, 1);
    assert.deepEqual(chartOf(issue.body ?? '').bars, [2, 3]);

    const synced = await scheduledRun(emulator, makeReport({ drifted: 0, generatedAt: at(12) }));
    assert.equal(issue.state, 'closed');
    assert.deepEqual(chartOf(issue.body ?? ''), {
      bars: [2, 3, 0],
      labels: ['12-01 00:00', '12-01 06:00', '12-01 12:00'],
    });
    assert.deepEqual(chartOf(synced.summary).bars, [2, 3, 0]);

    // In sync again: the closed issue keeps counting; no issue is opened.
    await scheduledRun(emulator, makeReport({ drifted: 0, generatedAt: at(18) }));
    assert.equal(emulator.state.issues.length, 1);
    assert.equal(issue.state, 'closed');
    assert.deepEqual(chartOf(issue.body ?? '').bars, [2, 3, 0, 0]);

    // A run that could not look is no point on the chart.
    const failed = makeReport({
      drifted: 0,
      generatedAt: at(20),
      errors: [{ message: 'the cluster could not be reached' }] as Report['errors'],
    });
    const failedRun = await scheduledRun(emulator, failed);
    assert.deepEqual(chartOf(issue.body ?? '').bars, [2, 3, 0, 0]);
    assert.equal(failedRun.summary, '');

    const closedBody = issue.body;
    const reopened = await scheduledRun(emulator, makeReport({ drifted: 1, generatedAt: at(24) }));
    assert.equal(emulator.state.issues.length, 2);
    const next = emulator.state.issues[1];
    assert.equal(next.state, 'open');
    assert.equal(reopened.issueUrl, `https://github.com/${OWNER}/${REPO}/issues/${next.number}`);
    assert.deepEqual(chartOf(next.body ?? '').bars, [2, 3, 0, 0, 1]);
    assert.equal(chartOf(next.body ?? '').labels.at(-1), '12-02 00:00');
    assert.equal(issue.body, closedBody, 'the closed issue is left as it was');
    assert.deepEqual(chartOf(reopened.summary).bars, [2, 3, 0, 0, 1]);
  });

  it('keeps the last 30 runs', async () => {
    emulator = await startGitHubEmulator();
    const octokit = createOctokit(emulator.token, {
      apiUrl: emulator.url,
      fast: true,
      log: { info: () => {}, warning: () => {} },
      redactor: new Redactor(),
    });
    // An issue from earlier runs with 30 points: 0, 1, ..., 29 drifted objects.
    const history = Array.from({ length: 30 }, (_, i) => ({ at: at(i), drifted: i }));
    await octokit.rest.issues.create({
      owner: OWNER,
      repo: REPO,
      title: 'Drift detected: production',
      body: `${targetMarker('production')}\n<!-- kube-drift:state=drifted -->\nold report\n${historyMarker(history)}`,
      labels: ['kube-drift'],
    });
    await scheduledRun(emulator, makeReport({ drifted: 7, generatedAt: at(40) }));
    const [issue] = emulator.state.issues;
    const chart = chartOf(issue.body ?? '');
    assert.equal(chart.bars.length, 30);
    assert.deepEqual(chart.bars, [...Array.from({ length: 29 }, (_, i) => i + 1), 7]);
    assert.equal(chart.labels[0], '12-01 01:00');
    assert.equal(chart.labels.at(-1), '12-02 16:00');
    assert.match(issue.body ?? '', /y-axis "Drifted objects" 0 --> 29/);
    assert.match(
      issue.body ?? '',
      /_Drifted objects in the last 30 runs of `production` \(at most 30\), oldest first\._/,
    );
    assert.equal(emulator.state.issues.length, 1);
  });
});
