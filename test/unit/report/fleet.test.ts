// The roll-up of a fleet's reports: what a reader sees first (headline, table), targets in sync
// on one line each, a section for each other target, the whole within its byte budget; and
// the roll-up of reports read back from JSON is the roll-up of the reports themselves.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.ts';
import { failedReport, renderFleetMarkdown, roundTrip } from '../../../src/report/fleet.ts';
import { renderJson } from '../../../src/report/json.ts';
import { buildReport, type Report } from '../../../src/report/model.ts';
import { judgeRisks } from '../../../src/report/risk-verdict.ts';
import { loadReports } from '../../../src/summarize.ts';
import { GENERATED_AT, inSyncChangeSet, largeDriftChangeSet, META, mixedChangeSet } from './fixtures.ts';
import { bytes, openDetails, openFences } from './helpers.ts';
import { riskChangeSet } from './risk-fixtures.ts';

function fleet(): Report[] {
  return [
    buildReport(inSyncChangeSet(), { ...META, target: 'staging' }),
    buildReport({ ...mixedChangeSet(), errors: [] }, { ...META, target: 'production' }),
    failedReport(
      'edge',
      'cannot reach https://127.0.0.1:1: connect ECONNREFUSED',
      'diff',
      GENERATED_AT,
      '0.1.0',
    ),
  ];
}

const OPTIONS = { budgetBytes: 64_800, fullReportHint: 'see the JSON reports' };

describe('renderFleetMarkdown', () => {
  it('opens with the targets counted by verdict, then a table with one row per target', () => {
    const text = renderFleetMarkdown(fleet(), OPTIONS);
    const lines = text.split('\n');
    assert.equal(lines[0], '## kube-drift: 3 targets');
    assert.equal(lines[2], '**3 targets: ❌ 1 with errors · ⚠️ 1 with drift · ✅ 1 in sync**');
    assert.match(text, /\| `staging` +\| +✅ +\| +0 +\| +0 +\| +0 +\| +\d+ +\| +0 +\|/);
    assert.match(text, /\| `edge` +\| +❌ +\| +0 +\| +0 +\| +0 +\| +0 +\| +1 +\|/);
  });

  it('puts a target in sync on one line, and gives the others a section each, in the given order', () => {
    const text = renderFleetMarkdown(fleet(), OPTIONS);
    assert.ok(text.includes('### In sync\n\n- ✅ **staging**: In sync: '), text);
    assert.ok(!text.includes('## kube-drift: staging'), 'no section for the target in sync');
    const production = text.indexOf('## kube-drift: production');
    const edge = text.indexOf('## kube-drift: edge');
    assert.ok(production > 0 && edge > production, text);
    assert.ok(text.slice(edge).includes('cannot reach https://127.0.0.1:1: connect ECONNREFUSED'));
  });

  it('says what the run says of its config', () => {
    const text = renderFleetMarkdown(fleet(), { ...OPTIONS, notes: ['the base commit’s config was used'] });
    assert.ok(text.includes('> [!NOTE]\n> the base commit’s config was used'), text);
  });

  it('fits many large targets in the budget, every target still named, no fence or details left open', () => {
    const reports = Array.from({ length: 6 }, (_, i) =>
      buildReport(largeDriftChangeSet(80), { ...META, target: `cluster-${i}` }),
    );
    const whole = renderFleetMarkdown(reports, { budgetBytes: Number.MAX_SAFE_INTEGER });
    assert.ok(bytes(whole) > 64_800, `the test needs more than the budget: ${bytes(whole)}`);
    const text = renderFleetMarkdown(reports, OPTIONS);
    assert.ok(bytes(text) <= 64_800, String(bytes(text)));
    for (const report of reports) assert.ok(text.includes(`## kube-drift: ${report.target}`), report.target);
    assert.equal(openFences(text), 0);
    assert.equal(openDetails(text), 0);
    assert.ok(text.includes('shortened to fit'), 'the shortened sections say so');
  });

  it('gives each target with findings its own Review, at the top of its section, verdict included', () => {
    const withRisks = (target: string, failOn: 'danger' | 'none') => {
      const report = buildReport(riskChangeSet(), { ...META, target });
      const riskVerdict = judgeRisks(report.risks, failOn);
      return riskVerdict ? { ...report, riskVerdict } : report;
    };
    const text = renderFleetMarkdown(
      [
        buildReport(inSyncChangeSet(), { ...META, target: 'staging' }),
        withRisks('production', 'danger'),
        withRisks('edge', 'none'),
      ],
      OPTIONS,
    );
    const section = (target: string) => {
      const start = text.indexOf(`## kube-drift: ${target}\n`);
      assert.ok(start > 0, `${target} has a section:\n${text}`);
      const next = text.indexOf('\n## kube-drift: ', start + 1);
      return text.slice(start, next < 0 ? undefined : next);
    };
    for (const target of ['production', 'edge']) {
      const body = section(target);
      const review = body.indexOf('### Review: ');
      assert.ok(review > 0, `${target}'s section has a Review:\n${body}`);
      assert.ok(review < body.indexOf('| Objects'), `${target}'s Review comes before its counts`);
    }
    assert.match(section('production'), /^\*\*⛔ Risk review failed: \d+ risk findings? at or above danger/m);
    assert.equal(section('edge').includes('Risk review failed'), false);
    assert.equal(text.split('### Review: ').length - 1, 2, 'no Review for the target in sync');
    assert.equal(
      text.split('\n')[2],
      '**3 targets: ⛔ 1 failed the risk review · ⚠️ 2 with drift · ✅ 1 in sync**',
    );
  });

  it('does not fold a target with risk findings into the "in sync" lines', () => {
    // A finding with no change counted (a report from another version): it still gets a section.
    const report = buildReport(
      { ...inSyncChangeSet(), risks: riskChangeSet().risks },
      { ...META, target: 'production' },
    );
    assert.equal(report.driftDetected, false);
    const text = renderFleetMarkdown([report], OPTIONS);
    assert.equal(text.includes('### In sync'), false, text);
    assert.ok(text.includes('## kube-drift: production\n'), text);
    assert.ok(text.includes('### Review: '), text);
  });

  it('renders the same from the JSON reports as from the reports a run holds', () => {
    const reports = fleet();
    const dir = mkdtempSync(join(tmpdir(), 'kube-drift-fleet-'));
    const files = reports.map((report) => {
      const file = join(dir, `${report.target}.json`);
      writeFileSync(file, renderJson(report));
      return file;
    });
    const fromFiles = loadReports(files.reverse(), {
      file: 'kube-drift.yaml',
      targets: ['staging', 'production', 'edge'],
    });
    const fromRun = reports.map((r) => roundTrip(r, (text) => text));
    assert.equal(renderFleetMarkdown(fromFiles, OPTIONS), renderFleetMarkdown(fromRun, OPTIONS));
  });
});

