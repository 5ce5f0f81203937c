// The comparison of live, Git and the dry-run's answer, without a cluster: one row per case.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Adoption } from '../../../src/drift/adoption.ts';
import { compareObject, skipReason } from '../../../src/drift/compare.ts';
import type { Prediction } from '../../../src/drift/dryrun.ts';
import { IgnoreRuleSet } from '../../../src/drift/ignore-match.ts';
import type { ChangeSetEntry, KubeObject, ManagedFieldsEntry } from '../../../src/model.ts';
import { refOf } from '../../../src/model.ts';

function configMap(data: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app', namespace: 'shop', ...extra },
    data,
  };
}

const managed: ManagedFieldsEntry[] = [
  {
    manager: 'kube-drift',
    operation: 'Apply',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { 'f:mode': {} } },
  },
  {
    manager: 'kubectl-edit',
    operation: 'Update',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { 'f:level': {} } },
  },
];

function stored(data: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return configMap(data, { resourceVersion: '7', managedFields: managed, ...extra });
}

function entryOf(object: KubeObject): ChangeSetEntry {
  return {
    ref: refOf(object),
    action: 'unchanged',
    source: { file: 'app.yaml', line: 1 },
    changes: [],
    diff: '',
  };
}

function applied(predicted: KubeObject, live: KubeObject, adoption: Partial<Adoption> = {}): Prediction {
  return {
    kind: 'applied',
    mode: 'server',
    predicted,
    live,
    adoption: { after: predicted, removed: [], notes: [], ...adoption },
    defaultedPaths: [],
  };
}

const none = new IgnoreRuleSet([]);

interface Row {
  name: string;
  git: KubeObject;
  prediction: Prediction;
  rules?: IgnoreRuleSet;
  action: ChangeSetEntry['action'];
  changes?: { path: string; before?: unknown; after?: unknown; manager?: string }[];
  note?: string;
  diffHas?: string[];
  diffLacks?: string[];
  manualFields?: string[];
  diffMode?: 'server' | 'client';
}

const git = configMap({ mode: 'fast' });
const rows: Row[] = [
  {
    name: 'the dry-run leaves live as it is: unchanged',
    git,
    prediction: applied(stored({ mode: 'fast' }), stored({ mode: 'fast' })),
    action: 'unchanged',
    diffMode: 'server',
  },
  {
    name: 'Git changes a value: configured, attributed to the manager that wrote it live',
    git,
    prediction: applied(stored({ mode: 'fast' }), stored({ mode: 'slow' })),
    action: 'configured',
    changes: [{ path: '/data/mode', before: 'slow', after: 'fast', manager: 'kube-drift' }],
    diffHas: ['-  mode: slow', '+  mode: fast'],
  },
  {
    name: 'a field kubectl edit added, taken over and removed: configured, and named as manual',
    git,
    prediction: applied(stored({ mode: 'fast', level: 'debug' }), stored({ mode: 'fast', level: 'debug' }), {
      after: stored({ mode: 'fast' }),
      removed: ['/data/level'],
    }),
    action: 'configured',
    changes: [{ path: '/data/level', before: 'debug', manager: 'kubectl-edit' }],
    manualFields: ['/data/level'],
  },
  {
    name: 'an ignored field differs: unchanged',
    git,
    prediction: applied(stored({ mode: 'fast' }), stored({ mode: 'slow' })),
    rules: new IgnoreRuleSet([{ paths: ['/data/mode'], target: { kind: 'ConfigMap' } }]),
    action: 'unchanged',
  },
  {
    name: 'an ignore rule for another kind does not hide the change',
    git,
    prediction: applied(stored({ mode: 'fast' }), stored({ mode: 'slow' })),
    rules: new IgnoreRuleSet([{ paths: ['/data/mode'], target: { kind: 'Secret' } }]),
    action: 'configured',
  },
  {
    name: 'the adoption notes stay on an unchanged entry',
    git,
    prediction: applied(stored({ mode: 'fast' }), stored({ mode: 'fast' }), { notes: ['fields set by x'] }),
    action: 'unchanged',
    note: 'fields set by x',
  },
  {
    name: 'a live object without managed fields: configured, attribution not available',
    git,
    prediction: applied(stored({ mode: 'fast' }), configMap({ mode: 'slow' }, { resourceVersion: '7' })),
    action: 'configured',
    note: 'attribution not available: the live object has no managed fields',
  },
  {
    name: 'client mode names what only a dry-run would default',
    git,
    prediction: {
      ...(applied(stored({ mode: 'fast' }), stored({ mode: 'slow' })) as Extract<
        Prediction,
        { kind: 'applied' }
      >),
      mode: 'client',
      defaultedPaths: ['/spec/template'],
    },
    action: 'configured',
    diffMode: 'client',
    note: 'client diff mode: the API server may default fields inside /spec/template, which only a dry-run shows',
  },
  {
    name: 'the object does not exist: created, every line added',
    git,
    prediction: { kind: 'would-create', mode: 'server', predicted: configMap({ mode: 'fast' }), live: null },
    action: 'created',
    diffMode: 'server',
    diffHas: ['+  mode: fast'],
  },
  {
    name: 'its namespace is new: created without a dry-run, and said so',
    git,
    prediction: { kind: 'would-create', predicted: git, live: null, pending: 'namespace' },
    action: 'created',
    note: 'namespace shop is new in this change',
  },
  {
    name: 'its kind is new: created without a dry-run, and said so',
    git,
    prediction: { kind: 'would-create', predicted: git, live: null, pending: 'kind' },
    action: 'created',
    note: 'its CustomResourceDefinition is new in this change and not installed yet',
  },
  {
    name: 'a Secret that changes: values masked in the diff and the changes',
    git: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'shop' },
      data: { token: 'bmV3' },
    },
    prediction: applied(
      { ...stored({}), kind: 'Secret', data: { token: 'bmV3' } },
      { ...stored({}), kind: 'Secret', data: { token: 'b2xk' } },
    ),
    action: 'configured',
    changes: [{ path: '/data/token', before: '*** (before)', after: '*** (after)' }],
    diffLacks: ['bmV3', 'b2xk'],
  },
];

