// Golden files and Markdown structure checks for the report tests.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/report');

/** Compares with test/fixtures/report/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
export function assertGolden(name: string, actual: string): void {
  const path = join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(
    existsSync(path),
    `golden file ${path} is missing: run the tests with UPDATE_GOLDEN=1 and review it`,
  );
  assert.equal(
    actual,
    readFileSync(path, 'utf8'),
    `output differs from ${name} (UPDATE_GOLDEN=1 rewrites it)`,
  );
}

/**
 * Code fences left open at the end (0 or 1), read independently of the code under test:
 * a fence opens with 3+ backticks and closes with a bare run at least as long.
 */
export function openFences(markdown: string): number {
  let open: string | null = null;
  for (const line of markdown.split('\n')) {
    const match = /^ {0,3}(`{3,})(.*)$/.exec(line);
    if (!match) continue;
    if (open === null) {
      if (!match[2].includes('`')) open = match[1];
    } else if (match[1].length >= open.length && match[2].trim() === '') {
      open = null;
    }
  }
  return open === null ? 0 : 1;
}

/** `<details>` opened minus closed, counting only lines outside code fences. */
export function openDetails(markdown: string): number {
  let depth = 0;
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const match = /^ {0,3}(`{3,})(.*)$/.exec(line);
    if (match) {
      if (fence === null && !match[2].includes('`')) fence = match[1];
      else if (fence !== null && match[1].length >= fence.length && match[2].trim() === '') fence = null;
      continue;
    }
    if (fence !== null) continue;
    if (/^<details>/.test(line)) depth++;
    if (/^<\/details>/.test(line)) depth--;
  }
  return depth;
}

export function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
