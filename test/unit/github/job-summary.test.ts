import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { JOB_SUMMARY_LIMIT_BYTES, writeJobSummary } from '../../../src/github/job-summary.ts';
import { Redactor } from '../../../src/redaction.ts';

describe('writeJobSummary', () => {
  it('cuts a report over 1 MiB by whole lines, closes the open fence and says so', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kube-drift-summary-')), 'summary.md');
    writeFileSync(file, '');
    const previous = process.env.GITHUB_STEP_SUMMARY;
    process.env.GITHUB_STEP_SUMMARY = file;
    try {
      const markdown = `# Report\n\n\`\`\`diff\n${'+  line of a long diff\n'.repeat(60_000)}\`\`\`\n`;
      await writeJobSummary(markdown, new Redactor());
    } finally {
      if (previous === undefined) delete process.env.GITHUB_STEP_SUMMARY;
      else process.env.GITHUB_STEP_SUMMARY = previous;
    }
    const written = readFileSync(file, 'utf8');
    assert.ok(Buffer.byteLength(written) <= JOB_SUMMARY_LIMIT_BYTES, `${Buffer.byteLength(written)} bytes`);
    assert.match(written, /^# Report/);
    assert.match(written, /1 MiB job summary limit/);
    const fences = written.split('\n').filter((line) => line.startsWith('```'));
    assert.equal(fences.length % 2, 0, 'every code fence is closed');
  });
});
