// The bundled action (dist/index.js, as committed) run end to end as GitHub runs it: a Node 24
// child process with the runner's environment and a real event payload, against the local
// control plane and the GitHub emulator (which refuses any request GitHub would refuse).
// Assertions read what a person would see: the PR comment, the check list, the issue, the
// step's outputs and summary, the log, and the cluster itself.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { targetMarker } from '../../src/github/markers.ts';
import type { TestNamespace } from '../support/cluster.ts';
import { faults, type GitHubEmulator, startGitHubEmulator } from '../support/github-emulator.ts';
import { OWNER, pullRequestEvent, pushEvent, REPO, scheduleEvent } from './support/action.ts';
import {
  APP_FILE,
  appNamespace,
  appWorkspace,
  lineOf,
  logsOf,
  replicas,
  runAppAction,
  scale,
  uniqueTarget,
} from './support/scenario.ts';
import { pushCommit, type Workspace } from './support/workspace.ts';

const PR = 12;
// Annotations point at the first line of the object's YAML document.
const DEPLOYMENT_LINE = lineOf('apiVersion: apps/v1');

function commentsOn(gh: GitHubEmulator, number: number) {
  return gh.state.comments.filter((c) => c.repo === `${OWNER}/${REPO}` && c.issueNumber === number);
}

function checkRunsNamed(gh: GitHubEmulator, name: string) {
  return gh.state.checkRuns.filter((run) => run.name === name);
}

/** The workflow commands of one kind (`warning`, `error`, `add-mask`) the run printed. */
function commands(stdout: string, kind: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith(`::${kind} `) || line.startsWith(`::${kind}::`));
}

describe('pull request: drift found, reported, then resolved', () => {
  let namespace: TestNamespace;
  let gh: GitHubEmulator;
  let ws: Workspace;
  const target = uniqueTarget('e2e-pr');
  const checkName = `kube-drift / ${target}`;

  before(async () => {
    ws = appWorkspace();
    namespace = await appNamespace('e2e-pr');
    await scale(namespace.name, 3);
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
  });
  after(async () => {
    await gh?.close();
    await namespace?.cleanup();
  });

  it('fails the step, comments once on the PR and fails the check run, with annotations on the manifest line', async () => {
    const head = ws.headSha;
    const run = await runAppAction(
      gh,
      ws,
      pullRequestEvent('opened', PR, { head, base: ws.baseSha }),
      namespace.name,
      target,
    );
    const logs = logsOf(run);

    assert.equal(run.code, 1, logs);
    assert.ok(
      commands(run.stdout, 'error').some((line) =>
        line.includes(`kube-drift: drift in target ${target}: 0 to create, 1 drifted, 0 to delete.`),
      ),
      logs,
    );

    const comments = commentsOn(gh, PR);
    assert.equal(comments.length, 1, logs);
    const [comment] = comments;
    assert.equal(comment.user.login, 'github-actions[bot]');
    assert.ok(comment.body.includes(targetMarker(target)), comment.body);
    assert.match(comment.body, /⚠️ Drift: 1 /);
    assert.ok(comment.body.includes('spec.replicas'), comment.body);
    assert.ok(comment.body.includes(`Deployment/${namespace.name}/web`), comment.body);

    const runs = checkRunsNamed(gh, checkName);
    assert.equal(runs.length, 1, logs);
    const [checkRun] = runs;
    assert.equal(checkRun.head_sha, head, 'the check run belongs to the PR head, not the merge commit');
    assert.equal(checkRun.status, 'completed');
    assert.equal(checkRun.conclusion, 'failure');
    assert.match(checkRun.output.title ?? '', /^Drift: 0 to create, 1 to configure, 0 to delete/);
    assert.ok(checkRun.output.summary?.includes('spec.replicas'));
    const annotation = checkRun.annotations.find((a) => a.path === APP_FILE);
    assert.ok(annotation, JSON.stringify(checkRun.annotations));
    assert.equal(annotation.start_line, DEPLOYMENT_LINE);
    assert.equal(annotation.annotation_level, 'warning');
    assert.ok(annotation.message.includes('spec.replicas'), annotation.message);

    assert.equal(run.outputs['drift-detected'], 'true');
    assert.equal(run.outputs.configured, '1');
    assert.equal(run.outputs.created, '0');
    assert.equal(run.outputs.unchanged, '1');
    assert.equal(run.outputs['exit-code'], '1');
    assert.equal(
      run.outputs['comment-url'],
      `https://github.com/${OWNER}/${REPO}/pull/${PR}#issuecomment-${comment.id}`,
    );
    const reportPath = run.outputs['report-json'];
    assert.ok(reportPath?.startsWith(run.runnerTemp), `report-json ${reportPath} is under RUNNER_TEMP`);
    assert.ok(existsSync(reportPath));
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    assert.equal(report.target, target);
    assert.equal(report.summary.configured, 1);

    assert.ok(run.summary.includes(`kube-drift: ${target}`), run.summary);
    assert.ok(run.summary.includes('spec.replicas'), run.summary);
  });

  it('keeps one comment when the PR is pushed to again with the same drift', async () => {
    const head = pushCommit(ws.dir);
    const run = await runAppAction(
      gh,
      ws,
      pullRequestEvent('synchronize', PR, { head, base: ws.baseSha }),
      namespace.name,
      target,
    );
    assert.equal(run.code, 1, logsOf(run));
    assert.equal(commentsOn(gh, PR).length, 1);
    assert.equal(gh.requestsFor('issues/create-comment').length, 1);
    assert.ok(commentsOn(gh, PR)[0].body.includes('spec.replicas'));
    assert.equal(checkRunsNamed(gh, checkName).at(-1)?.conclusion, 'failure');
  });

  it('says the drift is gone once the cluster matches Git again, and passes', async () => {
    await scale(namespace.name, 2);
    const head = pushCommit(ws.dir);
    const run = await runAppAction(
      gh,
      ws,
      pullRequestEvent('synchronize', PR, { head, base: ws.baseSha }),
      namespace.name,
      target,
    );
    const logs = logsOf(run);
    assert.equal(run.code, 0, logs);
    assert.deepEqual(commands(run.stdout, 'error'), [], logs);
    const comments = commentsOn(gh, PR);
    assert.equal(comments.length, 1);
    assert.match(comments[0].body, /No drift any more/);
    assert.match(comments[0].body, /✅ In sync: 2 objects match Git/);
    assert.ok(!comments[0].body.includes('spec.replicas'), comments[0].body);
    const latest = checkRunsNamed(gh, checkName).at(-1);
    assert.equal(latest?.head_sha, head);
    assert.equal(latest?.conclusion, 'success');
    assert.equal(run.outputs['drift-detected'], 'false');
    assert.equal(run.outputs['exit-code'], '0');
  });
});

