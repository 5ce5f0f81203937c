import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.ts';
import { fileUrl, readRunContext } from '../../../src/github/context.ts';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;

function payloadFile(payload: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kube-drift-event-')), 'event.json');
  writeFileSync(path, JSON.stringify(payload));
  return path;
}

function exampleOf(name: string, action?: string): Record<string, unknown> {
  const event = examples.find((e) => e.name === name);
  const example = event?.examples.find((e) => action === undefined || e.action === action);
  assert.ok(example, `webhooks-examples has a ${name} ${action ?? ''} payload`);
  return example;
}

describe('readRunContext', () => {
  it('reads a pull_request event: number, head and base SHAs, fork or not', () => {
    const payload = exampleOf('pull_request', 'opened') as {
      number: number;
      pull_request: { head: { sha: string; repo: { full_name: string } }; base: { sha: string } };
      repository: { full_name: string; default_branch: string };
    };
    const context = readRunContext({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REPOSITORY: payload.repository.full_name,
      GITHUB_SHA: 'merge-sha',
      GITHUB_REF: `refs/pull/${payload.number}/merge`,
      GITHUB_RUN_ID: '42',
      GITHUB_EVENT_PATH: payloadFile(payload),
    });
    assert.equal(context.pullRequest?.number, payload.number);
    assert.equal(context.pullRequest?.headSha, payload.pull_request.head.sha);
    assert.equal(context.pullRequest?.baseSha, payload.pull_request.base.sha);
    assert.equal(
      context.pullRequest?.isFork,
      payload.pull_request.head.repo.full_name !== payload.repository.full_name,
    );
    assert.equal(context.defaultBranch, payload.repository.default_branch);
    assert.equal(context.apiUrl, 'https://api.github.com');
    assert.equal(context.runUrl, `https://github.com/${payload.repository.full_name}/actions/runs/42`);
    assert.equal(
      fileUrl(context, 'deploy/app.yaml', 12),
      `https://github.com/${payload.repository.full_name}/blob/${payload.pull_request.head.sha}/deploy/app.yaml#L12`,
    );
  });

  it('marks a pull request from another repository as a fork', () => {
    const context = readRunContext({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REPOSITORY: 'acme/platform',
      GITHUB_EVENT_PATH: payloadFile({
        pull_request: {
          number: 5,
          head: { sha: 'h', repo: { full_name: 'mallory/platform' } },
          base: { sha: 'b' },
        },
      }),
    });
    assert.equal(context.pullRequest?.isFork, true);
    assert.equal(context.pullRequest?.headRepoFullName, 'mallory/platform');
  });

  it('has no pull request on a schedule event, and takes the API URL from GITHUB_API_URL', () => {
    const context = readRunContext({
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_REPOSITORY: 'acme/platform',
      GITHUB_SHA: 'abc',
      GITHUB_API_URL: 'http://127.0.0.1:9999/',
      GITHUB_EVENT_PATH: payloadFile(exampleOf('push')),
    });
    assert.equal(context.pullRequest, undefined);
    assert.equal(context.apiUrl, 'http://127.0.0.1:9999');
    assert.equal(fileUrl(context, 'a.yaml', 1), 'https://github.com/acme/platform/blob/abc/a.yaml#L1');
  });

  for (const [name, env, pattern] of [
    ['no GITHUB_REPOSITORY', {}, /GITHUB_REPOSITORY must be "owner\/repo"/],
    ['a malformed GITHUB_REPOSITORY', { GITHUB_REPOSITORY: 'acme' }, /got "acme"/],
    [
      'a missing payload file',
      { GITHUB_REPOSITORY: 'a/b', GITHUB_EVENT_PATH: '/nonexistent/event.json' },
      /Cannot read the event payload \/nonexistent\/event\.json/,
    ],
  ] as const) {
    it(`throws an InputError for ${name}`, () => {
      assert.throws(
        () => readRunContext(env),
        (error: unknown) => error instanceof InputError && pattern.test(error.message),
      );
    });
  }
});
