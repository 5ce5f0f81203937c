// The README's risk rules table (section "Risk review") lists exactly the rules of RISK_RULES, in
// the same order and with the same severities: the documentation cannot drift from the code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RISK_RULES } from '../../../src/risk/rules.ts';

const README = join(import.meta.dirname, '..', '..', '..', 'README.md');

/** The `| rule id | severity | … |` rows of the first table under `## Risk review`. */
function readmeRules(text: string): Array<{ id: string; severity: string }> {
  const start = text.indexOf('\n## Risk review\n');
  assert.ok(start >= 0, 'the README has a "## Risk review" section');
  const next = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, next < 0 ? undefined : next).split('\n');
  const header = section.findIndex((line) => /^\|\s*rule id\s*\|\s*severity\s*\|/.test(line));
  assert.ok(header >= 0, 'the section has a table headed "| rule id | severity |"');
  const rows: Array<{ id: string; severity: string }> = [];
  for (const line of section.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [id, severity] = line
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    rows.push({ id: id.replace(/^`|`$/g, ''), severity });
  }
  return rows;
}

describe('README risk rules table', () => {
  it('lists exactly the rules of RISK_RULES, in order, with their severities', () => {
    assert.deepEqual(
      readmeRules(readFileSync(README, 'utf8')),
      RISK_RULES.map((rule) => ({ id: rule.id, severity: rule.severity })),
    );
  });

  it('fails on a README whose table disagrees (a rule missing, a severity changed)', () => {
    const text = readFileSync(README, 'utf8');
    const dropped = text.replace(/^\| `exposure` \|.*\n/m, '');
    assert.notDeepEqual(
      readmeRules(dropped),
      RISK_RULES.map((r) => ({ id: r.id, severity: r.severity })),
    );
    const changed = text.replace(/^\| `image-change` \| info \|/m, '| `image-change` | warning |');
    assert.equal(readmeRules(changed).at(-1)?.severity, 'warning');
  });
});
