import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fluxApplySkip, fluxPruneSkip } from '../../../src/drift/flux-optouts.ts';
import { isSkipped } from '../../../src/drift/ignore.ts';
import { parseInventoryEntry } from '../../../src/kube/flux-inventory.ts';
import type { KubeObject } from '../../../src/model.ts';

function configMap(
  meta: { annotations?: Record<string, string>; labels?: Record<string, string> } = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'apps', ...meta } };
}

const SSA = 'kustomize.toolkit.fluxcd.io/ssa';

test('Flux ssa opt-outs: what Flux would not apply over an existing object', () => {
  const cases: { name: string; desired: KubeObject; live: KubeObject; want: string | undefined }[] = [
    { name: 'no opt-out', desired: configMap(), live: configMap(), want: undefined },
    {
      name: "helm-controller's driftDetection: disabled, from a post-renderer (Git) or on the live object",
      desired: configMap({ annotations: { 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' } }),
      live: configMap(),
      want: 'helm.toolkit.fluxcd.io/driftDetection: disabled',
    },
    {
      name: 'driftDetection: disabled as a label on the live object',
      desired: configMap(),
      live: configMap({ labels: { 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' } }),
      want: 'helm.toolkit.fluxcd.io/driftDetection: disabled',
    },
    {
      name: 'Ignore in Git',
      desired: configMap({ annotations: { [SSA]: 'Ignore' } }),
      live: configMap(),
      want: `${SSA}: Ignore`,
    },
    {
      name: 'Ignore on the live object',
      desired: configMap(),
      live: configMap({ annotations: { [SSA]: 'Ignore' } }),
      want: `${SSA}: Ignore`,
    },
    {
      name: 'Ignore as a label',
      desired: configMap({ labels: { [SSA]: 'Ignore' } }),
      live: configMap(),
      want: `${SSA}: Ignore`,
    },
    {
      name: 'IfNotPresent in Git',
      desired: configMap({ annotations: { [SSA]: 'IfNotPresent' } }),
      live: configMap(),
      want: `${SSA}: IfNotPresent, and the object exists`,
    },
    // Flux reads IfNotPresent from the object it applies, not from the cluster.
    {
      name: 'IfNotPresent only on the live object',
      desired: configMap(),
      live: configMap({ annotations: { [SSA]: 'IfNotPresent' } }),
      want: undefined,
    },
    {
      name: 'values are exact',
      desired: configMap({ annotations: { [SSA]: 'ignore' } }),
      live: configMap(),
      want: undefined,
    },
    {
      name: 'Merge is not an opt-out',
      desired: configMap({ annotations: { [SSA]: 'Merge' } }),
      live: configMap(),
      want: undefined,
    },
  ];
  for (const c of cases) assert.equal(fluxApplySkip(c.desired, c.live), c.want, c.name);
});

test('Flux prune and reconcile opt-outs', () => {
  assert.equal(
    fluxPruneSkip(configMap({ annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } })),
    'kustomize.toolkit.fluxcd.io/prune: disabled',
  );
  assert.equal(
    fluxPruneSkip(configMap({ labels: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } })),
    'kustomize.toolkit.fluxcd.io/prune: disabled',
  );
  assert.equal(fluxPruneSkip(configMap()), undefined);
  // isSkipped (src/drift/ignore.ts) honours Flux's reconcile: disabled, annotation or label.
  assert.equal(
    isSkipped(configMap({ annotations: { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' } })),
    'annotation kustomize.toolkit.fluxcd.io/reconcile: disabled',
  );
  assert.equal(
    isSkipped(configMap({ labels: { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' } })),
    'label kustomize.toolkit.fluxcd.io/reconcile: disabled',
  );
  assert.equal(
    isSkipped(configMap({ annotations: { 'kustomize.toolkit.fluxcd.io/reconcile': 'enabled' } })),
    undefined,
  );
});

test('Flux inventory ids: <namespace>_<name>_<group>_<kind>', () => {
  const cases: { entry: { id?: unknown; v?: unknown }; want: ReturnType<typeof parseInventoryEntry> }[] = [
    {
      entry: { id: 'podinfo_podinfo_apps_Deployment', v: 'v1' },
      want: { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'podinfo', name: 'podinfo' },
    },
    {
      entry: { id: 'podinfo_settings__ConfigMap', v: 'v1' },
      want: { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'podinfo', name: 'settings' },
    },
    {
      entry: { id: '_podinfo__Namespace', v: 'v1' },
      want: { group: '', version: 'v1', kind: 'Namespace', namespace: null, name: 'podinfo' },
    },
    {
      entry: { id: '_viewers_rbac.authorization.k8s.io_ClusterRole', v: 'v1' },
      want: {
        group: 'rbac.authorization.k8s.io',
        version: 'v1',
        kind: 'ClusterRole',
        namespace: null,
        name: 'viewers',
      },
    },
    {
      entry: { id: 'podinfo_podinfo_apps_Deployment' },
      want: { group: 'apps', version: '', kind: 'Deployment', namespace: 'podinfo', name: 'podinfo' },
    },
    { entry: { id: 'too_few_parts', v: 'v1' }, want: undefined },
    { entry: { id: 'a_b_c_d_e', v: 'v1' }, want: undefined },
    { entry: { id: 'podinfo___ConfigMap', v: 'v1' }, want: undefined },
    { entry: { id: 42 }, want: undefined },
  ];
  for (const c of cases) assert.deepEqual(parseInventoryEntry(c.entry), c.want, String(c.entry.id));
});
