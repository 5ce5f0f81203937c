// The publisher against the local GitHub emulator: every request it sends is checked
// against GitHub's REST description, and the assertions read the emulator's state — what a
// user would see on the pull request, the check list and the issues page.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { createOctokit } from '../../../src/github/client.ts';
import type { RunContext } from '../../../src/github/context.ts';
import { Publisher, type PublishSettings } from '../../../src/github/publisher.ts';
import { Redactor } from '../../../src/redaction.ts';
import type { Report } from '../../../src/report/model.ts';
import { makeReport } from '../../support/github/reports.ts';
import { faults, type GitHubEmulator, startGitHubEmulator } from '../../support/github-emulator.ts';

const OWNER = 'acme';
const REPO = 'platform';
const PR = 7;
const HEAD = 'a'.repeat(40);

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

function scheduleContext(url: string): RunContext {
  return { ...prContext(url), eventName: 'schedule', ref: 'refs/heads/main', pullRequest: undefined };
}

function settings(overrides: Partial<PublishSettings> = {}): PublishSettings {
  return {
    token: 'test-token',
    target: 'production',
    comment: true,
    checkRun: true,
    failOnDrift: true,
    issue: false,
    issueLabels: ['kube-drift'],
    webhookFormat: 'json',
    ...overrides,
  };
}

interface Run {
  publisher: Publisher;
  warnings: string[];
  redactor: Redactor;
}

function publisherFor(
  gh: GitHubEmulator,
  context: RunContext,
  overrides: Partial<PublishSettings> = {},
  fetchImpl?: typeof fetch,
): Run {
  const warnings: string[] = [];
  const log = { info: () => {}, warning: (message: string) => warnings.push(message) };
  const redactor = new Redactor();
  const octokit = createOctokit(gh.token, { apiUrl: gh.url, fast: true, log, redactor });
  return {
    publisher: new Publisher(context, settings(overrides), { octokit, log, redactor, fetch: fetchImpl }),
    warnings,
    redactor,
  };
}

async function publish(
  gh: GitHubEmulator,
  report: Report,
  context = prContext(gh.url),
  overrides: Partial<PublishSettings> = {},
) {
  const run = publisherFor(gh, context, overrides);
  await run.publisher.begin();
  const result = await run.publisher.finish(report, { reportJsonPath: 'kube-drift-report.json' });
  return { ...result, logged: run.warnings };
}

/** Captures the workflow commands @actions/core writes to stdout. */
async function captureStdout<T>(action: () => Promise<T>): Promise<{ value: T; stdout: string }> {
  const original = process.stdout.write.bind(process.stdout);
  let stdout = '';
  // The test runner talks to its parent over stdout too: pass its messages through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('::')) {
      stdout += chunk;
      return true;
    }
    return original(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return { value: await action(), stdout };
  } finally {
    process.stdout.write = original;
  }
}