describe('loadReports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-summarize-'));
  const file = (name: string, report: Report) => {
    const path = join(dir, name);
    writeFileSync(path, renderJson(report));
    return path;
  };

  it('reports a target of the config without a report as that target’s error', () => {
    const staging = file('staging.json', fleet()[0]);
    const reports = loadReports([staging], { file: 'kube-drift.yaml', targets: ['staging', 'production'] });
    assert.deepEqual(
      reports.map((r) => [r.target, r.errors.map((e) => e.message)]),
      [
        ['staging', []],
        [
          'production',
          [
            'no report for target production: the job that diffs it left none (it failed, was cancelled, or did not upload its report)',
          ],
        ],
      ],
    );
  });

  it('refuses a report of a target the config does not name, and a file that is no report', () => {
    const stray = file('stray.json', { ...fleet()[0], target: 'gone' });
    assert.throws(
      () => loadReports([stray], { file: 'kube-drift.yaml', targets: ['staging'] }),
      (error: unknown) =>
        error instanceof InputError &&
        /reports for gone, which kube-drift.yaml does not name/.test(error.message),
    );
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"hello": 1}');
    assert.throws(() => loadReports([junk]), /junk.json is not a kube-drift report/);
  });

  it('reads a file holding a list of reports (--output json of a run with several targets)', () => {
    const list = join(dir, 'all.json');
    writeFileSync(
      list,
      `[${fleet()
        .map((r) => renderJson(r))
        .join(',')}]`,
    );
    assert.deepEqual(
      loadReports([list]).map((r) => r.target),
      ['staging', 'production', 'edge'],
    );
  });
});
