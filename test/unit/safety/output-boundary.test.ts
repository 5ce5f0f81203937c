// The redaction chokepoint holds by construction: only src/redaction.ts makes Redacted text,
// only the writer modules touch the process's streams and the network, and the writers refuse
// plain strings (checked by the compiler: `npm run typecheck` fails if one accepts them).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { writeStickyComment } from '../../../src/github/sticky-comment.ts';
import { sendWebhook } from '../../../src/github/webhook.ts';
import { setFailed, setOutput } from '../../../src/output/actions.ts';
import { writeOutputFile } from '../../../src/output/files.ts';
import type { TextSink } from '../../../src/output/streams.ts';
import { REPO_ROOT } from '../../support/cluster.ts';

const SRC = join(REPO_ROOT, 'src');

function sources(dir = SRC): Array<{ file: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    if (!entry.name.endsWith('.ts')) return [];
    return [{ file: relative(REPO_ROOT, path), text: readFileSync(path, 'utf8') }];
  });
}

/** Lines of code matching `pattern`, outside comments, in files not in `allowed`. */
function offenders(pattern: RegExp, allowed: string[]): string[] {
  const found: string[] = [];
  for (const { file, text } of sources()) {
    if (allowed.includes(file)) continue;
    text.split('\n').forEach((line, index) => {
      const code = line.replace(/\/\/.*$/, '');
      if (/^\s*\*/.test(code)) return;
      if (pattern.test(code)) found.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('the redaction chokepoint', () => {
  it('only src/redaction.ts turns text into Redacted text', () => {
    assert.deepEqual(offenders(/as\s+(unknown\s+as\s+)?Redacted\b/, ['src/redaction.ts']), []);
  });

  it('only src/output/streams.ts writes to the process streams (reading isTTY is fine)', () => {
    // node-guard.ts runs before the bundle loads, when no value has been seen: it prints only
    // which Node.js is needed.
    const writers = ['src/output/streams.ts', 'src/node-guard.ts'];
    assert.deepEqual(offenders(/process\.(stdout|stderr)(?!\.isTTY)/, writers), []);
    assert.deepEqual(offenders(/\bconsole\./, []), []);
  });

  it('only the writer modules import @actions/core, @actions/github or Octokit', () => {
    const writers = ['src/output/actions.ts', 'src/github/client.ts'];
    assert.deepEqual(offenders(/from '(@actions\/(core|github)|@octokit\/[^']+)'/, writers), []);
  });

  it('only the webhook sender calls fetch', () => {
    assert.deepEqual(offenders(/\bfetch\(|fetchImpl\(/, ['src/github/webhook.ts']), []);
  });

  it('finds an offender when there is one (the scanner itself can fail)', () => {
    assert.notDeepEqual(offenders(/Redactor/, []), []);
  });

  it('writers refuse plain strings at compile time', () => {
    // Each line below must be a type error; if a writer starts accepting plain strings, the
    // directive is unused and `npm run typecheck` fails. Never called: compile-time only.
    const compileOnly = () => {
      // @ts-expect-error a plain string is not Redacted
      setOutput('x', 'plain');
      // @ts-expect-error a plain string is not Redacted
      setFailed('plain');
      // @ts-expect-error a plain string is not Redacted
      writeOutputFile('/tmp/x', 'plain');
      // @ts-expect-error a plain string is not Redacted
      void sendWebhook('http://127.0.0.1/', 'plain');
      // @ts-expect-error a plain string is not Redacted
      void writeStickyComment(undefined as never, { owner: '', repo: '', issueNumber: 1 }, undefined, 'x');
      const sink: TextSink = { write: () => {} };
      // @ts-expect-error a plain string is not Redacted
      sink.write('plain');
    };
    assert.equal(typeof compileOnly, 'function');
  });
});
