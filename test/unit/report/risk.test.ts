import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RiskFinding } from '../../../src/model.ts';
import { renderJson } from '../../../src/report/json.ts';
import { DEFAULT_MARKDOWN_BUDGET, renderMarkdown } from '../../../src/report/markdown.ts';
import { buildReport, type Report } from '../../../src/report/model.ts';
import { judgeRisks } from '../../../src/report/risk-verdict.ts';
import { renderText } from '../../../src/report/text.ts';
import { RISK_RULE_IDS } from '../../../src/settings/risk.ts';
import { META, THREE_WAY_META, threeWayChangeSet } from './fixtures.ts';
import { assertGolden, bytes, openDetails, openFences } from './helpers.ts';
import { manyRisksChangeSet, riskChangeSet } from './risk-fixtures.ts';

const fileUrl = (file: string, line: number) => `https://github.com/acme/infra/blob/3f2c1a9/${file}#L${line}`;

/** The report as the flow hands it to the renderers: fail-on-risk judged. */
function judged(report: Report, failOn: 'none' | 'warning' | 'danger'): Report {
  const riskVerdict = judgeRisks(report.risks, failOn);
  if (riskVerdict) report.riskVerdict = riskVerdict;
  return report;
}

const FINDING_LINE = /^(- (🔴|🟡|🔵|☑️) \*\*|\| `Deployment)/;

describe('risk review in the outputs', () => {
  it('PR comment of a three-way preview with findings (golden Markdown, text and JSON)', () => {
    const report = judged(buildReport(riskChangeSet(), THREE_WAY_META), 'warning');
    const markdown = renderMarkdown(report, { fileUrl, title: 'kube-drift: production' });
    assertGolden('risk-review.md', markdown);
    assertGolden('risk-review.txt', renderText(report));
    assertGolden('risk-review.json', renderJson(report));
    assert.equal(openFences(markdown), 0);
    assert.equal(openDetails(markdown), 0);
  });

  it('puts the Review under the verdict, most severe first, accepted and unchecked apart', () => {
    const report = judged(buildReport(riskChangeSet(), THREE_WAY_META), 'warning');
    const markdown = renderMarkdown(report, { fileUrl });
    const lines = markdown.split('\n');
    assert.equal(lines[0], '**⚠️ Drift: 2 configured, 1 to create across 5 objects**');
    assert.equal(
      lines[2],
      '**⛔ Risk review failed: 4 risk findings at or above warning; 2 accepted not counted; 1 rule could not be checked (fail-on-risk: warning)**',
    );
    assert.ok(markdown.indexOf('### Review: 2 danger') < markdown.indexOf('| Objects '));
    const severities = lines.filter((line) => /^- (🔴|🟡|🔵) /.test(line)).map((line) => line.split('**')[1]);
    assert.deepEqual(severities, ['danger', 'danger', 'warning', 'warning', 'info']);
    assert.ok(
      markdown.includes(
        '- 🔴 **danger** `immutable-field` `Deployment/web/api` · [`deploy/web/api.yaml:12`](https://github.com/acme/infra/blob/3f2c1a9/deploy/web/api.yaml#L12): spec.selector is immutable',
      ),
    );
    assert.ok(markdown.includes('_(predicted · this PR, over drift the merge would revert)_'));
    assert.ok(markdown.includes('until restarted. _(drift the merge would revert)_'));
    assert.match(
      markdown,
      /\*\*Accepted\*\* \(2\)\n\n- ☑️ \*\*danger\*\* `delete-stateful` `Namespace\/legacy`: .* \*\*Accepted\*\* \(accept-risk setting\): emptied and archived in INC-2231/,
    );
    assert.match(
      markdown,
      /\| `ghcr.io\/acme\/worker@sha256:9f86d081884c7d65` → `ghcr.io\/acme\/worker:3.1` _\(drift the merge would revert\)_ \|/,
    );
    assert.ok(markdown.includes('- `prune-over-limit`: could not check: the credentials may not read'));
  });

  it('says nothing of a review when there are no findings and no gaps', () => {
    const report = buildReport(threeWayChangeSet(), THREE_WAY_META);
    assert.deepEqual(report.risks, []);
    assert.ok(!renderMarkdown(report).includes('Review'));
    assert.ok(!renderText(report).includes('Review'));
  });

  it('says a pass with fail-on-risk danger, and the gaps it could not look into', () => {
    const changeSet = riskChangeSet();
    changeSet.risks!.findings = changeSet.risks!.findings.filter((finding) => finding.severity !== 'danger');
    const report = judged(buildReport(changeSet, THREE_WAY_META), 'danger');
    assert.equal(report.riskVerdict?.failed, false);
    assert.ok(
      renderMarkdown(report).includes(
        '**✅ Risk review passed: no risk finding at or above danger; 1 rule could not be checked (fail-on-risk: danger)**',
      ),
    );
    assert.match(renderText(report), /^risk review passed: no risk finding at or above danger/m);
  });
});

describe('a review with 500 findings', () => {
  const report = judged(buildReport(manyRisksChangeSet(500), META), 'danger');
  const markdown = renderMarkdown(report, { fileUrl });

  it("keeps the PR comment under GitHub's 65,536 characters, balanced", () => {
    assert.ok(bytes(markdown) <= DEFAULT_MARKDOWN_BUDGET, `${bytes(markdown)} bytes`);
    assert.ok(markdown.length < 65_536);
    assert.equal(openFences(markdown), 0);
    assert.equal(openDetails(markdown), 0);
  });

  it('says how many findings it cut, and the count matches what is shown', () => {
    const notice = /(\d+) of 500 risk findings are not shown \(the most severe are kept\)/.exec(markdown);
    assert.ok(notice, 'the notice names the cut');
    const shown = markdown.split('\n').filter((line) => FINDING_LINE.test(line)).length;
    assert.ok(shown > 20, `${shown} findings shown`);
    assert.equal(shown + Number(notice[1]), 500);
    assert.match(markdown, new RegExp(`_… ${notice[1]} more findings \\(`));
  });

  it('keeps every open danger finding before any warning or info, and still lists drift', () => {
    const dangers = report.risks.filter((finding) => finding.severity === 'danger' && !finding.accepted);
    const shownDangers = markdown.split('\n').filter((line) => line.startsWith('- 🔴 **danger**'));
    assert.equal(shownDangers.length, dangers.length);
    assert.ok(markdown.indexOf('- 🔴') < markdown.indexOf('- 🟡'));
    assert.match(markdown, /^- `Deployment\/team-0\/service-00000` configured/m);
    assert.match(markdown, /^\*\*⛔ Risk review failed: 75 risk findings at or above danger; 25 accepted/m);
  });
});

describe('a review under any budget', () => {
  it('stays within budgets from 2,000 bytes up, balanced, and names the cut when it cuts findings', () => {
    const report = judged(buildReport(manyRisksChangeSet(60), META), 'warning');
    for (const budget of [2_000, 3_500, 6_000, 12_000, 25_000, 50_000, 100_000]) {
      const markdown = renderMarkdown(report, { budgetBytes: budget, fileUrl });
      assert.ok(bytes(markdown) <= budget, `${bytes(markdown)} > ${budget}`);
      assert.equal(openFences(markdown), 0, `fences at ${budget}`);
      assert.equal(openDetails(markdown), 0, `details at ${budget}`);
      const shown = markdown.split('\n').filter((line) => FINDING_LINE.test(line)).length;
      const notice = /(\d+) of 60 risk findings are not shown/.exec(markdown);
      assert.equal(shown + Number(notice?.[1] ?? 0), 60, `findings accounted for at ${budget}`);
    }
  });
});

describe('properties of the Review', () => {
  const text = fc.string({
    unit: fc.constantFrom('a', 'Z', ' ', '`', '<', '>', '|', '*', '_', '\n', 'ü', '😀', '-', '['),
    maxLength: 60,
  });
  const finding: fc.Arbitrary<RiskFinding> = fc.record(
    {
      rule: fc.constantFrom(...RISK_RULE_IDS),
      severity: fc.constantFrom('info', 'warning', 'danger'),
      subject: text,
      source: fc.record({ file: text, line: fc.integer({ min: 1, max: 999 }) }),
      message: text,
      predicted: fc.boolean(),
      origin: fc.constantFrom('pr', 'drift', 'both'),
      accepted: fc.record({ reason: text, by: fc.constantFrom('annotation', 'settings') }),
      image: fc.record({ container: text, from: text, to: text }),
    },
    { requiredKeys: ['rule', 'severity', 'subject', 'message'] },
  );

  it('stays within any budget ≥ 2,000 bytes, balanced, every finding shown or counted, no raw HTML', () => {
    fc.assert(
      fc.property(
        fc.array(finding, { maxLength: 80 }),
        fc.integer({ min: 2_000, max: 40_000 }),
        (findings, budget) => {
          const report = buildReport(
            {
              ...threeWayChangeSet(),
              risks: { findings, unchecked: [{ rule: 'exposure', reason: '<b>x</b>' }] },
            },
            THREE_WAY_META,
          );
          const markdown = renderMarkdown(report, { budgetBytes: budget });
          assert.ok(bytes(markdown) <= budget, `${bytes(markdown)} > ${budget}`);
          assert.equal(openFences(markdown), 0);
          assert.equal(openDetails(markdown), 0);
          assert.ok(!/<(b|\/b)>/.test(markdown), 'HTML from a finding is escaped');
          const notice = /(\d+) of (\d+) risk findings are not shown/.exec(markdown);
          if (notice) assert.equal(Number(notice[2]), findings.length);
          else if (!markdown.includes('everything after the cut is left out'))
            assert.ok(markdown.includes('### Review'), 'the Review is there when nothing was cut');
        },
      ),
      { numRuns: 200 },
    );
  });
});
