// Finding what left Git, without a cluster: own deletions, and Flux inventory entries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDeletions, fluxDeletion, fluxPruneCandidates } from '../../../src/drift/deletions.ts';
import type { FluxInventoryRef } from '../../../src/drift/plan.ts';
import type { KindLookup } from '../../../src/drift/resolve.ts';
import type { ResourceInfo } from '../../../src/kube/discovery.ts';
import { identityOf, type KubeObject, type ObjectRef, refOf } from '../../../src/model.ts';

const served: ResourceInfo[] = [
  {
    group: '',
    kind: 'ConfigMap',
    resource: 'configmaps',
    namespaced: true,
    versions: ['v1'],
    verbs: ['list'],
  },
  { group: '', kind: 'Secret', resource: 'secrets', namespaced: true, versions: ['v1'], verbs: ['list'] },
  {
    group: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    resource: 'clusterroles',
    namespaced: false,
    versions: ['v1'],
    verbs: ['list'],
  },
];
const kindOf: KindLookup = (ref) => served.find((i) => i.group === ref.group && i.kind === ref.kind);

const ownerLabels = { 'kube-drift.dev/owner': 'kube-drift', 'kube-drift.dev/name': 'shop' };
function live(
  kind: string,
  name: string,
  extra: Partial<KubeObject['metadata']> = {},
  data?: object,
): KubeObject {
  const apiVersion = kind === 'ClusterRole' ? 'rbac.authorization.k8s.io/v1' : 'v1';
  const namespace = kind === 'ClusterRole' ? undefined : 'shop';
  return {
    apiVersion,
    kind,
    metadata: { name, namespace, labels: ownerLabels, uid: `uid-${name}`, ...extra },
    data,
  };
}
const refIn = (object: KubeObject): ObjectRef => refOf(object);

describe('findDeletions', () => {
  const gone = live('ConfigMap', 'gone');
  const kept = live('ConfigMap', 'kept');
  const byHand = live('ConfigMap', 'by-hand');
  const optedOut = live('ConfigMap', 'opted-out', {
    annotations: { 'kube-drift.dev/reconcile': 'disabled' },
  });
  const unlabelled = live('ConfigMap', 'unlabelled', { labels: {} });
  const role = live('ClusterRole', 'reader');
  const secret = live('Secret', 'token', {}, { token: 'c2VjcmV0LXZhbHVl' });
  const owned = new Map(
    [gone, kept, byHand, optedOut, unlabelled, role, secret].map((o) => [identityOf(refIn(o)), o] as const),
  );
  const inventory = [gone, kept, optedOut, unlabelled, role, secret].map(refIn);
  const planned = [{ ref: refIn(kept) }];
  const deletions = findDeletions(planned, owned, kindOf, { target: 'shop', inventory });
  const bySubject = new Map(deletions.map((d) => [`${d.ref.kind}/${d.ref.name}`, d]));

  const table: [string, string, 'deleted' | 'skipped' | undefined, string?][] = [
    ['in the inventory, labelled, gone from Git', 'ConfigMap/gone', 'deleted'],
    ['still in Git', 'ConfigMap/kept', undefined],
    ['labelled but in no inventory (a copy made by hand)', 'ConfigMap/by-hand', undefined],
    ['in the inventory but its owner labels were removed', 'ConfigMap/unlabelled', undefined],
    [
      'opted out by annotation',
      'ConfigMap/opted-out',
      'skipped',
      'not pruned: annotation kube-drift.dev/reconcile: disabled',
    ],
    ['cluster-wide', 'ClusterRole/reader', 'deleted'],
    ['a Secret', 'Secret/token', 'deleted'],
  ];
  for (const [name, subject, action, note] of table) {
    it(`${name}: ${action ?? 'left alone'}`, () => {
      const found = bySubject.get(subject);
      assert.equal(found?.entry.action, action);
      if (found) {
        assert.equal(found.origin, 'inventory');
        assert.equal(found.entry.note, note);
        assert.equal(found.live.metadata.uid, `uid-${subject.split('/')[1]}`);
      }
    });
  }

  it('a cluster-wide object has no namespace, and a Secret value never shows in the diff', () => {
    assert.equal(bySubject.get('ClusterRole/reader')?.ref.namespace, null);
    const diff = bySubject.get('Secret/token')?.entry.diff ?? '';
    assert.match(diff, /^-\s+token: "\*\*\*"$/m);
    assert.ok(!diff.includes('c2VjcmV0LXZhbHVl'));
  });
});

describe('Flux inventories', () => {
  const entry = (
    kind: string,
    name: string,
    version = 'v1',
    namespace: string | null = 'shop',
  ): FluxInventoryRef => ({
    group: kind === 'ClusterRole' ? 'rbac.authorization.k8s.io' : '',
    version,
    kind,
    namespace,
    name,
    kustomization: 'flux-system/apps',
  });

  it('candidates: not in Git, not deleted already, kind still served, each once, in a served version', () => {
    const known = new Set([identityOf(entry('ConfigMap', 'in-git'))]);
    const candidates = fluxPruneCandidates(
      known,
      [
        entry('ConfigMap', 'in-git'),
        entry('ConfigMap', 'left', 'v0'),
        entry('ConfigMap', 'left'),
        entry('Gadget', 'unserved'),
        entry('ClusterRole', 'reader', 'v1', 'shop'),
      ],
      kindOf,
    );
    assert.deepEqual(
      candidates.map(({ ref }) => `${ref.kind}/${ref.namespace ?? '-'}/${ref.name}@${ref.version}`),
      ['ConfigMap/shop/left@v1', 'ClusterRole/-/reader@v1'],
    );
  });

  it('an entry Flux would prune, and one it would not', () => {
    const ref = refIn(live('ConfigMap', 'left'));
    const pruned = fluxDeletion(ref, live('ConfigMap', 'left'), 'flux-system/apps');
    assert.equal(pruned.origin, 'flux');
    assert.equal(pruned.entry.action, 'deleted');
    assert.equal(
      pruned.entry.note,
      'in the Flux inventory of Kustomization flux-system/apps; Flux would prune it',
    );
    const kept = fluxDeletion(
      ref,
      live('ConfigMap', 'left', { annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } }),
      'flux-system/apps',
    );
    assert.equal(kept.entry.action, 'skipped');
    assert.equal(
      kept.entry.note,
      'in the Flux inventory of Kustomization flux-system/apps; Flux would not prune it: kustomize.toolkit.fluxcd.io/prune: disabled',
    );
  });
});
