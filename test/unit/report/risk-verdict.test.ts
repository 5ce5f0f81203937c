import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { checkConclusion, checkTitle } from '../../../src/github/publish-check.ts';
import type { RiskFinding, RiskSeverity } from '../../../src/model.ts';
import { buildAnnotations, riskAnnotation } from '../../../src/report/annotations.ts';
import { renderJson } from '../../../src/report/json.ts';
import { buildReport, type Report } from '../../../src/report/model.ts';
import {
  judgeRisks,
  riskFailure,
  riskVerdictText,
  statusWithRisks,
} from '../../../src/report/risk-verdict.ts';
import { RISK_RULE_IDS } from '../../../src/settings/risk.ts';
import { inSyncChangeSet, META, THREE_WAY_META } from './fixtures.ts';
import { riskChangeSet } from './risk-fixtures.ts';

function finding(severity: RiskSeverity, accepted = false): RiskFinding {
  const result: RiskFinding = {
    rule: 'exposure',
    severity,
    subject: 'Service/web/api',
    source: { file: 'deploy/web/service.yaml', line: 3 },
    message: 'Service/web/api becomes type LoadBalancer.',
  };
  if (accepted) result.accepted = { reason: 'public API', by: 'annotation' };
  return result;
}

describe('fail-on-risk verdict', () => {
  const table: Array<{
    name: string;
    findings: RiskFinding[];
    failOn: RiskSeverity | 'none';
    expect: ReturnType<typeof judgeRisks>;
  }> = [
    { name: 'none never judges', findings: [finding('danger')], failOn: 'none', expect: undefined },
    {
      name: 'warning counts warning and danger, not info',
      findings: [finding('info'), finding('warning'), finding('danger')],
      failOn: 'warning',
      expect: { failOn: 'warning', failing: 2, failed: true },
    },
    {
      name: 'danger lets warnings pass',
      findings: [finding('warning'), finding('info')],
      failOn: 'danger',
      expect: { failOn: 'danger', failing: 0, failed: false },
    },
    {
      name: 'accepted findings do not count',
      findings: [finding('danger', true), finding('warning', true)],
      failOn: 'warning',
      expect: { failOn: 'warning', failing: 0, failed: false },
    },
    {
      name: 'no findings pass',
      findings: [],
      failOn: 'warning',
      expect: { failOn: 'warning', failing: 0, failed: false },
    },
  ];
  for (const { name, findings, failOn, expect } of table) {
    it(name, () => assert.deepEqual(judgeRisks(findings, failOn), expect));
  }

  it('states the reason, with accepted findings and unchecked rules', () => {
    const findings = [finding('danger'), finding('warning'), finding('danger', true), finding('info', true)];
    const verdict = judgeRisks(findings, 'warning')!;
    assert.equal(
      riskVerdictText(verdict, { risks: findings }),
      'failed: 2 risk findings at or above warning; 1 accepted not counted (fail-on-risk: warning)',
    );
    assert.equal(
      riskVerdictText(judgeRisks([finding('warning')], 'danger')!, {
        risks: [finding('warning')],
        risksUnchecked: [{ rule: 'delete-stateful', reason: 'no inventory' }],
      }),
      'passed: no risk finding at or above danger; 1 rule could not be checked (fail-on-risk: danger)',
    );
    assert.equal(
      riskFailure({ risks: [finding('danger')], riskVerdict: judgeRisks([finding('danger')], 'danger') }),
      'failed: 1 risk finding at or above danger (fail-on-risk: danger)',
    );
    assert.equal(riskFailure({ risks: [finding('info')], riskVerdict: undefined }), undefined);
  });

  it('turns exit status 0 into 1 when it fails, and leaves drift (1) and errors (2) alone', () => {
    const failed = { failOn: 'warning', failing: 1, failed: true } as const;
    const passed = { failOn: 'warning', failing: 0, failed: false } as const;
    const table: Array<[0 | 1 | 2, typeof failed | typeof passed | undefined, number]> = [
      [0, failed, 1],
      [0, passed, 0],
      [0, undefined, 0],
      [1, passed, 1],
      [1, failed, 1],
      [2, failed, 2],
    ];
    for (const [status, verdict, expected] of table)
      assert.equal(statusWithRisks(status, verdict), expected, `${status} ${verdict?.failed}`);
  });
});