describe('pull request with a token that may not write check runs', () => {
  let namespace: TestNamespace;
  let gh: GitHubEmulator;
  let ws: Workspace;
  const target = uniqueTarget('e2e-403');

  before(async () => {
    ws = appWorkspace();
    namespace = await appNamespace('e2e-403');
    await scale(namespace.name, 4);
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
      faults: [faults.forbidden('checks/create')],
    });
  });
  after(async () => {
    await gh?.close();
    await namespace?.cleanup();
  });

  it('still fails on drift, warns once about checks: write and annotates through workflow commands', async () => {
    const run = await runAppAction(
      gh,
      ws,
      pullRequestEvent('opened', PR, { head: ws.headSha, base: ws.baseSha }),
      namespace.name,
      target,
    );
    const logs = logsOf(run);
    assert.equal(run.code, 1, logs);
    const permissionWarnings = commands(run.stdout, 'warning').filter((line) =>
      line.includes('checks: write'),
    );
    assert.equal(permissionWarnings.length, 1, logs);
    assert.equal(gh.state.checkRuns.length, 0);
    const annotations = commands(run.stdout, 'warning').filter((line) => line.includes(`file=${APP_FILE}`));
    assert.equal(annotations.length, 1, logs);
    assert.ok(annotations[0].includes(`line=${DEPLOYMENT_LINE}`), annotations[0]);
    assert.ok(annotations[0].includes('spec.replicas'), annotations[0]);
    // The comment does not need checks: write.
    assert.equal(commentsOn(gh, PR).length, 1);
    assert.equal(run.outputs['drift-detected'], 'true');
  });
});