describe('sticky pull request comment', () => {
  it('is created once, then edited in place on the next run', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    const first = await publish(emulator, makeReport({ drifted: 2 }));
    const second = await publish(emulator, makeReport({ drifted: 3, generatedAt: '2025-01-01T01:00:00Z' }));
    assert.deepEqual(first.warnings, []);
    assert.equal(emulator.state.comments.length, 1);
    assert.equal(first.commentUrl, second.commentUrl);
    assert.match(first.commentUrl ?? '', new RegExp(`/${OWNER}/${REPO}/pull/${PR}#issuecomment-\\d+$`));
    const [comment] = emulator.state.comments;
    assert.match(comment.body, /<!-- kube-drift:target=production -->/);
    assert.match(comment.body, /app-2/, 'the second run’s third object is in the edited comment');
    assert.equal(emulator.requestsFor('issues/create-comment').length, 1);
    assert.equal(emulator.requestsFor('issues/update-comment').length, 1);
    // Links point at the manifest line at the PR's head commit.
    assert.ok(comment.body.includes(`https://github.com/${OWNER}/${REPO}/blob/${HEAD}/deploy/app-0.yaml#L1`));
  });

  it('is not edited when the report says the same thing (only its time differs)', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    await publish(emulator, makeReport({ drifted: 2 }));
    const before = emulator.state.comments[0].body;
    await publish(emulator, makeReport({ drifted: 2, generatedAt: '2025-01-02T00:00:00Z' }));
    assert.equal(emulator.requestsFor('issues/update-comment').length, 0);
    assert.equal(emulator.state.comments[0].body, before);
  });

  it('says so when the drift is gone', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    await publish(emulator, makeReport({ drifted: 2 }));
    await publish(emulator, makeReport({ drifted: 0, unchanged: 3, generatedAt: '2025-01-01T02:00:00Z' }));
    assert.equal(emulator.state.comments.length, 1);
    const body = emulator.state.comments[0].body;
    assert.match(body, /✅ No drift any more/);
    assert.match(body, /2025-01-01T02:00:00Z/);
    assert.match(body, /kube-drift:state=in-sync/);
  });

  it('with GITHUB_TOKEN (no GET /user) still finds its comment by the github-actions[bot] author', async () => {
    emulator = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
    // Someone quoting the marker must not have their comment taken over.
    emulator.addComment(OWNER, REPO, PR, 'quoting <!-- kube-drift:target=production -->', 'octocat');
    await publish(emulator, makeReport({ drifted: 1 }));
    await publish(emulator, makeReport({ drifted: 2 }));
    const ours = emulator.state.comments.filter((c) => c.user.login === 'github-actions[bot]');
    assert.equal(ours.length, 1);
    assert.equal(emulator.state.comments.length, 2);
    assert.match(emulator.state.comments[0].body, /^quoting/);
    assert.equal(emulator.requestsFor('users/get-authenticated')[0].status, 403);
  });

  it('keeps one comment per target', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    await publish(emulator, makeReport({ drifted: 1 }));
    await publish(emulator, makeReport({ drifted: 1, target: 'staging' }), prContext(emulator.url), {
      target: 'staging',
    });
    assert.equal(emulator.state.comments.length, 2);
  });

  it('stays under 65,536 characters for 3,000 drifted objects and says what it cut', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    const result = await publish(emulator, makeReport({ drifted: 3000, diffLines: 30 }));
    assert.deepEqual(result.warnings, []);
    const body = emulator.state.comments[0].body;
    assert.ok(body.length <= 65_536, `comment is ${body.length} characters`);
    assert.match(body, /shortened/);
    assert.match(body, /kube-drift-report\.json/);
    const summary = emulator.state.checkRuns[0].output.summary ?? '';
    assert.ok(summary.length <= 65_535, `check summary is ${summary.length} characters`);
  });

  it('turns a 403 into a warning naming pull-requests: write, and the run goes on', async () => {
    emulator = await startGitHubEmulator({
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
      faults: [faults.forbidden('issues/create-comment')],
    });
    const result = await publish(emulator, makeReport({ drifted: 1 }));
    assert.equal(result.commentUrl, undefined);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /pull-requests: write/);
    assert.match(result.warnings[0], /Resource not accessible by integration/);
    assert.equal(emulator.state.checkRuns[0].conclusion, 'failure', 'the check run still reports the drift');
  });
});

