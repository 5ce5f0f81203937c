// Which of the plan's deletions prune makes, without a cluster: only kube-drift's own entries,
// only with prune on, never past max-deletions, never a Flux inventory's entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlannedDeletion } from '../../../src/drift/plan.ts';
import { selectPrune } from '../../../src/remediate/prune.ts';
import { deletion } from './fixtures.ts';

interface Case {
  name: string;
  deletions: PlannedDeletion[];
  prune: boolean;
  maxDeletions?: number;
  toDelete: string[];
  /** Entries reported for deletions not made: name → action: note. */
  decided: Record<string, string>;
  error?: RegExp;
  remaining: boolean;
}

const cases: Case[] = [
  {
    name: 'prune on: own entries are deleted, in the plan order',
    deletions: [deletion('Deployment', 'web'), deletion('ConfigMap', 'a')],
    prune: true,
    toDelete: ['web', 'a'],
    decided: {},
    remaining: false,
  },
  {
    name: 'prune off: nothing deleted, each says why, drift remains',
    deletions: [deletion('ConfigMap', 'a')],
    prune: false,
    toDelete: [],
    decided: { a: 'skipped: not pruned: prune is off' },
    remaining: true,
  },
  {
    name: "a Flux inventory's entry is never deleted, prune on",
    deletions: [deletion('ConfigMap', 'flux', 'flux'), deletion('ConfigMap', 'own')],
    prune: true,
    toDelete: ['own'],
    decided: { flux: 'skipped: gone from Git; kube-drift never prunes what Flux applied' },
    remaining: false,
  },
  {
    name: "a Flux inventory's entry alone leaves no kube-drift drift, prune off",
    deletions: [deletion('ConfigMap', 'flux', 'flux')],
    prune: false,
    toDelete: [],
    decided: { flux: 'skipped: gone from Git; kube-drift never prunes what Flux applied' },
    remaining: false,
  },
  {
    name: 'past max-deletions: nothing deleted, an error names them all',
    deletions: [deletion('ConfigMap', 'a'), deletion('ConfigMap', 'b'), deletion('ConfigMap', 'c')],
    prune: true,
    maxDeletions: 2,
    toDelete: [],
    decided: {
      a: 'skipped: not pruned: 3 deletions exceed max-deletions (2)',
      b: 'skipped: not pruned: 3 deletions exceed max-deletions (2)',
      c: 'skipped: not pruned: 3 deletions exceed max-deletions (2)',
    },
    error:
      /^prune would delete 3 objects of target t, more than max-deletions \(2\); nothing was deleted: ConfigMap\/apps\/a, ConfigMap\/apps\/b, ConfigMap\/apps\/c\./,
    remaining: true,
  },
  {
    name: 'exactly max-deletions: deleted',
    deletions: [deletion('ConfigMap', 'a'), deletion('ConfigMap', 'b')],
    prune: true,
    maxDeletions: 2,
    toDelete: ['a', 'b'],
    decided: {},
    remaining: false,
  },
  {
    name: 'an entry the plan did not mark deleted (skipped by annotation) is reported as planned',
    deletions: [deletion('ConfigMap', 'kept', 'inventory', 'skipped')],
    prune: true,
    toDelete: [],
    decided: { kept: 'skipped: gone from Git' },
    remaining: false,
  },
];

describe('prune selection', () => {
  for (const c of cases) {
    it(c.name, () => {
      const s = selectPrune(c.deletions, { target: 't', prune: c.prune, maxDeletions: c.maxDeletions ?? 25 });
      assert.deepEqual(
        s.toDelete.map((d) => d.ref.name),
        c.toDelete,
      );
      const decided = Object.fromEntries(
        [...s.decided].map(([d, e]) => [d.ref.name, `${e.action}: ${e.note ?? ''}`]),
      );
      assert.deepEqual(decided, c.decided);
      if (c.error) assert.match(s.error ?? '', c.error);
      else assert.equal(s.error, undefined);
      assert.equal(s.remaining, c.remaining);
    });
  }
});
