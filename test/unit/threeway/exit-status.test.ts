// The verdict of a diff run (exit status, and through it the check conclusion): fail-on ×
// what the report was compared with × what it found. Reports are built by the report stage's
// own buildReport, so the test reads the same explicit comparison field the engine writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FailOn } from '../../../src/drift/threeway.ts';
import { exitStatus } from '../../../src/engine.ts';
import type { ChangeSetEntry, FieldChange, PlanError } from '../../../src/model.ts';
import { buildReport, type Comparison } from '../../../src/report/model.ts';

const THREE_WAY: Comparison = { kind: 'three-way', base: '0123456789abcdef0123456789abcdef01234567' };
const LIVE: Comparison = { kind: 'live' };

function entry(
  name: string,
  action: ChangeSetEntry['action'],
  classes: Array<FieldChange['class']> = [],
  prStatus?: ChangeSetEntry['prStatus'],
): ChangeSetEntry {
  const found: ChangeSetEntry = {
    ref: { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'apps', name },
    action,
    changes: classes.map((changeClass, i) => ({
      path: `/data/k${i}`,
      before: 'a',
      after: 'b',
      class: changeClass,
    })),
    diff: action === 'unchanged' ? '' : '--- live\n+++ git\n',
  };
  if (prStatus) found.prStatus = prStatus;
  return found;
}

/** What a live report of the same cluster holds: no classes, no prStatus (nothing to compare with). */
function asLive(entries: ChangeSetEntry[]): ChangeSetEntry[] {
  return entries.map(({ prStatus: _prStatus, ...rest }) => ({
    ...rest,
    changes: rest.changes.map(({ class: _class, ...change }) => change),
  }));
}

function status(entries: ChangeSetEntry[], comparison: Comparison, failOn: FailOn, errors: PlanError[] = []) {
  const report = buildReport(
    { target: 't', entries: comparison.kind === 'live' ? asLive(entries) : entries, errors },
    { target: 't', mode: 'diff', generatedAt: '2026-01-01T00:00:00Z', kubeDriftVersion: 'test', comparison },
  );
  return exitStatus(report, failOn);
}

type Verdicts = Record<FailOn, 0 | 1>;

/** Findings (besides an unchanged object) and the exit status a three-way report gives under each fail-on. */
const FINDINGS: Array<[string, ChangeSetEntry[], Verdicts]> = [
  ['a change of the PR', [entry('pr', 'configured', ['pr'])], { any: 1, pr: 1, drift: 0 }],
  [
    'only drift already in the cluster',
    [entry('drift', 'configured', ['drift'])],
    { any: 1, pr: 0, drift: 1 },
  ],
  [
    'a field both the PR changes and drifted',
    [entry('both', 'configured', ['both'])],
    { any: 1, pr: 1, drift: 1 },
  ],
  [
    'a PR change and drift on separate objects',
    [entry('pr', 'configured', ['pr']), entry('drift', 'configured', ['drift'])],
    { any: 1, pr: 1, drift: 1 },
  ],
  [
    'only an object missing from the cluster that base and head both have',
    [entry('missing', 'created')],
    { any: 1, pr: 0, drift: 1 },
  ],
  ['an object the PR adds', [entry('new', 'created', [], 'added')], { any: 1, pr: 1, drift: 0 }],
  ['an object the PR removes', [entry('gone', 'deleted', [], 'removed')], { any: 1, pr: 1, drift: 0 }],
  ['an object left in the cluster, not the PR', [entry('left', 'deleted')], { any: 1, pr: 0, drift: 1 }],
  [
    'an object the PR adds and another missing by hand',
    [entry('new', 'created', [], 'added'), entry('missing', 'created')],
    { any: 1, pr: 1, drift: 1 },
  ],
];

describe('exit status: fail-on × comparison × findings', () => {
  for (const [what, entries, threeWay] of FINDINGS) {
    const found = [entry('same', 'unchanged'), ...entries];
    for (const failOn of ['any', 'pr', 'drift'] as const) {
      it(`three-way, ${what}, fail-on ${failOn} → ${threeWay[failOn]}`, () => {
        assert.equal(status(found, THREE_WAY, failOn), threeWay[failOn]);
      });
      // A live report cannot tell whose a change is, so any drift fails whatever fail-on says.
      it(`live, ${what}, fail-on ${failOn} → 1`, () => {
        assert.equal(status(found, LIVE, failOn), 1);
      });
    }
  }

  for (const comparison of [THREE_WAY, LIVE]) {
    for (const failOn of ['any', 'pr', 'drift'] as const) {
      it(`${comparison.kind}, in sync, fail-on ${failOn} → 0`, () => {
        assert.equal(status([entry('same', 'unchanged'), entry('flux', 'skipped')], comparison, failOn), 0);
      });
      it(`${comparison.kind}, an error and only drift, fail-on ${failOn} → 2`, () => {
        const errors = [{ message: 'dry-run failed', object: 'ConfigMap/apps/bad' }];
        assert.equal(status([entry('drift', 'configured', ['drift'])], comparison, failOn, errors), 2);
      });
    }
  }

  it('reads the comparison, not the classes: a three-way report without a class still narrows', () => {
    // Before the comparison was a field, a report whose only finding was a missing object
    // looked like a live one and failed under fail-on pr.
    assert.equal(status([entry('missing', 'created')], THREE_WAY, 'pr'), 0);
    assert.equal(status([entry('missing', 'created')], LIVE, 'pr'), 1);
  });
});