describe('check run', () => {
  it('is created in progress, then completed with counts, summary and every annotation in batches of 50', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    const run = publisherFor(emulator, prContext(emulator.url), { comment: false });
    await run.publisher.begin();
    assert.equal(emulator.state.checkRuns[0].status, 'in_progress');
    assert.equal(emulator.state.checkRuns[0].name, 'kube-drift / production');
    assert.equal(emulator.state.checkRuns[0].head_sha, HEAD);
    const result = await run.publisher.finish(makeReport({ drifted: 120 }), {});
    const [check] = emulator.state.checkRuns;
    assert.equal(emulator.state.checkRuns.length, 1);
    assert.equal(check.status, 'completed');
    assert.equal(check.conclusion, 'failure');
    assert.equal(check.output.title, 'Drift: 0 to create, 120 to configure, 0 to delete');
    assert.match(check.output.summary ?? '', /app-119/);
    assert.equal(check.annotations.length, 120);
    assert.deepEqual(
      new Set(check.annotations.map((a) => a.path)).size,
      120,
      'each drifted object has its own annotation',
    );
    const sizes = emulator
      .requestsFor('checks/update')
      .map((r) => ((r.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length);
    assert.deepEqual(sizes, [50, 50, 20]);
    assert.ok(result.checkRunUrl?.endsWith(`/runs/${check.id}`));
  });

  for (const [name, overrides, report, conclusion] of [
    ['drift with fail-on-drift', { failOnDrift: true }, makeReport({ drifted: 1 }), 'failure'],
    ['drift without fail-on-drift', { failOnDrift: false }, makeReport({ drifted: 1 }), 'neutral'],
    ['in sync', { failOnDrift: true }, makeReport({ drifted: 0 }), 'success'],
    [
      'errors without drift',
      { failOnDrift: false },
      makeReport({ errors: [{ message: 'boom' }] }),
      'failure',
    ],
  ] as const) {
    it(`concludes ${conclusion} on ${name}`, async () => {
      emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
      await publish(emulator, report, prContext(emulator.url), { ...overrides, comment: false });
      assert.equal(emulator.state.checkRuns[0].conclusion, conclusion);
    });
  }

  it('concludes neutral when the run lets this drift pass (fail-on), whatever the setting', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    const run = publisherFor(emulator, prContext(emulator.url), { failOnDrift: true, comment: false });
    await run.publisher.begin();
    await run.publisher.finish(makeReport({ drifted: 1 }), { failOnDrift: false });
    assert.equal(emulator.state.checkRuns[0].conclusion, 'neutral');
  });

  it('falls back to workflow annotations with one warning naming checks: write on a 403', async () => {
    emulator = await startGitHubEmulator({
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
      faults: [faults.forbidden('checks/create')],
    });
    const { value: result, stdout } = await captureStdout(() =>
      publish(emulator!, makeReport({ drifted: 3 }), prContext(emulator!.url), { comment: false }),
    );
    assert.equal(emulator.state.checkRuns.length, 0);
    assert.equal(result.warnings.length, 1, result.warnings.join('\n'));
    assert.match(result.warnings[0], /checks: write/);
    assert.equal(emulator.requestsFor('checks/create').length, 1, 'not tried again in finish()');
    const annotations = stdout.split('\n').filter((line) => line.startsWith('::warning '));
    assert.equal(annotations.length, 3);
    assert.match(
      annotations[0],
      /^::warning title=Drift%3A Deployment\/shop\/app-0,file=deploy\/app-0\.yaml,line=1,endLine=1::/,
    );
  });

  it('retries a 502 and a secondary rate limit, and the check still completes', async () => {
    emulator = await startGitHubEmulator({
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
      faults: [faults.serverError('checks/create'), faults.secondaryRateLimit('checks/update')],
    });
    const result = await publish(emulator, makeReport({ drifted: 1 }), prContext(emulator.url), {
      comment: false,
    });
    assert.deepEqual(result.warnings, []);
    assert.equal(emulator.state.checkRuns.length, 1);
    assert.equal(emulator.state.checkRuns[0].conclusion, 'failure');
    assert.deepEqual(
      emulator.requestsFor('checks/update').map((r) => r.status),
      [403, 200],
    );
  });

  it('without begin(), is created completed with 50 annotations and gets the rest in an update', async () => {
    emulator = await startGitHubEmulator();
    const run = publisherFor(emulator, scheduleContext(emulator.url), { checkName: 'drift / prod' });
    await run.publisher.finish(makeReport({ drifted: 70 }), {});
    const [check] = emulator.state.checkRuns;
    assert.equal(check.name, 'drift / prod');
    assert.equal(check.head_sha, 'f'.repeat(40), 'a run without a PR reports on GITHUB_SHA');
    assert.equal(check.annotations.length, 70);
    assert.equal(emulator.requestsFor('checks/create').length, 1);
    assert.equal(emulator.requestsFor('checks/update').length, 1);
  });

  it('failed() completes the open check run with the error', async () => {
    emulator = await startGitHubEmulator();
    const run = publisherFor(emulator, prContext(emulator.url));
    await run.publisher.begin();
    await run.publisher.failed(new Error('cannot reach the cluster at https://10.0.0.1:6443'));
    const [check] = emulator.state.checkRuns;
    assert.equal(check.conclusion, 'failure');
    assert.match(check.output.summary ?? '', /cannot reach the cluster/);
  });
});

describe('drift issue (runs without a pull request)', () => {
  it('is opened on drift, edited on the next drifted run, closed with a comment once in sync', async () => {
    emulator = await startGitHubEmulator();
    const context = scheduleContext(emulator.url);
    const opts = { issue: true, comment: false, checkRun: false };
    const opened = await publish(emulator, makeReport({ drifted: 1 }), context, opts);
    assert.equal(emulator.state.issues.length, 1);
    const [issue] = emulator.state.issues;
    assert.equal(issue.state, 'open');
    assert.deepEqual(issue.labels, ['kube-drift']);
    assert.equal(issue.title, 'Drift detected: production');
    assert.equal(opened.issueUrl, `https://github.com/${OWNER}/${REPO}/issues/${issue.number}`);

    await publish(emulator, makeReport({ drifted: 2 }), context, opts);
    assert.equal(emulator.state.issues.length, 1);
    assert.match(issue.body ?? '', /app-1/);

    await publish(emulator, makeReport({ drifted: 0 }), context, opts);
    assert.equal(issue.state, 'closed');
    assert.equal(issue.state_reason, 'completed');
    const closing = emulator.state.comments.filter((c) => c.issueNumber === issue.number);
    assert.equal(closing.length, 1);
    assert.match(closing[0].body, /No drift any more/);

    // Drift again: a new issue, the closed one is left as it was.
    await publish(emulator, makeReport({ drifted: 1 }), context, opts);
    assert.equal(emulator.state.issues.length, 2);
    assert.equal(emulator.state.issues[1].state, 'open');
  });
});

