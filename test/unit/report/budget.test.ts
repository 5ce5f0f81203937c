import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ChangeSet, ChangeSetEntry, FieldChange, PlanError } from '../../../src/model.ts';
import { DEFAULT_MARKDOWN_BUDGET, renderMarkdown } from '../../../src/report/markdown.ts';
import { buildReport } from '../../../src/report/model.ts';
import { trimMarkdown } from '../../../src/report/trim.ts';
import { largeDriftChangeSet, META, mixedChangeSet } from './fixtures.ts';
import { assertGolden, bytes, openDetails, openFences } from './helpers.ts';

const HINT = 'the full report is in the job summary and the JSON report artifact';

describe('Markdown size budget', () => {
  it('keeps a 3,000-object drift under 65,536 bytes, balanced, and says what it cut', () => {
    const report = buildReport(largeDriftChangeSet(3000), META);
    const markdown = renderMarkdown(report, { fullReportHint: HINT });
    assert.ok(bytes(markdown) <= DEFAULT_MARKDOWN_BUDGET, `${bytes(markdown)} bytes`);
    assert.ok(bytes(markdown) < 65_536);
    assert.equal(openFences(markdown), 0, 'no open code fence');
    assert.equal(openDetails(markdown), 0, 'no open <details>');
    assert.match(
      markdown,
      /This report was shortened to fit its size limit: diffs and field lists are left out/,
    );
    assert.match(markdown, /\d+ of 3000 drifted objects are not shown/);
    assert.match(markdown, /The full report is in the job summary and the JSON report artifact\.\n$/);
    // The verdict and the summary still count every object.
    assert.match(markdown, /^\*\*⚠️ Drift: 3000 configured across 3000 objects\*\*/);
    assert.ok(markdown.includes('| configured |  3000 |'));
  });

  it('shrinks detail level by level before cutting objects', () => {
    const report = buildReport(largeDriftChangeSet(40), META);
    const full = renderMarkdown(report, { budgetBytes: 10_000_000 });
    const table: Array<{ budget: number; expect: RegExp; diffs: boolean; fields: boolean }> = [
      { budget: bytes(full), expect: /^(?![\s\S]*shortened)/, diffs: true, fields: true },
      {
        budget: 45_000,
        expect: /diffs longer than 20 lines are cut to their first 20/,
        diffs: true,
        fields: true,
      },
      {
        budget: 20_000,
        expect: /unified diffs are left out \(field lists are kept\)/,
        diffs: false,
        fields: true,
      },
      { budget: 8_000, expect: /one line per object\)/, diffs: false, fields: false },
      { budget: 3_000, expect: /of 40 drifted objects are not shown/, diffs: false, fields: false },
    ];
    for (const { budget, expect, diffs, fields } of table) {
      const markdown = renderMarkdown(report, { budgetBytes: budget });
      assert.ok(bytes(markdown) <= budget, `${bytes(markdown)} > ${budget}`);
      assert.match(markdown, expect, `budget ${budget}`);
      assert.equal(markdown.includes('```diff'), diffs, `diffs at budget ${budget}`);
      assert.equal(markdown.includes('- `/spec/replicas`: `2` → `4`'), fields, `fields at budget ${budget}`);
      assert.equal(openFences(markdown), 0);
      assert.equal(openDetails(markdown), 0);
    }
    const cut = renderMarkdown(report, { budgetBytes: 45_000 });
    assert.match(cut, /… 1[0-9] more lines of diff not shown/);
  });

  it('renders a trimmed report the same way every time (golden)', () => {
    const markdown = renderMarkdown(buildReport(largeDriftChangeSet(12), META), {
      budgetBytes: 4_000,
      fullReportHint: HINT,
    });
    assertGolden('trimmed.md', markdown);
  });

  it('renders a 5,000-object report quickly (prints the time; not asserted)', () => {
    const report = buildReport(largeDriftChangeSet(5000), META);
    const start = performance.now();
    const markdown = renderMarkdown(report);
    const elapsed = performance.now() - start;
    console.log(`renderMarkdown, 5,000 drifted objects: ${elapsed.toFixed(0)} ms, ${bytes(markdown)} bytes`);
    assert.ok(bytes(markdown) <= DEFAULT_MARKDOWN_BUDGET);
  });
});

