import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesObject, parseAcceptAnnotation } from '../../../src/risk/accept.ts';
import { RISK_RULES } from '../../../src/risk/index.ts';
import { RISK_RULE_IDS } from '../../../src/settings/risk.ts';
import { deletion, deployment, obj, planned, review } from './support.ts';

const lbService = (annotations?: Record<string, string>) =>
  obj('Service', 'api', { metadata: annotations ? { annotations } : {}, spec: { type: 'LoadBalancer' } });
const clusterIp = obj('Service', 'api', { spec: { type: 'ClusterIP' } });

describe('the risk review', () => {
  it('has one rule in the table per rule id, in the same order', () => {
    assert.deepEqual(
      RISK_RULES.map((r) => r.id),
      [...RISK_RULE_IDS],
    );
  });

  it('orders findings most severe first, then by subject', async () => {
    const result = await review({
      objects: [
        planned({
          desired: deployment('b', {
            containers: [{ name: 'c', image: 'x:2', securityContext: { privileged: true } }],
          }),
          live: deployment('b', { containers: [{ name: 'c', image: 'x:1' }] }),
        }),
        planned({ desired: lbService(), live: clusterIp }),
        planned({
          desired: obj('ClusterRole', 'a', { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }),
          live: null,
        }),
      ],
      deletions: [deletion(obj('PersistentVolumeClaim', 'z'))],
    });
    assert.deepEqual(
      result.findings.map((f) => `${f.severity} ${f.rule} ${f.subject}`),
      [
        'danger rbac-escalation ClusterRole/a',
        'danger workload-privilege Deployment/app/b',
        'danger delete-stateful PersistentVolumeClaim/app/z',
        'warning exposure Service/app/api',
        'info image-change Deployment/app/b',
      ],
    );
  });

  it('marks findings accepted by the annotation in Git, with its reason; kept in the list', async () => {
    const warnings: string[] = [];
    const annotated = lbService({
      'kube-drift.dev/accept-risk':
        'exposure: the public API, behind the WAF\nimage-change: fine\nno-such-rule: x\navailability:',
    });
    const result = await review({ objects: [planned({ desired: annotated, live: clusterIp })], warnings });
    assert.deepEqual(
      result.findings.map((f) => [f.rule, f.accepted]),
      [['exposure', { reason: 'the public API, behind the WAF', by: 'annotation' }]],
    );
    assert.deepEqual(warnings, [
      'Service/app/api (manifests/api.yaml:1): kube-drift.dev/accept-risk: unknown rule "no-such-rule"',
      'Service/app/api (manifests/api.yaml:1): kube-drift.dev/accept-risk: "availability" gives no reason (write "availability: why it is safe")',
    ]);
  });

  it('marks findings accepted by the settings (rule and object pattern), for deletions too', async () => {
    const result = await review({
      deletions: [
        deletion(obj('PersistentVolumeClaim', 'data-0')),
        deletion(obj('PersistentVolumeClaim', 'logs')),
      ],
      accepted: [
        { rule: 'delete-stateful', object: 'PersistentVolumeClaim/app/data-*', reason: 'migrated' },
        { rule: 'exposure', object: 'PersistentVolumeClaim/app/logs', reason: 'wrong rule' },
      ],
    });
    assert.deepEqual(
      result.findings.map((f) => [f.subject, f.accepted]),
      [
        ['PersistentVolumeClaim/app/data-0', { reason: 'migrated', by: 'settings' }],
        ['PersistentVolumeClaim/app/logs', undefined],
      ],
    );
  });

  it('three-way: a finding on the PR’s change is pr, on drift the merge reverts is drift', async () => {
    const result = await review({
      threeWay: true,
      objects: [
        planned({ desired: lbService(), live: clusterIp, changeClass: 'pr' }),
        planned({
          desired: deployment('web', { containers: [{ name: 'w', image: 'w:2' }] }),
          live: deployment('web', { containers: [{ name: 'w', image: 'w:1' }] }),
          changeClass: 'drift',
        }),
        planned({ desired: obj('Pod', 'p', { spec: { hostPID: true } }), live: null, prStatus: 'added' }),
      ],
    });
    assert.deepEqual(
      result.findings.map((f) => `${f.rule} ${f.subject} ${f.origin}`),
      [
        'workload-privilege Pod/app/p pr',
        'exposure Service/app/api pr',
        'image-change Deployment/app/web drift',
      ],
    );
  });

  it('three-way: a finding resting on a PR change and on drift is both', async () => {
    const p = planned({
      desired: deployment('web', {
        hostNetwork: true,
        hostPID: true,
        containers: [{ name: 'w', image: 'w:1' }],
      }),
      live: deployment('web', { containers: [{ name: 'w', image: 'w:1' }] }),
    });
    for (const change of p.entry.changes) change.class = change.path.endsWith('hostPID') ? 'drift' : 'pr';
    const result = await review({ threeWay: true, objects: [p] });
    assert.deepEqual(
      result.findings.map((f) => `${f.rule} ${f.origin}: ${f.message}`),
      ['workload-privilege both: gains hostNetwork; hostPID'],
    );
  });

  it('no origin outside a three-way preview', async () => {
    const result = await review({ objects: [planned({ desired: lbService(), live: clusterIp })] });
    assert.equal(result.findings[0].origin, undefined);
  });
});

describe('accept-risk', () => {
  it('parses one rule: reason per line', () => {
    const parsed = parseAcceptAnnotation('  exposure: public on purpose \n\nimage-change: pinned by CI');
    assert.deepEqual(Object.fromEntries(parsed.accepted), {
      exposure: 'public on purpose',
      'image-change': 'pinned by CI',
    });
    assert.deepEqual(parsed.problems, []);
  });
  it('matches object patterns with * wildcards, nothing else', () => {
    assert.equal(matchesObject('PersistentVolumeClaim/db/*', 'PersistentVolumeClaim/db/data-0'), true);
    assert.equal(matchesObject('*/db/*', 'Secret/db/x'), true);
    assert.equal(matchesObject('PersistentVolumeClaim/db/data', 'PersistentVolumeClaim/db/data-0'), false);
    assert.equal(matchesObject('Namespace/a.b', 'Namespace/axb'), false);
  });
});