describe('check run with fail-on-risk', () => {
  function withVerdict(report: Report, failOn: RiskSeverity | 'none'): Report {
    const verdict = judgeRisks(report.risks, failOn);
    if (verdict) report.riskVerdict = verdict;
    return report;
  }

  it('fails the check run and says why in its title; passes as before without', () => {
    const failing = withVerdict(buildReport(riskChangeSet(), THREE_WAY_META), 'danger');
    assert.equal(checkConclusion(failing, { remediated: false, failOnDrift: false }), 'failure');
    assert.equal(
      checkTitle(failing, false),
      'Drift: 1 to create, 2 to configure, 0 to delete; risk review failed: 2 risk findings at or above danger; 1 accepted not counted; 1 rule could not be checked (fail-on-risk: danger)',
    );
    const off = withVerdict(buildReport(riskChangeSet(), THREE_WAY_META), 'none');
    assert.equal(checkConclusion(off, { remediated: false, failOnDrift: false }), 'neutral');
    assert.equal(checkTitle(off, false), 'Drift: 1 to create, 2 to configure, 0 to delete');
    // In sync: a finding can still fail it (a rule that reads only the live cluster).
    const inSync = buildReport(
      { ...inSyncChangeSet(), risks: { findings: [finding('warning')], unchecked: [] } },
      META,
    );
    assert.equal(
      checkConclusion(withVerdict(inSync, 'warning'), { remediated: false, failOnDrift: false }),
      'failure',
    );
  });
});

describe('risk annotations', () => {
  it('one per finding with a manifest line, level by severity, most severe first; accepted as notices', () => {
    const annotations = buildAnnotations(buildReport(riskChangeSet(), THREE_WAY_META)).filter((a) =>
      /^(Accepted risk|Risk) /.test(a.title),
    );
    assert.deepEqual(
      annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.title]),
      [
        ['deploy/web/api.yaml', 12, 'failure', 'Risk immutable-field (danger): Deployment/web/api'],
        ['deploy/web/cache.yaml', 1, 'warning', 'Risk config-without-rollout (warning): ConfigMap/web/cache'],
        [
          'deploy/rbac/ci.yaml',
          1,
          'notice',
          'Accepted risk rbac-escalation (warning): ClusterRole/ci-deployer',
        ],
        ['deploy/web/service.yaml', 3, 'warning', 'Risk exposure (warning): Service/web/api'],
        ['deploy/web/api.yaml', 12, 'notice', 'Risk image-change (info): Deployment/web/api'],
        ['deploy/web/ingress.yaml', 9, 'notice', 'Risk exposure (info): Ingress/web/shop'],
        ['deploy/web/worker.yaml', 4, 'notice', 'Risk image-change (info): Deployment/web/worker'],
      ],
    );
    assert.equal(
      annotations[2].message,
      'ClusterRole/ci-deployer gains the verb bind on clusterroles. (this PR)\nAccepted (annotation kube-drift.dev/accept-risk): the CI deployer binds roles in team namespaces',
    );
    assert.equal(
      annotations[6].message,
      'Container worker changes image. (drift the merge would revert)\nworker: ghcr.io/acme/worker@sha256:9f86d081884c7d65 → ghcr.io/acme/worker:3.1',
    );
  });

  it('none for a finding without a manifest line (a deletion)', () => {
    const deletion: RiskFinding = { ...finding('danger'), source: undefined };
    assert.equal(riskAnnotation(deletion), null);
  });
});

describe('risks in the JSON report', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../../schema/report.schema.json', import.meta.url), 'utf8'),
  );
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('are valid against the schema, with the verdict, and the schema knows every rule', () => {
    const report = buildReport(riskChangeSet(), THREE_WAY_META);
    report.riskVerdict = judgeRisks(report.risks, 'warning');
    const json = JSON.parse(renderJson(report)) as {
      risks: unknown[];
      riskVerdict: unknown;
      risksUnchecked: Array<{ rule: string }>;
    };
    assert.ok(validate(structuredClone(json)), JSON.stringify(validate.errors, null, 2));
    assert.equal(json.risks.length, 9);
    assert.deepEqual(json.riskVerdict, { failOn: 'warning', failing: 4, failed: true });
    assert.deepEqual(json.risksUnchecked[0].rule, 'prune-over-limit');
    assert.deepEqual(schema.$defs.riskRule.enum, [...RISK_RULE_IDS]);
  });

  it('rejects what the schema forbids in a finding', () => {
    const json = JSON.parse(renderJson(buildReport(riskChangeSet(), THREE_WAY_META)));
    const bad = (mutate: (risk: Record<string, unknown>) => void) => {
      const copy = structuredClone(json);
      mutate(copy.risks[0]);
      return validate(copy);
    };
    assert.equal(
      bad((risk) => (risk.rule = 'no-such-rule')),
      false,
      'unknown rule',
    );
    assert.equal(
      bad((risk) => (risk.severity = 'critical')),
      false,
      'unknown severity',
    );
    assert.equal(
      bad((risk) => delete risk.message),
      false,
      'message required',
    );
    assert.equal(
      bad((risk) => (risk.accepted = { reason: 'x' })),
      false,
      'accepted without by',
    );
    assert.equal(
      bad((risk) => (risk.extra = 1)),
      false,
      'unknown field',
    );
  });
});