describe('trimMarkdown', () => {
  const notice = '> [!NOTE]\n> Cut.';
  const table: Array<{ name: string; markdown: string; budget: number; check: (out: string) => void }> = [
    {
      name: 'returns what fits unchanged, without a notice',
      markdown: '# a\n\nb\n',
      budget: 100,
      check: (out) => assert.equal(out, '# a\n\nb\n'),
    },
    {
      name: 'closes a fence it cuts into, with the fence length it was opened with',
      markdown: `intro\n\n<details>\n<summary>x</summary>\n\n\`\`\`\`diff\n${'+line\n'.repeat(200)}\`\`\`\`\n\n</details>\n`,
      budget: 300,
      check: (out) => {
        assert.ok(out.includes('+line\n````\n</details>\n'), out);
        assert.ok(out.endsWith('\n> [!NOTE]\n> Cut.\n'));
      },
    },
    {
      name: 'prefers a cut between top-level sections',
      markdown: `${'<details>\n<summary>s</summary>\n\nbody\n\n</details>\n\n'.repeat(20)}`,
      budget: 200,
      check: (out) => assert.equal(out.split('<details>').length, out.split('</details>').length),
    },
    {
      name: 'counts bytes, not characters',
      markdown: `${'ü€😀\n'.repeat(100)}`,
      budget: 120,
      check: (out) => assert.ok(out.startsWith('ü€😀\n')),
    },
    {
      name: 'shortens a notice that does not fit by itself',
      markdown: 'x'.repeat(100),
      budget: 10,
      check: (out) => assert.equal(out, '> [!NOTE]\n'),
    },
  ];
  for (const { name, markdown, budget, check } of table) {
    it(name, () => {
      const out = trimMarkdown(markdown, budget, notice);
      assert.ok(bytes(out) <= budget, `${bytes(out)} > ${budget}`);
      assert.equal(openFences(out), 0);
      check(out);
    });
  }
});

// ---- properties ----------------------------------------------------------------------

const text = fc.string({
  unit: fc.constantFrom('a', 'Z', ' ', '`', '~', '<', '>', '|', '*', '\n', 'ü', '😀', '-', '+'),
  maxLength: 60,
});

const change: fc.Arbitrary<FieldChange> = fc.record(
  {
    path: text.map((t) => `/${t}`),
    before: fc.jsonValue({ maxDepth: 2 }),
    after: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['path'] },
);

const changeSetEntry: fc.Arbitrary<ChangeSetEntry> = fc.record({
  ref: fc.record({
    group: fc.constantFrom('', 'apps'),
    version: fc.constant('v1'),
    kind: fc.constantFrom('Deployment', 'ConfigMap', 'Secret'),
    namespace: fc.option(text, { nil: null }),
    name: text.filter((t) => t.length > 0),
  }),
  action: fc.constantFrom('created', 'configured', 'unchanged', 'deleted', 'skipped'),
  source: fc.option(fc.record({ file: text, line: fc.integer({ min: 1, max: 9999 }) }), { nil: undefined }),
  group: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
  changes: fc.array(change, { maxLength: 6 }),
  diff: fc
    .array(text, { maxLength: 80 })
    .map((lines) => lines.map((line) => `+${line.replace(/\n/g, '')}`).join('\n')),
  note: fc.option(text, { nil: undefined }),
});

const planError: fc.Arbitrary<PlanError> = fc.record(
  { message: text, object: text, file: text, line: fc.integer({ min: 1, max: 99 }) },
  { requiredKeys: ['message'] },
);

const changeSet: fc.Arbitrary<ChangeSet> = fc.record({
  target: fc.constant('production'),
  entries: fc.array(changeSetEntry, { maxLength: 60 }),
  errors: fc.array(planError, { maxLength: 5 }),
});

describe('properties', () => {
  it('renderMarkdown stays within any budget ≥ 2,000 bytes with fences and <details> balanced', () => {
    fc.assert(
      fc.property(changeSet, fc.integer({ min: 2_000, max: 40_000 }), (set, budget) => {
        const markdown = renderMarkdown(buildReport(set, META), { budgetBytes: budget });
        assert.ok(bytes(markdown) <= budget, `${bytes(markdown)} > ${budget}`);
        assert.equal(openFences(markdown), 0);
        assert.equal(openDetails(markdown), 0);
      }),
      { numRuns: 300 },
    );
  });

  it('trimMarkdown stays within the budget and closes what it cuts into', () => {
    const report = buildReport(mixedChangeSet(), META);
    const full = renderMarkdown(report, { budgetBytes: 1_000_000 });
    fc.assert(
      fc.property(fc.integer({ min: 50, max: bytes(full) + 10 }), (budget) => {
        const out = trimMarkdown(full, budget, '> [!NOTE]\n> Cut.');
        assert.ok(bytes(out) <= budget);
        assert.equal(openFences(out), 0);
        assert.equal(openDetails(out), 0);
      }),
      { numRuns: 500 },
    );
  });
});