describe('compareObject', () => {
  for (const row of rows) {
    it(row.name, () => {
      const before = structuredClone(row.git);
      const result = compareObject({
        entry: entryOf(row.git),
        applyObject: row.git,
        prediction: row.prediction,
        rules: row.rules ?? none,
      });
      const { entry } = result;
      assert.equal(entry.action, row.action);
      assert.equal(entry.note, row.note);
      if (row.diffMode) assert.equal(entry.diffMode, row.diffMode);
      if (row.changes) {
        assert.deepEqual(
          entry.changes.map((c) => ({
            path: c.path,
            ...('before' in c ? { before: c.before } : {}),
            ...('after' in c ? { after: c.after } : {}),
            ...(row.changes?.some((r) => r.manager) ? { manager: c.changedBy?.manager } : {}),
          })),
          row.changes,
        );
      }
      if (row.action === 'unchanged') assert.deepEqual([entry.changes, entry.diff], [[], '']);
      for (const text of row.diffHas ?? []) assert.ok(entry.diff.includes(text), `${text} in\n${entry.diff}`);
      for (const text of row.diffLacks ?? [])
        assert.ok(!entry.diff.includes(text), `${text} in\n${entry.diff}`);
      assert.deepEqual(result.manualFields, row.manualFields ?? []);
      assert.deepEqual(row.git, before, 'Git object left as it was');
    });
  }
});

describe('compareObject with ignore rules', () => {
  it('gives the ignored field its live value in the object to apply, so the apply leaves it', () => {
    const deployment = (replicas: number, extra = {}): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', ...extra },
      spec: { replicas, paused: false },
    });
    const rules = new IgnoreRuleSet([{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }]);
    const live = deployment(7, { resourceVersion: '3', managedFields: managed });
    const result = compareObject({
      entry: entryOf(deployment(2)),
      applyObject: deployment(2),
      prediction: applied(deployment(2, { resourceVersion: '3' }), live),
      rules,
    });
    assert.equal(result.entry.action, 'unchanged');
    assert.equal((result.applyObject.spec as { replicas: number }).replicas, 7);
  });
});

describe('skipReason', () => {
  const annotated = (annotations: Record<string, string>) => configMap({}, { annotations });
  const wholeObject = new IgnoreRuleSet([{ paths: [''], target: { kind: 'ConfigMap' } }]);
  const table: { name: string; input: Parameters<typeof skipReason>[0]; reason: string | undefined }[] = [
    { name: 'nothing opts out', input: { applyObject: git, live: git }, reason: undefined },
    {
      name: 'a suspended group',
      input: {
        applyObject: git,
        live: null,
        group: 'Kustomization flux-system/apps',
        skippedGroup: 'suspended',
      },
      reason: 'suspended',
    },
    {
      name: 'a group rule with the whole-object path',
      input: { applyObject: git, live: null, group: 'HelmRelease shop/web', groupRules: wholeObject },
      reason: 'an ignore rule of HelmRelease shop/web ignores the whole object',
    },
    {
      name: "Git's opt-out annotation",
      input: { applyObject: annotated({ 'kube-drift.dev/reconcile': 'disabled' }), live: null },
      reason: 'annotation kube-drift.dev/reconcile: disabled',
    },
    {
      name: 'the live opt-out annotation',
      input: { applyObject: git, live: annotated({ 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' }) },
      reason: 'annotation kustomize.toolkit.fluxcd.io/reconcile: disabled',
    },
    {
      name: "Flux's ssa: IfNotPresent, when the object exists",
      input: { applyObject: annotated({ 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' }), live: git },
      reason: 'kustomize.toolkit.fluxcd.io/ssa: IfNotPresent, and the object exists',
    },
    {
      name: "Flux's ssa: IfNotPresent, when it does not: created as usual",
      input: { applyObject: annotated({ 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' }), live: null },
      reason: undefined,
    },
  ];
  for (const row of table) it(row.name, () => assert.equal(skipReason(row.input), row.reason));
});
