// The step's verdict in a fleet run: a target whose risk review failed (fail-on-risk) fails the
// step even where fail-on-drift is false, and the failure names it; drift alone follows
// fail-on-drift; errors come first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Verdicted, verdictOf } from '../../../src/action-fleet.ts';
import { reportStatus } from '../../../src/cli-fleet.ts';
import { Redactor } from '../../../src/redaction.ts';
import { buildReport } from '../../../src/report/model.ts';
import { judgeRisks } from '../../../src/report/risk-verdict.ts';
import { inSyncChangeSet, META, mixedChangeSet } from '../report/fixtures.ts';
import { riskChangeSet } from '../report/risk-fixtures.ts';

function outcome(target: string, failOn: 'danger' | 'none'): Verdicted {
  const report = buildReport({ ...riskChangeSet(), errors: [] }, { ...META, target });
  const riskVerdict = judgeRisks(report.risks, failOn);
  return { target, report: riskVerdict ? { ...report, riskVerdict } : report, status: 1 };
}

describe('the fleet step verdict', () => {
  it('fails for a failed risk review even with fail-on-drift false, naming the target', () => {
    const result = verdictOf(
      [outcome('staging', 'none'), outcome('production', 'danger')],
      () => false,
      new Redactor(),
    );
    assert.equal(result.status, 1);
    assert.equal(result.failure, 'kube-drift: risk review failed in 1 target(s): production (fail-on-risk).');
  });

  it('passes with fail-on-drift false when no risk review failed', () => {
    const result = verdictOf(
      [outcome('staging', 'none'), outcome('production', 'none')],
      () => false,
      new Redactor(),
    );
    assert.deepEqual(result, { status: 1 });
  });

  it('says both reasons when drift fails too', () => {
    const plain = buildReport({ ...mixedChangeSet(), errors: [] }, { ...META, target: 'edge' });
    const result = verdictOf(
      [{ target: 'edge', report: plain, status: 1 }, outcome('production', 'danger')],
      (o) => o.target === 'edge',
      new Redactor(),
    );
    assert.equal(
      result.failure,
      'kube-drift: drift in 1 target(s): edge; risk review failed in 1 target(s): production (fail-on-risk).',
    );
  });

  it('summarize: a report whose risk review failed has exit status 1, even with no drift counted', () => {
    const report = buildReport(inSyncChangeSet(), { ...META, target: 'production' });
    assert.deepEqual(reportStatus(report), { status: 0 });
    const judged = { ...report, risks: riskChangeSet().risks?.findings ?? [] };
    const riskVerdict = judgeRisks(judged.risks, 'danger');
    assert.equal(riskVerdict?.failed, true);
    assert.deepEqual(reportStatus({ ...judged, riskVerdict }), { status: 1 });
  });
});