describe('webhook', () => {
  async function receiver() {
    const received: unknown[] = [];
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        received.push(JSON.parse(text));
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('notifies only when the drift state changes (state kept in the drift issue)', async () => {
    emulator = await startGitHubEmulator();
    const hook = await receiver();
    try {
      const context = scheduleContext(emulator.url);
      const opts = {
        issue: true,
        comment: false,
        checkRun: false,
        webhookUrl: hook.url,
        webhookFormat: 'json' as const,
      };
      await publish(emulator, makeReport({ drifted: 1 }), context, opts);
      await publish(emulator, makeReport({ drifted: 2 }), context, opts);
      await publish(emulator, makeReport({ drifted: 0 }), context, opts);
      await publish(emulator, makeReport({ drifted: 0 }), context, opts);
      assert.deepEqual(
        hook.received.map((payload) => (payload as { event: string }).event),
        ['drift-found', 'drift-resolved'],
      );
      const first = hook.received[0] as { target: string; summary: { configured: number }; url: string };
      assert.equal(first.target, 'production');
      assert.equal(first.summary.configured, 1);
      assert.match(first.url, /\/issues\/1$/);
    } finally {
      await hook.close();
    }
  });

  it('notifies on a PR run from the sticky comment state, in Slack form, and on remediation', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    const hook = await receiver();
    try {
      const opts = { checkRun: false, webhookUrl: hook.url, webhookFormat: 'slack' as const };
      await publish(emulator, makeReport({ drifted: 1 }), prContext(emulator.url), opts);
      await publish(
        emulator,
        makeReport({ drifted: 1, generatedAt: '2025-02-01T00:00:00Z' }),
        prContext(emulator.url),
        opts,
      );
      assert.equal(hook.received.length, 1);
      const slack = hook.received[0] as { text: string; blocks: unknown[] };
      assert.match(slack.text, /^Drift found in production/);
      assert.ok(Array.isArray(slack.blocks));

      const run = publisherFor(emulator, scheduleContext(emulator.url), {
        ...opts,
        issue: false,
        comment: false,
      });
      await run.publisher.finish(makeReport({ drifted: 1, mode: 'apply' }), { remediated: true });
      assert.equal(hook.received.length, 2);
      assert.match((hook.received[1] as { text: string }).text, /^Drift remediated in production/);
    } finally {
      await hook.close();
    }
  });

  it('turns a failing webhook into a warning that does not show the URL path', async () => {
    emulator = await startGitHubEmulator();
    const run = publisherFor(
      emulator,
      scheduleContext(emulator.url),
      { checkRun: false, webhookUrl: 'https://hooks.slack.test/services/T000/B000/SECRET' },
      async () => new Response('no', { status: 500 }),
    );
    const result = await run.publisher.finish(makeReport({ drifted: 1 }), {});
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /hooks\.slack\.test answered HTTP 500/);
    assert.doesNotMatch(result.warnings[0], /SECRET/);
  });
});

describe('redaction at the GitHub boundary', () => {
  const secret = `s3cret-${'x'.repeat(8)}-${Date.now()}`;

  function leakingReport(): Report {
    const report = makeReport({
      drifted: 1,
      errors: [
        { message: `dry-run refused: value "${secret}" is not allowed`, object: 'ConfigMap/shop/app' },
      ],
    });
    const entry = report.entries.find((e) => e.action === 'configured')!;
    entry.diff = `--- live\n+++ git\n-  dsn: postgres://u:${secret}@db/x\n+  dsn: postgres://u:${secret}x@db/x`;
    entry.changes = [{ path: '/data/dsn', before: `postgres://u:${secret}@db/x`, after: 'other' }];
    return report;
  }

  it('masks a registered value in every request the publisher sends (comment, check run, annotations)', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    const run = publisherFor(emulator, prContext(emulator.url));
    run.redactor.add(secret);
    await run.publisher.begin();
    await run.publisher.finish(leakingReport());
    const sent = JSON.stringify(emulator.state.requests.map((r) => r.body));
    assert.ok(!sent.includes(secret), 'the secret reached GitHub');
    assert.match(emulator.state.comments[0].body, /postgres:\/\/u:\*\*\*@db\/x/);
    assert.ok(
      emulator.requestsFor('checks/update').length + emulator.requestsFor('checks/create').length > 0,
    );
  });

  it('masks every parameter of a raw Octokit call but the URL parameters, which still route', async () => {
    emulator = await startGitHubEmulator({ pullRequests: [{ owner: OWNER, repo: REPO, number: PR }] });
    const redactor = new Redactor();
    redactor.add(secret);
    // A repository whose name equals a registered value must still be addressed.
    redactor.add(REPO);
    const log = { info: () => {}, warning: () => {} };
    const octokit = createOctokit(emulator.token, { apiUrl: emulator.url, fast: true, log, redactor });
    await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: PR,
      body: `a new call that forgot to redact: ${secret} in ${REPO}`,
    });
    assert.equal(emulator.state.comments.length, 1);
    assert.equal(emulator.state.comments[0].body, 'a new call that forgot to redact: *** in ***');
  });
});
