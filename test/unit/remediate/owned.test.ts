// The inventory a run keeps, without a cluster: which recorded entries it keeps, when it must
// be written again, and what the entries of an early-stopped run say.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Inventory } from '../../../src/remediate/inventory.ts';
import { OwnedObjects } from '../../../src/remediate/owned.ts';
import { collectEntries } from '../../../src/remediate/result.ts';
import { deletion, planned, refOf } from './fixtures.ts';

const inventory = (names: string[], paths = ['apps']): Inventory => ({
  entries: names.map((n) => refOf('ConfigMap', n)),
  owner: 'github.com/o/r',
  paths,
  found: true,
});

const names = (owned: OwnedObjects) => owned.entries().map((r) => r.name);

describe('the inventory a run keeps', () => {
  const cases: {
    name: string;
    recorded: Inventory;
    inGit: string[];
    deletable: string[];
    paths?: string[];
    claimed?: boolean;
    kept: string[];
    dirty: boolean;
  }[] = [
    {
      name: 'all still in Git: unchanged',
      recorded: inventory(['a', 'b']),
      inGit: ['a', 'b'],
      deletable: [],
      kept: ['a', 'b'],
      dirty: false,
    },
    {
      name: 'one left Git and is deletable: kept until pruned',
      recorded: inventory(['a', 'b']),
      inGit: ['a'],
      deletable: ['b'],
      kept: ['a', 'b'],
      dirty: false,
    },
    {
      name: 'one left Git and is gone (or disowned): dropped',
      recorded: inventory(['a', 'b']),
      inGit: ['a'],
      deletable: [],
      kept: ['a'],
      dirty: true,
    },
    {
      name: 'paths changed: rewritten',
      recorded: inventory(['a'], ['old']),
      inGit: ['a'],
      deletable: [],
      paths: ['apps'],
      kept: ['a'],
      dirty: true,
    },
    {
      name: 'claimed from an older kube-drift: rewritten',
      recorded: inventory(['a']),
      inGit: ['a'],
      deletable: [],
      claimed: true,
      kept: ['a'],
      dirty: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const owned = new OwnedObjects(
        c.recorded,
        c.inGit.map((n) => planned('ConfigMap', n, 'unchanged')),
        c.deletable.map((n) => deletion('ConfigMap', n)),
        { paths: c.paths ?? ['apps'], claimed: c.claimed ?? false },
      );
      assert.deepEqual(names(owned), c.kept);
      assert.equal(owned.dirty, c.dirty);
    });
  }

  it('is written again when an object is added or its version changes, not when it is re-added', () => {
    const owned = new OwnedObjects(inventory(['a']), [planned('ConfigMap', 'a', 'unchanged')], [], {
      paths: ['apps'],
      claimed: false,
    });
    owned.add(refOf('ConfigMap', 'a'));
    assert.equal(owned.dirty, false);
    owned.add({ ...refOf('ConfigMap', 'a'), version: 'v2' });
    assert.equal(owned.dirty, true);
    owned.dirty = false;
    owned.delete(refOf('ConfigMap', 'missing'));
    assert.equal(owned.dirty, false);
    owned.delete(refOf('ConfigMap', 'a'));
    assert.deepEqual([owned.dirty, names(owned)], [true, []]);
  });
});

describe('the entries of a remediation', () => {
  it('says what the run did not reach, and whether drift was left', () => {
    const done = planned('ConfigMap', 'done', 'configured');
    const failed = planned('ConfigMap', 'failed', 'configured');
    const unreached = planned('ConfigMap', 'unreached', 'configured');
    const unreachedInSync = planned('ConfigMap', 'in-sync', 'unchanged');
    const pruned = deletion('ConfigMap', 'old');
    const { entries, stoppedWithDrift } = collectEntries(
      [done, failed, unreached, unreachedInSync],
      [pruned],
      new Map([[done, done.entry]]),
      new Set([failed]),
    );
    assert.deepEqual(
      entries.map((e) => `${e.ref.name} ${e.action}${e.note ? `: ${e.note}` : ''}`),
      [
        'done configured',
        'unreached skipped: not applied: the run stopped before reaching it',
        'in-sync skipped: not applied: the run stopped before reaching it',
        'old skipped: not pruned: the run stopped before reaching it',
      ],
    );
    assert.equal(stoppedWithDrift, true);
  });
});