describe('remediation', () => {
  let namespace: TestNamespace;
  let gh: GitHubEmulator;
  let ws: Workspace;
  const target = uniqueTarget('e2e-fix');

  before(async () => {
    ws = appWorkspace();
    namespace = await appNamespace('e2e-fix');
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
  });
  after(async () => {
    await gh?.close();
    await namespace?.cleanup();
  });

  it('converges the cluster to Git on a push to the default branch', async () => {
    await scale(namespace.name, 5);
    const sha = ws.headSha;
    const run = await runAppAction(gh, ws, pushEvent(sha), namespace.name, target, { remediate: 'true' });
    const logs = logsOf(run);
    assert.equal(run.code, 0, logs);
    assert.equal(await replicas(namespace.name), 2, 'replicas back to what Git says');
    assert.equal(run.outputs.configured, '1', logs);
    assert.equal(run.outputs['exit-code'], '0');
    const report = JSON.parse(readFileSync(run.outputs['report-json'], 'utf8'));
    assert.equal(report.mode, 'apply');
    assert.match(run.summary, /🔧 Applied Git: 1 /);
    const [checkRun] = gh.state.checkRuns;
    assert.equal(checkRun?.conclusion, 'success');
    assert.match(checkRun?.output.title ?? '', /^Remediated: 0 created, 1 configured, 0 deleted/);
    assert.equal(checkRun?.head_sha, sha);
  });

  it('refuses to remediate on a pull request and leaves the cluster alone', async () => {
    await scale(namespace.name, 4);
    const run = await runAppAction(
      gh,
      ws,
      pullRequestEvent('opened', PR, { head: ws.headSha, base: ws.baseSha }),
      namespace.name,
      target,
      {
        remediate: 'true',
      },
    );
    const logs = logsOf(run);
    assert.equal(run.code, 1, logs);
    assert.equal(
      commands(run.stdout, 'warning').filter((line) => line.includes('remediation refused')).length,
      1,
      logs,
    );
    assert.equal(await replicas(namespace.name), 4, 'the cluster is untouched');
    assert.equal(run.outputs['drift-detected'], 'true');
    assert.equal(run.outputs.configured, '1');
    const report = JSON.parse(readFileSync(run.outputs['report-json'], 'utf8'));
    assert.equal(report.mode, 'diff');
  });
});

describe('scheduled run with a drift issue', () => {
  let namespace: TestNamespace;
  let gh: GitHubEmulator;
  let ws: Workspace;
  const target = uniqueTarget('e2e-issue');

  before(async () => {
    ws = appWorkspace();
    namespace = await appNamespace('e2e-issue');
    gh = await startGitHubEmulator({ tokenKind: 'installation' });
  });
  after(async () => {
    await gh?.close();
    await namespace?.cleanup();
  });

  it('opens a labelled drift issue when the cluster drifted', async () => {
    await scale(namespace.name, 3);
    const run = await runAppAction(gh, ws, scheduleEvent(ws.headSha), namespace.name, target, {
      issue: 'true',
      'issue-labels': 'drift',
    });
    const logs = logsOf(run);
    assert.equal(run.code, 1, logs);
    assert.equal(gh.state.issues.length, 1, logs);
    const [issue] = gh.state.issues;
    assert.equal(issue.state, 'open');
    assert.equal(issue.title, `Drift detected: ${target}`);
    assert.deepEqual(issue.labels, ['drift']);
    assert.ok(issue.body?.includes('spec.replicas'), issue.body ?? '');
    assert.equal(run.outputs['issue-url'], `https://github.com/${OWNER}/${REPO}/issues/${issue.number}`);
  });

  it('closes the issue with a comment once the drift is fixed', async () => {
    await scale(namespace.name, 2);
    const run = await runAppAction(gh, ws, scheduleEvent(ws.headSha), namespace.name, target, {
      issue: 'true',
      'issue-labels': 'drift',
    });
    const logs = logsOf(run);
    assert.equal(run.code, 0, logs);
    assert.equal(gh.state.issues.length, 1, 'no second issue');
    const [issue] = gh.state.issues;
    assert.equal(issue.state, 'closed');
    assert.equal(issue.state_reason, 'completed');
    const closing = commentsOn(gh, issue.number);
    assert.equal(closing.length, 1, logs);
    assert.match(closing[0].body, /No drift any more/);
  });
});
