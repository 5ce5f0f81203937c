// The GitHub emulator itself: it must refuse what GitHub refuses, or the publisher tests
// prove nothing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../../support/github-emulator.ts';

let emulator: GitHubEmulator;
before(async () => {
  emulator = await startGitHubEmulator({ pullRequests: [{ owner: 'acme', repo: 'platform', number: 3 }] });
});
after(() => emulator.close());

async function call(method: string, path: string, body?: unknown, token = emulator.token) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('GitHub emulator', () => {
  const refused: Array<[string, string, string, unknown, number]> = [
    [
      'a check run with an invalid status',
      'POST',
      '/repos/acme/platform/check-runs',
      { name: 'x', head_sha: 'abc', status: 'running' },
      422,
    ],
    ['a check run without head_sha', 'POST', '/repos/acme/platform/check-runs', { name: 'x' }, 422],
    [
      'completed without a conclusion',
      'POST',
      '/repos/acme/platform/check-runs',
      { name: 'x', head_sha: 'abc', status: 'completed' },
      422,
    ],
    [
      '51 annotations in one request',
      'POST',
      '/repos/acme/platform/check-runs',
      {
        name: 'x',
        head_sha: 'abc',
        output: {
          title: 't',
          summary: 's',
          annotations: Array.from({ length: 51 }, () => ({
            path: 'a',
            start_line: 1,
            end_line: 1,
            annotation_level: 'warning',
            message: 'm',
          })),
        },
      },
      422,
    ],
    [
      'an annotation level GitHub does not know',
      'POST',
      '/repos/acme/platform/check-runs',
      {
        name: 'x',
        head_sha: 'abc',
        output: {
          title: 't',
          summary: 's',
          annotations: [{ path: 'a', start_line: 1, end_line: 1, annotation_level: 'error', message: 'm' }],
        },
      },
      422,
    ],
    ['a comment without a body', 'POST', '/repos/acme/platform/issues/3/comments', {}, 422],
    [
      'a comment over 65,536 characters',
      'POST',
      '/repos/acme/platform/issues/3/comments',
      { body: 'x'.repeat(65_537) },
      422,
    ],
    [
      'a comment on a PR that does not exist',
      'POST',
      '/repos/acme/platform/issues/99/comments',
      { body: 'hi' },
      404,
    ],
    ['a non-numeric comment id', 'PATCH', '/repos/acme/platform/issues/comments/abc', { body: 'hi' }, 404],
    ['an unknown issue state filter', 'GET', '/repos/acme/platform/issues?state=shut', undefined, 422],
    ['a path GitHub does not have', 'GET', '/repos/acme/platform/drift', undefined, 404],
  ];
  for (const [name, method, path, body, status] of refused) {
    it(`refuses ${name} with ${status}`, async () => {
      const response = await call(method, path, body);
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.equal(typeof response.body.message, 'string');
    });
  }

  it('answers 401 to a wrong token', async () => {
    assert.equal((await call('GET', '/user', undefined, 'nope')).status, 401);
  });

  it('accepts a valid check run and returns the fields clients read', async () => {
    const response = await call('POST', '/repos/acme/platform/check-runs', {
      name: 'x',
      head_sha: 'abc',
      status: 'in_progress',
    });
    assert.equal(response.status, 201);
    assert.equal(typeof response.body.id, 'number');
    assert.match(String(response.body.html_url), /^https:\/\/github\.com\/acme\/platform\/runs\/\d+$/);
    assert.equal(response.body.status, 'in_progress');
  });

  it('answers a PAT with its login on GET /user and an installation token with 403', async () => {
    assert.equal((await call('GET', '/user')).body.login, 'kube-drift-bot');
    const app = await startGitHubEmulator({ tokenKind: 'installation' });
    try {
      const response = await fetch(`${app.url}/user`, { headers: { authorization: `token ${app.token}` } });
      assert.equal(response.status, 403);
      assert.equal(
        ((await response.json()) as { message: string }).message,
        'Resource not accessible by integration',
      );
    } finally {
      await app.close();
    }
  });

  it('injects a fault the given number of times, then serves normally', async () => {
    emulator.state.faults.push({
      operationId: 'issues/list-comments',
      status: 503,
      message: 'Service Unavailable',
      times: 1,
    });
    assert.equal((await call('GET', '/repos/acme/platform/issues/3/comments')).status, 503);
    assert.equal((await call('GET', '/repos/acme/platform/issues/3/comments')).status, 200);
  });

  it('pages lists with a Link header', async () => {
    for (let i = 0; i < 3; i++)
      await call('POST', '/repos/acme/platform/issues/3/comments', { body: `c${i}` });
    const response = await fetch(`${emulator.url}/repos/acme/platform/issues/3/comments?per_page=2`, {
      headers: { authorization: `token ${emulator.token}` },
    });
    assert.match(response.headers.get('link') ?? '', /page=2>; rel="next"/);
    assert.equal(((await response.json()) as unknown[]).length, 2);
  });
});
