// What remediation does with each planned object, decided without a cluster: applied,
// adopted, recreated, taken over, or left alone with the reason a user reads in the report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownerLabels } from '../../../src/drift/ownership.ts';
import type { PlannedObject } from '../../../src/drift/plan.ts';
import type { ObjectRef } from '../../../src/model.ts';
import { decide } from '../../../src/remediate/decide.ts';
import type { Recovery } from '../../../src/remediate/verdict.ts';
import { objectOf, planned, refOf } from './fixtures.ts';

const unhealthyDeployment = objectOf(refOf('Deployment', 'web'), {
  metadata: { name: 'web', namespace: 'apps', generation: 2 },
  spec: { replicas: 2 },
  status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 0 },
});
const labelled = objectOf(refOf('ConfigMap', 'c'), {
  metadata: { name: 'c', namespace: 'apps', labels: ownerLabels('t') },
});

interface Case {
  name: string;
  object: PlannedObject;
  recovery?: Recovery;
  dryRun?: boolean;
  skipUnhealthy?: boolean;
  served?: boolean;
  /** Written: 'apply', 'adopt' (and reported unchanged), 'recreate', or undefined (not written). */
  written?: 'apply' | 'adopt' | 'recreate';
  /** The reported entry when not written (or adopted): action and note. */
  reported?: { action: string; note?: string | RegExp };
  held?: boolean;
}

const cases: Case[] = [
  { name: 'created is applied', object: planned('ConfigMap', 'a', 'created'), written: 'apply' },
  { name: 'configured is applied', object: planned('ConfigMap', 'a', 'configured'), written: 'apply' },
  {
    name: 'unchanged without owner labels is adopted, reported unchanged',
    object: planned('ConfigMap', 'a', 'unchanged'),
    written: 'adopt',
    reported: { action: 'unchanged' },
  },
  {
    name: 'unchanged without owner labels in a dry run is not adopted',
    object: planned('ConfigMap', 'a', 'unchanged'),
    dryRun: true,
    reported: { action: 'unchanged' },
  },
  {
    name: 'unchanged with the owner labels is left as it is',
    object: planned('ConfigMap', 'c', 'unchanged', { live: labelled }),
    reported: { action: 'unchanged' },
  },
  {
    name: 'skipped stays skipped with its note',
    object: planned('ConfigMap', 'a', 'skipped', { note: 'ignored by annotation' }),
    reported: { action: 'skipped', note: 'ignored by annotation' },
  },
  {
    name: 'a report-only object with drift is held',
    object: planned('ConfigMap', 'a', 'configured', { reportOnly: 'drift detection only (HelmRelease)' }),
    reported: { action: 'skipped', note: 'drift detection only (HelmRelease)' },
    held: true,
  },
  {
    name: 'a Secret whose values are not compared is never applied (stand-ins)',
    object: planned('Secret', 's', 'configured', { note: 'values encrypted', valuesNotCompared: 'no key' }),
    reported: { action: 'skipped', note: 'values encrypted; not applied' },
    held: true,
  },
  {
    name: 'an unhealthy workload is left alone with skip-unhealthy',
    object: planned('Deployment', 'web', 'configured', { live: unhealthyDeployment }),
    skipUnhealthy: true,
    reported: { action: 'skipped', note: /^left alone: unhealthy before remediation \(/ },
    held: true,
  },
  {
    name: 'an unhealthy workload is applied without skip-unhealthy',
    object: planned('Deployment', 'web', 'configured', { live: unhealthyDeployment }),
    written: 'apply',
  },
  {
    name: 'an immutable field with force is recreated, reported configured',
    object: planned('ConfigMap', 'a', 'unchanged'),
    recovery: { kind: 'recreate', fields: ['spec.selector'] },
    written: 'recreate',
  },
  {
    name: 'a field conflict is taken over, then applied',
    object: { ...planned('ConfigMap', 'a', 'unchanged'), error: { message: 'conflict with "kubectl-edit"' } },
    recovery: { kind: 'takeover' },
    written: 'apply',
  },
];

describe('decide', () => {
  for (const c of cases) {
    it(c.name, () => {
      const recoveries = new Map(c.recovery ? [[c.object, c.recovery]] : []);
      const d = decide(
        [c.object],
        recoveries,
        { target: 't', dryRun: c.dryRun ?? false, skipUnhealthy: c.skipUnhealthy ?? false },
        () => c.served ?? true,
        (text) => text.replaceAll('kubectl-edit', '***'),
      );
      const work = d.work[0];
      if (!c.written) assert.equal(d.work.length, 0);
      else {
        assert.equal(d.work.length, 1);
        assert.equal(work.adopt, c.written === 'adopt');
        assert.deepEqual(work.immutable, c.written === 'recreate' ? ['spec.selector'] : undefined);
        // Whatever is written carries the target's owner labels.
        assert.deepEqual(work.object.metadata.labels, ownerLabels('t'));
        if (c.written !== 'adopt')
          assert.equal(
            work.entry.action,
            c.object.entry.action === 'unchanged' ? 'configured' : c.object.entry.action,
          );
      }
      const reported = d.decided.get(c.object);
      if (!c.reported) assert.equal(reported, undefined);
      else {
        assert.equal(reported?.action, c.reported.action);
        if (c.reported.note instanceof RegExp) assert.match(reported?.note ?? '', c.reported.note);
        else assert.equal(reported?.note, c.reported.note);
      }
      assert.equal(d.heldDrift, c.held ?? false);
    });
  }

  it('quotes a taken-over dry-run error only redacted', () => {
    const p = {
      ...planned('ConfigMap', 'a', 'unchanged'),
      error: { message: 'conflict with "kubectl-edit"' },
    };
    const d = decide(
      [p],
      new Map([[p, { kind: 'takeover' } as Recovery]]),
      { target: 't', dryRun: false, skipUnhealthy: false },
      () => true,
      (t) => t.replaceAll('kubectl-edit', '***'),
    );
    assert.equal(
      d.work[0].entry.note,
      'its dry-run had failed before kube-drift took over fields changed by hand (conflict with "***")',
    );
  });

  it('marks a custom resource whose kind is not served yet as pending, and never changes the plan', () => {
    const p = planned('Widget', 'w', 'created');
    const before = structuredClone(p);
    const served = (ref: ObjectRef) => ref.kind !== 'Widget';
    const d = decide([p], new Map(), { target: 't', dryRun: false, skipUnhealthy: false }, served, (t) => t);
    assert.equal(d.work[0].pendingKind, true);
    assert.deepEqual(p, before);
  });
});
